/* devices/virtio-rng driven by the test frontend (dev_frontend.h): a
 * request's writable buffers come back filled. Needs root (the device
 * sandboxes itself).
 * With GUESTMGR_TEST_DEVICE_SOCKET=PATH the frontend connects to a device
 * that is already listening there instead of spawning one, and sends
 * nothing until it reads a byte (or the end) on stdin: the sandbox tests
 * (tests/integration/dev-sandbox*.sh) start the device in a chroot, a
 * container or an initramfs, look at it confined, then let it serve. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "tests/unit/dev_frontend.h"

#define REQ 0
#define LEN 64

static void start(struct dev_frontend *f)
{
	const char *path = getenv("GUESTMGR_TEST_DEVICE_SOCKET");
	char err[512], byte;

	if (!path) {
		frontend_start(f, "virtio-rng", NULL, 1);
		return;
	}
	int fd = vhost_user_connect_path(path, "virtio-rng", err, sizeof(err));

	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_ge(read(0, &byte, 1), 0);
	frontend_attach(f, fd, 1);
}

START_TEST(request_gets_random_bytes)
{
	struct dev_frontend f;
	static const uint8_t zero[LEN];

	start(&f);
	/* Two buffers, so the device fills a chain and not just one. */
	*frontend_desc(&f, REQ, 0) =
		(struct vring_desc){ DEV_DATA, LEN, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1 };
	*frontend_desc(&f, REQ, 1) = (struct vring_desc){ DEV_DATA + LEN, LEN, VRING_DESC_F_WRITE, 0 };
	frontend_offer(&f, REQ, 0);
	frontend_wait(f.call_fd[REQ]);
	ck_assert_uint_eq(frontend_used(&f, REQ)->idx, 1);
	ck_assert_uint_eq(frontend_used(&f, REQ)->ring[0].len, 2 * LEN);
	/* 64 zero bytes from getrandom: about 2^-512. */
	ck_assert(memcmp(f.mem + DEV_DATA, zero, LEN) != 0);
	ck_assert(memcmp(f.mem + DEV_DATA + LEN, zero, LEN) != 0);
	frontend_stop(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio-rng");
	TCase *tc = tcase_create("frontend");

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		printf("1..0 # SKIP the device sandbox needs root (namespaces)\n");
		return 0;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, request_gets_random_bytes);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
