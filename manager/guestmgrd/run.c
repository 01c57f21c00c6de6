/* One launch's processes (run.h). */
#include "manager/guestmgrd/run.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/frame.h"
#include "manager/guestmgrd/child.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/lifecycle.h"
#include "manager/guestmgrd/log.h"
#include "manager/guestmgrd/storage.h"

#define MAX_DEVICES (PLAN_MAX_BLOCKS + 2)
/* A vmm asked to stop, and devices once the vmm has hung up, leave by
 * themselves; past this they are killed. */
#define GRACE_SECONDS 5

struct run {
	struct guest *g;
	struct launch_plan plan;
	struct child vmm;
	struct child devices[MAX_DEVICES];
	size_t ndevices;
	long uids[MAX_DEVICES + 1];
	size_t nuids;
	int vmm_sock;
	struct event *vmm_ev;
	struct event *grace;
	struct event *power_timer;	/* a graceful stop's deadline */
	unsigned power_button_ms;
	bool console;
	bool said_stopped;		/* the vmm sent "stopped" */
	char vmm_message[512];
	bool ending;
	struct stop_reason reason;
};

static bool all_exited(const struct run *run)
{
	if (run->vmm.pid && !run->vmm.exited)
		return false;
	for (size_t i = 0; i < run->ndevices; i++)
		if (run->devices[i].pid && !run->devices[i].exited)
			return false;
	return true;
}

static void run_free(struct run *run)
{
	struct daemon *d = run->g->daemon;

	if (run->vmm.pid)
		child_release(&run->vmm);
	for (size_t i = 0; i < run->ndevices; i++)
		child_release(&run->devices[i]);
	for (size_t i = 0; i < run->nuids; i++)
		daemon_put_uid(d, run->uids[i]);
	if (run->vmm_ev)
		event_free(run->vmm_ev);
	if (run->grace)
		event_free(run->grace);
	if (run->power_timer)
		event_free(run->power_timer);
	if (run->vmm_sock >= 0)
		close(run->vmm_sock);
	launch_plan_free(&run->plan);
	free(run);
}

/* Once the last process is gone, the guest's status moves on. */
static void maybe_finished(struct run *run)
{
	struct guest *g = run->g;

	if (!run->ending || !all_exited(run))
		return;
	hub_close(&g->serial);
	if (run->console)
		hub_close(&g->console);
	struct stop_reason reason = run->reason;

	run_free(run);
	lifecycle_ended(g, &reason);
}

static void kill_all(struct run *run, int sig)
{
	child_signal(&run->vmm, sig);
	for (size_t i = 0; i < run->ndevices; i++)
		child_signal(&run->devices[i], sig);
}

static void on_grace_over(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;

	(void)fd;
	(void)what;
	if (!run->vmm.exited && run->vmm.pid)
		log_warn("guest '%s': the vmm still runs %d s after it was asked to stop: killed",
			 run->g->name, GRACE_SECONDS);
	for (size_t i = 0; i < run->ndevices; i++)
		if (!run->devices[i].exited)
			log_warn("guest '%s': %s still runs %d s after the vmm: killed", run->g->name,
				 run->devices[i].name, GRACE_SECONDS);
	kill_all(run, SIGKILL);
}

/* Whatever still runs is killed GRACE_SECONDS from now. */
static void start_grace(struct run *run)
{
	struct timeval tv = { GRACE_SECONDS, 0 };

	if (!run->grace)
		run->grace = evtimer_new(run->g->daemon->base, on_grace_over, run);
	evtimer_add(run->grace, &tv);
}

/* Sends the vmm COMMAND ("stop": stop the guest and exit, as SIGTERM
 * would; "power_button"). */
static bool vmm_command(struct run *run, const char *command)
{
	json_t *msg = json_pack("{s:s}", "command", command);
	char *text = json_dumps(msg, JSON_COMPACT);
	struct ipc_error ierr;
	bool sent = text && run->vmm.pid && !run->vmm.exited && run->vmm_sock >= 0 &&
		    ipc_send(run->vmm_sock, text, strlen(text), NULL, 0, &ierr) == IPC_OK;

	free(text);
	json_decref(msg);
	return sent;
}

void run_stop(struct run *run, enum gm_stop_cause cause, int guest_error, const char *message)
{
	if (!run->ending) {
		run->ending = true;
		run->reason.cause = cause;
		run->reason.guest_error = guest_error;
		run->reason.exit_status = -1;
		run->reason.signal = 0;
		snprintf(run->reason.message, sizeof(run->reason.message), "%s", message);
		lifecycle_stopping(run->g);
	}
	/* The daemon going away lets the vmm stop in order; everything else
	 * that stops a run stops it now. */
	if (cause == GM_STOP_CAUSE_DAEMON && vmm_command(run, "stop"))
		start_grace(run);
	else
		kill_all(run, SIGKILL);
	maybe_finished(run);
}

static void on_power_button_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;
	char msg[160];

	(void)fd;
	(void)what;
	snprintf(msg, sizeof(msg), "the guest did not power off within %u ms of the power button",
		 run->power_button_ms);
	run_stop(run, GM_STOP_CAUSE_FORCED, GM_GUEST_ERROR_CONTROLLER_FORCED_HALT, msg);
}

void run_power_off(struct run *run, unsigned timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	if (run->ending || run->power_timer)
		return;
	/* A guest still starting has no ACPI driver to take the press yet. */
	if (run->g->status != GM_GUEST_STATUS_RUNNING || !vmm_command(run, "power_button")) {
		run_stop(run, GM_STOP_CAUSE_FORCED, GM_GUEST_ERROR_CONTROLLER_FORCED_HALT,
			 "stopped: the power button could not be pressed");
		return;
	}
	lifecycle_stopping(run->g);
	run->power_button_ms = timeout_ms;
	run->power_timer = evtimer_new(run->g->daemon->base, on_power_button_timeout, run);
	evtimer_add(run->power_timer, &tv);
}

/* The vmm's exit says how the run ended, unless something else did first. */
static void vmm_exited(struct child *c, void *arg)
{
	struct run *run = arg;
	struct stop_reason *r = &run->reason;
	const char *msg = run->said_stopped ? run->vmm_message : c->last_line;
	char how[160];

	child_describe_exit(c, how, sizeof(how));
	if (!run->ending) {
		bool running = run->g->status == GM_GUEST_STATUS_RUNNING;

		run->ending = true;
		r->exit_status = WIFEXITED(c->wait_status) ? WEXITSTATUS(c->wait_status) : -1;
		r->signal = WIFSIGNALED(c->wait_status) ? WTERMSIG(c->wait_status) : 0;
		if (r->signal) {
			r->cause = GM_STOP_CAUSE_VMM_DIED;
			r->guest_error = GM_GUEST_ERROR_INTERNAL_ERROR;
			snprintf(r->message, sizeof(r->message), "the vmm was %s", how);
		} else if (r->exit_status == 0) {
			r->cause = GM_STOP_CAUSE_GUEST;
			r->guest_error = 0;
			snprintf(r->message, sizeof(r->message), "%.400s%s",
				 msg[0] ? msg : "the guest stopped itself",
				 run->power_timer ? " (the power button was pressed)" : "");
		} else {
			r->cause = GM_STOP_CAUSE_VMM_ERROR;
			r->guest_error = r->exit_status == 1 ? GM_GUEST_ERROR_BAD_CONFIG
					 : running	       ? GM_GUEST_ERROR_VCPU_RUNTIME_FAILURE
							       : GM_GUEST_ERROR_GUEST_INITIALIZATION_FAILURE;
			snprintf(r->message, sizeof(r->message), "the vmm %s: %.300s", how,
				 msg[0] ? msg : "no message");
		}
		lifecycle_stopping(run->g);
	} else if (r->exit_status < 0 && WIFEXITED(c->wait_status)) {
		r->exit_status = WEXITSTATUS(c->wait_status);
	}
	/* A graceful stop's deadline is moot once the vmm is gone. */
	if (run->power_timer)
		evtimer_del(run->power_timer);
	/* The devices see the vmm hang up and leave; give them a moment. */
	if (!all_exited(run))
		start_grace(run);
	maybe_finished(run);
}

static void device_exited(struct child *c, void *arg)
{
	struct run *run = arg;
	char how[160], msg[512];
	bool clean = WIFEXITED(c->wait_status) && WEXITSTATUS(c->wait_status) == 0;

	/* A device leaves with status 0 once its frontend hangs up: the vmm is
	 * on its way out, and its own exit (maybe not seen yet) tells why. */
	if (!run->ending && !clean) {
		bool running = run->g->status == GM_GUEST_STATUS_RUNNING;

		child_describe_exit(c, how, sizeof(how));
		snprintf(msg, sizeof(msg), "device %s %s%s%.200s", c->name, how,
			 c->last_line[0] ? ": " : "", c->last_line);
		snprintf(run->g->device_death, sizeof(run->g->device_death), "%s", msg);
		run_stop(run, GM_STOP_CAUSE_DEVICE_DIED,
			 running ? GM_GUEST_ERROR_DEVICE_START_FAILURE
				 : GM_GUEST_ERROR_DEVICE_INITIALIZATION_FAILURE,
			 msg);
		return;
	}
	maybe_finished(run);
}

/* What the vmm says on its control socket. */
static void on_vmm_message(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;
	struct daemon *d = run->g->daemon;
	char buf[4096], err[512];
	struct ipc_msg msg;
	struct ipc_error ierr;
	enum ipc_status st = ipc_recv(fd, buf, sizeof(buf) - 1, &msg, &ierr);

	(void)what;
	if (st == IPC_E_AGAIN)
		return;
	if (st != IPC_OK) {
		/* Closed (the vmm is exiting) or broken: its exit tells the rest. */
		event_del(run->vmm_ev);
		return;
	}
	ipc_close_fds(msg.fds, msg.nfds);
	json_t *doc = json_loadb(buf, msg.len, JSON_REJECT_DUPLICATES, NULL);
	const char *event = json_string_value(json_object_get(doc, "event"));
	int which = event && !strcmp(event, "running") ? GM_VMM_RUNNING : GM_VMM_STOPPED;

	if (!doc || ipc_schema_validate(d->vmm_schemas[which], doc, err, sizeof(err)) < 0) {
		log_warn("guest '%s': vmm sent a message that is not one: %s", run->g->name,
			 doc ? err : "not JSON");
	} else if (which == GM_VMM_RUNNING) {
		lifecycle_running(run->g);	/* writes the runtime state */
	} else {
		run->said_stopped = true;
		snprintf(run->vmm_message, sizeof(run->vmm_message), "%s",
			 json_string_value(json_object_get(doc, "message")));
	}
	json_decref(doc);
}

static int open_file(const char *path, int flags, const char *what, char *err, size_t errlen)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		snprintf(err, errlen, "%s '%s': %s", what, path, strerror(errno));
	return fd;
}

/* The --sandbox-uid argument of a confined child (WHO): each process its
 * own uid, so none can signal or ptrace another; given back with the run. */
static int take_uid(struct run *run, const char *who, char *arg, size_t len, char *err,
		    size_t errlen)
{
	long uid = daemon_take_uid(run->g->daemon);

	if (uid < 0) {
		snprintf(err, errlen, "%s: every uid from uid_base is taken", who);
		return -1;
	}
	run->uids[run->nuids++] = uid;
	snprintf(arg, len, "%ld", uid);
	return 0;
}

/* A device process: its vhost-user socket is fds[0] (--fd 3). */
static int spawn_device(struct run *run, const char *program, const char *name,
			const char *const *extra_args, const int *fds, size_t nfds, int *vmm_end,
			char *err, size_t errlen)
{
	struct daemon *d = run->g->daemon;
	struct child *c = &run->devices[run->ndevices];
	char path[DAEMON_PATH_MAX + 64], uid_arg[24], who[80];
	const char *argv[24] = { program, "--fd", "3", "--sandbox-uid", uid_arg };
	int all[2 + PLAN_MAX_BACKING], sv[2];
	size_t argc = 5;

	snprintf(who, sizeof(who), "device %s", name);
	if (take_uid(run, who, uid_arg, sizeof(uid_arg), err, errlen) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "device %s: socketpair: %s", name, strerror(errno));
		return -1;
	}
	all[0] = sv[1];
	if (nfds)
		memcpy(all + 1, fds, nfds * sizeof(*fds));
	for (; extra_args && *extra_args && argc < 23; extra_args++)
		argv[argc++] = *extra_args;
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "%s/%s", d->device_dir, program);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->log_prefix, sizeof(c->log_prefix), "guest '%s': %s", run->g->name, name);
	struct child_spec spec = { .path = path, .argv = argv, .fds = all, .nfds = nfds + 1 };
	int rc = child_spawn(c, d->base, &spec, device_exited, run, err, errlen);

	close(sv[1]);
	if (rc < 0) {
		close(sv[0]);
		return -1;
	}
	run->ndevices++;
	*vmm_end = sv[0];
	return 0;
}

/* The vmm's launch config under construction: fds are appended to FDS and
 * named by index. */
struct launch_msg {
	json_t *config;
	int fds[GM_MAX_FDS];
	size_t nfds;
};

static json_t *fd_ref(struct launch_msg *m, int fd)
{
	m->fds[m->nfds] = fd;
	return json_pack("{s:i}", "fd", (int)m->nfds++);
}

static int spawn_block(struct run *run, struct launch_msg *m, json_t *devs,
		       const struct block_plan *b, char *err, size_t errlen)
{
	char name[64], fd_args[PLAN_MAX_BACKING][8];
	int fds[1 + PLAN_MAX_BACKING], vmm_end;
	const char *args[24] = { "--blk-fd", "4", "--format", b->format, "--serial", b->id };
	size_t nargs = 6, nfds = 0;
	int own = -1;

	snprintf(name, sizeof(name), "virtio-blk '%s'", b->id);
	if (b->source == BLOCK_FROM_CLIENT) {
		fds[nfds++] = b->fd;
	} else {
		own = open_file(b->path, strcmp(b->mode, "read_write") ? O_RDONLY : O_RDWR, name, err,
				errlen);
		if (own < 0)
			return -1;
		fds[nfds++] = own;
	}
	/* The client's chain, nearest first, as fds 5, 6, ... */
	for (size_t k = 0; k < b->nbacking; k++) {
		fds[nfds] = b->backing_fds[k];
		snprintf(fd_args[k], sizeof(fd_args[k]), "%zu", 3 + 1 + nfds);
		nfds++;
		args[nargs++] = "--backing-fd";
		args[nargs++] = fd_args[k];
	}
	if (!strcmp(b->mode, "read_only"))
		args[nargs++] = "--read-only";
	else if (!strcmp(b->mode, "volatile_write"))
		args[nargs++] = "--volatile";
	args[nargs] = NULL;
	int rc = spawn_device(run, "virtio-blk", name, args, fds, nfds, &vmm_end, err, errlen);

	if (own >= 0)
		close(own);
	if (rc < 0)
		return -1;
	json_array_append_new(devs, json_pack("{s:s, s:o}", "type", "blk", "socket", fd_ref(m, vmm_end)));
	return 0;
}

/* The console's far end becomes the guest's console hub. */
static int spawn_console(struct run *run, struct launch_msg *m, json_t *devs, char *err,
			 size_t errlen)
{
	struct guest *g = run->g;
	char hub_name[160];
	int con[2], vmm_end;
	const char *args[] = { "--console-fd", "4", NULL };

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) < 0) {
		snprintf(err, errlen, "virtio-console: socketpair: %s", strerror(errno));
		return -1;
	}
	int rc = spawn_device(run, "virtio-console", "virtio-console", args, &con[1], 1, &vmm_end,
			      err, errlen);

	close(con[1]);
	if (rc < 0) {
		close(con[0]);
		return -1;
	}
	snprintf(hub_name, sizeof(hub_name), "guest '%s' console", g->name);
	if (hub_open(&g->console, g->daemon->base, hub_name, con[0], NULL, err, errlen) < 0)
		return -1;
	run->console = true;
	json_array_append_new(devs,
			      json_pack("{s:s, s:o}", "type", "console", "socket", fd_ref(m, vmm_end)));
	return 0;
}

static int spawn_devices(struct run *run, struct launch_msg *m, char *err, size_t errlen)
{
	json_t *devs = json_array();
	int vmm_end;

	json_object_set_new(m->config, "vhost_user_devices", devs);
	for (size_t i = 0; i < run->plan.nblocks; i++)
		if (spawn_block(run, m, devs, &run->plan.blocks[i], err, errlen) < 0)
			return -1;
	if (run->plan.console && spawn_console(run, m, devs, err, errlen) < 0)
		return -1;
	if (run->plan.rng) {
		if (spawn_device(run, "virtio-rng", "virtio-rng", NULL, NULL, 0, &vmm_end, err,
				 errlen) < 0)
			return -1;
		json_array_append_new(devs, json_pack("{s:s, s:o}", "type", "rng", "socket",
						      fd_ref(m, vmm_end)));
	}
	return 0;
}

/* The files of the launch config the daemon opens itself: the package's
 * kernel, ramdisk and overlay, /dev/kvm, and the serial line. */
static int config_files(struct run *run, struct launch_msg *m, char *err, size_t errlen)
{
	struct guest *g = run->g;
	const struct launch_plan *p = &run->plan;
	char hub_name[160], log_path[DAEMON_PATH_MAX + 128];
	int fd, serial[2];

	m->config = json_pack("{s:i, s:I}", "cpus", (int)p->cpus, "guest_memory",
			      (json_int_t)p->guest_memory);
	if (p->cmdline)
		json_object_set(m->config, "cmdline", p->cmdline);
	if (p->cmdline_add)
		json_object_set(m->config, "cmdline_add", p->cmdline_add);
	if ((fd = open_file("/dev/kvm", O_RDWR, "KVM", err, errlen)) < 0)
		return -1;
	json_object_set_new(m->config, "kvm", fd_ref(m, fd));
	if ((fd = open_file(p->kernel, O_RDONLY, "kernel", err, errlen)) < 0)
		return -1;
	json_object_set_new(m->config, "kernel", fd_ref(m, fd));
	if (p->ramdisk[0]) {
		if ((fd = open_file(p->ramdisk, O_RDONLY, "ramdisk", err, errlen)) < 0)
			return -1;
		json_object_set_new(m->config, "ramdisk", fd_ref(m, fd));
	}
	if (p->dtb_overlay[0]) {
		if ((fd = open_file(p->dtb_overlay, O_RDONLY, "dtb_overlay", err, errlen)) < 0)
			return -1;
		json_object_set_new(m->config, "dtb_overlay", fd_ref(m, fd));
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, serial) < 0) {
		snprintf(err, errlen, "serial: socketpair: %s", strerror(errno));
		return -1;
	}
	json_object_set_new(m->config, "serial", json_pack("{s:o}", "fd", json_integer((int)m->nfds)));
	m->fds[m->nfds++] = serial[1];
	snprintf(hub_name, sizeof(hub_name), "guest '%s' serial", g->name);
	storage_log_path(g->daemon, g->name, log_path, sizeof(log_path));
	return hub_open(&g->serial, g->daemon->base, hub_name, serial[0], log_path, err, errlen);
}

static int spawn_vmm(struct run *run, struct launch_msg *m, char *err, size_t errlen)
{
	struct daemon *d = run->g->daemon;
	char payload_err[256], uid_arg[24];
	const char *argv[] = { "guestmgr-vmm", "--config-fd", "3", "--sandbox-uid", uid_arg, NULL };
	int sv[2];

	if (take_uid(run, "vmm", uid_arg, sizeof(uid_arg), err, errlen) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "vmm: socketpair: %s", strerror(errno));
		return -1;
	}
	snprintf(run->vmm.name, sizeof(run->vmm.name), "vmm");
	snprintf(run->vmm.log_prefix, sizeof(run->vmm.log_prefix), "guest '%s'", run->g->name);
	struct child_spec spec = { .path = d->vmm_path, .argv = argv, .fds = &sv[1], .nfds = 1 };

	if (child_spawn(&run->vmm, d->base, &spec, vmm_exited, run, err, errlen) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	run->vmm_sock = sv[0];
	char *text = json_dumps(m->config, JSON_COMPACT);
	struct ipc_error ierr;
	enum ipc_status st = text ? ipc_send(run->vmm_sock, text, strlen(text), m->fds, m->nfds, &ierr)
				  : IPC_E_EMPTY;

	free(text);
	if (st != IPC_OK) {
		snprintf(err, errlen, "vmm: sending the launch config: %s",
			 text ? ipc_strerror(&ierr, payload_err, sizeof(payload_err)) : "out of memory");
		return -1;
	}
	fcntl(run->vmm_sock, F_SETFL, O_NONBLOCK);
	run->vmm_ev = event_new(d->base, run->vmm_sock, EV_READ | EV_PERSIST, on_vmm_message, run);
	event_add(run->vmm_ev, NULL);
	return 0;
}

int run_start(struct guest *g, struct launch_plan *plan, char *err, size_t errlen)
{
	struct run *run = calloc(1, sizeof(*run));
	struct launch_msg m = { 0 };
	int rc = -1, launch_error = GM_GUEST_MANAGER_ERROR_START_FAILURE;

	if (!run) {
		snprintf(err, errlen, "out of memory");
		launch_plan_free(plan);
		return -1;
	}
	run->g = g;
	run->plan = *plan;
	run->vmm_sock = -1;
	g->run = run;
	if (run->plan.has_storage &&
	    storage_make(g->daemon, g->name, run->plan.storage_size, err, errlen) < 0)
		launch_error = GM_GUEST_MANAGER_ERROR_NO_STORAGE;
	else if (config_files(run, &m, err, errlen) == 0 && spawn_devices(run, &m, err, errlen) == 0 &&
		 spawn_vmm(run, &m, err, errlen) == 0)
		rc = 0;
	ipc_close_fds(m.fds, m.nfds);
	json_decref(m.config);
	if (rc < 0) {
		/* What did start is killed; the guest ends STOPPED with the reason. */
		run->reason.launch_error = launch_error;
		run_stop(run, GM_STOP_CAUSE_VMM_ERROR, GM_GUEST_ERROR_GUEST_INITIALIZATION_FAILURE, err);
		return -1;
	}
	lifecycle_write_state(g);
	return 0;
}

json_t *run_describe(const struct run *run)
{
	json_t *devs = json_object();

	for (size_t i = 0; i < run->ndevices; i++)
		if (run->devices[i].pid)
			json_object_set_new(devs, run->devices[i].name, json_integer(run->devices[i].pid));
	return json_pack("{s:i, s:o}", "vmm", (int)run->vmm.pid, "devices", devs);
}

bool run_has_console(const struct run *run)
{
	return run->console;
}
