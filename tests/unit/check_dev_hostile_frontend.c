/* A device program (virtio-rng: one queue, the least device code) against a
 * hostile vhost-user frontend that writes raw messages: ring changes on a
 * running queue, memory tables the memfd cannot back, a message cut off
 * halfway, replies left unread. The device must refuse, keep serving and
 * never crash. Needs root (the device sandboxes itself). */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "tests/unit/dev_frontend.h"

/* A queue of NUM entries in the first page: descriptors, avail, used. */
#define DESC 0x40	/* not 0: a ring address of 0 means "not given yet" */
#define AVAIL 0x100
#define USED 0x200
#define BUF 0x800
#define BUF_LEN 16

struct hostile {
	pid_t pid;
	int sock, err_log;
	int memfd;
	uint8_t *mem;		/* our mapping of the memfd */
	size_t mem_size;
	int kick, call, err;
};

static struct hostile h;

static uint64_t ack(uint32_t request)
{
	return frontend_recv_u64(h.sock, request);
}

/* Sends a request asking for REPLY_ACK; the device's status (0: done). */
static uint64_t request(uint32_t req, const void *payload, uint32_t size, const int *fds,
			unsigned nfds)
{
	frontend_send_raw(h.sock, req, VU_FLAG_NEED_REPLY, payload, size, fds, nfds);
	return ack(req);
}

static uint64_t vring_state(uint32_t req, uint32_t num)
{
	struct vu_vring_state s = { 0, num };

	return request(req, &s, sizeof(s), NULL, 0);
}

static uint64_t vring_addr(void)
{
	struct vu_vring_addr a = { .index = 0, .desc = DESC, .avail = AVAIL, .used = USED };

	return request(VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
}

static uint64_t vring_fd(uint32_t req, int fd)
{
	uint64_t index = 0;

	return request(req, &index, sizeof(index), &fd, 1);
}

/* One region at guest and frontend address 0 over the memfd. */
static uint64_t mem_table(uint64_t size, uint64_t mmap_offset)
{
	/* struct vu_memory with one region */
	struct {
		uint32_t nregions, padding;
		struct vu_region r;
	} t = { 1, 0, { 0, size, 0, mmap_offset } };

	return request(VU_SET_MEM_TABLE, &t, sizeof(t), &h.memfd, 1);
}

/* MEMFD_SIZE bytes, sealed against shrinking (as QEMU and our vmm do) or not. */
static void make_memory(size_t memfd_size, bool sealed)
{
	h.memfd = memfd_create("hostile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_ge(h.memfd, 0);
	ck_assert_int_eq(ftruncate(h.memfd, memfd_size), 0);
	if (sealed)
		ck_assert_int_eq(fcntl(h.memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	h.mem = mmap(NULL, memfd_size, PROT_READ | PROT_WRITE, MAP_SHARED, h.memfd, 0);
	ck_assert(h.mem != MAP_FAILED);
	h.mem_size = memfd_size;
}

/* Spawns virtio-rng and negotiates VERSION_1, PROTOCOL_FEATURES and
 * REPLY_ACK, with a page of sealed guest memory. */
static void setup(void)
{
	uint64_t features, protocol = 1ull << VU_PROTOCOL_F_REPLY_ACK;

	memset(&h, 0, sizeof(h));
	h.sock = frontend_spawn("virtio-rng", NULL, &h.pid, &h.err_log);
	frontend_send_raw(h.sock, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	features = frontend_recv_u64(h.sock, VU_GET_FEATURES);
	ck_assert(features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES));
	features = 1ull << VIRTIO_F_VERSION_1 | 1ull << VHOST_USER_F_PROTOCOL_FEATURES;
	frontend_send_raw(h.sock, VU_SET_FEATURES, 0, &features, sizeof(features), NULL, 0);
	frontend_send_raw(h.sock, VU_SET_PROTOCOL_FEATURES, 0, &protocol, sizeof(protocol), NULL, 0);
	h.kick = eventfd(0, EFD_CLOEXEC);
	h.call = eventfd(0, EFD_CLOEXEC);
	h.err = eventfd(0, EFD_CLOEXEC);
	make_memory(4096, true);
}

static void teardown(void)
{
	close(h.sock);
	if (h.pid)
		frontend_wait_exit(h.pid);
	munmap(h.mem, h.mem_size);
	close(h.memfd);
	close(h.kick);
	close(h.call);
	close(h.err);
	close(h.err_log);
}

/* Brings queue 0 up with NUM entries; every step acked. */
static void start_queue(uint32_t num)
{
	ck_assert_uint_eq(vring_state(VU_SET_VRING_NUM, num), 0);
	ck_assert_uint_eq(vring_state(VU_SET_VRING_BASE, 0), 0);
	ck_assert_uint_eq(vring_addr(), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_CALL, h.call), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_ERR, h.err), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_KICK, h.kick), 0);
	ck_assert_uint_eq(vring_state(VU_SET_VRING_ENABLE, 1), 0);
}

static bool fires_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t n;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(fd, &n, sizeof(n)) == sizeof(n);
}

/* The driver's side of a queue of one entry: one writable buffer offered. */
static void offer_request(uint16_t avail_idx)
{
	struct vring_desc *d = (void *)(h.mem + DESC);
	volatile uint16_t *avail = (void *)(h.mem + AVAIL);
	uint64_t one = 1;

	*d = (struct vring_desc){ BUF, BUF_LEN, VRING_DESC_F_WRITE, 0 };
	avail[2] = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	avail[1] = avail_idx;
	ck_assert_int_eq(write(h.kick, &one, sizeof(one)), sizeof(one));
}

static uint16_t used_idx(void)
{
	return ((volatile struct vring_used *)(h.mem + USED))->idx;
}

/* The device is alive and answering. */
static void assert_answers(void)
{
	frontend_send_raw(h.sock, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	ck_assert(frontend_recv_u64(h.sock, VU_GET_FEATURES) & (1ull << VIRTIO_F_VERSION_1));
}

START_TEST(ring_changes_on_a_running_queue_are_refused)
{
	ck_assert_uint_eq(mem_table(4096, 0), 0);
	start_queue(1);
	/* A queue of 32768 would put the used ring 256 KiB past the page. */
	ck_assert_uint_ne(vring_state(VU_SET_VRING_NUM, 32768), 0);
	ck_assert(frontend_stderr_has(h.err_log, "SET_VRING_NUM: queue 0 is running"));
	ck_assert_uint_ne(vring_state(VU_SET_VRING_BASE, 7), 0);
	ck_assert_uint_ne(vring_addr(), 0);
	/* The queue runs on as it was set up. */
	offer_request(1);
	ck_assert(fires_within(h.call, 5000));
	ck_assert_uint_eq(used_idx(), 1);
	assert_answers();
}
END_TEST

START_TEST(a_new_kick_fd_rechecks_the_ring)
{
	struct vu_vring_state s = { 0, 0 };

	ck_assert_uint_eq(mem_table(4096, 0), 0);
	start_queue(1);
	/* Stopped, the queue may change; a new kick fd starts it again, and
	 * a ring of 32768 entries does not fit in the page. */
	frontend_send_raw(h.sock, VU_GET_VRING_BASE, 0, &s, sizeof(s), NULL, 0);
	ck_assert_uint_eq(frontend_recv_u64(h.sock, VU_GET_VRING_BASE), 0);	/* index 0, base 0 */
	ck_assert_uint_eq(vring_state(VU_SET_VRING_NUM, 32768), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_KICK, h.kick), 0);
	ck_assert(fires_within(h.err, 5000));
	ck_assert(frontend_stderr_has(h.err_log, "ring at 0x40 outside guest memory"));
	assert_answers();
}
END_TEST

START_TEST(a_misaligned_mapping_is_refused)
{
	/* The frontend's addresses are aligned, but the region starts 0x123
	 * bytes into the memfd: the rings would be misaligned in the device. */
	munmap(h.mem, h.mem_size);
	close(h.memfd);
	make_memory(8192, true);
	ck_assert_uint_eq(mem_table(4096, 0x123), 0);
	start_queue(1);
	ck_assert(fires_within(h.err, 5000));
	ck_assert(frontend_stderr_has(h.err_log, "rings misaligned in the device's mapping"));
	assert_answers();
}
END_TEST

START_TEST(a_region_past_the_end_of_its_memfd_is_refused)
{
	ck_assert_uint_ne(mem_table(8192, 0), 0);
	ck_assert(frontend_stderr_has(h.err_log, "past the end of its file (0x1000 bytes)"));
	ck_assert_uint_ne(mem_table(4096, 4096), 0);
	ck_assert_uint_ne(mem_table(4096, UINT64_MAX - 100), 0);
	assert_answers();
}
END_TEST

START_TEST(an_unsealed_memfd_is_refused)
{
	munmap(h.mem, h.mem_size);
	close(h.memfd);
	make_memory(4096, false);
	ck_assert_uint_ne(mem_table(4096, 0), 0);
	ck_assert(frontend_stderr_has(h.err_log, "not sealed against shrinking"));
	assert_answers();
}
END_TEST

START_TEST(overlapping_rings_are_refused)
{
	struct vu_vring_addr a = { .index = 0, .desc = DESC, .avail = AVAIL, .used = AVAIL };

	/* The used ring on the available ring: the device's used index would
	 * be the driver's available index, and its kick loop endless. */
	ck_assert_uint_eq(mem_table(4096, 0), 0);
	ck_assert_uint_eq(vring_state(VU_SET_VRING_NUM, 1), 0);
	ck_assert_uint_eq(request(VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_ERR, h.err), 0);
	ck_assert_uint_eq(vring_fd(VU_SET_VRING_KICK, h.kick), 0);
	ck_assert(fires_within(h.err, 5000));
	ck_assert(frontend_stderr_has(h.err_log, "rings overlap"));
	assert_answers();
}
END_TEST

START_TEST(two_regions_on_the_same_memory_are_refused)
{
	/* struct vu_memory with two regions over the same page of the memfd */
	struct {
		uint32_t nregions, padding;
		struct vu_region r[2];
	} t = { 2, 0, { { 0, 4096, 0, 0 }, { 0x10000, 4096, 0x10000, 0 } } };
	int fds[] = { h.memfd, h.memfd };

	ck_assert_uint_ne(request(VU_SET_MEM_TABLE, &t, sizeof(t), fds, 2), 0);
	ck_assert(frontend_stderr_has(h.err_log, "maps bytes of its memfd that region 0"));
	assert_answers();
}
END_TEST

START_TEST(errors_say_what_was_wrong)
{
	ck_assert_uint_ne(mem_table(0, 0), 0);
	ck_assert(frontend_stderr_has(h.err_log, "empty region"));
	/* A GET with an fd: the fd is what is wrong, not the payload size. */
	frontend_send_raw(h.sock, VU_GET_FEATURES, 0, NULL, 0, &h.kick, 1);
	ck_assert(frontend_stderr_has(h.err_log, "GET_FEATURES: 1 fds attached, expected 0"));
}
END_TEST

START_TEST(half_a_message_does_not_stall_the_queues)
{
	struct vu_header hdr = { VU_SET_VRING_ENABLE, VU_VERSION | VU_FLAG_NEED_REPLY, 8 };
	struct vu_vring_state s = { 0, 1 };

	ck_assert_uint_eq(mem_table(4096, 0), 0);
	start_queue(1);
	/* A header promising 8 bytes, and none of them. */
	ck_assert_int_eq(write(h.sock, &hdr, sizeof(hdr)), sizeof(hdr));
	offer_request(1);
	ck_assert_msg(fires_within(h.call, 5000), "the queue stalled behind half a message");
	ck_assert_uint_eq(used_idx(), 1);
	/* The rest arrives in two pieces; the message then counts. */
	ck_assert_int_eq(write(h.sock, &s, 3), 3);
	ck_assert_int_eq(write(h.sock, (char *)&s + 3, 5), 5);
	ck_assert_uint_eq(ack(VU_SET_VRING_ENABLE), 0);
	assert_answers();
}
END_TEST

START_TEST(a_frontend_that_reads_no_replies_is_dropped)
{
	/* Ask and never read: the device's replies fill the socket, then it
	 * gives up on this frontend instead of blocking. */
	for (int i = 0; i < 200000; i++) {
		struct vu_header hdr = { VU_GET_FEATURES, VU_VERSION, 0 };

		if (send(h.sock, &hdr, sizeof(hdr), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			struct pollfd p = { .fd = h.sock, .events = POLLOUT };

			if (poll(&p, 1, 200) == 0 || (p.revents & (POLLHUP | POLLERR)))
				break;
		}
	}
	int status = frontend_wait_exit(h.pid);

	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert(frontend_stderr_has(h.err_log, "does not read its replies"));
	h.pid = 0;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile frontend");
	TCase *tc = tcase_create("virtio-rng");

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		printf("1..0 # SKIP the device sandbox needs root (namespaces)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ring_changes_on_a_running_queue_are_refused);
	tcase_add_test(tc, a_new_kick_fd_rechecks_the_ring);
	tcase_add_test(tc, a_misaligned_mapping_is_refused);
	tcase_add_test(tc, a_region_past_the_end_of_its_memfd_is_refused);
	tcase_add_test(tc, an_unsealed_memfd_is_refused);
	tcase_add_test(tc, overlapping_rings_are_refused);
	tcase_add_test(tc, two_regions_on_the_same_memory_are_refused);
	tcase_add_test(tc, errors_say_what_was_wrong);
	tcase_add_test(tc, half_a_message_does_not_stall_the_queues);
	tcase_add_test(tc, a_frontend_that_reads_no_replies_is_dropped);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
