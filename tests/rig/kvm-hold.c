/* kvm-hold: keeps one KVM VM, with an in-kernel irqchip and one vCPU that
 * never runs, open until killed (the nested-KVM rig's init starts it right
 * after loading kvm-amd).
 *
 * KVM turns static keys on when the first VM is created (preempt
 * notifiers) and its first local APIC (software-disabled APICs), and off
 * when the last goes; each turn live-patches kernel code, __schedule's
 * among it, which the rig's other CPU is running. Under QEMU's
 * multi-threaded TCG that patching now and then left a rig CPU spinning on
 * the patched jump in __schedule for good (rig-run's status 126, its NMI
 * backtrace pointing there). With this VM held, the keys stay on: the
 * kernel is patched once, before any job, not at every vmm's start and
 * end (counted with kprobes on __jump_label_update: 4 patches per vmm run
 * without it, none with it).
 *
 * It exits 0 once the VM is set up, leaving a child that holds it: init
 * knows at once whether it worked. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0) {
		perror("kvm-hold: KVM_CREATE_VM");
		return 1;
	}
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm-hold: KVM_CREATE_IRQCHIP or KVM_CREATE_VCPU");
		return 1;
	}
	pid_t holder = fork();

	if (holder < 0) {
		perror("kvm-hold: fork");
		return 1;
	}
	if (holder > 0)
		return 0;
	for (;;)
		pause();
}
