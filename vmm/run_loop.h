/* The main thread's life while the guest runs: a libevent loop over the
 * serial input, SIGTERM/SIGINT, the stop eventfd and the daemon's control
 * socket (control.h); then every vCPU is kicked out of KVM_RUN and
 * joined. */
#ifndef VMM_RUN_LOOP_H
#define VMM_RUN_LOOP_H

#include <stddef.h>

#include <event2/event.h>

#include "vmm/vm.h"

/* Runs the machine until it stops, on base (made before the vmm was
 * confined: libevent's set-up makes calls the allowlist lacks); returns
 * its exit status (exit_status.h) and the one-line reason. control_sock:
 * the daemon's control socket, or -1 when run standalone. */
int run_loop(struct vm *vm, struct event_base *base, int control_sock, char *reason, size_t len);

#endif
