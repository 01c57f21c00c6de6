/* guestctl launch NAME [launch options]: GuestManager.Launch. */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

int cmd_launch(struct ctl *ctl, int argc, char **argv)
{
	struct launch_options lo;
	struct reply reply;
	int first = launch_options_parse(ctl, argc, argv, &lo), status;

	if (first < 0 || first != argc - 1) {
		if (first >= 0)
			ctl_usage(ctl, "give one guest name");
		launch_options_free(&lo);
		return EXIT_USAGE;
	}
	const char *name = argv[first];
	json_t *params = json_pack("{s:s}", "guest", name);

	if (json_object_size(lo.overrides))
		json_object_set(params, "config", lo.overrides);
	status = ctl_call(ctl, "GuestManager.Launch", params, lo.fds, lo.nfds, &reply);
	launch_options_free(&lo);
	if (status != EXIT_DONE)
		return status;
	if (ctl->json)
		ctl_print_json(json_pack("{s:s, s:s}", "guest", name, "status", "RUNNING"));
	else
		printf("guest '%s' is RUNNING\n", name);
	reply_free(&reply);
	return EXIT_DONE;
}
