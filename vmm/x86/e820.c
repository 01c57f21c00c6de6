#include "vmm/x86/e820.h"

#include "vmm/x86/layout.h"

static unsigned int add(struct e820_entry *out, unsigned int n, uint64_t start,
			uint64_t end, uint32_t type)
{
	out[n] = (struct e820_entry){ .addr = start, .size = end - start, .type = type };
	return n + 1;
}

unsigned int e820_build(const struct machine_desc *m, struct e820_entry *out)
{
	unsigned int n = 0;

	n = add(out, n, 0, LAYOUT_LOW_RAM_END, E820_RAM);
	n = add(out, n, LAYOUT_LOW_RAM_END, LAYOUT_ACPI_BASE, E820_RESERVED);
	n = add(out, n, LAYOUT_ACPI_BASE, LAYOUT_ACPI_BASE + LAYOUT_ACPI_SIZE, E820_ACPI);
	if (m->ram_below_4g > LAYOUT_HIGH_RAM)
		n = add(out, n, LAYOUT_HIGH_RAM, m->ram_below_4g, E820_RAM);
	if (m->ram_above_4g)
		n = add(out, n, LAYOUT_HIGH_MEM, LAYOUT_HIGH_MEM + m->ram_above_4g, E820_RAM);
	return n;
}
