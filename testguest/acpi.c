#include "acpi.h"

#include "bootinfo.h"
#include "cmdline.h"
#include "format.h"
#include "libc.h"

#define IDENTITY_MAP_END	0x100000000ull	/* entry.S maps the low 4 GiB */
#define TABLE_MAX_LENGTH	0x100000u	/* far beyond any table a vmm builds */
#define BIOS_AREA_START		0xe0000ull
#define BIOS_AREA_END		0x100000ull
#define SDT_HEADER_SIZE		36
#define RSDP_V1_SIZE		20
#define RSDP_V2_SIZE		36

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_addr;
	uint32_t length;
	uint64_t xsdt_addr;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

static struct acpi_info info;
static bool parsed;

static bool mapped(uint64_t addr, uint64_t len)
{
	return addr < IDENTITY_MAP_END && len <= IDENTITY_MAP_END - addr;
}

static const uint8_t *at(uint64_t addr)
{
	return (const uint8_t *)(uintptr_t)addr;
}

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool rsdp_signature_at(uint64_t addr)
{
	return addr && mapped(addr, RSDP_V2_SIZE) && memcmp(at(addr), "RSD PTR ", 8) == 0;
}

/* QEMU's PVH boot may leave rsdp_paddr at 0: then scan the BIOS area on
 * 16-byte boundaries, preferring a candidate whose checksum is right. */
static uint64_t rsdp_scan(void)
{
	uint64_t first = 0;

	for (uint64_t a = BIOS_AREA_START; a < BIOS_AREA_END; a += 16) {
		if (!rsdp_signature_at(a))
			continue;
		if (byte_sum(at(a), RSDP_V1_SIZE) == 0)
			return a;
		if (!first)
			first = a;
	}
	return first;
}

static void table_read(uint64_t addr, struct acpi_table *t)
{
	memset(t, 0, sizeof(*t));
	t->addr = addr;
	if (!mapped(addr, SDT_HEADER_SIZE))
		return;
	memcpy(t->signature, at(addr), 4);
	for (int i = 0; i < 4; i++) {
		if (t->signature[i] < 0x20 || t->signature[i] > 0x7e)
			t->signature[i] = '?';
	}
	t->length = get32(at(addr) + 4);
	if (t->length < SDT_HEADER_SIZE || t->length > TABLE_MAX_LENGTH || !mapped(addr, t->length))
		return;
	t->readable = true;
	t->checksum_ok = byte_sum(at(addr), t->length) == 0;
}

static void table_add(uint64_t addr)
{
	if (info.ntables == ACPI_MAX_TABLES) {
		info.tables_truncated = true;
		return;
	}
	table_read(addr, &info.tables[info.ntables++]);
}

/* rsdp=scan on the command line ignores start_info.rsdp_paddr, so hosts
 * that fill it in can still test the scan. */
static void find_rsdp(void)
{
	const char *how = param("rsdp");
	const struct rsdp *r;

	if (!(how && strcmp(how, "scan") == 0) && rsdp_signature_at(boot_info.rsdp_paddr)) {
		info.rsdp_addr = boot_info.rsdp_paddr;
		info.rsdp_source = "start_info";
	} else {
		info.rsdp_addr = rsdp_scan();
		info.rsdp_source = "scan";
	}
	if (!info.rsdp_addr)
		return;
	info.rsdp_found = true;
	r = (const struct rsdp *)at(info.rsdp_addr);
	info.revision = r->revision;
	info.rsdp_checksum_ok = byte_sum(at(info.rsdp_addr), RSDP_V1_SIZE) == 0;
	if (r->revision >= 2)
		info.rsdp_ext_checksum_ok = r->length >= RSDP_V2_SIZE && r->length <= 4096 &&
					    mapped(info.rsdp_addr, r->length) &&
					    byte_sum(at(info.rsdp_addr), r->length) == 0;
}

static void read_root(void)
{
	const struct rsdp *r = (const struct rsdp *)at(info.rsdp_addr);
	const char *want;
	unsigned entry_size;
	uint32_t n;

	info.root_is_xsdt = r->revision >= 2 && r->xsdt_addr;
	want = info.root_is_xsdt ? "XSDT" : "RSDT";
	entry_size = info.root_is_xsdt ? 8 : 4;
	table_read(info.root_is_xsdt ? r->xsdt_addr : r->rsdt_addr, &info.root);
	if (!info.root.readable) {
		format(info.root_error, sizeof(info.root_error), "%s at %#lx: not readable (length %u)",
		       want, info.root.addr, info.root.length);
		return;
	}
	if (memcmp(info.root.signature, want, 4) != 0) {
		format(info.root_error, sizeof(info.root_error), "%s at %#lx: signature '%s'",
		       want, info.root.addr, info.root.signature);
		return;
	}
	info.root_found = true;
	n = (info.root.length - SDT_HEADER_SIZE) / entry_size;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = at(info.root.addr) + SDT_HEADER_SIZE + i * entry_size;

		table_add(entry_size == 8 ? get64(e) : get32(e));
	}
}

/* The DSDT is not in the root table; the FADT points at it. */
static void add_dsdt(void)
{
	const struct acpi_table *fadt = acpi_find("FACP");
	const uint8_t *f;
	uint64_t dsdt;

	if (!fadt || fadt->length < 44)
		return;
	f = at(fadt->addr);
	dsdt = get32(f + 40);
	if (fadt->length >= 148 && get64(f + 140))
		dsdt = get64(f + 140);
	if (dsdt)
		table_add(dsdt);
}

static void madt_add_cpu(uint32_t apic_id, uint32_t flags)
{
	if (!(flags & 1))
		return;		/* not enabled */
	if (info.ncpus == LAYOUT_MAX_CPUS) {
		info.cpus_truncated = true;
		return;
	}
	info.apic_ids[info.ncpus++] = apic_id;
}

static void parse_madt(const struct acpi_table *t)
{
	const uint8_t *p = at(t->addr);
	uint32_t off = SDT_HEADER_SIZE + 8;

	info.madt_found = true;
	if (t->length < SDT_HEADER_SIZE + 8) {
		format(info.madt_error, sizeof(info.madt_error), "length %u is shorter than its header", t->length);
		return;
	}
	info.madt_lapic_addr = get32(p + SDT_HEADER_SIZE);
	while (off + 2 <= t->length) {
		uint8_t type = p[off], len = p[off + 1];
		const uint8_t *e = p + off;

		if (len < 2 || off + len > t->length) {
			format(info.madt_error, sizeof(info.madt_error),
			       "entry at offset %u: type %u length %u overruns the table", off, type, len);
			return;
		}
		if (type == 0 && len >= 8) {
			madt_add_cpu(e[3], get32(e + 4));
		} else if (type == 9 && len >= 16) {
			madt_add_cpu(get32(e + 4), get32(e + 8));
		} else if (type == 1 && len >= 12 && info.nioapics < ACPI_MAX_IOAPICS) {
			info.ioapics[info.nioapics++] = (struct acpi_ioapic){
				.id = e[2], .addr = get32(e + 4), .gsi_base = get32(e + 8),
			};
		} else if (type == 2 && len >= 10 && info.noverrides < ACPI_MAX_OVERRIDES) {
			info.overrides[info.noverrides++] = (struct acpi_override){
				.irq = e[3], .gsi = get32(e + 4), .flags = (uint16_t)(e[8] | e[9] << 8),
			};
		} else if (type == 5 && len >= 12) {
			info.madt_lapic_addr = get64(e + 4);
		}
		off += len;
	}
}

static void parse_mcfg(const struct acpi_table *t)
{
	const uint8_t *p = at(t->addr);

	info.mcfg_found = true;
	for (uint32_t off = SDT_HEADER_SIZE + 8; off + 16 <= t->length && info.nmcfg < ACPI_MAX_MCFG; off += 16) {
		info.mcfg[info.nmcfg++] = (struct acpi_mcfg){
			.base = get64(p + off), .segment = (uint16_t)(p[off + 8] | p[off + 9] << 8),
			.bus_start = p[off + 10], .bus_end = p[off + 11],
		};
	}
}

const struct acpi_table *acpi_find(const char *signature)
{
	for (unsigned i = 0; i < info.ntables; i++) {
		if (info.tables[i].readable && memcmp(info.tables[i].signature, signature, 4) == 0)
			return &info.tables[i];
	}
	return NULL;
}

bool acpi_table_has(const char *signature, const char *text)
{
	const struct acpi_table *t;
	size_t n = strlen(text);

	acpi_get();	/* the tables, parsed on first use */
	t = acpi_find(signature);
	for (uint32_t off = 0; t && off + n <= t->length; off++)
		if (memcmp(at(t->addr) + off, text, n) == 0)
			return true;
	return false;
}

const struct acpi_info *acpi_get(void)
{
	const struct acpi_table *t;

	if (parsed)
		return &info;
	parsed = true;
	find_rsdp();
	if (!info.rsdp_found)
		return &info;
	read_root();
	add_dsdt();
	t = acpi_find("APIC");
	if (t)
		parse_madt(t);
	t = acpi_find("MCFG");
	if (t)
		parse_mcfg(t);
	return &info;
}
