/* Fuzz target: the receive side of a JSON message. The input is a payload
 * as ipc_recv() hands it over; it goes through ipc_decode_json() against
 * the test schema (which uses every keyword the validator knows) and every
 * schema built into libipc. Beyond "no crash, no sanitizer report":
 *  - a refused payload gets an error text of the documented forms;
 *  - an accepted document, encoded again, decodes to an equal document. */
#include "ipc/decode.h"
#include "ipc/frame.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct ipc_embedded_schema test_embedded_schemas[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ipc_schema *load(const struct ipc_embedded_schema *table, const char *name)
{
	char err[IPC_SCHEMA_ERR_MAX];
	struct ipc_schema *s = ipc_schema_find(table, name, err, sizeof(err));

	if (!s) {
		fprintf(stderr, "ipc_decode: %s\n", err);
		abort();
	}
	return s;
}

/* Loaded once and kept for the life of the process. */
static struct ipc_schema **all_schemas(void)
{
	static struct ipc_schema **schemas;
	size_t n = 0;

	if (schemas)
		return schemas;
	while (ipc_embedded_schemas[n].name)
		n++;
	schemas = calloc(n + 2, sizeof(*schemas));
	if (!schemas)
		abort();
	schemas[0] = load(test_embedded_schemas, "test-config");
	for (size_t i = 0; i < n; i++)
		schemas[i + 1] = load(ipc_embedded_schemas, ipc_embedded_schemas[i].name);
	return schemas;
}

static int has_documented_form(const char *err)
{
	return strncmp(err, "invalid JSON at line ", 21) == 0 ||
	       strncmp(err, "field '", 7) == 0 || strncmp(err, "document: ", 10) == 0;
}

static void check_round_trip(const struct ipc_schema *schema, const json_t *doc)
{
	char err[IPC_SCHEMA_ERR_MAX];
	char *text = json_dumps(doc, JSON_COMPACT);
	json_t *again;

	if (!text)
		abort();
	again = ipc_decode_json(text, strlen(text), schema, err, sizeof(err));
	if (!again || !json_equal(doc, again)) {
		fprintf(stderr, "ipc_decode: %s: re-encoded document %s: %s\n",
			ipc_schema_name(schema), text, again ? "differs" : err);
		abort();
	}
	json_decref(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > IPC_MAX_MSG) /* ipc_recv() never hands these over */
		return 0;
	for (struct ipc_schema **s = all_schemas(); *s; s++) {
		char err[IPC_SCHEMA_ERR_MAX] = "";
		json_t *doc = ipc_decode_json(data, size, *s, err, sizeof(err));

		if (doc) {
			check_round_trip(*s, doc);
			json_decref(doc);
		} else if (!has_documented_form(err)) {
			fprintf(stderr, "ipc_decode: %s: error text of unknown form: %s\n",
				ipc_schema_name(*s), err);
			abort();
		}
	}
	return 0;
}
