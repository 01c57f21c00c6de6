/* guestctl list: Daemon.ListGuests, as a table or JSON. */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

int cmd_list(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	json_t *g;
	size_t i;
	int status;

	(void)argv;
	if (argc != 1)
		return ctl_usage(ctl, "takes no arguments");
	status = ctl_call(ctl, "Daemon.ListGuests", NULL, NULL, 0, &reply);
	if (status != EXIT_DONE)
		return status;
	if (ctl->json) {
		ctl_print_json(json_incref(reply.result));
		reply_free(&reply);
		return EXIT_DONE;
	}
	printf("%-24s %-26s %-12s %4s %9s %s\n", "NAME", "STATUS", "UPTIME", "CPUS", "MEMORY",
	       "AUTOSTART");
	json_array_foreach(json_object_get(reply.result, "guests"), i, g) {
		char uptime[32] = "-", mem[32] = "-", cpus[16] = "-";
		json_t *m = json_object_get(g, "guest_memory"), *c = json_object_get(g, "cpus");

		if (json_integer_value(json_object_get(g, "uptime")))
			ctl_format_uptime(json_integer_value(json_object_get(g, "uptime")), uptime,
					  sizeof(uptime));
		if (m)
			snprintf(mem, sizeof(mem), "%lldM", (long long)json_integer_value(m) >> 20);
		if (c)
			snprintf(cpus, sizeof(cpus), "%lld", (long long)json_integer_value(c));
		printf("%-24s %-26s %-12s %4s %9s %s\n", json_string_value(json_object_get(g, "name")),
		       json_string_value(json_object_get(g, "status")), uptime, cpus, mem,
		       json_is_true(json_object_get(g, "autostart")) ? "yes" : "no");
	}
	reply_free(&reply);
	return EXIT_DONE;
}
