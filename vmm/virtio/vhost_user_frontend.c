#include "vmm/virtio/vhost_user_frontend.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/scm_rights.h"

#define MAX_REGIONS		8
#define CONFIG_MAX		256
/* A backend that stops answering must not hang the vCPU that asked. */
#define REPLY_TIMEOUT_SEC	10

struct mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region regions[MAX_REGIONS];
};

struct config_msg {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t payload[CONFIG_MAX];
};

void vhost_user_init(struct vhost_user *vu, int fd, const char *name)
{
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_SEC };

	memset(vu, 0, sizeof(*vu));
	vu->fd = fd;
	vu->name = name;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void vhost_user_close(struct vhost_user *vu)
{
	if (vu->fd >= 0)
		close(vu->fd);
	vu->fd = -1;
}

int vhost_user_connect_path(const char *path, const char *name, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path '%s' too long", name, path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "%s: connect to '%s': %s", name, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int fail(struct vhost_user *vu, uint32_t req, char *err, size_t errlen,
		const char *what)
{
	snprintf(err, errlen, "%s: vhost-user %s: %s", vu->name, vu_request_name(req), what);
	return -1;
}

static int send_msg(struct vhost_user *vu, uint32_t req, uint32_t flags, const void *payload,
		    uint32_t size, const int *fds, unsigned int nfds, char *err, size_t errlen)
{
	struct vu_header h = { req, VU_VERSION | flags, size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, size } };
	union {
		char buf[SCM_RIGHTS_SPACE(MAX_REGIONS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	scm_rights_attach(&msg, ctl.buf, fds, nfds);
	do
		n = sendmsg(vu->fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(h) + size))
		return fail(vu, req, err, errlen, n < 0 ? strerror(errno) : "short write");
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* A reply to req of exactly size bytes. */
static int recv_reply(struct vhost_user *vu, uint32_t req, void *payload, uint32_t size,
		      char *err, size_t errlen)
{
	struct vu_header h;
	char what[128];

	if (read_full(vu->fd, &h, sizeof(h)) < 0)
		return fail(vu, req, err, errlen, errno == EAGAIN ? "no reply" : strerror(errno));
	if (h.request != req || !(h.flags & VU_FLAG_REPLY) || (h.flags & 3) != VU_VERSION) {
		snprintf(what, sizeof(what), "reply has request %u flags %#x", h.request, h.flags);
		return fail(vu, req, err, errlen, what);
	}
	if (h.size != size) {
		snprintf(what, sizeof(what), "reply of %u bytes, expected %u", h.size, size);
		return fail(vu, req, err, errlen, what);
	}
	if (size && read_full(vu->fd, payload, size) < 0)
		return fail(vu, req, err, errlen, errno == EAGAIN ? "no reply" : strerror(errno));
	return 0;
}

static bool has_protocol(const struct vhost_user *vu, unsigned int bit)
{
	return vu->protocol_features & (1ULL << bit);
}

/* A request with no reply of its own: with REPLY_ACK, wait for the ack
 * so a refusal is reported against the request that caused it. */
static int request(struct vhost_user *vu, uint32_t req, const void *payload, uint32_t size,
		   const int *fds, unsigned int nfds, char *err, size_t errlen)
{
	bool ack = has_protocol(vu, VU_PROTOCOL_F_REPLY_ACK);
	uint64_t status;

	if (send_msg(vu, req, ack ? VU_FLAG_NEED_REPLY : 0, payload, size, fds, nfds, err, errlen) < 0)
		return -1;
	if (!ack)
		return 0;
	if (recv_reply(vu, req, &status, sizeof(status), err, errlen) < 0)
		return -1;
	if (status) {
		char what[64];

		snprintf(what, sizeof(what), "refused (status %llu)", (unsigned long long)status);
		return fail(vu, req, err, errlen, what);
	}
	return 0;
}

static int get_u64(struct vhost_user *vu, uint32_t req, uint64_t *v, char *err, size_t errlen)
{
	if (send_msg(vu, req, 0, NULL, 0, NULL, 0, err, errlen) < 0)
		return -1;
	return recv_reply(vu, req, v, sizeof(*v), err, errlen);
}

static int set_u64(struct vhost_user *vu, uint32_t req, uint64_t v, const int *fds,
		   unsigned int nfds, char *err, size_t errlen)
{
	return request(vu, req, &v, sizeof(v), fds, nfds, err, errlen);
}

int vhost_user_handshake(struct vhost_user *vu, char *err, size_t errlen)
{
	const uint64_t wanted = 1ULL << VU_PROTOCOL_F_MQ |
				1ULL << VU_PROTOCOL_F_REPLY_ACK |
				1ULL << VU_PROTOCOL_F_CONFIG;
	uint64_t offered, n;

	if (request(vu, VU_SET_OWNER, NULL, 0, NULL, 0, err, errlen) < 0 ||
	    get_u64(vu, VU_GET_FEATURES, &vu->features, err, errlen) < 0)
		return -1;
	if (vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
		if (get_u64(vu, VU_GET_PROTOCOL_FEATURES, &offered, err, errlen) < 0 ||
		    set_u64(vu, VU_SET_PROTOCOL_FEATURES, offered & wanted, NULL, 0,
			    err, errlen) < 0)
			return -1;
		vu->protocol_features = offered & wanted;
	}
	if (has_protocol(vu, VU_PROTOCOL_F_MQ)) {
		if (get_u64(vu, VU_GET_QUEUE_NUM, &n, err, errlen) < 0)
			return -1;
		vu->num_queues = n > 0xffff ? 0xffff : (unsigned int)n;
	}
	return 0;
}

int vhost_user_set_features(struct vhost_user *vu, uint64_t features, char *err, size_t errlen)
{
	/* The protocol-features bit stays on once negotiated (it is not a
	 * virtio feature; the driver never sees it). */
	features |= vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	return set_u64(vu, VU_SET_FEATURES, features, NULL, 0, err, errlen);
}

int vhost_user_set_mem_table(struct vhost_user *vu, const struct guest_mem *gm,
			     char *err, size_t errlen)
{
	struct mem_table t = { .nregions = gm->nregions };
	int fds[MAX_REGIONS];

	for (unsigned int i = 0; i < gm->nregions; i++) {
		t.regions[i] = (struct vu_region){
			.gpa = gm->regions[i].gpa,
			.size = gm->regions[i].size,
			.uaddr = (uint64_t)(uintptr_t)gm->regions[i].hva,
			.mmap_offset = gm->regions[i].fd_offset,
		};
		fds[i] = gm->fd;
	}
	return request(vu, VU_SET_MEM_TABLE, &t,
		       (uint32_t)(8 + gm->nregions * sizeof(struct vu_region)),
		       fds, gm->nregions, err, errlen);
}

static int vring_state(struct vhost_user *vu, uint32_t req, unsigned int idx, unsigned int num,
		       char *err, size_t errlen)
{
	struct vu_vring_state s = { idx, num };

	return request(vu, req, &s, sizeof(s), NULL, 0, err, errlen);
}

int vhost_user_get_vring_base(struct vhost_user *vu, unsigned int idx, unsigned int *base,
			      char *err, size_t errlen)
{
	struct vu_vring_state s = { idx, 0 };

	/* Its reply is the answer; no REPLY_ACK on top. */
	if (send_msg(vu, VU_GET_VRING_BASE, 0, &s, sizeof(s), NULL, 0, err, errlen) < 0 ||
	    recv_reply(vu, VU_GET_VRING_BASE, &s, sizeof(s), err, errlen) < 0)
		return -1;
	if (s.index != idx)
		return fail(vu, VU_GET_VRING_BASE, err, errlen, "reply for another ring");
	*base = s.num;
	return 0;
}

static int ring_hva(struct vhost_user *vu, const struct guest_mem *gm, uint64_t gpa,
		    uint64_t len, uint64_t *hva, const char *which, char *err, size_t errlen)
{
	void *p = guest_mem_ptr(gm, gpa, len);
	char what[128];

	if (!p) {
		snprintf(what, sizeof(what), "the driver's %s ring at %#llx is not in guest RAM",
			 which, (unsigned long long)gpa);
		return fail(vu, VU_SET_VRING_ADDR, err, errlen, what);
	}
	*hva = (uint64_t)(uintptr_t)p;
	return 0;
}

static int set_vring_addr(struct vhost_user *vu, const struct guest_mem *gm,
			  unsigned int idx, unsigned int num,
			  const struct vhost_user_vring_addr *a, char *err, size_t errlen)
{
	struct vu_vring_addr v = { .index = idx };

	/* Split-ring sizes (virtio 1.2 §2.7): 16-byte descriptors; the
	 * rings' headers and event words around 2- and 8-byte elements. */
	if (ring_hva(vu, gm, a->desc, 16ULL * num, &v.desc, "descriptor", err, errlen) < 0 ||
	    ring_hva(vu, gm, a->driver, 6 + 2ULL * num, &v.avail, "available", err, errlen) < 0 ||
	    ring_hva(vu, gm, a->device, 6 + 8ULL * num, &v.used, "used", err, errlen) < 0)
		return -1;
	return request(vu, VU_SET_VRING_ADDR, &v, sizeof(v), NULL, 0, err, errlen);
}

static int vring_fd(struct vhost_user *vu, uint32_t req, unsigned int idx, int efd,
		    char *err, size_t errlen)
{
	uint64_t v = idx & 0xff;

	if (efd < 0)
		v |= VU_VRING_NOFD;
	return set_u64(vu, req, v, &efd, efd >= 0 ? 1 : 0, err, errlen);
}

int vhost_user_get_config(struct vhost_user *vu, uint32_t off, void *buf, uint32_t size,
			  char *err, size_t errlen)
{
	struct config_msg m = { .offset = off, .size = size };
	uint32_t len = 12 + size;

	if (!has_protocol(vu, VU_PROTOCOL_F_CONFIG))
		return fail(vu, VU_GET_CONFIG, err, errlen, "backend lacks CONFIG");
	if (size > CONFIG_MAX)
		return fail(vu, VU_GET_CONFIG, err, errlen, "too large");
	if (send_msg(vu, VU_GET_CONFIG, 0, &m, len, NULL, 0, err, errlen) < 0 ||
	    recv_reply(vu, VU_GET_CONFIG, &m, len, err, errlen) < 0)
		return -1;
	if (m.size != size || m.offset != off)
		return fail(vu, VU_GET_CONFIG, err, errlen, "reply for another range");
	memcpy(buf, m.payload, size);
	return 0;
}

int vhost_user_set_config(struct vhost_user *vu, uint32_t off, const void *buf, uint32_t size,
			  char *err, size_t errlen)
{
	struct config_msg m = { .offset = off, .size = size };

	if (!has_protocol(vu, VU_PROTOCOL_F_CONFIG))
		return fail(vu, VU_SET_CONFIG, err, errlen, "backend lacks CONFIG");
	if (size > CONFIG_MAX)
		return fail(vu, VU_SET_CONFIG, err, errlen, "too large");
	memcpy(m.payload, buf, size);
	return request(vu, VU_SET_CONFIG, &m, 12 + size, NULL, 0, err, errlen);
}

int vhost_user_start_vring(struct vhost_user *vu, const struct guest_mem *gm, unsigned int idx,
			   const struct vhost_user_vring *v, char *err, size_t errlen)
{
	if (vring_state(vu, VU_SET_VRING_NUM, idx, v->num, err, errlen) < 0 ||
	    vring_state(vu, VU_SET_VRING_BASE, idx, 0, err, errlen) < 0 ||
	    set_vring_addr(vu, gm, idx, v->num, &v->addr, err, errlen) < 0 ||
	    vring_fd(vu, VU_SET_VRING_CALL, idx, v->call_fd, err, errlen) < 0 ||
	    vring_fd(vu, VU_SET_VRING_ERR, idx, v->err_fd, err, errlen) < 0 ||
	    vring_fd(vu, VU_SET_VRING_KICK, idx, v->kick_fd, err, errlen) < 0)
		return -1;
	/* Without protocol features a ring runs once it has its kick fd;
	 * with them it waits for SET_VRING_ENABLE. */
	if ((vu->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) &&
	    vring_state(vu, VU_SET_VRING_ENABLE, idx, 1, err, errlen) < 0)
		return -1;
	return 0;
}
