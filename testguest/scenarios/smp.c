/* smp: start every AP the MADT lists, one at a time, and check that each
 * checks in from long mode on its own stack with its own APIC id. */
#include "acpi.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "format.h"
#include "lapic.h"
#include "report.h"
#include "scenario.h"
#include "smp.h"

static bool madt_lists(const struct acpi_info *a, uint32_t apic_id)
{
	for (unsigned i = 0; i < a->ncpus; i++) {
		if (a->apic_ids[i] == apic_id)
			return true;
	}
	return false;
}

/* Every AP that checked in since `first` is in the MADT, once. */
static void check_apic_ids(const struct acpi_info *a, unsigned first, unsigned last, uint32_t bsp)
{
	for (unsigned i = first; i < last; i++) {
		uint32_t id = smp_checked_in_apic_id(i);
		bool repeated = id == bsp;

		for (unsigned j = first; j < i; j++)
			repeated |= smp_checked_in_apic_id(j) == id;
		if (!madt_lists(a, id) || repeated) {
			report_fail("apic_ids", "an AP checked in with APIC id %u, %s", id,
				    repeated ? "which another CPU has" : "which the MADT does not list");
			return;
		}
	}
	report_pass("apic_ids", "%u APs, each with its own APIC id from the MADT", last - first);
}

static void check_expect_cpus(unsigned cpus)
{
	uint64_t expect;
	bool bad;

	if (!param_u64("expect_cpus", &expect, &bad))
		return;
	if (bad)
		report_fail("expect_cpus", "expect_cpus='%s' is not a number", param("expect_cpus"));
	else
		report_check(cpus == expect, "expect_cpus", "%u CPUs running, expected %lu", cpus, expect);
}

void scenario_smp(void)
{
	const struct acpi_info *a = acpi_get();
	uint32_t bsp = lapic_id();
	unsigned first = smp_checked_in(), last, cpus;

	if (!a->madt_found) {
		report_fail("madt", "no MADT: nothing says which CPUs exist");
		return;
	}
	report_check(boot_ram_holding(SMP_TRAMPOLINE_BASE, SMP_TRAMPOLINE_END) != NULL, "trampoline",
		     "%#x-%#x is RAM in the memory map", SMP_TRAMPOLINE_BASE, SMP_TRAMPOLINE_END);
	report_check(madt_lists(a, bsp), "bsp", "BSP APIC id %u %s", bsp,
		     madt_lists(a, bsp) ? "is in the MADT" : "is not in the MADT");
	for (unsigned i = 0; i < a->ncpus; i++) {
		char name[16], why[96];

		if (a->apic_ids[i] == bsp)
			continue;
		format(name, sizeof(name), "ap%u", a->apic_ids[i]);
		if (smp_start_ap(a->apic_ids[i], why, sizeof(why)))
			report_pass(name, "APIC id %u checked in from long mode", a->apic_ids[i]);
		else
			report_fail(name, "%s", why);
	}
	last = smp_checked_in();
	cpus = 1 + last - first;
	report_check(cpus == a->ncpus, "count", "%u CPUs running (BSP + %u APs), the MADT lists %u",
		     cpus, last - first, a->ncpus);
	check_apic_ids(a, first, last, bsp);
	report_info("cpus=%u", cpus);
	check_expect_cpus(cpus);
}
