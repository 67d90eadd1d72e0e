#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The IPsec preflight on a kernel with ESP (spec §8.4; FIELD-LESSONS G1, G5):
# the xfrm unit tests with their SA cases, then two ctpd with a udp +
# ipsec channel between two namespaces: covered pairs start the peer (ipsec
# "ok") and a handover crosses the channel in ESP, replay window 0 warns, an SA with a 2 s hard lifetime makes the peer
# degraded and a new SA clears it, a missing inbound policy keeps the peer
# from starting and names the pair.
# Run by tests/lab/run-all.sh inside the lab (tests/lab/run).
# lab-timeout: 150
. "$(dirname "$0")/lib.sh"
lab_setup lab_xfrm

CTPD=$top_builddir/ctpd/ctpd
CTPCTL=$top_builddir/ctpctl/ctpctl
UNIT=$top_builddir/tests/unit/test_xfrm
CTPMN=$top_builddir/tools/ctp-mn
MNKEY=000102030405060708090a0b0c0d0e0f
[ -x "$CTPD" ] && [ -x "$CTPCTL" ] || skip_all "ctpd, ctpctl not built"
case " ${LAB_MODULES_MISSING:-} " in
*" xfrm_user "*|*" esp4 "*) skip_all "no xfrm_user/esp4 in this kernel" ;;
esac

# ------------------------------------------------------------ unit tests
if [ -x "$UNIT" ]; then
	if XFRM_NEED_ESP=1 "$UNIT" >"$T/unit.log" 2>&1; then
		ok "test_xfrm with ESP: $(grep -o 'Checks: [0-9]*' \
		    "$T/unit.log")"
	else
		nok "test_xfrm with ESP" "$T/unit.log"
	fi
else
	skip_one "test_xfrm with ESP" "not built (make check builds it)"
fi

# ------------------------------------------------------------ topology
#  a (ar1) --a0== 192.0.2.0/24 ==b0-- b (ar2)
lab_ns a b || { nok "namespaces"; finish; }
ip -b - <<EOF || { nok "veth"; finish; }
link add a0 netns $(ns a) type veth peer name b0 netns $(ns b)
EOF
ip -n "$(ns a)" -b - <<EOF && ip -n "$(ns b)" -b - <<EOF2 ||
addr add 192.0.2.1/24 dev a0
link set a0 up
EOF
addr add 192.0.2.2/24 dev b0
link set b0 up
EOF2
	{ nok "addresses"; finish; }

ALG="enc cbc(aes) 0x000102030405060708090a0b0c0d0e0f auth-trunc hmac(sha256) 0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f 128"
# xfrm_sa NS WINDOW [LIMITS]: both SAs in namespace NS.
xfrm_sa() {
	ip -n "$(ns $1)" -b - <<EOF
xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1001 reqid 1 mode transport replay-window $2 $ALG ${3:-}
xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi 0x1002 reqid 1 mode transport replay-window $2 $ALG ${3:-}
EOF
}
# xfrm_pol NS LOCAL REMOTE: udp policies both ways.
xfrm_pol() {
	ip -n "$(ns $1)" -b - <<EOF
xfrm policy add src $2/32 dst $3/32 proto udp dir out tmpl proto esp mode transport reqid 1
xfrm policy add src $3/32 dst $2/32 proto udp dir in tmpl proto esp mode transport reqid 1
EOF
}
xfrm_pol a 192.0.2.1 192.0.2.2 && xfrm_pol b 192.0.2.2 192.0.2.1 &&
    xfrm_sa a 32 && xfrm_sa b 0 || { nok "ip xfrm setup"; finish; }

printf '203.0.113.10 %s\n' $MNKEY >"$T/keys"
chmod 600 "$T/keys"
# conf N M: router arN, its peer arM, both on 192.0.2.0/24.
conf() {
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
conf 1 2
conf 2 1

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

# ------------------------------------------------------------ covered
start 1 a && p1=$bgpid && start 2 b && p2=$bgpid ||
    { nok "ctpd start" "$T/ar1.log" "$T/ar2.log"; finish; }
if until_peers 1 5 '"state": "UP"' && grep -Fq '"ipsec": "ok"' "$T/out"
then ok "covered pair: ar1's peer is UP, ipsec ok"
else nok "covered pair: ar1's peer is UP, ipsec ok" "$T/out" "$T/ar1.log"
fi
if until_peers 2 5 '"state": "UP"'; then ok "ar2's peer is UP"
else nok "ar2's peer is UP" "$T/out" "$T/ar2.log"; fi
if grep -q "peer ar1: inbound ESP SA 0x00001001 for 192.0.2.1 -> 192.0.2.2 udp/5091 has replay window 0" "$T/ar2.log" &&
    ! grep -q "replay window 0" "$T/ar1.log"
then ok "replay window 0 warned (ar2 only)"
else nok "replay window 0 warned (ar2 only)" "$T/ar2.log" "$T/ar1.log"; fi

# ------------------------------------------------------------ handover
# sa_packets SPI: packets through the SA of that SPI, from `ip -s xfrm
# state` in $T/sa ("lifetime current:" then "N(bytes), N(packets)").
sa_packets() {
	awk -v spi="spi $1" 'index($0, spi) { f = 1 }
	    f && /lifetime current:/ { g = 1; next }
	    g { sub(/.*, /, ""); sub(/\(packets\).*/, ""); print; exit }' \
	    "$T/sa"
}
# Reactive: contexts put at ar1, the MN's CTAR at ar2 names ar1; CT-Req and
# CTD cross the channel under ESP.
M=203.0.113.10
printf '{"mn": "%s", "cdbs": [%s]}\n' $M \
    "$(cat "$top_srcdir/tests/data/feature-aaa.json")" >"$T/put.json"
timeout 5 "$CTPCTL" -s "$T/ar1.sock" context put "$T/put.json" \
    >"$T/put.out" 2>&1 || nok "context put at ar1" "$T/put.out"
if [ -x "$CTPMN" ]; then
	nsx b timeout 20 "$CTPMN" -A -k "$MNKEY" -m $M -r 192.0.2.1 -u 5099 \
	    192.0.2.2 >"$T/mn.out" 2>&1
	if grep -Fq 'every context transferred' "$T/mn.out"; then
		ok "handover over the ESP channel: every context transferred"
	else
		nok "handover over the ESP channel" "$T/mn.out" "$T/ar1.log" \
		    "$T/ar2.log"
	fi
	# ar1 received the CT-Req through SA 0x1002 and sent the CTD
	# through 0x1001.
	ip -n "$(ns a)" -s xfrm state >"$T/sa"
	n_in=$(sa_packets 0x00001002)
	n_out=$(sa_packets 0x00001001)
	if [ "${n_in:-0}" -gt 0 ] && [ "${n_out:-0}" -gt 0 ]; then
		ok "ESP packets at ar1: $n_in in, $n_out out"
	else
		nok "ESP packets at ar1 (in ${n_in:-?}, out ${n_out:-?})" \
		    "$T/sa"
	fi
else
	skip_one "handover over the ESP channel" "$CTPMN not built"
fi

# ------------------------------------------------------------ expiry
# ar1's SAs replaced by ones with a 2 s hard lifetime.
ip -n "$(ns a)" xfrm state flush && xfrm_sa a 32 "limit time-hard 2" ||
    nok "short-lived SAs"
if until_peers 1 8 '"ipsec": "degraded: SA 0x0000100'; then
	ok "hard expiry: $(grep -o '"ipsec": "[^"]*"' "$T/out" | head -c 150)"
else
	nok "hard expiry makes the peer degraded" "$T/out" "$T/ar1.log"
fi
if grep -q "peer ar2: IPsec degraded: SA" "$T/ar1.log"; then
	ok "degraded logged"
else
	nok "degraded logged" "$T/ar1.log"
fi
xfrm_sa a 32 || nok "new SAs"
if until_peers 1 5 '"ipsec": "ok"'; then ok "new SAs: ipsec ok again"
else nok "new SAs: ipsec ok again" "$T/out" "$T/ar1.log"; fi
stop "$p1"

# ------------------------------------------------------------ refused
ip -n "$(ns a)" xfrm policy delete src 192.0.2.2/32 dst 192.0.2.1/32 \
    proto udp dir in || nok "policy delete"
start 1 a && p1=$bgpid || nok "ctpd restart" "$T/ar1.log"
why="no inbound ESP policy for 192.0.2.2 -> 192.0.2.1 udp/5091"
if peers 1 && grep -Fq '"state": "DISABLED"' "$T/out" &&
    grep -Fq "\"last_error\": \"$why\"" "$T/out" &&
    grep -Fq "peer ar2: not started: $why" "$T/ar1.log"
then ok "missing inbound policy: peer not started, pair named"
else nok "missing inbound policy: peer not started, pair named" \
    "$T/out" "$T/ar1.log"; fi
stop "$p1"
stop "$p2"
for f in "$T/ar1.log" "$T/ar2.log"; do
	if grep -Eq "ERROR: (Address|Leak|Undefined)|runtime error" "$f"; then
		nok "sanitizer report in $(basename "$f")" "$f"
	fi
done
finish
