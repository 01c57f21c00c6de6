#include "vmm/x86/machine.h"

#include "vmm/x86/layout.h"

void machine_desc_init(struct machine_desc *m, unsigned int ncpus,
		       uint64_t guest_memory)
{
	m->ncpus = ncpus;
	m->ram_below_4g = guest_memory < LAYOUT_MMIO_HOLE ? guest_memory : LAYOUT_MMIO_HOLE;
	m->ram_above_4g = guest_memory - m->ram_below_4g;
}
