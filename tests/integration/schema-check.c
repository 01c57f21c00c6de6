/* Test helper: checks JSON files against a schema compiled into the
 * programs (schemas/NAME.schema.json), as they check what they read.
 *
 *   schema-check NAME FILE...
 *
 * Prints "FILE: ok" or "FILE: <the validator's message>" per file; exits 0
 * when every file conforms, 1 otherwise, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>

#include "ipc/decode.h"
#include "ipc/schema.h"

#define FILE_MAX (1024 * 1024)

static int check(const struct ipc_schema *schema, const char *path)
{
	static char text[FILE_MAX];
	char err[IPC_SCHEMA_ERR_MAX];
	FILE *f = fopen(path, "re");
	size_t len;
	json_t *doc;

	if (!f) {
		perror(path);
		return 1;
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	doc = ipc_decode_json(text, len, schema, err, sizeof(err));
	printf("%s: %s\n", path, doc ? "ok" : err);
	json_decref(doc);
	return doc ? 0 : 1;
}

int main(int argc, char **argv)
{
	char err[IPC_SCHEMA_ERR_MAX];
	struct ipc_schema *schema;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: schema-check NAME FILE...\n");
		return 2;
	}
	schema = ipc_schema_get(argv[1], err, sizeof(err));
	if (!schema) {
		fprintf(stderr, "schema-check: %s\n", err);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		status |= check(schema, argv[i]);
	ipc_schema_free(schema);
	return status;
}
