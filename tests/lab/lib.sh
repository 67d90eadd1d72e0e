# SPDX-License-Identifier: ISC
#
# Sourced by the kernel-lab tests (tests/lab/lab_*.sh), which run as root on
# a kernel with SCTP, normally inside the guest that tests/lab/run boots:
# ok/nok lines and the closing "N passed, N failed[, N skipped]" line,
# namespaces and processes removed at exit, bounded waits.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
PROBE=$top_builddir/tests/lab/sctp_probe
NSP=lab$$-
T=
_pids=
_nslist=
pass=0
fail=0
skipped=0

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
# nok DESC [FILE...]: a failure, with the tail of each FILE.
nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	for f in "$@"; do
		[ -s "$f" ] && sed 's/^/#   /' "$f" | tail -n 15
	done
	return 0
}
skip_one() {
	skipped=$((skipped + 1))
	echo "ok - $1 # SKIP ${2:-}"
}
finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skipped skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}
skip_all() {
	echo "SKIP: $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

_cleanup() {
	set +e
	for p in $_pids; do kill -KILL "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	for n in $_nslist; do ip netns del "$n" 2>/dev/null; done
	[ -n "$T" ] && rm -rf "$T"
}

# lab_setup NAME: only inside the lab, as root; a scratch dir T, a trap.
lab_setup() {
	[ -n "${LAB:-}" ] ||
		skip_all "runs inside the kernel lab: tests/lab/run sh $0"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap _cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# lab_ns NAME...: network namespaces $NSP$NAME with lo up, removed at exit.
lab_ns() {
	for n in "$@"; do _nslist="$_nslist $NSP$n"; done
	for n in "$@"; do echo "netns add $NSP$n"; done | ip -b - || return 1
	for n in "$@"; do
		ip -n "$NSP$n" link set lo up || return 1
	done
}
ns() { echo "$NSP$1"; }
nsx() {
	_n=$NSP$1
	shift
	ip netns exec "$_n" "$@"
}

# bg NS OUT CMD...: run CMD in namespace NS in the background, output to
# OUT; its PID in $bgpid, killed at exit if still there.
bg() {
	_n=$NSP$1
	_o=$2
	shift 2
	ip netns exec "$_n" "$@" >"$_o" 2>&1 &
	bgpid=$!
	_pids="$_pids $bgpid"
}

# now_s: whole seconds since boot in $_now, without a process.
now_s() {
	read -r _now _ </proc/uptime
	_now=${_now%%.*}
}

# wait_for FILE REGEX SECONDS: until a line of FILE matches.
wait_for() {
	now_s
	_end=$((_now + $3))
	until grep -Eq "$2" "$1" 2>/dev/null; do
		now_s
		[ "$_now" -lt $_end ] || return 1
		sleep 0.05
	done
}

# wait_pid PID SECONDS: wait for a background PID, killing it past SECONDS;
# returns its exit status (or 124).
wait_pid() {
	now_s
	_end=$((_now + $2))
	while kill -0 "$1" 2>/dev/null; do
		now_s
		if [ "$_now" -ge $_end ]; then
			kill -KILL "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 124
		fi
		sleep 0.05
	done
	wait "$1"
}

# sameset "a b c" "c a b": same words, in any order.
sameset() {
	[ "$(printf '%s\n' $1 | sort -u)" = "$(printf '%s\n' $2 | sort -u)" ]
}
