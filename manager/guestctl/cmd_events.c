/* guestctl events: Daemon.Subscribe, then each event as a line of JSON
 * (the guests as they are first, as guest_status events of time 0). */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

int cmd_events(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	json_t *g, *event;
	size_t i;
	int status;

	(void)argv;
	if (argc != 1)
		return ctl_usage(ctl, "takes no arguments");
	status = ctl_call(ctl, "Daemon.Subscribe", NULL, NULL, 0, &reply);
	if (status != EXIT_DONE)
		return status;
	json_array_foreach(json_object_get(reply.result, "guests"), i, g)
		ctl_print_json(json_pack("{s:s, s:O, s:O, s:i}", "event", "guest_status", "guest",
					 json_object_get(g, "name"), "status",
					 json_object_get(g, "status"), "time", 0));
	reply_free(&reply);
	fflush(stdout);
	while ((event = client_next_event(&ctl->client))) {
		ctl_print_json(event);
		fflush(stdout);
	}
	return EXIT_UNREACHABLE;
}
