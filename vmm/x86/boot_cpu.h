/* The boot vCPU's state at the kernel's entry point, for the two ways in:
 * PVH (32-bit protected mode, paging off, flat segments, EBX = start info)
 * and Linux's 64-bit boot protocol (long mode on identity-mapped page
 * tables, RSI = zero page). Segments come from a GDT the vmm writes at
 * LAYOUT_BOOT_GDT, so a kernel that reloads a selector before its own GDT
 * still finds a flat segment. */
#ifndef VMM_X86_BOOT_CPU_H
#define VMM_X86_BOOT_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

enum boot_mode {
	BOOT_MODE_PVH32,
	BOOT_MODE_LINUX64,
};

struct boot_entry {
	enum boot_mode mode;
	uint64_t rip;
	uint64_t arg;		/* EBX (PVH start info) or RSI (zero page) */
	uint64_t cr3;		/* LINUX64 only */
};

/* Once per machine. */
int boot_cpu_write_gdt(const struct guest_mem *gm);

/* KVM_SET_SREGS + KVM_SET_REGS on the boot vCPU. */
int boot_cpu_setup(int vcpu_fd, const struct boot_entry *e, char *err, size_t errlen);

#endif
