#!/bin/sh
# bench/api: guestmgrd beside libvirtd, in one run, alternating round by
# round, on the same guest: testguest (test=boot,echo, then idle until
# stopped), 1 vCPU, 64 MiB, one serial port written to a file. Our guests
# are guest packages; libvirt's are defined domains of type kvm (q35,
# direct kernel boot, QEMU 7.2). Measured:
# - Launch to RUNNING: `guestctl launch` beside `virsh start` (each returns
#   once the vCPUs run), and at the socket: GuestManager.Launch beside
#   virDomainCreate (bench/api-client, bench/api-virt);
# - GetInfo p50/p99 with 1 and with GUESTS guests running: `guestctl info`
#   beside `virsh dominfo`, and at the socket GetInfo beside
#   virDomainGetInfo, COUNT calls on one connection;
# - GUESTS launches back to back at the socket: guests/s, and the CPU the
#   whole machine spent on them (/proc/stat);
# - the daemons' RSS, idle and with GUESTS guests running;
# - guestmgrd's own share of Launch: a second guestmgrd whose vmm is
#   bench/api-null-vmm (says "running" as soon as it has its config).
# Ratios are guestmgrd / libvirt.
#
#   bench/api.sh [BUILDDIR]   (default out/build; RUNS=3 GUESTS=16 COUNT=1000 CLI_COUNT=20)
#   DAEMONS_ONLY=1 bench/api.sh
#
# It needs /dev/kvm; where there is none it runs in the nested-KVM rig
# (tests/rig/README.md), both peers alike. DAEMONS_ONLY=1 needs no KVM and
# runs on the host at full speed, the daemons alone: our guests run on
# bench/api-null-vmm (RUNNING as far as guestmgrd can tell, no guest; where
# /dev/kvm is missing guestmgrd gets /dev/null in its place, in a mount
# namespace of its own), libvirt's under TCG (domain type qemu); Launch is
# not compared then. libvirt runs in a mount namespace of its own: its
# /etc, /var and /run folders are fresh ones in the run's scratch folder,
# so a libvirt installed on the host is neither used nor touched.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
here=
[ "${1:-}" != --here ] || { here=1; shift; }
build=$(cd "${1:-$root/out/build}" && pwd)
runs=${RUNS:-3}
guests=${GUESTS:-16}
count=${COUNT:-1000}
cli_count=${CLI_COUNT:-20}
daemons_only=${DAEMONS_ONLY:-0}
mem_mib=64
cmdline="test=boot,echo echo_timeout_ms=0"
timer=$build/bench/boot-timer
client=$build/bench/api-client
null_vmm=$build/bench/api-null-vmm
guestctl=$build/manager/guestctl/guestctl
guestmgrd=$build/manager/guestmgrd/guestmgrd

for f in "$timer" "$client" "$null_vmm" "$guestctl" "$guestmgrd" "$build/vmm/guestmgr-vmm" \
	"$build/testguest/testguest"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "bench/api: $f missing: build first (scripts/build.sh)" >&2; exit 1; }
done
for prog in libvirtd virtlogd virsh unshare; do
	command -v "$prog" >/dev/null ||
		{ echo "bench/api: $prog missing (scripts/setup.sh --bench installs libvirt)" >&2; exit 1; }
done
pkg-config --exists libvirt ||
	{ echo "bench/api: libvirt-dev missing (scripts/setup.sh --bench)" >&2; exit 1; }

virt=$build/bench/api-virt
if [ -z "$here" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench/api: run as root (libvirtd, a mount namespace)" >&2; exit 1; }
	# shellcheck disable=SC2046 # pkg-config's flags are words
	${CC:-cc} -O2 -o "$virt" "$root/bench/api-virt.c" $(pkg-config --cflags --libs libvirt)
	ns="unshare --mount --propagation private sh $0 --here $build"
	# shellcheck disable=SC2086 # $ns is a command line
	[ "$daemons_only" != 1 ] || exec $ns
	# shellcheck disable=SC2086
	exec env top_builddir="$build" "$root/tests/rig/rig-run" --if-needed --timeout 3600 --cpus 2 \
		--mem 4096 -- $ns
fi

work=$(mktemp -d)
chmod 755 "$work" # QEMU, as libvirt-qemu, reads the kernel in here
# The samples, "PEER METRIC VALUE" lines, stay where a failed run leaves them.
data=$build/bench/api.samples
gm_pid=
null_pid=
lv_pid=
logd_pid=
cleanup() {
	for p in $gm_pid $null_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# libvirtd leaves its domains running when it exits.
	if [ -n "$lv_pid" ]; then
		for n in $names; do "$virt" "$uri" stop "$n" >/dev/null 2>&1 || true; done
	fi
	for p in $lv_pid $logd_pid; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# say TEXT: progress, with the seconds since the start, on stderr.
start_s=$(date +%s)
say() {
	echo "bench/api: $(($(date +%s) - start_s)) s: $*" >&2
}

names=
i=0
while [ "$i" -lt "$guests" ]; do
	names="$names $(printf 'api%02d' "$i")"
	i=$((i + 1))
done
first=api00
last=$(printf 'api%02d' $((guests - 1)))
cp "$build/testguest/testguest" "$work/testguest"
uri=qemu:///system
export LIBVIRT_DEFAULT_URI=$uri

### guestmgrd: a package per guest, its own config, sockets and state.

# gm_start NAME VMM: a guestmgrd with run and state folders $work/NAME.
# Where /dev/kvm is missing (DAEMONS_ONLY: VMM is the null vmm, which
# closes it unused), it opens /dev/null's device as /dev/kvm, in a /dev
# of its own.
gm_start() {
	gm_name=$1 gm_vmm=$2
	mkdir -p "$work/$1/run" "$work/$1/state"
	cat >"$work/$1/guestmgrd.json" <<JSON
{ "package_dirs": ["$work/packages"], "state_dir": "$work/$1/state", "run_dir": "$work/$1/run" }
JSON
	if [ -e /dev/kvm ]; then
		set --
	else
		set -- unshare --mount --propagation private sh -c 'mount -t tmpfs -o mode=755 dev /dev &&
			mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/urandom c 1 9 &&
			mknod -m 666 /dev/kvm c 1 3 && exec "$@"' sh
	fi
	"$@" "$guestmgrd" --config "$work/$gm_name/guestmgrd.json" --vmm "$gm_vmm" \
		--device-dir "$build/devices" >>"$work/$gm_name.log" 2>&1 &
	gm_last_pid=$!
	i=0
	while [ ! -S "$work/$gm_name/run/guestmgr-ro.sock" ] && [ "$i" -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -S "$work/$gm_name/run/guestmgr-ro.sock" ] ||
		{ echo "bench/api: guestmgrd did not start: $(tail -n 3 "$work/$gm_name.log")" >&2; exit 1; }
}

for n in $names; do
	mkdir -p "$work/packages/$n"
	cp "$work/testguest" "$work/packages/$n/testguest"
	cat >"$work/packages/$n/guest.json" <<JSON
{ "kernel": "testguest", "cmdline": "$cmdline", "cpus": 1, "guest_memory": $((mem_mib * 1024 * 1024)) }
JSON
done
if [ "$daemons_only" = 1 ]; then
	gm_start gm "$null_vmm"
	domain_type=qemu
else
	gm_start gm "$build/vmm/guestmgr-vmm"
	domain_type=kvm
fi
gm_pid=$gm_last_pid
gm_sock=$work/gm/run/guestmgr.sock
gm_ro_sock=$work/gm/run/guestmgr-ro.sock

### libvirt: its folders private to this mount namespace, the daemons started by hand.

for d in /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
	mkdir -p "$d" "$work/libvirt$d"
done
cp -a /etc/libvirt/. "$work/libvirt/etc/libvirt/"
# QEMU in libvirt's own mount namespace finds no /dev/kvm in the rig (whose
# /dev is no udev's); without it libvirt skips that set-up and does the rest.
echo "namespaces = [ ]" >"$work/libvirt/etc/libvirt/qemu.conf"
for d in /etc/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
	mount --bind "$work/libvirt$d" "$d"
done
mount -t tmpfs tmpfs /run
# libvirt runs QEMU as libvirt-qemu (Debian's build), in group kvm, as
# libvirt-daemon-system would set up; here only in this namespace.
if ! getent passwd libvirt-qemu >/dev/null; then
	cp /etc/passwd "$work/passwd"
	cp /etc/group "$work/group"
	getent group kvm >/dev/null || echo "kvm:x:64055:" >>"$work/group"
	sed -i 's/^\(kvm:[^:]*:[0-9]*:\)$/\1libvirt-qemu/; s/^\(kvm:[^:]*:[0-9]*:..*\)$/\1,libvirt-qemu/' \
		"$work/group"
	echo "libvirt-qemu:x:64056:" >>"$work/group"
	echo "libvirt-qemu:x:64056:64056:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin" >>"$work/passwd"
	mount --bind "$work/passwd" /etc/passwd
	mount --bind "$work/group" /etc/group
fi
# The rig has no udev: /dev/kvm gets the group and mode udev gives it.
if [ -n "${GUESTMGR_RIG:-}" ]; then
	chgrp "$(getent group kvm | cut -d: -f3)" /dev/kvm
	chmod 660 /dev/kvm
fi
say "starting libvirtd (it probes QEMU first)"
virtlogd -d
libvirtd -d
i=0
while ! virsh version >/dev/null 2>&1 && [ "$i" -lt 3000 ]; do
	sleep 0.1
	i=$((i + 1))
done
logd_pid=$(cat /run/virtlogd.pid)
lv_pid=$(cat /run/libvirtd.pid)
virsh version >/dev/null || { echo "bench/api: libvirtd did not answer" >&2; exit 1; }
say "libvirtd answers"
for n in $names; do
	cat >"$work/$n.xml" <<XML
<domain type='$domain_type'>
  <name>$n</name>
  <memory unit='MiB'>$mem_mib</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader type='rom'>/usr/share/qemu/qboot.rom</loader>
    <kernel>$work/testguest</kernel>
    <cmdline>$cmdline</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>qemu64</model>
    <feature policy='disable' name='svm'/>
  </cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'><source path='$work/$n.serial'/><target port='0'/></serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh define "$work/$n.xml" >/dev/null
done

### Measuring.

# record PEER METRIC VALUE...: one sample per VALUE.
record() {
	_peer=$1 _metric=$2
	shift 2
	for _v; do echo "$_peer $_metric $_v" >>"$data"; done
}

# serial_log PEER NAME: where the guest's serial output goes.
serial_log() {
	if [ "$1" = gm ]; then echo "$work/gm/state/$2/serial.log"; else echo "$work/$2.serial"; fi
}

# wait_ready PEER NAME...: until each guest answers on its serial port
# (testguest idles from there on), at most 300 s in all.
wait_ready() {
	_peer=$1
	shift
	# The null vmm runs no guest.
	[ "$_peer:$daemons_only" != gm:1 ] || return 0
	_i=0
	for _n; do
		while ! grep -q ECHO-READY "$(serial_log "$_peer" "$_n")" 2>/dev/null && [ "$_i" -lt 3000 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
	done
	[ "$_i" -lt 3000 ] || echo "bench/api: $_peer: a guest never said ECHO-READY" >&2
}

# cli PEER ACTION NAME: the command line a user types.
cli() {
	case $1:$2 in
	gm:launch) echo "$guestctl --socket $gm_sock launch $3" ;;
	gm:info) echo "$guestctl --ro-socket $gm_ro_sock info $3" ;;
	libvirt:launch) echo "virsh start $3" ;;
	libvirt:info) echo "virsh dominfo $3" ;;
	esac
}

# timed_cli PEER ACTION NAME: milliseconds from exec to exit.
timed_cli() {
	# shellcheck disable=SC2046 # a command line
	_out=$("$timer" -- $(cli "$@"))
	case $_out in
	*status=0) echo "$_out" | sed 's/.*exit_ms=\([0-9.]*\).*/\1/' ;;
	*) echo "bench/api: $(cli "$@") failed" >&2; exit 1 ;;
	esac
}

# api PEER ARGS...: the socket-level helper of PEER.
api() {
	_peer=$1
	shift
	if [ "$_peer" = gm ]; then
		case $1 in getinfo) "$client" "$gm_ro_sock" "$@" ;; *) "$client" "$gm_sock" "$@" ;; esac
	else
		"$virt" "$uri" "$@"
	fi
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

daemon_pid() {
	if [ "$1" = gm ]; then echo "$gm_pid"; else echo "$lv_pid"; fi
}

# busy_ticks: CPU time the whole machine has spent, in clock ticks.
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# clear_logs PEER NAME...: removes each guest's serial log (it is stopped).
clear_logs() {
	_peer=$1
	shift
	for _n; do rm -f "$(serial_log "$_peer" "$_n")"; done
}

# round PEER: one round of every measure on PEER.
round() {
	p=$1
	say "$p: one guest"
	# One guest: the command line's launch, GetInfo, stop.
	clear_logs "$p" "$first"
	record "$p" cli_launch "$(timed_cli "$p" launch "$first")"
	wait_ready "$p" "$first"
	j=0
	while [ "$j" -lt "$cli_count" ]; do
		record "$p" cli_info_1 "$(timed_cli "$p" info "$first")"
		j=$((j + 1))
	done
	# shellcheck disable=SC2046 # one sample a line
	record "$p" sock_info_1 $(api "$p" getinfo "$first" "$count")
	api "$p" stop "$first" >/dev/null
	say "$p: $guests guests"
	# GUESTS back to back at the socket; the first is the socket's launch.
	# shellcheck disable=SC2086
	clear_logs "$p" $names
	t0=$(busy_ticks)
	# shellcheck disable=SC2086
	launches=$(api "$p" launch $names)
	t1=$(busy_ticks)
	record "$p" sock_launch "$(echo "$launches" | head -n 1)"
	record "$p" launch_all_ms "$(echo "$launches" | awk '{ s += $1 } END { print s / 1000 }')"
	record "$p" launch_all_cpu_ms "$(((t1 - t0) * 1000 / $(getconf CLK_TCK)))"
	# shellcheck disable=SC2086
	wait_ready "$p" $names
	say "$p: $guests guests running"
	record "$p" rss_all_kib "$(rss_kib "$(daemon_pid "$p")")"
	j=0
	while [ "$j" -lt "$cli_count" ]; do
		record "$p" cli_info_all "$(timed_cli "$p" info "$last")"
		j=$((j + 1))
	done
	# shellcheck disable=SC2046 # one sample a line
	record "$p" sock_info_all $(api "$p" getinfo "$last" "$count")
	# shellcheck disable=SC2086
	api "$p" stop $names >/dev/null
}

: >"$data"
record gm rss_idle_kib "$(rss_kib "$gm_pid")"
record libvirt rss_idle_kib "$(rss_kib "$lv_pid")"
r=0
while [ "$r" -lt "$runs" ]; do
	say "round $((r + 1)) of $runs"
	round gm
	round libvirt
	r=$((r + 1))
done
record libvirt virtlogd_rss_kib "$(rss_kib "$logd_pid")"

say "guestmgrd with a vmm that does nothing"
# guestmgrd's own share: the same launches with a vmm that does nothing.
gm_start null "$null_vmm"
null_pid=$gm_last_pid
r=0
while [ "$r" -lt "$runs" ]; do
	# Its CPU time too (nanoseconds; it has one thread), which the
	# machine's load does not stretch as it does the wall clock.
	cpu0=$(cut -d' ' -f1 "/proc/$null_pid/schedstat")
	# shellcheck disable=SC2086 # the names
	"$client" "$work/null/run/guestmgr.sock" launch $names >"$work/null.samples"
	cpu1=$(cut -d' ' -f1 "/proc/$null_pid/schedstat")
	# shellcheck disable=SC2046 # one sample a line
	record gm null_launch $(cat "$work/null.samples")
	record gm null_cpu_us "$(((cpu1 - cpu0) / 1000 / guests))"
	# shellcheck disable=SC2086
	"$client" "$work/null/run/guestmgr.sock" stop $names >/dev/null
	r=$((r + 1))
done

awk -v runs="$runs" -v guests="$guests" -v count="$count" -v cli_count="$cli_count" \
	-v daemons_only="$daemons_only" -v cores="$(nproc)" -v mem="$mem_mib" \
	-f "$root/bench/stats.awk" -f "$root/bench/api-report.awk" "$data"
