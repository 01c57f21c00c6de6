/* echo: says ECHO-READY, then answers each line received on COM1 with
 * "ECHO <line>" until the line "quit". Input comes in by interrupt. Gives
 * up after echo_timeout_ms (default 10 s) of LAPIC timer time; 0 means
 * never: the guest then answers until the line "quit" or until the host
 * stops it (the testguest package runs so). */
#include "arch.h"
#include "cmdline.h"
#include "libc.h"
#include "console.h"
#include "report.h"
#include "scenario.h"
#include "timer.h"
#include "uart.h"

#define ECHO_LINE_MAX 256
#define DEFAULT_TIMEOUT_MS 10000
#define NO_DEADLINE UINT64_MAX

struct line {
	char text[ECHO_LINE_MAX];
	unsigned len;
	int pending;	/* a byte read while waiting, or -1 */
};

static bool byte_ready(void *arg)
{
	struct line *l = arg;

	if (l->pending < 0)
		l->pending = uart_getc();
	return l->pending >= 0;
}

/* Without a deadline: halted until an interrupt (the byte's own, or a
 * timer tick) brings a byte. Interrupts are off while looking, so one
 * arriving just then wakes the hlt instead of slipping in before it. */
static void wait_for_byte(struct line *l)
{
	for (;;) {
		irq_disable();
		if (byte_ready(l))
			break;
		irq_wait();
	}
	irq_enable();
}

/* Reads until a whole non-empty line (CR, LF or CRLF ended) or the
 * deadline; lines longer than ECHO_LINE_MAX - 1 are cut. */
static bool read_line(struct line *l, uint64_t deadline_ms)
{
	l->len = 0;
	for (;;) {
		uint64_t now = timer_ticks() * 1000 / TIMER_HZ;
		int c;

		if (deadline_ms == NO_DEADLINE) {
			wait_for_byte(l);
		} else if (!byte_ready(l)) {
			if (now >= deadline_ms || !wait_for(byte_ready, l, (unsigned)(deadline_ms - now)))
				return false;
		}
		c = l->pending;
		l->pending = -1;
		if (c == '\r' || c == '\n') {
			if (l->len)
				break;
			continue;
		}
		if (c >= 0x20 && c != 0x7f)
			l->text[l->len++] = (char)c;
		if (l->len == ECHO_LINE_MAX - 1)
			break;
	}
	l->text[l->len] = '\0';
	return true;
}

void scenario_echo(void)
{
	uint64_t timeout = DEFAULT_TIMEOUT_MS, deadline;
	const char *problem = uart_irq_problem();
	struct line line = { .pending = -1 };
	unsigned lines = 0;
	bool bad;

	if (param_u64("echo_timeout_ms", &timeout, &bad) && (bad || timeout > 3600000)) {
		report_fail("session", "echo_timeout_ms='%s' is not a number of ms up to an hour",
			    param("echo_timeout_ms"));
		return;
	}
	if (problem) {
		report_fail("session", "no interrupt-driven input: %s", problem);
		return;
	}
	console_printf("ECHO-READY\n");
	deadline = timeout ? timer_ticks() * 1000 / TIMER_HZ + timeout : NO_DEADLINE;
	while (read_line(&line, deadline)) {
		if (strcmp(line.text, "quit") == 0) {
			report_pass("session", "%u lines echoed, then quit", lines);
			return;
		}
		console_printf("ECHO %s\n", line.text);
		lines++;
	}
	report_fail("session", "no 'quit' line within %lu ms (%u lines echoed)", timeout, lines);
}
