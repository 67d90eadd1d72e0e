/* SPDX-License-Identifier: ISC */
/*
 * The feature registry and the table-driven walker (spec §4): one loop over
 * a feature's field table decodes, validates and encodes the data of a CDB.
 * The tables live in ctp_feature_<name>.c; JSON is in ctp_feature_json.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "ctp_buf.h"
#include "ctp_feature.h"

static const struct ctp_feature *const registry[] = {
	&ctp_feature_error_def,
	&ctp_feature_aaa_def,
	&ctp_feature_qos_def,
	&ctp_feature_rohc_def,
	&ctp_feature_mld_def,
};
#define NREGISTRY	(sizeof(registry) / sizeof(registry[0]))

const struct ctp_feature *
ctp_feature_lookup(uint16_t fpt)
{
	size_t	 i;

	if (fpt == 0x0000)	/* IANA reserved, never installed (D14) */
		return NULL;
	for (i = 0; i < NREGISTRY; i++)
		if (registry[i]->fpt == fpt)
			return registry[i];
	return NULL;
}

const struct ctp_feature *
ctp_feature_by_name(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NREGISTRY; i++)
		if (strcasecmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct ctp_feature *
ctp_feature_at(size_t i)
{
	return i < NREGISTRY ? registry[i] : NULL;
}

const char *
ctp_feature_name(uint16_t fpt)
{
	const struct ctp_feature	*f;

	return (f = ctp_feature_lookup(fpt)) != NULL ? f->name : NULL;
}

int
ctp_feature_field_index(const struct ctp_feature *f, const char *name)
{
	int	 i;

	if (f == NULL || name == NULL)
		return -1;
	for (i = 0; i < f->nfields; i++)
		if (f->fields[i].name != NULL &&
		    strcmp(f->fields[i].name, name) == 0)
			return i;
	return -1;
}

uint32_t
ctp_feature_pv_full(const struct ctp_feature *f)
{
	if (f->list || f->ngroups == 0)
		return 0;
	if (f->ngroups >= 32)
		return UINT32_MAX;
	return ~(UINT32_MAX >> f->ngroups);
}

void
ctp_fvals_init(struct ctp_fvals *v, const struct ctp_feature *f)
{
	int	 i;

	/*
	 * Only the fields f has, and no entries: clearing the whole struct
	 * (2.7 KiB, mostly entries[]) would cost more than validating a CDB.
	 * v[] past f->nfields and entries[] past nentries are undefined.
	 */
	v->fpt = f->fpt;
	v->p = !f->list;
	v->pv = 0;
	v->nentries = 0;
	for (i = 0; i < f->nfields && i < CTP_FEATURE_FIELDS_MAX; i++) {
		v->v[i] = (struct ctp_fval){ .u = f->fields[i].def };
	}
}

bool
ctp_fvals_has(const struct ctp_fvals *v, unsigned field)
{
	const struct ctp_feature	*f;

	if ((f = ctp_feature_lookup(v->fpt)) == NULL || f->list ||
	    field >= f->nfields)
		return false;
	return (v->pv & CTP_PV_BIT(f->fields[field].group)) != 0;
}

static const struct ctp_field *
settable(struct ctp_fvals *v, unsigned field)
{
	const struct ctp_feature	*f;

	if ((f = ctp_feature_lookup(v->fpt)) == NULL || f->list ||
	    field >= f->nfields)
		return NULL;
	return &f->fields[field];
}

enum ctp_err
ctp_fvals_set_u64(struct ctp_fvals *v, unsigned field, uint64_t u)
{
	const struct ctp_field	*fl;

	if ((fl = settable(v, field)) == NULL ||
	    (fl->kind != CTP_FK_UINT && fl->kind != CTP_FK_ENUM))
		return CTP_ERR_INVAL;
	v->v[field].u = u;
	v->pv |= CTP_PV_BIT(fl->group);
	return CTP_OK;
}

enum ctp_err
ctp_fvals_set_bytes(struct ctp_fvals *v, unsigned field, const uint8_t *b,
    size_t len)
{
	const struct ctp_field	*fl;

	if ((fl = settable(v, field)) == NULL)
		return CTP_ERR_INVAL;
	switch (fl->kind) {
	case CTP_FK_ADDR:
	case CTP_FK_PREFIX:
	case CTP_FK_HEX:
		if (len != fl->size || len > sizeof(v->v[field].b))
			return CTP_ERR_INVAL;
		memcpy(v->v[field].b, b, len);
		break;
	case CTP_FK_OPAQUE:
		v->v[field].data = b;
		v->v[field].len = len;
		break;
	default:
		return CTP_ERR_INVAL;
	}
	v->pv |= CTP_PV_BIT(fl->group);
	return CTP_OK;
}

/* Largest data region a CDB can have (§4.1: 255 * 8 octets in all). */
static size_t
data_max(bool p)
{
	return CTP_CDB_MAX - CTP_CDB_HDR_LEN - (p ? 4 : 0);
}

static bool
present(const struct ctp_feature *f, uint32_t pv, int i)
{
	return (pv & CTP_PV_BIT(f->fields[i].group)) != 0;
}

static void
say(char *msg, size_t len, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static void
say(char *msg, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	if (msg == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* A field's own limits; false with the reason in why. */
static bool
field_ok(const struct ctp_field *fl, const struct ctp_fval *val, char *why,
    size_t len)
{
	switch (fl->kind) {
	case CTP_FK_UINT:
	case CTP_FK_ENUM:
	case CTP_FK_FPT:
	case CTP_FK_STATUS:
		if (val->u < fl->min || val->u > fl->max) {
			say(why, len, "%" PRIu64 " out of range %" PRIu64
			    "..%" PRIu64, val->u, fl->min, fl->max);
			return false;
		}
		break;
	case CTP_FK_ADDR:
		if ((fl->flags & CTP_FF_MCAST) && val->b[0] != 0xff) {
			say(why, len, "not a multicast address (ff00::/8)");
			return false;
		}
		break;
	case CTP_FK_OPAQUE:
		if (val->len < fl->min || val->len > fl->max) {
			say(why, len, "%zu octets, out of range %" PRIu64
			    "..%" PRIu64, val->len, fl->min, fl->max);
			return false;
		}
		break;
	default:
		break;
	}
	if (fl->rule != NULL && !fl->rule(val, why, len))
		return false;
	return true;
}

/*
 * Every rule on the values of the present groups, in wire order, then the
 * rules across fields.  On CTP_ERR_FIELD *field is the field to blame and
 * msg says why, prefixed with "<feature>.<field>: ".
 */
static enum ctp_err
check_fields(const struct ctp_feature *f, const struct ctp_fvals *v,
    int *field, char *msg, size_t msglen)
{
	const struct ctp_field	*fl;
	char			 why[160];
	enum ctp_err		 e;
	int			 i, lf;

	why[0] = '\0';
	for (i = 0; i < f->nfields; i++) {
		fl = &f->fields[i];
		if (fl->kind == CTP_FK_RSVD)
			continue;
		if (fl->kind == CTP_FK_OPAQUE) {
			/* D8: the context needs its length field. */
			lf = fl->lenfield;
			if (present(f, v->pv, i) && !present(f, v->pv, lf)) {
				say(why, sizeof(why), "needs %s.%s in the same "
				    "CDB", f->name, f->fields[lf].name);
				goto bad;
			}
			if (present(f, v->pv, i) && v->v[i].len != v->v[lf].u) {
				say(why, sizeof(why), "%zu octets, but %s is "
				    "%" PRIu64, v->v[i].len,
				    f->fields[lf].name, v->v[lf].u);
				goto bad;
			}
			if (!present(f, v->pv, i) && present(f, v->pv, lf) &&
			    v->v[lf].u != 0) {
				i = lf;
				say(why, sizeof(why), "%" PRIu64 " but no %s "
				    "in the CDB", v->v[lf].u, fl->name);
				goto bad;
			}
		}
		if (!present(f, v->pv, i))
			continue;
		if (!field_ok(fl, &v->v[i], why, sizeof(why)))
			goto bad;
	}
	if (f->check != NULL &&
	    (e = f->check(v, &i, why, sizeof(why))) != CTP_OK) {
		if (i < 0 || i >= f->nfields)
			i = 0;
		*field = i;
		say(msg, msglen, "%s.%s: %s", f->name, f->fields[i].name, why);
		return e;
	}
	return CTP_OK;
 bad:
	*field = i;
	say(msg, msglen, "%s.%s: %s", f->name, f->fields[i].name, why);
	return CTP_ERR_FIELD;
}

/* Octets of one list entry. */
static size_t
entry_size(const struct ctp_feature *f)
{
	size_t	 n = 0;
	int	 i;

	for (i = 0; i < f->nfields; i++)
		n += f->fields[i].size;
	return n;
}

static enum ctp_err
check_entries(const struct ctp_feature *f, const struct ctp_fvals *v,
    char *msg, size_t msglen)
{
	const struct ctp_field	*fl;
	struct ctp_fval		 val;
	char			 why[160];
	size_t			 n;
	int			 i;

	if (v->nentries > data_max(false) / entry_size(f)) {
		say(msg, msglen, "%s.entries: %zu entries, at most %zu fit",
		    f->name, v->nentries, data_max(false) / entry_size(f));
		return CTP_ERR_FIELD;
	}
	for (n = 0; n < v->nentries; n++) {
		for (i = 0; i < f->nfields; i++) {
			fl = &f->fields[i];
			memset(&val, 0, sizeof(val));
			if (fl->kind == CTP_FK_FPT)
				val.u = v->entries[n].fpt;
			else if (fl->kind == CTP_FK_STATUS)
				val.u = v->entries[n].status;
			else
				continue;
			if (!field_ok(fl, &val, why, sizeof(why))) {
				say(msg, msglen, "%s.entries[%zu].%s: %s",
				    f->name, n, fl->name, why);
				return CTP_ERR_FIELD;
			}
		}
	}
	return CTP_OK;
}

/* Presence vector of v against f (D8). */
static enum ctp_err
check_pv(const struct ctp_feature *f, const struct ctp_fvals *v, char *msg,
    size_t msglen)
{
	uint32_t	 full = ctp_feature_pv_full(f);

	if (f->list) {
		if (v->p) {
			say(msg, msglen, "%s.p: the %s CDB has no presence "
			    "vector", f->name, f->name);
			return CTP_ERR_PV;
		}
		return CTP_OK;
	}
	if (v->pv & ~full) {
		say(msg, msglen, "%s.pv: 0x%08" PRIx32 " names groups beyond "
		    "the %u of %s", f->name, v->pv, f->ngroups, f->name);
		return CTP_ERR_PV;
	}
	if (!v->p && v->pv != full) {
		say(msg, msglen, "%s.p: false needs every field group",
		    f->name);
		return CTP_ERR_PV;
	}
	return CTP_OK;
}

/* Octets of the data region before padding. */
static size_t
fields_size(const struct ctp_feature *f, const struct ctp_fvals *v)
{
	size_t	 n = 0;
	int	 i;

	if (f->list)
		return v->nentries * entry_size(f);
	for (i = 0; i < f->nfields; i++) {
		if (!present(f, v->pv, i))
			continue;
		n += f->fields[i].kind == CTP_FK_OPAQUE ? v->v[i].len :
		    f->fields[i].size;
	}
	return n;
}

enum ctp_err
ctp_feature_check(const struct ctp_fvals *v, char *msg, size_t msglen)
{
	const struct ctp_feature	*f;
	enum ctp_err			 e;
	size_t				 n;
	int				 field;

	if ((f = ctp_feature_lookup(v->fpt)) == NULL) {
		say(msg, msglen, "fpt: 0x%04x has no feature table", v->fpt);
		return CTP_ERR_FPT_UNKNOWN;
	}
	if ((e = check_pv(f, v, msg, msglen)) != CTP_OK)
		return e;
	if (f->list)
		return check_entries(f, v, msg, msglen);
	if ((e = check_fields(f, v, &field, msg, msglen)) != CTP_OK)
		return e;
	if ((n = fields_size(f, v)) > data_max(v->p)) {
		say(msg, msglen, "%s: %zu octets of fields, at most %zu fit "
		    "in a CDB", f->name, n, data_max(v->p));
		return CTP_ERR_FIELD;
	}
	return CTP_OK;
}

static inline enum ctp_err
rd_uint(struct ctp_rd *rd, size_t size, uint64_t *u)
{
	enum ctp_err	 e;
	uint32_t	 u32 = 0;
	uint16_t	 u16 = 0;
	uint8_t		 u8 = 0;

	switch (size) {
	case 1:
		e = ctp_rd_u8(rd, &u8);
		*u = u8;
		return e;
	case 2:
		e = ctp_rd_u16(rd, &u16);
		*u = u16;
		return e;
	case 4:
		e = ctp_rd_u32(rd, &u32);
		*u = u32;
		return e;
	case 8:
		return ctp_rd_u64(rd, u);
	default:
		return CTP_ERR_INVAL;
	}
}

static enum ctp_err
wr_uint(struct ctp_wr *wr, size_t size, uint64_t u)
{
	switch (size) {
	case 1:
		return ctp_wr_u8(wr, (uint8_t)u);
	case 2:
		return ctp_wr_u16(wr, (uint16_t)u);
	case 4:
		return ctp_wr_u32(wr, (uint32_t)u);
	case 8:
		return ctp_wr_u64(wr, u);
	default:
		return CTP_ERR_INVAL;
	}
}

/*
 * Error indication (D7): 4-octet entries to the end of the data region; an
 * entry with FPT 0 is padding, not an entry; a short tail is padding (D6).
 */
static enum ctp_err
decode_list(const struct ctp_feature *f, struct ctp_rd *rd,
    struct ctp_fvals *out)
{
	const struct ctp_field	*fl;
	struct ctp_entry	 ent;
	uint64_t		 u;
	size_t			 esz = entry_size(f);
	enum ctp_err		 e;
	int			 i;

	while (ctp_rd_left(rd) >= esz) {
		memset(&ent, 0, sizeof(ent));
		for (i = 0; i < f->nfields; i++) {
			fl = &f->fields[i];
			if ((e = rd_uint(rd, fl->size, &u)) != CTP_OK)
				return e;
			if (fl->kind == CTP_FK_FPT)
				ent.fpt = (uint16_t)u;
			else if (fl->kind == CTP_FK_STATUS)
				ent.status = (uint8_t)u;
		}
		if (ent.fpt == 0x0000)
			continue;
		if (out->nentries >= CTP_FEATURE_ENTRIES_MAX)
			return CTP_ERR_INVAL;
		out->entries[out->nentries++] = ent;
	}
	return CTP_OK;
}

static enum ctp_err
decode_field(const struct ctp_feature *f, int i, struct ctp_rd *rd,
    struct ctp_fvals *out)
{
	const struct ctp_field	*fl = &f->fields[i];
	struct ctp_fval		*val = &out->v[i];

	switch (fl->kind) {
	case CTP_FK_UINT:
	case CTP_FK_ENUM:
	case CTP_FK_FPT:
	case CTP_FK_STATUS:
		return rd_uint(rd, fl->size, &val->u) != CTP_OK ?
		    CTP_ERR_FEATURE_LEN : CTP_OK;
	case CTP_FK_ADDR:
	case CTP_FK_PREFIX:
	case CTP_FK_HEX:
		if (fl->size > sizeof(val->b))
			return CTP_ERR_INVAL;
		return ctp_rd_copy(rd, val->b, fl->size) != CTP_OK ?
		    CTP_ERR_FEATURE_LEN : CTP_OK;
	case CTP_FK_OPAQUE:
		/* D8: a context without its length is malformed. */
		if (!present(f, out->pv, fl->lenfield))
			return CTP_ERR_FIELD;
		if (out->v[fl->lenfield].u > fl->max)
			return CTP_ERR_FIELD;
		val->len = (size_t)out->v[fl->lenfield].u;
		return ctp_rd_ptr(rd, &val->data, val->len) != CTP_OK ?
		    CTP_ERR_FEATURE_LEN : CTP_OK;
	case CTP_FK_RSVD:
		return ctp_rd_skip(rd, fl->size) != CTP_OK ?
		    CTP_ERR_FEATURE_LEN : CTP_OK;
	default:
		return CTP_ERR_INVAL;
	}
}

enum ctp_err
ctp_feature_decode(const struct ctp_cdb *cdb, struct ctp_fvals *out,
    size_t *err_off)
{
	const struct ctp_feature	*f;
	struct ctp_rd			 rd;
	size_t				 offs[CTP_FEATURE_FIELDS_MAX];
	uint32_t			 full;
	enum ctp_err			 e;
	int				 i, field;

	if (err_off != NULL)
		*err_off = 0;
	if ((f = ctp_feature_lookup(cdb->fpt)) == NULL)
		return CTP_ERR_FPT_UNKNOWN;
	if ((!cdb->p && cdb->data_len == 0) ||
	    cdb->data_len > data_max(cdb->p) ||
	    (cdb->data == NULL && cdb->data_len > 0))
		return CTP_ERR_INVAL;
	ctp_fvals_init(out, f);
	ctp_rd_init(&rd, cdb->data, cdb->data_len);
	out->p = cdb->p;
	if (f->list) {
		if (cdb->p)			/* D8 */
			return CTP_ERR_PV;
		return decode_list(f, &rd, out);
	}
	full = ctp_feature_pv_full(f);
	out->pv = cdb->p ? cdb->pv : full;
	if (out->pv & ~full)			/* D8 */
		return CTP_ERR_PV;

	/* Sizes first: read every present field in wire order. */
	for (i = 0; i < f->nfields; i++) {
		offs[i] = ctp_rd_pos(&rd);
		if (!present(f, out->pv, i))
			continue;
		if ((e = decode_field(f, i, &rd, out)) != CTP_OK) {
			if (err_off != NULL)
				*err_off = offs[i];
			if (e == CTP_ERR_FIELD &&
			    f->fields[i].kind == CTP_FK_OPAQUE &&
			    present(f, out->pv, f->fields[i].lenfield) &&
			    err_off != NULL)
				*err_off = offs[f->fields[i].lenfield];
			return e;
		}
	}
	/* Then the value rules; octets after the fields are ignored (D6). */
	if ((e = check_fields(f, out, &field, NULL, 0)) != CTP_OK) {
		if (err_off != NULL)
			*err_off = offs[field];
		return e;
	}
	return CTP_OK;
}

enum ctp_err
ctp_feature_validate(const struct ctp_cdb *cdb, size_t *err_off)
{
	struct ctp_fvals	 v;

	return ctp_feature_decode(cdb, &v, err_off);
}

static enum ctp_err
encode_field(const struct ctp_field *fl, const struct ctp_fval *val,
    struct ctp_wr *wr)
{
	switch (fl->kind) {
	case CTP_FK_UINT:
	case CTP_FK_ENUM:
	case CTP_FK_FPT:
	case CTP_FK_STATUS:
		return wr_uint(wr, fl->size, val->u);
	case CTP_FK_ADDR:
	case CTP_FK_PREFIX:
	case CTP_FK_HEX:
		return ctp_wr_bytes(wr, val->b, fl->size);
	case CTP_FK_OPAQUE:
		if (val->len > 0 && val->data == NULL)
			return CTP_ERR_INVAL;
		return ctp_wr_bytes(wr, val->data, val->len);
	case CTP_FK_RSVD:
		return ctp_wr_zero(wr, fl->size);
	default:
		return CTP_ERR_INVAL;
	}
}

enum ctp_err
ctp_feature_encode(const struct ctp_fvals *v, uint8_t *store, size_t cap,
    size_t *used, struct ctp_cdb *out)
{
	const struct ctp_feature	*f;
	const struct ctp_field		*fl;
	struct ctp_fval			 val;
	struct ctp_wr			 wr;
	size_t				 n, total, pad;
	enum ctp_err			 e;
	int				 i;

	*used = 0;
	if ((e = ctp_feature_check(v, NULL, 0)) != CTP_OK)
		return e;
	f = ctp_feature_lookup(v->fpt);
	n = fields_size(f, v);
	total = CTP_CDB_HDR_LEN + (v->p ? 4 : 0) + n;
	pad = (8 - total % 8) % 8;
	if (n + pad > cap)
		return CTP_ERR_NOSPACE;
	ctp_wr_init(&wr, store, cap);
	if (f->list) {
		for (n = 0; n < v->nentries; n++) {
			for (i = 0; i < f->nfields; i++) {
				fl = &f->fields[i];
				memset(&val, 0, sizeof(val));
				if (fl->kind == CTP_FK_FPT)
					val.u = v->entries[n].fpt;
				else if (fl->kind == CTP_FK_STATUS)
					val.u = v->entries[n].status;
				if ((e = encode_field(fl, &val, &wr)) != CTP_OK)
					return e;
			}
		}
	} else {
		for (i = 0; i < f->nfields; i++) {
			if (present(f, v->pv, i) &&
			    (e = encode_field(&f->fields[i], &v->v[i], &wr)) !=
			    CTP_OK)
				return e;
		}
	}
	if ((e = ctp_wr_zero(&wr, pad)) != CTP_OK)
		return e;
	memset(out, 0, sizeof(*out));
	out->fpt = v->fpt;
	out->p = v->p;
	out->pv = v->p ? v->pv : 0;
	out->data = store;
	out->data_len = (uint16_t)wr.off;
	*used = wr.off;
	return CTP_OK;
}
