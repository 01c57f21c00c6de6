/* Persistent disks and serial logs (storage.h). */
#include "manager/guestmgrd/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manager/guestmgrd/daemon.h"

/* Serial logs past this are rotated to serial.log.1 at the next launch. */
#define LOG_ROTATE_BYTES (4 * 1024 * 1024)

static void guest_dir(const struct daemon *d, const char *guest, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->cfg.state_dir, guest);
}

void storage_disk_path(const struct daemon *d, const char *guest, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/disk.raw", d->cfg.state_dir, guest);
}

void storage_log_path(const struct daemon *d, const char *guest, char *buf, size_t len)
{
	char old[DAEMON_PATH_MAX + 128];
	struct stat st;

	guest_dir(d, guest, old, sizeof(old));
	mkdir(old, 0750);
	snprintf(buf, len, "%s/%s/serial.log", d->cfg.state_dir, guest);
	if (stat(buf, &st) == 0 && st.st_size > LOG_ROTATE_BYTES) {
		snprintf(old, sizeof(old), "%s.1", buf);
		rename(buf, old);
	}
}

/* The disk's blocks are reserved when it is made (or grows), so that a
 * full file system is a NO_STORAGE at launch rather than a guest write
 * failing later. */
static int reserve(int fd, uint64_t size, const char *path, char *err, size_t errlen)
{
	int r = posix_fallocate(fd, 0, (off_t)size);

	if (r != 0) {
		snprintf(err, errlen, "persistent disk '%s': cannot reserve %llu bytes: %s", path,
			 (unsigned long long)size, strerror(r));
		return -1;
	}
	return 0;
}

int storage_make(const struct daemon *d, const char *guest, uint64_t size, char *err,
		 size_t errlen)
{
	char dir[DAEMON_PATH_MAX + 128], path[DAEMON_PATH_MAX + 128];
	struct stat st;
	int fd;

	guest_dir(d, guest, dir, sizeof(dir));
	storage_disk_path(d, guest, path, sizeof(path));
	if (mkdir(d->cfg.state_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "persistent disk: state directory '%s': %s", d->cfg.state_dir,
			 strerror(errno));
		return -1;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "persistent disk: '%s': %s", dir, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "persistent disk '%s': %s", path,
			 fd >= 0 ? "not a regular file" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size < size && reserve(fd, size, path, err, errlen) < 0) {
		/* A disk made just now is removed: the next launch tries anew. */
		if (st.st_size == 0)
			unlink(path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int storage_wipe(const struct daemon *d, const char *guest, bool *removed, char *err,
		 size_t errlen)
{
	char path[DAEMON_PATH_MAX + 128];

	storage_disk_path(d, guest, path, sizeof(path));
	*removed = unlink(path) == 0;
	if (!*removed && errno != ENOENT) {
		snprintf(err, errlen, "persistent disk '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
