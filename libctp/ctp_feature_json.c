/* SPDX-License-Identifier: ISC */
/*
 * CDBs to and from JSON (jansson), walking the same field tables as the
 * codec, so ctpctl, the control socket and the exec hooks see the names the
 * tables define.  The member names and value forms are documented in
 * ctp_feature.h (JSON FORMAT), which ctpctl(8) repeats.
 */
#include <arpa/inet.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctp_feature.h"

/* ---------------------------------------------------------------- output */

/* json_object_set_new() that tells whether v could be made and stored. */
static bool
put(json_t *o, const char *name, json_t *v)
{
	return v != NULL && json_object_set_new(o, name, v) == 0;
}

static json_t *
hex_json(const uint8_t *b, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	json_t			*j;
	char			*s;
	size_t			 i;

	if ((s = malloc(2 * len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 0x0f];
	}
	s[2 * len] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* Integers above INT64_MAX do not fit json_int_t: write them as text. */
static json_t *
uint_json(uint64_t u)
{
	char	 s[24];

	if (u <= INT64_MAX)
		return json_integer((json_int_t)u);
	snprintf(s, sizeof(s), "%" PRIu64, u);
	return json_string(s);
}

static json_t *
addr_json(const uint8_t *b)
{
	char	 s[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, b, s, sizeof(s)) == NULL)
		return NULL;
	return json_string(s);
}

static json_t *
prefix_json(const uint8_t *b)
{
	uint8_t	 a[16];
	char	 s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN + 4];

	memset(a, 0, sizeof(a));
	memcpy(a, b, 8);
	if (inet_ntop(AF_INET6, a, s, sizeof(s)) == NULL)
		return NULL;
	snprintf(t, sizeof(t), "%s/64", s);
	return json_string(t);
}

/* A status name where the code has one of its own, else the number. */
static json_t *
status_json(unsigned st)
{
	const char	*name = ctp_status_name(st);

	if (name != NULL && ctp_status_from_name(name) == (int)st)
		return json_string(name);
	return json_integer(st);
}

static json_t *
value_json(const struct ctp_field *fl, const struct ctp_fval *val)
{
	switch (fl->kind) {
	case CTP_FK_UINT:
	case CTP_FK_FPT:
		return uint_json(val->u);
	case CTP_FK_ENUM:
		if (val->u < fl->min || val->u > fl->max)
			return NULL;
		return json_string(fl->names[val->u - fl->min]);
	case CTP_FK_ADDR:
		return addr_json(val->b);
	case CTP_FK_PREFIX:
		return prefix_json(val->b);
	case CTP_FK_HEX:
		return hex_json(val->b, fl->size);
	case CTP_FK_OPAQUE:
		return hex_json(val->data, val->len);
	case CTP_FK_STATUS:
		return status_json((unsigned)val->u);
	default:
		return NULL;
	}
}

static json_t *
entries_json(const struct ctp_feature *f, const struct ctp_fvals *v)
{
	const struct ctp_field	*fl;
	struct ctp_fval		 val;
	json_t			*a, *e;
	size_t			 n;
	int			 i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (n = 0; n < v->nentries; n++) {
		if ((e = json_object()) == NULL ||
		    json_array_append_new(a, e) != 0)
			goto fail;
		for (i = 0; i < f->nfields; i++) {
			fl = &f->fields[i];
			memset(&val, 0, sizeof(val));
			if (fl->kind == CTP_FK_FPT)
				val.u = v->entries[n].fpt;
			else if (fl->kind == CTP_FK_STATUS)
				val.u = v->entries[n].status;
			else
				continue;
			if (!put(e, fl->name, value_json(fl, &val)))
				goto fail;
		}
	}
	return a;
 fail:
	json_decref(a);
	return NULL;
}

static json_t *
fields_json(const struct ctp_feature *f, const struct ctp_fvals *v)
{
	const struct ctp_field	*fl;
	json_t			*o;
	int			 i;

	if ((o = json_object()) == NULL)
		return NULL;
	if (f->list) {
		if (!put(o, "entries", entries_json(f, v)))
			goto fail;
		return o;
	}
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		if (fl->kind == CTP_FK_RSVD || fl->name == NULL ||
		    !ctp_fvals_has(v, (unsigned)i))
			continue;
		if (!put(o, fl->name, value_json(fl, &v->v[i])))
			goto fail;
	}
	return o;
 fail:
	json_decref(o);
	return NULL;
}

/* "p", "pv" (when p) and the raw data region. */
static bool
raw_json(json_t *o, const struct ctp_cdb *cdb, bool with_data)
{
	if (!put(o, "p", json_boolean(cdb->p)))
		return false;
	if (cdb->p && !put(o, "pv", json_integer(cdb->pv)))
		return false;
	return !with_data || put(o, "data", hex_json(cdb->data, cdb->data_len));
}

enum ctp_err
ctp_feature_cdb_to_json(const struct ctp_cdb *cdb, bool request,
    json_t **out)
{
	const struct ctp_feature	*f;
	struct ctp_fvals		*v = NULL;
	json_t				*o;
	size_t				 off;
	enum ctp_err			 e;

	*out = NULL;
	f = ctp_feature_lookup(cdb->fpt);
	if ((o = json_object()) == NULL ||
	    !put(o, "fpt", json_integer(cdb->fpt)) ||
	    (f != NULL && !put(o, "feature", json_string(f->name))) ||
	    !put(o, "r", json_boolean(cdb->r)))
		goto nomem;

	if (request) {
		/* D2: a full CDB asks for its FPT; its data is only shown. */
		if ((cdb->p || cdb->data_len > 0) && !raw_json(o, cdb, true))
			goto nomem;
		*out = o;
		return CTP_OK;
	}
	if (f == NULL) {
		if (!raw_json(o, cdb, true))
			goto nomem;
		*out = o;
		return CTP_OK;
	}
	if ((v = malloc(sizeof(*v))) == NULL)
		goto nomem;
	if ((e = ctp_feature_decode(cdb, v, &off)) != CTP_OK) {
		/* D10: shown, not installed, reported MALFORMED. */
		if (!raw_json(o, cdb, false) ||
		    !put(o, "error", json_string(ctp_errname(e))) ||
		    !put(o, "error_offset", json_integer((json_int_t)off)) ||
		    !put(o, "data", hex_json(cdb->data, cdb->data_len)))
			goto nomem;
	} else if (!put(o, "p", json_boolean(cdb->p)) ||
	    !put(o, "fields", fields_json(f, v)))
		goto nomem;
	free(v);
	*out = o;
	return CTP_OK;
 nomem:
	free(v);
	json_decref(o);
	return CTP_ERR_NOMEM;
}

/* ----------------------------------------------------------------- input */

struct jin {
	char		*buf;		/* the caller's errbuf */
	size_t		 len;
};

static enum ctp_err
jerr(struct jin *in, enum ctp_err e, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static enum ctp_err
jerr(struct jin *in, enum ctp_err e, const char *fmt, ...)
{
	va_list	 ap;

	if (in->buf != NULL && in->len > 0) {
		va_start(ap, fmt);
		vsnprintf(in->buf, in->len, fmt, ap);
		va_end(ap);
	}
	return e;
}

static const char *
jtype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Hex text to octets.  Returns the octet count, -1 for a bad digit or an odd
 * count, -2 if more than cap octets.
 */
static long
unhex(const char *s, size_t slen, uint8_t *buf, size_t cap)
{
	size_t	 i;
	int	 hi, lo;

	if (slen % 2 != 0)
		return -1;
	if (slen / 2 > cap)
		return -2;
	for (i = 0; i < slen; i += 2) {
		if ((hi = hexval((unsigned char)s[i])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 1])) < 0)
			return -1;
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(slen / 2);
}

/* FPT as an integer or as "0x" and four hex digits. */
static enum ctp_err
get_fpt(struct jin *in, const char *path, const json_t *j, uint16_t *fpt)
{
	const char	*s;
	uint8_t		 b[2];

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0 ||
		    json_integer_value(j) > 0xffff)
			return jerr(in, CTP_ERR_FIELD, "%s: %"
			    JSON_INTEGER_FORMAT " out of range 0..65535",
			    path, json_integer_value(j));
		*fpt = (uint16_t)json_integer_value(j);
		return CTP_OK;
	}
	if (json_is_string(j)) {
		s = json_string_value(j);
		if (json_string_length(j) == 6 && s[0] == '0' &&
		    (s[1] == 'x' || s[1] == 'X') &&
		    unhex(s + 2, 4, b, 2) == 2) {
			*fpt = (uint16_t)(b[0] << 8 | b[1]);
			return CTP_OK;
		}
	}
	return jerr(in, CTP_ERR_JSON, "%s: expected an integer or \"0x\" and "
	    "4 hex digits, got %s", path, jtype(j));
}

static enum ctp_err
get_bool(struct jin *in, const char *path, const json_t *j, bool *b)
{
	if (!json_is_boolean(j))
		return jerr(in, CTP_ERR_JSON, "%s: expected true or false, got "
		    "%s", path, jtype(j));
	*b = json_is_true(j);
	return CTP_OK;
}

/* Decimal text of an unsigned 64-bit integer, nothing else. */
static bool
parse_dec(const char *s, uint64_t *u)
{
	uint64_t	 v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*u = v;
	return true;
}

static enum ctp_err
get_uint(struct jin *in, const char *path, const struct ctp_field *fl,
    const json_t *j, uint64_t *u)
{
	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0)
			return jerr(in, CTP_ERR_FIELD, "%s: %"
			    JSON_INTEGER_FORMAT " out of range %" PRIu64
			    "..%" PRIu64, path, json_integer_value(j),
			    fl->min, fl->max);
		*u = (uint64_t)json_integer_value(j);
		return CTP_OK;
	}
	if (fl->size == 8 && json_is_string(j)) {
		if (parse_dec(json_string_value(j), u))
			return CTP_OK;
		return jerr(in, CTP_ERR_JSON, "%s: \"%s\" is not a decimal "
		    "integer", path, json_string_value(j));
	}
	return jerr(in, CTP_ERR_JSON, "%s: expected %s, got %s", path,
	    fl->size == 8 ? "an integer or a decimal string" : "an integer",
	    jtype(j));
}

static enum ctp_err
get_enum(struct jin *in, const char *path, const struct ctp_field *fl,
    const json_t *j, uint64_t *u)
{
	char		 list[64];
	uint64_t	 i;
	size_t		 n;

	if (json_is_string(j)) {
		for (i = fl->min; i <= fl->max; i++) {
			if (strcasecmp(json_string_value(j),
			    fl->names[i - fl->min]) == 0) {
				*u = i;
				return CTP_OK;
			}
		}
	}
	list[0] = '\0';
	for (i = fl->min, n = 0; i <= fl->max && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > fl->min ? ", " : "", fl->names[i - fl->min]);
	if (json_is_string(j))
		return jerr(in, CTP_ERR_JSON, "%s: \"%s\" is not one of %s",
		    path, json_string_value(j), list);
	return jerr(in, CTP_ERR_JSON, "%s: expected one of %s, got %s", path,
	    list, jtype(j));
}

/* IPv6 text, or IPv4 text taken as IPv4-mapped (spec §3.8 rule 3). */
static bool
parse_addr(const char *s, uint8_t *b)
{
	uint8_t	 a4[4];

	if (inet_pton(AF_INET6, s, b) == 1)
		return true;
	if (inet_pton(AF_INET, s, a4) != 1)
		return false;
	memset(b, 0, 10);
	b[10] = b[11] = 0xff;
	memcpy(b + 12, a4, 4);
	return true;
}

static enum ctp_err
get_addr(struct jin *in, const char *path, const json_t *j, uint8_t *b)
{
	if (!json_is_string(j))
		return jerr(in, CTP_ERR_JSON, "%s: expected an address, got %s",
		    path, jtype(j));
	if (!parse_addr(json_string_value(j), b))
		return jerr(in, CTP_ERR_JSON, "%s: \"%s\" is not an IP address",
		    path, json_string_value(j));
	return CTP_OK;
}

static enum ctp_err
get_prefix(struct jin *in, const char *path, const json_t *j, uint8_t *b)
{
	const char	*s, *slash;
	char		 a[INET6_ADDRSTRLEN];
	uint8_t		 full[16];
	size_t		 n, i;

	if (!json_is_string(j))
		return jerr(in, CTP_ERR_JSON, "%s: expected an IPv6 prefix, "
		    "got %s", path, jtype(j));
	s = json_string_value(j);
	n = (slash = strchr(s, '/')) != NULL ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(a))
		return jerr(in, CTP_ERR_JSON, "%s: \"%s\" is not an IPv6 "
		    "prefix", path, s);
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET6, a, full) != 1)
		return jerr(in, CTP_ERR_JSON, "%s: \"%s\" is not an IPv6 "
		    "prefix", path, s);
	if (slash != NULL && strcmp(slash, "/64") != 0)
		return jerr(in, CTP_ERR_FIELD, "%s: \"%s\": only /64 prefixes "
		    "are carried", path, s);
	for (i = 8; i < 16; i++)
		if (full[i] != 0)
			return jerr(in, CTP_ERR_FIELD, "%s: \"%s\" has bits "
			    "set beyond /64", path, s);
	memcpy(b, full, 8);
	return CTP_OK;
}

/* Hex of exactly want octets (want > 0), or of at most max (want 0). */
static enum ctp_err
get_hex(struct jin *in, const char *path, const json_t *j, uint8_t *buf,
    size_t want, size_t max, size_t *n)
{
	long	 r;

	if (!json_is_string(j))
		return jerr(in, CTP_ERR_JSON, "%s: expected hex text, got %s",
		    path, jtype(j));
	r = unhex(json_string_value(j), json_string_length(j), buf,
	    want > 0 ? want : max);
	if (r == -1 || (want > 0 && r >= 0 && (size_t)r != want))
		return want > 0 ?
		    jerr(in, CTP_ERR_JSON, "%s: expected %zu hex digits", path,
			2 * want) :
		    jerr(in, CTP_ERR_JSON, "%s: expected hex text with an even "
			"number of digits", path);
	if (r == -2)
		return want > 0 ?
		    jerr(in, CTP_ERR_JSON, "%s: expected %zu hex digits", path,
			2 * want) :
		    jerr(in, CTP_ERR_FIELD, "%s: %zu octets, at most %zu fit",
			path, json_string_length(j) / 2, max);
	*n = (size_t)r;
	return CTP_OK;
}

static enum ctp_err
get_status(struct jin *in, const char *path, const json_t *j, uint8_t *st)
{
	int	 n;

	if (json_is_string(j)) {
		if ((n = ctp_status_from_name(json_string_value(j))) < 0 ||
		    n > 0xff)
			return jerr(in, CTP_ERR_JSON, "%s: unknown status "
			    "\"%s\"", path, json_string_value(j));
		*st = (uint8_t)n;
		return CTP_OK;
	}
	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0 || json_integer_value(j) > 0xff)
			return jerr(in, CTP_ERR_FIELD, "%s: %"
			    JSON_INTEGER_FORMAT " out of range 0..255", path,
			    json_integer_value(j));
		*st = (uint8_t)json_integer_value(j);
		return CTP_OK;
	}
	return jerr(in, CTP_ERR_JSON, "%s: expected a status name or an "
	    "integer, got %s", path, jtype(j));
}

/* "fields" of the error indication: {"entries": [{fpt, status}, ...]}. */
static enum ctp_err
get_entries(struct jin *in, const struct ctp_feature *f, const json_t *fields,
    struct ctp_fvals *v)
{
	const struct ctp_field	*fl;
	const char		*k;
	char			 path[64];
	json_t			*a, *ent, *j;
	enum ctp_err		 e;
	size_t			 n;
	uint16_t		 fpt;
	int			 i;

	json_object_foreach((json_t *)fields, k, j) {
		if (strcmp(k, "entries") != 0)
			return jerr(in, CTP_ERR_JSON, "%s.%s: unknown field",
			    f->name, k);
	}
	if ((a = json_object_get(fields, "entries")) == NULL)
		return CTP_OK;
	if (!json_is_array(a))
		return jerr(in, CTP_ERR_JSON, "%s.entries: expected an array, "
		    "got %s", f->name, jtype(a));
	if (json_array_size(a) > CTP_FEATURE_ENTRIES_MAX)
		return jerr(in, CTP_ERR_FIELD, "%s.entries: %zu entries, at "
		    "most %d fit", f->name, json_array_size(a),
		    CTP_FEATURE_ENTRIES_MAX);
	json_array_foreach(a, n, ent) {
		if (!json_is_object(ent))
			return jerr(in, CTP_ERR_JSON, "%s.entries[%zu]: "
			    "expected an object, got %s", f->name, n,
			    jtype(ent));
		json_object_foreach(ent, k, j) {
			if (ctp_feature_field_index(f, k) < 0)
				return jerr(in, CTP_ERR_JSON, "%s.entries[%zu]."
				    "%s: unknown member", f->name, n, k);
		}
		for (i = 0; i < f->nfields; i++) {
			fl = &f->fields[i];
			if (fl->name == NULL)
				continue;
			snprintf(path, sizeof(path), "%s.entries[%zu].%s",
			    f->name, n, fl->name);
			if ((j = json_object_get(ent, fl->name)) == NULL)
				return jerr(in, CTP_ERR_JSON, "%s: missing",
				    path);
			if (fl->kind == CTP_FK_FPT) {
				if ((e = get_fpt(in, path, j, &fpt)) != CTP_OK)
					return e;
				v->entries[n].fpt = fpt;
			} else if (fl->kind == CTP_FK_STATUS &&
			    (e = get_status(in, path, j,
			    &v->entries[n].status)) != CTP_OK)
				return e;
		}
	}
	v->nentries = json_array_size(a);
	return CTP_OK;
}

/*
 * "fields" of a presence-vector feature.  OPAQUE values are decoded into
 * scratch (CTP_CDB_MAX octets), which must live until they are encoded.
 */
static enum ctp_err
get_fields(struct jin *in, const struct ctp_feature *f, const json_t *fields,
    struct ctp_fvals *v, uint8_t *scratch)
{
	const struct ctp_field	*fl;
	const char		*k;
	char			 path[64];
	json_t			*j;
	struct ctp_fval		*val;
	enum ctp_err		 e;
	size_t			 n;
	uint32_t		 given = 0;
	int			 i, r;

	json_object_foreach((json_t *)fields, k, j) {
		if ((i = ctp_feature_field_index(f, k)) < 0)
			return jerr(in, CTP_ERR_JSON, "%s.%s: unknown field",
			    f->name, k);
		fl = &f->fields[i];
		val = &v->v[i];
		snprintf(path, sizeof(path), "%s.%s", f->name, k);
		switch (fl->kind) {
		case CTP_FK_UINT:
			e = get_uint(in, path, fl, j, &val->u);
			break;
		case CTP_FK_ENUM:
			e = get_enum(in, path, fl, j, &val->u);
			break;
		case CTP_FK_ADDR:
			e = get_addr(in, path, j, val->b);
			break;
		case CTP_FK_PREFIX:
			e = get_prefix(in, path, j, val->b);
			break;
		case CTP_FK_HEX:
			e = get_hex(in, path, j, val->b, fl->size, 0, &n);
			break;
		case CTP_FK_OPAQUE:
			e = get_hex(in, path, j, scratch, 0, fl->max,
			    &val->len);
			val->data = scratch;
			break;
		default:
			e = jerr(in, CTP_ERR_JSON, "%s: not settable", path);
			break;
		}
		if (e != CTP_OK)
			return e;
		v->pv |= CTP_PV_BIT(fl->group);
		given |= UINT32_C(1) << i;
	}
	/* A present group needs its required members; the rest default. */
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		if ((fl->flags & CTP_FF_REQUIRED) == 0 ||
		    (v->pv & CTP_PV_BIT(fl->group)) == 0 ||
		    (given & (UINT32_C(1) << i)) != 0)
			continue;
		for (r = 0; r < f->nfields; r++)
			if (f->fields[r].group == fl->group &&
			    (given & (UINT32_C(1) << r)) != 0)
				break;
		return jerr(in, CTP_ERR_JSON, "%s.%s: missing (needed with "
		    "%s.%s)", f->name, fl->name, f->name,
		    r < f->nfields ? f->fields[r].name : "?");
	}
	return CTP_OK;
}

/* Raw data region from "data", padded to the CDB's 8-octet boundary. */
static enum ctp_err
raw_cdb(struct jin *in, const json_t *data, bool request, bool p, uint32_t pv,
    uint8_t *store, size_t cap, size_t *used, struct ctp_cdb *out)
{
	enum ctp_err	 e;
	size_t		 n = 0, max, total, pad;
	uint8_t		 tmp[CTP_CDB_MAX];

	max = CTP_CDB_MAX - CTP_CDB_HDR_LEN - (p ? 4 : 0);
	if (data != NULL &&
	    (e = get_hex(in, "data", data, tmp, 0, max, &n)) != CTP_OK)
		return e;
	if (request && !p && n == 0)
		pad = 0;	/* the 4-octet request form */
	else {
		total = CTP_CDB_HDR_LEN + (p ? 4 : 0) + n;
		pad = (8 - total % 8) % 8;
	}
	if (n + pad > max)
		return jerr(in, CTP_ERR_FIELD, "data: %zu octets, at most %zu "
		    "fit", n + pad, max);
	if (n + pad > cap)
		return jerr(in, CTP_ERR_NOSPACE, "data: no room for %zu octets",
		    n + pad);
	if (n > 0)
		memcpy(store, tmp, n);
	memset(store + n, 0, pad);
	out->p = p;
	out->pv = p ? pv : 0;
	out->data = store;
	out->data_len = (uint16_t)(n + pad);
	*used = n + pad;
	return CTP_OK;
}

static const char *const top_members[] = {
	"fpt", "feature", "r", "p", "pv", "fields", "data", "error",
	"error_offset",
};

enum ctp_err
ctp_feature_cdb_from_json(const json_t *obj, bool request, uint8_t *store,
    size_t cap, size_t *used, struct ctp_cdb *out, char *errbuf,
    size_t errlen)
{
	const struct ctp_feature	*f = NULL, *fn;
	struct jin			 in = { errbuf, errlen };
	struct ctp_fvals		*v = NULL;
	uint8_t				*scratch = NULL;
	const json_t			*j, *fields, *data;
	const char			*k;
	enum ctp_err			 e;
	size_t				 i;
	uint16_t			 fpt = 0;
	bool				 have_fpt = false, have_p = false;
	bool				 have_pv = false, r = false, p = false;
	uint32_t			 pv = 0;

	*used = 0;
	memset(out, 0, sizeof(*out));
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
	if (!json_is_object(obj))
		return jerr(&in, CTP_ERR_JSON, "cdb: expected an object, got "
		    "%s", jtype(obj));
	json_object_foreach((json_t *)obj, k, j) {
		for (i = 0; i < sizeof(top_members) / sizeof(top_members[0]);
		    i++)
			if (strcmp(k, top_members[i]) == 0)
				break;
		if (i == sizeof(top_members) / sizeof(top_members[0]))
			return jerr(&in, CTP_ERR_JSON, "%s: unknown member", k);
	}

	if ((j = json_object_get(obj, "fpt")) != NULL) {
		if ((e = get_fpt(&in, "fpt", j, &fpt)) != CTP_OK)
			return e;
		have_fpt = true;
		f = ctp_feature_lookup(fpt);
	}
	if ((j = json_object_get(obj, "feature")) != NULL) {
		if (!json_is_string(j))
			return jerr(&in, CTP_ERR_JSON, "feature: expected a "
			    "name, got %s", jtype(j));
		if ((fn = ctp_feature_by_name(json_string_value(j))) == NULL)
			return jerr(&in, CTP_ERR_JSON, "feature: unknown "
			    "feature \"%s\"", json_string_value(j));
		if (have_fpt && fn->fpt != fpt)
			return jerr(&in, CTP_ERR_JSON, "feature: \"%s\" is FPT "
			    "0x%04x, but fpt is 0x%04x", fn->name, fn->fpt,
			    fpt);
		f = fn;
		fpt = fn->fpt;
		have_fpt = true;
	}
	if (!have_fpt)
		return jerr(&in, CTP_ERR_JSON, "fpt: missing (give \"fpt\" or "
		    "\"feature\")");
	if ((j = json_object_get(obj, "r")) != NULL &&
	    (e = get_bool(&in, "r", j, &r)) != CTP_OK)
		return e;
	if ((j = json_object_get(obj, "p")) != NULL) {
		if ((e = get_bool(&in, "p", j, &p)) != CTP_OK)
			return e;
		have_p = true;
	}
	if ((j = json_object_get(obj, "pv")) != NULL) {
		if (!json_is_integer(j))
			return jerr(&in, CTP_ERR_JSON, "pv: expected an "
			    "integer, got %s", jtype(j));
		if (json_integer_value(j) < 0 ||
		    json_integer_value(j) > UINT32_MAX)
			return jerr(&in, CTP_ERR_FIELD, "pv: %"
			    JSON_INTEGER_FORMAT " out of range 0..4294967295",
			    json_integer_value(j));
		pv = (uint32_t)json_integer_value(j);
		have_pv = true;
	}
	fields = json_object_get(obj, "fields");
	data = json_object_get(obj, "data");
	out->fpt = fpt;
	out->r = r;

	if (fields != NULL && data != NULL)
		return jerr(&in, CTP_ERR_JSON, "fields: not allowed together "
		    "with \"data\"");
	if (fields == NULL) {
		if (!request && data == NULL)
			return jerr(&in, CTP_ERR_JSON, "data: missing (a data "
			    "CDB needs \"fields\" or \"data\")");
		if (have_pv && !p)
			return jerr(&in, CTP_ERR_JSON, "pv: only with \"p\": "
			    "true");
		if (p && !have_pv)
			return jerr(&in, CTP_ERR_JSON, "pv: missing (\"p\" is "
			    "true)");
		if (request && data == NULL && !p)
			return CTP_OK;		/* request CDB */
		return raw_cdb(&in, data, request, p, pv, store, cap, used,
		    out);
	}

	if (request)
		return jerr(&in, CTP_ERR_JSON, "fields: not allowed in a "
		    "request CDB (give \"data\")");
	if (f == NULL)
		return jerr(&in, CTP_ERR_FPT_UNKNOWN, "fields: FPT 0x%04x has "
		    "no feature table (give \"data\")", fpt);
	if (have_pv)
		return jerr(&in, CTP_ERR_JSON, "pv: not allowed with "
		    "\"fields\" (the fields given imply it)");
	if (!json_is_object(fields))
		return jerr(&in, CTP_ERR_JSON, "fields: expected an object, "
		    "got %s", jtype(fields));
	if ((v = malloc(sizeof(*v))) == NULL ||
	    (scratch = malloc(CTP_CDB_MAX)) == NULL) {
		e = jerr(&in, CTP_ERR_NOMEM, "cdb: out of memory");
		goto done;
	}
	ctp_fvals_init(v, f);
	if (f->list) {
		v->p = have_p && p;
		e = get_entries(&in, f, fields, v);
	} else {
		e = get_fields(&in, f, fields, v, scratch);
		v->p = have_p ? p : v->pv != ctp_feature_pv_full(f);
	}
	if (e != CTP_OK)
		goto done;
	if ((e = ctp_feature_check(v, errbuf, errlen)) != CTP_OK)
		goto done;
	if ((e = ctp_feature_encode(v, store, cap, used, out)) != CTP_OK) {
		if (e == CTP_ERR_NOSPACE)
			jerr(&in, e, "%s: no room for the CDB data in %zu "
			    "octets", f->name, cap);
		goto done;
	}
	out->r = r;
 done:
	free(scratch);
	free(v);
	return e;
}
