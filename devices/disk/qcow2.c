/* QCOW2 images (versions 2 and 3): reads through the L1/L2 tables, from
 * the backing file, zero clusters and deflate-compressed clusters; writes
 * allocate clusters at the end of the file.
 *
 * Crash safety: an allocating write puts the data and the refcount in the
 * file at once; the L2 entry that exposes them (and a new L2 table's L1
 * entry, and the refcount decrement of a cluster no longer used) reach the
 * file in that order with fdatasyncs between, batched at the next commit
 * (qcow2_commit.c): a crash or power loss leaks clusters at worst. New
 * clusters are always taken at the end of the file.
 *
 * Discard and write-zeroes (version 3 only) turn whole clusters into zero
 * clusters, freeing them (discard, or may_unmap) or keeping them allocated;
 * partial clusters are written with zeros (write-zeroes) or left alone
 * (discard). Version 2 has no zero clusters: both report unsupported. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"
#include "devices/lib/iov.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Clusters a write takes new in one go, at most (2 MiB of 64 KiB ones). */
#define NEW_RUN_MAX 32

enum cluster_kind { CLUSTER_UNALLOCATED, CLUSTER_ZERO, CLUSTER_NORMAL, CLUSTER_COMPRESSED };

/* One guest cluster as its L2 entry describes it. */
struct cluster {
	enum cluster_kind kind;
	uint64_t entry;
	uint64_t host;		/* data (normal), preallocation (zero), or compressed bytes */
	uint64_t compressed_len;	/* compressed: bytes from host */
};

int qcow2_corrupt(struct qcow2_disk *q, const char *fmt, ...)
{
	char what[DISK_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	disk_set_error(&q->disk, "qcow2: %s", what);
	return -EIO;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

/* A cluster-aligned table or data cluster after the header, starting
 * inside the file (a data cluster's tail past the end reads as zeros). */
static bool host_cluster_ok(const struct qcow2_disk *q, uint64_t host)
{
	return host % q->cluster_size == 0 && host >= q->cluster_size && host < q->file_size;
}

static int l2_table_of(struct qcow2_disk *q, uint64_t guest, uint64_t *l2_offset)
{
	uint64_t index = guest >> (q->h.cluster_bits + q->l2_bits);
	uint64_t offset = q->l1[index] & QCOW2_OFFSET_MASK;

	*l2_offset = offset;
	if (offset && (!host_cluster_ok(q, offset) || offset > q->file_size - q->cluster_size))
		return qcow2_corrupt(q, "L1 entry %llu: L2 table 0x%llx misaligned or outside the "
				     "file (%llu bytes)", (unsigned long long)index,
				     (unsigned long long)offset, (unsigned long long)q->file_size);
	return 0;
}

static unsigned l2_index(const struct qcow2_disk *q, uint64_t guest)
{
	return (unsigned)((guest >> q->h.cluster_bits) & ((1ull << q->l2_bits) - 1));
}

static int classify(struct qcow2_disk *q, uint64_t guest, uint64_t entry, struct cluster *c)
{
	c->entry = entry;
	if (entry & QCOW2_FLAG_COMPRESSED) {
		uint64_t sectors = ((entry >> q->csize_shift) & q->csize_mask) + 1;

		c->kind = CLUSTER_COMPRESSED;
		c->host = entry & q->coffset_mask;
		c->compressed_len = sectors * 512 - (c->host & 511);
		if (c->host < q->cluster_size || c->host >= q->file_size)
			return qcow2_corrupt(q, "L2 entry for guest offset 0x%llx: compressed data at "
					     "0x%llx outside the file (%llu bytes)",
					     (unsigned long long)guest, (unsigned long long)c->host,
					     (unsigned long long)q->file_size);
		return 0;
	}
	c->host = entry & QCOW2_OFFSET_MASK;
	if (entry & QCOW2_FLAG_ZERO) {
		if (q->h.version < 3)
			return qcow2_corrupt(q, "L2 entry for guest offset 0x%llx: zero flag in a "
					     "version 2 image", (unsigned long long)guest);
		c->kind = CLUSTER_ZERO;
	} else {
		c->kind = c->host ? CLUSTER_NORMAL : CLUSTER_UNALLOCATED;
	}
	if (c->host && !host_cluster_ok(q, c->host))
		return qcow2_corrupt(q, "L2 entry for guest offset 0x%llx: cluster 0x%llx misaligned "
				     "or outside the file (%llu bytes)", (unsigned long long)guest,
				     (unsigned long long)c->host, (unsigned long long)q->file_size);
	return 0;
}

static int lookup(struct qcow2_disk *q, uint64_t guest, struct cluster *c)
{
	uint64_t l2_offset;
	uint8_t *table;
	int ret = l2_table_of(q, guest, &l2_offset);

	if (ret)
		return ret;
	if (!l2_offset)
		return classify(q, guest, 0, c);
	ret = qcow2_cache_get(q, &q->l2_cache, l2_offset, &table);
	if (ret)
		return ret;
	return classify(q, guest, get_be64(table + 8 * l2_index(q, guest)), c);
}

/* Inflates compressed cluster C into q->cluster_buf. */
static int inflate_cluster(struct qcow2_disk *q, uint64_t guest, const struct cluster *c)
{
	uint64_t len = c->compressed_len;
	z_stream z = { 0 };
	int ret;

	if (len > q->file_size - c->host)
		len = q->file_size - c->host;	/* the last sector may be short */
	ret = fd_pread_full(q->fd, q->compressed_buf, len, c->host, true);
	if (ret)
		return qcow2_corrupt(q, "reading compressed cluster at 0x%llx: %s",
				     (unsigned long long)c->host, strerror(-ret));
	if (inflateInit2(&z, -12) != Z_OK)
		return qcow2_corrupt(q, "inflateInit2 failed");
	z.next_in = q->compressed_buf;
	z.avail_in = (uInt)len;
	z.next_out = q->cluster_buf;
	z.avail_out = (uInt)q->cluster_size;
	ret = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR && ret != Z_OK) || z.avail_out != 0)
		return qcow2_corrupt(q, "compressed cluster for guest offset 0x%llx at 0x%llx: "
				     "inflate: %s", (unsigned long long)guest,
				     (unsigned long long)c->host,
				     z.avail_out ? "data ends before the cluster does"
						 : (z.msg ? z.msg : "error"));
	return 0;
}

/* Bytes [pos, pos+n) of an unallocated range: the backing file's, or zeros
 * past its end or without one. */
static int read_backing(struct qcow2_disk *q, const struct iovec *iov, int iovcnt, size_t skip,
			uint64_t pos, size_t n)
{
	struct iovec piece[IOV_MAX_SEGS];
	size_t inside = 0;
	int ret;

	if (q->backing && pos < q->backing->size)
		inside = q->backing->size - pos < n ? (size_t)(q->backing->size - pos) : n;
	if (inside) {
		int k = iov_slice(iov, iovcnt, skip, inside, piece);

		ret = q->backing->ops->readv(q->backing, piece, k, pos);
		if (ret) {
			disk_set_error(&q->disk, "backing file: %s", q->backing->error);
			return ret;
		}
	}
	iov_memset(iov, iovcnt, skip + inside, n - inside, 0);
	return 0;
}

/* Bytes [pos, pos+n) of guest cluster C into IOV at SKIP: n within the
 * cluster, or running on through the clusters after it that read as part
 * of the same piece (same_piece). */
static int read_piece(struct qcow2_disk *q, const struct cluster *c, const struct iovec *iov,
		      int iovcnt, size_t skip, uint64_t pos, size_t n)
{
	size_t in = pos & (q->cluster_size - 1);
	struct iovec piece[IOV_MAX_SEGS];
	int k, ret;

	switch (c->kind) {
	case CLUSTER_UNALLOCATED:
		return read_backing(q, iov, iovcnt, skip, pos, n);
	case CLUSTER_ZERO:
		iov_memset(iov, iovcnt, skip, n, 0);
		return 0;
	case CLUSTER_COMPRESSED:
		ret = inflate_cluster(q, pos, c);
		if (!ret)
			iov_from_buf(iov, iovcnt, skip, q->cluster_buf + in, n);
		return ret;
	case CLUSTER_NORMAL:
		break;
	}
	k = iov_slice(iov, iovcnt, skip, n, piece);
	ret = fd_preadv_full(q->fd, piece, k, c->host + in, true);
	if (ret)
		disk_set_error(&q->disk, "qcow2: read at 0x%llx: %s",
			       (unsigned long long)(c->host + in), strerror(-ret));
	return ret;
}

/* A request cut at cluster boundaries: FN gets each piece's guest offset
 * POS, length *N (up to the end of the cluster; FN may make it longer when
 * it handled more) and distance DONE from the start of the request. */
struct request {
	const struct iovec *iov;	/* NULL: write zeros */
	int iovcnt;
	bool unmap;
	bool write_partial;
	uint64_t end;			/* guest offset where the request ends */
};
typedef int (*piece_fn)(struct qcow2_disk *q, const struct request *r, uint64_t pos, size_t *n,
			size_t done);

static size_t piece_length(const struct qcow2_disk *q, uint64_t pos, uint64_t end)
{
	size_t rest = q->cluster_size - (pos & (q->cluster_size - 1));

	return end - pos < rest ? (size_t)(end - pos) : rest;
}

static int for_each_piece(struct qcow2_disk *q, struct request *r, uint64_t offset,
			  uint64_t length, piece_fn fn)
{
	r->end = offset + length;
	for (uint64_t done = 0; done < length;) {
		size_t n = piece_length(q, offset + done, r->end);
		int ret = fn(q, r, offset + done, &n, (size_t)done);

		if (ret)
			return ret;
		done += n;
	}
	return 0;
}

/* Whether guest cluster NEXT, DELTA bytes after the start of C's cluster,
 * can be read in the same piece: normal clusters that follow each other in
 * the file (one preadv: a converted image is mostly such runs), zero
 * clusters, unallocated ones (one read of the backing file: an overlay is
 * mostly those). */
static bool same_piece(const struct cluster *c, const struct cluster *next, uint64_t delta)
{
	if (next->kind != c->kind)
		return false;
	return c->kind == CLUSTER_NORMAL ? next->host == c->host + delta
					 : c->kind != CLUSTER_COMPRESSED;
}

static int read_request_piece(struct qcow2_disk *q, const struct request *r, uint64_t pos,
			      size_t *n, size_t done)
{
	uint64_t cluster_start = pos & ~(q->cluster_size - 1);
	struct cluster c, next;
	int ret = lookup(q, pos, &c);

	if (ret)
		return ret;
	while (pos + *n < r->end && !lookup(q, pos + *n, &next) &&
	       same_piece(&c, &next, pos + *n - cluster_start))
		*n += piece_length(q, pos + *n, r->end);
	return read_piece(q, &c, r->iov, r->iovcnt, done, pos, *n);
}

static int qcow2_readv(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct request r = { .iov = iov, .iovcnt = iovcnt };

	return for_each_piece(to_qcow2(disk), &r, offset, iov_length(iov, iovcnt),
			      read_request_piece);
}

/* The L2 table for GUEST, allocated if there is none yet: a new table is
 * zeroed in the cache, and reaches the file, and its L1 entry, at the next
 * commit. */
static int l2_table_for_write(struct qcow2_disk *q, uint64_t guest, uint64_t *l2_offset)
{
	uint64_t index = guest >> (q->h.cluster_bits + q->l2_bits);
	uint64_t offset;
	int ret = l2_table_of(q, guest, l2_offset);

	if (ret || *l2_offset) {
		if (!ret && !(q->l1[index] & QCOW2_FLAG_COPIED))
			return qcow2_corrupt(q, "L1 entry %llu: L2 table shared (COPIED flag clear), "
					     "not supported for writing", (unsigned long long)index);
		return ret;
	}
	offset = qcow2_alloc_clusters(q, 1);
	if (!offset)
		return qcow2_corrupt(q, "file would exceed 2^56 bytes");
	if ((ret = qcow2_refcount_add(q, offset, 1)) ||
	    (ret = qcow2_cache_new(q, &q->l2_cache, offset, index)))
		return ret;
	q->l1[index] = offset | QCOW2_FLAG_COPIED;
	*l2_offset = offset;
	return 0;
}

static int lookup_for_write(struct qcow2_disk *q, uint64_t guest, uint64_t *l2_offset,
			    struct cluster *c)
{
	uint8_t *table;
	int ret = l2_table_for_write(q, guest, l2_offset);

	if (!ret)
		ret = qcow2_cache_get(q, &q->l2_cache, *l2_offset, &table);
	if (!ret)
		ret = classify(q, guest, get_be64(table + 8 * l2_index(q, guest)), c);
	return ret;
}

static int set_l2_entry(struct qcow2_disk *q, uint64_t l2_offset, uint64_t guest, uint64_t entry)
{
	uint64_t be = htobe64(entry);

	return qcow2_cache_write(q, &q->l2_cache, l2_offset, 8 * l2_index(q, guest), &be,
				 sizeof(be));
}

/* Drops the reference an old L2 entry held, once the change of the entry
 * is on the disk (qcow2_commit.c). A cluster only this entry used gives
 * its space back to the host file system then. */
static int release(struct qcow2_disk *q, const struct cluster *old)
{
	if (old->kind == CLUSTER_COMPRESSED)
		return qcow2_free_later(q, old->host & ~511ull, old->compressed_len + (old->host & 511),
					false);
	if (!old->host)
		return 0;
	return qcow2_free_later(q, old->host, q->cluster_size, old->entry & QCOW2_FLAG_COPIED);
}

/* Whether cluster C is this image's own, to be written where it is. */
static bool in_place(const struct cluster *c)
{
	return c->kind == CLUSTER_NORMAL && (c->entry & QCOW2_FLAG_COPIED);
}

/* N bytes from IOV at SKIP to the file at HOST, in one pwritev. */
static int write_at(struct qcow2_disk *q, uint64_t host, const struct iovec *iov, int iovcnt,
		    size_t skip, size_t n)
{
	struct iovec piece[IOV_MAX_SEGS];
	int k = iov_slice(iov, iovcnt, skip, n, piece);
	int ret = fd_pwritev_full(q->fd, piece, k, host);

	return ret ? qcow2_corrupt(q, "write at 0x%llx: %s", (unsigned long long)host,
				   strerror(-ret)) : 0;
}

/* N bytes at guest POS from IOV at SKIP into cluster C, written in place:
 * N within C, or running on through clusters that follow it in the file. */
static int write_in_place(struct qcow2_disk *q, const struct cluster *c, uint64_t pos, size_t n,
			  const struct iovec *iov, int iovcnt, size_t skip)
{
	return write_at(q, c->host + (pos & (q->cluster_size - 1)), iov, iovcnt, skip, n);
}

/* Writes N bytes at guest POS (inside one cluster) from IOV at SKIP, or
 * zeros when IOV is NULL. */
static int write_piece(struct qcow2_disk *q, uint64_t pos, size_t n, const struct iovec *iov,
		       int iovcnt, size_t skip)
{
	size_t in = pos & (q->cluster_size - 1);
	uint64_t cluster_start = pos - in;
	struct iovec zero = { .iov_base = q->zeros, .iov_len = n };
	struct iovec whole = { .iov_base = q->cow_buf, .iov_len = q->cluster_size };
	uint64_t l2_offset, host;
	struct cluster old;
	int ret;

	if (!iov) {
		iov = &zero;
		iovcnt = 1;
		skip = 0;
	}
	ret = lookup_for_write(q, pos, &l2_offset, &old);
	if (ret)
		return ret;
	if (in_place(&old))
		return write_in_place(q, &old, pos, n, iov, iovcnt, skip);
	/* Copy on write: the old contents around the new bytes. */
	if (n < q->cluster_size) {
		ret = read_piece(q, &old, &whole, 1, 0, cluster_start, q->cluster_size);
		if (ret)
			return ret;
	}
	iov_to_buf(iov, iovcnt, skip, q->cow_buf + in, n);
	host = qcow2_alloc_clusters(q, 1);
	if (!host)
		return qcow2_corrupt(q, "file would exceed 2^56 bytes");
	ret = fd_pwrite_full(q->fd, q->cow_buf, q->cluster_size, host);
	if (ret)
		return qcow2_corrupt(q, "write at 0x%llx: %s", (unsigned long long)host,
				     strerror(-ret));
	ret = qcow2_refcount_add(q, host, 1);
	if (!ret)
		ret = set_l2_entry(q, l2_offset, pos, host | QCOW2_FLAG_COPIED);
	return ret ? ret : release(q, &old);
}

/* Whole clusters in a row that each need a new cluster: unallocated, or
 * not this image's own to write in place. */
struct new_run {
	size_t count;
	uint64_t l2_offset[NEW_RUN_MAX];
	struct cluster old[NEW_RUN_MAX];
};

/* The run of such clusters that starts at POS (cluster-aligned) and that
 * R's data covers whole; RUN->count 0 when there is none. */
static int find_new_run(struct qcow2_disk *q, const struct request *r, uint64_t pos,
			struct new_run *run)
{
	run->count = 0;
	for (uint64_t at = pos; run->count < NEW_RUN_MAX && r->end - at >= q->cluster_size;
	     at += q->cluster_size) {
		struct cluster *old = &run->old[run->count];
		int ret = lookup_for_write(q, at, &run->l2_offset[run->count], old);

		if (ret)
			return ret;
		if (in_place(old))
			break;
		run->count++;
	}
	return 0;
}

/* Writes RUN from R's data at DONE: its new clusters are taken together
 * at the end of the file, after any L2 table the lookups made, so they
 * follow each other there and the data goes in one pwritev straight from
 * the request, with nothing to copy on write and one refcount write. */
static int write_new_run(struct qcow2_disk *q, const struct request *r, uint64_t pos,
			 const struct new_run *run, size_t done)
{
	size_t length = run->count * q->cluster_size;
	uint64_t host = qcow2_alloc_clusters(q, run->count);
	int ret;

	if (!host)
		return qcow2_corrupt(q, "file would exceed 2^56 bytes");
	ret = write_at(q, host, r->iov, r->iovcnt, done, length);
	if (!ret)
		ret = qcow2_refcount_add_range(q, host, length, 1);
	for (size_t i = 0; !ret && i < run->count; i++) {
		uint64_t at = i * q->cluster_size;

		ret = set_l2_entry(q, run->l2_offset[i], pos + at, (host + at) | QCOW2_FLAG_COPIED);
		if (!ret)
			ret = release(q, &run->old[i]);
	}
	return ret;
}

/* A piece of a write: a run of whole clusters that need new ones, or
 * clusters written in place that follow each other in the file (one
 * pwritev either way: a sequential write is mostly such runs), or one
 * cluster's part. */
static int write_request_piece(struct qcow2_disk *q, const struct request *r, uint64_t pos,
			       size_t *n, size_t done)
{
	uint64_t cluster_start = pos & ~(q->cluster_size - 1);
	struct cluster c, next;
	int ret;

	if (r->iov && pos == cluster_start) {
		struct new_run run;

		if ((ret = find_new_run(q, r, pos, &run)))
			return ret;
		if (run.count) {
			*n = run.count * q->cluster_size;
			return write_new_run(q, r, pos, &run, done);
		}
	}
	if ((ret = lookup(q, pos, &c)))
		return ret;
	if (!r->iov || !in_place(&c))
		return write_piece(q, pos, *n, r->iov, r->iovcnt, done);
	while (pos + *n < r->end && !lookup(q, pos + *n, &next) && in_place(&next) &&
	       next.host == c.host + (pos + *n - cluster_start))
		*n += piece_length(q, pos + *n, r->end);
	return write_in_place(q, &c, pos, *n, r->iov, r->iovcnt, done);
}

static int qcow2_writev(struct disk *disk, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct request r = { .iov = iov, .iovcnt = iovcnt };

	return for_each_piece(to_qcow2(disk), &r, offset, iov_length(iov, iovcnt),
			      write_request_piece);
}

static int qcow2_flush(struct disk *disk)
{
	return qcow2_commit(to_qcow2(disk));
}

/* Already reads as zeros without a backing file's data under it. */
static bool reads_as_zeros(const struct qcow2_disk *q, const struct cluster *c, uint64_t pos)
{
	return c->kind == CLUSTER_ZERO ||
	       (c->kind == CLUSTER_UNALLOCATED && (!q->backing || pos >= q->backing->size));
}

/* Makes the whole guest cluster at POS a zero cluster: freeing its data
 * when UNMAP, keeping it allocated (preallocated zero) otherwise. */
static int zero_cluster(struct qcow2_disk *q, uint64_t pos, bool unmap)
{
	uint64_t l2_offset, entry = QCOW2_FLAG_ZERO;
	struct cluster old;
	int ret = lookup(q, pos, &old);

	if (ret || (reads_as_zeros(q, &old, pos) && (!unmap || !old.host)))
		return ret;
	ret = lookup_for_write(q, pos, &l2_offset, &old);
	if (ret)
		return ret;
	if (!unmap && old.kind != CLUSTER_COMPRESSED && (old.entry & QCOW2_FLAG_COPIED))
		entry |= old.host | QCOW2_FLAG_COPIED;
	ret = set_l2_entry(q, l2_offset, pos, entry);
	if (ret || (entry & QCOW2_FLAG_COPIED))
		return ret;
	return release(q, &old);
}

/* Whole clusters become zero clusters; partial ones are written with zeros
 * when write_partial and otherwise left as they are. */
static int zero_piece(struct qcow2_disk *q, const struct request *r, uint64_t pos, size_t *n,
		      size_t done)
{
	struct cluster c;
	int ret;

	(void)done;
	if (*n == q->cluster_size)
		return zero_cluster(q, pos, r->unmap);
	if (!r->write_partial)
		return 0;	/* discard: part of a cluster stays as it is */
	ret = lookup(q, pos, &c);
	if (ret || reads_as_zeros(q, &c, pos))
		return ret;
	return write_piece(q, pos, *n, NULL, 0, 0);
}

static int qcow2_discard(struct disk *disk, uint64_t offset, uint64_t length)
{
	struct request r = { .unmap = true };

	return for_each_piece(to_qcow2(disk), &r, offset, length, zero_piece);
}

static int qcow2_write_zeroes(struct disk *disk, uint64_t offset, uint64_t length, bool may_unmap)
{
	struct request r = { .unmap = may_unmap, .write_partial = true };

	return for_each_piece(to_qcow2(disk), &r, offset, length, zero_piece);
}

const struct disk_ops qcow2_ops = {
	.readv = qcow2_readv,
	.writev = qcow2_writev,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};
