/* Test shim, preloaded into guestmgr-vmm (LD_PRELOAD): every thread the
 * program creates sleeps SLOW_THREAD_START_MS (default 300) before it runs
 * its start routine. vmm-control.sh uses it to slow the vCPU threads'
 * start: a vmm that said "running" once the threads were made, rather
 * than once each has entered KVM_RUN, is then caught in the act. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct start {
	void *(*routine)(void *);
	void *arg;
};

static void *slow_start(void *opaque)
{
	struct start s = *(struct start *)opaque;
	const char *env = getenv("SLOW_THREAD_START_MS");
	long ms = env ? atol(env) : 300;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	free(opaque);
	nanosleep(&ts, NULL);
	return s.routine(s.arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*routine)(void *), void *arg)
{
	int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) =
		(int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *))
			dlsym(RTLD_NEXT, "pthread_create");
	struct start *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return real(thread, attr, routine, arg);
	s->routine = routine;
	s->arg = arg;
	ret = real(thread, attr, slow_start, s);
	if (ret)
		free(s);
	return ret;
}
