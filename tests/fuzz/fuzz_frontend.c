/* The fuzz targets' hostile frontend (fuzz_frontend.h). */
#include "tests/fuzz/fuzz_frontend.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define FD_COUNT(flags) (((flags) >> 8) & 0xf)
#define FD_KIND(flags) (((flags) >> 12) & 0x3)
#define FUZZ_FLAG_BITS 0xff00u

enum { KIND_SEALED, KIND_UNSEALED, KIND_SHORT, KIND_EVENTFD };

uint8_t *fuzz_guest_mem;
static int memfds[3] = { -1, -1, -1 };

static void discard_line(const char *line)
{
	(void)line;
}

static int make_memfd(size_t size, bool sealed)
{
	int fd = memfd_create("fuzz-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0))
		abort();
	return fd;
}

void fuzz_frontend_begin(void)
{
	if (memfds[KIND_SEALED] < 0) {
		memfds[KIND_SEALED] = make_memfd(FUZZ_MEM_SIZE, true);
		memfds[KIND_UNSEALED] = make_memfd(FUZZ_MEM_SIZE, false);
		memfds[KIND_SHORT] = make_memfd(4096, true);
		fuzz_guest_mem = mmap(NULL, FUZZ_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
				      memfds[KIND_SEALED], 0);
		if (fuzz_guest_mem == MAP_FAILED)
			abort();
	}
	memset(fuzz_guest_mem, 0, FUZZ_MEM_SIZE);
	vq_set_log(discard_line);
}

static int make_fd(unsigned kind)
{
	if (kind == KIND_EVENTFD)
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return fcntl(memfds[kind], F_DUPFD_CLOEXEC, 0);
}

int fuzz_guest_memfd(void)
{
	return make_fd(KIND_SEALED);
}

int fuzz_eventfd(void)
{
	return make_fd(KIND_EVENTFD);
}

bool fuzz_next_message(struct fuzz_input *in, struct vu_msg *msg, int *fds, size_t *nfds)
{
	if (in->size < sizeof(msg->hdr))
		return false;
	memcpy(&msg->hdr, in->data, sizeof(msg->hdr));
	in->data += sizeof(msg->hdr);
	in->size -= sizeof(msg->hdr);
	/* The socket reader refuses larger payloads before reading them. */
	if (msg->hdr.size > VU_MAX_PAYLOAD)
		return false;
	size_t n = msg->hdr.size < in->size ? msg->hdr.size : in->size;

	memcpy(msg->payload, in->data, n);
	msg->hdr.size = (uint32_t)n;
	in->data += n;
	in->size -= n;
	*nfds = FD_COUNT(msg->hdr.flags) < VU_MAX_FDS ? FD_COUNT(msg->hdr.flags) : VU_MAX_FDS;
	for (size_t i = 0; i < *nfds; i++)
		fds[i] = make_fd(FD_KIND(msg->hdr.flags));
	msg->hdr.flags &= ~FUZZ_FLAG_BITS;
	return true;
}

void fuzz_handle(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds)
{
	static struct vu_msg reply;
	char err[256];
	bool send_reply;

	vu_handle(dev, msg, fds, nfds, &reply, &send_reply, err, sizeof(err));
	if (send_reply && reply.hdr.size > VU_MAX_PAYLOAD)
		__builtin_trap();
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void fuzz_send(struct vu_dev *dev, uint32_t request, const void *payload, uint32_t size,
	       const int *fds, size_t nfds)
{
	static struct vu_msg msg;
	int own[VU_MAX_FDS];

	msg.hdr = (struct vu_header){ request, VU_VERSION, size };
	if (size)
		memcpy(msg.payload, payload, size);
	if (nfds)
		memcpy(own, fds, nfds * sizeof(*fds));
	fuzz_handle(dev, &msg, own, nfds);
}
