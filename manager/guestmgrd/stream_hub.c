/* A guest byte stream fanned out to clients (stream_hub.h). */
#include "manager/guestmgrd/stream_hub.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "manager/guestmgrd/log.h"

#define CLIENT_QUEUE (64 * 1024)

struct hub_client {
	struct stream_hub *hub;
	int fd;
	struct event *read_ev, *write_ev;
	uint8_t queue[CLIENT_QUEUE];
	size_t queue_len;
	bool closing;		/* close once the queue is out */
	struct hub_client *next;
};

static void drop_client(struct hub_client *c)
{
	struct stream_hub *hub = c->hub;

	for (struct hub_client **p = &hub->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	event_free(c->read_ev);
	event_free(c->write_ev);
	close(c->fd);
	free(c);
}

static void flush_client(struct hub_client *c)
{
	while (c->queue_len) {
		ssize_t n = send(c->fd, c->queue, c->queue_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			event_add(c->write_ev, NULL);
			return;
		}
		if (n < 0) {	/* the client went away */
			drop_client(c);
			return;
		}
		memmove(c->queue, c->queue + n, c->queue_len - (size_t)n);
		c->queue_len -= (size_t)n;
	}
	if (c->closing)
		drop_client(c);
}

static void queue_to_client(struct hub_client *c, const uint8_t *data, size_t len)
{
	if (len > CLIENT_QUEUE - c->queue_len) {
		log_warn("%s: a client stopped reading (%d bytes queued): dropped", c->hub->name,
			 CLIENT_QUEUE);
		drop_client(c);
		return;
	}
	memcpy(c->queue + c->queue_len, data, len);
	c->queue_len += len;
	flush_client(c);
}

static void on_client_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_client(arg);
}

static void keep_backlog(struct stream_hub *hub, const uint8_t *data, size_t len)
{
	size_t cap = sizeof(hub->backlog);

	for (size_t i = 0; i < len; i++) {
		hub->backlog[(hub->backlog_start + hub->backlog_len) % cap] = data[i];
		if (hub->backlog_len < cap)
			hub->backlog_len++;
		else
			hub->backlog_start = (hub->backlog_start + 1) % cap;
	}
}

static void from_guest(struct stream_hub *hub, const uint8_t *data, size_t len)
{
	keep_backlog(hub, data, len);
	if (hub->log_fd >= 0 && write(hub->log_fd, data, len) < 0) {
		log_warn("%s: log: %s; not logging any more", hub->name, strerror(errno));
		close(hub->log_fd);
		hub->log_fd = -1;
	}
	for (struct hub_client *c = hub->clients, *next; c; c = next) {
		next = c->next;
		queue_to_client(c, data, len);
	}
}

/* Reads the guest's output; false at its end. */
static bool read_guest(struct stream_hub *hub)
{
	uint8_t buf[4096];
	ssize_t n = read(hub->guest_fd, buf, sizeof(buf));

	if (n > 0)
		from_guest(hub, buf, (size_t)n);
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

static void on_guest_readable(evutil_socket_t fd, short what, void *arg)
{
	struct stream_hub *hub = arg;

	(void)fd;
	(void)what;
	if (!read_guest(hub))
		event_del(hub->guest_read);
}

static void watch_clients(struct stream_hub *hub, bool on)
{
	for (struct hub_client *c = hub->clients; c; c = c->next)
		if (on)
			event_add(c->read_ev, NULL);
		else
			event_del(c->read_ev);
}

/* Passes the clients' input on; while the guest cannot take it, the
 * clients are not read (their own socket buffers hold the rest). */
static void flush_input(struct stream_hub *hub)
{
	while (hub->input_len) {
		ssize_t n = send(hub->guest_fd, hub->input, hub->input_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			watch_clients(hub, false);
			event_add(hub->guest_write, NULL);
			return;
		}
		if (n < 0) {	/* the guest side is gone: input is lost */
			hub->input_len = 0;
			break;
		}
		memmove(hub->input, hub->input + n, hub->input_len - (size_t)n);
		hub->input_len -= (size_t)n;
	}
	watch_clients(hub, true);
}

static void on_guest_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_input(arg);
}

static void on_client_readable(evutil_socket_t fd, short what, void *arg)
{
	struct hub_client *c = arg;
	struct stream_hub *hub = c->hub;
	ssize_t n = read(fd, hub->input + hub->input_len, sizeof(hub->input) - hub->input_len);

	(void)what;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		/* The client detached; what it queued is still sent, if anything. */
		event_del(c->read_ev);
		if (!c->queue_len)
			drop_client(c);
		else
			c->closing = true;
		return;
	}
	if (n > 0) {
		hub->input_len += (size_t)n;
		flush_input(hub);
	}
}

int hub_open(struct stream_hub *hub, struct event_base *base, const char *name, int guest_fd,
	     const char *log_path, char *err, size_t errlen)
{
	memset(hub, 0, sizeof(*hub));
	snprintf(hub->name, sizeof(hub->name), "%s", name);
	hub->base = base;
	hub->guest_fd = guest_fd;
	hub->log_fd = -1;
	fcntl(guest_fd, F_SETFL, O_NONBLOCK);
	if (log_path) {
		hub->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (hub->log_fd < 0)
			log_warn("%s: log '%s': %s", name, log_path, strerror(errno));
	}
	hub->guest_read = event_new(base, guest_fd, EV_READ | EV_PERSIST, on_guest_readable, hub);
	hub->guest_write = event_new(base, guest_fd, EV_WRITE, on_guest_writable, hub);
	if (!hub->guest_read || !hub->guest_write || event_add(hub->guest_read, NULL) < 0) {
		snprintf(err, errlen, "%s: cannot watch the guest's stream", name);
		hub_close(hub);
		return -1;
	}
	return 0;
}

int hub_attach(struct stream_hub *hub, char *err, size_t errlen)
{
	struct hub_client *c = calloc(1, sizeof(*c));
	int sv[2];

	if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "%s: %s", hub->name, strerror(errno));
		free(c);
		return -1;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	c->hub = hub;
	c->fd = sv[0];
	c->read_ev = event_new(hub->base, c->fd, EV_READ | EV_PERSIST, on_client_readable, c);
	c->write_ev = event_new(hub->base, c->fd, EV_WRITE, on_client_writable, c);
	c->next = hub->clients;
	hub->clients = c;
	if (!hub->input_len)
		event_add(c->read_ev, NULL);
	/* The backlog, in order, first. */
	size_t cap = sizeof(hub->backlog), first = cap - hub->backlog_start;

	if (first > hub->backlog_len)
		first = hub->backlog_len;
	memcpy(c->queue, hub->backlog + hub->backlog_start, first);
	memcpy(c->queue + first, hub->backlog, hub->backlog_len - first);
	c->queue_len = hub->backlog_len;
	flush_client(c);
	return sv[1];
}

void hub_close(struct stream_hub *hub)
{
	uint8_t buf[4096];
	ssize_t n;

	/* The guest's last words first. */
	while (hub->guest_fd >= 0 && (n = read(hub->guest_fd, buf, sizeof(buf))) > 0)
		from_guest(hub, buf, (size_t)n);
	if (hub->guest_read)
		event_free(hub->guest_read);
	if (hub->guest_write)
		event_free(hub->guest_write);
	hub->guest_read = hub->guest_write = NULL;
	if (hub->guest_fd >= 0)
		close(hub->guest_fd);
	hub->guest_fd = -1;
	if (hub->log_fd >= 0)
		close(hub->log_fd);
	hub->log_fd = -1;
	/* One last try at each client's queue, then end of file: a client
	 * that is behind loses the tail (it is in the log). */
	while (hub->clients) {
		struct hub_client *c = hub->clients;

		c->closing = true;
		flush_client(c);
		if (hub->clients == c)
			drop_client(c);
	}
}
