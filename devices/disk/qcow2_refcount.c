/* QCOW2 refcounts: a table of refcount block offsets, each block a cluster
 * of 2^refcount_order-bit counters, one per host cluster. New clusters are
 * always taken from the end of the file, so a cluster freed in the middle
 * is not reused (it stays free: no leak). A refcount block or a bigger
 * table is written complete, and synced, before anything points at it
 * (qcow2_commit.c says why); they are rare, so they sync at once. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Host offsets are 56 bits in every table. */
#define MAX_FILE_END (1ull << 56)

uint64_t qcow2_alloc_clusters(struct qcow2_disk *q, uint64_t n)
{
	uint64_t offset = q->alloc_end;

	if (n > (MAX_FILE_END - offset) >> q->h.cluster_bits)
		return 0;
	q->alloc_end += n << q->h.cluster_bits;
	if (q->file_size < q->alloc_end)
		q->file_size = q->alloc_end;
	return offset;
}

static uint64_t entry_get(const uint8_t *block, uint64_t i, unsigned order)
{
	unsigned bits = 1u << order;
	uint64_t v = 0;

	if (bits < 8)
		return (block[i * bits / 8] >> (i % (8 / bits) * bits)) & ((1u << bits) - 1);
	for (unsigned k = 0; k < bits / 8; k++)
		v = v << 8 | block[i * (bits / 8) + k];
	return v;
}

/* Sets entry I in BLOCK; *POS and *LEN give the bytes that changed. */
static void entry_set(uint8_t *block, uint64_t i, unsigned order, uint64_t v, size_t *pos,
		      size_t *len)
{
	unsigned bits = 1u << order;

	if (bits < 8) {
		unsigned shift = i % (8 / bits) * bits;
		uint8_t mask = (uint8_t)(((1u << bits) - 1) << shift);

		*pos = i * bits / 8;
		*len = 1;
		block[*pos] = (uint8_t)((block[*pos] & ~mask) | (v << shift));
		return;
	}
	*pos = i * (bits / 8);
	*len = bits / 8;
	for (unsigned k = bits / 8; k-- > 0; v >>= 8)
		block[*pos + k] = (uint8_t)v;
}

static int write_reftable_entry(struct qcow2_disk *q, uint64_t index)
{
	uint64_t be = htobe64(q->reftable[index]);
	int ret = fd_pwrite_full(q->fd, &be, sizeof(be), q->h.reftable_offset + index * 8);

	if (ret)
		disk_set_error(&q->disk, "qcow2: writing the refcount table: %s", strerror(-ret));
	return ret;
}

static int write_table(struct qcow2_disk *q, const uint64_t *table, uint64_t entries,
		       uint64_t offset)
{
	uint64_t *be = calloc(entries, sizeof(*be));
	int ret;

	if (!be)
		return -ENOMEM;
	for (uint64_t i = 0; i < entries; i++)
		be[i] = htobe64(table[i]);
	ret = fd_pwrite_full(q->fd, be, entries * sizeof(*be), offset);
	free(be);
	if (ret)
		disk_set_error(&q->disk, "qcow2: writing a table at 0x%llx: %s",
			       (unsigned long long)offset, strerror(-ret));
	return ret;
}

/* Moves the refcount table to a bigger copy at the end of the file that
 * has an entry NEED_INDEX; the header is switched once the copy is whole. */
static int grow_reftable(struct qcow2_disk *q, uint64_t need_index)
{
	uint64_t per_cluster = q->cluster_size / 8;
	uint64_t want = q->reftable_entries * 2 > need_index + 2 ? q->reftable_entries * 2
								 : need_index + 2;
	uint64_t clusters = (want + per_cluster - 1) / per_cluster;
	uint64_t old_offset = q->h.reftable_offset;
	uint64_t old_clusters = q->h.reftable_clusters;
	uint64_t *table, offset, be_offset;
	uint32_t be_clusters;
	uint8_t hdr[12];
	int ret;

	if (clusters > QCOW2_MAX_REFTABLE_BYTES / q->cluster_size) {
		disk_set_error(&q->disk, "qcow2: refcount table would exceed %u bytes",
			       QCOW2_MAX_REFTABLE_BYTES);
		return -ENOSPC;
	}
	table = calloc(clusters * per_cluster, sizeof(*table));
	if (!table)
		return -ENOMEM;
	memcpy(table, q->reftable, q->reftable_entries * sizeof(*table));
	offset = qcow2_alloc_clusters(q, clusters);
	ret = offset ? write_table(q, table, clusters * per_cluster, offset) : -ENOSPC;
	if (ret) {
		free(table);
		return ret;
	}
	free(q->reftable);
	q->reftable = table;
	q->reftable_entries = clusters * per_cluster;
	q->h.reftable_offset = offset;
	q->h.reftable_clusters = (uint32_t)clusters;
	ret = qcow2_refcount_add_range(q, offset, clusters * q->cluster_size, 1);
	if (ret || (ret = qcow2_sync(q, "the header points at a new refcount table")))
		return ret;
	be_offset = htobe64(offset);
	be_clusters = htobe32((uint32_t)clusters);
	memcpy(hdr, &be_offset, sizeof(be_offset));
	memcpy(hdr + 8, &be_clusters, sizeof(be_clusters));
	ret = fd_pwrite_full(q->fd, hdr, sizeof(hdr), QCOW2_HDR_REFTABLE_OFFSET);
	if (ret) {
		disk_set_error(&q->disk, "qcow2: writing the header: %s", strerror(-ret));
		return ret;
	}
	/* The old table is free once the header is on the disk. */
	return qcow2_free_later(q, old_offset, old_clusters * q->cluster_size, false);
}

/* A new, complete refcount block for reftable entry INDEX. A block that
 * covers itself carries its own refcount from the start. */
static int new_refblock(struct qcow2_disk *q, uint64_t index, uint64_t *block_offset)
{
	uint64_t offset = qcow2_alloc_clusters(q, 1);
	uint64_t cluster = offset >> q->h.cluster_bits;
	bool covers_itself = cluster >> q->refblock_bits == index;
	uint8_t *block = calloc(1, q->cluster_size);
	size_t pos, len;
	int ret;

	if (!block)
		return -ENOMEM;
	if (!offset) {
		free(block);
		disk_set_error(&q->disk, "qcow2: file would exceed 2^56 bytes");
		return -ENOSPC;
	}
	if (covers_itself)
		entry_set(block, cluster & ((1ull << q->refblock_bits) - 1), q->h.refcount_order, 1,
			  &pos, &len);
	ret = fd_pwrite_full(q->fd, block, q->cluster_size, offset);
	if (ret)
		disk_set_error(&q->disk, "qcow2: writing a refcount block: %s", strerror(-ret));
	if (!ret)
		qcow2_cache_put(&q->refblock_cache, offset, block);
	free(block);
	if (!ret && !covers_itself)
		ret = qcow2_refcount_add(q, offset, 1);
	if (ret || (ret = qcow2_sync(q, "the refcount table points at a new block")))
		return ret;
	q->reftable[index] = offset;
	*block_offset = offset;
	return write_reftable_entry(q, index);
}

/* The cached refcount block for reftable entry INDEX, made if missing. */
static int refblock_of(struct qcow2_disk *q, uint64_t index, uint64_t *block_offset,
		       uint8_t **block)
{
	int ret;

	if (index >= q->reftable_entries && (ret = grow_reftable(q, index)))
		return ret;
	*block_offset = q->reftable[index] & QCOW2_REFTABLE_OFFSET_MASK;
	if (!*block_offset && (ret = new_refblock(q, index, block_offset)))
		return ret;
	if (*block_offset % q->cluster_size || *block_offset < q->cluster_size ||
	    *block_offset > q->file_size - q->cluster_size)
		return qcow2_corrupt(q, "refcount table entry %llu: block 0x%llx misaligned or "
				     "outside the file", (unsigned long long)index,
				     (unsigned long long)*block_offset);
	return qcow2_cache_get(q, &q->refblock_cache, *block_offset, block);
}

/* Adds DELTA to the refcounts of COUNT clusters from CLUSTER, all in one
 * refcount block: every count checked first, then one write of the bytes
 * that changed (a run of new clusters costs one write, not one each). */
static int add_in_block(struct qcow2_disk *q, uint64_t cluster, uint64_t count, int delta)
{
	uint64_t first = cluster & ((1ull << q->refblock_bits) - 1);
	uint64_t max = q->h.refcount_order == 6 ? UINT64_MAX : (1ull << (1u << q->h.refcount_order)) - 1;
	uint64_t block_offset;
	size_t lo = SIZE_MAX, hi = 0;
	uint8_t *block;
	int ret = refblock_of(q, cluster >> q->refblock_bits, &block_offset, &block);

	if (ret)
		return ret;
	for (uint64_t i = first; i < first + count; i++) {
		uint64_t v = entry_get(block, i, q->h.refcount_order);

		if ((delta < 0 && v == 0) || (delta > 0 && v == max))
			return qcow2_corrupt(q, "refcount of cluster 0x%llx is %llu, cannot add %d",
					     (unsigned long long)((cluster + i - first) << q->h.cluster_bits),
					     (unsigned long long)v, delta);
	}
	for (uint64_t i = first; i < first + count; i++) {
		uint64_t v = entry_get(block, i, q->h.refcount_order);
		size_t pos, len;

		entry_set(block, i, q->h.refcount_order, v + (uint64_t)(int64_t)delta, &pos, &len);
		lo = pos < lo ? pos : lo;
		hi = pos + len > hi ? pos + len : hi;
	}
	return qcow2_cache_write(q, &q->refblock_cache, block_offset, lo, block + lo, hi - lo);
}

int qcow2_refcount_add(struct qcow2_disk *q, uint64_t host_offset, int delta)
{
	return add_in_block(q, host_offset >> q->h.cluster_bits, 1, delta);
}

int qcow2_refcount_add_range(struct qcow2_disk *q, uint64_t offset, uint64_t length, int delta)
{
	uint64_t first = offset >> q->h.cluster_bits;
	uint64_t end = length ? ((offset + length - 1) >> q->h.cluster_bits) + 1 : first;

	while (first < end) {
		uint64_t block_end = ((first >> q->refblock_bits) + 1) << q->refblock_bits;
		uint64_t count = (block_end < end ? block_end : end) - first;
		int ret = add_in_block(q, first, count, delta);

		if (ret)
			return ret;
		first += count;
	}
	return 0;
}
