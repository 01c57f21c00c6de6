#include "vmm/guest_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/x86/layout.h"

static void add_region(struct guest_mem *gm, uint64_t gpa, uint64_t size)
{
	struct guest_region *r = &gm->regions[gm->nregions++];
	uint64_t offset = r == gm->regions ? 0 : r[-1].fd_offset + r[-1].size;

	r->gpa = gpa;
	r->size = size;
	r->fd_offset = offset;
	r->hva = gm->base + offset;
}

int guest_mem_create(struct guest_mem *gm, const struct machine_desc *m,
		     char *err, size_t errlen)
{
	gm->size = m->ram_below_4g + m->ram_above_4g;
	gm->nregions = 0;
	gm->base = NULL;
	gm->fd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (gm->fd < 0) {
		snprintf(err, errlen, "guest memory: memfd_create: %s", strerror(errno));
		return -1;
	}
	/* Device processes map this fd too: once sized, nobody may shrink it
	 * under their mappings (a SIGBUS in the device) or grow it. */
	if (ftruncate(gm->fd, (off_t)gm->size) < 0 ||
	    fcntl(gm->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		snprintf(err, errlen, "guest memory: sizing memfd to %llu bytes: %s",
			 (unsigned long long)gm->size, strerror(errno));
		goto fail;
	}
	/* MAP_NORESERVE and no MAP_POPULATE: pages are allocated when the
	 * guest (or a loader) first touches them. */
	gm->base = mmap(NULL, gm->size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_NORESERVE, gm->fd, 0);
	if (gm->base == MAP_FAILED) {
		gm->base = NULL;
		snprintf(err, errlen, "guest memory: mmap of %llu bytes: %s",
			 (unsigned long long)gm->size, strerror(errno));
		goto fail;
	}
	/* Huge pages where the host lets shared memory have them
	 * (transparent_hugepage/shmem_enabled "advise" or more): a booting
	 * Linux touches a good part of its memory, and every 4 KiB page is a
	 * nested-page fault; elsewhere this changes nothing. */
	(void)madvise(gm->base, gm->size, MADV_HUGEPAGE);
	add_region(gm, 0, m->ram_below_4g);
	if (m->ram_above_4g)
		add_region(gm, LAYOUT_HIGH_MEM, m->ram_above_4g);
	return 0;
fail:
	close(gm->fd);
	gm->fd = -1;
	return -1;
}

void guest_mem_destroy(struct guest_mem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->size);
	if (gm->fd >= 0)
		close(gm->fd);
	gm->base = NULL;
	gm->fd = -1;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < gm->nregions; i++) {
		const struct guest_region *r = &gm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}
