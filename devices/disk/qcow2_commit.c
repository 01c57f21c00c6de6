/* The order in which QCOW2 metadata reaches the disk, so that a power
 * loss at any moment leaves an image whose worst fault is a leaked cluster
 * (QEMU's order; docs/interop/qcow2.txt leaves it to the writer).
 *
 * The page cache writes back in any order, so "before" on the disk needs
 * an fdatasync between the two writes:
 * - data and refcount increments before the L2 entry that exposes them:
 *   else an entry could point at a cluster whose data never arrived
 *   (zeros, past the old end of the file) or whose refcount is still 0,
 *   which QEMU would then hand out again while the entry still uses it;
 * - a new L2 table before the L1 entry that points at it; a new refcount
 *   block before its refcount table entry, a new refcount table before the
 *   header (qcow2_refcount.c syncs those itself: they are rare);
 * - an L2 entry that stops using a cluster before that cluster's refcount
 *   goes down (or its space is punched): else a cluster still in use could
 *   look free.
 *
 * One fdatasync per allocating write would make each such write wait for
 * the disk, so the exposing writes are batched as QEMU batches them: data
 * and refcount increments go to the file at once, while changed and new L2
 * tables stay dirty in the write-back L2 cache and freed clusters wait in
 * a list. A commit, at the guest's flush, when a dirty table's cache slot
 * is wanted, when the list is full, and at close, then does:
 *
 *   new L2 tables (nothing points at them yet)   fdatasync
 *   changed L2 tables, L1 entries of the new     fdatasync
 *   refcount decrements, punched holes           (synced by the next commit)
 *
 * So a flush costs two fdatasyncs instead of one when allocations happened
 * since the last. A kill of the process loses what the guest wrote since its
 * last flush into clusters it allocated (their refcounts leak), as a power
 * loss may: the guest was told nothing was on the disk before the flush. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <unistd.h>

int qcow2_sync(struct qcow2_disk *q, const char *before)
{
	if (fdatasync(q->fd) == 0)
		return 0;
	int ret = -errno;

	disk_set_error(&q->disk, "qcow2: fdatasync before %s: %s", before, strerror(-ret));
	return ret;
}

static bool any_dirty(const struct qcow2_cache *c)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++)
		if (c->slot[i].dirty)
			return true;
	return false;
}

static int write_l1_entries_of_fresh(struct qcow2_disk *q, struct qcow2_cache *c)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++) {
		if (!c->slot[i].dirty || !c->slot[i].fresh)
			continue;
		uint64_t index = c->slot[i].l1_index;
		uint64_t be = htobe64(q->l1[index]);
		int ret = fd_pwrite_full(q->fd, &be, sizeof(be), q->h.l1_offset + index * 8);

		if (ret) {
			disk_set_error(&q->disk, "qcow2: writing L1 entry %llu: %s",
				       (unsigned long long)index, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void mark_clean(struct qcow2_cache *c)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++)
		c->slot[i].dirty = c->slot[i].fresh = false;
}

/* The refcounts of clusters no entry on the disk uses any more go down. */
static int apply_frees(struct qcow2_disk *q)
{
	while (q->nfrees > 0) {
		struct qcow2_free f = q->frees[--q->nfrees];
		int ret = qcow2_refcount_add_range(q, f.offset, f.length, -1);

		if (ret)
			return ret;
		/* Give the space back where the file system can (best effort). */
		if (f.punch)
			(void)fallocate(q->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					(off_t)f.offset, (off_t)f.length);
	}
	return 0;
}

int qcow2_commit(struct qcow2_disk *q)
{
	int ret;

	if (!any_dirty(&q->l2_cache)) {
		ret = qcow2_sync(q, "the guest's flush returns");
		return ret ? ret : apply_frees(q);
	}
	if ((ret = qcow2_cache_write_dirty(q, &q->l2_cache, true)) ||
	    (ret = qcow2_sync(q, "L2 and L1 entries point at new data")) ||
	    (ret = qcow2_cache_write_dirty(q, &q->l2_cache, false)) ||
	    (ret = write_l1_entries_of_fresh(q, &q->l2_cache)) ||
	    (ret = qcow2_sync(q, "refcounts go down")))
		return ret;
	mark_clean(&q->l2_cache);
	return apply_frees(q);
}

int qcow2_free_later(struct qcow2_disk *q, uint64_t offset, uint64_t length, bool punch)
{
	int ret;

	if (q->nfrees == QCOW2_MAX_FREES && (ret = qcow2_commit(q)))
		return ret;
	q->frees[q->nfrees++] = (struct qcow2_free){ offset, length, punch };
	return 0;
}
