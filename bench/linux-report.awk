# bench/linux.sh's report (with bench/stats.awk). Files, in order: the
# timed runs ("WHO key=value..."), the held runs (memory), the kernel's
# own times ("WHO key=value"), its slowest initcalls ("WHO NAME MS"), the
# KVM exits of a traced boot (bench/linux-exits.awk's lines, the EXIT
# lines slowest first).
FNR == 1 { file++ }
file == 5 && $1 == "EXIT" {
	if (++nexit[$2, $3] <= ($3 == "reason" ? 6 : 8))
		exits[$2, $3] = exits[$2, $3] sprintf(" %s %d/%s ms,", $4, $5, $6)
	next
}
file <= 3 || file == 5 {
	who = $1
	for (f = 2; f <= NF; f++) {
		split($f, kv, "=")
		put(who, (file == 2 ? "mem_" : "") kv[1], kv[2])
	}
}
file == 4 { slow[$1] = slow[$1] sprintf(" %s %s ms,", $2, $3) }
END {
	split("vmm microvm q35", whos, " ")
	printf "\n%-24s %22s %22s %22s %9s %9s\n", "metric (ms)", "guestmgr-vmm", "qemu microvm",
		"qemu q35", "/microvm", "/q35"
	split("ready_ms uptime_ms setup_ms pre_clock_ms exit_ms first_output_ms", keys, " ")
	for (k = 1; k <= 6; k++) {
		key = keys[k] == "ready_ms" ? "marker_ms" : keys[k]
		printf "%-24s %22s %22s %22s %9s %9s\n", keys[k], span("vmm", key, "%.0f"),
			span("microvm", key, "%.0f"), span("q35", key, "%.0f"),
			ratio(stat("vmm", key, "med"), stat("microvm", key, "med")),
			ratio(stat("vmm", key, "med"), stat("q35", key, "med"))
	}
	printf "\n%-24s %22s %22s %22s %9s %9s\n", "memory at READY (KiB)", "guestmgr-vmm", "qemu microvm",
		"qemu q35", "/microvm", "/q35"
	split("rss pss", mk, " ")
	for (k = 1; k <= 2; k++) {
		for (w = 1; w <= 3; w++)
			m[w] = stat(whos[w], "mem_" mk[k] "_kib", "med") - stat(whos[w], "mem_guest_" mk[k] "_kib", "med")
		printf "%-24s %22d %22d %22d %9s %9s\n", toupper(mk[k]) " minus guest RAM", m[1], m[2], m[3],
			ratio(m[1], m[2]), ratio(m[1], m[3])
	}
	printf "\n%-24s %22s %22s %22s\n", "the kernel's time (ms)", "guestmgr-vmm", "qemu microvm", "qemu q35"
	split("initcalls_ms init_at_ms", kk, " ")
	for (k = 1; k <= 2; k++)
		printf "%-24s %22s %22s %22s\n", kk[k], stat("vmm", kk[k], "med"), stat("microvm", kk[k], "med"),
			stat("q35", kk[k], "med")
	printf "\nslowest initcalls:\n"
	for (w = 1; w <= 3; w++)
		printf "  %-8s%s\n", whos[w], slow[whos[w]]
	if (stat("vmm", "exits", "med") == "") {
		printf "\n(no KVM exit profile)\n"
		exit
	}
	printf "\n%-24s %22s %22s %22s %9s %9s\n", "KVM exits (one boot)", "guestmgr-vmm", "qemu microvm",
		"qemu q35", "/microvm", "/q35"
	split("exits outside_ms inside_ms halts", xk, " ")
	for (k = 1; k <= 4; k++)
		printf "%-24s %22s %22s %22s %9s %9s\n", xk[k], stat("vmm", xk[k], "med"),
			stat("microvm", xk[k], "med"), stat("q35", xk[k], "med"),
			ratio(stat("vmm", xk[k], "med"), stat("microvm", xk[k], "med")),
			ratio(stat("vmm", xk[k], "med"), stat("q35", xk[k], "med"))
	for (w = 1; w <= 3; w++) {
		printf "  %-8s by reason:%s\n", whos[w], exits[whos[w], "reason"]
		printf "  %-8s by place: %s\n", "", exits[whos[w], "at"]
	}
}
