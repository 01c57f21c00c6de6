/* Decoding a request (request_decode.h). */
#include "manager/guestmgrd/request_decode.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipc/schema.h"

#define MAX_ID_LEN 64

/* Every {"fd": N} in V, counted per index. */
static int count_fd_refs(const json_t *v, unsigned *refs, size_t nfds, char *err, size_t errlen)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, item)
			if (count_fd_refs(item, refs, nfds, err, errlen) < 0)
				return -1;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	if (json_object_size(v) == 1 && json_is_integer(json_object_get(v, "fd"))) {
		json_int_t n = json_integer_value(json_object_get(v, "fd"));

		if (n < 0 || (size_t)n >= nfds) {
			snprintf(err, errlen, "fd %lld is named but %zu fds came with the request",
				 (long long)n, nfds);
			return -1;
		}
		refs[n]++;
		return 0;
	}
	json_object_foreach((json_t *)v, key, item)
		if (count_fd_refs(item, refs, nfds, err, errlen) < 0)
			return -1;
	return 0;
}

static int check_fds(const json_t *params, size_t nfds, char *err, size_t errlen)
{
	unsigned refs[GM_MAX_FDS] = { 0 };

	if (count_fd_refs(params, refs, nfds, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < nfds; i++)
		if (refs[i] != 1) {
			snprintf(err, errlen, "fd %zu came with the request but %s", i,
				 refs[i] ? "more than one field names it" : "no field names it");
			return -1;
		}
	return 0;
}

static int find_method(const char *name)
{
	for (int m = 0; m < GM_METHOD_COUNT; m++)
		if (!strcmp(gm_methods[m].name, name))
			return m;
	return -1;
}

/* The envelope: {"id": integer or short string, "method": string,
 * "params": object}. */
static int check_envelope(json_t *doc, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "a request is a JSON object");
		return -1;
	}
	json_object_foreach(doc, key, v)
		if (strcmp(key, "id") && strcmp(key, "method") && strcmp(key, "params")) {
			snprintf(err, errlen, "field '%s': unknown field", key);
			return -1;
		}
	v = json_object_get(doc, "id");
	if (!v || !(json_is_integer(v) || (json_is_string(v) && json_string_length(v) <= MAX_ID_LEN))) {
		snprintf(err, errlen, "field 'id': required, an integer or a string of at most %d bytes",
			 MAX_ID_LEN);
		return -1;
	}
	if (!json_is_string(json_object_get(doc, "method"))) {
		snprintf(err, errlen, "field 'method': required, a string");
		return -1;
	}
	v = json_object_get(doc, "params");
	if (v && !json_is_object(v)) {
		snprintf(err, errlen, "field 'params': expected object");
		return -1;
	}
	return 0;
}

int request_decode(const char *payload, size_t len, size_t nfds,
		   struct ipc_schema *const *schemas, struct decoded_request *out, int *error_number,
		   char *err, size_t errlen)
{
	char why[IPC_SCHEMA_ERR_MAX];
	json_error_t jerr;
	json_t *id;

	memset(out, 0, sizeof(*out));
	out->method = -1;
	*error_number = GM_PROTOCOL_ERROR_BAD_REQUEST;
	out->doc = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!out->doc) {
		snprintf(err, errlen, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		return -1;
	}
	id = json_object_get(out->doc, "id");
	if (json_is_integer(id) || (json_is_string(id) && json_string_length(id) <= MAX_ID_LEN))
		out->id = id;
	if (check_envelope(out->doc, err, errlen) < 0)
		return -1;
	if (!json_object_get(out->doc, "params"))
		json_object_set_new(out->doc, "params", json_object());
	out->params = json_object_get(out->doc, "params");
	out->method = find_method(json_string_value(json_object_get(out->doc, "method")));
	if (out->method < 0) {
		*error_number = GM_PROTOCOL_ERROR_UNKNOWN_METHOD;
		snprintf(err, errlen, "no method '%s'",
			 json_string_value(json_object_get(out->doc, "method")));
		return -1;
	}
	if (ipc_schema_validate(schemas[out->method], out->params, why, sizeof(why)) < 0 ||
	    check_fds(out->params, nfds, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "params: %s", why);
		return -1;
	}
	return 0;
}
