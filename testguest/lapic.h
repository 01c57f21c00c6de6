/* The local APIC in xAPIC (MMIO) mode. */
#ifndef TESTGUEST_LAPIC_H
#define TESTGUEST_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_ID		0x020
#define LAPIC_VERSION		0x030
#define LAPIC_TPR		0x080
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define LAPIC_ESR		0x280
#define LAPIC_ICR_LOW		0x300
#define LAPIC_ICR_HIGH		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_TIMER_INITIAL	0x380
#define LAPIC_TIMER_CURRENT	0x390
#define LAPIC_TIMER_DIVIDE	0x3e0

#define LVT_MASKED		(1u << 16)
#define LVT_TIMER_PERIODIC	(1u << 17)

/* Enables this CPU's LAPIC in xAPIC mode (leaving x2APIC mode if the
 * firmware or vmm left it there) with the spurious vector set. */
void lapic_init(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);
uint32_t lapic_id(void);
bool lapic_is_bsp(void);
void lapic_eoi(void);
/* Sends an IPI (ICR low bits: delivery mode, level, vector) and waits,
 * bounded, for the LAPIC to accept it. False if it stayed pending. */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

#endif
