/* A virtio-pci modern (virtio 1.x, non-transitional) device whose device
 * half is a vhost-user backend process. The vmm owns the PCI function
 * (config space, one memory BAR with the common, ISR, device and notify
 * structures and the MSI-X table and PBA) and the control plane; on
 * DRIVER_OK it hands the rings to the backend with a KVM ioeventfd on each
 * queue's notify address and a KVM irqfd routed to the queue's MSI-X
 * vector, so the data path never leaves KVM and the backend. */
#ifndef VMM_VIRTIO_PCI_TRANSPORT_H
#define VMM_VIRTIO_PCI_TRANSPORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/kvm_routes.h"
#include "vmm/pci/bus.h"
#include "vmm/pci/msix.h"
#include "vmm/virtio/common_cfg.h"
#include "vmm/virtio/vhost_user_frontend.h"

/* BAR 0's layout. */
#define VIRTIO_PCI_COMMON_OFF	0x0000
#define VIRTIO_PCI_ISR_OFF	0x1000
#define VIRTIO_PCI_DEVICE_OFF	0x2000
#define VIRTIO_PCI_NOTIFY_OFF	0x3000
#define VIRTIO_PCI_NOTIFY_MULT	4
#define VIRTIO_PCI_MSIX_OFF	0x4000
#define VIRTIO_PCI_PBA_OFF	0x5000
#define VIRTIO_PCI_BAR_SIZE	0x8000
#define VIRTIO_PCI_REGION_SIZE	0x1000

/* Guest accesses that reached the vmm, by region of the BAR. */
enum virtio_pci_region {
	VIRTIO_REGION_COMMON,
	VIRTIO_REGION_ISR,
	VIRTIO_REGION_DEVICE,
	VIRTIO_REGION_NOTIFY,
	VIRTIO_REGION_MSIX,
	VIRTIO_REGION_OTHER,
	VIRTIO_REGION_COUNT,
};

struct virtio_pci_queue {
	int kick_fd;		/* eventfds, created with the device */
	int call_fd;
	int err_fd;
	int gsi;		/* MSI route of the call fd; -1 none */
	bool irqfd;		/* call_fd attached to gsi */
	bool ioeventfd;		/* kick_fd attached to the notify address */
	bool started;		/* handed to the backend */
};

struct virtio_pci {
	struct pci_device pci;
	struct msix msix;
	struct virtio_common common;
	struct vhost_user vu;
	pthread_mutex_t lock;
	char name[64];
	int vm_fd;
	struct kvm_routes *routes;
	const struct guest_mem *mem;
	uint8_t isr;
	uint64_t notify_base;	/* where the ioeventfds are */
	struct virtio_pci_queue queues[VIRTIO_MAX_QUEUES];
	int stop_fd;		/* ends the error watcher */
	pthread_t watcher;
	bool watching;
	atomic_ulong exits[VIRTIO_REGION_COUNT];
};

/* Handshakes with the backend on sock_fd (taken over) and builds the PCI
 * function for a virtio device of type virtio_id (1 net, 2 blk, 3
 * console, 4 rng, 5 balloon, 19 vsock) with its BAR allocated on bus.
 * Errors name the device. */
int virtio_pci_create(struct virtio_pci *d, const char *name, unsigned int virtio_id,
		      int sock_fd, struct pci_bus *bus, int vm_fd, struct kvm_routes *routes,
		      const struct guest_mem *mem, char *err, size_t errlen);
void virtio_pci_destroy(struct virtio_pci *d);

extern const char *const virtio_pci_region_names[VIRTIO_REGION_COUNT];

#endif
