#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The kernel lab's own checks: kernel SCTP between two namespaces joined by
# two veth links; single- and multi-homed one-to-one associations over IPv4
# and IPv6; INIT and INIT-ACK carrying only the bound addresses; the
# net.sctp.addip_enable/auth_enable sysctls; tc netem loss and delay.
# Run by tests/lab/run-all.sh inside the lab (tests/lab/run).
# lab-timeout: 180
. "$(dirname "$0")/lib.sh"
lab_setup lab_sctp_basics

[ -x "$PROBE" ] || skip_all "$PROBE not built (tests/lab/run-all.sh builds it)"

# ------------------------------------------------------------ the kernel
if [ -e /proc/net/sctp ]; then
	ok "kernel has SCTP ($LAB, kernel ${LAB_KERNEL:-?})"
else
	nok "kernel has no SCTP: modprobe sctp, or enable CONFIG_IP_SCTP"
	echo "# modules loaded: ${LAB_MODULES_LOADED:-none}"
	finish
fi
for m in veth ipv6 sctp hmac sch_netem; do
	case " ${LAB_MODULES_MISSING:-} " in
	*" $m "*) nok "module $m missing: on UML, reinstall user-mode-linux" ;;
	esac
done

# ------------------------------------------------------------ topology
#  a --a0== link 1: 192.0.2.0/24,    2001:db8:1::/64 ==b0-- b
#    --a1== link 2: 198.51.100.0/24, 2001:db8:2::/64 ==b1--
# .1/::1 on a, .2/::2 on b; .11/::11 and .12/::12 are extra addresses that
# no socket binds.
topology() {
	lab_ns a b || return 1
	ip -b - <<EOF || return 1
link add a0 netns $(ns a) type veth peer name b0 netns $(ns b)
link add a1 netns $(ns a) type veth peer name b1 netns $(ns b)
EOF
	ip -n "$(ns a)" -b - <<EOF || return 1
addr add 192.0.2.1/24 dev a0
addr add 192.0.2.11/24 dev a0
addr add 2001:db8:1::1/64 dev a0 nodad
addr add 2001:db8:1::11/64 dev a0 nodad
addr add 198.51.100.1/24 dev a1
addr add 2001:db8:2::1/64 dev a1 nodad
link set a0 up
link set a1 up
EOF
	ip -n "$(ns b)" -b - <<EOF
addr add 192.0.2.2/24 dev b0
addr add 192.0.2.12/24 dev b0
addr add 2001:db8:1::2/64 dev b0 nodad
addr add 2001:db8:1::12/64 dev b0 nodad
addr add 198.51.100.2/24 dev b1
addr add 2001:db8:2::2/64 dev b1 nodad
link set b0 up
link set b1 up
EOF
}
if topology; then
	ok "two namespaces, two veth links, IPv4 and IPv6 addresses"
else
	nok "two namespaces, two veth links, IPv4 and IPv6 addresses"
	finish
fi
if nsx a "$PROBE" check >"$T/check" 2>&1; then
	ok "SCTP socket in a namespace"
else
	nok "SCTP socket in a namespace" "$T/check"
	finish
fi

# assoc NAME PORT SERVER-ADDRS CLIENT-LOCAL CLIENT-REMOTE [CLIENT-ARGS...]:
# an echo server in b, a client in a; $T/NAME.s and $T/NAME.c hold what
# each side saw.  Fails unless both ends exit 0.
assoc() {
	_a=$1 _p=$2 _s=$3 _l=$4 _r=$5
	shift 5
	bg b "$T/$_a.s" "$PROBE" server -l "$_s" -p "$_p" -t 30
	_sp=$bgpid
	if ! wait_for "$T/$_a.s" '^listening' 10; then
		echo "server did not listen" >>"$T/$_a.s"
		return 1
	fi
	nsx a "$PROBE" client -l "$_l" -r "$_r" -p "$_p" "$@" \
	    >"$T/$_a.c" 2>&1
	_rc=$?
	wait_pid "$_sp" 10 && [ $_rc -eq 0 ]
}
comma() { echo "$1" | tr ' ' ','; }
# field FILE KEY: the words after KEY N on its line ("paddrs 2 a b" -> a b)
field() {
	sed -n "s/^$2 [0-9]* *//p" "$1"
}

# ------------------------------------------------------------ single-homed
for v in 4 6; do
	if [ $v = 4 ]; then s=192.0.2.2 c=192.0.2.1; else
		s=2001:db8:1::2 c=2001:db8:1::1; fi
	if assoc one$v 500$v "$s" "$c" "$s" -n 20 &&
	    grep -q '^echo 20/20' "$T/one$v.c" &&
	    [ "$(field "$T/one$v.c" paddrs)" = "$s" ]; then
		ok "IPv$v one-to-one association, 20 echoes"
	else
		nok "IPv$v one-to-one association, 20 echoes" \
		    "$T/one$v.s" "$T/one$v.c"
	fi
done
# The same from python3's socket module, as other lab tests may use it.
PY=/usr/bin/python3
if [ -x $PY ]; then
	bg b "$T/py.s" "$PROBE" server -l 192.0.2.2 -p 5005 -t 30
	sp=$bgpid
	d="python3 socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) echo"
	if wait_for "$T/py.s" '^listening' 10 &&
	    nsx a $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
s.settimeout(10)
s.connect(("192.0.2.2", 5005))
s.sendall(b"lab")
assert s.recv(10) == b"lab"
s.close()' >"$T/py.c" 2>&1 && wait_pid $sp 10; then
		ok "$d"
	else
		nok "$d" "$T/py.s" "$T/py.c"
	fi
else
	skip_one "python3 SCTP socket" "no $PY"
fi
# Defaults: neither ADDIP nor AUTH is negotiated.
if grep -q '^asconf 0 auth 0' "$T/one4.c"; then
	ok "defaults: no ADDIP, no AUTH negotiated"
else
	nok "defaults: no ADDIP, no AUTH negotiated" "$T/one4.c"
fi

# ------------------------------------------------------------ multi-homed
# Each end binds two of its three addresses on link 1 and 2; tcpdump (when
# there is one) records the INIT and INIT-ACK on link 1, the primary path.
sa4="192.0.2.2 198.51.100.2" ca4="192.0.2.1 198.51.100.1"
sa6="2001:db8:1::2 2001:db8:2::2" ca6="2001:db8:1::1 2001:db8:2::1"
cap=
if command -v tcpdump >/dev/null 2>&1; then
	cap=$T/mh.pcap
	bg a "$T/td.err" tcpdump -Z root -U -ni a0 -w "$cap" sctp
	tdpid=$bgpid
	wait_for "$T/td.err" 'listening on' 15 ||
		echo "tcpdump did not start" >>"$T/td.err"
fi
for v in 4 6; do
	eval "sa=\$sa$v ca=\$ca$v"
	d="IPv$v multi-homed association: each end sees the other's 2 addresses"
	if assoc multi$v 501$v "$(comma "$sa")" "$(comma "$ca")" \
	    "$(comma "$sa")" -n 20 &&
	    grep -q '^echo 20/20' "$T/multi$v.c" &&
	    sameset "$(field "$T/multi$v.c" paddrs)" "$sa" &&
	    sameset "$(field "$T/multi$v.s" paddrs)" "$ca" &&
	    sameset "$(field "$T/multi$v.c" laddrs)" "$ca"; then
		ok "$d"
	else
		nok "$d" "$T/multi$v.s" "$T/multi$v.c"
	fi
done
if [ -n "$cap" ]; then
	kill -INT "$tdpid" 2>/dev/null
	wait_pid "$tdpid" 10
	"$PROBE" inits "$cap" >"$T/inits" 2>&1
	# chunk TYPE 4|6: the source and the listed addresses of the first
	# such chunk of that family ("INIT src S dst D addrs A..." -> "S A...")
	chunk() {
		awk -v c="$1" -v v="$2" '$1 == c && (v == 6) == ($3 ~ /:/) {
		    $1 = $2 = $4 = $5 = $6 = ""; print; exit }' "$T/inits"
	}
	for v in 4 6; do
		eval "sa=\$sa$v ca=\$ca$v"
		d="IPv$v INIT and INIT-ACK carry only the bound addresses"
		init=$(chunk INIT $v)
		ack=$(chunk INIT-ACK $v)
		if [ -n "$init" ] && [ -n "$ack" ] &&
		    sameset "$init" "$ca" && sameset "$ack" "$sa"; then
			ok "$d"
		else
			nok "$d" "$T/inits" "$T/td.err"
		fi
	done
else
	skip_one "INIT and INIT-ACK on the wire" "no tcpdump"
fi

# ------------------------------------------------------------ ADDIP, AUTH
# Per-namespace sysctls, read by a socket when it is created.
if nsx a sysctl -qw net.sctp.addip_enable=1 net.sctp.auth_enable=1 &&
    nsx b sysctl -qw net.sctp.addip_enable=1 net.sctp.auth_enable=1 &&
    [ "$(nsx a sysctl -n net.sctp.addip_enable net.sctp.auth_enable |
	tr '\n' ' ')" = "1 1 " ]; then
	ok "net.sctp.addip_enable and auth_enable can be set"
	if assoc addip 5020 192.0.2.2,198.51.100.2 192.0.2.1,198.51.100.1 \
	    192.0.2.2,198.51.100.2 -n 5 &&
	    grep -q '^asconf 1 auth 1' "$T/addip.c" &&
	    grep -q '^asconf 1 auth 1' "$T/addip.s"; then
		ok "with them, both ends negotiate ADDIP and AUTH"
	else
		nok "with them, both ends negotiate ADDIP and AUTH" \
		    "$T/addip.s" "$T/addip.c"
	fi
else
	nok "net.sctp.addip_enable and auth_enable can be set"
	echo "# they exist once the sctp module is loaded (modprobe sctp)"
fi

# ------------------------------------------------------------ netem
# 20 ms and 10 % loss leaving a on link 2: every echo takes 20 ms or more,
# SCTP repairs the loss, and the qdisc counts the drops.
if tc -n "$(ns a)" qdisc add dev a1 root netem delay 20ms loss 10% \
    2>"$T/tc.err"; then
	ok "netem qdisc with delay and loss"
	if assoc netem 5030 198.51.100.2 198.51.100.1 198.51.100.2 \
	    -n 100 -R 200,100,400 &&
	    grep -q '^echo 100/100' "$T/netem.c"; then
		ok "SCTP over the lossy link: 100 of 100 echoed"
	else
		nok "SCTP over the lossy link: 100 of 100 echoed" \
		    "$T/netem.s" "$T/netem.c"
	fi
	min=$(sed -n 's|^echo .* rtt \([0-9]*\)\..*|\1|p' "$T/netem.c")
	if [ "${min:-0}" -ge 20 ]; then
		ok "netem delay: shortest echo ${min} ms (>= 20)"
	else
		nok "netem delay: shortest echo ${min:-?} ms (>= 20)" \
		    "$T/netem.c"
	fi
	tc -s -n "$(ns a)" qdisc show dev a1 >"$T/tc.s"
	sent=$(sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' "$T/tc.s")
	drop=$(sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' "$T/tc.s")
	# 10 % of >= 200 packets: 1..60 dropped is a working netem
	if [ "${drop:-0}" -ge 1 ] && [ "${drop:-0}" -le 60 ]; then
		ok "netem loss: $drop of $((sent + drop)) packets dropped"
	else
		nok "netem loss: ${drop:-?} of ${sent:-?}+ packets dropped" \
		    "$T/tc.s"
	fi
else
	nok "netem qdisc with delay and loss: load sch_netem" "$T/tc.err"
fi

finish
