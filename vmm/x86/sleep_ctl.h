/* The ACPI sleep control register the FADT points at
 * (LAYOUT_ACPI_SLEEP_PORT): a write with SLP_EN set enters the sleep state
 * SLP_TYP. The vmm has no suspend, so every sleep state stops it; S5 is the
 * guest's power-off. Reads return 0 (sleep status: not woken). */
#ifndef VMM_X86_SLEEP_CTL_H
#define VMM_X86_SLEEP_CTL_H

#include "vmm/io_bus.h"
#include "vmm/vm_stop.h"

int sleep_ctl_register(struct io_bus *pio, struct vm_stop *stop);

#endif
