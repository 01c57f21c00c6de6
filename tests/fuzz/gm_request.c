/* Fuzz target: guestmgrd's request decoder (manager/guestmgrd/
 * request_decode.c), what every client's message goes through before any
 * handler: the first byte says how many fds came with it (0-16), the rest
 * is the payload. An accepted request must name a method and have params
 * that its schema accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/schema.h"
#include "manager/guestmgrd/request_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipc_schema *schemas[GM_METHOD_COUNT];
	struct decoded_request dr;
	char err[1024];
	int number;

	if (!schemas[0])
		for (int m = 0; m < GM_METHOD_COUNT; m++)
			if (!(schemas[m] = ipc_schema_parse(gm_methods[m].name, gm_methods[m].request_schema,
							    err, sizeof(err))))
				abort();
	if (size < 1)
		return 0;
	if (request_decode((const char *)data + 1, size - 1, data[0] % (GM_MAX_FDS + 1), schemas, &dr,
			   &number, err, sizeof(err)) == 0 &&
	    (dr.method < 0 || dr.method >= GM_METHOD_COUNT ||
	     ipc_schema_validate(schemas[dr.method], dr.params, err, sizeof(err)) < 0))
		__builtin_trap();
	json_decref(dr.doc);
	return 0;
}
