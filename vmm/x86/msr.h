/* Boot-time MSR values of a vCPU. Only MSRs in KVM's index list
 * (KVM_GET_MSR_INDEX_LIST) are written: on this host KVM lists fewer than
 * CPUID suggests, and writing an unlisted one fails (QEMU's -cpu host stops
 * on MSR 0x10a). Feature MSRs keep the values KVM gives a new vCPU. */
#ifndef VMM_X86_MSR_H
#define VMM_X86_MSR_H

#include <stddef.h>

#include "vmm/kvm.h"

int msr_setup_vcpu(int vcpu_fd, unsigned int cpu, const struct kvm_vm *vm,
		   char *err, size_t errlen);

#endif
