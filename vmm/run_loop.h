/* The main thread's life while the guest runs: a libevent loop over the
 * serial input, SIGTERM/SIGINT, and the stop eventfd; then every vCPU is
 * kicked out of KVM_RUN and joined. */
#ifndef VMM_RUN_LOOP_H
#define VMM_RUN_LOOP_H

#include <stddef.h>

#include "vmm/vm.h"

/* Runs the machine until it stops; returns its exit status (exit_status.h)
 * and the one-line reason. */
int run_loop(struct vm *vm, char *reason, size_t len);

#endif
