#include "vmm/virtio/pci_transport.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>


#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_BASE		0x1040	/* non-transitional: 0x1040 + type */
#define VIRTIO_PCI_SUBSYS_ID		0x1100	/* as QEMU's modern devices */
#define VIRTIO_PCI_REVISION		1
#define PCI_CAP_ID_VNDR			0x09
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_LEN		16
#define VIRTIO_PCI_NOTIFY_CAP_LEN	20
#define VIRTIO_ISR_CONFIG		0x2
#define QUEUE_MAX_SIZE			256
/* Bits of GET_FEATURES that are not the driver's to see: vhost's own
 * (LOG_ALL 26, PROTOCOL_FEATURES 30), legacy-only ones (24, 27), and
 * transport features this transport does not implement (ACCESS_PLATFORM
 * 33, SR_IOV 37, NOTIFICATION_DATA 38, NOTIF_CONFIG_DATA 39, RING_RESET 40). */
#define HIDDEN_FEATURES (1ULL << 24 | 1ULL << 26 | 1ULL << 27 | 1ULL << 30 | 1ULL << 33 | \
			 1ULL << 37 | 1ULL << 38 | 1ULL << 39 | 1ULL << 40)

const char *const virtio_pci_region_names[VIRTIO_REGION_COUNT] = {
	"common", "isr", "device", "notify", "msix", "other",
};

struct virtio_type {
	unsigned int id;
	uint32_t class_code;
	uint16_t default_queues;
	uint32_t config_size;
};

/* Config sizes are the virtio 1.1 structures (net through mtu, blk through
 * write_zeroes_may_unmap and its padding, console through emerg_wr,
 * balloon num_pages and actual, vsock guest_cid), not the host headers':
 * backends refuse GET_CONFIG for more than their own structure, and
 * QEMU's (Debian 12) predate virtio 1.2's additions. */
static const struct virtio_type types[] = {
	{ 1, 0x020000, 2, 12 },
	{ 2, 0x018000, 1, 60 },
	{ 3, 0x078000, 2, 12 },
	{ 4, 0x00ff00, 1, 0 },
	{ 5, 0x00ff00, 3, 8 },
	{ 19, 0x00ff00, 3, 8 },
};

static const struct virtio_type *find_type(unsigned int id)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].id == id)
			return &types[i];
	return NULL;
}

static uint32_t config_size(const struct virtio_pci *d)
{
	return find_type(pci_config_get(&d->pci.cfg, PCI_DEVICE_ID, 2) - VIRTIO_PCI_DEVICE_BASE)
		->config_size;
}

/* Something the backend did leaves the device unusable until the driver
 * resets it: say so, set NEEDS_RESET and raise the config interrupt
 * (virtio 1.2 §2.1.2). The device lock held. */
static void device_broken(struct virtio_pci *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void device_broken(struct virtio_pci *d, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; device needs reset\n");
	d->common.status |= VIRTIO_STATUS_NEEDS_RESET;
	d->common.config_generation++;
	d->isr |= VIRTIO_ISR_CONFIG;
	msix_notify(&d->msix, d->common.config_msix_vector);
}

/* Sends or holds back a queue's interrupts according to its vector: an
 * unmasked vector gets an MSI route and the call eventfd as its irqfd; a
 * masked one loses the irqfd, so signals stay in the eventfd until the
 * PBA is read or the vector unmasked. The device lock held. */
static void route_queue(struct virtio_pci *d, unsigned int i)
{
	struct virtio_pci_queue *q = &d->queues[i];
	unsigned int vector = d->common.queues[i].msix_vector;
	uint64_t addr;
	uint32_t data;

	if (!q->started)
		return;
	if (vector == VIRTIO_NO_VECTOR || msix_vector_masked(&d->msix, vector)) {
		if (q->irqfd && kvm_irqfd(d->vm_fd, q->call_fd, q->gsi, false) == 0)
			q->irqfd = false;
		return;
	}
	if (q->gsi < 0 && (q->gsi = kvm_routes_alloc(d->routes)) < 0) {
		device_broken(d, "%s: no interrupt route left", d->name);
		return;
	}
	msix_message(&d->msix, vector, &addr, &data);
	if (kvm_routes_set_msi(d->routes, q->gsi, addr, data) < 0) {
		device_broken(d, "%s: KVM_SET_GSI_ROUTING: %s", d->name, strerror(errno));
		return;
	}
	/* KVM delivers a signal already in the eventfd when it attaches. */
	if (!q->irqfd && kvm_irqfd(d->vm_fd, q->call_fd, q->gsi, true) == 0)
		q->irqfd = true;
}

static void msix_send(void *opaque, uint64_t addr, uint32_t data)
{
	struct virtio_pci *d = opaque;

	kvm_signal_msi(d->vm_fd, addr, data);
}

static void msix_vector_changed(void *opaque, unsigned int vector)
{
	struct virtio_pci *d = opaque;

	for (unsigned int i = 0; i < d->common.num_queues; i++)
		if (d->common.queues[i].msix_vector == vector)
			route_queue(d, i);
}

static const struct msix_ops msix_ops = { msix_send, msix_vector_changed };

/* Signals the backend sent to masked vectors become pending bits. */
static void collect_masked(struct virtio_pci *d)
{
	for (unsigned int i = 0; i < d->common.num_queues; i++) {
		struct virtio_pci_queue *q = &d->queues[i];
		uint64_t n;

		if (q->started && !q->irqfd && read(q->call_fd, &n, sizeof(n)) == sizeof(n))
			msix_notify(&d->msix, d->common.queues[i].msix_vector);
	}
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
}

static void stop_queues(struct virtio_pci *d)
{
	char err[256];

	for (unsigned int i = 0; i < d->common.num_queues; i++) {
		struct virtio_pci_queue *q = &d->queues[i];
		unsigned int base;

		if (q->ioeventfd)
			kvm_ioeventfd_mmio(d->vm_fd, d->notify_base + i * VIRTIO_PCI_NOTIFY_MULT,
					   q->kick_fd, false);
		q->ioeventfd = false;
		if (q->irqfd)
			kvm_irqfd(d->vm_fd, q->call_fd, q->gsi, false);
		q->irqfd = false;
		if (q->gsi >= 0)
			kvm_routes_free(d->routes, q->gsi);
		q->gsi = -1;
		/* GET_VRING_BASE stops the ring in the backend. */
		if (q->started && vhost_user_get_vring_base(&d->vu, i, &base, err, sizeof(err)) < 0)
			fprintf(stderr, "vmm: %s\n", err);
		q->started = false;
		drain(q->kick_fd);
		drain(q->call_fd);
		drain(q->err_fd);
	}
}

static int start_queue(struct virtio_pci *d, unsigned int i, char *err, size_t errlen)
{
	struct virtio_queue_cfg *c = &d->common.queues[i];
	struct virtio_pci_queue *q = &d->queues[i];
	const struct vhost_user_vring v = {
		.num = c->size,
		.addr = { c->desc, c->driver, c->device },
		.kick_fd = q->kick_fd,
		.call_fd = q->call_fd,
		.err_fd = q->err_fd,
	};
	uint64_t notify = d->notify_base + i * VIRTIO_PCI_NOTIFY_MULT;

	/* The guest's notify writes and the backend's interrupts bypass the
	 * vmm from the start: KVM holds any kick until the backend has the fd. */
	q->started = true;
	route_queue(d, i);
	if (kvm_ioeventfd_mmio(d->vm_fd, notify, q->kick_fd, true) < 0) {
		snprintf(err, errlen, "%s: queue %u: KVM_IOEVENTFD at %#llx: %s", d->name, i,
			 (unsigned long long)notify, strerror(errno));
		return -1;
	}
	q->ioeventfd = true;
	return vhost_user_start_vring(&d->vu, d->mem, i, &v, err, errlen);
}

/* DRIVER_OK: the backend gets the features, guest memory and the rings. */
static void start_device(struct virtio_pci *d)
{
	char err[512];

	d->notify_base = pci_config_bar_addr(&d->pci.cfg, 0) + VIRTIO_PCI_NOTIFY_OFF;
	if (vhost_user_set_features(&d->vu, d->common.driver_features, err, sizeof(err)) < 0 ||
	    vhost_user_set_mem_table(&d->vu, d->mem, err, sizeof(err)) < 0)
		goto fail;
	for (unsigned int i = 0; i < d->common.num_queues; i++)
		if (d->common.queues[i].enabled && start_queue(d, i, err, sizeof(err)) < 0)
			goto fail;
	return;
fail:
	device_broken(d, "%s", err);
}

static void reset_device(struct virtio_pci *d)
{
	stop_queues(d);
	virtio_common_reset(&d->common);
	d->isr = 0;
}

static void common_access(struct virtio_pci *d, uint64_t off, uint8_t *data, unsigned int size,
			  bool is_write)
{
	switch (virtio_common_access(&d->common, off, data, size, is_write)) {
	case VIRTIO_EVENT_RESET:
		reset_device(d);
		break;
	case VIRTIO_EVENT_DRIVER_OK:
		start_device(d);
		break;
	case VIRTIO_EVENT_VECTOR:
		for (unsigned int i = 0; i < d->common.num_queues; i++)
			route_queue(d, i);
		break;
	case VIRTIO_EVENT_NONE:
		break;
	}
}

/* The backend's config space: read whole (backends answer offset 0 with
 * their full structure, whatever offset is asked), written in place. A
 * backend without protocol feature CONFIG has none to show (a console
 * without MULTIPORT or SIZE needs none): zeros, writes dropped. */
static void device_access(struct virtio_pci *d, uint64_t off, uint8_t *data, unsigned int size,
			  bool is_write)
{
	uint32_t total = config_size(d);
	uint8_t buf[256];
	char err[512];

	if (off + size > total || !(d->vu.protocol_features & (1ULL << VU_PROTOCOL_F_CONFIG)))
		return;		/* reads: bar_access zeroed data */
	if (is_write) {
		if (vhost_user_set_config(&d->vu, (uint32_t)off, data, size, err, sizeof(err)) < 0)
			device_broken(d, "%s", err);
		return;
	}
	if (vhost_user_get_config(&d->vu, 0, buf, total, err, sizeof(err)) < 0) {
		memset(data, 0, size);
		device_broken(d, "%s", err);
		return;
	}
	memcpy(data, buf + off, size);
}

static void notify_access(struct virtio_pci *d, uint64_t off, bool is_write)
{
	unsigned int i = (unsigned int)(off / VIRTIO_PCI_NOTIFY_MULT);
	uint64_t one = 1;

	/* Only when KVM did not take the write itself (its ioeventfd is
	 * there once the queue runs): pass it on, or drop it if the queue
	 * is not running. */
	if (is_write && i < d->common.num_queues && d->queues[i].started &&
	    write(d->queues[i].kick_fd, &one, sizeof(one)) < 0)
		device_broken(d, "%s: queue %u: kick eventfd: %s", d->name, i, strerror(errno));
}

static enum virtio_pci_region region_of(uint64_t off)
{
	switch (off & ~(uint64_t)(VIRTIO_PCI_REGION_SIZE - 1)) {
	case VIRTIO_PCI_COMMON_OFF: return VIRTIO_REGION_COMMON;
	case VIRTIO_PCI_ISR_OFF: return VIRTIO_REGION_ISR;
	case VIRTIO_PCI_DEVICE_OFF: return VIRTIO_REGION_DEVICE;
	case VIRTIO_PCI_NOTIFY_OFF: return VIRTIO_REGION_NOTIFY;
	case VIRTIO_PCI_MSIX_OFF: case VIRTIO_PCI_PBA_OFF: return VIRTIO_REGION_MSIX;
	default: return VIRTIO_REGION_OTHER;
	}
}

static void bar_access(struct pci_device *p, unsigned int bar, uint64_t off, uint8_t *data,
		       unsigned int size, bool is_write)
{
	struct virtio_pci *d = p->opaque;
	enum virtio_pci_region r = region_of(off);
	uint64_t roff = off & (VIRTIO_PCI_REGION_SIZE - 1);

	(void)bar;
	atomic_fetch_add(&d->exits[r], 1);
	if (!is_write)
		memset(data, 0, size);
	pthread_mutex_lock(&d->lock);
	switch (r) {
	case VIRTIO_REGION_COMMON:
		common_access(d, roff, data, size, is_write);
		break;
	case VIRTIO_REGION_ISR:
		if (!is_write && roff == 0) {
			data[0] = d->isr;
			d->isr = 0;
		}
		break;
	case VIRTIO_REGION_DEVICE:
		device_access(d, roff, data, size, is_write);
		break;
	case VIRTIO_REGION_NOTIFY:
		notify_access(d, roff, is_write);
		break;
	case VIRTIO_REGION_MSIX:
		if (off < VIRTIO_PCI_PBA_OFF) {
			msix_table_access(&d->msix, roff, data, size, is_write);
		} else {
			collect_masked(d);
			msix_pba_access(&d->msix, roff, data, size, is_write);
		}
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&d->lock);
}

static void config_written(struct pci_device *p, unsigned int off, unsigned int size)
{
	struct virtio_pci *d = p->opaque;

	if (off + size <= d->msix.cap || off >= (unsigned int)d->msix.cap + MSIX_CAP_LEN)
		return;
	pthread_mutex_lock(&d->lock);
	msix_config_written(&d->msix);
	pthread_mutex_unlock(&d->lock);
}

static const struct pci_device_ops ops = { bar_access, config_written };

/* The backend's error eventfds (a queue it cannot serve any more) and
 * its socket's hang-up (it is gone). */
static void *watch_errors(void *opaque)
{
	struct virtio_pci *d = opaque;
	struct pollfd fds[VIRTIO_MAX_QUEUES + 2];
	unsigned int n = d->common.num_queues;

	for (unsigned int i = 0; i < n; i++)
		fds[i] = (struct pollfd){ .fd = d->queues[i].err_fd, .events = POLLIN };
	/* No events asked: only POLLHUP/POLLERR, which poll always reports;
	 * the replies themselves are read by whoever sent the request. */
	fds[n] = (struct pollfd){ .fd = d->vu.fd, .events = 0 };
	fds[n + 1] = (struct pollfd){ .fd = d->stop_fd, .events = POLLIN };
	for (;;) {
		if (poll(fds, n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[n + 1].revents)
			break;
		pthread_mutex_lock(&d->lock);
		for (unsigned int i = 0; i < n; i++) {
			uint64_t v;

			if ((fds[i].revents & POLLIN) &&
			    read(d->queues[i].err_fd, &v, sizeof(v)) == sizeof(v))
				device_broken(d, "%s: the backend reported an error on queue %u",
					      d->name, i);
		}
		if (fds[n].revents & (POLLHUP | POLLERR)) {
			device_broken(d, "%s: the backend hung up", d->name);
			fds[n].fd = -1;		/* once */
		}
		pthread_mutex_unlock(&d->lock);
	}
	return NULL;
}

static int add_virtio_cap(struct virtio_pci *d, uint8_t type, uint32_t off, uint32_t len,
			  unsigned int cap_len)
{
	uint8_t at = pci_config_add_cap(&d->pci.cfg, PCI_CAP_ID_VNDR, cap_len);

	if (!at)
		return -1;
	pci_config_set(&d->pci.cfg, at + 2, 1, cap_len);
	pci_config_set(&d->pci.cfg, at + 3, 1, type);
	pci_config_set(&d->pci.cfg, at + 4, 1, 0);	/* BAR 0 */
	pci_config_set(&d->pci.cfg, at + 8, 4, off);
	pci_config_set(&d->pci.cfg, at + 12, 4, len);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		pci_config_set(&d->pci.cfg, at + 16, 4, VIRTIO_PCI_NOTIFY_MULT);
	return 0;
}

static int build_function(struct virtio_pci *d, const struct virtio_type *t,
			  struct pci_bus *bus, char *err, size_t errlen)
{
	uint64_t bar = pci_bus_alloc_mmio32(bus, VIRTIO_PCI_BAR_SIZE);
	unsigned int nq = d->common.num_queues;

	pci_config_init(&d->pci.cfg, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + t->id),
			VIRTIO_PCI_REVISION, t->class_code, VIRTIO_PCI_VENDOR,
			VIRTIO_PCI_SUBSYS_ID);
	d->pci.ops = &ops;
	d->pci.opaque = d;
	if (!bar || !pci_config_add_mem_bar(&d->pci.cfg, 0, VIRTIO_PCI_BAR_SIZE, false, bar) ||
	    add_virtio_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
			   VIRTIO_COMMON_CFG_SIZE, VIRTIO_PCI_CAP_LEN) < 0 ||
	    add_virtio_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
			   nq * VIRTIO_PCI_NOTIFY_MULT, VIRTIO_PCI_NOTIFY_CAP_LEN) < 0 ||
	    add_virtio_cap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1,
			   VIRTIO_PCI_CAP_LEN) < 0 ||
	    (t->config_size && add_virtio_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
					      t->config_size, VIRTIO_PCI_CAP_LEN) < 0) ||
	    msix_init(&d->msix, &d->pci.cfg, nq + 1, 0, VIRTIO_PCI_MSIX_OFF, VIRTIO_PCI_PBA_OFF,
		      &msix_ops, d) < 0) {
		snprintf(err, errlen, "%s: no room for its PCI function", d->name);
		return -1;
	}
	if (pci_bus_add(bus, &d->pci) < 0) {
		snprintf(err, errlen, "%s: no free PCI slot", d->name);
		return -1;
	}
	return 0;
}

static int create_queues(struct virtio_pci *d, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < d->common.num_queues; i++) {
		struct virtio_pci_queue *q = &d->queues[i];

		q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		q->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->kick_fd < 0 || q->call_fd < 0 || q->err_fd < 0) {
			snprintf(err, errlen, "%s: eventfd: %s", d->name, strerror(errno));
			return -1;
		}
	}
	d->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (d->stop_fd < 0 || pthread_create(&d->watcher, NULL, watch_errors, d) != 0) {
		snprintf(err, errlen, "%s: error watcher: %s", d->name, strerror(errno));
		return -1;
	}
	d->watching = true;
	return 0;
}

int virtio_pci_create(struct virtio_pci *d, const char *name, unsigned int virtio_id,
		      int sock_fd, struct pci_bus *bus, int vm_fd, struct kvm_routes *routes,
		      const struct guest_mem *mem, char *err, size_t errlen)
{
	const struct virtio_type *t = find_type(virtio_id);
	unsigned int nq;

	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->vm_fd = vm_fd;
	d->routes = routes;
	d->mem = mem;
	d->stop_fd = -1;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		d->queues[i] = (struct virtio_pci_queue){ -1, -1, -1, -1, false, false, false };
	}
	vhost_user_init(&d->vu, sock_fd, d->name);
	if (!t) {
		snprintf(err, errlen, "%s: virtio device type %u not supported", d->name, virtio_id);
		return -1;
	}
	if (vhost_user_handshake(&d->vu, err, errlen) < 0)
		return -1;
	nq = d->vu.num_queues ? d->vu.num_queues : t->default_queues;
	if (nq > VIRTIO_MAX_QUEUES)
		nq = VIRTIO_MAX_QUEUES;
	/* One MSI-X vector per queue and one for configuration changes. */
	virtio_common_init(&d->common,
			   (d->vu.features & ~HIDDEN_FEATURES) | (1ULL << VIRTIO_F_VERSION_1),
			   (uint16_t)nq, QUEUE_MAX_SIZE, (uint16_t)(nq + 1));
	if (build_function(d, t, bus, err, errlen) < 0 || create_queues(d, err, errlen) < 0)
		return -1;
	return 0;
}

void virtio_pci_destroy(struct virtio_pci *d)
{
	uint64_t one = 1;

	if (d->watching) {
		if (write(d->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(d->watcher, NULL);
		d->watching = false;
	}
	vhost_user_close(&d->vu);
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		int *fds[3] = { &d->queues[i].kick_fd, &d->queues[i].call_fd, &d->queues[i].err_fd };

		for (unsigned int j = 0; j < 3; j++)
			if (*fds[j] >= 0) {
				close(*fds[j]);
				*fds[j] = -1;
			}
	}
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	d->stop_fd = -1;
	pthread_mutex_destroy(&d->lock);
}
