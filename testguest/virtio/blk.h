/* virtio-blk requests (virtio 1.2 §5.2.6): header, data, status byte. */
#ifndef TESTGUEST_VIRTIO_BLK_H
#define TESTGUEST_VIRTIO_BLK_H

#include "virtio/virtio.h"

#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define BLK_STATUS_NONE		0xff	/* no completion: the device never wrote it */

#define BLK_SECTOR		512
#define BLK_ID_BYTES		20

struct blk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* A request's parts as blk_chain lays them out, kept in static memory. */
struct blk_request {
	struct blk_header header;
	uint8_t status;
	struct vbuf bufs[3];
};

/* Opens the first virtio-blk device with one queue, offering to take RO,
 * FLUSH, INDIRECT_DESC and EVENT_IDX. NULL with *error set on failure. */
struct virtio_dev *blk_open(const char **error);

/* Fills r for one request on data (len 0: no data part); returns the
 * number of buffers. Data is device-writable for IN and GET_ID. */
unsigned blk_chain(struct blk_request *r, uint32_t type, uint64_t sector, void *data, uint32_t len);

/* Submits one request and waits (bounded) for it. Returns the status byte
 * or BLK_STATUS_NONE; *irq_ok is cleared when it completed without its
 * interrupt. */
uint8_t blk_do(struct virtio_dev *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
	       bool indirect, bool *irq_ok);

#endif
