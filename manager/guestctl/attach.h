/* Attaching the terminal to a guest stream (serial port or console), as
 * `virsh console` does: raw mode on a terminal, Ctrl-] detaches. */
#ifndef MANAGER_GUESTCTL_ATTACH_H
#define MANAGER_GUESTCTL_ATTACH_H

#include "manager/guestctl/guestctl.h"

/* METHOD is Guest.GetSerial or Guest.GetConsole. */
int attach_stream(struct ctl *ctl, const char *method, const char *guest);

#endif
