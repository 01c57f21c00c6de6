/* The AP start-up trampoline. smp.c copies ap_trampoline_start..end to
 * SMP_TRAMPOLINE_BASE and fills in the GDT pointer and CR3 slots; a SIPI
 * with vector SMP_TRAMPOLINE_BASE >> 12 starts the AP here in real mode
 * with CS = 0x0100, IP = 0. */
#include "smp.h"

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define TRAMPOLINE(sym)	(SMP_TRAMPOLINE_BASE + ((sym) - ap_trampoline_start))

	.section .rodata.trampoline, "a", @progbits
	.code16
	.globl ap_trampoline_start
ap_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_trampoline_gdt_pointer - ap_trampoline_start
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $KERNEL_CS32, $TRAMPOLINE(protected32)

	.code32
protected32:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl TRAMPOLINE(ap_trampoline_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $KERNEL_CS, $ap_long_entry

	.balign 8
	.globl ap_trampoline_gdt_pointer
ap_trampoline_gdt_pointer:
	.word 0
	.long 0
	.balign 4
	.globl ap_trampoline_cr3
ap_trampoline_cr3:
	.long 0
	.globl ap_trampoline_end
ap_trampoline_end:

/* Now in long mode, in the image: take the next free AP stack. */
	.text
	.code64
ap_long_entry:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $1, %eax
	lock xaddl %eax, ap_next_stack(%rip)
	cmpl $AP_STACKS, %eax
	jae 1f
	incl %eax
	shlq $AP_STACK_SHIFT, %rax
	leaq ap_stacks(%rip), %rsp
	addq %rax, %rsp
	call ap_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 4
ap_next_stack:
	.long 0

	.section .bss.stack, "aw", @nobits
	.balign 16
	.globl ap_stacks
ap_stacks:
	.skip AP_STACKS << AP_STACK_SHIFT

	.section .note.GNU-stack, "", @progbits
