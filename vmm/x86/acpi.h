/* ACPI tables for the x86-64 machine: how the guest learns its CPUs,
 * interrupt controllers, PCI host bridge, serial port and power-off.
 * Debian's cloud kernel has neither an MP-table parser nor device-tree
 * support, so these tables are the machine description a Linux guest reads. */
#ifndef VMM_X86_ACPI_H
#define VMM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/x86/layout.h"
#include "vmm/x86/machine.h"

/* The power-off handshake: the DSDT's \_S5 package names sleep type 5, and
 * the OS then writes ACPI_SLEEP_S5 to the FADT's sleep control register
 * (I/O port LAYOUT_ACPI_SLEEP_PORT). */
#define ACPI_SLEEP_TYP_S5	5
#define ACPI_SLEEP_TYP_SHIFT	2
#define ACPI_SLEEP_TYP_MASK	0x1c
#define ACPI_SLEEP_EN		0x20
#define ACPI_SLEEP_S5		((ACPI_SLEEP_TYP_S5 << ACPI_SLEEP_TYP_SHIFT) | ACPI_SLEEP_EN)

/* The FADT's reset register: the i8042 command port and its pulse-reset
 * command, the same line `reboot=k` uses. */
#define ACPI_RESET_PORT		(LAYOUT_I8042_PORT + 4)
#define ACPI_RESET_VALUE	0xfe

/* The Generic Event Device's events (hardware-reduced ACPI, _HID ACPI0013):
 * bits of the byte at LAYOUT_GED_PORT, which its _EVT method reads (and so
 * clears) when LAYOUT_GED_GSI fires. The power button's becomes
 * Notify (PWRB, 0x80), "power button pressed". */
#define ACPI_GED_EVENT_POWER_BUTTON	0x01

/* Legacy PCI INTx routing, stated by the DSDT's _PRT and the device tree's
 * interrupt-map: pin 0..3 (INTA..INTD) of device 1..31 on bus 0 goes to
 * IOAPIC input 16..23, level-triggered, active-low, shared. The usual
 * swizzle spreads neighbouring devices over different lines. */
#define PCI_INTX_GSI_BASE	16
#define PCI_INTX_GSI_COUNT	8
static inline unsigned int pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return PCI_INTX_GSI_BASE + (slot + pin) % PCI_INTX_GSI_COUNT;
}

/* Builds RSDP (at offset 0), XSDT, FADT, MADT, MCFG and DSDT into `area`,
 * the host mapping of guest-physical [LAYOUT_ACPI_BASE, +LAYOUT_ACPI_SIZE).
 * Returns the bytes used, or 0 when the tables do not fit or m->ncpus is
 * outside 1..LAYOUT_MAX_CPUS. */
size_t acpi_build(uint8_t *area, const struct machine_desc *m);

/* The same into an area of `size` bytes (still placed at LAYOUT_ACPI_BASE). */
size_t acpi_build_sized(uint8_t *area, size_t size, const struct machine_desc *m);

/* Writes every table reachable from the RSDP at the start of `area` as
 * DIR/<SIGNATURE>.dat (the RSDP as RSDP.dat), the form `iasl -d` reads.
 * Creates DIR if needed. Returns 0, or -1 with a message in err. */
int acpi_write_files(const uint8_t *area, const char *dir, char *err, size_t errlen);

#endif
