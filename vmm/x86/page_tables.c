#include "vmm/x86/page_tables.h"

#include "vmm/x86/layout.h"

#define PTE_PRESENT	0x1ULL
#define PTE_WRITE	0x2ULL
#define PTE_LARGE	0x80ULL
#define PD_TABLES	4		/* one per GiB */
#define ENTRIES		512
#define LARGE_PAGE	0x200000ULL

uint64_t page_tables_write(const struct guest_mem *gm)
{
	uint64_t *pml4 = guest_mem_ptr(gm, LAYOUT_PML4, 4096);
	uint64_t *pdpt = guest_mem_ptr(gm, LAYOUT_PDPT, 4096);
	uint64_t *pd = guest_mem_ptr(gm, LAYOUT_PD, PD_TABLES * 4096);

	if (!pml4 || !pdpt || !pd)
		return 0;
	pml4[0] = LAYOUT_PDPT | PTE_PRESENT | PTE_WRITE;
	for (unsigned int i = 0; i < PD_TABLES; i++)
		pdpt[i] = (LAYOUT_PD + i * 4096ULL) | PTE_PRESENT | PTE_WRITE;
	for (unsigned int i = 0; i < PD_TABLES * ENTRIES; i++)
		pd[i] = i * LARGE_PAGE | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	return LAYOUT_PML4;
}
