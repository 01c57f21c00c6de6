/* ipc/frame: round trips over a real SOCK_SEQPACKET pair, every limit from
 * both sides (raw sendmsg plays a misbehaving peer), and no fd left open on
 * any error path. */
#include "ipc/frame.h"
#include "tests/unit/check_tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int sv[2];
static char buf[IPC_MAX_MSG];

static void setup(void)
{
	ck_assert_int_eq(ipc_socketpair(sv), 0);
}

static void teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

static int open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* What a misbehaving peer can do: any size, any number of fds. */
static void raw_send(int sock, const void *data, size_t len, const int *fds, size_t nfds)
{
	char control[CMSG_SPACE(64 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	ck_assert_uint_le(nfds, 64);
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(sock, &mh, 0), (ssize_t)len);
}

/* n fds to attach: all the read end of one pipe, duplicated. */
static void make_fds(int *fds, size_t n)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	close(p[1]);
	fds[0] = p[0];
	for (size_t i = 1; i < n; i++)
		ck_assert_int_ge(fds[i] = fcntl(p[0], F_DUPFD_CLOEXEC, 0), 0);
}

static void expect_error(enum ipc_status want, const char *text)
{
	struct ipc_msg msg;
	struct ipc_error err;
	char line[256];

	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), want);
	ck_assert_uint_eq(msg.nfds, 0);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)), text);
}

START_TEST(round_trip_without_fds)
{
	struct ipc_msg msg;
	struct ipc_error err;

	ck_assert_int_eq(ipc_send(sv[0], "hello", 5, NULL, 0, &err), IPC_OK);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_OK);
	ck_assert_uint_eq(msg.len, 5);
	ck_assert_uint_eq(msg.nfds, 0);
	ck_assert_mem_eq(buf, "hello", 5);
}
END_TEST

START_TEST(round_trip_with_fds_usable)
{
	int p[2], fds[2], devnull;
	struct ipc_msg msg;
	struct ipc_error err;
	char got[8] = { 0 };

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_ge(devnull = open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
	fds[0] = p[1];
	fds[1] = devnull;
	ck_assert_int_eq(ipc_send(sv[0], "pipe", 4, fds, 2, &err), IPC_OK);
	close(p[1]);
	close(devnull);

	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_OK);
	ck_assert_uint_eq(msg.len, 4);
	ck_assert_uint_eq(msg.nfds, 2);
	ck_assert_int_eq(fcntl(msg.fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(msg.fds[0], "through", 7), 7);
	ipc_close_fds(msg.fds, msg.nfds);
	ck_assert_int_eq(read(p[0], got, sizeof(got)), 7);
	ck_assert_str_eq(got, "through");
	close(p[0]);
}
END_TEST

START_TEST(max_size_and_max_fds_pass)
{
	static char big[IPC_MAX_MSG];
	int fds[IPC_MAX_FDS];
	struct ipc_msg msg;
	struct ipc_error err;

	memset(big, 'x', sizeof(big));
	big[IPC_MAX_MSG - 1] = 'y';
	make_fds(fds, IPC_MAX_FDS);
	ck_assert_int_eq(ipc_send(sv[0], big, IPC_MAX_MSG, fds, IPC_MAX_FDS, &err), IPC_OK);
	ipc_close_fds(fds, IPC_MAX_FDS);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_OK);
	ck_assert_uint_eq(msg.len, IPC_MAX_MSG);
	ck_assert_int_eq(buf[IPC_MAX_MSG - 1], 'y');
	ck_assert_uint_eq(msg.nfds, IPC_MAX_FDS);
	ipc_close_fds(msg.fds, msg.nfds);
}
END_TEST

START_TEST(send_refuses_oversized)
{
	static char big[IPC_MAX_MSG + 1];
	struct ipc_error err;
	char line[256];

	ck_assert_int_eq(ipc_send(sv[0], big, sizeof(big), NULL, 0, &err), IPC_E_TOO_BIG);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)),
			 "message of 65537 bytes exceeds the 65536-byte limit");
	/* nothing went out */
	ck_assert_int_eq(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

START_TEST(send_refuses_too_many_fds)
{
	int fds[IPC_MAX_FDS + 1];
	struct ipc_error err;
	char line[256];

	make_fds(fds, IPC_MAX_FDS + 1);
	ck_assert_int_eq(ipc_send(sv[0], "x", 1, fds, IPC_MAX_FDS + 1, &err), IPC_E_TOO_MANY_FDS);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)),
			 "message carries 17 file descriptors, more than the limit of 16");
	ipc_close_fds(fds, IPC_MAX_FDS + 1);
}
END_TEST

START_TEST(send_refuses_empty)
{
	struct ipc_error err;

	ck_assert_int_eq(ipc_send(sv[0], "", 0, NULL, 0, &err), IPC_E_EMPTY);
}
END_TEST

START_TEST(recv_oversized_closes_fds)
{
	static char big[70000];
	int fds[3], before;

	make_fds(fds, 3);
	raw_send(sv[0], big, sizeof(big), fds, 3);
	ipc_close_fds(fds, 3);
	before = open_fd_count();
	expect_error(IPC_E_TOO_BIG, "message of 70000 bytes exceeds the 65536-byte limit");
	ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

START_TEST(recv_too_many_fds_closes_all)
{
	int fds[IPC_MAX_FDS + 1], before;

	make_fds(fds, IPC_MAX_FDS + 1);
	raw_send(sv[0], "x", 1, fds, IPC_MAX_FDS + 1);
	ipc_close_fds(fds, IPC_MAX_FDS + 1);
	before = open_fd_count();
	expect_error(IPC_E_TOO_MANY_FDS,
		     "message carries 17 file descriptors, more than the limit of 16");
	ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

/* More fds than the receive buffer holds: the kernel drops the excess and
 * says so with MSG_CTRUNC. */
START_TEST(recv_far_too_many_fds_closes_all)
{
	int fds[40], before;

	make_fds(fds, 40);
	raw_send(sv[0], "x", 1, fds, 40);
	ipc_close_fds(fds, 40);
	before = open_fd_count();
	{
		struct ipc_msg msg;
		struct ipc_error err;
		char line[256];

		ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_E_TOO_MANY_FDS);
		ck_assert(err.at_least);
		ck_assert_ptr_nonnull(strstr(ipc_strerror(&err, line, sizeof(line)),
					     "carries at least "));
	}
	ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

START_TEST(recv_truncated_closes_fds)
{
	char small[16];
	int fds[2], before;
	struct ipc_msg msg;
	struct ipc_error err;
	char line[256];

	make_fds(fds, 2);
	ck_assert_int_eq(ipc_send(sv[0], buf, 100, fds, 2, &err), IPC_OK);
	ipc_close_fds(fds, 2);
	before = open_fd_count();
	ck_assert_int_eq(ipc_recv(sv[1], small, sizeof(small), &msg, &err), IPC_E_TRUNCATED);
	ck_assert_uint_eq(msg.nfds, 0);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)),
			 "message of 100 bytes does not fit the 16-byte receive buffer");
	ck_assert_int_eq(open_fd_count(), before);
	/* the rest of the bad datagram is gone: the next message reads clean */
	ck_assert_int_eq(ipc_send(sv[0], "next", 4, NULL, 0, &err), IPC_OK);
	ck_assert_int_eq(ipc_recv(sv[1], small, sizeof(small), &msg, &err), IPC_OK);
	ck_assert_mem_eq(small, "next", 4);
}
END_TEST

/* An RLIMIT_NOFILE under which exactly room more fds can be opened (the
 * limit bounds fd numbers, and new fds take the lowest free numbers). */
static rlim_t limit_leaving_room_for(int room)
{
	int fd = 0;

	for (;; fd++)
		if (fcntl(fd, F_GETFD) < 0 && --room == 0)
			return fd + 1;
}

/* Out of fds at the receiver: the kernel cannot install them all. */
START_TEST(recv_fds_lost_closes_the_rest)
{
	int fds[4], before;
	struct rlimit saved, low;

	make_fds(fds, 4);
	raw_send(sv[0], "x", 1, fds, 4);
	ipc_close_fds(fds, 4);
	before = open_fd_count();
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = limit_leaving_room_for(2);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	expect_error(IPC_E_FDS_LOST,
		     "file descriptors attached to the message were dropped by the kernel "
		     "(control data truncated: is the process out of file descriptors?)");
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

START_TEST(recv_closed_peer)
{
	close(sv[0]);
	sv[0] = -1;
	expect_error(IPC_E_CLOSED, "peer closed the connection");
}
END_TEST

/* A 0-byte datagram cannot be told from EOF; its fds must not leak. */
START_TEST(recv_empty_with_fds_closes_them)
{
	int fds[2], before;

	make_fds(fds, 2);
	raw_send(sv[0], "", 0, fds, 2);
	ipc_close_fds(fds, 2);
	before = open_fd_count();
	expect_error(IPC_E_CLOSED, "peer closed the connection");
	ck_assert_int_eq(open_fd_count(), before);
}
END_TEST

START_TEST(send_to_closed_peer)
{
	struct ipc_error err;

	close(sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(ipc_send(sv[0], "x", 1, NULL, 0, &err), IPC_E_CLOSED);
}
END_TEST

START_TEST(recv_would_block)
{
	struct ipc_msg msg;
	struct ipc_error err;
	char line[256];

	ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_E_AGAIN);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)),
			 "recvmsg: Resource temporarily unavailable; try again");
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal during a blocking receive: "try again", not a failure. */
START_TEST(recv_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct itimerval every_10ms = { { 0, 10000 }, { 0, 10000 } }, off = { 0 };
	struct ipc_msg msg;
	struct ipc_error err;
	char line[256];

	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &every_10ms, NULL), 0);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), &msg, &err), IPC_E_AGAIN);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)),
			 "recvmsg: Interrupted system call; try again");
}
END_TEST

START_TEST(bad_socket_is_a_system_error)
{
	struct ipc_msg msg;
	struct ipc_error err;
	char line[256];

	ck_assert_int_eq(ipc_recv(-1, buf, sizeof(buf), &msg, &err), IPC_E_SYSTEM);
	ck_assert_str_eq(ipc_strerror(&err, line, sizeof(line)), "recvmsg: Bad file descriptor");
}
END_TEST

static Suite *ipc_frame_suite(void)
{
	Suite *s = suite_create("ipc_frame");
	TCase *tc = tcase_create("frame");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_without_fds);
	tcase_add_test(tc, round_trip_with_fds_usable);
	tcase_add_test(tc, max_size_and_max_fds_pass);
	tcase_add_test(tc, send_refuses_oversized);
	tcase_add_test(tc, send_refuses_too_many_fds);
	tcase_add_test(tc, send_refuses_empty);
	tcase_add_test(tc, recv_oversized_closes_fds);
	tcase_add_test(tc, recv_too_many_fds_closes_all);
	tcase_add_test(tc, recv_far_too_many_fds_closes_all);
	tcase_add_test(tc, recv_truncated_closes_fds);
	tcase_add_test(tc, recv_fds_lost_closes_the_rest);
	tcase_add_test(tc, recv_closed_peer);
	tcase_add_test(tc, recv_empty_with_fds_closes_them);
	tcase_add_test(tc, send_to_closed_peer);
	tcase_add_test(tc, recv_would_block);
	tcase_add_test(tc, recv_interrupted);
	tcase_add_test(tc, bad_socket_is_a_system_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(ipc_frame_suite());
}
