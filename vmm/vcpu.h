/* vCPUs: one thread each, running KVM_RUN and dispatching its exits (port
 * I/O and MMIO to the buses, stops and errors to vm_stop). The boot vCPU
 * starts at the kernel's entry; the others wait in KVM's INIT state until
 * the guest's INIT-SIPI-SIPI, which the in-kernel LAPIC handles. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/kvm.h>

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;	/* also the APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

/* KVM_CREATE_VCPU with CPUID, MSRs and the start state. */
int vcpu_create(struct vcpu *v, struct vm *vm, unsigned int id, char *err, size_t errlen);
void vcpu_destroy(struct vcpu *v);

int vcpu_start(struct vcpu *v, char *err, size_t errlen);
/* Makes a running vCPU leave KVM_RUN and its thread end (after a stop was
 * requested); vcpu_join then waits for it. Called from the main thread. */
void vcpu_kick(struct vcpu *v);
void vcpu_join(struct vcpu *v);

#endif
