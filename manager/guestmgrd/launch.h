/* Launching a named guest: its package read, the overrides merged and
 * checked, then the run started. Shared by GuestManager.Launch,
 * Realm.LaunchInstance and autostart. */
#ifndef MANAGER_GUESTMGRD_LAUNCH_H
#define MANAGER_GUESTMGRD_LAUNCH_H

#include <jansson.h>
#include <stddef.h>

#include "manager/guestmgrd/guest.h"

/* Starts G. WAITER (may be NULL; its result is taken in every case) is
 * answered once the guest runs or its start has failed. Returns -1 with
 * *ERROR_NUMBER (a GuestManagerError) and err when G cannot even start:
 * it is active, its config is bad. The client's FDS that the launch uses
 * are set to -1. */
int launch_guest(struct guest *g, const json_t *overrides, int *fds, size_t nfds,
		 const struct waiter *waiter, int *error_number, char *err, size_t errlen);

#endif
