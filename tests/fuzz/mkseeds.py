#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/) from
# the wire layouts of spec/CXTP.md, independently of libctp.  Run it from the
# source tree after a layout change: python3 tests/fuzz/mkseeds.py
import hashlib
import hmac
import ipaddress
import json
import os
import struct
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def addr(s):
    return ipaddress.ip_address(s).packed


def hdr(mtype, v4, x, body):
    """Common header (§3.1); Length counts the whole message (C6)."""
    b1 = (0x80 if v4 else 0) | (0x40 if x else 0)
    return struct.pack(">BBH", (1 << 5) | mtype, b1, 4 + len(body)) + body


def cdb(fpt, data=b"", pv=None, r=False):
    """A data CDB (§4.1), zero-padded to 8 octets; Length in 8-octet units."""
    flags = (0x80 if pv is not None else 0) | (0x40 if r else 0)
    body = (struct.pack(">I", pv) if pv is not None else b"") + data
    n = 4 + len(body)
    n += -n % 8
    return struct.pack(">HBB", fpt, n // 8, flags) + body + b"\0" * (n - 4 - len(body))


def req(fpt, r=False):
    """A 4-octet request CDB: Length 0, P 0 (C4)."""
    return struct.pack(">HBB", fpt, 0, 0x40 if r else 0)


def token(key, mn, seq, cdbs):
    """First32(HMAC-SHA1(Key, PrevIP || SeqNo || CDBs)), spec §5.1."""
    return hmac.new(key, mn + struct.pack(">I", seq) + cdbs, hashlib.sha1).digest()[:4]


# Feature payloads (spec §4.2, §4.3), every field present unless noted.
def mld(prefix, group):
    return cdb(0x0001, addr(prefix)[:8] + addr(group))


def aaa(pv=None, r=False, nai=b"alice@example.net"):
    f = [struct.pack(">Q", 0x1122334455667788), struct.pack(">I", 3600),
         struct.pack(">I", 300), struct.pack(">Q", 1 << 20),
         struct.pack(">Q", 1 << 18), struct.pack(">Q", 1200),
         struct.pack(">Q", 900), hashlib.sha256(nai).digest()[:16]]
    return cdb(0xFF01, pick(f, pv), pv, r)


def qos(v6=False, pv=None, r=False):
    if v6:
        src, dst = addr("2001:db8:1::10"), addr("2001:db8:2::20")
    else:
        src = addr("::ffff:192.0.2.10")
        dst = addr("::ffff:198.51.100.20")
    f = [struct.pack(">BBH", 6 if v6 else 4, 17, 0), src, dst,
         struct.pack(">HH", 5004, 5006), struct.pack(">B3x", 46),
         struct.pack(">I", 128), struct.pack(">I", 256),
         struct.pack(">I", 16000)]
    return cdb(0xFF02, pick(f, pv), pv, r)


def rohc(ctx, profile=1, cid=3, mode=2, pv=None, r=False):
    f = [struct.pack(">HH", profile, cid), struct.pack(">BBH", mode, 1, 0),
         struct.pack(">HH", len(ctx), 0), ctx]
    return cdb(0xFF03, pick(f, pv), pv, r)


def err(*entries):
    return cdb(0xFF00, b"".join(struct.pack(">HBB", f, s, 0) for f, s in entries))


def pick(fields, pv):
    """The fields whose presence-vector bit is set (MSB = field 0)."""
    if pv is None:
        return b"".join(fields)
    return b"".join(f for i, f in enumerate(fields) if pv & (0x80000000 >> i))


ROHC_CTX = bytes(range(0x20, 0x20 + 36))
KEY1 = bytes(range(1, 21))
KEY2 = b"ctpd-test-key"
MN4, AR4, NAR4 = addr("192.0.2.10"), addr("198.51.100.1"), addr("203.0.113.7")
MN6, AR6 = addr("2001:db8::10"), addr("2001:db8:ff::1")


def ctar(v4, a, mn, ar, seq, key, cdbs):
    tok = token(key, mn, seq, cdbs)
    return hdr(1, v4, a, mn + ar + struct.pack(">I", seq) + tok + cdbs)


def entries(*es):
    return b"".join(struct.pack(">HBB", f, s, 0) for f, s in es)


def pctd(v4, a, mn, elapsed, key, cdbs, alg=1):
    k = key + b"\0" * (-len(key) % 4)
    return hdr(4, v4, a, struct.pack(">I", elapsed) + mn +
               struct.pack(">HH", alg, len(key)) + k + cdbs)


def msgs():
    all4 = mld("2001:db8:1::", "ff05::1:3") + aaa() + qos() + rohc(ROHC_CTX)
    yield "spec39_ctar_v4", bytes.fromhex(
        "21c00018c000020ac633640101020304407859c400010000")
    yield "ctar_v4_all", ctar(True, False, MN4, AR4, 0x01020304, KEY1, b"")
    yield "ctar_v6", ctar(False, True, MN6, AR6, 0xdeadbeef, KEY2,
                          req(0x0001) + req(0xFF01))
    yield "ctar_v6_r", ctar(False, True, MN6, AR6, 7, KEY2,
                            req(0xFF02, True) + req(0xFF03) + req(0x0001))
    yield "ctaa_v4_ok", hdr(2, True, False, MN4)
    yield "ctaa_v6_fail", hdr(2, False, False, MN6 + entries(
        (0xFF02, 0x02), (0xFF03, 0x09), (0x0000, 0x03)))
    yield "ctd_v4", hdr(3, True, False, struct.pack(">I", 12) + MN4 + all4)
    yield "ctd_v6_r", hdr(3, False, True, struct.pack(">I", 40) + MN6 +
                          aaa(r=True) + qos(True, 0xF8000000, r=True) +
                          mld("2001:db8:1::", "ff0e::101"))
    yield "ctd_v4_err", hdr(3, True, False, struct.pack(">I", 0) + MN4 +
                            err((0xFF01, 0x04), (0xFF02, 0x03)))
    yield "ctd_v6_unknown", hdr(3, False, False, struct.pack(">I", 5) + MN6 +
                                cdb(0x1234, b"opaque context") + aaa(0xC0000000))
    yield "pctd_v4", pctd(True, True, MN4, 3, KEY1, aaa() + rohc(ROHC_CTX, r=True))
    yield "pctd_v6_keyonly", pctd(False, False, MN6, 0, KEY2, b"")
    yield "ctdr_v4_s", hdr(5, True, True, MN4)
    yield "ctdr_v6", hdr(5, False, False, MN6 + entries((0xFF01, 0), (0xFF02, 0x07)))
    yield "ctc_v4", hdr(6, True, False, MN4)
    yield "ctc_v6", hdr(6, False, False, MN6)
    yield "ctreq_v4_zero", hdr(7, True, False, MN4 + struct.pack(">I", 9) +
                               b"\0" * 4 + req(0xFF01))
    yield "ctreq_v6", hdr(7, False, False, MN6 + struct.pack(">I", 0xdeadbeef) +
                          token(KEY2, MN6, 0xdeadbeef, req(0x0001) + req(0xFF01)) +
                          req(0x0001) + req(0xFF01))


def icmp(v6, body, src=None, dst=None, rsvd=b"\0\0\0"):
    pkt = bytearray(struct.pack(">BBHB", 150 if v6 else 41, 0, 0, 1) + rsvd + body)
    s = 0
    if v6:
        ph = src + dst + struct.pack(">IxxxB", len(pkt), 58)
        s = sum16(ph)
    c = ~sum16(pkt, s) & 0xffff
    pkt[2:4] = struct.pack(">H", c)
    return bytes(pkt)


def sum16(b, s=0):
    if len(b) % 2:
        b = b + b"\0"
    for i in range(0, len(b), 2):
        s += b[i] << 8 | b[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def icmps():
    m = dict(msgs())
    src6, dst6 = addr("fe80::1"), addr("fe80::2")
    pre6 = src6 + dst6
    pre4 = b"\0" * 32
    yield "icmp4_ctar", pre4 + icmp(False, m["spec39_ctar_v4"])
    yield "icmp4_ctaa", pre4 + icmp(False, m["ctaa_v4_ok"])
    yield "icmp6_ctar", pre6 + icmp(True, m["ctar_v6"], src6, dst6)
    yield "icmp6_ctaa", pre6 + icmp(True, m["ctaa_v6_fail"], src6, dst6)
    yield "icmp6_ctar_rsvd", pre6 + icmp(True, m["ctar_v6_r"], src6, dst6,
                                         b"\x5a\x00\x01")


def features():
    yield "mld", mld("2001:db8:1::", "ff05::1:3")
    yield "aaa", aaa()
    yield "aaa_pv", aaa(0xC1000000, r=True)
    yield "qos_v4", qos()
    yield "qos_v6_pv", qos(True, 0xE6000000)
    yield "rohc", rohc(ROHC_CTX)
    yield "rohc_pv", rohc(b"", mode=3, pv=0xE0000000)
    yield "err", err((0xFF01, 0x04), (0x0001, 0x02), (0xFF03, 0x40))
    yield "unknown", cdb(0x4242, b"\1\2\3\4\5\6\7")
    yield "list_all", (mld("2001:db8:1::", "ff0e::101") + aaa(r=True) +
                       qos(True) + rohc(ROHC_CTX, r=True) + err((0xFF02, 0x0a)))
    yield "requests", req(0x0001) + req(0xFF01, True) + req(0xFF02) + req(0xFF03)


# CDBs as JSON objects (the JSON FORMAT of libctp/ctp_feature.h).
FEATURE_JSON = {
    "aaa": {"feature": "aaa", "r": True, "fields": {
        "session_id": "1122334455667788", "authz_lifetime": 3600,
        "idle_timeout": 300, "octets_in": 1048576, "octets_out": 262144,
        "packets_in": 1200, "packets_out": 900,
        "identity_digest": "85956a993804cda14f8e09d3903088da"}},
    "aaa_big": {"fpt": "0xff01", "fields": {
        "octets_in": "18446744073709551615", "session_id": "00000000000000ff"}},
    "qos_v4": {"fpt": 65282, "feature": "qos", "p": True, "fields": {
        "family": 4, "proto": 17, "src": "192.0.2.10",
        "dst": "::ffff:198.51.100.20", "src_port": 5004, "dst_port": 5006,
        "dscp": 46, "committed_rate": 128}},
    "qos_v6": {"feature": "qos", "p": False, "fields": {
        "family": 6, "proto": 6, "src": "2001:db8:1::10",
        "dst": "2001:db8:2::20", "src_port": 443, "dst_port": 50000,
        "dscp": 0, "committed_rate": 1000, "peak_rate": 2000,
        "bucket": 65536}},
    "rohc": {"fpt": "0xff03", "fields": {
        "profile": 1, "cid": 3, "mode": "o", "flags": 1, "context_len": 4,
        "context": "deadbeef"}},
    "mld": {"feature": "mld", "fields": {
        "prefix": "2001:db8:1::/64", "group": "ff05::1:3"}},
    "error": {"feature": "error", "fields": {"entries": [
        {"fpt": 65281, "status": "NO_CONTEXT"}, {"fpt": 1, "status": 64}]}},
    "unknown": {"fpt": 16962, "r": False, "p": True, "pv": 3221225472,
                "data": "0102030405060708"},
    # MLD as raw data with non-zero padding (D6)
    "raw_known": {"fpt": 1, "p": False, "data": (
        addr("2001:db8:1::")[:8] + addr("ff05::1:3") + b"\xa5" * 4).hex()},
    "request": {"fpt": 65281, "r": True},
}


def jsons():
    for name, obj in FEATURE_JSON.items():
        yield name, json.dumps(obj, separators=(",", ":")).encode()


def write(sub, items, ext=".bin"):
    d = os.path.join(TOP, sub)
    os.makedirs(d, exist_ok=True)
    for name, data in items:
        with open(os.path.join(d, name + ext), "wb") as f:
            f.write(data)


def main():
    # The §5.4 vectors are the oracle for the token helper above.
    assert token(KEY1, MN4, 0x01020304, bytes.fromhex("00010000")).hex() == "407859c4"
    assert token(KEY1, MN4, 0x01020304, b"").hex() == "f629ef2c"
    assert token(KEY2, MN6, 0xdeadbeef,
                 bytes.fromhex("00010000ff010000")).hex() == "10940d29"
    assert (ctar(True, True, MN4, AR4, 0x01020304, KEY1, req(0x0001)) ==
            dict(msgs())["spec39_ctar_v4"])
    write("msg", msgs())
    write("icmp", icmps())
    write("feature", features())
    write("feature", jsons(), ".json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
