/* The CPUID a vCPU reports: what KVM supports (KVM_GET_SUPPORTED_CPUID),
 * with the hypervisor bit set (so a guest finds KVM's leaves: kvm-clock and
 * the paravirt features), and the APIC id and the topology of this machine
 * (ncpus cores of one package, one thread each) filled in. */
#ifndef VMM_X86_CPUID_H
#define VMM_X86_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

/* Entries cpuid_build may add beyond the supported list (topology subleaves). */
#define CPUID_EXTRA_ENTRIES 4

/* Adds to KVM_GET_SUPPORTED_CPUID's list what KVM reports as a capability
 * instead: the LAPIC's TSC-deadline mode (KVM_CAP_TSC_DEADLINE_TIMER; the
 * vmm always has the in-kernel LAPIC it needs), which spares a guest the
 * calibration of its LAPIC timer. */
void cpuid_add_capabilities(struct kvm_cpuid2 *supported, int sys_fd);

/* Writes at most n + CPUID_EXTRA_ENTRIES entries to out; returns the count. */
unsigned int cpuid_build(const struct kvm_cpuid_entry2 *supported, unsigned int n,
			 struct kvm_cpuid_entry2 *out, unsigned int apic_id,
			 unsigned int ncpus);

/* Whether KVM is KVM-PVM, which lacks cmpxchg16b (cpuid.c): read from
 * /sys once and kept, so a confined vmm asks before its root is empty. */
bool cpuid_host_is_pvm(void);

/* The XCR0 a vCPU is handed over with: every XSAVE state component that
 * leaf 0xd of the supported list enumerates; 0 without XSAVE. */
uint64_t cpuid_xcr0(const struct kvm_cpuid_entry2 *supported, unsigned int n);

/* KVM_SET_CPUID2 on a vCPU with cpuid_build's result, then its XCR0 set to
 * cpuid_xcr0 (KVM_SET_XCRS). */
int cpuid_setup_vcpu(int vcpu_fd, const struct kvm_cpuid2 *supported,
		     unsigned int apic_id, unsigned int ncpus,
		     char *err, size_t errlen);

#endif
