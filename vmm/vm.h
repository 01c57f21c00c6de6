/* One guest machine: KVM, guest memory, the I/O buses and devices, the
 * vCPUs, and how it stops. Built from the config before any guest code
 * runs (so every failure there is a start failure), then run by
 * run_loop.c. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/config.h"
#include "vmm/guest_mem.h"
#include "vmm/io_bus.h"
#include "vmm/kvm.h"
#include "vmm/kvm_routes.h"
#include "vmm/pci/bus.h"
#include "vmm/serial.h"
#include "vmm/serial_input.h"
#include "vmm/vcpu.h"
#include "vmm/virtio/pci_transport.h"
#include "vmm/vm_stop.h"
#include "vmm/x86/boot_cpu.h"
#include "vmm/x86/ged.h"
#include "vmm/x86/machine.h"

struct vm {
	struct machine_desc desc;
	struct kvm_vm kvm;
	struct guest_mem mem;
	struct io_bus pio;
	struct io_bus mmio;
	struct pci_bus pci;
	struct kvm_routes routes;
	bool routes_ready;
	struct virtio_pci *virtio;	/* the config's vhost_user_devices */
	unsigned int nvirtio;		/* created so far */
	struct vm_stop stop;
	struct serial uart;
	struct ged ged;			/* the ACPI power button's way in */
	struct serial_input uart_input;
	int serial_in_fd;		/* the config's, borrowed */
	struct vcpu *vcpus;
	unsigned int nvcpus;		/* created so far */
	int vcpus_entered_fd;		/* eventfd: each vCPU thread adds 1 just
					 * before its first KVM_RUN */
};

int vm_build(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Guest accesses that exited to the vmm: per port and MMIO range, and
 * per region of each virtio device's BAR. */
void vm_print_stats(struct vm *vm, FILE *to);

#endif
