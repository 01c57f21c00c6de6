/* A few cluster-sized metadata tables kept in memory. Writes go to the file
 * at once (write-through), so the cache never holds anything the file
 * lacks and a crash loses nothing the cache knew. */
#include "devices/disk/file_io.h"
#include "devices/disk/qcow2.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void qcow2_cache_init(struct qcow2_cache *c, size_t table_size)
{
	memset(c, 0, sizeof(*c));
	c->table_size = table_size;
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

/* The slot to reuse: the least recently used, its memory allocated on
 * first use (most images touch few tables). */
static int victim(struct qcow2_cache *c)
{
	int oldest = 0;

	for (int i = 1; i < QCOW2_CACHE_SLOTS; i++)
		if (c->slot[i].used < c->slot[oldest].used)
			oldest = i;
	if (!c->slot[oldest].data)
		c->slot[oldest].data = malloc(c->table_size);
	return c->slot[oldest].data ? oldest : -1;
}

int qcow2_cache_get(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, uint8_t **table)
{
	int i = find(c, offset);
	int ret;

	if (i < 0) {
		i = victim(c);
		if (i < 0)
			return qcow2_corrupt(q, "table cache: out of memory");
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

void qcow2_cache_put(struct qcow2_cache *c, uint64_t offset, const uint8_t *table)
{
	int i = find(c, offset);

	if (i < 0)
		i = victim(c);
	if (i < 0)
		return;	/* not cached: it will be read back when needed */
	memcpy(c->slot[i].data, table, c->table_size);
	c->slot[i].offset = offset;
	c->slot[i].used = ++c->clock;
}

int qcow2_cache_write(struct qcow2_disk *q, struct qcow2_cache *c, uint64_t offset, size_t pos,
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
