/* File descriptors on a Unix socket message (SCM_RIGHTS), attached and
 * taken off the one way every process does it: ipc/frame.c, the vmm's
 * vhost-user frontend and the devices' vhost-user backend. Header-only,
 * like vhost_user_proto.h: the sandboxed devices do not link libipc. */
#ifndef IPC_SCM_RIGHTS_H
#define IPC_SCM_RIGHTS_H

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Control bytes that carry n fds. */
#define SCM_RIGHTS_SPACE(n) CMSG_SPACE((n) * sizeof(int))

/* Attaches nfds fds (none: nothing) to mh, in buf: SCM_RIGHTS_SPACE(nfds)
 * bytes aligned for a struct cmsghdr. The caller keeps its copies. */
static inline void scm_rights_attach(struct msghdr *mh, void *buf, const int *fds, size_t nfds)
{
	struct cmsghdr *cm;

	if (nfds == 0)
		return;
	memset(buf, 0, SCM_RIGHTS_SPACE(nfds));
	mh->msg_control = buf;
	mh->msg_controllen = SCM_RIGHTS_SPACE(nfds);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
}

/* Moves every SCM_RIGHTS fd a received mh carries into fds (room
 * entries); those beyond room are closed at once. Returns how many
 * arrived, which may be more than room. */
static inline size_t scm_rights_take(struct msghdr *mh, int *fds, size_t room)
{
	size_t n = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		const unsigned char *data = CMSG_DATA(cm);
		size_t count;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count; i++, n++) {
			int fd;

			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			if (n < room)
				fds[n] = fd;
			else
				close(fd);
		}
	}
	return n;
}

#endif
