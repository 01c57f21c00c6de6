/* The vmm confined (vmm/README.md "Sandbox"): once the config is read and
 * every fd it needs is open (/dev/kvm too), the vmm asks the host what it
 * still needs to know (whether KVM is KVM-PVM) and enters the sandbox the
 * devices use (devices/lib/sandbox.h) with its own allowlist
 * (seccomp_lists.c). Before any thread exists: the sandbox forks into a
 * new pid namespace, and its seccomp filter then covers every thread the
 * vmm starts. */
#ifndef VMM_CONFINE_H
#define VMM_CONFINE_H

#include <stddef.h>
#include <sys/types.h>

/* 0 in the confined process; -1 with a message in err. The process that
 * called it waits outside and never returns (sandbox_enter). */
int vmm_confine(uid_t uid, char *err, size_t errlen);

#endif
