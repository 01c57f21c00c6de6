/* Test helper: plays the manager's part of `guestmgr-vmm --config-fd N`.
 *
 *   vmm-send-config CONFIG.json [FILE...] -- COMMAND [ARG...]
 *
 * Runs COMMAND ARG... --config-fd N with N one end of a SOCK_SEQPACKET
 * socketpair, sends CONFIG.json's text on the other end as one message with
 * each FILE attached (opened read-only; "&N" attaches this process's fd N),
 * and exits with COMMAND's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/frame.h"

static int die(const char *what, const char *why)
{
	fprintf(stderr, "vmm-send-config: %s: %s\n", what, why);
	return 125;
}

static int open_attachment(const char *spec)
{
	if (spec[0] == '&')
		return atoi(spec + 1);
	return open(spec, O_RDONLY | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	static char text[IPC_MAX_MSG];
	int fds[IPC_MAX_FDS], sv[2], status, sep = 2;
	size_t nfds = 0, len;
	char fdarg[16];
	struct ipc_error ierr;
	char why[256];
	FILE *f;
	pid_t pid;

	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	if (argc < 2 || sep + 1 >= argc || sep - 2 > IPC_MAX_FDS)
		return die("usage", "vmm-send-config CONFIG.json [FILE...] -- COMMAND [ARG...]");
	f = fopen(argv[1], "r");
	if (!f)
		return die(argv[1], strerror(errno));
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	for (int i = 2; i < sep; i++) {
		fds[nfds] = open_attachment(argv[i]);
		if (fds[nfds++] < 0)
			return die(argv[i], strerror(errno));
	}
	if (ipc_socketpair(sv) < 0)
		return die("socketpair", strerror(errno));
	pid = fork();
	if (pid == 0) {
		char **args = calloc((size_t)(argc - sep + 2), sizeof(*args));
		int n = 0;

		for (int i = sep + 1; i < argc; i++)
			args[n++] = argv[i];
		/* The child's end survives exec; everything else is CLOEXEC. */
		fcntl(sv[1], F_SETFD, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		args[n++] = "--config-fd";
		args[n++] = fdarg;
		execv(args[0], args);
		_exit(die(args[0], strerror(errno)));
	}
	close(sv[1]);
	if (ipc_send(sv[0], text, len, fds, nfds, &ierr) != IPC_OK)
		fprintf(stderr, "vmm-send-config: send: %s\n", ipc_strerror(&ierr, why, sizeof(why)));
	close(sv[0]);
	if (waitpid(pid, &status, 0) < 0)
		return die("waitpid", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
