/* fuchsia.virtualization Manager and Realm (the older API): environments
 * holding guest instances, each with a vsock context id unique from 3 up
 * (2 is the host) and never reused while the daemon runs. An instance is a
 * guest of its own ("realm1-cid3"), so the GuestManager and Guest methods
 * reach it by that name too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager/guestmgrd/api.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/package.h"

#define FIRST_GUEST_CID 3	/* fuchsia.virtualization DEFAULT_GUEST_CID; HOST_CID is 2 */

static struct realm *find_realm(struct request *req, const char *field)
{
	unsigned id = (unsigned)json_integer_value(json_object_get(req->params, field));

	for (struct realm *r = req->d->realms; r; r = r->next)
		if (r->id == id)
			return r;
	request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_UNKNOWN_GUEST,
		      "no environment %u (Manager.List shows them)", id);
	return NULL;
}

static json_t *instances(const struct daemon *d, unsigned realm_id)
{
	json_t *list = json_array();

	for (const struct guest *g = d->guests; g; g = g->next)
		if (g->realm_id == realm_id)
			json_array_append_new(list, json_pack("{s:i, s:s, s:s}", "cid", (int)g->cid,
							      "label", g->label, "name", g->name));
	return list;
}

static json_t *environment(const struct daemon *d, const struct realm *r)
{
	return json_pack("{s:i, s:s, s:o}", "id", (int)r->id, "label", r->label, "instances",
			 instances(d, r->id));
}

void api_manager_create(struct request *req)
{
	struct daemon *d = req->d;
	struct realm *r = calloc(1, sizeof(*r)), **tail = &d->realms;

	if (!r) {
		request_error(req, &gm_enum_guest_error, GM_GUEST_ERROR_INTERNAL_ERROR, "out of memory");
		return;
	}
	r->id = ++d->next_realm_id;
	snprintf(r->label, sizeof(r->label), "%s",
		 json_string_value(json_object_get(req->params, "label")) ?: "");
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	request_ok(req, json_pack("{s:i}", "id", (int)r->id), NULL, 0);
}

void api_manager_list(struct request *req)
{
	json_t *list = json_array();

	for (const struct realm *r = req->d->realms; r; r = r->next)
		json_array_append_new(list, environment(req->d, r));
	request_ok(req, json_pack("{s:o}", "environments", list), NULL, 0);
}

void api_manager_connect(struct request *req)
{
	struct realm *r = find_realm(req, "id");

	if (r)
		request_ok(req, json_pack("{s:o}", "environment", environment(req->d, r)), NULL, 0);
}

/* The package a LaunchInfo url names: "debian", or a fuchsia-pkg:// url
 * whose package path is it ("fuchsia-pkg://fuchsia.com/debian#meta/x.cm"). */
static int package_of_url(const char *url, char *name, size_t len)
{
	const char *start = url, *end;

	if (!strncmp(url, "fuchsia-pkg://", 14)) {
		start = strchr(url + 14, '/');
		if (!start)
			return -1;
		start++;
	}
	end = start + strcspn(start, "/#?");
	if ((size_t)(end - start) >= len)
		return -1;
	snprintf(name, len, "%.*s", (int)(end - start), start);
	return package_name_ok(name) ? 0 : -1;
}

void api_realm_launch_instance(struct request *req)
{
	struct daemon *d = req->d;
	struct realm *r = find_realm(req, "realm");
	const json_t *info = json_object_get(req->params, "launch_info");
	const char *url = json_string_value(json_object_get(info, "url"));
	char package[GM_MAX_GUEST_NAME + 1], name[64];
	struct guest *g;

	if (!r)
		return;
	if (package_of_url(url, package, sizeof(package)) < 0) {
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_UNKNOWN_GUEST,
			      "launch_info.url '%s' names no guest package", url);
		return;
	}
	unsigned cid = d->next_cid++;

	snprintf(name, sizeof(name), "realm%u-cid%u", r->id, cid);
	g = guest_add(d, name, package);
	if (!g) {
		request_error(req, &gm_enum_guest_error, GM_GUEST_ERROR_INTERNAL_ERROR, "out of memory");
		return;
	}
	g->realm_id = r->id;
	g->cid = cid;
	snprintf(g->label, sizeof(g->label), "%s",
		 json_string_value(json_object_get(info, "label")) ?: "");
	api_launch_guest(req, g, json_object_get(info, "guest_config"),
			 json_pack("{s:i, s:s}", "cid", (int)cid, "name", g->name));
}

void api_realm_list_instances(struct request *req)
{
	struct realm *r = find_realm(req, "realm");

	if (r)
		request_ok(req, json_pack("{s:o}", "instances", instances(req->d, r->id)), NULL, 0);
}

void api_realm_connect_to_instance(struct request *req)
{
	struct realm *r = find_realm(req, "realm");
	unsigned cid = (unsigned)json_integer_value(json_object_get(req->params, "cid"));
	struct guest *g = NULL;

	if (!r)
		return;
	for (g = req->d->guests; g && !(g->realm_id == r->id && g->cid == cid); g = g->next)
		;
	if (!g) {
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_UNKNOWN_GUEST,
			      "environment %u has no instance with cid %u", r->id, cid);
		return;
	}
	if (g->status != GM_GUEST_STATUS_RUNNING) {
		request_error(req, &gm_enum_guest_manager_error, GM_GUEST_MANAGER_ERROR_NOT_RUNNING,
			      "instance %u is %s", cid, gm_enum_name(&gm_enum_guest_status, (int)g->status));
		return;
	}
	api_bind_controller(req, g);
	request_ok(req, json_object(), NULL, 0);
}
