/* Spawning and watching children (child.h). */
#include "manager/guestmgrd/child.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manager/guestmgrd/log.h"

/* Everything the child needs is set up here, between fork and exec. */
static void __attribute__((noreturn)) exec_child(const struct child_spec *spec, int out)
{
	int high[64];
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Out of the way of 3..3+nfds first, then into place. */
	for (size_t i = 0; i < spec->nfds && i < 64; i++)
		high[i] = fcntl(spec->fds[i], F_DUPFD, 100);
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	for (size_t i = 0; i < spec->nfds && i < 64; i++)
		if (high[i] < 0 || dup2(high[i], 3 + (int)i) < 0)
			_exit(127);
	syscall(SYS_close_range, 3 + spec->nfds, ~0u, 0);
	execv(spec->path, (char *const *)spec->argv);
	fprintf(stderr, "cannot run %s: %s\n", spec->path, strerror(errno));
	_exit(127);
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
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "%s: fork: %s", c->name, strerror(errno));
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0)
		exec_child(spec, out[1]);
	close(out[1]);
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
