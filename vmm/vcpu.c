#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/exit_status.h"
#include "vmm/vm.h"
#include "vmm/x86/cpuid.h"
#include "vmm/x86/msr.h"
#include "vmm/x86/vcpu_report.h"

/* Enough for the exit handlers and error formatting; vCPU threads do no
 * deep work, and a small stack keeps the vmm's footprint small. */
#define VCPU_STACK_SIZE (256 * 1024)
/* Sent by the main thread to get a vCPU out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned int id, char *err, size_t errlen)
{
	v->vm = vm;
	v->id = id;
	v->started = false;
	v->run = NULL;
	v->fd = ioctl(vm->kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		snprintf(err, errlen, "vCPU %u: KVM_CREATE_VCPU: %s", id, strerror(errno));
		return -1;
	}
	v->run = mmap(NULL, vm->kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		snprintf(err, errlen, "vCPU %u: mmap of kvm_run: %s", id, strerror(errno));
		return -1;
	}
	if (cpuid_setup_vcpu(v->fd, vm->kvm.cpuid, id, vm->desc.ncpus, err, errlen) < 0 ||
	    msr_setup_vcpu(v->fd, id, &vm->kvm, err, errlen) < 0)
		return -1;
	if (id != 0) {
		/* What KVM gives an AP with the in-kernel irqchip; said here
		 * because the guest's SMP start-up depends on it. */
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_UNINITIALIZED };

		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
			snprintf(err, errlen, "vCPU %u: KVM_SET_MP_STATE: %s", id, strerror(errno));
			return -1;
		}
	}
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->kvm.run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void stop_with_error(struct vcpu *v, const char *what)
{
	char where[256];

	vcpu_report(v->fd, &v->vm->mem, where, sizeof(where));
	vm_stop_request(&v->vm->stop, VMM_EXIT_GUEST_ERROR, "vCPU %u: %s %s", v->id, what, where);
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	bool is_write = r->io.direction == KVM_EXIT_IO_OUT;

	/* count > 1 for rep ins/outs: consecutive elements, same port. */
	for (uint32_t i = 0; i < r->io.count; i++, data += r->io.size)
		if (!io_bus_access(&v->vm->pio, r->io.port, data, r->io.size, is_write) &&
		    !is_write)
			memset(data, 0xff, r->io.size);	/* nothing there: a floating bus */
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	if (!io_bus_access(&v->vm->mmio, r->mmio.phys_addr, r->mmio.data, r->mmio.len,
			   r->mmio.is_write) && !r->mmio.is_write)
		memset(r->mmio.data, 0xff, r->mmio.len);
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "exit during event delivery";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected hardware exit reason";
	default:
		return "unknown";
	}
}

static void handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_stop_request(&v->vm->stop, VMM_EXIT_GUEST_STOPPED,
				"guest stopped: system event shutdown on vCPU %u", v->id);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_stop_request(&v->vm->stop, VMM_EXIT_GUEST_STOPPED,
				"guest stopped: system event reset on vCPU %u", v->id);
		break;
	default: {
		char what[64];

		snprintf(what, sizeof(what), "KVM_EXIT_SYSTEM_EVENT type %u",
			 v->run->system_event.type);
		stop_with_error(v, what);
	}
	}
}

/* One exit; false when the vCPU must stop. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	char what[128];

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		vm_stop_request(&v->vm->stop, VMM_EXIT_GUEST_STOPPED,
				"guest stopped: triple fault on vCPU %u", v->id);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR suberror %u (%s)",
			 r->internal.suberror, internal_error_name(r->internal.suberror));
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM_EXIT_FAIL_ENTRY hardware reason %#llx",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u", r->exit_reason);
		break;
	}
	stop_with_error(v, what);
	return false;
}

/* For the daemon's "running" (control.c): said as late as a thread can,
 * its next system call is KVM_RUN. */
static void announce_entering(struct vcpu *v)
{
	uint64_t one = 1;

	if (write(v->vm->vcpus_entered_fd, &one, sizeof(one)) != sizeof(one))
		perror("vmm: vCPU entered eventfd");
}

static void *vcpu_thread(void *opaque)
{
	struct vcpu *v = opaque;

	if (!vm_stop_requested(&v->vm->stop))
		announce_entering(v);
	while (!vm_stop_requested(&v->vm->stop)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			char what[128];

			snprintf(what, sizeof(what), "KVM_RUN: %s", strerror(errno));
			stop_with_error(v, what);
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;
}

int vcpu_start(struct vcpu *v, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_kick };	/* no SA_RESTART */
	sigset_t all, old;
	pthread_attr_t attr;
	int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	/* The thread inherits this mask: only the kick reaches it, so
	 * SIGTERM/SIGINT go to the main loop. */
	sigfillset(&all);
	sigdelset(&all, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	ret = pthread_create(&v->thread, &attr, vcpu_thread, v);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "vCPU %u: thread: %s", v->id, strerror(ret));
		return -1;
	}
	v->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->started)
		return;
	/* immediate_exit covers a thread about to enter KVM_RUN; the signal
	 * one inside it or blocked writing serial output. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_join(struct vcpu *v)
{
	if (v->started)
		pthread_join(v->thread, NULL);
	v->started = false;
}
