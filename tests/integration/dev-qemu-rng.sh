#!/bin/sh
# devices/virtio-rng as QEMU's vhost-user-rng backend: Linux's virtio_rng in
# the debian guest (QEMU TCG) reads entropy from it through /dev/hwrng.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/debian-package.sh"
. "$top_srcdir/tests/integration/dev-qemu-lib.sh"

debian_package || { tap_done; exit; }

cat >"$dev_work/guest.sh" <<'SCRIPT'
echo "rng-current $(cat /sys/class/misc/hw_random/rng_current)"
head -c 4096 /dev/hwrng >/tmp/rng
echo "rng-bytes $(wc -c </tmp/rng)"
echo "rng-distinct $(od -An -v -tx1 /tmp/rng | tr ' ' '\n' | grep . | sort -u | wc -l)"
SCRIPT

dev_boot rng vhost-user-rng-pci "$dev_work/guest.sh" "$top_builddir/devices/virtio-rng"
tap_check "the guest's hwrng is virtio_rng" \
	sh -c "case '$(dev_guest_value rng rng-current)' in virtio_rng*) exit 0;; esac; exit 1"
tap_check "the guest read 4096 bytes from /dev/hwrng" test "$(dev_guest_value rng rng-bytes)" = 4096
# 4096 random bytes take all 256 values but with probability ~1e-4.
distinct=$(dev_guest_value rng rng-distinct)
tap_check "the bytes are not a constant fill ($distinct distinct values of 256)" \
	test "${distinct:-0}" -gt 200

tap_done
