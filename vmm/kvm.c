#include "vmm/kvm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/x86/cpuid.h"
#include "vmm/x86/layout.h"

#define KVM_CPUID_MAX_ENTRIES 256
#define KVM_MSR_LIST_MAX 1024

static const struct {
	long cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
};

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "KVM: %s: %s", what, strerror(errno));
	return -1;
}

static int check_kvm(int sys_fd, char *err, size_t errlen)
{
	int version = ioctl(sys_fd, KVM_GET_API_VERSION, 0);

	if (version != KVM_API_VERSION) {
		snprintf(err, errlen, "KVM: API version %d, need %d", version, KVM_API_VERSION);
		return -1;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(sys_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			snprintf(err, errlen, "KVM: %s is not supported", required_caps[i].name);
			return -1;
		}
	}
	return 0;
}

static int query_supported(struct kvm_vm *vm, char *err, size_t errlen)
{
	vm->cpuid = calloc(1, sizeof(*vm->cpuid) +
			   KVM_CPUID_MAX_ENTRIES * sizeof(vm->cpuid->entries[0]));
	vm->msrs = calloc(1, sizeof(*vm->msrs) + KVM_MSR_LIST_MAX * sizeof(uint32_t));
	if (!vm->cpuid || !vm->msrs) {
		snprintf(err, errlen, "KVM: out of memory");
		return -1;
	}
	vm->cpuid->nent = KVM_CPUID_MAX_ENTRIES;
	if (ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0)
		return fail(err, errlen, "KVM_GET_SUPPORTED_CPUID");
	cpuid_add_capabilities(vm->cpuid, vm->sys_fd);
	vm->msrs->nmsrs = KVM_MSR_LIST_MAX;
	if (ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, vm->msrs) < 0)
		return fail(err, errlen, "KVM_GET_MSR_INDEX_LIST");
	return 0;
}

int kvm_vm_create(struct kvm_vm *vm, int sys_fd, char *err, size_t errlen)
{
	int run_size;

	vm->sys_fd = sys_fd;
	vm->vm_fd = -1;
	vm->cpuid = NULL;
	vm->msrs = NULL;
	if (check_kvm(sys_fd, err, errlen) < 0 || query_supported(vm, err, errlen) < 0)
		return -1;
	run_size = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		return fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)run_size;
	vm->vm_fd = ioctl(sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fail(err, errlen, "KVM_CREATE_VM");
	/* Both before the first vCPU: pages KVM needs for real-mode guests
	 * on VMX, placed in the MMIO hole where no RAM or device lives. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS) < 0)
		return fail(err, errlen, "KVM_SET_TSS_ADDR");
	if (ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t addr = LAYOUT_KVM_IDENTITY_MAP;

		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0)
			return fail(err, errlen, "KVM_SET_IDENTITY_MAP_ADDR");
	}
	return 0;
}

int kvm_vm_create_irqchip(struct kvm_vm *vm, char *err, size_t errlen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail(err, errlen, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fail(err, errlen, "KVM_CREATE_PIT2");
	return 0;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	free(vm->cpuid);
	free(vm->msrs);
	vm->vm_fd = vm->sys_fd = -1;
	vm->cpuid = NULL;
	vm->msrs = NULL;
}

int kvm_vm_map_memory(struct kvm_vm *vm, const struct guest_mem *gm,
		      char *err, size_t errlen)
{
	for (unsigned int i = 0; i < gm->nregions; i++) {
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = gm->regions[i].gpa,
			.memory_size = gm->regions[i].size,
			.userspace_addr = (uintptr_t)gm->regions[i].hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
	}
	return 0;
}

int kvm_vm_irq_line(struct kvm_vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

bool kvm_vm_msr_supported(const struct kvm_vm *vm, uint32_t index)
{
	for (uint32_t i = 0; i < vm->msrs->nmsrs; i++)
		if (vm->msrs->indices[i] == index)
			return true;
	return false;
}
