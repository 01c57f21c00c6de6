#include "vmm/vm.h"

#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/i8042.h"
#include "vmm/image_file.h"
#include "vmm/x86/acpi.h"
#include "vmm/x86/boot.h"
#include "vmm/x86/fdt.h"
#include "vmm/x86/ged.h"
#include "vmm/x86/layout.h"
#include "vmm/x86/sleep_ctl.h"

/* The device tree and its SETUP_DTB header share the setup_data area. */
#define DTB_MAX (LAYOUT_SETUP_DATA_MAX - 16)

static void uart_set_irq(void *opaque, int level)
{
	struct vm *vm = opaque;

	kvm_vm_irq_line(&vm->kvm, LAYOUT_COM1_GSI, level);
}

static void ged_set_irq(void *opaque, int level)
{
	struct vm *vm = opaque;

	kvm_vm_irq_line(&vm->kvm, LAYOUT_GED_GSI, level);
}

/* A vCPU thread's hook into the main loop: the guest drained the FIFO. */
static void uart_rx_drained(void *opaque)
{
	struct vm *vm = opaque;

	serial_input_drained(&vm->uart_input);
}

/* The config's /dev/kvm (config_open_kvm). */
static int open_kvm(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	int fd = fcntl(cfg->kvm.fd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %m", cfg->kvm.name);
		return -1;
	}
	return kvm_vm_create(&vm->kvm, fd, err, errlen);
}

static int add_devices(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	vm->serial_in_fd = cfg->serial_in.fd;
	serial_init(&vm->uart, cfg->serial_out.fd, uart_set_irq, uart_rx_drained, vm);
	ged_init(&vm->ged, ged_set_irq, vm);
	if (io_bus_register(&vm->pio, LAYOUT_COM1_PORT, SERIAL_NR_PORTS, serial_io, &vm->uart) < 0 ||
	    i8042_register(&vm->pio, &vm->stop) < 0 ||
	    sleep_ctl_register(&vm->pio, &vm->stop) < 0 ||
	    ged_register(&vm->ged, &vm->pio) < 0 ||
	    pci_bus_register(&vm->pci, &vm->pio, &vm->mmio) < 0) {
		snprintf(err, errlen, "machine: overlapping I/O ports");
		return -1;
	}
	return 0;
}

/* The device tree exists only when the config brings an overlay for it. */
static int build_dtb(const struct vm *vm, const struct vmm_config *cfg, void **dtb,
		     char *err, size_t errlen)
{
	uint64_t size;
	void *overlay = NULL;
	int ret = -1;

	*dtb = NULL;
	if (cfg->dtb_overlay.fd < 0)
		return 0;
	if (image_size(cfg->dtb_overlay.fd, cfg->dtb_overlay.name, &size, err, errlen) < 0)
		return -1;
	if (size > DTB_MAX) {
		snprintf(err, errlen, "%s: %llu bytes, at most %llu", cfg->dtb_overlay.name,
			 (unsigned long long)size, (unsigned long long)DTB_MAX);
		return -1;
	}
	overlay = malloc(size ? size : 1);
	*dtb = malloc(DTB_MAX);
	if (!overlay || !*dtb) {
		snprintf(err, errlen, "%s: out of memory", cfg->dtb_overlay.name);
		goto out;
	}
	if (image_read(cfg->dtb_overlay.fd, cfg->dtb_overlay.name, 0, overlay, size,
		       err, errlen) < 0 ||
	    fdt_build(*dtb, DTB_MAX, &vm->desc, cfg->cmdline, overlay, size, err, errlen) < 0)
		goto out;
	ret = 0;
out:
	free(overlay);
	if (ret < 0) {
		free(*dtb);
		*dtb = NULL;
	}
	return ret;
}

static int load_guest(struct vm *vm, const struct vmm_config *cfg, struct boot_entry *entry,
		      char *err, size_t errlen)
{
	uint8_t *acpi = guest_mem_ptr(&vm->mem, LAYOUT_ACPI_BASE, LAYOUT_ACPI_SIZE);
	struct boot_input in = {
		.kernel_name = cfg->kernel.name,
		.kernel_fd = cfg->kernel.fd,
		.ramdisk_name = cfg->ramdisk.name,
		.ramdisk_fd = cfg->ramdisk.fd,
		.cmdline = cfg->cmdline,
		.rsdp = LAYOUT_ACPI_BASE,
	};
	void *dtb;
	int ret;

	if (!acpi || !acpi_build(acpi, &vm->desc)) {
		snprintf(err, errlen, "ACPI tables do not fit in %llu bytes",
			 (unsigned long long)LAYOUT_ACPI_SIZE);
		return -1;
	}
	if (build_dtb(vm, cfg, &dtb, err, errlen) < 0)
		return -1;
	in.dtb = dtb;
	in.dtb_size = dtb ? fdt_totalsize(dtb) : 0;
	ret = boot_load(&vm->mem, &vm->desc, &in, entry, err, errlen);
	free(dtb);
	return ret;
}

static int create_vcpus(struct vm *vm, const struct boot_entry *entry, char *err, size_t errlen)
{
	vm->vcpus = calloc(vm->desc.ncpus, sizeof(vm->vcpus[0]));
	if (!vm->vcpus) {
		snprintf(err, errlen, "vCPUs: out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < vm->desc.ncpus; i++) {
		vm->vcpus[i].fd = -1;
		vm->nvcpus++;
		if (vcpu_create(&vm->vcpus[i], vm, i, err, errlen) < 0)
			return -1;
	}
	return boot_cpu_setup(vm->vcpus[0].fd, entry, err, errlen);
}

static int create_virtio(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	kvm_routes_init(&vm->routes, vm->kvm.vm_fd);
	vm->routes_ready = true;
	vm->virtio = calloc(cfg->nvhost_user ? cfg->nvhost_user : 1, sizeof(vm->virtio[0]));
	if (!vm->virtio) {
		snprintf(err, errlen, "vhost_user_devices: out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < cfg->nvhost_user; i++) {
		const struct config_vhost_user *c = &cfg->vhost_user[i];
		char name[64];
		int fd = fcntl(c->socket.fd, F_DUPFD_CLOEXEC, 3);

		snprintf(name, sizeof(name), "vhost_user_devices[%u] (%s)", i, c->type);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %m", name);
			return -1;
		}
		vm->nvirtio++;
		if (virtio_pci_create(&vm->virtio[i], name, c->virtio_id, fd, &vm->pci,
				      vm->kvm.vm_fd, &vm->routes, &vm->mem, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void vm_print_stats(struct vm *vm, FILE *to)
{
	io_bus_print_stats(&vm->pio, "pio", to);
	io_bus_print_stats(&vm->mmio, "mmio", to);
	for (unsigned int i = 0; i < vm->nvirtio; i++)
		for (unsigned int r = 0; r < VIRTIO_REGION_COUNT; r++)
			fprintf(to, "vmm: stats: %s: %s exits %lu\n", vm->virtio[i].name,
				virtio_pci_region_names[r], (unsigned long)vm->virtio[i].exits[r]);
}

int vm_build(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	struct boot_entry entry;

	memset(vm, 0, sizeof(*vm));
	vm->kvm.sys_fd = vm->kvm.vm_fd = vm->mem.fd = -1;
	vm->uart_input.drained_fd = -1;
	vm->vcpus_entered_fd = -1;
	io_bus_init(&vm->pio);
	io_bus_init(&vm->mmio);
	pci_bus_init(&vm->pci);
	machine_desc_init(&vm->desc, cfg->cpus, cfg->guest_memory);
	if (vm_stop_init(&vm->stop) < 0) {
		snprintf(err, errlen, "stop eventfd: %m");
		return -1;
	}
	vm->vcpus_entered_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->vcpus_entered_fd < 0) {
		snprintf(err, errlen, "vCPU eventfd: %m");
		return -1;
	}
	if (add_devices(vm, cfg, err, errlen) < 0 ||
	    guest_mem_create(&vm->mem, &vm->desc, err, errlen) < 0 ||
	    load_guest(vm, cfg, &entry, err, errlen) < 0 ||
	    open_kvm(vm, cfg, err, errlen) < 0 ||
	    kvm_vm_map_memory(&vm->kvm, &vm->mem, err, errlen) < 0 ||
	    kvm_vm_create_irqchip(&vm->kvm, err, errlen) < 0 ||
	    create_virtio(vm, cfg, err, errlen) < 0 ||
	    create_vcpus(vm, &entry, err, errlen) < 0)
		return -1;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nvcpus = 0;
	for (unsigned int i = 0; i < vm->nvirtio; i++)
		virtio_pci_destroy(&vm->virtio[i]);
	free(vm->virtio);
	vm->virtio = NULL;
	vm->nvirtio = 0;
	if (vm->routes_ready)
		kvm_routes_destroy(&vm->routes);
	vm->routes_ready = false;
	kvm_vm_destroy(&vm->kvm);
	guest_mem_destroy(&vm->mem);
	serial_destroy(&vm->uart);
	ged_destroy(&vm->ged);
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	pci_bus_destroy(&vm->pci);
	vm_stop_destroy(&vm->stop);
	if (vm->vcpus_entered_fd >= 0)
		close(vm->vcpus_entered_fd);
	vm->vcpus_entered_fd = -1;
}
