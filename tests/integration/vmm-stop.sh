#!/bin/sh
# How guestmgr-vmm ends: the guest's own stops (i8042 reset, triple fault)
# with status 0 and the reason on stderr, SIGTERM/SIGINT with status 3
# while every vCPU is halted in the guest, and the manager's way in
# (--config-fd with the kernel fd attached to the message).
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm

guest_config triple "test=boot exit=triple" '"cpus": 2'
run_vmm triple
st=$?
tap_check "exit=triple: the guest ran its checks" guest_passed triple
tap_check "exit=triple: status 0, 'guest stopped: triple fault'" \
	check_stop triple "$st" 0 "guest stopped: triple fault on vCPU 0" || show triple

# wait_for_summary NAME: until the guest has reported (it then halts);
# bounded, so a guest that never gets there fails below instead of hanging.
wait_for_summary() {
	i=0
	while [ $i -lt 600 ] && ! grep -q '^SUMMARY' "$tmp/$1.out"; do
		sleep 0.1
		i=$((i + 1))
	done
}

# stop_by_signal SIGNAL: a halted 4-vCPU guest, stopped from outside.
stop_by_signal() {
	name=halt-$1
	guest_config "$name" "test=boot exit=halt" '"cpus": 4'
	timeout $bounded "$vmm" --config "$tmp/$name.json" \
		< /dev/null > "$tmp/$name.out" 2> "$tmp/$name.err" &
	pid=$!
	wait_for_summary "$name"
	tap_check "exit=halt: the guest halted after its checks" guest_passed "$name"
	kill -"$1" $pid
	wait $pid
	st=$?
	tap_check "SIG$1: status 3, 'stopped by SIG$1'" \
		check_stop "$name" "$st" 3 "stopped by SIG$1" || show "$name"
	tap_check "SIG$1: the vmm process is gone" sh -c "! kill -0 $pid 2>/dev/null"
}
stop_by_signal TERM
stop_by_signal INT

# The vmm holds the write end of a pipe only while it lives: once it has
# exited, a reader of its output sees end-of-file (no fd left behind).
guest_config piped "test=boot exit=halt" '"cpus": 2'
mkfifo "$tmp/piped.fifo"
"$vmm" --config "$tmp/piped.json" < /dev/null > "$tmp/piped.fifo" 2> "$tmp/piped.err" &
pid=$!
# cat ends at end-of-file: when every holder of the write end is gone.
(cat "$tmp/piped.fifo" > "$tmp/piped.out"; echo eof > "$tmp/piped.eof") &
reader=$!
wait_for_summary piped
kill -TERM $pid
wait $pid
st=$?
wait $reader
tap_check "SIGTERM with output to a pipe: status 3" [ "$st" -eq 3 ]
tap_check "SIGTERM with output to a pipe: the reader sees end-of-file" [ -f "$tmp/piped.eof" ]

# --config-fd: the config arrives as one message, the kernel as its fd 0.
cat > "$tmp/fd.json" <<EOF
{ "kernel": { "fd": 0 }, "cmdline": "test=boot", "guest_memory": 67108864,
  "serial": { "out": { "fd": 1 } } }
EOF
# Attached: the kernel, opened by the helper, and its fd 3 for the output.
timeout $bounded "$send_config" "$tmp/fd.json" "$testguest" '&3' -- "$vmm" \
	< /dev/null 3> "$tmp/fd.out" 2> "$tmp/fd.err"
st=$?
tap_check "--config-fd: the guest's checks pass" guest_passed fd
tap_check "--config-fd: status 0" check_stop fd "$st" 0 "guest stopped: i8042 reset" || show fd

# A KVM error: status 2, and where the guest was (vmm-lib.sh: mmio_exec).
mmio_exec mmio-exec

tap_done
