#include "vmm/x86/elf.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/image_file.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MAX_PHDRS 64
#define MAX_NOTES_SIZE 0x10000

bool elf_is_elf(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

/* The program headers, widened to Elf64_Phdr whatever the class. */
static int read_phdrs(int fd, const char *what, const uint8_t *ident,
		      Elf64_Phdr *ph, unsigned int *count, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	size_t entsize;
	uint8_t buf[MAX_PHDRS * sizeof(Elf64_Phdr)];

	if (ident[EI_CLASS] == ELFCLASS64) {
		if (image_read(fd, what, 0, &eh, sizeof(eh), err, errlen) < 0)
			return -1;
		entsize = sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr e32;

		if (image_read(fd, what, 0, &e32, sizeof(e32), err, errlen) < 0)
			return -1;
		eh.e_machine = e32.e_machine;
		eh.e_phoff = e32.e_phoff;
		eh.e_phentsize = e32.e_phentsize;
		eh.e_phnum = e32.e_phnum;
		entsize = sizeof(Elf32_Phdr);
	}
	if (eh.e_machine != EM_X86_64 && eh.e_machine != EM_386) {
		snprintf(err, errlen, "%s: ELF for machine %u, not x86", what, eh.e_machine);
		return -1;
	}
	if (eh.e_phentsize != entsize || eh.e_phnum == 0 || eh.e_phnum > MAX_PHDRS) {
		snprintf(err, errlen, "%s: ELF: bad program headers (%u of %u bytes)",
			 what, eh.e_phnum, eh.e_phentsize);
		return -1;
	}
	if (image_read(fd, what, eh.e_phoff, buf, eh.e_phnum * entsize, err, errlen) < 0)
		return -1;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ident[EI_CLASS] == ELFCLASS64) {
			memcpy(&ph[i], buf + i * entsize, sizeof(ph[i]));
			continue;
		}
		Elf32_Phdr p;

		memcpy(&p, buf + i * entsize, sizeof(p));
		ph[i] = (Elf64_Phdr){
			.p_type = p.p_type, .p_offset = p.p_offset, .p_paddr = p.p_paddr,
			.p_filesz = p.p_filesz, .p_memsz = p.p_memsz,
		};
	}
	*count = eh.e_phnum;
	return 0;
}

/* Walks one PT_NOTE segment for the PVH entry note. Note headers have the
 * same layout in ELF32 and ELF64; name and desc are 4-byte aligned. */
static int find_pvh_note(int fd, const char *what, const Elf64_Phdr *ph,
			 struct elf_image *img, char *err, size_t errlen)
{
	uint8_t *notes;
	size_t pos = 0, size = ph->p_filesz;

	if (size > MAX_NOTES_SIZE)
		size = MAX_NOTES_SIZE;
	notes = malloc(size);
	if (!notes) {
		snprintf(err, errlen, "%s: out of memory", what);
		return -1;
	}
	if (image_read(fd, what, ph->p_offset, notes, size, err, errlen) < 0) {
		free(notes);
		return -1;
	}
	while (size - pos >= sizeof(Elf32_Nhdr)) {
		Elf32_Nhdr nh;
		size_t name_at = pos + sizeof(nh), desc_at, next;

		memcpy(&nh, notes + pos, sizeof(nh));
		desc_at = name_at + ((nh.n_namesz + 3ULL) & ~3ULL);
		next = desc_at + ((nh.n_descsz + 3ULL) & ~3ULL);
		if (next > size)
			break;
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh.n_namesz == 4 &&
		    memcmp(notes + name_at, "Xen", 4) == 0 &&
		    (nh.n_descsz == 4 || nh.n_descsz == 8)) {
			uint64_t entry = 0;

			/* Linux stores it pointer-sized, other kernels 32-bit. */
			memcpy(&entry, notes + desc_at, nh.n_descsz);
			img->has_pvh_entry = entry <= UINT32_MAX;
			img->pvh_entry = (uint32_t)entry;
		}
		pos = next;
	}
	free(notes);
	return 0;
}

int elf_parse(int fd, const char *what, struct elf_image *img, char *err, size_t errlen)
{
	uint8_t ident[EI_NIDENT];
	Elf64_Phdr ph[MAX_PHDRS];
	unsigned int nph;

	memset(img, 0, sizeof(*img));
	if (image_read(fd, what, 0, ident, sizeof(ident), err, errlen) < 0)
		return -1;
	if (!elf_is_elf(ident, sizeof(ident)) ||
	    (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64) ||
	    ident[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "%s: not a little-endian ELF32/ELF64 file", what);
		return -1;
	}
	if (read_phdrs(fd, what, ident, ph, &nph, err, errlen) < 0)
		return -1;
	for (unsigned int i = 0; i < nph; i++) {
		if (ph[i].p_type == PT_NOTE &&
		    find_pvh_note(fd, what, &ph[i], img, err, errlen) < 0)
			return -1;
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if (img->nsegs == ELF_MAX_SEGMENTS || ph[i].p_filesz > ph[i].p_memsz) {
			snprintf(err, errlen, "%s: ELF: unsupported PT_LOAD segment %u", what, i);
			return -1;
		}
		img->segs[img->nsegs++] = (struct elf_segment){
			.paddr = ph[i].p_paddr, .offset = ph[i].p_offset,
			.filesz = ph[i].p_filesz, .memsz = ph[i].p_memsz,
		};
	}
	if (!img->has_pvh_entry) {
		snprintf(err, errlen, "%s: ELF without a PVH entry note "
			 "(XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel", what);
		return -1;
	}
	return 0;
}
