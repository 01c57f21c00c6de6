#include "vmm/control.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/frame.h"
#include "ipc/protocol.h"
#include "vmm/exit_status.h"

/* A JSON string of s; jansson refuses text that is not UTF-8 (a stop
 * reason can quote a path), so such bytes become '?'. */
static json_t *json_text(const char *s)
{
	json_t *str = json_string(s);
	char *copy;

	if (str)
		return str;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	str = json_string(copy);
	free(copy);
	return str;
}

/* Sends doc and drops it; what names the message in errors. */
static void send_doc(int sock, json_t *doc, const char *what)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	struct ipc_error ierr;
	char why[256];

	if (!text)
		fprintf(stderr, "vmm: control: '%s': out of memory\n", what);
	else if (ipc_send(sock, text, strlen(text), NULL, 0, &ierr) != IPC_OK)
		fprintf(stderr, "vmm: control: sending '%s': %s\n", what,
			ipc_strerror(&ierr, why, sizeof(why)));
	free(text);
	json_decref(doc);
}

void control_send_stopped(int sock, int exit_status, const char *message)
{
	send_doc(sock, json_pack("{s:s, s:i, s:o*}", "event", "stopped", "exit_status", exit_status,
				 "message", json_text(message)),
		 "stopped");
}

/* A vCPU thread is about to enter KVM_RUN for the first time. */
static void on_vcpu_entered(evutil_socket_t fd, short what, void *opaque)
{
	struct control *c = opaque;
	uint64_t count;

	(void)what;
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return;
	c->vcpus_entered += count;
	if (c->vcpus_entered < c->nvcpus)
		return;
	event_del(c->entered_ev);
	/* Stopping already: the daemon hears "stopped" next, not "running". */
	if (!vm_stop_requested(c->stop))
		send_doc(c->sock, json_pack("{s:s}", "event", "running"), "running");
}

/* The daemon is gone, or its socket broke: stop, the guest must not run
 * unsupervised. */
static void control_lost(struct control *c, const char *why)
{
	event_del(c->sock_ev);
	vm_stop_request(c->stop, VMM_EXIT_ASKED_TO_STOP, "stopped: %s", why);
}

static void ignore(const char *why)
{
	fprintf(stderr, "vmm: control: ignored a message: %s\n", why);
}

static void on_command(evutil_socket_t fd, short what, void *opaque)
{
	struct control *c = opaque;
	char why[IPC_SCHEMA_ERR_MAX], line[IPC_SCHEMA_ERR_MAX + 64];
	struct ipc_error ierr;
	struct ipc_msg msg;
	json_t *doc;

	(void)what;
	switch (ipc_recv(fd, c->buf, sizeof(c->buf), &msg, &ierr)) {
	case IPC_OK:
		break;
	case IPC_E_AGAIN:
		return;
	case IPC_E_CLOSED:
		control_lost(c, "the daemon closed the control socket");
		return;
	case IPC_E_SYSTEM:
		snprintf(line, sizeof(line), "control socket: %s",
			 ipc_strerror(&ierr, why, sizeof(why)));
		control_lost(c, line);
		return;
	default:
		/* Oversized, too many fds: gone with its fds, the socket is fine. */
		ignore(ipc_strerror(&ierr, why, sizeof(why)));
		return;
	}
	if (msg.nfds) {
		ipc_close_fds(msg.fds, msg.nfds);
		snprintf(line, sizeof(line), "%zu fds attached, no command carries any", msg.nfds);
		ignore(line);
		return;
	}
	doc = ipc_decode_json(c->buf, msg.len, c->stop_schema, why, sizeof(why));
	if (!doc) {
		ignore(why);
		return;
	}
	json_decref(doc);
	vm_stop_request(c->stop, VMM_EXIT_ASKED_TO_STOP, "stopped by the daemon's stop command");
}

int control_start(struct control *c, struct event_base *base, int sock, struct vm_stop *stop,
		  int entered_fd, unsigned int nvcpus, char *err, size_t errlen)
{
	const struct gm_message_info *stop_msg = &gm_vmm_messages[GM_VMM_STOP];
	char why[IPC_SCHEMA_ERR_MAX];

	c->sock = sock;
	c->stop = stop;
	c->nvcpus = nvcpus;
	c->vcpus_entered = 0;
	c->sock_ev = c->entered_ev = NULL;
	c->stop_schema = ipc_schema_parse(stop_msg->name, stop_msg->schema, why, sizeof(why));
	if (!c->stop_schema) {
		snprintf(err, errlen, "control socket: %s", why);
		return -1;
	}
	if (fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "control socket (fd %d): %m", sock);
		return -1;
	}
	c->sock_ev = event_new(base, sock, EV_READ | EV_PERSIST, on_command, c);
	c->entered_ev = event_new(base, entered_fd, EV_READ | EV_PERSIST, on_vcpu_entered, c);
	if (!c->sock_ev || !c->entered_ev || event_add(c->sock_ev, NULL) < 0 ||
	    event_add(c->entered_ev, NULL) < 0) {
		snprintf(err, errlen, "control socket: out of memory");
		return -1;
	}
	return 0;
}

void control_end(struct control *c)
{
	if (c->sock_ev)
		event_free(c->sock_ev);
	if (c->entered_ev)
		event_free(c->entered_ev);
	ipc_schema_free(c->stop_schema);
	c->sock_ev = c->entered_ev = NULL;
	c->stop_schema = NULL;
}
