/* The test frontend (dev_frontend.h). */
#include "tests/unit/dev_frontend.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define RING(q) (0x1000 * (1 + 4 * (q)))	/* desc, avail +0x1000, used +0x2000 */

static void send_msg(struct dev_frontend *f, uint32_t request, const void *payload, uint32_t size,
		     int fd)
{
	struct vu_header hdr = { .request = request, .flags = VU_VERSION, .size = size };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { (void *)payload, size } };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	if (fd >= 0) {
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ck_assert_int_eq(sendmsg(f->vu_fd, &mh, 0), sizeof(hdr) + size);
}

static void read_reply(struct dev_frontend *f, uint32_t request, void *payload, uint32_t size)
{
	struct vu_header hdr;

	ck_assert_int_eq(read(f->vu_fd, &hdr, sizeof(hdr)), sizeof(hdr));
	ck_assert_uint_eq(hdr.request, request);
	ck_assert_uint_eq(hdr.size, size);
	ck_assert_int_eq(read(f->vu_fd, payload, size), size);
}

uint64_t frontend_get_u64(struct dev_frontend *f, uint32_t request)
{
	uint64_t v;

	send_msg(f, request, NULL, 0, -1);
	read_reply(f, request, &v, sizeof(v));
	return v;
}

void frontend_get_config(struct dev_frontend *f, void *buf, uint32_t len)
{
	struct { uint32_t offset, size, flags; uint8_t data[VU_MAX_CONFIG]; } c = { 0, len, 0, { 0 } };

	ck_assert_uint_le(len, VU_MAX_CONFIG);
	send_msg(f, VU_GET_CONFIG, &c, 12 + len, -1);
	read_reply(f, VU_GET_CONFIG, &c, 12 + len);
	memcpy(buf, c.data, len);
}

static void set_u64(struct dev_frontend *f, uint32_t request, uint64_t v, int fd)
{
	send_msg(f, request, &v, sizeof(v), fd);
}

static void set_state(struct dev_frontend *f, uint32_t request, uint32_t index, uint32_t num)
{
	uint32_t s[2] = { index, num };

	send_msg(f, request, s, sizeof(s), -1);
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

static void spawn(struct dev_frontend *f, const char *program, const char *const *args)
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
	f->vu_fd = sv[0];
}

void frontend_start(struct dev_frontend *f, const char *program, const char *const *args,
		    unsigned nqueues)
{
	memset(f, 0, sizeof(*f));
	f->nqueues = nqueues;
	spawn(f, program, args);
	f->memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(f->memfd, DEV_MEM_SIZE), 0);
	f->mem = mmap(NULL, DEV_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	ck_assert_ptr_ne(f->mem, MAP_FAILED);

	ck_assert(frontend_get_u64(f, VU_GET_FEATURES) & (1ull << VIRTIO_F_VERSION_1));
	set_u64(f, VU_SET_FEATURES, 1ull << VIRTIO_F_VERSION_1, -1);
	send_msg(f, VU_SET_OWNER, NULL, 0, -1);
	struct { uint32_t n, pad; uint64_t gpa, size, uaddr, off; } table = {
		1, 0, 0, DEV_MEM_SIZE, (uintptr_t)f->mem, 0,
	};

	send_msg(f, VU_SET_MEM_TABLE, &table, sizeof(table), f->memfd);
	for (unsigned q = 0; q < nqueues; q++) {
		struct { uint32_t index, flags; uint64_t desc, used, avail, log; } addr = {
			q, 0, (uintptr_t)frontend_desc(f, q, 0), (uintptr_t)frontend_used(f, q),
			(uintptr_t)avail(f, q), 0,
		};

		f->call_fd[q] = eventfd(0, 0);
		f->err_fd[q] = eventfd(0, 0);
		f->kick_fd[q] = eventfd(0, 0);
		set_state(f, VU_SET_VRING_NUM, q, DEV_QSIZE);
		send_msg(f, VU_SET_VRING_ADDR, &addr, sizeof(addr), -1);
		set_state(f, VU_SET_VRING_BASE, q, 0);
		set_u64(f, VU_SET_VRING_CALL, q, f->call_fd[q]);
		set_u64(f, VU_SET_VRING_ERR, q, f->err_fd[q]);
		set_u64(f, VU_SET_VRING_KICK, q, f->kick_fd[q]);
	}
	/* A reply round trip: every message above has been handled. */
	ck_assert_uint_eq(frontend_get_u64(f, VU_GET_QUEUE_NUM), nqueues);
}

void frontend_stop(struct dev_frontend *f)
{
	int status;

	close(f->vu_fd);
	ck_assert_int_eq(waitpid(f->pid, &status, 0), f->pid);
	/* The frontend hung up: the device ends cleanly. */
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	munmap(f->mem, DEV_MEM_SIZE);
	close(f->memfd);
	for (unsigned q = 0; q < f->nqueues; q++) {
		close(f->call_fd[q]);
		close(f->err_fd[q]);
		close(f->kick_fd[q]);
	}
}
