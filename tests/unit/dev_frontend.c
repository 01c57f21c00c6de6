/* The test frontend (dev_frontend.h). */
#include "tests/unit/dev_frontend.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Starts the device on one end of a socketpair; returns the other. */
static int spawn(struct dev_frontend *f, const char *program, const char *const *args)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->pid = fork();
	ck_assert_int_ge(f->pid, 0);
	if (f->pid == 0) {
		const char *argv[16];
		char path[4096], fd[16];
		int n = 0;

		/* dup2 clears close-on-exec: only the device's end survives exec. */
		dup2(sv[1], 3);
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
	return sv[0];
}

void frontend_start(struct dev_frontend *f, const char *program, const char *const *args,
		    unsigned nqueues)
{
	struct machine_desc m = { .ncpus = 1, .ram_below_4g = DEV_MEM_SIZE };
	char err[512];

	memset(f, 0, sizeof(*f));
	f->nqueues = nqueues;
	vhost_user_init(&f->vu, spawn(f, program, args), program);
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
		const struct vhost_user_vring ring = {
			.num = DEV_QSIZE,
			.addr = { RING(q), RING(q) + 0x1000, RING(q) + 0x2000 },
			.kick_fd = f->kick_fd[q],
			.call_fd = f->call_fd[q],
			.err_fd = f->err_fd[q],
		};

		ck_assert_msg(vhost_user_start_vring(&f->vu, &f->gm, q, &ring, err, sizeof(err)) == 0,
			      "%s", err);
	}
}

void frontend_stop(struct dev_frontend *f)
{
	int status;

	vhost_user_close(&f->vu);
	ck_assert_int_eq(waitpid(f->pid, &status, 0), f->pid);
	/* The frontend hung up: the device ends cleanly. */
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	guest_mem_destroy(&f->gm);
	for (unsigned q = 0; q < f->nqueues; q++) {
		close(f->call_fd[q]);
		close(f->err_fd[q]);
		close(f->kick_fd[q]);
	}
}
