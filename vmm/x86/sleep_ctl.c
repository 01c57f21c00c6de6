#include "vmm/x86/sleep_ctl.h"

#include <string.h>

#include "vmm/exit_status.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

/* The sleep type the guest asked for, in the encoding the FADT announces. */
#define SLP_TYP(v)	(((v) & ACPI_SLEEP_TYP_MASK) >> ACPI_SLEEP_TYP_SHIFT)

static void sleep_ctl_io(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int size, bool is_write)
{
	(void)offset;
	if (!is_write) {
		memset(data, 0, size);
		return;
	}
	if (!(data[0] & ACPI_SLEEP_EN))
		return;
	if (SLP_TYP(data[0]) == ACPI_SLEEP_TYP_S5)
		vm_stop_request(opaque, VMM_EXIT_GUEST_STOPPED,
				"guest stopped: ACPI power off (S5)");
	else
		vm_stop_request(opaque, VMM_EXIT_GUEST_STOPPED,
				"guest stopped: ACPI sleep S%u (no suspend support)",
				SLP_TYP(data[0]));
}

int sleep_ctl_register(struct io_bus *pio, struct vm_stop *stop)
{
	return io_bus_register(pio, LAYOUT_ACPI_SLEEP_PORT, 1, sleep_ctl_io, stop);
}
