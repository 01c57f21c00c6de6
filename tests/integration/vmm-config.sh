#!/bin/sh
# Bad guest configs stop guestmgr-vmm before any guest code runs: exit
# status 1 and a message naming the field. Every case is one config; the
# last one shows the same config made good boots.
. "$top_srcdir/tests/integration/vmm-lib.sh"
need_kvm

# rejected DESC MESSAGE JSON: the vmm refuses JSON with status 1 and says
# MESSAGE; the guest never printed anything.
rejected() {
	printf '%s\n' "$3" > "$tmp/bad.json"
	run_vmm bad
	st=$?
	if [ "$st" -eq 1 ] && grep -qF -- "$2" "$tmp/bad.err" && [ ! -s "$tmp/bad.out" ]; then
		tap_ok "$1: status 1, '$2'"
	else
		tap_not_ok "$1: status 1, '$2' (status $st)"
		show bad
	fi
}

tg=$testguest
printf 'not a kernel\n' > "$tmp/text.img"
head -c 4194304 /dev/zero > "$tmp/ramdisk.img"
# A bzImage header (boot protocol 2.10, no 64-bit entry point): "HdrS" at
# 0x202 and the boot flag at 0x1fe in an otherwise empty 4 KiB image.
head -c 4096 /dev/zero > "$tmp/bz32.img"
printf '\125\252\353\146HdrS\012\002' |
	dd of="$tmp/bz32.img" bs=1 seek=510 conv=notrunc 2> /dev/null
printf 'garbage\n' > "$tmp/bad.dtbo"
long=$(printf 'a%.0s' $(seq 2040))

rejected "no kernel" "field 'kernel': required" '{ "cpus": 1 }'
rejected "kernel missing" "kernel '/nonexistent/k': No such file or directory" \
	'{ "kernel": "/nonexistent/k" }'
rejected "kernel not an image" "kernel '$tmp/text.img': not a PVH ELF or bzImage" \
	'{ "kernel": "text.img" }'
rejected "ELF without a PVH note" "ELF without a PVH entry note" \
	'{ "kernel": "'"$top_builddir"'/vmm/guestmgr-vmm" }'
rejected "bzImage without a 64-bit entry" "has no 64-bit entry point" \
	'{ "kernel": "bz32.img" }'
rejected "kernel fd not open" "kernel (fd 77): Bad file descriptor" '{ "kernel": { "fd": 77 } }'
rejected "zero memory" "field 'guest_memory'" '{ "kernel": "'"$tg"'", "guest_memory": 0 }'
rejected "memory not whole pages" "guest_memory: 268435457 is not a multiple of 4096" \
	'{ "kernel": "'"$tg"'", "guest_memory": 268435457 }'
rejected "too little memory for kernel and ramdisk" "guest_memory: 4 MiB is too small for ramdisk" \
	'{ "kernel": "'"$tg"'", "ramdisk": "ramdisk.img", "guest_memory": 4194304 }'
rejected "no vCPUs" "field 'cpus'" '{ "kernel": "'"$tg"'", "cpus": 0 }'
rejected "too many vCPUs" "field 'cpus': 65 is above the maximum 64" \
	'{ "kernel": "'"$tg"'", "cpus": 65 }'
rejected "cmdline too long once joined" "cmdline: 2049 bytes with cmdline_add joined, at most 2047" \
	'{ "kernel": "'"$tg"'", "cmdline": "'"$long"'", "cmdline_add": ["12345678"] }'
rejected "bad dtb overlay" "dtb overlay: FDT_ERR" \
	'{ "kernel": "'"$tg"'", "dtb_overlay": "bad.dtbo" }'
rejected "malformed JSON" "invalid JSON at line 3 column" \
	'{ "kernel": "'"$tg"'",
  "cpus": 2,
  "guest_memory": }'
rejected "unknown field" "field 'cpu'" '{ "kernel": "'"$tg"'", "cpu": 2 }'
# What users write for guestmgrd (schemas/guest-config.schema.json) is not
# a launch config: fields the vmm would not act on are refused by name.
rejected "a guest-config field the vmm does not read" "field 'virtio_rng': unknown field" \
	'{ "kernel": "'"$tg"'", "virtio_rng": true }'
rejected "block devices are vhost-user devices here" "field 'block_devices': unknown field" \
	'{ "kernel": "'"$tg"'", "block_devices": [] }'

tap_done
