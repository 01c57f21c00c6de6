/* The test frontend (dev_frontend.h). */
#include "tests/unit/dev_frontend.h"

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/scm_rights.h"

#define RING(q) (0x1000 * (1 + 4 * (q)))	/* desc, avail +0x1000, used +0x2000 */

void frontend_get_config(struct dev_frontend *f, void *buf, uint32_t len)
{
	char err[512];

	ck_assert_msg(vhost_user_get_config(&f->vu, 0, buf, len, err, sizeof(err)) == 0, "%s", err);
}

struct vring_desc *frontend_desc(struct dev_frontend *f, unsigned q, unsigned i)
{
	return (struct vring_desc *)(f->mem + RING(q)) + i;
}

static struct vring_avail *avail(struct dev_frontend *f, unsigned q)
{
	return (void *)(f->mem + RING(q) + 0x1000);
}

struct vring_used *frontend_used(struct dev_frontend *f, unsigned q)
{
	return (void *)(f->mem + RING(q) + 0x2000);
}

void frontend_offer(struct dev_frontend *f, unsigned q, uint16_t head)
{
	struct vring_avail *a = avail(f, q);
	uint64_t one = 1;

	a->ring[a->idx % DEV_QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	a->idx++;
	ck_assert_int_eq(write(f->kick_fd[q], &one, sizeof(one)), sizeof(one));
}

void frontend_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ck_assert_int_eq(read(fd, &n, sizeof(n)), sizeof(n));
}

int frontend_spawn(const char *program, const char *const *args, pid_t *pid, int *stderr_fd)
{
	int sv[2], errpipe[2] = { -1, -1 };

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	if (stderr_fd)
		ck_assert_int_eq(pipe2(errpipe, O_CLOEXEC), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		const char *argv[16];
		char path[4096], fd[16];
		int n = 0;

		/* dup2 clears close-on-exec: only the device's end survives exec. */
		dup2(sv[1], 3);
		if (stderr_fd)
			dup2(errpipe[1], 2);
		snprintf(fd, sizeof(fd), "%d", 3);
		snprintf(path, sizeof(path), "%s/devices/%s",
			 getenv("top_builddir") ? getenv("top_builddir") : ".", program);
		argv[n++] = path;
		argv[n++] = "--fd";
		argv[n++] = fd;
		for (; args && *args && n < 15; args++)
			argv[n++] = *args;
		argv[n] = NULL;
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	if (stderr_fd) {
		close(errpipe[1]);
		fcntl(errpipe[0], F_SETFL, O_NONBLOCK);
		*stderr_fd = errpipe[0];
	}
	return sv[0];
}

void frontend_send_raw(int sock, uint32_t request, uint32_t flags, const void *payload,
		       uint32_t size, const int *fds, unsigned nfds)
{
	struct vu_header h = { request, VU_VERSION | flags, size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, size } };
	union {
		char buf[SCM_RIGHTS_SPACE(VU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	scm_rights_attach(&msg, ctl.buf, fds, nfds);
	ck_assert_int_eq(sendmsg(sock, &msg, MSG_NOSIGNAL), (ssize_t)(sizeof(h) + size));
}

static void read_within(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < len) {
		ck_assert_msg(poll(&p, 1, 10000) == 1, "no reply from the device");
		ssize_t n = read(fd, (char *)buf + got, len - got);

		ck_assert_msg(n > 0, "the device hung up");
		got += (size_t)n;
	}
}

uint64_t frontend_recv_u64(int sock, uint32_t request)
{
	struct vu_header h;
	uint64_t v;

	read_within(sock, &h, sizeof(h));
	ck_assert_uint_eq(h.request, request);
	ck_assert_uint_eq(h.flags, VU_VERSION | VU_FLAG_REPLY);
	ck_assert_uint_eq(h.size, sizeof(v));
	read_within(sock, &v, sizeof(v));
	return v;
}

bool frontend_stderr_has(int stderr_fd, const char *what)
{
	static char text[65536];
	static size_t len;
	struct pollfd p = { .fd = stderr_fd, .events = POLLIN };

	for (int tries = 0; tries < 100; tries++) {
		ssize_t n = read(stderr_fd, text + len, sizeof(text) - 1 - len);

		if (n > 0)
			len += (size_t)n;
		text[len] = 0;
		if (strstr(text, what)) {
			len = 0;	/* the next question looks at later output */
			return true;
		}
		if (n == 0 || len == sizeof(text) - 1)
			break;
		poll(&p, 1, 100);
	}
	fprintf(stderr, "device stderr so far: %s\n", text);
	len = 0;
	return false;
}

int frontend_wait_exit(pid_t pid)
{
	int status;

	for (int tries = 0; tries < 1000; tries++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		ck_assert_int_ge(r, 0);
		if (r == pid)
			return status;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	ck_abort_msg("the device did not exit");
	return -1;
}

/* Queue Q from index 0, its rings at RING(Q). */
static void start_queue(struct dev_frontend *f, unsigned q)
{
	const struct vhost_user_vring ring = {
		.num = DEV_QSIZE,
		.addr = { RING(q), RING(q) + 0x1000, RING(q) + 0x2000 },
		.kick_fd = f->kick_fd[q],
		.call_fd = f->call_fd[q],
		.err_fd = f->err_fd[q],
	};
	char err[512];

	ck_assert_msg(vhost_user_start_vring(&f->vu, &f->gm, q, &ring, err, sizeof(err)) == 0, "%s",
		      err);
}

/* Brings up the device on the connected socket FD. */
static void bring_up(struct dev_frontend *f, int fd, const char *name, unsigned nqueues)
{
	struct machine_desc m = { .ncpus = 1, .ram_below_4g = DEV_MEM_SIZE };
	char err[512];

	f->nqueues = nqueues;
	vhost_user_init(&f->vu, fd, name);
	ck_assert_msg(guest_mem_create(&f->gm, &m, err, sizeof(err)) == 0, "%s", err);
	f->mem = f->gm.base;
	ck_assert_msg(vhost_user_handshake(&f->vu, err, sizeof(err)) == 0, "%s", err);
	ck_assert(f->vu.features & (1ull << VIRTIO_F_VERSION_1));
	ck_assert_msg(vhost_user_set_features(&f->vu, 1ull << VIRTIO_F_VERSION_1, err,
					      sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vhost_user_set_mem_table(&f->vu, &f->gm, err, sizeof(err)) == 0, "%s", err);
	for (unsigned q = 0; q < nqueues; q++) {
		f->call_fd[q] = eventfd(0, 0);
		f->err_fd[q] = eventfd(0, 0);
		f->kick_fd[q] = eventfd(0, 0);
		start_queue(f, q);
	}
}

void frontend_start(struct dev_frontend *f, const char *program, const char *const *args,
		    unsigned nqueues)
{
	memset(f, 0, sizeof(*f));
	f->stderr_fd = -1;
	bring_up(f, frontend_spawn(program, args, &f->pid, NULL), program, nqueues);
}

void frontend_start_capturing_stderr(struct dev_frontend *f, const char *program,
				     const char *const *args, unsigned nqueues)
{
	memset(f, 0, sizeof(*f));
	bring_up(f, frontend_spawn(program, args, &f->pid, &f->stderr_fd), program, nqueues);
}

void frontend_attach(struct dev_frontend *f, int fd, unsigned nqueues)
{
	memset(f, 0, sizeof(*f));
	f->stderr_fd = -1;
	bring_up(f, fd, "the device", nqueues);
}

void frontend_restart_queue(struct dev_frontend *f, unsigned q)
{
	unsigned base;
	char err[512];

	ck_assert_msg(vhost_user_get_vring_base(&f->vu, q, &base, err, sizeof(err)) == 0, "%s", err);
	memset(f->mem + RING(q), 0, 0x3000);
	start_queue(f, q);
}

void frontend_stop(struct dev_frontend *f)
{
	int status;

	vhost_user_close(&f->vu);
	if (f->pid > 0) {
		ck_assert_int_eq(waitpid(f->pid, &status, 0), f->pid);
		/* The frontend hung up: the device ends cleanly. */
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	guest_mem_destroy(&f->gm);
	if (f->stderr_fd >= 0)
		close(f->stderr_fd);
	for (unsigned q = 0; q < f->nqueues; q++) {
		close(f->call_fd[q]);
		close(f->err_fd[q]);
		close(f->kick_fd[q]);
	}
}
