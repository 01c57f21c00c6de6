/* The part of the PS/2 controller a guest uses to reset the machine:
 * command 0xfe on port 0x64 pulses the CPU reset line, which stops the vmm
 * (Linux's reboot=k, the test guest's exit). There is no keyboard: status
 * reads say "nothing to read", data reads return 0. */
#ifndef VMM_I8042_H
#define VMM_I8042_H

#include "vmm/io_bus.h"
#include "vmm/vm_stop.h"

int i8042_register(struct io_bus *pio, struct vm_stop *stop);

#endif
