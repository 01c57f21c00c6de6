/* The vmm's exit statuses: the manager maps each to a GuestStatus and a
 * stop_error, so each has exactly one meaning. */
#ifndef VMM_EXIT_STATUS_H
#define VMM_EXIT_STATUS_H

enum vmm_exit_status {
	/* The guest stopped itself: i8042 reset, triple fault, ACPI S5. */
	VMM_EXIT_GUEST_STOPPED = 0,
	/* Bad config or a failure while building the machine: no guest code ran. */
	VMM_EXIT_START_FAILURE = 1,
	/* The guest or KVM failed: internal error (e.g. emulation failure),
	 * failed VM entry, an unknown exit, or a failing KVM ioctl. */
	VMM_EXIT_GUEST_ERROR = 2,
	/* Asked to stop from outside: SIGTERM or SIGINT, the daemon's stop
	 * command, or the daemon closing the control socket (control.h). */
	VMM_EXIT_ASKED_TO_STOP = 3,
};

#endif
