#include "vmm/i8042.h"

#include <string.h>

#include "vmm/exit_status.h"
#include "vmm/x86/layout.h"

#define I8042_DATA	LAYOUT_I8042_PORT
#define I8042_COMMAND	(LAYOUT_I8042_PORT + 4)
#define I8042_CMD_RESET	0xfe

static void i8042_data(void *opaque, uint64_t offset, uint8_t *data,
		       unsigned int size, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0, size);
}

static void i8042_command(void *opaque, uint64_t offset, uint8_t *data,
			  unsigned int size, bool is_write)
{
	(void)offset;
	if (!is_write) {
		memset(data, 0, size);	/* status: output and input buffers empty */
		return;
	}
	if (data[0] == I8042_CMD_RESET)
		vm_stop_request(opaque, VMM_EXIT_GUEST_STOPPED, "guest stopped: i8042 reset");
}

int i8042_register(struct io_bus *pio, struct vm_stop *stop)
{
	if (io_bus_register(pio, I8042_DATA, 1, i8042_data, NULL) < 0)
		return -1;
	return io_bus_register(pio, I8042_COMMAND, 1, i8042_command, stop);
}
