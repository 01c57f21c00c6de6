#include "timer.h"

#include "arch.h"
#include "idt.h"
#include "lapic.h"

#define DIVIDE_BY_16		0x3
#define KVM_BUS_HZ		1000000000ull	/* KVM's LAPIC timer runs at 1 GHz */
#define PIT_HZ			1193182u
#define PIT_START_COUNT		0xf000		/* below 0xffff, which a missing PIT reads */
#define PIT_WINDOW		(PIT_HZ / 100)	/* 10 ms */
#define PIT_CH0_DATA		0x40
#define PIT_MODE		0x43
#define PIT_CH0_MODE0_LOHI	0x30
#define PIT_CH0_LATCH		0x00
#define PAIR_SPREAD		(PIT_WINDOW / 100)	/* 1% of the window: 100 us */
#define PAIR_TRIES		1000

static struct timer_info info;
static volatile uint64_t irq_ticks;
static uint64_t polled_ticks;
static uint32_t polled_last;

static void timer_interrupt(struct trap_frame *frame)
{
	(void)frame;
	irq_ticks++;
}

static unsigned pit_read_count(void)
{
	unsigned count;

	outb(PIT_MODE, PIT_CH0_LATCH);
	count = inb(PIT_CH0_DATA);
	return count | (unsigned)inb(PIT_CH0_DATA) << 8;
}

/* A PIT count and the LAPIC count read between two reads of it, when
 * those two are at most PAIR_SPREAD PIT clocks apart (the PIT's count is
 * their middle); false when they are not, as when the vCPU was preempted
 * in between: on a loaded host that would skew the rate by a third or
 * more, and the guest's timeouts would run that much fast. */
static bool read_pair(unsigned *pit, uint32_t *lapic)
{
	unsigned before = pit_read_count();
	uint32_t l = lapic_read(LAPIC_TIMER_CURRENT);
	unsigned after = pit_read_count();

	if (after > before || before - after > PAIR_SPREAD)
		return false;
	*pit = (before + after) / 2;
	*lapic = l;
	return true;
}

/* LAPIC timer counts (divide by 16) during PIT_WINDOW clocks of PIT
 * channel 0, or 0 when there is no PIT or it does not count. Channel 0
 * because its gate is always open (channel 2's needs port 0x61, which
 * QEMU microvm lacks); its interrupt is masked at the PIC and IOAPIC. */
static uint64_t measure_against_pit(void)
{
	uint32_t start = 0;
	unsigned first = 0, tries;

	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	outb(PIT_MODE, PIT_CH0_MODE0_LOHI);
	outb(PIT_CH0_DATA, PIT_START_COUNT & 0xff);
	outb(PIT_CH0_DATA, PIT_START_COUNT >> 8);
	for (tries = 0; tries < PAIR_TRIES && !read_pair(&first, &start); tries++)
		;
	if (tries == PAIR_TRIES || first > PIT_START_COUNT || first < PIT_WINDOW)
		return 0;

	/* Bounded twice: by polls, and by a quarter second of a 1 GHz bus. */
	for (unsigned i = 0; i < 100000; i++) {
		uint32_t now;
		unsigned count;

		if (!read_pair(&count, &now))
			continue;
		if (count > first)
			break;	/* went up: not a PIT counting down */
		if (first - count >= PIT_WINDOW)
			return (uint64_t)(start - now) * PIT_WINDOW / (first - count);
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

	/* Give the first interrupt four periods, timed by the count register
	 * (and by a number of polls, should the count not move either). */
	for (unsigned i = 0; irq_ticks == 0 && polled_ticks < 4 && i < 200000; i++) {
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
	/* When polling: each poll takes over 1 us, so this bounds the wait
	 * even if the count register is dead too. */
	uint64_t polls_left = (uint64_t)ms * 1000 + 1000;

	while (!(done && done(arg))) {
		if (timer_ticks() - start >= ticks)
			return done && done(arg);
		if (info.irq_ok) {
			irq_wait();
		} else {
			if (!polls_left--)
				return false;
			cpu_relax();
		}
	}
	return true;
}
