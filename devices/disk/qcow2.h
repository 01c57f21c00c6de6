/* QCOW2 internals shared by qcow2*.c. The on-disk format is QEMU's
 * docs/interop/qcow2.txt: a header, an L1 table of L2 table offsets, L2
 * tables of cluster descriptors, and refcounts in a two-level table. All
 * fields are big-endian. Every value read from the file is untrusted. */
#ifndef DEVICES_DISK_QCOW2_H
#define DEVICES_DISK_QCOW2_H

#include "devices/disk/disk_impl.h"

#define QCOW2_MAGIC 0x514649fbu	/* "QFI\xfb" */
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
/* Limits on what we allocate for tables, as QEMU's: 32 MiB of L1, 8 MiB of
 * refcount table. */
#define QCOW2_MAX_L1_BYTES (32u << 20)
#define QCOW2_MAX_REFTABLE_BYTES (8u << 20)
#define QCOW2_MAX_SIZE (1ull << 56)	/* guest bytes */

/* Incompatible feature bits. */
#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2 (1ull << 4)

/* Entry layouts. */
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ull	/* bits 9..55 */
#define QCOW2_FLAG_COPIED (1ull << 63)		/* refcount is exactly 1 */
#define QCOW2_FLAG_COMPRESSED (1ull << 62)
#define QCOW2_FLAG_ZERO 1ull			/* v3: reads as zeros */
#define QCOW2_REFTABLE_OFFSET_MASK 0xfffffffffffffe00ull

/* The header as validated by qcow2_parse_header(). */
struct qcow2_header {
	uint32_t version;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t l1_size;
	uint64_t l1_offset;
	uint64_t reftable_offset;
	uint32_t reftable_clusters;
	uint32_t nb_snapshots;
	uint64_t incompatible;
	uint64_t autoclear;
	uint32_t refcount_order;
	uint32_t header_length;
	char backing_name[DISK_MAX_BACKING_NAME + 1];	/* "" when none */
	char backing_format[32];			/* "" when not stated */
};

/* Header byte offsets we write back. */
#define QCOW2_HDR_REFTABLE_OFFSET 48	/* u64 offset, then u32 clusters */
#define QCOW2_HDR_AUTOCLEAR 88

/* Checks the first cluster BUF (LEN bytes, at least the header's) of a file
 * of FILE_SIZE bytes. Returns 0, or -1 with a message naming the field and
 * what it may be, e.g. "qcow2 header: cluster_bits 7 out of range 9..21". */
int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size, bool writable,
		       struct qcow2_header *h, char *err, size_t errlen);

/* Reads the first cluster of the image at FD (FILE_SIZE bytes) and parses
 * it as above. */
int qcow2_read_header(int fd, uint64_t file_size, bool writable, struct qcow2_header *h, char *err,
		      size_t errlen);

/* The backing file the header declares (qcow2_backing.c): its format, of
 * which there must be one (never guessed), and opening it through the
 * chain. */
int qcow2_backing_format(const struct qcow2_header *h, enum disk_format *format, char *err,
			 size_t errlen);

/* A small cache of cluster-sized tables (L2 tables, refcount blocks),
 * least recently used out first (qcow2_cache.c): write-through for
 * refcount blocks, write-back for L2 tables (qcow2_commit.c). */
#define QCOW2_CACHE_SLOTS 8
struct qcow2_cache {
	size_t table_size;
	bool write_back;
	uint64_t clock;
	struct {
		uint64_t offset;	/* 0: empty */
		uint64_t used;
		uint8_t *data;
		bool dirty;		/* changed since the file last had it */
		bool fresh;		/* new: no L1 entry on disk points at it yet */
		uint64_t l1_index;	/* fresh: the L1 entry to point at it */
	} slot[QCOW2_CACHE_SLOTS];
};

/* A cluster range no L2 entry uses any more, whose refcount goes down
 * (and space back, when PUNCH) once the change is on the disk. */
struct qcow2_free {
	uint64_t offset, length;
	bool punch;
};
#define QCOW2_MAX_FREES 4096

struct qcow2_disk {
	struct disk disk;
	int fd;
	struct qcow2_header h;
	uint64_t cluster_size;
	uint64_t file_size;	/* grows with our writes */
	uint64_t alloc_end;	/* where the next cluster goes: the end of the file */
	unsigned l2_bits;	/* log2 of entries per L2 table */
	uint64_t *l1;		/* host byte order */
	uint64_t *reftable;	/* host byte order */
	uint64_t reftable_entries;
	unsigned refblock_bits;	/* log2 of entries per refcount block */
	struct qcow2_cache l2_cache;
	struct qcow2_cache refblock_cache;
	struct qcow2_free *frees;	/* QCOW2_MAX_FREES, waiting for the next commit */
	size_t nfrees;
	struct disk *backing;	/* NULL: unallocated clusters read as zeros */
	uint8_t *cluster_buf;	/* an inflated compressed cluster */
	uint8_t *cow_buf;	/* a cluster being rewritten (copy on write) */
	uint8_t *zeros;		/* a cluster of zeros */
	uint8_t *compressed_buf;	/* room for the largest compressed cluster */
	unsigned csize_shift;
	uint64_t csize_mask;
	uint64_t coffset_mask;
};

void qcow2_cache_init(struct qcow2_cache *c, size_t table_size, bool write_back);
void qcow2_cache_free(struct qcow2_cache *c);
/* The table at OFFSET (checked by the caller to lie inside the file). */
int qcow2_cache_get(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, uint8_t **table);
/* A new, zeroed table at OFFSET (write-back cache): dirty and fresh, for
 * L1 entry L1_INDEX. */
int qcow2_cache_new(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset,
		    uint64_t l1_index);
/* Stores a table just written to disk, so it need not be read back. */
void qcow2_cache_put(struct qcow2_cache *c, uint64_t offset, const uint8_t *table);
/* Changes LEN bytes at POS inside the table at OFFSET: in the file and the
 * cache (write-through), or in the cache, dirty (write-back). */
int qcow2_cache_write(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, size_t pos,
		      const void *bytes, size_t len);
/* Writes the dirty tables that are FRESH (or not) to the file. */
int qcow2_cache_write_dirty(struct qcow2_disk *q, struct qcow2_cache *c, bool fresh);

/* Metadata order (qcow2_commit.c). qcow2_commit() brings everything to the
 * disk in dependency order and ends with it synced (it is the flush);
 * qcow2_free_later() queues a range whose refcount goes down after the
 * next commit; qcow2_sync() is one fdatasync, with a message. */
int qcow2_commit(struct qcow2_disk *q);
int qcow2_free_later(struct qcow2_disk *q, uint64_t offset, uint64_t length, bool punch);
int qcow2_sync(struct qcow2_disk *q, const char *before);

/* Refcounts (qcow2_refcount.c). A new cluster comes from the end of the
 * file; its refcount is set once its contents are written. */
uint64_t qcow2_alloc_clusters(struct qcow2_disk *q, uint64_t n);
int qcow2_refcount_add(struct qcow2_disk *q, uint64_t host_offset, int delta);
/* Adds DELTA to every cluster overlapping [offset, offset + length). */
int qcow2_refcount_add_range(struct qcow2_disk *q, uint64_t offset, uint64_t length, int delta);

static inline struct qcow2_disk *to_qcow2(struct disk *disk)
{
	return (struct qcow2_disk *)disk;
}

/* Opens the backing file H declares, if any, into q->backing. */
int qcow2_open_backing(struct qcow2_disk *q, const struct disk_open_ctx *ctx, char *err,
		       size_t errlen);

/* The I/O side (qcow2.c) and its teardown (qcow2_open.c). */
extern const struct disk_ops qcow2_ops;
void qcow2_close(struct disk *disk);

/* Records a metadata problem as the disk's error and returns -EIO. */
int qcow2_corrupt(struct qcow2_disk *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
