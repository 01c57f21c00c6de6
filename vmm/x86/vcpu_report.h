/* Where a failed vCPU was: RIP, the CPU mode, and the instruction bytes at
 * RIP read from guest memory (on an emulating KVM they name the
 * instruction the emulator lacks). */
#ifndef VMM_X86_VCPU_REPORT_H
#define VMM_X86_VCPU_REPORT_H

#include <stddef.h>

#include "vmm/guest_mem.h"

/* "at RIP 0x100234 (64-bit mode), bytes 0f c7 0e 90 ..." into buf. */
void vcpu_report(int vcpu_fd, const struct guest_mem *gm, char *buf, size_t len);

#endif
