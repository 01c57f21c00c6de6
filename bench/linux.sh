#!/bin/sh
# bench/linux: the `debian` package (Debian's cloud kernel and the
# package's initramfs) booted on guestmgr-vmm and on QEMU (-M microvm with
# PCIe, and -M q35), all -enable-kvm with the host's CPU, 1 vCPU, 512 MiB,
# a virtio-blk disk on PCI on each (ours: devices/virtio-blk), the same
# command line, alternating, RUNS times each. Reported (min/median/max):
#   ready_ms      process start to the package's GUESTMGR-READY line
#   uptime_ms     the guest's own uptime at that line (its kernel's view)
#   setup_ms      process start to the first KVM_RUN (bench/kvm-run-trace.so,
#                 preloaded into every VMM): the VMM's own start
#   pre_clock_ms  the first KVM_RUN to the kernel's clock (ready_ms minus
#                 the other two): the kernel's earliest boot
#   exit_ms       process start to exit (the guest powers off after READY)
# then, from one held run each, RSS and PSS beyond guest RAM at READY, and
# from one run each with initcall_debug, the kernel's own time: the sum of
# its initcalls, when it ran /init, and its five slowest initcalls; and
# from one run each with the kernel's kvm trace events on (where tracefs is
# writable: as root, and always in the rig), the KVM exits: how many, the
# time the guest spent outside itself (KVM's handling and the VMM's), how
# often it halted, and where (bench/linux-exits.awk).
# Ratios are guestmgr-vmm / QEMU.
#
#   bench/linux.sh [BUILDDIR]     (default: out/build; RUNS=3 by default)
#
# KERNEL=vmlinux boots the same kernel as an ELF through its PVH entry on
# all three (no decompression in the guest) instead of the package's
# vmlinuz. SHMEM_THP=advise (in the rig only: a host's setting is its
# owner's) lets shared memory, and so our vmm's guest RAM, have
# transparent huge pages, as QEMU's private RAM has by default; the
# report's header says which setting the run had.
#
# Where this host has no usable /dev/kvm it runs inside the nested-KVM rig
# (tests/rig/README.md): every VMM there runs on the same emulated SVM, so
# absolute times are inflated alike and the ratios are what count.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/out/build}
build=$(cd "$build" && pwd)
runs=${RUNS:-3}
mem_mib=512
cmdline="console=ttyS0 reboot=k panic=-1 quiet ${CMDLINE_ADD:-}"

case ${BENCH_LINUX_IN_RIG:-} in
'')
	# The package, built here (its .debs are cached) before the rig starts.
	top_srcdir=$root top_builddir=$build sh -c ". '$root/tests/lib.sh'; . '$root/tests/debian-package.sh';
		debian_package >/dev/null" || { echo "bench/linux: the debian package does not build" >&2; exit 1; }
	export BENCH_LINUX_IN_RIG=1
	exec env top_builddir="$build" "$root/tests/rig/rig-run" --if-needed --cpus 2 --mem 3072 \
		--timeout 3600 -- "$0" "$build"
	;;
esac

timer=$build/bench/boot-timer
trace=$build/bench/kvm-run-trace.so
vmm=$build/vmm/guestmgr-vmm
blk=$build/devices/virtio-blk
kernel=$build/out/packages/debian/${KERNEL:-vmlinuz}
initrd=$build/out/packages/debian/initrd.img
for f in "$timer" "$trace" "$vmm" "$blk" "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "bench/linux: $f missing: build first (make -C $build all debian-package)" >&2; exit 1; }
done
qemu=qemu-system-x86_64
thp=/sys/kernel/mm/transparent_hugepage
if [ -n "${SHMEM_THP:-}" ]; then
	[ -n "${GUESTMGR_RIG:-}" ] || { echo "bench/linux: SHMEM_THP is for the rig; set $thp/shmem_enabled yourself" >&2; exit 1; }
	echo "$SHMEM_THP" >"$thp/shmem_enabled"
fi

work=$(mktemp -d)
device= instance=
trap '[ -z "$device" ] || kill $device 2>/dev/null; [ -z "$instance" ] || rmdir "$instance"; rm -rf "$work"' EXIT
head -c $((64 * 1024 * 1024)) /dev/urandom >"$work/disk.img"

# start_blk: a new devices/virtio-blk for our vmm (it serves one frontend),
# listening before the clock starts, as a disk QEMU opens is.
start_blk() {
	rm -f "$work/blk.sock"
	"$blk" --socket-path "$work/blk.sock" --blk-file "$work/disk.img" </dev/null >/dev/null 2>>"$work/blk.err" &
	device=$!
	polls=0	# not $i: the caller's run counter
	while [ ! -S "$work/blk.sock" ] && [ "$polls" -lt 200 ]; do
		sleep 0.01
		polls=$((polls + 1))
	done
}

# cmd_WHO CMDLINE: the command that boots the package on WHO.
cmd_vmm() {
	cat >"$work/vmm.json" <<JSON
{ "kernel": "$kernel", "ramdisk": "$initrd", "cmdline": "$1", "cpus": 1,
  "guest_memory": $((mem_mib * 1024 * 1024)),
  "vhost_user_devices": [ { "type": "blk", "socket": "$work/blk.sock" } ] }
JSON
	echo "env LD_PRELOAD=$trace $vmm --config $work/vmm.json"
}
qemu_common() {
	echo "env LD_PRELOAD=$trace $qemu -enable-kvm -cpu host -m $mem_mib -smp 1 -nodefaults -no-user-config -display none" \
		"-monitor none -serial stdio -no-reboot -kernel $kernel -initrd $initrd -append '$1'" \
		"-drive id=d0,file=$work/disk.img,format=raw,if=none -device virtio-blk-pci,drive=d0"
}
cmd_microvm() {
	echo "$(qemu_common "$1") -M microvm,pcie=on,rtc=on"
}
cmd_q35() {
	echo "$(qemu_common "$1") -M q35"
}

# launder: in the rig, writes 1 GiB of its memory and frees it. QEMU's TCG
# keeps its translated code per page of the rig's RAM; the first store into
# a page that last held a guest's executed code is slow (TCG invalidates that
# code), and the rig's allocator hands the pages the last VM freed to the
# next one: without this our set-up grew boot by boot from 1.1 to 3.5 s (the
# kernel's pread64 into guest RAM), with it it stays at 0.3-0.7 s. Every
# boot starts from laundered memory, not from the one before it.
launder() {
	[ -n "${GUESTMGR_RIG:-}" ] || return 0
	dd if=/dev/zero of=/dev/shm/launder bs=1M count=1024 2>/dev/null
	rm -f /dev/shm/launder
}

# boot WHO OUTFILE CMDLINE [TIMER-OPTIONS]: one timed boot, its figures on
# a line "WHO key=value...", the serial output in OUTFILE.
boot() {
	who=$1 out=$2 line=$3
	shift 3
	launder
	[ "$who" != vmm ] || start_blk
	eval "timeout 600 $timer --marker GUESTMGR-READY --output $out $* -- $(cmd_"$who" "$line")" \
		</dev/null 2>>"$work/$who.err" >"$work/fig" || {
		echo "bench/linux: $who did not reach GUESTMGR-READY; the end of its serial output:" >&2
		tail -n 15 "$out" >&2
		tail -n 5 "$work/$who.err" >&2
		exit 1
	}
	uptime=$(tr -d '\r' <"$out" | sed -n 's/.*GUESTMGR-READY uptime=\([0-9.]*\).*/\1/p' | head -n 1)
	awk -v who="$who" -v s="$uptime" '{
		for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
		printf "%s %s uptime_ms=%d", who, $0, s * 1000
		if ("setup_ms" in v) printf " pre_clock_ms=%d", v["marker_ms"] - v["setup_ms"] - s * 1000
		printf "\n"
	}' "$work/fig"
	kill $device 2>/dev/null || true
	wait $device 2>/dev/null || true
	device=
}

who_all="vmm microvm q35"
i=0
while [ "$i" -lt "$runs" ]; do
	for who in $who_all; do
		boot "$who" "$work/$who.out" "$cmdline gm.run=poweroff" >>"$work/runs"
	done
	i=$((i + 1))
done
for who in $who_all; do
	boot "$who" "$work/$who.held" "$cmdline gm.run=shell" --hold >>"$work/mem"
done

# The kernel's own time, read from its log after boot (initcall_debug goes
# to the log buffer only, under quiet, so the console costs nothing more).
kernel_time='dmesg >/tmp/k
sed -n "s/.*initcall \([^ ]*\) returned .* after \([0-9]*\) usecs.*/\2 \1/p" /tmp/k >/tmp/i
awk "{ t += \$1 } END { printf \"KTIME initcalls_ms=%.1f\\n\", t / 1000 }" /tmp/i
sed -n "s/^\[ *\([0-9.]*\)\] Run \/init as init process.*/KTIME init_at_ms=\1/p" /tmp/k |
	awk -F= "{ printf \"%s=%.1f\\n\", \$1, \$2 * 1000 }"
sort -rn /tmp/i | head -n 5 | awk "{ printf \"KSLOW %s %.1f\\n\", \$2, \$1 / 1000 }"'
script=$(printf '%s' "$kernel_time" | base64 -w0)
for who in $who_all; do
	boot "$who" "$work/$who.kt" "$cmdline initcall_debug log_buf_len=4M gm.script=$script gm.run=poweroff" \
		>/dev/null
	tr -d '\r' <"$work/$who.kt" | sed -n "s/^KTIME /$who /p" >>"$work/ktime"
	tr -d '\r' <"$work/$who.kt" | sed -n "s/^KSLOW /$who /p" >>"$work/kslow"
done

# The KVM exits of one boot each, from the kvm trace events: what the guest
# waits for on each VMM, against the time it runs its own code. The trace
# goes to an instance of its own, so a host's tracing (its buffer, its
# events) is left as its owner set it.
tracefs=/sys/kernel/tracing
[ -e "$tracefs/trace" ] || mount -t tracefs tracefs "$tracefs" 2>/dev/null || true
: >"$work/exits"
if mkdir "$tracefs/instances/bench-linux.$$" 2>/dev/null; then
	instance=$tracefs/instances/bench-linux.$$
	echo 0 >"$instance/tracing_on"
	echo 65536 >"$instance/buffer_size_kb"
	for event in kvm_exit kvm_entry kvm_pio kvm_mmio kvm_msr; do
		echo 1 >"$instance/events/kvm/$event/enable"
	done
	for who in $who_all; do
		echo >"$instance/trace"
		echo 1 >"$instance/tracing_on"
		boot "$who" "$work/$who.tr" "$cmdline gm.run=poweroff" >/dev/null
		echo 0 >"$instance/tracing_on"
		cat "$instance/trace" >"$work/trace"
		# The header's entries-in-buffer/entries-written: fewer in the
		# buffer than written means it overflowed and lost events.
		sed -n 's/.*entries-in-buffer\/entries-written: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$work/trace" |
			awk -v who="$who" '$1 != $2 { printf "bench/linux: %s: the trace lost %d events\n", who, $2 - $1 }' >&2
		awk -v who="$who" -f "$root/bench/linux-exits.awk" "$work/trace" >>"$work/exits"
	done
else
	echo "bench/linux: no KVM exit profile: cannot create a tracing instance in $tracefs (run as root)" >&2
fi
# The EXIT lines slowest first: the report lists the first of each kind.
grep -v '^EXIT ' "$work/exits" >"$work/exits.sorted" || true
grep '^EXIT ' "$work/exits" | sort -k6,6 -rn >>"$work/exits.sorted" || true

echo "bench/linux: the debian package ($(basename "$kernel"), $(uname -r) host kernel), $runs runs each," \
	"$mem_mib MiB, 1 vCPU, virtio-blk; command line '$cmdline'"
echo "transparent huge pages: private memory $(sed 's/.*\[\(.*\)\].*/\1/' "$thp/enabled")," \
	"shared memory $(sed 's/.*\[\(.*\)\].*/\1/' "$thp/shmem_enabled")"
[ -z "${GUESTMGR_RIG:-}" ] || echo "(inside the nested-KVM rig: QEMU TCG with an emulated SVM; each boot after 1 GiB of the rig's memory was written and freed)"
awk -v runs="$runs" -f "$root/bench/stats.awk" -f "$root/bench/linux-report.awk" \
	"$work/runs" "$work/mem" "$work/ktime" "$work/kslow" "$work/exits.sorted"
