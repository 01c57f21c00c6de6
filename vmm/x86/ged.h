/* The Generic Event Device of hardware-reduced ACPI (the DSDT's GED0,
 * _HID ACPI0013): how the vmm tells the guest's OS of an ACPI event. The
 * events pending are bits (ACPI_GED_EVENT_*) of a byte at LAYOUT_GED_PORT;
 * while any is pending, the interrupt line LAYOUT_GED_GSI is high. The
 * guest's _EVT reads the byte, which hands it the events, clears them and
 * lowers the line. The one event so far is the power button. */
#ifndef VMM_X86_GED_H
#define VMM_X86_GED_H

#include <pthread.h>
#include <stdint.h>

#include "vmm/io_bus.h"

struct ged {
	pthread_mutex_t lock;	/* a press (main thread) against the read (a vCPU) */
	uint8_t pending;	/* ACPI_GED_EVENT_* bits the guest has not read */
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

void ged_init(struct ged *g, void (*set_irq)(void *opaque, int level), void *opaque);
void ged_destroy(struct ged *g);
int ged_register(struct ged *g, struct io_bus *pio);

/* Presses the power button: ACPI_GED_EVENT_POWER_BUTTON pends, the line
 * rises. Any thread. */
void ged_press_power_button(struct ged *g);

#endif
