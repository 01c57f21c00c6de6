/* fuchsia.virtualization.GuestManager, for each named guest: Launch,
 * ForceShutdown, Connect, GetInfo; and guestmgr's WipeStorage. */
#include <stdio.h>

#include "manager/guestmgrd/api.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/launch.h"
#include "manager/guestmgrd/lifecycle.h"
#include "manager/guestmgrd/problems.h"
#include "manager/guestmgrd/request.h"
#include "manager/guestmgrd/run.h"
#include "manager/guestmgrd/server.h"
#include "manager/guestmgrd/storage.h"

#define DEFAULT_STOP_TIMEOUT_MS 30000

struct guest *api_guest(struct request *req)
{
	struct guest *g = guest_find(req->d, req->guest);

	if (!g)
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_UNKNOWN_GUEST,
			      req->guest ? "no guest '%s' (guestctl list shows the guests)"
					 : "no guest named%s (params.guest)",
			      req->guest ? req->guest : "");
	return g;
}

/* The request's "controller" fd (a server_end:Guest), served from now on
 * as a Guest channel of G. */
void api_bind_controller(struct request *req, struct guest *g)
{
	const json_t *ref = json_object_get(req->params, "controller");

	if (!ref)
		return;
	size_t n = (size_t)json_integer_value(json_object_get(ref, "fd"));

	server_add_client(req->d, req->fds[n], GM_ACCESS_CONTROL, g->name);
	req->fds[n] = -1;
}

void api_launch_guest(struct request *req, struct guest *g, const json_t *overrides,
		      json_t *result)
{
	struct waiter w = { .client_id = req->client_id, .request_id = req->id, .result = result };
	char err[1024];
	int number;

	if (launch_guest(g, overrides, req->fds, req->nfds, &w, &number, err, sizeof(err)) < 0) {
		request_error(req, &gm_enum_guest_manager_error, number, "%s", err);
		return;
	}
	api_bind_controller(req, g);
}

void api_launch(struct request *req)
{
	struct guest *g = api_guest(req);

	if (g)
		api_launch_guest(req, g, json_object_get(req->params, "config"), json_object());
}

void api_force_shutdown(struct request *req)
{
	struct guest *g = api_guest(req);

	if (!g)
		return;
	if (!guest_active(g)) {
		request_ok(req, json_object(), NULL, 0);
		return;
	}
	waiter_add(&g->stop_waiters, req->client_id, req->id, json_object());
	run_stop(g->run, GM_STOP_CAUSE_FORCED, GM_GUEST_ERROR_CONTROLLER_FORCED_HALT,
		 "stopped by ForceShutdown");
}

void api_stop(struct request *req)
{
	struct guest *g = api_guest(req);
	const json_t *timeout = json_object_get(req->params, "timeout_ms");

	if (!g)
		return;
	if (!guest_active(g)) {
		request_ok(req, json_object(), NULL, 0);
		return;
	}
	waiter_add(&g->stop_waiters, req->client_id, req->id, json_object());
	run_power_off(g->run, timeout ? (unsigned)json_integer_value(timeout) : DEFAULT_STOP_TIMEOUT_MS);
}

void api_connect(struct request *req)
{
	struct guest *g = api_guest(req);

	if (!g)
		return;
	if (g->status != GM_GUEST_STATUS_RUNNING) {
		request_error(req, &gm_enum_guest_manager_error, GM_GUEST_MANAGER_ERROR_NOT_RUNNING,
			      "guest '%s' is %s", g->name, gm_enum_name(&gm_enum_guest_status, (int)g->status));
		return;
	}
	api_bind_controller(req, g);
	request_ok(req, json_object(), NULL, 0);
}

json_t *api_guest_info(const struct guest *g)
{
	json_t *info = json_pack("{s:s, s:I, s:o}", "guest_status",
				 gm_enum_name(&gm_enum_guest_status, (int)g->status), "uptime",
				 (json_int_t)guest_uptime_ns(g), "detected_problems", problems_detect(g));

	if (g->descriptor)
		json_object_set(info, "guest_descriptor", g->descriptor);
	if (g->stopped_before && !g->run) {
		json_object_set_new(info, "stop_reason", stop_reason_json(&g->last_stop));
		if (g->last_stop.guest_error)
			json_object_set_new(info, "stop_error",
					    json_pack("{s:s, s:s, s:i, s:s}", "domain", gm_enum_guest_error.name,
						      "code", gm_enum_name(&gm_enum_guest_error, g->last_stop.guest_error),
						      "number", g->last_stop.guest_error, "message",
						      g->last_stop.message));
	}
	return info;
}

void api_get_info(struct request *req)
{
	struct guest *g = api_guest(req);

	if (g)
		request_ok(req, json_pack("{s:o}", "guest_info", api_guest_info(g)), NULL, 0);
}

void api_wipe_storage(struct request *req)
{
	struct guest *g = api_guest(req);
	char err[512];
	bool removed;

	if (!g)
		return;
	if (guest_active(g)) {
		request_error(req, &gm_enum_guest_manager_error, GM_GUEST_MANAGER_ERROR_ALREADY_RUNNING,
			      "guest '%s' is %s: stop it before wiping its disk", g->name,
			      gm_enum_name(&gm_enum_guest_status, (int)g->status));
		return;
	}
	if (storage_wipe(req->d, g->name, &removed, err, sizeof(err)) < 0) {
		request_error(req, &gm_enum_guest_manager_error, GM_GUEST_MANAGER_ERROR_NO_STORAGE, "%s",
			      err);
		return;
	}
	request_ok(req, json_pack("{s:b}", "removed", removed), NULL, 0);
}
