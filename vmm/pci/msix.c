#include "vmm/pci/msix.h"

#include <string.h>

#define MSIX_CONTROL		2
#define MSIX_TABLE		4
#define MSIX_PBA		8
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_FUNC_MASK	0x4000
#define MSIX_ENTRY_MASKED	1

int msix_init(struct msix *m, struct pci_config_space *cfg, unsigned int nvec,
	      unsigned int bar, uint32_t table_off, uint32_t pba_off,
	      const struct msix_ops *ops, void *opaque)
{
	memset(m, 0, sizeof(*m));
	if (nvec == 0 || nvec > MSIX_MAX_VECTORS)
		return -1;
	m->cap = pci_config_add_cap(cfg, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!m->cap)
		return -1;
	m->cfg = cfg;
	m->nvec = nvec;
	m->ops = ops;
	m->opaque = opaque;
	for (unsigned int i = 0; i < nvec; i++)
		m->table[i].ctrl = MSIX_ENTRY_MASKED;
	pci_config_set(cfg, m->cap + MSIX_CONTROL, 2, nvec - 1);
	pci_config_set_wmask(cfg, m->cap + MSIX_CONTROL, 2, MSIX_CTRL_ENABLE | MSIX_CTRL_FUNC_MASK);
	pci_config_set(cfg, m->cap + MSIX_TABLE, 4, table_off | bar);
	pci_config_set(cfg, m->cap + MSIX_PBA, 4, pba_off | bar);
	return 0;
}

static uint16_t control(const struct msix *m)
{
	return (uint16_t)pci_config_get(m->cfg, m->cap + MSIX_CONTROL, 2);
}

bool msix_enabled(const struct msix *m)
{
	return control(m) & MSIX_CTRL_ENABLE;
}

bool msix_vector_masked(const struct msix *m, unsigned int vector)
{
	uint16_t c = control(m);

	return vector >= m->nvec || !(c & MSIX_CTRL_ENABLE) || (c & MSIX_CTRL_FUNC_MASK) ||
	       (m->table[vector].ctrl & MSIX_ENTRY_MASKED);
}

void msix_message(const struct msix *m, unsigned int vector, uint64_t *addr, uint32_t *data)
{
	*addr = (uint64_t)m->table[vector].addr_hi << 32 | m->table[vector].addr_lo;
	*data = m->table[vector].data;
}

static void send(struct msix *m, unsigned int vector)
{
	uint64_t addr;
	uint32_t data;

	msix_message(m, vector, &addr, &data);
	m->ops->send(m->opaque, addr, data);
}

void msix_notify(struct msix *m, unsigned int vector)
{
	if (vector >= m->nvec)
		return;
	if (msix_vector_masked(m, vector))
		m->pba |= 1ULL << vector;
	else
		send(m, vector);
}

/* A vector became unmasked, or its routing may have changed. */
static void vector_changed(struct msix *m, unsigned int vector, bool was_masked)
{
	m->ops->vector_changed(m->opaque, vector);
	if (was_masked && !msix_vector_masked(m, vector) && (m->pba & (1ULL << vector))) {
		m->pba &= ~(1ULL << vector);
		send(m, vector);
	}
}

void msix_config_written(struct msix *m)
{
	bool enabled = msix_enabled(m);
	bool fmask = control(m) & MSIX_CTRL_FUNC_MASK;
	bool before[MSIX_MAX_VECTORS];

	if (enabled == m->was_enabled && fmask == m->was_function_masked)
		return;
	for (unsigned int i = 0; i < m->nvec; i++)
		before[i] = !m->was_enabled || m->was_function_masked ||
			    (m->table[i].ctrl & MSIX_ENTRY_MASKED);
	m->was_enabled = enabled;
	m->was_function_masked = fmask;
	for (unsigned int i = 0; i < m->nvec; i++)
		vector_changed(m, i, before[i]);
}

static void entry_dword(struct msix *m, unsigned int vector, unsigned int word, uint32_t *v,
			bool is_write)
{
	struct msix_entry *e = &m->table[vector];
	uint32_t *field[4] = { &e->addr_lo, &e->addr_hi, &e->data, &e->ctrl };
	bool was_masked;

	if (!is_write) {
		*v = *field[word];
		return;
	}
	was_masked = msix_vector_masked(m, vector);
	/* Only the mask bit of vector control is writable. */
	*field[word] = word == 3 ? (*v & MSIX_ENTRY_MASKED) : *v;
	vector_changed(m, vector, was_masked);
}

/* Dword or aligned qword accesses, split into dwords. */
static void dwords(struct msix *m, uint64_t off, uint8_t *data, unsigned int size, bool is_write,
		   void (*fn)(struct msix *, uint64_t, uint32_t *, bool))
{
	if ((size != 4 && size != 8) || (off & (size - 1))) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	for (unsigned int i = 0; i < size; i += 4) {
		uint32_t v = 0;

		if (is_write)
			memcpy(&v, data + i, 4);
		fn(m, off + i, &v, is_write);
		if (!is_write)
			memcpy(data + i, &v, 4);
	}
}

static void table_dword(struct msix *m, uint64_t off, uint32_t *v, bool is_write)
{
	unsigned int vector = (unsigned int)(off / MSIX_ENTRY_SIZE);

	if (vector >= m->nvec) {
		*v = 0;
		return;
	}
	entry_dword(m, vector, (unsigned int)(off % MSIX_ENTRY_SIZE) / 4, v, is_write);
}

static void pba_dword(struct msix *m, uint64_t off, uint32_t *v, bool is_write)
{
	/* Read-only; bits past nvec read zero. */
	if (!is_write)
		*v = off < 8 ? (uint32_t)(m->pba >> (off * 8)) : 0;
}

void msix_table_access(struct msix *m, uint64_t off, uint8_t *data, unsigned int size,
		       bool is_write)
{
	dwords(m, off, data, size, is_write, table_dword);
}

void msix_pba_access(struct msix *m, uint64_t off, uint8_t *data, unsigned int size,
		     bool is_write)
{
	dwords(m, off, data, size, is_write, pba_dword);
}
