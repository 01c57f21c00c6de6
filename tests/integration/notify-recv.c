/* The service manager's end of NOTIFY_SOCKET, for the tests: what systemd
 * reads from a Type=notify service, printed.
 *
 *   notify-recv PATH   binds a datagram socket at PATH, then prints each
 *                      line of each notification as "PID LINE", PID being
 *                      the sender's (SCM_CREDENTIALS, as systemd checks it
 *                      for NotifyAccess=main), until SIGTERM or SIGINT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NOTIFY_MAX 4096	/* what sd_notify sends fits (systemd reads at most PIPE_BUF) */

static int bind_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "notify-recv: '%s': path too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		fprintf(stderr, "notify-recv: '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

static pid_t sender(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			return cred.pid;
		}
	return 0;
}

/* One notification: newline-separated assignments (sd_notify(3)). */
static void print_lines(pid_t pid, char *text)
{
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		printf("%d %s\n", (int)pid, line);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char buf[NOTIFY_MAX + 1];
	union {
		char space[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: notify-recv PATH\n");
		return 2;
	}
	if ((fd = bind_at(argv[1])) < 0)
		return 1;
	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = NOTIFY_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
				     .msg_controllen = sizeof(control.space) };
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "notify-recv: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = 0;
		print_lines(sender(&mh), buf);
	}
}
