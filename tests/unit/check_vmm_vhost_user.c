/* The vhost-user frontend's message handling over a socketpair, the
 * backend's side scripted byte by byte: what the frontend sends, and that
 * a reply with the wrong request, flags or size, a refusal, or a hang-up
 * is an error naming the device and the request (and never more bytes
 * read than asked for). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "vmm/virtio/vhost_user_frontend.h"

#define GET_FEATURES	1
#define SET_OWNER	3
#define SET_VRING_NUM	8
#define FLAG_VERSION	1
#define FLAG_REPLY	4
#define FLAG_NEED_REPLY	8

static struct vhost_user vu;
static int peer;
static char err[512];

static void setup(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	vhost_user_init(&vu, sv[0], "dev0 (blk)");
	peer = sv[1];
	err[0] = '\0';
}

static void teardown(void)
{
	vhost_user_close(&vu);
	if (peer >= 0)
		close(peer);
}

/* Queues one message from the backend. */
static void backend_says(uint32_t req, uint32_t flags, const void *payload, uint32_t size)
{
	uint32_t h[3] = { req, flags, size };

	ck_assert_int_eq(write(peer, h, sizeof(h)), sizeof(h));
	if (size)
		ck_assert_int_eq(write(peer, payload, size), (ssize_t)size);
}

/* Reads one message the frontend sent; returns its payload size. */
static uint32_t frontend_sent(uint32_t req, uint32_t flags, void *payload, size_t max)
{
	uint32_t h[3];

	ck_assert_int_eq(read(peer, h, sizeof(h)), sizeof(h));
	ck_assert_uint_eq(h[0], req);
	ck_assert_uint_eq(h[1], flags);
	ck_assert_uint_le(h[2], max);
	if (h[2])
		ck_assert_int_eq(read(peer, payload, h[2]), (ssize_t)h[2]);
	return h[2];
}

START_TEST(handshake_without_protocol_features)
{
	uint64_t features = 1ULL << 32 | 1ULL << 6, v;

	backend_says(GET_FEATURES, FLAG_VERSION | FLAG_REPLY, &features, sizeof(features));
	ck_assert_int_eq(vhost_user_handshake(&vu, err, sizeof(err)), 0);
	ck_assert_uint_eq(vu.features, features);
	ck_assert_uint_eq(vu.protocol_features, 0);
	ck_assert_uint_eq(frontend_sent(SET_OWNER, FLAG_VERSION, &v, sizeof(v)), 0);
	ck_assert_uint_eq(frontend_sent(GET_FEATURES, FLAG_VERSION, &v, sizeof(v)), 0);
}
END_TEST

START_TEST(reply_for_another_request)
{
	uint64_t features = 0;

	backend_says(SET_OWNER, FLAG_VERSION | FLAG_REPLY, &features, sizeof(features));
	ck_assert_int_eq(vhost_user_handshake(&vu, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user GET_FEATURES: reply has request 3 flags 0x5");
}
END_TEST

START_TEST(reply_not_marked_as_reply)
{
	uint64_t features = 0;

	backend_says(GET_FEATURES, FLAG_VERSION, &features, sizeof(features));
	ck_assert_int_eq(vhost_user_handshake(&vu, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user GET_FEATURES: reply has request 1 flags 0x1");
}
END_TEST

START_TEST(reply_of_wrong_size)
{
	char big[4096];

	memset(big, 0, sizeof(big));
	backend_says(GET_FEATURES, FLAG_VERSION | FLAG_REPLY, big, sizeof(big));
	ck_assert_int_eq(vhost_user_handshake(&vu, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user GET_FEATURES: reply of 4096 bytes, expected 8");
}
END_TEST

START_TEST(backend_hangs_up)
{
	close(peer);
	peer = -1;
	ck_assert_int_eq(vhost_user_handshake(&vu, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "dev0 (blk): vhost-user SET_OWNER: ") == err ||
		      strstr(err, "dev0 (blk): vhost-user GET_FEATURES: ") == err, "%s", err);
}
END_TEST

START_TEST(reply_ack_refusal)
{
	const struct vhost_user_vring ring = { .num = 256, .kick_fd = -1, .call_fd = -1, .err_fd = -1 };
	uint64_t status = 1;
	uint32_t state[2];

	vu.protocol_features = 1ULL << VU_PROTOCOL_F_REPLY_ACK;
	backend_says(SET_VRING_NUM, FLAG_VERSION | FLAG_REPLY, &status, sizeof(status));
	ck_assert_int_eq(vhost_user_start_vring(&vu, NULL, 1, &ring, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user SET_VRING_NUM: refused (status 1)");
	ck_assert_uint_eq(frontend_sent(SET_VRING_NUM, FLAG_VERSION | FLAG_NEED_REPLY, state,
					sizeof(state)), sizeof(state));
	ck_assert_uint_eq(state[0], 1);
	ck_assert_uint_eq(state[1], 256);
}
END_TEST

START_TEST(config_needs_the_protocol_feature)
{
	uint8_t buf[8];

	ck_assert_int_eq(vhost_user_get_config(&vu, 0, buf, sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user GET_CONFIG: backend lacks CONFIG");
}
END_TEST

START_TEST(ring_outside_guest_memory)
{
	static uint8_t ram[0x10000];
	struct guest_mem gm = { .fd = -1, .nregions = 1 };
	const struct vhost_user_vring ring = {
		.num = 256, .addr = { 0x1000, 0x2000, 0xff00 }, .kick_fd = -1, .call_fd = -1, .err_fd = -1,
	};

	gm.regions[0] = (struct guest_region){ .gpa = 0, .size = sizeof(ram), .hva = ram };
	ck_assert_int_eq(vhost_user_start_vring(&vu, &gm, 0, &ring, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dev0 (blk): vhost-user SET_VRING_ADDR: the driver's used ring "
			      "at 0xff00 is not in guest RAM");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_vhost_user");
	TCase *tc = tcase_create("frontend");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, handshake_without_protocol_features);
	tcase_add_test(tc, reply_for_another_request);
	tcase_add_test(tc, reply_not_marked_as_reply);
	tcase_add_test(tc, reply_of_wrong_size);
	tcase_add_test(tc, backend_hangs_up);
	tcase_add_test(tc, reply_ack_refusal);
	tcase_add_test(tc, config_needs_the_protocol_feature);
	tcase_add_test(tc, ring_outside_guest_memory);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
