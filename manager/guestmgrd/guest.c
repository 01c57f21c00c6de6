/* The named guests and their waiting requests (guest.h). */
#include "manager/guestmgrd/guest.h"

#include <stdlib.h>
#include <string.h>

#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/request.h"

struct guest *guest_find(struct daemon *d, const char *name)
{
	for (struct guest *g = name ? d->guests : NULL; g; g = g->next)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

struct guest *guest_add(struct daemon *d, const char *name, const char *package)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct guest **tail = &d->guests;

	if (!g)
		return NULL;
	g->daemon = d;
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->package, sizeof(g->package), "%s", package);
	g->status = GM_GUEST_STATUS_NOT_STARTED;
	g->serial.guest_fd = g->console.guest_fd = -1;
	g->serial.log_fd = g->console.log_fd = -1;
	/* In the order they came: packages by name, then instances. */
	while (*tail)
		tail = &(*tail)->next;
	*tail = g;
	return g;
}

int64_t guest_uptime_ns(const struct guest *g)
{
	struct timespec now;

	if (g->status != GM_GUEST_STATUS_RUNNING)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - g->running_since.tv_sec) * 1000000000 +
	       (now.tv_nsec - g->running_since.tv_nsec);
}

bool guest_active(const struct guest *g)
{
	return g->status == GM_GUEST_STATUS_STARTING || g->status == GM_GUEST_STATUS_RUNNING ||
	       g->status == GM_GUEST_STATUS_STOPPING;
}

void waiter_add(struct waiter **list, uint64_t client_id, json_t *request_id, json_t *result)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w) {
		json_decref(result);
		return;
	}
	w->client_id = client_id;
	w->request_id = json_incref(request_id);
	w->result = result;
	w->next = *list;
	*list = w;
}

void waiters_reply(struct daemon *d, struct waiter **list, const struct gm_enum *domain,
		   int number, const char *message)
{
	while (*list) {
		struct waiter *w = *list;

		*list = w->next;
		if (domain) {
			reply_error(d, w->client_id, w->request_id, domain, number, "%s", message);
			json_decref(w->result);
		} else {
			reply_ok(d, w->client_id, w->request_id, w->result, NULL, 0);
		}
		json_decref(w->request_id);
		free(w);
	}
}
