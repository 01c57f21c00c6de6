#include "timer.h"

#include "arch.h"
#include "idt.h"
#include "lapic.h"

#define DIVIDE_BY_16		0x3
#define KVM_BUS_HZ		1000000000ull	/* KVM's LAPIC timer runs at 1 GHz */
#define PIT_HZ			1193182u
#define PIT_WINDOW_COUNT	(PIT_HZ / 100)	/* 10 ms */
#define PIT_CH2_DATA		0x42
#define PIT_MODE		0x43
#define PIT_CH2_MODE0_LOHI	0xb0
#define PIT_CH2_LATCH		0x80
#define PORT_B			0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */

static struct timer_info info;
static volatile uint64_t irq_ticks;
static uint64_t polled_ticks;
static uint32_t polled_last;

static void timer_interrupt(struct trap_frame *frame)
{
	(void)frame;
	irq_ticks++;
}

/* LAPIC timer counts (divide by 16) during PIT_WINDOW_COUNT PIT clocks,
 * or 0 when there is no PIT or it never finished. */
static uint64_t measure_against_pit(void)
{
	uint32_t start, now = 0;
	unsigned readback;

	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	outb(PIT_MODE, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2_DATA, PIT_WINDOW_COUNT & 0xff);
	outb(PIT_CH2_DATA, PIT_WINDOW_COUNT >> 8);
	start = lapic_read(LAPIC_TIMER_CURRENT);

	/* No PIT: the data port floats and reads 0xffff. */
	outb(PIT_MODE, PIT_CH2_LATCH);
	readback = inb(PIT_CH2_DATA);
	readback |= (unsigned)inb(PIT_CH2_DATA) << 8;
	if (readback > PIT_WINDOW_COUNT)
		return 0;

	/* Bounded twice: by polls, and by a quarter second of a 1 GHz bus. */
	for (unsigned i = 0; i < 200000; i++) {
		now = lapic_read(LAPIC_TIMER_CURRENT);
		if (inb(PORT_B) & 0x20)
			return start - now;
		if (start - now > KVM_BUS_HZ / 16 / 4)
			break;
	}
	return 0;
}

static uint32_t count_reloads(void)
{
	uint32_t now = lapic_read(LAPIC_TIMER_CURRENT);

	if (now > polled_last)
		polled_ticks++;
	polled_last = now;
	return now;
}

void timer_init(void)
{
	uint64_t counts = measure_against_pit();
	uint64_t hz = counts * 16 * 100;

	/* A measurement far from any real bus clock means a broken PIT. */
	if (hz >= 10000000ull && hz <= 10000000000ull) {
		info.bus_hz = hz;
		info.calibration = "pit";
	} else {
		info.bus_hz = KVM_BUS_HZ;
		info.calibration = "assumed";
	}
	info.period_count = (uint32_t)(info.bus_hz / 16 / TIMER_HZ);

	irq_set_handler(VEC_TIMER, timer_interrupt);
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, info.period_count);
	polled_last = info.period_count;
	irq_enable();

	/* Give the first interrupt four periods, timed by the count register. */
	while (irq_ticks == 0 && polled_ticks < 4) {
		count_reloads();
		cpu_relax();
	}
	info.irq_ok = irq_ticks > 0;
}

const struct timer_info *timer_get_info(void)
{
	return &info;
}

uint64_t timer_ticks(void)
{
	if (info.irq_ok)
		return irq_ticks;
	count_reloads();
	return polled_ticks;
}

bool wait_for(bool (*done)(void *arg), void *arg, unsigned ms)
{
	uint64_t start = timer_ticks();
	/* Round up, plus one: the current tick is already partly over. */
	uint64_t ticks = ((uint64_t)ms * TIMER_HZ + 999) / 1000 + 1;

	while (!(done && done(arg))) {
		if (timer_ticks() - start >= ticks)
			return done && done(arg);
		if (info.irq_ok)
			irq_wait();
		else
			cpu_relax();
	}
	return true;
}
