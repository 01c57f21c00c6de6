/* What disk.c dispatches to: each format (raw.c, qcow2.c) and the volatile
 * overlay (volatile.c) is a struct disk with its own operations. disk.c
 * checks modes and ranges once, so the operations here get ranges inside
 * the disk and never a write on a read-only disk. */
#ifndef DEVICES_DISK_DISK_IMPL_H
#define DEVICES_DISK_DISK_IMPL_H

#include "devices/disk/disk.h"

#include <stdarg.h>

#define DISK_ERROR_MAX 256

struct disk_ops {
	/* The total length is that of the iovec; the range is inside the disk. */
	int (*readv)(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset);
	int (*writev)(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset);
	int (*flush)(struct disk *disk);
	int (*discard)(struct disk *disk, uint64_t offset, uint64_t length);
	int (*write_zeroes)(struct disk *disk, uint64_t offset, uint64_t length, bool may_unmap);
	void (*close)(struct disk *disk);
};

struct disk {
	const struct disk_ops *ops;
	uint64_t size;
	bool read_only;
	bool can_discard;
	bool can_write_zeroes;
	/* The message of the last failed operation; a disk built on another
	 * (a backing file, the volatile overlay) passes its message up. */
	char error[DISK_ERROR_MAX];
};

/* The backing chain being opened (backing.c): where backing files come
 * from, and how many of the caller's fds are used so far. */
struct disk_backing_chain {
	enum disk_backing how;
	const int *fds;
	size_t nfds;
	size_t used;
};

/* Opens backing file NAME of the image at IMAGE_PATH as the chain allows
 * (the next fd, or by name): a read-only fd of a regular file, and in PATH
 * where the file is for its own backing name ("" when it came as an fd).
 * Returns -1 with a message (without the "backing file 'x': " prefix). */
int disk_backing_open(struct disk_backing_chain *chain, const char *image_path, const char *name,
		      char *path, size_t pathlen, char *err, size_t errlen);
/* Once the whole chain is open: -1 with a message when fds are left over. */
int disk_backing_all_used(const struct disk_backing_chain *chain, char *err, size_t errlen);

/* How a format is opened: everything disk_open() got, plus the chain depth
 * and where run-time errors go. */
struct disk_open_ctx {
	int fd;
	const char *path;
	bool writable;
	struct disk_backing_chain *chain;
	unsigned depth;
};

/* Each returns NULL with a message (without the "disk 'x': " prefix) in err,
 * and closes ctx->fd on failure. */
struct disk *disk_raw_open(const struct disk_open_ctx *ctx, char *err, size_t errlen);
struct disk *disk_qcow2_open(const struct disk_open_ctx *ctx, char *err, size_t errlen);
/* Wraps LOWER (taken over) so that writes stay in an overlay: an unlinked
 * file in DIR (NULL: $TMPDIR, else /var/tmp) of at most LIMIT bytes (0: the
 * disk's size). */
struct disk *disk_volatile_wrap(struct disk *lower, const char *dir, uint64_t limit, char *err,
				size_t errlen);

/* Opens a disk of a given format inside a chain (the backing files). */
struct disk *disk_open_ctx(const struct disk_open_ctx *ctx, enum disk_format format, char *err,
			   size_t errlen);

/* Records the message of a failed operation (see disk_last_error). */
void disk_set_error(struct disk *disk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
