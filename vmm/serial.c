#include "vmm/serial.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* Register offsets (DLAB = LCR bit 7 switches 0 and 1 to the divisor). */
enum {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

void serial_init(struct serial *s, int out_fd,
		 void (*set_irq)(void *opaque, int level),
		 void (*rx_drained)(void *opaque), void *opaque)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->out_fd = out_fd;
	s->set_irq = set_irq;
	s->rx_drained = rx_drained;
	s->opaque = opaque;
}

void serial_destroy(struct serial *s)
{
	pthread_mutex_destroy(&s->lock);
}

static uint8_t pending_iir(const struct serial *s)
{
	if ((s->ier & IER_RDI) && s->rx_count)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thre_pending)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* The line follows the pending interrupt: an edge for the IOAPIC each time
 * a new one becomes pending after the guest acknowledged the last. */
static void update_irq(struct serial *s)
{
	int level = pending_iir(s) != IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		s->set_irq(s->opaque, level);
	}
}

/* A vCPU blocks here while out_fd is full: that is the UART's transmit
 * flow control. EINTR means the vmm is stopping (only the vCPU kick signal
 * reaches vCPU threads), so the byte is dropped. */
static void transmit(struct serial *s, uint8_t byte)
{
	for (;;) {
		ssize_t n = write(s->out_fd, &byte, 1);

		if (n == 1 || (n < 0 && errno != EAGAIN))
			return;
		struct pollfd p = { .fd = s->out_fd, .events = POLLOUT };

		if (poll(&p, 1, -1) < 0)
			return;
	}
}

static uint8_t rx_pop(struct serial *s, bool *drained)
{
	uint8_t byte;

	if (!s->rx_count)
		return 0;
	byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	s->rx_count--;
	if (s->rx_waiting) {
		s->rx_waiting = false;
		*drained = true;
	}
	return byte;
}

static uint8_t modem_status(const struct serial *s)
{
	/* In loopback the outputs DTR, RTS, OUT1, OUT2 read back as DSR,
	 * CTS, RI, DCD (drivers probe for a UART this way). */
	if (s->mcr & MCR_LOOP)
		return (uint8_t)(((s->mcr & 0x01) << 5) | ((s->mcr & 0x02) << 3) |
				 ((s->mcr & 0x0c) << 4));
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t serial_read(struct serial *s, unsigned int reg, bool *drained)
{
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t iir;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? s->dll : rx_pop(s, drained);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR_FCR:
		iir = pending_iir(s);
		/* Reading IIR acknowledges a THRE interrupt. */
		if (iir == IIR_THRI)
			s->thre_pending = false;
		return iir | (s->fifo_enabled ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
	case UART_MSR:
		return modem_status(s);
	default:
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned int reg, uint8_t val,
			 bool *drained)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			s->dll = val;
			break;
		}
		transmit(s, val);
		/* Sent at once: the holding register is empty again. */
		s->thre_pending = true;
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = val;
			break;
		}
		/* Enabling THRI while the holding register is empty raises it. */
		if ((val & IER_THRI) && !(s->ier & IER_THRI))
			s->thre_pending = true;
		s->ier = val & 0x0f;
		break;
	case UART_IIR_FCR:
		s->fifo_enabled = val & FCR_ENABLE;
		if (val & FCR_CLEAR_RX) {
			s->rx_count = 0;
			if (s->rx_waiting) {
				s->rx_waiting = false;
				*drained = true;
			}
		}
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		s->mcr = val & 0x1f;
		break;
	case UART_SCR:
		s->scr = val;
		break;
	default:	/* LSR and MSR are read-only */
		break;
	}
}

void serial_io(void *opaque, uint64_t offset, uint8_t *data, unsigned int size,
	       bool is_write)
{
	struct serial *s = opaque;
	bool drained = false;

	pthread_mutex_lock(&s->lock);
	if (is_write) {
		serial_write(s, (unsigned int)offset, data[0], &drained);
	} else {
		memset(data, 0, size);
		data[0] = serial_read(s, (unsigned int)offset, &drained);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	if (drained && s->rx_drained)
		s->rx_drained(s->opaque);
}

size_t serial_rx_room(struct serial *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = SERIAL_FIFO_SIZE - s->rx_count;
	if (!room)
		s->rx_waiting = true;
	pthread_mutex_unlock(&s->lock);
	return room;
}

size_t serial_rx_push(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < len && s->rx_count < SERIAL_FIFO_SIZE) {
		s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = buf[n++];
		s->rx_count++;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}
