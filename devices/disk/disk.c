/* The disk interface: opens the format, wraps it for the mode, and checks
 * every request's mode and range once before a format sees it. */
#include "devices/disk/disk_impl.h"
#include "devices/lib/iov.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

void disk_set_error(struct disk *disk, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(disk->error, sizeof(disk->error), fmt, ap);
	va_end(ap);
}

struct disk *disk_open_ctx(const struct disk_open_ctx *ctx, enum disk_format format, char *err,
			   size_t errlen)
{
	switch (format) {
	case DISK_FORMAT_RAW:
		return disk_raw_open(ctx, err, errlen);
	case DISK_FORMAT_QCOW2:
		return disk_qcow2_open(ctx, err, errlen);
	}
	snprintf(err, errlen, "unknown format %d", (int)format);
	close(ctx->fd);
	return NULL;
}

struct disk *disk_open(const struct disk_open_args *args, char *err, size_t errlen)
{
	const char *name = args->path ? args->path : "(fd)";
	char why[DISK_ERROR_MAX * 2];
	struct disk_backing_chain chain = {
		.how = args->backing,
		.fds = args->backing_fds,
		.nfds = args->backing == DISK_BACKING_FDS ? args->nbacking_fds : 0,
	};
	struct disk_open_ctx ctx = {
		.fd = args->fd,
		.path = args->path,
		.writable = args->mode == DISK_MODE_READ_WRITE,
		.chain = &chain,
		.depth = 0,
	};
	struct disk *disk = NULL;

	disk = disk_open_ctx(&ctx, args->format, why, sizeof(why));
	if (disk && disk_backing_all_used(&chain, why, sizeof(why)) < 0) {
		disk_close(disk);
		disk = NULL;
	}
	if (disk && args->mode == DISK_MODE_VOLATILE_WRITE)
		disk = disk_volatile_wrap(disk, args->volatile_dir, args->volatile_limit, why,
					  sizeof(why));
	if (!disk) {
		snprintf(err, errlen, "disk '%s': %s", name, why);
		return NULL;
	}
	return disk;
}

void disk_close(struct disk *disk)
{
	if (disk)
		disk->ops->close(disk);
}

uint64_t disk_size(const struct disk *disk)
{
	return disk->size;
}

bool disk_read_only(const struct disk *disk)
{
	return disk->read_only;
}

bool disk_can_discard(const struct disk *disk)
{
	return !disk->read_only && disk->can_discard;
}

bool disk_can_write_zeroes(const struct disk *disk)
{
	return !disk->read_only && disk->can_write_zeroes;
}

const char *disk_last_error(const struct disk *disk)
{
	return disk->error[0] ? disk->error : "no error";
}

/* Requests are whole sectors inside the disk. */
static int check_range(struct disk *disk, uint64_t offset, uint64_t length)
{
	if (offset % 512 || length % 512) {
		disk_set_error(disk, "request at %llu length %llu: not in 512-byte sectors",
			       (unsigned long long)offset, (unsigned long long)length);
		return -EINVAL;
	}
	if (offset > disk->size || length > disk->size - offset) {
		disk_set_error(disk, "request at %llu length %llu: past the end (%llu bytes)",
			       (unsigned long long)offset, (unsigned long long)length,
			       (unsigned long long)disk->size);
		return -EINVAL;
	}
	return 0;
}

static int check_iov(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (iovcnt < 0 || iovcnt > IOV_MAX_SEGS) {
		disk_set_error(disk, "request with %d buffers (at most %d)", iovcnt, IOV_MAX_SEGS);
		return -EINVAL;
	}
	return check_range(disk, offset, iov_length(iov, iovcnt));
}

int disk_preadv(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int ret = check_iov(disk, iov, iovcnt, offset);

	return ret ? ret : disk->ops->readv(disk, iov, iovcnt, offset);
}

static int check_writable(struct disk *disk)
{
	if (!disk->read_only)
		return 0;
	disk_set_error(disk, "read-only disk");
	return -EROFS;
}

int disk_pwritev(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int ret = check_writable(disk);

	if (!ret)
		ret = check_iov(disk, iov, iovcnt, offset);
	return ret ? ret : disk->ops->writev(disk, iov, iovcnt, offset);
}

int disk_flush(struct disk *disk)
{
	return disk->read_only ? 0 : disk->ops->flush(disk);
}

int disk_discard(struct disk *disk, uint64_t offset, uint64_t length)
{
	int ret = check_writable(disk);

	if (!ret)
		ret = check_range(disk, offset, length);
	if (!ret && !disk->can_discard) {
		disk_set_error(disk, "discard not supported by this image");
		ret = -EOPNOTSUPP;
	}
	return ret ? ret : disk->ops->discard(disk, offset, length);
}

int disk_write_zeroes(struct disk *disk, uint64_t offset, uint64_t length, bool may_unmap)
{
	int ret = check_writable(disk);

	if (!ret)
		ret = check_range(disk, offset, length);
	if (!ret && !disk->can_write_zeroes) {
		disk_set_error(disk, "write-zeroes not supported by this image");
		ret = -EOPNOTSUPP;
	}
	return ret ? ret : disk->ops->write_zeroes(disk, offset, length, may_unmap);
}
