#include "vmm/pci/config_space.h"

#include <string.h>

uint32_t pci_config_get(const struct pci_config_space *c, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)c->regs[off + i] << (8 * i);
	return v;
}

void pci_config_set(struct pci_config_space *c, unsigned int off, unsigned int size, uint32_t val)
{
	for (unsigned int i = 0; i < size; i++)
		c->regs[off + i] = (uint8_t)(val >> (8 * i));
}

void pci_config_set_wmask(struct pci_config_space *c, unsigned int off, unsigned int size,
			  uint32_t mask)
{
	for (unsigned int i = 0; i < size; i++)
		c->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}

void pci_config_init(struct pci_config_space *c, uint16_t vendor, uint16_t device,
		     uint8_t revision, uint32_t class_code,
		     uint16_t subsys_vendor, uint16_t subsys_id)
{
	memset(c, 0, sizeof(*c));
	pci_config_set(c, PCI_VENDOR_ID, 2, vendor);
	pci_config_set(c, PCI_DEVICE_ID, 2, device);
	pci_config_set(c, PCI_REVISION_ID, 1, revision);
	pci_config_set(c, PCI_CLASS_PROG, 3, class_code);
	pci_config_set(c, PCI_SUBSYSTEM_VENDOR_ID, 2, subsys_vendor);
	pci_config_set(c, PCI_SUBSYSTEM_ID, 2, subsys_id);
	pci_config_set_wmask(c, PCI_COMMAND, 2,
			     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			     PCI_COMMAND_INTX_DISABLE);
	/* Status: the error bits are write-1-to-clear; we never set them,
	 * but a guest clearing them must not disturb the rest. */
	c->w1cmask[PCI_STATUS + 1] = 0xf9;
	pci_config_set_wmask(c, PCI_INTERRUPT_LINE, 1, 0xff);
	c->next_cap = PCI_CAP_START;
}

bool pci_config_add_mem_bar(struct pci_config_space *c, unsigned int bar, uint64_t size,
			    bool is64, uint64_t addr)
{
	unsigned int off = PCI_BAR0 + 4 * bar;
	uint64_t mask = ~(size - 1);

	if (bar + (is64 ? 1 : 0) >= PCI_NUM_BARS || c->bars[bar].size ||
	    (bar > 0 && c->bars[bar - 1].is64) ||
	    (is64 && c->bars[bar + 1].size) || size < 16 || (size & (size - 1)) ||
	    (addr & (size - 1)) || (!is64 && (size > 0x80000000ULL || addr >> 32)))
		return false;
	c->bars[bar] = (struct pci_bar){ .size = size, .is64 = is64 };
	pci_config_set(c, off, 4, (uint32_t)addr | (is64 ? PCI_BAR_MEM64 : 0));
	pci_config_set_wmask(c, off, 4, (uint32_t)mask & 0xfffffff0u);
	if (is64) {
		pci_config_set(c, off + 4, 4, (uint32_t)(addr >> 32));
		pci_config_set_wmask(c, off + 4, 4, (uint32_t)(mask >> 32));
	}
	return true;
}

uint64_t pci_config_bar_addr(const struct pci_config_space *c, unsigned int bar)
{
	unsigned int off = PCI_BAR0 + 4 * bar;
	uint64_t addr = pci_config_get(c, off, 4) & 0xfffffff0u;

	if (c->bars[bar].is64)
		addr |= (uint64_t)pci_config_get(c, off + 4, 4) << 32;
	return addr;
}

uint8_t pci_config_add_cap(struct pci_config_space *c, uint8_t id, unsigned int len)
{
	uint8_t off = c->next_cap;

	if (len < 2 || off == 0 || off + len > PCI_CONFIG_SIZE)
		return 0;
	c->regs[off] = id;
	c->regs[off + 1] = 0;
	if (c->last_cap)
		c->regs[c->last_cap + 1] = off;
	else
		c->regs[PCI_CAPABILITY_LIST] = off;
	c->regs[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	c->last_cap = off;
	/* Capabilities start dword-aligned. */
	c->next_cap = off + ((len + 3) & ~3u) < PCI_CONFIG_SIZE ? (uint8_t)(off + ((len + 3) & ~3u)) : 0;
	return off;
}

uint32_t pci_config_read(const struct pci_config_space *c, unsigned int off, unsigned int size)
{
	return pci_config_get(c, off, size);
}

void pci_config_write(struct pci_config_space *c, unsigned int off, unsigned int size,
		      uint32_t val)
{
	for (unsigned int i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		unsigned int o = off + i;

		c->regs[o] = (uint8_t)((c->regs[o] & ~c->wmask[o]) | (b & c->wmask[o]));
		c->regs[o] &= (uint8_t)~(b & c->w1cmask[o]);
	}
}
