#include "vmm/x86/vcpu_report.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#define MAX_INSN_BYTES 15
#define PAGE_SIZE 4096

static const char *cpu_mode(const struct kvm_sregs *s)
{
	if (!(s->cr0 & 1))
		return "real mode";
	if (s->cs.l)
		return "64-bit mode";
	return s->cs.db ? "32-bit protected mode" : "16-bit protected mode";
}

void vcpu_report(int vcpu_fd, const struct guest_mem *gm, char *buf, size_t len)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_translation tr;
	const uint8_t *insn;
	size_t n, pos;

	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(buf, len, "(registers unreadable)");
		return;
	}
	pos = (size_t)snprintf(buf, len, "at RIP %#llx (%s)", (unsigned long long)regs.rip,
			       cpu_mode(&sregs));
	tr = (struct kvm_translation){
		.linear_address = (sregs.cs.l ? 0 : sregs.cs.base) + regs.rip,
	};
	if (pos >= len || ioctl(vcpu_fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return;
	/* Only up to the end of the page: the next may map elsewhere. */
	n = PAGE_SIZE - (tr.physical_address % PAGE_SIZE);
	if (n > MAX_INSN_BYTES)
		n = MAX_INSN_BYTES;
	insn = guest_mem_ptr(gm, tr.physical_address, n);
	if (!insn)
		return;
	pos += (size_t)snprintf(buf + pos, len - pos, ", bytes");
	for (size_t i = 0; i < n && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, " %02x", insn[i]);
}
