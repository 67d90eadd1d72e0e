#!/bin/sh
# SPDX-License-Identifier: ISC
#
# TLS over SCTP between three ctpd routers (issue 5 §2), on a kernel with
# SCTP:  tests/lab/run tests/lab/lab_sctp_channel.sh  (or run-all.sh)
# Two links join the routers, A (192.0.2.0/24, 2001:db8::/64) and B
# (203.0.113.192/26).  ar1-ar2 and ar2-ar3 are multi-homed over A and B in
# IPv4, ar1-ar3 over IPv6 and IPv4 on A.  Checked: test_peer's sctp case;
# every channel up with each configured address a path, the settings read
# back from the socket (SCTP_NODELAY among them), no notification
# subscribed, ASCONF and AUTH negotiated, no wildcard bind, one association
# per neighbour; ar1-ar2's configured primary (on link A, though the INIT
# goes over link B) in force at both ends; a predictive handover over SCTP;
# link A between ar1 and ar2 lost while contexts are pushed, the time to
# move printed, every context delivered, no new handshake, path changes
# counted; link A healed, the primary and DATA back on it at both ends in
# bounded time (printed); a killed peer brought back as a new channel; a
# python3 peer without ASCONF (ar1 says what to enable), and its SCTP
# restart handled as a new channel; a python3 peer's SET-PRIMARY undone.
# lab-timeout: 420
# lab-modules: bridge sch_ingress cls_u32 act_gact
. "$(dirname "$0")/../integration/lib.sh"

[ -d /proc/sys/net/sctp ] ||
    skip_all "no SCTP in this kernel (run it with tests/lab/run)"
need_root
# A bare guest's /dev may lack these; lib.sh reads /dev/stdin.
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
# tests/integration/lib.sh joins the routers with bridges.
if ! ip link add "${NSP}b" type bridge 2>/dev/null; then
	skip_all "no bridge support (tests/lab/run -M +bridge)"
fi
ip link del "${NSP}b"
setup sctp
D=$top_srcdir/tests/data
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
LOGLEVEL=debug
# A guest is slow, the more so on a busy host: room for a path failover
# (§9.6) within the liveness timeout, and for the MN's steps.
TIMERS="  max-transfer: 2s
  max-handover: 120s
  liveness-interval: 500ms
  liveness-timeout: 4s
  reconnect-min: 50ms
  reconnect-max: 500ms"

# ------------------------------------------------------------ helpers

# peer_yaml N M (replaces lib.sh's): router M seen from router N, over
# SCTP; the pair ar1-ar3 is dual-stack, the others use both IPv4 links.
peer_yaml() {
	m=$2
	pr=
	if [ $(($1 + $2)) = 4 ]; then
		a="2001:db8::$m, 192.0.2.$m"
		# ar1 keeps IPv4 for ar3 (its peer of another stack below)
		[ "$m" = 3 ] && pr="
      primary: 192.0.2.3"
	elif [ $(($1 + $2)) = 3 ]; then
		# ar1-ar2: the INIT goes over link B, the primary is link A's
		a="203.0.113.$((192 + m)), 192.0.2.$m"
		pr="
      primary: 192.0.2.$m"
	else
		a="192.0.2.$m, 203.0.113.$((192 + m))"
	fi
	cat <<EOF
  - name: ar$m
    addresses: [$a]
    transport: sctp
    security: tls
    identity: ar$m.test
    access-prefixes: [203.0.113.$((64 * (m - 1)))/26, 2001:db8:$m::/48]
    sctp:
      rto-initial: 200ms
      rto-min: 100ms
      rto-max: 400ms
      hb-interval: 500ms$pr
EOF
}

# link_b: a second bridge, link B, with 203.0.113.(192+N)/26 on eth1 of
# arN (the /26s below it are the access prefixes).
link_b() {
	br=$(ns br)
	{
		echo "link add br1 type bridge"
		echo "link set br1 up"
		for i in 1 2 3; do
			echo "link add w-ar$i type veth peer name eth1 netns" \
			    "$(ns ar$i)"
			echo "link set w-ar$i master br1"
			echo "link set w-ar$i up"
		done
	} | ip -n "$br" -b - || return 1
	for i in 1 2 3; do
		printf 'addr add 203.0.113.%s/26 dev eth1\nlink set eth1 up\n' \
		    "$((192 + i))" | ip -n "$(ns ar$i)" -b - || return 1
	done
}

# flat N: router N's `show peers -j` as "PATH VALUE" lines in $T/flat.N,
# e.g. "peers.ar2.channel.sctp.paths.0.path_state ACTIVE".
flat() {
	ctl "$1" -j show peers
	$PY - "$T/out" >"$T/flat.$1" 2>&1 <<'EOF'
import json, sys
def walk(p, v):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(p + [k], x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(p + [str(i)], x)
    else:
        print(".".join(p), v if isinstance(v, str) else json.dumps(v))
for q in json.load(open(sys.argv[1])).get("peers", []):
    walk(["peers", q["name"]], q)
EOF
}
# fv N PATH: the value at PATH in $T/flat.N.
fv() { awk -v k="$2" '$1 == k { print $2; exit }' "$T/flat.$1"; }
# fis N PATH VALUE: it is VALUE.
fis() { [ "$(fv "$1" "$2")" = "$3" ]; }
# has_path N PEER ADDR [STATE]: ADDR is a path of router N's association
# with PEER (in that state if given).
has_path() {
	_i=$(awk -v p="peers.$2.channel.sctp.paths." -v a="$3" \
	    'index($1, p) == 1 && $1 ~ /\.address$/ && $2 == a {
		sub(/\.address$/, "", $1); print $1; exit }' "$T/flat.$1")
	[ -n "$_i" ] || return 1
	[ -z "${4:-}" ] || [ "$(fv "$1" "$_i.path_state")" = "$4" ]
}
# has_local N PEER ADDR: ADDR is a local address of that association.
has_local() {
	awk -v p="peers.$2.channel.sctp.local_addresses." -v a="$3" \
	    'index($1, p) == 1 && $2 == a { f = 1 } END { exit !f }' \
	    "$T/flat.$1"
}
# path_state N PEER ADDR: that path's state.
path_state() {
	_i=$(awk -v p="peers.$2.channel.sctp.paths." -v a="$3" \
	    'index($1, p) == 1 && $1 ~ /\.address$/ && $2 == a {
		sub(/\.address$/, "", $1); print $1; exit }' "$T/flat.$1")
	fv "$1" "$_i.path_state"
}
# wait_path N PEER ADDR STATE...: within 15 s, the path is in one of them.
wait_path() {
	_r=$1 _p=$2 _a=$3
	shift 3
	_k=0
	while [ $_k -lt 75 ]; do
		flat "$_r"
		_s=$(path_state "$_r" "$_p" "$_a")
		for _w in "$@"; do [ "$_s" = "$_w" ] && return 0; done
		sleep 0.2
		_k=$((_k + 1))
	done
	echo "path $_a of ar$_r to $_p: ${_s:-none}" >"$T/why"
	return 1
}

# wait_down N PEER: within 10 s, router N no longer has PEER up.
wait_down() {
	_k=0
	while [ $_k -lt 100 ]; do
		[ "$(peer_state "$1" "$2")" != UP ] && return 0
		sleep 0.1
		_k=$((_k + 1))
	done
	return 1
}

# hs N: TLS handshakes router N completed.
hs() {
	ctl "$1" -j show status
	json_num "$T/out" handshakes
}

# Full text form of 2001:db8::N, as /proc/net/sctp prints it.
v6full() { echo "2001:0db8:0000:0000:0000:0000:0000:000$1"; }

# eps_ok N WANT: router N's SCTP endpoints: none on a wildcard address,
# and the listener on port 5091 bound to exactly the addresses in WANT.
eps_ok() {
	nsx "ar$1" cat /proc/net/sctp/eps >"$T/eps.$1" || return 1
	awk -v want="$2" '
	NR > 1 {
		n = 0; s = ""
		for (i = 9; i <= NF; i++) {
			if ($i == "0.0.0.0" || $i ~ /^(0000:){7}0000$/)
				bad = 1
			s = s (n++ ? " " : "") $i
		}
		if ($6 == 5091) {
			lis++
			if (n != split(want, w, " ")) bad = 1
			for (j in w) if (index(" " s " ", " " w[j] " ") == 0)
				bad = 1
		}
	}
	END { exit !(lis == 1 && !bad) }' "$T/eps.$1"
}

# assocs_ok N: router N has exactly two associations, one per neighbour,
# none with a wildcard or unconfigured local address.
assocs_ok() {
	nsx "ar$1" cat /proc/net/sctp/assocs >"$T/assocs.$1" || return 1
	awk -v want="192.0.2.$1 203.0.113.$((192 + $1)) $(v6full "$1")" '
	NR > 1 {
		na++
		split(want, w, " ")
		for (i = 14; i <= NF && $i != "<->"; i++) {
			ok = 0
			for (j in w) if ($i == w[j]) ok = 1
			if (!ok) bad = 1
		}
	}
	END { exit !(na == 2 && !bad) }' "$T/assocs.$1"
}

# ctaa_ok: the last ctp-mn run printed a CTAA without failure entries.
ctaa_ok() {
	[ "$rc" = 0 ] && grep -Fq 'every context transferred' "$T/mn.out"
}

# mn_check DESC: ctaa_ok, with ctp-mn's output if not.
mn_check() {
	if ctaa_ok; then
		ok "$1"
	else
		cat "$T/mn.out" "$T/mn.err" >"$T/why" 2>/dev/null
		nok "$1" "$T/why"
	fi
}

# handover MN DESC: predictive handover of MN from ar1 to ar2 (contexts
# put at ar1, CTSR to ar1, CTAR to ar2), contexts compared at ar2.
handover() {
	put_ctx 1 "$1" "$D/feature-aaa.json" "$D/feature-qos-v4.json" \
	    "$D/feature-rohc.json"
	check "$2: contexts of $1 put at ar1" [ "$rc" = 0 ]
	mn -A -s 0x10203040 -k $MNKEY -m "$1" -r 192.0.2.2 198.51.100.1
	mn_check "$2: CTAA from the pAR says success"
	check "$2: ar2 holds the pushed contexts" wait_state 2 "$1" HELD
	mn -A -s 0x10203040 -k $MNKEY -m "$1" -r 192.0.2.1 198.51.100.2
	mn_check "$2: CTAA from the nAR says success"
	check "$2: ar2 is the active nAR" wait_state 2 "$1" ACTIVE
	got_ctx 2 "$1" installed
	if [ -s "$T/got.$1" ] && cmp -s "$T/want.$1" "$T/got.$1"; then
		ok "$2: contexts installed at ar2 equal those put at ar1"
	else
		{ echo want:; cat "$T/want.$1"; echo got:; cat "$T/got.$1"
		    } >"$T/diff"
		nok "$2: contexts installed at ar2 equal those put at ar1" \
		    "$T/diff"
	fi
}

# fake_peer SECONDS [GO]: a TLS-over-SCTP peer in python3 in ar3's place
# (its address and certificate, port 40000, no ASCONF), to ar1, once the
# file GO exists if given; it confirms the channel, answers echoes and
# reconnects when closed, for SECONDS at most (then it ABORTs); its lines
# in $T/fake.out.  PID in FAKE.
fake_peer() {
	cat >"$T/fake.py" <<'EOF'
import socket, ssl, struct, sys, time
import os
crt, key, ca, secs, go = sys.argv[1:6]
if go:
    print("ready", flush=True)
while go and not os.path.exists(go):
    time.sleep(0.05)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(crt, key)
ctx.load_verify_locations(ca)
ctx.set_alpn_protocols(["ctpd/1"])
end = time.time() + float(secs)
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # killed, it ABORTs and forgets the association at once
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        # SCTP_RTOINFO: initial 200, max 400, min 100 ms; SCTP_NODELAY
        s.setsockopt(132, 0, struct.pack("=IIII", 0, 200, 400, 100))
        s.setsockopt(132, 3, 1)
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
	# exec: FAKE is python3 itself, so that a kill reaches it
	(exec ip netns exec "$(ns ar3)" $PY "$T/fake.py" "$T/pki/ar3.crt" \
	    "$T/pki/ar3.key" "$T/pki/ca.crt" "$1" "${2:-}" \
	    >>"$T/fake.out" 2>&1) &
	FAKE=$!
	_pids="$_pids $FAKE"
}

# wait_for TENTHS COMMAND...: until COMMAND succeeds, bounded.
wait_for() {
	_t=$1
	shift
	_k=0
	while [ $_k -lt "$_t" ]; do
		"$@" && return 0
		sleep 0.1
		_k=$((_k + 1))
	done
	return 1
}

# log_since N LINE: router N's log after line LINE.
log_since() { tail -n "+$(($2 + 1))" "$T/ar$1/log"; }

# ms: the time in milliseconds.
ms() { date +%s%3N; }

# push_bg MN: in the background, ctp-mn's CTSR for MN to ar1 with ar2 as
# the nAR (ar1 pushes MN's contexts to ar2); output in $T/push.MN, status
# in $T/push.MN.rc.
push_bg() {
	(
		r=0
		ip netns exec "$(ns mn)" timeout 30 "$CTPMN" -A -s 0x10203040 \
		    -k $MNKEY -m "$1" -r 192.0.2.2 198.51.100.1 </dev/null \
		    >"$T/push.$1" 2>&1 || r=$?
		echo $r >"$T/push.$1.rc"
	) &
	_pids="$_pids $!"
}

# cut_a add|del: link A lost between ar1 and ar2 only, as a cable cut
# behind a switch is (no carrier change, the routes stay): each drops the
# SCTP packets it sends to the other's link A address (tc on eth0).
cut_a() {
	for i in 1 2; do
		_d=192.0.2.$((3 - i))/32
		if [ "$1" = add ]; then
			tc -n "$(ns ar$i)" qdisc add dev eth0 clsact &&
			    tc -n "$(ns ar$i)" filter add dev eth0 egress \
			    protocol ip u32 match ip dst "$_d" \
			    match ip protocol 132 0xff action drop || return 1
		else
			tc -n "$(ns ar$i)" qdisc del dev eth0 clsact || return 1
		fi
	done
}

# pidx N PEER ADDR: the flat path (in $T/flat.N) of that path's object.
pidx() {
	awk -v p="peers.$2.channel.sctp.paths." -v a="$3" \
	    'index($1, p) == 1 && $1 ~ /\.address$/ && $2 == a {
		sub(/\.address$/, "", $1); print $1; exit }' "$T/flat.$1"
}

# held_all: ar2 holds contexts of every MN in MNS (one show contexts).
held_all() {
	ctl 2 -j show contexts
	[ "$rc" = 0 ] || return 1
	norm "$T/out" | sed 's/{"mn":"/\n/g' >"$T/held"
	for _m in $MNS; do
		awk -v m="$_m\"," 'index($0, m) == 1' "$T/held" |
		    grep -Fq '"held":[{' || return 1
	done
}

# primaries_ok: ar1's primary towards ar2 is 192.0.2.2 and ar2's towards
# ar1 is 192.0.2.1, both pinned (read in $T/flat.1, $T/flat.2).
primaries_ok() {
	flat 1 && flat 2 &&
	    fis 1 peers.ar2.channel.sctp.primary 192.0.2.2 &&
	    fis 1 peers.ar2.channel.sctp.primary_pinned true &&
	    fis 2 peers.ar1.channel.sctp.primary 192.0.2.1 &&
	    fis 2 peers.ar1.channel.sctp.primary_pinned true
}

# linka_ok: link A's path ACTIVE at both ends of ar1-ar2, primaries_ok.
linka_ok() {
	primaries_ok && has_path 1 ar2 192.0.2.2 ACTIVE &&
	    has_path 2 ar1 192.0.2.1 ACTIVE
}

# ------------------------------------------------------------ set-up

# The unit test's SCTP case first: two peer sets in one process over a
# loopback association with two address pairs (tests/unit/test_peer.c).
TP=$top_builddir/tests/unit/test_peer
if [ ! -x "$TP" ]; then
	skip_one "test_peer's sctp case" "not built (make check builds it)"
elif CK_RUN_CASE=sctp "$TP" >"$T/unit.out" 2>&1; then
	ok "test_peer's sctp case on kernel SCTP"
else
	nok "test_peer's sctp case on kernel SCTP" "$T/unit.out"
fi

make_net
for i in 1 2 3; do
	nsx "ar$i" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1
done
link_b || { nok "link B between the routers"; finish; }
make_certs || { nok "throw-away CA and router certificates"; finish; }
confs=0
for i in 1 2 3; do
	write_conf $i
	# MNs of the path-failure stream
	[ $i = 1 ] && for m in 20 21 22; do
		echo "203.0.113.$m $MNKEY" >>"$T/ar1/mn-keys"
	done
	sed -i "s|^  addresses: \[192.0.2.$i, 2001:db8::$i\]|  addresses: \
[192.0.2.$i, 203.0.113.$((192 + i)), 2001:db8::$i]|" "$T/ar$i/ctpd.yaml"
	grep -q "203.0.113.$((192 + i)), " "$T/ar$i/ctpd.yaml" &&
	    "$CTPD" -n -f "$T/ar$i/ctpd.yaml" >"$T/n.$i" 2>&1 &&
	    grep -q 'configuration OK' "$T/n.$i" && confs=$((confs + 1))
done
check "ctpd -n accepts the three sctp configurations" [ $confs = 3 ]

for i in 1 2 3; do
	start_ar $i || { nok "ar$i starts" "$T/ar$i/log"; finish; }
done
up=0
for i in 1 2 3; do
	for j in 1 2 3; do
		[ $i = $j ] && continue
		wait_up $i ar$j 300 && up=$((up + 1))
	done
done
if [ $up = 6 ]; then
	ok "every channel up over SCTP (6 of 6)"
else
	nok "every channel up over SCTP ($up of 6)" "$T/ar1/log"
	finish
fi
sleep 1		# the tie-break may close a second association

# ------------------------------------------------------------ the channels

for i in 1 2 3; do flat $i; done
cnt=0
for i in 1 2 3; do
	for j in 1 2 3; do
		[ $i = $j ] && continue
		fis $i "peers.ar$j.transport" sctp &&
		    fis $i "peers.ar$j.connections" 1 &&
		    fis $i "peers.ar$j.channel.sctp.assoc_state" ESTABLISHED &&
		    cnt=$((cnt + 1))
	done
done
check "show peers: transport sctp, one connection, ESTABLISHED ($cnt of 6)" \
    [ $cnt = 6 ]
check "ar1-ar2: paths 192.0.2.2 and 203.0.113.194, both ACTIVE" eval \
    'has_path 1 ar2 192.0.2.2 ACTIVE && has_path 1 ar2 203.0.113.194 ACTIVE'
check "ar2-ar1: paths 192.0.2.1 and 203.0.113.193" eval \
    'has_path 2 ar1 192.0.2.1 && has_path 2 ar1 203.0.113.193'
check "ar2-ar3: paths 192.0.2.3 and 203.0.113.195" eval \
    'has_path 2 ar3 192.0.2.3 && has_path 2 ar3 203.0.113.195'
check "ar1-ar3 (dual-stack): paths 2001:db8::3 and 192.0.2.3" eval \
    'has_path 1 ar3 2001:db8::3 && has_path 1 ar3 192.0.2.3'
check "ar1: local addresses 192.0.2.1 and 203.0.113.193 on the ar2 channel" \
    eval 'has_local 1 ar2 192.0.2.1 && has_local 1 ar2 203.0.113.193'
cnt=0
for i in 1 2 3; do
	for j in 1 2 3; do
		[ $i = $j ] && continue
		fis $i "peers.ar$j.channel.sctp.settings.nodelay" true &&
		    cnt=$((cnt + 1))
	done
done
check "SCTP_NODELAY reads back 1 on every association ($cnt of 6)" [ $cnt = 6 ]
cnt=0
for i in 1 2 3; do
	cnt=$((cnt + $(grep -c 'sctp: association up, .*SCTP_NODELAY 1 read back' \
	    "$T/ar$i/log")))
done
check "the NODELAY read-back is logged ($cnt lines)" [ $cnt -ge 6 ]
cnt=0
for i in 1 2 3; do
	for j in 1 2 3; do
		[ $i = $j ] && continue
		fis $i "peers.ar$j.channel.sctp.notifications" 0 && cnt=$((cnt + 1))
	done
done
check "no SCTP notification subscribed on a TLS socket ($cnt of 6)" [ $cnt = 6 ]
check "ASCONF and AUTH negotiated (ar1-ar2, ar1-ar3)" eval \
    'fis 1 peers.ar2.channel.sctp.asconf true &&
    fis 1 peers.ar2.channel.sctp.auth true &&
    fis 1 peers.ar3.channel.sctp.asconf true &&
    fis 1 peers.ar3.channel.sctp.auth true'
s=peers.ar2.channel.sctp.settings
grep -F "$s." "$T/flat.1" >"$T/why"
if fis 1 $s.rto_initial_ms 200 && fis 1 $s.rto_min_ms 100 &&
    fis 1 $s.rto_max_ms 400 && fis 1 $s.hb_interval_ms 500 &&
    fis 1 $s.path_max_retrans 3 && fis 1 $s.pf_threshold 1 &&
    fis 1 $s.sack_delay_ms 0; then
	ok "settings read back as configured (RTO 200/100/400 ms, HB 500 ms, \
PMR 3, pf 1, SACK delay off)"
else
	nok "settings read back as configured" "$T/why"
fi
cnt=0
# ar2's peers are IPv4 only: its listener leaves out its IPv6 address.
eps_ok 1 "192.0.2.1 203.0.113.193 $(v6full 1)" && cnt=$((cnt + 1))
eps_ok 2 "192.0.2.2 203.0.113.194" && cnt=$((cnt + 1))
eps_ok 3 "192.0.2.3 203.0.113.195 $(v6full 3)" && cnt=$((cnt + 1))
check "no wildcard bind: each listener on exactly its configured \
addresses (/proc/net/sctp/eps, $cnt of 3)" [ $cnt = 3 ]
cnt=0
for i in 1 2 3; do assocs_ok $i && cnt=$((cnt + 1)); done
check "one association per neighbour, on configured local addresses only \
(/proc/net/sctp/assocs, $cnt of 3)" [ $cnt = 3 ]
if grep -q 'would reach TLS\|wrong version number' \
    "$T/ar1/log" "$T/ar2/log" "$T/ar3/log"; then
	nok "no TLS error from SCTP notifications in the logs"
else
	ok "no TLS error from SCTP notifications in the logs"
fi

# ------------------------------------------------------------ primary

# ar1-ar2 lists link B's address first, so the INIT goes over link B: the
# connecting side's primary starts there, and so does the accepting side's
# (the INIT's source).  The monitor sets both back to link A's address
# (peers[].sctp.primary) once that path is ACTIVE.
flat 1
acc=ar1
fis 1 peers.ar2.channel.initiator local && acc=ar2
check "ar1-ar2: configured primary 192.0.2.2 / 192.0.2.1 in force at both \
ends (accepting side $acc) within 5 s" wait_for 50 primaries_ok
check "ar1-ar2: show peers names the configured primary at both ends" eval \
    'fis 1 peers.ar2.channel.sctp.configured_primary 192.0.2.2 &&
    fis 2 peers.ar1.channel.sctp.configured_primary 192.0.2.1'
R1=$(fv 1 peers.ar2.counters.primary_restored)
R2=$(fv 2 peers.ar1.counters.primary_restored)
check "ar1-ar2: the primary set back from link B at both ends \
(primary_restored $R1 at ar1, $R2 at ar2)" eval \
    '[ "${R1:-0}" -ge 1 ] && [ "${R2:-0}" -ge 1 ] &&
    grep -q "peer ar2: sctp: primary set back to 192.0.2.2 (was \
203.0.113.194)" "$T/ar1/log" &&
    grep -q "peer ar1: sctp: primary set back to 192.0.2.1 (was \
203.0.113.193)" "$T/ar2/log"'
check "ar2-ar3 (no primary configured): its first address 192.0.2.3 is \
the primary" eval '
    fis 2 peers.ar3.channel.sctp.configured_primary 192.0.2.3 &&
    fis 2 peers.ar3.channel.sctp.primary_pinned true'
ctl 1 show peers
check "ctpctl show peers: the paths of ar2 in the table, the primary \
marked" eval 'grep "^ar2 " "$T/out" | grep -q "192\.0\.2\.2 ACTIVE\*"'
check "show stats: set-wide path counters" eval 'ctl 1 -j show stats &&
    [ -n "$(jsec "$T/out" peers primary_restored)" ] &&
    [ "$(jsec "$T/out" peers primary_restored)" -ge 1 ] &&
    [ -n "$(jsec "$T/out" peers path_changes)" ]'

# ------------------------------------------------------------ handover

H1=$(hs 1)
H2=$(hs 2)
handover 203.0.113.10 "predictive over SCTP"
check "no TLS handshake on the handover path" \
    eval '[ "$(hs 1)" = "$H1" ] && [ "$(hs 2)" = "$H2" ]'

# ------------------------------------------------------------ link A lost

# Link A between ar1 and ar2 lost (cut_a) while contexts (R=1 aaa among
# them) are pushed from ar1 to ar2.
MNS="203.0.113.20 203.0.113.21 203.0.113.22"
n=0
for m in $MNS; do
	put_ctx 1 "$m" "$D/feature-aaa.json" "$D/feature-qos-v4.json"
	[ "$rc" = 0 ] && n=$((n + 1))
done
check "stream: contexts of 3 MNs put at ar1 ($n)" [ $n = 3 ]
flat 1
flat 2
PC1=$(fv 1 peers.ar2.counters.path_changes)
PC2=$(fv 2 peers.ar1.counters.path_changes)
# DATA from ar1 on link B (eth1) shows when the channel moved
capb=
if command -v tcpdump >/dev/null 2>&1; then
	capb=$T/linkb.pcap
	ip netns exec "$(ns ar1)" tcpdump -Z root -U -ni eth1 -w "$capb" \
	    sctp and src 203.0.113.193 and dst 203.0.113.194 \
	    >"$T/tdb.err" 2>&1 &
	tdbpid=$!
	_pids="$_pids $tdbpid"
	wait_for 100 grep -q 'listening on' "$T/tdb.err"
fi
# one pushed before the cut, the others right after it
set -- $MNS
push_bg "$1"
wait_for 100 eval '[ -s "$T/push.$1.rc" ]'
cut_a add || nok "link A cut with tc (modules sch_ingress cls_u32 act_gact)"
T0=$(ms)
push_bg "$2"
push_bg "$3"
wait_for 100 eval '[ -s "$T/push.$2.rc" ] && [ -s "$T/push.$3.rc" ]'
if [ -n "$capb" ]; then
	kill "$tdbpid" 2>/dev/null
	wait "$tdbpid" 2>/dev/null
	# (a retransmission may take link B before the cut: a slow guest
	# sees spurious timeouts)
	tb=$(tcpdump -tt -nr "$capb" 2>/dev/null | grep '\[DATA\]' |
	    awk -v t0="$T0" '$1 * 1000 >= t0 { printf "%.0f", $1 * 1000
		exit }')
	if [ -n "$tb" ]; then
		echo "# time to move: $((tb - T0)) ms from link A's cut to the \
first DATA chunk from ar1 on link B after it (tcpdump on ar1's eth1)"
		ok "link A lost: DATA moved to link B ($((tb - T0)) ms)"
	else
		nok "link A lost: DATA moved to link B (none seen)"
	fi
fi
n=0
for m in $MNS; do
	wait_for 150 eval '[ -s "$T/push.$m.rc" ]'
	echo "# push of $m: $(tail -n 1 "$T/push.$m")"
	[ "$(cat "$T/push.$m.rc" 2>/dev/null)" = 0 ] &&
	    grep -Fq 'every context transferred' "$T/push.$m" &&
	    n=$((n + 1))
done
if [ $n = 3 ] && wait_for 50 held_all; then
	ok "link A lost: every pushed context delivered (CTAA success, held \
at ar2: 3 of 3)"
else
	cat "$T"/push.203.0.113.2? "$T/held" >"$T/why" 2>/dev/null
	nok "link A lost: every pushed context delivered (CTAA success $n of \
3, held at ar2)" "$T/why"
fi
got_ctx 2 203.0.113.22 held
check "link A lost: contexts held at ar2 equal those put at ar1" \
    cmp -s "$T/want.203.0.113.22" "$T/got.203.0.113.22"
check "link A lost: ar1's path 192.0.2.2 leaves ACTIVE" \
    wait_path 1 ar2 192.0.2.2 INACTIVE PF
check "link A lost: the path over link B stays ACTIVE" \
    eval 'flat 1; has_path 1 ar2 203.0.113.194 ACTIVE'
# Linux does not move the primary on a failover (ps_retrans is off): it
# sends to the ACTIVE alternate until the primary's path is back.
echo "# during the outage: ar1's primary $(fv 1 \
peers.ar2.channel.sctp.primary), path 192.0.2.2 $(path_state 1 ar2 \
192.0.2.2), 203.0.113.194 $(path_state 1 ar2 203.0.113.194)"
flat 2
check "link A lost: path_changes counted at both ends (ar1 $PC1 -> \
$(fv 1 peers.ar2.counters.path_changes), ar2 $PC2 -> \
$(fv 2 peers.ar1.counters.path_changes))" eval \
    '[ "$(fv 1 peers.ar2.counters.path_changes)" -gt "$PC1" ] &&
    [ "$(fv 2 peers.ar1.counters.path_changes)" -gt "$PC2" ]'
check "link A lost: the path change logged (peer, address, states)" \
    grep -Eq 'peer ar2: sctp: path 192\.0\.2\.2 ACTIVE -> (PF|INACTIVE)' \
    "$T/ar1/log"
handover 203.0.113.12 "predictive over link B"
check "link A lost: channel ar1-ar2 still up, no new handshake" \
    eval 'fis 1 peers.ar2.state UP && [ "$(hs 1)" = "$H1" ] &&
    [ "$(hs 2)" = "$H2" ]'

# Healed: DATA on link A again within two HB intervals (500 ms) and
# slack (tcpdump; the liveness echo goes every 500 ms), link A's path
# ACTIVE and the primary there at both ends.
cap=
if command -v tcpdump >/dev/null 2>&1; then
	cap=$T/linka.pcap
	ip netns exec "$(ns ar1)" tcpdump -Z root -U -ni eth0 -w "$cap" \
	    sctp and host 192.0.2.1 and host 192.0.2.2 >"$T/td.err" 2>&1 &
	tdpid=$!
	_pids="$_pids $tdpid"
	wait_for 100 grep -q 'listening on' "$T/td.err"
fi
cut_a del
T2=$(ms)
check "link A back: path ACTIVE again at both ends" eval \
    'wait_path 1 ar2 192.0.2.2 ACTIVE && wait_path 2 ar1 192.0.2.1 ACTIVE'
check "show peers: ar1's path 192.0.2.2 with its changes (>= 2) and the \
time since the last" eval 'flat 1 && _i=$(pidx 1 ar2 192.0.2.2) &&
    [ "$(fv 1 "$_i.changes")" -ge 2 ] &&
    [ "$(fv 1 "$_i.since_change_ms")" -ge 0 ]'
check "link A back: primary 192.0.2.2 / 192.0.2.1 pinned at both ends" \
    wait_for 50 primaries_ok
check "link A back: still the same channel (no reconnect)" \
    eval 'flat 1; fis 1 peers.ar2.counters.reconnects 0'
if [ -n "$cap" ]; then
	sleep 1
	kill "$tdpid" 2>/dev/null
	wait "$tdpid" 2>/dev/null
	tcpdump -tt -nr "$cap" >"$T/td.txt" 2>&1
	d1=$(grep '\[DATA\]' "$T/td.txt" |
	    grep -c ' 192\.0\.2\.1\.[0-9]* > 192\.0\.2\.2\.')
	d2=$(grep '\[DATA\]' "$T/td.txt" |
	    grep -c ' 192\.0\.2\.2\.[0-9]* > 192\.0\.2\.1\.')
	ta=$(grep '\[DATA\]' "$T/td.txt" |
	    grep ' 192\.0\.2\.1\.[0-9]* > 192\.0\.2\.2\.' |
	    awk -v t0="$T2" '$1 * 1000 >= t0 { printf "%.0f", $1 * 1000
		exit }')
	if [ "$d1" -ge 2 ] && [ "$d2" -ge 2 ]; then
		ok "link A back: DATA on link A again, both ways (tcpdump on \
ar1's eth0: $d1 packets to ar2, $d2 to ar1)"
	else
		nok "link A back: DATA on link A again, both ways (tcpdump on \
ar1's eth0: $d1 packets to ar2, $d2 to ar1)" "$T/td.txt"
	fi
	if [ -n "$ta" ]; then
		echo "# time back: $((ta - T2)) ms from the heal to ar1's \
first DATA chunk on link A (tcpdump on ar1's eth0)"
		check "link A back: DATA on link A within 2 HB intervals + 2 s \
of the heal ($((ta - T2)) ms)" [ $((ta - T2)) -le 3000 ]
	else
		nok "link A back: DATA on link A after the heal" "$T/td.txt"
	fi
else
	skip_one "link A back: DATA on link A again" "no tcpdump"
fi

# ------------------------------------------------------------ restart

# A killed peer: its associations go, its successor's is a new channel.
stop_ar 2 KILL
check "ar2 killed: ar1 sees the channel go down" wait_down 1 ar2
start_ar 2 || nok "ar2 restarts" "$T/ar2/log"
check "ar2 restarted: channel up again" wait_up 1 ar2 300
check "ar2 restarted: a new channel (reconnects 1, one more handshake)" \
    eval 'flat 1; fis 1 peers.ar2.counters.reconnects 1 &&
    [ "$(hs 1)" -gt "$H1" ]'
check "ar2 restarted: ar1's other channel untouched" \
    eval 'fis 1 peers.ar3.state UP && fis 1 peers.ar3.counters.reconnects 0'
check "ar2 restarted: still one association per neighbour at ar1" \
    assocs_ok 1

# ------------------------------------------------------------ other stacks

# ar3 replaced by a python3 peer without ASCONF: the channel comes up, and
# ar1 says once what the peer should enable.
stop_ar 3
check "ar3 stopped: ar1 sees it go" wait_down 1 ar3
L0=$(wc -l <"$T/ar1/log")
fake_peer 600
check "a TLS-over-SCTP peer of another stack (python3) comes up at ar1" \
    wait_up 1 ar3 300
check "peer without ASCONF: ar1 names the sysctls to enable" \
    eval 'log_since 1 $L0 | grep -q "peer ar3: sctp: renumbering \
unavailable: .*net.sctp.addip_enable=1 and net.sctp.auth_enable=1"'
check "peer without ASCONF: show peers says asconf false" \
    eval 'flat 1; fis 1 peers.ar3.channel.sctp.asconf false'

# An SCTP restart: the peer's host loses the association without a word
# (its packets to ar1 dropped while it dies) and comes back from the same
# address and port; the old TLS session meets a new ClientHello.  ar1
# drops the channel and the peer's next association is a new one.
RC0=$(fv 1 peers.ar3.counters.reconnects)
OLD=$FAKE
fake_peer 600 "$T/go"
wait_for 100 grep -q ready "$T/fake.out"
ip -n "$(ns ar3)" route add blackhole 192.0.2.1/32
kill -KILL "$OLD"
wait "$OLD" 2>/dev/null
L1=$(wc -l <"$T/ar1/log")
touch "$T/go"
# its INIT out (and dropped), it sits in COOKIE-WAIT on port 40000: ar1's
# retransmissions meet that association, not an ABORT
wait_for 50 eval 'nsx ar3 cat /proc/net/sctp/assocs | grep -q " 40000 "'
ip -n "$(ns ar3)" route del blackhole 192.0.2.1/32
# (by the log: the new channel may follow faster than a poll)
check "SCTP restart of the peer: ar1 drops the old channel" wait_for 300 \
    eval 'log_since 1 $L1 | grep -q "peer ar3: channel down"'
if wait_for 300 eval 'log_since 1 $L1 | sed -n "/peer ar3: channel down/,\$p" |
    grep -q "peer ar3: channel up"' && wait_up 1 ar3 100; then
	ok "SCTP restart of the peer: a new channel comes up"
else
	{ cat "$T/fake.out"; log_since 1 "$L1" | grep 'ar3: ' |
	    grep -v 'connecting from\|refused\|next attempt'
	    nsx ar1 cat /proc/net/sctp/assocs; } >"$T/why" 2>&1
	nok "SCTP restart of the peer: a new channel comes up" "$T/why"
fi
log_since 1 "$L1" | grep 'peer ar3: channel down' >"$T/why"
check "SCTP restart: one reconnect more, one association per neighbour \
($(sed 's/.*channel down: //' "$T/why" | head -n 1))" eval \
    'flat 1; [ "$(fv 1 peers.ar3.counters.reconnects)" = $((RC0 + 1)) ] &&
    assocs_ok 1'
kill "$FAKE" 2>/dev/null
wait "$FAKE" 2>/dev/null

# A peer's SET-PRIMARY (ASCONF): a python3 peer in ar3's place, on
# 192.0.2.3 and 203.0.113.195 with ASCONF and AUTH, asks ar1 to send to
# 203.0.113.195; ar1 counts the change and sets 192.0.2.3 back.
cat >"$T/setprim.py" <<'EOF'
import socket, ssl, struct, sys, time
crt, key, ca = sys.argv[1:4]
def sin(a, port):
    return (struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) +
            socket.inet_aton(a) + bytes(8))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(crt, key)
ctx.load_verify_locations(ca)
ctx.set_alpn_protocols(["ctpd/1"])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
# SCTP_ASCONF_SUPPORTED, SCTP_AUTH_SUPPORTED (future associations)
s.setsockopt(132, 128, struct.pack("=II", 0, 1))
s.setsockopt(132, 129, struct.pack("=II", 0, 1))
s.setsockopt(132, 3, 1)
# SCTP_SOCKOPT_BINDX_ADD
s.setsockopt(132, 100, sin("192.0.2.3", 40001) + sin("203.0.113.195", 40001))
s.settimeout(5)
s.connect(("192.0.2.1", 5091))
t = ctx.wrap_socket(s, server_hostname="ar1.test")
t.sendall(bytes([0x3f, 0, 0, 8, 1, 2, 3, 4]))
print("up", flush=True)
end = time.time() + float(sys.argv[4])
asked = False
b = b""
t.settimeout(0.2)
while time.time() < end:
    if not asked and open(sys.argv[5]).read().strip() == "go":
        # SCTP_SET_PEER_PRIMARY_ADDR: ar1, send to our 203.0.113.195
        asked = True
        try:
            t.setsockopt(132, 5, struct.pack("=i", 0) +
                         sin("203.0.113.195", 40001) + bytes(112))
            print("set-primary sent", flush=True)
        except OSError as e:
            print("set-primary:", e, flush=True)
    try:
        d = t.recv(4096)
    except (socket.timeout, ssl.SSLWantReadError):
        continue
    if not d:
        break
    b += d
    while len(b) >= 8 and len(b) >= (b[2] << 8 | b[3]):
        n = b[2] << 8 | b[3]
        f, b = b[:n], b[n:]
        if f[0] == 0x3f and n == 8 and not f[1] & 0x40:
            t.sendall(bytes([0x3f, 0x40, 0, 8]) + f[4:8])
EOF
: >"$T/setprim.go"
flat 1
PCH=$(fv 1 peers.ar3.counters.primary_changes)
PRS=$(fv 1 peers.ar3.counters.primary_restored)
L2=$(wc -l <"$T/ar1/log")
(exec ip netns exec "$(ns ar3)" $PY "$T/setprim.py" "$T/pki/ar3.crt" \
    "$T/pki/ar3.key" "$T/pki/ca.crt" 60 "$T/setprim.go" \
    >"$T/setprim.out" 2>&1) &
SP=$!
_pids="$_pids $SP"
if wait_for 150 grep -q '^up' "$T/setprim.out" && wait_up 1 ar3 150 &&
    wait_for 50 eval 'flat 1; has_path 1 ar3 192.0.2.3 ACTIVE'; then
	echo go >"$T/setprim.go"
	if wait_for 100 eval 'log_since 1 $L2 | grep -q "peer ar3: sctp: \
primary set back to 192.0.2.3 (was 203.0.113.195)"'; then
		ok "peer's SET-PRIMARY: ar1 sets its configured primary back"
	else
		{ log_since 1 "$L2" | grep 'ar3: ' |
		    grep -v 'connecting from\|refused\|next attempt'
		    cat "$T/setprim.out"; } >"$T/why" 2>&1
		nok "peer's SET-PRIMARY: ar1 sets its configured primary back" \
		    "$T/why"
	fi
	check "peer's SET-PRIMARY: primary_changes and primary_restored \
counted, primary 192.0.2.3 again" eval 'flat 1 &&
	    [ "$(fv 1 peers.ar3.counters.primary_changes)" -gt "${PCH:-0}" ] &&
	    [ "$(fv 1 peers.ar3.counters.primary_restored)" -gt "${PRS:-0}" ] &&
	    fis 1 peers.ar3.channel.sctp.primary 192.0.2.3'
else
	cat "$T/setprim.out" >"$T/why" 2>&1
	nok "peer's SET-PRIMARY: the peer of another stack comes up" "$T/why"
fi
kill "$SP" 2>/dev/null
wait "$SP" 2>/dev/null

finish
