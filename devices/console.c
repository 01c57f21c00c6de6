/* virtio-console (virtio 1.2 §5.3): one port, no multiport. What the guest
 * writes on the transmit queue goes to the console fd; what arrives on the
 * console fd fills the receive queue's buffers. The console fd is a stream
 * socket given at spawn (--console-fd) or connected before the sandbox
 * (--console-socket): the future Guest.GetConsole. */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/lib/device_main.h"

#define RX_QUEUE 0
#define TX_QUEUE 1

struct console {
	struct vu_dev *dev;
	int fd;
	const char *socket_path;
	struct event *readable, *writable;
	bool reading;		/* readable is watched: the guest has receive buffers */
	bool input_closed;	/* end of input (the peer may still read) */
	bool output_closed;	/* the peer cannot take output: it is dropped */
	/* The transmit chain being written: held until the peer has read all
	 * of it, so a slow reader backs up into the guest's queue. */
	bool tx_held;
	struct vq_chain tx_chain;
	struct iovec *tx_iov;	/* what is left of its readable buffers */
	unsigned tx_left;
};

static struct console console = { .fd = -1 };

/* Watch the console fd only while the guest has receive buffers. */
static void watch_input(struct console *con, bool on)
{
	if (on == con->reading || con->input_closed || !con->readable)
		return;
	if (on ? event_add(con->readable, NULL) : event_del(con->readable))
		fprintf(stderr, "virtio-console: cannot %s the console fd\n", on ? "watch" : "unwatch");
	con->reading = on;
}

static void input_closed(struct console *con, const char *why)
{
	fprintf(stderr, "virtio-console: console fd: %s; no more input\n", why);
	watch_input(con, false);
	con->input_closed = true;
}

static void on_console_readable(evutil_socket_t fd, short what, void *arg)
{
	struct console *con = arg;
	struct virtqueue *vq = &con->dev->vqs[RX_QUEUE];
	static struct vq_chain chain;

	(void)what;
	if (!vq_ready(vq) || vq_pop(vq, &chain) != 1) {
		watch_input(con, false);
		return;
	}
	if (chain.n_in == 0) {
		/* A driver error (virtio 1.2 §5.3.6.1: receive buffers are
		 * device-writable), not the end of the console's input. */
		vq_mark_broken(vq, "receive chain at head %u has no writable buffer", chain.head);
		watch_input(con, false);
		return;
	}
	ssize_t n;

	do
		n = readv(fd, chain.iov + chain.n_out, chain.n_in);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* Nothing to read after all, or nothing ever again: the guest
		 * keeps its buffer. */
		vq_unpop(vq);
		if (n == 0)
			input_closed(con, "end of file");
		else if (errno != EAGAIN)
			input_closed(con, strerror(errno));
		return;
	}
	vq_push(vq, chain.head, n);
	vq_notify(vq);
}

/* Writes what is left of the held chain. Returns false when the peer cannot
 * take more yet. */
static bool write_held(struct console *con)
{
	while (con->tx_left > 0 && !con->output_closed) {
		ssize_t n = writev(con->fd, con->tx_iov, con->tx_left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			/* A console that went away drops output, as a serial line would. */
			fprintf(stderr, "virtio-console: console fd: %s; output dropped from now on\n",
				strerror(errno));
			con->output_closed = true;
			break;
		}
		while (con->tx_left > 0 && (size_t)n >= con->tx_iov->iov_len) {
			n -= con->tx_iov->iov_len;
			con->tx_iov++;
			con->tx_left--;
		}
		if (con->tx_left > 0) {
			con->tx_iov->iov_base = (uint8_t *)con->tx_iov->iov_base + n;
			con->tx_iov->iov_len -= n;
		}
	}
	return true;
}

static void transmit(struct console *con)
{
	struct virtqueue *vq = &con->dev->vqs[TX_QUEUE];

	for (;;) {
		if (!con->tx_held) {
			if (vq_pop(vq, &con->tx_chain) != 1)
				break;
			con->tx_held = true;
			con->tx_iov = con->tx_chain.iov;
			con->tx_left = con->tx_chain.n_out;
		}
		if (!write_held(con)) {
			if (event_add(con->writable, NULL) < 0)
				fprintf(stderr, "virtio-console: cannot watch the console fd for room\n");
			break;
		}
		vq_push(vq, con->tx_chain.head, 0);
		con->tx_held = false;
	}
	vq_notify(vq);
}

static void on_console_writable(evutil_socket_t fd, short what, void *arg)
{
	struct console *con = arg;

	(void)fd;
	(void)what;
	if (vq_ready(&con->dev->vqs[TX_QUEUE]))
		transmit(con);
}

static void console_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	struct console *con = dev->priv;

	if (vq->index == TX_QUEUE)
		transmit(con);
	else
		watch_input(con, true);
}

/* The transmit queue stops (reset, new memory table) with a chain still
 * held: what the peer has not read is dropped, and the chain goes back. */
static void console_queue_stop(struct vu_dev *dev, struct virtqueue *vq)
{
	struct console *con = dev->priv;

	if (vq->index != TX_QUEUE || !con->tx_held)
		return;
	event_del(con->writable);
	vq_push(vq, con->tx_chain.head, 0);
	vq_notify(vq);
	con->tx_held = false;
}

static const struct vu_device_ops console_ops = {
	.name = "virtio-console",
	.num_queues = 2,
	.queue_kick = console_kick,
	.queue_stop = console_queue_stop,
};

enum { OPT_CONSOLE_FD = 1, OPT_CONSOLE_SOCKET };

static const struct option console_options[] = {
	{ "console-fd", required_argument, NULL, OPT_CONSOLE_FD },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ 0 },
};

static int console_parse_option(int opt, const char *arg, char *err, size_t errlen)
{
	if (opt == OPT_CONSOLE_FD)
		return device_parse_fd("console-fd", arg, &console.fd, err, errlen);
	console.socket_path = arg;
	return 0;
}

static int connect_console(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "--console-socket '%s': path too long", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(err, errlen, "--console-socket '%s': %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int console_setup(struct vu_dev *dev, char *err, size_t errlen)
{
	if ((console.fd >= 0) == (console.socket_path != NULL)) {
		snprintf(err, errlen, "give one of --console-fd N and --console-socket PATH");
		return -1;
	}
	if (console.socket_path) {
		console.fd = connect_console(console.socket_path, err, errlen);
		if (console.fd < 0)
			return -1;
	}
	/* A peer that does not read must not stall the device's loop. */
	if (evutil_make_socket_nonblocking(console.fd) < 0) {
		snprintf(err, errlen, "console fd: cannot make it non-blocking");
		return -1;
	}
	vu_dev_init(dev, &console_ops, &console);
	console.dev = dev;
	return 0;
}

static int console_start(struct vu_dev *dev, struct event_base *base, char *err, size_t errlen)
{
	struct console *con = dev->priv;

	con->readable = event_new(base, con->fd, EV_READ | EV_PERSIST, on_console_readable, con);
	con->writable = event_new(base, con->fd, EV_WRITE, on_console_writable, con);
	if (!con->readable || !con->writable) {
		snprintf(err, errlen, "libevent: cannot watch the console fd");
		return -1;
	}
	return 0;
}

static const struct device_program console_program = {
	.name = "virtio-console",
	.type = "console",
	.usage = "  --console-fd N         the console: a connected stream socket\n"
		 "  --console-socket PATH  or connect to the Unix socket PATH\n",
	.options = console_options,
	.parse_option = console_parse_option,
	.setup = console_setup,
	.start = console_start,
	.syscalls = NULL,	/* the common list covers it */
};

int main(int argc, char **argv)
{
	return device_main(&console_program, argc, argv);
}
