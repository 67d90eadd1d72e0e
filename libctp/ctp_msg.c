/* SPDX-License-Identifier: ISC */
/*
 * CXTP message codec (spec §3): the common header, the per-type dispatch
 * table, limits, the type and status name tables, and the address and status
 * entry coders shared by the bodies in ctp_msg_mn.c and ctp_msg_xfer.c.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctp_buf.h"
#include "ctp_msg.h"
#include "ctp_msg_priv.h"

#define CTP_HDR_V	0x80	/* octet 1: all addresses IPv4 */
#define CTP_HDR_X	0x40	/* octet 1: A or S, by type */
#define CTP_OFF_FLAGS	1	/* err_off of FAMILY: the octet holding V */
#define CTP_OFF_LENGTH	2	/* err_off of LEN_*, TOO_BIG */

/*
 * One row per message type.  The fixed part is the header, naddr addresses
 * and nfixed other octets (PCTD: up to and including Key Length).
 */
struct ctp_msg_layout {
	const char		*name;
	unsigned		 naddr;
	size_t			 nfixed;
	bool			 x;		/* X bit is A or S */
	enum ctp_cdb_kind	 cdbs;
	bool			 entries;
	bool			 key;
	enum ctp_err		(*decode)(struct ctp_dec *, struct ctp_msg *);
	enum ctp_err		(*encode)(struct ctp_wr *,
				    const struct ctp_msg *);
};

static const struct ctp_msg_layout ctp_msg_types[CTP_MSG_TYPE_MAX + 1] = {
	[CTP_MSG_CTAR] = { "CTAR", 2, 8, true, CTP_CDBS_REQUEST, false, false,
	    ctp_msg_ctar_decode, ctp_msg_ctar_encode },
	[CTP_MSG_CTAA] = { "CTAA", 1, 0, false, CTP_CDBS_NONE, true, false,
	    ctp_msg_ctaa_decode, ctp_msg_ctaa_encode },
	[CTP_MSG_CTD] = { "CTD", 1, 4, true, CTP_CDBS_DATA, false, false,
	    ctp_msg_ctd_decode, ctp_msg_ctd_encode },
	[CTP_MSG_PCTD] = { "PCTD", 1, 8, true, CTP_CDBS_DATA, false, true,
	    ctp_msg_ctd_decode, ctp_msg_ctd_encode },
	[CTP_MSG_CTDR] = { "CTDR", 1, 0, true, CTP_CDBS_NONE, true, false,
	    ctp_msg_ctdr_decode, ctp_msg_ctdr_encode },
	[CTP_MSG_CTC] = { "CTC", 1, 0, false, CTP_CDBS_NONE, false, false,
	    ctp_msg_ctc_decode, ctp_msg_ctc_encode },
	[CTP_MSG_CTREQ] = { "CTREQ", 1, 8, false, CTP_CDBS_REQUEST, false,
	    false, ctp_msg_ctreq_decode, ctp_msg_ctreq_encode },
};

static const char *const ctp_status_names[] = {
	[CTP_ST_SUCCESS] = "SUCCESS",
	[CTP_ST_BAD_CHECKSUM] = "BAD_CHECKSUM",
	[CTP_ST_UNSUPPORTED_FPT] = "UNSUPPORTED_FPT",
	[CTP_ST_AUTH_FAILED] = "AUTH_FAILED",
	[CTP_ST_NO_CONTEXT] = "NO_CONTEXT",
	[CTP_ST_NO_PEER] = "NO_PEER",
	[CTP_ST_TIMEOUT] = "TIMEOUT",
	[CTP_ST_STALE] = "STALE",
	[CTP_ST_MALFORMED] = "MALFORMED",
	[CTP_ST_INSTALL_FAILED] = "INSTALL_FAILED",
	[CTP_ST_RESOURCE_SHORTAGE] = "RESOURCE_SHORTAGE",
	[CTP_ST_ADMIN_PROHIBITED] = "ADMIN_PROHIBITED",
	[CTP_ST_RATE_LIMITED] = "RATE_LIMITED",
	[CTP_ST_CANCELLED] = "CANCELLED",
	[CTP_ST_BUSY] = "BUSY",
};
#define CTP_ST_NAMED	(sizeof(ctp_status_names) / sizeof(ctp_status_names[0]))
#define CTP_ST_FPT_FIRST 0x40	/* 0x40-0xFF are FPT-specific (C9) */

static const struct ctp_msg_layout *
msg_type(unsigned type)
{
	if (type == 0 || type > CTP_MSG_TYPE_MAX)
		return NULL;
	return &ctp_msg_types[type];
}

const char *
ctp_msg_type_name(unsigned type)
{
	const struct ctp_msg_layout	*t;

	return (t = msg_type(type)) == NULL ? NULL : t->name;
}

unsigned
ctp_msg_type_from_name(const char *name)
{
	unsigned	 i;

	if (name == NULL)
		return 0;
	if (strcasecmp(name, "CTSR") == 0)
		return CTP_MSG_CTSR;
	if (strcasecmp(name, "CT-Req") == 0)
		return CTP_MSG_CTREQ;
	for (i = 1; i <= CTP_MSG_TYPE_MAX; i++)
		if (strcasecmp(name, ctp_msg_types[i].name) == 0)
			return i;
	return 0;
}

const char *
ctp_status_name(unsigned status)
{
	if (status < CTP_ST_NAMED)
		return ctp_status_names[status];
	if (status < CTP_ST_FPT_FIRST)
		return "RESERVED";
	if (status <= 0xff)
		return "FPT_SPECIFIC";
	return "INVALID";
}

int
ctp_status_from_name(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < CTP_ST_NAMED; i++)
		if (strcasecmp(name, ctp_status_names[i]) == 0)
			return (int)i;
	return -1;
}

void
ctp_limits_default(struct ctp_limits *lim)
{
	lim->max_msg = CTP_MSG_MAX;
	lim->max_cdbs = CTP_MAX_CDBS;
	lim->max_entries = CTP_MAX_ENTRIES;
}

static size_t
clamp(size_t v, size_t max)
{
	return v < max ? v : max;
}

static size_t
addr_len(bool v4)
{
	return v4 ? 4 : 16;
}

/* Header, addresses and fixed fields; the minimum Length of the type. */
static size_t
fixed_len(const struct ctp_msg_layout *t, bool v4)
{
	return CTP_HDR_LEN + t->naddr * addr_len(v4) + t->nfixed;
}

enum ctp_err
ctp_dec_fail(struct ctp_dec *d, enum ctp_err e, size_t off)
{
	d->err_off = off;
	return e;
}

enum ctp_err
ctp_hdr_peek(const uint8_t *buf, size_t len, struct ctp_hdr *out)
{
	struct ctp_rd	 rd;
	uint8_t		 b0, b1;
	enum ctp_err	 e;

	ctp_rd_init(&rd, buf, len);
	if ((e = ctp_rd_u8(&rd, &b0)) != CTP_OK ||
	    (e = ctp_rd_u8(&rd, &b1)) != CTP_OK ||
	    (e = ctp_rd_u16(&rd, &out->length)) != CTP_OK)
		return e;
	out->version = b0 >> 5;
	out->type = b0 & 0x1f;
	out->v4 = (b1 & CTP_HDR_V) != 0;
	out->x = (b1 & CTP_HDR_X) != 0;	/* raw bit; decode clears it by type */
	return CTP_OK;
}

/*
 * Error offsets (err_off), in the order the checks run:
 *   SHORT        len: the header's missing octets begin at the buffer end
 *   VERSION      0, TYPE 0 (octet 0 holds both)
 *   LEN_OVER     2, LEN_UNDER 2 (the Length field), Length vs buffer
 *   TOO_BIG      2: Length 65533-65535 (D17) or above lim->max_msg
 *   LEN_MIN      2: Length below the type's IPv4 fixed part
 *   FAMILY       1 (the octet holding V): V=0 and Length between the IPv4
 *                and the IPv6 fixed part, or a V=1 CTC exactly as long as
 *                an IPv6 one
 * then, in the body, the offset of the offending item:
 *   KEY_LEN      the PCTD Key Length field (0, > 255, or padded key overrun)
 *   TRAILING     first octet after a CTC's address, or the start of a
 *                partial CTAA/CTDR entry (D13)
 *   TOO_MANY     the first CDB or entry beyond the cap
 *   CDB_SHORT    the 1-3 left-over octets; CDB_ZERO, CDB_REQ_P and
 *                CDB_OVERRUN: the CDB's first octet
 */
enum ctp_err
ctp_msg_decode(const uint8_t *buf, size_t len, const struct ctp_limits *lim,
    struct ctp_msg *out, size_t *err_off)
{
	const struct ctp_msg_layout	*t;
	struct ctp_limits		 hard;
	struct ctp_dec			 d;
	size_t				 dummy, min4, min6;
	enum ctp_err			 e;

	if (err_off == NULL)
		err_off = &dummy;
	*err_off = 0;
	if (lim == NULL) {
		ctp_limits_default(&hard);
		lim = &hard;
	}
	/* Everything but the arrays, whose used part the decoders fill. */
	memset(out, 0, offsetof(struct ctp_msg, cdbs));
	out->nentries = 0;

	if ((e = ctp_hdr_peek(buf, len, &out->hdr)) != CTP_OK) {
		*err_off = len;
		return e;
	}
	if (out->hdr.version != CTP_VERSION)
		return CTP_ERR_VERSION;
	if ((t = msg_type(out->hdr.type)) == NULL)
		return CTP_ERR_TYPE;
	*err_off = CTP_OFF_LENGTH;
	if (out->hdr.length > len)
		return CTP_ERR_LEN_OVER;
	if (out->hdr.length < len)
		return CTP_ERR_LEN_UNDER;
	if (len > CTP_MSG_MAX || len > lim->max_msg)
		return CTP_ERR_TOO_BIG;
	min4 = fixed_len(t, true);
	min6 = fixed_len(t, false);
	if (len < min4)
		return CTP_ERR_LEN_MIN;
	*err_off = CTP_OFF_FLAGS;
	if (!out->hdr.v4 && len < min6)
		return CTP_ERR_FAMILY;
	/* Only a CTC has no variable part that could absorb the difference. */
	if (out->hdr.v4 && out->hdr.type == CTP_MSG_CTC && len == min6)
		return CTP_ERR_FAMILY;
	if (!t->x)
		out->hdr.x = false;	/* reserved: ignored on input (§3.8) */

	ctp_rd_init(&d.rd, buf, len);
	(void)ctp_rd_skip(&d.rd, CTP_HDR_LEN);
	d.v4 = out->hdr.v4;
	d.max_cdbs = clamp(lim->max_cdbs, CTP_MAX_CDBS);
	d.max_entries = clamp(lim->max_entries, CTP_MAX_ENTRIES);
	d.err_off = 0;
	if ((e = t->decode(&d, out)) != CTP_OK) {
		*err_off = d.err_off;
		return e;
	}
	*err_off = 0;
	return CTP_OK;
}

static bool
addr_ok(const struct ctp_addr *a, bool v4)
{
	return a->len == addr_len(v4);
}

/*
 * Every check a decoder would make on the result, before anything is
 * written; *len gets the message size.  hdr.version 0 stands for the
 * current version, so that zero-initialised structs encode.
 */
static enum ctp_err
encode_check(const struct ctp_msg *m, const struct ctp_msg_layout *t,
    size_t *len)
{
	size_t		 n, cdblen;
	enum ctp_err	 e;

	if (m->hdr.version != CTP_VERSION && m->hdr.version != 0)
		return CTP_ERR_VERSION;
	if (!t->x && m->hdr.x)
		return CTP_ERR_INVAL;
	if (!addr_ok(&m->mn, m->hdr.v4) ||
	    (t->naddr == 2 && !addr_ok(&m->ar, m->hdr.v4)))
		return CTP_ERR_FAMILY;
	n = fixed_len(t, m->hdr.v4);
	if (t->key) {
		if (m->key_len == 0 || m->key_len > CTP_KEY_MAX)
			return CTP_ERR_KEY_LEN;
		if (m->key == NULL)
			return CTP_ERR_INVAL;
		n += CTP_KEY_PAD(m->key_len);
	} else if (m->key_len != 0 || m->key != NULL)
		return CTP_ERR_KEY_PLACEMENT;
	if (t->cdbs != CTP_CDBS_NONE) {
		if ((e = ctp_cdb_check_list(m, t->cdbs, &cdblen)) != CTP_OK)
			return e;
		n += cdblen;
	}
	if (t->entries) {
		if (m->nentries > CTP_MAX_ENTRIES)
			return CTP_ERR_TOO_MANY;
		n += 4 * m->nentries;
	}
	if (n > CTP_MSG_MAX)
		return CTP_ERR_TOO_BIG;
	*len = n;
	return CTP_OK;
}

enum ctp_err
ctp_msg_encode(const struct ctp_msg *m, uint8_t *buf, size_t cap,
    size_t *outlen)
{
	const struct ctp_msg_layout	*t;
	struct ctp_wr			 wr;
	size_t				 len;
	uint8_t				 flags;
	enum ctp_err			 e;

	if ((t = msg_type(m->hdr.type)) == NULL)
		return CTP_ERR_TYPE;
	if ((e = encode_check(m, t, &len)) != CTP_OK)
		return e;
	if (len > cap)
		return CTP_ERR_NOSPACE;
	flags = (m->hdr.v4 ? CTP_HDR_V : 0) | (m->hdr.x ? CTP_HDR_X : 0);
	ctp_wr_init(&wr, buf, cap);
	if ((e = ctp_wr_u8(&wr,
	    (uint8_t)(CTP_VERSION << 5 | m->hdr.type))) != CTP_OK ||
	    (e = ctp_wr_u8(&wr, flags)) != CTP_OK ||
	    (e = ctp_wr_u16(&wr, (uint16_t)len)) != CTP_OK ||
	    (e = t->encode(&wr, m)) != CTP_OK)
		return e;
	if (wr.off != len)
		return CTP_ERR_INVAL;	/* cannot happen: sized above */
	*outlen = len;
	return CTP_OK;
}

enum ctp_err
ctp_msg_rd_addr(struct ctp_dec *d, struct ctp_addr *a)
{
	size_t		 off = ctp_rd_pos(&d->rd);
	enum ctp_err	 e;

	a->len = (uint8_t)addr_len(d->v4);
	if ((e = ctp_rd_copy(&d->rd, a->b, a->len)) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	return CTP_OK;
}

enum ctp_err
ctp_msg_wr_addr(struct ctp_wr *wr, const struct ctp_addr *a)
{
	return ctp_wr_bytes(wr, a->b, a->len);
}

/* Entries run to the message end; a partial one is TRAILING (D13). */
enum ctp_err
ctp_msg_rd_entries(struct ctp_dec *d, struct ctp_msg *m)
{
	struct ctp_entry	*en;
	size_t			 off;
	enum ctp_err		 e;

	while (ctp_rd_left(&d->rd) > 0) {
		off = ctp_rd_pos(&d->rd);
		if (ctp_rd_left(&d->rd) < 4)
			return ctp_dec_fail(d, CTP_ERR_TRAILING, off);
		if (m->nentries >= d->max_entries)
			return ctp_dec_fail(d, CTP_ERR_TOO_MANY, off);
		en = &m->entries[m->nentries];
		if ((e = ctp_rd_u16(&d->rd, &en->fpt)) != CTP_OK ||
		    (e = ctp_rd_u8(&d->rd, &en->status)) != CTP_OK ||
		    (e = ctp_rd_skip(&d->rd, 1)) != CTP_OK)
			return ctp_dec_fail(d, e, off);
		m->nentries++;
	}
	return CTP_OK;
}

enum ctp_err
ctp_msg_wr_entries(struct ctp_wr *wr, const struct ctp_msg *m)
{
	size_t		 i;
	enum ctp_err	 e;

	for (i = 0; i < m->nentries; i++)
		if ((e = ctp_wr_u16(wr, m->entries[i].fpt)) != CTP_OK ||
		    (e = ctp_wr_u8(wr, m->entries[i].status)) != CTP_OK ||
		    (e = ctp_wr_u8(wr, 0)) != CTP_OK)
			return e;
	return CTP_OK;
}

void
ctp_addr_norm(const struct ctp_addr *a, struct ctp_addr *out)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct ctp_addr		 n;

	/* Built aside: a and out may be the same. */
	memset(&n, 0, sizeof(n));
	if (a->len == 16 && memcmp(a->b, mapped, sizeof(mapped)) == 0) {
		n.len = 4;
		memcpy(n.b, a->b + 12, 4);
	} else {
		n.len = a->len <= 16 ? a->len : 16;
		memcpy(n.b, a->b, n.len);
	}
	*out = n;
}

bool
ctp_addr_eq(const struct ctp_addr *a, const struct ctp_addr *b)
{
	struct ctp_addr	 x, y;

	ctp_addr_norm(a, &x);
	ctp_addr_norm(b, &y);
	return x.len != 0 && x.len == y.len && memcmp(x.b, y.b, x.len) == 0;
}

const char *
ctp_addr_str(const struct ctp_addr *a, char *buf, size_t len)
{
	struct ctp_addr	 n;

	ctp_addr_norm(a, &n);
	if ((n.len != 4 && n.len != 16) || inet_ntop(n.len == 4 ? AF_INET :
	    AF_INET6, n.b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}
