/* boot: what the PVH start info says about the machine. */
#include "bootinfo.h"
#include "cmdline.h"
#include "report.h"
#include "scenario.h"

extern const char __image_start[], __image_end[];	/* link.ld */

static bool check_memmap_order(void)
{
	uint64_t prev_end = 0;

	for (unsigned i = 0; i < boot_info.memmap_entries; i++) {
		const struct boot_memmap_entry *e = &boot_info.memmap[i];

		if (e->size == 0 || e->addr + e->size < e->addr)
			return report_check(false, "memmap_sorted", "entry %u: size %#lx at %#lx", i,
					    e->size, e->addr);
		if (i > 0 && e->addr < prev_end)
			return report_check(false, "memmap_sorted",
					    "entry %u at %#lx starts before entry %u ends (%#lx)", i,
					    e->addr, i - 1, prev_end);
		prev_end = e->addr + e->size;
	}
	return report_check(true, "memmap_sorted", "%u entries sorted, none overlap",
			    boot_info.memmap_entries);
}

static void check_expect_mem(void)
{
	uint64_t expect;
	bool bad;

	if (!param_u64("expect_mem", &expect, &bad))
		return;
	if (bad) {
		report_fail("expect_mem", "expect_mem='%s' is not a number", param("expect_mem"));
		return;
	}
	report_check(boot_ram_matches(expect), "expect_mem",
		     "expected %lu bytes, memory map has %lu bytes of RAM (%lu below 1 MiB)", expect,
		     boot_ram_bytes(), boot_ram_bytes_below_1m());
}

void scenario_boot(void)
{
	uint64_t image_start = (uintptr_t)__image_start, image_end = (uintptr_t)__image_end;
	const struct boot_memmap_entry *e;

	report_check(boot_info.version >= 1, "start_info", "magic %#x version %u at %#lx",
		     boot_info.magic, boot_info.version, boot_info.start_info_paddr);
	report_check(boot_info.has_cmdline && boot_info.cmdline[0] && !boot_info.cmdline_truncated,
		     "cmdline", "'%s'%s", boot_info.cmdline,
		     boot_info.cmdline_truncated ? " (truncated: no NUL within 2048 bytes)" : "");

	if (!report_check(boot_info.memmap_entries > 0 && !boot_info.memmap_truncated, "memmap",
			  "%u entries%s (start info version %u)", boot_info.memmap_entries,
			  boot_info.memmap_truncated ? ", more than the guest keeps" : "",
			  boot_info.version))
		return;
	for (unsigned i = 0; i < boot_info.memmap_entries; i++)
		report_info("memmap%u=%#lx+%#lx type=%u", i, boot_info.memmap[i].addr,
			    boot_info.memmap[i].size, boot_info.memmap[i].type);
	check_memmap_order();
	e = boot_ram_holding(0, 1);
	if (e)
		report_pass("ram_at_0", "RAM %#lx-%#lx", e->addr, e->addr + e->size);
	else
		report_fail("ram_at_0", "no RAM entry starts at 0");
	e = boot_ram_holding(LAYOUT_HIGH_RAM, image_end);
	if (e)
		report_pass("ram_holds_image", "RAM %#lx-%#lx holds the image %#lx-%#lx", e->addr,
			    e->addr + e->size, image_start, image_end);
	else
		report_fail("ram_holds_image", "no RAM entry covers 1 MiB to the image's end %#lx",
			    image_end);
	report_info("mem_bytes=%lu", boot_ram_bytes());
	check_expect_mem();
}
