/* Shared by ipc/schema.c (loading and checking schemas) and
 * ipc/schema_validate.c (validating documents). Not part of the API. */
#ifndef IPC_SCHEMA_INTERNAL_H
#define IPC_SCHEMA_INTERNAL_H

#include "ipc/schema.h"

#include <stdarg.h>
#include <stdio.h>

struct ipc_schema {
	char *name;
	json_t *root;
	const json_t *defs; /* the root's "$defs", or NULL */
};

/* JSON types as bits; the schema type "number" is INTEGER | REAL. */
enum {
	TYPE_STRING = 1 << 0,
	TYPE_INTEGER = 1 << 1,
	TYPE_REAL = 1 << 2,
	TYPE_BOOLEAN = 1 << 3,
	TYPE_OBJECT = 1 << 4,
	TYPE_ARRAY = 1 << 5,
	TYPE_NULL = 1 << 6,
	TYPE_ANY = (1 << 7) - 1,
};

/* The bits a "type" keyword allows (a name or a list of names); 0 when it
 * names no known type. */
unsigned schema_type_mask(const json_t *type);

/* "#/$defs/NAME" resolved in schema's $defs, or NULL. */
const json_t *schema_resolve_ref(const struct ipc_schema *schema, const json_t *ref);

/* Where a check is: a field path ("disks[1].mode") or a schema location
 * ("#/properties/disks"), built by pushing parts and popping back to a mark.
 * Control characters from untrusted keys become '?'; an over-long path is
 * cut short, never overflowed. */
struct schema_path {
	char text[256];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static inline size_t path_push(struct schema_path *p, const char *fmt, ...)
{
	size_t mark = p->len, room = sizeof(p->text) - p->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p->text + p->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	p->len += (size_t)n < room ? (size_t)n : room - 1;
	for (size_t i = mark; i < p->len; i++)
		if ((unsigned char)p->text[i] < 0x20 || p->text[i] == 0x7f)
			p->text[i] = '?';
	return mark;
}

static inline void path_pop(struct schema_path *p, size_t mark)
{
	p->len = mark;
	p->text[mark] = '\0';
}

#endif
