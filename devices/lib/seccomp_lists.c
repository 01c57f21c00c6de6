/* The syscalls every sandboxed process may make. Each device adds a short
 * list of its own (its .c file, `*_syscalls`). Keep one name per line, so
 * a change shows up in a diff as what it is. */
#include "devices/lib/sandbox.h"

const char *const sandbox_common_syscalls[] = {
	/* vhost-user socket, eventfds, the device's own fds */
	"read",
	"write",
	"readv",
	"writev",
	"recvmsg",
	"sendmsg",
	"close",
	/* libevent's loop */
	"epoll_wait",
	"epoll_ctl",
	/* guest memory regions (SET_MEM_TABLE: F_GET_SEALS) and malloc */
	"fcntl",
	"mmap",
	"munmap",
	"brk",
	"madvise",
	/* stdio on stderr */
	"fstat",
	"newfstatat",
	/* time for libevent; usually the vDSO */
	"clock_gettime",
	"gettimeofday",
	"rt_sigreturn",
	"exit",
	"exit_group",
	NULL,
};

/* The parent that waits outside the pid namespace: it kills the child
 * when told to stop (a handler), then passes the child's end on as its
 * own (raise: getpid, gettid and tgkill, with the signal unblocked and
 * its action reset). */
const char *const sandbox_parent_syscalls[] = {
	"wait4",
	"kill",
	"rt_sigreturn",
	"rt_sigaction",
	"rt_sigprocmask",
	"getpid",
	"gettid",
	"tgkill",
	"exit",
	"exit_group",
	NULL,
};

/* ASan and UBSan at run time: their allocator maps and protects memory,
 * and a report reads the process's maps and writes on stderr. Only in
 * --enable-sanitizers and fuzzer builds. */
const char *const sandbox_sanitizer_syscalls[] = {
#ifdef SANDBOX_ASAN
	"write",
	"mmap",
	"munmap",
	"mprotect",
	"getpid",
	"gettid",
	"sched_yield",
	"sigaltstack",
	"rt_sigaction",
	"rt_sigprocmask",
	"prctl",
	"openat",
	"readlink",
	"futex",
	"tgkill",
	/* ASan starting a thread (the vmm's) */
	"sched_getaffinity",
#endif
	NULL,
};
