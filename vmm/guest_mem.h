/* Guest RAM: one memfd, mapped once, split into regions of guest-physical
 * space. The memfd and the region table are what device processes get
 * later (vhost-user SET_MEM_TABLE), so both stay reachable here. */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/machine.h"

#define GUEST_MEM_MAX_REGIONS 2

struct guest_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;
	uint64_t fd_offset;	/* offset in the memfd */
	uint8_t *hva;		/* host mapping of gpa */
};

struct guest_mem {
	int fd;			/* memfd; sealed against shrinking */
	uint64_t size;		/* bytes in the memfd */
	uint8_t *base;		/* host mapping of the whole memfd */
	unsigned int nregions;
	struct guest_region regions[GUEST_MEM_MAX_REGIONS];
};

/* Creates the memfd for m->ram_below_4g + m->ram_above_4g bytes and maps it:
 * RAM below the MMIO hole at guest-physical 0, the rest at LAYOUT_HIGH_MEM.
 * Pages are not touched. */
int guest_mem_create(struct guest_mem *gm, const struct machine_desc *m,
		     char *err, size_t errlen);
void guest_mem_destroy(struct guest_mem *gm);

/* Host pointer for [gpa, gpa + len) if it lies within one region, else NULL.
 * Use it for every access to guest memory: the guest controls addresses. */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

#endif
