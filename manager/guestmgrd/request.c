/* Reading, checking and dispatching requests (request.h). */
#include "manager/guestmgrd/request.h"

#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/frame.h"
#include "ipc/schema.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/request_decode.h"
#include "manager/guestmgrd/server.h"

static const method_handler handlers[GM_METHOD_COUNT] = {
	[GM_METHOD_GUEST_MANAGER_LAUNCH] = api_launch,
	[GM_METHOD_GUEST_MANAGER_FORCE_SHUTDOWN] = api_force_shutdown,
	[GM_METHOD_GUEST_MANAGER_STOP] = api_stop,
	[GM_METHOD_GUEST_MANAGER_CONNECT] = api_connect,
	[GM_METHOD_GUEST_MANAGER_GET_INFO] = api_get_info,
	[GM_METHOD_GUEST_MANAGER_WIPE_STORAGE] = api_wipe_storage,
	[GM_METHOD_GUEST_GET_SERIAL] = api_get_serial,
	[GM_METHOD_GUEST_GET_CONSOLE] = api_get_console,
	[GM_METHOD_GUEST_GET_BALLOON_CONTROLLER] = api_not_available,
	[GM_METHOD_GUEST_GET_HOST_VSOCK_ENDPOINT] = api_not_available,
	[GM_METHOD_DAEMON_LIST_GUESTS] = api_list_guests,
	[GM_METHOD_DAEMON_SUBSCRIBE] = api_subscribe,
	[GM_METHOD_MANAGER_CREATE] = api_manager_create,
	[GM_METHOD_MANAGER_LIST] = api_manager_list,
	[GM_METHOD_MANAGER_CONNECT] = api_manager_connect,
	[GM_METHOD_REALM_LAUNCH_INSTANCE] = api_realm_launch_instance,
	[GM_METHOD_REALM_LIST_INSTANCES] = api_realm_list_instances,
	[GM_METHOD_REALM_CONNECT_TO_INSTANCE] = api_realm_connect_to_instance,
	[GM_METHOD_REALM_CONNECT_TO_BALLOON] = api_not_available,
	[GM_METHOD_REALM_GET_HOST_VSOCK_ENDPOINT] = api_not_available,
};

int request_init(struct daemon *d, char *err, size_t errlen)
{
	char msg[IPC_SCHEMA_ERR_MAX];

	for (int m = 0; m < GM_METHOD_COUNT; m++) {
		if (!handlers[m]) {
			snprintf(err, errlen, "method %s has no handler", gm_methods[m].name);
			return -1;
		}
		d->request_schemas[m] = ipc_schema_parse(gm_methods[m].name,
							 gm_methods[m].request_schema, msg, sizeof(msg));
		if (!d->request_schemas[m]) {
			snprintf(err, errlen, "%s", msg);
			return -1;
		}
	}
	return 0;
}

static void send_reply(struct daemon *d, uint64_t client_id, json_t *msg, int *fds, size_t nfds)
{
	server_send(d, client_id, msg, fds, nfds);
	json_decref(msg);
}

void reply_ok(struct daemon *d, uint64_t client_id, json_t *id, json_t *result, int *fds,
	      size_t nfds)
{
	send_reply(d, client_id, json_pack("{s:O, s:o}", "id", id ? id : json_null(), "result", result),
		   fds, nfds);
}

static void vreply_error(struct daemon *d, uint64_t client_id, json_t *id,
			 const struct gm_enum *domain, int number, const char *fmt, va_list ap)
{
	char message[1024];

	vsnprintf(message, sizeof(message), fmt, ap);
	send_reply(d, client_id,
		   json_pack("{s:O, s:{s:s, s:s, s:i, s:s}}", "id", id ? id : json_null(), "error",
			     "domain", domain->name, "code", gm_enum_name(domain, number) ?: "?",
			     "number", number, "message", message),
		   NULL, 0);
}

void reply_error(struct daemon *d, uint64_t client_id, json_t *id, const struct gm_enum *domain,
		 int number, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply_error(d, client_id, id, domain, number, fmt, ap);
	va_end(ap);
}

void request_ok(struct request *req, json_t *result, int *fds, size_t nfds)
{
	reply_ok(req->d, req->client_id, req->id, result, fds, nfds);
}

void request_error(struct request *req, const struct gm_enum *domain, int number, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply_error(req->d, req->client_id, req->id, domain, number, fmt, ap);
	va_end(ap);
}

/* Root, the daemon's own uid, or a member of the control group. */
static bool may_control(const struct daemon *d, const struct ucred *cred)
{
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (!d->cfg.control_gid)
		return false;
	if (cred->gid == d->cfg.control_gid)
		return true;
	struct passwd *pw = getpwuid(cred->uid);
	gid_t groups[256];
	int n = 256;

	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == d->cfg.control_gid)
			return true;
	return false;
}

/* Checks what depends on the connection (access), then runs the handler. */
static void handle(struct client *c, const struct decoded_request *dr, struct request *req)
{
	int m = dr->method;

	req->id = dr->id;
	req->params = dr->params;
	req->method = (enum gm_method)m;
	if (gm_methods[m].access == GM_ACCESS_CONTROL && c->access != GM_ACCESS_CONTROL) {
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_PERMISSION_DENIED,
			      "%s needs the control socket; this is the read-only one", gm_methods[m].name);
		return;
	}
	if (gm_methods[m].access == GM_ACCESS_CONTROL && !may_control(c->d, &c->cred)) {
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_PERMISSION_DENIED,
			      "%s: uid %d is neither root nor in the control group%s%s",
			      gm_methods[m].name, (int)c->cred.uid, c->d->cfg.control_group[0] ? " " : "",
			      c->d->cfg.control_group);
		return;
	}
	if (c->bound_guest[0] && strncmp(gm_methods[m].name, "Guest.", 6)) {
		request_error(req, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_PERMISSION_DENIED,
			      "a Guest channel serves the Guest methods only, not %s", gm_methods[m].name);
		return;
	}
	req->guest = json_string_value(json_object_get(req->params, "guest"));
	if (!req->guest && c->bound_guest[0])
		req->guest = c->bound_guest;
	handlers[m](req);
}

int request_read(struct client *c)
{
	static char buf[IPC_MAX_MSG + 1];
	struct ipc_error ierr;
	struct ipc_msg msg;
	struct daemon *d = c->d;
	enum ipc_status st = ipc_recv(c->fd, buf, IPC_MAX_MSG, &msg, &ierr);
	char why[256];

	if (st == IPC_E_AGAIN)
		return 0;
	if (st == IPC_E_CLOSED || st == IPC_E_SYSTEM)
		return -1;
	if (st != IPC_OK) {
		/* One datagram lost; the next is whole. */
		reply_error(d, c->id, NULL, &gm_enum_protocol_error, GM_PROTOCOL_ERROR_BAD_REQUEST,
			    "%s", ipc_strerror(&ierr, why, sizeof(why)));
		return 0;
	}
	struct decoded_request dr;
	struct request req = {
		.d = d, .client_id = c->id, .access = c->access, .fds = msg.fds, .nfds = msg.nfds,
	};
	char err[IPC_SCHEMA_ERR_MAX + 64];
	int number;

	if (request_decode(buf, msg.len, msg.nfds, d->request_schemas, &dr, &number, err,
			   sizeof(err)) < 0)
		reply_error(d, c->id, dr.id, &gm_enum_protocol_error, number, "%s", err);
	else
		handle(c, &dr, &req);
	json_decref(dr.doc);
	/* The fds no handler kept. The client may be gone by now: nothing
	 * below touches it. */
	for (size_t i = 0; i < msg.nfds; i++)
		if (msg.fds[i] >= 0)
			close(msg.fds[i]);
	return 0;
}
