#!/bin/sh
# make check-linux: boot the `debian` package's kernel (bzImage + initramfs)
# on guestmgr-vmm and report how far it got, milestone by milestone, with
# the time each was reached. On hardware virtualization it reaches the
# package's ready marker and powers off. Where KVM is software-assisted
# (kvm_pvm), guest kernel code is emulated at ~1.5 M instructions/s: expect
# a long run that ends in an emulation failure the vmm names; the ready
# marker is then an expected failure (TAP TODO), not a failed test.
#   LINUX_TIMEOUT=seconds (default 2400)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/debian-package.sh"

need_kvm
vmm=$top_builddir/vmm/guestmgr-vmm
timeout_s=${LINUX_TIMEOUT:-2400}
work=$(mktemp -d "${TMPDIR:-/tmp}/check-linux.XXXXXX")
trap 'rm -rf "$work"' EXIT

debian_package || { tap_done; exit; }

pvm=
# KVM-PVM's emulator lacks xrstor and popcnt, and its CPUID shows them (the
# vmm can hide only cmpxchg16b): ask the kernel itself not to use them.
pvm_cmdline=
if [ -d /sys/module/kvm_pvm ]; then
	pvm=1
	pvm_cmdline=" noxsave clearcpuid=popcnt"
fi

cat >"$work/guest.json" <<JSON
{
  "kernel": "$debian_kernel",
  "ramdisk": "$debian_ramdisk",
  "cmdline": "console=ttyS0 earlyprintk=ttyS0 reboot=k panic=-1 tsc_early_khz=$(host_tsc_khz) cryptomgr.notests gm.run=poweroff$pvm_cmdline",
  "cpus": 1,
  "guest_memory": 536870912
}
JSON

tap_diag "booting $(basename "$debian_kernel") on guestmgr-vmm, timeout ${timeout_s} s${pvm:+; KVM is software-assisted (kvm_pvm): expect a long run}"

# Each serial line, prefixed with the seconds since the vmm started (read
# line by line as it comes: a filter in between would buffer the times away).
start=$(date +%s)
cr=$(printf '\r')
timeout "$timeout_s" "$vmm" --config "$work/guest.json" </dev/null 2>"$work/vmm.err" |
	while IFS= read -r line; do
		echo "$(($(date +%s) - start)) ${line%"$cr"}"
	done >"$work/serial.log"
elapsed=$(($(date +%s) - start))

# milestone TEXT DESCRIPTION: one check, passed when a serial line has TEXT.
milestone() {
	at=$(grep -F -m1 -- "$1" "$work/serial.log" | cut -d' ' -f1)
	if [ -n "$at" ]; then
		tap_ok "$2 (after $at s)"
	elif [ -n "$pvm" ]; then
		echo "not ok $((tap_count += 1)) - $2 # TODO not reached: KVM is software-assisted here"
	else
		tap_not_ok "$2"
	fi
}
milestone "Linux version" "the kernel starts and prints its banner"
milestone "ACPI: Using ACPI (MADT) for SMP configuration" "the kernel takes its CPUs from our MADT"
milestone "IOAPIC[0]: apic_id" "the kernel finds the IOAPIC in our MADT"
milestone "Memory: " "the kernel accepts our e820 map and sets up memory"
milestone "ACPI: Core revision" "the kernel starts its ACPI interpreter"
milestone "ACPI: Using IOAPIC for interrupt routing" "the kernel evaluates our DSDT and routes interrupts"
milestone "Freeing unused kernel image" "the kernel finishes its initialisation"
milestone "Run /init as init process" "the kernel starts /init"
milestone "GUESTMGR-READY" "the package's /init prints the ready marker"

tap_diag "ran ${elapsed} s; the vmm said:" "$(cat "$work/vmm.err")"
tap_diag "last serial lines (seconds since start):" "$(tail -n 8 "$work/serial.log")"
tap_done
