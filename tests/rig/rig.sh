#!/bin/sh
# The nested-KVM rig itself (tests/rig/README.md), wherever QEMU can
# emulate SVM, with or without a /dev/kvm on the host. Host root: the
# command's status, stdout and stderr come back apart, it runs in our
# working directory with our environment, sees a real KVM (kvm_amd, not
# kvm_pvm) and a fresh /tmp, a vmm's run there patches no kernel code
# (tests/rig/kvm-hold.c), and what it writes to the build tree is on the
# host afterwards. Initramfs root: / is the initramfs, the host's / is at
# /host and its programs run there; our vmm boots the test guest from it,
# unconfined and in its sandbox, and our device process serves it from its
# sandbox. A command that
# outlives --timeout ends with status 124, a rig that stops running its
# processes with 126, and a working directory the rig would hide is
# refused (125).
. "$top_srcdir/tests/lib.sh"

rig=$top_srcdir/tests/rig/rig-run
why=$("$rig" --check) || tap_skip_all "the rig cannot run here: $why"
[ -z "${GUESTMGR_RIG:-}" ] || tap_skip_all "already inside the rig"

# Seen from both sides: a folder in the build tree (the rig's /tmp is its own).
mkdir -p "$top_builddir/tests/rig"
work=$(mktemp -d "$top_builddir/tests/rig/rig-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "the host's /tmp" >"${TMPDIR:-/tmp}/rig-test.$$"
trap 'rm -rf "$work" "${TMPDIR:-/tmp}/rig-test.$$"' EXIT

# fact NAME: what the run printed as "NAME value".
fact() {
	sed -n "s/^$1 //p" "$work/$2.out" | head -n 1
}

# Host root.
cat >"$work/host.sh" <<EOF
echo "pwd \$(pwd)"
echo "env \$RIG_TEST_VALUE"
echo "rig \$GUESTMGR_RIG"
[ -c /dev/kvm ] && echo "kvm char device"
[ -d /sys/module/kvm_amd ] && [ ! -d /sys/module/kvm_pvm ] && echo "module kvm_amd"
[ -e "${TMPDIR:-/tmp}/rig-test.$$" ] || echo "tmp fresh"
echo written >"$work/from-the-rig"
# Kernel code patched (a static key turned) while a vmm starts, runs and
# ends, counted by a kprobe: none, with init's kvm-hold in place.
t=/sys/kernel/tracing
mount -t tracefs tracefs \$t && echo "p:rigtest __jump_label_update" >>\$t/kprobe_events &&
	echo 1 >\$t/events/kprobes/rigtest/enable && {
	printf '{ "kernel": "%s", "cmdline": "halt", "guest_memory": 268435456 }' "$top_builddir/testguest/testguest" >/tmp/g.json
	"$top_builddir/vmm/guestmgr-vmm" --config /tmp/g.json >/dev/null 2>&1 && echo "vmm ran"
	sleep 2	# KVM turns some keys off a second late
	echo "patches \$(grep -c 'rigtest:' \$t/trace)"
}
echo "to stderr" >&2
exit 7
EOF
(cd "$work" && RIG_TEST_VALUE="a 'quoted' value" "$rig" -- sh "$work/host.sh" \
	>"$work/host.out" 2>"$work/host.err")
status=$?
tap_check "host root: the command's status comes back (7, got $status)" test "$status" -eq 7
tap_check "host root: the working directory is ours" test "$(fact pwd host)" = "$work"
tap_check "host root: the environment is ours, quotes and all" test "$(fact env host)" = "a 'quoted' value"
tap_check "host root: GUESTMGR_RIG=1 inside" test "$(fact rig host)" = 1
tap_check "host root: /dev/kvm is there" test "$(fact kvm host)" = "char device"
tap_check "host root: a real KVM (kvm_amd, no kvm_pvm)" test "$(fact module host)" = kvm_amd
tap_check "host root: /tmp is the rig's own" test "$(fact tmp host)" = fresh
tap_check "host root: a file written in the build tree is on the host" \
	grep -qx written "$work/from-the-rig"
tap_check "host root: a vmm ran the test guest" test "$(fact vmm host)" = ran
tap_check "host root: no kernel code patched by a vmm's run (init's kvm-hold; got $(fact patches host))" \
	test "$(fact patches host)" = 0
tap_check "host root: stderr comes back apart from stdout" \
	sh -c 'grep -qx "to stderr" "$1" && ! grep -q "to stderr" "$2"' - "$work/host.err" "$work/host.out"
tap_diag "$(grep '^rig-run: ' "$work/host.err")"

# Initramfs root: the vmm and a device process, host programs, run from
# /host; the test guest boots, then reads entropy through the device.
cat >"$work/initramfs.sh" <<'EOF'
echo "root $(stat -f -c %T /)"
b=/host$top_builddir
mkdir /tmp/w
# guest NAME CMDLINE [JSON MEMBERS [VMM OPTION]]: the test guest on our
# vmm; its status and output, prefixed with NAME, in the run's output.
guest() {
	printf '{ "kernel": "%s", "cmdline": "%s", "guest_memory": 67108864%s }\n' \
		"$b/testguest/testguest" "$2" "${3:+, $3}" >"/tmp/w/$1.json"
	timeout 120 "$b/vmm/guestmgr-vmm" --config "/tmp/w/$1.json" ${4:-} </dev/null >"/tmp/w/$1.out" 2>&1
	echo "$1-status $?"
	sed "s/^/$1: /" "/tmp/w/$1.out"
}
guest boot test=boot
guest confined test=boot,smp '"cpus": 2' --sandbox
"$b/devices/virtio-rng" --socket-path /tmp/w/rng.sock 2>/tmp/w/dev.err &
dev=$!
i=0
while [ ! -S /tmp/w/rng.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
guest rng test=rng '"vhost_user_devices": [ { "type": "rng", "socket": "/tmp/w/rng.sock" } ]'
kill "$dev" 2>/dev/null # a device no frontend reached
wait "$dev"
sed 's/^/device: /' /tmp/w/dev.err
EOF
"$rig" --root initramfs -- sh "/host$work/initramfs.sh" >"$work/initramfs.out" 2>"$work/initramfs.err"
status=$?
tap_check "initramfs root: the run ends with the command's status (0, got $status)" test "$status" -eq 0
tap_check "initramfs root: / is the initramfs (rootfs)" \
	sh -c 'case $1 in ramfs | tmpfs) true ;; *) false ;; esac' - "$(fact root initramfs)"
tap_check "initramfs root: host programs run from /host (the vmm booted the test guest, status $(fact boot-status initramfs))" \
	grep -q '^boot: SUMMARY [1-9][0-9]* passed, 0 failed' "$work/initramfs.out"
# The vmm enters its sandbox (an empty root, which an initramfs root
# cannot pivot_root away from: it chroots) before it builds the machine.
tap_check "initramfs root: the vmm confined (--sandbox) boots the test guest (status $(fact confined-status initramfs))" \
	grep -q '^confined: SUMMARY [1-9][0-9]* passed, 0 failed' "$work/initramfs.out" ||
	tap_diag "$(grep '^confined: vmm:' "$work/initramfs.out")"
# So does the device, before it serves.
if grep -q '^rng: SUMMARY [1-9][0-9]* passed, 0 failed' "$work/initramfs.out"; then
	tap_ok "initramfs root: the test guest reads entropy from devices/virtio-rng, sandboxed"
else
	tap_not_ok "initramfs root: the test guest reads entropy from devices/virtio-rng, sandboxed"
	tap_diag "$(grep -E '^(rng: (TEST|vmm:)|device:)' "$work/initramfs.out")"
fi

# Out of time: status 124 and a message, whatever the command was doing.
"$rig" --timeout 10 -- sleep 1000 >"$work/timeout.out" 2>"$work/timeout.err"
status=$?
tap_check "--timeout: status 124 (got $status)" test "$status" -eq 124
tap_check "--timeout: rig-run says so" grep -q '^rig-run: the rig ran out of time' "$work/timeout.err"

# A rig that stops running its processes (QEMU's monitor stops its CPU
# here; in CI an emulation hang did) is status 126 within RIG_STALL_S, with
# where the CPU was, not the whole --timeout.
mkdir "$work/tmp"
TMPDIR=$work/tmp RIG_STALL_S=6 "$rig" --timeout 300 -- sleep 1000 >"$work/stall.out" 2>"$work/stall.err" &
rig_job=$!
tries=0
until [ -s "$(echo "$work"/tmp/rig-run.*/alive)" ] || [ $tries -ge 600 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
echo stop | socat - "UNIX-CONNECT:$(echo "$work"/tmp/rig-run.*/monitor)" >/dev/null
started=$(date +%s)
wait $rig_job
status=$?
took=$(($(date +%s) - started))
tap_check "a rig that stops: status 126 (got $status)" test "$status" -eq 126
tap_check "a rig that stops: found within RIG_STALL_S and the NMI's wait (${took} s)" test "$took" -lt 30
tap_check "a rig that stops: rig-run says so" grep -q '^rig-run: the rig stopped: nothing on rig.alive for 6 s' "$work/stall.err"
tap_check "a rig that stops: where its CPU was" grep -q '^rig-run: cpu: RIP=' "$work/stall.err"

# A working directory under /tmp would not be the host's inside: refused.
(cd "${TMPDIR:-/tmp}" && "$rig" -- true) 2>"$work/cwd.err"
status=$?
tap_check "a working directory the rig hides: status 125 (got $status)" test "$status" -eq 125
tap_check "a working directory the rig hides: rig-run says why" \
	grep -q '^rig-run: the working directory .* is under a folder the rig replaces' "$work/cwd.err"

tap_done
