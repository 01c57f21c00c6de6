/* A disk image as the block device sees it: a byte-addressed store with
 * reads, writes, flush, discard and write-zeroes, whatever the format
 * (raw, qcow2) and mode (read-write, read-only, volatile). The format does
 * not know virtio; virtio-blk does not know the format.
 *
 * Every file is opened before the device sandboxes itself: disk_open()
 * gets the image already open and asks open_backing for any backing file
 * (a QCOW2 chain) right away; nothing is opened afterwards.
 *
 * A struct disk is not thread-safe: one caller at a time (a device that
 * serves requests from several threads serializes them). */
#ifndef DEVICES_DISK_DISK_H
#define DEVICES_DISK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum disk_format {
	DISK_FORMAT_RAW,
	DISK_FORMAT_QCOW2,
};

enum disk_mode {
	DISK_MODE_READ_WRITE,
	DISK_MODE_READ_ONLY,		/* writes fail with -EROFS, the file is untouched */
	DISK_MODE_VOLATILE_WRITE,	/* writes kept in memory, the file is untouched */
};

/* Opens the backing file NAME (as written in the image header) of the image
 * at IMAGE_PATH (NULL when the image came as a bare fd). Returns a
 * read-only fd or -1 with a message in err. */
typedef int (*disk_open_backing_fn)(void *ctx, const char *image_path, const char *name, char *err,
				    size_t errlen);

struct disk_open_args {
	int fd;				/* the image, opened O_RDWR or O_RDONLY to suit mode,
					 * without O_DIRECT (qcow2 metadata writes are a few
					 * bytes); taken over (closed by disk_open on failure) */
	const char *path;		/* for messages and relative backing names; may be NULL */
	enum disk_format format;
	enum disk_mode mode;
	disk_open_backing_fn open_backing;	/* NULL: an image with a backing file is an error */
	void *open_backing_ctx;
};

struct disk;

/* Returns NULL with a message naming the image and the problem in err,
 * e.g. "disk 'a.qcow2': qcow2 header: cluster_bits 7 out of range 9..21". */
struct disk *disk_open(const struct disk_open_args *args, char *err, size_t errlen);
void disk_close(struct disk *disk);

uint64_t disk_size(const struct disk *disk);	/* bytes the guest sees */
bool disk_read_only(const struct disk *disk);
bool disk_can_discard(const struct disk *disk);
bool disk_can_write_zeroes(const struct disk *disk);

/* All return 0 or a negative errno (-EIO, -EROFS, -EINVAL for a range past
 * the end, -ENOSPC); a short read or write is an error, never partial
 * success. Offsets and lengths are in bytes, multiples of 512.
 * disk_discard and disk_write_zeroes return -EOPNOTSUPP where
 * disk_can_discard / disk_can_write_zeroes say false. */
int disk_preadv(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset);
int disk_pwritev(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset);
int disk_flush(struct disk *disk);	/* fdatasync where the mode keeps data */
int disk_discard(struct disk *disk, uint64_t offset, uint64_t length);
int disk_write_zeroes(struct disk *disk, uint64_t offset, uint64_t length, bool may_unmap);

/* Why the last call above failed, e.g. "qcow2: L2 entry for guest offset
 * 0x10000: cluster 0x7ff0000 past the end of the file (0x50000)": a
 * hostile or damaged image shows up here, not only as -EIO. */
const char *disk_last_error(const struct disk *disk);

/* An open_backing callback for the common case: NAME relative to the
 * directory of IMAGE_PATH (or as is when absolute or IMAGE_PATH is NULL),
 * opened read-only. */
int disk_open_backing_relative(void *ctx, const char *image_path, const char *name, char *err,
			       size_t errlen);

#endif
