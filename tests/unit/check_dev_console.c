/* devices/virtio-console driven by the test frontend (dev_frontend.h; QEMU
 * has no vhost-user console): bytes both ways between the guest's queues
 * and the console socket, a descriptor loop on the transmit queue firing
 * its error eventfd, a peer that does not read backing up into the
 * transmit queue, and a receive chain with no room. Needs root (the device sandboxes itself). */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "tests/unit/dev_frontend.h"

#define RX 0
#define TX 1

static struct dev_frontend f;
static int console_fd;

static void setup(void)
{
	int con[2];
	char fd[16];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, con), 0);
	fcntl(con[0], F_SETFD, FD_CLOEXEC);
	/* A small socket buffer: a peer that does not read fills it fast. */
	ck_assert_int_eq(setsockopt(con[1], SOL_SOCKET, SO_SNDBUF, &(int){ 4096 }, sizeof(int)), 0);
	snprintf(fd, sizeof(fd), "%d", con[1]);
	const char *args[] = { "--console-fd", fd, NULL };

	frontend_start(&f, "virtio-console", args, 2);
	close(con[1]);
	console_fd = con[0];
}

static void teardown(void)
{
	frontend_stop(&f);
	close(console_fd);
}

START_TEST(guest_output_reaches_the_console)
{
	memcpy(f.mem + DEV_DATA, "hello, ", 7);
	memcpy(f.mem + DEV_DATA + 0x100, "console", 7);
	*frontend_desc(&f, TX, 0) = (struct vring_desc){ DEV_DATA, 7, VRING_DESC_F_NEXT, 1 };
	*frontend_desc(&f, TX, 1) = (struct vring_desc){ DEV_DATA + 0x100, 7, 0, 0 };
	frontend_offer(&f, TX, 0);
	frontend_wait(f.call_fd[TX]);
	ck_assert_uint_eq(frontend_used(&f, TX)->idx, 1);
	char buf[32] = "";

	ck_assert_int_eq(read(console_fd, buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "hello, console");
}
END_TEST

START_TEST(console_input_reaches_the_guest)
{
	*frontend_desc(&f, RX, 0) = (struct vring_desc){ DEV_DATA, 64, VRING_DESC_F_WRITE, 0 };
	frontend_offer(&f, RX, 0);
	ck_assert_int_eq(write(console_fd, "typed", 5), 5);
	frontend_wait(f.call_fd[RX]);
	ck_assert_uint_eq(frontend_used(&f, RX)->idx, 1);
	ck_assert_uint_eq(frontend_used(&f, RX)->ring[0].len, 5);
	ck_assert_mem_eq(f.mem + DEV_DATA, "typed", 5);
}
END_TEST

START_TEST(descriptor_loop_fires_the_error_eventfd)
{
	unsigned int base = 99;
	char err[512];

	*frontend_desc(&f, TX, 0) = (struct vring_desc){ DEV_DATA, 1, VRING_DESC_F_NEXT, 1 };
	*frontend_desc(&f, TX, 1) = (struct vring_desc){ DEV_DATA, 1, VRING_DESC_F_NEXT, 0 };
	frontend_offer(&f, TX, 0);
	frontend_wait(f.err_fd[TX]);
	ck_assert_uint_eq(frontend_used(&f, TX)->idx, 0);
	/* The device is alive and still answers: the broken queue stops
	 * where the driver left it, its chain not taken. */
	ck_assert_msg(vhost_user_get_vring_base(&f.vu, TX, &base, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(base, 0);
}
END_TEST

/* The byte at offset K of the guest's output in the backpressure test. */
static uint8_t pattern(size_t k)
{
	return (uint8_t)(k * 7 + k / 251);
}

#define TX_CHAINS DEV_QSIZE
#define TX_CHAIN_BYTES 0x10000

START_TEST(a_console_peer_that_does_not_read_backs_up_into_the_queue)
{
	static uint8_t got[TX_CHAINS * TX_CHAIN_BYTES];
	size_t len = 0;

	for (size_t k = 0; k < sizeof(got); k++)
		f.mem[DEV_DATA + k] = pattern(k);
	for (unsigned i = 0; i < TX_CHAINS; i++) {
		*frontend_desc(&f, TX, i) = (struct vring_desc){ DEV_DATA + i * TX_CHAIN_BYTES,
								TX_CHAIN_BYTES, 0, 0 };
		frontend_offer(&f, TX, i);
	}
	usleep(300000);
	/* Nobody reads the console: the chains wait, the device answers. */
	ck_assert_uint_lt(frontend_used(&f, TX)->idx, TX_CHAINS);
	frontend_send_raw(f.vu.fd, VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	ck_assert(frontend_recv_u64(f.vu.fd, VU_GET_FEATURES) & (1ull << VIRTIO_F_VERSION_1));
	/* Once the peer reads, every byte comes, in order, and every chain
	 * goes back to the driver. */
	while (len < sizeof(got)) {
		struct pollfd p = { .fd = console_fd, .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 10000), 1);
		ssize_t n = read(console_fd, got + len, sizeof(got) - len);

		ck_assert_int_gt(n, 0);
		len += (size_t)n;
	}
	for (size_t k = 0; k < sizeof(got); k++)
		ck_assert_msg(got[k] == pattern(k), "byte %zu", k);
	while (frontend_used(&f, TX)->idx != TX_CHAINS)
		frontend_wait(f.call_fd[TX]);
}
END_TEST

START_TEST(a_receive_chain_without_room_is_a_driver_error_not_the_end)
{
	char buf[32] = "";

	/* A receive chain with nothing the device may write. */
	*frontend_desc(&f, RX, 0) = (struct vring_desc){ DEV_DATA, 64, 0, 0 };
	frontend_offer(&f, RX, 0);
	ck_assert_int_eq(write(console_fd, "x", 1), 1);
	frontend_wait(f.err_fd[RX]);
	/* Output still flows. */
	memcpy(f.mem + DEV_DATA + 0x100, "still here", 10);
	*frontend_desc(&f, TX, 0) = (struct vring_desc){ DEV_DATA + 0x100, 10, 0, 0 };
	frontend_offer(&f, TX, 0);
	frontend_wait(f.call_fd[TX]);
	ck_assert_int_eq(read(console_fd, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "still here");
	/* After the driver resets the queue, input flows again, starting
	 * with the byte that was waiting. */
	frontend_restart_queue(&f, RX);
	*frontend_desc(&f, RX, 0) = (struct vring_desc){ DEV_DATA, 64, VRING_DESC_F_WRITE, 0 };
	frontend_offer(&f, RX, 0);
	frontend_wait(f.call_fd[RX]);
	ck_assert_uint_eq(frontend_used(&f, RX)->ring[0].len, 1);
	ck_assert_mem_eq(f.mem + DEV_DATA, "x", 1);
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
	tcase_add_test(tc, a_console_peer_that_does_not_read_backs_up_into_the_queue);
	tcase_add_test(tc, a_receive_chain_without_room_is_a_driver_error_not_the_end);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
