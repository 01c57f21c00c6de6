/* Linux's x86 boot protocol (Documentation/arch/x86/boot.rst), 64-bit entry:
 * the protected-mode kernel at its load address, a zero page (struct
 * boot_params) at LAYOUT_ZERO_PAGE holding the image's setup header, the
 * e820 map, command line, ramdisk and setup_data (SETUP_DTB); the vCPU
 * enters startup_64 (load address + 0x200) in long mode. */
#ifndef VMM_X86_BOOT_BZIMAGE_H
#define VMM_X86_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/boot.h"

/* The setup header lies within the image's first BZIMAGE_HEADER_END bytes. */
#define BZIMAGE_HEADER_START	0x1f1
#define BZIMAGE_HEADER_END	0x290

struct bzimage_info {
	uint16_t version;
	unsigned int setup_sects;	/* 512-byte sectors before the kernel */
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;		/* memory the kernel needs from its load address */
	uint32_t initrd_addr_max;	/* highest address the ramdisk may end at */
	uint32_t cmdline_size;		/* without the NUL */
	size_t header_len;		/* bytes of setup header from 0x1f1 */
};

bool bzimage_is_bzimage(const uint8_t *head, size_t len);

/* head: the image's first len bytes (at least BZIMAGE_HEADER_END). */
int bzimage_parse(const uint8_t *head, size_t len, const char *what,
		  struct bzimage_info *info, char *err, size_t errlen);

int boot_bzimage_load(const struct guest_mem *gm, const struct machine_desc *m,
		      const struct boot_input *in, struct boot_entry *entry,
		      char *err, size_t errlen);

#endif
