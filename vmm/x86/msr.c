#include "vmm/x86/msr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define MISC_ENABLE_FAST_STRING	0x1
#define MTRR_ENABLE_WRITEBACK	0xc06	/* MTRRs on, default type WB */

static const struct kvm_msr_entry boot_msrs[] = {
	{ .index = MSR_IA32_SYSENTER_CS },
	{ .index = MSR_IA32_SYSENTER_ESP },
	{ .index = MSR_IA32_SYSENTER_EIP },
	{ .index = MSR_STAR },
	{ .index = MSR_LSTAR },
	{ .index = MSR_CSTAR },
	{ .index = MSR_SYSCALL_MASK },
	{ .index = MSR_KERNEL_GS_BASE },
	{ .index = MSR_IA32_MISC_ENABLE, .data = MISC_ENABLE_FAST_STRING },
	{ .index = MSR_MTRR_DEF_TYPE, .data = MTRR_ENABLE_WRITEBACK },
};

#define NR_BOOT_MSRS (sizeof(boot_msrs) / sizeof(boot_msrs[0]))

int msr_setup_vcpu(int vcpu_fd, unsigned int cpu, const struct kvm_vm *vm,
		   char *err, size_t errlen)
{
	/* struct kvm_msrs ends in a flexible array: room for ours behind it. */
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(boot_msrs)];
	} buf;
	struct kvm_msrs *msrs = &buf.hdr;
	unsigned int n = 0;
	int ret;

	memset(&buf, 0, sizeof(buf));
	for (unsigned int i = 0; i < NR_BOOT_MSRS; i++)
		if (kvm_vm_msr_supported(vm, boot_msrs[i].index))
			msrs->entries[n++] = boot_msrs[i];
	msrs->nmsrs = n;
	ret = ioctl(vcpu_fd, KVM_SET_MSRS, msrs);
	if (ret < 0) {
		snprintf(err, errlen, "vCPU %u: KVM_SET_MSRS: %s", cpu, strerror(errno));
		return -1;
	}
	if ((unsigned int)ret < n) {
		/* KVM stops at the first MSR it refuses. */
		snprintf(err, errlen, "vCPU %u: KVM_SET_MSRS refused MSR %#x", cpu,
			 msrs->entries[ret].index);
		return -1;
	}
	return 0;
}
