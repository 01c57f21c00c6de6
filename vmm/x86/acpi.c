/* The ACPI tables, one function per table, each built entry by entry and
 * checksummed at the end (the shape of kvmtool's x86/mptable.c).
 *
 * Layout of the area (guest-physical LAYOUT_ACPI_BASE, inside the BIOS
 * range where an OS also scans for the RSDP): the RSDP at offset 0, then
 * DSDT, FADT, MADT, MCFG and XSDT, each 16-byte aligned. Field offsets and
 * values are those of the ACPI 6.5 specification; the structures are
 * packed and their sizes asserted against it. The host is x86-64 (configure
 * insists), so multi-byte fields are stored in native little-endian order. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

/* dsdt_aml_code[]: vmm/x86/dsdt.asl compiled by iasl -tc at build time. */
#include "vmm/x86/dsdt.hex"

#define ACPI_OEM_ID		"GSTMGR"	/* 6 characters */
#define ACPI_OEM_TABLE_ID	"GUESTMGR"	/* 8 characters */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"GMGR"
#define ACPI_CREATOR_REVISION	1
#define ACPI_TABLE_ALIGN	16

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header is 36 bytes");

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* over the first 20 bytes (ACPI 1.0 part) */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP revision 2 is 36 bytes");
#define RSDP_V1_LENGTH 20

/* Generic Address Structure: where a fixed register lives. */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
#define GAS_SPACE_SYSTEM_IO	1
#define GAS_ACCESS_BYTE		1

struct acpi_fadt {
	struct acpi_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor[8];
} __attribute__((packed));
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH at 109");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags at 112");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG at 116");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT at 140");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT SLEEP_CONTROL_REG at 244");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");
#define FADT_REVISION		6
#define FADT_MINOR_VERSION	5
#define FADT_RESET_REG_SUP	(1u << 10)
#define FADT_HW_REDUCED_ACPI	(1u << 20)
#define FADT_BOOT_VGA_NOT_PRESENT	(1u << 2)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT	(1u << 5)

struct acpi_madt {
	struct acpi_header header;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part is 44 bytes");
#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	(1u << 0)

struct madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT Processor Local APIC is 8 bytes");
#define MADT_TYPE_LAPIC		0
#define MADT_LAPIC_ENABLED	(1u << 0)

struct madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT I/O APIC is 12 bytes");
#define MADT_TYPE_IOAPIC	1
/* The id KVM's in-kernel IOAPIC reports in its ID register after reset. */
#define MADT_IOAPIC_ID		0

struct madt_irq_override {
	uint8_t type;
	uint8_t length;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_irq_override) == 10, "MADT Interrupt Source Override is 10 bytes");
#define MADT_TYPE_IRQ_OVERRIDE	2
#define MADT_BUS_ISA		0
#define MPS_INTI_CONFORMS	0x0
#define MPS_INTI_ACTIVE_HIGH	0x1
#define MPS_INTI_LEVEL		(0x3 << 2)

struct acpi_mcfg {
	struct acpi_header header;
	uint64_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG fixed part is 44 bytes");

struct mcfg_allocation {
	uint64_t base_address;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mcfg_allocation) == 16, "MCFG allocation is 16 bytes");

/* The area being filled. Appends past its end set `full` and write
 * nothing, so each table function reads straight through and acpi_build
 * checks once at the end. */
struct acpi_area {
	uint8_t *base;
	size_t size;
	size_t used;
	bool full;
};

static size_t area_append(struct acpi_area *a, const void *data, size_t len)
{
	size_t offset = a->used;

	if (a->full || len > a->size - a->used) {
		a->full = true;
		return 0;
	}
	memcpy(a->base + offset, data, len);
	a->used += len;
	return offset;
}

static void area_align(struct acpi_area *a)
{
	size_t pad = (ACPI_TABLE_ALIGN - a->used % ACPI_TABLE_ALIGN) % ACPI_TABLE_ALIGN;
	static const uint8_t zeros[ACPI_TABLE_ALIGN];

	area_append(a, zeros, pad);
}

static uint64_t area_gpa(size_t offset)
{
	return LAYOUT_ACPI_BASE + offset;
}

/* The byte that makes `len` bytes at p (checksum byte included, as 0)
 * sum to zero. */
static uint8_t checksum_byte(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static void header_init(struct acpi_header *h, const char signature[4], uint8_t revision)
{
	memcpy(h->signature, signature, sizeof h->signature);
	h->length = 0;		/* set by table_end */
	h->revision = revision;
	h->checksum = 0;	/* set by table_end */
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof h->oem_id);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof h->oem_table_id);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof h->creator_id);
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Starts a table with its fixed part (a struct beginning with the header),
 * filling the header. Returns the table's offset in the area. */
static size_t table_begin(struct acpi_area *a, struct acpi_header *fixed, size_t fixed_size,
			  const char signature[4], uint8_t revision)
{
	header_init(fixed, signature, revision);
	area_align(a);
	return area_append(a, fixed, fixed_size);
}

/* Ends the table that starts at `start`: sets its length and checksum.
 * Returns its guest-physical address, or 0 when the area is full. */
static uint64_t table_end(struct acpi_area *a, size_t start)
{
	struct acpi_header *h;
	uint32_t length;

	if (a->full)
		return 0;
	h = (struct acpi_header *)(a->base + start);
	length = (uint32_t)(a->used - start);
	h->length = length;
	h->checksum = 0;
	h->checksum = checksum_byte(a->base + start, length);
	return area_gpa(start);
}

/* The DSDT as iasl compiled it (header, checksum and all); table_end only
 * re-states what is already there. */
static uint64_t add_dsdt(struct acpi_area *a)
{
	size_t start;

	area_align(a);
	start = area_append(a, dsdt_aml_code, sizeof dsdt_aml_code);
	return table_end(a, start);
}

static struct acpi_gas gas_io_byte(uint16_t port)
{
	return (struct acpi_gas){
		.space_id = GAS_SPACE_SYSTEM_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = GAS_ACCESS_BYTE,
		.address = port,
	};
}

/* Hardware-reduced ACPI: no PM1/GPE/PM-timer blocks, no SCI, no FACS. The
 * OS powers off through the sleep control register and resets through the
 * reset register. (Linux then also skips the PIT and the 8259, as on
 * Firecracker and Cloud Hypervisor.) */
static uint64_t add_fadt(struct acpi_area *a, uint64_t dsdt)
{
	struct acpi_fadt fadt = {
		.iapc_boot_arch = FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_CMOS_RTC_NOT_PRESENT,
		.flags = FADT_HW_REDUCED_ACPI | FADT_RESET_REG_SUP,
		.reset_reg = gas_io_byte(ACPI_RESET_PORT),
		.reset_value = ACPI_RESET_VALUE,
		.minor_version = FADT_MINOR_VERSION,
		.x_dsdt = dsdt,
		.sleep_control_reg = gas_io_byte(LAYOUT_ACPI_SLEEP_PORT),
		.sleep_status_reg = gas_io_byte(LAYOUT_ACPI_SLEEP_PORT),
	};
	size_t start;

	memcpy(fadt.hypervisor_vendor, "GUESTMGR", sizeof fadt.hypervisor_vendor);
	start = table_begin(a, &fadt.header, sizeof fadt, "FACP", FADT_REVISION);
	return table_end(a, start);
}

static void add_irq_override(struct acpi_area *a, uint8_t isa_irq, uint32_t gsi, uint16_t flags)
{
	struct madt_irq_override o = {
		.type = MADT_TYPE_IRQ_OVERRIDE,
		.length = sizeof o,
		.bus = MADT_BUS_ISA,
		.source = isa_irq,
		.gsi = gsi,
		.flags = flags,
	};

	area_append(a, &o, sizeof o);
}

/* The interrupt controllers: one local APIC per vCPU (APIC id = index),
 * the IOAPIC with all its pins from GSI 0, and the two ISA overrides every
 * PC states: the PIT's IRQ0 is wired to pin 2, and IRQ9 (the SCI on PCs)
 * is level-triggered, active-high. */
static uint64_t add_madt(struct acpi_area *a, const struct machine_desc *m)
{
	struct acpi_madt madt = {
		.lapic_address = LAYOUT_LAPIC,
		.flags = MADT_PCAT_COMPAT,
	};
	struct madt_ioapic ioapic = {
		.type = MADT_TYPE_IOAPIC,
		.length = sizeof ioapic,
		.ioapic_id = MADT_IOAPIC_ID,
		.address = LAYOUT_IOAPIC,
		.gsi_base = 0,
	};
	size_t start = table_begin(a, &madt.header, sizeof madt, "APIC", MADT_REVISION);

	for (unsigned int cpu = 0; cpu < m->ncpus; cpu++) {
		struct madt_lapic lapic = {
			.type = MADT_TYPE_LAPIC,
			.length = sizeof lapic,
			.processor_uid = (uint8_t)cpu,
			.apic_id = (uint8_t)cpu,
			.flags = MADT_LAPIC_ENABLED,
		};
		area_append(a, &lapic, sizeof lapic);
	}
	area_append(a, &ioapic, sizeof ioapic);
	add_irq_override(a, 0, 2, MPS_INTI_CONFORMS);
	add_irq_override(a, 9, 9, MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL);
	return table_end(a, start);
}

/* PCI Express memory-mapped configuration space: segment 0, bus 0 only. */
static uint64_t add_mcfg(struct acpi_area *a)
{
	struct acpi_mcfg mcfg = { .reserved = 0 };
	struct mcfg_allocation ecam = {
		.base_address = LAYOUT_PCI_ECAM_BASE,
		.segment = 0,
		.start_bus = 0,
		.end_bus = LAYOUT_PCI_ECAM_SIZE / (1 << 20) - 1,	/* 1 MiB per bus */
	};
	size_t start = table_begin(a, &mcfg.header, sizeof mcfg, "MCFG", 1);

	area_append(a, &ecam, sizeof ecam);
	return table_end(a, start);
}

static uint64_t add_xsdt(struct acpi_area *a, const uint64_t *tables, size_t count)
{
	struct acpi_header xsdt;
	size_t start = table_begin(a, &xsdt, sizeof xsdt, "XSDT", 1);

	for (size_t i = 0; i < count; i++)
		area_append(a, &tables[i], sizeof tables[i]);
	return table_end(a, start);
}

/* Revision 2 RSDP with only the XSDT (no RSDT: every OS that reads
 * revision 2 uses the XSDT). */
static void put_rsdp(uint8_t *at, uint64_t xsdt)
{
	struct acpi_rsdp rsdp = {
		.revision = 2,
		.rsdt_address = 0,
		.length = sizeof rsdp,
		.xsdt_address = xsdt,
	};

	memcpy(rsdp.signature, "RSD PTR ", sizeof rsdp.signature);
	memcpy(rsdp.oem_id, ACPI_OEM_ID, sizeof rsdp.oem_id);
	rsdp.checksum = checksum_byte((const uint8_t *)&rsdp, RSDP_V1_LENGTH);
	rsdp.extended_checksum = checksum_byte((const uint8_t *)&rsdp, sizeof rsdp);
	memcpy(at, &rsdp, sizeof rsdp);
}

size_t acpi_build_sized(uint8_t *area, size_t size, const struct machine_desc *m)
{
	static const uint8_t rsdp_room[sizeof(struct acpi_rsdp)];
	struct acpi_area a = { .base = area, .size = size, .used = 0, .full = false };
	uint64_t dsdt, tables[3], xsdt;

	if (m->ncpus < 1 || m->ncpus > LAYOUT_MAX_CPUS)
		return 0;
	/* The RSDP goes at offset 0, written last: it points at the XSDT. */
	area_append(&a, rsdp_room, sizeof rsdp_room);
	dsdt = add_dsdt(&a);
	tables[0] = add_fadt(&a, dsdt);
	tables[1] = add_madt(&a, m);
	tables[2] = add_mcfg(&a);
	xsdt = add_xsdt(&a, tables, sizeof tables / sizeof tables[0]);
	if (a.full)
		return 0;
	put_rsdp(area, xsdt);
	return a.used;
}

size_t acpi_build(uint8_t *area, const struct machine_desc *m)
{
	return acpi_build_sized(area, LAYOUT_ACPI_SIZE, m);
}
