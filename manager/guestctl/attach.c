/* The terminal on a guest's stream (attach.h). Without a terminal, stdin
 * is copied until its end, then the output until the guest's side ends. */
#include "manager/guestctl/attach.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define DETACH 0x1d	/* Ctrl-] */

static struct termios saved;
static bool raw;

static void raw_mode(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	cfmakeraw(&t);
	raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

static void restore(void)
{
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw = false;
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Copies between the terminal and SOCK until detach or the guest's end. */
static int relay(int sock)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
	char buf[4096];

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents) {
			ssize_t n = read(sock, buf, sizeof(buf));

			if (n <= 0 || !write_all(STDOUT_FILENO, buf, (size_t)n))
				return 0;
		}
		if (p[0].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			char *detach = n > 0 && raw ? memchr(buf, DETACH, (size_t)n) : NULL;

			if (detach)
				n = detach - buf;
			if (n > 0 && !write_all(sock, buf, (size_t)n))
				return 0;
			if (detach)
				return 0;
			if (n <= 0) {
				/* No more input: the rest is output. */
				shutdown(sock, SHUT_WR);
				p[0].fd = -1;
			}
		}
	}
}

int attach_stream(struct ctl *ctl, const char *method, const char *guest)
{
	struct reply reply;
	int status = ctl_call(ctl, method, json_pack("{s:s}", "guest", guest), NULL, 0, &reply);

	if (status != EXIT_DONE)
		return status;
	if (reply.nfds != 1) {
		fprintf(stderr, "guestctl %s: guestmgrd sent no socket\n", ctl->command);
		reply_free(&reply);
		return EXIT_UNREACHABLE;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "guestctl: attached to %s's %s; Ctrl-] detaches\r\n", guest,
			ctl->command);
	raw_mode();
	relay(reply.fds[0]);
	restore();
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "\nguestctl: detached\n");
	reply_free(&reply);
	return EXIT_DONE;
}
