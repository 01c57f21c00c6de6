/* What guestctl's subcommands share: the command table's entry, the
 * connection, output and exit statuses (guestctl(1), EXIT STATUS). */
#ifndef MANAGER_GUESTCTL_GUESTCTL_H
#define MANAGER_GUESTCTL_GUESTCTL_H

#include <jansson.h>
#include <stdbool.h>

#include "manager/guestctl/client.h"

enum {
	EXIT_DONE = 0,
	EXIT_REFUSED = 1,	/* guestmgrd answered with an error */
	EXIT_USAGE = 2,		/* a bad command line */
	EXIT_UNREACHABLE = 3,	/* no answer from guestmgrd */
	EXIT_NOT_RUNNING = 4,	/* status: an autostart guest is not RUNNING */
};

struct ctl {
	bool json;		/* --json: one JSON document (or line) per result */
	const char *socket;	/* control socket */
	const char *ro_socket;	/* read-only socket */
	const char *command;	/* the subcommand's name, for messages */
	struct client client;
};

struct command {
	const char *name;
	const char *usage;	/* its arguments */
	const char *summary;
	bool control;		/* needs the control socket; else the read-only one */
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

/* Calls METHOD; on an error reply prints it (as JSON with --json) and
 * returns EXIT_REFUSED; EXIT_UNREACHABLE when there was no reply. */
int ctl_call(struct ctl *ctl, const char *method, json_t *params, const int *fds, size_t nfds,
	     struct reply *reply);

/* Prints DOC (and releases it) as one line of JSON. */
void ctl_print_json(const json_t *doc);

/* "1h 02m 03s" for nanoseconds. */
void ctl_format_uptime(long long ns, char *buf, size_t len);

/* Usage error for the current command: prints it and its usage line. */
int ctl_usage(struct ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Launch options shared by launch and realm launch: --cpus, --memory,
 * --cmdline-add, --block. Fills *OVERRIDES and the fds (opened here, as
 * the user). Returns the index of the first non-option argument, or -1
 * (printed). */
#define LAUNCH_MAX_FDS 16
struct launch_options {
	json_t *overrides;
	int fds[LAUNCH_MAX_FDS];
	size_t nfds;
	const char *label;	/* --label, for realm launch */
};
int launch_options_parse(struct ctl *ctl, int argc, char **argv, struct launch_options *lo);
void launch_options_free(struct launch_options *lo);

int cmd_launch(struct ctl *ctl, int argc, char **argv);
int cmd_stop(struct ctl *ctl, int argc, char **argv);
int cmd_list(struct ctl *ctl, int argc, char **argv);
int cmd_info(struct ctl *ctl, int argc, char **argv);
int cmd_serial(struct ctl *ctl, int argc, char **argv);
int cmd_console(struct ctl *ctl, int argc, char **argv);
int cmd_wipe(struct ctl *ctl, int argc, char **argv);
int cmd_events(struct ctl *ctl, int argc, char **argv);
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_metrics(struct ctl *ctl, int argc, char **argv);
int cmd_realm(struct ctl *ctl, int argc, char **argv);

#endif
