/* One request from a client: read, decoded, checked (envelope, method,
 * access, params against the method's schema, attached fds), handed to the
 * method's handler; and the replies. Anything malformed gets an error
 * reply naming the problem and touches nothing else. */
#ifndef MANAGER_GUESTMGRD_REQUEST_H
#define MANAGER_GUESTMGRD_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/protocol.h"

struct daemon;
struct client;

struct request {
	struct daemon *d;
	uint64_t client_id;
	json_t *id;			/* the client's request id */
	enum gm_method method;
	const json_t *params;
	const char *guest;		/* params.guest, or the channel's guest; NULL if neither */
	enum gm_access access;		/* of the client's socket */
	int *fds;			/* a handler keeps an fd by setting it to -1 */
	size_t nfds;
};

typedef void (*method_handler)(struct request *req);

/* Reads and handles what the client sent. -1 when the client is to be
 * dropped (it hung up, or its socket failed). */
int request_read(struct client *c);

/* Checks every method has a handler and parses their schemas. */
int request_init(struct daemon *d, char *err, size_t errlen);

/* Replies: RESULT is stolen; FDS are sent then closed. */
void reply_ok(struct daemon *d, uint64_t client_id, json_t *id, json_t *result, int *fds,
	      size_t nfds);
void reply_error(struct daemon *d, uint64_t client_id, json_t *id, const struct gm_enum *domain,
		 int number, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The same for the request being handled. */
void request_ok(struct request *req, json_t *result, int *fds, size_t nfds);
void request_error(struct request *req, const struct gm_enum *domain, int number, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* The handlers (api_*.c), by method. */
void api_launch(struct request *req);
void api_force_shutdown(struct request *req);
void api_stop(struct request *req);
void api_connect(struct request *req);
void api_get_info(struct request *req);
void api_wipe_storage(struct request *req);
void api_get_serial(struct request *req);
void api_get_console(struct request *req);
void api_not_available(struct request *req);
void api_list_guests(struct request *req);
void api_subscribe(struct request *req);
void api_manager_create(struct request *req);
void api_manager_list(struct request *req);
void api_manager_connect(struct request *req);
void api_realm_launch_instance(struct request *req);
void api_realm_list_instances(struct request *req);
void api_realm_connect_to_instance(struct request *req);

#endif
