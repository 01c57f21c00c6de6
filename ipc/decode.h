/* The receive side of a JSON message: parse the payload and validate it
 * against its schema, so handlers only ever see conforming documents. */
#ifndef IPC_DECODE_H
#define IPC_DECODE_H

#include "ipc/schema.h"

#include <jansson.h>
#include <stddef.h>

/* The document (the caller json_decref()s it), or NULL with the reason in
 * err: "invalid JSON at line 1 column 9: ..." or the validator's message.
 * Duplicate keys are refused: two readers could otherwise disagree on
 * which one counts. */
json_t *ipc_decode_json(const void *payload, size_t len,
			const struct ipc_schema *schema, char *err, size_t errlen);

#endif
