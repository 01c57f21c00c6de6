/* Test helper: plays guestmgrd's part of `guestmgr-vmm --config-fd N`.
 *
 *   vmm-send-config [--events FILE] [--then ACTION]... CONFIG.json [FILE...]
 *                   -- COMMAND [ARG...]
 *
 * Runs COMMAND ARG... --config-fd N with N one end of a SOCK_SEQPACKET
 * socketpair and sends CONFIG.json's text on the other end as one message
 * with each FILE attached (opened read-only; "&N" attaches this process's
 * fd N). Then it keeps the socket, as the daemon does, and reads what the
 * vmm says there, checking each message against its schema in
 * gm_vmm_messages[]. With --events, FILE gets one line per thing seen:
 *
 *   pid P                    COMMAND's pid
 *   {"event":"running"}      a message, as received
 *   running-at NS            when "running" arrived (CLOCK_MONOTONIC ns)
 *   invalid WHY: TEXT        a message that is none of the vmm's
 *
 * Once "running" has arrived, the --then ACTIONs run in order:
 *   send:TEXT   send TEXT as one message
 *   close       close the socket, as a daemon that died would
 *   wait:FILE   wait until FILE exists (a test looking at the vmm first)
 *   expect:FILE:TEXT  wait until FILE holds TEXT (the guest's output says
 *               it is ready); the actions after it are dropped when the vmm
 *               speaks or hangs up first, or after 10 minutes
 *
 * It exits with COMMAND's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/frame.h"
#include "ipc/protocol.h"

#define MAX_ACTIONS 16

struct helper {
	FILE *events;
	const char *actions[MAX_ACTIONS];
	int nactions;
	pid_t pid;
	int sock;
};

static int die(const char *what, const char *why)
{
	fprintf(stderr, "vmm-send-config: %s: %s\n", what, why);
	return 125;
}

static int open_attachment(const char *spec)
{
	if (spec[0] == '&')
		return atoi(spec + 1);
	return open(spec, O_RDONLY | O_CLOEXEC);
}

/* Bounded (a minute), so a test that never makes it still ends. */
static void wait_for_file(const char *path)
{
	struct timespec tick = { .tv_nsec = 50000000 };

	for (int i = 0; i < 1200 && access(path, F_OK) < 0; i++)
		nanosleep(&tick, NULL);
}

/* Whether FILE holds TEXT (read whole; it is a guest's log). */
static bool file_has(const char *path, const char *text)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return memmem(buf, n, text, strlen(text)) != NULL;
}

/* expect:FILE:TEXT; false when the vmm spoke or hung up first, or time ran
 * out. */
static bool expect_text(struct helper *h, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char path[4096];
	struct pollfd p = { .fd = h->sock, .events = POLLIN };

	if (!colon || (size_t)(colon - arg) >= sizeof(path)) {
		die(arg, "expect:FILE:TEXT");
		return false;
	}
	snprintf(path, sizeof(path), "%.*s", (int)(colon - arg), arg);
	for (int i = 0; i < 6000; i++) {
		if (file_has(path, colon + 1))
			return true;
		if (poll(&p, 1, 100) != 0)
			return false;
	}
	return false;
}

/* Runs the --then actions; false once the socket is closed. */
static bool run_actions(struct helper *h)
{
	struct ipc_error ierr;
	char why[256];

	for (int i = 0; i < h->nactions; i++) {
		const char *a = h->actions[i];

		if (!strcmp(a, "close")) {
			close(h->sock);
			return false;
		}
		if (!strncmp(a, "expect:", 7) && !expect_text(h, a + 7))
			return true;
		if (!strncmp(a, "wait:", 5))
			wait_for_file(a + 5);
		else if (!strncmp(a, "expect:", 7))
			continue;
		else if (strncmp(a, "send:", 5) != 0)
			die(a, "unknown action");
		else if (ipc_send(h->sock, a + 5, strlen(a + 5), NULL, 0, &ierr) != IPC_OK)
			die(a, ipc_strerror(&ierr, why, sizeof(why)));
	}
	return true;
}

/* One message from the vmm, checked as the daemon would; true when it is
 * "running". */
static bool judge(struct helper *h, const char *text, size_t len)
{
	char err[IPC_SCHEMA_ERR_MAX];
	json_t *doc = json_loadb(text, len, 0, NULL);
	const char *event = json_string_value(json_object_get(doc, "event"));
	int which = !event ? -1 : !strcmp(event, "running") ? GM_VMM_RUNNING
			: !strcmp(event, "stopped") ? GM_VMM_STOPPED : -1;
	struct ipc_schema *schema = NULL;
	json_t *valid = NULL;

	json_decref(doc);
	if (which < 0) {
		snprintf(err, sizeof(err), "no vmm event");
	} else {
		schema = ipc_schema_parse(gm_vmm_messages[which].name, gm_vmm_messages[which].schema,
					  err, sizeof(err));
		valid = schema ? ipc_decode_json(text, len, schema, err, sizeof(err)) : NULL;
	}
	if (valid)
		fprintf(h->events, "%.*s\n", (int)len, text);
	else
		fprintf(h->events, "invalid %s: %.*s\n", err, (int)len, text);
	json_decref(valid);
	ipc_schema_free(schema);
	return valid && which == GM_VMM_RUNNING;
}

/* Reads the vmm's messages until it hangs up (or an action closes). */
static void listen_to_vmm(struct helper *h)
{
	static char buf[IPC_MAX_MSG];
	struct ipc_error ierr;
	struct timespec at;
	struct ipc_msg msg;
	enum ipc_status st;

	for (;;) {
		st = ipc_recv(h->sock, buf, sizeof(buf), &msg, &ierr);
		clock_gettime(CLOCK_MONOTONIC, &at);
		if (st == IPC_E_AGAIN)
			continue;
		if (st != IPC_OK)
			break;
		if (msg.nfds)
			fprintf(h->events, "invalid %zu fds attached\n", msg.nfds);
		ipc_close_fds(msg.fds, msg.nfds);
		if (judge(h, buf, msg.len)) {
			fprintf(h->events, "running-at %lld\n",
				(long long)at.tv_sec * 1000000000LL + at.tv_nsec);
			if (!run_actions(h))
				return;
		}
	}
	close(h->sock);
}

int main(int argc, char **argv)
{
	static char text[IPC_MAX_MSG];
	struct helper h = { .events = NULL };
	int fds[IPC_MAX_FDS], sv[2], status, arg = 1, sep;
	size_t nfds = 0, len;
	char fdarg[16], why[256];
	struct ipc_error ierr;
	FILE *f;

	for (; arg + 1 < argc && argv[arg][0] == '-' && argv[arg][1] == '-'; arg += 2) {
		if (!strcmp(argv[arg], "--events"))
			h.events = fopen(argv[arg + 1], "w");
		else if (!strcmp(argv[arg], "--then") && h.nactions < MAX_ACTIONS)
			h.actions[h.nactions++] = argv[arg + 1];
		else
			return die(argv[arg], "unknown option, or too many actions");
	}
	if (!h.events)
		h.events = fopen("/dev/null", "w");
	if (!h.events)
		return die("--events", strerror(errno));
	setvbuf(h.events, NULL, _IOLBF, 0);
	for (sep = arg + 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (arg >= argc || sep + 1 >= argc || sep - arg - 1 > IPC_MAX_FDS)
		return die("usage", "vmm-send-config [--events FILE] [--then ACTION]... "
				    "CONFIG.json [FILE...] -- COMMAND [ARG...]");
	f = fopen(argv[arg], "r");
	if (!f)
		return die(argv[arg], strerror(errno));
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	for (int i = arg + 1; i < sep; i++) {
		fds[nfds] = open_attachment(argv[i]);
		if (fds[nfds++] < 0)
			return die(argv[i], strerror(errno));
	}
	if (ipc_socketpair(sv) < 0)
		return die("socketpair", strerror(errno));
	h.pid = fork();
	if (h.pid == 0) {
		char **args = calloc((size_t)(argc - sep + 2), sizeof(*args));
		int n = 0;

		for (int i = sep + 1; i < argc; i++)
			args[n++] = argv[i];
		/* The child's end survives exec; everything else is CLOEXEC. */
		fcntl(sv[1], F_SETFD, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		args[n++] = "--config-fd";
		args[n++] = fdarg;
		execv(args[0], args);
		_exit(die(args[0], strerror(errno)));
	}
	close(sv[1]);
	h.sock = sv[0];
	fprintf(h.events, "pid %d\n", (int)h.pid);
	if (ipc_send(h.sock, text, len, fds, nfds, &ierr) != IPC_OK)
		die("send", ipc_strerror(&ierr, why, sizeof(why)));
	listen_to_vmm(&h);
	if (waitpid(h.pid, &status, 0) < 0)
		return die("waitpid", strerror(errno));
	fclose(h.events);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
