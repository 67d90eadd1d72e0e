# SPDX-License-Identifier: ISC
#
# Shared by the integration tests and the demo (sourced, not run): three
# routers ar1..ar3 and an MN in network namespaces joined by a bridge, a
# throw-away CA, per-router ctpd configurations, ctpd started and stopped by
# PID, bounded waits, and a trap that removes everything this shell made.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
top_builddir=$(cd "$top_builddir" && pwd)
CTPD=$top_builddir/ctpd/ctpd
CTPCTL=$top_builddir/ctpctl/ctpctl
CTPMN=$top_builddir/tools/ctp-mn
CERTGEN=$top_builddir/tests/tools/ctp-certgen

# The MN's key at its home router ar1, and the addresses used throughout.
MNKEY=000102030405060708090a0b0c0d0e0f
NSP=ctpit-$$-
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
nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		sed 's/^/#   /' "$2" | tail -n 20
	fi
}
skip_one() {
	skipped=$((skipped + 1))
	echo "ok - $1 # SKIP ${2:-}"
}
# check DESC COMMAND...: ok if the command succeeds.
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
# san_scan: stop our routers (so LeakSanitizer runs) and fail once for
# every router log that holds a sanitizer report.
san_scan() {
	for i in 1 2 3; do stop_ar "$i"; done
	[ -n "$T" ] || return 0
	for f in "$T"/ar*/log; do
		[ -f "$f" ] || continue
		if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		    "$f"; then
			nok "no sanitizer report in ${f#"$T"/}" "$f"
		fi
	done
}
finish() {
	san_scan
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
	for p in $_pids; do
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	for p in $_pids; do
		wait "$p" 2>/dev/null
	done
	for n in $_nslist; do
		ip netns del "$n" 2>/dev/null
	done
	if [ -n "$T" ] && [ -z "${KEEP:-}" ]; then rm -rf "$T"; fi
}

# need_root: exit 77 visibly unless we can make namespaces.
need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root and ip netns"
	command -v ip >/dev/null 2>&1 || skip_all "needs root and ip netns (no ip(8))"
	for b in "$CTPD" "$CTPCTL" "$CTPMN" "$CERTGEN"; do
		[ -x "$b" ] || skip_all "$b not built"
	done
	if ! ip netns add "${NSP}probe" 2>/dev/null; then
		skip_all "needs root and ip netns (cannot create a namespace)"
	fi
	ip netns del "${NSP}probe"
}

# setup NAME: temp dir, trap.  Call need_root first.
setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/ctpit-$1.XXXXXX")
	chmod 755 "$T"
	trap _cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

ns() { echo "$NSP$1"; }
nsx() {
	n=$(ns "$1")
	shift
	ip netns exec "$n" "$@"
}

# Router index N: channel 192.0.2.N, 2001:db8::N; MN access
# 198.51.100.N, 2001:db8:ff::N; MNs behind it 203.0.113.(64(N-1))/26 and
# 2001:db8:N::/48.  The MN namespace has 198.51.100.10 and 2001:db8:ff::10.
# make_net [IFNAME...]: bridge namespace, ar1..ar3 and mn attached.
make_net() {
	br=$(ns br)
	ip netns add "$br"
	_nslist="$_nslist $br"
	ip -n "$br" link set lo up
	ip -n "$br" link add br0 type bridge
	ip -n "$br" link set br0 up
	for who in ar1 ar2 ar3 mn; do
		n=$(ns "$who")
		ip netns add "$n"
		_nslist="$_nslist $n"
		ip -n "$n" link set lo up
		ip link add eth0 netns "$n" type veth peer name "v-$who" \
		    netns "$br"
		ip -n "$br" link set "v-$who" master br0
		ip -n "$br" link set "v-$who" up
		case $who in
		ar*)	i=${who#ar}
			ip -n "$n" addr add 192.0.2.$i/24 dev eth0
			ip -n "$n" addr add 198.51.100.$i/24 dev eth0
			ip -n "$n" -6 addr add 2001:db8::$i/64 dev eth0 nodad
			ip -n "$n" -6 addr add 2001:db8:ff::$i/64 dev eth0 \
			    nodad ;;
		mn)	ip -n "$n" addr add 198.51.100.10/24 dev eth0
			ip -n "$n" -6 addr add 2001:db8:ff::10/64 dev eth0 \
			    nodad ;;
		esac
		ip -n "$n" link set eth0 up
	done
}

# make_certs: $T/pki/{ca,ar1,ar2,ar3}.{crt,key} (identities arN.test).
make_certs() {
	mkdir -p "$T/pki"
	"$CERTGEN" "$T/pki" ar1.test ar2.test ar3.test >"$T/pki/log" 2>&1 ||
	    { cat "$T/pki/log"; return 1; }
	for i in 1 2 3; do
		mv "$T/pki/ar$i.test.crt" "$T/pki/ar$i.crt"
		mv "$T/pki/ar$i.test.key" "$T/pki/ar$i.key"
	done
}

# Per-router settings a test may change before write_conf.
FEATURES="  aaa: {provider: builtin, reliable: true}
  qos: {provider: builtin}
  rohc: {provider: builtin}
  mld: {provider: builtin}"
TIMERS="  max-transfer: 1s
  max-handover: 5s
  liveness-interval: 200ms
  liveness-timeout: 1s
  reconnect-min: 50ms
  reconnect-max: 500ms"

# peer_yaml N M: the peer entry for router M as seen from router N.
# PEER_FAMILY=6 uses the IPv6 channel addresses.
peer_yaml() {
	m=$2
	if [ "${PEER_FAMILY:-4}" = 6 ]; then a=2001:db8::$m; else a=192.0.2.$m; fi
	cat <<EOF
  - name: ar$m
    addresses: [$a]
    transport: tcp
    security: tls
    identity: ${PEER_IDENTITY:-ar$m.test}
    access-prefixes: [203.0.113.$((64 * (m - 1)))/26, 2001:db8:$m::/48]
EOF
}

# write_conf N [PEER...]: $T/arN/ctpd.yaml; peers default to the other two.
write_conf() {
	i=$1
	shift
	d=$T/ar$i
	mkdir -p "$d"
	peers=${*:-$(for j in 1 2 3; do [ "$j" = "$i" ] || echo $j; done)}
	keys=$d/mn-keys
	: >"$keys"
	if [ "$i" = 1 ]; then
		echo "203.0.113.10 $MNKEY" >>"$keys"
		echo "203.0.113.11 $MNKEY" >>"$keys"
		echo "203.0.113.12 $MNKEY" >>"$keys"
		echo "203.0.113.13 $MNKEY" >>"$keys"
		echo "2001:db8:1::10 $MNKEY" >>"$keys"
		echo "2001:db8:1::11 $MNKEY" >>"$keys"
	fi
	chmod 600 "$keys"
	{
		cat <<EOF
router:
  id: ar$i
  addresses: [192.0.2.$i, 2001:db8::$i]
mn:
  transport: udp
  listen: [198.51.100.$i, 2001:db8:ff::$i]
tls:
  certificate: ${CERT_DIR:-$T/pki}/ar$i.crt
  key: ${CERT_DIR:-$T/pki}/ar$i.key
  ca: $T/pki/ca.crt
token:
  keys-file: $keys
peers:
EOF
		for j in $peers; do peer_yaml "$i" "$j"; done
		cat <<EOF
features:
$FEATURES
timers:
$TIMERS
limits:
  request-rate: 1000/s
  request-burst: 1000
  per-source-rate: 1000/s
  per-mn-rate: 100/s
control:
  socket: $d/ctpd.sock
log:
  level: ${LOGLEVEL:-info}
  target: stderr
EOF
	} >"$d/ctpd.yaml"
}

# ctl N ARGS...: ctpctl against router N (from the host: the socket is a
# file).  Output in $T/out, status in rc.
ctl() {
	i=$1
	shift
	rc=0
	timeout 5 "$CTPCTL" -s "$T/ar$i/ctpd.sock" "$@" </dev/null \
	    >"$T/out" 2>"$T/err" || rc=$?
}
# jq-free JSON access: jget N EXPR ARGS...: python-free too, so a small
# awk would not do; we use ctpctl -j and grep fixed strings instead.
has() { grep -Fq -e "$1" "$T/out"; }

# start_ar N: ctpd -d in namespace arN, log $T/arN/log; PID in PID_N.
start_ar() {
	i=$1
	d=$T/ar$i
	: >>"$d/log"
	echo "=== start $(date +%T.%N)" >>"$d/log"
	ip netns exec "$(ns ar$i)" "$CTPD" -d -f "$d/ctpd.yaml" \
	    >>"$d/log" 2>&1 &
	p=$!
	_pids="$_pids $p"
	eval "PID_$i=$p"
	# bounded: 10 s (sanitizer builds start slowly)
	k=0
	while [ $k -lt 100 ]; do
		if [ -S "$d/ctpd.sock" ] &&
		    timeout 2 "$CTPCTL" -s "$d/ctpd.sock" show status \
		    >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$p" 2>/dev/null || return 1
		sleep 0.1
		k=$((k + 1))
	done
	return 1
}

pid_of() { eval "echo \${PID_$1:-}"; }

# stop_ar N [SIGNAL]: signal our ctpd of router N and wait (5 s bound).
stop_ar() {
	p=$(pid_of "$1")
	[ -n "$p" ] || return 0
	kill "-${2:-TERM}" "$p" 2>/dev/null
	k=0
	while [ $k -lt 50 ] && kill -0 "$p" 2>/dev/null; do
		sleep 0.1
		k=$((k + 1))
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null || true
	eval "PID_$1="
}

# peer_state N PEER: the state of PEER in router N's `show peers -j`.
peer_state() {
	timeout 5 "$CTPCTL" -s "$T/ar$1/ctpd.sock" -j show peers 2>/dev/null |
	    tr -d ' \n' | sed 's/},{/}\n{/g' | grep "\"name\":\"$2\"" |
	    sed -n 's/.*"state":"\([A-Za-z_-]*\)".*/\1/p' | head -n 1
}

# wait_up N PEER [TENTHS]: until router N has PEER up (default 10 s).
wait_up() {
	k=0
	while [ $k -lt "${3:-100}" ]; do
		[ "$(peer_state "$1" "$2")" = UP ] && return 0
		sleep 0.1
		k=$((k + 1))
	done
	return 1
}

# json_num FILE KEY: the first number after "KEY": in FILE (one value).
json_num() {
	tr -d ' \n' <"$1" | grep -o "\"$2\":-\{0,1\}[0-9]*" | head -n 1 |
	    sed 's/.*://'
}

# mn ARGS...: ctp-mn in the MN namespace; output $T/mn.out, $T/mn.err, rc.
mn() {
	rc=0
	ip netns exec "$(ns mn)" timeout 30 "$CTPMN" "$@" </dev/null \
	    >"$T/mn.out" 2>"$T/mn.err" || rc=$?
}

# fd_count PID, rss_kb PID
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

# three_routers: net, certs, configs (default) and all three started with
# every channel up.  Returns 1 with a reason on stderr.
three_routers() {
	make_net
	make_certs || return 1
	for i in 1 2 3; do write_conf $i; done
	for i in 1 2 3; do
		start_ar $i || { echo "ar$i did not start" >&2;
		    tail -n 20 "$T/ar$i/log" >&2; return 1; }
	done
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			wait_up $i ar$j || { echo "ar$i: ar$j not up" >&2;
			    return 1; }
		done
	done
}

# norm FILE: the JSON in FILE on one line without blanks (our values hold
# no blanks).
norm() { tr -d ' \n\t' <"$1"; }

# jsec FILE SECTION KEY: the number of "KEY" inside the first "SECTION":{.
jsec() {
	norm "$1" | sed "s/^.*\"$2\":{//" | grep -o "\"$3\":-\{0,1\}[0-9]*" |
	    head -n 1 | sed 's/.*://'
}

# ctx_list: on stdin one normalised store object; prints, for the array
# named $1 (contexts, held or installed), one line per context with its
# fpt, feature, p and fields (the r flag is left out: the pAR sets it from
# its configuration), sorted.
ctx_list() {
	sed "s/^.*\"$1\":\[\([^]]*\)\].*$/\1/" | sed 's/},{"fpt"/}\n{"fpt"/g' |
	    sed -n 's/^{\{0,1\}"fpt":\([0-9]*\),"feature":"\([a-z]*\)","r":[a-z]*,"p":\([a-z]*\),"fields":\({[^}]*}\)}\{0,1\}$/\1 \2 \3 \4/p' |
	    sort
}

# put_ctx N MN FILE...: put the feature JSON files as MN's contexts at
# router N; the expected list in $T/want.MN.
put_ctx() {
	i=$1
	m=$2
	shift 2
	cdbs=
	for f in "$@"; do cdbs="$cdbs${cdbs:+, }$(cat "$f")"; done
	printf '{"mn": "%s", "cdbs": [%s]}\n' "$m" "$cdbs" >"$T/put.$m.json"
	printf '{"contexts":[%s]}' "$cdbs" | norm /dev/stdin |
	    ctx_list contexts >"$T/want.$m"
	ctl "$i" context put "$T/put.$m.json"
}

# got_ctx N MN ARRAY: MN's ARRAY at router N as ctx_list lines in
# $T/got.MN.
got_ctx() {
	ctl "$1" -j show mn "$2"
	norm "$T/out" | ctx_list "$3" >"$T/got.$2"
}

# nar_state N MN: the nAR (or with a third argument par) state of MN.
mn_state() {
	ctl "$1" -j show mn "$2"
	norm "$T/out" |
	    sed -n "s/^.*\"${3:-nar}\":{\"state\":\"\([A-Z_]*\)\".*$/\1/p"
}
# wait_state N MN STATE [ROLE]: bounded 5 s.
wait_state() {
	k=0
	while [ $k -lt 50 ]; do
		[ "$(mn_state "$1" "$2" "${4:-nar}")" = "$3" ] && return 0
		sleep 0.1
		k=$((k + 1))
	done
	return 1
}
