/* guestctl serial NAME: the guest's serial port (COM1) on this terminal. */
#include "manager/guestctl/attach.h"

int cmd_serial(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage(ctl, "give one guest name");
	return attach_stream(ctl, "Guest.GetSerial", argv[1]);
}
