/* Spawning and watching children (child.h). */
#include "manager/guestmgrd/child.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manager/guestmgrd/log.h"

/* Starts SPEC's program with OUT as its stdout and stderr. posix_spawn
 * (glibc: clone with CLONE_VM|CLONE_VFORK) rather than fork + exec: a fork
 * of the daemon copies its page tables and then pays a copy-on-write fault
 * for each page either side touches before the exec, which was most of the
 * daemon's own share of a Launch (bench/README.md, bench/api). The file
 * actions run in the child, in order. */
static int spawn_child(const struct child_spec *spec, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int high[CHILD_MAX_FDS];
	size_t moved = 0;
	int rc = 0;

	if (spec->nfds > CHILD_MAX_FDS)
		return E2BIG;
	/* Out of the way of 3..3+nfds first (one fd may sit where another
	 * goes), close-on-exec so only their dup2 copies reach the child. */
	for (; moved < spec->nfds; moved++) {
		high[moved] = fcntl(spec->fds[moved], F_DUPFD_CLOEXEC, 3 + CHILD_MAX_FDS);
		if (high[moved] < 0) {
			rc = errno;
			goto close_high;
		}
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	for (size_t i = 0; i < spec->nfds; i++)
		posix_spawn_file_actions_adddup2(&fa, high[i], 3 + (int)i);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3 + (int)spec->nfds);
	rc = posix_spawn(pid, spec->path, &fa, &attr, (char *const *)spec->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
close_high:
	while (moved > 0)
		close(high[--moved]);
	return rc;
}

static void keep_line(struct child *c, const char *line)
{
	if (!line[0])
		return;
	log_info("%s: %s", c->log_prefix, line);
	snprintf(c->last_line, sizeof(c->last_line), "%s", line);
}

/* Reads what the child wrote; false at end of file (or nothing yet). */
static bool read_output(struct child *c)
{
	char buf[4096];
	ssize_t n = read(c->out_fd, buf, sizeof(buf));

	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || c->partial_len == sizeof(c->partial) - 1) {
			c->partial[c->partial_len] = 0;
			keep_line(c, c->partial);
			c->partial_len = 0;
			if (buf[i] == '\n')
				continue;
		}
		c->partial[c->partial_len++] = buf[i];
	}
	return n > 0;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	if (!read_output(c))
		event_del(c->out_ev);
}

static void on_exit_ready(evutil_socket_t fd, short what, void *arg)
{
	struct child *c = arg;

	(void)fd;
	(void)what;
	if (waitpid(c->pid, &c->wait_status, WNOHANG) != c->pid)
		return;
	/* What it wrote last comes before its exit in the log. */
	while (read_output(c))
		;
	if (c->partial_len) {
		c->partial[c->partial_len] = 0;
		keep_line(c, c->partial);
		c->partial_len = 0;
	}
	c->exited = true;
	event_del(c->exit_ev);
	c->on_exit(c, c->ctx);
}

int child_spawn(struct child *c, struct event_base *base, const struct child_spec *spec,
		child_exit_fn on_exit, void *ctx, char *err, size_t errlen)
{
	int out[2];

	c->pid = 0;
	c->pidfd = c->out_fd = -1;
	c->exit_ev = c->out_ev = NULL;
	c->partial_len = 0;
	c->last_line[0] = 0;
	c->exited = false;
	c->on_exit = on_exit;
	c->ctx = ctx;
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: pipe: %s", c->name, strerror(errno));
		return -1;
	}
	pid_t pid;
	int rc = spawn_child(spec, out[1], &pid);

	close(out[1]);
	if (rc) {
		snprintf(err, errlen, "%s: cannot run %s: %s", c->name, spec->path, strerror(rc));
		close(out[0]);
		return -1;
	}
	c->pid = pid;
	c->out_fd = out[0];
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0) {
		snprintf(err, errlen, "%s: pidfd_open: %s", c->name, strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		child_release(c);
		c->pid = 0;
		return -1;
	}
	c->out_ev = event_new(base, c->out_fd, EV_READ | EV_PERSIST, on_output, c);
	c->exit_ev = event_new(base, c->pidfd, EV_READ | EV_PERSIST, on_exit_ready, c);
	event_add(c->out_ev, NULL);
	event_add(c->exit_ev, NULL);
	return 0;
}

void child_signal(struct child *c, int sig)
{
	if (c->pid > 0 && !c->exited)
		syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
}

void child_describe_exit(const struct child *c, char *buf, size_t len)
{
	int st = c->wait_status;

	if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (SIG%s)%s", WTERMSIG(st),
			 sigabbrev_np(WTERMSIG(st)) ?: "?",
			 WTERMSIG(st) == SIGSYS ? ": a system call its seccomp filter forbids" : "");
	else
		snprintf(buf, len, "ended (wait status 0x%x)", st);
}

void child_release(struct child *c)
{
	if (c->exit_ev)
		event_free(c->exit_ev);
	if (c->out_ev)
		event_free(c->out_ev);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->exit_ev = c->out_ev = NULL;
	c->pidfd = c->out_fd = -1;
}
