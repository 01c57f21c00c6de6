/* The pure part of reading a request, apart from any connection so it can
 * be fuzzed: the JSON, the envelope {"id", "method", "params"}, the method
 * among the generated ones, params against its schema, and the attached
 * fds (every one named by exactly one {"fd": N}). */
#ifndef MANAGER_GUESTMGRD_REQUEST_DECODE_H
#define MANAGER_GUESTMGRD_REQUEST_DECODE_H

#include <jansson.h>
#include <stddef.h>

#include "ipc/protocol.h"

struct ipc_schema;

struct decoded_request {
	json_t *doc;		/* the caller json_decref()s it, whatever the result */
	json_t *id;		/* NULL when there was no usable id */
	int method;		/* enum gm_method, -1 when unknown */
	const json_t *params;
};

/* 0, or -1 with the ProtocolError number (BAD_REQUEST, UNKNOWN_METHOD)
 * and a message naming the problem. SCHEMAS: one per method, in
 * gm_methods order. */
int request_decode(const char *payload, size_t len, size_t nfds,
		   struct ipc_schema *const *schemas, struct decoded_request *out, int *error_number,
		   char *err, size_t errlen);

#endif
