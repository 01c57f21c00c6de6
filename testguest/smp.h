/* Starting the application processors: INIT-SIPI-SIPI to a real-mode
 * trampoline (trampoline.S) copied to SMP_TRAMPOLINE_BASE, the low memory
 * the vmm leaves to the guest (0x1000-0x5fff, see vmm/x86/layout.h). Each
 * AP enters long mode on the BSP's page tables, takes its own stack, checks
 * in (counter + APIC id) and halts. Shared with the assembly files. */
#ifndef TESTGUEST_SMP_H
#define TESTGUEST_SMP_H

#define KERNEL_CS		0x08
#define KERNEL_DS		0x10
#define KERNEL_CS32		0x18

#define SMP_TRAMPOLINE_BASE	0x1000
#define SMP_TRAMPOLINE_END	0x6000
#define AP_STACK_SHIFT		13	/* 8 KiB each */
#define AP_STACKS		64	/* LAYOUT_MAX_CPUS */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts one AP and waits (bounded) for it to check in. On failure says
 * why in why[]. */
bool smp_start_ap(uint32_t apic_id, char *why, size_t why_size);

/* Every AP that checked in so far, in arrival order. */
unsigned smp_checked_in(void);
uint32_t smp_checked_in_apic_id(unsigned index);

/* Called by trampoline.S on the AP's own stack. */
__attribute__((noreturn)) void ap_main(void);
#endif

#endif
