/* SPDX-License-Identifier: ISC */
/*
 * The new access router's per-MN state machine (spec §2.3 nAR table, §5.2,
 * §5.3, §6.1, §6.4, C16, C17, D4, D5, D10, D14): holds predictive contexts
 * with their key, requests contexts for a CTAR, checks the MN's token before
 * anything is installed, installs, and answers the MN (CTAA) and pAR (CTDR).
 */
#include <string.h>

#include "ctp_fsm.h"

/* st->flags */
#define NF_HAVE_CTAR	0x01	/* mn, seq, token, req of the MN's CTAR kept */
#define NF_ZERO_TOKEN	0x02	/* the CT-Req went out with a zero token */
#define NF_CTAA		0x04	/* the MN asked for a CTAA (A) */
#define NF_CTDR		0x08	/* this round's CTD/PCTD asked for a CTDR */
#define NF_RETRY	0x10	/* this round is a pAR retry (no CTAA) */
#define NF_PEER_DOWN	0x20	/* channel to st->peer is down */
#define NF_OVERFLOW	0x40	/* more FPTs in the round than items */

/* st->items[].flags (CTP_FSM_F_R is bit 0) */
#define IF_RECV		0x02	/* a data CDB of this FPT was received */
#define IF_ROUND	0x04	/* in the current CTD/PCTD */
#define IF_VALID	0x08	/* has an installable CDB in this round */
#define IF_INST		0x10	/* install outstanding */
#define IF_ERR		0x20	/* status from the pAR's error CDB */
#define IF_DONE		0x40	/* installed */

void
ctp_nar_init(struct ctp_nar *st)
{
	memset(st, 0, sizeof(*st));
	st->state = CTP_NAR_IDLE;
	st->peer = CTP_FSM_NO_PEER;
}

void
ctp_nar_clear(struct ctp_nar *st)
{
	ctp_key_wipe(&st->key);
	ctp_nar_init(st);
}

bool
ctp_nar_reclaimable(const struct ctp_nar *st)
{
	return st->state == CTP_NAR_IDLE && st->timers == 0 &&
	    !ctp_key_present(&st->key);
}

/* Back to IDLE: transfer data dropped, key wiped; replay memory kept. */
static void
nar_idle(struct ctp_nar *st, struct ctp_fsm_actions *out)
{
	ctp_key_wipe(&st->key);
	ctp_fsm_timer_stop_all(out, &st->timers, true);
	st->flags = 0;
	st->nitems = 0;
	st->nreq = 0;
	st->peer = CTP_FSM_NO_PEER;
	st->state = CTP_NAR_IDLE;
}

static void
nar_unexpected(struct ctp_fsm_actions *out, const char *reason)
{
	ctp_fsm_count(out, CTP_CNT_UNEXPECTED);
	out->reason = reason;
}

/* A request CDB as on the wire (§4.1, C4): FPT, Length 0, P 0, R. */
static void
nar_req_wire(const struct ctp_fsm_item *req, size_t n, uint8_t *raw)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		raw[4 * i] = (uint8_t)(req[i].fpt >> 8);
		raw[4 * i + 1] = (uint8_t)req[i].fpt;
		raw[4 * i + 2] = 0;
		raw[4 * i + 3] = (req[i].flags & CTP_FSM_F_R) ? 0x40 : 0;
	}
}

/*
 * Can the CTAR's request CDBs be kept in the compact state and rebuilt
 * octet for octet (for the CT-Req copy and a later token check)?  Only
 * plain 4-octet request CDBs with zero reserved bits, at most
 * CTP_FSM_MAX_ITEMS of them, can.
 */
static bool
nar_ctar_fits(const struct ctp_msg *m, struct ctp_fsm_item *req)
{
	uint8_t	 raw[4 * CTP_FSM_MAX_ITEMS];
	size_t	 i;

	memset(req, 0, CTP_FSM_MAX_ITEMS * sizeof(*req));
	if (m->ncdbs > CTP_FSM_MAX_ITEMS || m->cdb_raw_len != 4 * m->ncdbs)
		return false;
	for (i = 0; i < m->ncdbs; i++) {
		if (m->cdbs[i].p || m->cdbs[i].data_len != 0)
			return false;
		req[i].fpt = m->cdbs[i].fpt;
		req[i].flags = m->cdbs[i].r ? CTP_FSM_F_R : 0;
		req[i].status = 0;
	}
	nar_req_wire(req, m->ncdbs, raw);
	return m->ncdbs == 0 || memcmp(raw, m->cdb_raw, 4 * m->ncdbs) == 0;
}

static void
nar_ctar_keep(struct ctp_nar *st, const struct ctp_msg *m,
    const struct ctp_fsm_item *req)
{
	st->mn = m->mn;
	st->seq = m->seq;
	memcpy(st->token, m->token, sizeof(st->token));
	st->nreq = (uint8_t)m->ncdbs;
	memcpy(st->req, req, m->ncdbs * sizeof(*req));
	st->flags = (uint8_t)((st->flags & ~NF_CTAA) | NF_HAVE_CTAR |
	    (m->hdr.x ? NF_CTAA : 0));
}

static void
nar_send_ctreq(struct ctp_nar *st, struct ctp_fsm_actions *out)
{
	struct ctp_fsm_action	*a = ctp_fsm_act(out, CTP_ACT_SEND_CTREQ);

	a->peer = st->peer;
	if (st->flags & NF_ZERO_TOKEN)
		a->zero_token = true;
	else
		memcpy(a->token, st->token, sizeof(a->token));
	a->seq = st->ctreq_seq;
	a->nitems = st->nreq;
	memcpy(a->items, st->req, st->nreq * sizeof(st->req[0]));
}

/* CT-Req and its timers: CT_MAX_TRANSFER_TIME, UDP retransmission. */
static void
nar_request(struct ctp_nar *st, const struct ctp_fsm_params *p, uint64_t now,
    struct ctp_fsm_actions *out)
{
	st->ctreq_seq = st->seq;	/* kept by re-sends, even after a CTAR */
	nar_send_ctreq(st, out);
	st->deadline_ms = now + p->max_transfer_ms;
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_XFER, st->deadline_ms);
	if (p->udp) {
		st->rto_ms = p->udp_rto_ms;
		if (now + st->rto_ms < st->deadline_ms)
			ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_RETRY,
			    now + st->rto_ms);
	}
	st->state = CTP_NAR_WAIT_CTD;
}

/* CTD/PCTD asks for a CTDR: A set, or any R CDB (D4). */
static bool
nar_wants_ctdr(const struct ctp_msg *m)
{
	size_t	 i;

	if (m->hdr.x)
		return true;
	for (i = 0; i < m->ncdbs; i++)
		if (m->cdbs[i].r)
			return true;
	return false;
}

/* CTDR refusing a whole CTD/PCTD: every FPT in it, or FPT 0, gets status. */
static void
nar_ctdr_refuse(const struct ctp_fsm_event *ev, struct ctp_fsm_actions *out,
    uint8_t status, bool per_fpt)
{
	const struct ctp_msg	*m = ev->msg;
	struct ctp_fsm_action	*a = ctp_fsm_act(out, CTP_ACT_SEND_CTDR);
	uint16_t		 fpt;
	size_t			 i;

	a->peer = ev->peer;
	for (i = 0; per_fpt && i < m->ncdbs; i++) {
		fpt = m->cdbs[i].fpt;
		if (fpt == 0 || fpt == CTP_FSM_FPT_ERROR ||
		    ctp_fsm_item_find(a->entries, a->nentries, fpt) >= 0)
			continue;
		ctp_fsm_entry_add(a->entries, &a->nentries, CTP_FSM_MAX_ITEMS,
		    fpt, 0, status);
	}
	if (a->nentries == 0)
		ctp_fsm_entry_add(a->entries, &a->nentries, CTP_FSM_MAX_ITEMS,
		    0, 0, status);
}

/* C17: Elapsed Time above CT_MAX_HANDOVER_TIME -> discard, STALE. */
static bool
nar_stale(const struct ctp_fsm_params *p, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	if (ev->msg->elapsed_ms <= p->max_handover_ms)
		return false;
	if (nar_wants_ctdr(ev->msg))
		nar_ctdr_refuse(ev, out, CTP_ST_STALE, true);
	ctp_fsm_count(out, CTP_CNT_STALE);
	out->reason = "Elapsed Time above CT_MAX_HANDOVER_TIME: discarded (STALE)";
	return true;
}

/* D5: only algorithm 1 (HMAC-SHA1); the whole transfer is refused. */
static bool
nar_key_take(struct ctp_nar *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;

	if (m->alg == CTP_ALG_HMAC_SHA1 && m->key != NULL &&
	    ctp_key_set(&st->key, m->key, m->key_len) == CTP_OK)
		return true;
	if (nar_wants_ctdr(m))
		nar_ctdr_refuse(ev, out, m->alg == CTP_ALG_HMAC_SHA1 ?
		    CTP_ST_MALFORMED : CTP_ST_UNSUPPORTED_FPT, false);
	if ((st->flags & (NF_HAVE_CTAR | NF_CTAA)) ==
	    (NF_HAVE_CTAR | NF_CTAA) && st->state == CTP_NAR_WAIT_CTD)
		ctp_fsm_ctaa_whole(out, CTP_ST_UNSUPPORTED_FPT);
	ctp_fsm_count(out, CTP_CNT_ALG);
	out->reason = "PCTD key algorithm not supported: transfer refused";
	return false;
}

/*
 * FPT of a pAR error entry, 0 for the whole request.  An error CDB cannot
 * carry FPT 0 (D7), so ctpd sends a whole-request entry as FPT 0xFF00.
 */
static uint16_t
nar_err_fpt(const struct ctp_entry *e)
{
	return e->fpt == CTP_FSM_FPT_ERROR ? 0 : e->fpt;
}

/*
 * Read the CDBs of a CTD/PCTD into the items: per FPT whether it has an
 * installable CDB (mask bit set), else the first refusal status the feature
 * layer gave (D10).  FPT 0 is skipped (D14); error CDBs come as ev->errs.
 * With skip_done, FPTs installed earlier are acknowledged, not reinstalled.
 */
static void
nar_round(struct ctp_nar *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out, uint8_t *mask, bool skip_done)
{
	const struct ctp_msg	*m = ev->msg;
	const struct ctp_cdb	*c;
	const struct ctp_entry	*e;
	struct ctp_fsm_item	*it;
	bool			 fpt0 = false, over = false;
	uint8_t			 v;
	size_t			 i;
	int			 k;

	memset(mask, 0, CTP_MAX_CDBS / 8);
	st->flags &= (uint8_t)~NF_OVERFLOW;
	for (i = 0; i < st->nitems; i++)
		st->items[i].flags &= (uint8_t)~(IF_ROUND | IF_VALID | IF_INST);
	for (i = 0; i < m->ncdbs; i++) {
		c = &m->cdbs[i];
		v = ev->verdict != NULL ? ev->verdict[i] : CTP_ST_SUCCESS;
		if (c->fpt == 0) {
			fpt0 = true;
			continue;
		}
		if (c->fpt == CTP_FSM_FPT_ERROR)
			continue;
		k = ctp_fsm_item_find(st->items, st->nitems, c->fpt);
		if (k < 0) {
			if (!ctp_fsm_entry_add(st->items, &st->nitems,
			    CTP_FSM_MAX_ITEMS, c->fpt, 0, 0)) {
				over = true;
				continue;
			}
			k = st->nitems - 1;
		}
		it = &st->items[k];
		if ((it->flags & IF_ROUND) == 0) {
			it->flags = (uint8_t)((it->flags & ~IF_ERR) | IF_ROUND |
			    IF_RECV);
			if ((it->flags & IF_DONE) == 0)
				it->status = CTP_ST_SUCCESS;
		}
		if (c->r)
			it->flags |= CTP_FSM_F_R;
		if (skip_done && (it->flags & IF_DONE))
			continue;
		if (v != CTP_ST_SUCCESS) {
			if (it->status == CTP_ST_SUCCESS)
				it->status = v;
			continue;
		}
		mask[i / 8] |= (uint8_t)(1u << (i % 8));
		it->flags |= IF_VALID;
	}
	for (i = 0; i < ev->nerrs; i++) {
		e = &ev->errs[i];
		if (nar_err_fpt(e) == 0 ||
		    ctp_fsm_item_find(st->items, st->nitems, e->fpt) >= 0)
			continue;
		if (!ctp_fsm_entry_add(st->items, &st->nitems,
		    CTP_FSM_MAX_ITEMS, e->fpt, IF_ERR, e->status))
			over = true;
	}
	if (fpt0)
		ctp_fsm_count(out, CTP_CNT_FPT0);
	if (over) {
		st->flags |= NF_OVERFLOW;
		ctp_fsm_count(out, CTP_CNT_TOO_MANY);
	}
	st->flags = (uint8_t)((st->flags & ~NF_CTDR) |
	    (nar_wants_ctdr(m) ? NF_CTDR : 0));
}

/*
 * After install (or with nothing to install): CTAA to the MN for the first
 * round, CTDR to the pAR if asked.  The CTAA lists what was not transferred:
 * refused or failed FPTs, the pAR's error entries and requested FPTs that
 * never came (NO_CONTEXT).
 */
static void
nar_finish(struct ctp_nar *st, const struct ctp_fsm_params *p, uint64_t now,
    struct ctp_fsm_actions *out)
{
	struct ctp_fsm_item	 e[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_action	*a;
	const struct ctp_fsm_item *it;
	uint8_t			 n = 0;
	bool			 s;
	size_t			 i;

	ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_XFER);
	if ((st->flags & NF_RETRY) == 0) {
		for (i = 0; i < st->nitems; i++) {
			it = &st->items[i];
			if ((it->flags & (IF_RECV | IF_ERR)) &&
			    it->status != CTP_ST_SUCCESS)
				ctp_fsm_entry_add(e, &n, CTP_FSM_MAX_ITEMS,
				    it->fpt, 0, it->status);
		}
		for (i = 0; i < st->nreq; i++) {
			if (st->req[i].fpt == 0 ||
			    ctp_fsm_item_find(st->items, st->nitems,
			    st->req[i].fpt) >= 0 ||
			    ctp_fsm_item_find(e, n, st->req[i].fpt) >= 0)
				continue;
			ctp_fsm_entry_add(e, &n, CTP_FSM_MAX_ITEMS,
			    st->req[i].fpt, 0, CTP_ST_NO_CONTEXT);
		}
		if (st->flags & NF_CTAA) {
			a = ctp_fsm_act(out, CTP_ACT_SEND_CTAA);
			a->nentries = n;
			memcpy(a->entries, e, n * sizeof(e[0]));
		}
		ctp_fsm_replay_remember(&st->replay, st->seq,
		    (st->flags & NF_CTAA) ? e : NULL, n, now, p);
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_REPLAY,
		    st->replay.until_ms);
	}
	if (st->flags & NF_CTDR) {
		a = ctp_fsm_act(out, CTP_ACT_SEND_CTDR);
		a->peer = st->peer;
		s = (st->flags & NF_OVERFLOW) == 0;
		for (i = 0; i < st->nitems; i++) {
			it = &st->items[i];
			if ((it->flags & IF_ROUND) == 0)
				continue;
			/* §6.1: S=0 lists every R FPT; we list them all. */
			ctp_fsm_entry_add(a->entries, &a->nentries,
			    CTP_FSM_MAX_ITEMS, it->fpt, 0, it->status);
			if (it->status != CTP_ST_SUCCESS)
				s = false;
		}
		a->s_flag = s;
	}
	st->flags &= (uint8_t)~NF_RETRY;
	st->state = CTP_NAR_ACTIVE;
}

/* INSTALL the round's installable FPTs, or finish if there are none. */
static void
nar_install(struct ctp_nar *st, const struct ctp_fsm_params *p, uint64_t now,
    struct ctp_fsm_actions *out, bool from_held, const uint8_t *mask)
{
	struct ctp_fsm_action	*a = NULL;
	struct ctp_fsm_item	*it;
	size_t			 i;

	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		if ((it->flags & IF_VALID) == 0)
			continue;
		if (a == NULL) {
			a = ctp_fsm_act(out, CTP_ACT_INSTALL);
			a->from_held = from_held;
			if (!from_held)
				memcpy(a->cdb_mask, mask, sizeof(a->cdb_mask));
		}
		ctp_fsm_entry_add(a->items, &a->nitems, CTP_FSM_MAX_ITEMS,
		    it->fpt, it->flags & CTP_FSM_F_R, 0);
		it->flags |= IF_INST;
	}
	if (a == NULL) {
		nar_finish(st, p, now, out);
		return;
	}
	ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_RETRY);
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_XFER,
	    now + p->max_transfer_ms);
	st->state = CTP_NAR_INSTALLING;
}

/* Results of an INSTALL; an FPT without a result has failed. */
static void
nar_results(struct ctp_nar *st, const struct ctp_entry *res, size_t nres)
{
	struct ctp_fsm_item	*it;
	uint8_t			 r;
	size_t			 i, j;

	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		if ((it->flags & IF_INST) == 0)
			continue;
		r = CTP_ST_INSTALL_FAILED;
		for (j = 0; j < nres; j++)
			if (res[j].fpt == it->fpt)
				r = res[j].status;
		if (it->status == CTP_ST_SUCCESS)
			it->status = r;
		if (r == CTP_ST_SUCCESS && it->status == CTP_ST_SUCCESS)
			it->flags |= IF_DONE;
		it->flags &= (uint8_t)~IF_INST;
	}
}

/* -------------------------------------------------------------- CTAR */

/* C16 first: a CTAR with a remembered (MN, seq) starts nothing. */
static bool
nar_ctar_replayed(struct ctp_nar *st, const struct ctp_fsm_event *ev,
    uint64_t now, struct ctp_fsm_actions *out)
{
	if (!ctp_fsm_replay_match(&st->replay, ev->msg->seq, now))
		return false;
	ctp_fsm_replay_answer(&st->replay, out);
	return true;
}

/* A transfer runs: its own seq is the MN retransmitting, another is BUSY. */
static void
nar_ctar_running(struct ctp_nar *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;

	if (m->seq == st->seq) {
		ctp_fsm_count(out, CTP_CNT_DUPLICATE);
		out->reason = "CTAR retransmission for the running transfer: ignored";
		return;
	}
	if (m->hdr.x)
		ctp_fsm_ctaa_whole(out, CTP_ST_BUSY);
	ctp_fsm_count(out, CTP_CNT_BUSY);
	out->reason = m->hdr.x ? "CTAR while a transfer runs: BUSY" :
	    "CTAR while a transfer runs: ignored";
}

/* The request must fit the compact state (nar_ctar_fits); else refused. */
static bool
nar_ctar_take(const struct ctp_fsm_event *ev, struct ctp_fsm_item *req,
    struct ctp_fsm_actions *out)
{
	if (nar_ctar_fits(ev->msg, req))
		return true;
	if (ev->msg->hdr.x)
		ctp_fsm_ctaa_whole(out, CTP_ST_RESOURCE_SHORTAGE);
	ctp_fsm_count(out, CTP_CNT_TOO_MANY);
	out->reason = "CTAR request CDBs cannot be kept: refused";
	return false;
}

/* IDLE, ACTIVE: nothing held, so ask the named pAR (§2.3, §3.7). */
static void
nar_ctar_request(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	struct ctp_fsm_item	 req[CTP_FSM_MAX_ITEMS];

	if (nar_ctar_replayed(st, ev, now, out) || !nar_ctar_take(ev, req, out))
		return;
	if (ev->peer == CTP_FSM_NO_PEER) {
		if (ev->msg->hdr.x)
			ctp_fsm_ctaa_whole(out, CTP_ST_NO_PEER);
		ctp_fsm_count(out, CTP_CNT_NO_PEER);
		out->reason = "CTAR: named pAR is not a usable neighbour";
		return;
	}
	st->flags = 0;
	st->nitems = 0;
	nar_ctar_keep(st, ev->msg, req);
	st->peer = ev->peer;
	nar_request(st, p, now, out);
	out->reason = "CTAR with nothing held: CT-Req sent (reactive)";
}

/* HELD: check the token with the PCTD's key, then wipe it (§5.2, §5.3). */
static void
nar_ctar_held(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	struct ctp_fsm_item	 req[CTP_FSM_MAX_ITEMS];
	enum ctp_err		 e;

	if (nar_ctar_replayed(st, ev, now, out) || !nar_ctar_take(ev, req, out))
		return;
	e = ctp_token_verify_msg(ev->tctx, &st->key, ev->msg);
	ctp_key_wipe(&st->key);		/* used once, good or bad */
	ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_HANDOVER);
	if (e != CTP_OK) {
		/*
		 * No CTDR: telling the pAR would make it drop its cache, and a
		 * forged CTAR could then deny the real MN its contexts.
		 */
		ctp_fsm_act(out, CTP_ACT_DISCARD);
		if (ev->msg->hdr.x)
			ctp_fsm_ctaa_whole(out, CTP_ST_AUTH_FAILED);
		ctp_fsm_count(out, e == CTP_ERR_TOKEN ? CTP_CNT_TOKEN_FAIL :
		    CTP_CNT_TOKEN_ERROR);
		nar_idle(st, out);
		out->reason = "CTAR bad token: key wiped, held contexts discarded";
		return;
	}
	nar_ctar_keep(st, ev->msg, req);
	nar_install(st, p, now, out, true, NULL);
	out->reason = "CTAR token verified with the PCTD key: held contexts installed";
}

/* WAIT_CTD: a CTAR for the running transfer, or the one a trigger awaits. */
static void
nar_ctar_wait(struct ctp_nar *st, const struct ctp_fsm_event *ev,
    uint64_t now, struct ctp_fsm_actions *out)
{
	struct ctp_fsm_item	 req[CTP_FSM_MAX_ITEMS];

	if (nar_ctar_replayed(st, ev, now, out))
		return;
	if (st->flags & NF_HAVE_CTAR) {
		nar_ctar_running(st, ev, out);
		return;
	}
	if (!nar_ctar_take(ev, req, out))
		return;
	/* Zero-token CT-Req out: the PCTD's key will check this CTAR. */
	nar_ctar_keep(st, ev->msg, req);
	out->reason = "CTAR kept until the PCTD of the zero-token CT-Req";
}

/* IDLE, ACTIVE: network trigger, no CTAR yet (RFC §5.2). */
static void
nar_trigger(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	if (ev->peer == CTP_FSM_NO_PEER) {
		ctp_fsm_count(out, CTP_CNT_NO_PEER);
		out->reason = "trigger: pAR is not a usable neighbour";
		return;
	}
	st->flags = NF_ZERO_TOKEN;
	st->nitems = 0;
	st->seq = ev->seq;
	memset(st->token, 0, sizeof(st->token));
	st->nreq = (uint8_t)ev->nreq;
	if (ev->nreq > 0)
		memcpy(st->req, ev->req, ev->nreq * sizeof(*ev->req));
	st->peer = ev->peer;
	nar_request(st, p, now, out);
	out->reason = "trigger without CTAR: CT-Req with zero token sent";
}

static void
nar_busy_trigger(struct ctp_fsm_actions *out)
{
	ctp_fsm_count(out, CTP_CNT_BUSY);
	out->reason = "trigger while a transfer runs: ignored";
}

/* ---------------------------------------------------------- CTD, PCTD */

/* The pAR refused: error entries for the whole request, or nothing else. */
static bool
nar_refused(const struct ctp_fsm_event *ev)
{
	const struct ctp_msg	*m = ev->msg;
	size_t			 i;

	for (i = 0; i < ev->nerrs; i++)
		if (nar_err_fpt(&ev->errs[i]) == 0)
			return true;
	if (ev->nerrs == 0)
		return false;
	for (i = 0; i < m->ncdbs; i++)
		if (m->cdbs[i].fpt != 0 && m->cdbs[i].fpt != CTP_FSM_FPT_ERROR)
			return false;
	return true;
}

static bool
nar_mask_any(const uint8_t *mask)
{
	size_t	 i;

	for (i = 0; i < CTP_MAX_CDBS / 8; i++)
		if (mask[i] != 0)
			return true;
	return false;
}

static void
nar_hold(struct ctp_nar *st, const struct ctp_fsm_params *p, uint64_t now,
    struct ctp_fsm_actions *out, const uint8_t *mask)
{
	if (nar_mask_any(mask))
		memcpy(ctp_fsm_act(out, CTP_ACT_HOLD)->cdb_mask, mask,
		    CTP_MAX_CDBS / 8);
	ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_XFER);
	ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_RETRY);
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_HANDOVER,
	    now + p->max_handover_ms);
	st->state = CTP_NAR_HELD;
}

/* IDLE: a PCTD is a predictive push (§2.3). */
static void
nar_data_idle(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	uint8_t	 mask[CTP_MAX_CDBS / 8];

	if (nar_stale(p, ev, out) || !nar_key_take(st, ev, out))
		return;
	st->flags = 0;
	st->nitems = 0;
	st->nreq = 0;
	st->peer = ev->peer;
	nar_round(st, ev, out, mask, false);
	nar_hold(st, p, now, out, mask);
	out->reason = "PCTD: contexts and key held until the MN's CTAR";
}

/* WAIT_CTD: the answer to our CT-Req. */
static void
nar_data_wait(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;
	struct ctp_fsm_action	*a;
	uint8_t			 mask[CTP_MAX_CDBS / 8];
	uint8_t			 raw[4 * CTP_FSM_MAX_ITEMS];
	size_t			 i;
	enum ctp_err		 e;

	if (ev->peer != st->peer) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CTD/PCTD from a peer not asked: ignored";
		return;
	}
	if (nar_stale(p, ev, out))
		return;
	if (nar_refused(ev)) {
		if ((st->flags & (NF_HAVE_CTAR | NF_CTAA)) ==
		    (NF_HAVE_CTAR | NF_CTAA)) {
			a = ctp_fsm_act(out, CTP_ACT_SEND_CTAA);
			for (i = 0; i < ev->nerrs; i++)
				ctp_fsm_entry_add(a->entries, &a->nentries,
				    CTP_FSM_MAX_ITEMS, nar_err_fpt(&ev->errs[i]),
				    0, ev->errs[i].status);
		}
		ctp_fsm_count(out, CTP_CNT_REFUSED);
		nar_idle(st, out);
		out->reason = "pAR refused the request (error CDB): MN told";
		return;
	}
	if (ev->type == CTP_EV_CTD && (st->flags & NF_ZERO_TOKEN)) {
		/* Nobody checked a token for this CTD: nothing installed. */
		if (nar_wants_ctdr(m))
			nar_ctdr_refuse(ev, out, CTP_ST_AUTH_FAILED, false);
		ctp_fsm_count(out, CTP_CNT_UNVERIFIED);
		out->reason = "CTD for a zero-token CT-Req (no key): discarded";
		return;
	}
	if (ev->type == CTP_EV_PCTD) {
		if (!nar_key_take(st, ev, out)) {
			nar_idle(st, out);
			return;
		}
		if ((st->flags & NF_HAVE_CTAR) == 0) {
			nar_round(st, ev, out, mask, false);
			nar_hold(st, p, now, out, mask);
			out->reason = "PCTD before the MN's CTAR: held with its key";
			return;
		}
		nar_req_wire(st->req, st->nreq, raw);
		e = ctp_token_verify(ev->tctx, &st->key, &st->mn, st->seq, raw,
		    4 * (size_t)st->nreq, st->token);
		ctp_key_wipe(&st->key);	/* §5.3: used once, good or bad */
		if (e != CTP_OK) {
			if (st->flags & NF_CTAA)
				ctp_fsm_ctaa_whole(out, CTP_ST_AUTH_FAILED);
			ctp_fsm_count(out, e == CTP_ERR_TOKEN ?
			    CTP_CNT_TOKEN_FAIL : CTP_CNT_TOKEN_ERROR);
			nar_idle(st, out);
			out->reason = "CTAR bad token for the PCTD key: nothing installed";
			return;
		}
	}
	nar_round(st, ev, out, mask, false);
	nar_install(st, p, now, out, false, mask);
	out->reason = ev->type == CTP_EV_PCTD ?
	    "PCTD: CTAR token verified, contexts installed" :
	    "CTD received: contexts installed";
}

/*
 * ACTIVE: a CTD/PCTD for an installed MN is a pAR retry of failed R
 * contexts, a resend after a channel loss or a UDP duplicate: install what
 * is not yet installed and answer with a CTDR (§6.1, §6.5).  A key in it
 * is not kept: the MN's token was checked already.
 */
static void
nar_data_active(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	uint8_t	 mask[CTP_MAX_CDBS / 8];

	if (ev->peer != st->peer) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CTD/PCTD from a peer not in the transfer: ignored";
		return;
	}
	if (nar_stale(p, ev, out))
		return;
	nar_round(st, ev, out, mask, true);
	st->flags |= NF_RETRY;
	if (!nar_mask_any(mask)) {
		ctp_fsm_count(out, CTP_CNT_DUPLICATE);
		nar_finish(st, p, now, out);
		out->reason = "CTD for installed contexts: CTDR re-sent";
		return;
	}
	nar_install(st, p, now, out, false, mask);
	out->reason = "CTD after install: retried contexts installed";
}

static void
nar_data_dup(const struct ctp_nar *st, struct ctp_fsm_actions *out)
{
	ctp_fsm_count(out, CTP_CNT_DUPLICATE);
	out->reason = st->state == CTP_NAR_HELD ?
	    "CTD/PCTD while contexts are held: duplicate ignored" :
	    "CTD/PCTD while installing: duplicate ignored";
}

/* ------------------------------------------------- timers, channel */

static void
nar_timer(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	uint8_t	 bit = (uint8_t)(1u << ev->timer);

	if ((st->timers & bit) == 0) {
		out->reason = "timer not armed (stopped or stale): ignored";
		return;
	}
	st->timers &= (uint8_t)~bit;
	switch (ev->timer) {
	case CTP_TIMER_XFER:
		if (st->state == CTP_NAR_WAIT_CTD) {
			ctp_fsm_act(out, CTP_ACT_SEND_CTC)->peer = st->peer;
			if ((st->flags & (NF_HAVE_CTAR | NF_CTAA)) ==
			    (NF_HAVE_CTAR | NF_CTAA))
				ctp_fsm_ctaa_whole(out, CTP_ST_TIMEOUT);
			ctp_fsm_count(out, CTP_CNT_TIMEOUT);
			nar_idle(st, out);
			out->reason = "CT_MAX_TRANSFER_TIME without CTD: CTC sent";
			return;
		}
		if (st->state == CTP_NAR_INSTALLING) {
			nar_results(st, NULL, 0);	/* none: all failed */
			ctp_fsm_count(out, CTP_CNT_INSTALL_TIMEOUT);
			nar_finish(st, p, now, out);
			out->reason = "install results missing at the deadline: failed";
			return;
		}
		out->reason = "transfer timer in a state without transfer: ignored";
		return;
	case CTP_TIMER_HANDOVER:
		if (st->state != CTP_NAR_HELD) {
			out->reason = "hold timer outside HELD: ignored";
			return;
		}
		ctp_fsm_act(out, CTP_ACT_DISCARD);
		ctp_fsm_count(out, CTP_CNT_HOLD_EXPIRED);
		nar_idle(st, out);
		out->reason = "CT_MAX_HANDOVER_TIME: held contexts and key discarded";
		return;
	case CTP_TIMER_RETRY:
		if (st->state != CTP_NAR_WAIT_CTD) {
			out->reason = "retransmission timer outside WAIT_CTD: ignored";
			return;
		}
		if (st->flags & NF_PEER_DOWN) {
			out->reason = "retransmission skipped: channel down";
			return;
		}
		nar_send_ctreq(st, out);
		ctp_fsm_count(out, CTP_CNT_RETRANSMIT);
		st->rto_ms *= 2;
		if (now + st->rto_ms < st->deadline_ms)
			ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_RETRY,
			    now + st->rto_ms);
		out->reason = "UDP retransmission of the CT-Req";
		return;
	case CTP_TIMER_REPLAY:
		ctp_fsm_replay_forget(&st->replay);
		if (st->state == CTP_NAR_ACTIVE)
			nar_idle(st, out);
		out->reason = "replay memory expired";
		return;
	case CTP_TIMER__MAX:
		break;
	}
	out->reason = "unknown timer";
}

static void
nar_peer(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	if (ev->peer != st->peer) {
		out->reason = "event for another channel: ignored";
		return;
	}
	if (ev->type == CTP_EV_PEER_DOWN) {
		if (st->state != CTP_NAR_WAIT_CTD) {
			out->reason = "channel down: nothing pending towards the pAR";
			return;
		}
		st->flags |= NF_PEER_DOWN;
		ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_RETRY);
		out->reason = "channel down: CT-Req re-sent when it is back";
		return;
	}
	if (st->state != CTP_NAR_WAIT_CTD || (st->flags & NF_PEER_DOWN) == 0) {
		out->reason = "channel up: nothing to re-send";
		return;
	}
	st->flags &= (uint8_t)~NF_PEER_DOWN;
	nar_send_ctreq(st, out);
	ctp_fsm_count(out, CTP_CNT_RETRANSMIT);
	if (p->udp) {
		st->rto_ms = p->udp_rto_ms;
		if (now + st->rto_ms < st->deadline_ms)
			ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_RETRY,
			    now + st->rto_ms);
	}
	out->reason = "channel back: CT-Req re-sent";
}

static void
nar_install_done(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	nar_results(st, ev->results, ev->nresults);
	nar_finish(st, p, now, out);
	out->reason = "install results in: MN and pAR answered";
}

/* ------------------------------------------------- states x events */

static void
nar_in_idle(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		nar_ctar_request(st, p, ev, now, out);
		return;
	case CTP_EV_TRIGGER:
		nar_trigger(st, p, ev, now, out);
		return;
	case CTP_EV_CTD:
		nar_unexpected(out, "CTD without a CT-Req: ignored");
		return;
	case CTP_EV_PCTD:
		nar_data_idle(st, p, ev, now, out);
		return;
	case CTP_EV_TIMER:
		nar_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		out->reason = "channel event without a transfer: nothing to do";
		return;
	case CTP_EV_INSTALL_DONE:
		nar_unexpected(out, "install result without an install: ignored");
		return;
	case CTP_EV_CTREQ:
	case CTP_EV_CTDR:
	case CTP_EV_CTC:
		nar_unexpected(out, "event of the pAR role at a nAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	nar_unexpected(out, "unknown event");
}

static void
nar_in_wait(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		nar_ctar_wait(st, ev, now, out);
		return;
	case CTP_EV_TRIGGER:
		nar_busy_trigger(out);
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
		nar_data_wait(st, p, ev, now, out);
		return;
	case CTP_EV_TIMER:
		nar_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		nar_peer(st, p, ev, now, out);
		return;
	case CTP_EV_INSTALL_DONE:
		nar_unexpected(out, "install result without an install: ignored");
		return;
	case CTP_EV_CTREQ:
	case CTP_EV_CTDR:
	case CTP_EV_CTC:
		nar_unexpected(out, "event of the pAR role at a nAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	nar_unexpected(out, "unknown event");
}

static void
nar_in_held(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		nar_ctar_held(st, p, ev, now, out);
		return;
	case CTP_EV_TRIGGER:
		nar_busy_trigger(out);
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
		nar_data_dup(st, out);
		return;
	case CTP_EV_TIMER:
		nar_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		nar_peer(st, p, ev, now, out);
		return;
	case CTP_EV_INSTALL_DONE:
		nar_unexpected(out, "install result without an install: ignored");
		return;
	case CTP_EV_CTREQ:
	case CTP_EV_CTDR:
	case CTP_EV_CTC:
		nar_unexpected(out, "event of the pAR role at a nAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	nar_unexpected(out, "unknown event");
}

static void
nar_in_installing(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		if (!nar_ctar_replayed(st, ev, now, out))
			nar_ctar_running(st, ev, out);
		return;
	case CTP_EV_TRIGGER:
		nar_busy_trigger(out);
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
		nar_data_dup(st, out);
		return;
	case CTP_EV_TIMER:
		nar_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		nar_peer(st, p, ev, now, out);
		return;
	case CTP_EV_INSTALL_DONE:
		nar_install_done(st, p, ev, now, out);
		return;
	case CTP_EV_CTREQ:
	case CTP_EV_CTDR:
	case CTP_EV_CTC:
		nar_unexpected(out, "event of the pAR role at a nAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	nar_unexpected(out, "unknown event");
}

static void
nar_in_active(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		/* A new seq after a finished transfer is a new transfer. */
		nar_ctar_request(st, p, ev, now, out);
		return;
	case CTP_EV_TRIGGER:
		nar_trigger(st, p, ev, now, out);
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
		nar_data_active(st, p, ev, now, out);
		return;
	case CTP_EV_TIMER:
		nar_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		nar_peer(st, p, ev, now, out);
		return;
	case CTP_EV_INSTALL_DONE:
		nar_unexpected(out, "install result without an install: ignored");
		return;
	case CTP_EV_CTREQ:
	case CTP_EV_CTDR:
	case CTP_EV_CTC:
		nar_unexpected(out, "event of the pAR role at a nAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	nar_unexpected(out, "unknown event");
}

enum ctp_err
ctp_nar_step(struct ctp_nar *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now_ms,
    struct ctp_fsm_actions *out)
{
	enum ctp_err	 e;

	if (st == NULL || (unsigned)st->state >= CTP_NAR__MAX)
		return CTP_ERR_INVAL;
	if ((e = ctp_fsm_event_check(ev, p, out)) != CTP_OK)
		return e;
	out->n = 0;
	out->full = false;
	out->from = st->state;
	out->reason = NULL;
	switch (st->state) {
	case CTP_NAR_IDLE:
		nar_in_idle(st, p, ev, now_ms, out);
		break;
	case CTP_NAR_WAIT_CTD:
		nar_in_wait(st, p, ev, now_ms, out);
		break;
	case CTP_NAR_HELD:
		nar_in_held(st, p, ev, now_ms, out);
		break;
	case CTP_NAR_INSTALLING:
		nar_in_installing(st, p, ev, now_ms, out);
		break;
	case CTP_NAR_ACTIVE:
		nar_in_active(st, p, ev, now_ms, out);
		break;
	case CTP_NAR__MAX:
		break;
	}
	out->to = st->state;
	if (out->reason == NULL)
		out->reason = "no reason recorded";
	return out->full ? CTP_ERR_NOSPACE : CTP_OK;
}
