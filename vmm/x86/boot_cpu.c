#include "vmm/x86/boot_cpu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "vmm/x86/layout.h"

/* Selectors: Linux's boot protocol wants __BOOT_CS = 0x10, __BOOT_DS = 0x18. */
#define SEL_CODE32	0x08
#define SEL_CODE64	0x10
#define SEL_DATA	0x18
#define SEL_TSS		0x20

static const uint64_t boot_gdt[] = {
	0,
	0x00cf9b000000ffffULL,	/* 0x08: 32-bit code, flat */
	0x00af9b000000ffffULL,	/* 0x10: 64-bit code */
	0x00cf93000000ffffULL,	/* 0x18: data, flat */
	0x00008b0000000067ULL,	/* 0x20: 32-bit TSS, busy, base 0 */
};

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

int boot_cpu_write_gdt(const struct guest_mem *gm)
{
	void *p = guest_mem_ptr(gm, LAYOUT_BOOT_GDT, sizeof(boot_gdt));

	if (!p)
		return -1;
	memcpy(p, boot_gdt, sizeof(boot_gdt));
	return 0;
}

/* The hidden part of a segment register, as the GDT entry describes it. */
static struct kvm_segment segment(uint16_t selector)
{
	uint64_t d = boot_gdt[selector >> 3];

	return (struct kvm_segment){
		.base = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000)),
		.limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000)),
		.selector = selector,
		.type = (d >> 40) & 0xf,
		.s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3,
		.present = (d >> 47) & 1,
		.avl = (d >> 52) & 1,
		.l = (d >> 53) & 1,
		.db = (d >> 54) & 1,
		.g = (d >> 55) & 1,
	};
}

static void expand_limit(struct kvm_segment *s)
{
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

int boot_cpu_setup(int vcpu_fd, const struct boot_entry *e, char *err, size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment data = segment(SEL_DATA);

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "boot vCPU: KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	sregs.cs = segment(e->mode == BOOT_MODE_PVH32 ? SEL_CODE32 : SEL_CODE64);
	expand_limit(&sregs.cs);
	expand_limit(&data);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = segment(SEL_TSS);
	sregs.gdt.base = LAYOUT_BOOT_GDT;
	sregs.gdt.limit = sizeof(boot_gdt) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (e->mode == BOOT_MODE_LINUX64) {
		sregs.cr0 |= CR0_PG;
		sregs.cr3 = e->cr3;
		sregs.cr4 = CR4_PAE;
		sregs.efer = EFER_LME | EFER_LMA;
	}
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		snprintf(err, errlen, "boot vCPU: KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;	/* bit 1 is always set; interrupts off */
	regs.rip = e->rip;
	if (e->mode == BOOT_MODE_PVH32)
		regs.rbx = e->arg;
	else
		regs.rsi = e->arg;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		snprintf(err, errlen, "boot vCPU: KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}
