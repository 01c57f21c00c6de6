/* Each guest's files under the daemon's state directory (STATE/NAME/):
 * its persistent disk (disk.raw, its blocks reserved, made at the first Launch of a
 * package that declares one and kept until wiped) and its serial log. */
#ifndef MANAGER_GUESTMGRD_STORAGE_H
#define MANAGER_GUESTMGRD_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;

void storage_disk_path(const struct daemon *d, const char *guest, char *buf, size_t len);
void storage_log_path(const struct daemon *d, const char *guest, char *buf, size_t len);

/* Makes the disk (SIZE bytes) unless it exists; a disk made smaller by an
 * older package is grown, never shrunk. */
int storage_make(const struct daemon *d, const char *guest, uint64_t size, char *err,
		 size_t errlen);

/* Removes the disk; *removed says whether there was one. */
int storage_wipe(const struct daemon *d, const char *guest, bool *removed, char *err,
		 size_t errlen);

#endif
