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
#include "vmm/x86/ged.h"

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

static void stop_command(struct control *c)
{
	vm_stop_request(c->stop, VMM_EXIT_ASKED_TO_STOP, "stopped by the daemon's stop command");
}

static void power_button_command(struct control *c)
{
	fprintf(stderr, "vmm: the power button was pressed\n");
	ged_press_power_button(c->ged);
}

/* The commands, each named by its message in gm_vmm_messages[] (the
 * "command" member's value is the message's name). */
static const struct {
	enum gm_vmm_message msg;
	void (*run)(struct control *c);
} commands[CONTROL_NCOMMANDS] = {
	{ GM_VMM_STOP, stop_command },
	{ GM_VMM_POWER_BUTTON, power_button_command },
};

/* Which command the text names: its index, or 0 when it names none (the
 * first command's schema then says what is wrong with it). */
static size_t named_command(const char *text, size_t len)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	const char *name = json_string_value(json_object_get(doc, "command"));
	size_t found = 0;

	for (size_t i = 0; name && i < CONTROL_NCOMMANDS; i++)
		if (strcmp(gm_vmm_messages[commands[i].msg].name, name) == 0)
			found = i;
	json_decref(doc);
	return found;
}

static void on_command(evutil_socket_t fd, short what, void *opaque)
{
	struct control *c = opaque;
	char why[IPC_SCHEMA_ERR_MAX], line[IPC_SCHEMA_ERR_MAX + 64];
	struct ipc_error ierr;
	struct ipc_msg msg;
	size_t cmd;
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
	cmd = named_command(c->buf, msg.len);
	doc = ipc_decode_json(c->buf, msg.len, c->schemas[cmd], why, sizeof(why));
	if (!doc) {
		ignore(why);
		return;
	}
	json_decref(doc);
	commands[cmd].run(c);
}

int control_start(struct control *c, struct event_base *base, int sock, struct vm_stop *stop,
		  struct ged *ged, int entered_fd, unsigned int nvcpus, char *err, size_t errlen)
{
	char why[IPC_SCHEMA_ERR_MAX];

	c->sock = sock;
	c->stop = stop;
	c->ged = ged;
	c->nvcpus = nvcpus;
	c->vcpus_entered = 0;
	c->sock_ev = c->entered_ev = NULL;
	for (size_t i = 0; i < CONTROL_NCOMMANDS; i++) {
		const struct gm_message_info *info = &gm_vmm_messages[commands[i].msg];

		c->schemas[i] = ipc_schema_parse(info->name, info->schema, why, sizeof(why));
		if (!c->schemas[i]) {
			snprintf(err, errlen, "control socket: %s", why);
			return -1;
		}
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
	for (size_t i = 0; i < CONTROL_NCOMMANDS; i++) {
		ipc_schema_free(c->schemas[i]);
		c->schemas[i] = NULL;
	}
	c->sock_ev = c->entered_ev = NULL;
}
