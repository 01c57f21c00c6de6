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

static struct {
	int fd;
	const char *socket_path;
	struct vu_dev *dev;
	struct event *readable;
	bool watching, eof;
} console = { .fd = -1 };

/* Watch the console fd only while the guest has receive buffers. */
static void watch_console(bool on)
{
	if (on == console.watching || console.eof || !console.readable)
		return;
	if (on ? event_add(console.readable, NULL) : event_del(console.readable))
		fprintf(stderr, "virtio-console: cannot %s the console fd\n", on ? "watch" : "unwatch");
	console.watching = on;
}

static void on_console_readable(evutil_socket_t fd, short what, void *arg)
{
	struct virtqueue *vq = &console.dev->vqs[RX_QUEUE];
	static struct vq_chain chain;

	(void)what;
	(void)arg;
	if (!vq_ready(vq) || vq_pop(vq, &chain) != 1) {
		watch_console(false);
		return;
	}
	ssize_t n;

	do
		n = readv(fd, chain.iov + chain.n_out, chain.n_in);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0)
			fprintf(stderr, "virtio-console: console fd: %m\n");
		watch_console(false);
		console.eof = true;
		n = 0;
	}
	vq_push(vq, chain.head, n);
	vq_notify(vq);
}

static void transmit(struct virtqueue *vq)
{
	static struct vq_chain chain;

	while (vq_pop(vq, &chain) == 1) {
		struct iovec *iov = chain.iov;
		unsigned cnt = chain.n_out;

		/* A console that went away drops output, as a serial line would. */
		while (cnt > 0 && !console.eof) {
			ssize_t n = writev(console.fd, iov, cnt);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "virtio-console: console fd: %m\n");
				console.eof = true;
				break;
			}
			while (cnt > 0 && (size_t)n >= iov->iov_len) {
				n -= iov->iov_len;
				iov++;
				cnt--;
			}
			if (cnt > 0) {
				iov->iov_base = (uint8_t *)iov->iov_base + n;
				iov->iov_len -= n;
			}
		}
		vq_push(vq, chain.head, 0);
	}
	vq_notify(vq);
}

static void console_kick(struct vu_dev *dev, struct virtqueue *vq)
{
	(void)dev;
	if (vq->index == TX_QUEUE)
		transmit(vq);
	else
		watch_console(true);
}

static const struct vu_device_ops console_ops = {
	.name = "virtio-console",
	.num_queues = 2,
	.queue_kick = console_kick,
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
	vu_dev_init(dev, &console_ops, NULL);
	console.dev = dev;
	return 0;
}

static int console_start(struct vu_dev *dev, struct event_base *base, char *err, size_t errlen)
{
	(void)dev;
	console.readable = event_new(base, console.fd, EV_READ | EV_PERSIST, on_console_readable, NULL);
	if (!console.readable) {
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
