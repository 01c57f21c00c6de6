/* PCI bus 0 of the x86 machine: the host bridge at 00:00.0 and one device
 * per slot after it, reached through configuration mechanism #1 (ports
 * 0xcf8-0xcff) and through the ECAM window the MCFG announces (the same
 * config space behind both), and the dispatch of guest accesses in the
 * 32-bit MMIO window to whichever memory BAR decodes them (as the guest
 * programmed the BARs and the command register's memory enable). One
 * lock serialises config accesses and BAR lookups; a device's BAR handler
 * runs outside it, under the device's own lock. */
#ifndef VMM_PCI_BUS_H
#define VMM_PCI_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/io_bus.h"
#include "vmm/pci/config_space.h"

#define PCI_MAX_SLOTS 32

struct pci_device;

struct pci_device_ops {
	/* A guest access at offset off of memory BAR bar. */
	void (*bar_access)(struct pci_device *d, unsigned int bar, uint64_t off,
			   uint8_t *data, unsigned int size, bool is_write);
	/* After a guest write to config space (the bus lock held): for
	 * capabilities with side effects (MSI-X enable and mask). Optional. */
	void (*config_written)(struct pci_device *d, unsigned int off, unsigned int size);
};

struct pci_device {
	struct pci_config_space cfg;
	const struct pci_device_ops *ops;
	void *opaque;
};

struct pci_bus {
	pthread_mutex_t lock;
	uint32_t config_address;	/* the 0xcf8 register */
	struct pci_device host_bridge;
	struct pci_device *slots[PCI_MAX_SLOTS];
	unsigned int nslots;		/* slot 0 is the host bridge */
	uint64_t mmio32_next;		/* BAR allocation */
};

void pci_bus_init(struct pci_bus *bus);
void pci_bus_destroy(struct pci_bus *bus);

/* Claims 0xcf8-0xcff, the ECAM window and the 32-bit MMIO window. */
int pci_bus_register(struct pci_bus *bus, struct io_bus *pio, struct io_bus *mmio);

/* Puts dev into the next free slot; returns the slot, -1 when full. */
int pci_bus_add(struct pci_bus *bus, struct pci_device *dev);

/* Guest-physical space for a BAR of size bytes (a power of two), aligned
 * to its size, from the 32-bit window; 0 when the window is full. */
uint64_t pci_bus_alloc_mmio32(struct pci_bus *bus, uint64_t size);

/* The io_bus handlers, exposed for unit tests. */
void pci_bus_cf8_access(void *bus, uint64_t off, uint8_t *data, unsigned int size, bool is_write);
void pci_bus_ecam_access(void *bus, uint64_t off, uint8_t *data, unsigned int size, bool is_write);
void pci_bus_mmio_access(void *bus, uint64_t off, uint8_t *data, unsigned int size, bool is_write);

#endif
