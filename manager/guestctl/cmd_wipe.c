/* guestctl wipe NAME: GuestManager.WipeStorage. */
#include <stdio.h>

#include "manager/guestctl/guestctl.h"

int cmd_wipe(struct ctl *ctl, int argc, char **argv)
{
	struct reply reply;
	int status;

	if (argc != 2)
		return ctl_usage(ctl, "give one guest name");
	status = ctl_call(ctl, "GuestManager.WipeStorage", json_pack("{s:s}", "guest", argv[1]), NULL,
			  0, &reply);
	if (status != EXIT_DONE)
		return status;
	bool removed = json_is_true(json_object_get(reply.result, "removed"));

	if (ctl->json)
		ctl_print_json(json_pack("{s:s, s:b}", "guest", argv[1], "removed", removed));
	else
		printf("guest '%s': %s\n", argv[1],
		       removed ? "persistent disk removed" : "had no persistent disk");
	reply_free(&reply);
	return EXIT_DONE;
}
