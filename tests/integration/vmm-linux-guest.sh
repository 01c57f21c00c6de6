# Run by the `debian` guest on guestmgr-vmm (tests/integration/vmm-linux.sh
# puts it on the read-only disk with serial "script"): drives each device
# from Linux and prints one "fact ..." line per result for the host to
# check. Lines go out on ttyS0, so they are few and short.

# disk SERIAL: the /dev node of the virtio disk with that serial.
disk() {
	for d in /sys/block/vd*; do
		[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] && echo "/dev/${d##*/}" && return
	done
	echo "/dev/no-disk-$1"
}

# mark DEV CHAR: 4 KiB of CHAR at 1 MiB, flushed (dd conv=fsync: the
# kernel sends a FLUSH after the write); "ok" or "refused".
mark() {
	head -c 4096 /dev/zero | tr '\0' "$2" | dd of="$1" bs=4096 seek=256 conv=fsync 2>/dev/null &&
		echo ok || echo refused
}

# at DEV: the 4 KiB at 1 MiB as the disk holds them (the page cache dropped).
at() {
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$1" bs=4096 skip=256 count=1 2>/dev/null | md5sum | cut -d' ' -f1
}

rw=$(disk rw)
qcow=$(disk qcow)
vol=$(disk vol)
ro=$(disk script)

for name in rw qcow vol; do
	eval "dev=\$$name"
	echo "fact md5 $name $(md5sum <"$dev" | cut -d' ' -f1)"
done
echo "fact write rw $(mark "$rw" W) $(at "$rw")"
echo "fact write qcow $(mark "$qcow" Q) $(at "$qcow")"
echo "fact write vol $(mark "$vol" V) $(at "$vol")"
echo "fact ro-flag $(cat "/sys/block/${ro#/dev/}/ro")"
echo "fact write script $(mark "$ro" X)"

echo "fact rng $(cat /sys/class/misc/hw_random/rng_current) $(head -c 64 /dev/hwrng | wc -c)"

# hvc0 both ways, one open file for both: raw, no echo; a line out, the far
# end's answer back.
if exec 5<>/dev/hvc0; then
	stty raw -echo <&5
	echo "HVC-HELLO" >&5
	read -t 20 -r line <&5
	echo "fact hvc0 got ${line:-nothing}"
	exec 5>&-
else
	echo "fact hvc0 cannot open"
fi

# Each virtio interrupt: its count (all vCPUs), how it is delivered (the
# PCI function's msi_irqs entry says msi or msix; else the chip, e.g.
# IO-APIC) and its name.
awk '/virtio/ {
	n = 0
	for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
		n += $i
	print substr($1, 1, length($1) - 1), n, $i, $NF
}' /proc/interrupts | while read -r irq count chip name; do
	mode=$(cat /sys/bus/pci/devices/*/msi_irqs/"$irq" 2>/dev/null)
	echo "fact irq $count ${mode:-$chip} $name"
done
