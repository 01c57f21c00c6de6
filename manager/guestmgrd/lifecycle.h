/* The GuestStatus state machine, in one place: the only code that changes
 * a guest's status. Each change is logged, sent to subscribers as a
 * guest_status event, written to the guest's runtime state file, and
 * answers the requests waiting for it.
 *
 *   NOT_STARTED, STOPPED, VMM_UNEXPECTED_TERMINATION
 *        -- lifecycle_starting (Launch accepted) -->      STARTING
 *   STARTING -- lifecycle_running (the vmm's vCPUs run) --> RUNNING
 *   STARTING, RUNNING -- lifecycle_stopping (a stop asked for) --> STOPPING
 *   STARTING, RUNNING, STOPPING -- lifecycle_ended (every process gone) -->
 *        STOPPED, or VMM_UNEXPECTED_TERMINATION when the vmm died on its own
 */
#ifndef MANAGER_GUESTMGRD_LIFECYCLE_H
#define MANAGER_GUESTMGRD_LIFECYCLE_H

#include "manager/guestmgrd/guest.h"

void lifecycle_starting(struct guest *g);
void lifecycle_running(struct guest *g);
void lifecycle_stopping(struct guest *g);
/* The run is over for REASON; START_MESSAGE, when the guest never ran, is
 * the START_FAILURE its Launch waiters get. */
void lifecycle_ended(struct guest *g, const struct stop_reason *reason);

/* protocol.json's stop_reason. */
json_t *stop_reason_json(const struct stop_reason *r);

/* The guest's runtime state file, rewritten (run.c calls it when pids change). */
void lifecycle_write_state(struct guest *g);

#endif
