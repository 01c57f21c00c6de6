#!/bin/sh
# guestmgr-vmm's control socket (--config-fd; vmm/control.h), with
# vmm-send-config playing the daemon: "running" once every vCPU thread is
# in KVM_RUN, "stopped" with the exit status and reason right before the
# vmm exits, the stop command, the power button (the test guest, answering
# on its serial port as its package has it, powers off on it), malformed
# commands ignored, and a daemon that hangs up or dies stopping the guest. Every message is checked
# against its schema by the helper.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm

probe=$top_builddir/tests/integration/vcpu-entry-probe.so

# The guest stops itself: "running" (its APs ran the smp checks, so every
# vCPU thread had entered KVM_RUN), then "stopped" with status 0.
fd_config self "test=smp expect_cpus=2" 2
daemon_run self
st=$?
tap_check "guest stops itself: status 0" [ "$st" -eq 0 ]
tap_check "guest stops itself: running, then stopped with status 0 and the reason" \
	saw self "$running" \
	'{"event":"stopped","exit_status":0,"message":"guest stopped: i8042 reset"}' ||
	show_control self

# "running" means in KVM_RUN, not merely started: a preloaded probe delays
# every thread's start by 300 ms and notes when each first calls KVM_RUN;
# "running" must not arrive before the last of them (but for the moment
# between a thread's word and its call). Then the stop command: status 3.
fd_config halt "test=boot exit=halt" 4
LD_PRELOAD=$probe ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	daemon_run halt --then "send:$stop"
st=$?
tap_check "stop command: status 3" [ "$st" -eq 3 ]
tap_check "stop command: running, then stopped with status 3 and the reason" \
	saw halt "$running" \
	'{"event":"stopped","exit_status":3,"message":"stopped by the daemon'"'"'s stop command"}' ||
	show_control halt
entered=$(sed -n 's/^probe: first KVM_RUN at //p' "$tmp/halt.err" | sort -n)
last=$(echo "$entered" | tail -n 1)
at=$(sed -n 's/^running-at //p' "$tmp/halt.events")
tap_check "slowed vCPU threads: all 4 entered KVM_RUN" [ "$(echo "$entered" | grep -c .)" -eq 4 ]
if [ -n "$last" ] && [ -n "$at" ] && [ $((last - at)) -lt 50000000 ]; then
	tap_ok "slowed vCPU threads: running arrived once the last had entered KVM_RUN (that entry: running + $(((last - at) / 1000)) us)"
else
	tap_not_ok "slowed vCPU threads: running arrived once the last had entered KVM_RUN (that entry: ${last:-?} ns, running: ${at:-?} ns)"
fi
tap_check "stop command: the reason on stderr too" \
	grep -qF "vmm: stopped by the daemon's stop command" "$tmp/halt.err"

# The power button, pressed while the guest answers on its serial port
# (the testguest package's way to wait): the guest's handler sees the
# Generic Event Device's interrupt and powers off (ACPI S5), status 0.
fd_config button "test=echo echo_timeout_ms=0" 2
daemon_run button --then "expect:$tmp/button.out:ECHO-READY" \
	--then 'send:{"command":"power_button"}'
st=$?
tap_check "power button: the guest powers off: status 0, 'ACPI power off (S5)'" \
	saw button "$running" \
	'{"event":"stopped","exit_status":0,"message":"guest stopped: ACPI power off (S5)"}' ||
	show_control button
tap_check "power button: the guest saw it pressed" \
	grep -q '^TEST power_button.pressed PASS' "$tmp/button.out"
tap_check "power button: the vmm says it was pressed" \
	grep -qx 'vmm: the power button was pressed' "$tmp/button.err"

# Malformed commands are logged and ignored; the stop after them works.
fd_config bad "test=boot exit=halt" 1
daemon_run bad --then 'send:not json' --then 'send:{"command":"halt"}' \
	--then 'send:{"command":"stop","now":true}' --then "send:$stop"
st=$?
tap_check "malformed commands, then stop: status 3, stopped by the stop command" \
	saw bad "$running" \
	'{"event":"stopped","exit_status":3,"message":"stopped by the daemon'"'"'s stop command"}' ||
	show_control bad
tap_check "malformed commands: each logged" \
	[ "$(grep -c '^vmm: control: ignored a message: ' "$tmp/bad.err")" -eq 3 ]
tap_check "malformed commands: status 3" [ "$st" -eq 3 ]

# The daemon hangs up: the guest must not run on unsupervised.
fd_config hangup "test=boot exit=halt" 2
daemon_run hangup --then close
st=$?
tap_check "daemon closes the socket: status 3" [ "$st" -eq 3 ]
tap_check "daemon closes the socket: the reason on stderr" \
	grep -qF "vmm: stopped: the daemon closed the control socket" "$tmp/hangup.err" ||
	show_control hangup

# The daemon dies (SIGKILL): the orphaned vmm stops on its own.
fd_config killed "test=boot exit=halt" 2
"$send_config" --events "$tmp/killed.events" "$tmp/killed.json" "$testguest" '&3' -- "$vmm" \
	< /dev/null 3> "$tmp/killed.out" 2> "$tmp/killed.err" &
helper=$!
i=0
while [ $i -lt 600 ] && ! grep -qF "$running" "$tmp/killed.events"; do
	sleep 0.1
	i=$((i + 1))
done
vmm_pid=$(sed -n 's/^pid //p' "$tmp/killed.events")
kill -KILL $helper
wait $helper
# gone: no such process, or a zombie no one has reaped yet.
gone() {
	! grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2> /dev/null
}
i=0
while [ $i -lt 100 ] && ! gone "$vmm_pid"; do
	sleep 0.1
	i=$((i + 1))
done
if gone "$vmm_pid"; then
	tap_ok "daemon killed: the vmm exits"
else
	tap_not_ok "daemon killed: the vmm exits (pid $vmm_pid still there after 10 s)"
	kill -KILL "$vmm_pid"
fi
tap_check "daemon killed: the reason on stderr" \
	grep -qF "vmm: stopped: the daemon closed the control socket" "$tmp/killed.err" ||
	show_control killed

# A start failure is said too: "stopped" with status 1 and the reason,
# never "running".
fd_config nokernel "test=boot" 1
sed -i 's/"fd": 0 }, "cmdline"/"fd": 5 }, "cmdline"/' "$tmp/nokernel.json"
daemon_run nokernel
st=$?
tap_check "bad config: status 1" [ "$st" -eq 1 ]
tap_check "bad config: stopped, status 1, the field named" \
	saw nokernel '{"event":"stopped","exit_status":1,"message":"kernel (fd 5): the message has only 2 fds"}' ||
	show_control nokernel

tap_done
