/* Talking to guestmgrd (client.h). */
#include "manager/guestctl/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/frame.h"

int client_connect(struct client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	c->fd = -1;
	c->path = path;
	c->next_id = 1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "guestctl: socket path '%s' is too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "guestctl: cannot reach guestmgrd at %s: %s%s\n", path, strerror(errno),
			errno == EACCES ? " (the control socket is for root and the control group)"
			: errno == ENOENT || errno == ECONNREFUSED ? " (is guestmgrd running?)"
								   : "");
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The next message from the daemon, with its fds; NULL (printed) when the
 * connection ended or failed. */
static json_t *receive(struct client *c, int *fds, size_t *nfds)
{
	static char buf[IPC_MAX_MSG + 1];
	struct ipc_msg msg;
	struct ipc_error err;
	enum ipc_status st;
	char why[256];

	do
		st = ipc_recv(c->fd, buf, IPC_MAX_MSG, &msg, &err);
	while (st == IPC_E_AGAIN);
	if (st == IPC_E_CLOSED)
		return NULL;
	if (st != IPC_OK) {
		fprintf(stderr, "guestctl: guestmgrd at %s: %s\n", c->path,
			ipc_strerror(&err, why, sizeof(why)));
		return NULL;
	}
	json_t *doc = json_loadb(buf, msg.len, 0, NULL);

	if (!doc || !json_is_object(doc)) {
		fprintf(stderr, "guestctl: guestmgrd at %s sent something that is not a JSON object\n",
			c->path);
		ipc_close_fds(msg.fds, msg.nfds);
		json_decref(doc);
		return NULL;
	}
	memcpy(fds, msg.fds, msg.nfds * sizeof(*fds));
	*nfds = msg.nfds;
	return doc;
}

int client_call(struct client *c, const char *method, json_t *params, const int *fds, size_t nfds,
		struct reply *reply)
{
	long id = c->next_id++;
	json_t *req = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "method", method, "params",
				params ? params : json_object());
	char *text = json_dumps(req, JSON_COMPACT);
	struct ipc_error err;
	char why[256];
	enum ipc_status st;

	memset(reply, 0, sizeof(*reply));
	json_decref(req);
	if (!text)
		return -1;
	do
		st = ipc_send(c->fd, text, strlen(text), fds, nfds, &err);
	while (st == IPC_E_AGAIN);
	free(text);
	if (st != IPC_OK) {
		fprintf(stderr, "guestctl: %s: %s\n", method, ipc_strerror(&err, why, sizeof(why)));
		return -1;
	}
	for (;;) {
		json_t *msg = receive(c, reply->fds, &reply->nfds);

		if (!msg) {
			fprintf(stderr, "guestctl: %s: guestmgrd hung up before it replied\n", method);
			return -1;
		}
		if (json_integer_value(json_object_get(msg, "id")) == id) {
			reply->result = json_incref(json_object_get(msg, "result"));
			reply->error = json_incref(json_object_get(msg, "error"));
			json_decref(msg);
			return 0;
		}
		/* An event (or a stray message) between: not ours. */
		ipc_close_fds(reply->fds, reply->nfds);
		reply->nfds = 0;
		json_decref(msg);
	}
}

void reply_free(struct reply *reply)
{
	json_decref(reply->result);
	json_decref(reply->error);
	ipc_close_fds(reply->fds, reply->nfds);
	memset(reply, 0, sizeof(*reply));
}

json_t *client_next_event(struct client *c)
{
	int fds[GM_MAX_FDS];
	size_t nfds;

	for (;;) {
		json_t *msg = receive(c, fds, &nfds);

		ipc_close_fds(fds, msg ? nfds : 0);
		if (!msg || json_object_get(msg, "event"))
			return msg;
		json_decref(msg);
	}
}
