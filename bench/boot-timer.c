/* boot-timer: run one VMM command and time it the same way for every VMM.
 *
 *   boot-timer [--marker TEXT] [--hold] [--output FILE] -- COMMAND [ARG...]
 *
 * The command's stdout is the guest's serial port (copied to FILE with
 * --output, for what the guest said). Printed, one line of
 * key=value pairs (milliseconds from just before the command's exec):
 *   first_output_ms  first byte of serial output
 *   marker_ms        first time TEXT appeared in the output (with --marker)
 *   exit_ms          the process was reaped
 *   setup_ms         the vmm's own "startup: first KVM_RUN at <ns>" trace
 *                    on stderr, when the command printed one
 *   rss_kib pss_kib  whole process at the marker (with --marker)
 *   guest_rss_kib guest_pss_kib  the largest mapping, i.e. guest RAM
 * With --hold the guest is expected to keep running after the marker: its
 * memory is read, then it is sent SIGTERM (the vmm) and, if needed, SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct mem_usage {
	long rss_kib, pss_kib;
	long guest_rss_kib, guest_pss_kib;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double ms_since(int64_t t0, int64_t t)
{
	return (double)(t - t0) / 1e6;
}

/* Sum Rss and Pss over /proc/PID/smaps; the largest mapping is guest RAM
 * for both our vmm (the memfd) and QEMU (its RAM block). */
static int read_mem_usage(pid_t pid, struct mem_usage *usage)
{
	char path[64], line[256];
	unsigned long start, end, size, largest = 0;
	long rss, pss, cur_rss = 0, cur_pss = 0;
	bool in_largest = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(usage, 0, sizeof(*usage));
	while (fgets(line, sizeof(line), f)) {
		/* Mapping headers start "start-end "; field lines start with a name
		 * that cannot parse as two hex numbers joined by '-'. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			size = end - start;
			in_largest = size > largest;
			if (in_largest)
				largest = size;
			cur_rss = cur_pss = 0;
			continue;
		}
		if (sscanf(line, "Rss: %ld kB", &rss) == 1) {
			usage->rss_kib += rss;
			cur_rss = rss;
		} else if (sscanf(line, "Pss: %ld kB", &pss) == 1) {
			usage->pss_kib += pss;
			cur_pss = pss;
			if (in_largest) {
				usage->guest_rss_kib = cur_rss;
				usage->guest_pss_kib = cur_pss;
			}
		}
	}
	fclose(f);
	return 0;
}

/* Returns the KVM_RUN timestamp (CLOCK_MONOTONIC ns) the vmm traced, or 0. */
static int64_t parse_setup_trace(const char *err)
{
	const char *p = strstr(err, "startup: first KVM_RUN at ");
	long long ns;

	if (!p || sscanf(p, "startup: first KVM_RUN at %lld", &ns) != 1)
		return 0;
	return ns;
}

int main(int argc, char **argv)
{
	const char *marker = NULL, *output = NULL;
	bool hold = false;
	FILE *copy = NULL;
	int out_pipe[2], err_pipe[2], status, argi = 1;
	char out[1 << 16], err[1 << 14];
	size_t out_len = 0, err_len = 0;
	int64_t t0, first_output = 0, marker_at = 0, exited, setup;
	struct mem_usage usage = { 0 };
	bool have_usage = false, out_open = true, err_open = true;
	pid_t pid;

	for (; argi < argc && strcmp(argv[argi], "--") != 0; argi++) {
		if (strcmp(argv[argi], "--marker") == 0 && argi + 1 < argc)
			marker = argv[++argi];
		else if (strcmp(argv[argi], "--hold") == 0)
			hold = true;
		else if (strcmp(argv[argi], "--output") == 0 && argi + 1 < argc)
			output = argv[++argi];
		else {
			fprintf(stderr,
				"usage: boot-timer [--marker TEXT] [--hold] [--output FILE] -- COMMAND...\n");
			return 2;
		}
	}
	if (argi + 1 >= argc) {
		fprintf(stderr, "boot-timer: no command given\n");
		return 2;
	}
	if (output && !(copy = fopen(output, "we"))) {
		fprintf(stderr, "boot-timer: %s: %s\n", output, strerror(errno));
		return 1;
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		perror("boot-timer: pipe");
		return 1;
	}

	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("boot-timer: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		execvp(argv[argi + 1], &argv[argi + 1]);
		perror("boot-timer: exec");
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);

	while (out_open || err_open) {
		struct pollfd fds[2] = {
			{ .fd = out_open ? out_pipe[0] : -1, .events = POLLIN },
			{ .fd = err_open ? err_pipe[0] : -1, .events = POLLIN },
		};
		ssize_t n;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("boot-timer: poll");
			return 1;
		}
		if (fds[0].revents) {
			n = read(out_pipe[0], out + out_len, sizeof(out) - 1 - out_len);
			if (n <= 0) {
				out_open = false;
			} else {
				if (!first_output)
					first_output = now_ns();
				if (copy)
					fwrite(out + out_len, 1, (size_t)n, copy);
				out_len += (size_t)n;
				out[out_len] = '\0';
				if (out_len == sizeof(out) - 1)	/* keep the tail only */
					out_len = 0;
				if (marker && !marker_at && strstr(out, marker)) {
					marker_at = now_ns();
					have_usage = read_mem_usage(pid, &usage) == 0;
					if (hold)
						kill(pid, SIGTERM);
				}
			}
		}
		if (fds[1].revents) {
			n = read(err_pipe[0], err + err_len, sizeof(err) - 1 - err_len);
			if (n <= 0)
				err_open = false;
			else {
				err_len += (size_t)n;
				err[err_len] = '\0';
				if (err_len == sizeof(err) - 1)
					err_len = 0;
			}
		}
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("boot-timer: waitpid");
		return 1;
	}
	exited = now_ns();
	setup = parse_setup_trace(err);
	if (copy)
		fclose(copy);

	printf("first_output_ms=%.3f exit_ms=%.3f", first_output ? ms_since(t0, first_output) : -1.0,
	       ms_since(t0, exited));
	if (marker)
		printf(" marker_ms=%.3f", marker_at ? ms_since(t0, marker_at) : -1.0);
	if (setup)
		printf(" setup_ms=%.3f", ms_since(t0, setup));
	if (have_usage)
		printf(" rss_kib=%ld pss_kib=%ld guest_rss_kib=%ld guest_pss_kib=%ld", usage.rss_kib,
		       usage.pss_kib, usage.guest_rss_kib, usage.guest_pss_kib);
	printf(" status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (marker && !marker_at) {
		fprintf(stderr, "boot-timer: marker '%s' never appeared; stderr was:\n%s\n", marker, err);
		return 1;
	}
	return 0;
}
