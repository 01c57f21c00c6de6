/* The CPUID a vCPU reports: what KVM supports (KVM_GET_SUPPORTED_CPUID),
 * with the APIC id and the topology of this machine (ncpus cores of one
 * package, one thread each) filled in. */
#ifndef VMM_X86_CPUID_H
#define VMM_X86_CPUID_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/kvm.h>

/* Entries cpuid_build may add beyond the supported list (topology subleaves). */
#define CPUID_EXTRA_ENTRIES 4

/* Writes at most n + CPUID_EXTRA_ENTRIES entries to out; returns the count. */
unsigned int cpuid_build(const struct kvm_cpuid_entry2 *supported, unsigned int n,
			 struct kvm_cpuid_entry2 *out, unsigned int apic_id,
			 unsigned int ncpus);

/* Whether KVM is KVM-PVM, which lacks cmpxchg16b (cpuid.c): read from
 * /sys once and kept, so a confined vmm asks before its root is empty. */
bool cpuid_host_is_pvm(void);

/* KVM_SET_CPUID2 on a vCPU with cpuid_build's result. */
int cpuid_setup_vcpu(int vcpu_fd, const struct kvm_cpuid2 *supported,
		     unsigned int apic_id, unsigned int ncpus,
		     char *err, size_t errlen);

#endif
