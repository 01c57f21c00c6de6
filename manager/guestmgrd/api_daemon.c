/* guestmgr's own Daemon protocol: the list of guests and the event
 * subscription. */
#include "manager/guestmgrd/api.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/package.h"
#include "manager/guestmgrd/server.h"

json_t *api_guest_summary(const struct guest *g)
{
	json_t *s = json_pack("{s:s, s:s, s:I, s:b, s:i}", "name", g->name, "status",
			      gm_enum_name(&gm_enum_guest_status, (int)g->status), "uptime",
			      (json_int_t)guest_uptime_ns(g), "autostart", g->autostart, "launches",
			      (int)g->launches);

	if (g->descriptor) {
		json_object_set(s, "cpus", json_object_get(g->descriptor, "num_cpus"));
		json_object_set(s, "guest_memory", json_object_get(g->descriptor, "guest_memory"));
	}
	if (g->realm_id) {
		json_object_set_new(s, "realm", json_integer(g->realm_id));
		json_object_set_new(s, "cid", json_integer(g->cid));
	}
	return s;
}

static void add_package(const char *name, const char *dir, void *ctx)
{
	struct daemon *d = ctx;

	(void)dir;
	if (!guest_find(d, name))
		guest_add(d, name, name);
}

static json_t *all_guests(struct daemon *d)
{
	json_t *list = json_array();

	/* Packages installed since the daemon started show up too. */
	package_list(&d->cfg, add_package, d);
	for (struct guest *g = d->guests; g; g = g->next)
		json_array_append_new(list, api_guest_summary(g));
	return list;
}

void api_list_guests(struct request *req)
{
	request_ok(req, json_pack("{s:o}", "guests", all_guests(req->d)), NULL, 0);
}

void api_subscribe(struct request *req)
{
	struct client *c = server_find_client(req->d, req->client_id);

	if (c)
		c->subscribed = true;
	request_ok(req, json_pack("{s:o}", "guests", all_guests(req->d)), NULL, 0);
}
