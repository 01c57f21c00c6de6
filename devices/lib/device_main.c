/* The device program's life: options, setup, connect, sandbox, event loop. */
#include "devices/lib/device_main.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/lib/sandbox.h"
#include "devices/lib/vhost_user_socket.h"

#ifdef SANDBOX_ASAN
/* LeakSanitizer's exit-time check stops the world with clone and ptrace,
 * which the sandbox forbids (the process would die of SIGSYS at exit). The
 * shared code's leaks are still checked by its unit tests and fuzzers. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

struct loop;

struct kick_watch {
	struct loop *loop;
	struct virtqueue *vq;
	struct event *ev;
};

struct loop {
	const struct device_program *prog;
	struct vu_dev *dev;
	struct event_base *base;
	int sock;
	struct event *sock_ev;
	struct kick_watch kicks[VU_MAX_QUEUES];
	struct vu_reader reader;
	int status;		/* exit status once the loop ends */
};

enum { OPT_SOCKET_PATH = 0x1000, OPT_FD, OPT_SANDBOX_UID, OPT_PRINT_CAPS, OPT_HELP };

static const struct option common_options[] = {
	{ "socket-path", required_argument, NULL, OPT_SOCKET_PATH },
	{ "fd", required_argument, NULL, OPT_FD },
	{ "sandbox-uid", required_argument, NULL, OPT_SANDBOX_UID },
	{ "print-capabilities", no_argument, NULL, OPT_PRINT_CAPS },
	{ "help", no_argument, NULL, OPT_HELP },
};

#define MAX_OPTIONS 32

int device_parse_fd(const char *opt, const char *arg, int *fd, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 0 || v > 1 << 20) {
		snprintf(err, errlen, "--%s '%s': not an fd number", opt, arg);
		return -1;
	}
	if (v == 0) {
		snprintf(err, errlen, "--%s 0: that is stdin, which the sandbox closes", opt);
		return -1;
	}
	if (fcntl((int)v, F_GETFD) < 0) {
		snprintf(err, errlen, "--%s %ld: %m", opt, v);
		return -1;
	}
	*fd = (int)v;
	return 0;
}

static void usage(const struct device_program *prog, FILE *out)
{
	fprintf(out,
		"usage: %s (--socket-path PATH | --fd N) [device options]\n"
		"       %s --print-capabilities\n"
		"A vhost-user %s backend, sandboxed once connected.\n"
		"  --socket-path PATH    listen on PATH and serve the first frontend\n"
		"  --fd N                serve the connected socket N\n"
		"  --sandbox-uid UID     sandboxed, run as uid and gid UID (default: from the pid)\n"
		"  --print-capabilities  print the backend's capabilities as JSON\n%s",
		prog->name, prog->name, prog->name, prog->usage ? prog->usage : "");
}

static int listen_and_accept(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "--socket-path '%s': longer than %zu bytes", path,
			 sizeof(addr.sun_path) - 1);
		return -1;
	}
	/* Bound and listening under a temporary name, then renamed: whoever
	 * sees PATH appear can connect at once. */
	if (snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%d", path, (int)getpid()) >=
	    (int)sizeof(addr.sun_path)) {
		snprintf(err, errlen, "--socket-path '%s': too long", path);
		return -1;
	}
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0) {
		snprintf(err, errlen, "socket: %m");
		return -1;
	}
	unlink(addr.sun_path);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 1) < 0 ||
	    rename(addr.sun_path, path) < 0) {
		snprintf(err, errlen, "--socket-path '%s': %m", path);
		unlink(addr.sun_path);
		close(lfd);
		return -1;
	}
	int fd;

	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		snprintf(err, errlen, "--socket-path '%s': accept: %m", path);
	/* One frontend per process: nobody else may connect. */
	close(lfd);
	unlink(path);
	return fd;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct kick_watch *w = arg;
	struct virtqueue *vq = w->vq;
	uint64_t n;

	(void)what;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		fprintf(stderr, "%s: queue %u: kick eventfd: %m\n", vq->device, vq->index);
	if (vq_ready(vq))
		w->loop->dev->ops->queue_kick(w->loop->dev, vq);
}

static void kick_fd_changed(struct vu_dev *dev, struct virtqueue *vq)
{
	struct loop *loop = dev->loop;
	struct kick_watch *w = &loop->kicks[vq->index];

	if (w->ev) {
		event_free(w->ev);
		w->ev = NULL;
	}
	if (vq->kick_fd < 0)
		return;
	w->loop = loop;
	w->vq = vq;
	w->ev = event_new(loop->base, vq->kick_fd, EV_READ | EV_PERSIST, on_kick, w);
	if (!w->ev || event_add(w->ev, NULL) < 0)
		fprintf(stderr, "%s: queue %u: cannot watch the kick eventfd\n", dev->ops->name,
			vq->index);
}

static void stop_loop(struct loop *loop, int status)
{
	loop->status = status;
	event_base_loopbreak(loop->base);
}

/* One message per call: the loop is level-triggered, so the next one (or
 * the rest of this one) comes with the next call, and kicks get their turn
 * in between. */
static void on_message(evutil_socket_t fd, short what, void *arg)
{
	struct loop *loop = arg;
	struct vu_reader *r = &loop->reader;
	static struct vu_msg reply;
	char err[256];
	bool send_reply;

	(void)what;
	switch (vu_read(fd, r, err, sizeof(err))) {
	case VU_READ_PARTIAL:
		return;
	case VU_READ_EOF:
		stop_loop(loop, 0);
		return;
	case VU_READ_ERROR:
		fprintf(stderr, "%s: %s\n", loop->prog->name, err);
		stop_loop(loop, 1);
		return;
	case VU_READ_MESSAGE:
		break;
	}
	int rc = vu_handle(loop->dev, &r->msg, r->fds, r->nfds, &reply, &send_reply, err,
			   sizeof(err));

	if (rc < 0)
		fprintf(stderr, "%s: %s\n", loop->prog->name, err);
	if (send_reply && vu_send(fd, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", loop->prog->name, err);
		stop_loop(loop, 1);
	} else if (rc < 0 && !send_reply && vu_request_expects_reply(&r->msg)) {
		/* The frontend waits for an answer we cannot give. */
		stop_loop(loop, 1);
	}
	vu_reader_next(r);
}

static int parse_args(const struct device_program *prog, int argc, char **argv, int *sock,
		      const char **path, uid_t *uid, char *err, size_t errlen)
{
	struct option all[MAX_OPTIONS];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(common_options) / sizeof(common_options[0]); i++)
		all[n++] = common_options[i];
	for (const struct option *o = prog->options; o && o->name && n < MAX_OPTIONS - 1; o++)
		all[n++] = *o;
	memset(&all[n], 0, sizeof(all[n]));

	int opt;

	while ((opt = getopt_long(argc, argv, "", all, NULL)) != -1) {
		switch (opt) {
		case OPT_SOCKET_PATH:
			*path = optarg;
			break;
		case OPT_FD:
			if (device_parse_fd("fd", optarg, sock, err, errlen) < 0)
				return -1;
			break;
		case OPT_SANDBOX_UID:
			if (sandbox_parse_uid(optarg, uid, err, errlen) < 0)
				return -1;
			break;
		case OPT_PRINT_CAPS:
			printf("{\n  \"type\": \"%s\",\n  \"features\": [%s]\n}\n", prog->type,
			       prog->features_json ? prog->features_json : "");
			exit(0);
		case OPT_HELP:
			usage(prog, stdout);
			exit(0);
		case '?':
			usage(prog, stderr);
			snprintf(err, errlen, "bad command line");
			return -1;
		default:
			if (prog->parse_option(opt, optarg, err, errlen) < 0)
				return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if ((*sock >= 0) == (*path != NULL)) {
		snprintf(err, errlen, "give one of --socket-path PATH and --fd N");
		return -1;
	}
	return 0;
}

static int run(const struct device_program *prog, int argc, char **argv, char *err, size_t errlen)
{
	static struct vu_dev dev;
	struct loop loop = { .prog = prog, .dev = &dev, .sock = -1 };
	const char *path = NULL;
	struct sandbox_config sandbox = { .uid = sandbox_default_uid(), .syscalls = prog->syscalls };

	sandbox_prepare();
	if (parse_args(prog, argc, argv, &loop.sock, &path, &sandbox.uid, err, errlen) < 0 ||
	    prog->setup(&dev, err, errlen) < 0)
		return 1;
	dev.loop = &loop;
	dev.kick_fd_changed = kick_fd_changed;
	if (path) {
		loop.sock = listen_and_accept(path, err, errlen);
		if (loop.sock < 0)
			return 1;
	}
	/* A frontend that stops halfway through a message must not stall us. */
	if (evutil_make_socket_nonblocking(loop.sock) < 0) {
		snprintf(err, errlen, "vhost-user socket: cannot make it non-blocking");
		return 1;
	}
	vu_reader_init(&loop.reader);
	loop.base = event_base_new();
	if (!loop.base) {
		snprintf(err, errlen, "libevent: cannot create the event loop");
		return 1;
	}
	sandbox.gid = sandbox.uid;
	if (sandbox_enter(&sandbox, err, errlen) < 0)
		return 1;
	sandbox_run_test_trigger();
	if (prog->start && prog->start(&dev, loop.base, err, errlen) < 0)
		return 1;
	loop.sock_ev = event_new(loop.base, loop.sock, EV_READ | EV_PERSIST, on_message, &loop);
	if (!loop.sock_ev || event_add(loop.sock_ev, NULL) < 0) {
		snprintf(err, errlen, "libevent: cannot watch the vhost-user socket");
		return 1;
	}
	event_base_dispatch(loop.base);
	if (prog->stop)
		prog->stop(&dev);
	return loop.status;
}

int device_main(const struct device_program *prog, int argc, char **argv)
{
	char err[512] = "";
	int status = run(prog, argc, argv, err, sizeof(err));

	if (status && err[0])
		fprintf(stderr, "%s: %s\n", prog->name, err);
	return status;
}
