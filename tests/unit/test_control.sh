#!/bin/sh
# SPDX-License-Identifier: ISC
#
# ctpd's control socket through ctpctl: one ctpd -d on loopback (UDP MN
# transport, a tcp/tls peer that is not running), show commands in text and
# JSON, context put/get/del, malformed and oversized requests, the client
# bound, a second ctpd on the same socket, a stale socket, SIGHUP, SIGTERM.
# Only the ctpd processes this script starts are signalled, by PID.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
CTPD=${CTPD:-$top_builddir/ctpd/ctpd}
CTPCTL=${CTPCTL:-$top_builddir/ctpctl/ctpctl}
D=$top_srcdir/tests/data

if [ ! -x "$CTPD" ]; then
	echo "SKIP: $CTPD not built"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: openssl(1) not found (Debian package openssl)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/test_control.XXXXXX") || exit 1
pid=
holders=
cleanup() {
	for p in $pid $holders; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

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
	if [ -s "$T/err" ]; then sed 's/^/#   err: /' "$T/err" | head -10; fi
}

SOCK=$T/ctpd.sock
C="$CTPCTL -s $SOCK"

# ctl ARGS...: ctpctl on our socket; rc, out, err.
ctl() {
	$C "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}
ctl_in() {
	in=$1
	shift
	$C "$@" <"$in" >"$T/out" 2>"$T/err"
	rc=$?
}
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
		nok "$2: exit $rc, expected $1"; fi
}
# expect FILE PATTERN DESC (fixed string)
expect() {
	if grep -Fq -e "$2" "$T/$1"; then ok "$3: $1 has '$2'"; else
		nok "$3: $1 lacks '$2'"; fi
}
expect_not() {
	if grep -Fq -e "$2" "$T/$1"; then nok "$3: $1 has '$2'"; else
		ok "$3: $1 has no '$2'"; fi
}

# Ports from our PID so that parallel runs do not collide.
base=$((20000 + $$ % 20000))

# A throw-away CA-less pair is enough: the peer never answers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=ca.test -keyout "$T/ca.key" -out "$T/ca.crt" \
    >/dev/null 2>&1 &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=ar1.test -keyout "$T/ar1.key" -out "$T/ar1.crt" \
    >/dev/null 2>&1 || { echo "Bail out! openssl cannot make a key"; exit 1; }
chmod 600 "$T/ar1.key" "$T/ca.key"
echo "127.0.0.1 000102030405060708090a0b0c0d0e0f" >"$T/mn-keys"
chmod 600 "$T/mn-keys"

cat >"$T/ctpd.yaml" <<EOF
router:
  id: ar1
  addresses: [127.0.0.1]
  port: $base
mn:
  transport: udp
  listen: [127.0.0.1]
  udp-port: $((base + 1))
tls:
  certificate: $T/ar1.crt
  key: $T/ar1.key
  ca: $T/ca.crt
token:
  keys-file: $T/mn-keys
peers:
  - name: ar2
    addresses: [127.0.0.2]
    port: $((base + 2))
    transport: tcp
    security: tls
    identity: ar2.test
    access-prefixes: [203.0.113.64/26]
features:
  aaa: {provider: builtin, reliable: true}
  qos: {provider: builtin}
control:
  socket: $SOCK
log:
  target: stderr
EOF

# start LOG: ctpd -d in the background; pid set.  Waits (5 s at most) for
# the socket to answer; returns 1 if it does not or ctpd exits.
start() {
	"$CTPD" -d -f "$T/ctpd.yaml" >"$T/$1" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 50 ]; do
		if [ -S "$SOCK" ] && $C show status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop SIGNAL: signal our ctpd and wait (5 s at most); sets st to its exit
# status, or 255 if it had to be killed.
stop() {
	kill "-$1" "$pid" 2>/dev/null
	i=0
	while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		st=255
	else
		wait "$pid"
		st=$?
	fi
	pid=
}

# ---------------------------------------------------------------- start
"$CTPD" -n -f "$T/ctpd.yaml" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "ctpd -n on the test configuration"

if start log1; then ok "ctpd -d starts and answers"; else
	nok "ctpd -d starts and answers"
	sed 's/^/#   log: /' "$T/log1" | head -20
	echo "$pass passed, $fail failed"
	exit 1
fi
mode=$(stat -c %a "$SOCK")
if [ "$mode" = 660 ]; then ok "socket mode 0660"; else
	nok "socket mode is $mode, expected 660"; fi

# ------------------------------------------------------------------ show
ctl show status
expect_rc 0 "show status"
expect out "router: ar1" "show status"
expect out "protocol: 1" "show status"
expect out "handshakes: 0" "show status"
expect_not out "status:" "show status text leaves out the status"
ctl -j show status
expect_rc 0 "show status -j"
expect out '"status": "ok"' "show status -j"
expect out '"router": "ar1"' "show status -j"
ctl sh statu
expect_rc 0 "abbreviated show status"
ctl sh sta
expect_rc 2 "ambiguous abbreviation (status, stats)"

ctl show peers
expect_rc 0 "show peers"
expect out "NAME" "show peers is a table"
expect out "ar2" "show peers"
ctl -j show peers
expect_rc 0 "show peers -j"
expect out '"ar2"' "show peers -j"

ctl show contexts
expect_rc 0 "show contexts (empty)"
ctl -j show contexts
expect_rc 0 "show contexts -j"
expect out '"contexts": [' "show contexts -j"
ctl show transfers
expect_rc 0 "show transfers"
ctl -j show stats
expect_rc 0 "show stats -j"
expect out '"control": {' "show stats -j"
expect out '"handshakes": 0' "show stats -j: no handshake with a down peer"

# --------------------------------------------------------------- context
printf '{"mn": "203.0.113.10", "cdbs": [%s]}\n' \
    "$(cat "$D/feature-qos-v4.json")" >"$T/ctx.json"
ctl context put "$T/ctx.json"
expect_rc 0 "context put FILE"
expect out "mn 203.0.113.10: contexts stored" "context put"
ctl_in "$T/ctx.json" -j context put -
expect_rc 0 "context put - -j (replaces)"
expect out '"mn": "203.0.113.10"' "context put -j"
ctl -j context get 203.0.113.10
expect_rc 0 "context get"
expect out '"dscp": 46' "context get returns the stored field"
expect out '"bucket": 16000' "context get returns the stored field"
ctl show contexts
expect_rc 0 "show contexts"
expect out "203.0.113.10" "show contexts lists the MN"
ctl context del 203.0.113.10
expect_rc 0 "context del"
expect out "mn 203.0.113.10: contexts deleted" "context del"
ctl context get 203.0.113.10
expect_rc 1 "context get after del"
expect err "203.0.113.10" "context get after del names the MN"
ctl -j context get 203.0.113.10
expect_rc 1 "context get -j after del"
expect out '{"status":"error","error":' "error is one JSON line"
ctl context get not-an-address
expect_rc 1 "context get with a bad address"
expect err "must be an IPv4 or IPv6 address" "bad address"
echo '{"mn": "203.0.113.10", "cdbs": [' >"$T/bad.json"
ctl context put "$T/bad.json"
expect_rc 1 "context put of broken JSON"
ctl show mn
expect_rc 2 "show mn without an address is a usage error"

# ------------------------------------------------------- bad requests
{
	echo 'this is not json'
	echo '[1, 2]'
	echo '{"command": 7}'
	echo '{"command": "show nothing", "id": 42}'
	echo '{"command": "show status", "bogus": 1}'
	echo '{"command": "show status", "protocol": 2}'
	echo '{"command": "show mn", "mn": 12}'
	echo '{"command": "show status", "id": "x"}'
} >"$T/raw.in"
ctl_in "$T/raw.in" raw
expect_rc 1 "raw with bad requests"
n=$(grep -c '"status":"error"' "$T/out")
if [ "$n" -eq 7 ]; then ok "seven bad requests, seven error replies"; else
	nok "$n error replies, expected 7"; fi
expect out 'not valid JSON' "malformed JSON"
expect out 'must be a JSON object' "not an object"
expect out '"id":42' "id is echoed in an error"
expect out 'unknown member \"bogus\"' "extra member"
expect out 'this ctpd speaks protocol 1' "protocol version"
if tail -n 1 "$T/out" | grep -q '"status":"ok".*"id":"x"'; then
	ok "the connection keeps serving after bad requests"; else
	nok "last reply is not ok with the id"; fi

# A line over 256 KiB: error, connection closed, daemon serving.
head -c 300000 /dev/zero | tr '\0' 'a' >"$T/big.in"
echo >>"$T/big.in"
echo '{"command": "show status"}' >>"$T/big.in"
ctl_in "$T/big.in" raw
expect_rc 1 "oversized request"
expect out 'longer than 262144 octets' "oversized request"
ctl show status
expect_rc 0 "daemon serves after an oversized request"

# ----------------------------------------------------- client bound
holders=
i=0
while [ $i -lt 16 ]; do
	sleep 3 | $C raw >/dev/null 2>&1 &
	holders="$holders $!"
	i=$((i + 1))
done
sleep 1
ctl -j show status
expect_rc 1 "17th client refused"
expect out 'too many control clients' "17th client refused"
for p in $holders; do
	wait "$p"
done
holders=
ctl show status
expect_rc 0 "clients served again once the others left"

# --------------------------------------------- second ctpd, SIGHUP
timeout 10 "$CTPD" -d -f "$T/ctpd.yaml" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "a second ctpd on the same socket"
expect err "another ctpd is running" "a second ctpd"

kill -HUP "$pid"
sleep 0.3
if kill -0 "$pid" 2>/dev/null; then ok "SIGHUP does not stop ctpd"; else
	nok "ctpd died on SIGHUP"; fi
ctl show status
expect_rc 0 "serving after SIGHUP"
cp "$T/log1" "$T/out"
expect out "reload is not supported yet" "SIGHUP is logged"

# ---------------------------------------------------------- SIGTERM
stop TERM
if [ "$st" -eq 0 ]; then ok "SIGTERM: exit 0"; else
	nok "SIGTERM: exit $st"; fi
if [ -e "$SOCK" ]; then nok "socket left behind"; else
	ok "socket removed"; fi
cp "$T/log1" "$T/out"
expect out "SIGTERM: stopping" "SIGTERM is logged"
ctl show status
expect_rc 1 "ctpctl without a daemon"
expect err "ctpctl: cannot connect to $SOCK: " "ctpctl without a daemon"
expect err "(is ctpd running?)" "ctpctl without a daemon"

# ------------------------------------------------ stale and foreign
if start log2; then ok "restart"; else nok "restart"; fi
stop KILL
if [ -S "$SOCK" ]; then ok "SIGKILL leaves a stale socket"; else
	nok "no stale socket after SIGKILL"; fi
if start log3; then ok "start over a stale socket"; else
	nok "start over a stale socket"; fi
cp "$T/log3" "$T/out"
expect out "removed a stale socket" "stale socket"
stop INT
if [ "$st" -eq 0 ]; then ok "SIGINT: exit 0"; else nok "SIGINT: exit $st"; fi

: >"$SOCK"
timeout 10 "$CTPD" -d -f "$T/ctpd.yaml" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "a plain file at the socket path"
expect err "exists and is not a socket" "a plain file at the socket path"
if [ -f "$SOCK" ]; then ok "the file is left alone"; else
	nok "the file was removed"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
