#include "lapic.h"

#include "arch.h"
#include "idt.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_BSP		(1u << 8)
#define APIC_BASE_X2APIC	(1u << 10)
#define APIC_BASE_ENABLE	(1u << 11)
#define APIC_BASE_ADDR_MASK	0x000ffffffffff000ull
#define SVR_ENABLE		(1u << 8)
#define ICR_PENDING		(1u << 12)

static uint64_t base_addr = 0xfee00000;

void lapic_init(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	/* x2APIC cannot go straight back to xAPIC: disable, then enable. */
	if (msr & APIC_BASE_X2APIC) {
		wrmsr(MSR_APIC_BASE, msr & ~(uint64_t)(APIC_BASE_X2APIC | APIC_BASE_ENABLE));
		msr &= ~(uint64_t)APIC_BASE_X2APIC;
	}
	if (!(msr & APIC_BASE_ENABLE)) {
		msr |= APIC_BASE_ENABLE;
		wrmsr(MSR_APIC_BASE, msr);
	}
	base_addr = msr & APIC_BASE_ADDR_MASK;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(base_addr + reg);
}

void lapic_write(uint32_t reg, uint32_t value)
{
	mmio_write32(base_addr + reg, value);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

bool lapic_is_bsp(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	for (unsigned i = 0; i < 1000; i++) {
		if (!(lapic_read(LAPIC_ICR_LOW) & ICR_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}
