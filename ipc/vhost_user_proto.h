/* The vhost-user wire protocol (QEMU docs/interop/vhost-user.rst), as far
 * as guestmgr speaks it: request numbers, header flags, feature bits and
 * the payload layouts. One definition for both ends: the vmm's frontend
 * (vmm/virtio/vhost_user_frontend.c) and the devices' backend
 * (devices/lib/vhost_user.c). */
#ifndef IPC_VHOST_USER_PROTO_H
#define IPC_VHOST_USER_PROTO_H

#include <stdint.h>

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
};

#define VHOST_USER_F_PROTOCOL_FEATURES 30	/* a virtio feature bit */
#define VU_PROTOCOL_F_MQ 0
#define VU_PROTOCOL_F_REPLY_ACK 3
#define VU_PROTOCOL_F_CONFIG 9

struct vu_header {
	uint32_t request;
	uint32_t flags;		/* version 1, REPLY 0x4, NEED_REPLY 0x8 */
	uint32_t size;		/* of the payload */
} __attribute__((packed));

#define VU_VERSION 0x1
#define VU_FLAG_REPLY 0x4
#define VU_FLAG_NEED_REPLY 0x8

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc, used, avail, log;
};

struct vu_region {
	uint64_t gpa, size, uaddr, mmap_offset;
};

/* SET_MEM_TABLE's payload. */
struct vu_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region regions[];
};

/* GET_CONFIG/SET_CONFIG: this header, then size bytes of config space. */
struct vu_config {
	uint32_t offset, size, flags;
	uint8_t data[];
};

#define VU_VRING_INDEX_MASK 0xffu
#define VU_VRING_NOFD 0x100u	/* in SET_VRING_KICK/CALL/ERR: no fd attached */

/* The request's name in the spec, for messages ("unknown" if none). */
static inline const char *vu_request_name(uint32_t request)
{
	static const char *const names[] = {
		[VU_GET_FEATURES] = "GET_FEATURES",
		[VU_SET_FEATURES] = "SET_FEATURES",
		[VU_SET_OWNER] = "SET_OWNER",
		[VU_RESET_OWNER] = "RESET_OWNER",
		[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[6] = "SET_LOG_BASE",
		[7] = "SET_LOG_FD",
		[VU_SET_VRING_NUM] = "SET_VRING_NUM",
		[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VU_SET_VRING_BASE] = "SET_VRING_BASE",
		[VU_GET_VRING_BASE] = "GET_VRING_BASE",
		[VU_SET_VRING_KICK] = "SET_VRING_KICK",
		[VU_SET_VRING_CALL] = "SET_VRING_CALL",
		[VU_SET_VRING_ERR] = "SET_VRING_ERR",
		[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[19] = "SEND_RARP",
		[20] = "NET_SET_MTU",
		[21] = "SET_BACKEND_REQ_FD",
		[22] = "IOTLB_MSG",
		[23] = "SET_VRING_ENDIAN",
		[VU_GET_CONFIG] = "GET_CONFIG",
		[VU_SET_CONFIG] = "SET_CONFIG",
	};

	if (request < sizeof(names) / sizeof(names[0]) && names[request])
		return names[request];
	return "unknown";
}

#endif
