#!/bin/sh
# SPDX-License-Identifier: ISC
#
# run.sh BUILDDIR [TEST...]: the integration tests (real ctpd processes in
# network namespaces) against the programs in BUILDDIR.  Each test's output
# goes to BUILDDIR/tests/integration/NAME.log and ends with its
# "N passed, N failed[, N skipped]" line; tests that cannot run here (not
# root, no namespaces) say so and count as skipped.  Exits 1 if any failed.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$(cd "${1:?usage: run.sh BUILDDIR [TEST...]}" && pwd)
shift
export top_srcdir top_builddir
logdir=$top_builddir/tests/integration
mkdir -p "$logdir"
if [ $# -eq 0 ]; then
	set -- "$top_srcdir"/tests/integration/test_*.sh
fi
rc=0
for t in "$@"; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s)
	# bounded: no test may run longer than 10 minutes
	timeout -k 10 600 sh "$t" >"$logdir/$name.log" 2>&1
	st=$?
	end=$(date +%s)
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" |
	    tail -n 1)
	case $st in
	0|77)	echo "$name: ${last:-no summary} ($((end - start)) s)" ;;
	*)	rc=1
		if [ -z "$last" ]; then
			# a test that died before its summary still counts
			echo "0 passed, 1 failed" >>"$logdir/$name.log"
		fi
		echo "$name: FAILED, exit $st ($((end - start)) s)"
		grep -E '^not ok' "$logdir/$name.log" | head -n 20 ;;
	esac
done
exit $rc
