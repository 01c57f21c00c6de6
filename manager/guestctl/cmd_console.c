/* guestctl console NAME: the guest's virtio-console (hvc0) on this terminal. */
#include "manager/guestctl/attach.h"

int cmd_console(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage(ctl, "give one guest name");
	return attach_stream(ctl, "Guest.GetConsole", argv[1]);
}
