#include "vmm/x86/boot_pvh.h"

#include <stdio.h>
#include <string.h>

#include "vmm/image_file.h"
#include "vmm/x86/e820.h"
#include "vmm/x86/elf.h"
#include "vmm/x86/layout.h"

#define MAX_MODULES 2

/* Everything the start info points at, in one page. */
struct pvh_page {
	struct hvm_start_info info;
	struct hvm_modlist_entry modules[MAX_MODULES];
	struct hvm_memmap_table_entry memmap[E820_MAX_ENTRIES];
};

_Static_assert(sizeof(struct pvh_page) <= LAYOUT_ZERO_PAGE - LAYOUT_PVH_START_INFO,
	       "PVH start info overlaps the zero page");

#define PVH_PADDR(field) (LAYOUT_PVH_START_INFO + offsetof(struct pvh_page, field))

/* Loads the PT_LOAD segments; returns the end of the highest one. BSS is
 * not cleared: guest memory starts zeroed, and touching it would cost. */
static int load_segments(const struct guest_mem *gm, int fd, const char *what,
			 const struct elf_image *img, uint64_t *end,
			 char *err, size_t errlen)
{
	*end = 0;
	for (unsigned int i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		if (s->paddr < LAYOUT_HIGH_RAM) {
			snprintf(err, errlen, "%s: ELF segment at %#llx is below 1 MiB, "
				 "where the vmm keeps boot data", what,
				 (unsigned long long)s->paddr);
			return -1;
		}
		if (!guest_mem_ptr(gm, s->paddr, s->memsz))
			return image_too_big(gm, what, s->paddr + s->memsz, err, errlen);
		if (image_load(gm, fd, what, s->offset, s->filesz, s->paddr, err, errlen) < 0)
			return -1;
		if (s->paddr + s->memsz > *end)
			*end = s->paddr + s->memsz;
	}
	return 0;
}

static void add_module(struct pvh_page *p, uint64_t paddr, uint64_t size)
{
	p->modules[p->info.nr_modules++] = (struct hvm_modlist_entry){
		.paddr = paddr, .size = size,
	};
}

int boot_pvh_load(const struct guest_mem *gm, const struct machine_desc *m,
		  const struct boot_input *in, struct boot_entry *entry,
		  char *err, size_t errlen)
{
	struct elf_image img;
	struct e820_entry e820[E820_MAX_ENTRIES];
	struct pvh_page *p = guest_mem_ptr(gm, LAYOUT_PVH_START_INFO, sizeof(*p));
	uint64_t kernel_end, rd_addr, rd_size;
	unsigned int n;

	if (elf_parse(in->kernel_fd, in->kernel_name, &img, err, errlen) < 0)
		return -1;
	if (!p || boot_write_cmdline(gm, in->cmdline) < 0)
		return image_too_big(gm, "the boot information", LAYOUT_HIGH_RAM, err, errlen);
	if (load_segments(gm, in->kernel_fd, in->kernel_name, &img, &kernel_end,
			  err, errlen) < 0)
		return -1;
	if (boot_load_ramdisk(gm, in, kernel_end, UINT64_MAX, &rd_addr, &rd_size,
			      err, errlen) < 0)
		return -1;

	memset(p, 0, sizeof(*p));
	p->info.magic = HVM_START_MAGIC;
	p->info.version = 1;
	p->info.cmdline_paddr = LAYOUT_CMDLINE;
	p->info.rsdp_paddr = in->rsdp;
	p->info.modlist_paddr = PVH_PADDR(modules);
	if (rd_size)
		add_module(p, rd_addr, rd_size);
	if (in->dtb) {
		void *dst = guest_mem_ptr(gm, LAYOUT_SETUP_DATA, in->dtb_size);

		if (!dst || in->dtb_size > LAYOUT_SETUP_DATA_MAX) {
			snprintf(err, errlen, "dtb_overlay: device tree of %zu bytes "
				 "does not fit in %llu", in->dtb_size,
				 (unsigned long long)LAYOUT_SETUP_DATA_MAX);
			return -1;
		}
		memcpy(dst, in->dtb, in->dtb_size);
		add_module(p, LAYOUT_SETUP_DATA, in->dtb_size);
	}
	n = e820_build(m, e820);
	for (unsigned int i = 0; i < n; i++)
		p->memmap[i] = (struct hvm_memmap_table_entry){
			.addr = e820[i].addr, .size = e820[i].size, .type = e820[i].type,
		};
	p->info.memmap_paddr = PVH_PADDR(memmap);
	p->info.memmap_entries = n;

	*entry = (struct boot_entry){
		.mode = BOOT_MODE_PVH32,
		.rip = img.pvh_entry,
		.arg = LAYOUT_PVH_START_INFO,
	};
	return 0;
}
