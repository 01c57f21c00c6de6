/* PCI bus 0 through configuration mechanism #1 (ports 0xcf8/0xcfc), the
 * access both our vmm and QEMU's q35 offer, or ECAM (from the MCFG) where
 * that is all there is: enumeration, capability lists, memory BARs
 * (assigned here when no firmware did) and MSI-X. */
#ifndef TESTGUEST_PCI_H
#define TESTGUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_FUNCS		32
#define PCI_CAP_MSIX		0x11
#define PCI_CAP_VENDOR		0x09

struct pci_func {
	uint8_t dev, fn;		/* bus 0 */
	uint16_t vendor, device;
	uint32_t class;			/* class, subclass, prog-if */
	uint8_t header_type;		/* without the multi-function bit */
};

/* "cf8" or "ecam" (then *ecam_base is set), as chosen at enumeration. */
const char *pci_access(uint64_t *ecam_base);

uint32_t pci_read32(const struct pci_func *f, uint8_t off);
uint16_t pci_read16(const struct pci_func *f, uint8_t off);
uint8_t pci_read8(const struct pci_func *f, uint8_t off);
void pci_write32(const struct pci_func *f, uint8_t off, uint32_t v);
void pci_write16(const struct pci_func *f, uint8_t off, uint16_t v);

/* The functions on bus 0, in device/function order; found once. */
const struct pci_func *pci_functions(unsigned *count);
/* The first function with this vendor and one of the device ids, or NULL. */
const struct pci_func *pci_find(uint16_t vendor, const uint16_t *devices, unsigned ndevices);

/* Capability walk: the offset of the first capability with this id at
 * or after the one at `from` (0: from the start), or 0. */
uint8_t pci_next_cap(const struct pci_func *f, uint8_t id, uint8_t from);
/* Checks the list: pointers inside the header's end and dword aligned,
 * no loop. Writes the ids seen (or the problem) to text. */
bool pci_caps_wellformed(const struct pci_func *f, char *text, unsigned size);

/* A memory BAR's address, assigned from the 32-bit PCI window when it is
 * unassigned, with memory decoding and bus mastering enabled. 0 for an
 * I/O or absent BAR, or one above the 4 GiB this guest maps. */
uint64_t pci_bar(const struct pci_func *f, unsigned bar);

/* How many BARs pci_bar() found unassigned and assigned. */
unsigned pci_bars_assigned(void);

struct pci_msix {
	uint8_t cap;
	uint16_t entries;
	uint64_t table;
};

/* Finds MSI-X, masks every entry and enables it. False without MSI-X. */
bool pci_msix_enable(const struct pci_func *f, struct pci_msix *m);
/* Points entry at vector on this CPU and unmasks it. */
void pci_msix_route(const struct pci_msix *m, unsigned entry, uint8_t vector);

#endif
