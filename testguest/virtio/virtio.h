/* A small modern virtio-pci driver (virtio 1.2 §4.1): the transport
 * found through the vendor capabilities, the initialization sequence of
 * §3.1.1, split virtqueues (§2.7) in guest memory with one MSI-X vector
 * each, and requests submitted one at a time with a bounded wait for the
 * interrupt that completes them. The rings are exposed so that a scenario
 * can also write what a hostile guest would. */
#ifndef TESTGUEST_VIRTIO_VIRTIO_H
#define TESTGUEST_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_ENTROPY	4

#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32

#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

#define VIRTQ_MAX_SIZE		16	/* queues are capped to this */
#define VIRTQ_MAX_INDIRECT	64	/* entries in the indirect table */
#define VIRTIO_MAX_QUEUES	2

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_MAX_SIZE + 1];	/* + used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_MAX_SIZE];
	uint16_t avail_event;
};

/* One buffer of a chain: device-readable, or device-writable (write). */
struct vbuf {
	const void *addr;
	uint32_t len;
	bool write;
};

struct virtq {
	uint16_t index, size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_desc *indirect;	/* VIRTQ_MAX_INDIRECT entries */
	uint16_t avail_idx, last_used;
	uint64_t notify_addr;
	uint8_t vector;
	unsigned irqs_at_publish;	/* the vector's count when the last request went out */
};

struct virtio_dev {
	const struct pci_func *pci;
	struct pci_msix msix;
	uint64_t common, notify, isr, device;
	uint32_t notify_multiplier;
	uint64_t offered, features;
	uint8_t config_vector;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	char error[128];	/* why virtio_open failed */
};

/* The first virtio device of this type on bus 0, or NULL. */
const struct pci_func *virtio_find(unsigned type);

/* Resets and initializes the device through DRIVER_OK: features are the
 * offered ones among `wanted` (VERSION_1 always, and required), nqueues
 * queues each with its own MSI-X vector. False, with d->error, when any
 * step fails (the device is then left FAILED). */
bool virtio_open(struct virtio_dev *d, const struct pci_func *f, uint64_t wanted,
		 unsigned nqueues);
void virtio_reset(struct virtio_dev *d);
uint8_t virtio_status(const struct virtio_dev *d);
bool virtio_has(const struct virtio_dev *d, unsigned feature);

/* A 64-bit field of the device configuration, read consistently
 * (config_generation, §4.1.4.3). */
uint64_t virtio_cfg64(const struct virtio_dev *d, unsigned off);

/* Interrupts seen so far on a device's vector. */
unsigned virtio_irqs(uint8_t vector);

/* Writes a chain of n buffers at descriptor 0 (the previous request must
 * be complete), in the ring directly or, with indirect, through the
 * indirect table; then makes it available and notifies. */
void vq_submit(struct virtq *q, const struct vbuf *bufs, unsigned n, bool indirect);
/* Puts head in the avail ring, moves avail idx by step (1 normally). */
void vq_publish(struct virtq *q, uint16_t head, uint16_t step);
void vq_notify(struct virtq *q);

struct vq_completion {
	bool done;		/* the used ring moved */
	bool by_irq;		/* and the queue's interrupt came */
	uint32_t id, len;
};
/* Waits up to ms for the next used entry and an interrupt since the
 * request was published. */
struct vq_completion vq_wait(struct virtq *q, unsigned ms);
/* The next used entry if there is one, without waiting. */
bool vq_poll(struct virtq *q, struct vq_completion *c);

#endif
