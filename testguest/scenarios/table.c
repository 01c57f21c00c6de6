#include "scenario.h"

const struct scenario scenario_table[] = {
	{ "boot", scenario_boot },
};

const unsigned scenario_count = sizeof(scenario_table) / sizeof(scenario_table[0]);
