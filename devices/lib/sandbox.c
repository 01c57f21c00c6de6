/* The device sandbox: namespaces, empty root, unprivileged ids, no
 * capabilities, seccomp allowlist (see sandbox.h for the order and why). */
#include "devices/lib/sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *test_forbidden_syscall;

void sandbox_read_test_trigger(void)
{
	test_forbidden_syscall = getenv("GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL");
}

void sandbox_run_test_trigger(void)
{
	if (!test_forbidden_syscall)
		return;
	fprintf(stderr, "test: calling %s inside the sandbox\n", test_forbidden_syscall);
	if (strcmp(test_forbidden_syscall, "open") == 0)
		syscall(SYS_open, "/etc/passwd", 0);
	else if (strcmp(test_forbidden_syscall, "execve") == 0)
		syscall(SYS_execve, "/bin/sh", NULL, NULL);
	else if (strcmp(test_forbidden_syscall, "socket") == 0)
		syscall(SYS_socket, 1, 1, 0);
	else if (strcmp(test_forbidden_syscall, "mmap-exec") == 0)
		syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fprintf(stderr, "test: %s returned: the sandbox let it through\n", test_forbidden_syscall);
}

/* The parent stays outside: it forwards termination to the device and
 * passes its end on as its own. */
static pid_t child_pid;

static void forward_signal(int sig)
{
	(void)sig;
	kill(child_pid, SIGKILL);
}

static void __attribute__((noreturn)) wait_for_child(void)
{
	int status;

	/* The parent keeps nothing of the device's: no socket, no image. */
	syscall(SYS_close_range, 3, ~0u, 0);
	signal(SIGTERM, forward_signal);
	signal(SIGINT, forward_signal);
	signal(SIGHUP, forward_signal);
	while (waitpid(child_pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	int sig = WTERMSIG(status);

	/* Die the same way, without a core dump of this bystander. */
	struct rlimit none = { 0, 0 };

	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* An empty, read-only tmpfs becomes / and the old root is detached. */
static int empty_root(char *err, size_t errlen)
{
	const char *dir = "/tmp";

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(err, errlen, "sandbox: making mounts private: %m");
		return -1;
	}
	if (mount("none", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") < 0) {
		snprintf(err, errlen, "sandbox: tmpfs on %s: %m", dir);
		return -1;
	}
	/* pivot_root(".", "."): the old root ends up on top of the new one,
	 * and one lazy unmount removes it. */
	if (chdir(dir) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		snprintf(err, errlen, "sandbox: pivot_root into an empty tmpfs: %m");
		return -1;
	}
	return 0;
}

static int drop_privileges(char *err, size_t errlen)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: clearing ambient capabilities: %m");
		return -1;
	}
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(err, errlen, "sandbox: dropping capability %d from the bounding set: %m", cap);
			return -1;
		}
	if (setgroups(0, NULL) < 0 || setresgid(SANDBOX_GID, SANDBOX_GID, SANDBOX_GID) < 0 ||
	    setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID) < 0) {
		snprintf(err, errlen, "sandbox: switching to uid/gid %d: %m", SANDBOX_UID);
		return -1;
	}
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, errlen, "sandbox: clearing capabilities: %m");
		return -1;
	}
	return 0;
}

static int allow_list(scmp_filter_ctx ctx, const char *const *names, char *err, size_t errlen)
{
	for (; names && *names; names++) {
		int nr = seccomp_syscall_resolve_name(*names);

		if (nr == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "sandbox: unknown syscall '%s' in the allowlist", *names);
			return -1;
		}
		/* Memory never becomes executable: a device a guest has taken
		 * over cannot map code of its own. */
		bool maps = nr == SCMP_SYS(mmap) || nr == SCMP_SYS(mprotect);
		int rc = maps ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
						 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))
			      : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);

		if (rc < 0) {
			snprintf(err, errlen, "sandbox: allowing %s: %s", *names, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int install_seccomp(const char *const *device_syscalls, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	int rc = -1;

	if (allow_list(ctx, sandbox_common_syscalls, err, errlen) == 0 &&
	    allow_list(ctx, sandbox_sanitizer_syscalls, err, errlen) == 0 &&
	    allow_list(ctx, device_syscalls, err, errlen) == 0) {
		rc = seccomp_load(ctx);
		if (rc < 0)
			snprintf(err, errlen, "sandbox: loading the seccomp filter: %s", strerror(-rc));
	}
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}

static int die_with_parent(char *err, size_t errlen)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: parent death signal: %m");
		return -1;
	}
	return 0;
}

int sandbox_enter(const char *const *device_syscalls, char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: no_new_privs: %m");
		return -1;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS) < 0) {
		snprintf(err, errlen, "sandbox: unshare (needs root or CAP_SYS_ADMIN): %m");
		return -1;
	}
	fflush(NULL);
	child_pid = fork();
	if (child_pid < 0) {
		snprintf(err, errlen, "sandbox: fork into the new pid namespace: %m");
		return -1;
	}
	if (child_pid > 0)
		wait_for_child();
	/* The device does not outlive the parent its starter knows. Changing
	 * credentials clears the parent-death signal, so it is set again once
	 * the ids are dropped; the first setting covers the root set-up. */
	if (die_with_parent(err, errlen) < 0 || empty_root(err, errlen) < 0 ||
	    drop_privileges(err, errlen) < 0 || die_with_parent(err, errlen) < 0 ||
	    install_seccomp(device_syscalls, err, errlen) < 0)
		return -1;
	return 0;
}
