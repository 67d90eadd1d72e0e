#!/bin/sh
# SPDX-License-Identifier: ISC
#
# run.sh SECONDS CORPUS_DIR TARGET...
# Runs each libFuzzer target for SECONDS on a scratch copy of its seeds
# (CORPUS_DIR/NAME for tests/fuzz/fuzz_NAME; the source corpus stays
# untouched and may be read-only).  Crash artifacts and logs stay in
# tests/fuzz/ of the current (build) directory.  Prints one verdict per
# target, "fuzz: NAME ok", "fuzz: NAME FAILED (...)" or "fuzz: NAME SKIPPED
# (...)", for tests/summary.sh, and exits non-zero if any target failed.
set -u

if [ $# -lt 3 ]; then
	echo "usage: run.sh SECONDS CORPUS_DIR TARGET..." >&2
	exit 2
fi
secs=$1; corpus=$2; shift 2
case $secs in
''|*[!0-9]*)
	echo "run.sh: SECONDS must be a number, not '$secs'" >&2
	exit 2 ;;
esac
outdir=$(pwd)/tests/fuzz
mkdir -p "$outdir/artifacts" || exit 2
guard=$((secs + 60))
if command -v timeout >/dev/null 2>&1; then
	TIMEOUT="timeout -k 10 $guard"
else
	TIMEOUT=
fi

count() {	# count PATH...: how many of the (globbed) paths exist
	n=0
	for f in "$@"; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

failed=0
for target in "$@"; do
	base=$(basename "$target")
	name=${base#fuzz_}
	if [ ! -x "$target" ]; then
		echo "fuzz: $name SKIPPED (not built)"
		continue
	fi
	seeds=$corpus/$name
	log=$outdir/$name.log
	work=$(mktemp -d "${TMPDIR:-/tmp}/ctpd-fuzz-$name.XXXXXX") || {
		echo "fuzz: $name FAILED (mktemp)"; failed=$((failed + 1))
		continue
	}
	if [ -d "$seeds" ]; then
		# Plain copies: the source may be read-only (make distcheck).
		for f in "$seeds"/* "$seeds"/.[!.]*; do
			[ -f "$f" ] && cat "$f" >"$work/$(basename "$f")"
		done
	else
		seeds=
	fi
	nseeds=$(count "$work"/* "$work"/.[!.]*)
	artifacts=$outdir/artifacts/$name-
	before=$(count "$artifacts"*)

	$TIMEOUT "$target" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
	    -artifact_prefix="$artifacts" "$work" ${seeds:+"$seeds"} \
	    >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" |
	    tail -n 1)
	units=$(count "$work"/* "$work"/.[!.]*)
	after=$(count "$artifacts"*)
	rm -rf "$work"

	why=
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="hung: killed after ${guard}s"
	elif [ "$rc" -ne 0 ]; then
		why="exit $rc"
	elif [ -z "$runs" ]; then
		why="no final stats"
	elif [ "$after" -gt "$before" ]; then
		why="new artifacts"
	fi
	if [ -z "$why" ]; then
		echo "fuzz: $name: $runs runs in ${secs}s (${rate:-?}/s)," \
		    "$nseeds seeds, $units corpus units"
		echo "fuzz: $name ok"
	else
		echo "fuzz: $name FAILED ($why; ${runs:-?} runs; log: $log)"
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    tail -n 1)
		[ -n "$art" ] && echo "    artifact: $art"
		# The report's first lines (what and where), then the tail.
		pat='invariant failed|==ERROR|runtime error:|ERROR: libFuzzer'
		first=$(grep -n -m 1 -E "$pat" "$log" | cut -d: -f1)
		if [ -n "$first" ]; then
			sed -n "${first},$((first + 24))p" "$log" |
			    sed 's/^/    | /'
			echo "    | ..."
			tail -n 12 "$log" | sed 's/^/    | /'
		else
			tail -n 40 "$log" | sed 's/^/    | /'
		fi
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
