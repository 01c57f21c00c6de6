/* The e820 memory map of the machine, as both boot protocols hand it to
 * the guest (the zero page's table; PVH's memmap). It matches struct
 * machine_desc and layout.h: RAM below the EBDA, the BIOS area reserved,
 * the ACPI tables as ACPI data, RAM from 1 MiB, RAM above 4 GiB. */
#ifndef VMM_X86_E820_H
#define VMM_X86_E820_H

#include <stdint.h>

#include "vmm/x86/machine.h"

#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3

#define E820_MAX_ENTRIES 8

/* The layout of Linux's struct boot_e820_entry. */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Fills out (E820_MAX_ENTRIES) in address order; returns the count. */
unsigned int e820_build(const struct machine_desc *m, struct e820_entry *out);

#endif
