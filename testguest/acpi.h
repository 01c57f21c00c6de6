/* ACPI as the guest finds it: the RSDP (from the PVH start info, else by
 * scanning the BIOS area), the XSDT or RSDT, and what the MADT and MCFG
 * say. Parsed once; every scenario reads the same result. Tables are read
 * in place and never trusted: lengths are bounded, addresses must be
 * inside the identity map. */
#ifndef TESTGUEST_ACPI_H
#define TESTGUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/x86/layout.h"

#define ACPI_MAX_TABLES 32
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG 4

struct acpi_table {
	char signature[5];
	uint64_t addr;
	uint32_t length;
	bool readable;		/* inside the identity map, sane length */
	bool checksum_ok;
};

struct acpi_ioapic {
	uint8_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t irq;		/* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
};

struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_info {
	bool rsdp_found;
	uint64_t rsdp_addr;
	const char *rsdp_source;	/* "start_info" or "scan" */
	uint8_t revision;
	bool rsdp_checksum_ok;
	bool rsdp_ext_checksum_ok;	/* revision >= 2 only */

	bool root_found;		/* root table readable with the right signature */
	bool root_is_xsdt;
	struct acpi_table root;
	char root_error[96];

	struct acpi_table tables[ACPI_MAX_TABLES];
	unsigned ntables;
	bool tables_truncated;

	bool madt_found;
	uint64_t madt_lapic_addr;
	unsigned ncpus;			/* enabled LAPIC / x2APIC entries */
	uint32_t apic_ids[LAYOUT_MAX_CPUS];
	bool cpus_truncated;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned noverrides;
	char madt_error[96];

	bool mcfg_found;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	unsigned nmcfg;
};

/* Finds and parses the tables on first use. */
const struct acpi_info *acpi_get(void);

/* The table with this signature from the root table (or the FADT's DSDT),
 * if readable. */
const struct acpi_table *acpi_find(const char *signature);
/* Whether that table's bytes hold text anywhere (a _HID string, say). */
bool acpi_table_has(const char *signature, const char *text);

#endif
