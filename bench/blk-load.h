/* The loads bench/blk measures, shared by blk-io (in the guest) and
 * blk-host (on the host) so both walk the same offsets: sequential 1 MiB
 * requests wrapping at the end of the disk, or 4 KiB requests at random
 * aligned offsets from one fixed xorshift64 seed; random writes are
 * flushed every BLK_LOAD_FLUSH_EVERY, as a journaling file system commits
 * (on a new qcow2 overlay each one allocates: that load shows what ordering
 * the image's metadata costs). Header-only: blk-io is built alone, static,
 * for the guest. */
#ifndef BENCH_BLK_LOAD_H
#define BENCH_BLK_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BLK_LOAD_SEQ_BLOCK (1u << 20)
#define BLK_LOAD_RAND_BLOCK 4096u
#define BLK_LOAD_FLUSH_EVERY 16u

struct blk_load {
	bool random, write;
	uint32_t flush_every;	/* randwrite: a flush after this many writes; else 0 */
	uint32_t block;		/* bytes a request */
	uint64_t blocks;	/* requests that fit the disk */
	uint64_t next, seed;
};

/* MODE: seqread, seqwrite, randread or randwrite. False for anything else. */
static inline bool blk_load_init(struct blk_load *l, const char *mode, uint64_t disk_bytes)
{
	if (strcmp(mode, "seqread") && strcmp(mode, "seqwrite") && strcmp(mode, "randread") &&
	    strcmp(mode, "randwrite"))
		return false;
	l->random = strncmp(mode, "rand", 4) == 0;
	l->write = strcmp(mode + strlen(mode) - 5, "write") == 0;
	l->flush_every = l->random && l->write ? BLK_LOAD_FLUSH_EVERY : 0;
	l->block = l->random ? BLK_LOAD_RAND_BLOCK : BLK_LOAD_SEQ_BLOCK;
	l->blocks = disk_bytes / l->block;
	l->next = 0;
	l->seed = 88172645463325252ull;
	return true;
}

/* Whether the OPS-th request (counting from 1) is followed by a flush. */
static inline bool blk_load_flush_after(const struct blk_load *l, uint64_t ops)
{
	return l->flush_every && ops % l->flush_every == 0;
}

/* The byte offset of the next request (l->blocks must not be 0). */
static inline uint64_t blk_load_next(struct blk_load *l)
{
	if (!l->random)
		return l->next++ % l->blocks * l->block;
	l->seed ^= l->seed << 13, l->seed ^= l->seed >> 7, l->seed ^= l->seed << 17;
	return l->seed % l->blocks * l->block;
}

#endif
