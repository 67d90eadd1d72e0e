#!/bin/sh
# SPDX-License-Identifier: ISC
#
# ctp-mn over UDP on loopback: usage errors, the spec 6.3 retransmission
# times where nothing answers, and answers from mn_responder (the real MN
# listener): success, entries, bad token and back-off, retries, replay,
# several MNs in turn (--count), flood, JSON, key files; the key is never
# shown.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
MN=$top_builddir/tools/ctp-mn
RESP=$top_builddir/tests/unit/mn_responder
KEY=0102030405060708090a0b0c0d0e0f10
BADKEY=f0e0d0c0b0a090807060504030201000

T=$(mktemp -d "${TMPDIR:-/tmp}/test_ctp_mn.XXXXXX") || exit 1
RPID=
cleanup() {
	if [ -n "$RPID" ]; then kill "$RPID" 2>/dev/null; wait "$RPID"; fi
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	if [ -s "$T/out" ]; then sed 's/^/#   out: /' "$T/out" | head -20; fi
	if [ -s "$T/err" ]; then sed 's/^/#   err: /' "$T/err" | head -20; fi
}

run() {
	"$MN" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
		nok "$2: exit $rc, expected $1"; fi
}

# expect_grep FILE REGEX DESC
expect_grep() {
	if grep -Eq -e "$2" "$1"; then ok "$3"; else nok "$3"; fi
}

# count_grep FILE REGEX N DESC
count_grep() {
	n=$(grep -Ec -e "$2" "$1")
	if [ "$n" -eq "$3" ]; then ok "$4 ($n)"; else
		nok "$4: $n, expected $3"; fi
}

# start_resp ARGS...: mn_responder in the background; sets RPID, RPORT, ROUT.
nresp=0
start_resp() {
	nresp=$((nresp + 1))
	ROUT=$T/resp.$nresp
	"$RESP" -t 20000 -k $KEY "$@" >"$ROUT" 2>"$ROUT.err" &
	RPID=$!
	i=0
	RPORT=
	while [ $i -lt 50 ] && [ -z "$RPORT" ]; do
		RPORT=$(awk '/^port /{print $2}' "$ROUT")
		[ -n "$RPORT" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$RPORT" ]; then
		nok "mn_responder did not start"
		cat "$ROUT.err"
	fi
}

stop_resp() {
	kill "$RPID" 2>/dev/null
	wait "$RPID"
	RPID=
}

if [ ! -x "$MN" ] || [ ! -x "$RESP" ]; then
	echo "SKIP: $MN or $RESP not built"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

# ---------------------------------------------------------------- usage
run
expect_rc 2 "no arguments"
run -k $KEY -m 192.0.2.10 127.0.0.1
expect_rc 2 "no -r"
run -m 192.0.2.10 -r 192.0.2.1 127.0.0.1
expect_rc 2 "no key"
run -k $KEY -K /nonexistent -m 192.0.2.10 -r 192.0.2.1 127.0.0.1
expect_rc 2 "two keys"
run -k 0x12g4 -m 192.0.2.10 -r 192.0.2.1 127.0.0.1
expect_rc 2 "bad key hex"
if grep -q 12g4 "$T/err"; then nok "bad key echoed"; else
	ok "bad key not echoed"; fi
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 -f nosuch 127.0.0.1
expect_rc 2 "unknown FPT name"
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 -u 5091 -i 127.0.0.1
expect_rc 2 "-u with -i"
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 --flood 10 127.0.0.1
expect_rc 2 "--flood without rate"
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 --flood 1000000/1 127.0.0.1
expect_rc 2 "--flood longer than the bound"
run -k $KEY -m 192.0.2.10 -r bogus 127.0.0.1
expect_rc 2 "bad address"
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 --count 2 -s 5 127.0.0.1
expect_rc 2 "--count with -s"
run -k $KEY -m 192.0.2.10 -r 192.0.2.1 --count 0 127.0.0.1
expect_rc 2 "--count 0"
run -h
expect_rc 0 "-h"
expect_grep "$T/out" "^usage: ctp-mn" "-h prints the usage"

# ------------------------------------------------- retransmission, no answer
# Nothing listens: sends at 0, 100, 300, 700 ms, given up at 750 ms.
start_resp
DEAD=$RPORT
stop_resp
t0=$(date +%s%N)
run -v -A -k $KEY -m 192.0.2.10 -r 192.0.2.1 -s 7 --retry-ms 100 \
    --retry-max-ms 750 -u "$DEAD" 127.0.0.1
t1=$(date +%s%N)
expect_rc 1 "no answer"
count_grep "$T/err" "sent CTAR seq 0x00000007" 4 "four sends"
expect_grep "$T/err" "no CTAA from 127.0.0.1 after (7[5-9]|8[0-9])[0-9] ms \(4 tries\)" \
    "gives up after 750 ms"
awk '/sent CTAR/ { sub(/^ctp-mn: \+/, ""); sub(/ ms:.*/, ""); print }' \
    "$T/err" >"$T/times"
if awk 'BEGIN { split("0 100 300 700", w) }
    { d = $1 - w[NR]; if (d < 0 || d > 90) bad = 1 }
    END { exit bad || NR != 4 }' "$T/times"; then
	ok "sends at 0, 100, 300, 700 ms: $(tr '\n' ' ' <"$T/times")"
else
	nok "send times $(tr '\n' ' ' <"$T/times"), expected 0 100 300 700"
fi
el=$(( (t1 - t0) / 1000000 ))
if [ "$el" -lt 1500 ]; then ok "bounded in time ($el ms)"; else
	nok "took $el ms"; fi
# Without -A: one send, no wait.
run -v -k $KEY -m 192.0.2.10 -r 192.0.2.1 -u "$DEAD" 127.0.0.1
expect_rc 0 "A=0 sends once"
count_grep "$T/err" "sent CTAR" 1 "one send without -A"

# ---------------------------------------------------------------- answers
start_resp
run -A -k $KEY -m 192.0.2.10 -r 192.0.2.1 -s 0xabcd -f aaa,qos:R \
    -u "$RPORT" 127.0.0.1
expect_rc 0 "CTAA without entries"
expect_grep "$T/out" "^CTAA for mn 192.0.2.10: 0 entries" "CTAA printed"
expect_grep "$ROUT" "mn=192.0.2.10 seq=0x0000abcd a=1 cdbs=2 token=ok" \
    "router saw the CTAR with a good token"

run -j -A -k $KEY -m 192.0.2.13 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 0 "-j"
expect_grep "$T/out" '"type": "CTAA"' "-j prints the CTAA as JSON"
expect_grep "$T/out" '"mn": "192.0.2.13"' "-j has the MN"

printf '%s\n' "$KEY" >"$T/key"
chmod 600 "$T/key"
run -A -K "$T/key" -m 192.0.2.14 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 0 "-K key file"

# Mixed families go IPv4-mapped with V=0.
run -A -k $KEY -m 192.0.2.15 -r 2001:db8::1 -u "$RPORT" 127.0.0.1
expect_rc 0 "mixed families"
expect_grep "$ROUT" "mn=::ffff:192.0.2.15 .*token=ok" "mapped MN address"

run -v -A --replay 3 -s 99 -k $KEY -m 192.0.2.16 -r 192.0.2.1 \
    -u "$RPORT" 127.0.0.1
expect_rc 0 "--replay 3"
count_grep "$ROUT" "mn=192.0.2.16 seq=0x00000063" 3 "router saw 3 copies"
expect_grep "$T/out" "3 CTAAs received" "3 answers counted"
# --count: three MNs in turn from 192.0.2.254, the last past a carry.
run -A --count 3 -k $KEY -m 192.0.2.254 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 0 "--count 3"
count_grep "$T/out" "^CTAA for mn 192\.0\.(2\.254|2\.255|3\.0): 0 entries" 3 \
    "--count 3: a CTAA for each of the three MNs"
count_grep "$ROUT" "mn=192\.0\.(2\.254|2\.255|3\.0) .*token=ok" 3 \
    "--count 3: router saw three CTARs with good tokens"
stop_resp

# A bad token: AUTH_FAILED, then the source is held off (1 s) and even a
# good CTAR gets no answer within 500 ms.
start_resp
run -A --bad-token -k $KEY -m 192.0.2.11 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 1 "bad token"
expect_grep "$T/out" "fpt 0x0000 status AUTH_FAILED" "AUTH_FAILED shown"
expect_grep "$ROUT" "mn=192.0.2.11 .*token=bad" "router saw a bad token"
run -A -k $KEY -m 192.0.2.12 -r 192.0.2.1 --retry-ms 200 \
    --retry-max-ms 500 -u "$RPORT" 127.0.0.1
expect_rc 1 "held off after a token failure"
stop_resp
expect_grep "$ROUT" '"backoff_source":[1-9]' "router counted the back-off"
count_grep "$ROUT" "mn=192.0.2.12 " 0 "held-off CTARs never reached the callback"

start_resp
run -A -k $BADKEY -m 192.0.2.12 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 1 "wrong key"
expect_grep "$T/out" "status AUTH_FAILED" "wrong key: AUTH_FAILED"
stop_resp

# Failure entries mean exit 1.
start_resp -e
run -A -k $KEY -m 192.0.2.20 -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 1 "CTAA with an entry"
expect_grep "$T/out" "fpt 0xff02 \(qos\) status NO_CONTEXT" "entry shown"
stop_resp

# The router ignores the first two: the third try is answered.
start_resp -n 2
run -v -A -k $KEY -m 192.0.2.21 -r 192.0.2.1 --retry-ms 100 \
    --retry-max-ms 2000 -u "$RPORT" 127.0.0.1
expect_rc 0 "answer to a retransmission"
count_grep "$T/err" "sent CTAR" 3 "three sends"
expect_grep "$T/out" "\(try 3," "answered on try 3"
count_grep "$ROUT" "mn=192.0.2.21 " 3 "router saw 3 tries, one sequence"
if [ "$(awk '/mn=192.0.2.21 /{print $4}' "$ROUT" | sort -u | wc -l)" -eq 1 ]
then ok "retransmissions reuse the sequence number"; else
	nok "sequence numbers differ"; fi
stop_resp

# IPv6 on ::1.
if "$RESP" -t 100 -k $KEY -l ::1 >/dev/null 2>&1; then
	start_resp -l ::1
	run -6 -A -k $KEY -m 2001:db8::10 -r 2001:db8::1 -u "$RPORT" ::1
	expect_rc 0 "IPv6 CTAA"
	expect_grep "$ROUT" "mn=2001:db8::10 .*token=ok" "IPv6 token ok"
	stop_resp
else
	echo "# no IPv6 on loopback: IPv6 cases not run"
fi

# Flood: 60 CTARs at 600/s from random MNs; the router limits to 10/s.
start_resp -R 10/s
run --flood 60/600 --flood-prefix 203.0.113.0/24 -k $KEY -m 203.0.113.1 \
    -r 192.0.2.1 -u "$RPORT" 127.0.0.1
expect_rc 0 "--flood"
expect_grep "$T/out" "^flood: 60 CTARs sent in" "flood summary"
sleep 0.2
stop_resp
expect_grep "$ROUT" '"received":60' "router received 60"
expect_grep "$ROUT" '"rate_source":[1-9]' "router rate-limited the flood"
n=$(grep -c "mn=203\.0\.113\." "$ROUT")
if [ "$n" -ge 1 ] && [ "$n" -le 20 ]; then
	ok "few CTARs passed the limits ($n)"
else
	nok "$n CTARs passed the limits"
fi

# The key never appears in any output.
if grep -rqi -e "$KEY" -e "$BADKEY" "$T"/out "$T"/err "$T"/resp.*; then
	nok "key printed"
else
	ok "key never printed"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
