/* RAW images and the modes over them: reads and writes through scattered
 * buffers, flush, discard and write-zeroes, range checks, read-only
 * (EROFS, file untouched) and volatile (writes seen, file untouched). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/disk/disk.h"
#include "tests/unit/check_tap.h"

#define SIZE (256 * 1024)

static char path[64];
static uint8_t pattern[SIZE];

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_disk_raw.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < SIZE; i++)
		pattern[i] = (uint8_t)(i * 7 + i / 512);
	ck_assert_int_eq(write(fd, pattern, SIZE), SIZE);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

static struct disk *open_raw(enum disk_mode mode)
{
	struct disk_open_args args = { .format = DISK_FORMAT_RAW, .mode = mode, .path = path };
	char err[256];
	struct disk *disk;

	args.fd = open(path, mode == DISK_MODE_READ_WRITE ? O_RDWR : O_RDONLY);
	ck_assert_int_ge(args.fd, 0);
	disk = disk_open(&args, err, sizeof(err));
	ck_assert_msg(disk, "%s", err);
	return disk;
}

static void file_contents(uint8_t *buf)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_eq(pread(fd, buf, SIZE, 0), SIZE);
	close(fd);
}

/* Reads [offset, offset+len) through three buffers cut unevenly. */
static int read3(struct disk *disk, uint64_t offset, uint8_t *buf, size_t len)
{
	struct iovec iov[3] = { { buf, 100 }, { buf + 100, len / 2 - 100 }, { buf + len / 2, len - len / 2 } };

	return disk_preadv(disk, iov, 3, offset);
}

static int write1(struct disk *disk, uint64_t offset, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return disk_pwritev(disk, &iov, 1, offset);
}

START_TEST(read_write_flush)
{
	struct disk *disk = open_raw(DISK_MODE_READ_WRITE);
	static uint8_t buf[SIZE], file[SIZE];
	uint8_t data[1536];

	ck_assert_uint_eq(disk_size(disk), SIZE);
	ck_assert(!disk_read_only(disk));
	ck_assert_int_eq(read3(disk, 0, buf, SIZE), 0);
	ck_assert_mem_eq(buf, pattern, SIZE);
	memset(data, 0x77, sizeof(data));
	ck_assert_int_eq(write1(disk, 4608, data, sizeof(data)), 0);
	ck_assert_int_eq(disk_flush(disk), 0);
	memcpy(pattern + 4608, data, sizeof(data));
	ck_assert_int_eq(read3(disk, 0, buf, SIZE), 0);
	ck_assert_mem_eq(buf, pattern, SIZE);
	file_contents(file);
	ck_assert_mem_eq(file, pattern, SIZE);
	disk_close(disk);
}
END_TEST

START_TEST(ranges_checked)
{
	struct disk *disk = open_raw(DISK_MODE_READ_WRITE);
	uint8_t buf[1024];

	ck_assert_int_eq(read3(disk, SIZE - 512, buf, 1024), -EINVAL);
	ck_assert_msg(strstr(disk_last_error(disk), "past the end"), "%s", disk_last_error(disk));
	ck_assert_int_eq(read3(disk, 100, buf, 512), -EINVAL);
	ck_assert_msg(strstr(disk_last_error(disk), "512-byte sectors"), "%s", disk_last_error(disk));
	ck_assert_int_eq(write1(disk, UINT64_MAX - 511, buf, 512), -EINVAL);
	ck_assert_int_eq(disk_discard(disk, SIZE, 512), -EINVAL);
	disk_close(disk);
}
END_TEST

START_TEST(discard_and_write_zeroes)
{
	struct disk *disk = open_raw(DISK_MODE_READ_WRITE);
	static uint8_t buf[SIZE];
	static const uint8_t zeros[65536];

	ck_assert(disk_can_write_zeroes(disk));
	ck_assert_int_eq(disk_write_zeroes(disk, 512, 1024, false), 0);
	ck_assert_int_eq(disk_write_zeroes(disk, 8192, 4096, true), 0);
	ck_assert_int_eq(read3(disk, 0, buf, SIZE), 0);
	ck_assert_mem_eq(buf + 512, zeros, 1024);
	ck_assert_mem_eq(buf + 8192, zeros, 4096);
	ck_assert_mem_eq(buf + 1536, pattern + 1536, 8192 - 1536);
	if (disk_can_discard(disk)) {
		ck_assert_int_eq(disk_discard(disk, 65536, 65536), 0);
		ck_assert_int_eq(read3(disk, 65536, buf, 65536), 0);
		ck_assert_mem_eq(buf, zeros, 65536);
	} else {
		ck_assert_int_eq(disk_discard(disk, 65536, 65536), -EOPNOTSUPP);
	}
	disk_close(disk);
}
END_TEST

START_TEST(read_only_refuses_writes)
{
	struct disk *disk = open_raw(DISK_MODE_READ_ONLY);
	static uint8_t file[SIZE];
	uint8_t buf[512] = { 1 };

	ck_assert(disk_read_only(disk));
	ck_assert(!disk_can_discard(disk));
	ck_assert(!disk_can_write_zeroes(disk));
	ck_assert_int_eq(write1(disk, 0, buf, 512), -EROFS);
	ck_assert_int_eq(disk_write_zeroes(disk, 0, 512, true), -EROFS);
	ck_assert_int_eq(disk_discard(disk, 0, 512), -EROFS);
	ck_assert_int_eq(disk_flush(disk), 0);
	ck_assert_int_eq(read3(disk, 0, buf, 512), 0);
	ck_assert_mem_eq(buf, pattern, 512);
	disk_close(disk);
	file_contents(file);
	ck_assert_mem_eq(file, pattern, SIZE);
}
END_TEST

START_TEST(volatile_keeps_writes_apart)
{
	struct disk *disk = open_raw(DISK_MODE_VOLATILE_WRITE);
	static uint8_t buf[SIZE], want[SIZE], file[SIZE];
	uint8_t data[5120];

	memcpy(want, pattern, SIZE);
	ck_assert(!disk_read_only(disk));
	ck_assert(disk_can_discard(disk) && disk_can_write_zeroes(disk));
	/* Partial blocks at both ends, a whole block in the middle. */
	memset(data, 0x42, sizeof(data));
	ck_assert_int_eq(write1(disk, 3584, data, sizeof(data)), 0);
	memcpy(want + 3584, data, sizeof(data));
	ck_assert_int_eq(disk_write_zeroes(disk, 16384, 8192 + 512, false), 0);
	memset(want + 16384, 0, 8192 + 512);
	ck_assert_int_eq(write1(disk, 16384 + 1024, data, 512), 0);
	memcpy(want + 16384 + 1024, data, 512);
	ck_assert_int_eq(write1(disk, SIZE - 512, data, 512), 0);
	memcpy(want + SIZE - 512, data, 512);
	ck_assert_int_eq(disk_flush(disk), 0);
	ck_assert_int_eq(read3(disk, 0, buf, SIZE), 0);
	ck_assert_mem_eq(buf, want, SIZE);
	/* Many blocks: the overlay's table grows. */
	for (uint64_t off = 0; off < SIZE; off += 4096)
		ck_assert_int_eq(write1(disk, off, data, 512), 0);
	ck_assert_int_eq(read3(disk, 0, buf, SIZE), 0);
	for (uint64_t off = 0; off < SIZE; off += 4096)
		memcpy(want + off, data, 512);
	ck_assert_mem_eq(buf, want, SIZE);
	disk_close(disk);
	file_contents(file);
	ck_assert_mem_eq(file, pattern, SIZE);
}
END_TEST

/* The last overlay block reaches past the end of a disk whose size is not
 * a multiple of 4 KiB: only the part inside is read from the file. */
START_TEST(volatile_odd_size)
{
	struct disk *disk;
	uint8_t buf[1024], data[512];

	ck_assert_int_eq(truncate(path, 5120), 0);
	disk = open_raw(DISK_MODE_VOLATILE_WRITE);
	ck_assert_uint_eq(disk_size(disk), 5120);
	memset(data, 0x99, sizeof(data));
	ck_assert_int_eq(write1(disk, 4608, data, sizeof(data)), 0);
	ck_assert_int_eq(read3(disk, 4096, buf, sizeof(buf)), 0);
	ck_assert_mem_eq(buf, pattern + 4096, 512);
	ck_assert_mem_eq(buf + 512, data, 512);
	disk_close(disk);
}
END_TEST

START_TEST(missing_file_type)
{
	struct disk_open_args args = { .format = DISK_FORMAT_RAW, .mode = DISK_MODE_READ_ONLY,
				       .path = "/dev/null" };
	char err[256];

	args.fd = open("/dev/null", O_RDONLY);
	ck_assert_ptr_null(disk_open(&args, err, sizeof(err)));
	ck_assert_str_eq(err, "disk '/dev/null': raw: not a regular file or block device");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("disk_raw");
	TCase *tc = tcase_create("raw");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_write_flush);
	tcase_add_test(tc, ranges_checked);
	tcase_add_test(tc, discard_and_write_zeroes);
	tcase_add_test(tc, read_only_refuses_writes);
	tcase_add_test(tc, volatile_keeps_writes_apart);
	tcase_add_test(tc, volatile_odd_size);
	tcase_add_test(tc, missing_file_type);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
