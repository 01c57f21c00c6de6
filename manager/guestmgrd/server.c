/* Listeners and client connections (server.h). */
#include "manager/guestmgrd/server.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/frame.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/log.h"
#include "manager/guestmgrd/request.h"

struct out_msg {
	char *text;
	size_t len;
	int fds[GM_MAX_FDS];
	size_t nfds;
	struct out_msg *next;
};

static void free_msg(struct out_msg *m)
{
	ipc_close_fds(m->fds, m->nfds);
	free(m->text);
	free(m);
}

static void drop_client(struct client *c)
{
	struct daemon *d = c->d;

	for (struct client **p = &d->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	while (c->queue) {
		struct out_msg *m = c->queue;

		c->queue = m->next;
		free_msg(m);
	}
	event_free(c->read_ev);
	event_free(c->write_ev);
	close(c->fd);
	d->nclients--;
	free(c);
}

/* Sends what the client's queue holds, as far as its socket takes it. */
static void flush(struct client *c)
{
	while (c->queue) {
		struct out_msg *m = c->queue;
		struct ipc_error err;
		enum ipc_status st = ipc_send(c->fd, m->text, m->len, m->fds, m->nfds, &err);

		if (st == IPC_E_AGAIN) {
			event_add(c->write_ev, NULL);
			return;
		}
		if (st != IPC_OK) {
			drop_client(c);
			return;
		}
		c->queue = m->next;
		c->queued--;
		free_msg(m);
	}
	c->queue_tail = &c->queue;
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)fd;
	(void)what;
	if (request_read(c) < 0)
		drop_client(c);
}

struct client *server_add_client(struct daemon *d, int fd, enum gm_access access,
				 const char *guest)
{
	struct client *c = calloc(1, sizeof(*c));
	socklen_t len = sizeof(struct ucred);

	if (!c || d->nclients >= GM_MAX_CLIENTS) {
		log_warn("refusing a connection: %s", c ? "too many clients" : strerror(errno));
		free(c);
		close(fd);
		return NULL;
	}
	c->id = ++d->next_client_id;
	c->d = d;
	c->fd = fd;
	c->access = access;
	c->queue_tail = &c->queue;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0)
		c->cred.uid = (uid_t)-1;	/* nobody: a control method will be refused */
	snprintf(c->bound_guest, sizeof(c->bound_guest), "%s", guest ? guest : "");
	c->read_ev = event_new(d->base, fd, EV_READ | EV_PERSIST, on_readable, c);
	c->write_ev = event_new(d->base, fd, EV_WRITE, on_writable, c);
	c->next = d->clients;
	d->clients = c;
	d->nclients++;
	event_add(c->read_ev, NULL);
	return c;
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	(void)what;
	if (conn < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	server_add_client(l->daemon, conn, l->access, NULL);
}

int server_listen(struct daemon *d, const char *path, int fd, enum gm_access access,
		  unsigned mode, unsigned gid, char *err, size_t errlen)
{
	struct listener *l = &d->listeners[d->nlisteners];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (fd < 0) {
		if (strlen(path) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "socket '%s': path too long", path);
			return -1;
		}
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		unlink(path);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    chmod(path, mode) < 0 || (gid && chown(path, 0, gid) < 0) || listen(fd, 64) < 0) {
			snprintf(err, errlen, "socket '%s': %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	snprintf(l->path, sizeof(l->path), "%s", path ? path : "");
	l->fd = fd;
	l->access = access;
	l->daemon = d;
	l->ev = event_new(d->base, fd, EV_READ | EV_PERSIST, on_accept, l);
	if (!l->ev || event_add(l->ev, NULL) < 0) {
		snprintf(err, errlen, "socket '%s': cannot watch it", path);
		return -1;
	}
	d->nlisteners++;
	return 0;
}

struct client *server_find_client(struct daemon *d, uint64_t id)
{
	for (struct client *c = d->clients; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

void server_send(struct daemon *d, uint64_t client_id, json_t *msg, int *fds, size_t nfds)
{
	struct client *c = server_find_client(d, client_id);
	struct out_msg *m = c ? calloc(1, sizeof(*m)) : NULL;

	if (m)
		m->text = json_dumps(msg, JSON_COMPACT);
	if (!m || !m->text || nfds > GM_MAX_FDS) {
		ipc_close_fds(fds, nfds);
		if (m)
			free(m->text);
		free(m);
		return;
	}
	m->len = strlen(m->text);
	if (nfds)
		memcpy(m->fds, fds, nfds * sizeof(*fds));
	m->nfds = nfds;
	if (c->queued >= GM_MAX_CLIENT_QUEUE) {
		log_warn("client %llu (uid %d) reads no replies: %u queued; dropped",
			 (unsigned long long)c->id, (int)c->cred.uid, c->queued);
		free_msg(m);
		drop_client(c);
		return;
	}
	*c->queue_tail = m;
	c->queue_tail = &m->next;
	c->queued++;
	if (c->queued == 1)
		flush(c);
}

void server_broadcast(struct daemon *d, json_t *msg)
{
	uint64_t ids[GM_MAX_CLIENTS];
	size_t n = 0;

	/* By id: a send may drop a client from the list. */
	for (struct client *c = d->clients; c && n < GM_MAX_CLIENTS; c = c->next)
		if (c->subscribed)
			ids[n++] = c->id;
	for (size_t i = 0; i < n; i++)
		server_send(d, ids[i], msg, NULL, 0);
}

void server_close_all(struct daemon *d)
{
	while (d->clients)
		drop_client(d->clients);
	for (size_t i = 0; i < d->nlisteners; i++) {
		event_free(d->listeners[i].ev);
		close(d->listeners[i].fd);
		if (d->listeners[i].path[0])
			unlink(d->listeners[i].path);
	}
	d->nlisteners = 0;
}
