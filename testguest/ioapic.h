/* The IOAPICs named by the MADT. */
#ifndef TESTGUEST_IOAPIC_H
#define TESTGUEST_IOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01

uint32_t ioapic_read(uint64_t base, uint32_t reg);
/* Redirection entries: the version register's maximum entry index + 1. */
unsigned ioapic_pins(uint64_t base);

struct ioapic_route {
	uint32_t gsi;
	uint64_t ioapic_addr;
	unsigned pin;
	bool level, active_low;
};

/* Routes a GSI, with the trigger and polarity given, to a vector on one
 * CPU, fixed delivery, physical destination. On failure says why in why[]. */
bool ioapic_route_gsi(uint32_t gsi, bool level, bool active_low, uint8_t vector,
		      uint32_t dest_apic_id, char *why, size_t why_size);
/* The same for an ISA IRQ, after the MADT's interrupt source overrides. */
bool ioapic_route_isa_irq(uint8_t irq, uint8_t vector, uint32_t dest_apic_id,
			  char *why, size_t why_size);
/* Where the last successful route went. */
const struct ioapic_route *ioapic_last_route(void);

#endif
