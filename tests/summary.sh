#!/bin/sh
# SPDX-License-Identifier: ISC
#
# summary.sh BUILDDIR... [FUZZLOG] -- TIER_FAILURES
# Adds up the Check summary lines ("Checks: N, Failures: F, Errors: E") and
# plain "N passed, N failed[, N skipped]" lines of every test log, the fuzz
# verdicts ("fuzz: NAME ok|FAILED") and the failed tiers, prints each source
# line and then one line for all tiers together.
set -u
pass=0; fail=0; skip=0
logs=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	if [ -d "$1" ]; then
		for f in $(find "$1/tests" -name '*.log' 2>/dev/null | sort); do
			logs="$logs $f"
		done
	elif [ -f "$1" ]; then
		logs="$logs $1"
	fi
	shift
done
[ "${1:-}" = "--" ] && shift
tierfail=${1:-0}

for f in $logs; do
	out=$(awk -v name="$f" '
	/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "Checks:") c = $(i+1) + 0
			if ($i == "Failures:") fl = $(i+1) + 0
			if ($i == "Errors:") e = $(i+1) + 0
		}
		p += c - fl - e; f += fl + e; print "   " name ": " $0 > "/dev/stderr"; next
	}
	/^[A-Za-z-]*:? ?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/ {
		for (i = 1; i <= NF; i++) {
			if ($(i+1) ~ /^passed/) p += $i
			if ($(i+1) ~ /^failed/) f += $i
			if ($(i+1) ~ /^skipped/) s += $i
		}
		print "   " name ": " $0 > "/dev/stderr"; next
	}
	/^fuzz: .* ok$/ { p++; print "   " $0 > "/dev/stderr" }
	/^fuzz: .* FAILED/ { f++; print "   " $0 > "/dev/stderr" }
	/^fuzz: .* SKIPPED/ { s++; print "   " $0 > "/dev/stderr" }
	END { printf "%d %d %d\n", p, f, s }' "$f")
	set -- $out
	pass=$((pass + $1)); fail=$((fail + $2)); skip=$((skip + $3))
done
fail=$((fail + tierfail))
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
