#include "scenario.h"

const struct scenario scenario_table[] = {
	{ "boot", scenario_boot },
	{ "acpi", scenario_acpi },
	{ "irq", scenario_irq },
	{ "smp", scenario_smp },
	{ "echo", scenario_echo },
	{ "dtb", scenario_dtb },
	{ "fault", scenario_fault },
	{ "pci", scenario_pci },
	{ "blk", scenario_blk },
	{ "rng", scenario_rng },
	{ "console", scenario_console },
	{ "badring", scenario_badring },
};

const unsigned scenario_count = sizeof(scenario_table) / sizeof(scenario_table[0]);
