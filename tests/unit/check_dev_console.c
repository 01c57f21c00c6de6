/* devices/virtio-console driven by a minimal vhost-user frontend written
 * here (QEMU has no vhost-user console): the process is started with a
 * connected vhost-user socket (--fd) and console socket (--console-fd),
 * gets its memory table from a memfd, and moves bytes both ways; a
 * descriptor loop on its transmit queue fires the error eventfd. Needs
 * root (the device sandboxes itself). */
#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/lib/vhost_user.h"
#include "tests/unit/check_tap.h"

#define MEM_SIZE (1 << 20)
#define QSIZE 8
#define RING_OFF(q) (0x1000 * (1 + 4 * (q)))	/* desc, avail +0x1000, used +0x2000 */
#define DATA_OFF 0x10000

static int vu_fd, console_fd, memfd;
static uint8_t *mem;
static pid_t device;
static int call_fd[2], err_fd[2], kick_fd[2];

static void send_msg(uint32_t request, const void *payload, uint32_t size, const int *fds, int nfds)
{
	struct vu_header hdr = { .request = request, .flags = VU_VERSION, .size = size };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { (void *)payload, size } };
	char control[CMSG_SPACE(8 * sizeof(int))];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	if (nfds) {
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(vu_fd, &mh, 0), sizeof(hdr) + size);
}

static uint64_t get_u64(uint32_t request)
{
	struct { struct vu_header hdr; uint64_t v; } __attribute__((packed)) reply;

	send_msg(request, NULL, 0, NULL, 0);
	ck_assert_int_eq(read(vu_fd, &reply, sizeof(reply)), sizeof(reply));
	ck_assert_uint_eq(reply.hdr.request, request);
	return reply.v;
}

static void set_u64(uint32_t request, uint64_t v, int fd)
{
	send_msg(request, &v, sizeof(v), &fd, fd >= 0);
}

static void set_state(uint32_t request, uint32_t index, uint32_t num)
{
	uint32_t s[2] = { index, num };

	send_msg(request, s, sizeof(s), NULL, 0);
}

static struct vring_desc *desc(unsigned q, unsigned i)
{
	return (struct vring_desc *)(mem + RING_OFF(q)) + i;
}

static struct vring_avail *avail(unsigned q)
{
	return (void *)(mem + RING_OFF(q) + 0x1000);
}

static struct vring_used *used(unsigned q)
{
	return (void *)(mem + RING_OFF(q) + 0x2000);
}

static void offer(unsigned q, uint16_t head)
{
	avail(q)->ring[avail(q)->idx % QSIZE] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	avail(q)->idx++;
	uint64_t one = 1;

	ck_assert_int_eq(write(kick_fd[q], &one, sizeof(one)), 8);
}

/* Waits (bounded, for a hung device) until FD is readable and drains it. */
static void wait_eventfd(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ck_assert_int_eq(read(fd, &n, sizeof(n)), 8);
}

static void setup(void)
{
	int vu[2], con[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, vu), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, con), 0);
	device = fork();
	ck_assert_int_ge(device, 0);
	if (device == 0) {
		char a[16], b[16], path[4096];

		close(vu[0]);
		close(con[0]);
		snprintf(a, sizeof(a), "%d", vu[1]);
		snprintf(b, sizeof(b), "%d", con[1]);
		snprintf(path, sizeof(path), "%s/devices/virtio-console",
			 getenv("top_builddir") ? getenv("top_builddir") : ".");
		execl(path, path, "--fd", a, "--console-fd", b, (char *)NULL);
		_exit(127);
	}
	close(vu[1]);
	close(con[1]);
	vu_fd = vu[0];
	console_fd = con[0];
	memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_eq(ftruncate(memfd, MEM_SIZE), 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);

	uint64_t features = get_u64(VU_GET_FEATURES);

	ck_assert(features & (1ull << VIRTIO_F_VERSION_1));
	set_u64(VU_SET_FEATURES, 1ull << VIRTIO_F_VERSION_1, -1);
	send_msg(VU_SET_OWNER, NULL, 0, NULL, 0);
	struct { uint32_t n, pad; uint64_t gpa, size, uaddr, off; } table = {
		1, 0, 0, MEM_SIZE, (uintptr_t)mem, 0,
	};

	send_msg(VU_SET_MEM_TABLE, &table, sizeof(table), &memfd, 1);
	for (unsigned q = 0; q < 2; q++) {
		struct { uint32_t index, flags; uint64_t desc, used, avail, log; } addr = {
			q, 0, (uintptr_t)desc(q, 0), (uintptr_t)used(q), (uintptr_t)avail(q), 0,
		};

		call_fd[q] = eventfd(0, 0);
		err_fd[q] = eventfd(0, 0);
		kick_fd[q] = eventfd(0, 0);
		set_state(VU_SET_VRING_NUM, q, QSIZE);
		send_msg(VU_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0);
		set_state(VU_SET_VRING_BASE, q, 0);
		set_u64(VU_SET_VRING_CALL, q, call_fd[q]);
		set_u64(VU_SET_VRING_ERR, q, err_fd[q]);
		set_u64(VU_SET_VRING_KICK, q, kick_fd[q]);
	}
	/* A reply round trip: every message above has been handled. */
	ck_assert_uint_eq(get_u64(VU_GET_QUEUE_NUM), 2);
}

static void teardown(void)
{
	int status;

	close(vu_fd);
	ck_assert_int_eq(waitpid(device, &status, 0), device);
	/* The frontend hung up: the device ends cleanly. */
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(console_fd);
	munmap(mem, MEM_SIZE);
	close(memfd);
	for (int q = 0; q < 2; q++) {
		close(call_fd[q]);
		close(err_fd[q]);
		close(kick_fd[q]);
	}
}

START_TEST(guest_output_reaches_the_console)
{
	memcpy(mem + DATA_OFF, "hello, ", 7);
	memcpy(mem + DATA_OFF + 0x100, "console", 7);
	*desc(1, 0) = (struct vring_desc){ DATA_OFF, 7, VRING_DESC_F_NEXT, 1 };
	*desc(1, 1) = (struct vring_desc){ DATA_OFF + 0x100, 7, 0, 0 };
	offer(1, 0);
	wait_eventfd(call_fd[1]);
	ck_assert_uint_eq(used(1)->idx, 1);
	char buf[32] = "";

	ck_assert_int_eq(read(console_fd, buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "hello, console");
}
END_TEST

START_TEST(console_input_reaches_the_guest)
{
	*desc(0, 0) = (struct vring_desc){ DATA_OFF, 64, VRING_DESC_F_WRITE, 0 };
	offer(0, 0);
	ck_assert_int_eq(write(console_fd, "typed", 5), 5);
	wait_eventfd(call_fd[0]);
	ck_assert_uint_eq(used(0)->idx, 1);
	ck_assert_uint_eq(used(0)->ring[0].len, 5);
	ck_assert_mem_eq(mem + DATA_OFF, "typed", 5);
}
END_TEST

START_TEST(descriptor_loop_fires_the_error_eventfd)
{
	*desc(1, 0) = (struct vring_desc){ DATA_OFF, 1, VRING_DESC_F_NEXT, 1 };
	*desc(1, 1) = (struct vring_desc){ DATA_OFF, 1, VRING_DESC_F_NEXT, 0 };
	offer(1, 0);
	wait_eventfd(err_fd[1]);
	ck_assert_uint_eq(used(1)->idx, 0);
	/* The device is alive and still answers. */
	ck_assert_uint_eq(get_u64(VU_GET_QUEUE_NUM), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio-console");
	TCase *tc = tcase_create("frontend");

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		printf("1..0 # SKIP the device sandbox needs root (namespaces)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, guest_output_reaches_the_console);
	tcase_add_test(tc, console_input_reaches_the_guest);
	tcase_add_test(tc, descriptor_loop_fires_the_error_eventfd);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
