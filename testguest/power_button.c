#include "power_button.h"

#include "acpi.h"
#include "arch.h"
#include "console.h"
#include "idt.h"
#include "ioapic.h"
#include "lapic.h"
#include "machine.h"
#include "report.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

static void power_button_interrupt(struct trap_frame *frame)
{
	/* Reading the events clears them and lowers the line. */
	uint8_t events = inb(LAYOUT_GED_PORT);

	(void)frame;
	if (!(events & ACPI_GED_EVENT_POWER_BUTTON))
		return;
	report_scenario("power_button");
	report_pass("pressed", "GED events %#x: powering off (ACPI S5)", events);
	report_summary();
	machine_power_off();
}

void power_button_init(uint8_t vector)
{
	char why[96];

	/* The GED at layout.h's port and GSI is our vmm's (OEM "GSTMGR"):
	 * QEMU microvm has a GED of its own elsewhere, and GSI 5 may be
	 * another device's line there. */
	if (!acpi_table_has("DSDT", "ACPI0013") || !acpi_table_has("DSDT", "GSTMGR")) {
		console_printf("testguest: no guestmgr Generic Event Device (ACPI0013) in the DSDT: "
			       "no power button\n");
		return;
	}
	irq_set_handler(vector, power_button_interrupt);
	if (!ioapic_route_gsi(LAYOUT_GED_GSI, true, false, vector, lapic_id(), why, sizeof(why)))
		console_printf("testguest: no power button: GSI %u: %s\n", LAYOUT_GED_GSI, why);
}
