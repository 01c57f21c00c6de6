/* A few cluster-sized metadata tables kept in memory. The refcount block
 * cache is write-through: a change goes to the file at once (a refcount
 * that is too high is only a leak). The L2 cache is write-back: a changed
 * L2 table, and a new one, stays dirty in memory until qcow2_commit()
 * writes it in its turn (qcow2_commit.c), so a dirty table is never
 * evicted: wanting its slot commits first. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void qcow2_cache_init(struct qcow2_cache *c, size_t table_size, bool write_back)
{
	memset(c, 0, sizeof(*c));
	c->table_size = table_size;
	c->write_back = write_back;
}

void qcow2_cache_free(struct qcow2_cache *c)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++)
		free(c->slot[i].data);
}

static int find(const struct qcow2_cache *c, uint64_t offset)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++)
		if (c->slot[i].offset == offset)
			return i;
	return -1;
}

/* The least recently used clean slot, its memory allocated on first use
 * (most images touch few tables); -1 when every slot is dirty. */
static int clean_victim(struct qcow2_cache *c)
{
	int oldest = -1;

	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++)
		if (!c->slot[i].dirty && (oldest < 0 || c->slot[i].used < c->slot[oldest].used))
			oldest = i;
	if (oldest >= 0 && !c->slot[oldest].data)
		c->slot[oldest].data = malloc(c->table_size);
	return oldest >= 0 && c->slot[oldest].data ? oldest : -1;
}

/* A slot to reuse, committing the dirty tables when there is no clean one. */
static int victim(struct qcow2_disk *q, struct qcow2_cache *c, int *slot)
{
	int ret;

	*slot = clean_victim(c);
	if (*slot >= 0)
		return 0;
	if (c->write_back && (ret = qcow2_commit(q)))
		return ret;
	*slot = clean_victim(c);
	return *slot >= 0 ? 0 : qcow2_corrupt(q, "table cache: out of memory");
}

int qcow2_cache_get(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, uint8_t **table)
{
	int i = find(c, offset);
	int ret;

	if (i < 0) {
		if ((ret = victim(q, c, &i)))
			return ret;
		c->slot[i].offset = 0;
		ret = fd_pread_full(q->fd, c->slot[i].data, c->table_size, offset, false);
		if (ret)
			return qcow2_corrupt(q, "reading table at 0x%llx: %s",
					     (unsigned long long)offset, strerror(-ret));
		c->slot[i].offset = offset;
	}
	c->slot[i].used = ++c->clock;
	*table = c->slot[i].data;
	return 0;
}

int qcow2_cache_new(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset,
		    uint64_t l1_index)
{
	int i, ret = victim(q, c, &i);

	if (ret)
		return ret;
	memset(c->slot[i].data, 0, c->table_size);
	c->slot[i].offset = offset;
	c->slot[i].used = ++c->clock;
	c->slot[i].dirty = true;
	c->slot[i].fresh = true;
	c->slot[i].l1_index = l1_index;
	return 0;
}

void qcow2_cache_put(struct qcow2_cache *c, uint64_t offset, const uint8_t *table)
{
	int i = find(c, offset);

	if (i < 0)
		i = clean_victim(c);
	if (i < 0)
		return;	/* not cached: it will be read back when needed */
	memcpy(c->slot[i].data, table, c->table_size);
	c->slot[i].offset = offset;
	c->slot[i].used = ++c->clock;
}

/* Write-through: to the file, then to the cached copy if there is one. */
static int write_through(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, size_t pos,
			 const void *bytes, size_t len)
{
	int i = find(c, offset);
	int ret = fd_pwrite_full(q->fd, bytes, len, offset + pos);

	if (ret) {
		/* The file may or may not hold the new bytes: forget the table. */
		if (i >= 0)
			c->slot[i].offset = 0;
		disk_set_error(&q->disk, "qcow2: writing metadata at 0x%llx: %s",
			       (unsigned long long)(offset + pos), strerror(-ret));
		return ret;
	}
	if (i >= 0)
		memmove(c->slot[i].data + pos, bytes, len);	/* BYTES may be the slot itself */
	return 0;
}

int qcow2_cache_write(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, size_t pos,
		      const void *bytes, size_t len)
{
	uint8_t *table;
	int ret;

	if (!c->write_back)
		return write_through(q, c, offset, pos, bytes, len);
	if ((ret = qcow2_cache_get(q, c, offset, &table)))
		return ret;
	memmove(table + pos, bytes, len);
	c->slot[find(c, offset)].dirty = true;
	return 0;
}

int qcow2_cache_write_dirty(struct qcow2_disk *q, struct qcow2_cache *c, bool fresh)
{
	for (int i = 0; i < QCOW2_CACHE_SLOTS; i++) {
		if (!c->slot[i].dirty || c->slot[i].fresh != fresh)
			continue;
		int ret = fd_pwrite_full(q->fd, c->slot[i].data, c->table_size, c->slot[i].offset);

		if (ret) {
			disk_set_error(&q->disk, "qcow2: writing the table at 0x%llx: %s",
				       (unsigned long long)c->slot[i].offset, strerror(-ret));
			return ret;
		}
	}
	return 0;
}
