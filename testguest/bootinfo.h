/* What the PVH start info (struct hvm_start_info, Xen's
 * arch-x86/hvm/start_info.h) told us, copied at entry: the vmm may use
 * the low memory it lives in, and the AP trampoline overwrites some. */
#ifndef TESTGUEST_BOOTINFO_H
#define TESTGUEST_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/x86/layout.h"

#define BOOT_MEMMAP_MAX		64
#define BOOT_MODULES_MAX	8

struct boot_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;	/* 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable ... */
};

struct boot_module {
	uint64_t paddr;
	uint64_t size;
};

struct boot_info {
	uint64_t start_info_paddr;
	uint32_t magic;
	uint32_t version;
	bool valid;			/* the magic matched; nothing else is copied otherwise */
	bool has_cmdline;
	char cmdline[LAYOUT_CMDLINE_MAX];
	bool cmdline_truncated;
	uint64_t rsdp_paddr;
	struct boot_memmap_entry memmap[BOOT_MEMMAP_MAX];
	unsigned memmap_entries;
	bool memmap_truncated;
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned nr_modules;
	bool modules_truncated;
};

extern struct boot_info boot_info;

void boot_info_copy(uint64_t start_info_paddr);

/* The RAM entry holding [start, end), or NULL. */
const struct boot_memmap_entry *boot_ram_holding(uint64_t start, uint64_t end);

/* Bytes of RAM in the memory map, in all and below 1 MiB. */
uint64_t boot_ram_bytes(void);
uint64_t boot_ram_bytes_below_1m(void);

/* Whether a machine said to have `bytes` of memory matches the map: the
 * RAM total equals it, or does once the legacy hole below 1 MiB (EBDA,
 * VGA, BIOS: RAM the machine has but the map reserves) is added. */
bool boot_ram_matches(uint64_t bytes);

#endif
