/* Where backing files come from: the caller's enum disk_backing applied to
 * each backing file an image declares (disk.h says why). A file opened by
 * name is looked at first (O_PATH, fstat) and opened for reading only when
 * it is a regular file, through /proc/self/fd: open() of a FIFO blocks,
 * and open() of a device can act (a tape rewinds, a watchdog starts). */
#include "devices/disk/disk_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "of an unknown type";
	}
}

/* WHAT names the file in messages. */
static int check_regular(int fd, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: fstat: %s", what, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", what, file_type(st.st_mode));
		return -1;
	}
	return 0;
}

/* The regular file at PATH, read-only; a symbolic link as the last
 * component is followed only when FOLLOW. */
static int open_regular(const char *path, bool follow, char *err, size_t errlen)
{
	int pathfd = open(path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	char proc[64];
	int fd;

	if (pathfd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_regular(pathfd, path, err, errlen) < 0) {
		close(pathfd);
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		snprintf(err, errlen, "%s: reopening it through %s: %s", path, proc, strerror(errno));
	close(pathfd);
	return fd;
}

/* NAME relative to the directory of IMAGE_PATH, or as is when absolute. */
static int join(const char *image_path, const char *name, char *path, size_t pathlen, char *err,
		size_t errlen)
{
	const char *slash = image_path ? strrchr(image_path, '/') : NULL;
	int n;

	if (name[0] != '/' && !image_path) {
		snprintf(err, errlen, "the image came as an fd: no directory to look for a relative "
			 "name in");
		return -1;
	}
	if (name[0] == '/' || !slash)
		n = snprintf(path, pathlen, "%s", name);
	else
		n = snprintf(path, pathlen, "%.*s/%s", (int)(slash - image_path), image_path, name);
	if (n < 0 || (size_t)n >= pathlen) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

int disk_open_backing_file(enum disk_backing how, const char *image_path, const char *name,
			   char *path, size_t pathlen, char *err, size_t errlen)
{
	if (how != DISK_BACKING_SAME_DIR && how != DISK_BACKING_ANY) {
		snprintf(err, errlen, "backing files are not opened by name here");
		return -1;
	}
	if (how == DISK_BACKING_SAME_DIR &&
	    (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))) {
		snprintf(err, errlen, "not a file name in the image's own directory (only those "
			 "are allowed: no '/')");
		return -1;
	}
	if (join(image_path, name, path, pathlen, err, errlen) < 0)
		return -1;
	return open_regular(path, how == DISK_BACKING_ANY, err, errlen);
}

/* The chain's next fd, duplicated. */
static int next_fd(struct disk_backing_chain *chain, char *err, size_t errlen)
{
	char what[64];
	int given, flags;

	if (chain->used == chain->nfds) {
		snprintf(err, errlen, "no fd for it (the chain given has %zu)", chain->nfds);
		return -1;
	}
	given = chain->fds[chain->used++];
	snprintf(what, sizeof(what), "fd %d (number %zu of the chain)", given, chain->used);
	flags = fcntl(given, F_GETFL);
	if (flags < 0 || (flags & O_PATH) || (flags & O_ACCMODE) == O_WRONLY) {
		snprintf(err, errlen, "%s: not open for reading", what);
		return -1;
	}
	if (check_regular(given, what, err, errlen) < 0)
		return -1;
	int fd = fcntl(given, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		snprintf(err, errlen, "%s: dup: %s", what, strerror(errno));
	return fd;
}

int disk_backing_open(struct disk_backing_chain *chain, const char *image_path, const char *name,
		      char *path, size_t pathlen, char *err, size_t errlen)
{
	switch (chain->how) {
	case DISK_BACKING_NONE:
		snprintf(err, errlen, "backing files are off for this disk (an image can name any "
			 "host file): give the chain as fds, or allow names in the image's directory");
		return -1;
	case DISK_BACKING_FDS:
		path[0] = 0;
		return next_fd(chain, err, errlen);
	case DISK_BACKING_SAME_DIR:
	case DISK_BACKING_ANY:
		break;
	}
	return disk_open_backing_file(chain->how, image_path, name, path, pathlen, err, errlen);
}

int disk_backing_all_used(const struct disk_backing_chain *chain, char *err, size_t errlen)
{
	if (chain->used == chain->nfds)
		return 0;
	snprintf(err, errlen, "the backing chain given has %zu fds, the images name %zu backing "
		 "files", chain->nfds, chain->used);
	return -1;
}
