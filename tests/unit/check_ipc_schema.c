/* ipc/schema: each keyword of the subset, the exact error texts, schema
 * checking at load time, the embedded-schema tables, and ipc_decode_json.
 * Documents are written with ' for " to keep them readable. */
#include "ipc/decode.h"
#include "ipc/schema.h"
#include "tests/unit/check_tap.h"

#include <stdlib.h>
#include <string.h>

/* The schemas in tests/unit/schemas/, embedded by ipc/embed-schemas.awk. */
extern const struct ipc_embedded_schema test_embedded_schemas[];

static struct ipc_schema *config;
static char err[IPC_SCHEMA_ERR_MAX];

static void setup(void)
{
	config = ipc_schema_find(test_embedded_schemas, "test-config", err, sizeof(err));
	ck_assert_msg(config != NULL, "%s", err);
}

static void teardown(void)
{
	ipc_schema_free(config);
}

/* text with every ' turned into ", parsed. */
static json_t *doc(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *d;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	d = json_loads(s, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(d != NULL, "test document %s: %s", s, jerr.text);
	free(s);
	return d;
}

static const char *const valid[] = {
	"{'kernel': '/boot/vmlinuz', 'cpus': 1}",
	("{'kernel': {'fd': 0}, 'cpus': 64, 'memory_gib': 2, 'balloon': true, 'label': null,"
	 " 'block_devices': [{'path': 'disk.img', 'mode': 'read_only', 'format': 'qcow'}],"
	 " 'console': 'virtio', 'serial': 'ab', 'slot': 3, 'priority': 2, 'tags': [],"
	 " 'tree': {'child': {'child': {}}}, 'name': '\xc3\xa9\xc3\xa9', 'cmdline': 'quiet'}"),
	("{'kernel': 'k', 'cpus': 2, 'memory_gib': 0.5, 'console': false, 'serial': 'abcdef',"
	 " 'slot': 20.5, 'label': 'x'}"),
};

START_TEST(valid_documents_pass)
{
	json_t *d = doc(valid[_i]);

	ck_assert_msg(ipc_schema_validate(config, d, err, sizeof(err)) == 0, "%s", err);
	json_decref(d);
}
END_TEST

#define BASE "'kernel': 'k', 'cpus': 2"

static const struct {
	const char *doc;
	const char *error;
} invalid[] = {
	/* type */
	{ "['kernel']", "document: expected object, got array" },
	{ "{'kernel': 'k', 'cpus': '2'}", "field 'cpus': expected integer, got string" },
	{ "{'kernel': 'k', 'cpus': 2.0}", "field 'cpus': expected integer, got number" },
	{ "{" BASE ", 'balloon': 1}", "field 'balloon': expected boolean, got integer" },
	{ "{" BASE ", 'label': 5}", "field 'label': expected string or null, got integer" },
	{ "{" BASE ", 'memory_gib': 'big'}", "field 'memory_gib': expected number, got string" },
	/* required, additionalProperties */
	{ "{'cpus': 2}", "field 'kernel': required" },
	{ "{" BASE ", 'foo': 1}", "field 'foo': unknown field" },
	{ "{'kernal': 'k', 'cpus': 2}", "field 'kernal': unknown field" },
	{ "{" BASE ", 'a\\u0001b': 1}", "field 'a?b': unknown field" },
	/* minimum, maximum */
	{ "{'kernel': 'k', 'cpus': 0}", "field 'cpus': 0 is below the minimum 1" },
	{ "{'kernel': 'k', 'cpus': 65}", "field 'cpus': 65 is above the maximum 64" },
	{ "{" BASE ", 'memory_gib': 0.25}", "field 'memory_gib': 0.25 is below the minimum 0.5" },
	{ "{" BASE ", 'memory_gib': 1024.1}",
	  "field 'memory_gib': 1024.1 is above the maximum 1024" },
	/* minLength, maxLength: characters, not bytes */
	{ "{" BASE ", 'name': '\xc3\xa9'}", "field 'name': '\xc3\xa9' is shorter than the minimum length 2" },
	{ "{" BASE ", 'cmdline': 'console=ttyS0 quiet'}",
	  "field 'cmdline': 'console=ttyS0 quiet' is longer than the maximum length 16" },
	{ "{" BASE ", 'cmdline': '0123456789012345678901234567890123456789-cut-here'}",
	  "field 'cmdline': '0123456789012345678901234567890123456789...' is longer than the maximum length 16" },
	/* enum */
	{ "{" BASE ", 'block_devices': [{'path': 'a', 'mode': 'read_only'}, {'path': 'b', 'mode': 'rw'}]}",
	  "field 'block_devices[1].mode': 'rw' is not one of read_write, read_only, volatile_write" },
	{ "{" BASE ", 'priority': 4}", "field 'priority': 4 is not one of 1, 2, 3" },
	{ "{" BASE ", 'priority': '1'}", "field 'priority': '1' is not one of 1, 2, 3" },
	/* items, minItems, maxItems */
	{ "{" BASE ", 'tags': ['a', 1]}", "field 'tags[1]': expected string, got integer" },
	{ "{" BASE ", 'block_devices': []}", "field 'block_devices': has 0 items; at least 1 required" },
	{ "{" BASE ", 'block_devices': [{'path': 'a', 'mode': 'read_only'}, {'path': 'a', 'mode': 'read_only'},"
	  " {'path': 'a', 'mode': 'read_only'}, {'path': 'a', 'mode': 'read_only'}, {'path': 'a', 'mode': 'read_only'}]}",
	  "field 'block_devices': has 5 items; at most 4 allowed" },
	{ "{" BASE ", 'block_devices': [{'mode': 'read_only'}]}", "field 'block_devices[0].path': required" },
	/* oneOf through $ref: the branch whose type fits explains */
	{ "{'kernel': {'fd': -1}, 'cpus': 2}", "field 'kernel.fd': -1 is below the minimum 0" },
	{ "{'kernel': {}, 'cpus': 2}", "field 'kernel.fd': required" },
	{ "{'kernel': {'fd': 3, 'x': 1}, 'cpus': 2}", "field 'kernel.x': unknown field" },
	{ "{'kernel': '', 'cpus': 2}", "field 'kernel': '' is shorter than the minimum length 1" },
	{ "{'kernel': 5, 'cpus': 2}", "field 'kernel': expected string or object, got integer" },
	{ "{" BASE ", 'slot': 7}", "field 'slot': matches 2 of the allowed forms; exactly one must match" },
	{ "{" BASE ", 'slot': 2.5}", "field 'slot': 2.5 is below the minimum 5" },
	/* anyOf */
	{ "{" BASE ", 'console': 'vga'}", "field 'console': 'vga' is not one of serial, virtio" },
	{ "{" BASE ", 'console': 3}", "field 'console': expected string or boolean, got integer" },
	{ "{" BASE ", 'serial': 'abc'}", "field 'serial': matches none of the 2 allowed forms" },
};

START_TEST(invalid_documents_name_the_field)
{
	json_t *d = doc(invalid[_i].doc);

	ck_assert_int_eq(ipc_schema_validate(config, d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, invalid[_i].error);
	json_decref(d);
}
END_TEST

/* A recursive $ref on a deep document stops at a fixed depth. */
START_TEST(deep_recursion_is_bounded)
{
	json_t *root = json_pack("{s:s, s:i}", "kernel", "k", "cpus", 1);
	json_t *node = json_object();

	json_object_set_new(root, "tree", node);
	for (int i = 0; i < 200; i++) {
		json_t *child = json_object();

		json_object_set_new(node, "child", child);
		node = child;
	}
	ck_assert_int_eq(ipc_schema_validate(config, root, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "field 'tree.child.child", 23) == 0, "%s", err);
	ck_assert_msg(strstr(err, "': nested deeper than 64 levels") != NULL, "%s", err);
	json_decref(root);
}
END_TEST

/* Schemas are checked when loaded; errors say where. */
static const struct {
	const char *schema;
	const char *error;
} bad_schemas[] = {
	{ "{'type': 'object',", "schema 'bad': line 1 column 18: string or '}' expected near end of file" },
	{ "{'type': 'object', 'type': 'array'}",
	  "schema 'bad': line 1 column 25: duplicate object key near '\"type\"'" },
	{ "{'properties': {'a': {'exclusiveMinimum': 1}}}",
	  "schema 'bad': at #/properties/a: unknown keyword 'exclusiveMinimum'" },
	{ "{'type': 'int'}",
	  "schema 'bad': at #: 'type' must name string, integer, number, boolean, object, array or null, or be a list of those" },
	{ "{'type': ['string', 7]}",
	  "schema 'bad': at #: 'type' must name string, integer, number, boolean, object, array or null, or be a list of those" },
	{ "{'items': 3}", "schema 'bad': at #/items: a schema must be a JSON object" },
	{ "{'properties': []}", "schema 'bad': at #: 'properties' must be an object of schemas" },
	{ "{'oneOf': []}", "schema 'bad': at #: 'oneOf' must be a non-empty array of schemas" },
	{ "{'anyOf': [{}, {'minItems': 1.5}]}",
	  "schema 'bad': at #/anyOf/1: 'minItems' must be an integer >= 0" },
	{ "{'maxLength': -1}", "schema 'bad': at #: 'maxLength' must be an integer >= 0" },
	{ "{'minimum': '1'}", "schema 'bad': at #: 'minimum' must be a number" },
	{ "{'required': ['a', 1]}", "schema 'bad': at #: 'required' must be an array of strings" },
	{ "{'additionalProperties': {}}", "schema 'bad': at #: 'additionalProperties' must be true or false" },
	{ "{'enum': []}", "schema 'bad': at #: 'enum' must be a non-empty array" },
	{ "{'$ref': '#/$defs/nope', '$defs': {'yes': {}}}",
	  "schema 'bad': at #: '$ref' must be \"#/$defs/NAME\" naming an entry of the top-level $defs" },
	{ "{'$ref': '#/definitions/a'}",
	  "schema 'bad': at #: '$ref' must be \"#/$defs/NAME\" naming an entry of the top-level $defs" },
	{ "{'items': {'$defs': {}}}", "schema 'bad': at #/items: '$defs' is only allowed at the top level" },
};

START_TEST(bad_schemas_are_refused)
{
	char *text = strdup(bad_schemas[_i].schema);
	struct ipc_schema *s;

	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	s = ipc_schema_parse("bad", text, err, sizeof(err));
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err, bad_schemas[_i].error);
	free(text);
}
END_TEST

START_TEST(annotations_are_accepted)
{
	struct ipc_schema *s = ipc_schema_parse("notes",
		"{\"$schema\": \"x\", \"$id\": \"y\", \"$comment\": \"z\", \"title\": \"t\","
		" \"description\": \"d\", \"default\": 1, \"examples\": [1]}", err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_str_eq(ipc_schema_name(s), "notes");
	ipc_schema_free(s);
}
END_TEST

START_TEST(unknown_embedded_name)
{
	ck_assert_ptr_null(ipc_schema_find(test_embedded_schemas, "nope", err, sizeof(err)));
	ck_assert_str_eq(err, "schema 'nope': not built into this program");
	ck_assert_ptr_null(ipc_schema_get("nope", err, sizeof(err)));
}
END_TEST

/* Whatever schemas/ holds must load: a schema the validator would
 * misread fails here, at build time, not when a message arrives. */
START_TEST(every_built_in_schema_loads)
{
	for (const struct ipc_embedded_schema *e = ipc_embedded_schemas; e->name; e++) {
		struct ipc_schema *s = ipc_schema_get(e->name, err, sizeof(err));

		ck_assert_msg(s != NULL, "%s", err);
		ipc_schema_free(s);
	}
}
END_TEST

START_TEST(decode_validates)
{
	const char ok[] = "{\"kernel\": \"k\", \"cpus\": 3}";
	json_t *d = ipc_decode_json(ok, strlen(ok), config, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "cpus")), 3);
	json_decref(d);
}
END_TEST

static const struct {
	const char *payload;
	const char *error;
} undecodable[] = {
	{ "{\"kernel\": \"k\", \"cpus\": 0}", "field 'cpus': 0 is below the minimum 1" },
	{ "{\"kernel\": \"k\", \"cpus\": 1", "invalid JSON at line 1 column 25: '}' expected near end of file" },
	{ "{\"kernel\": \"k\", \"cpus\": 1, \"cpus\": 2}",
	  "invalid JSON at line 1 column 33: duplicate object key near '\"cpus\"'" },
	{ "{\"kernel\": \"k\\u0000\", \"cpus\": 1}",
	  "invalid JSON at line 1 column 20: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"k\\u0000\"'" },
};

START_TEST(decode_refuses)
{
	const char *p = undecodable[_i].payload;

	ck_assert_ptr_null(ipc_decode_json(p, strlen(p), config, err, sizeof(err)));
	ck_assert_str_eq(err, undecodable[_i].error);
}
END_TEST

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *ipc_schema_suite(void)
{
	Suite *s = suite_create("ipc_schema");
	TCase *validation = tcase_create("validation");
	TCase *loading = tcase_create("loading");

	tcase_add_checked_fixture(validation, setup, teardown);
	tcase_add_loop_test(validation, valid_documents_pass, 0, COUNT(valid));
	tcase_add_loop_test(validation, invalid_documents_name_the_field, 0, COUNT(invalid));
	tcase_add_test(validation, deep_recursion_is_bounded);
	tcase_add_test(validation, decode_validates);
	tcase_add_loop_test(validation, decode_refuses, 0, COUNT(undecodable));
	suite_add_tcase(s, validation);

	tcase_add_loop_test(loading, bad_schemas_are_refused, 0, COUNT(bad_schemas));
	tcase_add_test(loading, annotations_are_accepted);
	tcase_add_test(loading, unknown_embedded_name);
	tcase_add_test(loading, every_built_in_schema_loads);
	suite_add_tcase(s, loading);
	return s;
}

int main(void)
{
	return check_run_tap(ipc_schema_suite());
}
