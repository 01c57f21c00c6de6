/* The device tree, written with libfdt's sequential-write API: one function
 * per node, in the order the tree shows them. A writer keeps the first
 * libfdt error, so each node function reads straight through and
 * fdt_build checks once.
 *
 * How x86 resources are stated:
 * - I/O ports: the ISA bus binding (IEEE 1275 ISA supplement). /isa has
 *   two address cells, the first 1 for I/O space, and a `ranges` entry
 *   mapping I/O port p to root address p, so an OS translating serial@i3f8's
 *   reg <1 0x3f8 8> gets port 0x3f8 (what Linux's of_translate_ioport does
 *   on x86, where the port space starts at 0). The node has no unit
 *   address: its range starts at root address 0, and "isa@0" would clash
 *   with memory@0 (dtc notes the missing one as a warning; nothing reads it).
 * - Interrupts: the IOAPIC is the root's interrupt-parent; its specifier
 *   is <GSI type>, type as Linux's intel,ce4100-ioapic binding defines it.
 * - The local APIC and the IOAPIC carry the intel,ce4100-* compatibles
 *   Linux's arch/x86/kernel/devicetree.c looks for; cpu@N's reg is the
 *   APIC id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/fdt.h"
#include "vmm/x86/layout.h"

/* Every node __symbols__ names has a phandle: an overlay's fixups resolve
 * a label to its node's phandle. */
#define PHANDLE_IOAPIC		1
#define PHANDLE_LAPIC		2
#define PHANDLE_SERIAL		3
#define PHANDLE_PCI		4

/* Interrupt specifier types of the intel,ce4100-ioapic binding. */
#define IOAPIC_EDGE_RISING	0
#define IOAPIC_LEVEL_LOW	1

#define ISA_SPACE_IO		1
#define SERIAL_CLOCK_HZ		1843200	/* the 8250's 1.8432 MHz crystal: 115200 baud at divisor 1 */
#define APIC_MMIO_SIZE		0x1000


/* PCI address cells (phys.hi): space code in bits 24-25, device in 11-15. */
#define PCI_SPACE_IO		(1u << 24)
#define PCI_SPACE_MMIO32	(2u << 24)
#define PCI_SPACE_MMIO64	(3u << 24)
#define PCI_DEVICE_SHIFT	11
#define PCI_SLOTS		32
#define PCI_INTX_PINS		4

/* Paths of the nodes other nodes refer to, unit addresses from layout.h. */
struct node_paths {
	char ioapic[64];
	char lapic[64];
	char serial[64];
	char pci[64];
};

struct fdt_writer {
	void *fdt;
	int err;		/* first libfdt error, 0 while all went well */
	struct node_paths path;
};

static void node_paths_init(struct node_paths *p)
{
	snprintf(p->ioapic, sizeof p->ioapic, "/interrupt-controller@%llx", LAYOUT_IOAPIC);
	snprintf(p->lapic, sizeof p->lapic, "/interrupt-controller@%llx", LAYOUT_LAPIC);
	snprintf(p->serial, sizeof p->serial, "/isa/serial@i%x", LAYOUT_COM1_PORT);
	snprintf(p->pci, sizeof p->pci, "/pci@%llx", LAYOUT_PCI_ECAM_BASE);
}

/* A node's name: the last component of its path. */
static const char *leaf(const char *path)
{
	return strrchr(path, '/') + 1;
}

/* A property's value as big-endian cells; the largest is the PCI
 * interrupt-map (31 devices x 4 pins x 7 cells). */
#define MAX_CELLS 1024
struct cells {
	fdt32_t v[MAX_CELLS];
	size_t n;
};

static void cell(struct cells *c, uint32_t v)
{
	if (c->n < MAX_CELLS)
		c->v[c->n] = cpu_to_fdt32(v);
	c->n++;
}

static void cell64(struct cells *c, uint64_t v)
{
	cell(c, (uint32_t)(v >> 32));
	cell(c, (uint32_t)v);
}

static void begin_node(struct fdt_writer *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void end_node(struct fdt_writer *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void prop(struct fdt_writer *w, const char *name, const void *val, size_t len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, (int)len);
}

static void prop_string(struct fdt_writer *w, const char *name, const char *s)
{
	prop(w, name, s, strlen(s) + 1);
}

static void prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	prop(w, name, &be, sizeof be);
}

static void prop_cells(struct fdt_writer *w, const char *name, const struct cells *c)
{
	if (c->n > MAX_CELLS) {
		if (!w->err)
			w->err = -FDT_ERR_INTERNAL;
		return;
	}
	prop(w, name, c->v, c->n * sizeof c->v[0]);
}

/* reg = <address size> with the root's two address and two size cells. */
static void prop_reg64(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	struct cells c = { .n = 0 };

	cell64(&c, base);
	cell64(&c, size);
	prop_cells(w, "reg", &c);
}

static void add_root_properties(struct fdt_writer *w)
{
	prop_string(w, "model", "guestmgr,x86-64");
	prop_string(w, "compatible", "guestmgr,x86-64");
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "interrupt-parent", PHANDLE_IOAPIC);
}

static void add_chosen(struct fdt_writer *w, const char *cmdline)
{
	begin_node(w, "chosen");
	prop_string(w, "bootargs", cmdline ? cmdline : "");
	prop_string(w, "stdout-path", w->path.serial);
	end_node(w);
}

static void add_aliases(struct fdt_writer *w)
{
	begin_node(w, "aliases");
	prop_string(w, "serial0", w->path.serial);
	end_node(w);
}

/* The RAM the e820 map gives as usable: low memory below the EBDA, the
 * rest below the 32-bit hole from 1 MiB, and what lies above 4 GiB. */
static void add_memory(struct fdt_writer *w, const struct machine_desc *m)
{
	struct cells reg = { .n = 0 };
	uint64_t low_end = m->ram_below_4g < LAYOUT_LOW_RAM_END ? m->ram_below_4g : LAYOUT_LOW_RAM_END;

	cell64(&reg, 0);
	cell64(&reg, low_end);
	if (m->ram_below_4g > LAYOUT_HIGH_RAM) {
		cell64(&reg, LAYOUT_HIGH_RAM);
		cell64(&reg, m->ram_below_4g - LAYOUT_HIGH_RAM);
	}
	if (m->ram_above_4g > 0) {
		cell64(&reg, LAYOUT_HIGH_MEM);
		cell64(&reg, m->ram_above_4g);
	}
	begin_node(w, "memory@0");
	prop_string(w, "device_type", "memory");
	prop_cells(w, "reg", &reg);
	end_node(w);
}

static void add_cpus(struct fdt_writer *w, const struct machine_desc *m)
{
	char name[32];

	begin_node(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (unsigned int cpu = 0; cpu < m->ncpus; cpu++) {
		snprintf(name, sizeof name, "cpu@%x", cpu);
		begin_node(w, name);
		prop_string(w, "device_type", "cpu");
		prop_u32(w, "reg", cpu);	/* APIC id */
		end_node(w);
	}
	end_node(w);
}

static void add_interrupt_controller(struct fdt_writer *w, const char *path, const char *compatible,
				     uint64_t base, uint32_t phandle)
{
	begin_node(w, leaf(path));
	prop_string(w, "compatible", compatible);
	prop_reg64(w, base, APIC_MMIO_SIZE);
	prop(w, "interrupt-controller", NULL, 0);
	prop_u32(w, "#interrupt-cells", 2);
	prop_u32(w, "#address-cells", 0);	/* none in interrupt-map entries */
	prop_u32(w, "phandle", phandle);
	end_node(w);
}

static void add_isa_serial(struct fdt_writer *w)
{
	struct cells ranges = { .n = 0 }, reg = { .n = 0 }, irq = { .n = 0 };

	/* ISA I/O 0..0xffff -> root address 0..0xffff. */
	cell(&ranges, ISA_SPACE_IO);
	cell(&ranges, 0);
	cell64(&ranges, 0);
	cell(&ranges, 0x10000);
	cell(&reg, ISA_SPACE_IO);
	cell(&reg, LAYOUT_COM1_PORT);
	cell(&reg, 8);
	cell(&irq, LAYOUT_COM1_GSI);
	cell(&irq, IOAPIC_EDGE_RISING);

	begin_node(w, "isa");
	prop_string(w, "compatible", "isa");
	prop_string(w, "device_type", "isa");
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 1);
	prop_cells(w, "ranges", &ranges);
	begin_node(w, leaf(w->path.serial));
	prop_string(w, "compatible", "ns16550a");
	prop_cells(w, "reg", &reg);
	prop_u32(w, "clock-frequency", SERIAL_CLOCK_HZ);
	prop_cells(w, "interrupts", &irq);
	prop_u32(w, "phandle", PHANDLE_SERIAL);
	end_node(w);
	end_node(w);
}

/* One `ranges` entry of the host bridge: PCI address = CPU address. */
static void pci_window(struct cells *c, uint32_t space, uint64_t base, uint64_t size)
{
	cell(c, space);
	cell64(c, base);
	cell64(c, base);
	cell64(c, size);
}

/* The ECAM host bridge with the same windows and INTx routing as the
 * DSDT's PCI0. */
static void add_pci(struct fdt_writer *w)
{
	struct cells bus_range = { .n = 0 }, ranges = { .n = 0 }, mask = { .n = 0 }, map = { .n = 0 };

	cell(&bus_range, 0);
	cell(&bus_range, (uint32_t)(LAYOUT_PCI_ECAM_SIZE >> 20) - 1);	/* 1 MiB per bus */
	pci_window(&ranges, PCI_SPACE_IO, LAYOUT_PCI_IO_BASE, LAYOUT_PCI_IO_SIZE);
	pci_window(&ranges, PCI_SPACE_MMIO32, LAYOUT_PCI_MMIO32_BASE, LAYOUT_PCI_MMIO32_SIZE);
	pci_window(&ranges, PCI_SPACE_MMIO64, LAYOUT_PCI_MMIO64_BASE, LAYOUT_PCI_MMIO64_SIZE);
	/* interrupt-map: <phys.hi 0 0 pin(1-4)> -> <ioapic GSI level-low>. */
	cell(&mask, 0x1f << PCI_DEVICE_SHIFT);
	cell(&mask, 0);
	cell(&mask, 0);
	cell(&mask, 7);
	for (unsigned int slot = 1; slot < PCI_SLOTS; slot++) {
		for (unsigned int pin = 0; pin < PCI_INTX_PINS; pin++) {
			cell(&map, slot << PCI_DEVICE_SHIFT);
			cell(&map, 0);
			cell(&map, 0);
			cell(&map, pin + 1);
			cell(&map, PHANDLE_IOAPIC);
			cell(&map, pci_intx_gsi(slot, pin));
			cell(&map, IOAPIC_LEVEL_LOW);
		}
	}

	begin_node(w, leaf(w->path.pci));
	prop_string(w, "compatible", "pci-host-ecam-generic");
	prop_string(w, "device_type", "pci");
	prop_reg64(w, LAYOUT_PCI_ECAM_BASE, LAYOUT_PCI_ECAM_SIZE);
	prop_cells(w, "bus-range", &bus_range);
	prop_u32(w, "#address-cells", 3);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "#interrupt-cells", 1);
	prop_cells(w, "ranges", &ranges);
	prop_cells(w, "interrupt-map-mask", &mask);
	prop_cells(w, "interrupt-map", &map);
	prop_u32(w, "phandle", PHANDLE_PCI);
	end_node(w);
}

/* Labels, as `dtc -@` would write them, so an overlay can name its
 * targets (target = <&pci>) instead of spelling out paths. */
static void add_symbols(struct fdt_writer *w)
{
	begin_node(w, "__symbols__");
	prop_string(w, "ioapic", w->path.ioapic);
	prop_string(w, "lapic", w->path.lapic);
	prop_string(w, "serial0", w->path.serial);
	prop_string(w, "pci", w->path.pci);
	end_node(w);
}

static int fail(char *err, size_t errlen, const char *what, int fdt_err)
{
	snprintf(err, errlen, "%s: %s", what, fdt_strerror(fdt_err));
	return -1;
}

static int write_tree(void *buf, size_t bufsize, const struct machine_desc *m, const char *cmdline)
{
	struct fdt_writer w = { .fdt = buf, .err = 0 };

	node_paths_init(&w.path);
	w.err = fdt_create(buf, (int)bufsize);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	begin_node(&w, "");
	add_root_properties(&w);
	add_chosen(&w, cmdline);
	add_aliases(&w);
	add_memory(&w, m);
	add_cpus(&w, m);
	add_interrupt_controller(&w, w.path.ioapic, "intel,ce4100-ioapic", LAYOUT_IOAPIC, PHANDLE_IOAPIC);
	add_interrupt_controller(&w, w.path.lapic, "intel,ce4100-lapic", LAYOUT_LAPIC, PHANDLE_LAPIC);
	add_isa_serial(&w);
	add_pci(&w);
	add_symbols(&w);
	end_node(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	return w.err;
}

/* Applies a copy of the overlay (libfdt rewrites the overlay as it goes)
 * to the tree in buf, opened up to the whole buffer first. */
static int apply_overlay(void *buf, size_t bufsize, const void *overlay, size_t overlay_size)
{
	void *copy;
	int rc;

	if (overlay_size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	rc = fdt_check_header(overlay);
	if (rc)
		return rc;
	if (fdt_totalsize(overlay) > overlay_size)
		return -FDT_ERR_TRUNCATED;
	rc = fdt_check_full(overlay, overlay_size);
	if (rc)
		return rc;
	copy = malloc(fdt_totalsize(overlay));
	if (!copy)
		return -FDT_ERR_NOSPACE;
	memcpy(copy, overlay, fdt_totalsize(overlay));
	rc = fdt_open_into(buf, buf, (int)bufsize);
	if (!rc)
		rc = fdt_overlay_apply(buf, copy);
	free(copy);
	return rc;
}

int fdt_build(void *buf, size_t bufsize, const struct machine_desc *m, const char *cmdline,
	      const void *overlay, size_t overlay_size, char *err, size_t errlen)
{
	int rc;

	if (m->ncpus < 1 || m->ncpus > LAYOUT_MAX_CPUS) {
		snprintf(err, errlen, "device tree: %u CPUs, not 1..%d", m->ncpus, LAYOUT_MAX_CPUS);
		return -1;
	}
	if (bufsize > INT32_MAX)
		bufsize = INT32_MAX;
	rc = write_tree(buf, bufsize, m, cmdline);
	if (rc)
		return fail(err, errlen, "device tree", rc);
	if (overlay) {
		rc = apply_overlay(buf, bufsize, overlay, overlay_size);
		if (rc)
			return fail(err, errlen, "dtb overlay", rc);
	}
	rc = fdt_pack(buf);
	if (rc)
		return fail(err, errlen, "device tree", rc);
	return 0;
}
