/* The device sandbox, entered once every fd is open and before the first
 * vhost-user message (which brings guest memory) is read:
 *   no_new_privs; new mount, pid, ipc, net and uts namespaces; an empty,
 *   read-only tmpfs as the root; uid/gid 65534 with no supplementary
 *   groups; no capabilities in any set; a seccomp allowlist (the common
 *   list plus the device's own) that kills the process on anything else.
 * A new pid namespace only applies to children, so sandbox_enter forks:
 * the child returns and carries on as the device (pid 1 of its namespace),
 * the parent waits and exits with the child's status, or is killed by the
 * same signal. */
#ifndef DEVICES_LIB_SANDBOX_H
#define DEVICES_LIB_SANDBOX_H

#include <stddef.h>

/* Built with AddressSanitizer (--enable-sanitizers, fuzzer builds). */
#if defined(__SANITIZE_ADDRESS__)	/* gcc */
#define SANDBOX_ASAN 1
#elif defined(__has_feature)		/* clang */
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

#define SANDBOX_UID 65534
#define SANDBOX_GID 65534

/* DEVICE_SYSCALLS: NULL-terminated syscall names on top of the common list.
 * Returns 0 in the sandboxed child; -1 with a message in err. The parent
 * never returns. */
int sandbox_enter(const char *const *device_syscalls, char *err, size_t errlen);

/* The allowlists, for the README's counts and for tests. */
extern const char *const sandbox_common_syscalls[];
extern const char *const sandbox_sanitizer_syscalls[];	/* empty unless built with ASan */

/* Test hook: GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL=
 * open|execve|socket|mmap-exec (read before sandboxing) makes the device
 * call that syscall right after sandboxing, so a test can see the
 * allowlist kill it with SIGSYS. It only ever makes the sandboxed process
 * kill itself. */
void sandbox_read_test_trigger(void);
void sandbox_run_test_trigger(void);

#endif
