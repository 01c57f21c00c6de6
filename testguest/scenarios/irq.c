/* irq: the LAPIC timer interrupt, and an interrupt routed through the
 * IOAPIC (COM1's transmitter-empty interrupt on ISA IRQ 4). */
#include "idt.h"
#include "ioapic.h"
#include "report.h"
#include "scenario.h"
#include "timer.h"
#include "uart.h"

#define TICKS_TO_COUNT 5

static bool thre_seen(void *before)
{
	return uart_thre_irqs() != *(unsigned *)before;
}

static void check_timer(void)
{
	const struct timer_info *t = timer_get_info();
	uint64_t start;

	report_info("lapic_timer_hz=%lu calibration=%s pit_spread_us=%u tick_hz=%u", t->bus_hz,
		    t->calibration, t->pit_spread_us, TIMER_HZ);
	if (!t->irq_ok) {
		report_fail("lapic_timer", "no interrupt on vector %#x within 4 periods of the "
			    "count register reloading", VEC_TIMER);
		return;
	}
	start = timer_ticks();
	wait_for(NULL, NULL, TICKS_TO_COUNT * 1000 / TIMER_HZ);
	report_check(timer_ticks() - start >= TICKS_TO_COUNT, "lapic_timer",
		     "%lu ticks on vector %#x", timer_ticks() - start, VEC_TIMER);
}

static void check_ioapic(void)
{
	const char *problem = uart_irq_problem();
	const struct ioapic_route *r = ioapic_last_route();
	unsigned before = uart_thre_irqs();
	bool arrived;

	if (problem) {
		report_fail("ioapic_uart", "%s", problem);
		return;
	}
	uart_arm_thre_irq();
	arrived = wait_for(thre_seen, &before, 200);
	report_check(arrived, "ioapic_uart",
		     "COM1 THRE interrupt: IRQ 4 -> GSI %u -> IOAPIC %#lx pin %u -> vector %#x%s",
		     r->gsi, r->ioapic_addr, r->pin, VEC_UART, arrived ? "" : ": none within 200 ms");
}

void scenario_irq(void)
{
	check_timer();
	check_ioapic();
}
