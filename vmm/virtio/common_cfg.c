#include "vmm/virtio/common_cfg.h"

#include <string.h>

/* Register offsets (virtio 1.2 §4.1.4.3). */
#define DEVICE_FEATURE_SELECT	0x00
#define DEVICE_FEATURE		0x04
#define DRIVER_FEATURE_SELECT	0x08
#define DRIVER_FEATURE		0x0c
#define CONFIG_MSIX_VECTOR	0x10
#define NUM_QUEUES		0x12
#define DEVICE_STATUS		0x14
#define CONFIG_GENERATION	0x15
#define QUEUE_SELECT		0x16
#define QUEUE_SIZE		0x18
#define QUEUE_MSIX_VECTOR	0x1a
#define QUEUE_ENABLE		0x1c
#define QUEUE_NOTIFY_OFF	0x1e
#define QUEUE_DESC		0x20
#define QUEUE_DRIVER		0x28
#define QUEUE_DEVICE		0x30
#define QUEUE_NOTIFY_DATA	0x38
#define QUEUE_RESET		0x3a

void virtio_common_init(struct virtio_common *c, uint64_t device_features, uint16_t num_queues,
			uint16_t max_queue_size, uint16_t nvectors)
{
	memset(c, 0, sizeof(*c));
	c->device_features = device_features;
	c->num_queues = num_queues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : num_queues;
	c->nvectors = nvectors;
	for (unsigned int i = 0; i < c->num_queues; i++)
		c->queues[i].max_size = max_queue_size;
	virtio_common_reset(c);
}

void virtio_common_reset(struct virtio_common *c)
{
	c->driver_features = 0;
	c->device_feature_select = c->driver_feature_select = 0;
	c->config_msix_vector = VIRTIO_NO_VECTOR;
	c->queue_select = 0;
	c->status = 0;
	for (unsigned int i = 0; i < c->num_queues; i++) {
		struct virtio_queue_cfg *q = &c->queues[i];
		uint16_t max = q->max_size;

		memset(q, 0, sizeof(*q));
		q->max_size = q->size = max;
		q->msix_vector = VIRTIO_NO_VECTOR;
	}
}

static struct virtio_queue_cfg *selected(struct virtio_common *c)
{
	return c->queue_select < c->num_queues ? &c->queues[c->queue_select] : NULL;
}

/* What a 64-bit register reads as, by halves. */
static uint64_t reg_read(struct virtio_common *c, uint64_t off)
{
	struct virtio_queue_cfg *q = selected(c);
	uint32_t sel;

	switch (off) {
	case DEVICE_FEATURE_SELECT: return c->device_feature_select;
	case DEVICE_FEATURE:
		sel = c->device_feature_select;
		return sel < 2 ? (uint32_t)(c->device_features >> (32 * sel)) : 0;
	case DRIVER_FEATURE_SELECT: return c->driver_feature_select;
	case DRIVER_FEATURE:
		sel = c->driver_feature_select;
		return sel < 2 ? (uint32_t)(c->driver_features >> (32 * sel)) : 0;
	case CONFIG_MSIX_VECTOR: return c->config_msix_vector;
	case NUM_QUEUES: return c->num_queues;
	case DEVICE_STATUS: return c->status;
	case CONFIG_GENERATION: return c->config_generation;
	case QUEUE_SELECT: return c->queue_select;
	case QUEUE_SIZE: return q ? q->size : 0;
	case QUEUE_MSIX_VECTOR: return q ? q->msix_vector : VIRTIO_NO_VECTOR;
	case QUEUE_ENABLE: return q ? q->enabled : 0;
	case QUEUE_NOTIFY_OFF: return c->queue_select;
	case QUEUE_DESC: return q ? q->desc : 0;
	case QUEUE_DRIVER: return q ? q->driver : 0;
	case QUEUE_DEVICE: return q ? q->device : 0;
	case QUEUE_NOTIFY_DATA: return c->queue_select;
	default: return 0;
	}
}

static enum virtio_common_event write_status(struct virtio_common *c, uint8_t v)
{
	uint8_t old = c->status;

	if (v == 0)
		return VIRTIO_EVENT_RESET;
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((c->driver_features & ~c->device_features) ||
	     !(c->driver_features & (1ULL << VIRTIO_F_VERSION_1))))
		v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;	/* refused: the driver reads it back */
	/* DRIVER_OK needs accepted features. */
	if (!(v & VIRTIO_STATUS_FEATURES_OK))
		v &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	/* NEEDS_RESET is the device's; the driver cannot set or clear it. */
	c->status = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((c->status & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		return VIRTIO_EVENT_DRIVER_OK;
	return VIRTIO_EVENT_NONE;
}

static uint16_t vector_or_none(const struct virtio_common *c, uint16_t v)
{
	return v < c->nvectors ? v : VIRTIO_NO_VECTOR;
}

static void set_half(uint64_t *reg, uint64_t off, uint64_t base, uint32_t v)
{
	unsigned int shift = off == base ? 0 : 32;

	*reg = (*reg & ~(0xffffffffULL << shift)) | (uint64_t)v << shift;
}

static enum virtio_common_event reg_write(struct virtio_common *c, uint64_t off, uint32_t v)
{
	struct virtio_queue_cfg *q = selected(c);
	bool live = c->status & VIRTIO_STATUS_DRIVER_OK;
	uint32_t sel = c->driver_feature_select;

	switch (off) {
	case DEVICE_FEATURE_SELECT:
		c->device_feature_select = v;
		break;
	case DRIVER_FEATURE_SELECT:
		c->driver_feature_select = v;
		break;
	case DRIVER_FEATURE:
		if (sel < 2 && !(c->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&c->driver_features, sel ? 4 : 0, 0, v);
		break;
	case CONFIG_MSIX_VECTOR:
		c->config_msix_vector = vector_or_none(c, (uint16_t)v);
		return VIRTIO_EVENT_VECTOR;
	case DEVICE_STATUS:
		return write_status(c, (uint8_t)v);
	case QUEUE_SELECT:
		c->queue_select = (uint16_t)v;
		break;
	case QUEUE_SIZE:
		/* A power of two no larger than the maximum; else kept. */
		if (q && !live && !q->enabled && v && v <= q->max_size && !(v & (v - 1)))
			q->size = (uint16_t)v;
		break;
	case QUEUE_MSIX_VECTOR:
		if (!q)
			break;
		q->msix_vector = vector_or_none(c, (uint16_t)v);
		return VIRTIO_EVENT_VECTOR;
	case QUEUE_ENABLE:
		/* Only 1 may be written (§4.1.4.3.2); disabling is queue_reset's. */
		if (q && !live && v == 1)
			q->enabled = true;
		break;
	case QUEUE_DESC: case QUEUE_DESC + 4:
		if (q && !live && !q->enabled)
			set_half(&q->desc, off, QUEUE_DESC, v);
		break;
	case QUEUE_DRIVER: case QUEUE_DRIVER + 4:
		if (q && !live && !q->enabled)
			set_half(&q->driver, off, QUEUE_DRIVER, v);
		break;
	case QUEUE_DEVICE: case QUEUE_DEVICE + 4:
		if (q && !live && !q->enabled)
			set_half(&q->device, off, QUEUE_DEVICE, v);
		break;
	default:
		break;		/* read-only or not offered (queue_reset: no VIRTIO_F_RING_RESET) */
	}
	return VIRTIO_EVENT_NONE;
}

/* Registers are 8, 16 or 32 bits wide (64-bit ones as two halves, §4.1.3.1);
 * an access must match one register exactly. */
static unsigned int reg_size(uint64_t off)
{
	switch (off) {
	case DEVICE_STATUS: case CONFIG_GENERATION:
		return 1;
	case CONFIG_MSIX_VECTOR: case NUM_QUEUES: case QUEUE_SELECT: case QUEUE_SIZE:
	case QUEUE_MSIX_VECTOR: case QUEUE_ENABLE: case QUEUE_NOTIFY_OFF:
	case QUEUE_NOTIFY_DATA: case QUEUE_RESET:
		return 2;
	default:
		return off < VIRTIO_COMMON_CFG_SIZE && !(off & 3) ? 4 : 0;
	}
}

enum virtio_common_event virtio_common_access(struct virtio_common *c, uint64_t off,
					      uint8_t *data, unsigned int size, bool is_write)
{
	uint32_t v = 0;

	if (reg_size(off) != size) {
		if (!is_write)
			memset(data, 0, size);
		return VIRTIO_EVENT_NONE;
	}
	if (is_write) {
		for (unsigned int i = 0; i < size; i++)
			v |= (uint32_t)data[i] << (8 * i);
		return reg_write(c, off, v);
	}
	if ((off & ~7ULL) >= QUEUE_DESC && off < QUEUE_NOTIFY_DATA && (off & 4))
		v = (uint32_t)(reg_read(c, off - 4) >> 32);
	else
		v = (uint32_t)reg_read(c, off);
	for (unsigned int i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
	return VIRTIO_EVENT_NONE;
}
