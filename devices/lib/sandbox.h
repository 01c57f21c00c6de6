/* The sandbox a confined process (a device, the vmm) enters once
 * every fd it needs is open, before it reads anything from the guest or
 * its peer:
 *   no_new_privs; new mount, pid, ipc, net and uts namespaces; an empty,
 *   read-only tmpfs as the root; a uid and gid of its own with no
 *   supplementary groups; no capabilities in any set; stdin closed; a
 *   seccomp allowlist (the common list plus the caller's own) that kills
 *   the process on anything else.
 * A new pid namespace only applies to children, so sandbox_enter forks:
 * the child returns and carries on as the confined process (pid 1 of its
 * namespace); the parent stays outside to wait, and exits with the child's
 * status or dies of the same signal. The parent is confined too: the same
 * ids, no capabilities, no fds but stdout and stderr, and a seccomp
 * allowlist of its own (waiting, signals, exiting). devices/README.md
 * "Sandbox" has the details and the reasons. */
#ifndef DEVICES_LIB_SANDBOX_H
#define DEVICES_LIB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Built with AddressSanitizer (--enable-sanitizers, fuzzer builds). */
#if defined(__SANITIZE_ADDRESS__)	/* gcc */
#define SANDBOX_ASAN 1
#elif defined(__has_feature)		/* clang */
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

struct sandbox_config {
	/* The ids the process runs as, its own: no file, no user and no
	 * other process has them, so nothing outside can signal or trace it
	 * and it can reach nothing by them. A spawner that runs several
	 * confined processes gives each its own; sandbox_default_uid() is
	 * for a process started by hand. */
	uid_t uid;
	gid_t gid;
	/* NULL-terminated syscall names on top of the common list. */
	const char *const *syscalls;
	/* ioctl, allowed with these requests only (0-terminated; NULL: no
	 * ioctl at all). A filter sees the request, not the file. */
	const unsigned long *ioctls;
	/* The process starts threads once confined: clone is allowed with
	 * CLONE_THREAD only (no new process), and clone3, whose flags sit
	 * in memory a filter cannot read, fails with ENOSYS, which makes
	 * glibc fall back to clone. */
	bool threads;
	/* The process stops in order on SIGTERM and SIGINT, which it keeps
	 * blocked until its handlers are in place: the launcher passes them
	 * on and exits with the process's status. Otherwise the launcher
	 * kills the process with SIGKILL and dies of the signal, since pid 1
	 * of a namespace never sees a signal it neither handles nor blocks. */
	bool handles_stop_signals;
};

/* The first thing the program does: reads the test hook below, and holds
 * fd 0 with a placeholder if the process was started with stdin closed,
 * so that none of its own fds lands there (the sandbox closes fd 0). */
void sandbox_prepare(void);

/* Returns 0 in the confined child; -1 with a message in err (nothing is
 * confined then: the caller must not go on). The parent never returns. */
int sandbox_enter(const struct sandbox_config *config, char *err, size_t errlen);

/* For a process started by hand: SANDBOX_UID_BASE (./configure
 * --with-sandbox-uid-base) plus the pid of the caller, which no other
 * process has while it lives (the range is as long as Linux's largest
 * pid_max, 4194304). */
uid_t sandbox_default_uid(void);

/* A uid given on the command line (--sandbox-uid): a number that is
 * neither root, nor nobody, nor one of the (uid_t)-1 sentinels. */
int sandbox_parse_uid(const char *arg, uid_t *uid, char *err, size_t errlen);

/* The allowlists, for the README's counts and for tests. */
extern const char *const sandbox_common_syscalls[];
extern const char *const sandbox_parent_syscalls[];	/* the waiting parent's */
extern const char *const sandbox_sanitizer_syscalls[];	/* empty unless built with ASan */

/* Test hook: GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL=
 * open|execve|socket|mmap-exec|fork|ioctl-tty (read by sandbox_prepare)
 * makes the process call that syscall right after sandboxing (fork: clone
 * without CLONE_THREAD; ioctl-tty: TCGETS on stderr), so a test can see
 * the allowlist kill it with SIGSYS. It only ever makes the sandboxed
 * process kill itself. */
void sandbox_run_test_trigger(void);

#endif
