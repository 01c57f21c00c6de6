#include "vmm/kvm_routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "vmm/x86/layout.h"

#define PIC_PINS 8

void kvm_routes_init(struct kvm_routes *r, int vm_fd)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->vm_fd = vm_fd;
}

void kvm_routes_destroy(struct kvm_routes *r)
{
	pthread_mutex_destroy(&r->lock);
}

int kvm_routes_alloc(struct kvm_routes *r)
{
	int gsi = -1;

	pthread_mutex_lock(&r->lock);
	for (unsigned int i = 0; i < KVM_ROUTES_MAX_MSI && gsi < 0; i++)
		if (!r->used[i]) {
			r->used[i] = true;
			r->addr[i] = 0;
			r->data[i] = 0;
			gsi = KVM_ROUTES_FIRST_MSI_GSI + (int)i;
		}
	pthread_mutex_unlock(&r->lock);
	return gsi;
}

void kvm_routes_free(struct kvm_routes *r, int gsi)
{
	pthread_mutex_lock(&r->lock);
	r->used[gsi - KVM_ROUTES_FIRST_MSI_GSI] = false;
	pthread_mutex_unlock(&r->lock);
}

static void irqchip_entry(struct kvm_irq_routing_entry *e, unsigned int gsi,
			  unsigned int chip, unsigned int pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/* The lock held. */
static int commit(struct kvm_routes *r)
{
	size_t max = 16 + LAYOUT_IOAPIC_PINS + KVM_ROUTES_MAX_MSI;
	struct kvm_irq_routing *t = calloc(1, sizeof(*t) + max * sizeof(t->entries[0]));
	unsigned int n = 0;
	int ret;

	if (!t)
		return -1;
	/* KVM's defaults: GSIs 0-15 on the PICs and the IOAPIC, 16-23 on
	 * the IOAPIC alone. */
	for (unsigned int gsi = 0; gsi < LAYOUT_IOAPIC_PINS; gsi++) {
		if (gsi < 2 * PIC_PINS)
			irqchip_entry(&t->entries[n++], gsi,
				      gsi < PIC_PINS ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
				      gsi % PIC_PINS);
		irqchip_entry(&t->entries[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	for (unsigned int i = 0; i < KVM_ROUTES_MAX_MSI; i++) {
		struct kvm_irq_routing_entry *e;

		if (!r->used[i] || !r->addr[i])
			continue;
		e = &t->entries[n++];
		e->gsi = KVM_ROUTES_FIRST_MSI_GSI + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)r->addr[i];
		e->u.msi.address_hi = (uint32_t)(r->addr[i] >> 32);
		e->u.msi.data = r->data[i];
	}
	t->nr = n;
	ret = ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t);
	free(t);
	return ret < 0 ? -1 : 0;
}

int kvm_routes_set_msi(struct kvm_routes *r, int gsi, uint64_t addr, uint32_t data)
{
	unsigned int i = (unsigned int)(gsi - KVM_ROUTES_FIRST_MSI_GSI);
	int ret;

	pthread_mutex_lock(&r->lock);
	r->addr[i] = addr;
	r->data[i] = data;
	ret = commit(r);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int kvm_irqfd(int vm_fd, int efd, int gsi, bool assign)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)efd,
		.gsi = (uint32_t)gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IRQFD, &f) < 0 ? -1 : 0;
}

int kvm_ioeventfd_mmio(int vm_fd, uint64_t addr, int efd, bool assign)
{
	/* len 0: any write length (KVM_CAP_IOEVENTFD_ANY_LENGTH). */
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = 0,
		.fd = efd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -1 : 0;
}

int kvm_signal_msi(int vm_fd, uint64_t addr, uint32_t data)
{
	struct kvm_msi m = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	return ioctl(vm_fd, KVM_SIGNAL_MSI, &m) < 0 ? -1 : 0;
}
