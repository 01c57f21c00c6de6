#include "bootinfo.h"

#include "libc.h"
#include "vmm/x86/pvh.h"

struct boot_info boot_info;

static const void *phys(uint64_t paddr)
{
	return (const void *)(uintptr_t)paddr;
}

void boot_info_copy(uint64_t start_info_paddr)
{
	const struct hvm_start_info *si = phys(start_info_paddr);

	boot_info.start_info_paddr = start_info_paddr;
	boot_info.magic = si->magic;
	boot_info.version = si->version;
	if (si->magic != HVM_START_MAGIC)
		return;
	boot_info.valid = true;
	boot_info.rsdp_paddr = si->rsdp_paddr;

	if (si->cmdline_paddr) {
		const char *s = phys(si->cmdline_paddr);

		boot_info.has_cmdline = true;
		boot_info.cmdline_truncated = strnlen(s, LAYOUT_CMDLINE_MAX) == LAYOUT_CMDLINE_MAX;
		strlcopy(boot_info.cmdline, s, sizeof(boot_info.cmdline));
	}

	if (si->modlist_paddr) {
		const struct hvm_modlist_entry *m = phys(si->modlist_paddr);

		for (uint32_t i = 0; i < si->nr_modules; i++) {
			if (i == BOOT_MODULES_MAX) {
				boot_info.modules_truncated = true;
				break;
			}
			boot_info.modules[i] = (struct boot_module){ m[i].paddr, m[i].size };
			boot_info.nr_modules++;
		}
	}

	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *e = phys(si->memmap_paddr);

		for (uint32_t i = 0; i < si->memmap_entries; i++) {
			if (i == BOOT_MEMMAP_MAX) {
				boot_info.memmap_truncated = true;
				break;
			}
			boot_info.memmap[i] = (struct boot_memmap_entry){ e[i].addr, e[i].size, e[i].type };
			boot_info.memmap_entries++;
		}
	}
}

static uint64_t ram_bytes_below(uint64_t limit)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < boot_info.memmap_entries; i++) {
		const struct boot_memmap_entry *e = &boot_info.memmap[i];
		uint64_t end = e->addr + e->size;

		if (e->type != HVM_MEMMAP_TYPE_RAM || e->addr >= limit)
			continue;
		total += (end < limit ? end : limit) - e->addr;
	}
	return total;
}

uint64_t boot_ram_bytes(void)
{
	return ram_bytes_below(UINT64_MAX);
}

uint64_t boot_ram_bytes_below_1m(void)
{
	return ram_bytes_below(LAYOUT_HIGH_RAM);
}

bool boot_ram_matches(uint64_t bytes)
{
	uint64_t ram = boot_ram_bytes();

	return bytes == ram || bytes == ram + (LAYOUT_HIGH_RAM - boot_ram_bytes_below_1m());
}

const struct boot_memmap_entry *boot_ram_holding(uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < boot_info.memmap_entries; i++) {
		const struct boot_memmap_entry *e = &boot_info.memmap[i];

		if (e->type == HVM_MEMMAP_TYPE_RAM && e->addr <= start && end <= e->addr + e->size)
			return e;
	}
	return NULL;
}
