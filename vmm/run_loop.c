#include "vmm/run_loop.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "vmm/control.h"
#include "vmm/exit_status.h"

static void on_stop(evutil_socket_t fd, short what, void *opaque)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(opaque);
}

static void on_signal(evutil_socket_t sig, short what, void *opaque)
{
	struct vm *vm = opaque;

	(void)what;
	vm_stop_request(&vm->stop, VMM_EXIT_ASKED_TO_STOP, "stopped by %s",
			sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void stop_vcpus(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

static int start_vcpus(struct vm *vm, char *reason, size_t len)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (vcpu_start(&vm->vcpus[i], reason, len) < 0)
			return -1;
	return 0;
}

int run_loop(struct vm *vm, struct event_base *base, int control_sock, char *reason, size_t len)
{
	struct event *stop = NULL, *term = NULL, *intr = NULL;
	struct control control = { .sock = -1 };
	int status = VMM_EXIT_START_FAILURE;
	sigset_t signals;

	snprintf(reason, len, "main loop: set-up failed");
	stop = event_new(base, vm->stop.fd, EV_READ, on_stop, base);
	term = evsignal_new(base, SIGTERM, on_signal, vm);
	intr = evsignal_new(base, SIGINT, on_signal, vm);
	if (!stop || !term || !intr || event_add(stop, NULL) < 0 ||
	    event_add(term, NULL) < 0 || event_add(intr, NULL) < 0 ||
	    serial_input_start(&vm->uart_input, base, &vm->uart, vm->serial_in_fd) < 0)
		goto out;
	if (control_sock >= 0 &&
	    control_start(&control, base, control_sock, &vm->stop, &vm->ged, vm->vcpus_entered_fd,
			  vm->nvcpus, reason, len) < 0)
		goto out;
	if (start_vcpus(vm, reason, len) < 0) {
		vm_stop_request(&vm->stop, VMM_EXIT_START_FAILURE, "%s", reason);
		stop_vcpus(vm);
		goto out;
	}
	/* main() blocked them until their handlers were in place. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &signals, NULL);
	event_base_dispatch(base);
	/* Stopping already: a second SIGTERM (systemd and timeout(1) signal a
	 * whole group too) must stay pending, not meet the default action once
	 * the handlers below are gone. */
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	stop_vcpus(vm);
	pthread_mutex_lock(&vm->stop.lock);
	status = vm->stop.status;
	snprintf(reason, len, "%s", vm->stop.reason);
	pthread_mutex_unlock(&vm->stop.lock);
out:
	control_end(&control);
	serial_input_stop(&vm->uart_input);
	if (intr)
		event_free(intr);
	if (term)
		event_free(term);
	if (stop)
		event_free(stop);
	/* Freeing the events put back the default actions; a stop signal
	 * still pending (see above) is dropped instead. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	return status;
}
