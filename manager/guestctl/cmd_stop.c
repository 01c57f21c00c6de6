/* guestctl stop NAME: GuestManager.ForceShutdown, which returns once the
 * vmm and every device process are gone. */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

int cmd_stop(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	int status;

	if (argc != 2)
		return ctl_usage(ctl, "give one guest name");
	status = ctl_call(ctl, "GuestManager.ForceShutdown", json_pack("{s:s}", "guest", argv[1]),
			  NULL, 0, &reply);
	if (status != EXIT_DONE)
		return status;
	if (ctl->json)
		ctl_print_json(json_pack("{s:s, s:b}", "guest", argv[1], "stopped", 1));
	else
		printf("guest '%s' is stopped\n", argv[1]);
	reply_free(&reply);
	return EXIT_DONE;
}
