#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The MN listener over raw ICMP between two namespaces made here (veth,
# 192.0.2.0/24, 2001:db8::/64): ctp-mn -i gets CTAAs over ICMPv4 and ICMPv6;
# TTL != 255 and bad ICMPv4 checksums are dropped and counted.  Root only
# (else exit 77); the namespaces are removed.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
MN=$(cd "$top_builddir" && pwd)/tools/ctp-mn
RESP=$(cd "$top_builddir" && pwd)/tests/unit/mn_responder
KEY=0102030405060708090a0b0c0d0e0f10

skip() {
	echo "SKIP: $1"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and raw ICMP"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
[ -x "$MN" ] && [ -x "$RESP" ] || skip "$MN or $RESP not built"

NS_AR=ctpmn-ar-$$
NS_MN=ctpmn-mn-$$
T=$(mktemp -d "${TMPDIR:-/tmp}/test_mn_icmp.XXXXXX") || exit 1
RPID=
cleanup() {
	if [ -n "$RPID" ]; then kill "$RPID" 2>/dev/null; wait "$RPID"; fi
	ip netns del "$NS_AR" 2>/dev/null
	ip netns del "$NS_MN" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

ip netns add "$NS_AR" 2>/dev/null || skip "cannot create network namespaces"
if ! ip netns add "$NS_MN" ||
    ! ip link add veth-ar netns "$NS_AR" type veth peer name veth-mn \
    netns "$NS_MN"; then
	skip "cannot create a veth pair between namespaces"
fi
ip -n "$NS_AR" link set lo up
ip -n "$NS_MN" link set lo up
ip -n "$NS_AR" addr add 192.0.2.1/24 dev veth-ar
ip -n "$NS_MN" addr add 192.0.2.10/24 dev veth-mn
ip -n "$NS_AR" -6 addr add 2001:db8::1/64 dev veth-ar nodad
ip -n "$NS_MN" -6 addr add 2001:db8::10/64 dev veth-mn nodad
ip -n "$NS_AR" link set veth-ar up
ip -n "$NS_MN" link set veth-mn up

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	sed 's/^/#   out: /' "$T/out" | head -20
	sed 's/^/#   err: /' "$T/err" | head -20
}
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
		nok "$2: exit $rc, expected $1"; fi
}
expect_grep() {
	if grep -Eq -e "$2" "$1"; then ok "$3"; else nok "$3"; fi
}
mn() {
	ip netns exec "$NS_MN" "$MN" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

# The router: raw ICMP bound to veth-ar.
ip netns exec "$NS_AR" "$RESP" -T icmp -I veth-ar -l 192.0.2.1 -t 20000 \
    -k $KEY >"$T/resp" 2>"$T/resp.err" &
RPID=$!
i=0
while [ $i -lt 50 ] && ! grep -q "^port" "$T/resp"; do
	sleep 0.1
	i=$((i + 1))
done
if ! grep -q "^port" "$T/resp"; then
	cat "$T/resp.err"
	echo "mn_responder did not start"
	echo "0 passed, 1 failed"
	exit 1
fi

mn -i -A -k $KEY -m 198.51.100.10 -r 198.51.100.1 -f aaa --retry-ms 300 \
    --retry-max-ms 2000 192.0.2.1
expect_rc 0 "ICMPv4 CTAR answered"
expect_grep "$T/out" "^CTAA for mn 198.51.100.10: 0 entries" "ICMPv4 CTAA"

mn -i -A -6 -k $KEY -m 2001:db8:1::10 -r 2001:db8:2::1 --retry-ms 300 \
    --retry-max-ms 2000 2001:db8::1
expect_rc 0 "ICMPv6 CTAR answered"
expect_grep "$T/out" "^CTAA for mn 2001:db8:1::10: 0 entries" "ICMPv6 CTAA"

mn -i -A --ttl 64 -k $KEY -m 198.51.100.11 -r 198.51.100.1 \
    --retry-max-ms 400 192.0.2.1
expect_rc 1 "TTL 64 not answered"
mn -i -A -6 --ttl 1 -k $KEY -m 2001:db8:1::11 -r 2001:db8:2::1 \
    --retry-max-ms 400 2001:db8::1
expect_rc 1 "hop limit 1 not answered"
mn -i -A --bad-checksum -k $KEY -m 198.51.100.12 -r 198.51.100.1 \
    --retry-max-ms 400 192.0.2.1
expect_rc 1 "bad ICMPv4 checksum not answered"
if command -v ping >/dev/null 2>&1; then
	ip netns exec "$NS_MN" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
fi
# Last, as it holds the source off: a bad token.
mn -i -A --bad-token -k $KEY -m 198.51.100.13 -r 198.51.100.1 \
    --retry-max-ms 2000 192.0.2.1
expect_rc 1 "bad token over ICMP"
expect_grep "$T/out" "status AUTH_FAILED" "AUTH_FAILED over ICMP"

kill "$RPID"
wait "$RPID"
RPID=
expect_grep "$T/resp" "mn=198.51.100.10 .*token=ok icmp=1" \
    "router saw the ICMPv4 CTAR"
expect_grep "$T/resp" "mn=2001:db8:1::10 .*token=ok icmp=1" \
    "router saw the ICMPv6 CTAR"
if grep -q "mn=198.51.100.11 \|mn=2001:db8:1::11 \|mn=198.51.100.12 " \
    "$T/resp"; then
	nok "a dropped CTAR reached the callback"
else
	ok "dropped CTARs never reached the callback"
fi
expect_grep "$T/resp" '"hop_limit":[2-9]' "hop limit drops counted"
expect_grep "$T/resp" '"bad_icmp":[1-9]' "bad checksum counted"
expect_grep "$T/resp" '"delivered":3' "three CTARs delivered"
if command -v ping >/dev/null 2>&1; then
	expect_grep "$T/resp" '"icmp_other":[1-9]' "other ICMP ignored, counted"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
