/* One 16-byte stub per vector: push a zero where the CPU pushes no error
 * code, push the vector number, and go to the common path, which saves
 * the general registers in the layout of struct trap_frame (idt.h). */
	.text
	.code64

	.p2align 4
	.globl isr_stubs
isr_stubs:
	vector = 0
	.rept 256
	.p2align 4
	.if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp isr_common
	vector = vector + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	/* The CPU aligned RSP to 16 before its frame; 5 + 2 + 15 pushes keep it so. */
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
