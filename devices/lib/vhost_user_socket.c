/* vhost-user messages on a non-blocking socket. */
#include "devices/lib/vhost_user_socket.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc/scm_rights.h"

void vu_reader_init(struct vu_reader *r)
{
	r->got = 0;
	r->nfds = 0;
}

void vu_reader_next(struct vu_reader *r)
{
	for (size_t i = 0; i < r->nfds; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	vu_reader_init(r);
}

/* Where the next bytes of the message go, and how many are still due. */
static uint8_t *next_bytes(struct vu_reader *r, size_t *want)
{
	size_t hdr = sizeof(r->msg.hdr);

	if (r->got < hdr) {
		*want = hdr - r->got;
		return (uint8_t *)&r->msg.hdr + r->got;
	}
	*want = hdr + r->msg.hdr.size - r->got;
	return r->msg.payload + (r->got - hdr);
}

/* Adds the fds of one recvmsg to the message's; past VU_MAX_FDS they are
 * closed and the message refused. */
static int take_fds(struct vu_reader *r, struct msghdr *mh, char *err, size_t errlen)
{
	size_t room = VU_MAX_FDS - r->nfds;
	size_t n = scm_rights_take(mh, r->fds + r->nfds, room);

	r->nfds += n < room ? n : room;
	if (n > room || (mh->msg_flags & MSG_CTRUNC)) {
		snprintf(err, errlen, "vhost-user socket: more than %d fds with one message",
			 VU_MAX_FDS);
		return -1;
	}
	return 0;
}

enum vu_read_result vu_read(int sock, struct vu_reader *r, char *err, size_t errlen)
{
	for (;;) {
		size_t want;
		uint8_t *dst = next_bytes(r, &want);

		if (r->got >= sizeof(r->msg.hdr) && want == 0)
			return VU_READ_MESSAGE;

		union {
			struct cmsghdr align;
			char buf[SCM_RIGHTS_SPACE(VU_MAX_FDS)];
		} control;
		struct iovec iov = { .iov_base = dst, .iov_len = want };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
		};
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return VU_READ_PARTIAL;
		if (n < 0) {
			snprintf(err, errlen, "vhost-user socket: recvmsg: %s", strerror(errno));
			return VU_READ_ERROR;
		}
		if (take_fds(r, &mh, err, errlen) < 0)
			return VU_READ_ERROR;
		if (n == 0) {
			if (r->got == 0 && r->nfds == 0)
				return VU_READ_EOF;
			snprintf(err, errlen, "vhost-user socket: the frontend hung up %zu bytes into a message",
				 r->got);
			return VU_READ_ERROR;
		}
		r->got += (size_t)n;
		if (r->got == sizeof(r->msg.hdr) && r->msg.hdr.size > VU_MAX_PAYLOAD) {
			snprintf(err, errlen, "vhost-user socket: %s with a payload of %u bytes (at most %d)",
				 vu_request_name(r->msg.hdr.request), r->msg.hdr.size, VU_MAX_PAYLOAD);
			return VU_READ_ERROR;
		}
	}
}

int vu_send(int sock, const struct vu_msg *msg, char *err, size_t errlen)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)&msg->hdr, .iov_len = sizeof(msg->hdr) },
		{ .iov_base = (void *)msg->payload, .iov_len = msg->hdr.size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(msg->hdr) + msg->hdr.size)) {
		snprintf(err, errlen, "vhost-user socket: reply to %s: %s",
			 vu_request_name(msg->hdr.request),
			 n >= 0 ? "short write"
			 : errno == EAGAIN ? "the frontend does not read its replies (socket buffer full)"
					   : strerror(errno));
		return -1;
	}
	return 0;
}
