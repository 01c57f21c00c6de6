/* guestmgr-vmm: one guest's virtual machine monitor. Reads the launch
 * config, builds the machine, runs it until it stops, and says why on
 * stderr ("vmm: guest stopped: i8042 reset") and, when started by the
 * daemon (--config-fd), on its control socket (control.h); exit_status.h
 * lists the exit statuses. */
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/lib/sandbox.h"
#include "vmm/config.h"
#include "vmm/confine.h"
#include "vmm/control.h"
#include "vmm/exit_status.h"
#include "vmm/run_loop.h"
#include "vmm/vm.h"
#include "vmm/x86/acpi.h"

#define ERR_MAX 1024

struct options {
	const char *config_file;
	int config_fd;
	const char *dump_acpi_dir;
	bool stats;
	bool confined;		/* --config-fd, --sandbox or --sandbox-uid; not --dump-acpi */
	uid_t sandbox_uid;
};

static void usage(FILE *to)
{
	fprintf(to,
		"usage: guestmgr-vmm --config FILE.json [--sandbox | --sandbox-uid UID] [--stats]\n"
		"       guestmgr-vmm --config-fd N [--sandbox-uid UID] [--stats]\n"
		"       guestmgr-vmm (--config FILE.json | --config-fd N) --dump-acpi DIR\n"
		"Runs one guest. --config-fd reads the config as one message with fds\n"
		"from the SOCK_SEQPACKET socket N, then keeps N as the daemon's control\n"
		"socket (the vmm messages of schemas/protocol.json). With --config-fd\n"
		"(always), --sandbox or --sandbox-uid, the vmm runs confined once the\n"
		"config is read and /dev/kvm is open: its own namespaces, an empty\n"
		"root, uid and gid UID (default: one derived from its pid), no\n"
		"capabilities, a seccomp allowlist (vmm/README.md). --dump-acpi\n"
		"writes the machine's ACPI tables to DIR/<SIG>.dat and exits without\n"
		"running the guest. --stats prints, when the guest stops, how many guest\n"
		"accesses exited to the vmm: per port and MMIO range, and per register\n"
		"region of each virtio device (common, isr, device, notify, msix).\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "config-fd", required_argument, NULL, 'f' },
		{ "dump-acpi", required_argument, NULL, 'a' },
		{ "stats", no_argument, NULL, 's' },
		{ "sandbox", no_argument, NULL, 'b' },
		{ "sandbox-uid", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool sandbox = false;
	char *end, err[256];
	int c;

	o->config_file = NULL;
	o->config_fd = -1;
	o->dump_acpi_dir = NULL;
	o->stats = false;
	o->sandbox_uid = sandbox_default_uid();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_file = optarg;
			break;
		case 'f':
			o->config_fd = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->config_fd < 0) {
				fprintf(stderr, "vmm: --config-fd: '%s' is not an fd number\n", optarg);
				return -1;
			}
			break;
		case 'a':
			o->dump_acpi_dir = optarg;
			break;
		case 's':
			o->stats = true;
			break;
		case 'u':
			if (sandbox_parse_uid(optarg, &o->sandbox_uid, err, sizeof(err)) < 0) {
				fprintf(stderr, "vmm: --sandbox-uid: %s\n", err);
				return -1;
			}
			sandbox = true;
			break;
		case 'b':
			sandbox = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (o->config_file != NULL) == (o->config_fd >= 0)) {
		usage(stderr);
		return -1;
	}
	/* A daemon's vmm (--config-fd) is confined whatever it was told. */
	o->confined = (o->config_fd >= 0 || sandbox) && !o->dump_acpi_dir;
	if (o->confined && o->config_fd == 0) {
		fprintf(stderr, "vmm: --config-fd 0: that is stdin, which the sandbox closes\n");
		return -1;
	}
	return 0;
}

static int dump_acpi(const struct vmm_config *cfg, const char *dir, char *err, size_t errlen)
{
	struct machine_desc m;
	uint8_t *area = calloc(1, LAYOUT_ACPI_SIZE);
	int ret = -1;

	machine_desc_init(&m, cfg->cpus, cfg->guest_memory);
	if (!area)
		snprintf(err, errlen, "ACPI tables: out of memory");
	else if (!acpi_build(area, &m))
		snprintf(err, errlen, "ACPI tables do not fit in %llu bytes",
			 (unsigned long long)LAYOUT_ACPI_SIZE);
	else
		ret = acpi_write_files(area, dir, err, errlen);
	free(area);
	return ret;
}

static int run(const struct vmm_config *cfg, struct event_base *base, int control_sock,
	       bool stats, char *msg, size_t len)
{
	struct vm vm;
	int status = VMM_EXIT_START_FAILURE;

	if (vm_build(&vm, cfg, msg, len) == 0) {
		status = run_loop(&vm, base, control_sock, msg, len);
		if (stats)
			vm_print_stats(&vm, stderr);
	}
	vm_destroy(&vm);
	return status;
}

/* Everything between the arguments and the exit: the exit status, and in
 * msg the one-line stop reason. */
static int load_and_run(const struct options *opt, char *msg, size_t len)
{
	struct event_base *base;
	struct vmm_config cfg;
	int status;

	if ((opt->config_file ? config_load_file(&cfg, opt->config_file, msg, len)
			      : config_load_socket(&cfg, opt->config_fd, msg, len)) < 0)
		return VMM_EXIT_START_FAILURE;
	if (opt->dump_acpi_dir) {
		status = dump_acpi(&cfg, opt->dump_acpi_dir, msg, len) < 0 ? VMM_EXIT_START_FAILURE
									 : VMM_EXIT_GUEST_STOPPED;
		if (!status)
			snprintf(msg, len, "ACPI tables written to %s", opt->dump_acpi_dir);
		config_free(&cfg);
		return status;
	}
	status = VMM_EXIT_START_FAILURE;
	/* Everything from the host first: the confined vmm opens nothing. */
	base = event_base_new();
	if (!base)
		snprintf(msg, len, "main loop: libevent cannot create it");
	else if (config_open_kvm(&cfg, msg, len) == 0 &&
		 (!opt->confined || vmm_confine(opt->sandbox_uid, msg, len) == 0))
		status = run(&cfg, base, opt->config_fd, opt->stats, msg, len);
	if (base)
		event_base_free(base);
	config_free(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	struct options opt;
	char msg[ERR_MAX];
	sigset_t stop_signals;
	int status;

	/* Until the main loop handles them (run_loop unblocks them), and
	 * for good in every vCPU thread. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	/* A closed serial output is the reader's business, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);

	sandbox_prepare();
	if (parse_args(argc, argv, &opt) < 0)
		return VMM_EXIT_START_FAILURE;
	status = load_and_run(&opt, msg, sizeof(msg));
	fprintf(stderr, "vmm: %s\n", msg);
	/* The daemon's socket outlives the config message: it hears the end. */
	if (opt.config_fd >= 0)
		control_send_stopped(opt.config_fd, status, msg);
#ifdef SANDBOX_ASAN
	/* LeakSanitizer's exit-time check stops the world with clone and
	 * ptrace, which the allowlist forbids: a confined vmm leaves without
	 * it (unconfined runs and the unit tests check for leaks). */
	if (opt.confined) {
		fflush(NULL);
		_exit(status);
	}
#endif
	return status;
}
