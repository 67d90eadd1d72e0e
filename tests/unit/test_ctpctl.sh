#!/bin/sh
# SPDX-License-Identifier: ISC
#
# ctpctl decode/encode from the outside: the spec 3.9 vector in text and
# JSON, raw and ICMP-wrapped, binary and hex; decode -j | encode round trips;
# malformed input with the exact error, offset and exit status; usage errors.
# Run by `make check` with top_srcdir and top_builddir in the environment.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
CTPCTL=$top_builddir/ctpctl/ctpctl
D=$top_srcdir/tests/data

T=$(mktemp -d "${TMPDIR:-/tmp}/test_ctpctl.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	if [ -s "$T/out" ]; then sed 's/^/#   out: /' "$T/out" | head -40; fi
	if [ -s "$T/err" ]; then sed 's/^/#   err: /' "$T/err" | head -10; fi
}

# run ARGS...: ctpctl with stdin from /dev/null; sets rc, out and err files.
run() {
	"$CTPCTL" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

# run_in FILE ARGS...: the same with stdin from FILE.
run_in() {
	in=$1
	shift
	"$CTPCTL" "$@" <"$in" >"$T/out" 2>"$T/err"
	rc=$?
}

expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
		nok "$2: exit $rc, expected $1"; fi
}

# expect_line FILE LINE DESC: FILE ("out" or "err") has exactly this line.
expect_line() {
	if grep -Fqx -e "$2" "$T/$1"; then ok "$3: $1 has '$2'"; else
		nok "$3: $1 lacks '$2'"; fi
}

expect_no_line() {
	if grep -q -e "$2" "$T/$1"; then nok "$3: $1 has '$2'"; else
		ok "$3: $1 has no '$2'"; fi
}

# Octets of a hex file, normalised to one lower-case string.
hexof() {
	tr -d ' \t\n:' <"$1" | tr 'A-F' 'a-f'
}

if [ ! -x "$CTPCTL" ]; then
	echo "not ok - $CTPCTL not built"
	echo "0 passed, 1 failed"
	exit 1
fi

# ------------------------------------------------- spec 3.9 vector, text
run decode "$D/ctpctl-ctar-v4.hex"
expect_rc 0 "decode 3.9 hex"
for l in "type: CTAR" "version: 1" "family: ipv4" "flags: A" "length: 24" \
    "mn: 192.0.2.10" "ar: 198.51.100.1" "seq: 16909060" "token: 407859c4"; do
	expect_line out "$l" "decode 3.9 text"
done
if grep -q '^cdbs\[0\]:$' "$T/out" && grep -q '^  .*0x0001' "$T/out" &&
    ! grep -q '^cdbs\[1\]' "$T/out"; then
	ok "decode 3.9 text: one CDB, indented, FPT 0x0001"
else
	nok "decode 3.9 text: one CDB, indented, FPT 0x0001"
fi
cp "$T/out" "$T/text-hex"

run decode "$D/ctpctl-ctar-v4.bin"
expect_rc 0 "decode 3.9 binary"
if cmp -s "$T/out" "$T/text-hex"; then ok "binary and hex decode alike"
else nok "binary and hex decode alike"; fi

run_in "$D/ctpctl-ctar-v4.hex" decode -
expect_rc 0 "decode 3.9 from stdin"
if cmp -s "$T/out" "$T/text-hex"; then ok "stdin and file decode alike"
else nok "stdin and file decode alike"; fi

run dec "$D/ctpctl-ctar-v4.hex"
expect_rc 0 "abbreviated command"

run -s "$T/nonexistent.sock" decode "$D/ctpctl-ctar-v4.hex"
expect_rc 0 "-s is accepted by offline commands"

# ------------------------------------------------- spec 3.9 vector, JSON
run decode -j "$D/ctpctl-ctar-v4.hex"
expect_rc 0 "decode -j 3.9"
for l in '"type": "CTAR",' '"version": 1,' \
    '"family": "ipv4",' '"length": 24,' '"mn": "192.0.2.10",' \
    '"ar": "198.51.100.1",' '"seq": 16909060,' '"token": "407859c4",'; do
	expect_line out "    $l" "decode -j 3.9"
done
expect_line out '  "status": "ok",' "decode -j 3.9"
expect_line out '      "A"' "decode -j 3.9"
cp "$T/out" "$T/json-3.9"
run -j decode "$D/ctpctl-ctar-v4.hex"
if cmp -s "$T/out" "$T/json-3.9"; then ok "global -j same as decode -j"
else nok "global -j same as decode -j"; fi

# ------------------------------------------------- ICMP wrappers
run decode "$D/ctpctl-icmp4-ctar.hex"
expect_rc 0 "decode ICMPv4"
for l in "icmp:" "  family: ipv4" "  type: 41" "  code: 0" \
    "  checksum: 0x29a4" "  checksum_verified: yes" "  subtype: 1" \
    "message:" "  type: CTAR" "  mn: 192.0.2.10" "  token: 407859c4"; do
	expect_line out "$l" "decode ICMPv4 text"
done
run decode -j "$D/ctpctl-icmp4-ctar.hex"
expect_line out '    "checksum": "0x29a4",' "decode -j ICMPv4"
expect_line out '    "checksum_verified": true,' "decode -j ICMPv4"

run decode "$D/ctpctl-icmp6-ctaa.hex"
expect_rc 0 "decode ICMPv6 (':'-separated hex)"
for l in "  type: 150" "  checksum: 0x1234" "  checksum_verified: no" \
    "  type: CTAA" "  mn: 2001:db8::10" "  family: ipv6"; do
	expect_line out "$l" "decode ICMPv6 text"
done
if grep -q 'checksum.*cannot be verified without the source and destination' \
    "$T/out"; then ok "ICMPv6: says the checksum is not verifiable"
else nok "ICMPv6: says the checksum is not verifiable"; fi

# ------------------------------------------------- other types
run decode "$D/ctpctl-ctdr-v4.hex"
expect_rc 0 "decode CTDR"
for l in "flags: S" "  status: SUCCESS" "  status: 64" "  status: AUTH_FAILED"; do
	expect_line out "$l" "decode CTDR"
done
if grep -q '^notes\[0\]: .*(D11)$' "$T/out"; then ok "CTDR: D11 verdict"
else nok "CTDR: D11 verdict"; fi

# Typed feature fields, indented under their CDB.
run decode "$D/ctpctl-ctd-v6-features.hex"
expect_rc 0 "decode CTD with every feature"
for l in "cdbs[1]:" "  feature: qos" "  fields:" "    dscp: 46" \
    "    src: ::ffff:192.0.2.10" "    mode: O" "      status: NO_CONTEXT" \
    "    group: ff02::fb"; do
	expect_line out "$l" "decode CTD with every feature"
done

# The key is shown only with -k.
run decode "$D/ctpctl-pctd-v6.hex"
expect_rc 0 "decode PCTD"
expect_line out "key_len: 13" "decode PCTD"
expect_line out "elapsed_ms: 1000" "decode PCTD"
expect_no_line out "^key:" "decode PCTD without -k"
expect_no_line out "63747064" "decode PCTD without -k"
run decode -k "$D/ctpctl-pctd-v6.hex"
expect_line out "key: 637470642d746573742d6b6579" "decode -k PCTD"

run decode -j "$D/ctpctl-pctd-v6.hex"
cp "$T/out" "$T/pctd-nokey.json"
run encode "$T/pctd-nokey.json"
expect_rc 1 "encode PCTD without its key"
expect_line err "ctpctl: encode: message.key: missing member (decode prints the key only with -k) (JSON)" "encode PCTD without its key"

# ------------------------------------------------- round trips
for f in ctpctl-ctar-v4 ctpctl-icmp4-ctar ctpctl-icmp6-ctaa ctpctl-pctd-v6 \
    ctpctl-ctdr-v4 ctpctl-ctd-v6-features; do
	"$CTPCTL" decode -j -k "$D/$f.hex" >"$T/rt.json" 2>"$T/err" &&
	    "$CTPCTL" encode -x "$T/rt.json" >"$T/rt.hex" 2>>"$T/err"
	rc=$?
	if [ $rc -eq 0 ] && [ "$(hexof "$T/rt.hex")" = "$(hexof "$D/$f.hex")" ]; then
		ok "round trip $f"
	else
		cp "$T/rt.hex" "$T/out"
		nok "round trip $f"
	fi
done
"$CTPCTL" decode -j "$D/ctpctl-ctar-v4.bin" | "$CTPCTL" encode - >"$T/rt.bin"
if cmp -s "$T/rt.bin" "$D/ctpctl-ctar-v4.bin"; then
	ok "round trip binary: decode -j | encode -"
else nok "round trip binary: decode -j | encode -"; fi

run encode -x "$T/json-3.9"
expect_rc 0 "encode -x"
expect_line out "21c00018 c000020a c6336401 01020304" "encode -x layout"
expect_line out "407859c4 00010000" "encode -x layout"

# A hand-written bare message, optional members left out.
printf '{"type": "CTC", "mn": "2001:db8::10"}\n' >"$T/ctc.json"
run encode -x "$T/ctc.json"
expect_rc 0 "encode bare CTC"
expect_line out "26000014 20010db8 00000000 00000000" "encode bare CTC"
expect_line out "00000010" "encode bare CTC"

# ------------------------------------------------- malformed input
# file, error name, offset, text
while IFS='|' read -r f name off text; do
	run decode "$D/$f"
	expect_rc 1 "decode $f"
	if [ -n "$off" ]; then
		expect_line err "ctpctl: decode: at offset $off: $text ($name)" "decode $f"
	else
		expect_line err "ctpctl: decode: $text ($name)" "decode $f"
	fi
	run decode -j "$D/$f"
	expect_rc 1 "decode -j $f"
	if [ -n "$off" ]; then
		expect_line out "{\"status\":\"error\",\"error\":\"$name\",\"message\":\"$text\",\"offset\":$off}" "decode -j $f"
	else
		expect_line out "{\"status\":\"error\",\"error\":\"$name\",\"message\":\"$text\"}" "decode -j $f"
	fi
done <<'EOF'
ctpctl-bad-len-over.hex|LEN_OVER|2|Length field larger than the data
ctpctl-bad-version.hex|VERSION|0|unsupported protocol version
ctpctl-bad-cdb-overrun.hex|CDB_OVERRUN|12|context data block runs past the end of the message
ctpctl-bad-icmp6-code.hex|ICMP_CODE|1|ICMP code is not 0
ctpctl-bad-icmp4-csum.hex|ICMP_CSUM|2|bad ICMP checksum
ctpctl-bad-icmp4-ctc.hex|ICMP_MSG|8|ICMP carries a message other than CTAR or CTAA
ctpctl-bad-icmp4-inner.hex|LEN_OVER|10|Length field larger than the data
ctpctl-bad-odd.hex|INPUT||odd number of hex digits
EOF

printf '' >"$T/empty"
run decode "$T/empty"
expect_rc 1 "decode empty input"
expect_line err "ctpctl: decode: at offset 0: truncated: fewer octets than the field needs (SHORT)" "decode empty input"

run decode "$T/does-not-exist"
expect_rc 1 "decode missing file"
run -j decode "$T/does-not-exist"
if grep -q '^{"status":"error","error":"SYSTEM","message":".*does-not-exist: No such file or directory"}$' "$T/out"
then ok "decode -j missing file"; else nok "decode -j missing file"; fi

# ------------------------------------------------- encode errors
while IFS='|' read -r json text; do
	printf '%s\n' "$json" >"$T/bad.json"
	run encode "$T/bad.json"
	expect_rc 1 "encode $json"
	expect_line err "ctpctl: encode: $text" "encode $json"
done <<'EOF'
{"type": "CTC", "mn": "192.0.2.1", "colour": "blue"}|colour: unknown member (JSON)
{"message": {"type": "CTC", "mn": "192.0.2.1", "seq": 1}}|message.seq: not a member of a CTC (JSON)
{"message": {"type": "CTC", "mn": "192.0.2.1"}, "extra": 1}|extra: unknown member (JSON)
{"type": "CTAR", "mn": "192.0.2.1", "ar": "192.0.2.2", "seq": -1, "token": "00000000"}|seq: -1 is out of range 0..4294967295 (JSON)
{"type": "CTC", "mn": "192.0.2.1", "length": 12}|length: 12, but the message encodes to 8 octets (leave it out to have it computed) (JSON)
{"icmp": {"family": "ipv4"}, "message": {"type": "CTC", "mn": "192.0.2.1"}}|message.type: an ICMP wrapper carries only a CTAR or a CTAA (ICMP_MSG)
{"icmp": {"family": "ipv4", "code": 1}, "message": {"type": "CTAA", "mn": "192.0.2.1"}}|icmp.code: only code 0 carries CXTP (D12) (JSON)
{"type": "CTC", "mn": "192.0.2.1",}|line 1, column 35: string or '}' expected near '}' (JSON)
{"type": "CTD", "mn": "192.0.2.1", "elapsed_ms": 0, "cdbs": [{"feature": "qos", "fields": {"family": 4, "dscp": 70}}]}|cdbs[0]: qos.dscp: 70 out of range 0..63 (FIELD)
EOF

# ------------------------------------------------- usage
run
expect_rc 2 "no command"
expect_line err "usage: ctpctl [-hj] [-s socket] command [argument ...]" "no command"
run frobnicate
expect_rc 2 "unknown command"
expect_line err 'ctpctl: unknown command "frobnicate"' "unknown command"
run decode
expect_rc 2 "decode without operand"
run decode a b
expect_rc 2 "decode with two operands"
run decode -z "$D/ctpctl-ctar-v4.hex"
expect_rc 2 "decode with a bad option"
run encode
expect_rc 2 "encode without operand"
run -q decode "$D/ctpctl-ctar-v4.hex"
expect_rc 2 "bad global option"
run -h
expect_rc 0 "-h"
expect_line out "usage: ctpctl [-hj] [-s socket] command [argument ...]" "-h"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
