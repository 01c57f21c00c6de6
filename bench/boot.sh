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

awk -v runs="$runs" -v mem_mib="$mem_mib" '
function put(who, key, val) { n[who, key]++; v[who, key, n[who, key]] = val }
function sortvals(who, key,    i, j, t, c) {
	c = n[who, key]
	for (i = 1; i <= c; i++) s[i] = v[who, key, i]
	for (i = 2; i <= c; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
	return c
}
function stat(who, key, what,    c) {
	c = sortvals(who, key)
	if (c == 0) return ""
	if (what == "min") return s[1]
	if (what == "max") return s[c]
	return (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
}
FNR == 1 { file++ }
{
	who = $1
	for (f = 2; f <= NF; f++) { split($f, kv, "="); put(who, (file == 2 ? "mem_" : "") kv[1], kv[2]) }
}
END {
	printf "boot of testguest (test=boot), %d runs each, %d MiB guest, 1 vCPU\n\n", runs, mem_mib
	printf "%-28s %28s %28s %7s\n", "metric (ms)", "guestmgr-vmm min/med/max", "qemu microvm min/med/max", "ratio"
	split("first_output_ms exit_ms setup_ms", keys, " ")
	for (k = 1; k <= 3; k++) {
		key = keys[k]
		a = stat("vmm", key, "med"); b = stat("qemu", key, "med")
		line = sprintf("%-28s %28s %28s", key,
			a == "" ? "-" : sprintf("%.1f/%.1f/%.1f", stat("vmm", key, "min"), a, stat("vmm", key, "max")),
			b == "" ? "-" : sprintf("%.1f/%.1f/%.1f", stat("qemu", key, "min"), b, stat("qemu", key, "max")))
		printf "%s %7s\n", line, (a != "" && b != "" && b > 0) ? sprintf("%.2fx", a / b) : "-"
	}
	printf "\n%-28s %14s %14s %7s\n", "memory at SUMMARY (KiB)", "guestmgr-vmm", "qemu", "ratio"
	split("rss pss", mk, " ")
	for (k = 1; k <= 2; k++) {
		a = stat("vmm", "mem_" mk[k] "_kib", "med") - stat("vmm", "mem_guest_" mk[k] "_kib", "med")
		b = stat("qemu", "mem_" mk[k] "_kib", "med") - stat("qemu", "mem_guest_" mk[k] "_kib", "med")
		printf "%-28s %14d %14d %7s\n", toupper(mk[k]) " minus guest RAM", a, b, (b > 0 ? sprintf("%.2fx", a / b) : "-")
	}
}' "$work/runs" "$work/mem"
