#include "vmm/x86/boot_bzimage.h"

#include <stdio.h>
#include <string.h>

#include "vmm/image_file.h"
#include "vmm/x86/e820.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/page_tables.h"

/* Offsets in the image and in struct boot_params (they coincide). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_E820_ENTRIES		0x1e8
#define HDR_SETUP_SECTS		0x1f1
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_SETUP_DATA		0x250
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

#define BOOT_FLAG		0xaa55
#define XLF_KERNEL_64		0x1
#define MIN_VERSION		0x020c	/* 2.12: xloadflags */
#define STARTUP_64_OFFSET	0x200
#define LOADER_UNDEFINED	0xff
#define VIDEO_MODE_NORMAL	0xffff
#define SETUP_DTB		2

_Static_assert(E820_MAX_ENTRIES <= BP_E820_MAX, "e820 map longer than the zero page's");

struct setup_data_hdr {
	uint64_t next;
	uint32_t type;
	uint32_t len;
};

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

bool bzimage_is_bzimage(const uint8_t *head, size_t len)
{
	return len >= HDR_MAGIC + 4 && memcmp(head + HDR_MAGIC, "HdrS", 4) == 0;
}

int bzimage_parse(const uint8_t *head, size_t len, const char *what,
		  struct bzimage_info *info, char *err, size_t errlen)
{
	if (len < BZIMAGE_HEADER_END || !bzimage_is_bzimage(head, len) ||
	    get16(head, HDR_BOOT_FLAG) != BOOT_FLAG) {
		snprintf(err, errlen, "%s: bzImage: no setup header", what);
		return -1;
	}
	info->version = get16(head, HDR_VERSION);
	if (info->version < MIN_VERSION || !(get16(head, HDR_XLOADFLAGS) & XLF_KERNEL_64)) {
		snprintf(err, errlen, "%s: bzImage (boot protocol %u.%02u) has no 64-bit "
			 "entry point (XLF_KERNEL_64)", what, info->version >> 8,
			 info->version & 0xff);
		return -1;
	}
	info->setup_sects = head[HDR_SETUP_SECTS] ? head[HDR_SETUP_SECTS] : 4;
	info->relocatable = head[HDR_RELOCATABLE];
	info->kernel_alignment = get32(head, HDR_KERNEL_ALIGNMENT);
	info->pref_address = get64(head, HDR_PREF_ADDRESS);
	info->init_size = get32(head, HDR_INIT_SIZE);
	info->initrd_addr_max = get32(head, HDR_INITRD_ADDR_MAX);
	info->cmdline_size = get32(head, HDR_CMDLINE_SIZE);
	/* The header ends where the 2-byte jump at 0x200 lands. */
	info->header_len = HDR_JUMP + 2 + head[HDR_JUMP + 1] - BZIMAGE_HEADER_START;
	if (info->header_len > BZIMAGE_HEADER_END - BZIMAGE_HEADER_START)
		info->header_len = BZIMAGE_HEADER_END - BZIMAGE_HEADER_START;
	if (info->relocatable && (info->kernel_alignment == 0 ||
				  (info->kernel_alignment & (info->kernel_alignment - 1)))) {
		snprintf(err, errlen, "%s: bzImage: kernel_alignment %#x is not a power of 2",
			 what, info->kernel_alignment);
		return -1;
	}
	return 0;
}

static uint64_t load_address(const struct bzimage_info *info)
{
	uint64_t align = info->kernel_alignment;

	if (!info->relocatable)
		return info->pref_address;
	return (LAYOUT_HIGH_RAM + align - 1) & ~(align - 1);
}

static int place_dtb(const struct guest_mem *gm, const struct boot_input *in,
		     uint8_t *zp, char *err, size_t errlen)
{
	struct setup_data_hdr *sd;
	size_t total = sizeof(*sd) + in->dtb_size;

	if (!in->dtb)
		return 0;
	sd = guest_mem_ptr(gm, LAYOUT_SETUP_DATA, total);
	if (!sd || total > LAYOUT_SETUP_DATA_MAX) {
		snprintf(err, errlen, "dtb_overlay: device tree of %zu bytes does not fit "
			 "in %llu", in->dtb_size, (unsigned long long)LAYOUT_SETUP_DATA_MAX);
		return -1;
	}
	*sd = (struct setup_data_hdr){ .type = SETUP_DTB, .len = (uint32_t)in->dtb_size };
	memcpy(sd + 1, in->dtb, in->dtb_size);
	put64(zp, HDR_SETUP_DATA, LAYOUT_SETUP_DATA);
	return 0;
}

static void write_e820(uint8_t *zp, const struct machine_desc *m)
{
	struct e820_entry e820[E820_MAX_ENTRIES];
	unsigned int n = e820_build(m, e820);

	zp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + BP_E820_TABLE, e820, n * sizeof(e820[0]));
}

int boot_bzimage_load(const struct guest_mem *gm, const struct machine_desc *m,
		      const struct boot_input *in, struct boot_entry *entry,
		      char *err, size_t errlen)
{
	uint8_t head[BZIMAGE_HEADER_END];
	struct bzimage_info info;
	uint8_t *zp = guest_mem_ptr(gm, LAYOUT_ZERO_PAGE, 4096);
	uint64_t file_size, kernel_off, load, rd_addr, rd_size, cr3;
	size_t cmdline_len = strlen(in->cmdline);

	if (image_read(in->kernel_fd, in->kernel_name, 0, head, sizeof(head), err, errlen) < 0 ||
	    bzimage_parse(head, sizeof(head), in->kernel_name, &info, err, errlen) < 0 ||
	    image_size(in->kernel_fd, in->kernel_name, &file_size, err, errlen) < 0)
		return -1;
	if (cmdline_len > info.cmdline_size) {
		snprintf(err, errlen, "cmdline: %zu bytes, but %s accepts at most %u",
			 cmdline_len, in->kernel_name, info.cmdline_size);
		return -1;
	}
	kernel_off = (info.setup_sects + 1) * 512ULL;
	if (kernel_off >= file_size) {
		snprintf(err, errlen, "%s: bzImage: truncated after the setup code", in->kernel_name);
		return -1;
	}
	load = load_address(&info);
	if (!guest_mem_ptr(gm, load, info.init_size))
		return image_too_big(gm, in->kernel_name, load + info.init_size, err, errlen);
	if (image_load(gm, in->kernel_fd, in->kernel_name, kernel_off, file_size - kernel_off,
		       load, err, errlen) < 0)
		return -1;
	cr3 = page_tables_write(gm);
	if (!zp || !cr3 || boot_write_cmdline(gm, in->cmdline) < 0)
		return image_too_big(gm, "the boot information", LAYOUT_HIGH_RAM, err, errlen);
	if (boot_load_ramdisk(gm, in, load + info.init_size,
			      (uint64_t)info.initrd_addr_max + 1, &rd_addr, &rd_size,
			      err, errlen) < 0)
		return -1;

	memset(zp, 0, 4096);
	memcpy(zp + BZIMAGE_HEADER_START, head + BZIMAGE_HEADER_START, info.header_len);
	put16(zp, HDR_VID_MODE, VIDEO_MODE_NORMAL);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CMD_LINE_PTR, LAYOUT_CMDLINE);
	put32(zp, HDR_RAMDISK_IMAGE, (uint32_t)rd_addr);
	put32(zp, HDR_RAMDISK_SIZE, (uint32_t)rd_size);
	put64(zp, BP_ACPI_RSDP_ADDR, in->rsdp);
	write_e820(zp, m);
	if (place_dtb(gm, in, zp, err, errlen) < 0)
		return -1;

	*entry = (struct boot_entry){
		.mode = BOOT_MODE_LINUX64,
		.rip = load + STARTUP_64_OFFSET,
		.arg = LAYOUT_ZERO_PAGE,
		.cr3 = cr3,
	};
	return 0;
}
