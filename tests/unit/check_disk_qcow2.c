/* QCOW2 images made by hand, byte by byte: a small valid one reads right,
 * and each kind of damage a hostile image can carry gives a clear error
 * naming the field (at open) or the entry (at read), never a crash. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/disk/disk.h"
#include "tests/unit/check_tap.h"

/* Layout, 512-byte clusters: header, refcount table, refcount block, L1,
 * L2, one data cluster. The disk is 32 KiB (one L2 table's worth). */
#define CS 512
#define REFTABLE (1 * CS)
#define REFBLOCK (2 * CS)
#define L1 (3 * CS)
#define L2 (4 * CS)
#define DATA (5 * CS)
#define IMAGE_SIZE (6 * CS)
#define DISK_SIZE 32768
#define COPIED (1ull << 63)
#define COMPRESSED (1ull << 62)

static uint8_t img[IMAGE_SIZE];

static void put32(size_t at, uint32_t v)
{
	v = htobe32(v);
	memcpy(img + at, &v, 4);
}

static void put64(size_t at, uint64_t v)
{
	v = htobe64(v);
	memcpy(img + at, &v, 8);
}

static void build_valid(void)
{
	memset(img, 0, sizeof(img));
	put32(0, 0x514649fb);
	put32(4, 3);			/* version */
	put32(20, 9);			/* cluster_bits */
	put64(24, DISK_SIZE);
	put32(36, 1);			/* l1_size */
	put64(40, L1);
	put64(48, REFTABLE);
	put32(56, 1);			/* refcount_table_clusters */
	put32(96, 4);			/* refcount_order */
	put32(100, 104);		/* header_length */
	put64(REFTABLE, REFBLOCK);
	for (int i = 0; i < 6; i++) {
		img[REFBLOCK + 2 * i] = 0;
		img[REFBLOCK + 2 * i + 1] = 1;
	}
	put64(L1, L2 | COPIED);
	put64(L2, DATA | COPIED);	/* guest cluster 0 */
	put64(L2 + 8, 1);		/* guest cluster 1: zero flag */
	memset(img + DATA, 0xab, CS);
}

static int memfd_of_img(void)
{
	int fd = memfd_create("t.qcow2", 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, img, sizeof(img)), sizeof(img));
	return fd;
}

/* Opens IMG as it is now (through a memfd). */
static struct disk *open_img(enum disk_mode mode, char *err, size_t errlen)
{
	struct disk_open_args args = { .format = DISK_FORMAT_QCOW2, .mode = mode, .path = "t.qcow2" };

	args.fd = memfd_of_img();
	return disk_open(&args, err, errlen);
}

static int read_at(struct disk *disk, uint64_t offset, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return disk_preadv(disk, &iov, 1, offset);
}

START_TEST(valid_image_reads)
{
	char err[512], buf[2 * CS], want[2 * CS];
	struct disk *disk;

	build_valid();
	disk = open_img(DISK_MODE_READ_ONLY, err, sizeof(err));
	ck_assert_msg(disk, "%s", err);
	ck_assert_uint_eq(disk_size(disk), DISK_SIZE);
	ck_assert_int_eq(read_at(disk, 0, buf, sizeof(buf)), 0);
	memset(want, 0xab, CS);
	memset(want + CS, 0, CS);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_int_eq(read_at(disk, DISK_SIZE - CS, buf, CS), 0);
	ck_assert_mem_eq(buf, want + CS, CS);
	ck_assert_int_eq(read_at(disk, DISK_SIZE, buf, CS), -EINVAL);
	disk_close(disk);
}
END_TEST

struct bad_header {
	const char *what;
	void (*damage)(void);
	enum disk_mode mode;
	const char *message;
};

static void bad_magic(void) { put32(0, 0x514649fa); }
static void cluster_bits_low(void) { put32(20, 7); }
static void cluster_bits_high(void) { put32(20, 22); }
static void version_4(void) { put32(4, 4); }
static void l1_past_eof(void) { put64(40, 1 << 20); }
static void l1_misaligned(void) { put64(40, L1 + 8); }
static void reftable_on_header(void) { put64(48, 0); }
static void reftable_past_eof(void) { put32(56, 100); }
static void reftable_huge(void) { put32(56, 0xffffffff); }
static void size_huge(void) { put64(24, 1ull << 62); }
static void size_past_l1(void) { put64(24, 1ull << 40); }
static void l1_size_huge(void) { put32(36, 0x10000000); put64(24, 0); }
static void l1_reftable_overlap(void) { put64(40, REFTABLE); }
static void encrypted(void) { put32(32, 1); }
static void data_file(void) { put64(72, 1 << 2); }
static void extended_l2(void) { put64(72, 1 << 4); }
static void unknown_feature(void) { put64(72, 1 << 20); }
static void dirty(void) { put64(72, 1); }
static void zstd(void) { put64(72, 1 << 3); put32(100, 112); img[104] = 1; }
static void header_length_odd(void) { put32(100, 108); }
static void refcount_order_7(void) { put32(96, 7); }
static void backing_no_format(void) { put64(8, 200); put32(16, 4); memcpy(img + 200, "base", 4); }
/* A backing file "base" of FORMAT, declared in the header extension. */
static void backing_of(const char *format)
{
	backing_no_format();
	put32(104, 0xe2792aca);
	put32(108, (uint32_t)strlen(format));
	memcpy(img + 112, format, strlen(format));
}
static void backing_raw(void) { backing_of("raw"); }
static void backing_vmdk(void) { backing_of("vmdk"); }
static void backing_name_past(void) { put64(8, 500); put32(16, 100); }
static void extension_past(void) { put32(104, 0xe2792aca); put32(108, 1000); }
static void truncated(void) { memset(img + 72, 0, sizeof(img) - 72); put32(4, 3); }

static const struct bad_header bad_headers[] = {
	{ "bad magic", bad_magic, DISK_MODE_READ_ONLY, "magic 0x514649fa" },
	{ "cluster_bits 7", cluster_bits_low, DISK_MODE_READ_ONLY, "cluster_bits 7 out of range 9..21" },
	{ "cluster_bits 22", cluster_bits_high, DISK_MODE_READ_ONLY, "cluster_bits 22 out of range 9..21" },
	{ "version 4", version_4, DISK_MODE_READ_ONLY, "version 4 not supported" },
	{ "L1 past EOF", l1_past_eof, DISK_MODE_READ_ONLY, "l1_table_offset 0x100000 + 8 bytes past the end" },
	{ "L1 misaligned", l1_misaligned, DISK_MODE_READ_ONLY, "l1_table_offset 0x608 not aligned" },
	{ "refcount table on the header", reftable_on_header, DISK_MODE_READ_ONLY,
	  "refcount_table_offset 0x0 overlaps the header" },
	{ "refcount table past EOF", reftable_past_eof, DISK_MODE_READ_ONLY,
	  "refcount_table_offset 0x200 + 51200 bytes past the end" },
	{ "refcount table huge", reftable_huge, DISK_MODE_READ_ONLY,
	  "refcount_table_clusters 4294967295 out of range" },
	{ "size 2^62", size_huge, DISK_MODE_READ_ONLY, "size 4611686018427387904 out of range" },
	{ "size beyond L1", size_past_l1, DISK_MODE_READ_ONLY, "l1_size 1 too small for size" },
	{ "l1_size huge", l1_size_huge, DISK_MODE_READ_ONLY, "l1_size 268435456 out of range" },
	{ "L1 on the refcount table", l1_reftable_overlap, DISK_MODE_READ_ONLY, "overlap" },
	{ "encrypted", encrypted, DISK_MODE_READ_ONLY, "encryption (crypt_method 1) not supported" },
	{ "external data file", data_file, DISK_MODE_READ_ONLY, "external data file" },
	{ "extended L2", extended_l2, DISK_MODE_READ_ONLY, "extended L2 entries" },
	{ "unknown incompatible feature", unknown_feature, DISK_MODE_READ_ONLY,
	  "unknown incompatible features 0x100000" },
	{ "dirty, read-write", dirty, DISK_MODE_READ_WRITE, "dirty bit set" },
	{ "zstd compression", zstd, DISK_MODE_READ_ONLY, "compression_type 1 not supported" },
	{ "header_length 108", header_length_odd, DISK_MODE_READ_ONLY, "header_length 108" },
	{ "refcount_order 7", refcount_order_7, DISK_MODE_READ_ONLY, "refcount_order 7 out of range 0..6" },
	{ "backing file without a declared format", backing_no_format, DISK_MODE_READ_ONLY,
	  "backing file 'base': the image does not declare its format, which is never guessed" },
	{ "backing file of an unsupported format", backing_vmdk, DISK_MODE_READ_ONLY,
	  "backing file 'base': format 'vmdk' not supported (raw or qcow2)" },
	{ "backing file, backing files off (the default)", backing_raw, DISK_MODE_READ_ONLY,
	  "backing file 'base': backing files are off for this disk" },
	{ "backing name past the cluster", backing_name_past, DISK_MODE_READ_ONLY,
	  "backing_file_offset 500 + 100 outside the first cluster" },
	{ "extension past the cluster", extension_past, DISK_MODE_READ_ONLY,
	  "extension 0xe2792aca at 104: length 1000 past the end" },
	{ "v3 fields zeroed", truncated, DISK_MODE_READ_ONLY, "header_length 0" },
};

START_TEST(bad_header_refused)
{
	const struct bad_header *t = &bad_headers[_i];
	char err[512];
	struct disk *disk;

	build_valid();
	t->damage();
	disk = open_img(t->mode, err, sizeof(err));
	ck_assert_msg(!disk, "%s: opened", t->what);
	ck_assert_msg(strstr(err, t->message), "%s: got \"%s\", want \"%s\"", t->what, err,
		      t->message);
	ck_assert_msg(!strncmp(err, "disk 't.qcow2': ", 16), "%s: no image name in \"%s\"", t->what,
		      err);
}
END_TEST

START_TEST(dirty_opens_read_only)
{
	char err[512], buf[CS];
	struct disk *disk;

	build_valid();
	dirty();
	disk = open_img(DISK_MODE_VOLATILE_WRITE, err, sizeof(err));
	ck_assert_msg(disk, "%s", err);
	ck_assert_int_eq(read_at(disk, 0, buf, CS), 0);
	disk_close(disk);
}
END_TEST

struct bad_entry {
	const char *what;
	size_t at;
	uint64_t entry;
	const char *message;
};

static const struct bad_entry bad_entries[] = {
	{ "L2 entry past EOF", L2, (1ull << 30) | COPIED, "cluster 0x40000000 misaligned or outside the file" },
	{ "L1 entry past EOF", L1, (1ull << 40) | COPIED, "L1 entry 0: L2 table 0x10000000000" },
	{ "compressed garbage", L2, COMPRESSED | DATA, "inflate" },
	{ "compressed past EOF", L2, COMPRESSED | (1ull << 20), "compressed data at 0x100000 outside" },
};

START_TEST(bad_entry_gives_eio)
{
	const struct bad_entry *t = &bad_entries[_i];
	char err[512], buf[CS];
	struct disk *disk;

	build_valid();
	put64(t->at, t->entry);
	disk = open_img(DISK_MODE_READ_ONLY, err, sizeof(err));
	ck_assert_msg(disk, "%s: %s", t->what, err);
	ck_assert_int_eq(read_at(disk, 0, buf, CS), -EIO);
	ck_assert_msg(strstr(disk_last_error(disk), t->message), "%s: got \"%s\", want \"%s\"",
		      t->what, disk_last_error(disk), t->message);
	disk_close(disk);
}
END_TEST

/* Opens IMG read-only with NFDS fds as its backing chain; ERR gets the
 * message when it fails. */
static struct disk *open_with_chain(const int *fds, size_t nfds, char *err, size_t errlen)
{
	struct disk_open_args args = { .format = DISK_FORMAT_QCOW2, .mode = DISK_MODE_READ_ONLY,
				       .path = "t.qcow2", .backing = DISK_BACKING_FDS,
				       .backing_fds = fds, .nbacking_fds = nfds };

	args.fd = memfd_of_img();
	return disk_open(&args, err, errlen);
}

/* An image that is its own backing file, given again and again. */
START_TEST(backing_loop_refused)
{
	int fds[20], self;
	char err[512];

	build_valid();
	backing_of("qcow2");
	self = memfd_of_img();
	for (int i = 0; i < 20; i++)
		fds[i] = self;
	ck_assert_ptr_null(open_with_chain(fds, 20, err, sizeof(err)));
	ck_assert_msg(strstr(err, "chain longer than 16 images"), "%s", err);
	close(self);
}
END_TEST

/* The chain as fds: the declared raw backing file is read where the
 * image has no cluster, and the chain must match what the image declares. */
START_TEST(backing_chain_as_fds)
{
	char err[512], buf[CS], want[CS];
	int fds[2], pipe_fds[2];
	struct disk *disk;

	build_valid();
	backing_raw();
	fds[0] = memfd_create("base", 0);
	memset(want, 0x42, sizeof(want));
	for (int i = 0; i < DISK_SIZE / CS; i++)
		ck_assert_int_eq(write(fds[0], want, CS), CS);
	fds[1] = dup(fds[0]);
	disk = open_with_chain(fds, 1, err, sizeof(err));
	ck_assert_msg(disk, "%s", err);
	ck_assert_int_eq(read_at(disk, 2 * CS, buf, CS), 0);	/* unallocated: the backing file */
	ck_assert_mem_eq(buf, want, CS);
	disk_close(disk);
	/* The caller keeps its fds. */
	ck_assert_int_eq(fcntl(fds[0], F_GETFD), 0);

	ck_assert_ptr_null(open_with_chain(fds, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "backing file 'base': no fd for it (the chain given has 0)"), "%s", err);
	ck_assert_ptr_null(open_with_chain(fds, 2, err, sizeof(err)));
	ck_assert_msg(strstr(err, "the backing chain given has 2 fds, the images name 1 backing files"),
		      "%s", err);
	ck_assert_int_eq(pipe(pipe_fds), 0);
	ck_assert_ptr_null(open_with_chain(pipe_fds, 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, "a FIFO, not a regular file"), "%s", err);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* What a client reads to walk a chain: the same header parser and rule. */
START_TEST(backing_ref_read_from_fd)
{
	struct disk_backing_ref ref;
	char err[512];
	int fd;

	build_valid();
	fd = memfd_of_img();
	ck_assert_int_eq(disk_qcow2_backing(fd, &ref, err, sizeof(err)), 0);
	ck_assert_str_eq(ref.name, "");
	close(fd);
	backing_of("qcow2");
	fd = memfd_of_img();
	ck_assert_int_eq(disk_qcow2_backing(fd, &ref, err, sizeof(err)), 0);
	ck_assert_str_eq(ref.name, "base");
	ck_assert_int_eq(ref.format, DISK_FORMAT_QCOW2);
	close(fd);
	build_valid();
	backing_no_format();
	fd = memfd_of_img();
	ck_assert_int_eq(disk_qcow2_backing(fd, &ref, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "does not declare its format"), "%s", err);
	close(fd);
	build_valid();
	bad_magic();
	fd = memfd_of_img();
	ck_assert_int_eq(disk_qcow2_backing(fd, &ref, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "qcow2 header: magic"), "%s", err);
	close(fd);
}
END_TEST

START_TEST(write_zero_cluster_v3)
{
	char err[512], buf[CS], zeros[CS] = { 0 };
	struct iovec iov = { buf, CS };
	struct disk *disk;

	build_valid();
	disk = open_img(DISK_MODE_READ_WRITE, err, sizeof(err));
	ck_assert_msg(disk, "%s", err);
	ck_assert(disk_can_write_zeroes(disk));
	/* A write into the zero cluster allocates, then reads back. */
	memset(buf, 0x5a, CS);
	ck_assert_int_eq(disk_pwritev(disk, &iov, 1, CS), 0);
	memset(buf, 0, CS);
	ck_assert_int_eq(read_at(disk, CS, buf, CS), 0);
	ck_assert_int_eq((unsigned char)buf[0], 0x5a);
	ck_assert_int_eq(disk_write_zeroes(disk, 0, 2 * CS, true), 0);
	ck_assert_int_eq(read_at(disk, 0, buf, CS), 0);
	ck_assert_mem_eq(buf, zeros, CS);
	disk_close(disk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("disk_qcow2");
	TCase *tc = tcase_create("qcow2");

	tcase_add_test(tc, valid_image_reads);
	tcase_add_loop_test(tc, bad_header_refused, 0, sizeof(bad_headers) / sizeof(bad_headers[0]));
	tcase_add_test(tc, dirty_opens_read_only);
	tcase_add_loop_test(tc, bad_entry_gives_eio, 0, sizeof(bad_entries) / sizeof(bad_entries[0]));
	tcase_add_test(tc, backing_loop_refused);
	tcase_add_test(tc, backing_chain_as_fds);
	tcase_add_test(tc, backing_ref_read_from_fd);
	tcase_add_test(tc, write_zero_cluster_v3);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
