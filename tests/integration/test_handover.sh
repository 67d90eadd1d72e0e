#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Transfers between real ctpd processes (issue 4 §6): predictive and
# reactive handovers over IPv4 and IPv6 with the contexts compared field by
# field at the nAR, the pAR's copy and key wiped and no TLS handshake on the
# way; bad tokens at the pAR and at the nAR; the retry of a reliable context
# whose exec hook fails once; malformed datagrams from an MN; a repeated
# CTAR answered from the cached CTAA.
. "$(dirname "$0")/lib.sh"
need_root
setup handover
D=$top_srcdir/tests/data

# ------------------------------------------------------------ helpers

# snap N NAME: router N's `show stats -j` kept as $T/s.NAME (three tries).
snap() {
	for _t in 1 2 3; do
		ctl "$1" -j show stats
		if [ "$rc" = 0 ] && grep -Fq '"xfer"' "$T/out"; then
			cp "$T/out" "$T/s.$2"
			return 0
		fi
		echo "#   show stats at ar$1 failed (exit $rc):" \
		    "$(head -c 200 "$T/out" "$T/err" | tr '\n' ' ')"
	done
	: >"$T/s.$2"
}
# dlt A B SECTION KEY: counter KEY of SECTION in snapshot B minus that in
# A; "missing" if either has no such counter.
dlt() {
	_a=$(jsec "$T/s.$1" "$3" "$4")
	_b=$(jsec "$T/s.$2" "$3" "$4")
	if [ -z "$_a" ] || [ -z "$_b" ]; then echo missing; return; fi
	echo $((_b - _a))
}
# is_d A B SECTION KEY WANT: the counter went up by exactly WANT (if not,
# a comment line says by how much).
is_d() {
	_d=$(dlt "$1" "$2" "$3" "$4")
	[ "$_d" = "$5" ] && return 0
	echo "#   $3 $4: $_d from $1 to $2, not $5"
	return 1
}

# put_key N MN FILE...: put_ctx with a token key handed over too (the keys
# file has only a few MNs); the expected list in $T/want.MN.
put_key() {
	_r=$1
	_m=$2
	shift 2
	put_ctx "$_r" "$_m" "$@" || return 1
	[ "$rc" = 0 ] || return 1
	sed "s/^{\"mn\": \"$_m\"/{\"mn\": \"$_m\", \"key\": \"$MNKEY\"/" \
	    "$T/put.$_m.json" >"$T/putk.$_m.json"
	ctl "$_r" context put "$T/putk.$_m.json"
	[ "$rc" = 0 ]
}

# ctx_ok DESC N MN ARRAY: MN's ARRAY at router N, as read with ctpctl -j,
# equals $T/want.MN field by field (exec-installed ones included).
ctx_ok() {
	ctl "$2" -j show mn "$3"
	norm "$T/out" | sed 's/,"provider":"[a-z]*"//g' |
	    ctx_list "$4" >"$T/got.$3"
	if [ -s "$T/got.$3" ] && cmp -s "$T/want.$3" "$T/got.$3"; then
		ok "$1"
	else
		{ echo "want:"; cat "$T/want.$3"; echo "got:"; cat "$T/got.$3"
		    } >"$T/diff"
		nok "$1" "$T/diff"
	fi
}

# mn_has N MN PATTERN: router N's `show mn -j` of MN, normalised, holds
# the fixed string PATTERN.
mn_has() {
	ctl "$1" -j show mn "$2"
	[ "$rc" = 0 ] && norm "$T/out" | grep -Fq -e "$3"
}

# mn_has_re N MN REGEX: the same with an extended regular expression.
mn_has_re() {
	ctl "$1" -j show mn "$2"
	[ "$rc" = 0 ] && norm "$T/out" | grep -Eq -e "$3"
}

# par_wiped N MN [configured]: router N's copy of MN's contexts and its key
# are gone and no pAR transfer runs for it (DONE, or IDLE once the entry is
# reclaimed); for a key from the keys file, a tombstone says it was used
# (key_wiped), as such a key cannot be erased.
par_wiped() {
	ctl "$1" -j show mn "$2"
	[ "$rc" = 0 ] || return 1
	norm "$T/out" >"$T/pw"
	grep -Eq '"par":\{"state":"(DONE|IDLE)"' "$T/pw" || return 1
	if [ -n "${3:-}" ]; then
		grep -Fq '"key_wiped":true' "$T/pw" || return 1
	fi
	grep -Fq '"store":null' "$T/pw" && return 0
	grep -Fq '"key":false' "$T/pw" && grep -Fq '"contexts":[]' "$T/pw"
}
# wait_wiped N MN [configured]: par_wiped within 5 s.
wait_wiped() {
	_k=0
	while [ $_k -lt 50 ]; do
		par_wiped "$@" && return 0
		sleep 0.1
		_k=$((_k + 1))
	done
	return 1
}

# nothing_at N MN: router N neither holds nor installed anything for MN,
# by `show mn` and by `show contexts`.
nothing_at() {
	ctl "$1" -j show mn "$2"
	if [ "$rc" != 0 ]; then
		grep -Fq 'no state' "$T/out" || return 1
	else
		norm "$T/out" >"$T/na"
		grep -Fq '"store":null' "$T/na" ||
		    { grep -Fq '"held":[]' "$T/na" &&
		    grep -Fq '"installed":[]' "$T/na"; } || return 1
	fi
	ctl "$1" -j show contexts
	[ "$rc" = 0 ] || return 1
	# One line per MN of the store; MN's, if there, holds nothing.
	norm "$T/out" | sed 's/{"mn":"/\n/g' |
	    awk -v m="$2\"," 'index($0, m) == 1' >"$T/na"
	[ ! -s "$T/na" ] || grep -Fq '"held":[],"installed":[]' "$T/na"
}

# ctaa_ok: the last ctp-mn run printed a CTAA without failure entries.
ctaa_ok() {
	[ "$rc" = 0 ] && grep -Fq 'every context transferred' "$T/mn.out"
}
# ctaa_auth_failed: ... a CTAA refusing the whole request, AUTH_FAILED.
ctaa_auth_failed() {
	[ "$rc" = 1 ] &&
	    grep -Eq '^CTAA for mn [^ ]*: 1 entry' "$T/mn.out" &&
	    grep -Eq '^  fpt 0x0000 status AUTH_FAILED' "$T/mn.out"
}

# hs_total, rc_total: TLS handshakes completed and channel
# re-establishments, summed over the three routers.
hs_total() {
	_s=0
	for _r in 1 2 3; do
		ctl $_r -j show status
		_v=$(json_num "$T/out" handshakes)
		_s=$((_s + ${_v:-100000}))
	done
	echo $_s
}
rc_total() {
	_s=0
	for _r in 1 2 3; do
		ctl $_r -j show peers
		for _v in $(norm "$T/out" | grep -o '"reconnects":[0-9]*' |
		    sed 's/.*://'); do
			_s=$((_s + _v))
		done
	done
	echo $_s
}
# hs_settle: the handshake total once it holds still for 0.5 s (the
# channels' tie-break may finish a second handshake just after start-up);
# bounded at 5 s.
hs_settle() {
	_k=0
	_p=$(hs_total)
	while [ $_k -lt 10 ]; do
		sleep 0.5
		_n=$(hs_total)
		[ "$_n" = "$_p" ] && break
		_p=$_n
		_k=$((_k + 1))
	done
	echo "$_p"
}
# hs_check DESC H0 R0: no handshake beyond the channel re-establishments
# (liveness on a loaded host) since H0 handshakes, R0 re-establishments.
hs_check() {
	_h1=$(hs_total)
	_r1=$(rc_total)
	if [ $((_h1 - $2)) -le $((_r1 - $3)) ]; then
		ok "$1 ($2 before, $_h1 after, $((_r1 - $3)) re-established)"
	else
		nok "$1 ($2 before, $_h1 after, $((_r1 - $3)) re-established)"
	fi
}

# all_up: every router has both others up (10 s each).
all_up() {
	for _r in 1 2 3; do
		for _o in 1 2 3; do
			[ "$_r" = "$_o" ] && continue
			wait_up $_r ar$_o || return 1
		done
	done
}

# log_since N LINE: router N's log after line LINE.
log_since() { tail -n "+$(($2 + 1))" "$T/ar$1/log"; }
# suppressed: ar2 logged, since line L0, a malformed-message line that
# counts the similar lines left out before it.
suppressed() {
	log_since 2 "$L0" |
	    grep -Eq 'malformed message.*\([0-9]+ similar lines suppressed\)'
}

# mn_py ADDR CODE: python3 in the MN namespace runs CODE with a UDP socket
# s and dst, ADDR port 5091.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
mn_py() {
	ip netns exec "$(ns mn)" timeout 20 $PY -c "
import socket, random, time
dst = ('$1', 5091)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
$2
"
}

DEFAULT_FEATURES=$FEATURES

three_routers || { nok "three routers up"; finish; }
ok "three routers up, every channel established"
H0=$(hs_settle)
R0=$(rc_total)

# ------------------------------------------------------------ IPv4

# Predictive: CTSR to the pAR ar1 naming ar2, then the CTAR at ar2.
M=203.0.113.10
put_ctx 1 $M "$D/feature-aaa.json" "$D/feature-qos-v4.json" \
    "$D/feature-rohc.json"
check "v4 predictive: contexts of $M put at ar1" [ "$rc" = 0 ]
snap 1 p4a
snap 2 p4b
mn -A -s 0x10203040 -k $MNKEY -m $M -r 192.0.2.2 198.51.100.1
check "v4 predictive: CTAA from the pAR says success" ctaa_ok
check "v4 predictive: ar2 holds the pushed contexts" wait_state 2 $M HELD
mn -A -s 0x10203040 -k $MNKEY -m $M -r 192.0.2.1 198.51.100.2
check "v4 predictive: CTAA from the nAR says success" ctaa_ok
check "v4 predictive: ar2 is the active nAR" wait_state 2 $M ACTIVE
ctx_ok "v4 predictive: contexts installed at ar2 equal those put at ar1" \
    2 $M installed
check "v4 predictive: nothing left held at ar2" mn_has 2 $M '"held":[]'
check "v4 predictive: ar1's copy and key wiped" wait_wiped 1 $M configured
check "v4 predictive: pAR state is DONE" mn_has 1 $M \
    '"par":{"state":"DONE"'
snap 1 p4c
snap 2 p4d
check "v4 predictive: ar1 sent one PCTD, no CTD" \
    eval 'is_d p4a p4c sent PCTD 1 && is_d p4a p4c sent CTD 0'
check "v4 predictive: ar2 sent no CT-Req, one CTDR" \
    eval 'is_d p4b p4d sent CTREQ 0 && is_d p4b p4d sent CTDR 1'
check "v4 predictive: ar2 counted one install" is_d p4b p4d xfer installs 1

# Reactive: the CTAR only at the nAR, which pulls with CT-Req / CTD.
M=203.0.113.11
put_ctx 1 $M "$D/feature-aaa.json" "$D/feature-qos-v4.json" \
    "$D/feature-mld.json"
check "v4 reactive: contexts of $M put at ar1" [ "$rc" = 0 ]
snap 1 r4a
snap 2 r4b
mn -A -k $MNKEY -m $M -r 192.0.2.1 198.51.100.2
check "v4 reactive: CTAA from the nAR says success" ctaa_ok
check "v4 reactive: ar2 is the active nAR" wait_state 2 $M ACTIVE
ctx_ok "v4 reactive: contexts installed at ar2 equal those put at ar1" \
    2 $M installed
check "v4 reactive: ar1's copy and key wiped" wait_wiped 1 $M configured
snap 1 r4c
snap 2 r4d
check "v4 reactive: ar2 sent one CT-Req, ar1 received it" \
    eval 'is_d r4b r4d sent CTREQ 1 && is_d r4a r4c received CTREQ 1'
check "v4 reactive: ar1 answered with one CTD, no PCTD" \
    eval 'is_d r4a r4c sent CTD 1 && is_d r4a r4c sent PCTD 0'
check "v4 reactive: ar1 saw no CTAR" is_d r4a r4c received CTAR 0

# A repeated CTAR (same MN and sequence number) starts nothing new and is
# answered from the cached CTAA, at the pAR and at the nAR.
M=203.0.113.20
put_key 1 $M "$D/feature-aaa.json" "$D/feature-qos-v4.json"
check "replay: contexts and key of $M put at ar1" [ "$rc" = 0 ]
snap 1 d1a
snap 2 d2a
mn -A --replay 3 -s 0x51525354 -k $MNKEY -m $M -r 192.0.2.2 198.51.100.1
check "replay: three copies of the CTSR at ar1 draw three CTAAs, success" \
    eval 'ctaa_ok && grep -Fq "3 CTAAs received" "$T/mn.out"'
check "replay: ar2 holds the pushed contexts" wait_state 2 $M HELD
mn -A --replay 3 -s 0x51525354 -k $MNKEY -m $M -r 192.0.2.1 198.51.100.2
check "replay: three copies of the CTAR at ar2 draw three CTAAs, success" \
    eval 'ctaa_ok && grep -Fq "3 CTAAs received" "$T/mn.out"'
check "replay: ar1's copy and key wiped" wait_wiped 1 $M
ctx_ok "replay: contexts installed at ar2 equal those put at ar1" \
    2 $M installed
snap 1 d1b
snap 2 d2b
check "replay: ar1 pushed one PCTD and answered two copies from its cache" \
    eval 'is_d d1a d1b sent PCTD 1 && is_d d1a d1b xfer ctaa_cached 2'
check "replay: ar2 installed once and answered two copies from its cache" \
    eval 'is_d d2a d2b xfer installs 1 && is_d d2a d2b xfer ctaa_cached 2'
check "replay: ar2 sent one CTDR and no CT-Req" \
    eval 'is_d d2a d2b sent CTDR 1 && is_d d2a d2b sent CTREQ 0'

# Malformed datagrams from an MN (sent with python3): counted, logged at a
# limited rate, and the next MN is served.
malformed_tests() {
	snap 2 m2a
	L0=$(wc -l <"$T/ar2/log")
	mn_py 198.51.100.2 "
random.seed(4067)
for i in range(50):
    b = bytearray(random.getrandbits(8) for _ in range(random.randint(1, 80)))
    b[0] = (b[0] & 0x1f) | 0x80        # version 4: never a CXTP message
    s.sendto(bytes(b), dst)
s.sendto(b'', dst)                                          # empty
s.sendto(bytes.fromhex('21c00020c000020ac6336401'), dst)    # cut CTAR
s.sendto(bytes.fromhex('21c00014c000020ac63364010102030440785'
    '9c400010000'), dst)                                    # Length short
s.sendto(bytes.fromhex('22800010c000020a00010200ff010300'), dst)  # CTAA
"
	check "malformed: python3 sent the datagrams from the MN namespace" \
	    [ $? = 0 ]
	_k=0
	while [ $_k -lt 50 ]; do
		snap 2 m2b
		[ "$(dlt m2a m2b mn received)" = 54 ] && break
		sleep 0.1
		_k=$((_k + 1))
	done
	check "malformed: ar2 received all 54 datagrams" \
	    is_d m2a m2b mn received 54
	check "malformed: 53 counted malformed, the CTAA counted not_ctar" \
	    eval 'is_d m2a m2b mn malformed 53 && is_d m2a m2b mn not_ctar 1'
	check "malformed: none delivered to the transfer engine" \
	    is_d m2a m2b mn delivered 0
	log_since 2 "$L0" | grep -F 'mn source 198.51.100.10:' >"$T/mlog"
	NL=$(wc -l <"$T/mlog")
	check "malformed: 54 bad datagrams logged on at most 12 lines ($NL)" \
	    eval '[ "$NL" -ge 1 ] && [ "$NL" -le 12 ]'
	# Once the interval has passed, the next line says how many were
	# left out.
	_k=0
	while [ $_k -lt 5 ]; do
		mn_py 198.51.100.2 "
for i in range(4):
    time.sleep(0.25)
    s.sendto(b'\xff\xff\xff', dst)"
		suppressed && break
		_k=$((_k + 1))
	done
	check "malformed: a later line counts the lines suppressed" suppressed
	check "malformed: ar2 still runs" kill -0 "$(pid_of 2)"
	M=203.0.113.21
	put_key 1 $M "$D/feature-aaa.json" "$D/feature-rohc.json"
	check "malformed: contexts and key of $M put at ar1" [ "$rc" = 0 ]
	mn -A -k $MNKEY -m $M -r 192.0.2.1 198.51.100.2
	check "malformed: a following reactive handover at ar2 succeeds" \
	    ctaa_ok
	ctx_ok "malformed: and installs the contexts put at ar1" 2 $M installed
}
if $PY -c "import socket" 2>/dev/null; then
	malformed_tests
else
	skip_one "malformed datagrams from an MN" "no python3 to send them"
fi

hs_check "v4: no TLS handshake across the handovers" "$H0" "$R0"

# Bad token at the pAR: refused before anything moves.
M=203.0.113.12
put_ctx 1 $M "$D/feature-aaa.json" "$D/feature-qos-v4.json"
check "bad token at pAR: contexts of $M put at ar1" [ "$rc" = 0 ]
snap 1 b1a
snap 2 b2a
mn -A --bad-token -k $MNKEY -m $M -r 192.0.2.2 198.51.100.1
check "bad token at pAR: CTAA says AUTH_FAILED" ctaa_auth_failed
snap 1 b1b
snap 2 b2b
check "bad token at pAR: ar1 counted a token failure" \
    eval 'is_d b1a b1b xfer token_fail 1 && is_d b1a b1b mn auth_failed 1'
check "bad token at pAR: no PCTD sent or received" \
    eval 'is_d b1a b1b sent PCTD 0 && is_d b2a b2b received PCTD 0'
check "bad token at pAR: nothing held or installed at ar2" nothing_at 2 $M
ctx_ok "bad token at pAR: ar1 still has the contexts" 1 $M contexts

# Bad token at the nAR after a push: the nAR checks it with the PCTD's
# key, discards what it held and installs nothing.
M=203.0.113.13
put_ctx 1 $M "$D/feature-aaa.json" "$D/feature-qos-v4.json"
check "bad token at nAR (push): contexts of $M put at ar1" [ "$rc" = 0 ]
# ar1 may still hold this source off after the bad token above.
mn -A --retry-ms 300 -s 0x61626364 -k $MNKEY -m $M -r 192.0.2.2 \
    198.51.100.1
check "bad token at nAR (push): the CTSR at ar1 succeeds" ctaa_ok
check "bad token at nAR (push): ar2 holds the contexts" \
    wait_state 2 $M HELD
snap 2 n2a
mn -A -s 0x61626364 --bad-token -k $MNKEY -m $M -r 192.0.2.1 \
    198.51.100.2
check "bad token at nAR (push): CTAA says AUTH_FAILED" ctaa_auth_failed
snap 2 n2b
check "bad token at nAR (push): ar2 counted a token failure" \
    eval 'is_d n2a n2b xfer token_fail 1 && is_d n2a n2b mn auth_failed 1'
check "bad token at nAR (push): ar2 discarded, installed nothing" \
    eval 'is_d n2a n2b xfer discards 1 && is_d n2a n2b xfer installs 0'
check "bad token at nAR (push): nothing held or installed at ar2" \
    nothing_at 2 $M
check "bad token at nAR (push): ar2 sent no CTDR" is_d n2a n2b sent CTDR 0

# Bad token at the nAR, reactive: the pAR checks the CT-Req's token and
# refuses with an error CDB.  ar2 holds this source off for a while after
# the last failure: ctp-mn retransmits until it is heard.
M=203.0.113.12
snap 1 c1a
snap 2 c2a
mn -A --retry-ms 300 --bad-token -k $MNKEY -m $M -r 192.0.2.1 198.51.100.2
check "bad token at nAR (pull): CTAA says AUTH_FAILED" ctaa_auth_failed
snap 1 c1b
snap 2 c2b
check "bad token at nAR (pull): ar2 sent a CT-Req, ar1 refused its token" \
    eval 'is_d c2a c2b sent CTREQ 1 && is_d c1a c1b xfer token_fail 1'
check "bad token at nAR (pull): ar2 counted the refusal" \
    eval 'is_d c2a c2b xfer refused 1 && is_d c2a c2b mn auth_failed 1'
check "bad token at nAR (pull): nothing installed at ar2" \
    eval 'is_d c2a c2b xfer installs 0 && nothing_at 2 $M'
ctx_ok "bad token at nAR (pull): ar1 still has the contexts" 1 $M contexts

# ------------------------------------------------------------ IPv6

# IPv6 channels; ar3 hands the AAA and QoS contexts to exec hooks.  The
# AAA hook fails once, then succeeds; the QoS hook always fails.
cat >"$T/hook-aaa" <<EOF
#!/bin/sh
cat >>"$T/hooks.in"
if [ -e "$T/hook-aaa.failed" ]; then
	echo "aaa \$1 0" >>"$T/hooks.log"
	exit 0
fi
: >"$T/hook-aaa.failed"
echo "aaa \$1 1" >>"$T/hooks.log"
exit 1
EOF
cat >"$T/hook-qos" <<EOF
#!/bin/sh
cat >>"$T/hooks.in"
echo "qos \$1 1" >>"$T/hooks.log"
exit 1
EOF
chmod 755 "$T/hook-aaa" "$T/hook-qos"
for r in 1 2 3; do stop_ar $r; done
PEER_FAMILY=6
FEATURES=$DEFAULT_FEATURES
write_conf 1
write_conf 2
FEATURES="  aaa:
    provider: exec
    command: $T/hook-aaa
    timeout: 800ms
    reliable: true
  qos:
    provider: exec
    command: $T/hook-qos
    timeout: 800ms
  rohc: {provider: builtin}
  mld: {provider: builtin}"
write_conf 3
FEATURES=$DEFAULT_FEATURES
up=yes
for r in 1 2 3; do start_ar $r || up=no; done
[ $up = yes ] && all_up || up=no
if [ $up = no ]; then
	nok "restart on IPv6 channels, ar3 with exec hooks"
	finish
fi
ok "restart on IPv6 channels, ar3 with exec hooks"
H0=$(hs_settle)
R0=$(rc_total)

M=2001:db8:1::10
put_ctx 1 $M "$D/feature-aaa.json" "$D/feature-qos-v6-pv.json" \
    "$D/feature-mld.json"
check "v6 predictive: contexts of $M put at ar1" [ "$rc" = 0 ]
snap 1 p6a
snap 2 p6b
mn -A -k $MNKEY -s 0x71727374 -m $M -r 2001:db8::2 2001:db8:ff::1
check "v6 predictive: CTAA from the pAR says success" ctaa_ok
check "v6 predictive: ar2 holds the pushed contexts" wait_state 2 $M HELD
mn -A -k $MNKEY -s 0x71727374 -m $M -r 2001:db8::1 2001:db8:ff::2
check "v6 predictive: CTAA from the nAR says success" ctaa_ok
check "v6 predictive: ar2 is the active nAR" wait_state 2 $M ACTIVE
ctx_ok "v6 predictive: contexts installed at ar2 equal those put at ar1" \
    2 $M installed
check "v6 predictive: ar1's copy and key wiped" wait_wiped 1 $M configured
check "v6 predictive: pAR state is DONE" mn_has 1 $M \
    '"par":{"state":"DONE"'
snap 1 p6c
snap 2 p6d
check "v6 predictive: one PCTD from ar1, one CTDR and no CT-Req from ar2" \
    eval 'is_d p6a p6c sent PCTD 1 && is_d p6b p6d sent CTDR 1 &&
    is_d p6b p6d sent CTREQ 0'

M=2001:db8:1::11
put_ctx 1 $M "$D/feature-aaa-pv.json" "$D/feature-qos-v6-pv.json" \
    "$D/feature-rohc.json"
check "v6 reactive: contexts of $M put at ar1" [ "$rc" = 0 ]
snap 1 r6a
snap 2 r6b
mn -A -k $MNKEY -m $M -r 2001:db8::1 2001:db8:ff::2
check "v6 reactive: CTAA from the nAR says success" ctaa_ok
check "v6 reactive: ar2 is the active nAR" wait_state 2 $M ACTIVE
ctx_ok "v6 reactive: contexts installed at ar2 equal those put at ar1" \
    2 $M installed
check "v6 reactive: ar1's copy and key wiped" wait_wiped 1 $M configured
snap 1 r6c
snap 2 r6d
check "v6 reactive: CT-Req from ar2, CTD (no PCTD) from ar1" \
    eval 'is_d r6b r6d sent CTREQ 1 && is_d r6a r6c sent CTD 1 &&
    is_d r6a r6c sent PCTD 0'

hs_check "v6: no TLS handshake across the handovers" "$H0" "$R0"

# R flag: the reliable AAA context is retried until its hook succeeds; the
# QoS context (not reliable) is not.
M=2001:db8:1::20
put_key 1 $M "$D/feature-aaa.json" "$D/feature-qos-v6-pv.json"
check "R retry: contexts and key of $M put at ar1" [ "$rc" = 0 ]
grep '^65281 ' "$T/want.$M" >"$T/want.aaa"
snap 1 h1a
snap 3 h3a
mn -A -k $MNKEY -s 0x81828384 -m $M -r 2001:db8::3 2001:db8:ff::1
check "R retry: the CTSR at ar1 succeeds" ctaa_ok
check "R retry: ar3 holds the pushed contexts" wait_state 3 $M HELD
mn -A -k $MNKEY -s 0x81828384 -m $M -r 2001:db8::1 2001:db8:ff::3
check "R retry: CTAA from ar3 reports the QoS context INSTALL_FAILED" \
    eval '[ "$rc" = 1 ] &&
    grep -Eq "^  fpt 0xff02 \(qos\) status INSTALL_FAILED" "$T/mn.out"'
check "R retry: ar1's copy and key wiped" wait_wiped 1 $M
cp "$T/want.aaa" "$T/want.$M"
ctx_ok "R retry: the AAA context ends installed at ar3, as put at ar1" \
    3 $M installed
check "R retry: ar3 shows it installed by its exec hook" \
    mn_has_re 3 $M '"feature":"aaa","r":true,[^]]*"provider":"exec"'
check "R retry: the AAA hook failed once, then succeeded" \
    [ "$(grep '^aaa ' "$T/hooks.log" 2>/dev/null | tr '\n' ' ')" = \
    "aaa install 1 aaa install 0 " ]
check "R retry: the QoS hook ran once and failed" \
    [ "$(grep '^qos ' "$T/hooks.log" 2>/dev/null | tr '\n' ' ')" = \
    "qos install 1 " ]
check "R retry: ar3 logged the QoS hook's failure" \
    grep -Fq "xfer $M: qos hook exited 1: INSTALL_FAILED" "$T/ar3/log"
check "R retry: hooks were given the context and the MN on stdin" \
    grep -Fq "\"mn\":\"$M\"" "$T/hooks.in"
snap 1 h1b
snap 3 h3b
check "R retry: ar1 retried once with one more CTD" \
    eval 'is_d h1a h1b xfer retry 1 && is_d h1a h1b sent CTD 1'
check "R retry: ar1 reported no reliable context lost" \
    eval 'is_d h1a h1b xfer rel_failed 0 && is_d h1a h1b xfer report_failed 0'
check "R retry: ar3 ran three hooks, two failed, and sent two CTDRs" \
    eval 'is_d h3a h3b providers hooks_started 3 &&
    is_d h3a h3b providers hooks_failed 2 && is_d h3a h3b sent CTDR 2'

finish
