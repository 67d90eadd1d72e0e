/* SPDX-License-Identifier: ISC */
/*
 * CXTP messages to and from JSON.  One table says which members each message
 * type carries, so that rendering, strict parsing and the error texts agree;
 * CDBs are rendered and parsed by the feature layer.  The member names are
 * documented in ctpctl(8), JSON FORMAT.
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctp_feature.h"
#include "ctp_json.h"
#include "ctp_msg.h"

/* Members a message type has beyond the common header (spec §3.2-§3.7). */
#define JM_ELAPSED	0x01
#define JM_MN		0x02
#define JM_AR		0x04
#define JM_SEQ		0x08
#define JM_TOKEN	0x10
#define JM_KEY		0x20	/* alg, key_len, key */
#define JM_CDBS		0x40
#define JM_ENTRIES	0x80

static const struct {
	unsigned	 members;
	bool		 request;	/* its CDBs are request CDBs */
	const char	*flag;		/* X bit name; NULL: reserved */
} msgtab[CTP_MSG_TYPE_MAX + 1] = {
	[CTP_MSG_CTAR] =	{ JM_MN | JM_AR | JM_SEQ | JM_TOKEN | JM_CDBS,
				  true, "A" },
	[CTP_MSG_CTAA] =	{ JM_MN | JM_ENTRIES, false, NULL },
	[CTP_MSG_CTD] =		{ JM_ELAPSED | JM_MN | JM_CDBS, false,
				  "A" },
	[CTP_MSG_PCTD] =	{ JM_ELAPSED | JM_MN | JM_KEY | JM_CDBS,
				  false, "A" },
	[CTP_MSG_CTDR] =	{ JM_MN | JM_ENTRIES, false, "S" },
	[CTP_MSG_CTC] =		{ JM_MN, false, NULL },
	[CTP_MSG_CTREQ] =	{ JM_MN | JM_SEQ | JM_TOKEN | JM_CDBS, true,
				  NULL },
};

/*
 * Every member a message object may have, in output order (the wire order of
 * the fields).  need 0 marks the common members; required members must be
 * present on input when the type has them.
 */
static const struct {
	const char	*name;
	unsigned	 need;
	bool		 required;
} membertab[] = {
	{ "type",	0,		true },
	{ "version",	0,		false },
	{ "family",	0,		false },
	{ "flags",	0,		false },
	{ "length",	0,		false },
	{ "elapsed_ms",	JM_ELAPSED,	true },
	{ "mn",		JM_MN,		true },
	{ "ar",		JM_AR,		true },
	{ "seq",	JM_SEQ,		true },
	{ "token",	JM_TOKEN,	true },
	{ "alg",	JM_KEY,		true },
	{ "key_len",	JM_KEY,		false },
	{ "key",	JM_KEY,		true },
	{ "cdbs",	JM_CDBS,	false },
	{ "entries",	JM_ENTRIES,	false },
	{ "notes",	0,		false },
};

static const char	 hexdigits[] = "0123456789abcdef";

/* ------------------------------------------------------------ rendering */

static json_t *
hex_json(const uint8_t *b, size_t n)
{
	char	 s[2 * CTP_KEY_MAX + 1];
	size_t	 i;

	if (n > CTP_KEY_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = hexdigits[b[i] >> 4];
		s[2 * i + 1] = hexdigits[b[i] & 0xf];
	}
	s[2 * n] = '\0';
	return json_string(s);
}

static json_t *
addr_json(const struct ctp_addr *a, bool v4)
{
	char	 s[INET6_ADDRSTRLEN];

	if (a->len != (v4 ? 4 : 16) ||
	    inet_ntop(v4 ? AF_INET : AF_INET6, a->b, s, sizeof(s)) == NULL)
		return NULL;
	return json_string(s);
}

/* FPTs are integers, as in the feature layer's CDBs; input takes "0x.." too. */
static json_t *
fpt_json(uint16_t fpt)
{
	return json_integer(fpt);
}

json_t *
ctp_json_status(unsigned status)
{
	const char	*name = ctp_status_name(status);

	if (name != NULL && ctp_status_from_name(name) == (int)status)
		return json_string(name);
	return json_integer(status);
}

/* json_object_set_new() that tells whether v could be made and stored. */
static bool
put(json_t *o, const char *name, json_t *v)
{
	return v != NULL && json_object_set_new(o, name, v) == 0;
}

static bool
note(json_t *notes, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static bool
note(json_t *notes, const char *fmt, ...)
{
	char	 s[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	return json_array_append_new(notes, json_string(s)) == 0;
}

static enum ctp_err
entries_json(const struct ctp_msg *m, json_t *o)
{
	json_t		*a, *e;
	const char	*name;
	size_t		 i;

	if (!put(o, "entries", a = json_array()))
		return CTP_ERR_NOMEM;
	for (i = 0; i < m->nentries; i++) {
		if ((e = json_object()) == NULL ||
		    json_array_append_new(a, e) != 0 ||
		    !put(e, "fpt", fpt_json(m->entries[i].fpt)))
			return CTP_ERR_NOMEM;
		if ((name = ctp_feature_name(m->entries[i].fpt)) != NULL &&
		    !put(e, "feature", json_string(name)))
			return CTP_ERR_NOMEM;
		if (!put(e, "status", ctp_json_status(m->entries[i].status)))
			return CTP_ERR_NOMEM;
	}
	return CTP_OK;
}

static enum ctp_err
cdbs_json(const struct ctp_msg *m, json_t *o, json_t *notes)
{
	json_t		*a, *c;
	enum ctp_err	 e;
	bool		 request = msgtab[m->hdr.type].request;
	size_t		 i;
	uint16_t	 fpt;

	if (!put(o, "cdbs", a = json_array()))
		return CTP_ERR_NOMEM;
	for (i = 0; i < m->ncdbs; i++) {
		c = NULL;
		if ((e = ctp_feature_cdb_to_json(&m->cdbs[i], request, &c)) !=
		    CTP_OK)
			return e;
		if (json_array_append_new(a, c) != 0)
			return CTP_ERR_NOMEM;
		/* The verdicts of spec §3.10 that ctpctl decode reports. */
		fpt = m->cdbs[i].fpt;
		if (fpt == 0x0000 && !note(notes, "cdbs[%zu]: FPT 0x0000 is "
		    "skipped as unknown and never installed (D14)", i))
			return CTP_ERR_NOMEM;
		if (fpt != 0x0000 && ctp_feature_name(fpt) == NULL &&
		    !note(notes, "cdbs[%zu]: unknown FPT 0x%04x is skipped by "
		    "its Length and reported UNSUPPORTED_FPT when an "
		    "acknowledgement is asked for (3.8)", i, fpt))
			return CTP_ERR_NOMEM;
		if (json_object_get(c, "error") != NULL && !note(notes,
		    "cdbs[%zu]: malformed CDB of FPT 0x%04x: the message is "
		    "accepted, this CDB is not installed and is reported "
		    "MALFORMED (D10)", i, fpt))
			return CTP_ERR_NOMEM;
		if (request && (m->cdbs[i].data_len > 0 || m->cdbs[i].p) &&
		    !note(notes, "cdbs[%zu]: a full CDB in a request is read "
		    "as a request for FPT 0x%04x, its data ignored (D2)", i,
		    fpt))
			return CTP_ERR_NOMEM;
	}
	return CTP_OK;
}

/* Verdicts about the message as a whole (spec §3.10). */
static enum ctp_err
msg_notes(const struct ctp_msg *m, json_t *notes)
{
	size_t	 i;
	bool	 r = false, fail = false;

	if (m->hdr.type == CTP_MSG_CTD || m->hdr.type == CTP_MSG_PCTD) {
		for (i = 0; i < m->ncdbs; i++)
			r |= m->cdbs[i].r;
		if (r && !m->hdr.x && !note(notes, "a CDB has R set while A "
		    "is clear: the receiver answers with a CTDR anyway (D4)"))
			return CTP_ERR_NOMEM;
	}
	if (m->hdr.type == CTP_MSG_PCTD) {
		if (m->alg != CTP_ALG_HMAC_SHA1 && !note(notes, "algorithm %u "
		    "is not supported: the transfer is refused with "
		    "UNSUPPORTED_FPT for FPT 0x0000 (D5)", m->alg))
			return CTP_ERR_NOMEM;
		if ((m->key_len < 16 || m->key_len > 64) && !note(notes,
		    "key length %u is outside 16..64, the lengths ctpd issues "
		    "(D5)", m->key_len))
			return CTP_ERR_NOMEM;
	}
	if (m->hdr.type == CTP_MSG_CTDR && m->hdr.x) {
		for (i = 0; i < m->nentries; i++)
			fail |= m->entries[i].status != CTP_ST_SUCCESS;
		if (fail && !note(notes, "S is set but an entry has a non-zero "
		    "status: the entries are authoritative, read as S clear "
		    "(D11)"))
			return CTP_ERR_NOMEM;
	}
	return CTP_OK;
}

static enum ctp_err
from_msg(const struct ctp_msg *m, int flags, json_t *o, json_t *notes)
{
	unsigned	 mem = msgtab[m->hdr.type].members;
	const char	*flag = msgtab[m->hdr.type].flag;
	json_t		*fl;
	bool		 v4 = m->hdr.v4;
	enum ctp_err	 e;

	if (!put(o, "type", json_string(ctp_msg_type_name(m->hdr.type))) ||
	    !put(o, "version", json_integer(m->hdr.version)) ||
	    !put(o, "family", json_string(v4 ? "ipv4" : "ipv6")) ||
	    !put(o, "flags", fl = json_array()) ||
	    (flag != NULL && m->hdr.x &&
	    json_array_append_new(fl, json_string(flag)) != 0) ||
	    !put(o, "length", json_integer(m->hdr.length)))
		return CTP_ERR_NOMEM;
	if ((mem & JM_ELAPSED) &&
	    !put(o, "elapsed_ms", json_integer(m->elapsed_ms)))
		return CTP_ERR_NOMEM;
	if ((mem & JM_MN) && !put(o, "mn", addr_json(&m->mn, v4)))
		return m->mn.len != (v4 ? 4 : 16) ? CTP_ERR_INVAL :
		    CTP_ERR_NOMEM;
	if ((mem & JM_AR) && !put(o, "ar", addr_json(&m->ar, v4)))
		return m->ar.len != (v4 ? 4 : 16) ? CTP_ERR_INVAL :
		    CTP_ERR_NOMEM;
	if ((mem & JM_SEQ) && !put(o, "seq", json_integer(m->seq)))
		return CTP_ERR_NOMEM;
	if ((mem & JM_TOKEN) && !put(o, "token", hex_json(m->token, 4)))
		return CTP_ERR_NOMEM;
	if (mem & JM_KEY) {
		if (!put(o, "alg", json_integer(m->alg)) ||
		    !put(o, "key_len", json_integer(m->key_len)))
			return CTP_ERR_NOMEM;
		if (flags & CTP_JSON_KEY) {
			if (m->key_len > CTP_KEY_MAX ||
			    (m->key == NULL && m->key_len > 0))
				return CTP_ERR_INVAL;
			if (!put(o, "key", hex_json(m->key, m->key_len)))
				return CTP_ERR_NOMEM;
		}
	}
	if ((mem & JM_CDBS) && (e = cdbs_json(m, o, notes)) != CTP_OK)
		return e;
	if ((mem & JM_ENTRIES) && (e = entries_json(m, o)) != CTP_OK)
		return e;
	return msg_notes(m, notes);
}

enum ctp_err
ctp_json_from_msg(const struct ctp_msg *m, int flags, json_t **out)
{
	json_t		*o, *notes;
	enum ctp_err	 e;

	*out = NULL;
	if (m->hdr.type < 1 || m->hdr.type > CTP_MSG_TYPE_MAX ||
	    m->ncdbs > CTP_MAX_CDBS || m->nentries > CTP_MAX_ENTRIES)
		return CTP_ERR_INVAL;
	if ((o = json_object()) == NULL || (notes = json_array()) == NULL) {
		json_decref(o);
		return CTP_ERR_NOMEM;
	}
	if ((e = from_msg(m, flags, o, notes)) == CTP_OK &&
	    json_array_size(notes) > 0 && json_object_set(o, "notes", notes))
		e = CTP_ERR_NOMEM;
	json_decref(notes);
	if (e != CTP_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return CTP_OK;
}

/* -------------------------------------------------------------- parsing */

struct jin {
	char		*errbuf;
	size_t		 errlen;
};

static enum ctp_err
jerr(struct jin *in, const char *path, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static enum ctp_err
jerr(struct jin *in, const char *path, const char *fmt, ...)
{
	char	 s[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	if (in->errlen > 0)
		snprintf(in->errbuf, in->errlen, "%s: %s", path, s);
	return CTP_ERR_JSON;
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
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static enum ctp_err
get_uint(struct jin *in, const char *path, const json_t *j, uint32_t max,
    uint32_t *v)
{
	json_int_t	 i;

	if (!json_is_integer(j))
		return jerr(in, path, "expected an integer, got %s", jtype(j));
	i = json_integer_value(j);
	if (i < 0 || i > (json_int_t)max)
		return jerr(in, path, "%lld is out of range 0..%lu",
		    (long long)i, (unsigned long)max);
	*v = (uint32_t)i;
	return CTP_OK;
}

static enum ctp_err
get_str(struct jin *in, const char *path, const json_t *j, const char **s)
{
	*s = "";
	if (!json_is_string(j))
		return jerr(in, path, "expected a string, got %s", jtype(j));
	*s = json_string_value(j);
	return CTP_OK;
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

/* Hex string of minn..maxn octets into b; *n gets the count. */
static enum ctp_err
get_hex(struct jin *in, const char *path, const json_t *j, uint8_t *b,
    size_t minn, size_t maxn, size_t *n)
{
	const char	*s;
	size_t		 len, i;
	int		 hi, lo;
	enum ctp_err	 e;

	if ((e = get_str(in, path, j, &s)) != CTP_OK)
		return e;
	len = json_string_length(j);
	if (len % 2 != 0 || len / 2 < minn || len / 2 > maxn) {
		if (minn == maxn)
			return jerr(in, path, "expected %zu hex digits",
			    2 * minn);
		return jerr(in, path, "expected %zu to %zu octets as hex "
		    "digits", minn, maxn);
	}
	for (i = 0; i < len / 2; i++) {
		if ((hi = hexval((unsigned char)s[2 * i])) < 0 ||
		    (lo = hexval((unsigned char)s[2 * i + 1])) < 0)
			return jerr(in, path, "not a hex digit at character "
			    "%zu", hi < 0 ? 2 * i : 2 * i + 1);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len / 2;
	return CTP_OK;
}

static enum ctp_err
get_addr(struct jin *in, const char *path, const json_t *j, bool v4,
    struct ctp_addr *a)
{
	const char	*s;
	enum ctp_err	 e;

	if ((e = get_str(in, path, j, &s)) != CTP_OK)
		return e;
	if (inet_pton(AF_INET, s, a->b) == 1) {
		if (!v4)
			return jerr(in, path, "IPv4 address in an ipv6 "
			    "message (write ::ffff:%s)", s);
		a->len = 4;
		return CTP_OK;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		if (v4)
			return jerr(in, path, "IPv6 address in an ipv4 "
			    "message");
		a->len = 16;
		return CTP_OK;
	}
	return jerr(in, path, "\"%s\" is not an IPv4 or IPv6 address", s);
}

static enum ctp_err
get_fpt(struct jin *in, const char *path, const json_t *j, uint16_t *fpt)
{
	const char	*s;
	uint32_t	 v = 0;
	size_t		 i;
	int		 d;

	if (json_is_integer(j)) {
		if (get_uint(in, path, j, 0xffff, &v) != CTP_OK)
			return CTP_ERR_JSON;
		*fpt = (uint16_t)v;
		return CTP_OK;
	}
	if (!json_is_string(j))
		return jerr(in, path, "expected an integer or \"0x\" and 4 "
		    "hex digits, got %s", jtype(j));
	s = json_string_value(j);
	if (json_string_length(j) != 6 || s[0] != '0' ||
	    (s[1] != 'x' && s[1] != 'X'))
		return jerr(in, path, "expected \"0x\" and 4 hex digits");
	for (i = 2; i < 6; i++) {
		if ((d = hexval((unsigned char)s[i])) < 0)
			return jerr(in, path, "expected \"0x\" and 4 hex "
			    "digits");
		v = v << 4 | (uint32_t)d;
	}
	*fpt = (uint16_t)v;
	return CTP_OK;
}

static enum ctp_err
get_status(struct jin *in, const char *path, const json_t *j, uint8_t *st)
{
	uint32_t	 v;
	int		 n;

	if (json_is_string(j)) {
		if ((n = ctp_status_from_name(json_string_value(j))) < 0 ||
		    n > 0xff)
			return jerr(in, path, "unknown status \"%s\"",
			    json_string_value(j));
		*st = (uint8_t)n;
		return CTP_OK;
	}
	if (!json_is_integer(j))
		return jerr(in, path, "expected a status name or an integer, "
		    "got %s", jtype(j));
	if (get_uint(in, path, j, 0xff, &v) != CTP_OK)
		return CTP_ERR_JSON;
	*st = (uint8_t)v;
	return CTP_OK;
}

static enum ctp_err
get_flags(struct jin *in, const json_t *j, unsigned type, bool *x)
{
	const char	*flag = msgtab[type].flag, *s = "";
	char		 path[32];
	size_t		 i;
	json_t		*f;

	if (!json_is_array(j))
		return jerr(in, "flags", "expected an array, got %s",
		    jtype(j));
	*x = false;
	json_array_foreach(j, i, f) {
		snprintf(path, sizeof(path), "flags[%zu]", i);
		if (get_str(in, path, f, &s) != CTP_OK)
			return CTP_ERR_JSON;
		if (flag == NULL || strcmp(s, flag) != 0) {
			if (flag == NULL)
				return jerr(in, path, "a %s has no flags",
				    ctp_msg_type_name(type));
			return jerr(in, path, "unknown flag \"%s\" (a %s has "
			    "only \"%s\")", s, ctp_msg_type_name(type), flag);
		}
		if (*x)
			return jerr(in, path, "\"%s\" given twice", s);
		*x = true;
	}
	return CTP_OK;
}

static enum ctp_err
get_entries(struct jin *in, const json_t *j, struct ctp_msg *m)
{
	const char	*fname, *k = "";
	char		 path[48];
	json_t		*ent, *v;
	size_t		 i;
	uint16_t	 fpt = 0;

	if (!json_is_array(j))
		return jerr(in, "entries", "expected an array, got %s",
		    jtype(j));
	if (json_array_size(j) > CTP_MAX_ENTRIES)
		return jerr(in, "entries", "%zu entries, at most %d fit",
		    json_array_size(j), CTP_MAX_ENTRIES);
	json_array_foreach(j, i, ent) {
		snprintf(path, sizeof(path), "entries[%zu]", i);
		if (!json_is_object(ent))
			return jerr(in, path, "expected an object, got %s",
			    jtype(ent));
		json_object_foreach(ent, k, v) {
			if (strcmp(k, "fpt") != 0 &&
			    strcmp(k, "feature") != 0 &&
			    strcmp(k, "status") != 0) {
				snprintf(path, sizeof(path), "entries[%zu].%s",
				    i, k);
				return jerr(in, path, "unknown member");
			}
		}
		snprintf(path, sizeof(path), "entries[%zu].fpt", i);
		if ((v = json_object_get(ent, "fpt")) == NULL)
			return jerr(in, path, "missing member");
		if (get_fpt(in, path, v, &fpt) != CTP_OK)
			return CTP_ERR_JSON;
		m->entries[i].fpt = fpt;
		snprintf(path, sizeof(path), "entries[%zu].feature", i);
		if ((v = json_object_get(ent, "feature")) != NULL) {
			if (get_str(in, path, v, &k) != CTP_OK)
				return CTP_ERR_JSON;
			fname = ctp_feature_name(fpt);
			if (fname == NULL || strcmp(fname, k) != 0)
				return jerr(in, path, "\"%s\" is not the name "
				    "of FPT 0x%04x", k, fpt);
		}
		snprintf(path, sizeof(path), "entries[%zu].status", i);
		if ((v = json_object_get(ent, "status")) == NULL)
			return jerr(in, path, "missing member");
		if (get_status(in, path, v, &m->entries[i].status) != CTP_OK)
			return CTP_ERR_JSON;
	}
	m->nentries = json_array_size(j);
	return CTP_OK;
}

static enum ctp_err
get_cdbs(struct jin *in, const json_t *j, struct ctp_msg *m, uint8_t *store,
    size_t cap, size_t *used)
{
	char		 path[32], eb[256];
	json_t		*c;
	size_t		 i, n;
	enum ctp_err	 e;

	if (!json_is_array(j))
		return jerr(in, "cdbs", "expected an array, got %s", jtype(j));
	if (json_array_size(j) > CTP_MAX_CDBS)
		return jerr(in, "cdbs", "%zu CDBs, at most %d fit",
		    json_array_size(j), CTP_MAX_CDBS);
	json_array_foreach(j, i, c) {
		snprintf(path, sizeof(path), "cdbs[%zu]", i);
		if (!json_is_object(c))
			return jerr(in, path, "expected an object, got %s",
			    jtype(c));
		eb[0] = '\0';
		n = 0;
		if ((e = ctp_feature_cdb_from_json(c,
		    msgtab[m->hdr.type].request, store + *used, cap - *used,
		    &n, &m->cdbs[i], eb, sizeof(eb))) != CTP_OK) {
			jerr(in, path, "%s", eb[0] != '\0' ? eb :
			    ctp_strerror(e));
			return e;
		}
		*used += n;
	}
	m->ncdbs = json_array_size(j);
	return CTP_OK;
}

static enum ctp_err
get_key(struct jin *in, const json_t *obj, struct ctp_msg *m, uint8_t *store,
    size_t cap, size_t *used)
{
	json_t		*j;
	uint32_t	 v, klen;
	size_t		 n;

	if (get_uint(in, "alg", json_object_get(obj, "alg"), 0xffff, &v) !=
	    CTP_OK)
		return CTP_ERR_JSON;
	m->alg = (uint16_t)v;
	if (cap - *used < CTP_KEY_MAX) {
		jerr(in, "key", "no room for the key");
		return CTP_ERR_NOSPACE;
	}
	if (get_hex(in, "key", json_object_get(obj, "key"), store + *used, 1,
	    CTP_KEY_MAX, &n) != CTP_OK)
		return CTP_ERR_JSON;
	if ((j = json_object_get(obj, "key_len")) != NULL) {
		if (get_uint(in, "key_len", j, CTP_KEY_MAX, &klen) != CTP_OK)
			return CTP_ERR_JSON;
		if (klen != n)
			return jerr(in, "key_len", "%lu, but \"key\" has %zu "
			    "octets", (unsigned long)klen, n);
	}
	m->key = store + *used;
	m->key_len = (uint16_t)n;
	*used += n;
	return CTP_OK;
}

/* Strictness first: every member must be known to the type. */
static enum ctp_err
check_members(struct jin *in, const json_t *obj, unsigned type)
{
	unsigned	 mem = msgtab[type].members;
	const char	*k;
	json_t		*v;
	size_t		 i;

	json_object_foreach((json_t *)obj, k, v) {
		for (i = 0; i < sizeof(membertab) / sizeof(membertab[0]); i++)
			if (strcmp(k, membertab[i].name) == 0)
				break;
		if (i == sizeof(membertab) / sizeof(membertab[0]))
			return jerr(in, k, "unknown member");
		if (membertab[i].need != 0 && !(mem & membertab[i].need))
			return jerr(in, k, "not a member of a %s",
			    ctp_msg_type_name(type));
	}
	for (i = 0; i < sizeof(membertab) / sizeof(membertab[0]); i++) {
		if (!membertab[i].required ||
		    (membertab[i].need != 0 && !(mem & membertab[i].need)))
			continue;
		if (json_object_get(obj, membertab[i].name) == NULL)
			return jerr(in, membertab[i].name, "missing member");
	}
	return CTP_OK;
}

static enum ctp_err
get_family(struct jin *in, const json_t *obj, bool *v4)
{
	const char	*s;
	json_t		*j;

	if ((j = json_object_get(obj, "family")) != NULL) {
		if (get_str(in, "family", j, &s) != CTP_OK)
			return CTP_ERR_JSON;
		if (strcmp(s, "ipv4") == 0)
			*v4 = true;
		else if (strcmp(s, "ipv6") == 0)
			*v4 = false;
		else
			return jerr(in, "family", "\"%s\" is neither \"ipv4\" "
			    "nor \"ipv6\"", s);
		return CTP_OK;
	}
	/* Without "family", the MN address decides (check_members saw it). */
	j = json_object_get(obj, "mn");
	if (get_str(in, "mn", j, &s) != CTP_OK)
		return CTP_ERR_JSON;
	*v4 = strchr(s, ':') == NULL;
	return CTP_OK;
}

enum ctp_err
ctp_json_to_msg(const json_t *obj, struct ctp_msg *m, uint8_t *store,
    size_t cap, char *errbuf, size_t errlen)
{
	struct jin	 in = { errbuf, errlen };
	const char	*s;
	json_t		*j;
	unsigned	 type, mem;
	uint32_t	 v;
	size_t		 used = 0;
	enum ctp_err	 e;

	if (errlen > 0)
		errbuf[0] = '\0';
	memset(m, 0, sizeof(*m));
	if (!json_is_object(obj)) {
		if (errlen > 0)
			snprintf(errbuf, errlen, "expected an object, got %s",
			    jtype(obj));
		return CTP_ERR_JSON;
	}
	if ((j = json_object_get(obj, "type")) == NULL)
		return jerr(&in, "type", "missing member");
	if (get_str(&in, "type", j, &s) != CTP_OK)
		return CTP_ERR_JSON;
	if ((type = ctp_msg_type_from_name(s)) < 1 || type > CTP_MSG_TYPE_MAX)
		return jerr(&in, "type", "unknown message type \"%s\"", s);
	if ((e = check_members(&in, obj, type)) != CTP_OK)
		return e;
	mem = msgtab[type].members;
	m->hdr.type = (uint8_t)type;
	m->hdr.version = CTP_VERSION;
	if ((j = json_object_get(obj, "version")) != NULL) {
		if (get_uint(&in, "version", j, 7, &v) != CTP_OK)
			return CTP_ERR_JSON;
		if (v != CTP_VERSION)
			return jerr(&in, "version", "only version %d can be "
			    "encoded", CTP_VERSION);
	}
	if (get_family(&in, obj, &m->hdr.v4) != CTP_OK ||
	    ((j = json_object_get(obj, "flags")) != NULL &&
	    get_flags(&in, j, type, &m->hdr.x) != CTP_OK))
		return CTP_ERR_JSON;
	if ((j = json_object_get(obj, "length")) != NULL) {
		if (get_uint(&in, "length", j, 0xffff, &v) != CTP_OK)
			return CTP_ERR_JSON;
		m->hdr.length = (uint16_t)v;
	}
	if ((j = json_object_get(obj, "notes")) != NULL && !json_is_array(j))
		return jerr(&in, "notes", "expected an array, got %s",
		    jtype(j));
	if ((mem & JM_ELAPSED) && get_uint(&in, "elapsed_ms",
	    json_object_get(obj, "elapsed_ms"), UINT32_MAX,
	    &m->elapsed_ms) != CTP_OK)
		return CTP_ERR_JSON;
	if ((mem & JM_MN) && get_addr(&in, "mn", json_object_get(obj, "mn"),
	    m->hdr.v4, &m->mn) != CTP_OK)
		return CTP_ERR_JSON;
	if ((mem & JM_AR) && get_addr(&in, "ar", json_object_get(obj, "ar"),
	    m->hdr.v4, &m->ar) != CTP_OK)
		return CTP_ERR_JSON;
	if ((mem & JM_SEQ) && get_uint(&in, "seq", json_object_get(obj, "seq"),
	    UINT32_MAX, &m->seq) != CTP_OK)
		return CTP_ERR_JSON;
	if (mem & JM_TOKEN) {
		size_t	 n;

		if (get_hex(&in, "token", json_object_get(obj, "token"),
		    m->token, 4, 4, &n) != CTP_OK)
			return CTP_ERR_JSON;
	}
	if ((mem & JM_KEY) &&
	    (e = get_key(&in, obj, m, store, cap, &used)) != CTP_OK)
		return e;
	if ((mem & JM_CDBS) && (j = json_object_get(obj, "cdbs")) != NULL &&
	    (e = get_cdbs(&in, j, m, store, cap, &used)) != CTP_OK)
		return e;
	if ((mem & JM_ENTRIES) && (j = json_object_get(obj, "entries")) !=
	    NULL && (e = get_entries(&in, j, m)) != CTP_OK)
		return e;
	return CTP_OK;
}
