/* Opening a QCOW2 image: the header, the L1 table (and for writing the
 * refcount table) read and checked, buffers sized to the cluster, the
 * backing file opened (qcow2_backing.c), autoclear features cleared before
 * the first write. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void qcow2_close(struct disk *disk)
{
	struct qcow2_disk *q = to_qcow2(disk);

	/* What the guest wrote reaches the file whether or not it flushed
	 * (nobody hears of a failure here: the disk is going away). */
	if (!q->disk.read_only && q->frees)
		(void)qcow2_commit(q);
	disk_close(q->backing);
	qcow2_cache_free(&q->l2_cache);
	qcow2_cache_free(&q->refblock_cache);
	free(q->l1);
	free(q->reftable);
	free(q->cluster_buf);
	free(q->cow_buf);
	free(q->zeros);
	free(q->compressed_buf);
	free(q->frees);
	close(q->fd);
	free(q);
}

/* Reads a table of ENTRIES big-endian u64 at OFFSET (checked by the header
 * parser) into host order. */
static uint64_t *read_table(int fd, uint64_t offset, uint64_t entries, const char *what,
			    char *err, size_t errlen)
{
	uint64_t *table = calloc(entries ? entries : 1, sizeof(*table));
	int ret;

	if (!table) {
		snprintf(err, errlen, "qcow2: %s: out of memory", what);
		return NULL;
	}
	ret = fd_pread_full(fd, table, entries * sizeof(*table), offset, false);
	if (ret) {
		snprintf(err, errlen, "qcow2: reading the %s at 0x%llx: %s", what,
			 (unsigned long long)offset, strerror(-ret));
		free(table);
		return NULL;
	}
	for (uint64_t i = 0; i < entries; i++)
		table[i] = be64toh(table[i]);
	return table;
}

int qcow2_read_header(int fd, uint64_t file_size, bool writable, struct qcow2_header *h, char *err,
		      size_t errlen)
{
	size_t len = file_size < 4096 ? (size_t)file_size : 4096;
	uint8_t *buf = malloc(4096), *bigger;
	int ret;

	if (!buf) {
		snprintf(err, errlen, "qcow2: out of memory");
		return -1;
	}
	ret = fd_pread_full(fd, buf, len, 0, false);
	if (!ret && len >= 24) {
		/* Read the whole first cluster once its size is known. */
		uint32_t bits = be32toh(*(uint32_t *)(buf + 20));

		if (bits <= QCOW2_MAX_CLUSTER_BITS && (1ull << bits) > len) {
			len = file_size < (1ull << bits) ? (size_t)file_size : (1ull << bits);
			bigger = realloc(buf, len);
			if (!bigger) {
				free(buf);
				snprintf(err, errlen, "qcow2: out of memory");
				return -1;
			}
			buf = bigger;
			ret = fd_pread_full(fd, buf, len, 0, false);
		}
	}
	if (ret)
		snprintf(err, errlen, "qcow2: reading the header: %s", strerror(-ret));
	else
		ret = qcow2_parse_header(buf, len, file_size, writable, h, err, errlen);
	free(buf);
	return ret ? -1 : 0;
}

/* Software that does not know an autoclear feature clears its bit when it
 * writes (e.g. bitmaps that our writes would make stale). QEMU then calls
 * the bitmaps inconsistent, and qemu-img check counts their clusters as
 * leaked (harmless; "qemu-img check -r leaks" reclaims them). */
static int clear_autoclear(struct qcow2_disk *q, char *err, size_t errlen)
{
	uint64_t zero = 0;
	int ret;

	if (q->h.version < 3 || !q->h.autoclear)
		return 0;
	ret = fd_pwrite_full(q->fd, &zero, sizeof(zero), QCOW2_HDR_AUTOCLEAR);
	if (ret)
		snprintf(err, errlen, "qcow2: clearing autoclear features: %s", strerror(-ret));
	return ret ? -1 : 0;
}

static int setup(struct qcow2_disk *q, const struct disk_open_ctx *ctx, char *err, size_t errlen)
{
	unsigned bits = q->h.cluster_bits;

	q->cluster_size = 1ull << bits;
	q->l2_bits = bits - 3;
	q->refblock_bits = bits + 3 - q->h.refcount_order;
	q->csize_shift = 62 - (bits - 8);
	q->csize_mask = (1ull << (bits - 8)) - 1;
	q->coffset_mask = (1ull << q->csize_shift) - 1;
	q->alloc_end = (q->file_size + q->cluster_size - 1) & ~(q->cluster_size - 1);
	q->disk.size = q->h.size;
	q->disk.read_only = !ctx->writable;
	q->disk.can_discard = ctx->writable && q->h.version >= 3;
	q->disk.can_write_zeroes = q->disk.can_discard;
	q->l1 = read_table(q->fd, q->h.l1_offset, q->h.l1_size, "L1 table", err, errlen);
	if (!q->l1)
		return -1;
	q->cluster_buf = malloc(q->cluster_size);
	/* A compressed cluster spans at most csize_mask + 1 sectors. */
	q->compressed_buf = malloc((q->csize_mask + 1) * 512);
	qcow2_cache_init(&q->l2_cache, q->cluster_size, true);
	if (!q->cluster_buf || !q->compressed_buf) {
		snprintf(err, errlen, "qcow2: out of memory");
		return -1;
	}
	if (!ctx->writable)
		return qcow2_open_backing(q, ctx, err, errlen);
	q->reftable_entries = (uint64_t)q->h.reftable_clusters * q->cluster_size / 8;
	q->reftable = read_table(q->fd, q->h.reftable_offset, q->reftable_entries,
				 "refcount table", err, errlen);
	if (!q->reftable)
		return -1;
	q->cow_buf = malloc(q->cluster_size);
	q->zeros = calloc(1, q->cluster_size);
	q->frees = calloc(QCOW2_MAX_FREES, sizeof(*q->frees));
	qcow2_cache_init(&q->refblock_cache, q->cluster_size, false);
	if (!q->cow_buf || !q->zeros || !q->frees) {
		snprintf(err, errlen, "qcow2: out of memory");
		return -1;
	}
	if (qcow2_open_backing(q, ctx, err, errlen) < 0)
		return -1;
	return clear_autoclear(q, err, errlen);
}

struct disk *disk_qcow2_open(const struct disk_open_ctx *ctx, char *err, size_t errlen)
{
	struct qcow2_disk *q = calloc(1, sizeof(*q));
	off_t end;

	if (!q) {
		snprintf(err, errlen, "qcow2: out of memory");
		close(ctx->fd);
		return NULL;
	}
	q->disk.ops = &qcow2_ops;
	q->fd = ctx->fd;
	end = lseek(ctx->fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(err, errlen, "qcow2: finding the file size: %s", strerror(errno));
		qcow2_close(&q->disk);
		return NULL;
	}
	q->file_size = (uint64_t)end;
	if (qcow2_read_header(q->fd, q->file_size, ctx->writable, &q->h, err, errlen) < 0 ||
	    setup(q, ctx, err, errlen) < 0) {
		qcow2_close(&q->disk);
		return NULL;
	}
	return &q->disk;
}
