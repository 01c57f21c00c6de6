/* guestctl status: for monitoring scripts and systemd's ExecStartPost-style
 * checks. Exit 0 when every guest whose package says autostart is
 * RUNNING, 4 otherwise; names those that are not. */
#include <stdio.h>
#include <string.h>

#include "manager/guestctl/guestctl.h"

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	json_t *g, *down = json_array();
	size_t i, autostart = 0;
	int status;

	(void)argv;
	if (argc != 1)
		return ctl_usage(ctl, "takes no arguments");
	status = ctl_call(ctl, "Daemon.ListGuests", NULL, NULL, 0, &reply);
	if (status != EXIT_DONE) {
		json_decref(down);
		return status;
	}
	json_array_foreach(json_object_get(reply.result, "guests"), i, g) {
		if (!json_is_true(json_object_get(g, "autostart")))
			continue;
		autostart++;
		if (strcmp(json_string_value(json_object_get(g, "status")), "RUNNING"))
			json_array_append_new(down, json_pack("{s:O, s:O}", "name", json_object_get(g, "name"),
							      "status", json_object_get(g, "status")));
	}
	status = json_array_size(down) ? EXIT_NOT_RUNNING : EXIT_DONE;
	if (ctl->json) {
		ctl_print_json(json_pack("{s:b, s:i, s:O}", "ok", status == EXIT_DONE, "autostart",
					 (int)autostart, "not_running", down));
	} else if (status == EXIT_DONE) {
		printf("ok: %zu autostart guest%s running\n", autostart, autostart == 1 ? "" : "s");
	} else {
		json_array_foreach(down, i, g)
			printf("not running: %s (%s)\n", json_string_value(json_object_get(g, "name")),
			       json_string_value(json_object_get(g, "status")));
	}
	json_decref(down);
	reply_free(&reply);
	return status;
}
