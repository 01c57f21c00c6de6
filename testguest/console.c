#include "console.h"

#include "arch.h"
#include "format.h"
#include "uart.h"

static volatile int console_lock;

void console_vprintf(const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	size_t n = format_v(line, sizeof(line), fmt, ap);
	bool on = irq_enabled();

	irq_disable();
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (size_t i = 0; i < n; i++)
		uart_putc(line[i]);
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
	if (on)
		irq_enable();
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_break_lock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}
