/* A raw client of guestmgrd for the tests: sends what a well-behaved
 * guestctl never would, and prints what came back.
 *
 *   gm-raw SOCKET PAYLOAD [NFDS]   one message (PAYLOAD as given, "@N" for N
 *                                  bytes of 'x'), NFDS fds attached, each
 *                                  $GM_RAW_FD_FILE (default /dev/null)
 *                                  opened read-only; prints the reply or
 *                                  "closed"
 *   gm-raw --flood SOCKET N        N requests, never reading a reply; then
 *                                  prints "dropped" once the daemon has
 *                                  closed the connection, or "connected"
 *                                  after 10 s */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/frame.h"

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "gm-raw: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

/* Sends with sendmsg directly: ipc_send would refuse what we want to send. */
static void send_raw(int sock, const char *data, size_t len, int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * 32)];
	struct iovec iov = { (void *)data, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[32];

	if (nfds > 0) {
		struct cmsghdr *cm;

		const char *file = getenv("GM_RAW_FD_FILE") ? getenv("GM_RAW_FD_FILE") : "/dev/null";

		for (int i = 0; i < nfds; i++)
			fds[i] = open(file, O_RDONLY | O_CLOEXEC);
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "gm-raw: sendmsg: %s\n", strerror(errno));
		exit(2);
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static int one(const char *path, const char *payload, int nfds)
{
	static char buf[IPC_MAX_MSG * 2];
	int sock = connect_to(path);
	size_t len = strlen(payload);

	if (payload[0] == '@') {
		len = strtoul(payload + 1, NULL, 10);
		if (len > sizeof(buf))
			len = sizeof(buf);
		memset(buf, 'x', len);
		payload = buf;
	}
	send_raw(sock, payload, len, nfds);
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n = poll(&p, 1, 10000) == 1 ? recv(sock, buf, sizeof(buf) - 1, 0) : -1;

	if (n <= 0) {
		printf("closed\n");
		return 1;
	}
	buf[n] = 0;
	printf("%s\n", buf);
	return 0;
}

static int flood(const char *path, long n)
{
	int sock = connect_to(path);
	char req[128];

	fcntl(sock, F_SETFL, O_NONBLOCK);
	for (long i = 0; i < n; i++) {
		int len = snprintf(req, sizeof(req), "{\"id\":%ld,\"method\":\"Daemon.ListGuests\"}", i);

		if (send(sock, req, (size_t)len, MSG_NOSIGNAL) < 0) {
			if (errno == EAGAIN) {
				usleep(1000);
				continue;
			}
			break;	/* the daemon hung up on us */
		}
	}
	/* Replies pile up unread; the daemon drops us once past its limit.
	 * Read them now: end of stream shows the drop. */
	for (int waited = 0; waited < 10000; waited += 10) {
		char buf[IPC_MAX_MSG];
		ssize_t got = recv(sock, buf, sizeof(buf), 0);

		if (got == 0 || (got < 0 && errno != EAGAIN)) {
			printf("dropped\n");
			return 0;
		}
		if (got < 0)
			usleep(10000);
	}
	printf("connected\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--flood"))
		return flood(argv[2], strtol(argv[3], NULL, 10));
	if (argc == 3 || argc == 4)
		return one(argv[1], argv[2], argc == 4 ? atoi(argv[3]) : 0);
	fprintf(stderr, "usage: gm-raw SOCKET PAYLOAD [NFDS] | gm-raw --flood SOCKET N\n");
	return 2;
}
