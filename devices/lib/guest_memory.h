/* Guest memory as a vhost-user backend sees it: the regions of the
 * frontend's memory table (SET_MEM_TABLE), each mapped from its memfd. It
 * is the only way a device reaches guest memory, and every translation
 * checks the whole range, never just its first byte. */
#ifndef DEVICES_LIB_GUEST_MEMORY_H
#define DEVICES_LIB_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define GUEST_MEMORY_MAX_REGIONS 8	/* VHOST_MEMORY_BASELINE_NREGIONS */

struct guest_memory_region {
	uint64_t gpa;		/* guest physical address of the first byte */
	uint64_t size;
	uint64_t uaddr;		/* the frontend's virtual address of the first byte */
	uint8_t *host;		/* our mapping of the first byte */
	void *map_base;		/* what munmap gets (NULL: not ours to unmap) */
	size_t map_len;
	dev_t file_dev;		/* the mapped file's identity and range, so no two */
	ino_t file_ino;		/* regions map the same memory */
	uint64_t file_offset;
};

/* [a, a + alen) and [b, b + blen) share a byte. */
static inline bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

struct guest_memory {
	unsigned nregions;
	struct guest_memory_region regions[GUEST_MEMORY_MAX_REGIONS];
};

/* Adds a region already mapped at HOST (tests use their own buffers).
 * Returns 0, or -1 with a message in err when the table is full, the region
 * is empty, wraps around, or overlaps another in gpa or uaddr. */
int guest_memory_add(struct guest_memory *mem, uint64_t gpa, uint64_t size, uint64_t uaddr,
		     void *host, char *err, size_t errlen);

/* Maps SIZE bytes at OFFSET of FD (shared, read-write) and adds them. FD
 * must be a file that holds the whole range and is sealed against
 * shrinking (F_SEAL_SHRINK), so no page of the mapping can ever fault with
 * SIGBUS, and no other region may map any of the same bytes of it: one
 * guest address, one place in memory (else rings that look apart could
 * alias, and the device's writes move the driver's indices). */
int guest_memory_map(struct guest_memory *mem, int fd, uint64_t offset, uint64_t gpa,
		     uint64_t size, uint64_t uaddr, char *err, size_t errlen);

/* Unmaps what guest_memory_map mapped; leaves the table empty. */
void guest_memory_clear(struct guest_memory *mem);

/* The host pointer for [gpa, gpa + len) when the whole range lies in one
 * region, else NULL. len 0 is treated as 1. */
void *guest_memory_gpa(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/* The same for a frontend virtual address (vring addresses are given so). */
void *guest_memory_uaddr(const struct guest_memory *mem, uint64_t uaddr, uint64_t len);

/* Appends [gpa, gpa + len) to iov as one entry per region it crosses.
 * Returns the number of entries added, or -1 when part of the range is
 * outside every region or more than max entries would be needed. */
int guest_memory_iov(const struct guest_memory *mem, uint64_t gpa, uint64_t len,
		     struct iovec *iov, unsigned max);

#endif
