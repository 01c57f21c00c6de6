/* What the PVH loader needs from an ELF kernel: its loadable segments (by
 * physical address) and the PVH entry point from the Xen
 * XEN_ELFNOTE_PHYS32_ENTRY note. ELF32 and ELF64, x86, little-endian. */
#ifndef VMM_X86_ELF_H
#define VMM_X86_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t paddr;
	uint64_t offset;	/* in the file */
	uint64_t filesz;
	uint64_t memsz;
};

struct elf_image {
	unsigned int nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	bool has_pvh_entry;
	uint32_t pvh_entry;
};

bool elf_is_elf(const uint8_t *head, size_t len);

/* what names the file in errors ("kernel '/x'"). */
int elf_parse(int fd, const char *what, struct elf_image *img, char *err, size_t errlen);

#endif
