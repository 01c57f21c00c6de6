/* guestctl metrics: each guest's state as OpenMetrics text, for
 * node_exporter's textfile collector (write it to a .prom file from a
 * timer) or anything that scrapes that format. */
#include <stdio.h>
#include <string.h>

#include "ipc/protocol.h"
#include "manager/guestctl/guestctl.h"

static void header(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample per guest of FIELD (an integer), scaled by DIVISOR. */
static void per_guest(json_t *guests, const char *name, const char *field, double divisor)
{
	json_t *g;
	size_t i;

	json_array_foreach(guests, i, g) {
		json_t *v = json_object_get(g, field);

		if (!v)
			continue;
		printf("%s{guest=\"%s\"} ", name, json_string_value(json_object_get(g, "name")));
		if (json_is_boolean(v))
			printf("%d\n", json_is_true(v));
		else if (divisor == 1)
			printf("%lld\n", (long long)json_integer_value(v));
		else
			printf("%.3f\n", (double)json_integer_value(v) / divisor);
	}
}

int cmd_metrics(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	json_t *guests, *g;
	size_t i;
	int status;

	(void)argv;
	if (argc != 1)
		return ctl_usage(ctl, "takes no arguments");
	status = ctl_call(ctl, "Daemon.ListGuests", NULL, NULL, 0, &reply);
	if (status != EXIT_DONE)
		return status;
	guests = json_object_get(reply.result, "guests");
	header("guestmgr_guest_status", "gauge", "1 for the guest's current GuestStatus, 0 for the others");
	json_array_foreach(guests, i, g)
		for (size_t s = 0; s < gm_enum_guest_status.count; s++) {
			const char *name = gm_enum_guest_status.values[s].name;

			printf("guestmgr_guest_status{guest=\"%s\",status=\"%s\"} %d\n",
			       json_string_value(json_object_get(g, "name")), name,
			       !strcmp(name, json_string_value(json_object_get(g, "status"))));
		}
	header("guestmgr_guest_uptime_seconds", "gauge", "Seconds since the guest reached RUNNING (0 when not running)");
	per_guest(guests, "guestmgr_guest_uptime_seconds", "uptime", 1e9);
	header("guestmgr_guest_cpus", "gauge", "vCPUs of the guest's last launch");
	per_guest(guests, "guestmgr_guest_cpus", "cpus", 1);
	header("guestmgr_guest_memory_bytes", "gauge", "Guest RAM of the guest's last launch");
	per_guest(guests, "guestmgr_guest_memory_bytes", "guest_memory", 1);
	header("guestmgr_guest_launches_total", "counter", "Launches since guestmgrd started (restarts included)");
	per_guest(guests, "guestmgr_guest_launches_total", "launches", 1);
	header("guestmgr_guest_autostart", "gauge", "1 when the guest's package asks to start it with guestmgrd");
	per_guest(guests, "guestmgr_guest_autostart", "autostart", 1);
	printf("# EOF\n");
	reply_free(&reply);
	return EXIT_DONE;
}
