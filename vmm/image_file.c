#include "vmm/image_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int image_size(int fd, const char *what, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", what);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int image_read(int fd, const char *what, uint64_t off, void *buf, size_t len,
	       char *err, size_t errlen)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read: %s", what, strerror(errno));
			return -1;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s: truncated (%llu bytes wanted at offset %llu)",
				 what, (unsigned long long)len, (unsigned long long)off);
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int image_too_big(const struct guest_mem *gm, const char *what, uint64_t end,
		  char *err, size_t errlen)
{
	snprintf(err, errlen, "guest_memory: %llu MiB is too small for %s "
		 "(needs RAM up to %#llx)", (unsigned long long)(gm->size >> 20), what,
		 (unsigned long long)end);
	return -1;
}

int image_load(const struct guest_mem *gm, int fd, const char *what, uint64_t off,
	       uint64_t len, uint64_t gpa, char *err, size_t errlen)
{
	void *dst = guest_mem_ptr(gm, gpa, len);

	if (!dst)
		return image_too_big(gm, what, gpa + len, err, errlen);
	return image_read(fd, what, off, dst, len, err, errlen);
}
