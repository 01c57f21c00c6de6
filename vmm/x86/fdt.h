/* The flattened device tree of the x86-64 machine, for kernels built with
 * device-tree support (a guest config's dtb overlay asks for it). It
 * describes the same machine as the ACPI tables. */
#ifndef VMM_X86_FDT_H
#define VMM_X86_FDT_H

#include <stddef.h>

#include "vmm/x86/machine.h"

/* Builds the tree into buf (bufsize bytes), applies `overlay` (a dtb of
 * overlay_size bytes, or NULL) and packs the result. Returns 0, or -1 with
 * a message naming the libfdt error in err ("dtb overlay: FDT_ERR_BADMAGIC"). */
int fdt_build(void *buf, size_t bufsize, const struct machine_desc *m, const char *cmdline,
	      const void *overlay, size_t overlay_size, char *err, size_t errlen);

#endif
