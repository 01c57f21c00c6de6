/* The PVH boot ABI (Xen's public arch-x86/hvm/start_info.h), version 1:
 * what a PVH kernel finds at the physical address in EBX on entry. Shared
 * by the vmm, which writes it, and testguest, which reads it; stdint only,
 * since testguest is freestanding. */
#ifndef VMM_X86_PVH_H
#define VMM_X86_PVH_H

#include <stdint.h>

#define HVM_START_MAGIC		0x336ec578u
#define HVM_MEMMAP_TYPE_RAM	1	/* e820 types otherwise */

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

#endif
