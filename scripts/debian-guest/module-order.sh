#!/bin/sh
# module-order.sh MODULES_DIR NAME...
#
# For each kernel module NAME (as in /proc/modules: '_', not '-'), says
# whether the kernel has it built in or as a loadable module, and lists the
# loadable ones with everything they depend on, each before its users:
#   builtin NAME
#   module NAME RELATIVE_PATH      (in load order, each module once)
# MODULES_DIR is lib/modules/<version> with modules.dep (run depmod first)
# and modules.builtin. Both files are derived from the kernel's config by
# its build, so "builtin" here means CONFIG_...=y and "module" =m.
set -eu

[ $# -ge 2 ] || {
	echo "usage: module-order.sh MODULES_DIR NAME..." >&2
	exit 1
}
dir=$1
shift
for f in modules.dep modules.builtin; do
	[ -r "$dir/$f" ] || {
		echo "module-order: $dir/$f: cannot read" >&2
		exit 1
	}
done

awk -v wanted="$*" '
function name_of(path,   n) {
	n = path
	sub(/.*\//, "", n)
	sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n)
	gsub(/-/, "_", n)
	return n
}
# visit: depth-first, so every dependency is printed before its user.
function visit(name, chain,   i, n, list) {
	if (name in done)
		return
	if (index(" " chain " ", " " name " ")) {
		printf "module-order: dependency loop: %s %s\n", chain, name > "/dev/stderr"
		exit 1
	}
	n = split(deps[name], list, " ")
	for (i = 1; i <= n; i++)
		visit(name_of(list[i]), chain " " name)
	done[name] = 1
	print "module", name, path[name]
}
FILENAME ~ /modules\.builtin$/ { builtin[name_of($0)] = 1; next }
{
	sub(/:$/, "", $1)
	n = name_of($1)
	path[n] = $1
	deps[n] = ""
	for (i = 2; i <= NF; i++)
		deps[n] = deps[n] " " $i
}
END {
	count = split(wanted, names, " ")
	for (i = 1; i <= count; i++) {
		if (names[i] in builtin)
			print "builtin", names[i]
		else if (names[i] in path)
			visit(names[i], "")
		else {
			printf "module-order: %s is neither built in nor in %s\n", names[i], FILENAME > "/dev/stderr"
			exit 1
		}
	}
}
' "$dir/modules.builtin" "$dir/modules.dep"
