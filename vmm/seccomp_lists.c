/* What the vmm may do once confined (vmm/README.md "Sandbox"), on top of
 * the sandbox's common list (devices/lib/seccomp_lists.c). One name per
 * line, so a change shows up in a diff as what it is. */
#include "vmm/seccomp_lists.h"

#include <linux/kvm.h>
#include <stddef.h>

const char *const vmm_syscalls[] = {
	/* guest memory: one memfd, sized once */
	"memfd_create",
	"ftruncate",
	/* the kernel, ramdisk and overlay, read from their fds */
	"pread64",
	/* stop, vCPU, queue, irqfd and ioeventfd eventfds */
	"eventfd2",
	/* vhost-user replies are awaited with a timeout (SO_RCVTIMEO and
	 * SO_SNDTIMEO on the sockets the config brought) */
	"setsockopt",
	/* each virtio device's error watcher thread */
	"poll",
	/* whether serial input can be polled (serial_input.c) */
	"epoll_create1",
	/* threads: stacks (guard pages: mprotect, never PROT_EXEC), glibc's
	 * per-thread set-up, locks and joins; clone itself is allowed for
	 * threads only (sandbox_config.threads) */
	"mprotect",
	"set_robust_list",
	"rseq",
	"futex",
	/* signals: the vCPU kick (SIGUSR1 by pthread_kill: getpid, tgkill),
	 * the main loop's SIGTERM and SIGINT, per-thread masks */
	"rt_sigaction",
	"rt_sigprocmask",
	"getpid",
	"tgkill",
	NULL,
};

/* ioctl requests, checked by number (a filter cannot see which fd). */
const unsigned long vmm_ioctls[] = {
	/* /dev/kvm */
	KVM_GET_API_VERSION,
	KVM_CREATE_VM,
	KVM_CHECK_EXTENSION,
	KVM_GET_VCPU_MMAP_SIZE,
	KVM_GET_SUPPORTED_CPUID,
	KVM_GET_MSR_INDEX_LIST,
	/* the VM: memory, the in-kernel irqchip and PIT, interrupt routes */
	KVM_SET_USER_MEMORY_REGION,
	KVM_SET_TSS_ADDR,
	KVM_SET_IDENTITY_MAP_ADDR,
	KVM_CREATE_IRQCHIP,
	KVM_CREATE_PIT2,
	KVM_IRQ_LINE,
	KVM_SET_GSI_ROUTING,
	KVM_IRQFD,
	KVM_IOEVENTFD,
	KVM_SIGNAL_MSI,
	KVM_CREATE_VCPU,
	/* each vCPU: its set-up, running it, and where it was when it failed */
	KVM_SET_CPUID2,
	KVM_SET_XCRS,
	KVM_SET_MSRS,
	KVM_SET_MP_STATE,
	KVM_SET_REGS,
	KVM_SET_SREGS,
	KVM_RUN,
	KVM_GET_REGS,
	KVM_GET_SREGS,
	KVM_TRANSLATE,
	0,
};
