/* How the vmm stops: the first component that decides the machine must stop
 * (a device seeing the guest's reset, a vCPU seeing an error, the main loop
 * seeing SIGTERM) records an exit status and a one-line reason; later
 * requests are ignored. The main loop waits on stop_fd and then tears the
 * machine down. */
#ifndef VMM_VM_STOP_H
#define VMM_VM_STOP_H

#include <pthread.h>
#include <stdbool.h>

struct vm_stop {
	pthread_mutex_t lock;
	bool requested;		/* read without the lock by vCPU threads */
	int status;		/* enum vmm_exit_status */
	char reason[512];
	int fd;			/* eventfd, readable once a stop was requested */
};

int vm_stop_init(struct vm_stop *s);
void vm_stop_destroy(struct vm_stop *s);

/* Record the first stop request; thread-safe. */
void vm_stop_request(struct vm_stop *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

bool vm_stop_requested(struct vm_stop *s);

#endif
