/* devices/virtio-blk driven by the test frontend (dev_frontend.h), on a
 * raw image in a temporary file: config space, reads, GET_ID, status bytes
 * for unsupported and failing requests, a bad DISCARD segment logged with
 * what was wrong with it, the volatile overlay's limit (and the device's
 * memory under it), and a write on a read-only disk answered
 * VIRTIO_BLK_S_IOERR with the file untouched. Needs root. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "tests/unit/dev_frontend.h"

#define DISK_BYTES (64 * 1024)
#define VOLATILE_DISK_BYTES (1024ull << 20)
#define VOLATILE_LIMIT "256M"
#define HDR DEV_DATA
#define BUF (DEV_DATA + 0x100)
#define STATUS (DEV_DATA + 0x80)

static struct dev_frontend f;
static char path[] = "/tmp/check_dev_blk.XXXXXX";
static uint8_t image[DISK_BYTES];

/* The image: DISK_BYTES of a pattern, then zeros up to SIZE. */
static void make_image(uint64_t size)
{
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + i / 512);
	ck_assert_int_eq(write(fd, image, sizeof(image)), sizeof(image));
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

/* The device on the image with ARGS after --blk-file PATH. */
static void launch(const char *const *args, bool capture_stderr)
{
	const char *argv[12] = { "--blk-file", path };

	for (int i = 0; args[i]; i++)
		argv[2 + i] = args[i];
	if (capture_stderr)
		frontend_start_capturing_stderr(&f, "virtio-blk", argv, 1);
	else
		frontend_start(&f, "virtio-blk", argv, 1);
}

static void start(uint64_t size, const char *const *args, bool capture_stderr)
{
	make_image(size);
	launch(args, capture_stderr);
}

static void stop(void)
{
	if (f.pid)	/* not stopped by the test */
		frontend_stop(&f);
	unlink(path);
	strcpy(path, "/tmp/check_dev_blk.XXXXXX");
}

static const char *const rw_args[] = { "--serial", "serial-42", NULL };

static void start_rw(void)
{
	start(DISK_BYTES, rw_args, false);
}

static void start_rw_logged(void)
{
	start(DISK_BYTES, rw_args, true);
}

static void start_ro(void)
{
	const char *const ro_args[] = { "--read-only", NULL };

	start(DISK_BYTES, ro_args, false);
}

/* An empty 1 MiB qcow2 image, made by qemu-img. */
static void start_qcow2(void)
{
	const char *const args[] = { "--format", "qcow2", NULL };
	char command[256];

	make_image(DISK_BYTES);
	snprintf(command, sizeof(command), "qemu-img create -q -f qcow2 %s 1M", path);
	ck_assert_int_eq(system(command), 0);
	launch(args, false);
}

/* VOLATILE_DISK_BYTES, sparse, in volatile mode with a limit. */
static void start_volatile(void)
{
	const char *const args[] = { "--volatile", "--volatile-limit", VOLATILE_LIMIT,
				     "--volatile-dir", "/tmp", NULL };

	start(VOLATILE_DISK_BYTES, args, true);
}

/* One request: header, an optional data buffer of LEN bytes (WRITABLE or
 * not), status byte. Returns the status; *used_len gets the used length. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len, bool writable,
		       uint32_t *used_len)
{
	static uint16_t n;
	uint32_t hdr[4] = { type, 0, (uint32_t)sector, (uint32_t)(sector >> 32) };
	unsigned d = 0;

	memcpy(f.mem + HDR, hdr, sizeof(hdr));
	f.mem[STATUS] = 0xff;
	*frontend_desc(&f, 0, d) = (struct vring_desc){ HDR, 16, VRING_DESC_F_NEXT, d + 1 };
	d++;
	if (len) {
		*frontend_desc(&f, 0, d) = (struct vring_desc){
			BUF, len, VRING_DESC_F_NEXT | (writable ? VRING_DESC_F_WRITE : 0), d + 1 };
		d++;
	}
	*frontend_desc(&f, 0, d) = (struct vring_desc){ STATUS, 1, VRING_DESC_F_WRITE, 0 };
	frontend_offer(&f, 0, 0);
	frontend_wait(f.call_fd[0]);
	n++;
	ck_assert_uint_eq(frontend_used(&f, 0)->idx, n);
	*used_len = frontend_used(&f, 0)->ring[(n - 1) % DEV_QSIZE].len;
	return f.mem[STATUS];
}

START_TEST(config_space)
{
	uint8_t config[60];
	uint64_t capacity;
	uint32_t blk_size;

	frontend_get_config(&f, config, sizeof(config));
	memcpy(&capacity, config, 8);
	memcpy(&blk_size, config + 20, 4);
	ck_assert_uint_eq(capacity, DISK_BYTES / 512);
	ck_assert_uint_eq(blk_size, 512);
	ck_assert(!(f.vu.features & (1ull << 5)));	/* not RO */
}
END_TEST

START_TEST(read_sectors)
{
	uint32_t used;

	ck_assert_uint_eq(request(0 /* IN */, 3, 1024, true, &used), 0);
	ck_assert_uint_eq(used, 1025);
	ck_assert_mem_eq(f.mem + BUF, image + 3 * 512, 1024);
}
END_TEST

START_TEST(get_id)
{
	uint32_t used;

	ck_assert_uint_eq(request(8 /* GET_ID */, 0, 20, true, &used), 0);
	ck_assert_str_eq((char *)f.mem + BUF, "serial-42");
}
END_TEST

static void file_sector(unsigned sector, uint8_t *buf)
{
	FILE *file = fopen(path, "rb");

	ck_assert_ptr_nonnull(file);
	ck_assert_int_eq(fseek(file, sector * 512, SEEK_SET), 0);
	ck_assert_uint_eq(fread(buf, 1, 512, file), 512);
	fclose(file);
}

START_TEST(write_flush_and_write_zeroes)
{
	uint8_t want[512], got[512];
	uint32_t used;

	memset(want, 0xee, sizeof(want));
	memcpy(f.mem + BUF, want, 512);
	ck_assert_uint_eq(request(1 /* OUT */, 2, 512, false, &used), 0);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(request(4 /* FLUSH */, 0, 0, false, &used), 0);
	file_sector(2, got);
	ck_assert_mem_eq(got, want, 512);

	/* WRITE_ZEROES of sector 2 (its 16-byte segment), when offered. */
	if (!(f.vu.features & (1ull << 14)))
		return;
	uint32_t seg[4] = { 2, 0, 1, 0 };

	memcpy(f.mem + BUF, seg, sizeof(seg));
	ck_assert_uint_eq(request(13 /* WRITE_ZEROES */, 0, 16, false, &used), 0);
	memset(want, 0, sizeof(want));
	file_sector(2, got);
	ck_assert_mem_eq(got, want, 512);
}
END_TEST

START_TEST(unsupported_and_failing_requests)
{
	uint32_t used;

	ck_assert_uint_eq(request(99, 0, 0, false, &used), 2 /* UNSUPP */);
	ck_assert_uint_eq(used, 1);
	/* A read past the end of the disk. */
	ck_assert_uint_eq(request(0, DISK_BYTES / 512, 512, true, &used), 1 /* IOERR */);
	/* A read that is not whole sectors. */
	ck_assert_uint_eq(request(0, 0, 100, true, &used), 1);
}
END_TEST

/* The device's stderr so far (after a request has been answered, its log
 * line has been written). */
static const char *device_log(void)
{
	static char text[8192];
	static size_t len;
	ssize_t n;

	while (len < sizeof(text) - 1 && (n = read(f.stderr_fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = 0;
	return text;
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* A bad DISCARD segment is answered IOERR and logged with what was wrong
 * with it (it was "Invalid argument: no error"); the same bad request
 * again is not logged again. */
START_TEST(bad_discard_segment_logged)
{
	uint32_t too_long[4] = { 0, 0, (1u << 22) + 1, 0 };
	uint32_t flagged[4] = { 0, 0, 1, 1 };
	uint32_t used;

	ck_assert_msg(f.vu.features & (1ull << 13), "DISCARD offered (a file system that punches holes)");
	memcpy(f.mem + BUF, too_long, sizeof(too_long));
	ck_assert_uint_eq(request(11 /* DISCARD */, 0, 16, false, &used), 1 /* IOERR */);
	ck_assert_uint_eq(request(11, 0, 16, false, &used), 1);
	memcpy(f.mem + BUF, flagged, sizeof(flagged));
	ck_assert_uint_eq(request(11, 0, 16, false, &used), 1);
	ck_assert_uint_eq(request(11, 0, 8, false, &used), 1);	/* half a segment */
	const char *log = device_log();

	ck_assert_msg(!strstr(log, "no error"), "%s", log);
	ck_assert_msg(count(log, "DISCARD request at sector 0: segment at sector 0: num_sectors "
			    "4194305 over the maximum 4194304\n") == 1, "%s", log);
	ck_assert_msg(count(log, "segment at sector 0: flags 0x1 (none allowed for DISCARD)\n") == 1,
		      "%s", log);
	ck_assert_msg(count(log, "8 bytes of segments, expected one of 16 bytes") == 1, "%s", log);
	ck_assert_uint_eq(count(log, "\n"), 3);
}
END_TEST

/* The serving process's peak RSS in KiB: the device's child in its pid
 * namespace (the process spawned only waits for it). */
static unsigned long device_peak_rss_kib(void)
{
	char name[64], line[256];
	unsigned long kib = 0;
	int child = 0;
	FILE *file;

	snprintf(name, sizeof(name), "/proc/%d/task/%d/children", (int)f.pid, (int)f.pid);
	file = fopen(name, "r");
	ck_assert_ptr_nonnull(file);
	ck_assert_int_eq(fscanf(file, "%d", &child), 1);
	fclose(file);
	snprintf(name, sizeof(name), "/proc/%d/status", child);
	file = fopen(name, "r");
	ck_assert_ptr_nonnull(file);
	while (fgets(line, sizeof(line), file))
		if (!strncmp(line, "VmHWM:", 6))
			kib = strtoul(line + 6, NULL, 10);
	fclose(file);
	ck_assert_uint_gt(kib, 0);
	return kib;
}

/* VOLATILE_WRITE: 256 MiB of guest writes (the limit) leave the device
 * small (in memory they grew it by as much); past the limit a write to a
 * new block is answered IOERR and logged once, blocks written before can
 * still be rewritten, and the image file is untouched. */
START_TEST(volatile_overlay_bounded)
{
	const uint32_t chunk = 512 * 1024;
	uint8_t want[4096], now[DISK_BYTES];
	unsigned long rss;
	uint32_t used;
	FILE *file;

	memset(f.mem + BUF, 0x3c, chunk);
	for (uint64_t off = 0; off < (256ull << 20); off += chunk)
		ck_assert_uint_eq(request(1 /* OUT */, off / 512, chunk, false, &used), 0);
	rss = device_peak_rss_kib();
	ck_assert_msg(rss < 64 * 1024, "peak RSS %lu KiB after 256 MiB of writes", rss);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(request(1, (300ull << 20) / 512 + i * 8, 4096, false, &used), 1);
	memset(want, 0x77, sizeof(want));
	memcpy(f.mem + BUF, want, sizeof(want));
	ck_assert_uint_eq(request(1, 8, 4096, false, &used), 0);
	memset(f.mem + BUF, 0, sizeof(want));
	ck_assert_uint_eq(request(0 /* IN */, 8, 4096, true, &used), 0);
	ck_assert_mem_eq(f.mem + BUF, want, sizeof(want));
	memset(want, 0x3c, sizeof(want));
	ck_assert_uint_eq(request(0, 0, 4096, true, &used), 0);
	ck_assert_mem_eq(f.mem + BUF, want, sizeof(want));

	const char *log = device_log();

	ck_assert_msg(count(log, "volatile overlay full: it keeps at most 268435456 bytes") == 1 &&
		      count(log, "\n") == 1, "%s", log);
	file = fopen(path, "rb");
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(fread(now, 1, sizeof(now), file), sizeof(now));
	fclose(file);
	ck_assert_mem_eq(now, image, sizeof(image));
}
END_TEST

/* A qcow2 allocating write the guest never flushed reaches the file when
 * the frontend hangs up: the metadata held back for the next flush is
 * written when the device exits. */
START_TEST(qcow2_unflushed_write_kept_at_exit)
{
	char command[512], raw[64];
	uint8_t want[4096], got[4096];
	uint32_t used;
	FILE *file;

	memset(want, 0x6b, sizeof(want));
	memcpy(f.mem + BUF, want, sizeof(want));
	ck_assert_uint_eq(request(1 /* OUT */, 64, sizeof(want), false, &used), 0);
	frontend_stop(&f);
	f.pid = 0;
	snprintf(raw, sizeof(raw), "%s.raw", path);
	snprintf(command, sizeof(command), "qemu-img check -q %s && qemu-img convert -O raw %s %s",
		 path, path, raw);
	ck_assert_int_eq(system(command), 0);
	file = fopen(raw, "rb");
	ck_assert_ptr_nonnull(file);
	ck_assert_int_eq(fseek(file, 64 * 512, SEEK_SET), 0);
	ck_assert_uint_eq(fread(got, 1, sizeof(got), file), sizeof(got));
	fclose(file);
	unlink(raw);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(write_on_read_only_disk)
{
	uint32_t used;

	ck_assert(f.vu.features & (1ull << 5));	/* VIRTIO_BLK_F_RO */
	memset(f.mem + BUF, 0xee, 512);
	ck_assert_uint_eq(request(1 /* OUT */, 0, 512, false, &used), 1 /* IOERR */);
	FILE *file = fopen(path, "rb");
	uint8_t now[DISK_BYTES];

	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(fread(now, 1, sizeof(now), file), sizeof(now));
	fclose(file);
	ck_assert_mem_eq(now, image, sizeof(image));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio-blk");
	TCase *rw = tcase_create("read-write");
	TCase *ro = tcase_create("read-only");
	TCase *logged = tcase_create("logged");
	TCase *vol = tcase_create("volatile");
	TCase *qcow2 = tcase_create("qcow2");

	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0) {
		printf("1..0 # SKIP the device sandbox needs root (namespaces)\n");
		return 0;
	}
	tcase_add_checked_fixture(rw, start_rw, stop);
	tcase_set_timeout(rw, 30);
	tcase_add_test(rw, config_space);
	tcase_add_test(rw, read_sectors);
	tcase_add_test(rw, get_id);
	tcase_add_test(rw, write_flush_and_write_zeroes);
	tcase_add_test(rw, unsupported_and_failing_requests);
	suite_add_tcase(s, rw);
	tcase_add_checked_fixture(logged, start_rw_logged, stop);
	tcase_set_timeout(logged, 30);
	tcase_add_test(logged, bad_discard_segment_logged);
	suite_add_tcase(s, logged);
	tcase_add_checked_fixture(vol, start_volatile, stop);
	tcase_set_timeout(vol, 60);
	tcase_add_test(vol, volatile_overlay_bounded);
	suite_add_tcase(s, vol);
	if (system("qemu-img --version >/dev/null 2>&1") == 0) {
		tcase_add_checked_fixture(qcow2, start_qcow2, stop);
		tcase_set_timeout(qcow2, 30);
		tcase_add_test(qcow2, qcow2_unflushed_write_kept_at_exit);
		suite_add_tcase(s, qcow2);
	}
	tcase_add_checked_fixture(ro, start_ro, stop);
	tcase_set_timeout(ro, 30);
	tcase_add_test(ro, write_on_read_only_disk);
	suite_add_tcase(s, ro);
	return check_run_tap(s);
}
