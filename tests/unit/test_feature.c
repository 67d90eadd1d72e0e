/* SPDX-License-Identifier: ISC */
/*
 * Check suite for the typed feature layer: registry and table sanity, golden
 * CDBs of every FPT both ways (tests/data/feature-*), each field's limits
 * with the exact error and offset, the D6-D10 and D14 verdicts, seeded
 * random round trips through the codec and JSON, mutation of the golden
 * vectors, and the messages of ctp_feature_cdb_from_json().
 */
#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctp_err.h"
#include "ctp_feature.h"
#include "ctp_msg.h"
#include "testutil.h"

#define RT_ITER		2000	/* random round trips per FPT */
#define RT_SEED		0x6374706665617431ULL

static uint8_t	 wire[4096], wire2[4096], store[4096];
static char	 eb[512];

/* ------------------------------------------------------------- helpers */

/* Hex text with '#' comments to octets. */
static size_t
unhex_c(const char *text, uint8_t *buf, size_t cap)
{
	char	*s, *d;
	long	 n;
	bool	 comment = false;

	s = strdup(text);
	ck_assert_ptr_nonnull(s);
	for (d = s; *d != '\0'; d++) {
		if (*d == '#')
			comment = true;
		else if (*d == '\n')
			comment = false;
		if (comment)
			*d = ' ';
	}
	n = tu_unhex(s, buf, cap);
	free(s);
	ck_assert_msg(n >= 0, "bad hex: %s", text);
	return (size_t)n;
}

/*
 * Parse one whole CDB (header included) as ctp_cdb.c would: Length 0 is the
 * 4-octet request form, else Length * 8 octets must be given.
 */
static void
parse_cdb(const uint8_t *b, size_t len, struct ctp_cdb *c)
{
	size_t	 total, off = 4;

	ck_assert_uint_ge(len, 4);
	memset(c, 0, sizeof(*c));
	c->fpt = (uint16_t)(b[0] << 8 | b[1]);
	c->p = (b[3] & 0x80) != 0;
	c->r = (b[3] & 0x40) != 0;
	if (b[2] == 0) {
		ck_assert_uint_eq(len, 4);
		c->data = b + 4;
		return;
	}
	total = (size_t)b[2] * 8;
	ck_assert_msg(total == len, "CDB Length %zu, have %zu octets", total,
	    len);
	if (c->p) {
		c->pv = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
		    (uint32_t)b[6] << 8 | b[7];
		off = 8;
	}
	c->data = b + off;
	c->data_len = (uint16_t)(total - off);
}

/* A CDB as on the wire; returns its size. */
static size_t
cdb_bytes(const struct ctp_cdb *c, uint8_t *b, size_t cap)
{
	size_t	 hdr = c->p ? 8 : 4, total = hdr + c->data_len;

	ck_assert_uint_le(total, cap);
	if (!c->p && c->data_len == 0) {
		total = 4;
	} else {
		ck_assert_msg(total % 8 == 0, "CDB of %zu octets", total);
		ck_assert_uint_le(total, CTP_CDB_MAX);
	}
	b[0] = (uint8_t)(c->fpt >> 8);
	b[1] = (uint8_t)c->fpt;
	b[2] = (uint8_t)(total == 4 && !c->p && c->data_len == 0 ? 0 :
	    total / 8);
	b[3] = (uint8_t)((c->p ? 0x80 : 0) | (c->r ? 0x40 : 0));
	if (c->p) {
		b[4] = (uint8_t)(c->pv >> 24);
		b[5] = (uint8_t)(c->pv >> 16);
		b[6] = (uint8_t)(c->pv >> 8);
		b[7] = (uint8_t)c->pv;
	}
	if (c->data_len > 0)
		memcpy(b + hdr, c->data, c->data_len);
	return total;
}

static json_t *
jparse(const char *text)
{
	json_error_t	 jerr;
	json_t		*j;

	j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(j != NULL, "bad JSON in test: %s: %s", jerr.text, text);
	return j;
}

static char *
jdump(const json_t *j)
{
	char	*s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* Hex CDB text -> to_json must equal want (JSON text). */
static void
check_to_json(const char *hex, bool request, const char *want)
{
	struct ctp_cdb	 c;
	json_t		*j = NULL, *w;
	char		*a, *b;
	size_t		 n;

	n = unhex_c(hex, wire, sizeof(wire));
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_cdb_to_json(&c, request, &j), CTP_OK);
	ck_assert_ptr_nonnull(j);
	w = jparse(want);
	a = jdump(j);
	b = jdump(w);
	ck_assert_msg(json_equal(j, w), "got %s, want %s", a, b);
	free(a);
	free(b);
	json_decref(j);
	json_decref(w);
}

/* JSON text -> from_json must give the CDB hex (header included). */
static void
check_from_json(const char *text, bool request, const char *hex)
{
	struct ctp_cdb	 c;
	json_t		*j;
	size_t		 n, m, used = 0;
	enum ctp_err	 e;

	j = jparse(text);
	eb[0] = '\0';
	e = ctp_feature_cdb_from_json(j, request, store, sizeof(store), &used,
	    &c, eb, sizeof(eb));
	ck_assert_msg(e == CTP_OK, "%s: %s (%s)", text, ctp_errname(e), eb);
	ck_assert_uint_eq(used, c.data_len);
	if (c.p || c.data_len > 0)
		ck_assert_ptr_eq(c.data, store);
	n = unhex_c(hex, wire, sizeof(wire));
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0,
	    "%s: got %s", text, tu_hex(wire2, m));
	json_decref(j);
}

/* Hex CDB text -> validate must give err at off. */
static void
check_validate(const char *hex, enum ctp_err want, size_t want_off)
{
	struct ctp_cdb	 c;
	size_t		 n, off = 9999;
	enum ctp_err	 e;

	n = unhex_c(hex, wire, sizeof(wire));
	parse_cdb(wire, n, &c);
	e = ctp_feature_validate(&c, &off);
	ck_assert_msg(e == want, "%s: got %s, want %s", hex, ctp_errname(e),
	    ctp_errname(want));
	if (want != CTP_OK)
		ck_assert_msg(off == want_off, "%s: %s at offset %zu, want %zu",
		    hex, ctp_errname(e), off, want_off);
}

static bool
fvals_equal(const struct ctp_fvals *a, const struct ctp_fvals *b,
    char *why, size_t len)
{
	const struct ctp_feature	*f = ctp_feature_lookup(a->fpt);
	const struct ctp_field		*fl;
	size_t				 n;
	int				 i;

	if (a->fpt != b->fpt || a->p != b->p || a->pv != b->pv) {
		snprintf(why, len, "fpt/p/pv %04x/%d/%08x vs %04x/%d/%08x",
		    a->fpt, a->p, a->pv, b->fpt, b->p, b->pv);
		return false;
	}
	if (f->list) {
		if (a->nentries != b->nentries) {
			snprintf(why, len, "%zu vs %zu entries", a->nentries,
			    b->nentries);
			return false;
		}
		for (n = 0; n < a->nentries; n++)
			if (a->entries[n].fpt != b->entries[n].fpt ||
			    a->entries[n].status != b->entries[n].status) {
				snprintf(why, len, "entry %zu differs", n);
				return false;
			}
		return true;
	}
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		if (!ctp_fvals_has(a, (unsigned)i) || fl->kind == CTP_FK_RSVD)
			continue;
		switch (fl->kind) {
		case CTP_FK_UINT:
		case CTP_FK_ENUM:
			if (a->v[i].u == b->v[i].u)
				continue;
			break;
		case CTP_FK_OPAQUE:
			if (a->v[i].len == b->v[i].len && (a->v[i].len == 0 ||
			    memcmp(a->v[i].data, b->v[i].data, a->v[i].len) ==
			    0))
				continue;
			break;
		default:
			if (memcmp(a->v[i].b, b->v[i].b, fl->size) == 0)
				continue;
			break;
		}
		snprintf(why, len, "field %s differs", fl->name);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ registry */

START_TEST(test_lookup)
{
	static const struct {
		uint16_t	 fpt;
		const char	*name;
	} rows[] = {
		{ 0xff00, "error" }, { 0xff01, "aaa" }, { 0xff02, "qos" },
		{ 0xff03, "rohc" }, { 0x0001, "mld" },
	};
	const struct ctp_feature	*f;
	size_t				 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		f = ctp_feature_lookup(rows[i].fpt);
		ck_assert_ptr_nonnull(f);
		ck_assert_str_eq(f->name, rows[i].name);
		ck_assert_ptr_eq(ctp_feature_by_name(rows[i].name), f);
		ck_assert_str_eq(ctp_feature_name(rows[i].fpt), rows[i].name);
		ck_assert_ptr_eq(ctp_feature_at(i), f);
	}
	ck_assert_ptr_null(ctp_feature_at(i));
	ck_assert_ptr_eq(ctp_feature_by_name("QoS"), &ctp_feature_qos_def);
	ck_assert_ptr_null(ctp_feature_lookup(0x0000));	/* D14 */
	ck_assert_ptr_null(ctp_feature_lookup(0x4242));
	ck_assert_ptr_null(ctp_feature_lookup(0xfffe));
	ck_assert_ptr_null(ctp_feature_name(0x0000));
	ck_assert_ptr_null(ctp_feature_by_name("nonesuch"));
	ck_assert_ptr_null(ctp_feature_by_name(NULL));
	ck_assert_int_eq(CTP_FPT_ERROR, 0xff00);
	ck_assert_int_eq(CTP_FPT_AAA, 0xff01);
	ck_assert_int_eq(CTP_FPT_QOS, 0xff02);
	ck_assert_int_eq(CTP_FPT_ROHC, 0xff03);
	ck_assert_int_eq(CTP_FPT_MLD, 0x0001);
	ck_assert_int_eq(ctp_feature_field_index(&ctp_feature_qos_def, "dscp"),
	    CTP_QOS_DSCP);
	ck_assert_int_eq(ctp_feature_field_index(&ctp_feature_qos_def, "x"),
	    -1);
	ck_assert_uint_eq(ctp_feature_pv_full(&ctp_feature_aaa_def),
	    0xff000000u);
	ck_assert_uint_eq(ctp_feature_pv_full(&ctp_feature_rohc_def),
	    0xf0000000u);
	ck_assert_uint_eq(ctp_feature_pv_full(&ctp_feature_mld_def),
	    0xc0000000u);
	ck_assert_uint_eq(ctp_feature_pv_full(&ctp_feature_error_def), 0);
}
END_TEST

/* The invariants the walker relies on, for every row (loop over rows). */
START_TEST(test_table)
{
	const struct ctp_feature	*f = ctp_feature_at((size_t)_i);
	const struct ctp_field		*fl;
	size_t				 fixed = 0, names;
	int				 i, last = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_le(f->nfields, CTP_FEATURE_FIELDS_MAX);
	ck_assert_uint_le(f->ngroups, CTP_FEATURE_GROUPS_MAX);
	ck_assert_ptr_eq(ctp_feature_lookup(f->fpt), f);
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		ck_assert_int_ge(fl->group, last);
		last = fl->group;
		if (!f->list)
			ck_assert_int_lt(fl->group, f->ngroups);
		ck_assert_msg((fl->name == NULL) == (fl->kind == CTP_FK_RSVD),
		    "%s field %d: name iff not reserved", f->name, i);
		if (fl->name != NULL)
			ck_assert_int_eq(ctp_feature_field_index(f, fl->name),
			    i);
		switch (fl->kind) {
		case CTP_FK_UINT:
		case CTP_FK_ENUM:
		case CTP_FK_FPT:
		case CTP_FK_STATUS:
			ck_assert(fl->size == 1 || fl->size == 2 ||
			    fl->size == 4 || fl->size == 8);
			ck_assert(fl->min <= fl->max);
			ck_assert(fl->size == 8 ||
			    fl->max < (UINT64_C(1) << (8 * fl->size)));
			if ((fl->flags & CTP_FF_REQUIRED) == 0)
				ck_assert(fl->def >= fl->min &&
				    fl->def <= fl->max);
			if (fl->kind == CTP_FK_ENUM) {
				ck_assert_ptr_nonnull(fl->names);
				for (names = 0; names <= fl->max - fl->min;
				    names++)
					ck_assert_ptr_nonnull(fl->names[names]);
			}
			break;
		case CTP_FK_ADDR:
			ck_assert_uint_eq(fl->size, 16);
			break;
		case CTP_FK_PREFIX:
			ck_assert_uint_eq(fl->size, 8);
			break;
		case CTP_FK_HEX:
			ck_assert(fl->size > 0 && fl->size <= 16);
			break;
		case CTP_FK_OPAQUE:
			ck_assert_uint_eq(fl->size, 0);
			ck_assert(fl->lenfield >= 0 && fl->lenfield < i);
			ck_assert_int_lt(f->fields[fl->lenfield].group,
			    fl->group);
			ck_assert_int_eq(f->fields[fl->lenfield].kind,
			    CTP_FK_UINT);
			break;
		case CTP_FK_RSVD:
			ck_assert_uint_gt(fl->size, 0);
			break;
		default:
			ck_abort_msg("%s field %d: bad kind", f->name, i);
		}
		fixed += fl->size;
	}
	if (!f->list)
		ck_assert_int_eq(last + 1, f->ngroups);
	else
		ck_assert_uint_eq(fixed, 4);
	/* Data sizes of spec §4.3 / §4.2. */
	if (f == &ctp_feature_aaa_def)
		ck_assert_uint_eq(fixed, 64);
	if (f == &ctp_feature_qos_def)
		ck_assert_uint_eq(fixed, 56);
	if (f == &ctp_feature_rohc_def)
		ck_assert_uint_eq(fixed, 12);
	if (f == &ctp_feature_mld_def)
		ck_assert_uint_eq(fixed, 24);
}
END_TEST

START_TEST(test_fvals_set)
{
	struct ctp_fvals	 v;
	static const uint8_t	 grp[16] = { 0xff, 0x02, [15] = 0x01 };

	ctp_fvals_init(&v, &ctp_feature_mld_def);
	ck_assert(v.p);
	ck_assert_uint_eq(v.pv, 0);
	ck_assert(!ctp_fvals_has(&v, CTP_MLD_GROUP));
	ck_assert_int_eq(ctp_fvals_set_bytes(&v, CTP_MLD_GROUP, grp, 16),
	    CTP_OK);
	ck_assert(ctp_fvals_has(&v, CTP_MLD_GROUP));
	ck_assert(!ctp_fvals_has(&v, CTP_MLD_PREFIX));
	ck_assert_uint_eq(v.pv, 0x40000000);
	ck_assert_int_eq(ctp_fvals_set_bytes(&v, CTP_MLD_GROUP, grp, 15),
	    CTP_ERR_INVAL);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_MLD_GROUP, 1),
	    CTP_ERR_INVAL);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, 7, 1), CTP_ERR_INVAL);
	ctp_fvals_init(&v, &ctp_feature_rohc_def);
	ck_assert_uint_eq(v.v[CTP_ROHC_MODE].u, CTP_ROHC_MODE_U);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ROHC_MODE, 3), CTP_OK);
	ck_assert_uint_eq(v.pv, 0x40000000);
	ctp_fvals_init(&v, &ctp_feature_error_def);
	ck_assert(!v.p);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ERROR_FPT, 1),
	    CTP_ERR_INVAL);
}
END_TEST

/* -------------------------------------------------------------- golden */

static const struct {
	const char	*name;		/* tests/data/feature-NAME.{hex,json} */
	uint16_t	 fpt;
} goldens[] = {
	{ "aaa", CTP_FPT_AAA },
	{ "aaa-pv", CTP_FPT_AAA },
	{ "qos-v4", CTP_FPT_QOS },
	{ "qos-v6-pv", CTP_FPT_QOS },
	{ "rohc", CTP_FPT_ROHC },
	{ "rohc-pv", CTP_FPT_ROHC },
	{ "mld", CTP_FPT_MLD },
	{ "mld-pv", CTP_FPT_MLD },
	{ "error", CTP_FPT_ERROR },
	{ "error-pad", CTP_FPT_ERROR },
};
#define NGOLDEN		(sizeof(goldens) / sizeof(goldens[0]))

static char *
read_text(const char *name)
{
	uint8_t	*b;
	char	*s;
	size_t	 len;

	b = tu_read_data(name, &len);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, b, len);
	s[len] = '\0';
	free(b);
	return s;
}

/* Wire -> typed -> wire, wire -> JSON, JSON -> wire. */
START_TEST(test_golden)
{
	struct ctp_fvals	 v, v2;
	struct ctp_cdb		 c, c2;
	char			 fn[64], why[128], *hex, *js;
	size_t			 n, m, off, used;

	snprintf(fn, sizeof(fn), "feature-%s.hex", goldens[_i].name);
	hex = read_text(fn);
	snprintf(fn, sizeof(fn), "feature-%s.json", goldens[_i].name);
	js = read_text(fn);

	n = unhex_c(hex, wire, sizeof(wire));
	parse_cdb(wire, n, &c);
	ck_assert_uint_eq(c.fpt, goldens[_i].fpt);
	ck_assert_int_eq(ctp_feature_validate(&c, &off), CTP_OK);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, &off), CTP_OK);
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)), CTP_OK);
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c2), CTP_OK);
	ck_assert_uint_eq(used, c2.data_len);
	c2.r = c.r;
	m = cdb_bytes(&c2, wire2, sizeof(wire2));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0,
	    "%s: typed re-encode %s", goldens[_i].name, tu_hex(wire2, m));
	ck_assert_int_eq(ctp_feature_decode(&c2, &v2, &off), CTP_OK);
	ck_assert_msg(fvals_equal(&v, &v2, why, sizeof(why)), "%s", why);

	check_to_json(hex, false, js);
	check_from_json(js, false, hex);
	free(hex);
	free(js);
}
END_TEST

/* Values of the golden vectors, read through the typed API. */
START_TEST(test_golden_values)
{
	struct ctp_fvals	 v;
	struct ctp_cdb		 c;
	char			*hex;
	size_t			 n;

	hex = read_text("feature-aaa.hex");
	n = unhex_c(hex, wire, sizeof(wire));
	free(hex);
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert(!v.p);
	ck_assert_uint_eq(v.pv, 0xff000000);
	ck_assert_uint_eq(v.v[CTP_AAA_AUTHZ_LIFETIME].u, 3600);
	ck_assert_uint_eq(v.v[CTP_AAA_OCTETS_IN].u, 1048576);
	ck_assert_uint_eq(v.v[CTP_AAA_PACKETS_OUT].u, 56);
	ck_assert_uint_eq(v.v[CTP_AAA_IDENTITY_DIGEST].b[0], 0x85);
	ck_assert_uint_eq(v.v[CTP_AAA_IDENTITY_DIGEST].b[15], 0xda);

	hex = read_text("feature-rohc.hex");
	n = unhex_c(hex, wire, sizeof(wire));
	free(hex);
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert_uint_eq(v.v[CTP_ROHC_MODE].u, CTP_ROHC_MODE_O);
	ck_assert_uint_eq(v.v[CTP_ROHC_CONTEXT].len, 36);
	ck_assert_ptr_eq(v.v[CTP_ROHC_CONTEXT].data, c.data + 12);

	hex = read_text("feature-qos-v6-pv.hex");
	n = unhex_c(hex, wire, sizeof(wire));
	free(hex);
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert(ctp_fvals_has(&v, CTP_QOS_DSCP));
	ck_assert(!ctp_fvals_has(&v, CTP_QOS_SRC_PORT));
	ck_assert(!ctp_fvals_has(&v, CTP_QOS_PEAK_RATE));
	ck_assert_uint_eq(v.v[CTP_QOS_SRC_PORT].u, 0);	/* default */
	ck_assert_uint_eq(v.v[CTP_QOS_BUCKET].u, 65536);
	ck_assert_uint_eq(v.v[CTP_QOS_DST].b[5], 0x02);

	hex = read_text("feature-error-pad.hex");
	n = unhex_c(hex, wire, sizeof(wire));
	free(hex);
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert_uint_eq(v.nentries, 2);	/* D7: zero group is padding */
	ck_assert_uint_eq(v.entries[0].fpt, 0xff02);
	ck_assert_uint_eq(v.entries[0].status, CTP_ST_ADMIN_PROHIBITED);
	ck_assert_uint_eq(v.entries[1].status, CTP_ST_UNSUPPORTED_FPT);
}
END_TEST

/* Typed encode of hand-built values against hand-computed octets. */
START_TEST(test_golden_typed_encode)
{
	static const uint8_t	 grp[16] = { 0xff, 0x05, [13] = 0x01,
	    [15] = 0x03 };
	static const uint8_t	 pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	static const uint8_t	 ctx[3] = { 0xaa, 0xbb, 0xcc };
	struct ctp_fvals	 v;
	struct ctp_cdb		 c;
	size_t			 used, m, n;

	ctp_fvals_init(&v, &ctp_feature_mld_def);
	ck_assert_int_eq(ctp_fvals_set_bytes(&v, CTP_MLD_PREFIX, pfx, 8),
	    CTP_OK);
	ck_assert_int_eq(ctp_fvals_set_bytes(&v, CTP_MLD_GROUP, grp, 16),
	    CTP_OK);
	v.p = false;
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	n = unhex_c("0001 0400 20010db800010000 "
	    "ff050000000000000000000000010003 00000000", wire, sizeof(wire));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0, "got %s",
	    tu_hex(wire2, m));

	/* P=1 with a 3-octet context: 4+4+12+3 = 23, padded to 24. */
	ctp_fvals_init(&v, &ctp_feature_rohc_def);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ROHC_PROFILE, 2), CTP_OK);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ROHC_CID, 1), CTP_OK);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ROHC_MODE, 1), CTP_OK);
	ck_assert_int_eq(ctp_fvals_set_u64(&v, CTP_ROHC_CONTEXT_LEN, 3),
	    CTP_OK);
	ck_assert_int_eq(ctp_fvals_set_bytes(&v, CTP_ROHC_CONTEXT, ctx, 3),
	    CTP_OK);
	ck_assert_uint_eq(v.pv, 0xf0000000);
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	ck_assert_uint_eq(used, 16);
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	n = unhex_c("ff03 0380 f0000000 0002 0001 01 00 0000 0003 0000 "
	    "aabbcc 00", wire, sizeof(wire));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0, "got %s",
	    tu_hex(wire2, m));

	/* The error indication: one entry, no padding group needed. */
	ctp_fvals_init(&v, &ctp_feature_error_def);
	v.nentries = 1;
	v.entries[0].fpt = 0x0001;
	v.entries[0].status = CTP_ST_NO_CONTEXT;
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	n = unhex_c("ff00 0100 0001 0400", wire, sizeof(wire));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0, "got %s",
	    tu_hex(wire2, m));
	/* Two entries: a zero group pads to 8 (D7). */
	v.nentries = 2;
	v.entries[1].fpt = 0xff01;
	v.entries[1].status = CTP_ST_AUTH_FAILED;
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	n = unhex_c("ff00 0200 0001 0400 ff01 0300 00000000", wire,
	    sizeof(wire));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0, "got %s",
	    tu_hex(wire2, m));
	/* An empty list is one zero group: Length 1. */
	v.nentries = 0;
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	m = cdb_bytes(&c, wire2, sizeof(wire2));
	n = unhex_c("ff00 0100 00000000", wire, sizeof(wire));
	ck_assert_msg(m == n && memcmp(wire, wire2, n) == 0, "got %s",
	    tu_hex(wire2, m));
}
END_TEST

/* -------------------------------------------------- limits and verdicts */

/*
 * Every field's limits and every malformed class: the CDB (header
 * included), the error and its offset from the start of the data region.
 */
static const struct {
	const char	*what;
	const char	*hex;
	enum ctp_err	 err;
	size_t		 off;
} bad[] = {
	/* QoS, P=1 */
	{ "qos family 5 (D9)", "ff02 0280 80000000 05110000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "qos family 0", "ff02 0280 80000000 00110000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "qos family 255", "ff02 0280 80000000 ff110000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "qos dscp 64", "ff02 0280 08000000 40000000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "qos dscp 255, after family", "ff02 0280 88000000 0606 0000 "
	    "ff000000", CTP_ERR_FIELD, 4 },
	{ "qos family 4, src not v4-mapped", "ff02 0480 c0000000 04060000 "
	    "20010db8000000000000000000000001 00000000", CTP_ERR_FIELD, 4 },
	{ "qos family 4, dst ::ffff:0.0.0.0", "ff02 0680 e0000000 04060000 "
	    "00000000000000000000ffffc0000201 "
	    "00000000000000000000ffff00000000 "	/* ::ffff:0.0.0.0 is fine */
	    "00000000", CTP_OK, 0 },
	{ "qos family 4, dst native v6", "ff02 0680 e0000000 04060000 "
	    "00000000000000000000ffffc0000201 "
	    "20010db8000000000000000000000002 00000000", CTP_ERR_FIELD, 20 },
	{ "qos family 6, v4-mapped src", "ff02 0480 c0000000 06060000 "
	    "00000000000000000000ffffc0000201 00000000", CTP_OK, 0 },
	{ "qos dscp 63, ports 65535", "ff02 0280 18000000 ffffffff 3f000000",
	    CTP_OK, 0 },
	{ "qos rates at u32 max", "ff02 0380 07000000 ffffffff ffffffff "
	    "ffffffff 00000000", CTP_OK, 0 },
	/* AAA */
	{ "aaa counters at u64 max", "ff01 0280 10000000 ffffffffffffffff",
	    CTP_OK, 0 },
	/* ROHC, P=1 */
	{ "rohc mode 0", "ff03 0280 40000000 00000000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "rohc mode 4", "ff03 0280 40000000 04000000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "rohc flags 2 (D9)", "ff03 0280 40000000 01020000 00000000",
	    CTP_ERR_FIELD, 1 },
	{ "rohc flags 0x80", "ff03 0280 40000000 03800000 00000000",
	    CTP_ERR_FIELD, 1 },
	{ "rohc flags 1, mode U", "ff03 0280 40000000 01010000 00000000",
	    CTP_OK, 0 },
	{ "rohc cid 16384", "ff03 0280 80000000 00014000 00000000",
	    CTP_ERR_FIELD, 2 },
	{ "rohc cid 16383, profile 65535", "ff03 0280 80000000 ffff3fff "
	    "00000000", CTP_OK, 0 },
	{ "rohc mode bad after cid bad", "ff03 0280 c0000000 00014000 "
	    "00000000", CTP_ERR_FIELD, 2 },
	{ "rohc context without length (D8)", "ff03 0280 10000000 01020304 "
	    "00000000", CTP_ERR_FIELD, 0 },
	{ "rohc context_len 2021", "ff03 0280 30000000 07e50000 00000000",
	    CTP_ERR_FIELD, 0 },
	{ "rohc context_len 2021, no context", "ff03 0280 20000000 07e50000 "
	    "00000000", CTP_ERR_FIELD, 0 },
	{ "rohc context_len 5, no context", "ff03 0280 20000000 00050000 "
	    "00000000", CTP_ERR_FIELD, 0 },
	{ "rohc context_len 0, no context", "ff03 0280 20000000 00000000 "
	    "00000000", CTP_OK, 0 },
	{ "rohc context past the CDB end", "ff03 0280 30000000 00090000 "
	    "01020304", CTP_ERR_FEATURE_LEN, 4 },
	{ "rohc context fills the CDB", "ff03 0380 30000000 00080000 "
	    "01020304 05060708 00000000", CTP_OK, 0 },
	{ "rohc every group, P=0, context_len past end", "ff03 0300 "
	    "00010001 01000000 00100000 aabbccdd 00000000",
	    CTP_ERR_FEATURE_LEN, 12 },
	/* MLD */
	{ "mld group not multicast", "0001 0400 20010db800010000 "
	    "20010db8000000000000000000000001 00000000", CTP_ERR_FIELD, 8 },
	{ "mld group fe00::", "0001 0380 40000000 "
	    "fe000000000000000000000000000001", CTP_ERR_FIELD, 0 },
	{ "mld group ff00::", "0001 0380 40000000 "
	    "ff000000000000000000000000000000", CTP_OK, 0 },
	{ "mld prefix only", "0001 0280 80000000 20010db800010000", CTP_OK, 0 },
	{ "mld nothing present", "0001 0180 00000000", CTP_OK, 0 },
	/* D8: presence vector */
	{ "aaa pv bit 8", "ff01 0180 00800000", CTP_ERR_PV, 0 },
	{ "aaa pv bit 31", "ff01 0280 80000001 0102030405060708",
	    CTP_ERR_PV, 0 },
	{ "qos pv bit 8", "ff02 0280 80800000 04060000 00000000",
	    CTP_ERR_PV, 0 },
	{ "rohc pv bit 4", "ff03 0180 08000000", CTP_ERR_PV, 0 },
	{ "mld pv bit 2", "0001 0280 20000000 01020304 05060708",
	    CTP_ERR_PV, 0 },
	{ "error with P=1", "ff00 0280 00000000 ff010300 00000000",
	    CTP_ERR_PV, 0 },
	{ "error with P=1, pv 0", "ff00 0180 00000000", CTP_ERR_PV, 0 },
	/* Sizes */
	{ "aaa P=0, Length 1", "ff01 0100 01020304", CTP_ERR_FEATURE_LEN, 0 },
	{ "aaa all groups, Length 2", "ff01 0280 ff000000 0102030405060708",
	    CTP_ERR_FEATURE_LEN, 8 },
	{ "aaa digest only", "ff01 0380 01000000 00112233445566778899aabb "
	    "00000000", CTP_OK, 0 },
	{ "aaa digest cut short", "ff01 0280 01000000 0011223344556677",
	    CTP_ERR_FEATURE_LEN, 0 },
	{ "qos P=0, Length 2", "ff02 0200 04060000 00000000 00000000",
	    CTP_ERR_FEATURE_LEN, 4 },
	{ "qos P=0, Length 7", "ff02 0700 04060000 "
	    "00000000000000000000ffffc0000201 "
	    "00000000000000000000ffffc0000202 00010002 2e000000 "
	    "00000001 00000002", CTP_ERR_FEATURE_LEN, 52 },
	{ "mld P=0, Length 3", "0001 0300 20010db800010000 "
	    "ff0500000000000000000000", CTP_ERR_FEATURE_LEN, 8 },
	{ "mld P=1 pv 0, Length 1 (PV only)", "0001 0180 00000000", CTP_OK,
	    0 },
	{ "rohc P=0, Length 1", "ff03 0100 00010000", CTP_ERR_FEATURE_LEN, 4 },
	/* D6: longer CDB and non-zero padding accepted; reserved ignored */
	{ "mld Length 6, trailing junk", "0001 0600 20010db800010000 "
	    "ff050000000000000000000000010003 deadbeef 01020304 05060708 "
	    "090a0b0c 0d0e0f10", CTP_OK, 0 },
	{ "qos non-zero padding and reserved", "ff02 0800 0411ffff "
	    "00000000000000000000ffffc000020a 00000000000000000000ffffc6336414 "
	    "138c138e 2effffff 00000080 00000100 00003e80 ffffffff",
	    CTP_OK, 0 },
	{ "rohc non-zero reserved, padding", "ff03 0380 e0000000 00010003 "
	    "0301ffff 0000ffff ffffffff", CTP_OK, 0 },
	/* D7: error indication padding */
	{ "error one entry", "ff00 0100 ff010300", CTP_OK, 0 },
	{ "error empty", "ff00 0100 00000000", CTP_OK, 0 },
	{ "error non-zero padding group", "ff00 0200 ff010300 ff020300 "
	    "00000500", CTP_OK, 0 },
	/* D14 and unknown FPTs */
	{ "FPT 0", "0000 0100 01020304", CTP_ERR_FPT_UNKNOWN, 0 },
	{ "FPT 0x4242", "4242 0100 01020304", CTP_ERR_FPT_UNKNOWN, 0 },
	{ "FPT 0xff04", "ff04 0180 80000000", CTP_ERR_FPT_UNKNOWN, 0 },
	/* A request CDB is not data */
	{ "request form", "ff01 0000", CTP_ERR_INVAL, 0 },
};
#define NBAD		(sizeof(bad) / sizeof(bad[0]))

START_TEST(test_bad)
{
	struct ctp_fvals	 v;
	struct ctp_cdb		 c;
	size_t			 n, off = 9999;

	check_validate(bad[_i].hex, bad[_i].err, bad[_i].off);
	/* decode agrees with validate */
	n = unhex_c(bad[_i].hex, wire, sizeof(wire));
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, &off), bad[_i].err);
	if (bad[_i].err != CTP_OK)
		ck_assert_uint_eq(off, bad[_i].off);
}
END_TEST

/* D7: FPT 0 entries are never reported; non-zero padding is ignored. */
START_TEST(test_error_padding)
{
	struct ctp_fvals	 v;
	struct ctp_cdb		 c;
	size_t			 n;

	n = unhex_c("ff00 0200 ff010300 ff020300 00000500", wire,
	    sizeof(wire));
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert_uint_eq(v.nentries, 2);
	ck_assert_uint_eq(v.entries[1].fpt, 0xff02);
	/* A zero group inside the list is skipped, the rest is kept. */
	n = unhex_c("ff00 0300 ff010300 00000000 00010400 ff020b00 ff030200",
	    wire, sizeof(wire));
	parse_cdb(wire, n, &c);
	ck_assert_int_eq(ctp_feature_decode(&c, &v, NULL), CTP_OK);
	ck_assert_uint_eq(v.nentries, 4);
	ck_assert_uint_eq(v.entries[1].fpt, 0x0001);
	ck_assert_uint_eq(v.entries[3].status, CTP_ST_UNSUPPORTED_FPT);
	/* JSON never shows the padding. */
	check_to_json("ff00 0200 ff010300 ff020300 00000500", false,
	    "{\"fpt\":65280,\"feature\":\"error\",\"r\":false,\"p\":false,"
	    "\"fields\":{\"entries\":[{\"fpt\":65281,\"status\":"
	    "\"AUTH_FAILED\"},{\"fpt\":65282,\"status\":\"AUTH_FAILED\"}]}}");
	/* The encoder refuses FPT 0 entries. */
	ctp_fvals_init(&v, &ctp_feature_error_def);
	v.nentries = 1;
	v.entries[0].fpt = 0;
	v.entries[0].status = CTP_ST_SUCCESS;
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)),
	    CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "error.entries[0].fpt: 0 out of range 1..65535");
	v.nentries = CTP_FEATURE_ENTRIES_MAX + 1;
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)),
	    CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "error.entries: 510 entries, at most 509 fit");
}
END_TEST

/* The largest CDBs: 509 error entries; a 2020-octet ROHC context. */
START_TEST(test_largest)
{
	static uint8_t		 ctx[CTP_ROHC_CONTEXT_MAX + 8];
	struct ctp_fvals	*v, *v2;
	struct ctp_cdb		 c;
	size_t			 used, i;

	v = calloc(2, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	v2 = v + 1;
	ctp_fvals_init(v, &ctp_feature_error_def);
	v->nentries = CTP_FEATURE_ENTRIES_MAX;
	for (i = 0; i < v->nentries; i++) {
		v->entries[i].fpt = (uint16_t)(i + 1);
		v->entries[i].status = (uint8_t)i;
	}
	ck_assert_int_eq(ctp_feature_encode(v, store, sizeof(store), &used,
	    &c), CTP_OK);
	ck_assert_uint_eq(CTP_CDB_HDR_LEN + c.data_len, CTP_CDB_MAX);
	ck_assert_int_eq(ctp_feature_decode(&c, v2, NULL), CTP_OK);
	ck_assert_uint_eq(v2->nentries, CTP_FEATURE_ENTRIES_MAX);
	ck_assert_int_eq(ctp_feature_encode(v, store, 2035, &used, &c),
	    CTP_ERR_NOSPACE);
	ck_assert_uint_eq(used, 0);

	memset(ctx, 0x5a, sizeof(ctx));
	ctp_fvals_init(v, &ctp_feature_rohc_def);
	ctp_fvals_set_u64(v, CTP_ROHC_PROFILE, 1);
	ctp_fvals_set_u64(v, CTP_ROHC_MODE, 2);
	ctp_fvals_set_u64(v, CTP_ROHC_CONTEXT_LEN, CTP_ROHC_CONTEXT_MAX);
	ctp_fvals_set_bytes(v, CTP_ROHC_CONTEXT, ctx, CTP_ROHC_CONTEXT_MAX);
	ck_assert_int_eq(ctp_feature_encode(v, store, sizeof(store), &used,
	    &c), CTP_OK);
	ck_assert(c.p);
	ck_assert_uint_eq(8 + c.data_len, CTP_CDB_MAX);	/* 8+12+2020 */
	ck_assert_int_eq(ctp_feature_decode(&c, v2, NULL), CTP_OK);
	ck_assert_uint_eq(v2->v[CTP_ROHC_CONTEXT].len, CTP_ROHC_CONTEXT_MAX);
	/* 2021 octets: the limit, not the CDB size, refuses it. */
	ctp_fvals_set_u64(v, CTP_ROHC_CONTEXT_LEN, CTP_ROHC_CONTEXT_MAX + 1);
	ctp_fvals_set_bytes(v, CTP_ROHC_CONTEXT, ctx,
	    CTP_ROHC_CONTEXT_MAX + 1);
	ck_assert_int_eq(ctp_feature_check(v, eb, sizeof(eb)), CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "rohc.context_len: 2021 out of range 0..2020");
	free(v);
}
END_TEST

/* The checks ctp_feature_encode() makes on p/pv and on OPAQUE lengths. */
START_TEST(test_encode_checks)
{
	struct ctp_fvals	 v;
	struct ctp_cdb		 c;
	size_t			 used;
	static const uint8_t	 ctx[4] = { 1, 2, 3, 4 };

	ctp_fvals_init(&v, &ctp_feature_qos_def);
	ctp_fvals_set_u64(&v, CTP_QOS_FAMILY, 6);
	v.p = false;
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_ERR_PV);
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)), CTP_ERR_PV);
	ck_assert_str_eq(eb, "qos.p: false needs every field group");
	v.p = true;
	v.pv |= 0x00400000;
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)), CTP_ERR_PV);
	ck_assert_str_eq(eb, "qos.pv: 0x80400000 names groups beyond the 8 "
	    "of qos");
	ctp_fvals_init(&v, &ctp_feature_error_def);
	v.p = true;
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)), CTP_ERR_PV);
	ck_assert_str_eq(eb, "error.p: the error CDB has no presence vector");

	ctp_fvals_init(&v, &ctp_feature_rohc_def);
	ctp_fvals_set_u64(&v, CTP_ROHC_CONTEXT_LEN, 3);
	ctp_fvals_set_bytes(&v, CTP_ROHC_CONTEXT, ctx, 4);
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)),
	    CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "rohc.context: 4 octets, but context_len is 3");
	ctp_fvals_init(&v, &ctp_feature_rohc_def);
	ctp_fvals_set_bytes(&v, CTP_ROHC_CONTEXT, ctx, 4);
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)),
	    CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "rohc.context: needs rohc.context_len in the "
	    "same CDB");
	v.fpt = 0x4242;
	ck_assert_int_eq(ctp_feature_check(&v, eb, sizeof(eb)),
	    CTP_ERR_FPT_UNKNOWN);
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_ERR_FPT_UNKNOWN);

	/* P=1 with nothing present: a PV-only CDB, Length 1. */
	ctp_fvals_init(&v, &ctp_feature_aaa_def);
	ck_assert_int_eq(ctp_feature_encode(&v, store, sizeof(store), &used,
	    &c), CTP_OK);
	ck_assert(c.p);
	ck_assert_uint_eq(c.pv, 0);
	ck_assert_uint_eq(c.data_len, 0);
	ck_assert_uint_eq(used, 0);
}
END_TEST

/* ---------------------------------------------------------------- JSON */

START_TEST(test_json_shapes)
{
	/* Request CDBs (CTAR, CT-Req). */
	check_to_json("ff01 0000", true,
	    "{\"fpt\":65281,\"feature\":\"aaa\",\"r\":false}");
	check_to_json("ff02 0040", true,
	    "{\"fpt\":65282,\"feature\":\"qos\",\"r\":true}");
	check_to_json("4242 0000", true, "{\"fpt\":16962,\"r\":false}");
	check_from_json("{\"fpt\":65281,\"feature\":\"aaa\",\"r\":false}",
	    true, "ff01 0000");
	check_from_json("{\"feature\":\"rohc\",\"r\":true}", true,
	    "ff03 0040");
	check_from_json("{\"fpt\":\"0x0001\"}", true, "0001 0000");
	check_from_json("{\"fpt\":16962}", true, "4242 0000");
	/* A full CDB in a request (D2): shown with its data. */
	check_to_json("0001 0400 20010db800010000 "
	    "ff050000000000000000000000010003 00000000", true,
	    "{\"fpt\":1,\"feature\":\"mld\",\"r\":false,\"p\":false,"
	    "\"data\":\"20010db800010000ff050000000000000000000000010003"
	    "00000000\"}");
	check_from_json("{\"fpt\":1,\"feature\":\"mld\",\"r\":false,"
	    "\"p\":false,\"data\":\"20010db800010000ff0500000000000000000000"
	    "0001000300000000\"}", true, "0001 0400 20010db800010000 "
	    "ff050000000000000000000000010003 00000000");
	check_to_json("ff01 0180 c1000000", true,
	    "{\"fpt\":65281,\"feature\":\"aaa\",\"r\":false,\"p\":true,"
	    "\"pv\":3238002688,\"data\":\"\"}");
	check_from_json("{\"fpt\":65281,\"p\":true,\"pv\":3238002688,"
	    "\"data\":\"\"}", true, "ff01 0180 c1000000");
	check_from_json("{\"fpt\":65281,\"p\":true,\"pv\":3238002688}", true,
	    "ff01 0180 c1000000");

	/* Unknown FPT data CDB: raw, any data padded. */
	check_to_json("7777 0140 01020304", false,
	    "{\"fpt\":30583,\"r\":true,\"p\":false,\"data\":\"01020304\"}");
	check_from_json("{\"fpt\":30583,\"r\":true,\"p\":false,"
	    "\"data\":\"01020304\"}", false, "7777 0140 01020304");
	check_to_json("4242 0280 12345678 0102030405060708", false,
	    "{\"fpt\":16962,\"r\":false,\"p\":true,\"pv\":305419896,"
	    "\"data\":\"0102030405060708\"}");
	check_from_json("{\"fpt\":16962,\"p\":true,\"pv\":305419896,"
	    "\"data\":\"0102030405060708\"}", false,
	    "4242 0280 12345678 0102030405060708");
	check_from_json("{\"fpt\":16962,\"data\":\"0102030405\"}", false,
	    "4242 0200 0102030405000000 00000000");
	check_from_json("{\"fpt\":16962,\"data\":\"\"}", false,
	    "4242 0100 00000000");
	check_from_json("{\"fpt\":16962,\"p\":true,\"pv\":0,\"data\":\"\"}",
	    false, "4242 0180 00000000");
	/* FPT 0 (D14): unknown, raw. */
	check_to_json("0000 0100 00000000", false,
	    "{\"fpt\":0,\"r\":false,\"p\":false,\"data\":\"00000000\"}");
	/* Raw data is allowed for a known FPT too, and not checked. */
	check_from_json("{\"feature\":\"mld\",\"p\":true,\"pv\":536870912,"
	    "\"data\":\"0102030405060708\"}", false,
	    "0001 0280 20000000 0102030405060708");
	/* "p" left out: P=0 only when every group is there. */
	check_from_json("{\"feature\":\"mld\",\"fields\":{\"prefix\":"
	    "\"2001:db8:1::\",\"group\":\"ff05::1:3\"}}", false,
	    "0001 0400 20010db800010000 ff050000000000000000000000010003 "
	    "00000000");
	check_from_json("{\"feature\":\"mld\",\"p\":true,\"fields\":{"
	    "\"prefix\":\"2001:db8:1::/64\",\"group\":\"ff05::1:3\"}}", false,
	    "0001 0480 c0000000 20010db800010000 "
	    "ff050000000000000000000000010003");
	check_from_json("{\"feature\":\"mld\",\"fields\":{}}", false,
	    "0001 0180 00000000");
	/* IPv4 text in an address field is taken IPv4-mapped. */
	check_from_json("{\"feature\":\"qos\",\"fields\":{\"family\":4,"
	    "\"src\":\"192.0.2.1\"}}", false, "ff02 0480 c0000000 04000000 "
	    "00000000000000000000ffffc0000201 00000000");
	/* Members of a present group that are left out take defaults. */
	check_from_json("{\"feature\":\"rohc\",\"fields\":{\"profile\":1,"
	    "\"flags\":1}}", false, "ff03 0280 c0000000 00010000 01010000");
	check_from_json("{\"feature\":\"qos\",\"fields\":{\"dst_port\":53}}",
	    false, "ff02 0280 10000000 00000035 00000000");
	/* Mode case-insensitive; status by number; u64 as text. */
	check_from_json("{\"feature\":\"rohc\",\"fields\":{\"profile\":1,"
	    "\"mode\":\"r\"}}", false, "ff03 0280 c0000000 00010000 03000000");
	check_from_json("{\"feature\":\"error\",\"fields\":{\"entries\":["
	    "{\"fpt\":\"0xff01\",\"status\":3}]}}", false,
	    "ff00 0100 ff010300");
	check_from_json("{\"feature\":\"error\",\"fields\":{}}", false,
	    "ff00 0100 00000000");
	check_from_json("{\"feature\":\"aaa\",\"fields\":{\"octets_in\":"
	    "\"18446744073709551615\",\"octets_out\":\"7\"}}", false,
	    "ff01 0380 18000000 ffffffffffffffff 0000000000000007");
}
END_TEST

/* Counters above INT64_MAX are written as decimal text (json_int_t). */
START_TEST(test_json_u64)
{
	check_to_json("ff01 0380 18000000 8000000000000000 7fffffffffffffff",
	    false, "{\"fpt\":65281,\"feature\":\"aaa\",\"r\":false,"
	    "\"p\":true,\"fields\":{\"octets_in\":\"9223372036854775808\","
	    "\"octets_out\":9223372036854775807}}");
	check_from_json("{\"fpt\":65281,\"feature\":\"aaa\",\"r\":false,"
	    "\"p\":true,\"fields\":{\"octets_in\":\"9223372036854775808\","
	    "\"octets_out\":9223372036854775807}}", false,
	    "ff01 0380 18000000 8000000000000000 7fffffffffffffff");
}
END_TEST

/* D10: a known FPT that fails validation is shown raw with its error. */
START_TEST(test_json_malformed)
{
	static const struct {
		const char	*hex;
		const char	*json;
	} v[] = {
		{ "0001 0280 20000000 01020304 05060708",
		    "{\"fpt\":1,\"feature\":\"mld\",\"r\":false,\"p\":true,"
		    "\"pv\":536870912,\"error\":\"PV\",\"error_offset\":0,"
		    "\"data\":\"0102030405060708\"}" },
		{ "ff02 02c0 80000000 05110000 00000000",
		    "{\"fpt\":65282,\"feature\":\"qos\",\"r\":true,\"p\":true,"
		    "\"pv\":2147483648,\"error\":\"FIELD\",\"error_offset\":0,"
		    "\"data\":\"0511000000000000\"}" },
		{ "ff03 0280 30000000 00090000 01020304",
		    "{\"fpt\":65283,\"feature\":\"rohc\",\"r\":false,"
		    "\"p\":true,\"pv\":805306368,\"error\":\"FEATURE_LEN\","
		    "\"error_offset\":4,\"data\":\"0009000001020304\"}" },
		{ "ff00 0180 00000000",
		    "{\"fpt\":65280,\"feature\":\"error\",\"r\":false,"
		    "\"p\":true,\"pv\":0,\"error\":\"PV\",\"error_offset\":0,"
		    "\"data\":\"\"}" },
		{ "0001 0200 20010db800010000 00000000",
		    "{\"fpt\":1,\"feature\":\"mld\",\"r\":false,\"p\":false,"
		    "\"error\":\"FEATURE_LEN\",\"error_offset\":8,"
		    "\"data\":\"20010db80001000000000000\"}" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check_to_json(v[i].hex, false, v[i].json);
		/* "error" is ignored on input: the same octets come back. */
		check_from_json(v[i].json, false, v[i].hex);
	}
}
END_TEST

/* from_json errors: the code and the exact message naming the member. */
static const struct {
	const char	*json;
	bool		 request;
	enum ctp_err	 err;
	const char	*msg;
} jbad[] = {
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":4,\"dscp\":70}}", false,
	    CTP_ERR_FIELD, "qos.dscp: 70 out of range 0..63" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":5}}", false,
	    CTP_ERR_FIELD, "qos.family: 5 is not 4 or 6" },
	{ "{\"feature\":\"qos\",\"fields\":{\"proto\":6}}", false,
	    CTP_ERR_JSON, "qos.family: missing (needed with qos.proto)" },
	{ "{\"feature\":\"qos\",\"fields\":{\"colour\":1}}", false,
	    CTP_ERR_JSON, "qos.colour: unknown field" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":\"4\"}}", false,
	    CTP_ERR_JSON, "qos.family: expected an integer, got a string" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":4.0}}", false,
	    CTP_ERR_JSON, "qos.family: expected an integer, got a real" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":6,\"src\":\"nope\"}}",
	    false, CTP_ERR_JSON, "qos.src: \"nope\" is not an IP address" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":6,\"dst\":16}}",
	    false, CTP_ERR_JSON, "qos.dst: expected an address, got an "
	    "integer" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":4,\"src\":"
	    "\"2001:db8::1\"}}", false, CTP_ERR_FIELD, "qos.src: not an "
	    "IPv4-mapped address (::ffff:0:0/96) but family is 4" },
	{ "{\"feature\":\"qos\",\"p\":false,\"fields\":{\"family\":4}}",
	    false, CTP_ERR_PV, "qos.p: false needs every field group" },
	{ "{\"feature\":\"qos\",\"fields\":{\"src_port\":-1}}", false,
	    CTP_ERR_FIELD, "qos.src_port: -1 out of range 0..65535" },
	{ "{\"feature\":\"qos\",\"fields\":{\"dst_port\":65536}}", false,
	    CTP_ERR_FIELD, "qos.dst_port: 65536 out of range 0..65535" },
	{ "{\"feature\":\"qos\",\"fields\":{\"committed_rate\":4294967296}}",
	    false, CTP_ERR_FIELD, "qos.committed_rate: 4294967296 out of "
	    "range 0..4294967295" },
	{ "{\"feature\":\"qos\",\"fields\":{\"peak_rate\":null}}", false,
	    CTP_ERR_JSON, "qos.peak_rate: expected an integer, got null" },
	{ "{\"feature\":\"qos\",\"fields\":{\"bucket\":-5}}", false,
	    CTP_ERR_FIELD, "qos.bucket: -5 out of range 0..4294967295" },
	{ "{\"feature\":\"qos\",\"fields\":{\"family\":4,\"proto\":256}}",
	    false, CTP_ERR_FIELD, "qos.proto: 256 out of range 0..255" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"session_id\":\"0102\"}}", false,
	    CTP_ERR_JSON, "aaa.session_id: expected 16 hex digits" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"session_id\":"
	    "\"01020304050607080a\"}}", false, CTP_ERR_JSON,
	    "aaa.session_id: expected 16 hex digits" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"identity_digest\":"
	    "\"zz956a993804cda14f8e09d3903088da\"}}", false, CTP_ERR_JSON,
	    "aaa.identity_digest: expected 32 hex digits" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"octets_in\":"
	    "\"18446744073709551616\"}}", false, CTP_ERR_JSON,
	    "aaa.octets_in: \"18446744073709551616\" is not a decimal "
	    "integer" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"packets_in\":\"-1\"}}", false,
	    CTP_ERR_JSON, "aaa.packets_in: \"-1\" is not a decimal integer" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"packets_out\":true}}", false,
	    CTP_ERR_JSON, "aaa.packets_out: expected an integer or a decimal "
	    "string, got a boolean" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"authz_lifetime\":4294967296}}",
	    false, CTP_ERR_FIELD, "aaa.authz_lifetime: 4294967296 out of "
	    "range 0..4294967295" },
	{ "{\"feature\":\"aaa\",\"fields\":{\"idle_timeout\":\"5\"}}", false,
	    CTP_ERR_JSON, "aaa.idle_timeout: expected an integer, got a "
	    "string" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"profile\":1,\"mode\":\"X\"}}",
	    false, CTP_ERR_JSON, "rohc.mode: \"X\" is not one of U, O, R" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"profile\":1,\"mode\":2}}",
	    false, CTP_ERR_JSON, "rohc.mode: expected one of U, O, R, got an "
	    "integer" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"profile\":1,\"flags\":2}}",
	    false, CTP_ERR_FIELD, "rohc.flags: 2 out of range 0..1" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"profile\":1,\"cid\":16384}}",
	    false, CTP_ERR_FIELD, "rohc.cid: 16384 out of range 0..16383" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"cid\":1}}", false,
	    CTP_ERR_JSON, "rohc.profile: missing (needed with rohc.cid)" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context\":\"00\"}}", false,
	    CTP_ERR_FIELD, "rohc.context: needs rohc.context_len in the same "
	    "CDB" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context_len\":2,"
	    "\"context\":\"00\"}}", false, CTP_ERR_FIELD, "rohc.context: 1 "
	    "octets, but context_len is 2" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context_len\":2}}", false,
	    CTP_ERR_FIELD, "rohc.context_len: 2 but no context in the CDB" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context_len\":2021}}", false,
	    CTP_ERR_FIELD, "rohc.context_len: 2021 out of range 0..2020" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context_len\":1,"
	    "\"context\":\"0g\"}}", false, CTP_ERR_JSON, "rohc.context: "
	    "expected hex text with an even number of digits" },
	{ "{\"feature\":\"rohc\",\"fields\":{\"context_len\":1,"
	    "\"context\":\"012\"}}", false, CTP_ERR_JSON, "rohc.context: "
	    "expected hex text with an even number of digits" },
	{ "{\"feature\":\"mld\",\"fields\":{\"group\":\"2001:db8::1\"}}",
	    false, CTP_ERR_FIELD, "mld.group: not a multicast address "
	    "(ff00::/8)" },
	{ "{\"feature\":\"mld\",\"fields\":{\"prefix\":\"2001:db8::/48\"}}",
	    false, CTP_ERR_FIELD, "mld.prefix: \"2001:db8::/48\": only /64 "
	    "prefixes are carried" },
	{ "{\"feature\":\"mld\",\"fields\":{\"prefix\":\"2001:db8::1\"}}",
	    false, CTP_ERR_FIELD, "mld.prefix: \"2001:db8::1\" has bits set "
	    "beyond /64" },
	{ "{\"feature\":\"mld\",\"fields\":{\"prefix\":\"10.0.0.0/64\"}}",
	    false, CTP_ERR_JSON, "mld.prefix: \"10.0.0.0/64\" is not an IPv6 "
	    "prefix" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[{\"fpt\":0,"
	    "\"status\":3}]}}", false, CTP_ERR_FIELD,
	    "error.entries[0].fpt: 0 out of range 1..65535" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[{\"fpt\":1,"
	    "\"status\":\"NOPE\"}]}}", false, CTP_ERR_JSON,
	    "error.entries[0].status: unknown status \"NOPE\"" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[{\"fpt\":1,"
	    "\"status\":256}]}}", false, CTP_ERR_FIELD,
	    "error.entries[0].status: 256 out of range 0..255" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[{\"fpt\":1,"
	    "\"status\":0},{\"fpt\":1}]}}", false, CTP_ERR_JSON,
	    "error.entries[1].status: missing" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[{\"fpt\":1,"
	    "\"status\":0,\"x\":1}]}}", false, CTP_ERR_JSON,
	    "error.entries[0].x: unknown member" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":{}}}", false,
	    CTP_ERR_JSON, "error.entries: expected an array, got an object" },
	{ "{\"feature\":\"error\",\"fields\":{\"entries\":[], \"more\":1}}",
	    false, CTP_ERR_JSON, "error.more: unknown field" },
	{ "{\"feature\":\"error\",\"p\":true,\"fields\":{\"entries\":[]}}",
	    false, CTP_ERR_PV, "error.p: the error CDB has no presence "
	    "vector" },
	{ "{\"fpt\":65282,\"feature\":\"aaa\",\"fields\":{}}", false,
	    CTP_ERR_JSON, "feature: \"aaa\" is FPT 0xff01, but fpt is "
	    "0xff02" },
	{ "{\"feature\":\"nope\"}", true, CTP_ERR_JSON,
	    "feature: unknown feature \"nope\"" },
	{ "{\"feature\":7}", true, CTP_ERR_JSON,
	    "feature: expected a name, got an integer" },
	{ "{\"r\":true}", true, CTP_ERR_JSON,
	    "fpt: missing (give \"fpt\" or \"feature\")" },
	{ "{\"fpt\":70000}", true, CTP_ERR_FIELD,
	    "fpt: 70000 out of range 0..65535" },
	{ "{\"fpt\":1.5}", true, CTP_ERR_JSON,
	    "fpt: expected an integer or \"0x\" and 4 hex digits, got a real" },
	{ "{\"fpt\":\"0xff0\"}", true, CTP_ERR_JSON,
	    "fpt: expected an integer or \"0x\" and 4 hex digits, got a "
	    "string" },
	{ "{\"fpt\":1,\"colour\":1}", true, CTP_ERR_JSON,
	    "colour: unknown member" },
	{ "{\"fpt\":16962,\"fields\":{}}", false, CTP_ERR_FPT_UNKNOWN,
	    "fields: FPT 0x4242 has no feature table (give \"data\")" },
	{ "{\"fpt\":1,\"fields\":{},\"data\":\"\"}", false, CTP_ERR_JSON,
	    "fields: not allowed together with \"data\"" },
	{ "{\"fpt\":1}", false, CTP_ERR_JSON,
	    "data: missing (a data CDB needs \"fields\" or \"data\")" },
	{ "{\"fpt\":1,\"fields\":{}}", true, CTP_ERR_JSON,
	    "fields: not allowed in a request CDB (give \"data\")" },
	{ "{\"fpt\":1,\"fields\":[]}", false, CTP_ERR_JSON,
	    "fields: expected an object, got an array" },
	{ "{\"fpt\":1,\"r\":\"yes\"}", true, CTP_ERR_JSON,
	    "r: expected true or false, got a string" },
	{ "{\"fpt\":1,\"p\":1,\"data\":\"\"}", false, CTP_ERR_JSON,
	    "p: expected true or false, got an integer" },
	{ "{\"fpt\":1,\"p\":true,\"data\":\"\"}", false, CTP_ERR_JSON,
	    "pv: missing (\"p\" is true)" },
	{ "{\"fpt\":1,\"pv\":1,\"data\":\"00\"}", false, CTP_ERR_JSON,
	    "pv: only with \"p\": true" },
	{ "{\"fpt\":1,\"p\":true,\"pv\":-1,\"data\":\"00\"}", false,
	    CTP_ERR_FIELD, "pv: -1 out of range 0..4294967295" },
	{ "{\"fpt\":1,\"p\":true,\"pv\":\"1\",\"data\":\"00\"}", false,
	    CTP_ERR_JSON, "pv: expected an integer, got a string" },
	{ "{\"fpt\":1,\"feature\":\"mld\",\"p\":true,\"pv\":3,"
	    "\"fields\":{}}", false, CTP_ERR_JSON, "pv: not allowed with "
	    "\"fields\" (the fields given imply it)" },
	{ "{\"fpt\":1,\"data\":\"abc\"}", false, CTP_ERR_JSON,
	    "data: expected hex text with an even number of digits" },
	{ "{\"fpt\":1,\"data\":7}", false, CTP_ERR_JSON,
	    "data: expected hex text, got an integer" },
	{ "[1]", false, CTP_ERR_JSON, "cdb: expected an object, got an array" },
};
#define NJBAD		(sizeof(jbad) / sizeof(jbad[0]))

START_TEST(test_json_errors)
{
	struct ctp_cdb	 c;
	json_t		*j;
	size_t		 used = 99;
	enum ctp_err	 e;

	j = jparse(jbad[_i].json);
	memset(eb, 'x', sizeof(eb));
	eb[sizeof(eb) - 1] = '\0';
	e = ctp_feature_cdb_from_json(j, jbad[_i].request, store,
	    sizeof(store), &used, &c, eb, sizeof(eb));
	ck_assert_msg(e == jbad[_i].err, "%s: got %s (%s), want %s",
	    jbad[_i].json, ctp_errname(e), eb, ctp_errname(jbad[_i].err));
	ck_assert_msg(strcmp(eb, jbad[_i].msg) == 0, "%s: message \"%s\", "
	    "want \"%s\"", jbad[_i].json, eb, jbad[_i].msg);
	ck_assert_uint_eq(used, 0);
	json_decref(j);
}
END_TEST

/* Too much for the CDB or for the store. */
START_TEST(test_json_sizes)
{
	struct ctp_cdb	 c;
	json_t		*j;
	char		*s;
	size_t		 used, i;
	enum ctp_err	 e;

	/* 2036 octets of raw data fill a P=0 CDB; 2037 do not. */
	s = malloc(2 * 2037 + 64);
	ck_assert_ptr_nonnull(s);
	strcpy(s, "{\"fpt\":16962,\"data\":\"");
	for (i = 0; i < 2036; i++)
		strcat(s, "ab");
	strcat(s, "\"}");
	j = jparse(s);
	ck_assert_int_eq(ctp_feature_cdb_from_json(j, false, store,
	    sizeof(store), &used, &c, eb, sizeof(eb)), CTP_OK);
	ck_assert_uint_eq(c.data_len, 2036);
	e = ctp_feature_cdb_from_json(j, false, store, 100, &used, &c, eb,
	    sizeof(eb));
	ck_assert_int_eq(e, CTP_ERR_NOSPACE);
	ck_assert_str_eq(eb, "data: no room for 2036 octets");
	json_decref(j);
	strcpy(s + strlen(s) - 2, "ab\"}");
	j = jparse(s);
	e = ctp_feature_cdb_from_json(j, false, store, sizeof(store), &used,
	    &c, eb, sizeof(eb));
	ck_assert_int_eq(e, CTP_ERR_FIELD);
	ck_assert_str_eq(eb, "data: 2037 octets, at most 2036 fit");
	json_decref(j);
	free(s);

	/* Typed data that does not fit the store. */
	j = jparse("{\"feature\":\"mld\",\"fields\":{\"group\":\"ff02::1\"}}");
	e = ctp_feature_cdb_from_json(j, false, store, 8, &used, &c, eb,
	    sizeof(eb));
	ck_assert_int_eq(e, CTP_ERR_NOSPACE);
	ck_assert_str_eq(eb, "mld: no room for the CDB data in 8 octets");
	ck_assert_int_eq(ctp_feature_cdb_from_json(j, false, store, 16,
	    &used, &c, NULL, 0), CTP_OK);
	ck_assert_uint_eq(used, 16);
	json_decref(j);
}
END_TEST

/* ------------------------------------------------ random round trips */

static void
rand_fvals(struct tu_rng *rng, const struct ctp_feature *f,
    struct ctp_fvals *v, uint8_t *ctxbuf)
{
	const struct ctp_field	*fl;
	uint32_t		 full = ctp_feature_pv_full(f);
	uint64_t		 span;
	size_t			 n;
	int			 i;

	ctp_fvals_init(v, f);
	if (f->list) {
		v->nentries = tu_rng_below(rng, 8) == 0 ?
		    tu_rng_below(rng, CTP_FEATURE_ENTRIES_MAX + 1) :
		    tu_rng_below(rng, 12);
		for (n = 0; n < v->nentries; n++) {
			v->entries[n].fpt = (uint16_t)(1 +
			    tu_rng_below(rng, 0xffff));
			v->entries[n].status = (uint8_t)tu_rng_below(rng, 256);
		}
		return;
	}
	v->pv = (uint32_t)tu_rng_u64(rng) & full;
	if (tu_rng_below(rng, 4) == 0)
		v->pv = full;
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		switch (fl->kind) {
		case CTP_FK_UINT:
		case CTP_FK_ENUM:
			span = fl->max - fl->min;
			v->v[i].u = tu_rng_u64(rng);
			/* Edges often, the rest uniformly. */
			switch (tu_rng_below(rng, 4)) {
			case 0:
				v->v[i].u = fl->min;
				break;
			case 1:
				v->v[i].u = fl->max;
				break;
			default:
				if (span != UINT64_MAX)
					v->v[i].u = fl->min +
					    v->v[i].u % (span + 1);
				break;
			}
			break;
		case CTP_FK_ADDR:
		case CTP_FK_PREFIX:
		case CTP_FK_HEX:
			tu_rng_bytes(rng, v->v[i].b, fl->size);
			if (fl->flags & CTP_FF_MCAST)
				v->v[i].b[0] = 0xff;
			break;
		default:
			break;
		}
	}
	/* The rules across fields the tables state. */
	if (f == &ctp_feature_qos_def) {
		v->v[CTP_QOS_FAMILY].u = tu_rng_below(rng, 2) ? 4 : 6;
		if (v->v[CTP_QOS_FAMILY].u == 4) {
			for (i = CTP_QOS_SRC; i <= CTP_QOS_DST; i++) {
				memset(v->v[i].b, 0, 10);
				v->v[i].b[10] = v->v[i].b[11] = 0xff;
			}
		}
	}
	if (f == &ctp_feature_rohc_def) {
		if (v->pv & CTP_PV_BIT(3)) {
			v->pv |= CTP_PV_BIT(2);
			n = tu_rng_below(rng, 3) == 0 ? CTP_ROHC_CONTEXT_MAX -
			    tu_rng_below(rng, 2) : tu_rng_below(rng, 64);
			tu_rng_bytes(rng, ctxbuf, n);
			v->v[CTP_ROHC_CONTEXT].data = ctxbuf;
			v->v[CTP_ROHC_CONTEXT].len = n;
			v->v[CTP_ROHC_CONTEXT_LEN].u = n;
		} else
			v->v[CTP_ROHC_CONTEXT_LEN].u = 0;
	}
	v->p = v->pv != full || tu_rng_below(rng, 2) == 0;
}

/*
 * Random values and presence -> encode -> decode -> equal values; the same
 * CDB -> JSON (through text) -> CDB gives the same octets.
 */
START_TEST(test_random)
{
	const struct ctp_feature	*f = ctp_feature_at((size_t)_i);
	struct ctp_fvals		*v, *v2;
	struct ctp_cdb			 c, c2;
	struct tu_rng			 rng;
	uint8_t				*ctx, *st2;
	json_t				*j, *j2;
	char				 why[128], *s;
	size_t				 used, off, k, m1, m2;
	uint64_t			 seed = RT_SEED + (uint64_t)_i;
	enum ctp_err			 e;

	v = calloc(2, sizeof(*v));
	ctx = malloc(CTP_CDB_MAX);
	st2 = malloc(CTP_CDB_MAX);
	ck_assert(v != NULL && ctx != NULL && st2 != NULL);
	v2 = v + 1;
	tu_rng_seed(&rng, seed);
	for (k = 0; k < RT_ITER; k++) {
		rand_fvals(&rng, f, v, ctx);
		e = ctp_feature_check(v, eb, sizeof(eb));
		ck_assert_msg(e == CTP_OK, "%s seed %" PRIx64 " iter %zu: %s",
		    f->name, seed, k, eb);
		ck_assert_int_eq(ctp_feature_encode(v, store, sizeof(store),
		    &used, &c), CTP_OK);
		c.r = tu_rng_below(&rng, 2) != 0;
		ck_assert_uint_eq((4 + (c.p ? 4 : 0) + c.data_len) % 8, 0);
		e = ctp_feature_decode(&c, v2, &off);
		ck_assert_msg(e == CTP_OK, "%s seed %" PRIx64 " iter %zu: "
		    "decode %s at %zu", f->name, seed, k, ctp_errname(e), off);
		ck_assert_msg(fvals_equal(v, v2, why, sizeof(why)),
		    "%s seed %" PRIx64 " iter %zu: %s", f->name, seed, k, why);

		ck_assert_int_eq(ctp_feature_cdb_to_json(&c, false, &j),
		    CTP_OK);
		ck_assert_ptr_null(json_object_get(j, "error"));
		s = json_dumps(j, JSON_COMPACT);
		ck_assert_ptr_nonnull(s);
		j2 = jparse(s);
		e = ctp_feature_cdb_from_json(j2, false, st2, CTP_CDB_MAX,
		    &used, &c2, eb, sizeof(eb));
		ck_assert_msg(e == CTP_OK, "%s seed %" PRIx64 " iter %zu: %s: "
		    "%s", f->name, seed, k, s, eb);
		m1 = cdb_bytes(&c, wire, sizeof(wire));
		m2 = cdb_bytes(&c2, wire2, sizeof(wire2));
		ck_assert_msg(m1 == m2 && memcmp(wire, wire2, m1) == 0,
		    "%s seed %" PRIx64 " iter %zu: %s -> %s, want %s", f->name,
		    seed, k, s, tu_hex(wire2, m2), tu_hex(wire, m1));
		free(s);
		json_decref(j);
		json_decref(j2);
	}
	free(v);
	free(ctx);
	free(st2);
}
END_TEST

/*
 * Bit flips, byte values and truncation of every golden vector: the walker
 * never reads outside the CDB (ASan builds), and whatever validates
 * re-encodes to a CDB that validates to the same values.
 */
START_TEST(test_mutation)
{
	struct ctp_fvals	*v, *v2;
	struct ctp_cdb		 c, c2;
	json_t			*j;
	char			 fn[64], why[128], *hex;
	uint8_t			*mut;
	size_t			 n, i, bit, len, used, off;
	enum ctp_err		 e;

	v = calloc(2, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	v2 = v + 1;
	snprintf(fn, sizeof(fn), "feature-%s.hex", goldens[_i].name);
	hex = read_text(fn);
	n = unhex_c(hex, wire, sizeof(wire));
	free(hex);
	for (i = 0; i < n * 8 + n + 1; i++) {
		len = n;
		mut = malloc(n);
		ck_assert_ptr_nonnull(mut);
		memcpy(mut, wire, n);
		if (i < n * 8) {
			bit = i;
			mut[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		} else if (i < n * 8 + n) {
			mut[i - n * 8] = 0xff;
		}
		/* The CDB as the codec would hand it over: heap exact size. */
		memset(&c, 0, sizeof(c));
		c.fpt = (uint16_t)(mut[0] << 8 | mut[1]);
		c.p = (mut[3] & 0x80) != 0;
		c.r = (mut[3] & 0x40) != 0;
		if (c.p) {
			c.pv = (uint32_t)mut[4] << 24 | (uint32_t)mut[5] << 16 |
			    (uint32_t)mut[6] << 8 | mut[7];
		}
		off = c.p ? 8 : 4;
		c.data = mut + off;
		c.data_len = (uint16_t)(len - off);
		if (i == n * 8 + n)		/* truncated by one group */
			c.data_len = c.data_len >= 4 ? c.data_len - 4 : 0;
		e = ctp_feature_decode(&c, v, &off);
		if (e == CTP_OK) {
			ck_assert_int_eq(ctp_feature_encode(v, store,
			    sizeof(store), &used, &c2), CTP_OK);
			ck_assert_int_eq(ctp_feature_decode(&c2, v2, NULL),
			    CTP_OK);
			ck_assert_msg(fvals_equal(v, v2, why, sizeof(why)),
			    "%s mutant %zu: %s", goldens[_i].name, i, why);
		} else if (e != CTP_ERR_FPT_UNKNOWN && e != CTP_ERR_INVAL)
			ck_assert_uint_le(off, c.data_len);
		ck_assert_int_eq(ctp_feature_cdb_to_json(&c, false, &j),
		    CTP_OK);
		ck_assert_ptr_nonnull(j);
		json_decref(j);
		ck_assert_int_eq(ctp_feature_cdb_to_json(&c, true, &j),
		    CTP_OK);
		json_decref(j);
		free(mut);
	}
	free(v);
}
END_TEST

/* ---------------------------------------------------------------- main */

static Suite *
feature_suite(void)
{
	Suite	*s = suite_create("feature");
	TCase	*tc;
	int	 nrows = 0;

	while (ctp_feature_at((size_t)nrows) != NULL)
		nrows++;

	tc = tcase_create("registry");
	tcase_add_test(tc, test_lookup);
	tcase_add_loop_test(tc, test_table, 0, nrows);
	tcase_add_test(tc, test_fvals_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("golden");
	tcase_add_loop_test(tc, test_golden, 0, NGOLDEN);
	tcase_add_test(tc, test_golden_values);
	tcase_add_test(tc, test_golden_typed_encode);
	suite_add_tcase(s, tc);

	tc = tcase_create("verdicts");
	tcase_add_loop_test(tc, test_bad, 0, NBAD);
	tcase_add_test(tc, test_error_padding);
	tcase_add_test(tc, test_largest);
	tcase_add_test(tc, test_encode_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_shapes);
	tcase_add_test(tc, test_json_u64);
	tcase_add_test(tc, test_json_malformed);
	tcase_add_loop_test(tc, test_json_errors, 0, NJBAD);
	tcase_add_test(tc, test_json_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random, 0, nrows);
	tcase_add_loop_test(tc, test_mutation, 0, NGOLDEN);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(feature_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
