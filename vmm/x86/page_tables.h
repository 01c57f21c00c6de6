/* Identity-mapped page tables for entering a kernel in 64-bit mode: the
 * first 4 GiB in 2 MiB pages, at LAYOUT_PML4 / LAYOUT_PDPT / LAYOUT_PD. */
#ifndef VMM_X86_PAGE_TABLES_H
#define VMM_X86_PAGE_TABLES_H

#include "vmm/guest_mem.h"

/* Returns the CR3 value, 0 if guest memory cannot hold the tables. */
uint64_t page_tables_write(const struct guest_mem *gm);

#endif
