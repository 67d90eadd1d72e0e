#!/bin/sh
# SPDX-License-Identifier: ISC
#
# ctpd -n and -nv from the outside: the example configuration is OK; every
# broken configuration in tests/data/conf exits 1 with exactly its
# file:line:col lines; warnings keep exit 0; the -nv dump matches the golden
# dumps and parses back to itself; option errors.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
CTPD=${CTPD:-$top_builddir/ctpd/ctpd}
case $CTPD in /*) ;; *) CTPD=$(pwd)/$CTPD ;; esac
D=$top_srcdir/tests/data/conf

if [ ! -x "$CTPD" ]; then
	echo "SKIP: $CTPD not built"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/test_ctpd_conf.XXXXXX") || exit 1
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
	if [ -s "$T/diff" ]; then sed 's/^/#   /' "$T/diff" | head -20; fi
	: >"$T/diff"
}

# run ARGS...: ctpd in the data directory (messages name files as given).
run() {
	(cd "$D" && "$CTPD" "$@") </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}
expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2: exit $1"; else
		nok "$2: exit $rc, expected $1"; sed 's/^/#   err: /' "$T/err" |
		    head -5; fi
}
# same FILE EXPECTED DESC: FILE ("out" or "err") is exactly EXPECTED.
same() {
	if diff -u "$2" "$T/$1" >"$T/diff" 2>&1; then ok "$3"; else
		nok "$3"; fi
}

# ---------------------------------------------------------- the example
run -n -f "$top_srcdir/etc/ctpd.yaml"
expect_rc 0 "etc/ctpd.yaml"
echo "configuration OK" >"$T/ok"
same err "$T/ok" "etc/ctpd.yaml: 'configuration OK' and nothing else"
if [ -s "$T/out" ]; then nok "-n prints nothing on stdout"; else
	ok "-n prints nothing on stdout"; fi

# --------------------------------------------- -nv parses back to itself
run -nv -f "$top_srcdir/etc/ctpd.yaml"
expect_rc 0 "-nv etc/ctpd.yaml"
cp "$T/out" "$T/dump1.yaml"
if grep -q '^router:' "$T/dump1.yaml" && grep -q '^  id: ar1$' \
    "$T/dump1.yaml"; then ok "-nv prints the configuration"; else
	nok "-nv output lacks router.id"; fi
run -nv -f "$T/dump1.yaml"
expect_rc 0 "the -nv dump is a valid configuration"
same out "$T/dump1.yaml" "the dump of the dump is the dump"

# Every key of the dump is documented in ctpd.yaml(5).
missing=
for k in $(sed -n 's/^[ -]*\([a-z][a-z0-9-]*\):.*/\1/p' "$T/dump1.yaml" |
    sort -u); do
	case $k in
	aaa|qos|rohc|mld)	# names under features, listed in its text
		grep -Eq "by name:.*$k" "$top_srcdir/man/ctpd.yaml.5" ;;
	*)	grep -Eq "^\.(It )?Ic ([a-z*-]+\.)*$k( |\$)" \
		    "$top_srcdir/man/ctpd.yaml.5" ;;
	esac || missing="$missing $k"
done
if [ -z "$missing" ]; then ok "ctpd.yaml(5) lists every key of the dump"
else nok "ctpd.yaml(5) lacks:$missing"; fi

# ------------------------------------------------------- golden files
n=0
for y in "$D"/*.yaml; do
	b=$(basename "$y" .yaml)
	if [ -f "$D/$b.err" ]; then
		case $b in
		warn-*)	run -n -f "$b.yaml"
			expect_rc 0 "$b (warnings only)"
			cat "$D/$b.err" "$T/ok" >"$T/want"
			same err "$T/want" "$b: warnings, then OK" ;;
		*)	run -n -f "$b.yaml"
			expect_rc 1 "$b"
			same err "$D/$b.err" "$b: exactly the expected lines" ;;
		esac
		n=$((n + 1))
	fi
	if [ -f "$D/$b.out" ]; then
		run -nv -f "$b.yaml"
		expect_rc 0 "$b -nv"
		same out "$D/$b.out" "$b: -nv is the golden dump"
		n=$((n + 1))
	fi
done
if [ "$n" -ge 10 ]; then ok "$n golden configurations checked"; else
	nok "only $n golden configurations found in $D"; fi

# ------------------------------------------------------------ options
run -n -f /nonexistent/ctpd.yaml
expect_rc 1 "missing file"
echo "/nonexistent/ctpd.yaml: No such file or directory" >"$T/want"
same err "$T/want" "missing file: one line naming it"
run -V
expect_rc 0 "-V"
if grep -q '^ctpd [0-9]' "$T/out"; then ok "-V prints the version"; else
	nok "-V output: $(cat "$T/out")"; fi
run -x
expect_rc 2 "unknown option"
if grep -q '^usage: ctpd \[-dnvV\] \[-f file\] \[-s socket\]$' "$T/err"
then ok "usage line"; else nok "usage line missing"; fi
run -n extra
expect_rc 2 "extra operand"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
