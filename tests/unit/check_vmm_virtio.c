/* The virtio-pci common configuration state machine without a backend:
 * feature windows, FEATURES_OK only for acceptable features, queue fields
 * frozen after DRIVER_OK, MSI-X vectors out of range read back as
 * NO_VECTOR, and reset. */
#include <string.h>

#include "tests/unit/check_tap.h"
#include "vmm/virtio/common_cfg.h"

static struct virtio_common c;

static enum virtio_common_event wr(uint64_t off, unsigned int size, uint32_t v)
{
	uint8_t d[4];

	for (unsigned int i = 0; i < size; i++)
		d[i] = (uint8_t)(v >> (8 * i));
	return virtio_common_access(&c, off, d, size, true);
}

static uint32_t rd(uint64_t off, unsigned int size)
{
	uint8_t d[4];
	uint32_t v = 0;

	virtio_common_access(&c, off, d, size, false);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)d[i] << (8 * i);
	return v;
}

#define FEATURES ((1ULL << VIRTIO_F_VERSION_1) | (1ULL << 6) | (1ULL << 9))

static void setup(void)
{
	virtio_common_init(&c, FEATURES, 2, 256, 3);
}

static void negotiate(uint32_t lo, uint32_t hi)
{
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x08, 4, 0);
	wr(0x0c, 4, lo);
	wr(0x08, 4, 1);
	wr(0x0c, 4, hi);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

START_TEST(feature_windows)
{
	ck_assert_uint_eq(rd(0x04, 4), (uint32_t)FEATURES);
	wr(0x00, 4, 1);
	ck_assert_uint_eq(rd(0x04, 4), 1);
	wr(0x00, 4, 2);
	ck_assert_uint_eq(rd(0x04, 4), 0);
	ck_assert_uint_eq(rd(0x12, 2), 2);
	/* Wrong-width accesses do nothing. */
	ck_assert_uint_eq(rd(0x12, 4), 0);
}
END_TEST

START_TEST(features_ok_accepts_subset_with_version_1)
{
	negotiate(1 << 6, 1);
	ck_assert(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK);
	/* Frozen from now on. */
	wr(0x08, 4, 0);
	wr(0x0c, 4, 0);
	ck_assert_uint_eq(c.driver_features, (1ULL << 6) | (1ULL << VIRTIO_F_VERSION_1));
}
END_TEST

START_TEST(features_ok_refused)
{
	negotiate(1 << 6, 0);				/* no VERSION_1 */
	ck_assert(!(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK));
	wr(0x14, 1, 0);
	virtio_common_reset(&c);
	negotiate(1 << 7, 1);				/* not offered */
	ck_assert(!(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK));
	/* DRIVER_OK without FEATURES_OK does not stick. */
	ck_assert_int_eq(wr(0x14, 1, 0x07), VIRTIO_EVENT_NONE);
	ck_assert(!(rd(0x14, 1) & VIRTIO_STATUS_DRIVER_OK));
}
END_TEST

START_TEST(queue_setup_and_driver_ok)
{
	negotiate(0, 1);
	wr(0x16, 2, 1);
	ck_assert_uint_eq(rd(0x18, 2), 256);
	wr(0x18, 2, 100);				/* not a power of two */
	ck_assert_uint_eq(rd(0x18, 2), 256);
	wr(0x18, 2, 64);
	ck_assert_uint_eq(rd(0x18, 2), 64);
	wr(0x20, 4, 0x1000);
	wr(0x24, 4, 0x1);
	wr(0x28, 4, 0x2000);
	wr(0x30, 4, 0x3000);
	ck_assert_uint_eq(rd(0x24, 4), 1);
	ck_assert_uint_eq(c.queues[1].desc, 0x100001000ULL);
	ck_assert_int_eq(wr(0x1a, 2, 2), VIRTIO_EVENT_VECTOR);
	ck_assert_uint_eq(rd(0x1a, 2), 2);
	wr(0x1a, 2, 3);					/* past the table */
	ck_assert_uint_eq(rd(0x1a, 2), VIRTIO_NO_VECTOR);
	wr(0x1c, 2, 1);
	ck_assert_uint_eq(rd(0x1c, 2), 1);
	wr(0x18, 2, 32);				/* enabled: frozen */
	ck_assert_uint_eq(rd(0x18, 2), 64);
	ck_assert_uint_eq(rd(0x1e, 2), 1);		/* notify offset: the index */
	/* Selecting a queue that does not exist reads size 0. */
	wr(0x16, 2, 5);
	ck_assert_uint_eq(rd(0x18, 2), 0);
	ck_assert_int_eq(wr(0x14, 1, 0x0f), VIRTIO_EVENT_DRIVER_OK);
	ck_assert_uint_eq(rd(0x14, 1), 0x0f);
	ck_assert_int_eq(wr(0x14, 1, 0x0f), VIRTIO_EVENT_NONE);
}
END_TEST

START_TEST(reset_clears_driver_state)
{
	negotiate(0, 1);
	wr(0x16, 2, 0);
	wr(0x18, 2, 16);
	wr(0x1c, 2, 1);
	ck_assert_int_eq(wr(0x14, 1, 0), VIRTIO_EVENT_RESET);
	virtio_common_reset(&c);
	ck_assert_uint_eq(rd(0x14, 1), 0);
	ck_assert_uint_eq(rd(0x18, 2), 256);
	ck_assert_uint_eq(rd(0x1c, 2), 0);
	ck_assert_uint_eq(rd(0x10, 2), VIRTIO_NO_VECTOR);
	ck_assert_uint_eq(c.driver_features, 0);
}
END_TEST

START_TEST(needs_reset_belongs_to_the_device)
{
	negotiate(0, 1);
	c.status |= VIRTIO_STATUS_NEEDS_RESET;
	wr(0x14, 1, 0x0b);
	ck_assert(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_virtio");
	TCase *tc = tcase_create("common_cfg");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, feature_windows);
	tcase_add_test(tc, features_ok_accepts_subset_with_version_1);
	tcase_add_test(tc, features_ok_refused);
	tcase_add_test(tc, queue_setup_and_driver_ok);
	tcase_add_test(tc, reset_clears_driver_state);
	tcase_add_test(tc, needs_reset_belongs_to_the_device);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
