/* Detected problems (problems.h). */
#include "manager/guestmgrd/problems.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc/protocol.h"
#include "manager/guestmgrd/guest.h"

static void add(json_t *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(json_t *list, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (json_array_size(list) >= GM_MAX_DETECTED_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(text));
}

static void kvm(json_t *list)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		add(list, "no usable /dev/kvm (%s): guests cannot start", strerror(errno));
		return;
	}
	close(fd);
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		add(list, "KVM is software-assisted (kvm_pvm): guest kernel code runs emulated");
}

/* Guest RAM is a memfd, shared with the device processes: its huge pages
 * are the host's shmem setting's to give. In 4 KiB pages every page a
 * guest first touches is a nested-page fault, and a Linux guest boots
 * markedly slower (bench/README.md, "linux"). */
static void huge_pages(json_t *list)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
	char line[128], *setting, *end;

	if (!f)
		return;
	/* "always within_size advise [never] deny force": the one in brackets */
	if (fgets(line, sizeof(line), f) && (setting = strchr(line, '[')) && (end = strchr(setting, ']'))) {
		*end = '\0';
		setting++;
		if (strcmp(setting, "never") == 0 || strcmp(setting, "deny") == 0)
			add(list, "shared memory gets no transparent huge pages "
			    "(transparent_hugepage/shmem_enabled: %s): guest RAM is mapped in 4 KiB pages "
			    "and Linux guests boot slower; 'advise' lets the vmm ask for them", setting);
	}
	fclose(f);
}

/* MemAvailable, in bytes; 0 when unknown. */
static unsigned long long host_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib * 1024;
}

static void memory(json_t *list, const struct guest *g)
{
	json_t *mem = json_object_get(g->descriptor, "guest_memory");
	unsigned long long want = mem ? (unsigned long long)json_integer_value(mem) : 0;
	unsigned long long have = host_available();

	/* A running guest's memory is partly counted as used already. */
	if (want && have && !guest_active(g) && have < want)
		add(list, "the host has %llu MiB of memory available, less than the guest's %llu MiB",
		    have >> 20, want >> 20);
}

json_t *problems_detect(const struct guest *g)
{
	json_t *list = json_array();

	kvm(list);
	huge_pages(list);
	memory(list, g);
	if (g->device_death[0])
		add(list, "a device process died in the last run: %s", g->device_death);
	if (g->stopped_before && g->last_stop.cause == GM_STOP_CAUSE_VMM_DIED)
		add(list, "the vmm died in the last run: %s", g->last_stop.message);
	return list;
}
