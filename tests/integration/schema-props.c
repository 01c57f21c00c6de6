/* Lists every property name a JSON file declares (any "properties" object,
 * at any depth: every schemas/ file, protocol.json too), one
 * "FILE PROPERTY" line each, for schema-fields.sh. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void walk(const char *file, json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			walk(file, item);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, item) {
		if (!strcmp(key, "properties") && json_is_object(item)) {
			const char *prop;
			json_t *schema;

			json_object_foreach(item, prop, schema)
				printf("%s %s\n", file, prop);
		}
		walk(file, item);
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		json_error_t err;
		json_t *doc = json_load_file(argv[i], 0, &err);

		if (!doc) {
			fprintf(stderr, "schema-props: %s: line %d: %s\n", argv[i], err.line, err.text);
			return 1;
		}
		walk(argv[i], doc);
		json_decref(doc);
	}
	return 0;
}
