/* PVH boot (Xen's x86 PVH boot ABI, also Linux's and the test guest's):
 * ELF segments loaded at their physical addresses, struct hvm_start_info
 * (version 1) at LAYOUT_PVH_START_INFO with the command line, the e820 map,
 * the RSDP, and the modules (ramdisk first, as Linux expects, then the
 * device tree). */
#ifndef VMM_X86_BOOT_PVH_H
#define VMM_X86_BOOT_PVH_H

#include <stdint.h>

#include "vmm/x86/boot.h"
#include "vmm/x86/pvh.h"

int boot_pvh_load(const struct guest_mem *gm, const struct machine_desc *m,
		  const struct boot_input *in, struct boot_entry *entry,
		  char *err, size_t errlen);

#endif
