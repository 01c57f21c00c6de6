/* fault: reads an address outside the identity map, to show how a CPU
 * exception is reported. Its FAIL line is the expected result:
 *   TEST fault.exception FAIL vector=14 (#PF) error=0x0 rip=... cr2=0x... */
#include <stdint.h>

#include "report.h"
#include "scenario.h"

#define UNMAPPED 0x100000000ull	/* entry.S maps only the low 4 GiB */

void scenario_fault(void)
{
	report_pass("armed", "reading %#lx, expect a page fault next", (uint64_t)UNMAPPED);
	(void)*(volatile uint8_t *)(uintptr_t)UNMAPPED;
	report_fail("no_exception", "reading %#lx did not fault", (uint64_t)UNMAPPED);
}
