/* The device tree read back with libfdt, for 1 and 4 CPUs and 256 MiB and
 * 5 GiB of RAM; overlays made here with libfdt's sequential-write API. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "tests/unit/check_tap.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/fdt.h"
#include "vmm/x86/layout.h"

#define BUF_SIZE	(64 << 10)
#define MiB		(1ull << 20)
#define GiB		(1ull << 30)
#define CMDLINE		"console=ttyS0 reboot=k"

static char err[256];

static struct machine_desc machine(unsigned int ncpus, uint64_t ram)
{
	uint64_t below = ram < LAYOUT_MMIO_HOLE ? ram : LAYOUT_MMIO_HOLE;

	return (struct machine_desc){ .ncpus = ncpus, .ram_below_4g = below, .ram_above_4g = ram - below };
}

static void *build(const struct machine_desc *m, const void *overlay, size_t overlay_size)
{
	void *fdt = malloc(BUF_SIZE);

	ck_assert_ptr_nonnull(fdt);
	err[0] = '\0';
	ck_assert_msg(fdt_build(fdt, BUF_SIZE, m, CMDLINE, overlay, overlay_size, err, sizeof err) == 0,
		      "fdt_build: %s", err);
	ck_assert_int_eq(fdt_check_full(fdt, BUF_SIZE), 0);
	ck_assert_uint_lt(fdt_totalsize(fdt), BUF_SIZE);	/* packed */
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	ck_assert_msg(off >= 0, "%s: %s", path, fdt_strerror(off));
	return off;
}

static const char *string(const void *fdt, const char *path, const char *name)
{
	const char *s = fdt_getprop(fdt, node(fdt, path), name, NULL);

	ck_assert_msg(s, "%s: no %s", path, name);
	return s;
}

/* The property as cells; their number in *n. */
static const fdt32_t *cells(const void *fdt, const char *path, const char *name, int *n)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node(fdt, path), name, &len);

	ck_assert_msg(v, "%s: no %s", path, name);
	ck_assert_int_eq(len % 4, 0);
	*n = len / 4;
	return v;
}

static uint32_t cell_at(const fdt32_t *v, int i)
{
	return fdt32_to_cpu(v[i]);
}

static uint64_t cell64_at(const fdt32_t *v, int i)
{
	return (uint64_t)cell_at(v, i) << 32 | cell_at(v, i + 1);
}

static void check_cells(const void *fdt, const char *path, const char *name,
			const uint32_t *want, int nwant)
{
	int n;
	const fdt32_t *v = cells(fdt, path, name, &n);

	ck_assert_int_eq(n, nwant);
	for (int i = 0; i < n; i++)
		ck_assert_msg(cell_at(v, i) == want[i], "%s %s[%d] = 0x%x, want 0x%x",
			      path, name, i, cell_at(v, i), want[i]);
}

static const struct { unsigned int ncpus; uint64_t ram; } machines[] = {
	{ 1, 256 * MiB }, { 4, 256 * MiB }, { 1, 5 * GiB }, { 4, 5 * GiB },
};

START_TEST(root_chosen_and_memory)
{
	struct machine_desc m = machine(machines[_i].ncpus, machines[_i].ram);
	void *fdt = build(&m, NULL, 0);
	const fdt32_t *reg;
	int n;

	ck_assert_str_eq(string(fdt, "/", "model"), "guestmgr,x86-64");
	ck_assert_str_eq(string(fdt, "/", "compatible"), "guestmgr,x86-64");
	ck_assert_int_eq(fdt_address_cells(fdt, 0), 2);
	ck_assert_int_eq(fdt_size_cells(fdt, 0), 2);
	ck_assert_str_eq(string(fdt, "/chosen", "bootargs"), CMDLINE);
	ck_assert_str_eq(string(fdt, string(fdt, "/chosen", "stdout-path"), "compatible"), "ns16550a");

	ck_assert_str_eq(string(fdt, "/memory@0", "device_type"), "memory");
	reg = cells(fdt, "/memory@0", "reg", &n);
	ck_assert_int_eq(n, machines[_i].ram > 4 * GiB ? 12 : 8);
	ck_assert_uint_eq(cell64_at(reg, 0), 0);
	ck_assert_uint_eq(cell64_at(reg, 2), LAYOUT_LOW_RAM_END);
	ck_assert_uint_eq(cell64_at(reg, 4), LAYOUT_HIGH_RAM);
	ck_assert_uint_eq(cell64_at(reg, 6), m.ram_below_4g - LAYOUT_HIGH_RAM);
	if (n == 12) {
		ck_assert_uint_eq(cell64_at(reg, 8), LAYOUT_HIGH_MEM);
		ck_assert_uint_eq(cell64_at(reg, 10), 5 * GiB - LAYOUT_MMIO_HOLE);
	}
	free(fdt);
}
END_TEST

START_TEST(one_cpu_node_per_cpu_with_its_apic_id)
{
	struct machine_desc m = machine(machines[_i].ncpus, machines[_i].ram);
	void *fdt = build(&m, NULL, 0);
	int cpus = node(fdt, "/cpus"), off, count = 0;

	ck_assert_int_eq(fdt_address_cells(fdt, cpus), 1);
	ck_assert_int_eq(fdt_size_cells(fdt, cpus), 0);
	fdt_for_each_subnode(off, fdt, cpus) {
		const fdt32_t *reg = fdt_getprop(fdt, off, "reg", NULL);
		char name[16];

		snprintf(name, sizeof name, "cpu@%x", count);
		ck_assert_str_eq(fdt_get_name(fdt, off, NULL), name);
		ck_assert_str_eq(fdt_getprop(fdt, off, "device_type", NULL), "cpu");
		ck_assert_ptr_nonnull(reg);
		ck_assert_uint_eq(fdt32_to_cpu(*reg), count);
		count++;
	}
	ck_assert_int_eq(count, m.ncpus);
	free(fdt);
}
END_TEST

START_TEST(serial_on_the_isa_bus_interrupt_controllers_and_pci)
{
	struct machine_desc m = machine(4, 256 * MiB);
	void *fdt = build(&m, NULL, 0);
	static const uint32_t isa_ranges[] = { 1, 0, 0, 0, 0x10000 };
	static const uint32_t serial_reg[] = { 1, LAYOUT_COM1_PORT, 8 };
	static const uint32_t serial_irq[] = { LAYOUT_COM1_GSI, 0 };
	static const uint32_t ioapic_reg[] = { 0, (uint32_t)LAYOUT_IOAPIC, 0, 0x1000 };
	static const uint32_t lapic_reg[] = { 0, (uint32_t)LAYOUT_LAPIC, 0, 0x1000 };
	static const uint32_t ecam_reg[] = { 0, (uint32_t)LAYOUT_PCI_ECAM_BASE, 0, (uint32_t)LAYOUT_PCI_ECAM_SIZE };
	static const uint32_t bus_range[] = { 0, 0 };
	static const uint32_t pci_ranges[] = {
		0x01000000, 0, LAYOUT_PCI_IO_BASE, 0, LAYOUT_PCI_IO_BASE, 0, LAYOUT_PCI_IO_SIZE,
		0x02000000, 0, (uint32_t)LAYOUT_PCI_MMIO32_BASE, 0, (uint32_t)LAYOUT_PCI_MMIO32_BASE,
		0, (uint32_t)LAYOUT_PCI_MMIO32_SIZE,
		0x03000000, LAYOUT_PCI_MMIO64_BASE >> 32, 0, LAYOUT_PCI_MMIO64_BASE >> 32, 0,
		LAYOUT_PCI_MMIO64_SIZE >> 32, 0,
	};
	const fdt32_t *map;
	uint32_t ioapic;
	int n;

	ck_assert_str_eq(string(fdt, "/isa", "compatible"), "isa");
	check_cells(fdt, "/isa", "ranges", isa_ranges, 5);
	ck_assert_str_eq(string(fdt, "/isa/serial@i3f8", "compatible"), "ns16550a");
	check_cells(fdt, "/isa/serial@i3f8", "reg", serial_reg, 3);
	check_cells(fdt, "/isa/serial@i3f8", "interrupts", serial_irq, 2);
	ck_assert_str_eq(string(fdt, "/aliases", "serial0"), "/isa/serial@i3f8");

	ck_assert_str_eq(string(fdt, "/interrupt-controller@fec00000", "compatible"), "intel,ce4100-ioapic");
	check_cells(fdt, "/interrupt-controller@fec00000", "reg", ioapic_reg, 4);
	ck_assert_str_eq(string(fdt, "/interrupt-controller@fee00000", "compatible"), "intel,ce4100-lapic");
	check_cells(fdt, "/interrupt-controller@fee00000", "reg", lapic_reg, 4);
	ioapic = fdt_get_phandle(fdt, node(fdt, "/interrupt-controller@fec00000"));
	ck_assert_uint_ne(ioapic, 0);
	ck_assert_uint_eq(cell_at(cells(fdt, "/", "interrupt-parent", &n), 0), ioapic);

	ck_assert_str_eq(string(fdt, "/pci@e0000000", "compatible"), "pci-host-ecam-generic");
	ck_assert_str_eq(string(fdt, "/pci@e0000000", "device_type"), "pci");
	check_cells(fdt, "/pci@e0000000", "reg", ecam_reg, 4);
	check_cells(fdt, "/pci@e0000000", "bus-range", bus_range, 2);
	check_cells(fdt, "/pci@e0000000", "ranges", pci_ranges, 21);
	/* interrupt-map: the _PRT's routing, device 1..31 x INTA..INTD. */
	map = cells(fdt, "/pci@e0000000", "interrupt-map", &n);
	ck_assert_int_eq(n, 31 * 4 * 7);
	for (int i = 0; i < n; i += 7) {
		unsigned int slot = cell_at(map, i) >> 11, pin = cell_at(map, i + 3) - 1;

		ck_assert_uint_eq(slot, 1 + i / 28);
		ck_assert_uint_eq(pin, (i / 7) % 4);
		ck_assert_uint_eq(cell_at(map, i + 4), ioapic);
		ck_assert_uint_eq(cell_at(map, i + 5), pci_intx_gsi(slot, pin));
		ck_assert_uint_eq(cell_at(map, i + 6), 1);	/* level, active-low */
	}
	free(fdt);
}
END_TEST

/* An overlay as `dtc -@` compiles
 *	/plugin/; / { fragment@0 { target-path = "/"; __overlay__ { test-node {
 *	    test-prop = "hello"; }; }; };
 *	fragment@1 { target = <&pci>; __overlay__ { test-pci-prop = <7>; }; }; };
 * the second fragment reaching the PCI node through the base's
 * __symbols__. */
static size_t make_overlay(void *buf, size_t size, const char *target_path)
{
	uint32_t unresolved = cpu_to_fdt32(0xffffffff), seven = cpu_to_fdt32(7);

	ck_assert_int_eq(fdt_create(buf, (int)size), 0);
	ck_assert_int_eq(fdt_finish_reservemap(buf), 0);
	ck_assert_int_eq(fdt_begin_node(buf, ""), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "fragment@0"), 0);
	ck_assert_int_eq(fdt_property_string(buf, "target-path", target_path), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "__overlay__"), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "test-node"), 0);
	ck_assert_int_eq(fdt_property_string(buf, "test-prop", "hello"), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "fragment@1"), 0);
	ck_assert_int_eq(fdt_property(buf, "target", &unresolved, sizeof unresolved), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "__overlay__"), 0);
	ck_assert_int_eq(fdt_property(buf, "test-pci-prop", &seven, sizeof seven), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_begin_node(buf, "__fixups__"), 0);
	ck_assert_int_eq(fdt_property_string(buf, "pci", "/fragment@1:target:0"), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_end_node(buf), 0);
	ck_assert_int_eq(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

START_TEST(overlay_adds_nodes_and_properties)
{
	struct machine_desc m = machine(1, 256 * MiB);
	char overlay[1024];
	size_t size = make_overlay(overlay, sizeof overlay, "/");
	void *fdt = build(&m, overlay, size);
	const fdt32_t *v;
	int n;

	ck_assert_str_eq(string(fdt, "/test-node", "test-prop"), "hello");
	v = cells(fdt, "/pci@e0000000", "test-pci-prop", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(cell_at(v, 0), 7);
	/* The machine is still there. */
	ck_assert_str_eq(string(fdt, "/chosen", "bootargs"), CMDLINE);
	ck_assert_str_eq(string(fdt, "/pci@e0000000", "compatible"), "pci-host-ecam-generic");
	free(fdt);
}
END_TEST

/* fdt_build fails with exactly this message, and does not crash. */
static void check_fails(const struct machine_desc *m, const void *overlay, size_t size,
			const char *want)
{
	void *fdt = malloc(BUF_SIZE);

	ck_assert_ptr_nonnull(fdt);
	err[0] = '\0';
	ck_assert_int_eq(fdt_build(fdt, BUF_SIZE, m, CMDLINE, overlay, size, err, sizeof err), -1);
	ck_assert_str_eq(err, want);
	free(fdt);
}

START_TEST(bad_overlays_give_a_clear_error)
{
	struct machine_desc m = machine(1, 256 * MiB);
	char overlay[1024], garbage[512];
	size_t size = make_overlay(overlay, sizeof overlay, "/");

	ck_assert_uint_le(size, sizeof garbage);
	for (size_t i = 0; i < sizeof garbage; i++)
		garbage[i] = (char)(i * 37 + 11);
	check_fails(&m, garbage, sizeof garbage, "dtb overlay: FDT_ERR_BADMAGIC");
	check_fails(&m, overlay, 10, "dtb overlay: FDT_ERR_TRUNCATED");
	check_fails(&m, overlay, size - 8, "dtb overlay: FDT_ERR_TRUNCATED");

	/* A header that promises more structure than the blob holds. */
	memcpy(garbage, overlay, size);
	((struct fdt_header *)garbage)->size_dt_struct = cpu_to_fdt32(0x10000);
	check_fails(&m, garbage, size, "dtb overlay: FDT_ERR_TRUNCATED");

	memcpy(garbage, overlay, size);
	garbage[0] ^= 0xff;
	check_fails(&m, garbage, size, "dtb overlay: FDT_ERR_BADMAGIC");

	/* Well-formed, but its target does not exist. */
	size = make_overlay(overlay, sizeof overlay, "/no-such-node");
	check_fails(&m, overlay, size, "dtb overlay: FDT_ERR_NOTFOUND");
}
END_TEST

START_TEST(too_small_a_buffer_or_bad_cpu_count_fails)
{
	struct machine_desc m = machine(4, 256 * MiB);
	char small[256];

	ck_assert_int_eq(fdt_build(small, sizeof small, &m, CMDLINE, NULL, 0, err, sizeof err), -1);
	ck_assert_str_eq(err, "device tree: FDT_ERR_NOSPACE");
	m.ncpus = 0;
	check_fails(&m, NULL, 0, "device tree: 0 CPUs, not 1..64");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("tree");
	int nmachines = sizeof machines / sizeof machines[0];

	tcase_add_loop_test(tc, root_chosen_and_memory, 0, nmachines);
	tcase_add_loop_test(tc, one_cpu_node_per_cpu_with_its_apic_id, 0, nmachines);
	tcase_add_test(tc, serial_on_the_isa_bus_interrupt_controllers_and_pci);
	tcase_add_test(tc, overlay_adds_nodes_and_properties);
	tcase_add_test(tc, bad_overlays_give_a_clear_error);
	tcase_add_test(tc, too_small_a_buffer_or_bad_cpu_count_fails);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
