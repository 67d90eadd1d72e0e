/* SPDX-License-Identifier: ISC */
/*
 * Check suite for the libctp message codec: the §3.9 vector, golden encodings
 * of every message type in both families, seeded random round trips, one test
 * per malformed-input class (error and offset), mutation of every golden
 * vector, limits, names, and the ICMP wrapper and checksum.
 */
#include <arpa/inet.h>

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctp_err.h"
#include "ctp_msg.h"
#include "testutil.h"

#define BUFSZ		(CTP_MSG_MAX + 64)
#define RT_ITER		10000	/* random round trips per type and family */
#define POOL_LEN	(CTP_MSG_MAX + 4096)

#define MEQ_WIRE	0x01	/* both decoded: compare length, offsets, raw */
#define MEQ_PAD		0x02	/* b decoded from a: b's data may add padding */

static const char	*spec_vector =
    "21 c0 00 18 c0 00 02 0a c6 33 64 01 01 02 03 04"
    "40 78 59 c4 00 01 00 00";

struct golden {
	const char	*file;
	unsigned	 type;
	bool		 v4;
	bool		 x;
	size_t		 ncdbs;
	size_t		 nentries;
};

static const struct golden goldens[] = {
	{ "msg_ctar_v4.hex", CTP_MSG_CTAR, true, true, 3, 0 },
	{ "msg_ctar_v6.hex", CTP_MSG_CTAR, false, false, 3, 0 },
	{ "msg_ctaa_v4.hex", CTP_MSG_CTAA, true, false, 0, 2 },
	{ "msg_ctaa_v6.hex", CTP_MSG_CTAA, false, false, 0, 2 },
	{ "msg_ctd_v4.hex", CTP_MSG_CTD, true, true, 2, 0 },
	{ "msg_ctd_v6.hex", CTP_MSG_CTD, false, false, 2, 0 },
	{ "msg_pctd_v4.hex", CTP_MSG_PCTD, true, true, 1, 0 },
	{ "msg_pctd_v6.hex", CTP_MSG_PCTD, false, false, 0, 0 },
	{ "msg_ctdr_v4.hex", CTP_MSG_CTDR, true, true, 0, 1 },
	{ "msg_ctdr_v6.hex", CTP_MSG_CTDR, false, false, 0, 3 },
	{ "msg_ctc_v4.hex", CTP_MSG_CTC, true, false, 0, 0 },
	{ "msg_ctc_v6.hex", CTP_MSG_CTC, false, false, 0, 0 },
	{ "msg_ctreq_v4.hex", CTP_MSG_CTREQ, true, false, 1, 0 },
	{ "msg_ctreq_v6.hex", CTP_MSG_CTREQ, false, false, 2, 0 },
};
#define NGOLDEN		(sizeof(goldens) / sizeof(goldens[0]))

/* Scratch space; each test runs in its own process (CK_FORK) or serially. */
static struct ctp_msg	*m1, *m2, *m3;
static uint8_t		*b1, *b2, *pool;

static void
setup(void)
{
	m1 = calloc(1, sizeof(*m1));
	m2 = calloc(1, sizeof(*m2));
	m3 = calloc(1, sizeof(*m3));
	b1 = calloc(1, BUFSZ);
	b2 = calloc(1, BUFSZ);
	pool = calloc(1, POOL_LEN);
	ck_assert(m1 && m2 && m3 && b1 && b2 && pool);
}

static void
teardown(void)
{
	free(m1);
	free(m2);
	free(m3);
	free(b1);
	free(b2);
	free(pool);
}

static size_t
unhex(const char *hex, uint8_t *buf, size_t cap)
{
	long	 n = tu_unhex(hex, buf, cap);

	ck_assert_msg(n >= 0, "bad hex in test: %s", hex);
	return (size_t)n;
}

static size_t
load_hex(const char *name, uint8_t *buf, size_t cap)
{
	uint8_t	*text;
	size_t	 len, n;

	text = tu_read_data(name, &len);
	n = unhex((const char *)text, buf, cap);
	free(text);
	return n;
}

static bool
addr_eq(const struct ctp_addr *a, const struct ctp_addr *b)
{
	return a->len == b->len && a->len <= 16 &&
	    memcmp(a->b, b->b, a->len) == 0;
}

/* b's data equals a's, possibly followed by zero padding (MEQ_PAD). */
static bool
data_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    bool pad)
{
	size_t	 i;

	if (alen != blen && (!pad || blen < alen))
		return false;
	if (alen > 0 && memcmp(a, b, alen) != 0)
		return false;
	for (i = alen; i < blen; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/*
 * Field-by-field comparison of the members meaningful for the type; returns
 * NULL if equal, else the name of the first member that differs.
 */
static const char *
msg_equal(const struct ctp_msg *a, const struct ctp_msg *b, int flags)
{
	const struct ctp_cdb	*ca, *cb;
	unsigned		 t = a->hdr.type;
	size_t			 i;
	bool			 pad = (flags & MEQ_PAD) != 0;

	if (b->hdr.version != CTP_VERSION ||
	    (a->hdr.version != 0 && a->hdr.version != b->hdr.version))
		return "hdr.version";
	if (a->hdr.type != b->hdr.type)
		return "hdr.type";
	if (a->hdr.v4 != b->hdr.v4)
		return "hdr.v4";
	if (a->hdr.x != b->hdr.x)
		return "hdr.x";
	if ((flags & MEQ_WIRE) && a->hdr.length != b->hdr.length)
		return "hdr.length";
	if (!addr_eq(&a->mn, &b->mn))
		return "mn";
	if (t == CTP_MSG_CTAR && !addr_eq(&a->ar, &b->ar))
		return "ar";
	if ((t == CTP_MSG_CTAR || t == CTP_MSG_CTREQ) &&
	    (a->seq != b->seq || memcmp(a->token, b->token, 4) != 0))
		return "seq/token";
	if ((t == CTP_MSG_CTD || t == CTP_MSG_PCTD) &&
	    a->elapsed_ms != b->elapsed_ms)
		return "elapsed_ms";
	if (t == CTP_MSG_PCTD && (a->alg != b->alg ||
	    a->key_len != b->key_len ||
	    memcmp(a->key, b->key, a->key_len) != 0))
		return "alg/key";
	if (t != CTP_MSG_PCTD && (b->key != NULL || b->key_len != 0))
		return "key outside PCTD";
	if (t == CTP_MSG_CTAR || t == CTP_MSG_CTREQ || t == CTP_MSG_CTD ||
	    t == CTP_MSG_PCTD) {
		if (a->ncdbs != b->ncdbs)
			return "ncdbs";
		for (i = 0; i < a->ncdbs; i++) {
			ca = &a->cdbs[i];
			cb = &b->cdbs[i];
			if (ca->fpt != cb->fpt || ca->p != cb->p ||
			    ca->r != cb->r || (ca->p && ca->pv != cb->pv))
				return "cdb header";
			if (!data_eq(ca->data, ca->data_len, cb->data,
			    cb->data_len, pad))
				return "cdb data";
			if ((flags & MEQ_WIRE) && ca->off != cb->off)
				return "cdb off";
		}
		if ((flags & MEQ_WIRE) &&
		    (a->cdb_raw_len != b->cdb_raw_len || (a->cdb_raw_len > 0 &&
		    memcmp(a->cdb_raw, b->cdb_raw, a->cdb_raw_len) != 0)))
			return "cdb_raw";
	} else if (b->ncdbs != 0)
		return "cdbs in a type without CDBs";
	if (t == CTP_MSG_CTAA || t == CTP_MSG_CTDR) {
		if (a->nentries != b->nentries)
			return "nentries";
		for (i = 0; i < a->nentries; i++)
			if (a->entries[i].fpt != b->entries[i].fpt ||
			    a->entries[i].status != b->entries[i].status)
				return "entry";
	} else if (b->nentries != 0)
		return "entries in a type without entries";
	return NULL;
}

static void
set_addr(struct ctp_addr *a, const char *hex)
{
	memset(a, 0, sizeof(*a));
	a->len = (uint8_t)unhex(hex, a->b, sizeof(a->b));
}

/* Decode hex and expect err at off. */
static void
expect_dec_lim(const char *hex, const struct ctp_limits *lim,
    enum ctp_err want, size_t want_off)
{
	size_t		 len, off = 12345;
	enum ctp_err	 e;

	len = unhex(hex, b1, BUFSZ);
	e = ctp_msg_decode(b1, len, lim, m1, &off);
	ck_assert_msg(e == want, "%s: got %s, want %s", hex, ctp_errname(e),
	    ctp_errname(want));
	ck_assert_msg(off == want_off, "%s: %s at %zu, want %zu", hex,
	    ctp_errname(e), off, want_off);
}

static void
expect_dec(const char *hex, enum ctp_err want, size_t want_off)
{
	expect_dec_lim(hex, NULL, want, want_off);
}

/* Golden message name, decoded into m1 with its wire form in b1. */
static size_t
golden_decode(const char *file)
{
	size_t		 len, off;
	enum ctp_err	 e;

	len = load_hex(file, b1, BUFSZ);
	e = ctp_msg_decode(b1, len, NULL, m1, &off);
	ck_assert_msg(e == CTP_OK, "%s: %s at %zu", file, ctp_errname(e), off);
	return len;
}

/* ------------------------------------------------------------ vectors */

START_TEST(test_spec_vector)
{
	uint8_t		 want[64];
	size_t		 n, len, off;

	n = unhex(spec_vector, want, sizeof(want));
	ck_assert_uint_eq(n, 24);
	ck_assert_int_eq(ctp_msg_decode(want, n, NULL, m1, &off), CTP_OK);
	ck_assert_uint_eq(m1->hdr.version, 1);
	ck_assert_uint_eq(m1->hdr.type, CTP_MSG_CTSR);
	ck_assert(m1->hdr.v4);
	ck_assert(m1->hdr.x);
	ck_assert_uint_eq(m1->hdr.length, 24);
	ck_assert_str_eq(tu_hex(m1->mn.b, m1->mn.len), "c000020a");
	ck_assert_str_eq(tu_hex(m1->ar.b, m1->ar.len), "c6336401");
	ck_assert_uint_eq(m1->seq, 0x01020304);
	ck_assert_str_eq(tu_hex(m1->token, 4), "407859c4");
	ck_assert_uint_eq(m1->ncdbs, 1);
	ck_assert_uint_eq(m1->cdbs[0].fpt, 1);
	ck_assert(!m1->cdbs[0].p && !m1->cdbs[0].r);
	ck_assert_uint_eq(m1->cdbs[0].data_len, 0);
	ck_assert_uint_eq(m1->cdbs[0].off, 20);
	ck_assert_uint_eq(ctp_cdb_wire_len(&m1->cdbs[0]), 4);
	/* The token input of §5.4: the request CDBs as on the wire. */
	ck_assert(m1->cdb_raw == want + 20);
	ck_assert_str_eq(tu_hex(m1->cdb_raw, m1->cdb_raw_len), "00010000");

	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), tu_hex(want, n));

	/* The same message built from nothing. */
	memset(m2, 0, sizeof(*m2));
	m2->hdr.version = CTP_VERSION;
	m2->hdr.type = CTP_MSG_CTSR;
	m2->hdr.v4 = true;
	m2->hdr.x = true;
	set_addr(&m2->mn, "c000020a");
	set_addr(&m2->ar, "c6336401");
	m2->seq = 0x01020304;
	unhex("407859c4", m2->token, 4);
	m2->ncdbs = 1;
	m2->cdbs[0].fpt = 0x0001;
	ck_assert_int_eq(ctp_msg_encode(m2, b2, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b2, len), tu_hex(want, n));
	ck_assert_ptr_null(msg_equal(m2, m1, 0));
}
END_TEST

START_TEST(test_golden)
{
	const struct golden	*g = &goldens[_i];
	size_t			 len, len2, i, off;

	len = golden_decode(g->file);
	ck_assert_uint_eq(m1->hdr.type, g->type);
	ck_assert(m1->hdr.v4 == g->v4);
	ck_assert(m1->hdr.x == g->x);
	ck_assert_uint_eq(m1->hdr.length, len);
	ck_assert_uint_eq(m1->mn.len, g->v4 ? 4 : 16);
	ck_assert_uint_eq(m1->ncdbs, g->ncdbs);
	ck_assert_uint_eq(m1->nentries, g->nentries);
	/* CDB offsets and the raw list are consistent with the wire. */
	for (i = 0; i < m1->ncdbs; i++) {
		off = m1->cdbs[i].off;
		ck_assert(m1->cdb_raw != NULL);
		ck_assert_uint_ge(off, (size_t)(m1->cdb_raw - b1));
		ck_assert_uint_le(off + ctp_cdb_wire_len(&m1->cdbs[i]), len);
		if (i + 1 < m1->ncdbs)
			ck_assert_uint_eq(off + ctp_cdb_wire_len(&m1->cdbs[i]),
			    m1->cdbs[i + 1].off);
	}
	if (m1->cdb_raw != NULL)
		ck_assert_uint_eq((size_t)(m1->cdb_raw - b1) + m1->cdb_raw_len,
		    len);

	ck_assert_int_eq(ctp_msg_encode(m1, b2, BUFSZ, &len2), CTP_OK);
	ck_assert_uint_eq(len2, len);
	ck_assert_msg(memcmp(b1, b2, len) == 0, "%s re-encodes as %s", g->file,
	    tu_hex(b2, len2));
	/* Exactly enough room works, one octet less does not. */
	ck_assert_int_eq(ctp_msg_encode(m1, b2, len, &len2), CTP_OK);
	ck_assert_int_eq(ctp_msg_encode(m1, b2, len - 1, &len2),
	    CTP_ERR_NOSPACE);
	ck_assert_int_eq(ctp_msg_decode(b2, len, NULL, m2, &off), CTP_OK);
	ck_assert_ptr_null(msg_equal(m1, m2, MEQ_WIRE));
}
END_TEST

/* Field values of the golden files, written out by hand. */
START_TEST(test_golden_fields)
{
	golden_decode("msg_ctar_v4.hex");
	ck_assert(m1->cdbs[1].r && !m1->cdbs[1].p);
	ck_assert_uint_eq(m1->cdbs[1].fpt, 0xff01);
	ck_assert_uint_eq(m1->cdb_raw_len, 12);

	golden_decode("msg_ctar_v6.hex");
	/* A full CDB in a CTAR is a request for its FPT (D2). */
	ck_assert_uint_eq(m1->cdbs[2].fpt, 0xff03);
	ck_assert_uint_eq(m1->cdbs[2].data_len, 4);
	ck_assert_uint_eq(ctp_cdb_wire_len(&m1->cdbs[2]), 8);
	ck_assert_str_eq(tu_hex(m1->ar.b, 16),
	    "20010db8000000000000000000010001");
	ck_assert_uint_eq(m1->seq, 0xdeadbeef);

	golden_decode("msg_ctaa_v6.hex");
	ck_assert_uint_eq(m1->entries[0].fpt, 0);
	ck_assert_uint_eq(m1->entries[0].status, CTP_ST_AUTH_FAILED);
	ck_assert_uint_eq(m1->entries[1].fpt, 0xff02);
	ck_assert_uint_eq(m1->entries[1].status, CTP_ST_RESOURCE_SHORTAGE);

	golden_decode("msg_ctd_v4.hex");
	ck_assert_uint_eq(m1->elapsed_ms, 42);
	ck_assert_uint_eq(m1->cdbs[0].fpt, 0x0001);
	ck_assert_uint_eq(m1->cdbs[0].data_len, 28);	/* 24 + padding */
	ck_assert_uint_eq(m1->cdbs[0].off, 12);
	ck_assert(m1->cdbs[1].p && m1->cdbs[1].r);
	ck_assert_uint_eq(m1->cdbs[1].pv, 0x80000000);
	ck_assert_uint_eq(m1->cdbs[1].data_len, 8);
	ck_assert_uint_eq(m1->cdbs[1].off, 44);
	ck_assert_str_eq(tu_hex(m1->cdbs[1].data, 8), "0406000000000000");

	golden_decode("msg_ctd_v6.hex");
	/* FPT 0x0000 is the installer's business (D14). */
	ck_assert_uint_eq(m1->cdbs[1].fpt, 0);
	ck_assert(m1->cdbs[1].r);

	golden_decode("msg_pctd_v4.hex");
	ck_assert_uint_eq(m1->alg, CTP_ALG_HMAC_SHA1);
	ck_assert_uint_eq(m1->key_len, 20);
	ck_assert_str_eq(tu_hex(m1->key, m1->key_len),
	    "0102030405060708090a0b0c0d0e0f1011121314");
	ck_assert_uint_eq(m1->cdbs[0].off, 36);

	golden_decode("msg_pctd_v6.hex");
	/* Another algorithm still decodes (D5); no CDBs is valid (D3). */
	ck_assert_uint_eq(m1->alg, 2);
	ck_assert_uint_eq(m1->key_len, 5);
	ck_assert(memcmp(m1->key, "ctpd!", 5) == 0);
	ck_assert_uint_eq(m1->cdb_raw_len, 0);

	golden_decode("msg_ctdr_v4.hex");
	ck_assert(m1->hdr.x);	/* S */

	golden_decode("msg_ctreq_v4.hex");
	ck_assert_uint_eq(m1->seq, 0x01020304);
	ck_assert_str_eq(tu_hex(m1->token, 4), "00000000");
	ck_assert_str_eq(tu_hex(m1->cdb_raw, m1->cdb_raw_len), "00010000");
}
END_TEST

/* ------------------------------------------------------- random trips */

static uint32_t
pick(struct tu_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + tu_rng_below(r, hi - lo + 1);
}

/* Count with mostly small values and a tail up to max. */
static size_t
pick_count(struct tu_rng *r, size_t max)
{
	uint32_t	 k = tu_rng_below(r, 10);

	if (k < 7)
		return pick(r, 0, 8);
	if (k < 9)
		return pick(r, 0, 40);
	return pick(r, 0, (uint32_t)max);
}

static void
rand_addr(struct tu_rng *r, bool v4, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = v4 ? 4 : 16;
	tu_rng_bytes(r, a->b, a->len);
}

/*
 * A full CDB (Length >= 1) with data from the pool; half the time data_len is
 * not a multiple of the padding, so the decoded data is longer by zeros.
 */
static size_t
rand_full_cdb(struct tu_rng *r, struct ctp_cdb *c, size_t room)
{
	uint32_t	 k = tu_rng_below(r, 20), units, maxu;
	size_t		 dl, hdr;

	maxu = (uint32_t)(room / 8 < 255 ? room / 8 : 255);
	if (maxu == 0)
		return 0;
	if (k < 16)
		units = pick(r, 1, maxu < 8 ? maxu : 8);
	else if (k < 19)
		units = pick(r, 1, maxu < 40 ? maxu : 40);
	else
		units = pick(r, 1, maxu);
	c->fpt = (uint16_t)tu_rng_u64(r);
	c->p = tu_rng_below(r, 2);
	c->r = tu_rng_below(r, 2);
	c->pv = c->p ? (uint32_t)tu_rng_u64(r) : 0;
	hdr = c->p ? 8 : 4;
	dl = units * 8 - hdr;
	if (tu_rng_below(r, 2))
		dl -= dl < 7 ? tu_rng_below(r, (uint32_t)dl + 1) :
		    tu_rng_below(r, 8);
	if (!c->p && dl == 0)
		dl = 1;
	c->data_len = (uint16_t)dl;
	c->data = pool + tu_rng_below(r, POOL_LEN - (uint32_t)dl);
	if (dl == 0 && tu_rng_below(r, 2))
		c->data = NULL;
	return units * 8;
}

static void
rand_msg(struct tu_rng *r, unsigned type, bool v4, struct ctp_msg *m)
{
	struct ctp_cdb	*c;
	size_t		 room, n, i, w;
	bool		 req;

	memset(m, 0, offsetof(struct ctp_msg, cdbs));
	m->nentries = 0;
	m->hdr.version = tu_rng_below(r, 4) == 0 ? 0 : CTP_VERSION;
	m->hdr.type = (uint8_t)type;
	m->hdr.v4 = v4;
	if (type == CTP_MSG_CTAR || type == CTP_MSG_CTD ||
	    type == CTP_MSG_PCTD || type == CTP_MSG_CTDR)
		m->hdr.x = tu_rng_below(r, 2);
	rand_addr(r, v4, &m->mn);
	room = CTP_MSG_MAX - 4 - m->mn.len;
	if (type == CTP_MSG_CTAR) {
		rand_addr(r, v4, &m->ar);
		room -= m->ar.len;
	}
	if (type == CTP_MSG_CTAR || type == CTP_MSG_CTREQ) {
		m->seq = (uint32_t)tu_rng_u64(r);
		tu_rng_bytes(r, m->token, 4);
		room -= 8;
	}
	if (type == CTP_MSG_CTD || type == CTP_MSG_PCTD) {
		m->elapsed_ms = (uint32_t)tu_rng_u64(r);
		room -= 4;
	}
	if (type == CTP_MSG_PCTD) {
		m->alg = tu_rng_below(r, 2) ? CTP_ALG_HMAC_SHA1 :
		    (uint16_t)tu_rng_u64(r);
		m->key_len = (uint16_t)pick(r, 1, CTP_KEY_MAX);
		m->key = pool + tu_rng_below(r, 4096);
		room -= 4 + ((m->key_len + 3u) & ~3u);
	}
	if (type == CTP_MSG_CTAA || type == CTP_MSG_CTDR) {
		m->nentries = pick_count(r, CTP_MAX_ENTRIES);
		for (i = 0; i < m->nentries; i++) {
			m->entries[i].fpt = (uint16_t)tu_rng_u64(r);
			m->entries[i].status = (uint8_t)tu_rng_u64(r);
		}
		return;
	}
	if (type == CTP_MSG_CTC)
		return;
	req = type == CTP_MSG_CTAR || type == CTP_MSG_CTREQ;
	n = pick_count(r, CTP_MAX_CDBS);
	for (i = 0; i < n; i++) {
		c = &m->cdbs[m->ncdbs];
		memset(c, 0, sizeof(*c));
		if (req && tu_rng_below(r, 100) < 85) {
			if (room < 4)
				break;
			c->fpt = (uint16_t)tu_rng_u64(r);
			c->r = tu_rng_below(r, 2);
			w = 4;
		} else if ((w = rand_full_cdb(r, c, room)) == 0)
			break;
		room -= w;
		m->ncdbs++;
	}
}

/*
 * encode -> decode -> encode -> decode: identical octets, the decoded
 * struct equal to the source (up to zero padding), both decodes equal.
 */
START_TEST(test_roundtrip)
{
	struct tu_rng	 r;
	unsigned	 type = (unsigned)_i / 2 + 1;
	bool		 v4 = _i % 2 == 0;
	uint64_t	 seed = 0xc7a0000 + (uint64_t)_i;
	size_t		 len1, len2, off;
	const char	*why;
	enum ctp_err	 e;
	int		 it;

	tu_rng_seed(&r, seed);
	tu_rng_bytes(&r, pool, POOL_LEN);
	for (it = 0; it < RT_ITER; it++) {
		rand_msg(&r, type, v4, m1);
		e = ctp_msg_encode(m1, b1, BUFSZ, &len1);
		ck_assert_msg(e == CTP_OK, "seed %#llx it %d: encode %s",
		    (unsigned long long)seed, it, ctp_errname(e));
		e = ctp_msg_decode(b1, len1, NULL, m2, &off);
		ck_assert_msg(e == CTP_OK, "seed %#llx it %d: decode %s at %zu",
		    (unsigned long long)seed, it, ctp_errname(e), off);
		why = msg_equal(m1, m2, MEQ_PAD);
		ck_assert_msg(why == NULL, "seed %#llx it %d: %s differs",
		    (unsigned long long)seed, it, why);
		ck_assert_uint_eq(m2->hdr.length, len1);
		e = ctp_msg_encode(m2, b2, BUFSZ, &len2);
		ck_assert_msg(e == CTP_OK && len2 == len1 &&
		    memcmp(b1, b2, len1) == 0, "seed %#llx it %d: re-encode",
		    (unsigned long long)seed, it);
		e = ctp_msg_decode(b2, len2, NULL, m3, &off);
		ck_assert_int_eq(e, CTP_OK);
		why = msg_equal(m2, m3, MEQ_WIRE);
		ck_assert_msg(why == NULL, "seed %#llx it %d: %s differs",
		    (unsigned long long)seed, it, why);
	}
}
END_TEST

/* ------------------------------------------------- malformed: header */

START_TEST(test_bad_short)
{
	uint8_t		 buf[4] = { 0x26, 0x80, 0x00, 0x08 };
	struct ctp_hdr	 h;
	size_t		 n, off;

	for (n = 0; n < 4; n++) {
		ck_assert_int_eq(ctp_msg_decode(buf, n, NULL, m1, &off),
		    CTP_ERR_SHORT);
		ck_assert_uint_eq(off, n);
		ck_assert_int_eq(ctp_hdr_peek(buf, n, &h), CTP_ERR_SHORT);
	}
	/* NULL err_off is allowed. */
	ck_assert_int_eq(ctp_msg_decode(buf, 2, NULL, m1, NULL),
	    CTP_ERR_SHORT);
}
END_TEST

START_TEST(test_bad_version)
{
	expect_dec("46800008 c000020a", CTP_ERR_VERSION, 0);	/* Ver 2 */
	expect_dec("06800008 c000020a", CTP_ERR_VERSION, 0);	/* Ver 0 */
	expect_dec("e6800008 c000020a", CTP_ERR_VERSION, 0);	/* Ver 7 */
	/* Version is checked before everything after it. */
	expect_dec("40800003", CTP_ERR_VERSION, 0);
}
END_TEST

START_TEST(test_bad_type)
{
	expect_dec("20800008 c000020a", CTP_ERR_TYPE, 0);
	expect_dec("28800008 c000020a", CTP_ERR_TYPE, 0);
	expect_dec("3f800008 c000020a", CTP_ERR_TYPE, 0);
	expect_dec("3f80ffff", CTP_ERR_TYPE, 0);
}
END_TEST

START_TEST(test_bad_len_over)
{
	expect_dec("2680000c c000020a", CTP_ERR_LEN_OVER, 2);
	expect_dec("2680ffff c000020a", CTP_ERR_LEN_OVER, 2);
	expect_dec("26800007 0000", CTP_ERR_LEN_OVER, 2);
}
END_TEST

START_TEST(test_bad_len_under)
{
	expect_dec("26800008 c000020a 00000000", CTP_ERR_LEN_UNDER, 2);
	expect_dec("26800000 c000020a", CTP_ERR_LEN_UNDER, 2);
	expect_dec("26800003 c000020a", CTP_ERR_LEN_UNDER, 2);
}
END_TEST

/* Length below the IPv4 fixed part of each type (both V settings). */
START_TEST(test_bad_len_min)
{
	static const size_t	 min4[] = { 0, 20, 8, 12, 16, 8, 8, 16 };
	char			 hex[256];
	unsigned		 t;
	size_t			 n, i, p;

	for (t = 1; t <= CTP_MSG_TYPE_MAX; t++) {
		for (n = 4; n < min4[t]; n += 4) {
			p = (size_t)snprintf(hex, sizeof(hex), "%02x%02x%04zx",
			    0x20 | t, t % 2 ? 0x80 : 0x00, n);
			for (i = 4; i < n; i++)
				p += (size_t)snprintf(hex + p, sizeof(hex) - p,
				    "00");
			expect_dec(hex, CTP_ERR_LEN_MIN, 2);
		}
	}
	/* The exact minimum decodes (a PCTD: see test_bad_key_len). */
	expect_dec("21800014 c000020a c6336401 00000000 00000000", CTP_OK, 0);
	expect_dec("27800010 c000020a 00000000 00000000", CTP_OK, 0);
	expect_dec("2380000c 00000000 c000020a", CTP_OK, 0);
}
END_TEST

START_TEST(test_bad_too_big)
{
	struct ctp_limits	 lim;
	size_t			 n, off, len;
	uint16_t		 l;

	/* D17: Length 65533-65535 is malformed even when framed. */
	for (l = 65533; l != 0; l++) {
		memset(b1, 0, l);
		b1[0] = 0x23;
		b1[1] = 0x80;
		b1[2] = (uint8_t)(l >> 8);
		b1[3] = (uint8_t)l;
		ck_assert_int_eq(ctp_msg_decode(b1, l, NULL, m1, &off),
		    CTP_ERR_TOO_BIG);
		ck_assert_uint_eq(off, 2);
	}
	/* The configured cap, honoured to the octet. */
	n = load_hex("msg_ctd_v4.hex", b1, BUFSZ);
	ctp_limits_default(&lim);
	lim.max_msg = n;
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off), CTP_OK);
	lim.max_msg = n - 1;
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off),
	    CTP_ERR_TOO_BIG);
	ck_assert_uint_eq(off, 2);
	/* A cap above the protocol's is clamped. */
	lim.max_msg = 100000;
	memset(b1, 0, 65533);
	unhex("2380fffd", b1, 4);
	ck_assert_int_eq(ctp_msg_decode(b1, 65533, &lim, m1, &off),
	    CTP_ERR_TOO_BIG);
	/* The largest valid message: an IPv6 CTD of 65532 octets (D17). */
	memset(m1, 0, sizeof(*m1));
	m1->hdr.type = CTP_MSG_CTD;
	set_addr(&m1->mn, "20010db8000000000000000000000001");
	for (n = 0; n < 32; n++) {
		m1->cdbs[n].fpt = 0xff03;
		m1->cdbs[n].data = pool;
		m1->cdbs[n].data_len = 2036;
	}
	m1->cdbs[32].fpt = 0xff03;
	m1->cdbs[32].data = pool;
	m1->cdbs[32].data_len = 65528 - 24 - 32 * 2040 - 4;
	m1->ncdbs = 33;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_uint_eq(len, CTP_MSG_MAX - 4);
	ck_assert_int_eq(ctp_msg_decode(b1, len, NULL, m2, &off), CTP_OK);
	m1->cdbs[32].data_len += 8;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TOO_BIG);
	/* TOO_BIG wins over NOSPACE. */
	ck_assert_int_eq(ctp_msg_encode(m1, b1, 16, &len), CTP_ERR_TOO_BIG);
	/* 65532 itself: an IPv6 PCTD with an 8-octet key field. */
	m1->hdr.type = CTP_MSG_PCTD;
	m1->alg = CTP_ALG_HMAC_SHA1;
	m1->key = pool;
	m1->key_len = 7;
	m1->cdbs[32].data_len -= 16;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_uint_eq(len, CTP_MSG_MAX);
	ck_assert_int_eq(ctp_msg_decode(b1, len, NULL, m2, &off), CTP_OK);
	ck_assert_uint_eq(m2->ncdbs, 33);
	m1->key_len = 9;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TOO_BIG);
}
END_TEST

START_TEST(test_bad_family)
{
	/* A V=1 CTC exactly as long as an IPv6 one. */
	expect_dec("26800014 20010db8 00000000 00000000 00000010",
	    CTP_ERR_FAMILY, 1);
	/* V=0 messages too short for IPv6 but long enough for IPv4. */
	expect_dec("26000008 c000020a", CTP_ERR_FAMILY, 1);
	expect_dec("2600000c c000020a 00000000", CTP_ERR_FAMILY, 1);
	expect_dec("21400018 c000020a c6336401 01020304 407859c4 00010000",
	    CTP_ERR_FAMILY, 1);
	expect_dec("22000010 c000020a 00010200 ff010300", CTP_ERR_FAMILY, 1);
	expect_dec("2300000c 00000000 c000020a", CTP_ERR_FAMILY, 1);
	expect_dec("24000014 00000000 c000020a 00010004 01020304",
	    CTP_ERR_FAMILY, 1);
	expect_dec("2500000c c000020a 00010000", CTP_ERR_FAMILY, 1);
	expect_dec("27000014 c000020a 01020304 00000000 00010000",
	    CTP_ERR_FAMILY, 1);
	/* LEN_MIN (below the IPv4 layout) comes before FAMILY. */
	expect_dec("26000004", CTP_ERR_LEN_MIN, 2);
}
END_TEST

/* ---------------------------------------------------- malformed: body */

START_TEST(test_bad_trailing)
{
	/* Octets after a CTC's address (D13). */
	expect_dec("2680000c c000020a 00000000", CTP_ERR_TRAILING, 8);
	expect_dec("26800010 c000020a 00000000 00000000", CTP_ERR_TRAILING, 8);
	expect_dec("26000018 20010db8 00000000 00000000 00000010 00000000",
	    CTP_ERR_TRAILING, 20);
	/* Partial CTAA / CTDR entries. */
	expect_dec("22800012 c000020a 00010200 ff010300 ff02",
	    CTP_ERR_TRAILING, 16);
	expect_dec("2280000b c000020a 000102", CTP_ERR_TRAILING, 8);
	expect_dec("25000017 20010db8 00000000 00000000 00000010 000100",
	    CTP_ERR_TRAILING, 20);
	expect_dec("2580000d c000020a 00010000 00", CTP_ERR_TRAILING, 12);
}
END_TEST

START_TEST(test_bad_cdb_short)
{
	/* 1-3 octets left where a CDB header would start (§3.8.4). */
	expect_dec("21c0001a c000020a c6336401 01020304 407859c4 00010000 0001",
	    CTP_ERR_CDB_SHORT, 24);
	expect_dec("21c00015 c000020a c6336401 01020304 407859c4 00",
	    CTP_ERR_CDB_SHORT, 20);
	expect_dec("2380000f 00000000 c000020a ff0001", CTP_ERR_CDB_SHORT, 12);
	expect_dec("27800013 c000020a 01020304 00000000 000100",
	    CTP_ERR_CDB_SHORT, 16);
}
END_TEST

START_TEST(test_bad_cdb_overrun)
{
	size_t	 n;

	/* The MLD CDB of the golden CTD at 12 claims 7 units. */
	n = load_hex("msg_ctd_v4.hex", b1, BUFSZ);
	b1[14] = 7;
	ck_assert_int_eq(ctp_msg_decode(b1, n, NULL, m1, &n),
	    CTP_ERR_CDB_OVERRUN);
	ck_assert_uint_eq(n, 12);
	/* The second one, at 44, one unit too long. */
	n = load_hex("msg_ctd_v4.hex", b1, BUFSZ);
	b1[46] = 3;
	ck_assert_int_eq(ctp_msg_decode(b1, n, NULL, m1, &n),
	    CTP_ERR_CDB_OVERRUN);
	ck_assert_uint_eq(n, 44);
	/* A full CDB in a CT-Req, 4 octets short. */
	expect_dec("27800018 c000020a 01020304 00000000 00010100 00000000",
	    CTP_OK, 0);
	expect_dec("27800014 c000020a 01020304 00000000 00010100",
	    CTP_ERR_CDB_OVERRUN, 16);
	expect_dec("27800018 c000020a 01020304 00000000 00010200 00000000",
	    CTP_ERR_CDB_OVERRUN, 16);
	expect_dec("23800018 00000000 c000020a 00010280 00000000 00000000",
	    CTP_ERR_CDB_OVERRUN, 12);
}
END_TEST

START_TEST(test_bad_cdb_zero)
{
	expect_dec("23800010 00000000 c000020a 00010000", CTP_ERR_CDB_ZERO, 12);
	expect_dec("24800020 00000000 c000020a 00010001 aa000000 ff010100 "
	    "00000000 ff020040", CTP_ERR_CDB_ZERO, 28);
	/* P=1 does not make a Length 0 block valid in a CTD. */
	expect_dec("23800010 00000000 c000020a 00010080", CTP_ERR_CDB_ZERO, 12);
}
END_TEST

START_TEST(test_bad_cdb_req_p)
{
	expect_dec("21c00018 c000020a c6336401 01020304 407859c4 00010080",
	    CTP_ERR_CDB_REQ_P, 20);
	expect_dec("27800018 c000020a 01020304 00000000 00010040 ff0100c0",
	    CTP_ERR_CDB_REQ_P, 20);
	/* Length 1 with P=1 (header and vector only) is a full CDB (D2). */
	expect_dec("21c0001c c000020a c6336401 01020304 407859c4 00010180 "
	    "80000000", CTP_OK, 0);
	ck_assert(m1->cdbs[0].p);
	ck_assert_uint_eq(m1->cdbs[0].pv, 0x80000000);
	ck_assert_uint_eq(m1->cdbs[0].data_len, 0);
}
END_TEST

START_TEST(test_bad_key_len)
{
	/* Key Length 0, 256 and 0xffff, at the Key Length field (14 / 26). */
	expect_dec("24800014 00000000 c000020a 00010000 00000000",
	    CTP_ERR_KEY_LEN, 14);
	expect_dec("24800014 00000000 c000020a 00010100 00000000",
	    CTP_ERR_KEY_LEN, 14);
	expect_dec("24800014 00000000 c000020a 0001ffff 00000000",
	    CTP_ERR_KEY_LEN, 14);
	/* The fixed part with no room for the key. */
	expect_dec("24800010 00000000 c000020a 00010001", CTP_ERR_KEY_LEN, 14);
	/* 9 octets need 12 with padding; only 8 are left. */
	expect_dec("24000024 00000064 20010db8 00000000 00000000 00000010 "
	    "00020009 63747064 21000000", CTP_ERR_KEY_LEN, 26);
	/* 6 fit in 8; non-zero padding is ignored (D6) and re-encoded as 0. */
	expect_dec("24000024 00000064 20010db8 00000000 00000000 00000010 "
	    "00020006 63747064 2100ffff", CTP_OK, 0);
	ck_assert_uint_eq(m1->key_len, 6);
	ck_assert_uint_eq(m1->cdb_raw_len, 0);
	/* 255 octets decode. */
	memset(b1, 0xab, 4 + 4 + 4 + 4 + 256);
	unhex("24800110 00000000 c000020a 000100ff", b1, 16);
	ck_assert_int_eq(ctp_msg_decode(b1, 272, NULL, m1, NULL), CTP_OK);
	ck_assert_uint_eq(m1->key_len, 255);
}
END_TEST

START_TEST(test_bad_too_many)
{
	struct ctp_limits	 lim;
	size_t			 n, len, off;

	/* 257 request CDBs: the 257th, at 20 + 256 * 4, is one too many. */
	memset(m1, 0, sizeof(*m1));
	m1->hdr.type = CTP_MSG_CTAR;
	m1->hdr.v4 = true;
	set_addr(&m1->mn, "c000020a");
	set_addr(&m1->ar, "c6336401");
	for (n = 0; n < CTP_MAX_CDBS; n++)
		m1->cdbs[n].fpt = (uint16_t)n;
	m1->ncdbs = CTP_MAX_CDBS;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_int_eq(ctp_msg_decode(b1, len, NULL, m2, &off), CTP_OK);
	ck_assert_uint_eq(m2->ncdbs, CTP_MAX_CDBS);
	unhex("ffff0000", b1 + len, 4);
	len += 4;
	b1[2] = (uint8_t)(len >> 8);
	b1[3] = (uint8_t)len;
	ck_assert_int_eq(ctp_msg_decode(b1, len, NULL, m2, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 20 + 256 * 4);
	/* A cap above the hard one is clamped. */
	ctp_limits_default(&lim);
	lim.max_cdbs = 100000;
	ck_assert_int_eq(ctp_msg_decode(b1, len, &lim, m2, &off),
	    CTP_ERR_TOO_MANY);
	m1->ncdbs = CTP_MAX_CDBS + 1;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TOO_MANY);

	/* Configured caps on CDBs and entries. */
	ctp_limits_default(&lim);
	lim.max_cdbs = 2;
	n = load_hex("msg_ctar_v4.hex", b1, BUFSZ);
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 28);
	lim.max_cdbs = 3;
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off), CTP_OK);
	lim.max_cdbs = 0;
	n = load_hex("msg_ctd_v6.hex", b1, BUFSZ);
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 24);
	n = load_hex("msg_pctd_v6.hex", b1, BUFSZ);
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off), CTP_OK);

	ctp_limits_default(&lim);
	lim.max_entries = 1;
	n = load_hex("msg_ctaa_v4.hex", b1, BUFSZ);
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 12);
	n = load_hex("msg_ctdr_v6.hex", b1, BUFSZ);
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 24);
	lim.max_entries = 3;
	ck_assert_int_eq(ctp_msg_decode(b1, n, &lim, m1, &off), CTP_OK);

	/* 257 entries. */
	memset(m1, 0, sizeof(*m1));
	m1->hdr.type = CTP_MSG_CTDR;
	m1->hdr.v4 = true;
	set_addr(&m1->mn, "c000020a");
	m1->nentries = CTP_MAX_ENTRIES;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	unhex("00010000", b1 + len, 4);
	len += 4;
	b1[2] = (uint8_t)(len >> 8);
	b1[3] = (uint8_t)len;
	ck_assert_int_eq(ctp_msg_decode(b1, len, NULL, m2, &off),
	    CTP_ERR_TOO_MANY);
	ck_assert_uint_eq(off, 8 + 256 * 4);
	m1->nentries = CTP_MAX_ENTRIES + 1;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TOO_MANY);
}
END_TEST

/* Header checks run before the body, in the documented order. */
START_TEST(test_check_order)
{
	/* Bad type and LEN_OVER: TYPE. */
	expect_dec("28800040 00", CTP_ERR_TYPE, 0);
	/* LEN_OVER before TOO_BIG, TOO_BIG before LEN_MIN and the body. */
	expect_dec("2380fffe 00000000", CTP_ERR_LEN_OVER, 2);
	/* LEN_MIN before a body error. */
	expect_dec("27800008 c000020a", CTP_ERR_LEN_MIN, 2);
	/* FAMILY before a body error. */
	expect_dec("23000010 00000000 c000020a 00010000", CTP_ERR_FAMILY, 1);
	/* The first bad CDB is reported. */
	expect_dec("2380001c 00000000 c000020a 00010000 00010500 00000000 "
	    "00000000", CTP_ERR_CDB_ZERO, 12);
}
END_TEST

/* Reserved bits are ignored on input (§3.8.1); X reads as false. */
START_TEST(test_reserved_ignored)
{
	size_t	 len;

	expect_dec("22ff0010 c000020a 000102ff ff0103ff", CTP_OK, 0);
	ck_assert(!m1->hdr.x);
	ck_assert_uint_eq(m1->entries[0].status, 2);
	ck_assert_int_eq(ctp_msg_encode(m1, b2, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b2, len), "22800010c000020a00010200ff010300");
	expect_dec("26400014 20010db8 00000000 00000000 00000010", CTP_OK, 0);
	ck_assert(!m1->hdr.x && !m1->hdr.v4);
	expect_dec("27c00014 c000020a 01020304 00000000 0001003f", CTP_OK, 0);
	ck_assert(!m1->hdr.x);
	ck_assert(!m1->cdbs[0].p && !m1->cdbs[0].r);
	/* CDB reserved bits 26-31 in a data CDB. */
	expect_dec("23ff0014 00000000 c000020a 0001017f 12345678", CTP_OK, 0);
	ck_assert(m1->hdr.x);
	ck_assert(m1->cdbs[0].r && !m1->cdbs[0].p);
	ck_assert_int_eq(ctp_msg_encode(m1, b2, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b2, len),
	    "23c00014""00000000""c000020a""00010140""12345678");
}
END_TEST

/* ------------------------------------------------------------ encoder */

START_TEST(test_encode_checks)
{
	static const uint8_t	 key[4] = { 1, 2, 3, 4 };
	size_t			 len;
	unsigned		 t;

	for (t = 1; t <= CTP_MSG_TYPE_MAX; t++) {
		memset(m1, 0, sizeof(*m1));
		m1->hdr.type = (uint8_t)t;
		m1->hdr.v4 = true;
		set_addr(&m1->mn, "c000020a");
		set_addr(&m1->ar, "c6336401");
		if (t == CTP_MSG_PCTD) {
			m1->key = key;
			m1->key_len = 4;
			m1->alg = 1;
		}
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
		ck_assert_uint_eq(b1[0], 0x20 | t);

		/* Address sizes against V. */
		m1->hdr.v4 = false;
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
		    CTP_ERR_FAMILY);
		set_addr(&m1->mn, "20010db8000000000000000000000010");
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
		    t == CTP_MSG_CTAR ? CTP_ERR_FAMILY : CTP_OK);
		set_addr(&m1->ar, "");
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
		    t == CTP_MSG_CTAR ? CTP_ERR_FAMILY : CTP_OK);
		set_addr(&m1->ar, "20010db8000000000000000000000001");
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);

		/* Reserved X. */
		m1->hdr.x = true;
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
		    t == CTP_MSG_CTAA || t == CTP_MSG_CTC ||
		    t == CTP_MSG_CTREQ ? CTP_ERR_INVAL : CTP_OK);
		m1->hdr.x = false;

		/* Version 0 means "current"; others are refused. */
		m1->hdr.version = 2;
		ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
		    CTP_ERR_VERSION);
		m1->hdr.version = CTP_VERSION;

		/* Key material only in a PCTD. */
		if (t != CTP_MSG_PCTD) {
			m1->key_len = 4;
			ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
			    CTP_ERR_KEY_PLACEMENT);
			m1->key_len = 0;
			m1->key = key;
			ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
			    CTP_ERR_KEY_PLACEMENT);
		} else {
			m1->key_len = 0;
			ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
			    CTP_ERR_KEY_LEN);
			m1->key_len = 256;
			ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
			    CTP_ERR_KEY_LEN);
			m1->key_len = 3;
			m1->key = NULL;
			ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len),
			    CTP_ERR_INVAL);
		}
	}
	m1->hdr.type = 0;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TYPE);
	m1->hdr.type = 8;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_TYPE);
}
END_TEST

START_TEST(test_encode_cdbs)
{
	size_t		 len;

	memset(m1, 0, sizeof(*m1));
	m1->hdr.type = CTP_MSG_CTD;
	m1->hdr.v4 = true;
	set_addr(&m1->mn, "c000020a");
	m1->ncdbs = 1;
	/* The request form has no place in a CTD. */
	m1->cdbs[0].fpt = 1;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_CDB_ZERO);
	m1->cdbs[0].r = true;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_CDB_ZERO);
	/* P with no data is a Length 1 CDB. */
	m1->cdbs[0].p = true;
	m1->cdbs[0].pv = 0xc0000000;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), "23800014""00000000""c000020a"
	    "000101c0""c0000000");
	/* Data is padded with zeros to 8 octets. */
	m1->cdbs[0].p = false;
	m1->cdbs[0].r = false;
	m1->cdbs[0].data = (const uint8_t *)"\xaa\xbb\xcc\xdd\xee";
	m1->cdbs[0].data_len = 5;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), "2380001c""00000000""c000020a"
	    "00010200""aabbccdd""ee000000""00000000");
	/* Data but no pointer. */
	m1->cdbs[0].data = NULL;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_INVAL);
	/* 2040 octets per CDB at most. */
	m1->cdbs[0].data = pool;
	m1->cdbs[0].data_len = 2036;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_uint_eq(b1[14], 255);
	m1->cdbs[0].data_len = 2037;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_INVAL);
	m1->cdbs[0].p = true;
	m1->cdbs[0].data_len = 2032;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	m1->cdbs[0].data_len = 2033;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_ERR_INVAL);

	/* In a CTAR both forms are fine (D2). */
	m1->hdr.type = CTP_MSG_CTAR;
	set_addr(&m1->ar, "c6336401");
	m1->ncdbs = 2;
	m1->cdbs[0].p = false;
	m1->cdbs[0].data_len = 0;
	m1->cdbs[0].r = true;
	m1->cdbs[1].fpt = 0xff02;
	m1->cdbs[1].data = (const uint8_t *)"\x01";
	m1->cdbs[1].data_len = 1;
	ck_assert_int_eq(ctp_msg_encode(m1, b1, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), "21800020""c000020a""c6336401"
	    "00000000""00000000""00010040""ff020100""01000000");
}
END_TEST

START_TEST(test_cdb_wire_len)
{
	struct ctp_cdb	 c;

	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 4);
	c.r = true;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 4);
	c.p = true;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 8);
	c.data_len = 1;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 16);
	c.p = false;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 8);
	c.data_len = 4;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 8);
	c.data_len = 5;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 16);
	c.data_len = 24;	/* MLD: 28 -> 32 (§4.2) */
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), 32);
	c.data_len = 2036;
	ck_assert_uint_eq(ctp_cdb_wire_len(&c), CTP_CDB_MAX);
}
END_TEST

/* ------------------------------------------------------------- mutation */

/* Decode a private copy of exactly len octets, so ASan sees any overread. */
static void
mutant(const uint8_t *buf, size_t len, const char *what, size_t at)
{
	uint8_t		*copy;
	size_t		 off = 0, len2;
	enum ctp_err	 e;

	copy = malloc(len > 0 ? len : 1);
	ck_assert(copy != NULL);
	if (len > 0)
		memcpy(copy, buf, len);
	e = ctp_msg_decode(copy, len, NULL, m2, &off);
	ck_assert_msg(e >= CTP_OK && e < CTP_ERR__MAX, "%s %zu: bad enum",
	    what, at);
	if (e != CTP_OK)
		ck_assert_msg(off <= len, "%s %zu: %s at %zu past %zu", what,
		    at, ctp_errname(e), off, len);
	else {
		e = ctp_msg_encode(m2, b2, BUFSZ, &len2);
		ck_assert_msg(e == CTP_OK, "%s %zu: decodes, re-encode %s",
		    what, at, ctp_errname(e));
		ck_assert_uint_eq(len2, len);
		e = ctp_msg_decode(b2, len2, NULL, m3, &off);
		ck_assert_msg(e == CTP_OK, "%s %zu: re-encoded %s", what, at,
		    ctp_errname(e));
		/* Not MEQ_WIRE: reserved CDB bits are not re-encoded. */
		ck_assert_uint_eq(m3->hdr.length, m2->hdr.length);
		ck_assert_ptr_null(msg_equal(m2, m3, 0));
	}
	free(copy);
}

START_TEST(test_mutation)
{
	uint8_t		 buf[512];
	size_t		 len, i, n;
	int		 bit;

	len = load_hex(goldens[_i].file, buf, sizeof(buf));
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1 << bit);
			mutant(buf, len, "bit flip at", i * 8 + (size_t)bit);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	for (i = 0; i < len; i++) {
		uint8_t	 save = buf[i];

		buf[i] = 0x00;
		mutant(buf, len, "zero byte", i);
		buf[i] = 0xff;
		mutant(buf, len, "0xff byte", i);
		buf[i] = save;
	}
	/* Truncations, as framed and with Length re-fitted to the body. */
	for (n = 0; n < len; n++) {
		mutant(buf, n, "truncation to", n);
		if (n >= 4) {
			uint8_t	 b[512];

			memcpy(b, buf, n);
			b[2] = (uint8_t)(n >> 8);
			b[3] = (uint8_t)n;
			mutant(b, n, "refitted truncation to", n);
		}
	}
}
END_TEST

START_TEST(test_mutation_icmp)
{
	static const char	*files[] = {
	    "icmp4_ctar.hex", "icmp6_ctaa.hex"
	};
	struct ctp_addr		 src, dst;
	struct ctp_icmp		 ic;
	uint8_t			 buf[256], *copy;
	size_t			 len, i, n, off;
	enum ctp_err		 e;
	bool			 v6 = _i == 1;

	set_addr(&src, "fe800000000000000000000000000001");
	set_addr(&dst, "fe800000000000000000000000000002");
	len = load_hex(files[_i], buf, sizeof(buf));
	for (i = 0; i < len * 8 + len; i++) {
		n = i < len * 8 ? len : i - len * 8;
		if (i < len * 8)
			buf[i / 8] ^= (uint8_t)(1 << (i % 8));
		copy = malloc(n > 0 ? n : 1);
		ck_assert(copy != NULL);
		memcpy(copy, buf, n);
		e = ctp_icmp_decode(copy, n, v6, &src, &dst, &ic, &off);
		ck_assert_msg(e >= CTP_OK && e < CTP_ERR__MAX, "bad enum");
		if (e == CTP_OK && i < len * 8) {
			/* One flipped bit always breaks the checksum... */
			ck_assert_msg(0, "bit %zu: checksum missed it", i);
		}
		if (e == CTP_OK)
			(void)ctp_msg_decode(ic.body, ic.body_len, NULL, m1,
			    &off);
		free(copy);
		if (i < len * 8)
			buf[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
}
END_TEST

/* ---------------------------------------------------------------- ICMP */

START_TEST(test_inet_csum)
{
	/* RFC 1071 §3 example: sum ddf2, checksum 220d. */
	static const uint8_t	 ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };
	static const uint8_t	 odd[] = { 0x12, 0x34, 0x56 };

	ck_assert_uint_eq(ctp_inet_csum(ex, sizeof(ex), 0), 0x220d);
	ck_assert_uint_eq(ctp_inet_csum(ex + 2, sizeof(ex) - 2, 0x0001),
	    0x220d);
	ck_assert_uint_eq(ctp_inet_csum(odd, 3, 0),
	    (uint16_t)~(0x1234 + 0x5600));
	ck_assert_uint_eq(ctp_inet_csum(NULL, 0, 0), 0xffff);
	/* Carries fold back in. */
	ck_assert_uint_eq(ctp_inet_csum((const uint8_t *)"\xff\xff\x00\x01",
	    4, 0), 0xfffe);
	ck_assert_uint_eq(ctp_inet_csum(NULL, 0, 0xffffffff), 0x0000);
}
END_TEST

START_TEST(test_icmp_golden)
{
	struct ctp_addr	 src, dst;
	struct ctp_icmp	 ic;
	uint8_t		 pkt[256], body[256];
	size_t		 n, bn, len, off;

	/* ICMPv4 around the §3.9 CTAR. */
	n = load_hex("icmp4_ctar.hex", pkt, sizeof(pkt));
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, false, NULL, NULL, &ic, &off),
	    CTP_OK);
	ck_assert_uint_eq(ic.type, CTP_ICMP4_TYPE);
	ck_assert_uint_eq(ic.code, 0);
	ck_assert_uint_eq(ic.subtype, CTP_ICMP_SUBTYPE_CXTP);
	ck_assert_uint_eq(ic.csum, 0x29a4);
	ck_assert(!ic.v6);
	ck_assert(ic.body == pkt + 8);
	bn = unhex(spec_vector, body, sizeof(body));
	ck_assert_uint_eq(ic.body_len, bn);
	ck_assert_int_eq(ctp_msg_decode(ic.body, ic.body_len, NULL, m1, &off),
	    CTP_OK);
	ck_assert_uint_eq(m1->hdr.type, CTP_MSG_CTAR);
	ck_assert_int_eq(ctp_icmp_encode(false, NULL, NULL, body, bn, b1,
	    BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), tu_hex(pkt, n));
	ck_assert_int_eq(ctp_icmp_encode(false, NULL, NULL, body, bn, b1,
	    n - 1, &len), CTP_ERR_NOSPACE);

	/* ICMPv6 around a CTAA, link-local fe80::1 -> fe80::2. */
	set_addr(&src, "fe800000000000000000000000000001");
	set_addr(&dst, "fe800000000000000000000000000002");
	n = load_hex("icmp6_ctaa.hex", pkt, sizeof(pkt));
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, &src, &dst, &ic, &off),
	    CTP_OK);
	ck_assert(ic.v6);
	ck_assert_uint_eq(ic.type, CTP_ICMP6_TYPE);
	ck_assert_int_eq(ctp_msg_decode(ic.body, ic.body_len, NULL, m1, &off),
	    CTP_OK);
	ck_assert_uint_eq(m1->hdr.type, CTP_MSG_CTAA);
	ck_assert_int_eq(ctp_icmp_encode(true, &src, &dst, ic.body,
	    ic.body_len, b1, BUFSZ, &len), CTP_OK);
	ck_assert_str_eq(tu_hex(b1, len), tu_hex(pkt, n));
	/* Swapped addresses give another sum (the pseudo-header counts). */
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, &src, &src, &ic, &off),
	    CTP_ERR_ICMP_CSUM);
	/* Without addresses the kernel's checksum is trusted (D15)... */
	ck_assert_int_eq(ctp_icmp_encode(true, NULL, NULL, ic.body,
	    ic.body_len, b1, BUFSZ, &len), CTP_OK);
	ck_assert_uint_eq(b1[2], 0);
	ck_assert_uint_eq(b1[3], 0);
	ck_assert_int_eq(ctp_icmp_decode(b1, len, true, NULL, NULL, &ic, &off),
	    CTP_OK);
	/* ...and addresses must be IPv6. */
	set_addr(&dst, "c0000201");
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, &src, &dst, &ic, &off),
	    CTP_ERR_INVAL);
	ck_assert_int_eq(ctp_icmp_encode(true, &src, &dst, body, bn, b1,
	    BUFSZ, &len), CTP_ERR_INVAL);
	ck_assert_int_eq(ctp_icmp_encode(false, NULL, NULL, NULL, 4, b1,
	    BUFSZ, &len), CTP_ERR_INVAL);
	/* An empty body is wrapped (the caller decodes it and fails). */
	ck_assert_int_eq(ctp_icmp_encode(false, NULL, NULL, NULL, 0, b1,
	    BUFSZ, &len), CTP_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(ctp_icmp_decode(b1, len, false, NULL, NULL, &ic, &off),
	    CTP_OK);
	ck_assert_uint_eq(ic.body_len, 0);
}
END_TEST

/* Fix the ICMPv4 checksum after editing a header field. */
static void
icmp4_fix(uint8_t *pkt, size_t n)
{
	uint16_t	 c;

	pkt[2] = pkt[3] = 0;
	c = ctp_inet_csum(pkt, n, 0);
	pkt[2] = (uint8_t)(c >> 8);
	pkt[3] = (uint8_t)c;
}

START_TEST(test_icmp_bad)
{
	struct ctp_icmp	 ic;
	uint8_t		 pkt[256], p2[256];
	size_t		 n, i, off;

	n = load_hex("icmp4_ctar.hex", pkt, sizeof(pkt));
	for (i = 0; i < CTP_ICMP_HDR_LEN; i++) {
		ck_assert_int_eq(ctp_icmp_decode(pkt, i, false, NULL, NULL,
		    &ic, &off), CTP_ERR_ICMP_SHORT);
		ck_assert_uint_eq(off, i);
	}
	/* Wrong type: v4 packet read as v6, and type 42. */
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_TYPE);
	ck_assert_uint_eq(off, 0);
	memcpy(p2, pkt, n);
	p2[0] = 42;
	icmp4_fix(p2, n);
	ck_assert_int_eq(ctp_icmp_decode(p2, n, false, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_TYPE);
	ck_assert_uint_eq(off, 0);
	/* Checksum. */
	memcpy(p2, pkt, n);
	p2[n - 1] ^= 1;
	ck_assert_int_eq(ctp_icmp_decode(p2, n, false, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_CSUM);
	ck_assert_uint_eq(off, 2);
	/* Code != 0 (D12), checksum fixed. */
	memcpy(p2, pkt, n);
	p2[1] = 1;
	icmp4_fix(p2, n);
	ck_assert_int_eq(ctp_icmp_decode(p2, n, false, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_CODE);
	ck_assert_uint_eq(off, 1);
	/* Subtype 0 (CARD). */
	memcpy(p2, pkt, n);
	p2[4] = 0;
	icmp4_fix(p2, n);
	ck_assert_int_eq(ctp_icmp_decode(p2, n, false, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_SUBTYPE);
	ck_assert_uint_eq(off, 4);
	/* Reserved octets are ignored (D12). */
	memcpy(p2, pkt, n);
	p2[5] = 0xff;
	p2[7] = 0x01;
	icmp4_fix(p2, n);
	ck_assert_int_eq(ctp_icmp_decode(p2, n, false, NULL, NULL, &ic, &off),
	    CTP_OK);
	/* v6 without addresses: checksum not checked, the rest is. */
	n = load_hex("icmp6_ctaa.hex", pkt, sizeof(pkt));
	pkt[2] ^= 0xff;
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, NULL, NULL, &ic, &off),
	    CTP_OK);
	pkt[1] = 3;
	ck_assert_int_eq(ctp_icmp_decode(pkt, n, true, NULL, NULL, &ic, &off),
	    CTP_ERR_ICMP_CODE);
	ck_assert_uint_eq(off, 1);
}
END_TEST

/* --------------------------------------------------------------- names */

/* ::ffff:a.b.c.d becomes a.b.c.d; other addresses are copied, zero-padded. */
START_TEST(test_addr_norm)
{
	struct ctp_addr	 a, out;

	memset(&a, 0, sizeof(a));
	a.len = 16;
	a.b[10] = 0xff;
	a.b[11] = 0xff;
	memcpy(a.b + 12, "\xc0\x00\x02\x01", 4);
	ctp_addr_norm(&a, &out);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_mem_eq(out.b, "\xc0\x00\x02\x01", 4);
	ck_assert_mem_eq(out.b + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	/* in place */
	ctp_addr_norm(&a, &a);
	ck_assert_uint_eq(a.len, 4);
	ck_assert_mem_eq(a.b, "\xc0\x00\x02\x01", 4);
	/* 2001:db8::1 and ::fffe:c000:201 stay IPv6 */
	memset(&a, 0, sizeof(a));
	a.len = 16;
	memcpy(a.b, "\x20\x01\x0d\xb8", 4);
	a.b[15] = 1;
	ctp_addr_norm(&a, &out);
	ck_assert_uint_eq(out.len, 16);
	ck_assert_mem_eq(out.b, a.b, 16);
	a.b[0] = 0;
	a.b[1] = 0;
	a.b[2] = 0;
	a.b[3] = 0;
	a.b[10] = 0xff;
	a.b[11] = 0xfe;
	ctp_addr_norm(&a, &out);
	ck_assert_uint_eq(out.len, 16);
	/* a 4-octet address keeps its octets, the rest cleared */
	memset(&a, 0xaa, sizeof(a));
	a.len = 4;
	ctp_addr_norm(&a, &out);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_mem_eq(out.b, "\xaa\xaa\xaa\xaa", 4);
	ck_assert_uint_eq(out.b[4], 0);
}
END_TEST

/* Both spellings of one node are equal and print alike; unset is neither. */
START_TEST(test_addr_eq_str)
{
	struct ctp_addr	 m, v4, v6, none;
	char		 buf[INET6_ADDRSTRLEN], tiny[4];

	memset(&m, 0, sizeof(m));
	m.len = 16;
	m.b[10] = 0xff;
	m.b[11] = 0xff;
	memcpy(m.b + 12, "\xc0\x00\x02\x01", 4);
	memset(&v4, 0, sizeof(v4));
	v4.len = 4;
	memcpy(v4.b, "\xc0\x00\x02\x01", 4);
	memset(&v6, 0, sizeof(v6));
	v6.len = 16;
	memcpy(v6.b, "\x20\x01\x0d\xb8", 4);
	v6.b[15] = 1;
	memset(&none, 0, sizeof(none));
	ck_assert(ctp_addr_eq(&m, &v4));
	ck_assert(ctp_addr_eq(&v4, &m));
	ck_assert(!ctp_addr_eq(&v4, &v6));
	ck_assert(!ctp_addr_eq(&none, &none));
	v4.b[3] = 2;
	ck_assert(!ctp_addr_eq(&m, &v4));
	ck_assert_str_eq(ctp_addr_str(&m, buf, sizeof(buf)), "192.0.2.1");
	ck_assert_str_eq(ctp_addr_str(&v6, buf, sizeof(buf)), "2001:db8::1");
	ck_assert_str_eq(ctp_addr_str(&none, buf, sizeof(buf)), "?");
	ck_assert_str_eq(ctp_addr_str(&v6, tiny, sizeof(tiny)), "?");
}
END_TEST

START_TEST(test_names)
{
	struct ctp_limits	 lim;
	struct ctp_hdr		 h;
	unsigned		 t, s;
	uint8_t			 buf[4] = { 0x25, 0xc0, 0x01, 0x02 };

	ck_assert_str_eq(ctp_msg_type_name(CTP_MSG_CTAR), "CTAR");
	ck_assert_str_eq(ctp_msg_type_name(CTP_MSG_PCTD), "PCTD");
	ck_assert_str_eq(ctp_msg_type_name(CTP_MSG_CTREQ), "CTREQ");
	ck_assert_ptr_null(ctp_msg_type_name(0));
	ck_assert_ptr_null(ctp_msg_type_name(8));
	for (t = 1; t <= CTP_MSG_TYPE_MAX; t++)
		ck_assert_uint_eq(ctp_msg_type_from_name(ctp_msg_type_name(t)),
		    t);
	ck_assert_uint_eq(ctp_msg_type_from_name("ctsr"), CTP_MSG_CTAR);
	ck_assert_uint_eq(ctp_msg_type_from_name("CT-Req"), CTP_MSG_CTREQ);
	ck_assert_uint_eq(ctp_msg_type_from_name("ctdr"), CTP_MSG_CTDR);
	ck_assert_uint_eq(ctp_msg_type_from_name("CTX"), 0);
	ck_assert_uint_eq(ctp_msg_type_from_name(""), 0);

	ck_assert_str_eq(ctp_status_name(0), "SUCCESS");
	ck_assert_str_eq(ctp_status_name(CTP_ST_AUTH_FAILED), "AUTH_FAILED");
	ck_assert_str_eq(ctp_status_name(CTP_ST_BUSY), "BUSY");
	ck_assert_str_eq(ctp_status_name(0x0f), "RESERVED");
	ck_assert_str_eq(ctp_status_name(0x3f), "RESERVED");
	ck_assert_str_eq(ctp_status_name(0x40), "FPT_SPECIFIC");
	ck_assert_str_eq(ctp_status_name(0xff), "FPT_SPECIFIC");
	for (s = 0; s <= CTP_ST_BUSY; s++)
		ck_assert_int_eq(ctp_status_from_name(ctp_status_name(s)),
		    (int)s);
	ck_assert_int_eq(ctp_status_from_name("malformed"), CTP_ST_MALFORMED);
	ck_assert_int_eq(ctp_status_from_name("RESERVED"), -1);
	ck_assert_int_eq(ctp_status_from_name("nope"), -1);

	ctp_limits_default(&lim);
	ck_assert_uint_eq(lim.max_msg, CTP_MSG_MAX);
	ck_assert_uint_eq(lim.max_cdbs, CTP_MAX_CDBS);
	ck_assert_uint_eq(lim.max_entries, CTP_MAX_ENTRIES);

	/* hdr_peek frames without judging. */
	ck_assert_int_eq(ctp_hdr_peek(buf, 4, &h), CTP_OK);
	ck_assert_uint_eq(h.version, 1);
	ck_assert_uint_eq(h.type, CTP_MSG_CTDR);
	ck_assert(h.v4 && h.x);
	ck_assert_uint_eq(h.length, 0x0102);
	buf[0] = 0xff;
	ck_assert_int_eq(ctp_hdr_peek(buf, 4, &h), CTP_OK);
	ck_assert_uint_eq(h.version, 7);
	ck_assert_uint_eq(h.type, 31);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite	*s = suite_create("msg");
	TCase	*tc;

	tc = tcase_create("vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spec_vector);
	tcase_add_loop_test(tc, test_golden, 0, (int)NGOLDEN);
	tcase_add_test(tc, test_golden_fields);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_roundtrip, 0, 2 * CTP_MSG_TYPE_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bad_short);
	tcase_add_test(tc, test_bad_version);
	tcase_add_test(tc, test_bad_type);
	tcase_add_test(tc, test_bad_len_over);
	tcase_add_test(tc, test_bad_len_under);
	tcase_add_test(tc, test_bad_len_min);
	tcase_add_test(tc, test_bad_too_big);
	tcase_add_test(tc, test_bad_family);
	tcase_add_test(tc, test_bad_trailing);
	tcase_add_test(tc, test_bad_cdb_short);
	tcase_add_test(tc, test_bad_cdb_overrun);
	tcase_add_test(tc, test_bad_cdb_zero);
	tcase_add_test(tc, test_bad_cdb_req_p);
	tcase_add_test(tc, test_bad_key_len);
	tcase_add_test(tc, test_bad_too_many);
	tcase_add_test(tc, test_check_order);
	tcase_add_test(tc, test_reserved_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_encode_checks);
	tcase_add_test(tc, test_encode_cdbs);
	tcase_add_test(tc, test_cdb_wire_len);
	suite_add_tcase(s, tc);

	tc = tcase_create("mutation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_mutation, 0, (int)NGOLDEN);
	tcase_add_loop_test(tc, test_mutation_icmp, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("icmp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_inet_csum);
	tcase_add_test(tc, test_icmp_golden);
	tcase_add_test(tc, test_icmp_bad);
	tcase_add_test(tc, test_addr_norm);
	tcase_add_test(tc, test_addr_eq_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(msg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
