/* The virtio 1.x common configuration structure of a virtio-pci device
 * (virtio 1.2 §4.1.4.3) and the device status state machine: feature
 * windows, FEATURES_OK accepted only for a subset of the device's features
 * with VIRTIO_F_VERSION_1, queue fields frozen once DRIVER_OK is set, reset
 * on status 0. Pure state; the transport acts on the events it returns. */
#ifndef VMM_VIRTIO_COMMON_CFG_H
#define VMM_VIRTIO_COMMON_CFG_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_MAX_QUEUES		16
#define VIRTIO_COMMON_CFG_SIZE		0x40
#define VIRTIO_NO_VECTOR		0xffff

#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

#define VIRTIO_F_VERSION_1		32

struct virtio_queue_cfg {
	uint16_t size;
	uint16_t max_size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc;
	uint64_t driver;	/* the available ring */
	uint64_t device;	/* the used ring */
};

struct virtio_common {
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t config_msix_vector;
	uint16_t num_queues;
	uint16_t queue_select;
	uint16_t nvectors;		/* MSI-X table size */
	uint8_t status;
	uint8_t config_generation;
	struct virtio_queue_cfg queues[VIRTIO_MAX_QUEUES];
};

enum virtio_common_event {
	VIRTIO_EVENT_NONE,
	VIRTIO_EVENT_RESET,		/* status 0 written: stop the device, then virtio_common_reset */
	VIRTIO_EVENT_DRIVER_OK,		/* start the device */
	VIRTIO_EVENT_VECTOR,		/* a queue's or the config MSI-X vector changed */
};

/* num_queues queues of at most max_queue_size entries each. */
void virtio_common_init(struct virtio_common *c, uint64_t device_features, uint16_t num_queues,
			uint16_t max_queue_size, uint16_t nvectors);
/* Back to the state after init (features and queue count kept). */
void virtio_common_reset(struct virtio_common *c);

enum virtio_common_event virtio_common_access(struct virtio_common *c, uint64_t off,
					      uint8_t *data, unsigned int size, bool is_write);

#endif
