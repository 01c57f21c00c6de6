#include "machine.h"

#include "arch.h"
#include "cmdline.h"
#include "libc.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

#define I8042_STATUS		(LAYOUT_I8042_PORT + 4)
#define I8042_COMMAND		(LAYOUT_I8042_PORT + 4)
#define I8042_INPUT_FULL	0x02
#define I8042_PULSE_RESET	0xfe

void machine_triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	/* ud2 with no IDT: #UD cannot be delivered, nor the #DF after it. */
	irq_disable();
	__asm__ volatile("lidt %0; ud2" : : "m"(empty_idt));
	cpu_halt_forever();
}

static void i8042_reset(void)
{
	/* Wait (bounded) for room in the controller's input buffer. Without
	 * an i8042 the status port floats at 0xff: give up early. */
	for (unsigned i = 0; i < 1000; i++) {
		uint8_t status = inb(I8042_STATUS);

		if (status == 0xff)
			break;
		if (!(status & I8042_INPUT_FULL))
			break;
	}
	outb(I8042_COMMAND, I8042_PULSE_RESET);
	/* A real controller takes a moment to pull the line. */
	for (unsigned i = 0; i < 1000; i++)
		inb(I8042_STATUS);
}

void machine_stop(void)
{
	const char *how = param("exit");

	irq_disable();
	if (how && strcmp(how, "halt") == 0)
		cpu_halt_forever();
	if (!how || strcmp(how, "triple") != 0)
		i8042_reset();
	machine_triple_fault();
}

void machine_power_off(void)
{
	irq_disable();
	outb(LAYOUT_ACPI_SLEEP_PORT, ACPI_SLEEP_S5);
	machine_stop();
}
