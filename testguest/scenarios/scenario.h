/* The scenarios test= can name. A new scenario is one file in this folder
 * with a run function, a line in table.c and one in testguest/local.mk. */
#ifndef TESTGUEST_SCENARIOS_SCENARIO_H
#define TESTGUEST_SCENARIOS_SCENARIO_H

struct scenario {
	const char *name;
	void (*run)(void);
};

extern const struct scenario scenario_table[];
extern const unsigned scenario_count;

void scenario_boot(void);
void scenario_acpi(void);
void scenario_irq(void);
void scenario_smp(void);
void scenario_echo(void);
void scenario_dtb(void);
void scenario_fault(void);
void scenario_pci(void);
void scenario_blk(void);
void scenario_rng(void);
void scenario_console(void);
void scenario_badring(void);

#endif
