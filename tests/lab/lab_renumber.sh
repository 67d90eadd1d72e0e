#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Renumbering a router at run time (issue 5 §3, FIELD-LESSONS C1-C3), on a
# kernel with SCTP:  tests/lab/run-all.sh build tests/lab/lab_renumber.sh
# Two routers over TLS on SCTP, no bridge.  ar1 is configured with 192.0.2.1,
# 198.51.100.21 and 2001:db8::21; only the first is on the host at start.
# While predictive handovers with R contexts run: 198.51.100.21 is added
# (ASCONF ADD-IP behind AUTH, ar2 gains the path), 2001:db8::21 is added
# without nodad (ctpd waits for DAD, then ADD-IP, no error), and
# 192.0.2.1, the address the association was opened on, is deleted (Set
# Primary, then DELETE-IP: the channel stays up without a new handshake,
# ar2's primary moves, every handover delivered).  A python3 peer without
# ASCONF (ar3) is reported at set-up as "renumbering unavailable" and left
# alone, without an error, when the address comes.  Prints a timeline.
# lab-timeout: 200
. "$(dirname "$0")/../integration/lib.sh"

[ -d /proc/sys/net/sctp ] ||
    skip_all "no SCTP in this kernel (run it with tests/lab/run)"
need_root
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
setup renumber
D=$top_srcdir/tests/data
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
LOGLEVEL=debug
TIMERS="  max-transfer: 2s
  max-handover: 30s
  liveness-interval: 500ms
  liveness-timeout: 4s
  reconnect-min: 50ms
  reconnect-max: 500ms"
V4=198.51.100.21	# added at run time
V6=2001:db8::21		# added at run time, with DAD
OLD=192.0.2.1		# deleted at run time

# peer_yaml N M (replaces lib.sh's): ar1 sees ar2 at its two addresses;
# ar2 sees ar1 at the one it starts with and the IPv6 one to come (so that
# both sockets take IPv6).
peer_yaml() {
	case $2 in
	1)	a="$OLD, $V6" ;;
	2)	a="192.0.2.2, 2001:db8::2" ;;
	3)	a="192.0.2.3" ;;	# the python3 peer without ASCONF
	esac
	cat <<EOF
  - name: ar$2
    addresses: [$a]
    transport: sctp
    security: tls
    identity: ar$2.test
    access-prefixes: [203.0.113.$((64 * ($2 - 1)))/26, 2001:db8:$2::/48]
    sctp:
      rto-initial: 200ms
      rto-min: 100ms
      rto-max: 400ms
      hb-interval: 500ms
EOF
}

# pj N: router N's `show peers -j` without blanks, one peer object a line,
# in $T/pj.N (no python: each process costs in a guest).
pj() {
	ctl "$1" -j show peers
	norm "$T/out" | sed 's/},{"name":/}\n{"name":/g' >"$T/pj.$1"
}
# ph N PEER TEXT: PEER's object at router N holds TEXT.
ph() { grep -F "\"name\":\"$2\"" "$T/pj.$1" | grep -Fq -e "$3"; }
# pn N PEER KEY: the number KEY in PEER's object (the first one).
pn() {
	grep -F "\"name\":\"$2\"" "$T/pj.$1" | grep -o "\"$3\":[0-9-]*" |
	    head -n 1 | sed 's/.*://'
}
pnis() { [ "$(pn "$1" "$2" "$3")" = "$4" ]; }
# ps N PEER KEY: the string KEY in PEER's object (the first one).
ps() {
	grep -F "\"name\":\"$2\"" "$T/pj.$1" |
	    grep -o "\"$3\":\"[^\"]*\"" | head -n 1 | sed 's/.*:"//; s/"$//'
}
# path2 ADDR: ADDR is a path of ar2's association with ar1 (in $T/pj.2).
path2() { ph 2 ar1 "\"address\":\"$1\""; }
# now: seconds since the epoch, as tcpdump -tt prints them.
now() { date +%s.%N | cut -c1-14; }
# up: seconds since the guest booted (no process started).
up() { read -r _u _ </proc/uptime; echo "${_u%.*}"; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, bounded in time.
wait_for() {
	_end=$(($(up) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(up)" -lt $_end ] || return 1
		sleep 0.1
	done
}
# at WHAT: a progress line with the guest time.
at() { echo "# $(up) s: $*"; }
log_since() { tail -n "+$(($2 + 1))" "$T/ar$1/log"; }
hs() {
	ctl "$1" -j show status
	json_num "$T/out" handshakes
}
# path_seen ADDR: ar2 has ADDR as a path (to ar1, its only peer); the
# time in $T/seen.  Cheap: no python in the loop.
path_at2() {
	ctl 2 -j show peers
	norm "$T/out" | grep -Fq "\"address\":\"$1\""
}
path_seen() { path_at2 "$1" && now >"$T/seen"; }
path_gone() { ! path_at2 "$1" && now >"$T/seen"; }
# eps1 ADDR: ar1's SCTP listener (port 5091) is bound to ADDR.
eps1() {
	nsx ar1 cat /proc/net/sctp/eps | awk -v a="$1" '$6 == 5091 {
	    for (i = 9; i <= NF; i++) if ($i == a) f = 1 } END { exit !f }'
}
# first ASCONF (chunk 0xc1, "REL CTRL" to tcpdump 4.99) in the capture at
# or after time T0 (seconds since the epoch).
asconf_after() {
	awk -v t="$1" '
	    $1 >= t && /\[(REL CTRL|ASCONF)\]/ { print $1; exit }' "$T/td.txt"
}
# ms FROM TO: milliseconds between two such times.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

# topology: ar1 and ar2 on a core link (192.0.2.0/24, 198.51.100.0/24,
# 2001:db8::/64), the MN on an access link to each (203.0.113.0/26 at ar1,
# 203.0.113.64/26 at ar2), where their MN listeners answer.  Batched: each
# process costs in a guest.
topology() {
	for n in ar1 ar2 mn; do _nslist="$_nslist $(ns $n)"; done
	ip -b - <<EOF || return 1
netns add $(ns ar1)
netns add $(ns ar2)
netns add $(ns mn)
link add eth0 netns $(ns ar1) type veth peer name eth0 netns $(ns ar2)
link add acc netns $(ns ar1) type veth peer name wl0 netns $(ns mn)
link add acc netns $(ns ar2) type veth peer name wl1 netns $(ns mn)
EOF
	ip -n "$(ns ar1)" -b - <<EOF || return 1
link set lo up
addr add $OLD/24 dev eth0
link set eth0 up
addr add 203.0.113.1/26 dev acc
link set acc up
EOF
	ip -n "$(ns ar2)" -b - <<EOF || return 1
link set lo up
addr add 192.0.2.2/24 dev eth0
addr add 198.51.100.2/24 dev eth0
addr add 192.0.2.3/24 dev eth0
addr add 2001:db8::2/64 dev eth0 nodad
link set eth0 up
addr add 203.0.113.65/26 dev acc
link set acc up
EOF
	ip -n "$(ns mn)" -b - <<EOF || return 1
link set lo up
addr add 203.0.113.10/26 dev wl0
addr add 203.0.113.74/26 dev wl1
link set wl0 up
link set wl1 up
EOF
}

# fake_peer: a TLS-over-SCTP peer in python3 as ar3 (its certificate),
# from 192.0.2.3 port 40000 in ar2's namespace, to ar1, without ASCONF
# (the namespace's default); it confirms the channel and answers echoes
# for 120 s at most.  PID in FAKE.  (As in lab_sctp_channel.sh.)
fake_peer() {
	cat >"$T/fake.py" <<'EOF'
import socket, ssl, sys, time
crt, key, ca = sys.argv[1:4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(crt, key)
ctx.load_verify_locations(ca)
ctx.set_alpn_protocols(["ctpd/1"])
end = time.time() + 120
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(132, 3, 1)			# SCTP_NODELAY
        s.bind(("192.0.2.3", 40000))
        s.settimeout(5)
        s.connect(("192.0.2.1", 5091))
        t = ctx.wrap_socket(s, server_hostname="ar1.test")
        t.sendall(bytes([0x3f, 0, 0, 8, 1, 2, 3, 4]))
        print("up", flush=True)
        b = b""
        while time.time() < end:
            d = t.recv(4096)
            if not d:
                raise OSError("closed by ar1")
            b += d
            while len(b) >= 8 and len(b) >= (b[2] << 8 | b[3]):
                n = b[2] << 8 | b[3]
                f, b = b[:n], b[n:]
                if f[0] == 0x3f and n == 8 and not f[1] & 0x40:
                    t.sendall(bytes([0x3f, 0x40, 0, 8]) + f[4:8])
    except (OSError, ssl.SSLError) as e:
        print("down:", e, flush=True)
        s.close()
        time.sleep(0.3)
EOF
	(exec ip netns exec "$(ns ar2)" $PY "$T/fake.py" "$T/pki/ar3.crt" \
	    "$T/pki/ar3.key" "$T/pki/ca.crt" >>"$T/fake.out" 2>&1) &
	FAKE=$!
	_pids="$_pids $FAKE"
}

# ho MN: one predictive handover of MN from ar1 to ar2 with R contexts
# (aaa is reliable); 0 if the contexts installed at ar2 equal those put
# at ar1.  Runs in the background: its own files under $T (see below).
ho() {
	put_ctx 1 "$1" "$D/feature-aaa.json" "$D/feature-qos-v4.json" \
	    "$D/feature-rohc.json"
	[ "$rc" = 0 ] || { echo "put at ar1 failed"; return 1; }
	mn -A -s 0x10203040 -k $MNKEY -m "$1" -r 192.0.2.2 203.0.113.1
	grep -Fq 'every context transferred' "$T/mn.out" ||
	    { echo "CTAA from ar1:"; cat "$T/mn.out" "$T/mn.err"; return 1; }
	wait_state 2 "$1" HELD || { echo "not HELD at ar2"; return 1; }
	mn -A -s 0x10203040 -k $MNKEY -m "$1" -r $OLD 203.0.113.65
	grep -Fq 'every context transferred' "$T/mn.out" ||
	    { echo "CTAA from ar2:"; cat "$T/mn.out" "$T/mn.err"; return 1; }
	wait_state 2 "$1" ACTIVE || { echo "not ACTIVE at ar2"; return 1; }
	got_ctx 2 "$1" installed
	[ -s "$T/got.$1" ] && cmp -s "$T/want.$1" "$T/got.$1" ||
	    { echo "contexts differ"; return 1; }
}

# ------------------------------------------------------------ set-up

at "set-up"
topology >"$T/topo.log" 2>&1 ||
    { nok "ar1, ar2 and the MN in namespaces" "$T/topo.log"; finish; }
make_certs || { nok "throw-away CA and router certificates"; finish; }
at "routers start"
write_conf 1 2 3
write_conf 2 1
sed -i "s|^  addresses: \[192.0.2.1, 2001:db8::1\]|  addresses: \
[$OLD, $V4, $V6]|" "$T/ar1/ctpd.yaml"
sed -i 's/^  listen: \[198\.51\.100\.1, .*\]/  listen: [203.0.113.1]/' \
    "$T/ar1/ctpd.yaml"
sed -i 's/^  listen: \[198\.51\.100\.2, .*\]/  listen: [203.0.113.65]/' \
    "$T/ar2/ctpd.yaml"
for n in 20 21 22 23 24 25 26 27 28 29; do
	echo "203.0.113.$n $MNKEY" >>"$T/ar1/mn-keys"
done
if grep -q "$V4, $V6" "$T/ar1/ctpd.yaml" &&
    "$CTPD" -n -f "$T/ar1/ctpd.yaml" >"$T/n.1" 2>&1 &&
    grep -q 'configuration OK' "$T/n.1"; then
	ok "ctpd -n accepts ar1's addresses $OLD, $V4, $V6"
else
	nok "ctpd -n accepts ar1's addresses $OLD, $V4, $V6" "$T/n.1"
fi
for i in 1 2; do
	start_ar $i || { nok "ar$i starts" "$T/ar$i/log"; finish; }
done
if wait_up 1 ar2 300 && wait_up 2 ar1 300; then
	ok "channel ar1-ar2 up over SCTP with two of ar1's addresses missing"
else
	nok "channel ar1-ar2 up over SCTP with two of ar1's addresses missing" \
	    "$T/ar1/log"
	finish
fi
check "ar1 names the missing addresses and listens on $OLD" grep -q \
    "router address(es) $V4, $V6 not on this host or still tentative: \
listening on $OLD port 5091; they are added when they appear" "$T/ar1/log"
at "channel up"
sleep 1		# the tie-break may close a second association
pj 1
pj 2
check "at start: ar2's only path to ar1 is $OLD, ASCONF and AUTH on" eval \
    "path2 $OLD && ! path2 $V4 && ! path2 $V6 &&
    ph 1 ar2 '\"asconf\":true' && ph 1 ar2 '\"auth\":true'"
fake_peer
if wait_up 1 ar3 300; then
	ok "a peer without ASCONF (python3, as ar3) is up at ar1"
else
	nok "a peer without ASCONF (python3, as ar3) is up at ar1" \
	    "$T/fake.out"
fi
check "at set-up ar1 reports renumbering unavailable for ar3" grep -q \
    "peer ar3: sctp: renumbering unavailable: .*net.sctp.addip_enable=1" \
    "$T/ar1/log"
H1=$(hs 1)
H2=$(hs 2)
RC1=$(pn 1 ar2 reconnects)

at "capture and handovers start"
cap=$T/ar2.pcap
ip netns exec "$(ns ar2)" tcpdump -Z root -U -ni eth0 -w "$cap" sctp \
    >"$T/td.err" 2>&1 &
tdpid=$!
_pids="$_pids $tdpid"
wait_for 15 grep -q 'listening on' "$T/td.err" ||
    nok "tcpdump at ar2 starts" "$T/td.err"

# Handovers in the background, one after another (at most 10), until one
# ends after the time written to $T/stop: in a directory of their own, as
# lib.sh's helpers write their output under $T; ctpctl reaches the routers
# through links.  Each: "START END MN ok|FAILED" in $T/bg/results.
mkdir "$T/bg"
ln -s "$T/ar1" "$T/bg/ar1"
ln -s "$T/ar2" "$T/bg/ar2"
(
	T=$T/bg
	n=20 e=0
	while [ $n -lt 30 ]; do
		[ -s "$T/../stop" ] && awk -v e="$e" -v s="$(cat "$T/../stop")" \
		    'BEGIN { exit !(e > s) }' && break
		t0=$(now)
		r=ok
		ho 203.0.113.$n >"$T/ho.$n" 2>&1 || r=FAILED
		e=$(now)
		echo "$t0 $e 203.0.113.$n $r" >>"$T/results"
		n=$((n + 1))
	done
) &
bgpid=$!
_pids="$_pids $bgpid"
wait_for 30 test -e "$T/bg/ho.20"	# the first one under way

# ------------------------------------------------------------ IPv4 added

at "add $V4"
L=$(wc -l <"$T/ar1/log")
t1=$(now)
ip -n "$(ns ar1)" addr add $V4/24 dev eth0
if wait_for 20 path_seen $V4; then
	s1=$(cat "$T/seen")
	ok "$V4 added: ar2's show peers gains the path"
else
	s1=
	nok "$V4 added: ar2's show peers gains the path" "$T/out"
fi
log_since 1 "$L" >"$T/log.v4"
if grep -q "sctp: router address $V4 usable: ASCONF ADD-IP to ar2\$" \
    "$T/log.v4"; then
	ok "$V4 added: ar1 logs the ADD-IP to ar2"
else
	grep -v '^xfer\|^control' "$T/log.v4" >"$T/why"
	nok "$V4 added: ar1 logs the ADD-IP to ar2" "$T/why"
fi
check "$V4 added: ar1's SCTP listener is bound to it" eps1 $V4
pj 1
if grep -q "peer ar3: sctp: router address $V4: renumbering unavailable \
(no ADDIP on this association (ASCONF no, AUTH no)), the association is \
left as it is" "$T/log.v4" &&
    ! grep -q "peer ar3: .*sctp_bindx\|peer ar3: .*SET_PEER" "$T/log.v4" &&
    pnis 1 ar3 addr_added 0 && pnis 1 ar3 asconf_failed 0; then
	ok "$V4 added: ar3 without ASCONF left alone (one verbose line, no \
error, nothing counted)"
else
	grep 'ar3' "$T/log.v4" >"$T/why"
	nok "$V4 added: ar3 without ASCONF left alone" "$T/why"
fi

# ------------------------------------------------------------ IPv6 added

at "add $V6"
L=$(wc -l <"$T/ar1/log")
t2=$(now)
ip -n "$(ns ar1)" addr add $V6/64 dev eth0	# no nodad: DAD runs
if wait_for 25 path_seen $V6; then
	s2=$(cat "$T/seen")
	ok "$V6 added with DAD: ar2's show peers gains the path"
else
	s2=
	nok "$V6 added with DAD: ar2's show peers gains the path" "$T/out"
fi
log_since 1 "$L" >"$T/log.v6"
if grep -q "router address $V6 is tentative (duplicate address detection)\
: waiting until it is usable" "$T/log.v6" &&
    sed -n '/is tentative/,$p' "$T/log.v6" |
    grep -q "sctp: router address $V6 usable: ASCONF ADD-IP to ar2\$"; then
	ok "$V6: ar1 waits for DAD (logged), then sends ADD-IP to ar2"
else
	nok "$V6: ar1 waits for DAD (logged), then sends ADD-IP to ar2" \
	    "$T/log.v6"
fi
if grep -Eiq 'Cannot assign|EADDRNOTAVAIL|not added|sctp_bindx|refused' "$T/log.v6"; then
	nok "$V6: no error logged while it was tentative" "$T/log.v6"
else
	ok "$V6: no error logged while it was tentative"
fi

# ------------------------------------------------------------ deleted

# The address goes, the link stays: a route to ar2's subnet remains.
kill "$FAKE" 2>/dev/null	# its only path is about to go
at "delete $OLD"
L=$(wc -l <"$T/ar1/log")
ip -n "$(ns ar1)" route add 192.0.2.0/24 dev eth0 metric 100
t3=$(now)
ip -n "$(ns ar1)" addr del $OLD/24 dev eth0
echo "$t3" >"$T/stop"
if wait_for 20 path_gone $OLD; then
	s3=$(cat "$T/seen")
	ok "$OLD deleted: ar2's show peers drops the path"
else
	s3=
	nok "$OLD deleted: ar2's show peers drops the path" "$T/out"
fi
check "$OLD deleted: ar1 asks ar2 to use $V4 first, then DELETE-IP" eval \
    "log_since 1 $L | grep -q 'sctp: router address $OLD gone: Set \
Primary for ar2 to $V4, then ASCONF DELETE-IP to ar2\$'"
wait_for 10 eval 'pj 2; [ "$(ps 2 ar1 primary)" = $V4 ]'
p2=$(ps 2 ar1 primary)
check "$OLD deleted: ar2's primary for ar1 moved to $V4 (is ${p2:-none})" \
    [ "$p2" = $V4 ]
# the handover under way at the deletion (or the next one) ends the loop
wait_for 60 eval '! kill -0 $bgpid 2>/dev/null'
at "handovers done"
pj 1
pj 2
check "$OLD deleted: channel up at both ends, no new handshake, no \
reconnect" eval "[ \"\$(ps 1 ar2 state)\" = UP ] &&
    [ \"\$(ps 2 ar1 state)\" = UP ] &&
    [ \"\$(hs 1)\" = '$H1' ] && [ \"\$(hs 2)\" = '$H2' ] &&
    pnis 1 ar2 reconnects '$RC1'"
[ "$(ps 1 ar2 state)" = UP ] ||
    grep -E 'channel (up|down)|sctp: router' "$T/ar1/log" | tail -n 8
N=$(wc -l <"$T/bg/results")
G=$(grep -c ' ok$' "$T/bg/results")
A=$(awk -v t="$t3" '$2 > t' "$T/bg/results" | wc -l)
if [ "$N" -ge 2 ] && [ "$G" = "$N" ] && [ "$A" -ge 1 ]; then
	ok "handovers with R contexts during the changes: $G of $N delivered \
($A under way at the deletion or after)"
else
	cat "$T/bg/results" "$T"/bg/ho.* >"$T/why" 2>/dev/null
	nok "handovers with R contexts during the changes: $G of $N delivered \
($A under way at the deletion or after)" "$T/why"
fi
check "ar1 counts 2 addresses added, 1 removed, 0 ASCONF failures" eval \
    "pnis 1 ar2 addr_added 2 && pnis 1 ar2 addr_removed 1 &&
    pnis 1 ar2 asconf_failed 0"
ctl 1 -j show stats
check "show stats at ar1: the totals (addr_added 2, addr_removed 1)" eval \
    '[ "$(jsec "$T/out" peers addr_added)" = 2 ] &&
    [ "$(jsec "$T/out" peers addr_removed)" = 1 ] &&
    [ "$(jsec "$T/out" rtnetlink bad_messages)" = 0 ]'

# ------------------------------------------------------------ the wire

sleep 0.3
kill "$tdpid" 2>/dev/null
wait "$tdpid" 2>/dev/null
tcpdump -tt -nr "$cap" >"$T/td.txt" 2>&1
au='\[(Unknown chunk type: 0xf|AUTH)\] , \(2\) '
na=$(grep -Ec '\[(REL CTRL|ASCONF)\]' "$T/td.txt")
aa=$(grep -Ec "$au\\[(REL CTRL|ASCONF)\\]" "$T/td.txt")
na1=$(grep -E '\[(REL CTRL|ASCONF)\]' "$T/td.txt" |
    grep -Ec "^[^ ]+ IP6? ($OLD|$V4|[0-9a-f:]*::21)\.")
# ADD-IP, ADD-IP, Set Primary, DELETE-IP: one ASCONF each (one outstanding)
if [ "$na1" -ge 4 ] && [ "$na" -ge 4 ] && [ "$aa" = "$na" ]; then
	ok "capture at ar2: $na1 ASCONF from ar1, each behind an AUTH chunk \
in the same packet"
else
	nok "capture at ar2: $na1 ASCONF from ar1 (>= 4), $aa of $na behind \
AUTH" "$T/td.txt"
fi

# after the deletion: Set Primary, then DELETE-IP, the second only once
# the first was acknowledged (one ASCONF outstanding: C2's order)
seq=$(awk -v t="$t3" '$1 >= t && /\[(REL CTRL|ASCONF)\]/ { printf "A" }
    $1 >= t && /\[(Unknown chunk type: 0x80|ASCONF.ACK)\]/ { printf "K" }' \
    "$T/td.txt" | tr -s AK)
case $seq in
AKAK*)	ok "after the deletion: ASCONF, ACK, ASCONF, ACK (Set Primary \
acknowledged before the DELETE-IP went)" ;;
*)	nok "after the deletion: ASCONF, ACK, ASCONF, ACK (saw ${seq:-none})" \
	    "$T/td.txt" ;;
esac

a1=$(asconf_after "$t1")
a2=$(asconf_after "$t2")
a3=$(asconf_after "$t3")
echo "# timeline (ms from each event): event -> ASCONF seen at ar2 -> \
path change visible in ar2's show peers"
for e in "1 add $V4" "2 add $V6 (DAD)" "3 del $OLD"; do
	set -- $e
	eval "te=\$t$1 ta=\$a$1 ts=\$s$1"
	shift
	printf '#   %-24s ASCONF +%s ms, show peers +%s ms\n' "$*" \
	    "$([ -n "$ta" ] && ms "$te" "$ta" || echo '?')" \
	    "$([ -n "$ts" ] && ms "$te" "$ts" || echo '?')"
done

finish
