/* One launch of a guest: its persistent disk, its device processes and its
 * vmm, each spawned with only the fds it needs, and their end. The first
 * thing that ends a run (the guest stopping itself, a forced stop, the vmm
 * or a device dying) is its stop reason; the run is over once every
 * process has exited, and only then may the guest launch again. */
#ifndef MANAGER_GUESTMGRD_RUN_H
#define MANAGER_GUESTMGRD_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "manager/guestmgrd/guest.h"
#include "manager/guestmgrd/launch_plan.h"

/* Starts the run of PLAN (taken over) for G, which is STARTING. On error
 * (err set) what had started is being stopped, and the guest's Launch
 * waiters get START_FAILURE or NO_STORAGE once it has. */
int run_start(struct guest *g, struct launch_plan *plan, char *err, size_t errlen);

/* Ends the run: every process is killed; CAUSE and MESSAGE become the stop
 * reason unless the run was ending already. */
void run_stop(struct run *run, enum gm_stop_cause cause, int guest_error, const char *message);

/* A graceful stop: presses the guest's power button, and stops it as
 * run_stop(FORCED) would if it has not powered itself off TIMEOUT_MS later. */
void run_power_off(struct run *run, unsigned timeout_ms);

/* The processes, for the runtime state file: {"vmm": pid, "devices": {...}}. */
json_t *run_describe(const struct run *run);

/* The guest's serial and console hubs are the run's while it runs. */
bool run_has_console(const struct run *run);

#endif
