/* Launching a guest (launch.h). */
#include "manager/guestmgrd/launch.h"

#include <stdio.h>

#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/launch_plan.h"
#include "manager/guestmgrd/lifecycle.h"
#include "manager/guestmgrd/package.h"
#include "manager/guestmgrd/run.h"
#include "manager/guestmgrd/storage.h"

int launch_guest(struct guest *g, const json_t *overrides, int *fds, size_t nfds,
		 const struct waiter *waiter, int *error_number, char *err, size_t errlen)
{
	struct daemon *d = g->daemon;
	char dir[DAEMON_PATH_MAX + 128], storage[DAEMON_PATH_MAX + 128], why[1024];
	struct launch_plan plan;
	json_t *result = waiter ? waiter->result : NULL;
	json_t *package;

	*error_number = GM_GUEST_MANAGER_ERROR_START_FAILURE;
	if (guest_active(g)) {
		*error_number = GM_GUEST_MANAGER_ERROR_ALREADY_RUNNING;
		snprintf(err, errlen, "guest '%s' is %s", g->name,
			 gm_enum_name(&gm_enum_guest_status, (int)g->status));
		json_decref(result);
		return -1;
	}
	if (d->stopping) {
		snprintf(err, errlen, "guestmgrd is stopping");
		json_decref(result);
		return -1;
	}
	package = package_load(&d->cfg, g->package, dir, sizeof(dir), why, sizeof(why));
	storage_disk_path(d, g->name, storage, sizeof(storage));
	if (!package || launch_plan_make(&plan, package, dir, overrides, fds, nfds, storage, why,
					 sizeof(why)) < 0) {
		*error_number = GM_GUEST_MANAGER_ERROR_BAD_CONFIG;
		snprintf(err, errlen, "guest '%s': %s", g->name, why);
		json_decref(package);
		json_decref(result);
		return -1;
	}
	json_decref(package);
	json_decref(g->descriptor);
	g->descriptor = launch_plan_descriptor(&plan);
	lifecycle_starting(g);
	if (waiter)
		waiter_add(&g->launch_waiters, waiter->client_id, waiter->request_id, result);
	/* A failure from here on is answered through the waiters, once what
	 * had started has stopped. */
	run_start(g, &plan, why, sizeof(why));
	return 0;
}
