/* dtb: the device tree the vmm passes as a PVH module, read with our own
 * FDT reader and compared with what the memory map and the MADT say. */
#include "acpi.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "fdt.h"
#include "libc.h"
#include "report.h"
#include "scenario.h"

#define IDENTITY_MAP_END 0x100000000ull

struct dtb_facts {
	uint64_t memory_bytes;
	unsigned memory_nodes;
	bool memory_reg_bad;
	unsigned cpus;
	char serial_path[FDT_PATH_MAX];
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One address or size of cells big-endian cells; 0 when cells > 2. */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	if (cells > 2)
		return 0;
	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | fdt_be32(p + 4 * i);
	return v;
}

static void visit(const struct fdt *fdt, const struct fdt_node *node, void *ctx)
{
	struct dtb_facts *f = ctx;
	uint32_t ac = node->parent_address_cells, sc = node->parent_size_cells;
	uint32_t entry = 4 * (ac + sc), len;
	const uint8_t *reg;
	bool has_reg = fdt_prop(fdt, node->offset, "reg", &reg, &len);

	if (node->depth == 1 && (strcmp(node->name, "memory") == 0 || starts_with(node->name, "memory@"))) {
		f->memory_nodes++;
		if (!has_reg || ac == 0 || ac > 2 || sc == 0 || sc > 2 || len % entry) {
			f->memory_reg_bad = true;
			return;
		}
		for (uint32_t off = 0; off < len; off += entry)
			f->memory_bytes += read_cells(reg + off + 4 * ac, sc);
	} else if (node->depth == 2 && starts_with(node->path, "/cpus/") &&
		   (strcmp(node->name, "cpu") == 0 || starts_with(node->name, "cpu@"))) {
		f->cpus++;
	} else if ((starts_with(node->name, "serial") || starts_with(node->name, "uart")) && has_reg &&
		   ac > 0 && len >= 4 * ac && fdt_be32(reg + 4 * (ac - 1)) == 0x3f8 && !f->serial_path[0]) {
		/* The last address cell: an ISA bus puts its space flag first. */
		strlcopy(f->serial_path, node->path, sizeof(f->serial_path));
	}
}

static const struct boot_module *find_fdt_module(unsigned *index)
{
	for (unsigned i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];

		if (m->size >= 4 && m->paddr < IDENTITY_MAP_END && m->size <= IDENTITY_MAP_END - m->paddr &&
		    fdt_be32((const void *)(uintptr_t)m->paddr) == FDT_MAGIC) {
			*index = i;
			return m;
		}
	}
	return NULL;
}

/* dtb_expect=<node path>:<property>=<string> */
static void check_expectation(const struct fdt *fdt)
{
	static char spec[256];
	const char *want = param("dtb_expect"), *got;
	char *colon, *eq;
	uint32_t node;

	if (!want)
		return;
	strlcopy(spec, want, sizeof(spec));
	colon = strchr(spec, ':');
	eq = colon ? strchr(colon, '=') : NULL;
	if (!colon || !eq) {
		report_fail("expect", "dtb_expect='%s' is not <node path>:<property>=<string>", want);
		return;
	}
	*colon = *eq = '\0';
	if (!fdt_find(fdt, spec, &node)) {
		report_fail("expect", "no node %s", spec);
		return;
	}
	got = fdt_prop_string(fdt, node, colon + 1);
	if (!got)
		report_fail("expect", "%s has no string property %s", spec, colon + 1);
	else
		report_check(strcmp(got, eq + 1) == 0, "expect", "%s:%s is '%s', expected '%s'", spec,
			     colon + 1, got, eq + 1);
}

void scenario_dtb(void)
{
	const struct boot_module *m;
	struct dtb_facts facts = { 0 };
	const struct acpi_info *acpi;
	struct fdt fdt;
	const char *model;
	unsigned index;
	char why[128];

	m = find_fdt_module(&index);
	if (!m) {
		report_fail("found", "no FDT (magic %#x) among the %u PVH modules", FDT_MAGIC,
			    boot_info.nr_modules);
		return;
	}
	report_pass("found", "module %u at %#lx, %lu bytes", index, m->paddr, m->size);
	if (!fdt_open(&fdt, (const void *)(uintptr_t)m->paddr, m->size, why, sizeof(why))) {
		report_fail("header", "%s", why);
		return;
	}
	report_pass("header", "version %u, %u bytes", fdt.version, fdt.size);
	if (!fdt_walk(&fdt, visit, &facts, why, sizeof(why))) {
		report_fail("structure", "%s", why);
		return;
	}
	report_pass("structure", "every node and property lies inside the blob");

	if (facts.memory_nodes == 0)
		report_fail("memory", "no /memory node");
	else if (facts.memory_reg_bad)
		report_fail("memory", "a /memory node has no reg, or one of odd length or cell counts");
	else
		report_check(facts.memory_bytes == boot_ram_bytes(), "memory",
			     "/memory reg totals %lu bytes, the memory map has %lu bytes of RAM",
			     facts.memory_bytes, boot_ram_bytes());

	acpi = acpi_get();
	if (!acpi->madt_found)
		report_fail("cpus", "%u /cpus/cpu@* nodes, but no MADT to compare with", facts.cpus);
	else
		report_check(facts.cpus == acpi->ncpus, "cpus", "%u /cpus/cpu@* nodes, the MADT has %u",
			     facts.cpus, acpi->ncpus);

	if (facts.serial_path[0])
		report_pass("serial", "%s", facts.serial_path);
	else
		report_fail("serial", "no serial or uart node with reg 0x3f8");

	model = fdt_find(&fdt, "/", &index) ? fdt_prop_string(&fdt, index, "model") : NULL;
	if (report_check(model != NULL, "model", "%s", model ? model : "/ has no string property model"))
		report_info("dtb_model=%s", model);
	check_expectation(&fdt);
}
