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
#define PAIR_TRIES		16
#define MAX_SPREAD		(PIT_WINDOW / 20)	/* 5% of the window: 0.5 ms */

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

/* A LAPIC count read between two reads of the PIT's count. */
struct pit_pair {
	unsigned before, after;
	uint32_t lapic;
};

static unsigned pair_spread(const struct pit_pair *p)
{
	return p->before - p->after;
}

static unsigned pair_pit(const struct pit_pair *p)
{
	return (p->before + p->after) / 2;
}

/* The pair whose PIT reads came closest together of PAIR_TRIES, so that
 * their middle is nearest the PIT's count at the LAPIC read: false when
 * even that one spans over MAX_SPREAD. A vCPU preempted between the reads
 * (a loaded host) or exits that take long (nested virtualization) widen a
 * pair; taken as exact, one such pair skewed the rate by a third (651 MHz
 * for 1 GHz seen under TCG) and the guest's timeouts ran that much fast. */
static bool tightest_pair(struct pit_pair *best)
{
	bool found = false;

	for (unsigned i = 0; i < PAIR_TRIES; i++) {
		struct pit_pair p;

		p.before = pit_read_count();
		p.lapic = lapic_read(LAPIC_TIMER_CURRENT);
		p.after = pit_read_count();
		if (p.after > p.before)
			continue;	/* wrapped, or not a PIT counting down */
		if (!found || pair_spread(&p) < pair_spread(best))
			*best = p;
		found = true;
	}
	return found && pair_spread(best) <= MAX_SPREAD;
}

/* LAPIC timer counts (divide by 16) during PIT_WINDOW clocks of PIT
 * channel 0, or 0 when there is no PIT or it does not count. Channel 0
 * because its gate is always open (channel 2's needs port 0x61, which
 * QEMU microvm lacks); its interrupt is masked at the PIC and IOAPIC. */
static uint64_t measure_against_pit(void)
{
	struct pit_pair start, end;
	unsigned i, elapsed;

	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	outb(PIT_MODE, PIT_CH0_MODE0_LOHI);
	outb(PIT_CH0_DATA, PIT_START_COUNT & 0xff);
	outb(PIT_CH0_DATA, PIT_START_COUNT >> 8);
	/* Room for the window and the end's pairs before the count wraps. */
	if (!tightest_pair(&start) || start.before > PIT_START_COUNT ||
	    pair_pit(&start) < 2 * PIT_WINDOW)
		return 0;

	/* Bounded twice: by polls, and by a quarter second of a 1 GHz bus. */
	for (i = 0; i < 100000; i++) {
		unsigned count = pit_read_count();

		if (count > start.before)
			return 0;	/* went up: not a PIT counting down */
		if (pair_pit(&start) - count >= PIT_WINDOW)
			break;
		if (start.lapic - lapic_read(LAPIC_TIMER_CURRENT) > KVM_BUS_HZ / 16 / 4)
			return 0;
	}
	if (i == 100000 || !tightest_pair(&end) || end.before > start.after)
		return 0;
	elapsed = pair_pit(&start) - pair_pit(&end);
	info.pit_spread_us = (pair_spread(&start) + pair_spread(&end)) * 1000000ull / PIT_HZ;
	return (uint64_t)(start.lapic - end.lapic) * PIT_WINDOW / elapsed;
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
