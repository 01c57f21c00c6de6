/* Lookups in the enums generated from schemas/protocol.json. */
#include "ipc/protocol.h"

#include <string.h>

const char *gm_enum_name(const struct gm_enum *e, int number)
{
	for (size_t i = 0; i < e->count; i++)
		if (e->values[i].number == number)
			return e->values[i].name;
	return NULL;
}

int gm_enum_number(const struct gm_enum *e, const char *name)
{
	for (size_t i = 0; i < e->count; i++)
		if (!strcmp(e->values[i].name, name))
			return e->values[i].number;
	return -1;
}
