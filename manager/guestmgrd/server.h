/* The daemon's sockets: listeners, and one client per connection (accepted,
 * or a Guest channel a client handed over). Messages out go through a
 * bounded queue per client; a client that does not read is dropped when
 * its queue is full, so it never stalls the daemon or anyone else. */
#ifndef MANAGER_GUESTMGRD_SERVER_H
#define MANAGER_GUESTMGRD_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ipc/protocol.h"

struct daemon;
struct out_msg;
struct event;

struct client {
	uint64_t id;			/* never reused: replies find clients by it */
	struct daemon *d;
	int fd;
	struct event *read_ev, *write_ev;
	enum gm_access access;		/* what its socket allows */
	struct ucred cred;
	char bound_guest[96];		/* a Guest channel's guest, else "" */
	bool subscribed;
	struct out_msg *queue, **queue_tail;
	unsigned queued;
	struct client *next;
};

/* Listens on PATH (made anew: mode MODE, group GID unless 0), or takes FD
 * from systemd when FD >= 0. */
int server_listen(struct daemon *d, const char *path, int fd, enum gm_access access,
		  unsigned mode, unsigned gid, char *err, size_t errlen);

/* A connected SOCK_SEQPACKET socket served as a client (a Guest channel
 * bound to GUEST when not NULL). Takes FD. */
struct client *server_add_client(struct daemon *d, int fd, enum gm_access access,
				 const char *guest);

struct client *server_find_client(struct daemon *d, uint64_t id);

/* Queues MSG (a reference is taken) with FDS (closed here once sent, or on
 * failure) for the client; a client gone or over its limit just closes
 * them. */
void server_send(struct daemon *d, uint64_t client_id, json_t *msg, int *fds, size_t nfds);

/* MSG to every subscribed client. */
void server_broadcast(struct daemon *d, json_t *msg);

void server_close_all(struct daemon *d);

#endif
