/* guestctl stop NAME [--timeout SECONDS] [--force]: a graceful stop
 * (GuestManager.Stop: the ACPI power button, then ForceShutdown once the
 * timeout runs out), or with --force, ForceShutdown at once. Either returns
 * once the vmm and every device process are gone. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "manager/guestctl/guestctl.h"

int cmd_stop(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct reply reply;
	bool force = false;
	long timeout_s = 30;
	char *end;
	int c, status;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 't':
			timeout_s = strtol(optarg, &end, 10);
			if (*end || end == optarg || timeout_s < 0 || timeout_s > 3600)
				return ctl_usage(ctl, "--timeout '%s': seconds, 0 to 3600", optarg);
			break;
		default:
			return ctl_usage(ctl, "unknown option");
		}
	}
	if (optind != argc - 1)
		return ctl_usage(ctl, "give one guest name");
	const char *name = argv[optind];

	if (force)
		status = ctl_call(ctl, "GuestManager.ForceShutdown", json_pack("{s:s}", "guest", name),
				  NULL, 0, &reply);
	else
		status = ctl_call(ctl, "GuestManager.Stop",
				  json_pack("{s:s, s:I}", "guest", name, "timeout_ms",
					    (json_int_t)timeout_s * 1000),
				  NULL, 0, &reply);
	if (status != EXIT_DONE)
		return status;
	if (ctl->json)
		ctl_print_json(json_pack("{s:s, s:b}", "guest", name, "stopped", 1));
	else
		printf("guest '%s' is stopped\n", name);
	reply_free(&reply);
	return EXIT_DONE;
}
