/* Daemon-wide bookkeeping (daemon.h). */
#include "manager/guestmgrd/daemon.h"

#include <event2/event.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "manager/guestmgrd/guest.h"

long daemon_take_uid(struct daemon *d)
{
	for (unsigned i = 0; i < UID_SLOTS; i++)
		if (!(d->uid_used[i / 8] & (1u << (i % 8)))) {
			d->uid_used[i / 8] |= (uint8_t)(1u << (i % 8));
			return (long)(d->cfg.uid_base + i);
		}
	return -1;
}

void daemon_put_uid(struct daemon *d, long uid)
{
	unsigned long i = (unsigned long)uid - d->cfg.uid_base;

	if (uid >= 0 && i < UID_SLOTS)
		d->uid_used[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void daemon_notify_status(struct daemon *d)
{
	unsigned running = 0, active = 0;

	for (const struct guest *g = d->guests; g; g = g->next) {
		running += g->status == GM_GUEST_STATUS_RUNNING;
		active += guest_active(g);
	}
	sd_notifyf(0, "STATUS=%s%u guest%s running%s", d->stopping ? "stopping: " : "", running,
		   running == 1 ? "" : "s", active > running ? ", others starting or stopping" : "");
}

void daemon_maybe_exit(struct daemon *d)
{
	if (!d->stopping)
		return;
	for (const struct guest *g = d->guests; g; g = g->next)
		if (guest_active(g))
			return;
	event_base_loopbreak(d->base);
}
