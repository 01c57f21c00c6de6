#!/bin/sh
# bench/boot: boot the same testguest on guestmgr-vmm and on QEMU microvm
# (-enable-kvm), alternating, RUNS times each, and report min/median/max of
#   first serial output, process exit, vmm set-up (start to first KVM_RUN)
# and, from one extra held run each, memory overhead: RSS and PSS of the
# process minus the guest RAM it touched. Ratios are guestmgr / QEMU.
#
#   bench/boot.sh [BUILDDIR]      (default: out/build; RUNS=10 by default)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/out/build}
runs=${RUNS:-10}
mem_mib=256
timer=$build/bench/boot-timer
trace=$build/bench/kvm-run-trace.so
vmm=$build/vmm/guestmgr-vmm
guest=$build/testguest/testguest

for f in "$timer" "$trace" "$vmm" "$guest"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "bench/boot: $f missing: build first (make -C $build)" >&2; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "bench/boot: qemu-system-x86_64 missing (scripts/setup.sh)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# vmm_cmd CMDLINE: the command line that boots testguest on our vmm.
vmm_cmd() {
	cat >"$work/guest.json" <<JSON
{"kernel": "$guest", "cmdline": "$1", "cpus": 1, "guest_memory": $((mem_mib * 1024 * 1024))}
JSON
	echo "env LD_PRELOAD=$trace $vmm --config $work/guest.json"
}

qemu_cmd() {
	echo "env LD_PRELOAD=$trace qemu-system-x86_64 -M microvm -enable-kvm -m $mem_mib -nodefaults -no-user-config \
-display none -monitor none -serial stdio -no-reboot -kernel $guest -append '$1'"
}

# One timed boot per VMM per round, alternating so drift hits both alike.
i=0
while [ "$i" -lt "$runs" ]; do
	for who in vmm qemu; do
		eval "$timer --marker SUMMARY -- $(${who}_cmd 'test=boot')" | sed "s/^/$who /" >>"$work/runs"
	done
	i=$((i + 1))
done
for who in vmm qemu; do
	eval "$timer --marker SUMMARY --hold -- $(${who}_cmd 'test=boot exit=halt')" | sed "s/^/$who /" >>"$work/mem"
done

awk -v runs="$runs" -v mem_mib="$mem_mib" -f "$root/bench/stats.awk" -f "$root/bench/boot-report.awk" \
	"$work/runs" "$work/mem"
