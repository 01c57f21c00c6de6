#include "vmm/x86/ged.h"

#include <string.h>

#include "vmm/x86/acpi.h"
#include "vmm/x86/layout.h"

/* A read hands the guest the pending events and clears them (the line
 * falls with them); writes are ignored. The lock keeps a press from
 * falling between the read of the bits and the lowering of the line,
 * where its rise would be undone. */
static void ged_io(void *opaque, uint64_t offset, uint8_t *data, unsigned int size,
		   bool is_write)
{
	struct ged *g = opaque;

	(void)offset;
	if (is_write)
		return;
	memset(data, 0, size);
	pthread_mutex_lock(&g->lock);
	data[0] = g->pending;
	if (g->pending) {
		g->pending = 0;
		g->set_irq(g->opaque, 0);
	}
	pthread_mutex_unlock(&g->lock);
}

void ged_init(struct ged *g, void (*set_irq)(void *opaque, int level), void *opaque)
{
	g->pending = 0;
	g->set_irq = set_irq;
	g->opaque = opaque;
	pthread_mutex_init(&g->lock, NULL);	/* default attributes: cannot fail */
}

void ged_destroy(struct ged *g)
{
	pthread_mutex_destroy(&g->lock);
}

int ged_register(struct ged *g, struct io_bus *pio)
{
	return io_bus_register(pio, LAYOUT_GED_PORT, 1, ged_io, g);
}

void ged_press_power_button(struct ged *g)
{
	pthread_mutex_lock(&g->lock);
	g->pending |= ACPI_GED_EVENT_POWER_BUTTON;
	g->set_irq(g->opaque, 1);
	pthread_mutex_unlock(&g->lock);
}
