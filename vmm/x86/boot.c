#include "vmm/x86/boot.h"

#include <stdio.h>
#include <string.h>

#include "vmm/image_file.h"
#include "vmm/x86/boot_bzimage.h"
#include "vmm/x86/boot_pvh.h"
#include "vmm/x86/elf.h"
#include "vmm/x86/layout.h"

#define PAGE_MASK 0xfffULL

int boot_probe(int fd, const char *what, enum boot_image_kind *kind,
	       char *err, size_t errlen)
{
	uint8_t head[BZIMAGE_HEADER_END];
	uint64_t size;

	if (image_size(fd, what, &size, err, errlen) < 0)
		return -1;
	memset(head, 0, sizeof(head));
	if (image_read(fd, what, 0, head, size < sizeof(head) ? size : sizeof(head),
		       err, errlen) < 0)
		return -1;
	if (elf_is_elf(head, sizeof(head))) {
		*kind = BOOT_IMAGE_PVH_ELF;
		return 0;
	}
	if (bzimage_is_bzimage(head, sizeof(head))) {
		*kind = BOOT_IMAGE_BZIMAGE;
		return 0;
	}
	snprintf(err, errlen, "%s: not a PVH ELF or bzImage", what);
	return -1;
}

int boot_load(const struct guest_mem *gm, const struct machine_desc *m,
	      const struct boot_input *in, struct boot_entry *entry,
	      char *err, size_t errlen)
{
	enum boot_image_kind kind;

	if (boot_probe(in->kernel_fd, in->kernel_name, &kind, err, errlen) < 0)
		return -1;
	if (boot_cpu_write_gdt(gm) < 0)
		return image_too_big(gm, "the boot GDT", LAYOUT_BOOT_GDT, err, errlen);
	if (kind == BOOT_IMAGE_PVH_ELF)
		return boot_pvh_load(gm, m, in, entry, err, errlen);
	return boot_bzimage_load(gm, m, in, entry, err, errlen);
}

int boot_write_cmdline(const struct guest_mem *gm, const char *cmdline)
{
	size_t len = strlen(cmdline) + 1;
	char *dst = guest_mem_ptr(gm, LAYOUT_CMDLINE, len);

	if (len > LAYOUT_CMDLINE_MAX || !dst)
		return -1;
	memcpy(dst, cmdline, len);
	return 0;
}

int boot_load_ramdisk(const struct guest_mem *gm, const struct boot_input *in,
		      uint64_t floor, uint64_t limit, uint64_t *addr, uint64_t *size,
		      char *err, size_t errlen)
{
	uint64_t top = gm->regions[0].size < limit ? gm->regions[0].size : limit;

	*addr = *size = 0;
	if (in->ramdisk_fd < 0)
		return 0;
	if (image_size(in->ramdisk_fd, in->ramdisk_name, size, err, errlen) < 0)
		return -1;
	top &= ~PAGE_MASK;
	if (*size > top || ((top - *size) & ~PAGE_MASK) < floor) {
		snprintf(err, errlen, "guest_memory: %llu MiB is too small for %s "
			 "(%llu bytes) above the kernel's end at %#llx",
			 (unsigned long long)(gm->size >> 20), in->ramdisk_name,
			 (unsigned long long)*size, (unsigned long long)floor);
		return -1;
	}
	*addr = (top - *size) & ~PAGE_MASK;
	return image_load(gm, in->ramdisk_fd, in->ramdisk_name, 0, *size, *addr,
			  err, errlen);
}
