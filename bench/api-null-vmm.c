/* api-null-vmm: a vmm that sets nothing up, for measuring guestmgrd's own
 * share of a Launch. Started by guestmgrd (--vmm) as it starts
 * guestmgr-vmm (--config-fd 3), it reads the launch config, closes the fds
 * that came with it, says "running" at once (schemas/protocol.json) and
 * waits: a Launch through it costs the daemon's work and one fork and exec
 * of a small program, none of the vmm's. It exits 0 when the daemon sends
 * anything more or hangs up; ForceShutdown kills it.
 */
#include <stdio.h>
#include <string.h>

#include "ipc/frame.h"

int main(void)
{
	static char buf[IPC_MAX_MSG];
	static const char running[] = "{\"event\":\"running\"}";
	struct ipc_error err;
	struct ipc_msg msg;
	enum ipc_status st;
	char why[256];

	while ((st = ipc_recv(3, buf, sizeof(buf), &msg, &err)) == IPC_E_AGAIN)
		;
	if (st != IPC_OK) {
		fprintf(stderr, "api-null-vmm: no launch config: %s\n", ipc_strerror(&err, why, sizeof(why)));
		return 1;
	}
	ipc_close_fds(msg.fds, msg.nfds);
	if (ipc_send(3, running, strlen(running), NULL, 0, &err) != IPC_OK) {
		fprintf(stderr, "api-null-vmm: running: %s\n", ipc_strerror(&err, why, sizeof(why)));
		return 1;
	}
	while (ipc_recv(3, buf, sizeof(buf), &msg, &err) == IPC_E_AGAIN)
		;
	ipc_close_fds(msg.fds, msg.nfds);
	return 0;
}
