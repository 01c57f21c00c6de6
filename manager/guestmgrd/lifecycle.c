/* The GuestStatus state machine (lifecycle.h). */
#include "manager/guestmgrd/lifecycle.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/log.h"
#include "manager/guestmgrd/run.h"
#include "manager/guestmgrd/server.h"

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

json_t *stop_reason_json(const struct stop_reason *r)
{
	json_t *j = json_pack("{s:s, s:s}", "cause", gm_enum_name(&gm_enum_stop_cause, (int)r->cause),
			      "message", r->message);

	if (r->exit_status >= 0)
		json_object_set_new(j, "exit_status", json_integer(r->exit_status));
	if (r->signal)
		json_object_set_new(j, "signal", json_integer(r->signal));
	return j;
}

/* /run/guestmgr/guests/NAME.json, replaced whole, so a reader (or a
 * future daemon re-adopting the guest) never sees half of it. */
void lifecycle_write_state(struct guest *g)
{
	struct daemon *d = g->daemon;
	char path[DAEMON_PATH_MAX + 128], tmp[DAEMON_PATH_MAX + 160];
	json_t *state = json_pack("{s:s, s:s, s:i}", "guest", g->name, "status",
				  gm_enum_name(&gm_enum_guest_status, (int)g->status), "launches",
				  g->launches);

	if (g->run)
		json_object_set_new(state, "processes", run_describe(g->run));
	if (g->stopped_before)
		json_object_set_new(state, "stop_reason", stop_reason_json(&g->last_stop));
	snprintf(path, sizeof(path), "%s/guests/%s.json", d->cfg.run_dir, g->name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (json_dump_file(state, tmp, JSON_INDENT(2)) < 0 || rename(tmp, path) < 0)
		log_warn("guest '%s': runtime state %s: %s", g->name, path, strerror(errno));
	json_decref(state);
}

static void set_status(struct guest *g, enum gm_guest_status status)
{
	json_t *event;

	g->status = status;
	log_info("guest '%s': %s%s%s", g->name, gm_enum_name(&gm_enum_guest_status, (int)status),
		 g->stopped_before && !g->run ? ": " : "",
		 g->stopped_before && !g->run ? g->last_stop.message : "");
	event = json_pack("{s:s, s:s, s:s, s:I}", "event", "guest_status", "guest", g->name, "status",
			  gm_enum_name(&gm_enum_guest_status, (int)status), "time",
			  (json_int_t)now_ns(CLOCK_REALTIME));
	if (!g->run && g->stopped_before)
		json_object_set_new(event, "stop_reason", stop_reason_json(&g->last_stop));
	server_broadcast(g->daemon, event);
	json_decref(event);
	lifecycle_write_state(g);
	daemon_notify_status(g->daemon);
}

void lifecycle_starting(struct guest *g)
{
	g->launches++;
	g->device_death[0] = 0;
	set_status(g, GM_GUEST_STATUS_STARTING);
}

void lifecycle_running(struct guest *g)
{
	if (g->status != GM_GUEST_STATUS_STARTING)
		return;
	clock_gettime(CLOCK_MONOTONIC, &g->running_since);
	set_status(g, GM_GUEST_STATUS_RUNNING);
	waiters_reply(g->daemon, &g->launch_waiters, NULL, 0, NULL);
}

void lifecycle_stopping(struct guest *g)
{
	if (g->status == GM_GUEST_STATUS_STARTING || g->status == GM_GUEST_STATUS_RUNNING)
		set_status(g, GM_GUEST_STATUS_STOPPING);
}

void lifecycle_ended(struct guest *g, const struct stop_reason *reason)
{
	bool never_ran = g->status == GM_GUEST_STATUS_STARTING ||
			 (g->status == GM_GUEST_STATUS_STOPPING && g->launch_waiters);

	g->last_stop = *reason;
	g->stopped_before = true;
	g->run = NULL;
	set_status(g, reason->cause == GM_STOP_CAUSE_VMM_DIED ? GM_GUEST_STATUS_VMM_UNEXPECTED_TERMINATION
							       : GM_GUEST_STATUS_STOPPED);
	if (never_ran)
		waiters_reply(g->daemon, &g->launch_waiters, &gm_enum_guest_manager_error,
			      reason->launch_error ? reason->launch_error
						   : GM_GUEST_MANAGER_ERROR_START_FAILURE,
			      reason->message);
	waiters_reply(g->daemon, &g->stop_waiters, NULL, 0, NULL);
	daemon_maybe_exit(g->daemon);
}
