#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The demo configurations etc/demo/ar1.yaml..ar3.yaml: each passes
# `ctpd -n` with no warning, names itself, has the other two routers as
# its peers over SCTP with TLS, and names files only under /etc/ctpd/ and
# /run/ctpd/, the two paths tests/integration/demo.sh rewrites.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
CTPD=${CTPD:-$top_builddir/ctpd/ctpd}
case $CTPD in /*) ;; *) CTPD=$(pwd)/$CTPD ;; esac
D=$top_srcdir/etc/demo

if [ ! -x "$CTPD" ]; then
	echo "SKIP: $CTPD not built"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/test_demo_conf.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
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
	if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/#   /' "$2" |
	    head -n 10; fi
}

echo "configuration OK" >"$T/ok"
for i in 1 2 3; do
	f=$D/ar$i.yaml
	if [ ! -r "$f" ]; then
		nok "ar$i.yaml: missing"
		continue
	fi
	"$CTPD" -n -f "$f" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 0 ] && cmp -s "$T/ok" "$T/err" && [ ! -s "$T/out" ]
	then ok "ar$i.yaml: ctpd -n says 'configuration OK' only"
	else nok "ar$i.yaml: ctpd -n exit $rc" "$T/err"; fi

	"$CTPD" -nv -f "$f" </dev/null >"$T/dump" 2>"$T/err"
	if grep -q "^  id: ar$i\$" "$T/dump"; then ok "ar$i.yaml: router.id ar$i"
	else nok "ar$i.yaml: router.id is not ar$i" "$T/dump"; fi

	want=$(for j in 1 2 3; do [ "$j" = "$i" ] || echo "ar$j"; done)
	got=$(sed -n 's/^  - name: \(.*\)$/\1/p' "$T/dump")
	if [ "$got" = "$want" ]; then ok "ar$i.yaml: peers are the other two"
	else nok "ar$i.yaml: peers: $(echo "$got" | tr "\n" " ")"; fi

	n=$(grep -c '^    transport: sctp$' "$T/dump")
	m=$(grep -c '^    security: tls$' "$T/dump")
	if [ "$n" -eq 2 ] && [ "$m" -eq 2 ]; then
		ok "ar$i.yaml: both peers over SCTP with TLS"
	else nok "ar$i.yaml: $n sctp and $m tls peers"; fi

	# Every absolute path in the effective configuration (defaults too).
	grep -o ': /[^ ]*' "$T/dump" | sed 's/^: //' >"$T/paths"
	grep -Ev '^/(etc|run)/ctpd/' "$T/paths" >"$T/bad"
	if [ -s "$T/paths" ] && [ ! -s "$T/bad" ]; then
		ok "ar$i.yaml: files only under /etc/ctpd/ and /run/ctpd/"
	else nok "ar$i.yaml: paths the demo would not move" "$T/bad"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
