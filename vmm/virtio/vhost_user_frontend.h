/* The frontend ("master") side of the vhost-user protocol (QEMU's
 * docs/interop/vhost-user.rst): the vmm tells a device process where guest
 * memory and the rings are and hands it the kick, call and error
 * eventfds; the device then serves its queues without the vmm. Calls are
 * synchronous; every reply is checked against the request, its flags and
 * its size, so a backend that misbehaves yields an error naming the
 * device, never a crash. */
#ifndef VMM_VIRTIO_VHOST_USER_FRONTEND_H
#define VMM_VIRTIO_VHOST_USER_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/vhost_user_proto.h"
#include "vmm/guest_mem.h"


struct vhost_user {
	int fd;
	const char *name;		/* for errors: "vhost-user device 1 (blk)" */
	uint64_t features;		/* the backend's GET_FEATURES */
	uint64_t protocol_features;	/* negotiated */
	unsigned int num_queues;	/* GET_QUEUE_NUM, or 0 without MQ */
};

struct vhost_user_vring_addr {
	uint64_t desc;			/* guest-physical */
	uint64_t driver;
	uint64_t device;
};

/* Takes ownership of fd, a connected stream socket. */
void vhost_user_init(struct vhost_user *vu, int fd, const char *name);
void vhost_user_close(struct vhost_user *vu);

/* Connects to the socket at path; the fd, or -1 with err set. */
int vhost_user_connect_path(const char *path, const char *name, char *err, size_t errlen);

/* SET_OWNER, GET_FEATURES, protocol features (REPLY_ACK, CONFIG, MQ when
 * offered), GET_QUEUE_NUM. */
int vhost_user_handshake(struct vhost_user *vu, char *err, size_t errlen);

int vhost_user_set_features(struct vhost_user *vu, uint64_t features, char *err, size_t errlen);
int vhost_user_set_mem_table(struct vhost_user *vu, const struct guest_mem *gm,
			     char *err, size_t errlen);
/* One queue as the backend gets it: size, ring addresses (guest-physical),
 * and the eventfds: kick (driver -> backend), call (backend -> driver),
 * err (the backend found the ring broken). */
struct vhost_user_vring {
	unsigned int num;
	struct vhost_user_vring_addr addr;
	int kick_fd, call_fd, err_fd;
};

/* Hands queue idx to the backend, starting at ring index 0: SET_VRING_NUM,
 * _BASE, _ADDR (the rings translated into the vmm's mapping of gm, as the
 * protocol wants, after checking they lie in guest RAM), _CALL, _ERR,
 * _KICK, and _ENABLE when protocol features were negotiated. */
int vhost_user_start_vring(struct vhost_user *vu, const struct guest_mem *gm, unsigned int idx,
			   const struct vhost_user_vring *v, char *err, size_t errlen);
/* Stops queue idx (GET_VRING_BASE); *base is where the backend got to. */
int vhost_user_get_vring_base(struct vhost_user *vu, unsigned int idx, unsigned int *base,
			      char *err, size_t errlen);
/* Device config space; needs protocol feature CONFIG. */
int vhost_user_get_config(struct vhost_user *vu, uint32_t off, void *buf, uint32_t size,
			  char *err, size_t errlen);
int vhost_user_set_config(struct vhost_user *vu, uint32_t off, const void *buf, uint32_t size,
			  char *err, size_t errlen);

#endif
