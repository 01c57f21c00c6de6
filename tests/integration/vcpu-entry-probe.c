/* Test shim, preloaded into guestmgr-vmm (LD_PRELOAD) by vmm-control.sh:
 * - every thread the program creates waits PROBE_THREAD_DELAY_MS
 *   (default 300) before it runs its start routine, so a vmm that said
 *   "running" once its vCPU threads were made, rather than once each had
 *   entered KVM_RUN, would say it that much too early;
 * - each thread's first ioctl(KVM_RUN) prints, on stderr,
 *     probe: first KVM_RUN at <CLOCK_MONOTONIC ns>
 *   as the call is made, for the test to set beside the time "running"
 *   arrived. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef int (*pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
typedef int (*ioctl_fn)(int, unsigned long, ...);

struct start {
	void *(*routine)(void *);
	void *arg;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The delay spins on the clock: a confined vmm may not sleep. */
static void *delayed_start(void *opaque)
{
	struct start s = *(struct start *)opaque;
	const char *env = getenv("PROBE_THREAD_DELAY_MS");
	long long until = now_ns() + (env ? atol(env) : 300) * 1000000LL;

	free(opaque);
	while (now_ns() < until)
		;
	return s.routine(s.arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*routine)(void *), void *arg)
{
	pthread_create_fn real = (pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
	struct start *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return real(thread, attr, routine, arg);
	s->routine = routine;
	s->arg = arg;
	ret = real(thread, attr, delayed_start, s);
	if (ret)
		free(s);
	return ret;
}

int ioctl(int fd, unsigned long request, ...)
{
	static __thread bool entered;
	ioctl_fn real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == KVM_RUN && !entered) {
		char line[80];
		int len;

		entered = true;
		len = snprintf(line, sizeof(line), "probe: first KVM_RUN at %lld\n", now_ns());
		if (write(STDERR_FILENO, line, (size_t)len) < 0)
			abort();
	}
	return real(fd, request, arg);
}
