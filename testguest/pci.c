#include "pci.h"

#include "acpi.h"
#include "arch.h"
#include "cmdline.h"
#include "format.h"
#include "lapic.h"
#include "libc.h"
#include "vmm/x86/layout.h"

#define CONFIG_ADDRESS		LAYOUT_PCI_CONFIG_PORT
#define CONFIG_DATA		(LAYOUT_PCI_CONFIG_PORT + 4)
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34
#define BAR_IO			0x1
#define BAR_64BIT		0x4
#define BAR_ADDR_MASK		0xfffffff0u
#define MSIX_CONTROL		2
#define MSIX_TABLE		4
#define MSIX_ENABLE		0x8000
#define MSIX_FUNCTION_MASK	0x4000
#define MSIX_ENTRY_SIZE		16
#define MSIX_VECTOR_MASKED	1
#define MAX_CAPS		48	/* (256 - 64) / 4: more means a loop */

static struct pci_func funcs[PCI_MAX_FUNCS];
static unsigned nfuncs;
static bool enumerated;
static const char *access_name = "cf8";
/* Where the next unassigned BAR goes. The 32-bit window starts at the same
 * address on our vmm and on QEMU q35 (above its ECAM at 0xb0000000). */
static uint64_t next_bar = LAYOUT_PCI_MMIO32_BASE;
static unsigned bars_assigned;

/* ECAM's base when configuration space is read through it, else 0. */
static uint64_t ecam;

static uint32_t config_address(uint8_t dev, uint8_t fn, uint8_t off)
{
	return 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xfc);
}

static uint64_t ecam_address(uint8_t dev, uint8_t fn, uint8_t off)
{
	return ecam + ((uint64_t)dev << 15 | (uint64_t)fn << 12 | (off & 0xfc));
}

static uint32_t raw_read32(uint8_t dev, uint8_t fn, uint8_t off)
{
	if (ecam)
		return mmio_read32(ecam_address(dev, fn, off));
	outl(CONFIG_ADDRESS, config_address(dev, fn, off));
	return inl(CONFIG_DATA);
}

uint32_t pci_read32(const struct pci_func *f, uint8_t off)
{
	return raw_read32(f->dev, f->fn, off);
}

uint16_t pci_read16(const struct pci_func *f, uint8_t off)
{
	return (uint16_t)(pci_read32(f, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_func *f, uint8_t off)
{
	return (uint8_t)(pci_read32(f, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_func *f, uint8_t off, uint32_t v)
{
	if (ecam) {
		mmio_write32(ecam_address(f->dev, f->fn, off), v);
		return;
	}
	outl(CONFIG_ADDRESS, config_address(f->dev, f->fn, off));
	outl(CONFIG_DATA, v);
}

/* Read-modify-write of the dword: the other half must be written back
 * unchanged (for COMMAND/STATUS the status bits are write-1-to-clear,
 * so they are written as 0). */
void pci_write16(const struct pci_func *f, uint8_t off, uint16_t v)
{
	uint32_t d = pci_read32(f, off);
	unsigned shift = (off & 2) * 8;

	if ((off & 0xfc) == PCI_COMMAND)
		d &= 0xffff;
	d = (d & ~(0xffffu << shift)) | (uint32_t)v << shift;
	pci_write32(f, off, d);
}

static void add_function(uint8_t dev, uint8_t fn, uint32_t id)
{
	struct pci_func *f;

	if (nfuncs == PCI_MAX_FUNCS)
		return;
	f = &funcs[nfuncs++];
	f->dev = dev;
	f->fn = fn;
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	f->class = raw_read32(dev, fn, 0x08) >> 8;
	f->header_type = (raw_read32(dev, fn, 0x0c) >> 16) & 0x7f;
}

/* The MCFG entry for segment 0, bus 0, if inside the identity map. */
static uint64_t find_ecam(void)
{
	const struct acpi_info *a = acpi_get();

	for (unsigned i = 0; a->mcfg_found && i < a->nmcfg; i++)
		if (a->mcfg[i].segment == 0 && a->mcfg[i].bus_start == 0 &&
		    a->mcfg[i].base + (1u << 20) <= 0x100000000ull)
			return a->mcfg[i].base;
	return 0;
}

/* pci_access=cf8|ecam, else mechanism #1 when a host bridge answers
 * there and ECAM otherwise. ECAM's base is the MCFG's, or pci_ecam=<addr>
 * for machines that have none (QEMU microvm's PCIe: 0xe0000000). */
static void choose_access(void)
{
	const char *how = param("pci_access");
	uint64_t base;
	bool bad;

	if (how && strcmp(how, "cf8") == 0)
		return;
	if ((how && strcmp(how, "ecam") == 0) || (uint16_t)raw_read32(0, 0, 0) == 0xffff) {
		if (!param_u64("pci_ecam", &base, &bad))
			base = find_ecam();
		if (!bad && base && base < 0x100000000ull - (1u << 20))
			ecam = base;
	}
	access_name = ecam ? "ecam" : "cf8";
}

const char *pci_access(uint64_t *ecam_base)
{
	unsigned n;

	pci_functions(&n);
	*ecam_base = ecam;
	return access_name;
}

const struct pci_func *pci_functions(unsigned *count)
{
	if (!enumerated) {
		enumerated = true;
		choose_access();
		for (uint8_t dev = 0; dev < 32; dev++) {
			uint32_t id = raw_read32(dev, 0, 0);

			if ((uint16_t)id == 0xffff)
				continue;
			add_function(dev, 0, id);
			if (!(raw_read32(dev, 0, 0x0c) & (0x80u << 16)))
				continue;
			for (uint8_t fn = 1; fn < 8; fn++) {
				id = raw_read32(dev, fn, 0);
				if ((uint16_t)id != 0xffff)
					add_function(dev, fn, id);
			}
		}
	}
	*count = nfuncs;
	return funcs;
}

const struct pci_func *pci_find(uint16_t vendor, const uint16_t *devices, unsigned ndevices)
{
	unsigned n;
	const struct pci_func *all = pci_functions(&n);

	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < ndevices; j++)
			if (all[i].vendor == vendor && all[i].device == devices[j])
				return &all[i];
	return NULL;
}

static uint8_t first_cap(const struct pci_func *f)
{
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	return pci_read8(f, PCI_CAP_PTR) & 0xfc;
}

uint8_t pci_next_cap(const struct pci_func *f, uint8_t id, uint8_t from)
{
	uint8_t off = from ? pci_read8(f, from + 1) & 0xfc : first_cap(f);

	for (unsigned i = 0; off >= 0x40 && i < MAX_CAPS; i++) {
		if (pci_read8(f, off) == id)
			return off;
		off = pci_read8(f, off + 1) & 0xfc;
	}
	return 0;
}

bool pci_caps_wellformed(const struct pci_func *f, char *text, unsigned size)
{
	uint8_t off;
	unsigned len = 0;

	text[0] = '\0';
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
		format(text, size, "no capabilities");
		return true;
	}
	off = pci_read8(f, PCI_CAP_PTR);
	for (unsigned i = 0; off; i++) {
		if (off < 0x40 || (off & 3)) {
			format(text + len, size - len, " pointer %#x not an aligned offset past the header", off);
			return false;
		}
		if (i == MAX_CAPS) {
			format(text + len, size - len, " more than %u entries: a loop", MAX_CAPS);
			return false;
		}
		len += format(text + len, size - len, "%s%#x@%#x", len ? " " : "caps ",
			      pci_read8(f, off), off);
		off = pci_read8(f, off + 1);
	}
	return true;
}

/* Sizes a 32- or 64-bit memory BAR with decoding off, as the spec asks. */
static uint64_t bar_size(const struct pci_func *f, uint8_t reg, bool is64)
{
	uint32_t lo = pci_read32(f, reg), hi = is64 ? pci_read32(f, reg + 4) : 0;
	uint64_t mask;

	pci_write32(f, reg, 0xffffffff);
	mask = pci_read32(f, reg) & BAR_ADDR_MASK;
	if (is64) {
		pci_write32(f, reg + 4, 0xffffffff);
		mask |= (uint64_t)pci_read32(f, reg + 4) << 32;
		pci_write32(f, reg + 4, hi);
	} else {
		mask |= 0xffffffff00000000ull;
	}
	pci_write32(f, reg, lo);
	return mask ? ~mask + 1 : 0;
}

uint64_t pci_bar(const struct pci_func *f, unsigned bar)
{
	uint8_t reg = (uint8_t)(PCI_BAR0 + 4 * bar);
	uint32_t lo = pci_read32(f, reg);
	bool is64 = lo & BAR_64BIT;
	uint64_t addr = lo & BAR_ADDR_MASK;
	uint16_t cmd = pci_read16(f, PCI_COMMAND);

	if (bar > 5 || (lo & BAR_IO) || (is64 && bar == 5))
		return 0;
	if (is64)
		addr |= (uint64_t)pci_read32(f, reg + 4) << 32;
	if (!addr) {
		uint64_t size;

		pci_write16(f, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
		size = bar_size(f, reg, is64);
		if (!size || size > LAYOUT_PCI_MMIO32_SIZE)
			return 0;
		addr = (next_bar + size - 1) & ~(size - 1);
		if (addr + size > LAYOUT_PCI_MMIO32_BASE + LAYOUT_PCI_MMIO32_SIZE)
			return 0;
		next_bar = addr + size;
		bars_assigned++;
		pci_write32(f, reg, (uint32_t)addr);
		if (is64)
			pci_write32(f, reg + 4, 0);
	}
	pci_write16(f, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return addr >> 32 ? 0 : addr;
}

unsigned pci_bars_assigned(void)
{
	return bars_assigned;
}

bool pci_msix_enable(const struct pci_func *f, struct pci_msix *m)
{
	uint16_t control;
	uint32_t table;
	uint64_t base;

	m->cap = pci_next_cap(f, PCI_CAP_MSIX, 0);
	if (!m->cap)
		return false;
	control = pci_read16(f, m->cap + MSIX_CONTROL);
	table = pci_read32(f, m->cap + MSIX_TABLE);
	base = pci_bar(f, table & 7);
	if (!base)
		return false;
	m->entries = (control & 0x7ff) + 1;
	m->table = base + (table & ~7u);
	for (unsigned i = 0; i < m->entries; i++)
		mmio_write32(m->table + i * MSIX_ENTRY_SIZE + 12, MSIX_VECTOR_MASKED);
	pci_write16(f, m->cap + MSIX_CONTROL, (control & ~MSIX_FUNCTION_MASK) | MSIX_ENABLE);
	return true;
}

void pci_msix_route(const struct pci_msix *m, unsigned entry, uint8_t vector)
{
	uint64_t e = m->table + entry * MSIX_ENTRY_SIZE;

	if (entry >= m->entries)
		return;
	mmio_write32(e, 0xfee00000u | lapic_id() << 12);
	mmio_write32(e + 4, 0);
	mmio_write32(e + 8, vector);
	mmio_write32(e + 12, 0);
}
