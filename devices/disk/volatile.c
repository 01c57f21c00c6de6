/* VOLATILE_WRITE: the image underneath is only read; writes land in an
 * overlay of 4 KiB blocks that reads lay over the image. Everything is
 * gone at close; flush has nothing to do.
 *
 * Where the written blocks go, and why. The data is in an unlinked file
 * (O_TMPFILE in $TMPDIR, else /var/tmp, unless the caller names a
 * directory) made when the disk is opened: the sandboxed device can create
 * nothing later, and a file without a name leaves nothing behind however
 * the process ends. On a disk-backed file system its pages are page cache,
 * which the kernel writes back and reclaims, so gigabytes of guest writes
 * cost the device only its index: 4 bytes per block in 4 KiB pages, one
 * per 4 MiB of the disk touched (at most 0.1 % of the disk's size), and 4
 * bytes per block given back (at most 0.1 % of the limit). Kept in
 * malloc'd memory instead, 2 GiB of guest writes grew the device by 2 GiB;
 * a memfd would be shmem, that is memory or swap. The file holds at most
 * `limit` bytes of blocks (by default the disk's size, the most an overlay
 * can need): a write that needs a new block past that fails with -ENOSPC
 * and a message saying so, so a guest cannot fill the host's file system.
 * A block zeroed or discarded keeps no data: its place in the file is
 * punched and goes to the next new block. */
#include "devices/disk/disk_impl.h"
#include "devices/disk/file_io.h"
#include "devices/lib/iov.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK_SHIFT 12
#define BLOCK_SIZE (1u << BLOCK_SHIFT)
#define CHUNK_SHIFT 10			/* blocks per index page */
#define CHUNK_BLOCKS (1u << CHUNK_SHIFT)
/* A block's index entry: IN_IMAGE (not in the overlay), ZEROS (reads as
 * zeros, no data), or its slot in the spill file plus one. */
#define IN_IMAGE 0u
#define ZEROS UINT32_MAX
#define MAX_SLOTS (UINT32_MAX - 1)

struct volatile_disk {
	struct disk disk;
	struct disk *lower;
	int spill_fd;
	uint32_t **chunks;	/* index pages of CHUNK_BLOCKS entries; NULL: all IN_IMAGE */
	uint64_t nchunks;
	uint64_t limit;		/* bytes, for messages */
	uint32_t max_slots;	/* the limit in blocks */
	uint32_t nslots;	/* slots the file has had so far */
	uint32_t *free_slots;	/* slots given back, reused first */
	uint32_t nfree, free_room;
	uint8_t block[BLOCK_SIZE];	/* a block being put together */
	uint8_t zeros[BLOCK_SIZE];
	struct iovec piece[IOV_MAX_SEGS];	/* part of a request */
};

#define RUN_BLOCKS 256		/* 1 MiB */

/* Whole blocks written together (run_flush). */
struct run {
	size_t skip;		/* the request's bytes before it */
	uint32_t slot;		/* the first block's slot; the others follow */
	uint32_t len;		/* blocks */
	uint32_t *fresh[RUN_BLOCKS];	/* new blocks' entries, set once written; NULL: not new */
};

static struct volatile_disk *to_volatile(struct disk *disk)
{
	return (struct volatile_disk *)disk;
}

/* The entry of block INDEX; with CREATE its index page is made if needed
 * (NULL only when that fails). Without, NULL means IN_IMAGE. */
static uint32_t *entry(struct volatile_disk *v, uint64_t index, bool create)
{
	uint32_t **chunk = &v->chunks[index >> CHUNK_SHIFT];

	if (!*chunk && create)
		*chunk = calloc(CHUNK_BLOCKS, sizeof(**chunk));
	return *chunk ? &(*chunk)[index & (CHUNK_BLOCKS - 1)] : NULL;
}

static int spill_error(struct volatile_disk *v, const char *what, uint32_t slot, int ret)
{
	disk_set_error(&v->disk, "volatile overlay: %s the spill file at 0x%llx: %s", what,
		       (unsigned long long)slot << BLOCK_SHIFT, strerror(-ret));
	return ret;
}

static int new_slot(struct volatile_disk *v, uint32_t *slot)
{
	if (v->nfree) {
		*slot = v->free_slots[--v->nfree];
		return 0;
	}
	if (v->nslots == v->max_slots) {
		/* One message whatever the block, so it is logged once. */
		disk_set_error(&v->disk, "volatile overlay full: it keeps at most %llu bytes of "
			       "written blocks; writes to blocks not written before fail",
			       (unsigned long long)v->limit);
		return -ENOSPC;
	}
	*slot = v->nslots++;
	return 0;
}

/* Gives SLOT's space back to the host file system and its place to the
 * next new block (best effort: without room to note it, it stays used). */
static void release_slot(struct volatile_disk *v, uint32_t slot)
{
	(void)fallocate(v->spill_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)slot << BLOCK_SHIFT, BLOCK_SIZE);
	if (v->nfree == v->free_room) {
		uint32_t room = v->free_room ? v->free_room * 2 : 64;
		uint32_t *bigger = realloc(v->free_slots, sizeof(*bigger) * room);

		if (!bigger)
			return;
		v->free_slots = bigger;
		v->free_room = room;
	}
	v->free_slots[v->nfree++] = slot;
}

static int pass_up(struct volatile_disk *v, int ret)
{
	if (ret == -ENOMEM)
		disk_set_error(&v->disk, "volatile overlay: out of memory");
	else if (ret)
		disk_set_error(&v->disk, "%s", v->lower->error);
	return ret;
}

/* The block's bytes inside the disk (the last block may be short). */
static size_t block_bytes(const struct volatile_disk *v, uint64_t index)
{
	uint64_t start = index << BLOCK_SHIFT;

	return v->disk.size - start < BLOCK_SIZE ? (size_t)(v->disk.size - start) : BLOCK_SIZE;
}

static int volatile_readv(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct volatile_disk *v = to_volatile(disk);
	size_t len = iov_length(iov, iovcnt);
	int ret = v->lower->ops->readv(v->lower, iov, iovcnt, offset);

	if (ret)
		return pass_up(v, ret);
	for (size_t done = 0; done < len;) {
		uint64_t pos = offset + done;
		size_t in = pos & (BLOCK_SIZE - 1);
		size_t n = BLOCK_SIZE - in < len - done ? BLOCK_SIZE - in : len - done;
		uint32_t *e = entry(v, pos >> BLOCK_SHIFT, false);

		if (e && *e == ZEROS) {
			iov_memset(iov, iovcnt, done, n, 0);
		} else if (e && *e != IN_IMAGE) {
			int k = iov_slice(iov, iovcnt, done, n, v->piece);

			ret = fd_preadv_full(v->spill_fd, v->piece, k,
					     ((uint64_t)(*e - 1) << BLOCK_SHIFT) + in, false);
			if (ret)
				return spill_error(v, "reading", *e - 1, ret);
		}
		done += n;
	}
	return 0;
}

/* Block INDEX, without data in the overlay yet, into v->block: zeros, or
 * the image's contents. */
static int fill_block(struct volatile_disk *v, uint64_t index, uint32_t e)
{
	struct iovec iov = { .iov_base = v->block, .iov_len = block_bytes(v, index) };

	memset(v->block, 0, BLOCK_SIZE);
	if (e == ZEROS)
		return 0;
	return pass_up(v, v->lower->ops->readv(v->lower, &iov, 1, index << BLOCK_SHIFT));
}

/* Writes N bytes at IN inside block INDEX from IOV at SKIP, or zeros when
 * IOV is NULL; a whole block of data goes through a run instead. */
static int block_write(struct volatile_disk *v, uint64_t index, size_t in, size_t n,
		       const struct iovec *iov, int iovcnt, size_t skip)
{
	uint32_t *e = entry(v, index, true);
	uint32_t slot;
	int ret;

	if (!e)
		return pass_up(v, -ENOMEM);
	if (!iov && n == BLOCK_SIZE) {
		if (*e != IN_IMAGE && *e != ZEROS)
			release_slot(v, *e - 1);
		*e = ZEROS;
		return 0;
	}
	if (!iov && *e == ZEROS)
		return 0;	/* zeros over zeros */
	if (*e != IN_IMAGE && *e != ZEROS) {
		slot = *e - 1;
		if (iov)
			ret = fd_pwritev_full(v->spill_fd, v->piece,
					      iov_slice(iov, iovcnt, skip, n, v->piece),
					      ((uint64_t)slot << BLOCK_SHIFT) + in);
		else
			ret = fd_pwrite_full(v->spill_fd, v->zeros, n,
					     ((uint64_t)slot << BLOCK_SHIFT) + in);
		return ret ? spill_error(v, "writing", slot, ret) : 0;
	}
	/* A new block: its old contents with the new bytes on them. */
	if ((ret = fill_block(v, index, *e)) || (ret = new_slot(v, &slot)))
		return ret;
	if (iov)
		iov_to_buf(iov, iovcnt, skip, v->block + in, n);
	else
		memset(v->block + in, 0, n);
	ret = fd_pwrite_full(v->spill_fd, v->block, BLOCK_SIZE, (uint64_t)slot << BLOCK_SHIFT);
	if (ret) {
		release_slot(v, slot);
		return spill_error(v, "writing", slot, ret);
	}
	*e = slot + 1;
	return 0;
}

/* Whole blocks of a request that go to consecutive slots are written with
 * one pwritev (a sequential write allocates consecutive slots): 2 GiB of
 * 1 MiB writes took 3.7 to 14 s block by block, 0.3 to 2.9 s in runs (a
 * busy 2-core machine; raw read-write, 0.3 s). */
static int run_flush(struct volatile_disk *v, struct run *r, const struct iovec *iov, int iovcnt)
{
	int ret;

	if (!r->len)
		return 0;
	ret = fd_pwritev_full(v->spill_fd, v->piece,
			      iov_slice(iov, iovcnt, r->skip, (size_t)r->len << BLOCK_SHIFT, v->piece),
			      (uint64_t)r->slot << BLOCK_SHIFT);
	for (uint32_t i = 0; i < r->len; i++) {
		if (r->fresh[i] && ret)
			release_slot(v, r->slot + i);
		else if (r->fresh[i])
			*r->fresh[i] = r->slot + i + 1;
	}
	r->len = 0;
	return ret ? spill_error(v, "writing", r->slot, ret) : 0;
}

/* Block INDEX, whole, from the request's bytes at SKIP. */
static int run_add(struct volatile_disk *v, struct run *r, uint64_t index, size_t skip,
		   const struct iovec *iov, int iovcnt)
{
	uint32_t *e = entry(v, index, true);
	bool fresh = e && (*e == IN_IMAGE || *e == ZEROS);
	uint32_t slot = e && !fresh ? *e - 1 : 0;
	int ret = 0;

	if (!e)
		ret = pass_up(v, -ENOMEM);
	else if (fresh)
		ret = new_slot(v, &slot);
	if (ret)
		return ret;
	if (r->len && (slot != r->slot + r->len || r->len == RUN_BLOCKS) &&
	    (ret = run_flush(v, r, iov, iovcnt)))
		return ret;
	if (!r->len) {
		r->skip = skip;
		r->slot = slot;
	}
	r->fresh[r->len++] = fresh ? e : NULL;
	return 0;
}

static int overlay_write(struct volatile_disk *v, const struct iovec *iov, int iovcnt,
			 uint64_t offset, uint64_t len)
{
	struct run run = { .len = 0 };
	int ret = 0, flushed;

	for (uint64_t done = 0; done < len && !ret;) {
		uint64_t pos = offset + done;
		size_t in = pos & (BLOCK_SIZE - 1);
		size_t n = BLOCK_SIZE - in < len - done ? BLOCK_SIZE - in : (size_t)(len - done);

		if (iov && n == BLOCK_SIZE)
			ret = run_add(v, &run, pos >> BLOCK_SHIFT, (size_t)done, iov, iovcnt);
		else if (!(ret = run_flush(v, &run, iov, iovcnt)))
			ret = block_write(v, pos >> BLOCK_SHIFT, in, n, iov, iovcnt, (size_t)done);
		done += n;
	}
	flushed = run_flush(v, &run, iov, iovcnt);
	return ret ? ret : flushed;
}

static int volatile_writev(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return overlay_write(to_volatile(disk), iov, iovcnt, offset, iov_length(iov, iovcnt));
}

static int volatile_flush(struct disk *disk)
{
	(void)disk;
	return 0;
}

static int volatile_write_zeroes(struct disk *disk, uint64_t offset, uint64_t length,
				 bool may_unmap)
{
	(void)may_unmap;
	return overlay_write(to_volatile(disk), NULL, 0, offset, length);
}

/* Discarded blocks read as zeros afterwards, which discard allows. */
static int volatile_discard(struct disk *disk, uint64_t offset, uint64_t length)
{
	return volatile_write_zeroes(disk, offset, length, true);
}

static void volatile_close(struct disk *disk)
{
	struct volatile_disk *v = to_volatile(disk);

	for (uint64_t i = 0; v->chunks && i < v->nchunks; i++)
		free(v->chunks[i]);
	free(v->chunks);
	free(v->free_slots);
	if (v->spill_fd >= 0)
		close(v->spill_fd);
	disk_close(v->lower);
	free(v);
}

static const struct disk_ops volatile_ops = {
	.readv = volatile_readv,
	.writev = volatile_writev,
	.flush = volatile_flush,
	.discard = volatile_discard,
	.write_zeroes = volatile_write_zeroes,
	.close = volatile_close,
};

static int make_spill_file(struct volatile_disk *v, const char *dir, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");

	if (!dir)
		dir = tmp && tmp[0] ? tmp : "/var/tmp";
	v->spill_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (v->spill_fd < 0) {
		snprintf(err, errlen, "volatile overlay: an unlinked file in '%s' (O_TMPFILE): %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct disk *disk_volatile_wrap(struct disk *lower, const char *dir, uint64_t limit, char *err,
				size_t errlen)
{
	struct volatile_disk *v = calloc(1, sizeof(*v));
	uint64_t blocks = (lower->size + BLOCK_SIZE - 1) >> BLOCK_SHIFT;

	if (!v) {
		snprintf(err, errlen, "volatile overlay: out of memory");
		disk_close(lower);
		return NULL;
	}
	v->disk.ops = &volatile_ops;
	v->disk.size = lower->size;
	v->disk.can_discard = true;
	v->disk.can_write_zeroes = true;
	v->lower = lower;
	v->spill_fd = -1;
	v->limit = limit ? limit : blocks << BLOCK_SHIFT;
	v->max_slots = (v->limit >> BLOCK_SHIFT) < MAX_SLOTS ? (uint32_t)(v->limit >> BLOCK_SHIFT)
							     : MAX_SLOTS;
	v->nchunks = (blocks + CHUNK_BLOCKS - 1) >> CHUNK_SHIFT;
	v->chunks = calloc(v->nchunks ? v->nchunks : 1, sizeof(*v->chunks));
	if (!v->chunks) {
		snprintf(err, errlen, "volatile overlay: out of memory for the index of %llu bytes",
			 (unsigned long long)lower->size);
		volatile_close(&v->disk);
		return NULL;
	}
	if (make_spill_file(v, dir, err, errlen) < 0) {
		volatile_close(&v->disk);
		return NULL;
	}
	return &v->disk;
}
