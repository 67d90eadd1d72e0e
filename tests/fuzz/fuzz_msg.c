/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the CXTP message codec (spec §3): ctp_msg_decode under
 * the hard limits and under small caps, re-encoding, and the JSON rendering
 * of ctpctl.  Every invariant that fails aborts, so libFuzzer keeps the input
 * as a crash artifact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctp_json.h"
#include "ctp_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do {						\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

static struct ctp_msg	 m_def, m_small, m_again, m_canon, m_json;
static uint8_t		 jstore[65536];

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_msg.c:%d: invariant failed: %s\n", line, what);
	abort();
}

static int
in_buf(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	if (n == 0)
		return 1;
	return p != NULL && p >= buf && n <= len &&
	    (size_t)(p - buf) <= len - n;
}

/* The fields a decoder defines for the message type (ctp_msg.h). */
static int
has_addr_ar(unsigned t)
{
	return t == CTP_MSG_CTAR;
}

static int
has_seq(unsigned t)
{
	return t == CTP_MSG_CTAR || t == CTP_MSG_CTREQ;
}

static int
has_cdbs(unsigned t)
{
	return t == CTP_MSG_CTAR || t == CTP_MSG_CTREQ || t == CTP_MSG_CTD ||
	    t == CTP_MSG_PCTD;
}

static int
has_entries(unsigned t)
{
	return t == CTP_MSG_CTAA || t == CTP_MSG_CTDR;
}

static int
addr_eq(const struct ctp_addr *a, const struct ctp_addr *b)
{
	return a->len == b->len && a->len <= 16 &&
	    memcmp(a->b, b->b, a->len) == 0;
}

/*
 * Equality of two decoded messages over the members that the type defines;
 * payloads are compared by content since they point into different buffers.
 */
static int
msg_eq_cdbs(const struct ctp_msg *a, const struct ctp_msg *b, int data)
{
	unsigned	 t = a->hdr.type;
	size_t		 i;

	if (a->hdr.version != b->hdr.version || a->hdr.type != b->hdr.type ||
	    a->hdr.v4 != b->hdr.v4 || a->hdr.x != b->hdr.x ||
	    !addr_eq(&a->mn, &b->mn))
		return 0;
	if (has_addr_ar(t) && !addr_eq(&a->ar, &b->ar))
		return 0;
	if (has_seq(t) && (a->seq != b->seq ||
	    memcmp(a->token, b->token, sizeof(a->token)) != 0))
		return 0;
	if ((t == CTP_MSG_CTD || t == CTP_MSG_PCTD) &&
	    a->elapsed_ms != b->elapsed_ms)
		return 0;
	if (t == CTP_MSG_PCTD && (a->alg != b->alg ||
	    a->key_len != b->key_len ||
	    memcmp(a->key, b->key, a->key_len) != 0))
		return 0;
	if (has_cdbs(t)) {
		if (a->ncdbs != b->ncdbs)
			return 0;
		for (i = 0; i < a->ncdbs; i++) {
			const struct ctp_cdb *x = &a->cdbs[i], *y = &b->cdbs[i];

			if (x->fpt != y->fpt || x->p != y->p || x->r != y->r)
				return 0;
			if (data && ((x->p && x->pv != y->pv) ||
			    x->data_len != y->data_len ||
			    (x->data_len > 0 &&
			    memcmp(x->data, y->data, x->data_len) != 0)))
				return 0;
		}
	}
	if (has_entries(t)) {
		if (a->nentries != b->nentries)
			return 0;
		for (i = 0; i < a->nentries; i++)
			if (a->entries[i].fpt != b->entries[i].fpt ||
			    a->entries[i].status != b->entries[i].status)
				return 0;
	}
	return 1;
}

static int
msg_eq(const struct ctp_msg *a, const struct ctp_msg *b)
{
	return msg_eq_cdbs(a, b, 1);
}

/* Structural facts every successfully decoded message must satisfy. */
static void
check_decoded(const struct ctp_msg *m, const uint8_t *buf, size_t len,
    const struct ctp_limits *lim)
{
	struct ctp_hdr	 h;
	unsigned	 t = m->hdr.type;
	size_t		 alen = m->hdr.v4 ? 4 : 16, i, sum, prev;

	CHECK(len >= CTP_HDR_LEN && len <= lim->max_msg);
	CHECK(m->hdr.version == CTP_VERSION);
	CHECK(t >= 1 && t <= CTP_MSG_TYPE_MAX);
	CHECK(ctp_msg_type_name(t) != NULL);
	CHECK(m->hdr.length == len);
	/* X is A in CTAR/CTD/PCTD and S in CTDR; reserved (0) elsewhere. */
	if (t != CTP_MSG_CTAR && t != CTP_MSG_CTD && t != CTP_MSG_PCTD &&
	    t != CTP_MSG_CTDR)
		CHECK(!m->hdr.x);
	CHECK(len % 4 == 0);	/* every layout is 4-octet aligned (D17) */
	CHECK(m->mn.len == alen);
	if (has_addr_ar(t))
		CHECK(m->ar.len == alen);
	CHECK(ctp_hdr_peek(buf, len, &h) == CTP_OK);
	CHECK(h.version == m->hdr.version && h.type == m->hdr.type &&
	    h.v4 == m->hdr.v4 && h.length == m->hdr.length);

	if (t == CTP_MSG_PCTD) {
		CHECK(m->key_len >= 1 && m->key_len <= CTP_KEY_MAX);
		CHECK(in_buf(m->key, m->key_len, buf, len));
	}
	if (has_cdbs(t)) {
		CHECK(m->ncdbs <= lim->max_cdbs && m->ncdbs <= CTP_MAX_CDBS);
		CHECK(in_buf(m->cdb_raw, m->cdb_raw_len, buf, len));
		/* The CDB list runs to the end of the message (§3.8.4). */
		if (m->cdb_raw_len > 0)
			CHECK(m->cdb_raw + m->cdb_raw_len == buf + len);
		sum = 0;
		prev = 0;
		for (i = 0; i < m->ncdbs; i++) {
			const struct ctp_cdb *c = &m->cdbs[i];
			size_t	 w = ctp_cdb_wire_len(c);

			CHECK(w >= CTP_CDB_HDR_LEN && w <= CTP_CDB_MAX);
			CHECK(c->off < len && w <= len - c->off);
			CHECK(i == 0 || c->off >= prev);
			CHECK(in_buf(c->data, c->data_len, buf, len));
			if (c->data_len > 0)
				CHECK(c->data >= buf + c->off &&
				    c->data + c->data_len <= buf + c->off + w);
			if (t == CTP_MSG_CTD || t == CTP_MSG_PCTD) {
				/* Data CDBs: Length >= 1, 8-octet units. */
				CHECK(w % 8 == 0);
				CHECK((size_t)CTP_CDB_HDR_LEN +
				    (c->p ? 4 : 0) + c->data_len == w);
			}
			prev = c->off + w;
			sum += w;
		}
		CHECK(sum == m->cdb_raw_len);
	}
	if (has_entries(t)) {
		CHECK(m->nentries <= lim->max_entries &&
		    m->nentries <= CTP_MAX_ENTRIES);
		CHECK(len == CTP_HDR_LEN + alen + 4 * m->nentries);
	}
	if (t == CTP_MSG_CTC)
		CHECK(len == CTP_HDR_LEN + alen);
}

/*
 * Encode m into a heap buffer of exactly the size it needs, so that ASan sees
 * any write past the end; one octet less must fail cleanly with NOSPACE.
 */
static uint8_t *
encode_exact(const struct ctp_msg *m, size_t *outlen)
{
	static uint8_t	 big[CTP_MSG_MAX + 64];
	uint8_t		*b;
	size_t		 n = 0, n2 = 0;

	CHECK(ctp_msg_encode(m, big, sizeof(big), &n) == CTP_OK);
	CHECK(n >= CTP_HDR_LEN && n <= CTP_MSG_MAX);
	CHECK((b = malloc(n)) != NULL);
	CHECK(ctp_msg_encode(m, b, n, &n2) == CTP_OK);
	CHECK(n2 == n && memcmp(b, big, n) == 0);
	CHECK(ctp_msg_encode(m, b, n - 1, &n2) == CTP_ERR_NOSPACE);
	*outlen = n;
	return b;
}

/*
 * ctpctl's view: the JSON rendering (key included) parses back, encodes and
 * decodes to a message with the same rendering.  CDBs shown as "fields" lose
 * their padding and surplus octets (D6); every other octet survives, so
 * without such CDBs the encoding is the canonical one, enc.
 */
static void
check_json(const struct ctp_msg *m, const uint8_t *enc, size_t elen)
{
	json_t		*j = NULL, *j2 = NULL, *c;
	char		 eb[256], *s;
	uint8_t		*b;
	size_t		 blen, i, eo;
	int		 typed = 0;

	CHECK(ctp_json_from_msg(m, CTP_JSON_KEY, &j) == CTP_OK && j != NULL);
	eb[0] = '\0';
	if (ctp_json_to_msg(j, &m_json, jstore, sizeof(jstore), eb,
	    sizeof(eb)) != CTP_OK) {
		if ((s = json_dumps(j, JSON_COMPACT)) != NULL)
			fprintf(stderr, "rendered: %s\n", s);
		free(s);
		fprintf(stderr, "parse: %s\n", eb);
		CHECK(!"the JSON rendering parses back");
	}
	CHECK(m_json.hdr.length == m->hdr.length);
	json_array_foreach(json_object_get(j, "cdbs"), i, c)
		if (json_object_get(c, "fields") != NULL)
			typed = 1;
	b = encode_exact(&m_json, &blen);
	if (!typed)
		CHECK(blen == elen && memcmp(b, enc, elen) == 0);
	else
		CHECK(blen <= elen);
	eo = (size_t)-1;
	CHECK(ctp_msg_decode(b, blen, NULL, &m_json, &eo) == CTP_OK);
	CHECK(msg_eq_cdbs(&m_json, m, 0));
	CHECK(ctp_json_from_msg(&m_json, CTP_JSON_KEY, &j2) == CTP_OK);
	json_object_del(j, "length");
	json_object_del(j2, "length");
	if (!json_equal(j, j2)) {
		if ((s = json_dumps(j, JSON_COMPACT)) != NULL)
			fprintf(stderr, "first:  %s\n", s);
		free(s);
		if ((s = json_dumps(j2, JSON_COMPACT)) != NULL)
			fprintf(stderr, "second: %s\n", s);
		free(s);
		CHECK(!"JSON -> wire -> JSON is a fixed point");
	}
	free(b);
	json_decref(j2);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctp_limits	 def, small, tight;
	struct ctp_hdr		 h;
	enum ctp_err		 e_def, e_small, e;
	uint8_t			*buf, *enc, *enc2;
	size_t			 eo, elen, elen2, i;

	/* A private copy of exactly size octets: reads past it are caught. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(buf, data, size);

	CHECK((ctp_hdr_peek(buf, size, &h) == CTP_OK) ==
	    (size >= CTP_HDR_LEN));
	ctp_limits_default(&def);
	CHECK(def.max_msg == CTP_MSG_MAX && def.max_cdbs == CTP_MAX_CDBS &&
	    def.max_entries == CTP_MAX_ENTRIES);
	small.max_msg = 96;
	small.max_cdbs = 3;
	small.max_entries = 2;

	eo = (size_t)-1;
	e_def = ctp_msg_decode(buf, size, NULL, &m_def, &eo);
	CHECK(e_def < CTP_ERR__MAX);
	if (e_def != CTP_OK)
		CHECK(eo <= size);
	/* Explicit default limits behave like NULL. */
	eo = (size_t)-1;
	e = ctp_msg_decode(buf, size, &def, &m_again, &eo);
	CHECK(e == e_def);
	if (e != CTP_OK)
		CHECK(eo <= size);
	/* err_off may be NULL. */
	CHECK(ctp_msg_decode(buf, size, NULL, &m_again, NULL) == e_def);

	eo = (size_t)-1;
	e_small = ctp_msg_decode(buf, size, &small, &m_small, &eo);
	if (e_small != CTP_OK)
		CHECK(eo <= size);
	/* Tighter caps only ever turn success into TOO_BIG / TOO_MANY. */
	if (e_small == CTP_OK) {
		CHECK(e_def == CTP_OK);
		check_decoded(&m_small, buf, size, &small);
		CHECK(msg_eq(&m_small, &m_def));
	} else if (e_def == CTP_OK)
		CHECK(e_small == CTP_ERR_TOO_BIG ||
		    e_small == CTP_ERR_TOO_MANY);

	if (e_def != CTP_OK)
		goto out;
	check_decoded(&m_def, buf, size, &def);

	/* Caps are inclusive: exactly the message's own size passes ... */
	tight.max_msg = size;
	tight.max_cdbs = m_def.ncdbs;
	tight.max_entries = m_def.nentries;
	CHECK(ctp_msg_decode(buf, size, &tight, &m_again, NULL) == CTP_OK);
	CHECK(msg_eq(&m_again, &m_def));
	/* ... and one less is refused with the matching error. */
	tight.max_msg = size - 1;
	CHECK(ctp_msg_decode(buf, size, &tight, &m_again, NULL) ==
	    CTP_ERR_TOO_BIG);
	tight.max_msg = size;
	if (has_cdbs(m_def.hdr.type) && m_def.ncdbs > 0) {
		tight.max_cdbs = m_def.ncdbs - 1;
		CHECK(ctp_msg_decode(buf, size, &tight, &m_again, NULL) ==
		    CTP_ERR_TOO_MANY);
		tight.max_cdbs = m_def.ncdbs;
	}
	if (has_entries(m_def.hdr.type) && m_def.nentries > 0) {
		tight.max_entries = m_def.nentries - 1;
		CHECK(ctp_msg_decode(buf, size, &tight, &m_again, NULL) ==
		    CTP_ERR_TOO_MANY);
	}
	/* Length must match the framing: one octet less is refused. */
	eo = (size_t)-1;
	CHECK(ctp_msg_decode(buf, size - 1, NULL, &m_again, &eo) != CTP_OK);
	CHECK(eo <= size - 1);

	/* decode(encode(decode(x))) == decode(x) */
	enc = encode_exact(&m_def, &elen);
	eo = (size_t)-1;
	e = ctp_msg_decode(enc, elen, NULL, &m_canon, &eo);
	if (e != CTP_OK) {
		fprintf(stderr, "re-encoded message does not decode: %s at "
		    "%zu\n", ctp_errname(e), eo);
		CHECK(e == CTP_OK);
	}
	check_decoded(&m_canon, enc, elen, &def);
	CHECK(msg_eq(&m_canon, &m_def));
	/* The canonical encoding is a fixed point. */
	enc2 = encode_exact(&m_canon, &elen2);
	CHECK(elen2 == elen && memcmp(enc, enc2, elen) == 0);
	free(enc2);
	check_json(&m_def, enc, elen);
	/*
	 * Re-encoding keeps the size, except that a full CDB used as a request
	 * (D2) may shrink to the 4-octet form.  At the same size it may only
	 * clear bits (reserved bits and padding are written as zero, §3.8.1),
	 * so an input with zero padding comes back octet for octet.
	 */
	if (m_def.hdr.type == CTP_MSG_CTAR || m_def.hdr.type == CTP_MSG_CTREQ)
		CHECK(elen <= size);
	else
		CHECK(elen == size);
	if (elen == size)
		for (i = 0; i < size; i++)
			if ((enc[i] & ~buf[i]) != 0) {
				fprintf(stderr, "re-encoding set bits 0x%02x "
				    "at octet %zu\n", enc[i] & ~buf[i], i);
				CHECK((enc[i] & ~buf[i]) == 0);
			}
	free(enc);
out:
	free(buf);
	return 0;
}
