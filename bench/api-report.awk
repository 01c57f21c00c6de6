# bench/api's table (awk -f bench/stats.awk -f bench/api-report.awk
# SAMPLES): "PEER METRIC VALUE" lines, PEER gm or libvirt; quantiles,
# medians over rounds, ratios guestmgrd / libvirt, the targets of issue 9.
{ put($1, $2, $3) }

# The QQ-quantile (nearest rank) of PEER's METRIC; "" with no sample.
function q(peer, metric, qq,    c, k) {
	c = sortvals(peer, metric)
	if (!c) return ""
	k = int(qq * c)
	if (k < qq * c) k++
	return s[k < 1 ? 1 : k]
}

function row(label, a, b, target) {
	printf "%-44s %12s %12s %8s  %s\n", label, a == "" ? "-" : a, b == "" ? "-" : b, ratio(a, b), target
}

# X (divided by DIV, when given) in FMT; "" stays "".
function f(x, fmt, div) { return x == "" ? "" : sprintf(fmt, div ? x / div : x) }
END {
	printf "bench/api: testguest, 1 vCPU, %d MiB; %d rounds; %d guests; GetInfo: %d calls at the socket, %d on the command line\n\n",
		mem, runs, guests, count, cli_count
	if (daemons_only == 1)
		printf "DAEMONS_ONLY: guestmgrd on the null vmm, libvirt under TCG; Launch not compared\n\n"
	printf "%-44s %12s %12s %8s  %s\n", "", "guestmgrd", "libvirtd", "ratio", "target"
	if (daemons_only != 1) {
	row("Launch to RUNNING, command line, p50 ms", f(q("gm", "cli_launch", .5), "%.1f"),
		f(q("libvirt", "cli_launch", .5), "%.1f"), "<= 0.1x")
	row("Launch to RUNNING, socket, p50 ms", f(q("gm", "sock_launch", .5), "%.1f", 1000),
		f(q("libvirt", "sock_launch", .5), "%.1f", 1000), "<= 0.1x")
	}
	for (k = 1; k <= 2; k++) {
		g = k == 1 ? "1" : "all"; label = k == 1 ? "1 guest" : guests " guests"
		row("info, command line, " label ", p50 ms", f(q("gm", "cli_info_" g, .5), "%.1f"),
			f(q("libvirt", "cli_info_" g, .5), "%.1f"), "<= 0.3x")
		row("info, command line, " label ", p99 ms", f(q("gm", "cli_info_" g, .99), "%.1f"),
			f(q("libvirt", "cli_info_" g, .99), "%.1f"), "")
		row("GetInfo, socket, " label ", p50 us", f(q("gm", "sock_info_" g, .5), "%.0f"),
			f(q("libvirt", "sock_info_" g, .5), "%.0f"), "")
		row("GetInfo, socket, " label ", p99 us", f(q("gm", "sock_info_" g, .99), "%.0f"),
			f(q("libvirt", "sock_info_" g, .99), "%.0f"), k == 2 ? "< 1000 us" : "")
	}
	if (daemons_only != 1) {
		a = q("gm", "launch_all_ms", .5); b = q("libvirt", "launch_all_ms", .5)
		row(guests " launches back to back, guests/s", f(guests / a * 1000, "%.2f"),
			f(guests / b * 1000, "%.2f"), "")
		a = q("gm", "launch_all_cpu_ms", .5); b = q("libvirt", "launch_all_cpu_ms", .5)
		row("  per CPU-second the machine spent", a > 0 ? f(guests / a * 1000, "%.2f") : "",
			b > 0 ? f(guests / b * 1000, "%.2f") : "", ">= 10")
	}
	row("daemon RSS, idle, MiB", f(q("gm", "rss_idle_kib", .5), "%.1f", 1024),
		f(q("libvirt", "rss_idle_kib", .5), "%.1f", 1024), "")
	row("daemon RSS, " guests " guests running, MiB", f(q("gm", "rss_all_kib", .5), "%.1f", 1024),
		f(q("libvirt", "rss_all_kib", .5), "%.1f", 1024), "<= 0.2x")
	printf "\nguestmgrd own share of Launch (null vmm, %d launches): p50 %.2f ms, p99 %.2f ms (target < 5 ms);\n",
		n["gm", "null_launch"], q("gm", "null_launch", .5) / 1000, q("gm", "null_launch", .99) / 1000
	printf "  its CPU time a Launch: %.2f ms (median of %d rounds)\n", q("gm", "null_cpu_us", .5) / 1000,
		n["gm", "null_cpu_us"]
	printf "libvirt also keeps virtlogd running: RSS %.1f MiB\n", q("libvirt", "virtlogd_rss_kib", .5) / 1024
	printf "machine: %d CPUs\n", cores
}