#include "idt.h"

#include "arch.h"
#include "console.h"
#include "lapic.h"
#include "machine.h"
#include "report.h"

#define KERNEL_CS 0x08	/* the 64-bit code segment of entry.S's GDT */
#define STUB_SIZE 16

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const char isr_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler handlers[256];
static volatile int bsp_fatal_in_progress;

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22", "23",
	"24", "25", "26", "27", "#HV", "#VC", "#SX", "31",
};

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t addr = (uintptr_t)isr_stubs + v * STUB_SIZE;

		idt[v] = (struct idt_gate){
			.offset_low = (uint16_t)addr,
			.selector = KERNEL_CS,
			.type_attr = 0x8e,	/* present, ring 0, 64-bit interrupt gate */
			.offset_mid = (uint16_t)(addr >> 16),
			.offset_high = (uint32_t)(addr >> 32),
		};
	}
	idt_load();
}

void idt_load(void)
{
	struct idt_pointer p = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

void irq_set_handler(uint8_t vector, irq_handler handler)
{
	handlers[vector] = handler;
}

static __attribute__((noreturn)) void exception_fatal(const struct trap_frame *f)
{
	/* A fault while reporting a fault: nothing more can be said safely. */
	if (lapic_is_bsp() && __atomic_exchange_n(&bsp_fatal_in_progress, 1, __ATOMIC_ACQUIRE))
		machine_triple_fault();
	console_break_lock();
	report_fail("exception", "vector=%lu (%s) error=%#lx rip=%#lx cr2=%#lx rsp=%#lx apic_id=%u",
		    f->vector, exception_names[f->vector & 31], f->error, f->rip, read_cr2(), f->rsp,
		    lapic_id());
	if (!lapic_is_bsp())
		cpu_halt_forever();	/* the BSP notices the AP missing */
	report_summary();
	machine_stop();
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32)
		exception_fatal(f);
	if (f->vector == VEC_SPURIOUS)
		return;	/* no EOI for the spurious vector */
	if (handlers[f->vector])
		handlers[f->vector](f);
	else
		report_fail("unexpected_interrupt", "vector=%#lx rip=%#lx", f->vector, f->rip);
	lapic_eoi();
}
