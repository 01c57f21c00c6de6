/* The vmm confined (confine.h). */
#include "vmm/confine.h"

#include "devices/lib/sandbox.h"
#include "vmm/seccomp_lists.h"
#include "vmm/x86/cpuid.h"

int vmm_confine(uid_t uid, char *err, size_t errlen)
{
	const struct sandbox_config sandbox = {
		.uid = uid,
		.gid = uid,
		.syscalls = vmm_syscalls,
		.ioctls = vmm_ioctls,
		.threads = true,
		/* main() blocks them until the run loop handles them */
		.handles_stop_signals = true,
	};

	/* Asked now: /sys is out of reach once confined. */
	cpuid_host_is_pvm();
	if (sandbox_enter(&sandbox, err, errlen) < 0)
		return -1;
	sandbox_run_test_trigger();
	return 0;
}
