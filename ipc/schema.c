/* Loading schemas: parse the text, then check that every keyword is one the
 * validator implements, with a value of the right shape, and that every
 * $ref resolves. The validator can then trust the schema's shape. */
#include "ipc/schema_internal.h"

#include <stdlib.h>
#include <string.h>

#define REF_PREFIX "#/$defs/"

enum keyword_kind {
	KW_ANNOTATION,  /* read by people, ignored here */
	KW_DEFS,        /* object of schemas, top level only */
	KW_PROPERTIES,  /* object of schemas */
	KW_SCHEMA,      /* one schema */
	KW_SCHEMA_LIST, /* non-empty array of schemas */
	KW_TYPE,
	KW_NAMES,       /* array of strings */
	KW_BOOLEAN,
	KW_NUMBER,
	KW_COUNT,       /* integer >= 0 */
	KW_VALUES,      /* non-empty array of any values */
	KW_REF,
};

static const struct {
	const char *name;
	enum keyword_kind kind;
} keywords[] = {
	{ "$schema", KW_ANNOTATION },
	{ "$id", KW_ANNOTATION },
	{ "$comment", KW_ANNOTATION },
	{ "title", KW_ANNOTATION },
	{ "description", KW_ANNOTATION },
	{ "default", KW_ANNOTATION },
	{ "examples", KW_ANNOTATION },
	{ "$defs", KW_DEFS },
	{ "properties", KW_PROPERTIES },
	{ "items", KW_SCHEMA },
	{ "oneOf", KW_SCHEMA_LIST },
	{ "anyOf", KW_SCHEMA_LIST },
	{ "type", KW_TYPE },
	{ "required", KW_NAMES },
	{ "additionalProperties", KW_BOOLEAN },
	{ "minimum", KW_NUMBER },
	{ "maximum", KW_NUMBER },
	{ "minLength", KW_COUNT },
	{ "maxLength", KW_COUNT },
	{ "minItems", KW_COUNT },
	{ "maxItems", KW_COUNT },
	{ "enum", KW_VALUES },
	{ "$ref", KW_REF },
};

static const struct {
	const char *name;
	unsigned mask;
} type_names[] = {
	{ "string", TYPE_STRING },
	{ "integer", TYPE_INTEGER },
	{ "number", TYPE_INTEGER | TYPE_REAL },
	{ "boolean", TYPE_BOOLEAN },
	{ "object", TYPE_OBJECT },
	{ "array", TYPE_ARRAY },
	{ "null", TYPE_NULL },
};

static unsigned type_name_mask(const json_t *name)
{
	const char *s = json_string_value(name);

	for (size_t i = 0; s && i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(s, type_names[i].name) == 0)
			return type_names[i].mask;
	return 0;
}

unsigned schema_type_mask(const json_t *type)
{
	unsigned mask = 0;
	size_t i;
	const json_t *name;

	if (!json_is_array(type))
		return type_name_mask(type);
	json_array_foreach(type, i, name) {
		unsigned m = type_name_mask(name);

		if (m == 0)
			return 0;
		mask |= m;
	}
	return mask;
}

const json_t *schema_resolve_ref(const struct ipc_schema *schema, const json_t *ref)
{
	const char *s = json_string_value(ref);

	if (!s || !schema->defs || strncmp(s, REF_PREFIX, strlen(REF_PREFIX)) != 0)
		return NULL;
	return json_object_get(schema->defs, s + strlen(REF_PREFIX));
}

struct checker {
	const struct ipc_schema *schema;
	struct schema_path loc;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int check_fail(struct checker *c, const char *fmt, ...)
{
	char what[IPC_SCHEMA_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "schema '%s': at %s: %s", c->schema->name, c->loc.text, what);
	return -1;
}

static int check_node(struct checker *c, const json_t *node);

/* Check the schema at loc + "/part" (or "/part/index" for list members). */
static int check_child(struct checker *c, const json_t *node, const char *part)
{
	size_t mark = path_push(&c->loc, "/%s", part);
	int rc = check_node(c, node);

	if (rc == 0)
		path_pop(&c->loc, mark);
	return rc;
}

static int check_schema_map(struct checker *c, const char *keyword, const json_t *map)
{
	const char *key;
	const json_t *sub;
	size_t mark;

	if (!json_is_object(map))
		return check_fail(c, "'%s' must be an object of schemas", keyword);
	mark = path_push(&c->loc, "/%s", keyword);
	json_object_foreach((json_t *)map, key, sub)
		if (check_child(c, sub, key) < 0)
			return -1;
	path_pop(&c->loc, mark);
	return 0;
}

static int check_schema_list(struct checker *c, const char *keyword, const json_t *list)
{
	size_t i, mark;
	const json_t *sub;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return check_fail(c, "'%s' must be a non-empty array of schemas", keyword);
	mark = path_push(&c->loc, "/%s", keyword);
	json_array_foreach(list, i, sub) {
		char index[24];

		snprintf(index, sizeof(index), "%zu", i);
		if (check_child(c, sub, index) < 0)
			return -1;
	}
	path_pop(&c->loc, mark);
	return 0;
}

static int check_names(struct checker *c, const char *keyword, const json_t *names)
{
	size_t i;
	const json_t *name;

	if (!json_is_array(names))
		return check_fail(c, "'%s' must be an array of strings", keyword);
	json_array_foreach(names, i, name)
		if (!json_is_string(name))
			return check_fail(c, "'%s' must be an array of strings", keyword);
	return 0;
}

static int check_keyword(struct checker *c, const char *keyword,
			 enum keyword_kind kind, const json_t *value)
{
	switch (kind) {
	case KW_ANNOTATION:
		return 0;
	case KW_DEFS:
		if (c->loc.len > 1) /* refs resolve in the root's $defs only */
			return check_fail(c, "'$defs' is only allowed at the top level");
		return check_schema_map(c, keyword, value);
	case KW_PROPERTIES:
		return check_schema_map(c, keyword, value);
	case KW_SCHEMA:
		return check_child(c, value, keyword);
	case KW_SCHEMA_LIST:
		return check_schema_list(c, keyword, value);
	case KW_TYPE:
		if (schema_type_mask(value) == 0)
			return check_fail(c, "'type' must name string, integer, number, boolean, "
					  "object, array or null, or be a list of those");
		return 0;
	case KW_NAMES:
		return check_names(c, keyword, value);
	case KW_BOOLEAN:
		if (!json_is_boolean(value))
			return check_fail(c, "'%s' must be true or false", keyword);
		return 0;
	case KW_NUMBER:
		if (!json_is_number(value))
			return check_fail(c, "'%s' must be a number", keyword);
		return 0;
	case KW_COUNT:
		if (!json_is_integer(value) || json_integer_value(value) < 0)
			return check_fail(c, "'%s' must be an integer >= 0", keyword);
		return 0;
	case KW_VALUES:
		if (!json_is_array(value) || json_array_size(value) == 0)
			return check_fail(c, "'%s' must be a non-empty array", keyword);
		return 0;
	case KW_REF:
		if (!schema_resolve_ref(c->schema, value))
			return check_fail(c, "'$ref' must be \"" REF_PREFIX "NAME\" naming an entry "
					  "of the top-level $defs");
		return 0;
	}
	return 0;
}

static int check_node(struct checker *c, const json_t *node)
{
	const char *key;
	const json_t *value;

	if (!json_is_object(node))
		return check_fail(c, "a schema must be a JSON object");
	json_object_foreach((json_t *)node, key, value) {
		size_t i, n = sizeof(keywords) / sizeof(keywords[0]);

		for (i = 0; i < n && strcmp(key, keywords[i].name) != 0; i++)
			;
		if (i == n)
			return check_fail(c, "unknown keyword '%s'", key);
		if (check_keyword(c, key, keywords[i].kind, value) < 0)
			return -1;
	}
	return 0;
}

struct ipc_schema *ipc_schema_parse(const char *name, const char *text,
				    char *err, size_t errlen)
{
	struct ipc_schema *schema = calloc(1, sizeof(*schema));
	struct checker c = { .schema = schema, .err = err, .errlen = errlen };
	json_error_t jerr;

	if (!schema || !(schema->name = strdup(name))) {
		snprintf(err, errlen, "schema '%s': out of memory", name);
		free(schema);
		return NULL;
	}
	schema->root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!schema->root) {
		snprintf(err, errlen, "schema '%s': line %d column %d: %s",
			 name, jerr.line, jerr.column, jerr.text);
		ipc_schema_free(schema);
		return NULL;
	}
	schema->defs = json_object_get(schema->root, "$defs");
	path_push(&c.loc, "#");
	if (check_node(&c, schema->root) < 0) {
		ipc_schema_free(schema);
		return NULL;
	}
	return schema;
}

struct ipc_schema *ipc_schema_find(const struct ipc_embedded_schema *table,
				   const char *name, char *err, size_t errlen)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return ipc_schema_parse(table->name, table->text, err, errlen);
	snprintf(err, errlen, "schema '%s': not built into this program", name);
	return NULL;
}

struct ipc_schema *ipc_schema_get(const char *name, char *err, size_t errlen)
{
	return ipc_schema_find(ipc_embedded_schemas, name, err, errlen);
}

const char *ipc_schema_name(const struct ipc_schema *schema)
{
	return schema->name;
}

void ipc_schema_free(struct ipc_schema *schema)
{
	if (!schema)
		return;
	json_decref(schema->root);
	free(schema->name);
	free(schema);
}
