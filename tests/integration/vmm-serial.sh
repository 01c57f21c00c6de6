#!/bin/sh
# COM1 both ways: the test guest's echo scenario reads lines by interrupt
# and answers "ECHO <line>"; lines longer than the UART's 16-byte FIFO get
# through whole (the vmm stops reading its input while the FIFO is full).
# Input and output come from the config's serial fds or paths.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm

# Longer than the FIFO, shorter than the guest's 255-byte line buffer.
long=$(printf 'x%.0s' $(seq 200))

# wait_ready NAME: until the guest is listening (input sent before it set
# up its UART would be lost, as on hardware); bounded.
wait_ready() {
	i=0
	while [ $i -lt 600 ] && ! grep -q '^ECHO-READY' "$tmp/$1.out" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# echo_session NAME: sends three lines and quit into $tmp/NAME.in (a FIFO
# the vmm reads) once the guest is ready; the vmm must be started already.
echo_session() {
	exec 3> "$tmp/$1.in"
	wait_ready "$1"
	printf 'hello guest\r\nsecond line\n%s\nquit\n' "$long" >&3
	exec 3>&-
}

# check_echo DESC NAME STATUS
check_echo() {
	judge "$1" "$2" "$3"
	tap_check "$1: every line came back" sh -c "
		grep -qx 'ECHO hello guest' '$tmp/$2.out' &&
		grep -qx 'ECHO second line' '$tmp/$2.out' &&
		grep -qx 'ECHO $long' '$tmp/$2.out'"
}

# echo_on_stdio DESC NAME CMDLINE: the session on standard input and output.
echo_on_stdio() {
	guest_config "$2" "$3"
	mkfifo "$tmp/$2.in"
	timeout $bounded "$vmm" --config "$tmp/$2.json" \
		< "$tmp/$2.in" > "$tmp/$2.out" 2> "$tmp/$2.err" &
	pid=$!
	echo_session "$2"
	wait $pid
	check_echo "$1" "$2" $?
}

echo_on_stdio "echo on stdin/stdout" stdio "test=echo"
# No deadline: the testguest package's way to answer until stopped (before
# echo_timeout_ms=0 meant none, the session failed at once).
echo_on_stdio "echo without a deadline (echo_timeout_ms=0)" forever "test=echo echo_timeout_ms=0"

# Paths in the config: output to a file the vmm creates, input from a FIFO.
guest_config paths "test=echo" '"serial": { "in": "paths.in", "out": "paths.out" }'
mkfifo "$tmp/paths.in"
timeout $bounded "$vmm" --config "$tmp/paths.json" \
	< /dev/null > "$tmp/paths.stdout" 2> "$tmp/paths.err" &
pid=$!
echo_session paths
wait $pid
check_echo "echo on serial.in/serial.out paths" paths $?
tap_check "serial.out: nothing went to stdout" [ ! -s "$tmp/paths.stdout" ]

# One fd for both directions, a socket as the manager would pass: socat
# runs the vmm with a socketpair on its stdin and stdout (fd 0), bridged to
# a FIFO and a file. socat's own status says nothing of the vmm's: the
# reason on stderr does. socat waits for the vmm's end after the input's
# (-t; its default of 0.5 s ends the vmm with SIGTERM when the guest is
# slower than that to answer, as on a loaded machine).
guest_config sock "test=echo" '"serial": { "fd": 0 }'
mkfifo "$tmp/sock.in"
timeout $bounded socat -t "$vmm_timeout" "OPEN:$tmp/sock.in!!CREATE:$tmp/sock.out" \
	"EXEC:$vmm --config $tmp/sock.json" 2> "$tmp/sock.err" &
pid=$!
echo_session sock
wait $pid
check_echo "echo on one socket fd" sock 0

tap_done
