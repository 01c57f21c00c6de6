/* The VM as KVM sees it: /dev/kvm, the VM fd with its in-kernel irqchip
 * (PIC + IOAPIC + LAPICs) and PIT, memory slots, interrupt lines, and what
 * KVM says it supports (CPUID leaves, MSRs). */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "vmm/guest_mem.h"

struct kvm_vm {
	int sys_fd;			/* /dev/kvm */
	int vm_fd;
	size_t run_size;		/* size of each vCPU's struct kvm_run mapping */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
	struct kvm_msr_list *msrs;	/* KVM_GET_MSR_INDEX_LIST */
};

/* Takes ownership of sys_fd (an open /dev/kvm). */
int kvm_vm_create(struct kvm_vm *vm, int sys_fd, char *err, size_t errlen);
void kvm_vm_destroy(struct kvm_vm *vm);

/* One KVM memory slot per guest memory region. Before the irqchip: with
 * the irqchip (and PIT) in place, each slot change waits for an SRCU grace
 * period, ~6 ms here, most of the vmm's start-up time. */
int kvm_vm_map_memory(struct kvm_vm *vm, const struct guest_mem *gm,
		      char *err, size_t errlen);

/* The in-kernel PIC, IOAPIC and LAPICs, and the PIT; before any vCPU. */
int kvm_vm_create_irqchip(struct kvm_vm *vm, char *err, size_t errlen);

/* Drives an interrupt line of the in-kernel PIC and IOAPIC. */
int kvm_vm_irq_line(struct kvm_vm *vm, unsigned int gsi, int level);

bool kvm_vm_msr_supported(const struct kvm_vm *vm, uint32_t index);

#endif
