/* VOLATILE_WRITE: the image underneath is only read; writes land in an
 * in-memory overlay of 4 KiB blocks (an open-addressing hash table keyed by
 * block number) that reads lay over the image. A block written with zeros
 * keeps no data. Everything is gone at close; flush has nothing to do. */
#include "devices/disk/disk_impl.h"
#include "devices/lib/iov.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SHIFT 12
#define BLOCK_SIZE (1u << BLOCK_SHIFT)
#define EMPTY UINT64_MAX

struct overlay_block {
	uint64_t index;		/* block number, EMPTY for a free slot */
	uint8_t *data;		/* NULL: all zeros */
};

struct volatile_disk {
	struct disk disk;
	struct disk *lower;
	struct overlay_block *slots;
	size_t nslots;		/* a power of two */
	size_t used;
};

static struct volatile_disk *to_volatile(struct disk *disk)
{
	return (struct volatile_disk *)disk;
}

static size_t slot_of(const struct volatile_disk *v, uint64_t index)
{
	/* Fibonacci hashing spreads consecutive blocks over the table. */
	return (size_t)((index * 0x9e3779b97f4a7c15ull) >> 20) & (v->nslots - 1);
}

static struct overlay_block *find(struct volatile_disk *v, uint64_t index)
{
	for (size_t i = slot_of(v, index);; i = (i + 1) & (v->nslots - 1)) {
		if (v->slots[i].index == index)
			return &v->slots[i];
		if (v->slots[i].index == EMPTY)
			return NULL;
	}
}

static struct overlay_block *insert_slot(struct overlay_block *slots, size_t nslots,
					 const struct volatile_disk *v, uint64_t index)
{
	size_t i = slot_of(v, index);

	while (slots[i].index != EMPTY)
		i = (i + 1) & (nslots - 1);
	slots[i].index = index;
	return &slots[i];
}

static int grow(struct volatile_disk *v)
{
	size_t old_n = v->nslots;
	struct overlay_block *old = v->slots;
	struct overlay_block *slots = malloc(sizeof(*slots) * old_n * 2);

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < old_n * 2; i++)
		slots[i] = (struct overlay_block){ .index = EMPTY };
	v->slots = slots;
	v->nslots = old_n * 2;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].index != EMPTY)
			insert_slot(slots, v->nslots, v, old[i].index)->data = old[i].data;
	free(old);
	return 0;
}

/* A new overlay block for INDEX (not in the table yet) holding DATA. */
static int add_block(struct volatile_disk *v, uint64_t index, uint8_t *data,
		     struct overlay_block **out)
{
	if ((v->used + 1) * 4 > v->nslots * 3 && grow(v) < 0)
		return -ENOMEM;
	*out = insert_slot(v->slots, v->nslots, v, index);
	(*out)->data = data;
	v->used++;
	return 0;
}

static int pass_up(struct volatile_disk *v, int ret)
{
	if (ret == -ENOMEM)
		disk_set_error(&v->disk, "volatile overlay: out of memory");
	else if (ret)
		disk_set_error(&v->disk, "%s", v->lower->error);
	return ret;
}

/* A block's worth of data: the image's contents when FROM_LOWER (only the
 * part inside the disk), zeros otherwise. */
static int new_block_data(struct volatile_disk *v, uint64_t index, bool from_lower, uint8_t **out)
{
	uint64_t start = index << BLOCK_SHIFT;
	uint64_t len = v->disk.size - start < BLOCK_SIZE ? v->disk.size - start : BLOCK_SIZE;
	uint8_t *data = calloc(1, BLOCK_SIZE);
	struct iovec iov = { .iov_base = data, .iov_len = len };
	int ret;

	if (!data)
		return -ENOMEM;
	if (from_lower) {
		ret = v->lower->ops->readv(v->lower, &iov, 1, start);
		if (ret) {
			free(data);
			return ret;
		}
	}
	*out = data;
	return 0;
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
		struct overlay_block *b = find(v, pos >> BLOCK_SHIFT);

		if (b && b->data)
			iov_from_buf(iov, iovcnt, done, b->data + in, n);
		else if (b)
			iov_memset(iov, iovcnt, done, n, 0);
		done += n;
	}
	return 0;
}

/* Writes N bytes at IN inside block INDEX: from IOV at SKIP, or zeros when
 * IOV is NULL. */
static int block_write(struct volatile_disk *v, uint64_t index, size_t in, size_t n,
		       const struct iovec *iov, int iovcnt, size_t skip)
{
	struct overlay_block *b = find(v, index);
	bool whole = in == 0 && n == BLOCK_SIZE;
	uint8_t *data;
	int ret;

	if (!iov && whole) {
		if (b) {
			free(b->data);
			b->data = NULL;
			return 0;
		}
		return add_block(v, index, NULL, &b);
	}
	if (!iov && b && !b->data)
		return 0;	/* zeros over zeros */
	if (!b || !b->data) {
		ret = new_block_data(v, index, !b && !whole, &data);
		if (ret)
			return ret;
		if (b) {
			b->data = data;
		} else if (add_block(v, index, data, &b) < 0) {
			free(data);
			return -ENOMEM;
		}
	}
	if (iov)
		iov_to_buf(iov, iovcnt, skip, b->data + in, n);
	else
		memset(b->data + in, 0, n);
	return 0;
}

static int overlay_write(struct volatile_disk *v, const struct iovec *iov, int iovcnt,
			 uint64_t offset, uint64_t len)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t pos = offset + done;
		size_t in = pos & (BLOCK_SIZE - 1);
		size_t n = BLOCK_SIZE - in < len - done ? BLOCK_SIZE - in : (size_t)(len - done);
		int ret = block_write(v, pos >> BLOCK_SHIFT, in, n, iov, iovcnt, (size_t)done);

		if (ret)
			return pass_up(v, ret);
		done += n;
	}
	return 0;
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

	for (size_t i = 0; i < v->nslots; i++)
		free(v->slots[i].data);
	free(v->slots);
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

struct disk *disk_volatile_wrap(struct disk *lower, char *err, size_t errlen)
{
	struct volatile_disk *v = calloc(1, sizeof(*v));
	size_t nslots = 64;

	if (v)
		v->slots = malloc(sizeof(*v->slots) * nslots);
	if (!v || !v->slots) {
		snprintf(err, errlen, "volatile overlay: out of memory");
		free(v);
		disk_close(lower);
		return NULL;
	}
	for (size_t i = 0; i < nslots; i++)
		v->slots[i] = (struct overlay_block){ .index = EMPTY };
	v->nslots = nslots;
	v->lower = lower;
	v->disk.ops = &volatile_ops;
	v->disk.size = lower->size;
	v->disk.can_discard = true;
	v->disk.can_write_zeroes = true;
	return &v->disk;
}
