/* PVH entry: the loader starts us in 32-bit protected mode, paging off,
 * with EBX = the physical address of struct hvm_start_info. Load our own
 * GDT, zero .bss, identity-map the low 4 GiB with 2 MiB pages (the 3-4 GiB
 * hole for PCI, IOAPIC and LAPIC MMIO uncached), enter long mode and call
 * tg_main(start_info). */
#include "smp.h"

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define PTE_PRESENT_RW	0x003
#define PDE_LARGE	0x080
#define PDE_UNCACHED	0x018		/* PWT | PCD */
#define MMIO_HOLE_PDE	1536		/* 3 GiB / 2 MiB */

/* XEN_ELFNOTE_PHYS32_ENTRY (18), name "Xen": the 32-bit entry address. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4
	.long 4
	.long 18
	.asciz "Xen"
	.balign 4
	.long pvh_start
	.balign 4

	.section .text.entry, "ax", @progbits
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl %ebx, %esi
	lgdt gdt_pointer
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl $bsp_stack_top, %esp

	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	movl $pdpt + PTE_PRESENT_RW, pml4
	movl $pd + PTE_PRESENT_RW, %eax
	xorl %ecx, %ecx
1:	movl %eax, pdpt(,%ecx,8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_PRESENT_RW | PDE_LARGE, %eax
	cmpl $MMIO_HOLE_PDE, %ecx
	jb 3f
	orl $PDE_UNCACHED, %eax
3:	movl %eax, pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG | CR0_PE, %eax
	movl %eax, %cr0
	ljmp $KERNEL_CS, $long_start

	.code64
long_start:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq $bsp_stack_top, %rsp
	movl %esi, %edi
	call tg_main
4:	cli
	hlt
	jmp 4b

/* Descriptors with the accessed bit preset, so loading them never writes
 * to the table. */
	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* KERNEL_CS: 64-bit code */
	.quad 0x00cf93000000ffff	/* KERNEL_DS: flat data */
	.quad 0x00cf9b000000ffff	/* KERNEL_CS32: flat 32-bit code, for the AP trampoline */
gdt_end:
	.balign 8
	.globl gdt_pointer
gdt_pointer:
	.word gdt_end - gdt - 1
	.quad gdt

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096

	.section .bss.stack, "aw", @nobits
	.balign 16
	.skip 16384
bsp_stack_top:

	.section .note.GNU-stack, "", @progbits
