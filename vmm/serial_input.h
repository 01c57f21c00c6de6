/* The host side of the UART's receive path, on the main thread's libevent
 * loop: reads the input fd only while the guest's FIFO has room, and
 * resumes when a vCPU reports that the guest drained it. */
#ifndef VMM_SERIAL_INPUT_H
#define VMM_SERIAL_INPUT_H

#include <stdbool.h>

#include <event2/event.h>

#include "vmm/serial.h"

struct serial_input {
	struct serial *uart;
	int fd;
	bool pollable;		/* false for regular files, /dev/null: never block */
	bool eof;
	int drained_fd;		/* eventfd a vCPU writes when the FIFO drains */
	struct event *readable;
	struct event *drained;
};

/* The uart's rx_drained callback must be serial_input_drained with this
 * serial_input as opaque. */
int serial_input_start(struct serial_input *in, struct event_base *base,
		       struct serial *uart, int fd);
void serial_input_stop(struct serial_input *in);

/* Called on a vCPU thread by the UART. */
void serial_input_drained(void *opaque);

#endif
