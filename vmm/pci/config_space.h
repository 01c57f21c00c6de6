/* One PCI function's 256-byte type-0 configuration space: the register
 * bytes, which bits the guest may write, write-1-to-clear status bits, BAR
 * sizing (a BAR's low address bits read back as zero, so writing all-ones
 * reads back the size mask) and the capability list. Pure data: no locks,
 * no I/O; the bus serialises accesses. */
#ifndef VMM_PCI_CONFIG_SPACE_H
#define VMM_PCI_CONFIG_SPACE_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_SIZE		256
#define PCI_NUM_BARS		6

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_START		0x40

#define PCI_BAR_MEM64		0x4

struct pci_bar {
	uint64_t size;		/* power of two, >= 16; 0: BAR not implemented */
	bool is64;		/* takes this BAR and the next */
};

struct pci_config_space {
	uint8_t regs[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];		/* bits the guest may write */
	uint8_t w1cmask[PCI_CONFIG_SIZE];	/* bits a 1 written clears */
	struct pci_bar bars[PCI_NUM_BARS];
	uint8_t next_cap;			/* where the next capability goes */
	uint8_t last_cap;			/* 0: none yet */
};

/* A type-0 header: ids, revision, class code (base << 16 | sub << 8 | prog-if). */
void pci_config_init(struct pci_config_space *c, uint16_t vendor, uint16_t device,
		     uint8_t revision, uint32_t class_code,
		     uint16_t subsys_vendor, uint16_t subsys_id);

/* A 32- or 64-bit memory BAR of size bytes (a power of two >= 16) at addr
 * (aligned to size). false if the BAR slot is taken or the size is bad. */
bool pci_config_add_mem_bar(struct pci_config_space *c, unsigned int bar, uint64_t size,
			    bool is64, uint64_t addr);

/* The BAR's current address as the guest programmed it. */
uint64_t pci_config_bar_addr(const struct pci_config_space *c, unsigned int bar);

/* Appends a capability of len bytes (id and next pointer included) to
 * the list; returns its offset, 0 when it does not fit. The caller fills
 * the body and marks writable bits with pci_config_set_wmask. */
uint8_t pci_config_add_cap(struct pci_config_space *c, uint8_t id, unsigned int len);

void pci_config_set_wmask(struct pci_config_space *c, unsigned int off, unsigned int size,
			  uint32_t mask);

/* Guest accesses: size 1, 2 or 4, off + size <= 256 (the bus splits and
 * checks alignment). */
uint32_t pci_config_read(const struct pci_config_space *c, unsigned int off, unsigned int size);
void pci_config_write(struct pci_config_space *c, unsigned int off, unsigned int size,
		      uint32_t val);

/* Little-endian register helpers for device models. */
uint32_t pci_config_get(const struct pci_config_space *c, unsigned int off, unsigned int size);
void pci_config_set(struct pci_config_space *c, unsigned int off, unsigned int size, uint32_t val);

#endif
