/* The vmm's seccomp allowlist: syscall names and KVM ioctl requests
 * (seccomp_lists.c), counted in vmm/README.md. */
#ifndef VMM_SECCOMP_LISTS_H
#define VMM_SECCOMP_LISTS_H

extern const char *const vmm_syscalls[];	/* NULL-terminated */
extern const unsigned long vmm_ioctls[];	/* 0-terminated */

#endif
