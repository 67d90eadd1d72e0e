#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Mode B, CXTP straight on SCTP under OS IPsec (spec §8.2, §8.3, §8.4;
# issue 5 §4; FIELD-LESSONS E, G): the unit cases that need kernel SCTP
# (test_sctp_msg: 64 KiB messages through a 4 KiB receive buffer, resets;
# test_peer's modeb case), then ar1 and ar2 in namespaces, multi-homed over
# two links with ESP transport SAs and policies for every address pair,
# and a udp + ipsec pair (mode C) beside them: the channel comes up with
# PR-SCTP, reactive handovers with reliable (R) and non-R contexts cross it
# (and the udp one) while a capture on both links sees ESP and no
# cleartext SCTP or CXTP; under netem (20 ms, 10 % loss) 200 handovers
# in parallel batches each end with their R context delivered or reported
# failed, with the completion times printed; with one policy removed a
# restarted ar1 refuses the peer and names the pair; without PR-SCTP at
# ar2 there is no channel and the reason says what to enable.
# Run by tests/lab/run-all.sh inside the lab (tests/lab/run).
# lab-timeout: 180
. "$(dirname "$0")/lib.sh"
lab_setup lab_ipsec

CTPD=$top_builddir/ctpd/ctpd
CTPCTL=$top_builddir/ctpctl/ctpctl
CTPMN=$top_builddir/tools/ctp-mn
MNKEY=000102030405060708090a0b0c0d0e0f
N=${LAB_IPSEC_HANDOVERS:-200}	# even, at most 224
PAR=10	# ctp-mn at once
[ -x "$CTPD" ] && [ -x "$CTPCTL" ] && [ -x "$CTPMN" ] ||
    skip_all "ctpd, ctpctl, ctp-mn not built"
[ -d /proc/sys/net/sctp ] || skip_all "no SCTP in this kernel"
case " ${LAB_MODULES_MISSING:-} " in
*" xfrm_user "*|*" esp4 "*) skip_all "no xfrm_user/esp4 in this kernel" ;;
esac

# ------------------------------------------------------------ unit cases
for u in "test_sctp_msg sctp" "test_peer modeb"; do
	set -- $u
	if [ ! -x "$top_builddir/tests/unit/$1" ]; then
		skip_one "$1's $2 case" "not built (make check builds it)"
	elif now_s && _t=$_now && CK_RUN_CASE=$2 \
	    "$top_builddir/tests/unit/$1" >"$T/$1.out" 2>&1
	then
		now_s
		ok "$1's $2 case on kernel SCTP: $(grep -o 'Checks: [0-9]*' \
		    "$T/$1.out") ($((_now - _t)) s)"
	else
		nok "$1's $2 case on kernel SCTP" "$T/$1.out"
	fi
done

# ------------------------------------------------------------ topology
now_s
t_start=$_now
#  a (ar1) --a0== 192.0.2.0/24    ==b0-- b (ar2)
#          --a1== 198.51.100.0/24 ==b1--
lab_ns a b || { nok "namespaces"; finish; }
ip -b - <<EOF || { nok "veth"; finish; }
link add a0 netns $(ns a) type veth peer name b0 netns $(ns b)
link add a1 netns $(ns a) type veth peer name b1 netns $(ns b)
EOF
ip -n "$(ns a)" -b - <<EOF && ip -n "$(ns b)" -b - <<EOF2 ||
addr add 192.0.2.1/24 dev a0
addr add 192.0.2.11/24 dev a0
addr add 198.51.100.1/24 dev a1
link set a0 up
link set a1 up
EOF
addr add 192.0.2.2/24 dev b0
addr add 192.0.2.12/24 dev b0
addr add 198.51.100.2/24 dev b1
link set b0 up
link set b1 up
EOF2
	{ nok "addresses"; finish; }

A="192.0.2.1 198.51.100.1"
B="192.0.2.2 198.51.100.2"
ALG="enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f auth-trunc hmac(sha256) 0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f 128"
# xfrm_all: in each namespace an SA each way and an sctp policy each way
# for every address pair the association can use (each of A by each of B).
xfrm_all() {
	spi=4096
	for l in $A; do
		for r in $B; do
			echo "xfrm state add src $l dst $r proto esp spi $spi" \
			    "mode transport replay-window 32 $ALG"
			echo "xfrm state add src $r dst $l proto esp" \
			    "spi $((spi + 1)) mode transport replay-window 32" \
			    "$ALG"
			spi=$((spi + 2))
		done
	done >"$T/sa"
	for l in $A; do
		for r in $B; do
			echo "xfrm policy add src $l/32 dst $r/32 proto sctp" \
			    "dir out tmpl proto esp mode transport"
			echo "xfrm policy add src $r/32 dst $l/32 proto sctp" \
			    "dir in tmpl proto esp mode transport"
		done
	done >"$T/pol.a"
	sed 's/ dir out / dir XX /; s/ dir in / dir out /; s/ dir XX / dir in /' \
	    "$T/pol.a" >"$T/pol.b"
	cat "$T/sa" "$T/pol.a" | ip -n "$(ns a)" -b - &&
	    cat "$T/sa" "$T/pol.b" | ip -n "$(ns b)" -b -
}
# xfrm_udp: the udp pair ar11 (192.0.2.11) - ar12 (192.0.2.12), mode C.
xfrm_udp() {
	ip -n "$(ns a)" -b - <<EOF && ip -n "$(ns b)" -b - <<EOF2
xfrm state add src 192.0.2.11 dst 192.0.2.12 proto esp spi 0x3001 mode transport replay-window 32 $ALG
xfrm state add src 192.0.2.12 dst 192.0.2.11 proto esp spi 0x3002 mode transport replay-window 32 $ALG
xfrm policy add src 192.0.2.11/32 dst 192.0.2.12/32 proto udp dir out tmpl proto esp mode transport
xfrm policy add src 192.0.2.12/32 dst 192.0.2.11/32 proto udp dir in tmpl proto esp mode transport
EOF
xfrm state add src 192.0.2.11 dst 192.0.2.12 proto esp spi 0x3001 mode transport replay-window 32 $ALG
xfrm state add src 192.0.2.12 dst 192.0.2.11 proto esp spi 0x3002 mode transport replay-window 32 $ALG
xfrm policy add src 192.0.2.12/32 dst 192.0.2.11/32 proto udp dir out tmpl proto esp mode transport
xfrm policy add src 192.0.2.11/32 dst 192.0.2.12/32 proto udp dir in tmpl proto esp mode transport
EOF2
}
xfrm_all && xfrm_udp || { nok "ip xfrm setup" "$T/pol.a"; finish; }

i=1
while [ $i -le $((30 + N)) ]; do
	printf '203.0.113.%d %s\n' $i $MNKEY
	i=$((i + 1))
done >"$T/keys"
chmod 600 "$T/keys"
# conf N M: router arN, its peer arM, over both links.
conf() {
	cat >"$T/ar$1.yaml" <<EOF
router:
  id: ar$1
  addresses: [192.0.2.$1, 198.51.100.$1]
mn:
  transport: udp
  listen: [192.0.2.$1]
  udp-port: 5099
token:
  keys-file: $T/keys
timers:
  max-transfer: 2s
  max-handover: 30s
  reconnect-min: 50ms
  reconnect-max: 500ms
limits:
  request-rate: 10000/s
  request-burst: 10000
  per-source-rate: 10000/s
peers:
  - name: ar$2
    addresses: [192.0.2.$2, 198.51.100.$2]
    transport: sctp
    security: ipsec
    access-prefixes: [203.0.113.0/24]
    sctp:
      rto-initial: 200ms
      rto-min: 100ms
      rto-max: 400ms
      hb-interval: 500ms
features:
  aaa: {provider: builtin}
control:
  socket: $T/ar$1.sock
log:
  level: debug
  target: stderr
EOF
}
conf 1 2
conf 2 1
# conf_udp N M: the udp pair (mode C) beside them on link A, arN and arM
# at 192.0.2.N and 192.0.2.M.
conf_udp() {
	cat >"$T/ar$1.yaml" <<EOF
router:
  id: ar$1
  addresses: [192.0.2.$1]
mn:
  transport: udp
  listen: [192.0.2.$1]
  udp-port: 5099
token:
  keys-file: $T/keys
peers:
  - name: ar$2
    addresses: [192.0.2.$2]
    transport: udp
    security: ipsec
    access-prefixes: [203.0.113.0/24]
features:
  aaa: {provider: builtin}
control:
  socket: $T/ar$1.sock
log:
  level: info
  target: stderr
EOF
}
conf_udp 11 12
conf_udp 12 11

# start N NS: ctpd for arN in namespace NS; PID in $bgpid.
start() {
	: >"$T/ar$1.log"
	bg "$2" "$T/ar$1.log" "$CTPD" -d -f "$T/ar$1.yaml"
	wait_for "$T/ar$1.log" "started: router" 15
}
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_pid "$1" 10 >/dev/null
}
# peers N: `ctpctl -j show peers` of arN into $T/out.
peers() {
	timeout 5 "$CTPCTL" -s "$T/ar$1.sock" -j show peers >"$T/out" 2>&1
}
# until_peers N SECONDS STRING: until show peers of arN contains STRING.
until_peers() {
	now_s
	_e=$((_now + $2))
	while :; do
		peers "$1"
		grep -Fq -- "$3" "$T/out" && return 0
		now_s
		[ "$_now" -lt $_e ] || return 1
		sleep 0.2
	done
}
# jnum NAME: the first integer member NAME in $T/out.
jnum() {
	sed -n "/\"$1\": [0-9]/{s/.*\"$1\": \([0-9]*\).*/\1/p;q}" "$T/out"
}

# ------------------------------------------------------------ covered
now_s
echo "# topology and SAs: $((_now - t_start)) s"
start 1 a && p1=$bgpid && start 2 b && p2=$bgpid ||
    { nok "ctpd start" "$T/ar1.log" "$T/ar2.log"; finish; }
if until_peers 1 10 '"state": "UP"' && grep -Fq '"ipsec": "ok"' "$T/out" &&
    grep -Fq '"initiator": "local"' "$T/out"
then ok "sctp + ipsec: ar1's peer is UP, ipsec ok, ar1 (lower) connected"
else nok "sctp + ipsec: ar1's peer UP, ipsec ok, initiator local" "$T/out" \
    "$T/ar1.log"; fi
if grep -q "peer ar2: ESP policies and SAs cover 4 address pair(s)" \
    "$T/ar1.log"
then ok "the preflight covered all 4 address pairs"
else nok "the preflight covered all 4 address pairs" "$T/ar1.log"; fi
if until_peers 2 5 '"state": "UP"' && grep -Fq '"initiator": "peer"' \
    "$T/out" && [ "$(jnum connects)" = 0 ]
then ok "ar2 accepted the association and never connected"
else nok "ar2 accepted the association and never connected" "$T/out" \
    "$T/ar2.log"; fi
peers 1
if [ "$(grep -c '"path_state"' "$T/out")" = 2 ] &&
    grep -Fq '"messages": {' "$T/out" && ! grep -Fq '"alpn"' "$T/out"
then ok "one association, both links as paths, no TLS"
else nok "one association, both links as paths, no TLS" "$T/out"; fi

# ------------------------------------------------------------ handovers
# Every process costs 40-250 ms in the guest (KERNEL-LAB §4): the loops
# below run builtins, one ctp-mn per handover, and one awk to count.
CDB_N=$(tr -d '\n' <"$top_srcdir/tests/data/feature-aaa.json")
CDB_R=$(echo "$CDB_N" | sed 's/"r": false/"r": true/')
# put_all FROM TO [R]: contexts of MNs 203.0.113.FROM..TO put at arR
# (ar1) over one control connection: odd MNs reliable (R), even ones not.
put_all() {
	_i=$1
	while [ $_i -le $2 ]; do
		if [ $((_i % 2)) = 1 ]; then _c=$CDB_R; else _c=$CDB_N; fi
		printf '{"command": "context put", "context": {"mn": "203.0.113.%d", "cdbs": [%s]}}\n' \
		    $_i "$_c"
		_i=$((_i + 1))
	done >"$T/put.in"
	timeout 30 "$CTPCTL" -s "$T/ar${3:-1}.sock" raw <"$T/put.in" \
	    >"$T/put.out" 2>&1
	[ "$(grep -c '"status": *"ok"' "$T/put.out")" = $(($2 - $1 + 1)) ]
}
# handovers FROM TO: reactive handovers of those MNs to ar2 from ar2's
# namespace, PAR ctp-mn at once, each handing over its share of the MNs in
# turn (--count); their output in $T/mn.*.  ctp-mn gives up by itself (-w).
handovers() {
	now_s
	_t=$_now
	_n=$(($2 - $1 + 1))
	_k=$(((_n + PAR - 1) / PAR))
	_i=$1
	: >"$T/ho.sh"
	while [ $_i -le $2 ]; do
		[ $((_i + _k - 1)) -le $2 ] || _k=$(($2 - _i + 1))
		echo "'$CTPMN' -A -w 20s --count $_k -k $MNKEY" \
		    "-m 203.0.113.$_i -r 192.0.2.1 -u 5099 192.0.2.2" \
		    ">'$T/mn.$_i' 2>&1 &" >>"$T/ho.sh"
		_i=$((_i + _k))
	done
	echo wait >>"$T/ho.sh"
	nsx b timeout 120 sh "$T/ho.sh"
	now_s
	echo "# handovers $1..$2: $((_now - _t)) s"
}
# outcome FROM TO: of the R contexts (odd MNs) how many were delivered,
# reported failed (in the MN's CTAA, or in ar1's log) or lost, and how
# many non-R handovers completed, in $del $rep $lost $nonr; completion
# times (ms) in $T/times.
outcome() {
	: >"$T/times"
	# shellcheck disable=SC2046
	set -- $(awk -v from="$1" -v to="$2" -v times="$T/times" '
	    FILENAME ~ /ar1\.log$/ {
		if (match($0, /xfer 203\.0\.113\.[0-9]+: reliable contexts not/)) {
			s = substr($0, RSTART + 5, RLENGTH - 5)
			sub(/:.*/, "", s)
			sub(/.*\./, "", s)
			logged[s + 0] = 1
		}
		next
	    }
	    /^CTAA for mn 203\.0\.113\.[0-9]+:/ {
		mn = $4
		sub(/:$/, "", mn)
		sub(/.*\./, "", mn)
		mn += 0
		if (/every context transferred/)
			ok[mn] = 1
		if (mn >= from + 0 && mn <= to + 0 &&
		    match($0, /\(try [0-9]+, [0-9]+ ms/)) {
			s = substr($0, RSTART, RLENGTH)
			sub(/ ms$/, "", s)
			sub(/.*, /, "", s)
			print s > times
		}
		next
	    }
	    /^  fpt 0xff01 .*status/ { failed[mn] = 1 }
	    END {
		for (i = from; i <= to; i++) {
			if (i % 2 == 0) { if (ok[i]) nonr++; continue }
			if (ok[i]) del++
			else if (failed[i] || logged[i]) rep++
			else { lost++; printf "lost: MN 203.0.113.%d\n", i > "/dev/stderr" }
		}
		print del + 0, rep + 0, lost + 0, nonr + 0
	    }' "$T"/mn.* "$T/ar1.log")
	del=$1 rep=$2 lost=$3 nonr=$4
}

# The udp pair, mode C, for the capture.
start 11 a && p11=$bgpid && start 12 b && p12=$bgpid ||
    nok "ctpd start (udp pair)" "$T/ar11.log" "$T/ar12.log"
if until_peers 11 10 '"state": "UP"' && grep -Fq '"ipsec": "ok"' "$T/out"
then ok "udp + ipsec beside it: ar11's peer is UP, ipsec ok"
else nok "udp + ipsec: ar11's peer UP, ipsec ok" "$T/out" "$T/ar11.log"; fi

# Capture on both links at ar1 during 20 handovers over SCTP and 10 over
# UDP.
bg a "$T/tcpdump.err" tcpdump -Z root -U -ni any -w "$T/cap.pcap" \
    'not arp'
tcpid=$bgpid
wait_for "$T/tcpdump.err" "listening on" 10 || nok "tcpdump start" \
    "$T/tcpdump.err"
if put_all 1 20; then ok "contexts of 20 MNs put at ar1 (10 R, 10 non-R)"
else nok "contexts of 20 MNs put at ar1" "$T/put.out"; fi
handovers 1 20
outcome 1 20
if [ $del = 10 ] && [ $nonr = 10 ]; then
	ok "20 handovers over the ESP channel: 10 with R contexts, 10 without"
else
	nok "20 handovers: R delivered $del/10, non-R $nonr/10" "$T/mn.1" \
	    "$T/mn.2" "$T/ar1.log" "$T/ar2.log"
fi
U=$((21 + N))
put_all $U $((U + 9)) 11 || nok "contexts of 10 MNs put at ar11" "$T/put.out"
nsx b "$CTPMN" -A -w 20s --count 10 -k $MNKEY -m 203.0.113.$U \
    -r 192.0.2.11 -u 5099 192.0.2.12 >"$T/udp.mn" 2>&1
n=$(grep -c 'every context transferred' "$T/udp.mn")
if [ "$n" = 10 ]; then ok "10 handovers over the udp + ipsec channel"
else nok "10 handovers over udp + ipsec: $n done" "$T/udp.mn" \
    "$T/ar11.log"; fi
sleep 0.5
kill -INT $tcpid 2>/dev/null
wait_pid $tcpid 5 >/dev/null
esp=$(tcpdump -nr "$T/cap.pcap" esp 2>/dev/null | wc -l)
clear=$(tcpdump -nr "$T/cap.pcap" 'sctp or udp port 5091' 2>/dev/null |
    wc -l)
if [ "$esp" -gt 0 ] && [ "$clear" = 0 ]; then
	ok "capture on the links during the handovers: $esp ESP packets, $clear cleartext SCTP or udp/5091"
else
	nok "capture: $esp ESP packets, $clear cleartext SCTP or udp/5091" \
	    "$T/tcpdump.err"
	tcpdump -nr "$T/cap.pcap" 2>/dev/null | head -n 5
fi
stop "$p11"
stop "$p12"
peers 1
unord=$(jnum unordered_ttl)
rel=$(jnum reliable)
if grep -Fq '"abandoned_sent": ' "$T/out" &&
    grep -Fq '"pr_sctp": true' "$T/out" && [ "${unord:-0}" -ge 10 ] &&
    [ "${rel:-0}" -ge 10 ]; then
	ok "PR-SCTP read back on; ar1 sent $rel reliable CTDs and $unord messages unordered with a PR-SCTP lifetime (abandoned $(jnum abandoned_sent) sent, $(jnum abandoned_unsent) unsent)"
else
	nok "ar1's reliable and unordered counts (${rel:-?}, ${unord:-?})" \
	    "$T/out"
fi
peers 2
if [ "$(jnum unordered_ttl)" -ge 10 ] 2>/dev/null; then
	ok "ar2 sent its $(jnum unordered_ttl) CT-Reqs and CTDRs unordered with a lifetime"
else
	nok "ar2's CT-Reqs and CTDRs unordered" "$T/out"
fi

# ------------------------------------------------------------ netem
# 20 ms and 10 % loss each way on both links.
nm=
for x in a:a0 a:a1 b:b0 b:b1; do
	tc -n "$(ns ${x%%:*})" qdisc add dev ${x#*:} root netem delay 20ms \
	    loss 10% || nm=no
done
[ -z "$nm" ] || nok "netem on the links"
# Fresh MNs 21..20+N (1..20 were handed over above).
L=$((20 + N))
if put_all 21 $L; then ok "contexts of $N more MNs put at ar1"
else nok "contexts of $N more MNs put at ar1" "$T/put.out"; fi
now_s
t0=$_now
handovers 21 $L
now_s
outcome 21 $L
nr=$((N / 2))
if [ $lost = 0 ] && [ $((del + rep)) = $nr ]; then
	ok "netem 20 ms, 10 % loss: $N handovers in $((_now - t0)) s; R contexts of $nr MNs: $del delivered, $rep reported failed, 0 lost; non-R completed $nonr/$((N - nr))"
else
	nok "netem: R contexts: $del delivered, $rep reported failed, $lost lost of $nr" \
	    "$T/ar1.log"
fi
sort -n "$T/times" >"$T/times.s"
cnt=$(wc -l <"$T/times.s")
if [ "$cnt" -gt 0 ]; then
	pick() { sed -n "$1p" "$T/times.s"; }
	echo "# completion times of $cnt handovers (ms): min $(pick 1)" \
	    "median $(pick $(((cnt + 1) / 2)))" \
	    "p95 $(pick $(((cnt * 95 + 99) / 100)))" "max $(pick $cnt)"
fi
peers 1
echo "# ar1 after netem: reliable $(jnum reliable), unordered $(jnum unordered_ttl), abandoned sent $(jnum abandoned_sent), unsent $(jnum abandoned_unsent)"
if grep -Fq '"state": "UP"' "$T/out"; then ok "the channel stayed up"
else nok "the channel stayed up" "$T/out"; fi
for x in a:a0 a:a1 b:b0 b:b1; do
	tc -n "$(ns ${x%%:*})" qdisc del dev ${x#*:} root 2>/dev/null
done
stop "$p1"

now_s
echo "# up to here: $((_now - t_start)) s"
# ------------------------------------------------------------ refused
ip -n "$(ns a)" xfrm policy delete src 198.51.100.1/32 \
    dst 198.51.100.2/32 proto sctp dir out || nok "policy delete"
start 1 a && p1=$bgpid || nok "ctpd restart" "$T/ar1.log"
why="no outbound ESP policy for 198.51.100.1 -> 198.51.100.2 sctp/5091"
if peers 1 && grep -Fq '"state": "DISABLED"' "$T/out" &&
    grep -Fq "\"last_error\": \"$why\"" "$T/out" &&
    grep -Fq "peer ar2: not started: $why" "$T/ar1.log"
then ok "one policy removed: ar1 refuses the peer, naming the pair"
else nok "one policy removed: peer refused, pair named" "$T/out" \
    "$T/ar1.log"; fi
stop "$p1"
stop "$p2"

# ------------------------------------------------------------ no PR-SCTP
# ar2's namespace without PR-SCTP: the association comes up without it,
# and ar1 closes it with a reason to act on.
ip -n "$(ns a)" xfrm policy add src 198.51.100.1/32 dst 198.51.100.2/32 \
    proto sctp dir out tmpl proto esp mode transport ||
    nok "policy restored"
nsx b sysctl -qw net.sctp.prsctp_enable=0 || nok "sysctl prsctp_enable"
start 2 b && p2=$bgpid && start 1 a && p1=$bgpid ||
    nok "ctpd restart" "$T/ar1.log" "$T/ar2.log"
# Both ends check; whichever closes first, the other may see only that.
why="PR-SCTP not negotiated on the association: set net.sctp.prsctp_enable=1"
now_s
_e=$((_now + 10))
while ! grep -Fq "$why" "$T/ar1.log" "$T/ar2.log" && [ "$_now" -lt $_e ]; do
	sleep 0.2
	now_s
done
peers 1
if grep -Fq "$why" "$T/ar1.log" "$T/ar2.log" &&
    ! grep -Fq '"state": "UP"' "$T/out"
then ok "no PR-SCTP at ar2: no channel, the reason names net.sctp.prsctp_enable"
else nok "no PR-SCTP at ar2: no channel, reason given" "$T/out" \
    "$T/ar1.log" "$T/ar2.log"; fi
stop "$p1"
stop "$p2"
for f in "$T/ar1.log" "$T/ar2.log"; do
	if grep -Eq "ERROR: (Address|Leak|Undefined)|runtime error" "$f"; then
		nok "sanitizer report in $(basename "$f")" "$f"
	fi
done
finish
