/* The loads bench/blk measures, shared by blk-io (in the guest) and
 * blk-host (on the host) so both walk the same offsets: sequential 1 MiB
 * requests wrapping at the end of the disk, or 4 KiB requests at random
 * aligned offsets from one fixed xorshift64 seed. Header-only: blk-io is
 * built alone, static, for the guest. */
#ifndef BENCH_BLK_LOAD_H
#define BENCH_BLK_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BLK_LOAD_SEQ_BLOCK (1u << 20)
#define BLK_LOAD_RAND_BLOCK 4096u

struct blk_load {
	bool random, write;
	uint32_t block;		/* bytes a request */
	uint64_t blocks;	/* requests that fit the disk */
	uint64_t next, seed;
};

/* MODE: seqread, seqwrite or randread. False for anything else. */
static inline bool blk_load_init(struct blk_load *l, const char *mode, uint64_t disk_bytes)
{
	if (strcmp(mode, "seqread") && strcmp(mode, "seqwrite") && strcmp(mode, "randread"))
		return false;
	l->random = strcmp(mode, "randread") == 0;
	l->write = strcmp(mode, "seqwrite") == 0;
	l->block = l->random ? BLK_LOAD_RAND_BLOCK : BLK_LOAD_SEQ_BLOCK;
	l->blocks = disk_bytes / l->block;
	l->next = 0;
	l->seed = 88172645463325252ull;
	return true;
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
