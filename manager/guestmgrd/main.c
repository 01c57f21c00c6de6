/* guestmgrd: the supervising daemon. Options, sockets (its own or
 * systemd's), autostart, the event loop, and an orderly stop: on SIGTERM
 * every guest is stopped before the daemon exits. See guestmgrd(8). */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "ipc/schema.h"
#include "manager/guestmgrd/daemon.h"
#include "manager/guestmgrd/guest.h"
#include "manager/guestmgrd/launch.h"
#include "manager/guestmgrd/lifecycle.h"
#include "manager/guestmgrd/log.h"
#include "manager/guestmgrd/package.h"
#include "manager/guestmgrd/request.h"
#include "manager/guestmgrd/run.h"
#include "manager/guestmgrd/server.h"

#define DEFAULT_CONFIG SYSCONFDIR "/guestmgr/guestmgrd.json"

struct options {
	const char *config;
	bool config_given;
	char socket[DAEMON_PATH_MAX + 64];
	char ro_socket[DAEMON_PATH_MAX + 64];
	bool socket_given, ro_socket_given;
	const char *vmm;
	const char *device_dir;
};

static void usage(FILE *to)
{
	fprintf(to,
		"usage: guestmgrd [--config FILE] [--socket PATH] [--ro-socket PATH]\n"
		"                 [--vmm PATH] [--device-dir DIR]\n"
		"The guestmgr daemon: runs the guests of the installed packages (see guestmgrd(8)).\n"
		"  --config FILE     its config (default " DEFAULT_CONFIG ")\n"
		"  --socket PATH     the control socket (default RUN_DIR/guestmgr.sock)\n"
		"  --ro-socket PATH  the read-only socket (default RUN_DIR/guestmgr-ro.sock)\n"
		"  --vmm PATH        guestmgr-vmm (default " LIBEXECDIR "/guestmgr-vmm)\n"
		"  --device-dir DIR  the device programs (default " PKGLIBEXECDIR ")\n"
		"Started by systemd, it takes the sockets systemd passes (socket activation).\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "ro-socket", required_argument, NULL, 'r' },
		{ "vmm", required_argument, NULL, 'v' },
		{ "device-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config = DEFAULT_CONFIG;
	o->vmm = LIBEXECDIR "/guestmgr-vmm";
	o->device_dir = PKGLIBEXECDIR;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 's':
			snprintf(o->socket, sizeof(o->socket), "%s", optarg);
			o->socket_given = true;
			break;
		case 'r':
			snprintf(o->ro_socket, sizeof(o->ro_socket), "%s", optarg);
			o->ro_socket_given = true;
			break;
		case 'v':
			o->vmm = optarg;
			break;
		case 'd':
			o->device_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The sockets systemd passed, told apart by path; else our own. */
static int open_sockets(struct daemon *d, const struct options *o, char *err, size_t errlen)
{
	int n = sd_listen_fds(1);

	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		bool ro = sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, o->ro_socket, 0) > 0;
		bool control = sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, o->socket, 0) > 0;

		/* A socket of neither path would be served with rights nobody
		 * chose for it: units and config must agree. */
		if (!ro && !control) {
			snprintf(err, errlen,
				 "socket activation: fd %d is not a listening SOCK_SEQPACKET socket at %s or %s (do the socket units and run_dir agree?)",
				 fd, o->socket, o->ro_socket);
			return -1;
		}
		/* The config names the control group; the socket unit does not. */
		if (control && d->cfg.control_gid &&
		    chown(o->socket, (uid_t)-1, d->cfg.control_gid) < 0) {
			snprintf(err, errlen, "socket '%s': group '%s': %s", o->socket,
				 d->cfg.control_group, strerror(errno));
			return -1;
		}
		if (server_listen(d, NULL, fd, ro ? GM_ACCESS_MONITOR : GM_ACCESS_CONTROL, 0, 0, err,
				  errlen) < 0)
			return -1;
	}
	if (n > 0)
		return 0;
	if (server_listen(d, o->socket, -1, GM_ACCESS_CONTROL, 0660, d->cfg.control_gid, err,
			  errlen) < 0 ||
	    server_listen(d, o->ro_socket, -1, GM_ACCESS_MONITOR, 0666, 0, err, errlen) < 0)
		return -1;
	return 0;
}

static void add_package(const char *name, const char *dir, void *ctx)
{
	(void)dir;
	guest_add(ctx, name, name);
}

/* Guests whose package asks for it start with the daemon. */
static void autostart(struct daemon *d)
{
	for (struct guest *g = d->guests; g; g = g->next) {
		char dir[DAEMON_PATH_MAX + 128], err[1024];
		json_t *pkg = package_load(&d->cfg, g->package, dir, sizeof(dir), err, sizeof(err));
		int number;

		g->autostart = json_is_true(json_object_get(pkg, "autostart"));
		json_decref(pkg);
		if (g->autostart && launch_guest(g, NULL, NULL, 0, NULL, &number, err, sizeof(err)) < 0)
			log_err("autostart: %s", err);
	}
}

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (d->stopping)
		return;
	log_info("signal %d: stopping every guest, then exiting", (int)sig);
	d->stopping = true;
	sd_notify(0, "STOPPING=1");
	for (struct guest *g = d->guests; g; g = g->next)
		if (g->run)
			run_stop(g->run, GM_STOP_CAUSE_DAEMON, GM_GUEST_ERROR_CONTROLLER_FORCED_HALT,
				 "guestmgrd stopped");
	daemon_notify_status(d);
	daemon_maybe_exit(d);
}

static int set_up(struct daemon *d, struct options *o, char *err, size_t errlen)
{
	char msg[IPC_SCHEMA_ERR_MAX];
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

	if (daemon_config_load(&d->cfg, o->config, o->config_given, err, errlen) < 0)
		return -1;
	if (!o->socket_given)
		snprintf(o->socket, sizeof(o->socket), "%s/guestmgr.sock", d->cfg.run_dir);
	if (!o->ro_socket_given)
		snprintf(o->ro_socket, sizeof(o->ro_socket), "%s/guestmgr-ro.sock", d->cfg.run_dir);
	d->vmm_path = o->vmm;
	d->device_dir = o->device_dir;
	d->next_cid = 3;
	d->base = event_base_new();
	if (!d->base) {
		snprintf(err, errlen, "libevent: cannot create the event loop");
		return -1;
	}
	if (request_init(d, err, errlen) < 0)
		return -1;
	for (int m = GM_VMM_RUNNING; m < GM_VMM_MESSAGE_COUNT; m++) {
		if (!gm_vmm_messages[m].schema)
			continue;
		d->vmm_schemas[m] = ipc_schema_parse(gm_vmm_messages[m].name, gm_vmm_messages[m].schema,
						     msg, sizeof(msg));
		if (!d->vmm_schemas[m]) {
			snprintf(err, errlen, "%s", msg);
			return -1;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		d->stop_ev[i] = evsignal_new(d->base, signals[i], on_stop_signal, d);
		evsignal_add(d->stop_ev[i], NULL);
	}
	char guests_dir[DAEMON_PATH_MAX + 16];

	snprintf(guests_dir, sizeof(guests_dir), "%s/guests", d->cfg.run_dir);
	if ((mkdir(d->cfg.run_dir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(guests_dir, 0755) < 0 && errno != EEXIST)) {
		snprintf(err, errlen, "run directory '%s': %s", guests_dir, strerror(errno));
		return -1;
	}
	if (open_sockets(d, o, err, errlen) < 0)
		return -1;
	package_list(&d->cfg, add_package, d);
	for (struct guest *g = d->guests; g; g = g->next)
		lifecycle_write_state(g);
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct options o;
	char err[4096];

	/* A client that hangs up is its own business. */
	signal(SIGPIPE, SIG_IGN);
	log_init(getenv("JOURNAL_STREAM") != NULL);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (set_up(&d, &o, err, sizeof(err)) < 0) {
		log_err("%s", err);
		sd_notifyf(0, "STATUS=failed: %s", err);
		return 1;
	}
	autostart(&d);
	log_info("ready: control socket %s, read-only socket %s", o.socket, o.ro_socket);
	sd_notify(0, "READY=1");
	daemon_notify_status(&d);
	event_base_dispatch(d.base);
	server_close_all(&d);
	log_info("stopped");
	return 0;
}
