/* The 16550 UART at COM1: polled output, interrupt-driven input. */
#ifndef TESTGUEST_UART_H
#define TESTGUEST_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void uart_init(void);
void uart_putc(char c);

/* Routes COM1's ISA IRQ through the IOAPIC to this CPU's vector and turns
 * on the receive interrupt. */
void uart_irq_init(uint8_t vector);
/* NULL when interrupt-driven input works, else why it does not. */
const char *uart_irq_problem(void);

/* One received byte, or -1 when none is waiting. */
int uart_getc(void);

/* The transmitter-empty interrupt: armed once, counted, then disarmed by
 * the handler (it would fire after every byte of polled output). */
void uart_arm_thre_irq(void);
unsigned uart_thre_irqs(void);

#endif
