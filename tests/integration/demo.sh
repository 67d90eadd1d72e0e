#!/bin/sh
# SPDX-License-Identifier: ISC
#
# demo.sh [BUILDDIR]: three access routers ar1..ar3 and a mobile node in
# network namespaces, each router a ctpd with its configuration from
# etc/demo/arN.yaml (only the /etc/ctpd and /run/ctpd paths rewritten into
# a temp directory).  One predictive handover (203.0.113.10, ar1 to ar2)
# and one reactive one (203.0.113.11, ar1 to ar3), each step timed, then
# `ctpctl show contexts` of the new routers.  The namespaces, the ctpd
# processes and the temp directory are removed at the end, on failure and
# on Ctrl-C (KEEP=1 keeps the directory, with the routers' logs).  Needs
# root and, for the routers' TLS-over-SCTP channels, kernel SCTP:
# `./bootstrap demo` runs it directly where the kernel has SCTP, otherwise
# inside the User-Mode Linux lab kernel (tests/lab/run), where it writes
# only under TMPDIR.
set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root: it creates network namespaces and ctpd" \
	    "listens for ICMP on raw sockets; try: sudo ./bootstrap demo" >&2
	exit 1
fi
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=${1:-$top_srcdir/build}
if [ ! -x "$top_builddir/ctpd/ctpd" ]; then
	echo "demo: no ctpd in $top_builddir: run ./bootstrap first" >&2
	exit 1
fi
. "$top_srcdir/tests/integration/lib.sh"
# A bare lab guest's /dev may lack this; lib.sh reads /dev/stdin.
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
NSP=ctpdemo-$$-
CONFDIR=$top_srcdir/etc/demo
start_us=

die() {
	echo "demo: FAILED: $1" >&2
	[ -n "$T" ] || exit 1
	for i in 1 2 3; do
		[ -s "$T/ar$i/log" ] || continue
		echo "--- ar$i log (last lines)" >&2
		tail -n 15 "$T/ar$i/log" >&2
	done
	if [ -s "$T/mn.err" ]; then
		echo "--- ctp-mn" >&2
		cat "$T/mn.out" "$T/mn.err" >&2
	fi
	exit 1
}

# Everything this script made, whatever the way out.
demo_cleanup() {
	st=$?
	trap '' INT TERM HUP
	set +e
	for i in 1 2 3; do stop_ar "$i"; done
	_cleanup
	for n in $(ip netns list 2>/dev/null | sed -n "s/^\(${NSP}[^ ]*\).*/\1/p")
	do
		ip netns del "$n"
	done
	left=$(ip netns list 2>/dev/null | grep -c "^$NSP")
	if [ "$left" -eq 0 ]; then
		echo "cleaned up: routers stopped, namespaces and ${T:-temp dir}" \
		    "removed${KEEP:+ (KEEP: $T kept)}"
	else
		echo "demo: $left namespaces named $NSP* could not be removed" >&2
		st=1
	fi
	exit "$st"
}
trap demo_cleanup EXIT
trap 'echo; echo "demo: interrupted" >&2; exit 130' INT TERM HUP

for b in "$CTPD" "$CTPCTL" "$CTPMN" "$CERTGEN"; do
	[ -x "$b" ] || die "$b not built: run ./bootstrap"
done
command -v ip >/dev/null 2>&1 || die "no ip(8): apt-get install iproute2"
for i in 1 2 3; do
	[ -r "$CONFDIR/ar$i.yaml" ] || die "$CONFDIR/ar$i.yaml missing"
done

# ------------------------------------------------------------ helpers
now_us() {
	t=$(date +%s%N)
	echo $((t / 1000))
}
# ms US: microseconds as "12.3 ms"
ms() { echo "$(($1 / 1000)).$(($1 % 1000 / 100)) ms"; }
# line TEXT US: one account line, the time right-aligned.
line() { printf '  %-64s %10s\n' "$1" "$(ms "$2")"; }
note() { echo "      $*"; }

# mark: remember where each router's log ends.
mark() {
	for i in 1 2 3; do
		eval "M_$i=$(wc -l <"$T/ar$i/log")"
	done
}
# trace N MN: router N's state changes for MN since the last mark, as
# ctpd logs them (ctpd -v).
trace() {
	eval "m=\$M_$1"
	tail -n "+$((m + 1))" "$T/ar$1/log" |
	    sed -n "s/^xfer $2: \(.*\), reason: \(.*\)$/      ar$1  \1: \2/p"
}

# launch_router N: ctpd -d -v in namespace arN, in the background.
launch_router() {
	d=$T/ar$1
	ip netns exec "$(ns "ar$1")" "$CTPD" -d -v -f "$d/ctpd.yaml" \
	    >>"$d/log" 2>&1 &
	p=$!
	_pids="$_pids $p"
	eval "PID_$1=$p"
}
# router_ready N: bounded wait (10 s) for router N's control socket.
router_ready() {
	d=$T/ar$1
	eval "p=\$PID_$1"
	end=$(($(now_us) + 10000000))
	while [ "$(now_us)" -lt "$end" ]; do
		if [ -S "$d/ctpd.sock" ] &&
		    timeout 2 "$CTPCTL" -s "$d/ctpd.sock" show status \
		    >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$p" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# channels_up N: bounded wait (20 s) until router N has both channels up.
channels_up() {
	end=$(($(now_us) + 20000000))
	while [ "$(now_us)" -lt "$end" ]; do
		ctl "$1" -j show peers
		[ "$(awk '{ n += gsub(/"state": *"UP"/, "") }
		    END { print n + 0 }' "$T/out")" = 2 ] && return 0
		sleep 0.1
	done
	return 1
}

# install_conf N: etc/demo/arN.yaml with /etc/ctpd and /run/ctpd moved to
# $T/arN, and the files it names.
install_conf() {
	d=$T/ar$1
	sed -e "s|/etc/ctpd/|$d/|g" -e "s|/run/ctpd/|$d/|g" \
	    "$CONFDIR/ar$1.yaml" >"$d/ctpd.yaml"
	if grep -Eq '^[^#]*/(etc|run)/ctpd' "$d/ctpd.yaml"; then
		die "ar$1.yaml: a path outside /etc/ctpd/ and /run/ctpd/ left"
	fi
	cp "$T/pki/ca.crt" "$d/ca.crt"
	cp "$T/pki/ar$1.example.net.crt" "$d/ar$1.crt"
	cp "$T/pki/ar$1.example.net.key" "$d/ar$1.key"
	: >"$d/mn-keys"
	chmod 600 "$d/ar$1.key" "$d/mn-keys"
	"$CTPD" -n -f "$d/ctpd.yaml" >"$T/out" 2>&1 ||
	    { cat "$T/out" >&2; die "ar$1.yaml does not check"; }
}

# give MN FEATURE-FILE...: ctpctl context put at ar1, as a feature
# subsystem would; FEATS: the feature names, in order.
give() {
	m=$1
	shift
	FEATS=
	for f in "$@"; do
		n=$(sed -n 's/.*"feature": *"\([a-z]*\)".*/\1/p' \
		    "$top_srcdir/tests/data/feature-$f.json")
		FEATS="$FEATS${FEATS:+, }$n"
		set -- "$@" "$top_srcdir/tests/data/feature-$f.json"
		shift
	done
	put_ctx 1 "$m" "$@"
	[ "$rc" -eq 0 ] || { cat "$T/err" >&2; die "context put at ar1"; }
}

# ctaa: the time ctp-mn reports from its CTAR to the CTAA, "1 ms".
ctaa() {
	v=$(sed -n 's/.*(try [0-9]*, \([0-9]*\) ms).*/\1/p' "$T/mn.out")
	if [ "${v:-x}" = 0 ]; then echo "under 1 ms"; else echo "${v:-?} ms"; fi
}

# mn_send MN PREV_OR_NEXT TARGET SEQ: CTAR from the MN namespace over
# ICMP, asking for a CTAA; fails unless every context was transferred.
mn_send() {
	mn -i -A -w 5 -K "$T/mn/key.$1" -s "$4" -m "$1" -r "$2" "$3"
	[ "$rc" -eq 0 ]
}

# settle N MN STATE ROLE: until router N has MN in STATE (bounded 5 s).
# STATE "wiped": no contexts and the key wiped (the pAR is done).
settle() {
	end=$(($(now_us) + 5000000))
	while [ "$(now_us)" -lt "$end" ]; do
		if [ "$3" = wiped ]; then
			ctl "$1" -j show mn "$2"
			norm "$T/out" | grep -q '"key_wiped":true,"contexts":\[\]' &&
			    return 0
		elif [ "$(mn_state "$1" "$2" "$4")" = "$3" ]; then
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# same_ctx N MN: router N has installed exactly what was put for MN.
same_ctx() {
	got_ctx "$1" "$2" installed
	[ -s "$T/got.$2" ] && cmp -s "$T/want.$2" "$T/got.$2"
}
# gone N MN: router N holds no context of MN any more.
gone() {
	got_ctx "$1" "$2" contexts
	[ ! -s "$T/got.$2" ]
}

# sent N: "TYPE COUNT" lines of the messages router N has sent.
sent() {
	ctl "$1" -j show stats
	awk '{ s = s $0 }
	    END {
		gsub(/[ \t]/, "", s)
		if (!sub(/^.*"xfer":{"counters":{"received":{[^}]*},"sent":{/,
		    "", s))
			exit
		sub(/}.*$/, "", s)
		n = split(s, kv, ",")
		for (k = 1; k <= n; k++)
			if (split(kv[k], f, ":") == 2 && f[1] ~ /^"[A-Z]+"$/ &&
			    f[2] ~ /^[0-9]+$/)
				print substr(f[1], 2, length(f[1]) - 2), f[2]
	    }' "$T/out"
}
# snap N...: remember what routers N... have sent.
snap() { for i in "$@"; do sent "$i" >"$T/sent.$i"; done; }
# messages N...: what routers N... sent since the last snap, in protocol
# order, as one line; the counts read become the next snap.
messages() {
	out=
	for i in "$@"; do
		sent "$i" >"$T/sent.now"
		# one awk, not a process per message type: the lab guest
		# starts processes slowly
		l=$(awk -v snap="$T/sent.$i" '
		    FILENAME == ARGV[1] { a[$1] = $2; next } { b[$1] = $2 }
		    END {
			for (m in b) print m, b[m] >snap
			split("CTREQ PCTD CTD CTAA CTDR CTC CTAR", o, " ")
			for (k = 1; k <= 7; k++) {
				m = o[k]; n = b[m] - a[m]
				if (n <= 0) continue
				if (m == "CTREQ") m = "CT-Req"
				if (n > 1) m = m " x" n
				l = l (l == "" ? "" : ", ") m
			}
			print l
		    }' "$T/sent.$i" "$T/sent.now")
		[ -n "$l" ] && out="$out${out:+; }ar$i sent $l"
	done
	echo "      messages: MN sent CTAR${out:+; $out}"
}

# demo_net: lib.sh's make_net (the same namespaces, links and addresses)
# with one ip(8) per namespace: the lab guest starts processes slowly.
demo_net() {
	br=$(ns br)
	{
		echo "netns add $br"
		for who in ar1 ar2 ar3 mn; do echo "netns add $(ns $who)"; done
	} >"$T/net.root"
	ip -batch "$T/net.root" || return 1
	_nslist="$_nslist $br $(for w in ar1 ar2 ar3 mn; do ns $w; done)"
	{
		echo "link set lo up"
		echo "link add br0 type bridge"
		echo "link set br0 up"
		for who in ar1 ar2 ar3 mn; do
			echo "link add v-$who type veth peer name eth0" \
			    "netns $(ns $who)"
			echo "link set v-$who master br0"
			echo "link set v-$who up"
		done
	} >"$T/net.br"
	ip -n "$br" -batch "$T/net.br" || return 1
	for who in ar1 ar2 ar3 mn; do
		case $who in
		ar*)	i=${who#ar}
			a="192.0.2.$i/24 198.51.100.$i/24"
			a6="2001:db8::$i/64 2001:db8:ff::$i/64" ;;
		mn)	a=198.51.100.10/24
			a6=2001:db8:ff::10/64 ;;
		esac
		{
			echo "link set lo up"
			for x in $a; do echo "addr add $x dev eth0"; done
			for x in $a6; do echo "addr add $x dev eth0 nodad"; done
			echo "link set eth0 up"
		} >"$T/net.$who"
		ip -n "$(ns $who)" -batch "$T/net.$who" || return 1
	done
}

rand16() { od -An -tu2 -N2 /dev/urandom | tr -d ' '; }

# ------------------------------------------------------------ set-up
start_us=$(now_us)
T=$(mktemp -d "${TMPDIR:-/tmp}/ctpd-demo.XXXXXX") || die "mktemp"
chmod 755 "$T"
ip netns add "${NSP}probe" 2>/dev/null ||
    die "cannot create a network namespace (ip netns add)"
ip netns del "${NSP}probe"

echo "ctpd demo: three access routers and a mobile node in network namespaces"
echo "  router configurations: etc/demo/ar1.yaml, ar2.yaml, ar3.yaml"
echo "  work directory: $T"
echo "  (times: wall-clock per step, including starting ctp-mn or ctpctl)"
echo
echo "Set-up"
t0=$(now_us)
demo_net || die "network namespaces"
line "namespaces ar1, ar2, ar3, mn and a bridge between them" \
    $(($(now_us) - t0))
note "router link 192.0.2.0/24: ar1..ar3 are 192.0.2.1..3"
note "access link 198.51.100.0/24: ar1..ar3 are .1..3, the MN is .10"

t0=$(now_us)
mkdir -p "$T/pki" "$T/mn" "$T/ar1" "$T/ar2" "$T/ar3"
"$CERTGEN" "$T/pki" ar1.example.net ar2.example.net ar3.example.net \
    >"$T/pki/log" 2>&1 || { cat "$T/pki/log" >&2; die "ctp-certgen"; }
for i in 1 2 3; do install_conf $i; done
# A fresh key for each MN, shared with its router ar1 only.
for m in 203.0.113.10 203.0.113.11; do
	k=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	echo "$m $k" >>"$T/ar1/mn-keys"
	echo "$k" >"$T/mn/key.$m"
	chmod 600 "$T/mn/key.$m"
done
line "throw-away CA, certificates for ar1..ar3.example.net, MN keys" \
    $(($(now_us) - t0))

t0=$(now_us)
for i in 1 2 3; do launch_router $i; done
for i in 1 2 3; do
	router_ready $i || die "ctpd of ar$i did not start"
done
for i in 1 2 3; do
	channels_up $i || die "ar$i: not both channels up"
done
line "ctpd on ar1, ar2, ar3; all 3 channels up (TLS 1.3 over SCTP)" \
    $(($(now_us) - t0))

# ------------------------------------------------------------ predictive
M=203.0.113.10
echo
echo "1. Predictive handover: MN $M moves from ar1 to ar2"
t0=$(now_us)
give $M aaa qos-v4
line "ar1 is given its contexts: $FEATS (ctpctl context put)" \
    $(($(now_us) - t0))

seq=$(rand16)
mark
snap 1 2
t0=$(now_us)
mn_send $M 192.0.2.2 198.51.100.1 "$seq" || die "no CTAA from ar1"
line "MN -> ar1: CTAR naming ar2 (ICMP); CTAA in $(ctaa)" \
    $(($(now_us) - t0))
settle 2 $M HELD nar || die "ar2 does not hold the contexts"
messages 1 2
trace 1 $M
trace 2 $M
pred=$(ctaa)

mark
t0=$(now_us)
mn_send $M 192.0.2.1 198.51.100.2 "$seq" || die "no CTAA from ar2"
line "MN -> ar2: CTAR naming ar1; CTAA in $(ctaa)" $(($(now_us) - t0))
pred_nar=$(ctaa)
settle 1 $M wiped || die "ar1 did not finish the transfer"
messages 2 1
trace 2 $M
trace 1 $M
same_ctx 2 $M || die "ar2 did not install what ar1 held"
gone 1 $M || die "ar1 still holds the contexts"
echo "  moved from ar1 to ar2: $FEATS, installed at ar2 as ar1 held them;"
echo "  ar1 keeps nothing of $M (contexts and key wiped)."

# ------------------------------------------------------------ reactive
M=203.0.113.11
echo
echo "2. Reactive handover: MN $M moves from ar1 to ar3 unannounced"
t0=$(now_us)
give $M aaa rohc mld
line "ar1 is given its contexts: $FEATS (ctpctl context put)" \
    $(($(now_us) - t0))

mark
snap 3 1
t0=$(now_us)
mn_send $M 192.0.2.1 198.51.100.3 "$(rand16)" || die "no CTAA from ar3"
line "MN -> ar3: CTAR naming ar1 (ICMP); CTAA in $(ctaa)" \
    $(($(now_us) - t0))
react=$(ctaa)
settle 1 $M wiped || die "ar1 did not finish the transfer"
messages 3 1
trace 3 $M
trace 1 $M
same_ctx 3 $M || die "ar3 did not install what ar1 held"
gone 1 $M || die "ar1 still holds the contexts"
echo "  moved from ar1 to ar3: $FEATS, fetched by ar3 (CT-Req, CTD) and"
echo "  installed as ar1 held them; ar1 keeps nothing of $M."

# ------------------------------------------------------------ the result
echo
echo "What the MN waited for, CTAR to CTAA as ctp-mn measured it:"
echo "  predictive: $pred at ar1, $pred_nar at ar2 (contexts already there)"
echo "  reactive:   $react at ar3 (contexts fetched from ar1 meanwhile)"
for i in 2 3; do
	echo
	echo "ar$i# ctpctl show contexts"
	ctl $i show contexts
	[ "$rc" -eq 0 ] || die "ctpctl show contexts at ar$i"
	sed 's/^/  /' "$T/out"
done
t=$(($(now_us) - start_us))
echo
echo "demo done in $((t / 1000000)).$((t % 1000000 / 100000)) s"
