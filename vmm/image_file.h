/* Reading boot files (kernel, ramdisk) from already-open fds, straight into
 * guest memory where they belong. Errors name the file as the config did
 * ("kernel '/x'", "ramdisk fd 5"). */
#ifndef VMM_IMAGE_FILE_H
#define VMM_IMAGE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

int image_size(int fd, const char *what, uint64_t *size, char *err, size_t errlen);

/* Reads exactly len bytes at off; a short file is an error ("truncated"). */
int image_read(int fd, const char *what, uint64_t off, void *buf, size_t len,
	       char *err, size_t errlen);

/* image_read into guest memory at gpa; if the range is not RAM the error
 * names guest_memory (the image does not fit). */
int image_load(const struct guest_mem *gm, int fd, const char *what, uint64_t off,
	       uint64_t len, uint64_t gpa, char *err, size_t errlen);

/* The "does not fit" message shared by the loaders. */
int image_too_big(const struct guest_mem *gm, const char *what, uint64_t end,
		  char *err, size_t errlen);

#endif
