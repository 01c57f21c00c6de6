/* MSI-X for one PCI function: the capability in config space, the vector
 * table and the pending-bit array (both in a memory BAR), and the mask
 * semantics: a message for a masked vector (entry mask, function mask, or
 * MSI-X disabled) sets its pending bit, and unmasking a pending vector
 * delivers it. Pure state; the owner serialises calls and supplies how a
 * message is sent and what happens when a vector's routing changes. */
#ifndef VMM_PCI_MSIX_H
#define VMM_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/pci/config_space.h"

#define PCI_CAP_ID_MSIX		0x11
#define MSIX_CAP_LEN		12
#define MSIX_ENTRY_SIZE		16
#define MSIX_MAX_VECTORS	64
#define MSIX_NO_VECTOR		0xffff	/* virtio's VIRTIO_MSI_NO_VECTOR */

struct msix_entry {
	uint32_t addr_lo;
	uint32_t addr_hi;
	uint32_t data;
	uint32_t ctrl;		/* bit 0: masked */
};

struct msix_ops {
	/* Deliver the message now (KVM_SIGNAL_MSI or an irqfd's route). */
	void (*send)(void *opaque, uint64_t addr, uint32_t data);
	/* The vector's message or its masked state changed: re-route. */
	void (*vector_changed)(void *opaque, unsigned int vector);
};

struct msix {
	struct pci_config_space *cfg;
	uint8_t cap;			/* capability offset */
	unsigned int nvec;
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint64_t pba;			/* MSIX_MAX_VECTORS bits */
	bool was_enabled;
	bool was_function_masked;
	const struct msix_ops *ops;
	void *opaque;
};

/* Adds the capability: nvec vectors, table at table_off and PBA at pba_off
 * of memory BAR bar. Entries start masked. -1 if it does not fit. */
int msix_init(struct msix *m, struct pci_config_space *cfg, unsigned int nvec,
	      unsigned int bar, uint32_t table_off, uint32_t pba_off,
	      const struct msix_ops *ops, void *opaque);

/* Guest accesses at offsets in the table or the PBA; dword or qword. */
void msix_table_access(struct msix *m, uint64_t off, uint8_t *data, unsigned int size,
		       bool is_write);
void msix_pba_access(struct msix *m, uint64_t off, uint8_t *data, unsigned int size,
		     bool is_write);

/* After a guest config write: acts on enable and function-mask changes. */
void msix_config_written(struct msix *m);

bool msix_enabled(const struct msix *m);
/* True when a message for vector would not be sent now. */
bool msix_vector_masked(const struct msix *m, unsigned int vector);
void msix_message(const struct msix *m, unsigned int vector, uint64_t *addr, uint32_t *data);

/* The device raises vector: sent if unmasked, else left pending. Vectors
 * out of range (MSIX_NO_VECTOR) are dropped. */
void msix_notify(struct msix *m, unsigned int vector);

#endif
