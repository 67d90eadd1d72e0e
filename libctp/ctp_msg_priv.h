/* SPDX-License-Identifier: ISC */
/*
 * Private interface of the message codec: the decode state shared by the body
 * decoders (ctp_msg_mn.c, ctp_msg_xfer.c), the address, entry and CDB list
 * coders (ctp_msg.c, ctp_cdb.c).  Used only inside libctp.
 */
#ifndef CTP_MSG_PRIV_H
#define CTP_MSG_PRIV_H

#include "ctp_buf.h"
#include "ctp_msg.h"

/*
 * Decoding state.  The reader spans the whole message (octets 0 .. Length),
 * so ctp_rd_pos() is the offset reported in err_off.  The caps are the
 * caller's limits clamped to the hard ones.
 */
struct ctp_dec {
	struct ctp_rd	 rd;
	bool		 v4;
	size_t		 max_cdbs;
	size_t		 max_entries;
	size_t		 err_off;	/* set together with every error */
};

/* What kind of CDB list a message type carries. */
enum ctp_cdb_kind {
	CTP_CDBS_NONE,
	CTP_CDBS_REQUEST,	/* CTAR, CT-Req; full CDBs too (D2) */
	CTP_CDBS_DATA,		/* CTD, PCTD: data CDBs, Length >= 1 */
};

/* Records off in d->err_off and returns e. */
enum ctp_err	 ctp_dec_fail(struct ctp_dec *d, enum ctp_err e, size_t off);

/* One address of the message's family (4 or 16 octets). */
enum ctp_err	 ctp_msg_rd_addr(struct ctp_dec *d, struct ctp_addr *a);
enum ctp_err	 ctp_msg_wr_addr(struct ctp_wr *, const struct ctp_addr *);

/* CTAA/CTDR status entries up to the message end (§3.3, §3.5, D13). */
enum ctp_err	 ctp_msg_rd_entries(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_wr_entries(struct ctp_wr *, const struct ctp_msg *);

/*
 * CDB list up to the message end (§3.8.4, §4.1).  The decoder sets ncdbs,
 * cdbs[] and cdb_raw/cdb_raw_len.  ctp_cdb_check_list() does the encoder's
 * checks and returns the list's wire size in *len.
 */
enum ctp_err	 ctp_cdb_rd_list(struct ctp_dec *, enum ctp_cdb_kind,
		    struct ctp_msg *);
enum ctp_err	 ctp_cdb_check_list(const struct ctp_msg *, enum ctp_cdb_kind,
		    size_t *len);
enum ctp_err	 ctp_cdb_wr_list(struct ctp_wr *, const struct ctp_msg *);

/* Message bodies, after the 4-octet header (ctp_msg_mn.c, ctp_msg_xfer.c). */
enum ctp_err	 ctp_msg_ctar_decode(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_ctaa_decode(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_ctd_decode(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_ctdr_decode(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_ctc_decode(struct ctp_dec *, struct ctp_msg *);
enum ctp_err	 ctp_msg_ctreq_decode(struct ctp_dec *, struct ctp_msg *);

enum ctp_err	 ctp_msg_ctar_encode(struct ctp_wr *, const struct ctp_msg *);
enum ctp_err	 ctp_msg_ctaa_encode(struct ctp_wr *, const struct ctp_msg *);
enum ctp_err	 ctp_msg_ctd_encode(struct ctp_wr *, const struct ctp_msg *);
enum ctp_err	 ctp_msg_ctdr_encode(struct ctp_wr *, const struct ctp_msg *);
enum ctp_err	 ctp_msg_ctc_encode(struct ctp_wr *, const struct ctp_msg *);
enum ctp_err	 ctp_msg_ctreq_encode(struct ctp_wr *, const struct ctp_msg *);

/* Key field of a PCTD with its zero padding to 4 octets (C8). */
#define CTP_KEY_PAD(n)		(((size_t)(n) + 3) & ~(size_t)3)

#endif /* CTP_MSG_PRIV_H */
