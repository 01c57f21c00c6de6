/* Loading a kernel into guest memory, chosen by the image's content: an
 * ELF with a PVH entry note boots through PVH (boot_pvh.c), a bzImage
 * ("HdrS") through Linux's 64-bit boot protocol (boot_bzimage.c). Both put
 * the command line at LAYOUT_CMDLINE and the device tree, when there is
 * one, at LAYOUT_SETUP_DATA. */
#ifndef VMM_X86_BOOT_H
#define VMM_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/x86/boot_cpu.h"
#include "vmm/x86/machine.h"

enum boot_image_kind {
	BOOT_IMAGE_PVH_ELF,
	BOOT_IMAGE_BZIMAGE,
};

struct boot_input {
	const char *kernel_name;	/* "kernel '/x'" */
	int kernel_fd;
	const char *ramdisk_name;
	int ramdisk_fd;			/* -1: none */
	const char *cmdline;		/* at most LAYOUT_CMDLINE_MAX - 1 bytes */
	const void *dtb;		/* NULL: none */
	size_t dtb_size;
	uint64_t rsdp;			/* guest-physical; 0: no ACPI tables */
};

/* By content; the error says the file is neither. */
int boot_probe(int fd, const char *what, enum boot_image_kind *kind,
	       char *err, size_t errlen);

/* Loads kernel, ramdisk, command line, device tree and boot information;
 * returns how to enter the kernel. */
int boot_load(const struct guest_mem *gm, const struct machine_desc *m,
	      const struct boot_input *in, struct boot_entry *entry,
	      char *err, size_t errlen);

/* Shared by the loaders. */
int boot_write_cmdline(const struct guest_mem *gm, const char *cmdline);
/* Places the ramdisk at the highest page-aligned address that ends at or
 * below limit and starts at or above floor. */
int boot_load_ramdisk(const struct guest_mem *gm, const struct boot_input *in,
		      uint64_t floor, uint64_t limit, uint64_t *addr, uint64_t *size,
		      char *err, size_t errlen);

#endif
