/* A disk image as the block device sees it: a byte-addressed store with
 * reads, writes, flush, discard and write-zeroes, whatever the format
 * (raw, qcow2) and mode (read-write, read-only, volatile). The format does
 * not know virtio; virtio-blk does not know the format.
 *
 * Every file is opened before the device sandboxes itself: disk_open()
 * gets the image already open and opens its backing chain (QCOW2) right
 * away, as the caller's enum disk_backing allows; nothing is opened
 * afterwards.
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
	DISK_MODE_VOLATILE_WRITE,	/* writes kept apart until close, the file is untouched */
};

/* Where the backing files of a QCOW2 image come from. An image names its
 * backing file itself, and an image from an untrusted source (a guest
 * wrote it, a user sent it) can name any host file: /etc/shadow, a FIFO
 * that blocks open(), a device. So backing files are off unless the caller
 * says otherwise, and whatever the source:
 * - only regular files are used (a FIFO, device, socket or directory is
 *   refused, by name before it is opened for reading);
 * - the backing format must be declared in the image (the header
 *   extension qemu-img writes with -F): it is never guessed from the
 *   content, which a guest may have written;
 * - a chain is at most DISK_MAX_BACKING_DEPTH images long. */
enum disk_backing {
	DISK_BACKING_NONE,	/* an image with a backing file is refused (the default) */
	DISK_BACKING_FDS,	/* the chain comes as fds (backing_fds), opened by someone
				 * with the right to: the supervisor's way */
	DISK_BACKING_SAME_DIR,	/* by name: a plain file name (no '/') in the image's own
				 * directory, not a symbolic link */
	DISK_BACKING_ANY,	/* by name: relative to the image's directory, or absolute */
};

#define DISK_MAX_BACKING_DEPTH 16	/* images in a chain, the top one included */
#define DISK_MAX_BACKING_NAME 1023

struct disk_open_args {
	int fd;				/* the image, opened O_RDWR or O_RDONLY to suit mode,
					 * without O_DIRECT (qcow2 metadata writes are a few
					 * bytes); taken over (closed by disk_open on failure) */
	const char *path;		/* for messages and backing names by name; may be NULL */
	enum disk_format format;
	enum disk_mode mode;
	enum disk_backing backing;
	/* DISK_BACKING_FDS: the backing chain, nearest first (backing_fds[0] is
	 * the backing file of the image at fd), each readable. Each image's
	 * declared backing file gets the next fd: a declared backing file
	 * without an fd left, or an fd left over at the end of the chain, is
	 * refused. Not taken over: the disk keeps duplicates. */
	const int *backing_fds;
	size_t nbacking_fds;
	/* DISK_MODE_VOLATILE_WRITE: written blocks go to an unlinked file made
	 * at open in volatile_dir (NULL: $TMPDIR, else /var/tmp), at most
	 * volatile_limit bytes of them (0: the disk's size); past that, a write
	 * to a block not written before fails with -ENOSPC. The device's memory
	 * stays small whatever the guest writes (volatile.c says how). */
	const char *volatile_dir;
	uint64_t volatile_limit;
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

/* For a client that walks a chain with its own rights and hands it over
 * as fds (DISK_BACKING_FDS), with the rules disk_open() applies.
 *
 * What the QCOW2 image at FD declares as its backing file: the header is
 * checked as disk_open() checks it, and a backing file without a declared
 * format, or with one other than raw or qcow2, is refused. Returns 0 (the
 * name is "" when there is no backing file) or -1 with a message. */
struct disk_backing_ref {
	char name[DISK_MAX_BACKING_NAME + 1];	/* as written in the image */
	enum disk_format format;
};
int disk_qcow2_backing(int fd, struct disk_backing_ref *ref, char *err, size_t errlen);

/* Opens backing file NAME of the image at IMAGE_PATH (NULL: the image came
 * as an fd, so only an absolute NAME can be found, and only with
 * DISK_BACKING_ANY) as HOW (DISK_BACKING_SAME_DIR or DISK_BACKING_ANY)
 * allows: read-only, a regular file, never blocking. PATH gets the path
 * it was opened by (where its own backing name is relative to). Returns the
 * fd, or -1 with a message. */
int disk_open_backing_file(enum disk_backing how, const char *image_path, const char *name,
			   char *path, size_t pathlen, char *err, size_t errlen);

#endif
