/* Validation of JSON documents (jansson) against the JSON Schema subset that
 * schemas/ uses:
 *
 *   type (a name or a list of names), properties, required,
 *   additionalProperties (true or false), minimum, maximum, minLength,
 *   maxLength, enum, items, minItems, maxItems, oneOf, anyOf, and $ref to
 *   "#/$defs/NAME". Annotations ($schema, $id, $comment, title,
 *   description, default, examples) are allowed and ignored.
 *
 * A schema is checked when it is loaded: any other keyword is an error, so
 * a schema never silently means less than it says. "integer" accepts only
 * numbers written without fraction or exponent, so code reading a validated
 * value with json_integer_value() gets exactly what was sent.
 *
 * Errors name the field path: "field 'block_devices[1].mode': 'rw' is not
 * one of read_write, read_only, volatile_write", "field 'kernel': required". */
#ifndef IPC_SCHEMA_H
#define IPC_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define IPC_SCHEMA_ERR_MAX 512 /* a buffer this size holds any error text */

struct ipc_schema;

/* A schema compiled into the program: a name and its JSON text. Tables of
 * these are generated from *.schema.json files by ipc/embed-schemas.awk and
 * end with { NULL, NULL }. */
struct ipc_embedded_schema {
	const char *name; /* the file name without ".schema.json" */
	const char *text;
};

/* Every schemas/ file listed in IPC_SCHEMAS (see ipc/local.mk). */
extern const struct ipc_embedded_schema ipc_embedded_schemas[];

/* Parse and check the schema text. NULL with a message in err on failure:
 * "schema 'guest-config': at #/properties/cpus: unknown keyword 'x'". */
struct ipc_schema *ipc_schema_parse(const char *name, const char *text,
				    char *err, size_t errlen);

/* ipc_schema_parse() of the entry called name in table. */
struct ipc_schema *ipc_schema_find(const struct ipc_embedded_schema *table,
				   const char *name, char *err, size_t errlen);

/* ipc_schema_find() in ipc_embedded_schemas, e.g. "guest-config". */
struct ipc_schema *ipc_schema_get(const char *name, char *err, size_t errlen);

const char *ipc_schema_name(const struct ipc_schema *schema);

void ipc_schema_free(struct ipc_schema *schema);

/* 0 when doc conforms to schema; otherwise -1 and the first problem,
 * naming its field, in err. */
int ipc_schema_validate(const struct ipc_schema *schema, const json_t *doc,
			char *err, size_t errlen);

#endif
