#include "uart.h"

#include "arch.h"
#include "format.h"
#include "idt.h"
#include "ioapic.h"
#include "lapic.h"
#include "vmm/x86/layout.h"

#define COM1 LAYOUT_COM1_PORT
#define COM1_ISA_IRQ 4	/* the MADT may map it to another GSI */
#define UART_RBR 0	/* receive buffer (read) / transmit holding (write) */
#define UART_IER 1
#define UART_IIR 2	/* interrupt identification (read) / FIFO control (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_DLL 0	/* with LCR.DLAB */
#define UART_DLM 1

#define IER_RDA 0x01
#define IER_THRE 0x02
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define MCR_DTR_RTS_OUT2 0x0b	/* OUT2 gates the IRQ line on PC UARTs */
#define FCR_ENABLE_CLEAR 0x07

#define RX_RING 512

static volatile uint8_t rx_ring[RX_RING];
static volatile unsigned rx_head, rx_tail;	/* head: written by the handler */
static volatile unsigned thre_irqs;
static volatile uint8_t ier;
static char irq_problem[128] = "uart_irq_init() was not called";

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_IIR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

void uart_putc(char c)
{
	/* Bounded, so a UART that never drains cannot hang the guest; after
	 * one such wait, stop waiting on it. */
	static bool never_ready;

	for (unsigned i = 0; !never_ready && !(inb(COM1 + UART_LSR) & LSR_THRE); i++) {
		if (i == 100000)
			never_ready = true;
		cpu_relax();
	}
	outb(COM1 + UART_RBR, (uint8_t)c);
}

static void uart_interrupt(struct trap_frame *frame)
{
	(void)frame;
	for (unsigned round = 0; round < 16; round++) {
		uint8_t iir = inb(COM1 + UART_IIR);

		if (iir & 1)
			break;	/* nothing pending */
		switch ((iir >> 1) & 7) {
		case 1:	/* transmitter empty: count once, then disarm */
			thre_irqs++;
			ier &= (uint8_t)~IER_THRE;
			outb(COM1 + UART_IER, ier);
			break;
		case 2:	/* received data */
		case 6:	/* FIFO character timeout */
			while (inb(COM1 + UART_LSR) & LSR_DR) {
				uint8_t c = inb(COM1 + UART_RBR);
				unsigned next = (rx_head + 1) % RX_RING;

				if (next != rx_tail) {	/* full: drop */
					rx_ring[rx_head] = c;
					rx_head = next;
				}
			}
			break;
		case 3:
			inb(COM1 + UART_LSR);
			break;
		default:
			inb(COM1 + UART_MSR);
			break;
		}
	}
}

void uart_irq_init(uint8_t vector)
{
	char why[96];

	irq_set_handler(vector, uart_interrupt);
	if (!ioapic_route_isa_irq(COM1_ISA_IRQ, vector, lapic_id(), why, sizeof(why))) {
		format(irq_problem, sizeof(irq_problem), "COM1 IRQ %d: %s", COM1_ISA_IRQ, why);
		return;
	}
	ier = IER_RDA;
	outb(COM1 + UART_IER, ier);
	irq_problem[0] = '\0';
}

const char *uart_irq_problem(void)
{
	return irq_problem[0] ? irq_problem : NULL;
}

int uart_getc(void)
{
	int c;

	if (rx_tail == rx_head)
		return -1;
	c = rx_ring[rx_tail];
	rx_tail = (rx_tail + 1) % RX_RING;
	return c;
}

void uart_arm_thre_irq(void)
{
	bool on = irq_enabled();

	irq_disable();
	ier |= IER_THRE;
	outb(COM1 + UART_IER, ier);
	if (on)
		irq_enable();
}

unsigned uart_thre_irqs(void)
{
	return thre_irqs;
}
