#!/bin/sh
# SPDX-License-Identifier: ISC
#
# run-all.sh BUILDDIR [TEST...]: the kernel-lab tier.  Runs every
# tests/lab/lab_*.sh as root on a kernel with SCTP through tests/lab/run,
# in as few boots as practical: all tests share one boot unless one names
# another with a "# lab-boot: NAME" line.  "# lab-timeout: SECONDS" bounds
# a test (default 120); "# lab-modules: NAME..." adds modules to load.
# Each test's output goes to BUILDDIR/tests/lab/NAME.log and ends with its
# "N passed, N failed[, N skipped]" line.  The tier takes at most
# LAB_TIER_SECONDS (default 570).  Where the lab cannot run here, says why
# and counts one skip (BUILDDIR/tests/lab/lab.log).  Exits 1 if any test
# failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)

# header FILE KEY: the value of the file's "# KEY: value" line
header() {
	sed -n "s/^# $2: *//p" "$1" | head -n 1
}

# ------------------------------------------------------------ in the lab
# run-all.sh --in-lab LOGDIR TEST...: one boot's tests, one after another.
if [ "${1:-}" = --in-lab ]; then
	logdir=$2
	shift 2
	rc=0
	for t in "$@"; do
		name=$(basename "$t" .sh)
		log=$logdir/$name.log
		limit=$(header "$t" lab-timeout)
		start=$(date +%s)
		{
			echo "# $LAB kernel $LAB_KERNEL"
			echo "# modules: $LAB_MODULES_LOADED"
			echo "# missing: ${LAB_MODULES_MISSING:-none}"
		} >"$log"
		timeout -k 5 "${limit:-120}" sh "$t" >>"$log" 2>&1
		st=$?
		ip -all netns delete 2>/dev/null	# whatever it left
		end=$(date +%s)
		last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" |
		    tail -n 1)
		case $st in
		0|77)	echo "$name: ${last:-no summary}" \
			    "($((end - start)) s)" ;;
		*)	rc=1
			[ $st -eq 124 ] &&
				echo "# time limit of ${limit:-120} s" >>"$log"
			[ -n "$last" ] || echo "0 passed, 1 failed" >>"$log"
			echo "$name: FAILED, exit $st ($((end - start)) s)"
			grep -E '^not ok' "$log" | head -n 20 ;;
		esac
	done
	exit $rc
fi

# ------------------------------------------------------------ on the host
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=$(cd "${1:?usage: run-all.sh BUILDDIR [TEST...]}" && pwd)
shift
export top_srcdir top_builddir
logdir=$top_builddir/tests/lab
mkdir -p "$logdir"
rm -f "$logdir"/*.log "$logdir"/*.boot
if [ $# -eq 0 ]; then
	set -- "$top_srcdir"/tests/lab/lab_*.sh
fi
tier_start=$(date +%s)

# The probe program; the build makes it where Makefile.am lists it.
probe=$top_builddir/tests/lab/sctp_probe
src=$top_srcdir/tests/lab/sctp_probe.c
if [ ! -x "$probe" ] || [ "$src" -nt "$probe" ]; then
	${CC:-cc} -O2 -g -Wall -o "$probe" "$src" -lsctp ||
		echo "lab: cannot build $probe (libsctp-dev?)"
fi

# Boot groups, in the order their first test comes.
groups=
for t in "$@"; do
	[ -f "$t" ] || continue
	g=$(header "$t" lab-boot)
	g=${g:-shared}
	case " $groups " in *" $g "*) ;; *) groups="$groups $g" ;; esac
done

rc=0
boots=0
skipped_lab=
for g in $groups; do
	tests= limit=60 mods=
	for t in "$@"; do
		[ -f "$t" ] || continue
		tg=$(header "$t" lab-boot)
		[ "${tg:-shared}" = "$g" ] || continue
		tests="$tests $t"
		tl=$(header "$t" lab-timeout)
		limit=$((limit + ${tl:-120} + 10))
		mods="$mods $(header "$t" lab-modules)"
	done
	mods=$(echo $mods)
	# the whole tier stays within LAB_TIER_SECONDS (default 570)
	left=$((${LAB_TIER_SECONDS:-570} - ($(date +%s) - tier_start)))
	[ $limit -le $left ] || limit=$left
	if [ $limit -lt 30 ]; then
		for t in $tests; do
			name=$(basename "$t" .sh)
			echo "# no time left in the tier for this test" \
			    >"$logdir/$name.log"
			echo "0 passed, 1 failed" >>"$logdir/$name.log"
			echo "$name: FAILED, no time left in the tier"
		done
		rc=1
		continue
	fi
	boots=$((boots + 1))
	start=$(date +%s)
	# shellcheck disable=SC2086
	bash "$top_srcdir/tests/lab/run" -t "$limit" -w "$logdir" \
	    ${mods:+-M "+$mods"} sh "$here/run-all.sh" --in-lab "$logdir" \
	    $tests 2>"$logdir/$g.boot"
	st=$?
	end=$(date +%s)
	sed -n 's/^lab: //p' "$logdir/$g.boot" | sed "s/^/lab: $g: /"
	if [ $st -eq 77 ]; then
		skipped_lab=$(sed -n 's/^lab: cannot run .* here: //p' \
		    "$logdir/$g.boot" | head -n 1)
		for t in $tests; do
			rm -f "$logdir/$(basename "$t" .sh).log"
		done
		break
	fi
	[ $st -eq 0 ] || rc=1
	# tests the boot did not get to (time limit, guest died) fail
	for t in $tests; do
		name=$(basename "$t" .sh)
		if ! grep -Eq '^[0-9]+ passed, [0-9]+ failed' \
		    "$logdir/$name.log" 2>/dev/null; then
			echo "# the lab stopped before this test ended" \
			    "(exit $st, see $logdir/$g.boot)" \
			    >>"$logdir/$name.log"
			echo "0 passed, 1 failed" >>"$logdir/$name.log"
			echo "$name: FAILED, lab exit $st"
			rc=1
		fi
	done
	echo "lab: boot '$g' took $((end - start)) s"
done
if [ -n "$skipped_lab" ]; then
	{
		echo "SKIP: the kernel lab cannot run here: $skipped_lab"
		echo "0 passed, 0 failed, 1 skipped"
	} >"$logdir/lab.log"
	cat "$logdir/lab.log"
	exit $rc
fi
echo "lab: $boots boot(s), $(($(date +%s) - tier_start)) s in all"
exit $rc
