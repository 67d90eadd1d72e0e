/* SPDX-License-Identifier: ISC */
/*
 * Bodies of the messages between access routers: CTD and PCTD (spec §3.4),
 * CTDR (§3.5), CTC (§3.6) and CT-Req (§3.7).  The header has been checked
 * by ctp_msg_decode(), so the fixed part is known to be present.
 */
#include "ctp_buf.h"
#include "ctp_msg.h"
#include "ctp_msg_priv.h"

/*
 * PCTD key material (C8, D5): Algorithm, Key Length, then the key padded
 * with zeros to a multiple of 4.  Any algorithm decodes; the installer
 * refuses the ones it does not know.  Key Length 0, above 255, or a padded
 * key running past the message end is KEY_LEN at the Key Length field.
 * Non-zero padding is ignored (D6).
 */
static enum ctp_err
rd_key(struct ctp_dec *d, struct ctp_msg *m)
{
	size_t		 off;
	enum ctp_err	 e;

	if ((e = ctp_rd_u16(&d->rd, &m->alg)) != CTP_OK)
		return ctp_dec_fail(d, e, ctp_rd_pos(&d->rd));
	off = ctp_rd_pos(&d->rd);
	if ((e = ctp_rd_u16(&d->rd, &m->key_len)) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	if (m->key_len == 0 || m->key_len > CTP_KEY_MAX ||
	    ctp_rd_left(&d->rd) < CTP_KEY_PAD(m->key_len))
		return ctp_dec_fail(d, CTP_ERR_KEY_LEN, off);
	if ((e = ctp_rd_ptr(&d->rd, &m->key, m->key_len)) != CTP_OK ||
	    (e = ctp_rd_skip(&d->rd, CTP_KEY_PAD(m->key_len) - m->key_len)) !=
	    CTP_OK)
		return ctp_dec_fail(d, e, off);
	return CTP_OK;
}

/* Elapsed time, MN address, [key material,] data CDBs to the end (D3). */
enum ctp_err
ctp_msg_ctd_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_rd_u32(&d->rd, &m->elapsed_ms)) != CTP_OK)
		return ctp_dec_fail(d, e, ctp_rd_pos(&d->rd));
	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK)
		return e;
	if (m->hdr.type == CTP_MSG_PCTD && (e = rd_key(d, m)) != CTP_OK)
		return e;
	return ctp_cdb_rd_list(d, CTP_CDBS_DATA, m);
}

enum ctp_err
ctp_msg_ctd_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	size_t		 pad;
	enum ctp_err	 e;

	if ((e = ctp_wr_u32(wr, m->elapsed_ms)) != CTP_OK ||
	    (e = ctp_msg_wr_addr(wr, &m->mn)) != CTP_OK)
		return e;
	if (m->hdr.type == CTP_MSG_PCTD) {
		pad = CTP_KEY_PAD(m->key_len) - m->key_len;
		if ((e = ctp_wr_u16(wr, m->alg)) != CTP_OK ||
		    (e = ctp_wr_u16(wr, m->key_len)) != CTP_OK ||
		    (e = ctp_wr_bytes(wr, m->key, m->key_len)) != CTP_OK ||
		    (e = ctp_wr_zero(wr, pad)) != CTP_OK)
			return e;
	}
	return ctp_cdb_wr_list(wr, m);
}

/* MN address and status entries; S travels in hdr.x (D11 is for ctpd). */
enum ctp_err
ctp_msg_ctdr_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK)
		return e;
	return ctp_msg_rd_entries(d, m);
}

enum ctp_err
ctp_msg_ctdr_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_wr_addr(wr, &m->mn)) != CTP_OK)
		return e;
	return ctp_msg_wr_entries(wr, m);
}

/* MN address and nothing else: any further octet is TRAILING (D13). */
enum ctp_err
ctp_msg_ctc_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK)
		return e;
	if (ctp_rd_left(&d->rd) > 0)
		return ctp_dec_fail(d, CTP_ERR_TRAILING, ctp_rd_pos(&d->rd));
	return CTP_OK;
}

enum ctp_err
ctp_msg_ctc_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	return ctp_msg_wr_addr(wr, &m->mn);
}

/* MN address, then sequence, token and request CDBs copied from the CTAR. */
enum ctp_err
ctp_msg_ctreq_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	size_t		 off;
	enum ctp_err	 e;

	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK)
		return e;
	off = ctp_rd_pos(&d->rd);
	if ((e = ctp_rd_u32(&d->rd, &m->seq)) != CTP_OK ||
	    (e = ctp_rd_copy(&d->rd, m->token, sizeof(m->token))) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	return ctp_cdb_rd_list(d, CTP_CDBS_REQUEST, m);
}

enum ctp_err
ctp_msg_ctreq_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_wr_addr(wr, &m->mn)) != CTP_OK ||
	    (e = ctp_wr_u32(wr, m->seq)) != CTP_OK ||
	    (e = ctp_wr_bytes(wr, m->token, sizeof(m->token))) != CTP_OK)
		return e;
	return ctp_cdb_wr_list(wr, m);
}
