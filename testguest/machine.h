/* Stopping the machine at the end of a run, as exit= on the command line
 * asks: "reset" (default: the i8042 reset line, then a triple fault where
 * there is no i8042), "triple" (a triple fault at once) or "halt" (stop
 * forever with interrupts off, for the host to kill us). */
#ifndef TESTGUEST_MACHINE_H
#define TESTGUEST_MACHINE_H

__attribute__((noreturn)) void machine_stop(void);
__attribute__((noreturn)) void machine_triple_fault(void);
/* ACPI S5 through the sleep control register; where that does nothing
 * (no such register: QEMU), machine_stop(). */
__attribute__((noreturn)) void machine_power_off(void);

#endif
