#include "ipc/decode.h"

#include <stdio.h>

json_t *ipc_decode_json(const void *payload, size_t len,
			const struct ipc_schema *schema, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!doc) {
		snprintf(err, errlen, "invalid JSON at line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (ipc_schema_validate(schema, doc, err, errlen) < 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
