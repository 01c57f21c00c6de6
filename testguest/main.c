/* The test guest's main: bring up what every scenario needs (console,
 * IDT, LAPIC timer, COM1 interrupts), run the scenarios named by test= on
 * the command line, print the summary and stop the machine. */
#include "arch.h"
#include "bootinfo.h"
#include "vmm/x86/pvh.h"
#include "cmdline.h"
#include "console.h"
#include "idt.h"
#include "lapic.h"
#include "libc.h"
#include "machine.h"
#include "power_button.h"
#include "report.h"
#include "scenarios/scenario.h"
#include "timer.h"
#include "uart.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

/* A legacy 8259 left unmasked would deliver on vectors 0x08-0x0f, the
 * exception vectors. Where there is no PIC the writes go nowhere. */
static void mask_legacy_pic(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void list_scenarios(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < scenario_count; i++) {
		size_t n = strlen(scenario_table[i].name);

		if (len + n + 2 > size)
			break;
		if (len)
			buf[len++] = ' ';
		memcpy(buf + len, scenario_table[i].name, n + 1);
		len += n;
	}
}

static void run_scenario(const char *name)
{
	char known[128];

	report_scenario(name);
	for (unsigned i = 0; i < scenario_count; i++) {
		if (strcmp(scenario_table[i].name, name) == 0) {
			scenario_table[i].run();
			return;
		}
	}
	list_scenarios(known, sizeof(known));
	report_fail("scenario", "unknown scenario '%s' (known: %s)", name, known);
}

/* test=a,b,c: each name is cut out in place of the parameter's copy. */
static void run_scenarios(const char *list)
{
	static char names[256];
	char *p = names;

	if (!list || !*list) {
		report_fail("cmdline", "no test=<scenario>[,<scenario>...] on the command line");
		return;
	}
	strlcopy(names, list, sizeof(names));
	while (p) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*p)
			run_scenario(p);
		p = comma ? comma + 1 : NULL;
	}
	report_scenario("main");
}

__attribute__((noreturn)) void tg_main(uint32_t start_info_paddr);

void tg_main(uint32_t start_info_paddr)
{
	boot_info_copy(start_info_paddr);
	uart_init();
	idt_init();
	mask_legacy_pic();
	console_printf("testguest: started, PVH start info at %#x\n", start_info_paddr);
	if (!boot_info.valid) {
		report_fail("start_info", "magic %#x at %#x, expected %#x", boot_info.magic,
			    start_info_paddr, HVM_START_MAGIC);
		report_summary();
		machine_stop();
	}
	cmdline_parse(boot_info.cmdline);
	lapic_init();
	timer_init();
	uart_irq_init(VEC_UART);
	power_button_init(VEC_POWER_BUTTON);
	run_scenarios(param("test"));
	report_summary();
	machine_stop();
}
