#include "vmm/serial_input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* epoll (libevent's backend) refuses fds that cannot block: regular files,
 * /dev/null and the like. Those are read whenever the FIFO has room. */
static bool fd_pollable(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool ok = ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;

	if (ep >= 0)
		close(ep);
	return ok;
}

static void stop_reading(struct serial_input *in)
{
	if (in->pollable)
		event_del(in->readable);
}

/* Moves what fits from the fd into the FIFO. A pollable fd is read once per
 * readiness; a regular file until the FIFO is full or the file ends. */
static void pump(struct serial_input *in)
{
	uint8_t buf[SERIAL_FIFO_SIZE];

	while (!in->eof) {
		size_t room = serial_rx_room(in->uart);
		ssize_t n;

		if (!room) {
			stop_reading(in);	/* until serial_input_drained */
			return;
		}
		n = read(in->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0) {
			/* End of input: the guest keeps running without it. */
			in->eof = true;
			stop_reading(in);
			return;
		}
		serial_rx_push(in->uart, buf, (size_t)n);
		if (in->pollable)
			return;
	}
}

static void on_readable(evutil_socket_t fd, short what, void *opaque)
{
	(void)fd;
	(void)what;
	pump(opaque);
}

static void on_drained(evutil_socket_t fd, short what, void *opaque)
{
	struct serial_input *in = opaque;
	uint64_t count;

	(void)what;
	if (read(fd, &count, sizeof(count)) != sizeof(count) || in->eof)
		return;
	if (in->pollable)
		event_add(in->readable, NULL);
	else
		pump(in);
}

void serial_input_drained(void *opaque)
{
	struct serial_input *in = opaque;
	uint64_t one = 1;

	if (write(in->drained_fd, &one, sizeof(one)) != sizeof(one))
		perror("vmm: serial input eventfd");
}

int serial_input_start(struct serial_input *in, struct event_base *base,
		       struct serial *uart, int fd)
{
	in->uart = uart;
	in->fd = fd;
	in->eof = false;
	in->readable = in->drained = NULL;
	in->drained_fd = -1;
	in->pollable = fd_pollable(fd);
	in->drained_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->drained_fd < 0)
		return -1;
	in->drained = event_new(base, in->drained_fd, EV_READ | EV_PERSIST, on_drained, in);
	if (!in->drained || event_add(in->drained, NULL) < 0)
		return -1;
	if (!in->pollable) {
		pump(in);
		return 0;
	}
	in->readable = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, in);
	if (!in->readable || event_add(in->readable, NULL) < 0)
		return -1;
	return 0;
}

void serial_input_stop(struct serial_input *in)
{
	if (in->readable)
		event_free(in->readable);
	if (in->drained)
		event_free(in->drained);
	if (in->drained_fd >= 0)
		close(in->drained_fd);
	in->readable = in->drained = NULL;
	in->drained_fd = -1;
}
