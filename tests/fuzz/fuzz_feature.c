/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the feature layer (spec §4): the input is used as the
 * CDB list of a CTD and of a CTAR, each CDB is validated and rendered as JSON
 * and parsed back; the same input is also tried as JSON text of one CDB.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctp_feature.h"
#include "ctp_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do {						\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

#define STORE_CAP	4096

static struct ctp_msg	 m, m2;
static uint8_t		 msgbuf[CTP_MSG_MAX + 64];
static uint8_t		 encbuf[CTP_MSG_MAX + 64];
static uint8_t		 store1[STORE_CAP], store2[STORE_CAP];
static uint8_t		 store3[STORE_CAP], store4[STORE_CAP];
static struct ctp_fvals	 fv;

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_feature.c:%d: invariant failed: %s\n", line,
	    what);
	abort();
}

static void
dump_json(const char *what, const json_t *j)
{
	char	*s;

	if (j == NULL || (s = json_dumps(j, JSON_COMPACT)) == NULL)
		return;
	fprintf(stderr, "%s: %s\n", what, s);
	free(s);
}

static bool
cdb_eq(const struct ctp_cdb *a, const struct ctp_cdb *b)
{
	return a->fpt == b->fpt && a->p == b->p && a->r == b->r &&
	    (!a->p || a->pv == b->pv) && a->data_len == b->data_len &&
	    (a->data_len == 0 || memcmp(a->data, b->data, a->data_len) == 0);
}

static bool
is_request_form(const struct ctp_cdb *c)
{
	return !c->p && c->data_len == 0;
}

static bool
has(const json_t *j, const char *member)
{
	return json_object_get(j, member) != NULL;
}

/*
 * The JSON shapes of ctp_feature.h: "fields" exactly for a valid CDB of a
 * known FPT outside requests, "error" exactly for an invalid one, "pv" only
 * with "data" and P, "fpt" and "r" always as on the wire.
 */
static void
check_shape(const struct ctp_cdb *c, bool request, enum ctp_err ev,
    const json_t *j)
{
	bool	 known = ctp_feature_lookup(c->fpt) != NULL;
	json_t	*v;

	CHECK(json_is_object(j));
	CHECK((v = json_object_get(j, "fpt")) != NULL && json_is_integer(v) &&
	    json_integer_value(v) == c->fpt);
	CHECK((v = json_object_get(j, "r")) != NULL && json_is_boolean(v) &&
	    json_is_true(v) == c->r);
	CHECK(has(j, "feature") == known);
	if (request) {
		CHECK(!has(j, "fields") && !has(j, "error"));
		CHECK(has(j, "data") == !is_request_form(c));
	} else if (known) {
		CHECK(has(j, "fields") == (ev == CTP_OK));
		CHECK(has(j, "error") == (ev != CTP_OK));
		CHECK(has(j, "data") == (ev != CTP_OK));
	} else {
		CHECK(!has(j, "fields") && !has(j, "error") && has(j, "data"));
	}
	CHECK(has(j, "pv") == (c->p && has(j, "data")));
	if (has(j, "p"))
		CHECK(json_is_true(json_object_get(j, "p")) == c->p);
}

/*
 * A CDB that came from JSON: it lies in the store; made from "fields" it
 * validates; its rendering parses back to the same octets and renders the
 * same (a fixed point); exactly "used" octets of store suffice; and it
 * travels through the message codec unchanged, in a CTD or a CTAR.
 */
static void
check_built(const struct ctp_cdb *c, size_t used, const uint8_t *store,
    bool request, bool from_fields)
{
	struct ctp_cdb	 c2, c3;
	json_t		*j = NULL, *j2 = NULL;
	enum ctp_err	 ev;
	char		 eb[256];
	size_t		 eo, used2, need, n;
	uint8_t		*exact;
	bool		 known = ctp_feature_lookup(c->fpt) != NULL;

	CHECK(used <= STORE_CAP);
	if (c->data_len > 0)
		CHECK(c->data >= store &&
		    c->data + c->data_len <= store + used);
	if (!request || from_fields)
		CHECK(!is_request_form(c));
	if (!is_request_form(c))
		CHECK((CTP_CDB_HDR_LEN + (c->p ? 4 : 0) + c->data_len) %
		    8 == 0);
	eo = 0;
	ev = ctp_feature_validate(c, &eo);
	if (from_fields && ev != CTP_OK) {
		fprintf(stderr, "FPT 0x%04x built from \"fields\" does not "
		    "validate: %s at %zu\n", c->fpt, ctp_errname(ev), eo);
		CHECK(!"CDB from fields validates");
	}
	if (!known && !is_request_form(c))
		CHECK(ev == CTP_ERR_FPT_UNKNOWN);

	CHECK(ctp_feature_cdb_to_json(c, request, &j) == CTP_OK && j != NULL);
	check_shape(c, request, ev, j);
	if (has(j, "error")) {
		/* Raw "data" of a known FPT that does not validate. */
		CHECK(!from_fields && ev != CTP_OK);
		json_decref(j);
		return;
	}
	used2 = 0;
	eb[0] = '\0';
	if (ctp_feature_cdb_from_json(j, request, store2, sizeof(store2),
	    &used2, &c2, eb, sizeof(eb)) != CTP_OK) {
		dump_json("rendered", j);
		fprintf(stderr, "re-parse: %s\n", eb);
		CHECK(!"rendered JSON parses back");
	}
	/*
	 * Same octets back, except raw "data" of a known FPT that validates:
	 * it renders as "fields", which drop padding and extra octets (D6).
	 */
	if (from_fields || has(j, "data") || is_request_form(c))
		CHECK(used2 == used && cdb_eq(c, &c2));
	CHECK(ctp_feature_cdb_to_json(&c2, request, &j2) == CTP_OK);
	CHECK(json_equal(j, j2));
	json_decref(j2);

	/* A store of exactly the size needed suffices; one less does not. */
	need = used2;
	CHECK((exact = malloc(need > 0 ? need : 1)) != NULL);
	CHECK(ctp_feature_cdb_from_json(j, request, exact, need, &used2, &c3,
	    eb, sizeof(eb)) == CTP_OK);
	CHECK(used2 == need && cdb_eq(&c2, &c3));
	if (need > 0)
		CHECK(ctp_feature_cdb_from_json(j, request, exact, need - 1,
		    &used2, &c3, eb, sizeof(eb)) == CTP_ERR_NOSPACE);
	free(exact);
	json_decref(j);

	/* Through the wire format and back. */
	memset(&m2, 0, sizeof(m2));
	m2.hdr.version = CTP_VERSION;
	m2.hdr.type = request ? CTP_MSG_CTAR : CTP_MSG_CTD;
	m2.hdr.v4 = true;
	m2.mn.len = m2.ar.len = 4;
	m2.ncdbs = 1;
	m2.cdbs[0] = *c;
	CHECK(ctp_msg_encode(&m2, encbuf, sizeof(encbuf), &n) == CTP_OK);
	CHECK(ctp_msg_decode(encbuf, n, NULL, &m2, &eo) == CTP_OK);
	CHECK(m2.ncdbs == 1 && cdb_eq(c, &m2.cdbs[0]));
}

/*
 * Typed decoding agrees with validation, and typed values re-encode to a
 * CDB that validates and is a fixed point of decode -> encode.
 */
static void
check_typed(const struct ctp_cdb *c, enum ctp_err ev, size_t eo)
{
	struct ctp_cdb	 c3, c4;
	enum ctp_err	 e;
	size_t		 eo2 = (size_t)-1, u3, u4;

	e = ctp_feature_decode(c, &fv, &eo2);
	CHECK(e == ev);
	if (e != CTP_OK) {
		CHECK(eo2 == eo);
		return;
	}
	CHECK(ctp_feature_check(&fv, NULL, 0) == CTP_OK);
	CHECK(ctp_feature_encode(&fv, store3, sizeof(store3), &u3, &c3) ==
	    CTP_OK);
	CHECK(c3.fpt == c->fpt && c3.data_len <= c->data_len);
	CHECK(ctp_feature_validate(&c3, NULL) == CTP_OK);
	CHECK(ctp_feature_decode(&c3, &fv, NULL) == CTP_OK);
	CHECK(ctp_feature_encode(&fv, store4, sizeof(store4), &u4, &c4) ==
	    CTP_OK);
	CHECK(u4 == u3 && cdb_eq(&c3, &c4));
}

/* Every CDB of a decoded message: validate, render, parse the rendering. */
static void
check_decoded(const struct ctp_msg *msg, bool request)
{
	struct ctp_cdb	 c2;
	json_t		*j;
	enum ctp_err	 e, ev;
	char		 eb[256];
	size_t		 i, eo, used;
	bool		 known;

	for (i = 0; i < msg->ncdbs; i++) {
		const struct ctp_cdb *c = &msg->cdbs[i];

		known = ctp_feature_lookup(c->fpt) != NULL;
		CHECK((ctp_feature_name(c->fpt) != NULL) == known);
		eo = (size_t)-1;
		ev = ctp_feature_validate(c, &eo);
		CHECK(ev < CTP_ERR__MAX);
		if (ev != CTP_OK && ev != CTP_ERR_INVAL)
			CHECK(eo <= c->data_len);
		if (ev == CTP_ERR_FPT_UNKNOWN)
			CHECK(!known);
		if (!known)
			CHECK(ev == CTP_ERR_FPT_UNKNOWN ||
			    (ev == CTP_ERR_INVAL && is_request_form(c)));
		if (is_request_form(c))
			CHECK(ev == CTP_ERR_INVAL || ev == CTP_ERR_FPT_UNKNOWN);
		CHECK(ctp_feature_validate(c, NULL) == ev);
		if (known && !is_request_form(c))
			check_typed(c, ev, eo);

		j = NULL;
		e = ctp_feature_cdb_to_json(c, request, &j);
		CHECK(e == CTP_OK && j != NULL);
		check_shape(c, request, ev, j);
		if (!has(j, "error")) {
			used = 0;
			eb[0] = '\0';
			if (ctp_feature_cdb_from_json(j, request, store1,
			    sizeof(store1), &used, &c2, eb, sizeof(eb)) !=
			    CTP_OK) {
				dump_json("rendered", j);
				fprintf(stderr, "parse: %s\n", eb);
				CHECK(!"rendering without error parses");
			}
			/* Raw data comes back as it was; fields re-encode. */
			if (has(j, "data") || is_request_form(c))
				CHECK(cdb_eq(c, &c2));
			check_built(&c2, used, store1, request,
			    has(j, "fields"));
		}
		json_decref(j);
	}
}

static void
as_message(const uint8_t *data, size_t size, bool request)
{
	size_t	 hl = request ? 20 : 12, len = hl + size, eo;

	if (len > CTP_MSG_MAX)
		return;
	/* CTD: elapsed 0, MN 192.0.2.10; CTAR: + AR, seq, token (§3.2, §3.4) */
	memset(msgbuf, 0, hl);
	msgbuf[0] = (CTP_VERSION << 5) | (request ? CTP_MSG_CTAR : CTP_MSG_CTD);
	msgbuf[1] = 0x80;
	msgbuf[2] = (uint8_t)(len >> 8);
	msgbuf[3] = (uint8_t)len;
	memcpy(msgbuf + (request ? 4 : 8), "\xc0\x00\x02\x0a", 4);
	if (request)
		memcpy(msgbuf + 8, "\xc6\x33\x64\x01", 4);
	if (size > 0)
		memcpy(msgbuf + hl, data, size);
	if (ctp_msg_decode(msgbuf, len, NULL, &m, &eo) == CTP_OK)
		check_decoded(&m, request);
}

static void
as_json(const uint8_t *data, size_t size)
{
	struct ctp_cdb	 c;
	json_error_t	 jerr;
	json_t		*j;
	char		 eb[128];
	size_t		 used;
	int		 request;

	if ((j = json_loadb((const char *)data, size, 0, &jerr)) == NULL)
		return;
	for (request = 0; request <= 1; request++) {
		used = 0;
		memset(eb, 'x', sizeof(eb));
		eb[sizeof(eb) - 1] = '\0';
		if (ctp_feature_cdb_from_json(j, request, store1,
		    sizeof(store1), &used, &c, eb, sizeof(eb)) == CTP_OK)
			check_built(&c, used, store1, request,
			    json_is_object(j) && has(j, "fields"));
		else
			CHECK(memchr(eb, '\0', sizeof(eb)) != NULL);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_message(data, size, false);
	as_message(data, size, true);
	as_json(data, size);
	return 0;
}
