/* The ACPI tables as a guest reads them: every field is read back at its
 * ACPI-specification offset (not through the builder's structs), and the
 * DSDT's resources and routing are decoded from the AML and compared with
 * layout.h. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check_tap.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

#define HEADER_SIZE 36

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static uint8_t *area;

static void area_setup(void)
{
	area = malloc(LAYOUT_ACPI_SIZE);
	ck_assert_ptr_nonnull(area);
	memset(area, 0xa5, LAYOUT_ACPI_SIZE);
}

static void area_teardown(void)
{
	free(area);
}

static size_t build(unsigned int ncpus)
{
	struct machine_desc m = { .ncpus = ncpus, .ram_below_4g = 256 << 20, .ram_above_4g = 0 };
	size_t used = acpi_build(area, &m);

	ck_assert_uint_gt(used, 0);
	ck_assert_uint_le(used, LAYOUT_ACPI_SIZE);
	return used;
}

/* The table at guest-physical gpa: inside the area, with a sane length. */
static const uint8_t *table(uint64_t gpa, const char *signature)
{
	const uint8_t *t;

	ck_assert_uint_ge(gpa, LAYOUT_ACPI_BASE);
	ck_assert_uint_le(gpa + HEADER_SIZE, LAYOUT_ACPI_BASE + LAYOUT_ACPI_SIZE);
	t = area + (gpa - LAYOUT_ACPI_BASE);
	ck_assert_uint_ge(le32(t + 4), HEADER_SIZE);
	ck_assert_uint_le(gpa + le32(t + 4), LAYOUT_ACPI_BASE + LAYOUT_ACPI_SIZE);
	ck_assert_msg(memcmp(t, signature, 4) == 0, "expected %s, found %.4s", signature, t);
	return t;
}

static const uint8_t *xsdt(void)
{
	return table(le64(area + 24), "XSDT");
}

/* The table the XSDT lists with this signature (exactly one). */
static const uint8_t *find(const char *signature)
{
	const uint8_t *x = xsdt(), *found = NULL;

	for (uint32_t off = HEADER_SIZE; off < le32(x + 4); off += 8) {
		const uint8_t *t = area + (le64(x + off) - LAYOUT_ACPI_BASE);

		if (memcmp(t, signature, 4) == 0) {
			ck_assert_msg(!found, "two %s tables", signature);
			found = table(le64(x + off), signature);
		}
	}
	ck_assert_msg(found, "no %s table in the XSDT", signature);
	return found;
}

static const uint8_t *dsdt(void)
{
	const uint8_t *fadt = find("FACP");

	ck_assert_uint_eq(le32(fadt + 40), 0);	/* only X_DSDT is set */
	return table(le64(fadt + 140), "DSDT");
}

START_TEST(rsdp_revision_2_with_both_checksums)
{
	build(1);
	ck_assert_mem_eq(area, "RSD PTR ", 8);
	ck_assert_uint_eq(area[15], 2);			/* revision */
	ck_assert_uint_eq(le32(area + 20), 36);		/* length */
	ck_assert_uint_eq(sum(area, 20), 0);		/* ACPI 1.0 checksum */
	ck_assert_uint_eq(sum(area, 36), 0);		/* extended checksum */
	ck_assert_uint_eq(le32(area + 16), 0);		/* no RSDT */
	xsdt();
}
END_TEST

START_TEST(every_table_checksums_and_lies_inside_the_area)
{
	static const char *const listed[] = { "FACP", "APIC", "MCFG" };
	const uint8_t *x;
	size_t used = build(4);

	x = xsdt();
	ck_assert_uint_eq(le32(x + 4), HEADER_SIZE + 8 * 3);
	ck_assert_uint_eq(sum(x, le32(x + 4)), 0);
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *t = find(listed[i]);

		ck_assert_uint_eq(sum(t, le32(t + 4)), 0);
		ck_assert_uint_le((size_t)(t - area) + le32(t + 4), used);
		ck_assert_mem_eq(t + 10, "GSTMGR", 6);
	}
	ck_assert_uint_eq(sum(dsdt(), le32(dsdt() + 4)), 0);
	ck_assert_uint_le((size_t)(dsdt() - area) + le32(dsdt() + 4), used);
}
END_TEST

static void check_gas_io_byte(const uint8_t *gas, uint64_t port)
{
	ck_assert_uint_eq(gas[0], 1);		/* system I/O */
	ck_assert_uint_eq(gas[1], 8);		/* bit width */
	ck_assert_uint_eq(gas[2], 0);		/* bit offset */
	ck_assert_uint_eq(gas[3], 1);		/* byte access */
	ck_assert_uint_eq(le64(gas + 4), port);
}

START_TEST(fadt_is_hardware_reduced_with_sleep_and_reset_registers)
{
	const uint8_t *f;

	build(1);
	f = find("FACP");
	ck_assert_uint_eq(le32(f + 4), 276);
	ck_assert_uint_eq(f[8], 6);				/* revision */
	ck_assert(le32(f + 112) & (1u << 20));			/* HW_REDUCED_ACPI */
	ck_assert(le32(f + 112) & (1u << 10));			/* RESET_REG_SUP */
	check_gas_io_byte(f + 116, 0x64);			/* RESET_REG */
	ck_assert_uint_eq(f[128], 0xfe);			/* RESET_VALUE */
	check_gas_io_byte(f + 244, LAYOUT_ACPI_SLEEP_PORT);	/* SLEEP_CONTROL_REG */
	check_gas_io_byte(f + 256, LAYOUT_ACPI_SLEEP_PORT);	/* SLEEP_STATUS_REG */
	for (int off = 56; off < 88; off += 4)			/* no PM1/PM2/timer/GPE blocks */
		ck_assert_uint_eq(le32(f + off), 0);
	ck_assert_uint_eq(le64(f + 132), 0);			/* no FACS */
	ck_assert_uint_eq(ACPI_SLEEP_S5, 0x34);			/* SLP_TYP 5, SLP_EN */
}
END_TEST

static const unsigned int cpu_counts[] = { 1, 4, 8, 64 };

START_TEST(madt_lists_each_cpu_the_ioapic_and_the_overrides)
{
	unsigned int ncpus = cpu_counts[_i];
	unsigned int lapics = 0, ioapics = 0, overrides = 0;
	const uint8_t *t;
	uint32_t off, len;

	build(ncpus);
	t = find("APIC");
	len = le32(t + 4);
	ck_assert_uint_eq(le32(t + 36), LAYOUT_LAPIC);
	ck_assert_uint_eq(le32(t + 40) & 1, 1);			/* PCAT_COMPAT */
	for (off = 44; off + 2 <= len; off += t[off + 1]) {
		const uint8_t *e = t + off;

		ck_assert_uint_ge(e[1], 2);
		switch (e[0]) {
		case 0:		/* Processor Local APIC */
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], lapics);	/* processor UID */
			ck_assert_uint_eq(e[3], lapics);	/* APIC id */
			ck_assert_uint_eq(le32(e + 4), 1);	/* enabled */
			lapics++;
			break;
		case 1:		/* I/O APIC */
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(le32(e + 4), LAYOUT_IOAPIC);
			ck_assert_uint_eq(le32(e + 8), 0);	/* GSI base */
			ioapics++;
			break;
		case 2:		/* Interrupt Source Override */
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0);		/* ISA */
			if (e[3] == 0) {
				ck_assert_uint_eq(le32(e + 4), 2);
				ck_assert_uint_eq(le16(e + 8), 0);	/* conforms */
			} else {
				ck_assert_uint_eq(e[3], 9);
				ck_assert_uint_eq(le32(e + 4), 9);
				ck_assert_uint_eq(le16(e + 8), 0x0d);	/* level, active-high */
			}
			overrides++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_uint_eq(off, len);				/* entries fill the table exactly */
	ck_assert_uint_eq(lapics, ncpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(overrides, 2);
}
END_TEST

START_TEST(mcfg_states_the_ecam_window)
{
	const uint8_t *t;

	build(1);
	t = find("MCFG");
	ck_assert_uint_eq(le32(t + 4), 44 + 16);
	ck_assert_uint_eq(le64(t + 44), LAYOUT_PCI_ECAM_BASE);
	ck_assert_uint_eq(le16(t + 52), 0);		/* segment */
	ck_assert_uint_eq(t[54], 0);			/* start bus */
	ck_assert_uint_eq(t[55], 0);			/* end bus */
}
END_TEST

/* ---- Reading the DSDT's AML: just enough for Name()s in Device()s. ---- */

struct aml {
	const uint8_t *p;
	size_t len;
};

/* PkgLength at p: the encoded length (counted from p) and its own size. */
static size_t pkg_length(const uint8_t *p, size_t *size)
{
	size_t extra = p[0] >> 6, len;

	if (extra == 0) {
		*size = 1;
		return p[0] & 0x3f;
	}
	len = p[0] & 0x0f;
	for (size_t i = 1; i <= extra; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	*size = 1 + extra;
	return len;
}

/* The body of Device(NAME) (after its name), searched for in `in`. */
static struct aml aml_device(struct aml in, const char name[4])
{
	for (size_t i = 0; i + 8 < in.len; i++) {
		size_t size, len;

		if (in.p[i] != 0x5b || in.p[i + 1] != 0x82)	/* DeviceOp */
			continue;
		len = pkg_length(in.p + i + 2, &size);
		if (memcmp(in.p + i + 2 + size, name, 4) != 0)
			continue;
		ck_assert_uint_le(i + 2 + len, in.len);
		return (struct aml){ in.p + i + 2 + size + 4, len - size - 4 };
	}
	ck_abort_msg("no Device (%.4s) in the DSDT", name);
	return in;
}

/* What follows Name(NAME, ...) in `in`: the object's encoding. */
static const uint8_t *aml_name(struct aml in, const char name[4])
{
	for (size_t i = 0; i + 5 < in.len; i++)
		if (in.p[i] == 0x08 && memcmp(in.p + i + 1, name, 4) == 0)	/* NameOp */
			return in.p + i + 5;
	ck_abort_msg("no Name (%.4s)", name);
	return NULL;
}

/* An integer term: Zero, One, or a Byte/Word/DWord/QWord constant. */
static uint64_t aml_integer(const uint8_t **pp)
{
	const uint8_t *p = *pp;

	switch (p[0]) {
	case 0x00: *pp = p + 1; return 0;
	case 0x01: *pp = p + 1; return 1;
	case 0x0a: *pp = p + 2; return p[1];
	case 0x0b: *pp = p + 3; return le16(p + 1);
	case 0x0c: *pp = p + 5; return le32(p + 1);
	case 0x0e: *pp = p + 9; return le64(p + 1);
	}
	ck_abort_msg("AML: 0x%02x is not an integer constant", p[0]);
	return 0;
}

/* A Package: its element count, *pp moved to the first element. */
static unsigned int aml_package(const uint8_t **pp)
{
	size_t size;

	ck_assert_uint_eq((*pp)[0], 0x12);	/* PackageOp */
	pkg_length(*pp + 1, &size);
	*pp += 1 + size + 1;
	return (*pp)[-1];
}

/* Resource descriptors of a Name(_CRS, ResourceTemplate () {...}). */
struct resource {
	int kind;		/* 'B' bus, 'I' I/O, 'M' memory, 'Q' IRQ */
	uint64_t min, max, len;
};

/* The first descriptor of the device's _CRS buffer, and the buffer's size. */
static const uint8_t *crs_start(struct aml device, size_t *buflen)
{
	const uint8_t *p = aml_name(device, "_CRS");
	size_t size;

	ck_assert_uint_eq(p[0], 0x11);		/* BufferOp */
	pkg_length(p + 1, &size);
	p += 1 + size;
	*buflen = aml_integer(&p);
	return p;
}

static unsigned int crs(struct aml device, struct resource *out, unsigned int max)
{
	size_t buflen;
	const uint8_t *p = crs_start(device, &buflen);
	unsigned int n = 0;

	for (const uint8_t *end = p + buflen; p < end && n < max;) {
		struct resource *r = &out[n];

		if (!(p[0] & 0x80)) {		/* small item */
			unsigned int type = p[0] >> 3 & 0xf, len = p[0] & 7;

			if (type == 0xf)	/* end tag */
				break;
			if (type == 0x8)	/* I/O port */
				*r = (struct resource){ 'I', le16(p + 2), le16(p + 4) + p[7] - 1, p[7] };
			else if (type == 0x4)	/* IRQ: the lowest set bit of the mask */
				*r = (struct resource){ 'Q', __builtin_ctz(le16(p + 1)), 0, 1 };
			else
				ck_abort_msg("unexpected small resource type 0x%x", type);
			p += 1 + len;
		} else {
			unsigned int type = p[0] & 0x7f, len = le16(p + 1);
			int kind = p[3] == 0 ? 'M' : p[3] == 1 ? 'I' : 'B';

			if (type == 0x06)	/* 32-bit fixed memory */
				*r = (struct resource){ 'M', le32(p + 4), le32(p + 4) + le32(p + 8) - 1, le32(p + 8) };
			else if (type == 0x08)	/* Word address space */
				*r = (struct resource){ kind, le16(p + 8), le16(p + 10), le16(p + 14) };
			else if (type == 0x07)	/* DWord address space */
				*r = (struct resource){ kind, le32(p + 10), le32(p + 14), le32(p + 22) };
			else if (type == 0x0a)	/* QWord address space */
				*r = (struct resource){ kind, le64(p + 14), le64(p + 22), le64(p + 38) };
			else if (type == 0x09)	/* extended IRQ: the first of its p[4] */
				*r = (struct resource){ 'Q', le32(p + 5), 0, p[4] };
			else
				ck_abort_msg("unexpected large resource type 0x%x", type);
			p += 3 + len;
		}
		n++;
	}
	return n;
}

static struct aml dsdt_body(void)
{
	const uint8_t *d;

	build(1);
	d = dsdt();
	return (struct aml){ d + HEADER_SIZE, le32(d + 4) - HEADER_SIZE };
}

static void check_resource(const struct resource *r, int kind, uint64_t base, uint64_t size)
{
	ck_assert_int_eq(r->kind, kind);
	ck_assert_uint_eq(r->min, base);
	ck_assert_uint_eq(r->len, size);
	if (kind != 'Q')
		ck_assert_uint_eq(r->max, base + size - 1);
}

START_TEST(dsdt_pci_windows_match_the_layout)
{
	struct aml pci0 = aml_device(dsdt_body(), "PCI0");
	struct resource r[8];

	ck_assert_uint_eq(crs(pci0, r, 8), 5);
	check_resource(&r[0], 'B', 0, LAYOUT_PCI_ECAM_SIZE >> 20);
	check_resource(&r[1], 'I', LAYOUT_PCI_CONFIG_PORT, 8);
	check_resource(&r[2], 'I', LAYOUT_PCI_IO_BASE, LAYOUT_PCI_IO_SIZE);
	check_resource(&r[3], 'M', LAYOUT_PCI_MMIO32_BASE, LAYOUT_PCI_MMIO32_SIZE);
	check_resource(&r[4], 'M', LAYOUT_PCI_MMIO64_BASE, LAYOUT_PCI_MMIO64_SIZE);
	ck_assert_mem_eq(aml_name(pci0, "_HID"), "\x0c\x41\xd0\x0a\x08", 5);	/* EisaId PNP0A08 */
}
END_TEST

START_TEST(dsdt_reserves_ecam_and_describes_com1)
{
	struct aml body = dsdt_body();
	struct resource r[4];

	ck_assert_uint_eq(crs(aml_device(body, "MRES"), r, 4), 1);
	check_resource(&r[0], 'M', LAYOUT_PCI_ECAM_BASE, LAYOUT_PCI_ECAM_SIZE);
	ck_assert_uint_eq(crs(aml_device(body, "COM1"), r, 4), 2);
	check_resource(&r[0], 'I', LAYOUT_COM1_PORT, 8);
	check_resource(&r[1], 'Q', LAYOUT_COM1_GSI, 1);
}
END_TEST

START_TEST(dsdt_prt_routes_every_slot_and_pin)
{
	const uint8_t *p = aml_name(aml_device(dsdt_body(), "PCI0"), "_PRT");
	bool seen[32][4] = { { false } };
	unsigned int n = aml_package(&p);

	ck_assert_uint_eq(n, 31 * 4);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t addr, pin, source, gsi;

		ck_assert_uint_eq(aml_package(&p), 4);
		addr = aml_integer(&p);
		pin = aml_integer(&p);
		source = aml_integer(&p);
		gsi = aml_integer(&p);
		ck_assert_uint_eq(addr & 0xffff, 0xffff);	/* any function */
		ck_assert_uint_ge(addr >> 16, 1);
		ck_assert_uint_le(addr >> 16, 31);
		ck_assert_uint_le(pin, 3);
		ck_assert_uint_eq(source, 0);			/* GSI, no link device */
		ck_assert_uint_eq(gsi, pci_intx_gsi(addr >> 16, pin));
		ck_assert_uint_ge(gsi, 16);
		ck_assert_uint_lt(gsi, LAYOUT_IOAPIC_PINS);
		ck_assert(!seen[addr >> 16][pin]);
		seen[addr >> 16][pin] = true;
	}
}
END_TEST

START_TEST(dsdt_s5_names_the_sleep_type_the_vmm_powers_off_on)
{
	const uint8_t *p = aml_name(dsdt_body(), "_S5_");

	ck_assert_uint_ge(aml_package(&p), 1);
	ck_assert_uint_eq(aml_integer(&p), ACPI_SLEEP_TYP_S5);
}
END_TEST

/* OperationRegion (NAME, SystemIO, offset, length) in `in`: its offset. */
static uint64_t aml_io_region(struct aml in, const char name[4])
{
	for (size_t i = 0; i + 7 < in.len; i++)
		if (in.p[i] == 0x5b && in.p[i + 1] == 0x80 && memcmp(in.p + i + 2, name, 4) == 0) {
			const uint8_t *p = in.p + i + 7;

			ck_assert_uint_eq(in.p[i + 6], 0x01);	/* SystemIO */
			return aml_integer(&p);
		}
	ck_abort_msg("no OperationRegion (%.4s)", name);
	return 0;
}

START_TEST(dsdt_ged_raises_the_power_button)
{
	struct aml body = dsdt_body();
	struct aml ged = aml_device(body, "GED0");
	struct resource r[2];
	size_t len;

	ck_assert_mem_eq(aml_name(ged, "_HID"), "\x0d" "ACPI0013", 10);	/* string, NUL */
	ck_assert_uint_eq(crs(ged, r, 2), 1);
	check_resource(&r[0], 'Q', LAYOUT_GED_GSI, 1);
	/* Extended IRQ flags: consumer, level, active high, exclusive. */
	ck_assert_uint_eq(crs_start(ged, &len)[3] & 0xf, 0x1);
	ck_assert_uint_eq(aml_io_region(ged, "EVTR"), LAYOUT_GED_PORT);
	ck_assert_ptr_nonnull(memmem(ged.p, ged.len, "_EVT", 4));
	ck_assert_mem_eq(aml_name(aml_device(body, "PWRB"), "_HID"),
			 "\x0c\x41\xd0\x0c\x0c", 5);			/* EisaId PNP0C0C */
}
END_TEST

START_TEST(too_small_an_area_or_bad_cpu_count_gives_0)
{
	struct machine_desc m = { .ncpus = 64, .ram_below_4g = 256 << 20, .ram_above_4g = 0 };
	size_t used = acpi_build(area, &m);

	ck_assert_uint_gt(used, 0);
	ck_assert_uint_eq(acpi_build_sized(area, used, &m), used);
	ck_assert_uint_eq(acpi_build_sized(area, used - 1, &m), 0);
	ck_assert_uint_eq(acpi_build_sized(area, 100, &m), 0);
	ck_assert_uint_eq(acpi_build_sized(area, 0, &m), 0);
	m.ncpus = 0;
	ck_assert_uint_eq(acpi_build(area, &m), 0);
	m.ncpus = LAYOUT_MAX_CPUS + 1;
	ck_assert_uint_eq(acpi_build(area, &m), 0);
}
END_TEST

/* The file DIR/NAME.dat holds exactly the `len` bytes at `t`. */
static void check_file(const char *dir, const char *name, const uint8_t *t, size_t len)
{
	char path[512];
	uint8_t buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s.dat", dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f, "%s missing", path);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(buf, t, len);
	unlink(path);
}

START_TEST(write_files_dumps_each_table_by_signature)
{
	char dir[] = "/tmp/check_acpi.XXXXXX", sub[64], err[256] = "";
	static const char *const names[] = { "XSDT", "FACP", "APIC", "MCFG" };

	build(4);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/tables", dir);	/* created by acpi_write_files */
	ck_assert_int_eq(acpi_write_files(area, sub, err, sizeof err), 0);
	check_file(sub, "RSDP", area, 36);
	for (size_t i = 0; i < 4; i++) {
		const uint8_t *t = i == 0 ? xsdt() : find(names[i]);

		check_file(sub, names[i], t, le32(t + 4));
	}
	check_file(sub, "DSDT", dsdt(), le32(dsdt() + 4));
	ck_assert_int_eq(rmdir(sub), 0);	/* nothing else was written */

	snprintf(sub, sizeof sub, "%s/no/such/dir", dir);
	ck_assert_int_eq(acpi_write_files(area, sub, err, sizeof err), -1);
	ck_assert_msg(strstr(err, sub) && strstr(err, "No such file"), "err: %s", err);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(write_files_refuses_a_broken_area)
{
	char err[256] = "";

	build(1);
	memcpy(area + 24, &(uint64_t){ 0x1000 }, 8);	/* XSDT pointer outside the area */
	ck_assert_int_eq(acpi_write_files(area, "/tmp", err, sizeof err), -1);
	ck_assert_msg(strstr(err, "XSDT") && strstr(err, "outside the ACPI area"), "err: %s", err);
	area[0] = 'X';
	ck_assert_int_eq(acpi_write_files(area, "/tmp", err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no RSDP"), "err: %s", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("tables");

	tcase_add_checked_fixture(tc, area_setup, area_teardown);
	tcase_add_test(tc, rsdp_revision_2_with_both_checksums);
	tcase_add_test(tc, every_table_checksums_and_lies_inside_the_area);
	tcase_add_test(tc, fadt_is_hardware_reduced_with_sleep_and_reset_registers);
	tcase_add_loop_test(tc, madt_lists_each_cpu_the_ioapic_and_the_overrides, 0,
			    sizeof cpu_counts / sizeof cpu_counts[0]);
	tcase_add_test(tc, mcfg_states_the_ecam_window);
	tcase_add_test(tc, dsdt_pci_windows_match_the_layout);
	tcase_add_test(tc, dsdt_reserves_ecam_and_describes_com1);
	tcase_add_test(tc, dsdt_prt_routes_every_slot_and_pin);
	tcase_add_test(tc, dsdt_s5_names_the_sleep_type_the_vmm_powers_off_on);
	tcase_add_test(tc, dsdt_ged_raises_the_power_button);
	tcase_add_test(tc, too_small_an_area_or_bad_cpu_count_gives_0);
	tcase_add_test(tc, write_files_dumps_each_table_by_signature);
	tcase_add_test(tc, write_files_refuses_a_broken_area);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
