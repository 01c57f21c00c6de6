/* The VM's interrupt routing table (KVM_SET_GSI_ROUTING) with MSI routes
 * for irqfds, plus irqfd, ioeventfd and KVM_SIGNAL_MSI. Setting the table
 * replaces KVM's default one, so every commit also states the default
 * routes of GSIs 0-23 to the PIC and IOAPIC pins. Thread-safe: vCPU
 * threads re-route when the guest reprograms an MSI-X vector. */
#ifndef VMM_KVM_ROUTES_H
#define VMM_KVM_ROUTES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define KVM_ROUTES_FIRST_MSI_GSI	24
#define KVM_ROUTES_MAX_MSI		256

struct kvm_routes {
	pthread_mutex_t lock;
	int vm_fd;
	bool used[KVM_ROUTES_MAX_MSI];
	uint64_t addr[KVM_ROUTES_MAX_MSI];
	uint32_t data[KVM_ROUTES_MAX_MSI];
};

void kvm_routes_init(struct kvm_routes *r, int vm_fd);
void kvm_routes_destroy(struct kvm_routes *r);

/* A GSI for an MSI route (not yet in the table), -1 when all are taken. */
int kvm_routes_alloc(struct kvm_routes *r);
void kvm_routes_free(struct kvm_routes *r, int gsi);
/* Routes gsi to the MSI message and commits the table; -1 with errno. */
int kvm_routes_set_msi(struct kvm_routes *r, int gsi, uint64_t addr, uint32_t data);

int kvm_irqfd(int vm_fd, int efd, int gsi, bool assign);
/* An MMIO ioeventfd at addr matching writes of any length and value. */
int kvm_ioeventfd_mmio(int vm_fd, uint64_t addr, int efd, bool assign);
int kvm_signal_msi(int vm_fd, uint64_t addr, uint32_t data);

#endif
