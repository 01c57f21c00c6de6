#!/bin/sh
# guestctl as scripts and monitoring use it, against a guestmgrd whose
# guests cannot start (a package with a kernel that is no kernel: the same
# on every host, KVM or not): exit statuses, --json, events, status,
# metrics (checked by promtool), realms, persistent disks and their
# errors, BAD_CONFIG naming the field.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

command -v jq >/dev/null || tap_skip_all "needs jq (scripts/setup.sh installs it)"
gm_setup
# broken: a kernel that is no kernel, a persistent disk, autostart.
mkdir -p "$tmp/packages/broken" "$tmp/packages/badcfg"
echo "not a kernel" >"$tmp/packages/broken/kernel"
cat >"$tmp/packages/broken/guest.json" <<JSON
{ "kernel": "kernel", "cpus": 2, "guest_memory": 33554432, "autostart": true,
  "storage": { "id": "data", "size": 1048576 } }
JSON
echo '{ "kernel": "kernel", "cpus": 0 }' >"$tmp/packages/badcfg/guest.json"
gm_start

# Exit statuses (guestctl(1)).
gm_status_is "a bad command line exits 2" 2 gctl frobnicate
gm_status_is "a missing argument exits 2" 2 gctl info
gm_status_is "a refusal exits 1" 1 gctl info nosuchguest
gm_status_is "an unreachable daemon exits 3" 3 "$build/manager/guestctl/guestctl" \
	--ro-socket "$tmp/none.sock" list
gm_status_is "--help exits 0" 0 gctl --help

# JSON for scripts.
gctl --json list >"$tmp/list.json"
tap_check "list --json is JSON with every package" \
	test "$(jq -r '[.guests[].name] | sort | join(",")' "$tmp/list.json")" = "badcfg,broken,testguest"
gctl --json info nosuchguest >"$tmp/err.json"
tap_check "an error with --json is JSON naming its code" \
	test "$(jq -r .error.code "$tmp/err.json")" = UNKNOWN_GUEST

# The autostart guest was launched with the daemon, and failed.
gm_expect "autostart launched the package that asks for it" "launches" gctl --json list
tap_check "it failed to start, and says why" \
	sh -c "$build/manager/guestctl/guestctl --ro-socket '$ro_sock' --json info broken |
		jq -e '.guest_status == \"STOPPED\" and (.stop_reason.message | length > 0)' >/dev/null"
# The host's shared-memory huge pages, as detected_problems see them.
shmem=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null)
gctl --json info testguest >"$tmp/info.json"
case $shmem in
never | deny)
	tap_check "detected_problems: shared memory without huge pages ($shmem)" \
		jq -e ".detected_problems | any(contains(\"shmem_enabled: $shmem\"))" "$tmp/info.json" ;;
*)
	tap_check "detected_problems: nothing of huge pages (shmem_enabled: ${shmem:-none})" \
		jq -e '.detected_problems | all(contains("huge pages") | not)' "$tmp/info.json" ;;
esac
gm_status_is "status exits 4 while an autostart guest is not RUNNING" 4 gctl status
gm_expect "and names it" "not running: broken (STOPPED)" gctl status

# Events: the whole life of a failing launch, as JSON lines.
gctl events >"$tmp/events" &
events_pid=$!
sleep 0.3
gctl launch broken >/dev/null 2>&1
sleep 0.5
kill "$events_pid"
tap_check "events: the current state first" grep -q '"guest":"broken","status":"STOPPED","time":0' "$tmp/events"
tap_check "events: STARTING, STOPPING, STOPPED of the launch, in order" \
	test "$(jq -r 'select(.guest == "broken" and .time > 0) | .status' "$tmp/events" | tr '\n' ' ')" = \
	"STARTING STOPPING STOPPED "
tap_check "events: STOPPED carries its stop_reason" \
	sh -c "jq -e 'select(.status == \"STOPPED\" and .time > 0) | .stop_reason.cause' '$tmp/events' >/dev/null"

# Metrics for node_exporter's textfile collector.
gctl metrics >"$tmp/metrics.prom"
if command -v promtool >/dev/null; then
	tap_check "metrics pass promtool check metrics" sh -c "promtool check metrics <'$tmp/metrics.prom'"
else
	tap_skip "metrics pass promtool check metrics" "no promtool"
fi
tap_check "metrics: the current status of each guest" \
	grep -q 'guestmgr_guest_status{guest="broken",status="STOPPED"} 1' "$tmp/metrics.prom"
tap_check "metrics: launches count restarts" \
	grep -q 'guestmgr_guest_launches_total{guest="broken"} 2' "$tmp/metrics.prom"
tap_check "metrics: OpenMetrics' end" test "$(tail -n1 "$tmp/metrics.prom")" = "# EOF"

# The persistent disk: made at the first launch, kept, wiped on request.
tap_check "the persistent disk was made, sparse, of its size" \
	test "$(stat -c %s "$tmp/state/broken/disk.raw")" -eq 1048576
gm_expect "wipe removes it" "persistent disk removed" gctl wipe broken
tap_check "it is gone" test ! -e "$tmp/state/broken/disk.raw"
gm_expect "wipe again: there is none" "had no persistent disk" gctl wipe broken

# BAD_CONFIG names the field, from the package or the overrides.
gm_expect "a bad package config" "BAD_CONFIG: guest 'badcfg': package 'badcfg': guest.json: field 'cpus': 0 is below the minimum 1" \
	gctl launch badcfg
gm_expect "a bad override" "BAD_CONFIG: guest 'broken': config: field 'cpus': 99 is above the maximum 64" \
	gctl launch broken --cpus 99
gm_expect "a memory override not in pages" "field 'guest_memory': 33554433 is not a multiple of 4096" \
	gctl launch broken --memory 33554433
gm_expect "START_FAILURE carries the cause" "START_FAILURE" gctl launch broken

# A qcow2 image's backing chain is opened by guestctl, as the user, and
# travels as fds; the daemon takes it (the launch gets past BAD_CONFIG).
if command -v qemu-img >/dev/null; then
	qemu-img create -q -f raw "$tmp/base.raw" 1M
	qemu-img create -q -f qcow2 -b base.raw -F raw "$tmp/mid.qcow2" 1M
	qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 "$tmp/top.qcow2" 1M
	gm_expect "a qcow2 chain of three images reaches the start" "START_FAILURE" \
		gctl launch broken --block "$tmp/top.qcow2:ro:qcow2"
	tap_check "its descriptor has the client's qcow2 disk" \
		sh -c "$build/manager/guestctl/guestctl --ro-socket '$ro_sock' --json info broken |
			jq -e '.guest_descriptor.block_devices[-1] | .format == \"qcow2\" and .source == \"client\"' >/dev/null"
	qemu-img create -q -f qcow2 -u -b /etc/shadow "$tmp/noformat.qcow2" 1M
	gm_status_is "a backing file without a declared format: guestctl refuses it" 2 \
		gctl launch broken --block "$tmp/noformat.qcow2:ro:qcow2"
	gm_expect "saying so" "noformat.qcow2" gctl launch broken --block "$tmp/noformat.qcow2:ro:qcow2"
	rm "$tmp/base.raw"
	gm_expect "a missing backing file: refused before anything is sent" "backing file of" \
		gctl launch broken --block "$tmp/top.qcow2:ro:qcow2"
else
	tap_skip "qcow2 chains" "no qemu-img"
fi

# Realms: ids from 1, cids from 3, never reused.
gm_expect "realm create" "environment 1" gctl realm create lab
gctl realm launch 1 broken --label a >/dev/null 2>&1
gctl realm launch 1 fuchsia-pkg://fuchsia.com/broken#meta/broken.cm --label b >/dev/null 2>&1
gctl --json realm instances 1 >"$tmp/inst.json"
tap_check "instances get cids 3 and 4" \
	test "$(jq -r '[.instances[].cid] | join(",")' "$tmp/inst.json")" = "3,4"
gm_expect "an unknown package url is refused" "names no guest package" \
	gctl realm launch 1 "fuchsia-pkg://fuchsia.com/../x"
gm_expect "an unknown environment is refused" "no environment 9" gctl realm instances 9
gm_expect "vsock is not available yet" "NOT_AVAILABLE" "$build/tests/integration/gm-raw" "$sock" \
	'{"id":1,"method":"Realm.GetHostVsockEndpoint","params":{"realm":1}}'

# NO_STORAGE: a state directory that cannot hold the disk.
gm_stop
echo file >"$tmp/notadir"
cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/notadir/state", "run_dir": "$tmp/run" }
JSON
gm_start
gm_expect "a disk that cannot be made is NO_STORAGE" "NO_STORAGE: persistent disk" gctl launch broken

# NO_STORAGE: a full file system (a 512 KiB tmpfs for a 1 MiB disk). The
# disk's blocks are reserved when it is made, and a disk that could not be
# made is not left behind.
gm_stop
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=512k tmpfs "$tmp/full" 2>/dev/null; then
	trap 'gm_stop; umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"' EXIT
	cat >"$tmp/guestmgrd.json" <<JSON
{ "package_dirs": ["$tmp/packages"], "state_dir": "$tmp/full/state", "run_dir": "$tmp/run" }
JSON
	gm_start
	gm_expect "a full file system is NO_STORAGE, saying so" \
		"NO_STORAGE: persistent disk '$tmp/full/state/broken/disk.raw': cannot reserve 1048576 bytes: No space left on device" \
		gctl launch broken
	tap_check "no half-made disk is left" test ! -e "$tmp/full/state/broken/disk.raw"
	gm_stop
	umount "$tmp/full"
else
	tap_skip "NO_STORAGE on a full file system" "cannot mount a tmpfs here (not root?)"
	tap_skip "no half-made disk is left" "cannot mount a tmpfs here (not root?)"
fi
tap_done
