/* The vmm's pure boot pieces: the e820 map, the command line join, the
 * bzImage setup header parser and the PVH ELF note reader. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "vmm/cmdline.h"
#include "vmm/x86/boot_bzimage.h"
#include "vmm/x86/e820.h"
#include "vmm/x86/elf.h"
#include "vmm/x86/layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static unsigned int e820_for(uint64_t mem, struct e820_entry *e)
{
	struct machine_desc m;

	machine_desc_init(&m, 1, mem);
	return e820_build(&m, e);
}

START_TEST(e820_small_machine)
{
	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned int n = e820_for(256 * MiB, e);

	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(e[0].addr, 0);
	ck_assert_uint_eq(e[0].size, LAYOUT_LOW_RAM_END);
	ck_assert_uint_eq(e[0].type, E820_RAM);
	ck_assert_uint_eq(e[1].addr, LAYOUT_LOW_RAM_END);
	ck_assert_uint_eq(e[1].type, E820_RESERVED);
	ck_assert_uint_eq(e[2].addr, LAYOUT_ACPI_BASE);
	ck_assert_uint_eq(e[2].size, LAYOUT_ACPI_SIZE);
	ck_assert_uint_eq(e[2].type, E820_ACPI);
	ck_assert_uint_eq(e[3].addr, LAYOUT_HIGH_RAM);
	ck_assert_uint_eq(e[3].addr + e[3].size, 256 * MiB);
	ck_assert_uint_eq(e[3].type, E820_RAM);
}
END_TEST

START_TEST(e820_splits_at_the_hole)
{
	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned int n = e820_for(4 * GiB, e);

	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(e[3].addr + e[3].size, LAYOUT_MMIO_HOLE);
	ck_assert_uint_eq(e[4].addr, LAYOUT_HIGH_MEM);
	ck_assert_uint_eq(e[4].size, 4 * GiB - LAYOUT_MMIO_HOLE);
	ck_assert_uint_eq(e[4].type, E820_RAM);
	/* Exactly the hole's size: nothing above 4 GiB. */
	ck_assert_uint_eq(e820_for(LAYOUT_MMIO_HOLE, e), 4);
}
END_TEST

START_TEST(e820_entries_are_sorted)
{
	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned int n = e820_for(8 * GiB, e);

	for (unsigned int i = 1; i < n; i++)
		ck_assert_uint_le(e[i - 1].addr + e[i - 1].size, e[i].addr);
}
END_TEST

START_TEST(cmdline_joins_with_spaces)
{
	const char *adds[] = { "console=ttyS0", "quiet" };
	char out[64];

	ck_assert_uint_eq(cmdline_join(out, sizeof(out), "test=boot", adds, 2), 29);
	ck_assert_str_eq(out, "test=boot console=ttyS0 quiet");
	cmdline_join(out, sizeof(out), NULL, adds, 2);
	ck_assert_str_eq(out, "console=ttyS0 quiet");
	cmdline_join(out, sizeof(out), "", adds, 1);
	ck_assert_str_eq(out, "console=ttyS0");
	cmdline_join(out, sizeof(out), "only", NULL, 0);
	ck_assert_str_eq(out, "only");
}
END_TEST

START_TEST(cmdline_reports_full_length_when_cut)
{
	const char *adds[] = { "0123456789" };
	char out[8];
	size_t len = cmdline_join(out, sizeof(out), "abc", adds, 1);

	ck_assert_uint_eq(len, 14);
	ck_assert_uint_eq(strlen(out), 7);
	ck_assert_str_eq(out, "abc 012");
}
END_TEST

/* A bzImage's first bytes with a 2.15 setup header, 64-bit entry. */
static void craft_bzimage(uint8_t *h)
{
	memset(h, 0, BZIMAGE_HEADER_END);
	h[0x1f1] = 27;				/* setup_sects */
	h[0x1fe] = 0x55;
	h[0x1ff] = 0xaa;
	h[0x200] = 0xeb;			/* jmp short */
	h[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(h + 0x202, "HdrS", 4);
	h[0x206] = 0x0f;			/* version 2.15 */
	h[0x207] = 0x02;
	h[0x22c] = 0xff; h[0x22d] = 0xff; h[0x22e] = 0xff; h[0x22f] = 0x7f;
	h[0x232] = 0x20;			/* kernel_alignment 0x200000 */
	h[0x234] = 1;				/* relocatable */
	h[0x236] = 0x03;			/* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	h[0x238] = 0xff; h[0x239] = 0x07;	/* cmdline_size 2047 */
	h[0x25a] = 0x00; h[0x25b] = 0x01;	/* pref_address 0x1000000 */
	h[0x262] = 0x40;			/* init_size 0x400000 */
}

START_TEST(bzimage_header_fields)
{
	uint8_t h[BZIMAGE_HEADER_END];
	struct bzimage_info info;
	char err[256];

	craft_bzimage(h);
	ck_assert(bzimage_is_bzimage(h, sizeof(h)));
	ck_assert_int_eq(bzimage_parse(h, sizeof(h), "kernel 'k'", &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.version, 0x20f);
	ck_assert_uint_eq(info.setup_sects, 27);
	ck_assert(info.relocatable);
	ck_assert_uint_eq(info.kernel_alignment, 0x200000);
	ck_assert_uint_eq(info.pref_address, 0x1000000);
	ck_assert_uint_eq(info.init_size, 0x400000);
	ck_assert_uint_eq(info.initrd_addr_max, 0x7fffffff);
	ck_assert_uint_eq(info.cmdline_size, 2047);
	ck_assert_uint_eq(info.header_len, 0x26c - 0x1f1);
	h[0x1f1] = 0;	/* 0 means the historical 4 */
	bzimage_parse(h, sizeof(h), "kernel 'k'", &info, err, sizeof(err));
	ck_assert_uint_eq(info.setup_sects, 4);
}
END_TEST

START_TEST(bzimage_without_64bit_entry)
{
	uint8_t h[BZIMAGE_HEADER_END];
	struct bzimage_info info;
	char err[256];

	craft_bzimage(h);
	h[0x236] = 0;
	ck_assert_int_eq(bzimage_parse(h, sizeof(h), "kernel 'k'", &info, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "kernel 'k': bzImage (boot protocol 2.15) has no 64-bit "
			 "entry point (XLF_KERNEL_64)");
	craft_bzimage(h);
	h[0x206] = 0x0a;	/* 2.10: before xloadflags */
	ck_assert_int_eq(bzimage_parse(h, sizeof(h), "kernel 'k'", &info, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "2.10"));
}
END_TEST

START_TEST(bzimage_rejects_no_header)
{
	uint8_t h[BZIMAGE_HEADER_END];
	struct bzimage_info info;
	char err[256];

	craft_bzimage(h);
	h[0x1fe] = 0;	/* boot flag */
	ck_assert_int_eq(bzimage_parse(h, sizeof(h), "kernel 'k'", &info, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "kernel 'k': bzImage: no setup header");
	memset(h + 0x202, 0, 4);
	ck_assert(!bzimage_is_bzimage(h, sizeof(h)));
}
END_TEST

/* An ELF64 file in a memfd: one PT_LOAD at 1 MiB and, if note_type is
 * not 0, a PT_NOTE holding one "Xen" note of that type. */
static int craft_elf(uint32_t note_type, uint32_t entry)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
		Elf64_Nhdr nh;
		char name[4];
		uint32_t desc;
	} f;
	int fd = memfd_create("elf", MFD_CLOEXEC);

	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_machine = EM_X86_64;
	f.eh.e_phoff = offsetof(typeof(f), ph);
	f.eh.e_phentsize = sizeof(Elf64_Phdr);
	f.eh.e_phnum = note_type ? 2 : 1;
	f.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_paddr = 0x100000,
				.p_filesz = sizeof(f), .p_memsz = 0x2000 };
	f.ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = offsetof(typeof(f), nh),
				.p_filesz = sizeof(f) - offsetof(typeof(f), nh) };
	f.nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 4, .n_type = note_type };
	memcpy(f.name, "Xen", 4);
	f.desc = entry;
	ck_assert_int_eq(write(fd, &f, sizeof(f)), sizeof(f));
	return fd;
}

START_TEST(elf_pvh_note_found)
{
	struct elf_image img;
	char err[256];
	int fd = craft_elf(18, 0x100040);

	ck_assert_int_eq(elf_parse(fd, "kernel 'k'", &img, err, sizeof(err)), 0);
	ck_assert(img.has_pvh_entry);
	ck_assert_uint_eq(img.pvh_entry, 0x100040);
	ck_assert_uint_eq(img.nsegs, 1);
	ck_assert_uint_eq(img.segs[0].paddr, 0x100000);
	ck_assert_uint_eq(img.segs[0].memsz, 0x2000);
	close(fd);
}
END_TEST

START_TEST(elf_without_pvh_note)
{
	struct elf_image img;
	char err[256];
	int fd = craft_elf(0, 0);
	int other = craft_elf(17, 0x100040);	/* another Xen note */

	ck_assert_int_eq(elf_parse(fd, "kernel 'k'", &img, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "kernel 'k': ELF without a PVH entry note "
			 "(XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel");
	ck_assert_int_eq(elf_parse(other, "kernel 'k'", &img, err, sizeof(err)), -1);
	close(fd);
	close(other);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_boot");
	TCase *tc = tcase_create("boot");

	tcase_add_test(tc, e820_small_machine);
	tcase_add_test(tc, e820_splits_at_the_hole);
	tcase_add_test(tc, e820_entries_are_sorted);
	tcase_add_test(tc, cmdline_joins_with_spaces);
	tcase_add_test(tc, cmdline_reports_full_length_when_cut);
	tcase_add_test(tc, bzimage_header_fields);
	tcase_add_test(tc, bzimage_without_64bit_entry);
	tcase_add_test(tc, bzimage_rejects_no_header);
	tcase_add_test(tc, elf_pvh_note_found);
	tcase_add_test(tc, elf_without_pvh_note);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
