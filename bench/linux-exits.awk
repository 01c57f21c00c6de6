# One boot's KVM exits, from the kernel's kvm trace events (tracefs text:
# kvm_exit, kvm_entry, kvm_pio, kvm_mmio, kvm_msr), as bench/linux.sh's
# lines for WHO (-v who=...):
#   WHO exits=N outside_ms=MS inside_ms=MS halts=N
#   EXIT WHO reason NAME COUNT MS      (per exit reason)
#   EXIT WHO at WHAT COUNT MS          (per port, MSR or 4 KiB MMIO page,
#                                       as pio_write_0xcf8, msr_write_6e0,
#                                       mmio_0xc0000000: one word)
# "Outside" is from each kvm_exit to the same vCPU thread's next kvm_entry:
# KVM's own handling and the VMM's, everything the guest waits for;
# "inside" is the rest of the time from the first entry to the last exit,
# the guest running its own code (one vCPU, as bench/linux boots). A hlt
# exit is the guest idling.
function ts() { match($0, /[0-9]+\.[0-9]+: kvm_/); return substr($0, RSTART, RLENGTH - 6) + 0 }
function tid() { match($0, /-[0-9]+ +\[/); return substr($0, RSTART + 1, RLENGTH - 2) + 0 }
function arg(after) {
	if (!match($0, after " [^ ,]+")) return ""
	return substr($0, RSTART + length(after) + 1, RLENGTH - length(after) - 1)
}
/ kvm_exit: / {
	t = tid(); out[t] = ts(); reason[t] = arg("reason"); what[t] = ""
	last = out[t]
	if (reason[t] == "hlt") halts++
	next
}
/ kvm_pio: / { rw = index($0, "pio_write") ? "write" : "read"; what[tid()] = "pio_" rw "_" arg("pio_" rw " at"); next }
/ kvm_mmio: / {
	a = arg("gpa"); sub(/^0x0*/, "", a)	# the 4 KiB page: its hex less three digits
	what[tid()] = "mmio_0x" (length(a) > 3 ? substr(a, 1, length(a) - 3) : "") "000"
	next
}
/ kvm_msr: / { rw = index($0, "msr_write") ? "write" : "read"; what[tid()] = "msr_" rw "_" arg("msr_" rw); next }
/ kvm_entry: / {
	t = tid(); now = ts()
	if (!first) first = now
	if (t in out) {
		d = now - out[t]; total += d; n++
		rc[reason[t]]++; rt[reason[t]] += d
		if (what[t] != "") { wc[what[t]]++; wt[what[t]] += d }
		delete out[t]
	}
}
END {
	printf "%s exits=%d outside_ms=%.1f inside_ms=%.1f halts=%d\n", who, n, total * 1000,
		(last - first - total) * 1000, halts
	for (r in rc) printf "EXIT %s reason %s %d %.1f\n", who, r, rc[r], rt[r] * 1000
	for (w in wc) printf "EXIT %s at %s %d %.1f\n", who, w, wc[w], wt[w] * 1000
}
