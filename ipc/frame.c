#include "ipc/frame.h"
#include "ipc/scm_rights.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for one fd more than allowed, so "too many" is seen as a count and
 * not only as MSG_CTRUNC, plus room for credentials in case the socket has
 * SO_PASSCRED set: the kernel writes those first, and they must not push
 * legitimate fds out of the buffer. */
#define RECV_FD_ROOM (IPC_MAX_FDS + 1)
#define RECV_CONTROL_LEN \
	(CMSG_SPACE(sizeof(struct ucred)) + SCM_RIGHTS_SPACE(RECV_FD_ROOM))

int ipc_socketpair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

void ipc_close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

static enum ipc_status fail(struct ipc_error *err, enum ipc_status status,
			    size_t count, size_t limit)
{
	*err = (struct ipc_error){ .status = status, .count = count, .limit = limit };
	return status;
}

/* A failed sendmsg/recvmsg, sorted into "try again", "peer gone" or other. */
static enum ipc_status fail_errno(struct ipc_error *err, const char *op)
{
	int e = errno;
	enum ipc_status status = IPC_E_SYSTEM;

	if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK)
		status = IPC_E_AGAIN;
	else if (e == EPIPE || e == ECONNRESET)
		status = IPC_E_CLOSED;
	*err = (struct ipc_error){ .status = status, .op = op, .sys_errno = e };
	return status;
}

enum ipc_status ipc_send(int sock, const void *data, size_t len,
			 const int *fds, size_t nfds, struct ipc_error *err)
{
	union {
		struct cmsghdr align;
		char buf[SCM_RIGHTS_SPACE(IPC_MAX_FDS)];
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (len == 0)
		return fail(err, IPC_E_EMPTY, 0, 0);
	if (len > IPC_MAX_MSG)
		return fail(err, IPC_E_TOO_BIG, len, IPC_MAX_MSG);
	if (nfds > IPC_MAX_FDS)
		return fail(err, IPC_E_TOO_MANY_FDS, nfds, IPC_MAX_FDS);
	scm_rights_attach(&mh, control.buf, fds, nfds);
	/* SOCK_SEQPACKET sends the whole datagram or nothing. */
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return fail_errno(err, "sendmsg");
	*err = (struct ipc_error){ .status = IPC_OK };
	return IPC_OK;
}

enum ipc_status ipc_recv(int sock, void *buf, size_t cap, struct ipc_msg *msg,
			 struct ipc_error *err)
{
	union {
		struct cmsghdr align;
		char buf[RECV_CONTROL_LEN];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	int fds[RECV_FD_ROOM];
	size_t nfds;
	ssize_t n;
	enum ipc_status status = IPC_OK;
	size_t count = 0, limit = 0;

	msg->len = 0;
	msg->nfds = 0;
	/* MSG_TRUNC makes recvmsg return the datagram's real length, so an
	 * oversized message is told apart from a merely truncated one. */
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (n < 0)
		return fail_errno(err, "recvmsg");
	nfds = scm_rights_take(&mh, fds, RECV_FD_ROOM);

	if (n == 0) {
		status = IPC_E_CLOSED;
	} else if ((size_t)n > IPC_MAX_MSG) {
		status = IPC_E_TOO_BIG;
		count = n;
		limit = IPC_MAX_MSG;
	} else if ((size_t)n > cap) {
		status = IPC_E_TRUNCATED;
		count = n;
		limit = cap;
	} else if (nfds > IPC_MAX_FDS) {
		status = IPC_E_TOO_MANY_FDS;
		count = nfds;
		limit = IPC_MAX_FDS;
	} else if (mh.msg_flags & MSG_CTRUNC) {
		status = IPC_E_FDS_LOST;
	}
	if (status != IPC_OK) {
		ipc_close_fds(fds, nfds < RECV_FD_ROOM ? nfds : RECV_FD_ROOM);
		fail(err, status, count, limit);
		/* A full fd buffer plus MSG_CTRUNC: the kernel dropped more. */
		err->at_least = status == IPC_E_TOO_MANY_FDS && (mh.msg_flags & MSG_CTRUNC);
		return status;
	}
	msg->len = n;
	msg->nfds = nfds;
	memcpy(msg->fds, fds, nfds * sizeof(int));
	*err = (struct ipc_error){ .status = IPC_OK };
	return IPC_OK;
}

const char *ipc_strerror(const struct ipc_error *err, char *buf, size_t len)
{
	switch (err->status) {
	case IPC_OK:
		snprintf(buf, len, "no error");
		break;
	case IPC_E_SYSTEM:
		snprintf(buf, len, "%s: %s", err->op, strerror(err->sys_errno));
		break;
	case IPC_E_AGAIN:
		snprintf(buf, len, "%s: %s; try again", err->op, strerror(err->sys_errno));
		break;
	case IPC_E_CLOSED:
		snprintf(buf, len, "peer closed the connection");
		break;
	case IPC_E_EMPTY:
		snprintf(buf, len, "empty message refused: 0 bytes would read as end of connection");
		break;
	case IPC_E_TOO_BIG:
		snprintf(buf, len, "message of %zu bytes exceeds the %zu-byte limit",
			 err->count, err->limit);
		break;
	case IPC_E_TOO_MANY_FDS:
		snprintf(buf, len, "message carries %s%zu file descriptors, more than the limit of %zu",
			 err->at_least ? "at least " : "", err->count, err->limit);
		break;
	case IPC_E_TRUNCATED:
		snprintf(buf, len, "message of %zu bytes does not fit the %zu-byte receive buffer",
			 err->count, err->limit);
		break;
	case IPC_E_FDS_LOST:
		snprintf(buf, len, "file descriptors attached to the message were dropped by the kernel "
			 "(control data truncated: is the process out of file descriptors?)");
		break;
	default:
		snprintf(buf, len, "unknown ipc status %d", (int)err->status);
		break;
	}
	return buf;
}
