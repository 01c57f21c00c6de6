/* Shared by the vhost-user fuzz targets: the input read as what a hostile
 * frontend sends, with real fds. Each message is a 12-byte header and its
 * payload; bits of the header's flags above the protocol's own say which
 * fds come with it:
 *   bits 8-11   how many (capped at VU_MAX_FDS)
 *   bits 12-13  what they are: 0 guest memory (a 64 KiB memfd sealed
 *               against shrinking, as a vmm gives), 1 the same memfd
 *               unsealed, 2 a 4 KiB sealed memfd (regions may reach past
 *               its end), 3 eventfds (kick, call, err)
 * Those bits are cleared before the message is handled. */
#ifndef TESTS_FUZZ_FUZZ_FRONTEND_H
#define TESTS_FUZZ_FUZZ_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/lib/vhost_user.h"

#define FUZZ_MEM_SIZE 0x10000

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

/* The guest memory every target shares: our own mapping of the sealed
 * 64 KiB memfd, zeroed by fuzz_frontend_begin() for each input. */
extern uint8_t *fuzz_guest_mem;

/* Once per input: fds made on first use, guest memory cleared, the
 * virtqueue's broken-queue lines discarded. */
void fuzz_frontend_begin(void);

/* Takes the next message off the input with its fds. False when no whole
 * header is left. */
bool fuzz_next_message(struct fuzz_input *in, struct vu_msg *msg, int *fds, size_t *nfds);

/* Hands a message to the device and closes the fds it did not keep; traps
 * on a reply larger than a message may be. */
void fuzz_handle(struct vu_dev *dev, const struct vu_msg *msg, int *fds, size_t nfds);

/* A message built in code (a target's fixed set-up), handled at once; the
 * device keeps or closes the fds. */
void fuzz_send(struct vu_dev *dev, uint32_t request, const void *payload, uint32_t size,
	       const int *fds, size_t nfds);

/* New fds for set-up messages: onto the sealed guest memory; an eventfd. */
int fuzz_guest_memfd(void);
int fuzz_eventfd(void);

#endif
