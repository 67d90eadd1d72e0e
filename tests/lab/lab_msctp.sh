#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The mSCTP handover of the second seed, end to end (issue 5 §5), on a
# kernel with SCTP:  tests/lab/run tests/lab/lab_msctp.sh
# The MN holds an SCTP association to a correspondent node CN through its
# pAR ar1, which holds the MN's contexts.  It moves to the nAR ar2: ASCONF
# ADD-IP of its new address, SET-PRIMARY, its CTAR to ar2 (reactive),
# ASCONF DELETE-IP of the old address.  Checked: the CN sees the address
# events, every message arrives, the association stays up, ASCONF chunks
# on the wire, the contexts installed at ar2 field by field.  Prints the
# merged handover timeline of the MN and the CN.
# lab-timeout: 240
. "$(dirname "$0")/../integration/lib.sh"
read -r t_begin _ </proc/uptime

[ -d /proc/sys/net/sctp ] ||
    skip_all "no SCTP in this kernel (run it with tests/lab/run)"
need_root
# A bare guest's /dev may lack these; lib.sh reads /dev/stdin.
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
setup msctp
D=$top_srcdir/tests/data

# The test program: the build's, or built here (the guest's root is
# read-only, $T is not).
MSCTP=$top_builddir/tools/msctp-peer
src=$top_srcdir/tools/msctp-peer.c
if [ ! -x "$MSCTP" ] || [ "$src" -nt "$MSCTP" ]; then
	MSCTP=$T/msctp-peer
	${CC:-cc} -O2 -Wall -o "$MSCTP" "$src" -lsctp >"$T/cc.log" 2>&1 ||
	    skip_all "cannot build msctp-peer: $(head -n 3 "$T/cc.log")"
fi

OLD=203.0.113.10	# the MN behind ar1 (ar1's access prefix /26)
NEW=203.0.113.74	# the MN behind ar2 (203.0.113.64/26)
CN=203.0.113.250	# the correspondent, behind both routers
PORT=7000
COUNT=400		# messages, one every 25 ms
MOVE_AT=40

# ------------------------------------------------------------ topology
#   ar1 eth0 192.0.2.1 ===== core link ===== 192.0.2.2 eth0 ar2
#   ar1 cn0 203.0.113.225/29 -- cn c1 203.0.113.230/29
#   ar2 cn0 203.0.113.233/29 -- cn c2 203.0.113.238/29   cn: $CN on lo
#   ar1 acc 203.0.113.1/26  -- mn wl0 203.0.113.10/26   (old access link)
#   ar2 acc 203.0.113.65/26 -- mn wl1 203.0.113.74/26   (new, at the move)
# The CN reaches each MN prefix through its router; the routers forward.
# Their MN listeners also answer on the access links, where the MN sends
# its CTAR.  Batched: each process costs in a guest.
topology() {
	for n in ar1 ar2 mn cn; do _nslist="$_nslist $(ns $n)"; done
	ip -b - <<EOF || return 1
netns add $(ns ar1)
netns add $(ns ar2)
netns add $(ns mn)
netns add $(ns cn)
link add eth0 netns $(ns ar1) type veth peer name eth0 netns $(ns ar2)
link add cn0 netns $(ns ar1) type veth peer name c1 netns $(ns cn)
link add cn0 netns $(ns ar2) type veth peer name c2 netns $(ns cn)
link add acc netns $(ns ar1) type veth peer name wl0 netns $(ns mn)
link add acc netns $(ns ar2) type veth peer name wl1 netns $(ns mn)
EOF
	for i in 1 2; do
		ip -n "$(ns ar$i)" -b - <<EOF || return 1
link set lo up
addr add 192.0.2.$i/24 dev eth0
addr add 198.51.100.$i/24 dev eth0
addr add 2001:db8::$i/64 dev eth0 nodad
addr add 2001:db8:ff::$i/64 dev eth0 nodad
link set eth0 up
addr add 203.0.113.$((216 + 8 * i + 1))/29 dev cn0
link set cn0 up
route add $CN/32 via 203.0.113.$((216 + 8 * i + 6))
addr add 203.0.113.$((64 * (i - 1) + 1))/26 dev acc
link set acc up
EOF
	done
	ip -n "$(ns cn)" -b - <<EOF || return 1
link set lo up
addr add $CN/32 dev lo
addr add 203.0.113.230/29 dev c1
addr add 203.0.113.238/29 dev c2
link set c1 up
link set c2 up
route add 203.0.113.0/26 via 203.0.113.225
route add 203.0.113.64/26 via 203.0.113.233
EOF
	ip -n "$(ns mn)" -b - <<EOF || return 1
link set lo up
addr add $OLD/26 dev wl0
link set wl0 up
link set wl1 up
route add default via 203.0.113.1 dev wl0
EOF
	for n in ar1 ar2 cn; do
		nsx $n sysctl -qw net.ipv4.ip_forward=1 \
		    net.ipv4.conf.all.rp_filter=0 \
		    net.ipv4.conf.default.rp_filter=0 || return 1
	done
	# ADDIP and AUTH at both ends, before their sockets exist (§9.4)
	for n in mn cn; do
		nsx $n sysctl -qw net.sctp.addip_enable=1 \
		    net.sctp.auth_enable=1 || return 1
	done
}
if topology >"$T/topo.log" 2>&1; then
	ok "MN, CN, pAR ar1 and nAR ar2 in namespaces, routed"
else
	nok "MN, CN, pAR ar1 and nAR ar2 in namespaces, routed" "$T/topo.log"
	finish
fi

# ------------------------------------------------------------ routers
# ar1 and ar2 only, each the other's peer; MN listeners on the access
# links too.
make_certs >"$T/certs.log" 2>&1 || { nok "certificates" "$T/certs.log";
    finish; }
write_conf 1 2
write_conf 2 1
sed -i 's/^  listen: \[198\.51\.100\.1,/  listen: [198.51.100.1, 203.0.113.1,/' \
    "$T/ar1/ctpd.yaml"
sed -i 's/^  listen: \[198\.51\.100\.2,/  listen: [198.51.100.2, 203.0.113.65,/' \
    "$T/ar2/ctpd.yaml"
if start_ar 1 && start_ar 2 && wait_up 1 ar2 && wait_up 2 ar1; then
	ok "ctpd on ar1 and ar2, channel up"
else
	nok "ctpd on ar1 and ar2, channel up" "$T/ar1/log"
	tail -n 15 "$T/ar2/log" | sed 's/^/#   /'
	finish
fi
put_ctx 1 $OLD "$D/feature-aaa.json" "$D/feature-qos-v4.json" \
    "$D/feature-rohc.json"
check "ar1 holds the contexts of $OLD" [ "$rc" = 0 ]

# ------------------------------------------------------------ the move
# tcpdump at the CN for the ASCONF chunks
cap=
if command -v tcpdump >/dev/null 2>&1; then
	cap=$T/cn.pcap
	ip netns exec "$(ns cn)" tcpdump -Z root -U -ni any -w "$cap" sctp \
	    >"$T/td.err" 2>&1 &
	tdpid=$!
	_pids="$_pids $tdpid"
	k=0
	until grep -q 'listening on' "$T/td.err" 2>/dev/null; do
		k=$((k + 1))
		[ $k -lt 300 ] || break
		sleep 0.05
	done
fi

ip netns exec "$(ns cn)" "$MSCTP" cn -l $CN -p $PORT -R 200,100,400 -t 60 \
    >"$T/cn.out" 2>&1 &
cnpid=$!
_pids="$_pids $cnpid"
k=0
until grep -q '^listening' "$T/cn.out" 2>/dev/null; do
	k=$((k + 1))
	[ $k -lt 200 ] || break
	sleep 0.05
done

# The move: the new address comes up on wl1, ADD-IP, SET-PRIMARY, the
# route to the CN through ar2 and the CTAR to ar2 naming ar1, DELETE-IP;
# then the old link goes.
CTAR="$CTPMN -A -k $MNKEY -m $OLD -r 192.0.2.1 203.0.113.65"
nsx mn "$MSCTP" mn -l $OLD -r $CN -p $PORT -N $NEW -n $COUNT -i 25 \
    -m $MOVE_AT -R 200,100,400 -t 60 \
    -b "ip addr add $NEW/26 dev wl1" \
    -x "ip route replace default via 203.0.113.65 dev wl1" \
    -x "$CTAR" -w 100 \
    -a "ip addr del $OLD/26 dev wl0 && ip link set wl0 down" \
    >"$T/mn.out" 2>&1
mnrc=$?
wait "$cnpid"
cnrc=$?
if [ -n "$cap" ]; then
	kill -TERM "$tdpid" 2>/dev/null
	k=0
	while kill -0 "$tdpid" 2>/dev/null && [ $k -lt 100 ]; do
		sleep 0.05
		k=$((k + 1))
	done
	kill -KILL "$tdpid" 2>/dev/null
	wait "$tdpid" 2>/dev/null
fi

both() { cat "$T/mn.out" "$T/cn.out" >"$T/both"; echo "$T/both"; }
if grep -q '^asconf 1 auth 1' "$T/cn.out" &&
    grep -q ' connected from .* asconf 1 auth 1' "$T/mn.out"; then
	ok "ADDIP and AUTH negotiated on the MN-CN association"
else
	nok "ADDIP and AUTH negotiated on the MN-CN association" "$(both)"
fi
if [ $mnrc = 0 ] && grep -q "^sent $COUNT of $COUNT" "$T/mn.out" &&
    grep -q ' move done$' "$T/mn.out"; then
	ok "the MN sent $COUNT of $COUNT and completed its move"
else
	nok "the MN sent $COUNT of $COUNT and completed its move (exit $mnrc)" \
	    "$T/mn.out"
fi
# ev EVENT ADDR: the line number of the CN's first EVENT for ADDR
ev() {
	grep -n "^timeline [0-9.]* [0-9.]* cn $1 $2\$" "$T/cn.out" |
	    head -n 1 | cut -d: -f1
}
a=$(ev ADDR_ADDED $NEW)
p=$(ev ADDR_MADE_PRIM $NEW)
r=$(ev ADDR_REMOVED $OLD)
check "the CN saw ADDR_ADDED $NEW" [ -n "$a" ]
check "the CN saw ADDR_MADE_PRIM $NEW" [ -n "$p" ]
check "the CN saw ADDR_REMOVED $OLD" [ -n "$r" ]
if [ -n "$a" ] && [ -n "$p" ] && [ -n "$r" ] && [ "$a" -lt "$p" ] &&
    [ "$p" -lt "$r" ]; then
	ok "in that order"
else
	nok "in that order" "$T/cn.out"
fi
if [ $cnrc = 0 ] && grep -q "^received $COUNT of $COUNT\$" "$T/cn.out"; then
	ok "the CN received $COUNT of $COUNT messages, in order, no duplicate"
else
	nok "the CN received $COUNT of $COUNT messages (exit $cnrc)" \
	    "$T/cn.out"
fi
if grep -q " cn data: message [0-9]* from $OLD\$" "$T/cn.out" &&
    grep -q " cn data: message [0-9]* from $NEW\$" "$T/cn.out"; then
	ok "messages came from $OLD, then from $NEW"
else
	nok "messages came from $OLD, then from $NEW" "$T/cn.out"
fi
if ! grep -Eq ' cn (COMM_LOST|RESTART|CANT_STR_ASSOC)' "$T/cn.out" &&
    grep -q ' cn SHUTDOWN_EVENT' "$T/cn.out"; then
	ok "one association throughout, closed by the MN"
else
	nok "one association throughout, closed by the MN" "$T/cn.out"
fi
if grep -q " mn local addresses: $NEW\$" "$T/mn.out"; then
	ok "the MN's association is bound to $NEW alone after the move"
else
	nok "the MN's association is bound to $NEW alone after the move" \
	    "$T/mn.out"
fi
# tcpdump 4.99 calls ASCONF (0xc1) "REL CTRL" and knows neither AUTH (0xf)
# nor ASCONF-ACK (0x80).
if [ -n "$cap" ]; then
	tcpdump -nr "$cap" >"$T/td.txt" 2>&1
	au='\[(Unknown chunk type: 0xf|AUTH)\] , \(2\) '
	na=$(grep -Ec '\[(REL CTRL|ASCONF)\]' "$T/td.txt")
	nk=$(grep -Ec '\[(Unknown chunk type: 0x80|ASCONF.ACK)\]' "$T/td.txt")
	aa=$(grep -Ec "$au\\[(REL CTRL|ASCONF)\\]" "$T/td.txt")
	ak=$(grep -Ec "$au\\[(Unknown chunk type: 0x80|ASCONF.ACK)\\]" \
	    "$T/td.txt")
	if [ "$na" -ge 3 ] && [ "$nk" -ge 3 ]; then
		ok "on the wire at the CN: $na ASCONF, $nk ASCONF-ACK"
	else
		nok "on the wire at the CN: $na ASCONF, $nk ASCONF-ACK (>= 3)" \
		    "$T/td.txt"
	fi
	if [ "$na" -ge 1 ] && [ "$aa" = "$na" ] && [ "$ak" = "$nk" ]; then
		ok "each ASCONF and ASCONF-ACK behind an AUTH chunk"
	else
		nok "each ASCONF and ASCONF-ACK behind an AUTH chunk" \
		    "$T/td.txt"
	fi
else
	skip_one "ASCONF chunks on the wire" "no tcpdump"
fi

# ------------------------------------------------------------ contexts
if grep -Fq 'every context transferred' "$T/mn.out" &&
    grep -q " mn command done (exit 0, [0-9.]* ms): $CTPMN " "$T/mn.out"
then
	ok "CTAR to ar2 during the move: CTAA says success"
else
	nok "CTAR to ar2 during the move: CTAA says success" "$T/mn.out"
fi
# One look each: in a slow guest the nAR's transfer may be over and its
# entry back to IDLE by now; the installed contexts stay.
ctl 2 -j show mn $OLD
norm "$T/out" | sed 's/,"provider":"[a-z]*"//g' |
    ctx_list installed >"$T/got.$OLD"
if [ -s "$T/got.$OLD" ] && cmp -s "$T/want.$OLD" "$T/got.$OLD"; then
	ok "contexts installed at ar2 equal those put at ar1, field by field"
else
	{ echo "want:"; cat "$T/want.$OLD"; echo "got:"; cat "$T/got.$OLD"
	    } >"$T/diff"
	nok "contexts installed at ar2 equal those put at ar1" "$T/diff"
fi
ctl 1 -j show mn $OLD
if [ "$rc" = 0 ] && norm "$T/out" | grep -Eq '"store":null|"contexts":\[\]'
then
	ok "ar1 no longer holds the contexts"
else
	nok "ar1 no longer holds the contexts" "$T/out"
fi

# ------------------------------------------------------------ timeline
echo "# handover timeline, mn and cn merged (ms from the first event):"
grep -h '^timeline ' "$T/mn.out" "$T/cn.out" | sort -s -n -k 2,2 |
    awk '{ if (t0 == "") t0 = $2; $1 = ""; t = $2; $2 = ""; $3 = "";
	w = $4; $4 = ""; sub(/^ +/, ""); printf "#   %9.1f  %s  %s\n",
	t - t0, w, $0 }'
grep -h 'CTAA' "$T/mn.out" | sed 's/^/#   ctp-mn: /'
read -r t_end _ </proc/uptime
echo "# $((${t_end%.*} - ${t_begin%.*})) s in all"

finish
