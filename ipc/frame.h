/* Message framing between guestmgr processes: one message is one datagram on
 * a Unix SOCK_SEQPACKET socket, with up to IPC_MAX_FDS file descriptors
 * attached (SCM_RIGHTS). Every process sends and receives this one way, in
 * the spirit of OpenBSD's imsg.
 *
 * A message always has at least one byte of payload, so a 0-byte read means
 * the peer closed the connection. Received fds are close-on-exec. When a
 * receive fails, every fd the kernel delivered with the bad message has been
 * closed already: errors never leak fds. */
#ifndef IPC_FRAME_H
#define IPC_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc/protocol.h"

/* The limits schemas/protocol.json states for every message. */
#define IPC_MAX_MSG GM_MAX_MESSAGE_BYTES /* payload bytes */
#define IPC_MAX_FDS GM_MAX_FDS           /* fds attached to one message */

enum ipc_status {
	IPC_OK = 0,
	IPC_E_SYSTEM,       /* a system call failed: sys_errno says why */
	IPC_E_AGAIN,        /* EINTR or EAGAIN: nothing moved, try again */
	IPC_E_CLOSED,       /* the peer closed the connection */
	IPC_E_EMPTY,        /* send: a 0-byte payload (it would read as EOF) */
	IPC_E_TOO_BIG,      /* payload over IPC_MAX_MSG */
	IPC_E_TOO_MANY_FDS, /* more than IPC_MAX_FDS fds attached */
	IPC_E_TRUNCATED,    /* receive: payload bigger than the caller's buffer */
	IPC_E_FDS_LOST,     /* receive: the kernel dropped attached fds */
};

/* What went wrong, with the numbers ipc_strerror() puts in its text. */
struct ipc_error {
	enum ipc_status status;
	const char *op;  /* the system call, for IPC_E_SYSTEM and IPC_E_AGAIN */
	int sys_errno;   /* for IPC_E_SYSTEM and IPC_E_AGAIN */
	size_t count;    /* bytes or fds the message had */
	size_t limit;    /* the limit that count broke */
	bool at_least;   /* count is a lower bound: the kernel dropped the rest */
};

/* A received message: the payload is in the caller's buffer. */
struct ipc_msg {
	size_t len;
	int fds[IPC_MAX_FDS];
	size_t nfds;
};

/* socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): 0, or -1 with errno. */
int ipc_socketpair(int sv[2]);

/* Send len bytes with nfds fds attached (the caller keeps its copies).
 * Refuses, without sending, an empty or oversized payload and too many fds. */
enum ipc_status ipc_send(int sock, const void *data, size_t len,
			 const int *fds, size_t nfds, struct ipc_error *err);

/* Receive one message into buf (cap bytes; IPC_MAX_MSG holds any valid
 * message). On IPC_OK, msg has the payload length and the fds, which the
 * caller now owns. On any other status, msg->nfds is 0. */
enum ipc_status ipc_recv(int sock, void *buf, size_t cap, struct ipc_msg *msg,
			 struct ipc_error *err);

/* A one-line description of err, written to buf (which is returned), e.g.
 * "message of 70000 bytes exceeds the 65536-byte limit". */
const char *ipc_strerror(const struct ipc_error *err, char *buf, size_t len);

/* Close fds[0..n), e.g. the received fds a handler does not take. */
void ipc_close_fds(const int *fds, size_t n);

#endif
