/* acpi: the RSDP and its checksums, every table of the XSDT (or RSDT)
 * plus the DSDT, the MADT's CPUs and IOAPICs, the MCFG's ECAM windows. */
#include "acpi.h"
#include "bootinfo.h"
#include "format.h"
#include "ioapic.h"
#include "libc.h"
#include "report.h"
#include "scenario.h"

static void check_rsdp(const struct acpi_info *a)
{
	report_pass("rsdp", "at %#lx (from %s), revision %u", a->rsdp_addr, a->rsdp_source,
		    a->revision);
	report_check(a->rsdp_checksum_ok, "rsdp_checksum", "first 20 bytes %s",
		     a->rsdp_checksum_ok ? "sum to 0" : "do not sum to 0");
	if (a->revision >= 2)
		report_check(a->rsdp_ext_checksum_ok, "rsdp_ext_checksum", "extended checksum %s",
			     a->rsdp_ext_checksum_ok ? "right" : "wrong (or length out of range)");
}

/* checksum_<SIG>, with a suffix when a signature repeats (SSDTs). */
static void table_check_name(const struct acpi_info *a, unsigned index, char *name, size_t size)
{
	const struct acpi_table *t = &a->tables[index];
	unsigned repeat = 0;
	char sig[5];

	for (unsigned i = 0; i < index; i++)
		repeat += memcmp(a->tables[i].signature, t->signature, 4) == 0;
	for (int i = 0; i < 5; i++) {
		char c = t->signature[i];

		sig[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || !c
				 ? c : '_';
	}
	if (repeat)
		format(name, size, "checksum_%s_%u", sig, repeat);
	else
		format(name, size, "checksum_%s", sig);
}

static void check_tables(const struct acpi_info *a)
{
	const char *root = a->root_is_xsdt ? "xsdt" : "rsdt";
	char name[32];

	format(name, sizeof(name), "%s_checksum", root);
	report_check(a->root.checksum_ok, name, "%s at %#lx, %u bytes, %u tables", root,
		     a->root.addr, a->root.length, a->ntables);
	for (unsigned i = 0; i < a->ntables; i++) {
		const struct acpi_table *t = &a->tables[i];

		table_check_name(a, i, name, sizeof(name));
		if (!t->readable)
			report_fail(name, "table at %#lx: length %u, or not in the low 4 GiB", t->addr,
				    t->length);
		else
			report_check(t->checksum_ok, name, "%s at %#lx, %u bytes", t->signature, t->addr,
				     t->length);
	}
	if (a->tables_truncated)
		report_fail("tables", "more than %u tables; the rest were not checked", ACPI_MAX_TABLES);
}

static void check_madt(const struct acpi_info *a)
{
	char ids[3 * LAYOUT_MAX_CPUS + 8] = "";
	size_t len = 0;

	if (!a->madt_found) {
		report_fail("madt", "no MADT (APIC) in the %s", a->root_is_xsdt ? "XSDT" : "RSDT");
		return;
	}
	for (unsigned i = 0; i < a->ncpus && len + 12 < sizeof(ids); i++)
		len += format(ids + len, sizeof(ids) - len, "%s%u", i ? "," : "", a->apic_ids[i]);
	if (a->madt_error[0])
		report_fail("madt", "%s", a->madt_error);
	else
		report_check(a->ncpus > 0 && a->nioapics > 0 && !a->cpus_truncated, "madt",
			     "%u enabled CPUs (APIC ids %s)%s, %u IOAPICs, %u overrides, LAPIC at %#lx",
			     a->ncpus, ids, a->cpus_truncated ? " and more" : "", a->nioapics,
			     a->noverrides, a->madt_lapic_addr);
	report_info("cpus=%u", a->ncpus);
	for (unsigned i = 0; i < a->nioapics; i++) {
		const struct acpi_ioapic *io = &a->ioapics[i];
		uint32_t version = ioapic_read(io->addr, IOAPIC_REG_VERSION);
		char name[16];

		format(name, sizeof(name), "ioapic%u", i);
		if (version == 0xffffffff || version == 0)
			report_fail(name, "id %u at %#lx: version register reads %#x, no IOAPIC there",
				    io->id, io->addr, version);
		else
			report_pass(name, "id %u at %#lx: version %#x, %u pins, GSI base %u", io->id,
				    io->addr, version & 0xff, ((version >> 16) & 0xff) + 1, io->gsi_base);
	}
}

void scenario_acpi(void)
{
	const struct acpi_info *a = acpi_get();

	if (!a->rsdp_found) {
		report_fail("rsdp", "none at start_info.rsdp_paddr (%#lx) nor in 0xe0000-0xfffff",
			    boot_info.rsdp_paddr);
		return;
	}
	check_rsdp(a);
	if (!a->root_found) {
		report_fail(a->root_is_xsdt ? "xsdt" : "rsdt", "%s", a->root_error);
		return;
	}
	check_tables(a);
	check_madt(a);
	for (unsigned i = 0; i < a->nmcfg; i++)
		report_info("ecam_base=%#lx segment=%u buses=%u-%u", a->mcfg[i].base,
			    a->mcfg[i].segment, a->mcfg[i].bus_start, a->mcfg[i].bus_end);
}
