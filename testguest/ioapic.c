#include "ioapic.h"

#include "acpi.h"
#include "arch.h"
#include "format.h"

#define IOREGSEL	0x00
#define IOWIN		0x10
#define REDIR_LOW(pin)	(0x10 + 2 * (pin))
#define REDIR_HIGH(pin)	(0x11 + 2 * (pin))
#define REDIR_ACTIVE_LOW	(1u << 13)
#define REDIR_LEVEL		(1u << 15)
#define REDIR_MASKED		(1u << 16)

/* MPS INTI flags in MADT overrides: 01 active high, 11 active low;
 * bits 2-3: 01 edge, 11 level. 00 means "as the bus says": ISA is edge,
 * active high. */
#define INTI_POLARITY_LOW	0x3
#define INTI_TRIGGER_LEVEL	0xc

static struct ioapic_route last_route;

uint32_t ioapic_read(uint64_t base, uint32_t reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void ioapic_write(uint64_t base, uint32_t reg, uint32_t value)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, value);
}

unsigned ioapic_pins(uint64_t base)
{
	return ((ioapic_read(base, IOAPIC_REG_VERSION) >> 16) & 0xff) + 1;
}

bool ioapic_route_gsi(uint32_t gsi, bool level, bool active_low, uint8_t vector,
		      uint32_t dest_apic_id, char *why, size_t why_size)
{
	const struct acpi_info *acpi = acpi_get();
	struct ioapic_route r = { .gsi = gsi, .level = level, .active_low = active_low };
	uint32_t low;

	if (!acpi->madt_found) {
		format(why, why_size, "no MADT, so no IOAPIC address");
		return false;
	}
	for (unsigned i = 0; i < acpi->nioapics; i++) {
		const struct acpi_ioapic *io = &acpi->ioapics[i];

		if (r.gsi < io->gsi_base || r.gsi - io->gsi_base >= ioapic_pins(io->addr))
			continue;
		r.ioapic_addr = io->addr;
		r.pin = r.gsi - io->gsi_base;
	}
	if (!r.ioapic_addr) {
		format(why, why_size, "no IOAPIC in the MADT serves GSI %u", r.gsi);
		return false;
	}
	low = vector | (r.active_low ? REDIR_ACTIVE_LOW : 0) | (r.level ? REDIR_LEVEL : 0);
	ioapic_write(r.ioapic_addr, REDIR_LOW(r.pin), REDIR_MASKED);
	ioapic_write(r.ioapic_addr, REDIR_HIGH(r.pin), dest_apic_id << 24);
	ioapic_write(r.ioapic_addr, REDIR_LOW(r.pin), low);
	last_route = r;
	return true;
}

bool ioapic_route_isa_irq(uint8_t irq, uint8_t vector, uint32_t dest_apic_id,
			  char *why, size_t why_size)
{
	const struct acpi_info *acpi = acpi_get();
	uint32_t gsi = irq;
	bool level = false, active_low = false;

	for (unsigned i = 0; i < acpi->noverrides; i++) {
		const struct acpi_override *o = &acpi->overrides[i];

		if (o->irq != irq)
			continue;
		gsi = o->gsi;
		active_low = (o->flags & 0x3) == INTI_POLARITY_LOW;
		level = (o->flags & 0xc) == INTI_TRIGGER_LEVEL;
	}
	return ioapic_route_gsi(gsi, level, active_low, vector, dest_apic_id, why, why_size);
}

const struct ioapic_route *ioapic_last_route(void)
{
	return &last_route;
}
