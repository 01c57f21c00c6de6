#include "vmm/vm_stop.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

int vm_stop_init(struct vm_stop *s)
{
	s->requested = false;
	s->status = 0;
	s->reason[0] = '\0';
	s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->fd < 0)
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

void vm_stop_destroy(struct vm_stop *s)
{
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

void vm_stop_request(struct vm_stop *s, int status, const char *fmt, ...)
{
	va_list ap;
	uint64_t one = 1;

	pthread_mutex_lock(&s->lock);
	if (s->requested) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->status = status;
	__atomic_store_n(&s->requested, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
	/* An eventfd counter cannot overflow from one write per vmm. */
	if (write(s->fd, &one, sizeof(one)) != sizeof(one))
		perror("vmm: stop eventfd");
}

bool vm_stop_requested(struct vm_stop *s)
{
	return __atomic_load_n(&s->requested, __ATOMIC_ACQUIRE);
}
