#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Runs every test tier and ends with one line for all of them together:
#   N passed, N failed, N skipped
# Tiers: unit (Check) + ctpctl scripts, the same under ASan/UBSan, the
# integration tests (namespaces, root) in both builds, the kernel lab (UML),
# short libFuzzer runs, make distcheck.  Exits non-zero if anything failed.
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"
logdir=$top/build/check-logs
rm -rf "$logdir"; mkdir -p "$logdir"
rc=0
tier_fail=0

tier() {	# name command...
	name=$1; shift
	echo "== $name"
	if "$@" >"$logdir/$name.out" 2>&1; then
		echo "   ok"
	else
		echo "   FAILED (log: $logdir/$name.out)"; tail -n 40 "$logdir/$name.out"
		tier_fail=$((tier_fail + 1)); rc=1
	fi
}

tier unit make -C build -j2 check
mkdir -p build-san
tier sanitizers sh -c "cd build-san && { [ -f Makefile ] || '$top/configure' -q --enable-sanitizers; } && make -s -j2 && make -j2 check"
# real ctpd processes in namespaces, then the same under ASan/UBSan
tier integration "$top/tests/integration/run.sh" build
tier integration-san "$top/tests/integration/run.sh" build-san
# kernel SCTP: tests in User-Mode Linux (or on the host kernel if it has SCTP)
tier lab "$top/tests/lab/run-all.sh" build
tier fuzz make -C build -s fuzz-check
tier distcheck make -C build -s distcheck

"$top/tests/summary.sh" build build-san "$logdir/fuzz.out" -- $tier_fail || rc=1
exit $rc
