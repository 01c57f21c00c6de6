# bench/boot.sh's report (with bench/stats.awk): the runs' file, then the
# held runs' (memory); -v runs= mem_mib=.
FNR == 1 { file++ }
{
	who = $1
	for (f = 2; f <= NF; f++) { split($f, kv, "="); put(who, (file == 2 ? "mem_" : "") kv[1], kv[2]) }
}
END {
	printf "boot of testguest (test=boot), %d runs each, %d MiB guest, 1 vCPU\n\n", runs, mem_mib
	printf "%-28s %28s %28s %7s\n", "metric (ms)", "guestmgr-vmm min/med/max", "qemu microvm min/med/max", "ratio"
	split("first_output_ms exit_ms setup_ms", keys, " ")
	for (k = 1; k <= 3; k++) {
		key = keys[k]
		printf "%-28s %28s %28s %7s\n", key, span("vmm", key, "%.1f"), span("qemu", key, "%.1f"),
			ratio(stat("vmm", key, "med"), stat("qemu", key, "med"))
	}
	printf "\n%-28s %14s %14s %7s\n", "memory at SUMMARY (KiB)", "guestmgr-vmm", "qemu", "ratio"
	split("rss pss", mk, " ")
	for (k = 1; k <= 2; k++) {
		a = stat("vmm", "mem_" mk[k] "_kib", "med") - stat("vmm", "mem_guest_" mk[k] "_kib", "med")
		b = stat("qemu", "mem_" mk[k] "_kib", "med") - stat("qemu", "mem_guest_" mk[k] "_kib", "med")
		printf "%-28s %14d %14d %7s\n", toupper(mk[k]) " minus guest RAM", a, b, ratio(a, b)
	}
}
