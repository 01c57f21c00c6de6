#include "scenario.h"

const struct scenario scenario_table[] = {
	{ "boot", scenario_boot },
	{ "acpi", scenario_acpi },
	{ "irq", scenario_irq },
	{ "smp", scenario_smp },
	{ "echo", scenario_echo },
	{ "dtb", scenario_dtb },
	{ "fault", scenario_fault },
};

const unsigned scenario_count = sizeof(scenario_table) / sizeof(scenario_table[0]);
