/* What the api_*.c handlers share. */
#ifndef MANAGER_GUESTMGRD_API_H
#define MANAGER_GUESTMGRD_API_H

#include <jansson.h>

#include "manager/guestmgrd/guest.h"
#include "manager/guestmgrd/request.h"

/* The request's guest, or NULL after replying UNKNOWN_GUEST. */
struct guest *api_guest(struct request *req);

/* Launch G with OVERRIDES; RESULT (stolen) is the reply once it runs. */
void api_launch_guest(struct request *req, struct guest *g, const json_t *overrides,
		      json_t *result);

/* Serves the request's "controller" fd, if any, as a Guest channel of G. */
void api_bind_controller(struct request *req, struct guest *g);

json_t *api_guest_info(const struct guest *g);

/* protocol.json's guest_summary. */
json_t *api_guest_summary(const struct guest *g);

#endif
