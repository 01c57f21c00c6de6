/* Validating a document against a checked schema (see ipc/schema.c): the
 * first problem found is reported, naming its field. */
#include "ipc/schema_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bounds recursion through nested documents and recursive $refs. */
#define MAX_DEPTH 64
/* Longest piece of a string value quoted in an error message. */
#define QUOTE_MAX 40

struct validator {
	const struct ipc_schema *schema;
	struct schema_path path;
	unsigned depth;
	bool quiet; /* trying a oneOf/anyOf branch: no message wanted */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct validator *v, const char *fmt, ...)
{
	char what[IPC_SCHEMA_ERR_MAX];
	va_list ap;

	if (v->quiet)
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (v->path.len == 0)
		snprintf(v->err, v->errlen, "document: %s", what);
	else
		snprintf(v->err, v->errlen, "field '%s': %s", v->path.text, what);
	return -1;
}

static unsigned value_type(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_STRING:
		return TYPE_STRING;
	case JSON_INTEGER:
		return TYPE_INTEGER;
	case JSON_REAL:
		return TYPE_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return TYPE_BOOLEAN;
	case JSON_OBJECT:
		return TYPE_OBJECT;
	case JSON_ARRAY:
		return TYPE_ARRAY;
	case JSON_NULL:
		return TYPE_NULL;
	}
	return 0;
}

/* "string", "string or object", "string, integer or null". */
static void describe_types(unsigned mask, char *buf, size_t len)
{
	static const struct {
		unsigned mask;
		const char *name;
	} names[] = {
		{ TYPE_STRING, "string" },
		{ TYPE_INTEGER | TYPE_REAL, "number" },
		{ TYPE_INTEGER, "integer" },
		{ TYPE_REAL, "number" },
		{ TYPE_BOOLEAN, "boolean" },
		{ TYPE_OBJECT, "object" },
		{ TYPE_ARRAY, "array" },
		{ TYPE_NULL, "null" },
	};
	const char *picked[sizeof(names) / sizeof(names[0])];
	size_t n = 0, used = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((mask & names[i].mask) == names[i].mask) {
			picked[n++] = names[i].name;
			mask &= ~names[i].mask;
		}
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, picked[i]);

		used += w > 0 ? (size_t)w : 0;
	}
}

/* A real in its shortest form that reads back the same. */
static void format_real(double d, char *buf, size_t len)
{
	for (int precision = 1; precision <= 17; precision++) {
		snprintf(buf, len, "%.*g", precision, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

/* A string for a message: control characters as '?', long ones cut. */
static void quote_string(const char *s, size_t n, char *buf, size_t len)
{
	size_t shown = n > QUOTE_MAX ? QUOTE_MAX : n, used = 0;

	for (size_t i = 0; i < shown && used + 1 < len; i++)
		buf[used++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[used] = '\0';
	if (shown < n && used + 4 <= len)
		strcpy(buf + used, "...");
}

/* A value as a message shows it: 'text', 42, 1.5, true, an object. With
 * quoted false, strings appear bare (for lists of allowed values). */
static void describe_value(const json_t *value, bool quoted, char *buf, size_t len)
{
	char text[QUOTE_MAX * 2];

	switch (json_typeof(value)) {
	case JSON_STRING:
		quote_string(json_string_value(value), json_string_length(value),
			     text, sizeof(text));
		snprintf(buf, len, quoted ? "'%s'" : "%s", text);
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		break;
	case JSON_REAL:
		format_real(json_real_value(value), buf, len);
		break;
	case JSON_TRUE:
		snprintf(buf, len, "true");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "false");
		break;
	case JSON_NULL:
		snprintf(buf, len, "null");
		break;
	case JSON_OBJECT:
		snprintf(buf, len, "an object");
		break;
	case JSON_ARRAY:
		snprintf(buf, len, "an array");
		break;
	}
}

static int validate(struct validator *v, const json_t *schema, const json_t *value);

static int check_type(struct validator *v, const json_t *schema, const json_t *value)
{
	const json_t *type = json_object_get(schema, "type");
	unsigned mask;
	char want[64], got[16];

	if (!type)
		return 0;
	mask = schema_type_mask(type);
	if (mask & value_type(value))
		return 0;
	describe_types(mask, want, sizeof(want));
	describe_types(value_type(value), got, sizeof(got));
	return fail(v, "expected %s, got %s", want, got);
}

static int check_enum(struct validator *v, const json_t *schema, const json_t *value)
{
	const json_t *allowed = json_object_get(schema, "enum"), *item;
	char list[IPC_SCHEMA_ERR_MAX / 2], text[QUOTE_MAX * 2 + 3];
	size_t i, used = 0;

	if (!allowed)
		return 0;
	json_array_foreach(allowed, i, item)
		if (json_equal(value, item))
			return 0;
	list[0] = '\0';
	json_array_foreach(allowed, i, item) {
		int w;

		describe_value(item, false, text, sizeof(text));
		w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", text);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += w;
	}
	describe_value(value, true, text, sizeof(text));
	return fail(v, "%s is not one of %s", text, list);
}

/* The types a schema can accept at all, looking through $refs: used to
 * pick the oneOf/anyOf branch a value was meant for. */
static unsigned possible_types(const struct ipc_schema *s, const json_t *schema)
{
	unsigned mask = TYPE_ANY;

	for (int hops = 0; schema && hops < MAX_DEPTH; hops++) {
		const json_t *type = json_object_get(schema, "type");

		if (type)
			mask &= schema_type_mask(type);
		schema = schema_resolve_ref(s, json_object_get(schema, "$ref"));
	}
	return mask;
}

/* Validate value against one branch without reporting; v is left as it was. */
static bool branch_matches(struct validator *v, const json_t *branch, const json_t *value)
{
	size_t mark = v->path.len;
	unsigned depth = v->depth;
	bool quiet = v->quiet;
	int rc;

	v->quiet = true;
	rc = validate(v, branch, value);
	v->quiet = quiet;
	v->depth = depth;
	path_pop(&v->path, mark);
	return rc == 0;
}

/* No branch matched: report the error of the one branch whose type fits
 * the value (for {"fd": -1} against "a path or {fd}", the fd's minimum),
 * else what types would have fit. */
static int explain_no_match(struct validator *v, const json_t *branches, const json_t *value)
{
	const json_t *branch, *candidate = NULL;
	unsigned all = 0;
	size_t i, fitting = 0;
	char want[64], got[16];

	json_array_foreach(branches, i, branch) {
		unsigned mask = possible_types(v->schema, branch);

		all |= mask;
		if (mask & value_type(value)) {
			candidate = branch;
			fitting++;
		}
	}
	if (fitting == 1)
		return validate(v, candidate, value);
	if (fitting > 1)
		return fail(v, "matches none of the %zu allowed forms", json_array_size(branches));
	describe_types(all, want, sizeof(want));
	describe_types(value_type(value), got, sizeof(got));
	return fail(v, "expected %s, got %s", want, got);
}

static int check_branches(struct validator *v, const json_t *schema, const json_t *value)
{
	const json_t *one = json_object_get(schema, "oneOf");
	const json_t *any = json_object_get(schema, "anyOf");
	const json_t *branch;
	size_t i, matches = 0;

	json_array_foreach(any, i, branch)
		if (branch_matches(v, branch, value))
			break;
	if (any && i == json_array_size(any))
		return explain_no_match(v, any, value);

	json_array_foreach(one, i, branch)
		matches += branch_matches(v, branch, value);
	if (one && matches == 0)
		return explain_no_match(v, one, value);
	if (matches > 1)
		return fail(v, "matches %zu of the allowed forms; exactly one must match", matches);
	return 0;
}

static int check_object(struct validator *v, const json_t *schema, const json_t *object)
{
	const json_t *props = json_object_get(schema, "properties");
	bool closed = json_is_false(json_object_get(schema, "additionalProperties"));
	const json_t *required = json_object_get(schema, "required"), *name, *value;
	const char *key;
	size_t i;

	/* Fields in document order, then missing ones: a misspelt field
	 * ("kernal") is reported as unknown before "kernel" as missing. */
	json_object_foreach((json_t *)object, key, value) {
		const json_t *sub = json_object_get(props, key);
		size_t mark;

		if (!sub && !closed)
			continue;
		mark = path_push(&v->path, v->path.len ? ".%s" : "%s", key);
		if (!sub)
			return fail(v, "unknown field");
		if (validate(v, sub, value) < 0)
			return -1;
		path_pop(&v->path, mark);
	}
	json_array_foreach(required, i, name) {
		if (!json_object_get(object, json_string_value(name))) {
			path_push(&v->path, v->path.len ? ".%s" : "%s", json_string_value(name));
			return fail(v, "required");
		}
	}
	return 0;
}

static int check_array(struct validator *v, const json_t *schema, const json_t *array)
{
	const json_t *min = json_object_get(schema, "minItems");
	const json_t *max = json_object_get(schema, "maxItems");
	const json_t *items = json_object_get(schema, "items"), *item;
	size_t i, n = json_array_size(array);

	if (min && n < (size_t)json_integer_value(min))
		return fail(v, "has %zu items; at least %" JSON_INTEGER_FORMAT " required",
			    n, json_integer_value(min));
	if (max && n > (size_t)json_integer_value(max))
		return fail(v, "has %zu items; at most %" JSON_INTEGER_FORMAT " allowed",
			    n, json_integer_value(max));
	if (!items)
		return 0;
	json_array_foreach(array, i, item) {
		size_t mark = path_push(&v->path, "[%zu]", i);

		if (validate(v, items, item) < 0)
			return -1;
		path_pop(&v->path, mark);
	}
	return 0;
}

/* JSON Schema lengths count characters: UTF-8 continuation bytes do not. */
static size_t utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static int check_string(struct validator *v, const json_t *schema, const json_t *string)
{
	const json_t *min = json_object_get(schema, "minLength");
	const json_t *max = json_object_get(schema, "maxLength");
	size_t n;
	char text[QUOTE_MAX * 2 + 3];

	if (!min && !max)
		return 0;
	n = utf8_length(json_string_value(string), json_string_length(string));
	describe_value(string, true, text, sizeof(text));
	if (min && n < (size_t)json_integer_value(min))
		return fail(v, "%s is shorter than the minimum length %" JSON_INTEGER_FORMAT,
			    text, json_integer_value(min));
	if (max && n > (size_t)json_integer_value(max))
		return fail(v, "%s is longer than the maximum length %" JSON_INTEGER_FORMAT,
			    text, json_integer_value(max));
	return 0;
}

/* a < b for two JSON numbers; exact when both are integers. */
static bool number_less(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) < json_integer_value(b);
	return json_number_value(a) < json_number_value(b);
}

static int check_number(struct validator *v, const json_t *schema, const json_t *number)
{
	const json_t *min = json_object_get(schema, "minimum");
	const json_t *max = json_object_get(schema, "maximum");
	const json_t *limit = NULL;
	const char *which = NULL;
	char text[32], limit_text[32];

	if (min && number_less(number, min)) {
		limit = min;
		which = "below the minimum";
	} else if (max && number_less(max, number)) {
		limit = max;
		which = "above the maximum";
	} else {
		return 0;
	}
	describe_value(number, true, text, sizeof(text));
	describe_value(limit, true, limit_text, sizeof(limit_text));
	return fail(v, "%s is %s %s", text, which, limit_text);
}

static int check_by_type(struct validator *v, const json_t *schema, const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return check_object(v, schema, value);
	case JSON_ARRAY:
		return check_array(v, schema, value);
	case JSON_STRING:
		return check_string(v, schema, value);
	case JSON_INTEGER:
	case JSON_REAL:
		return check_number(v, schema, value);
	default:
		return 0;
	}
}

static int validate(struct validator *v, const json_t *schema, const json_t *value)
{
	const json_t *ref = json_object_get(schema, "$ref");

	if (++v->depth > MAX_DEPTH)
		return fail(v, "nested deeper than %d levels", MAX_DEPTH);
	if (ref && validate(v, schema_resolve_ref(v->schema, ref), value) < 0)
		return -1;
	if (check_type(v, schema, value) < 0 || check_enum(v, schema, value) < 0 ||
	    check_branches(v, schema, value) < 0 || check_by_type(v, schema, value) < 0)
		return -1;
	v->depth--;
	return 0;
}

int ipc_schema_validate(const struct ipc_schema *schema, const json_t *doc,
			char *err, size_t errlen)
{
	struct validator v = { .schema = schema, .err = err, .errlen = errlen };

	return validate(&v, schema->root, doc);
}
