/* The backend's end of the vhost-user socket: messages read in pieces as
 * they arrive, so a frontend that sends half a message (or nothing more)
 * never stalls the device's event loop, and replies that never block. */
#ifndef DEVICES_LIB_VHOST_USER_SOCKET_H
#define DEVICES_LIB_VHOST_USER_SOCKET_H

#include <stddef.h>

#include "devices/lib/vhost_user.h"

/* One message being received: header, then payload, with the fds that
 * came with any of its bytes. */
struct vu_reader {
	struct vu_msg msg;
	size_t got;		/* bytes of header and payload so far */
	int fds[VU_MAX_FDS];
	size_t nfds;
};

enum vu_read_result {
	VU_READ_ERROR = -1,	/* message in err; the stream cannot be trusted any more */
	VU_READ_EOF,		/* the frontend hung up between messages */
	VU_READ_PARTIAL,	/* nothing more to read yet: wait until the socket is readable */
	VU_READ_MESSAGE,	/* a whole message is in r->msg, its fds in r->fds */
};

void vu_reader_init(struct vu_reader *r);

/* Reads what SOCK (non-blocking, SOCK_STREAM) has of the current message,
 * never past its end. */
enum vu_read_result vu_read(int sock, struct vu_reader *r, char *err, size_t errlen);

/* Closes the fds of the message just handled that nobody took (set to -1
 * by whoever keeps one) and makes room for the next message. */
void vu_reader_next(struct vu_reader *r);

/* Sends a reply without blocking. A frontend that leaves replies unread
 * until the socket buffer is full gets an error here, not a stalled device. */
int vu_send(int sock, const struct vu_msg *msg, char *err, size_t errlen);

#endif
