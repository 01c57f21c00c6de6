# Shared by the manager-*.sh tests (sourced after tests/lib.sh): a
# guestmgrd of the build tree with its own directories under $tmp, a
# testguest package, and guestctl pointed at it.
#   gm_setup            make $tmp (removed on exit), the package dirs and config
#   gm_start [ARGS]     start the daemon (waits for its sockets)
#   gm_stop             SIGTERM it and wait
#   gctl ARGS...        guestctl on this daemon
#   gm_fds              how many fds the daemon holds

build=$top_builddir
gm_daemon_pid=

gm_setup() {
	tmp=$(mktemp -d)
	trap 'gm_stop; rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/packages/testguest" "$tmp/state" "$tmp/run"
	cp "$build/testguest/testguest" "$tmp/packages/testguest/testguest"
	cat >"$tmp/packages/testguest/guest.json" <<JSON
{ "kernel": "testguest", "cmdline": "test=boot,echo echo_timeout_ms=60000",
  "cpus": 1, "guest_memory": 67108864, "virtio_rng": true }
JSON
	cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/state", "run_dir": "$tmp/run" }
JSON
	sock=$tmp/run/guestmgr.sock
	ro_sock=$tmp/run/guestmgr-ro.sock
}

gm_start() {
	rm -f "$sock" "$ro_sock"
	"$build/manager/guestmgrd/guestmgrd" --config "$tmp/guestmgrd.json" \
		--vmm "$build/vmm/guestmgr-vmm" --device-dir "$build/devices" "$@" \
		>>"$tmp/daemon.log" 2>&1 &
	gm_daemon_pid=$!
	wait_for_socket "$ro_sock"
}

gm_stop() {
	[ -n "$gm_daemon_pid" ] || return 0
	kill -TERM "$gm_daemon_pid" 2>/dev/null
	wait "$gm_daemon_pid" 2>/dev/null
	gm_daemon_pid=
}

gctl() {
	"$build/manager/guestctl/guestctl" --socket "$sock" --ro-socket "$ro_sock" "$@"
}

gm_fds() {
	ls "/proc/$gm_daemon_pid/fd" | wc -l
}

# gm_expect DESC WANT COMMAND...: COMMAND's stdout+stderr contains WANT.
gm_expect() {
	_desc=$1 _want=$2
	shift 2
	_out=$("$@" 2>&1)
	if printf '%s' "$_out" | grep -qF -- "$_want"; then
		tap_ok "$_desc"
	else
		tap_not_ok "$_desc"
		tap_diag "wanted: $_want" "got: $_out"
	fi
}

# gm_status_is DESC WANT COMMAND...: COMMAND exits with status WANT.
gm_status_is() {
	_desc=$1 _want=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	_st=$?
	if [ "$_st" -eq "$_want" ]; then
		tap_ok "$_desc (exit $_st)"
	else
		tap_not_ok "$_desc (exit $_st, wanted $_want)"
		tap_diag "$(cat "$tmp/out")"
	fi
}
