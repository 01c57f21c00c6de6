/* GuestInfo.detected_problems: what a user can act on, found on the host
 * and in the guest's last run (at most GM_MAX_DETECTED_PROBLEMS). */
#ifndef MANAGER_GUESTMGRD_PROBLEMS_H
#define MANAGER_GUESTMGRD_PROBLEMS_H

#include <jansson.h>

struct guest;

json_t *problems_detect(const struct guest *g);

#endif
