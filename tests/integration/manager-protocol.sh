#!/bin/sh
# guestmgrd against malformed requests (tests/integration/gm-raw): each gets
# an error reply naming the problem, and nothing else changes: the daemon
# keeps serving others, holds no more fds than before, and a client that
# stops reading is dropped instead of stalling it. Needs no KVM.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integration/manager-lib.sh"

raw=$build/tests/integration/gm-raw
gm_setup
gm_start
fds_before=$(gm_fds)

# bad NAME WANT PAYLOAD [NFDS]: the reply is an error containing WANT.
bad() {
	gm_expect "$1: error reply '$2'" "$2" "$raw" "$sock" "$3" ${4:-}
}

bad "not JSON" '"code":"BAD_REQUEST","number":1,"message":"invalid JSON' '{"id":1,'
bad "not an object" 'a request is a JSON object' '[1,2]'
bad "no method" "field 'method': required" '{"id":1}'
bad "no id" "field 'id': required" '{"method":"Daemon.ListGuests"}'
bad "an id of the wrong type" "field 'id'" '{"id":[1],"method":"Daemon.ListGuests"}'
bad "an unknown envelope field" "field 'extra': unknown field" \
	'{"id":1,"method":"Daemon.ListGuests","extra":2}'
bad "params not an object" "field 'params': expected object" \
	'{"id":1,"method":"Daemon.ListGuests","params":7}'
bad "a duplicate key" 'invalid JSON' '{"id":1,"id":2,"method":"Daemon.ListGuests"}'
bad "an unknown method" '"code":"UNKNOWN_METHOD"' '{"id":1,"method":"GuestManager.Reboot"}'
bad "a param of the wrong type" "params: field 'guest': expected string" \
	'{"id":1,"method":"GuestManager.GetInfo","params":{"guest":5}}'
bad "a missing param" "params: field 'guest': required" \
	'{"id":2,"method":"GuestManager.GetInfo","params":{}}'
bad "an unknown param" "params: field 'guests': unknown field" \
	'{"id":3,"method":"Daemon.ListGuests","params":{"guests":1}}'
bad "a guest name too long" "params: field 'guest'" \
	"{\"id\":4,\"method\":\"GuestManager.GetInfo\",\"params\":{\"guest\":\"$(printf '%070d' 0)\"}}"
bad "an unknown guest" '"code":"UNKNOWN_GUEST"' \
	'{"id":5,"method":"GuestManager.GetInfo","params":{"guest":"nope"}}'
bad "an oversized message" "exceeds the 65536-byte limit" "@70000"
bad "truncated JSON" 'invalid JSON' '{"id":6,"method":"GuestManager.GetInfo","params":{"gue'
bad "an fd nobody names" "fd 0 came with the request but no field names it" \
	'{"id":7,"method":"Daemon.ListGuests"}' 1
bad "an fd named but not sent" "fd 0 is named but 0 fds came with the request" \
	'{"id":8,"method":"GuestManager.Connect","params":{"guest":"testguest","controller":{"fd":0}}}'
bad "one fd named twice" "more than one field names it" \
	'{"id":9,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"block_devices":[{"id":"a","file":{"fd":0}},{"id":"b","file":{"fd":0}}]}}}' 1
bad "too many fds" "more than the limit of 16" '{"id":10,"method":"Daemon.ListGuests"}' 20
bad "a config override of the wrong type" "config: field 'cpus': expected integer" \
	'{"id":11,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"cpus":"2"}}}'
bad "a launch overriding the kernel" "field 'kernel': comes from the package" \
	'{"id":12,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"kernel":"x"}}}'
bad "a disk path from a client" "the daemon opens no path a client names" \
	'{"id":13,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"block_devices":[{"id":"a","file":"/etc/shadow"}]}}}'
bad "a disk that is a character device" "not a regular file or block device" \
	'{"id":14,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"block_devices":[{"id":"a","file":{"fd":0},"mode":"read_only"}]}}}' 1
echo data >"$tmp/disk.img"
GM_RAW_FD_FILE=$tmp/disk.img bad "a read_write disk on a read-only fd" "read_write needs an fd opened read-write" \
	'{"id":14,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"block_devices":[{"id":"a","file":{"fd":0},"mode":"read_write"}]}}}' 1
bad "a device this version lacks" "field 'virtio_gpu': no virtio-gpu device in this version" \
	'{"id":15,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"virtio_gpu":true}}}'
bad "a network device" "field 'net_devices': no virtio-net device" \
	'{"id":16,"method":"GuestManager.Launch","params":{"guest":"testguest","config":{"net_devices":[{"mac_address":"02:00:00:00:00:01"}]}}}'
bad "the balloon" '"code":"NOT_AVAILABLE"' \
	'{"id":17,"method":"Guest.GetBalloonController","params":{"guest":"testguest"}}'
bad "serial of a guest not running" '"code":"NOT_RUNNING"' \
	'{"id":18,"method":"Guest.GetSerial","params":{"guest":"testguest"}}'

# None of that changed anything: the guest is as it was, the daemon holds
# what it held.
gm_expect "the guest was never launched by any of it" "NOT_STARTED" gctl list
tap_check "the daemon holds as many fds as before ($fds_before)" test "$(gm_fds)" -eq "$fds_before"

# A client that sends and never reads is dropped; others are served.
"$raw" --flood "$sock" 20000 >"$tmp/flood" &
flood_pid=$!
gm_expect "a client is served while another floods" "testguest" gctl list
wait "$flood_pid"
tap_check "a client that reads no replies is dropped" grep -qx dropped "$tmp/flood"
gm_expect "the daemon says why it dropped it" "reads no replies" cat "$tmp/daemon.log"
gm_expect "the daemon still answers" "testguest" gctl list
tap_check "and holds as many fds as before" test "$(gm_fds)" -eq "$fds_before"
tap_check "the daemon is alive" kill -0 "$gm_daemon_pid"
tap_done
