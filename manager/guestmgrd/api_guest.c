/* fuchsia.virtualization.Guest: the serial port and the console as
 * stream sockets; balloon and vsock are not in this version. */
#include "manager/guestmgrd/api.h"
#include "manager/guestmgrd/run.h"
#include "manager/guestmgrd/stream_hub.h"

static void attach(struct request *req, struct stream_hub *hub)
{
	char err[256];
	int fd = hub_attach(hub, err, sizeof(err));

	if (fd < 0) {
		request_error(req, &gm_enum_guest_error, GM_GUEST_ERROR_INTERNAL_ERROR, "%s", err);
		return;
	}
	request_ok(req, json_pack("{s:{s:i}}", "socket", "fd", 0), &fd, 1);
}

/* The guest, when it has a run to attach to. */
static struct guest *running(struct request *req)
{
	struct guest *g = api_guest(req);

	if (g && !g->run) {
		request_error(req, &gm_enum_guest_manager_error, GM_GUEST_MANAGER_ERROR_NOT_RUNNING,
			      "guest '%s' is %s", g->name,
			      gm_enum_name(&gm_enum_guest_status, (int)g->status));
		return NULL;
	}
	return g;
}

void api_get_serial(struct request *req)
{
	struct guest *g = running(req);

	if (g)
		attach(req, &g->serial);
}

void api_get_console(struct request *req)
{
	struct guest *g = running(req);

	if (!g)
		return;
	if (!run_has_console(g->run)) {
		request_error(req, &gm_enum_guest_error, GM_GUEST_ERROR_DEVICE_NOT_PRESENT,
			      "guest '%s' runs without a virtio-console (virtio_console in its config)",
			      g->name);
		return;
	}
	attach(req, &g->console);
}

void api_not_available(struct request *req)
{
	request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_NOT_AVAILABLE,
		      "%s is not available yet: this version has no %s device",
		      gm_methods[req->method].name,
		      req->method == GM_METHOD_GUEST_GET_BALLOON_CONTROLLER ||
				      req->method == GM_METHOD_REALM_CONNECT_TO_BALLOON
			      ? "virtio-balloon"
			      : "virtio-vsock");
}
