/* Time from the BSP's LAPIC timer: a periodic tick of TIMER_HZ, its rate
 * calibrated coarsely against the PIT (or assumed to be KVM's 1 GHz bus
 * clock where there is no PIT). Every wait in the guest is bounded by it. */
#ifndef TESTGUEST_TIMER_H
#define TESTGUEST_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

struct timer_info {
	uint64_t bus_hz;		/* LAPIC timer input clock */
	const char *calibration;	/* "pit" or "assumed" */
	uint32_t period_count;		/* initial count per tick, divide by 16 */
	bool irq_ok;			/* the first tick arrived as an interrupt */
	unsigned pit_spread_us;		/* how far from exact "pit" can be */
};

/* Calibrates and starts the periodic tick on this CPU; enables interrupts. */
void timer_init(void);
const struct timer_info *timer_get_info(void);

/* Ticks so far: counted by the interrupt handler, or, if the interrupt
 * never came, by polling the count register for reloads. */
uint64_t timer_ticks(void);

/* Waits until done(arg) is true or ms have passed; returns done(arg).
 * done may be NULL: then it just sleeps. */
bool wait_for(bool (*done)(void *arg), void *arg, unsigned ms);

#endif
