/* guestctl: the command-line client of guestmgrd. A table of subcommands,
 * one file each (cmd_*.c); this file parses the global options, connects
 * to the socket the subcommand needs and runs it. See guestctl(1). */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager/guestctl/guestctl.h"

static const struct command commands[] = {
	{ "launch", "NAME [--cpus N] [--memory SIZE] [--cmdline-add ARG]... "
		    "[--block PATH[:ro|:volatile][:qcow2]]...",
	  "launch a guest, with its package's config overridden; returns once it runs", true,
	  cmd_launch },
	{ "stop", "NAME [--timeout SECONDS] [--force]",
	  "press the guest's power button, force it off after the timeout (30 s); --force at once",
	  true, cmd_stop },
	{ "list", "", "every guest with its status", false, cmd_list },
	{ "info", "NAME", "a guest's status, uptime, devices, why it stopped, problems found", false,
	  cmd_info },
	{ "serial", "NAME", "attach to the guest's serial port (Ctrl-] detaches)", true, cmd_serial },
	{ "console", "NAME", "attach to the guest's virtio-console (Ctrl-] detaches)", true,
	  cmd_console },
	{ "wipe", "NAME", "remove the guest's persistent disk (refused while it runs)", true,
	  cmd_wipe },
	{ "events", "", "print guest status changes as JSON lines until interrupted", false,
	  cmd_events },
	{ "status", "", "exit 0 when every autostart guest is RUNNING, 4 otherwise", false,
	  cmd_status },
	{ "metrics", "", "OpenMetrics text for node_exporter's textfile collector", false,
	  cmd_metrics },
	{ "realm", "create [LABEL] | list | launch ID URL [launch options] [--label L] | instances ID",
	  "the older Manager/Realm API: environments of guest instances", true, cmd_realm },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *current;

static void usage(FILE *to)
{
	fprintf(to, "usage: guestctl [--json] [--socket PATH] [--ro-socket PATH] COMMAND [ARGS]\n"
		    "Drives guestmgrd. Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(to, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(to, "guestctl COMMAND --help shows a command's arguments; guestctl(1) has it all.\n"
		    "Exit status: 0 done, 1 guestmgrd refused, 2 usage, 3 guestmgrd unreachable,\n"
		    "4 (status) an autostart guest is not running.\n");
}

int ctl_usage(struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "guestctl %s: ", ctl->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: guestctl %s %s\n", current->name, current->usage);
	return EXIT_USAGE;
}

int ctl_call(struct ctl *ctl, const char *method, json_t *params, const int *fds, size_t nfds,
	     struct reply *reply)
{
	if (client_call(&ctl->client, method, params, fds, nfds, reply) < 0)
		return EXIT_UNREACHABLE;
	if (!reply->error)
		return EXIT_DONE;
	if (ctl->json)
		ctl_print_json(json_pack("{s:O}", "error", reply->error));
	else
		fprintf(stderr, "guestctl %s: %s: %s\n", ctl->command,
			json_string_value(json_object_get(reply->error, "code")),
			json_string_value(json_object_get(reply->error, "message")));
	reply_free(reply);
	return EXIT_REFUSED;
}

void ctl_print_json(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	if (text)
		printf("%s\n", text);
	free(text);
	json_decref((json_t *)doc);
}

void ctl_format_uptime(long long ns, char *buf, size_t len)
{
	long long s = ns / 1000000000;

	if (s >= 3600)
		snprintf(buf, len, "%lldh %02lldm %02llds", s / 3600, s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lld.%01llds", s, ns / 100000000 % 10);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "ro-socket", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = {
		.socket = RUNSTATEDIR "/guestmgr/guestmgr.sock",
		.ro_socket = RUNSTATEDIR "/guestmgr/guestmgr-ro.sock",
	};
	int c, status;

	/* Global options come before the command; the command's own after. */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl.json = true;
			break;
		case 's':
			ctl.socket = optarg;
			break;
		case 'r':
			ctl.ro_socket = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_DONE;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS && !current; i++)
		if (!strcmp(argv[optind], commands[i].name))
			current = &commands[i];
	if (!current) {
		fprintf(stderr, "guestctl: no command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	ctl.command = current->name;
	if (optind + 1 < argc && !strcmp(argv[optind + 1], "--help")) {
		printf("usage: guestctl %s %s\n%s\n", current->name, current->usage, current->summary);
		return EXIT_DONE;
	}
	if (client_connect(&ctl.client, current->control ? ctl.socket : ctl.ro_socket) < 0)
		return EXIT_UNREACHABLE;
	/* The command's arguments, its name as argv[0], for getopt. */
	optind++;
	status = current->run(&ctl, argc - optind + 1, argv + optind - 1);
	client_close(&ctl.client);
	return status;
}
