#include "smp.h"

#include "arch.h"
#include "format.h"
#include "idt.h"
#include "lapic.h"
#include "libc.h"
#include "timer.h"

#define ICR_INIT	0x00000500
#define ICR_STARTUP	0x00000600
#define ICR_ASSERT	0x00004000

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const struct gdt_pointer gdt_pointer;	/* entry.S */
extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const char ap_trampoline_gdt_pointer[], ap_trampoline_cr3[];

static volatile unsigned arrivals;		/* slots taken in checked_in_ids */
static volatile unsigned checked_in;		/* slots whose id is written */
static volatile uint32_t checked_in_ids[AP_STACKS];

void ap_main(void)
{
	unsigned slot;

	idt_load();
	lapic_init();
	slot = __atomic_fetch_add(&arrivals, 1, __ATOMIC_ACQ_REL);
	if (slot < AP_STACKS) {
		checked_in_ids[slot] = lapic_id();
		__atomic_fetch_add(&checked_in, 1, __ATOMIC_RELEASE);
	}
	cpu_halt_forever();
}

static void *trampoline_slot(const char *sym)
{
	return (void *)(uintptr_t)(SMP_TRAMPOLINE_BASE + (sym - ap_trampoline_start));
}

static void install_trampoline(void)
{
	uint32_t base = (uint32_t)gdt_pointer.base;
	uint32_t cr3 = (uint32_t)read_cr3();
	uint8_t *slot;

	memcpy((void *)SMP_TRAMPOLINE_BASE, ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	slot = trampoline_slot(ap_trampoline_gdt_pointer);
	memcpy(slot, &gdt_pointer.limit, 2);
	memcpy(slot + 2, &base, 4);
	memcpy(trampoline_slot(ap_trampoline_cr3), &cr3, 4);
}

static bool count_reached(void *target)
{
	return __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE) >= *(unsigned *)target;
}

bool smp_start_ap(uint32_t apic_id, char *why, size_t why_size)
{
	unsigned target = __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE) + 1;
	/* The MP spec's waits are 10 ms after INIT and 200 us after each
	 * SIPI; a second SIPI only when the first did not take. */
	static const unsigned sipi_wait_ms[] = { 20, 200 };

	install_trampoline();
	if (!lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT)) {
		format(why, why_size, "INIT IPI to APIC id %u stayed pending", apic_id);
		return false;
	}
	wait_for(NULL, NULL, 10);
	for (unsigned i = 0; i < sizeof(sipi_wait_ms) / sizeof(sipi_wait_ms[0]); i++) {
		if (!lapic_send_ipi(apic_id, ICR_STARTUP | (SMP_TRAMPOLINE_BASE >> 12))) {
			format(why, why_size, "SIPI to APIC id %u stayed pending", apic_id);
			return false;
		}
		if (wait_for(count_reached, &target, sipi_wait_ms[i]))
			return true;
	}
	format(why, why_size, "APIC id %u did not check in within %u ms of two SIPIs",
	       apic_id, sipi_wait_ms[0] + sipi_wait_ms[1]);
	return false;
}

unsigned smp_checked_in(void)
{
	return __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE);
}

uint32_t smp_checked_in_apic_id(unsigned index)
{
	return checked_in_ids[index];
}
