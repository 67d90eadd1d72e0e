/* SPDX-License-Identifier: ISC */
/*
 * Bodies of the two messages between mobile node and access router: CTAR
 * (the project's CTSR, spec §3.2) and CTAA (§3.3).  The header has been
 * checked by ctp_msg_decode(), so the fixed part is known to be present.
 */
#include "ctp_buf.h"
#include "ctp_msg.h"
#include "ctp_msg_priv.h"

/*
 * MN address, other AR's address, sequence number, token, then request CDBs
 * to the end; no CDBs means "all contexts".
 */
enum ctp_err
ctp_msg_ctar_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	size_t		 off;
	enum ctp_err	 e;

	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK ||
	    (e = ctp_msg_rd_addr(d, &m->ar)) != CTP_OK)
		return e;
	off = ctp_rd_pos(&d->rd);
	if ((e = ctp_rd_u32(&d->rd, &m->seq)) != CTP_OK ||
	    (e = ctp_rd_copy(&d->rd, m->token, sizeof(m->token))) != CTP_OK)
		return ctp_dec_fail(d, e, off);
	return ctp_cdb_rd_list(d, CTP_CDBS_REQUEST, m);
}

enum ctp_err
ctp_msg_ctar_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_wr_addr(wr, &m->mn)) != CTP_OK ||
	    (e = ctp_msg_wr_addr(wr, &m->ar)) != CTP_OK ||
	    (e = ctp_wr_u32(wr, m->seq)) != CTP_OK ||
	    (e = ctp_wr_bytes(wr, m->token, sizeof(m->token))) != CTP_OK)
		return e;
	return ctp_cdb_wr_list(wr, m);
}

/* MN address, then the FPTs that were not transferred, with their status. */
enum ctp_err
ctp_msg_ctaa_decode(struct ctp_dec *d, struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_rd_addr(d, &m->mn)) != CTP_OK)
		return e;
	return ctp_msg_rd_entries(d, m);
}

enum ctp_err
ctp_msg_ctaa_encode(struct ctp_wr *wr, const struct ctp_msg *m)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_wr_addr(wr, &m->mn)) != CTP_OK)
		return e;
	return ctp_msg_wr_entries(wr, m);
}
