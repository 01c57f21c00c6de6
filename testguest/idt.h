/* The interrupt descriptor table: every vector has a stub (isr.S) that
 * saves the registers and calls trap_dispatch(). Exceptions are fatal:
 * they are reported as a FAIL line with vector, error code and RIP, and
 * the machine stops. Interrupts go to the handler set for their vector. */
#ifndef TESTGUEST_IDT_H
#define TESTGUEST_IDT_H

#include <stdint.h>

/* The vectors this guest uses. Above 0x2f, clear of where a legacy PIC
 * left unmasked could deliver. */
#define VEC_TIMER	0x40
#define VEC_UART	0x41
#define VEC_POWER_BUTTON 0x42
#define VEC_VIRTIO	0x50	/* 0x50-0x5f: 4 per virtio device (virtio/virtio.c) */
#define VEC_SPURIOUS	0xff

/* Pushed by isr.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

typedef void (*irq_handler)(struct trap_frame *frame);

/* Builds the table and loads it on this CPU. */
void idt_init(void);
/* Loads the already built table (application processors). */
void idt_load(void);
void irq_set_handler(uint8_t vector, irq_handler handler);

/* Called from isr.S. */
void trap_dispatch(struct trap_frame *frame);

#endif
