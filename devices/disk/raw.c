/* RAW images: the file is the disk. Discard punches holes and write-zeroes
 * uses fallocate where the file system supports it (probed once), falling
 * back to writing zeros. */
#include "devices/disk/disk_impl.h"
#include "devices/disk/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct raw_disk {
	struct disk disk;
	int fd;
	bool can_punch;
	bool can_zero_range;	/* until fallocate says otherwise */
};

static struct raw_disk *to_raw(struct disk *disk)
{
	return (struct raw_disk *)disk;
}

static int raw_readv(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int ret = fd_preadv_full(to_raw(disk)->fd, iov, iovcnt, offset, false);

	if (ret)
		disk_set_error(disk, "raw: read at %llu: %s", (unsigned long long)offset,
			       ret == -EIO ? "file shorter than the disk" : strerror(-ret));
	return ret;
}

static int raw_writev(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int ret = fd_pwritev_full(to_raw(disk)->fd, iov, iovcnt, offset);

	if (ret)
		disk_set_error(disk, "raw: write at %llu: %s", (unsigned long long)offset,
			       strerror(-ret));
	return ret;
}

static int raw_flush(struct disk *disk)
{
	if (fdatasync(to_raw(disk)->fd) == 0)
		return 0;
	disk_set_error(disk, "raw: fdatasync: %s", strerror(errno));
	return -errno;
}

static int raw_fallocate(struct disk *disk, int mode, uint64_t offset, uint64_t length)
{
	if (fallocate(to_raw(disk)->fd, mode, (off_t)offset, (off_t)length) == 0)
		return 0;
	disk_set_error(disk, "raw: fallocate at %llu length %llu: %s", (unsigned long long)offset,
		       (unsigned long long)length, strerror(errno));
	return -errno;
}

static int raw_discard(struct disk *disk, uint64_t offset, uint64_t length)
{
	return raw_fallocate(disk, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}

static int raw_write_zero_buffers(struct disk *disk, uint64_t offset, uint64_t length)
{
	static const char zeros[65536];
	struct iovec iov[16];
	int ret = 0;

	for (int i = 0; i < 16; i++)
		iov[i] = (struct iovec){ .iov_base = (void *)zeros, .iov_len = sizeof(zeros) };
	while (length > 0 && ret == 0) {
		uint64_t chunk = length < 16 * sizeof(zeros) ? length : 16 * sizeof(zeros);
		int n = (int)((chunk + sizeof(zeros) - 1) / sizeof(zeros));

		iov[n - 1].iov_len = chunk - (uint64_t)(n - 1) * sizeof(zeros);
		ret = raw_writev(disk, iov, n, offset);
		iov[n - 1].iov_len = sizeof(zeros);
		offset += chunk;
		length -= chunk;
	}
	return ret;
}

static int raw_write_zeroes(struct disk *disk, uint64_t offset, uint64_t length, bool may_unmap)
{
	struct raw_disk *raw = to_raw(disk);
	int ret;

	if (may_unmap && raw->can_punch)
		return raw_discard(disk, offset, length);
	if (raw->can_zero_range) {
		ret = raw_fallocate(disk, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, length);
		if (ret != -EOPNOTSUPP)
			return ret;
		raw->can_zero_range = false;
	}
	return raw_write_zero_buffers(disk, offset, length);
}

static void raw_close(struct disk *disk)
{
	close(to_raw(disk)->fd);
	free(disk);
}

static const struct disk_ops raw_ops = {
	.readv = raw_readv,
	.writev = raw_writev,
	.flush = raw_flush,
	.discard = raw_discard,
	.write_zeroes = raw_write_zeroes,
	.close = raw_close,
};

/* Punching a hole past the end of the file changes nothing, and tells
 * whether the file system can punch at all. */
static bool probe_punch_hole(int fd, uint64_t size)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)size, 4096) == 0;
}

static int file_size(int fd, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0) {
			snprintf(err, errlen, "BLKGETSIZE64: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "raw: not a regular file or block device");
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

struct disk *disk_raw_open(const struct disk_open_ctx *ctx, char *err, size_t errlen)
{
	struct raw_disk *raw;
	uint64_t size;

	if (file_size(ctx->fd, &size, err, errlen) < 0) {
		close(ctx->fd);
		return NULL;
	}
	raw = calloc(1, sizeof(*raw));
	if (!raw) {
		snprintf(err, errlen, "out of memory");
		close(ctx->fd);
		return NULL;
	}
	raw->disk.ops = &raw_ops;
	raw->disk.size = size;
	raw->disk.read_only = !ctx->writable;
	raw->fd = ctx->fd;
	if (ctx->writable) {
		raw->can_punch = probe_punch_hole(ctx->fd, size);
		raw->can_zero_range = true;
		raw->disk.can_discard = raw->can_punch;
		raw->disk.can_write_zeroes = true;
	}
	return &raw->disk;
}
