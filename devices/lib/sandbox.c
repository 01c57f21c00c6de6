/* The sandbox (sandbox.h; devices/README.md "Sandbox" has the order and
 * the reasons). */
#include "config.h"
#include "devices/lib/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *test_forbidden_syscall;

/* Started with stdin closed, the process would get fd 0 for the first fd
 * it opens (its socket, its event loop), and the sandbox would close that:
 * the read end of a pipe nobody writes to holds the place instead. */
static void hold_stdin(void)
{
	int p[2];

	if (fcntl(0, F_GETFD) >= 0 || errno != EBADF)
		return;
	if (pipe2(p, O_CLOEXEC) == 0)
		close(p[1]);
}

void sandbox_prepare(void)
{
	test_forbidden_syscall = getenv("GUESTMGR_DEVICE_TEST_FORBIDDEN_SYSCALL");
	hold_stdin();
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
	else if (strcmp(test_forbidden_syscall, "fork") == 0)
		syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	else if (strcmp(test_forbidden_syscall, "ioctl-tty") == 0)
		syscall(SYS_ioctl, 2, TCGETS, &(struct termios){ 0 });
	fprintf(stderr, "test: %s returned: the sandbox let it through\n", test_forbidden_syscall);
}

uid_t sandbox_default_uid(void)
{
	return SANDBOX_UID_BASE + (uid_t)getpid();
}

int sandbox_parse_uid(const char *arg, uid_t *uid, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || v > 0xfffffffeul) {
		snprintf(err, errlen, "sandbox uid '%s': not a number from 1 to 4294967294", arg);
		return -1;
	}
	if (v == 0 || v == 65534 || v == 65535) {
		snprintf(err, errlen, "sandbox uid %lu: %s", v,
			 v == 0 ? "that is root" : v == 65534 ? "that is nobody, which others share"
							       : "that is (uid_t)-1 for 16-bit programs");
		return -1;
	}
	*uid = (uid_t)v;
	return 0;
}

/* Capabilities and ids, in the order the kernel allows: the bounding set
 * needs CAP_SETPCAP, which the new uid no longer has. */
static int drop_privileges(const struct sandbox_config *config, char *err, size_t errlen)
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
	if (setgroups(0, NULL) < 0 || setresgid(config->gid, config->gid, config->gid) < 0 ||
	    setresuid(config->uid, config->uid, config->uid) < 0) {
		snprintf(err, errlen, "sandbox: switching to uid %u, gid %u: %m", (unsigned)config->uid,
			 (unsigned)config->gid);
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

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *requests, char *err,
			size_t errlen)
{
	for (; requests && *requests; requests++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					  SCMP_A1(SCMP_CMP_EQ, *requests));

		if (rc < 0) {
			snprintf(err, errlen, "sandbox: allowing ioctl %#lx: %s", *requests,
				 strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int allow_threads(scmp_filter_ctx ctx, char *err, size_t errlen)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));

	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc < 0)
		snprintf(err, errlen, "sandbox: allowing threads: %s", strerror(-rc));
	return rc < 0 ? -1 : 0;
}

/* Allows the union of N lists (each NULL terminated, or NULL), plus what
 * config allows beyond names (NULL: nothing), and kills the process on any
 * other syscall. */
static int install_seccomp(const char *const *const lists[], size_t n,
			   const struct sandbox_config *config, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);

	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = allow_list(ctx, lists[i], err, errlen);
	if (rc == 0 && config)
		rc = allow_ioctls(ctx, config->ioctls, err, errlen);
	if (rc == 0 && config && config->threads)
		rc = allow_threads(ctx, err, errlen);
	if (rc == 0) {
		rc = seccomp_load(ctx);
		if (rc < 0)
			snprintf(err, errlen, "sandbox: loading the seccomp filter: %s", strerror(-rc));
	}
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}

/* The parent stays outside the pid namespace: it stops the child when it
 * is told to stop, and passes the child's end on as its own. */
static pid_t child_pid;
static bool child_handles_stop_signals;
static volatile sig_atomic_t stop_signal;

static void stop_child(int sig)
{
	if (child_handles_stop_signals && sig != SIGHUP) {
		kill(child_pid, sig);
		return;
	}
	stop_signal = sig;
	kill(child_pid, SIGKILL);
}

static void __attribute__((noreturn)) die_of(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* The parent's own confinement. A process may signal only processes of
 * its own uid once it has no capabilities, so the parent waits until the
 * child has switched to the sandbox uid (the child closes ready_fd then,
 * or dies) before it switches too. */
static int confine_parent(const struct sandbox_config *config, int ready_fd, char *err,
			  size_t errlen)
{
	static const char *const *const lists[] = { sandbox_parent_syscalls,
						     sandbox_sanitizer_syscalls };
	struct rlimit none = { 0, 0 };
	char byte;

	while (read(ready_fd, &byte, 1) < 0 && errno == EINTR)
		;
	/* The parent keeps nothing of the child's: no socket, no image, no
	 * stdin. */
	close(0);
	syscall(SYS_close_range, 3, ~0u, 0);
	/* Dying of the child's signal, this bystander leaves no core dump. */
	setrlimit(RLIMIT_CORE, &none);
	if (drop_privileges(config, err, errlen) < 0)
		return -1;
	return install_seccomp(lists, sizeof(lists) / sizeof(lists[0]), NULL, err, errlen);
}

static void __attribute__((noreturn)) parent_wait(const struct sandbox_config *config, int ready_fd)
{
	char err[256];
	sigset_t stops;
	int status;

	child_handles_stop_signals = config->handles_stop_signals;
	signal(SIGTERM, stop_child);
	signal(SIGINT, stop_child);
	signal(SIGHUP, stop_child);
	/* Whatever the caller had blocked (the vmm blocks SIGTERM and SIGINT
	 * until its loop handles them), the parent must hear them. */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &stops, NULL);
	bool confined = confine_parent(config, ready_fd, err, sizeof(err)) == 0;

	if (!confined) {
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, err);
		kill(child_pid, SIGKILL);
	}
	while (waitpid(child_pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (!confined)
		_exit(1);
	if (stop_signal)
		die_of(stop_signal);
	if (WIFSIGNALED(status))
		die_of(WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

/* An empty, read-only tmpfs that is attached nowhere yet: the fd of its
 * root (the mount API of Linux 5.2, so that no directory is needed to
 * mount it on). */
static int empty_tmpfs(char *err, size_t errlen)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);

	if (fs < 0) {
		snprintf(err, errlen, "sandbox: an empty tmpfs as the root: fsopen: %m "
			 "(needs the mount API of Linux 5.2, which a container may forbid)");
		return -1;
	}
	int mnt = -1;

	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) == 0 &&
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) == 0 &&
	    fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) == 0 &&
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = fsmount(fs, FSMOUNT_CLOEXEC,
			      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		snprintf(err, errlen, "sandbox: an empty tmpfs as the root: %m");
	close(fs);
	return mnt;
}

static int chroot_cwd(char *err, size_t errlen)
{
	if (chroot(".") < 0 || chdir("/") < 0) {
		snprintf(err, errlen, "sandbox: chroot into the empty tmpfs: %m");
		return -1;
	}
	return 0;
}

/* The tmpfs, the current directory, becomes the root, and as little as
 * possible of the old root stays in the namespace. */
static int enter_cwd_as_root(int tmpfs, char *err, size_t errlen)
{
	/* Nothing mounted in this namespace may show outside it. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		if (errno != EINVAL) {
			snprintf(err, errlen, "sandbox: making mounts private: %m");
			return -1;
		}
		/* "/" is not a mount point: a chroot. The mount it lies in
		 * cannot be named from here to make it private, and the host
		 * may share it: whatever is mounted on it would show on the
		 * host. So the tmpfs stays detached and becomes the root by
		 * chroot; the old mounts stay in the namespace, out of reach. */
		return chroot_cwd(err, errlen);
	}
	if (move_mount(tmpfs, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		snprintf(err, errlen, "sandbox: mounting the empty tmpfs on /: %m");
		return -1;
	}
	/* pivot_root(".", "."): the old root ends up on top of the new one,
	 * and one lazy unmount removes it from the namespace. */
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
			snprintf(err, errlen, "sandbox: detaching the old root: %m");
			return -1;
		}
		return 0;
	}
	if (errno != EINVAL) {
		snprintf(err, errlen, "sandbox: pivot_root into the empty tmpfs: %m");
		return -1;
	}
	/* The root cannot be moved: rootfs (the root of an initramfs) never
	 * can, nor a root whose parent mount is shared. Chroot into the
	 * tmpfs on top of it (runc's --no-pivot). */
	return chroot_cwd(err, errlen);
}

static int empty_root(char *err, size_t errlen)
{
	int tmpfs = empty_tmpfs(err, errlen);

	if (tmpfs < 0)
		return -1;
	int rc = -1;

	if (fchdir(tmpfs) < 0)
		snprintf(err, errlen, "sandbox: entering the empty tmpfs: %m");
	else
		rc = enter_cwd_as_root(tmpfs, err, errlen);
	close(tmpfs);
	return rc;
}

static int die_with_parent(char *err, size_t errlen)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: parent death signal: %m");
		return -1;
	}
	return 0;
}

int sandbox_enter(const struct sandbox_config *config, char *err, size_t errlen)
{
	const char *const *const lists[] = { sandbox_common_syscalls, sandbox_sanitizer_syscalls,
					     config->syscalls };
	int ready[2];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "sandbox: no_new_privs: %m");
		return -1;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS) < 0) {
		snprintf(err, errlen, "sandbox: new mount, pid, ipc, net and uts namespaces: %m "
			 "(needs root or CAP_SYS_ADMIN)");
		return -1;
	}
	/* pivot_root moves whoever has the old root as root or current
	 * directory: the parent too, which then pins no host mount. */
	if (chdir("/") < 0) {
		snprintf(err, errlen, "sandbox: chdir /: %m");
		return -1;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "sandbox: a pipe to the parent: %m");
		return -1;
	}
	fflush(NULL);
	child_pid = fork();
	if (child_pid < 0) {
		snprintf(err, errlen, "sandbox: fork into the new pid namespace: %m");
		return -1;
	}
	if (child_pid > 0) {
		close(ready[1]);
		parent_wait(config, ready[0]);
	}
	close(ready[0]);
	/* The process does not outlive the parent its starter knows.
	 * Changing credentials clears the parent-death signal, so it is set
	 * again once the ids are dropped; the first setting covers the root
	 * set-up. */
	if (die_with_parent(err, errlen) < 0 || empty_root(err, errlen) < 0 ||
	    drop_privileges(config, err, errlen) < 0 || die_with_parent(err, errlen) < 0)
		return -1;
	close(ready[1]);
	close(0);
	return install_seccomp(lists, sizeof(lists) / sizeof(lists[0]), config, err, errlen);
}
