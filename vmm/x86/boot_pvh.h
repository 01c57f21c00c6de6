/* PVH boot (Xen's x86 PVH boot ABI, also Linux's and the test guest's):
 * ELF segments loaded at their physical addresses, struct hvm_start_info
 * (version 1) at LAYOUT_PVH_START_INFO with the command line, the e820 map,
 * the RSDP, and the modules (ramdisk first, as Linux expects, then the
 * device tree). */
#ifndef VMM_X86_BOOT_PVH_H
#define VMM_X86_BOOT_PVH_H

#include <stdint.h>

#include "vmm/x86/boot.h"

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	/* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

int boot_pvh_load(const struct guest_mem *gm, const struct machine_desc *m,
		  const struct boot_input *in, struct boot_entry *entry,
		  char *err, size_t errlen);

#endif
