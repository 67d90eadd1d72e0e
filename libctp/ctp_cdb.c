/* SPDX-License-Identifier: ISC */
/*
 * Context Data Block lists (spec §4.1): the walk that splits a CDB list into
 * blocks without interpreting their FPT, and its encoder.  What a block's
 * data means is up to the feature tables (ctp_feature_*.c).
 */
#include "ctp_buf.h"
#include "ctp_msg.h"
#include "ctp_msg_priv.h"

#define CDB_P		0x80	/* octet 3: presence vector follows */
#define CDB_R		0x40	/* octet 3: reliable (project bit 25, §6.1) */
#define CDB_UNIT	8	/* Length counts 8-octet units */
#define CDB_PV_LEN	4

/* The 4-octet request form: Length 0, P 0 (C4, D2). */
static bool
cdb_is_request(const struct ctp_cdb *c)
{
	return !c->p && c->data_len == 0;
}

/* Header, presence vector and data, before padding. */
static size_t
cdb_body_len(const struct ctp_cdb *c)
{
	return CTP_CDB_HDR_LEN + (c->p ? CDB_PV_LEN : 0) + c->data_len;
}

size_t
ctp_cdb_wire_len(const struct ctp_cdb *c)
{
	if (cdb_is_request(c))
		return CTP_CDB_HDR_LEN;
	return (cdb_body_len(c) + CDB_UNIT - 1) / CDB_UNIT * CDB_UNIT;
}

/*
 * One CDB at the reader's position.  A Length 0 block is the request form,
 * allowed only in request lists and only with P 0 (D2); any other block
 * takes Length * 8 octets, and its data runs to the block's end, padding
 * included, so that re-encoding gives the same octets.  The reserved bits
 * 26-31 are ignored (§3.8).
 */
static enum ctp_err
rd_cdb(struct ctp_dec *d, enum ctp_cdb_kind kind, struct ctp_cdb *c)
{
	struct ctp_rd	*rd = &d->rd;
	size_t		 off = ctp_rd_pos(rd), wire;
	uint8_t		 len, flags;
	enum ctp_err	 e;

	if (ctp_rd_left(rd) < CTP_CDB_HDR_LEN)
		return ctp_dec_fail(d, CTP_ERR_CDB_SHORT, off);
	if ((e = ctp_rd_u16(rd, &c->fpt)) != CTP_OK ||
	    (e = ctp_rd_u8(rd, &len)) != CTP_OK ||
	    (e = ctp_rd_u8(rd, &flags)) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	c->off = (uint32_t)off;
	c->p = (flags & CDB_P) != 0;
	c->r = (flags & CDB_R) != 0;
	c->pv = 0;
	c->data = NULL;
	c->data_len = 0;
	if (len == 0) {
		if (kind == CTP_CDBS_DATA)
			return ctp_dec_fail(d, CTP_ERR_CDB_ZERO, off);
		if (c->p)
			return ctp_dec_fail(d, CTP_ERR_CDB_REQ_P, off);
		return CTP_OK;
	}
	wire = (size_t)len * CDB_UNIT;
	if (ctp_rd_left(rd) < wire - CTP_CDB_HDR_LEN)
		return ctp_dec_fail(d, CTP_ERR_CDB_OVERRUN, off);
	/* wire >= 8, so the presence vector always fits. */
	if (c->p && (e = ctp_rd_u32(rd, &c->pv)) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	c->data_len = (uint16_t)(wire - (c->p ? CTP_CDB_HDR_LEN + CDB_PV_LEN :
	    CTP_CDB_HDR_LEN));
	if ((e = ctp_rd_ptr(rd, &c->data, c->data_len)) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	return CTP_OK;
}

/*
 * CDBs run to the message end (§3.8.4): 1-3 left-over octets are
 * CDB_SHORT.  The count is checked before each block is read, so TOO_MANY
 * points at the first block beyond the cap.
 */
enum ctp_err
ctp_cdb_rd_list(struct ctp_dec *d, enum ctp_cdb_kind kind, struct ctp_msg *m)
{
	struct ctp_rd	 all;
	enum ctp_err	 e;

	all = d->rd;
	if ((e = ctp_rd_ptr(&all, &m->cdb_raw, ctp_rd_left(&all))) != CTP_OK)
		return ctp_dec_fail(d, e, ctp_rd_pos(&d->rd));
	m->cdb_raw_len = ctp_rd_left(&d->rd);
	m->ncdbs = 0;
	while (ctp_rd_left(&d->rd) > 0) {
		if (ctp_rd_left(&d->rd) >= CTP_CDB_HDR_LEN &&
		    m->ncdbs >= d->max_cdbs)
			return ctp_dec_fail(d, CTP_ERR_TOO_MANY,
			    ctp_rd_pos(&d->rd));
		if ((e = rd_cdb(d, kind, &m->cdbs[m->ncdbs])) != CTP_OK)
			return e;
		m->ncdbs++;
	}
	return CTP_OK;
}

/*
 * The encoder's view of the same rules: request-form blocks only in request
 * lists (CDB_ZERO in CTD/PCTD), at most 2040 octets per block and data to
 * copy (INVAL otherwise), at most CTP_MAX_CDBS blocks.
 */
enum ctp_err
ctp_cdb_check_list(const struct ctp_msg *m, enum ctp_cdb_kind kind,
    size_t *len)
{
	const struct ctp_cdb	*c;
	size_t			 i, n = 0;

	if (m->ncdbs > CTP_MAX_CDBS)
		return CTP_ERR_TOO_MANY;
	for (i = 0; i < m->ncdbs; i++) {
		c = &m->cdbs[i];
		if (cdb_is_request(c)) {
			if (kind == CTP_CDBS_DATA)
				return CTP_ERR_CDB_ZERO;
		} else if (cdb_body_len(c) > CTP_CDB_MAX ||
		    (c->data_len > 0 && c->data == NULL))
			return CTP_ERR_INVAL;
		n += ctp_cdb_wire_len(c);
	}
	*len = n;
	return CTP_OK;
}

static enum ctp_err
wr_cdb(struct ctp_wr *wr, const struct ctp_cdb *c)
{
	size_t		 wire = ctp_cdb_wire_len(c);
	uint8_t		 flags;
	enum ctp_err	 e;

	flags = (c->p ? CDB_P : 0) | (c->r ? CDB_R : 0);
	if (cdb_is_request(c))
		wire = 0;
	if ((e = ctp_wr_u16(wr, c->fpt)) != CTP_OK ||
	    (e = ctp_wr_u8(wr, (uint8_t)(wire / CDB_UNIT))) != CTP_OK ||
	    (e = ctp_wr_u8(wr, flags)) != CTP_OK)
		return e;
	if (wire == 0)
		return CTP_OK;
	if ((c->p && (e = ctp_wr_u32(wr, c->pv)) != CTP_OK) ||
	    (e = ctp_wr_bytes(wr, c->data, c->data_len)) != CTP_OK ||
	    (e = ctp_wr_zero(wr, wire - cdb_body_len(c))) != CTP_OK)
		return e;
	return CTP_OK;
}

enum ctp_err
ctp_cdb_wr_list(struct ctp_wr *wr, const struct ctp_msg *m)
{
	size_t		 i;
	enum ctp_err	 e;

	for (i = 0; i < m->ncdbs; i++)
		if ((e = wr_cdb(wr, &m->cdbs[i])) != CTP_OK)
			return e;
	return CTP_OK;
}
