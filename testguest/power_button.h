/* The power button of our vmm's hardware-reduced ACPI (vmm/x86/ged.h): its
 * Generic Event Device raises LAYOUT_GED_GSI (level, active high) and
 * holds the pending events at LAYOUT_GED_PORT. Routed at start; when the
 * button is pressed, whatever runs, the guest says so
 * ("TEST power_button.pressed PASS"), prints its summary and powers off
 * through the ACPI sleep control register (S5), as an OS would. Only where
 * the DSDT is our vmm's and has its GED (ACPI0013): elsewhere (QEMU) the
 * line is left alone. */
#ifndef TESTGUEST_POWER_BUTTON_H
#define TESTGUEST_POWER_BUTTON_H

#include <stdint.h>

void power_button_init(uint8_t vector);

#endif
