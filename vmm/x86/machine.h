/* What a guest machine is made of, as the table builders (ACPI, device
 * tree, e820) need to know it. Filled once by the vmm from its config. */
#ifndef VMM_X86_MACHINE_H
#define VMM_X86_MACHINE_H

#include <stdint.h>

struct machine_desc {
	unsigned int ncpus;		/* 1..LAYOUT_MAX_CPUS; APIC ids 0..ncpus-1 */
	uint64_t ram_below_4g;		/* bytes of RAM from guest-physical 0 */
	uint64_t ram_above_4g;		/* bytes of RAM from LAYOUT_HIGH_MEM */
};

/* RAM fills guest-physical space from 0 up to the MMIO hole, the rest
 * continues at LAYOUT_HIGH_MEM (the config checks the total fits). */
void machine_desc_init(struct machine_desc *m, unsigned int ncpus,
		       uint64_t guest_memory);

#endif
