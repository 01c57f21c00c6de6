/* The vmm's control socket (vmm/control.c) without KVM: a socketpair plays
 * the daemon, an eventfd the vCPU threads, an I/O bus read the guest's
 * look at the power button's Generic Event Device (vmm/x86/ged.c). Every message the vmm sends is
 * checked against its schema in gm_vmm_messages[], the generator's output
 * from schemas/protocol.json. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ipc/decode.h"
#include "ipc/frame.h"
#include "ipc/protocol.h"
#include "tests/unit/check_tap.h"
#include "vmm/control.h"
#include "vmm/exit_status.h"
#include "vmm/io_bus.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/ged.h"
#include "vmm/x86/layout.h"

#define NVCPUS 3

/* One daemon, one vmm side. */
struct rig {
	struct event_base *base;
	struct vm_stop stop;
	struct control ctl;
	struct ged ged;
	int ged_line;	/* the level of the GED's interrupt line */
	int entered_fd;
	int daemon;	/* the daemon's end */
	int vmm;	/* the vmm's end, the control socket */
};

static void set_ged_line(void *opaque, int level)
{
	*(int *)opaque = level;
}

static void rig_up(struct rig *r)
{
	int sv[2];
	char err[256];

	r->base = event_base_new();
	ck_assert_ptr_nonnull(r->base);
	ck_assert_int_eq(vm_stop_init(&r->stop), 0);
	r->entered_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(r->entered_fd, 0);
	ck_assert_int_eq(ipc_socketpair(sv), 0);
	r->daemon = sv[0];
	r->vmm = sv[1];
	r->ged_line = 0;
	ged_init(&r->ged, set_ged_line, &r->ged_line);
	ck_assert_msg(control_start(&r->ctl, r->base, r->vmm, &r->stop, &r->ged, r->entered_fd,
				    NVCPUS, err, sizeof(err)) == 0, "%s", err);
	/* So the daemon's reads below can tell "nothing sent". */
	fcntl(r->daemon, F_SETFL, O_NONBLOCK);
}

static void rig_down(struct rig *r)
{
	control_end(&r->ctl);
	if (r->daemon >= 0)
		close(r->daemon);
	close(r->vmm);
	close(r->entered_fd);
	ged_destroy(&r->ged);
	vm_stop_destroy(&r->stop);
	event_base_free(r->base);
}

/* Runs whatever is ready on the vmm's loop. */
static void spin(struct rig *r)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(r->base, EVLOOP_NONBLOCK);
}

static void vcpus_enter(struct rig *r, uint64_t n)
{
	ck_assert_int_eq(write(r->entered_fd, &n, sizeof(n)), sizeof(n));
	spin(r);
}

static void daemon_sends(struct rig *r, const char *text)
{
	struct ipc_error ierr;

	ck_assert_int_eq(ipc_send(r->daemon, text, strlen(text), NULL, 0, &ierr), IPC_OK);
	spin(r);
}

/* The next message the vmm sent, checked against vmm message `which`'s
 * schema; NULL when it sent nothing. */
static json_t *daemon_receives(struct rig *r, enum gm_vmm_message which)
{
	static char buf[IPC_MAX_MSG];
	const struct gm_message_info *info = &gm_vmm_messages[which];
	char err[IPC_SCHEMA_ERR_MAX];
	struct ipc_schema *schema = ipc_schema_parse(info->name, info->schema, err, sizeof(err));
	struct ipc_error ierr;
	struct ipc_msg msg;
	enum ipc_status st;
	json_t *doc;

	ck_assert_msg(schema != NULL, "%s", err);
	st = ipc_recv(r->daemon, buf, sizeof(buf), &msg, &ierr);
	if (st == IPC_E_AGAIN) {
		ipc_schema_free(schema);
		return NULL;
	}
	ck_assert_int_eq(st, IPC_OK);
	ck_assert_uint_eq(msg.nfds, 0);
	doc = ipc_decode_json(buf, msg.len, schema, err, sizeof(err));
	ck_assert_msg(doc != NULL, "'%.*s' is not a '%s' message: %s", (int)msg.len, buf,
		      info->name, err);
	ipc_schema_free(schema);
	return doc;
}

START_TEST(running_once_every_vcpu_entered)
{
	struct rig r;
	json_t *doc;

	rig_up(&r);
	vcpus_enter(&r, 1);
	vcpus_enter(&r, NVCPUS - 2);
	ck_assert_ptr_null(daemon_receives(&r, GM_VMM_RUNNING));
	vcpus_enter(&r, 1);
	doc = daemon_receives(&r, GM_VMM_RUNNING);
	ck_assert_ptr_nonnull(doc);
	json_decref(doc);
	/* Said once, whatever comes after. */
	vcpus_enter(&r, 1);
	ck_assert_ptr_null(daemon_receives(&r, GM_VMM_RUNNING));
	ck_assert(!vm_stop_requested(&r.stop));
	rig_down(&r);
}
END_TEST

START_TEST(no_running_once_stopping)
{
	struct rig r;

	rig_up(&r);
	vm_stop_request(&r.stop, VMM_EXIT_GUEST_ERROR, "vCPU 0: broke");
	vcpus_enter(&r, NVCPUS);
	ck_assert_ptr_null(daemon_receives(&r, GM_VMM_RUNNING));
	rig_down(&r);
}
END_TEST

START_TEST(stop_command_stops_as_sigterm_does)
{
	struct rig r;

	rig_up(&r);
	daemon_sends(&r, "{\"command\":\"stop\"}");
	ck_assert(vm_stop_requested(&r.stop));
	ck_assert_int_eq(r.stop.status, VMM_EXIT_ASKED_TO_STOP);
	ck_assert_str_eq(r.stop.reason, "stopped by the daemon's stop command");
	rig_down(&r);
}
END_TEST

/* The guest's _EVT reading the GED's event byte. */
static uint8_t guest_reads_ged(struct rig *r)
{
	struct io_bus pio;
	uint8_t events = 0xee;

	io_bus_init(&pio);
	ck_assert_int_eq(ged_register(&r->ged, &pio), 0);
	ck_assert(io_bus_access(&pio, LAYOUT_GED_PORT, &events, 1, false));
	io_bus_destroy(&pio);
	return events;
}

START_TEST(power_button_raises_the_ged_line_until_the_guest_reads)
{
	struct rig r;

	rig_up(&r);
	ck_assert_uint_eq(guest_reads_ged(&r), 0);	/* nothing pending */
	daemon_sends(&r, "{\"command\":\"power_button\"}");
	ck_assert_int_eq(r.ged_line, 1);
	ck_assert(!vm_stop_requested(&r.stop));		/* the guest decides */
	/* Pressed twice before the guest looks: one event. */
	daemon_sends(&r, "{\"command\":\"power_button\"}");
	ck_assert_uint_eq(guest_reads_ged(&r), ACPI_GED_EVENT_POWER_BUTTON);
	ck_assert_int_eq(r.ged_line, 0);
	ck_assert_uint_eq(guest_reads_ged(&r), 0);	/* read means cleared */
	/* Pressed again, it rises again. */
	daemon_sends(&r, "{\"command\":\"power_button\"}");
	ck_assert_int_eq(r.ged_line, 1);
	rig_down(&r);
}
END_TEST

START_TEST(daemon_gone_stops_the_guest)
{
	struct rig r;

	rig_up(&r);
	close(r.daemon);
	r.daemon = -1;
	spin(&r);
	ck_assert(vm_stop_requested(&r.stop));
	ck_assert_int_eq(r.stop.status, VMM_EXIT_ASKED_TO_STOP);
	ck_assert_str_eq(r.stop.reason, "stopped: the daemon closed the control socket");
	rig_down(&r);
}
END_TEST

/* None of these is a command; each is ignored and the next still read. */
START_TEST(malformed_commands_are_ignored)
{
	static char big[CONTROL_MSG_MAX + 100];
	const char *bad[] = {
		"not json",
		"{\"command\":\"stop\"",
		"{\"command\":\"halt\"}",
		"{\"command\":\"stop\",\"now\":true}",
		"{\"command\":\"stop\",\"command\":\"stop\"}",
		"{\"command\":\"power_button\",\"long\":true}",
		"{\"command\":\"power_button\",\"command\":\"power_button\"}",
		"{\"command\":7}",
		"{\"event\":\"running\"}",
		"[\"stop\"]",
		"\"stop\"",
	};
	struct ipc_error ierr;
	struct rig r;
	int fd;

	rig_up(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		daemon_sends(&r, bad[i]);
		ck_assert_msg(!vm_stop_requested(&r.stop), "'%s' stopped the guest", bad[i]);
		ck_assert_msg(r.ged_line == 0, "'%s' pressed the power button", bad[i]);
	}
	/* Too big for the vmm's buffer. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"command\":\"stop\"}", 18);
	ck_assert_int_eq(ipc_send(r.daemon, big, sizeof(big), NULL, 0, &ierr), IPC_OK);
	spin(&r);
	ck_assert(!vm_stop_requested(&r.stop));
	/* A command with an fd: no command carries one; the fd is closed. */
	fd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_eq(ipc_send(r.daemon, "{\"command\":\"stop\"}", 18, &fd, 1, &ierr), IPC_OK);
	spin(&r);
	ck_assert(!vm_stop_requested(&r.stop));
	/* The socket still works. */
	daemon_sends(&r, "{\"command\":\"stop\"}");
	ck_assert(vm_stop_requested(&r.stop));
	ck_assert_str_eq(r.stop.reason, "stopped by the daemon's stop command");
	close(fd);
	rig_down(&r);
}
END_TEST

START_TEST(stopped_says_status_and_reason)
{
	struct rig r;
	json_t *doc;

	rig_up(&r);
	control_send_stopped(r.vmm, VMM_EXIT_GUEST_STOPPED, "guest stopped: i8042 reset");
	doc = daemon_receives(&r, GM_VMM_STOPPED);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "exit_status")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "message")),
			 "guest stopped: i8042 reset");
	json_decref(doc);
	rig_down(&r);
}
END_TEST

/* A reason quoting a path that is not UTF-8 still makes a valid message. */
START_TEST(stopped_with_a_reason_that_is_not_utf8)
{
	struct rig r;
	json_t *doc;

	rig_up(&r);
	control_send_stopped(r.vmm, VMM_EXIT_START_FAILURE, "kernel '/k\xff\xfe': no such file");
	doc = daemon_receives(&r, GM_VMM_STOPPED);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "exit_status")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "message")),
			 "kernel '/k?" "?': no such file");
	json_decref(doc);
	rig_down(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmm_control");
	TCase *tc = tcase_create("control");

	tcase_add_test(tc, running_once_every_vcpu_entered);
	tcase_add_test(tc, no_running_once_stopping);
	tcase_add_test(tc, stop_command_stops_as_sigterm_does);
	tcase_add_test(tc, power_button_raises_the_ged_line_until_the_guest_reads);
	tcase_add_test(tc, daemon_gone_stops_the_guest);
	tcase_add_test(tc, malformed_commands_are_ignored);
	tcase_add_test(tc, stopped_says_status_and_reason);
	tcase_add_test(tc, stopped_with_a_reason_that_is_not_utf8);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
