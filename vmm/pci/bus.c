#include "vmm/pci/bus.h"

#include <string.h>

#include "vmm/x86/layout.h"

#define CF8_ENABLE		0x80000000u
#define PCI_CLASS_HOST_BRIDGE	0x060000u
/* The host bridge's ids: Red Hat's "QEMU PCIe host bridge", which every
 * guest treats as a plain host bridge with nothing to program. */
#define HOST_BRIDGE_VENDOR	0x1b36
#define HOST_BRIDGE_DEVICE	0x0008

void pci_bus_init(struct pci_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	pthread_mutex_init(&bus->lock, NULL);
	pci_config_init(&bus->host_bridge.cfg, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE, 0,
			PCI_CLASS_HOST_BRIDGE, 0, 0);
	bus->slots[0] = &bus->host_bridge;
	bus->nslots = 1;
	bus->mmio32_next = LAYOUT_PCI_MMIO32_BASE;
}

void pci_bus_destroy(struct pci_bus *bus)
{
	pthread_mutex_destroy(&bus->lock);
}

int pci_bus_add(struct pci_bus *bus, struct pci_device *dev)
{
	if (bus->nslots == PCI_MAX_SLOTS)
		return -1;
	bus->slots[bus->nslots] = dev;
	return (int)bus->nslots++;
}

uint64_t pci_bus_alloc_mmio32(struct pci_bus *bus, uint64_t size)
{
	uint64_t addr = (bus->mmio32_next + size - 1) & ~(size - 1);

	if (addr + size > LAYOUT_PCI_MMIO32_BASE + LAYOUT_PCI_MMIO32_SIZE)
		return 0;
	bus->mmio32_next = addr + size;
	return addr;
}

/* One access to the config space of device dev, function fn, at off (the
 * bus lock held). Accesses crossing a dword, functions other than 0 and
 * empty slots read as all-ones (no device) and drop writes. */
static void config_access(struct pci_bus *bus, unsigned int dev, unsigned int fn,
			  unsigned int off, uint8_t *data, unsigned int size, bool is_write)
{
	struct pci_device *d = dev < PCI_MAX_SLOTS && fn == 0 ? bus->slots[dev] : NULL;
	uint32_t v = 0;

	if (!d || (off & 3) + size > 4) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (off >= PCI_CONFIG_SIZE) {
		/* No PCIe extended space: an empty extended capability list. */
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	if (is_write) {
		for (unsigned int i = 0; i < size; i++)
			v |= (uint32_t)data[i] << (8 * i);
		pci_config_write(&d->cfg, off, size, v);
		if (d->ops && d->ops->config_written)
			d->ops->config_written(d, off, size);
		return;
	}
	v = pci_config_read(&d->cfg, off, size);
	for (unsigned int i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

void pci_bus_cf8_access(void *opaque, uint64_t off, uint8_t *data, unsigned int size,
			bool is_write)
{
	struct pci_bus *bus = opaque;
	uint32_t a;

	pthread_mutex_lock(&bus->lock);
	if (off < 4) {
		/* The address register takes dword accesses only; narrower
		 * ones reach other (legacy) ports on real chipsets. */
		if (off == 0 && size == 4) {
			if (is_write)
				bus->config_address = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
						      (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
			else
				for (unsigned int i = 0; i < 4; i++)
					data[i] = (uint8_t)(bus->config_address >> (8 * i));
		} else if (!is_write) {
			memset(data, 0xff, size);
		}
		pthread_mutex_unlock(&bus->lock);
		return;
	}
	a = bus->config_address;
	if (!(a & CF8_ENABLE) || ((a >> 16) & 0xff) != 0) {
		if (!is_write)
			memset(data, 0xff, size);
	} else {
		config_access(bus, (a >> 11) & 0x1f, (a >> 8) & 7,
			      (a & 0xfc) + (unsigned int)(off - 4), data, size, is_write);
	}
	pthread_mutex_unlock(&bus->lock);
}

void pci_bus_ecam_access(void *opaque, uint64_t off, uint8_t *data, unsigned int size,
			 bool is_write)
{
	struct pci_bus *bus = opaque;

	pthread_mutex_lock(&bus->lock);
	config_access(bus, (off >> 15) & 0x1f, (off >> 12) & 7, off & 0xfff, data,
		      size, is_write);
	pthread_mutex_unlock(&bus->lock);
}

/* Which device and BAR decode guest-physical addr (the bus lock held). */
static struct pci_device *find_bar(struct pci_bus *bus, uint64_t addr, unsigned int *bar,
				   uint64_t *bar_off)
{
	for (unsigned int s = 1; s < bus->nslots; s++) {
		struct pci_device *d = bus->slots[s];

		if (!(pci_config_get(&d->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
			continue;
		for (unsigned int b = 0; b < PCI_NUM_BARS; b++) {
			uint64_t size = d->cfg.bars[b].size, base;

			if (!size)
				continue;
			base = pci_config_bar_addr(&d->cfg, b);
			if (addr >= base && addr - base < size) {
				*bar = b;
				*bar_off = addr - base;
				return d;
			}
		}
	}
	return NULL;
}

void pci_bus_mmio_access(void *opaque, uint64_t off, uint8_t *data, unsigned int size,
			 bool is_write)
{
	struct pci_bus *bus = opaque;
	struct pci_device *d;
	unsigned int bar = 0;
	uint64_t bar_off = 0;

	pthread_mutex_lock(&bus->lock);
	d = find_bar(bus, LAYOUT_PCI_MMIO32_BASE + off, &bar, &bar_off);
	pthread_mutex_unlock(&bus->lock);
	if (d)
		d->ops->bar_access(d, bar, bar_off, data, size, is_write);
	else if (!is_write)
		memset(data, 0xff, size);
}

int pci_bus_register(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio)
{
	if (io_bus_register(pio, LAYOUT_PCI_CONFIG_PORT, 8, pci_bus_cf8_access, bus) < 0 ||
	    io_bus_register(mmio, LAYOUT_PCI_ECAM_BASE, LAYOUT_PCI_ECAM_SIZE,
			    pci_bus_ecam_access, bus) < 0 ||
	    io_bus_register(mmio, LAYOUT_PCI_MMIO32_BASE, LAYOUT_PCI_MMIO32_SIZE,
			    pci_bus_mmio_access, bus) < 0)
		return -1;
	return 0;
}
