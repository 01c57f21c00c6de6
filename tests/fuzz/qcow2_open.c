/* Fuzz target: a QCOW2 image from a hostile source. The input is the
 * image file; it goes to a memfd, is opened read-only (header, tables,
 * backing file name and format, the chain as fds as a client reads it with
 * disk_qcow2_backing), and a few ranges are read (L1/L2 lookups,
 * zero and compressed clusters, the backing file). Then the same image is
 * opened read-write and written (cluster allocation, refcount updates,
 * zero clusters on metadata that may lie). Beyond "no crash, no sanitizer
 * report": a refused image or a failed request gives a message. */
#include "devices/disk/disk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_with(const void *data, size_t size)
{
	int fd = memfd_create("qcow2_open", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	return fd;
}

/* The chain a client would send for this image (as guestctl reads it with
 * disk_qcow2_backing): a raw backing file is 64 KiB of a known pattern, so
 * reads through an unallocated cluster reach it; a qcow2 one is the image
 * itself again, down to the depth limit. Returns the number of fds. */
static size_t backing_chain(const uint8_t *data, size_t size, int *fds)
{
	static uint8_t pattern[65536];
	struct disk_backing_ref ref;
	char err[512];
	size_t n = 0;
	int fd = memfd_with(data, size);

	memset(pattern, 0x5b, sizeof(pattern));
	while (n < DISK_MAX_BACKING_DEPTH && disk_qcow2_backing(fd, &ref, err, sizeof(err)) == 0 &&
	       ref.name[0]) {
		if (ref.format == DISK_FORMAT_RAW) {
			fds[n++] = memfd_with(pattern, sizeof(pattern));
			break;
		}
		fds[n++] = memfd_with(data, size);
	}
	close(fd);
	return n;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

static void read_range(struct disk *disk, uint64_t offset, size_t len)
{
	static uint8_t buf[3 * 65536];
	struct iovec iov[2] = { { buf, len / 2 }, { buf + len / 2, len - len / 2 } };
	int ret;

	if (offset >= disk_size(disk))
		return;
	if (len > disk_size(disk) - offset)
		len = (size_t)(disk_size(disk) - offset);
	iov[0].iov_len = len / 2 & ~511ul;
	iov[1].iov_len = (len & ~511ul) - iov[0].iov_len;
	ret = disk_preadv(disk, iov, 2, offset);
	if (ret && (ret != -EIO || !disk_last_error(disk)[0]))
		abort();
}

/* Writes a sector, a cluster-crossing range and zeroes, then reads back. */
static void write_ranges(struct disk *disk)
{
	static uint8_t buf[8192];
	struct iovec iov = { buf, sizeof(buf) };
	uint64_t end = disk_size(disk);
	int ret;

	memset(buf, 0x3c, sizeof(buf));
	if (end < sizeof(buf))
		return;
	ret = disk_pwritev(disk, &iov, 1, end / 2 & ~511ull);
	if (!ret)
		ret = disk_pwritev(disk, &iov, 1, 512);
	if (!ret && disk_can_write_zeroes(disk))
		ret = disk_write_zeroes(disk, 0, end < 65536 ? end : 65536, true);
	if (ret && !disk_last_error(disk)[0])
		abort();
	read_range(disk, 0, 65536);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[DISK_MAX_BACKING_DEPTH];
	struct disk_open_args args = {
		.fd = memfd_with(data, size),
		.path = "fuzz.qcow2",
		.format = DISK_FORMAT_QCOW2,
		.mode = DISK_MODE_READ_ONLY,
		.backing = DISK_BACKING_FDS,
		.backing_fds = fds,
		.nbacking_fds = backing_chain(data, size, fds),
	};
	char err[512];
	struct disk *disk = disk_open(&args, err, sizeof(err));
	uint64_t end;

	if (!disk) {
		close_all(fds, args.nbacking_fds);
		if (strncmp(err, "disk 'fuzz.qcow2': ", 19) != 0)
			abort();
		return 0;
	}
	end = disk_size(disk);
	read_range(disk, 0, 3 * 65536);
	read_range(disk, end / 2 & ~511ull, 4096);
	read_range(disk, end > 65536 ? end - 65536 : 0, 65536);
	disk_close(disk);

	args.fd = memfd_with(data, size);
	args.mode = DISK_MODE_READ_WRITE;
	disk = disk_open(&args, err, sizeof(err));
	if (disk) {
		write_ranges(disk);
		disk_close(disk);
	}
	close_all(fds, args.nbacking_fds);
	return 0;
}
