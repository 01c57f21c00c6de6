/* guestctl's connection to guestmgrd: one request at a time, its reply
 * (result or error) and the fds it carries; events once subscribed. */
#ifndef MANAGER_GUESTCTL_CLIENT_H
#define MANAGER_GUESTCTL_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ipc/protocol.h"

struct client {
	int fd;
	const char *path;
	long next_id;
};

/* A reply: result, or error (domain, code, message); fds that came with it. */
struct reply {
	json_t *result;
	json_t *error;
	int fds[GM_MAX_FDS];
	size_t nfds;
};

/* Connects to PATH; prints why not on stderr. */
int client_connect(struct client *c, const char *path);
void client_close(struct client *c);

/* Sends METHOD with PARAMS (stolen) and FDS (the caller keeps its copies)
 * and waits for its reply. -1 (printed) when the daemon could not be
 * asked or answered nonsense; else 0 with *reply filled. */
int client_call(struct client *c, const char *method, json_t *params, const int *fds, size_t nfds,
		struct reply *reply);

void reply_free(struct reply *reply);

/* The next message that is an event; NULL at end of stream. */
json_t *client_next_event(struct client *c);

#endif
