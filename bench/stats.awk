# Statistics shared by the bench reports (awk -f bench/stats.awk -f REPORT):
# put() collects values under (who, key); stat() gives their min, median
# or max, "" when there are none.
function put(who, key, val) {
	n[who, key]++
	v[who, key, n[who, key]] = val
}

# Sorts the values of (who, key) into s[1..c]; returns c.
function sortvals(who, key,    i, j, t, c) {
	c = n[who, key]
	for (i = 1; i <= c; i++) s[i] = v[who, key, i]
	for (i = 2; i <= c; i++) {
		t = s[i]
		for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]
		s[j + 1] = t
	}
	return c
}

function stat(who, key, what,    c) {
	c = sortvals(who, key)
	if (c == 0) return ""
	if (what == "min") return s[1]
	if (what == "max") return s[c]
	return (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
}

# "min/med/max" of (who, key) with FMT for each, or "-".
function span(who, key, fmt) {
	if (stat(who, key, "med") == "") return "-"
	return sprintf(fmt "/" fmt "/" fmt, stat(who, key, "min"), stat(who, key, "med"), stat(who, key, "max"))
}

# a / b as "0.00x", or "-".
function ratio(a, b) {
	return (a != "" && b != "" && b > 0) ? sprintf("%.2fx", a / b) : "-"
}
