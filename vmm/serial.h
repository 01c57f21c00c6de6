/* An 8250/16550A UART as the guest sees it: registers, a 16-byte receive
 * FIFO, and the THRE / RX-data interrupts. Transmitted bytes go straight to
 * out_fd; received bytes are pushed in by the host side (serial_input.c),
 * which stops reading while the FIFO is full and is told when it drains. */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_FIFO_SIZE 16
#define SERIAL_NR_PORTS 8

struct serial {
	pthread_mutex_t lock;	/* vCPU threads and the main loop */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_enabled;
	bool thre_pending;	/* THRE interrupt not yet acknowledged */
	uint8_t rx[SERIAL_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	bool rx_waiting;	/* the host side found the FIFO full */
	int irq_level;
	int out_fd;
	void (*set_irq)(void *opaque, int level);
	void (*rx_drained)(void *opaque);	/* called without the lock */
	void *opaque;
};

void serial_init(struct serial *s, int out_fd,
		 void (*set_irq)(void *opaque, int level),
		 void (*rx_drained)(void *opaque), void *opaque);
void serial_destroy(struct serial *s);

/* io_handler_fn for the SERIAL_NR_PORTS ports at the UART's base. */
void serial_io(void *opaque, uint64_t offset, uint8_t *data, unsigned int size,
	       bool is_write);

/* Free space in the receive FIFO. When it is 0, rx_drained will be called
 * once the guest has read something. */
size_t serial_rx_room(struct serial *s);
/* Queues up to serial_rx_room() bytes; returns how many were taken. */
size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t len);

#endif
