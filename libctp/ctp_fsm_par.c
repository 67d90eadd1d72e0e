/* SPDX-License-Identifier: ISC */
/*
 * The previous access router's per-MN state machine (spec §2.3 pAR table,
 * §5.2, §6.1 R-flag retries, §6.3-§6.5, C9, C16, C21): checks the MN's
 * token, pushes or sends contexts, caches them for a re-request, retries
 * failed reliable contexts and wipes cache and key when the transfer ends.
 */
#include <string.h>

#include "ctp_fsm.h"

/* st->flags */
#define PF_HAVE_SEQ	0x01	/* seq names the transfer (not a trigger) */
#define PF_A		0x02	/* A set in the CTD/PCTD */
#define PF_LAST_PCTD	0x04	/* last message sent was a PCTD */
#define PF_LAST_FULL	0x08	/* ... the full one, with error entries */
#define PF_PEER_DOWN	0x10	/* channel to st->peer is down */

/* st->items[].flags (CTP_FSM_F_R is bit 0) */
#define IF_SENT		0x02	/* part of the transfer */
#define IF_INFLIGHT	0x04	/* in the last message sent */
#define IF_OK		0x08	/* confirmed by a CTDR */
#define IF_FINAL	0x10	/* failed for good, or no longer tracked */
#define IF_ERR		0x20	/* requested but not held: status says why */

#define PENDING(it)	\
	(((it)->flags & (IF_SENT | IF_OK | IF_FINAL)) == IF_SENT)

void
ctp_par_init(struct ctp_par *st)
{
	memset(st, 0, sizeof(*st));
	st->state = CTP_PAR_IDLE;
	st->peer = CTP_FSM_NO_PEER;
}

bool
ctp_par_reclaimable(const struct ctp_par *st)
{
	return (st->state == CTP_PAR_IDLE || st->state == CTP_PAR_DONE) &&
	    st->timers == 0;
}

static bool
par_key_ok(const struct ctp_fsm_event *ev)
{
	return ev->key != NULL && ctp_key_present(ev->key);
}

static int
par_held_find(const struct ctp_fsm_event *ev, uint16_t fpt)
{
	return ctp_fsm_item_find(ev->held, ev->nheld, fpt);
}

/*
 * The FPTs of a new transfer: every held FPT for an "all contexts" request,
 * else the requested ones that are held (R if configured reliable or asked
 * for with R, §6.1) and NO_CONTEXT entries for the others.  FPT 0 (D14) and
 * the error FPT are never contexts.
 */
static void
par_items(struct ctp_par *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;
	size_t			 i, nreq;
	uint16_t		 fpt;
	uint8_t			 fl;
	bool			 r, over = false;
	int			 h;

	st->nitems = 0;
	nreq = ev->type == CTP_EV_TRIGGER ? ev->nreq : m->ncdbs;
	if (nreq == 0) {
		for (i = 0; i < ev->nheld; i++) {
			fpt = ev->held[i].fpt;
			if (fpt == 0 || fpt == CTP_FSM_FPT_ERROR ||
			    ctp_fsm_item_find(st->items, st->nitems, fpt) >= 0)
				continue;
			fl = IF_SENT | IF_INFLIGHT |
			    (ev->held[i].flags & CTP_FSM_F_R);
			if (!ctp_fsm_entry_add(st->items, &st->nitems,
			    CTP_FSM_MAX_ITEMS, fpt, fl, 0))
				over = true;
		}
	} else {
		for (i = 0; i < nreq; i++) {
			if (ev->type == CTP_EV_TRIGGER) {
				fpt = ev->req[i].fpt;
				r = (ev->req[i].flags & CTP_FSM_F_R) != 0;
			} else {
				fpt = m->cdbs[i].fpt;
				r = m->cdbs[i].r;
			}
			if (fpt == 0 || fpt == CTP_FSM_FPT_ERROR ||
			    ctp_fsm_item_find(st->items, st->nitems, fpt) >= 0)
				continue;
			if ((h = par_held_find(ev, fpt)) >= 0) {
				fl = IF_SENT | IF_INFLIGHT |
				    (r ? CTP_FSM_F_R : 0) |
				    (ev->held[h].flags & CTP_FSM_F_R);
				if (!ctp_fsm_entry_add(st->items, &st->nitems,
				    CTP_FSM_MAX_ITEMS, fpt, fl, 0))
					over = true;
			} else if (!ctp_fsm_entry_add(st->items, &st->nitems,
			    CTP_FSM_MAX_ITEMS, fpt, IF_ERR, CTP_ST_NO_CONTEXT))
				over = true;
		}
	}
	if (over)
		ctp_fsm_count(out, CTP_CNT_TOO_MANY);
}

static size_t
par_count(const struct ctp_par *st, uint8_t all, uint8_t none)
{
	size_t	 i, n = 0;

	for (i = 0; i < st->nitems; i++)
		if ((st->items[i].flags & all) == all &&
		    (st->items[i].flags & none) == 0)
			n++;
	return n;
}

/* Mark the items to put in the next message: all of `all`, none of `none`. */
static size_t
par_select(struct ctp_par *st, uint8_t all, uint8_t none)
{
	size_t	 i, n = 0;

	for (i = 0; i < st->nitems; i++) {
		st->items[i].flags &= (uint8_t)~IF_INFLIGHT;
		if ((st->items[i].flags & all) == all &&
		    (st->items[i].flags & none) == 0) {
			st->items[i].flags |= IF_INFLIGHT;
			n++;
		}
	}
	return n;
}

/* Start a transfer: A if anything is sent and policy or an R context asks. */
static void
par_start(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, bool have_seq)
{
	bool	 any = par_count(st, IF_SENT, 0) > 0;
	bool	 anyr = par_count(st, IF_SENT | CTP_FSM_F_R, 0) > 0;

	st->flags = 0;
	if (have_seq)
		st->flags |= PF_HAVE_SEQ;
	if (any && (p->ctd_ack || anyr))
		st->flags |= PF_A;	/* §6.1: any R CDB forces A */
	st->peer = ev->peer;
	st->first_ms = now;
	st->deadline_ms = now + p->max_transfer_ms;
}

/* SEND_PCTD/SEND_CTD of the IF_INFLIGHT items, with error entries if full. */
static void
par_send(struct ctp_par *st, uint64_t now, struct ctp_fsm_actions *out,
    bool pctd, bool full)
{
	struct ctp_fsm_action	*a;
	const struct ctp_fsm_item *it;
	size_t			 i;

	a = ctp_fsm_act(out, pctd ? CTP_ACT_SEND_PCTD : CTP_ACT_SEND_CTD);
	a->peer = st->peer;
	a->a_flag = (st->flags & PF_A) != 0;
	a->elapsed_ms = ctp_fsm_elapsed(st->first_ms, now);
	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		if (it->flags & IF_INFLIGHT)
			ctp_fsm_entry_add(a->items, &a->nitems,
			    CTP_FSM_MAX_ITEMS, it->fpt, it->flags & CTP_FSM_F_R,
			    0);
		if (full && (it->flags & IF_ERR))
			ctp_fsm_entry_add(a->entries, &a->nentries,
			    CTP_FSM_MAX_ITEMS, it->fpt, 0, it->status);
	}
	st->flags &= (uint8_t)~(PF_LAST_PCTD | PF_LAST_FULL);
	if (pctd)
		st->flags |= PF_LAST_PCTD;
	if (full)
		st->flags |= PF_LAST_FULL;
}

/* UDP mode (§6.5): retransmit a CTD/PCTD with A until CTDR or the budget. */
static void
par_arm_retx(struct ctp_par *st, const struct ctp_fsm_params *p, uint64_t now,
    struct ctp_fsm_actions *out)
{
	if (!p->udp || (st->flags & PF_A) == 0)
		return;
	st->rto_ms = p->udp_rto_ms;
	if (now + st->rto_ms < st->deadline_ms)
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_RETRY,
		    now + st->rto_ms);
	else
		ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_RETRY);
}

/* Refusal of a CT-Req: CTD (A=0) with one whole-request error entry (C9). */
static void
par_error_ctd(const struct ctp_fsm_event *ev, struct ctp_fsm_actions *out,
    uint8_t status)
{
	struct ctp_fsm_action	*a = ctp_fsm_act(out, CTP_ACT_SEND_CTD);

	a->peer = ev->peer;
	ctp_fsm_entry_add(a->entries, &a->nentries, CTP_FSM_MAX_ITEMS, 0, 0,
	    status);
}

/* CTAA entries of the transfer: the requested FPTs that are not sent. */
static void
par_ctaa(struct ctp_par *st, struct ctp_fsm_actions *out, bool a_flag,
    const struct ctp_fsm_params *p, uint64_t now)
{
	struct ctp_fsm_item	 e[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_action	*a;
	uint8_t			 n = 0;
	size_t			 i;

	for (i = 0; i < st->nitems; i++)
		if (st->items[i].flags & IF_ERR)
			ctp_fsm_entry_add(e, &n, CTP_FSM_MAX_ITEMS,
			    st->items[i].fpt, 0, st->items[i].status);
	if (n == 0 && par_count(st, IF_SENT, 0) == 0)
		ctp_fsm_entry_add(e, &n, CTP_FSM_MAX_ITEMS, 0, 0,
		    CTP_ST_NO_CONTEXT);
	if (a_flag) {
		a = ctp_fsm_act(out, CTP_ACT_SEND_CTAA);
		a->nentries = n;
		memcpy(a->entries, e, n * sizeof(e[0]));
	}
	ctp_fsm_replay_remember(&st->replay, st->seq, a_flag ? e : NULL, n,
	    now, p);
}

/* REPORT_FAILED for every pending R context (never lost silently, §6.1). */
static void
par_report_pending(struct ctp_par *st, struct ctp_fsm_actions *out,
    uint8_t status)
{
	struct ctp_fsm_action	*a = NULL;
	struct ctp_fsm_item	*it;
	size_t			 i;

	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		if (!PENDING(it) || (it->flags & CTP_FSM_F_R) == 0)
			continue;
		if (a == NULL)
			a = ctp_fsm_act(out, CTP_ACT_REPORT_FAILED);
		ctp_fsm_entry_add(a->items, &a->nitems, CTP_FSM_MAX_ITEMS,
		    it->fpt, CTP_FSM_F_R, it->status ? it->status : status);
		it->flags |= IF_FINAL;
	}
	if (a != NULL)
		ctp_fsm_count(out, CTP_CNT_REL_FAILED);
}

/* End of a transfer (C21): report what is left, wipe cache and key. */
static void
par_finish(struct ctp_par *st, struct ctp_fsm_actions *out, uint8_t status)
{
	par_report_pending(st, out, status);
	ctp_fsm_act(out, CTP_ACT_WIPE_CACHE);
	ctp_fsm_act(out, CTP_ACT_WIPE_KEY);
	ctp_fsm_timer_stop_all(out, &st->timers, true);
	st->flags &= (uint8_t)~PF_PEER_DOWN;
	st->state = CTP_PAR_DONE;
}

static void
par_unexpected(struct ctp_fsm_actions *out, const char *reason)
{
	ctp_fsm_count(out, CTP_CNT_UNEXPECTED);
	out->reason = reason;
}

static enum ctp_err
par_verify(const struct ctp_fsm_event *ev)
{
	return ctp_token_verify_msg(ev->tctx, ev->key, ev->msg);
}

/* ---------------------------------------------------- IDLE and DONE */

static void
par_idle_ctar(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	static const struct ctp_fsm_item nopeer = { 0, 0, CTP_ST_NO_PEER };
	const struct ctp_msg	*m = ev->msg;
	bool			 a = m->hdr.x;
	enum ctp_err		 e;

	if (!par_key_ok(ev)) {
		if (a)
			ctp_fsm_ctaa_whole(out, CTP_ST_NO_CONTEXT);
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		out->reason = "CTAR: no key for the MN";
		return;
	}
	if ((e = par_verify(ev)) != CTP_OK) {
		/* Not remembered: a forged CTAR must not pin the seq (C16). */
		if (a)
			ctp_fsm_ctaa_whole(out, CTP_ST_AUTH_FAILED);
		ctp_fsm_count(out, e == CTP_ERR_TOKEN ? CTP_CNT_TOKEN_FAIL :
		    CTP_CNT_TOKEN_ERROR);
		out->reason = e == CTP_ERR_TOKEN ? "CTAR: bad token" :
		    "CTAR: token could not be checked";
		return;
	}
	st->seq = m->seq;
	if (ev->peer == CTP_FSM_NO_PEER) {
		if (a)
			ctp_fsm_ctaa_whole(out, CTP_ST_NO_PEER);
		ctp_fsm_replay_remember(&st->replay, m->seq, a ? &nopeer : NULL,
		    1, now, p);
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_REPLAY,
		    st->replay.until_ms);
		ctp_fsm_count(out, CTP_CNT_NO_PEER);
		out->reason = "CTAR: named nAR is not a usable neighbour";
		return;
	}
	par_items(st, ev, out);
	if (par_count(st, IF_SENT, 0) == 0) {
		par_ctaa(st, out, a, p, now);
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_REPLAY,
		    st->replay.until_ms);
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		out->reason = "CTAR: none of the requested contexts is held";
		return;
	}
	par_start(st, p, ev, now, true);
	par_send(st, now, out, true, true);
	par_ctaa(st, out, a, p, now);
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_HANDOVER,
	    now + p->max_handover_ms);
	par_arm_retx(st, p, now, out);
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_REPLAY,
	    st->replay.until_ms);
	st->state = CTP_PAR_PUSHED;
	out->reason = "CTAR token verified: PCTD pushed to nAR (predictive)";
}

static void
par_idle_trigger(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	if (ev->peer == CTP_FSM_NO_PEER) {
		ctp_fsm_count(out, CTP_CNT_NO_PEER);
		out->reason = "trigger: nAR is not a usable neighbour";
		return;
	}
	if (!par_key_ok(ev)) {
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		out->reason = "trigger: no key for the MN, PCTD impossible";
		return;
	}
	par_items(st, ev, out);
	if (par_count(st, IF_SENT, 0) == 0) {
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		out->reason = "trigger: no context held for the MN";
		return;
	}
	st->seq = 0;
	par_start(st, p, ev, now, false);
	par_send(st, now, out, true, true);
	ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_HANDOVER,
	    now + p->max_handover_ms);
	par_arm_retx(st, p, now, out);
	st->state = CTP_PAR_PUSHED;
	out->reason = "trigger: PCTD pushed to nAR (predictive, network)";
}

static void
par_idle_ctreq(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;
	bool			 zero = ctp_token_is_zero(m->token);
	enum ctp_err		 e;

	if (ev->peer == CTP_FSM_NO_PEER) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CT-Req from an unknown peer: ignored";
		return;
	}
	if (!par_key_ok(ev)) {
		par_error_ctd(ev, out, CTP_ST_NO_CONTEXT);
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		st->state = CTP_PAR_DONE;
		out->reason = "CT-Req: no context for the MN, error CTD sent";
		return;
	}
	if (!zero && (e = par_verify(ev)) != CTP_OK) {
		par_error_ctd(ev, out, CTP_ST_AUTH_FAILED);
		ctp_fsm_count(out, e == CTP_ERR_TOKEN ? CTP_CNT_TOKEN_FAIL :
		    CTP_CNT_TOKEN_ERROR);
		st->state = CTP_PAR_DONE;
		out->reason = "CT-Req: bad token, error CTD sent";
		return;
	}
	par_items(st, ev, out);
	if (st->nitems == 0) {
		/*
		 * "All contexts" and none held: an empty CTD would read as
		 * a complete transfer at the nAR.  The key stays, as after
		 * a CTAR here that finds nothing (C9).
		 */
		par_error_ctd(ev, out, CTP_ST_NO_CONTEXT);
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		st->state = CTP_PAR_DONE;
		out->reason = "CT-Req: no context held for the MN, error CTD "
		    "sent";
		return;
	}
	st->seq = m->seq;
	par_start(st, p, ev, now, true);
	if (zero) {
		/*
		 * §2.1: answered as if predictive, key included; the nAR
		 * checks the CTAR later, so cache it for CT_MAX_HANDOVER_TIME.
		 */
		par_send(st, now, out, true, true);
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_HANDOVER,
		    now + p->max_handover_ms);
		par_arm_retx(st, p, now, out);
		st->state = CTP_PAR_PUSHED;
		out->reason = "CT-Req with zero token: PCTD with key material sent";
		return;
	}
	par_send(st, now, out, false, true);
	if (st->flags & PF_A) {
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_XFER,
		    st->deadline_ms);
		par_arm_retx(st, p, now, out);
		st->state = CTP_PAR_WAIT_CTDR;
		out->reason = "CT-Req token verified: CTD sent, waiting for CTDR";
		return;
	}
	par_finish(st, out, CTP_ST_SUCCESS);
	out->reason = "CT-Req token verified: CTD sent, no reply asked";
}

static void
par_timer(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out);

static void
par_idle(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		if (ctp_fsm_replay_match(&st->replay, ev->msg->seq, now)) {
			ctp_fsm_replay_answer(&st->replay, out);
			return;
		}
		par_idle_ctar(st, p, ev, now, out);
		return;
	case CTP_EV_TRIGGER:
		par_idle_trigger(st, p, ev, now, out);
		return;
	case CTP_EV_CTREQ:
		par_idle_ctreq(st, p, ev, now, out);
		return;
	case CTP_EV_CTDR:
		par_unexpected(out, "CTDR without a transfer: ignored");
		return;
	case CTP_EV_CTC:
		/* No cache and no transfer: nothing to cancel, key kept. */
		par_unexpected(out, "CTC without a transfer: ignored");
		return;
	case CTP_EV_TIMER:
		par_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		out->reason = "channel event without a transfer: nothing to do";
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
	case CTP_EV_INSTALL_DONE:
		par_unexpected(out, "event of the nAR role at a pAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	par_unexpected(out, "unknown event");
}

/* ---------------------------------------------- PUSHED and WAIT_CTDR */

static void
par_run_ctar(struct ctp_par *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;

	if ((st->flags & PF_HAVE_SEQ) && m->seq == st->seq) {
		ctp_fsm_count(out, CTP_CNT_DUPLICATE);
		out->reason = "CTAR for the running transfer: ignored";
		return;
	}
	if (m->hdr.x)
		ctp_fsm_ctaa_whole(out, CTP_ST_BUSY);
	ctp_fsm_count(out, CTP_CNT_BUSY);
	out->reason = m->hdr.x ? "CTAR while a transfer runs: BUSY" :
	    "CTAR while a transfer runs: ignored";
}

static void
par_run_ctreq(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;
	bool			 zero = ctp_token_is_zero(m->token);
	enum ctp_err		 e;

	if (ev->peer == CTP_FSM_NO_PEER) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CT-Req from an unknown peer: ignored";
		return;
	}
	if ((st->flags & PF_HAVE_SEQ) && m->seq != st->seq) {
		par_error_ctd(ev, out, CTP_ST_BUSY);
		ctp_fsm_count(out, CTP_CNT_BUSY);
		out->reason = "CT-Req for another transfer while one runs: BUSY";
		return;
	}
	if (!par_key_ok(ev)) {
		par_error_ctd(ev, out, CTP_ST_NO_CONTEXT);
		ctp_fsm_count(out, CTP_CNT_NO_CONTEXT);
		out->reason = "CT-Req: key gone, error CTD sent";
		return;
	}
	/*
	 * A zero token is only good for a PCTD: the nAR checks the CTAR
	 * itself.  Anything that would go out without the key needs the token.
	 */
	if ((!zero || st->state == CTP_PAR_WAIT_CTDR) &&
	    (e = par_verify(ev)) != CTP_OK) {
		par_error_ctd(ev, out, CTP_ST_AUTH_FAILED);
		ctp_fsm_count(out, e == CTP_ERR_TOKEN ? CTP_CNT_TOKEN_FAIL :
		    CTP_CNT_TOKEN_ERROR);
		out->reason = "CT-Req for the running transfer: bad token";
		return;
	}
	if ((st->flags & PF_HAVE_SEQ) == 0) {
		st->seq = m->seq;
		st->flags |= PF_HAVE_SEQ;
	}
	st->peer = ev->peer;
	st->flags &= (uint8_t)~PF_PEER_DOWN;
	if (st->state == CTP_PAR_PUSHED) {
		par_select(st, IF_SENT, 0);
		par_send(st, now, out, true, true);
		out->reason = "CT-Req with the cached seq: cached PCTD re-sent";
	} else {
		par_select(st, IF_SENT, IF_OK | IF_FINAL);
		par_send(st, now, out, false, false);
		out->reason = "repeated CT-Req: unconfirmed contexts re-sent";
	}
	ctp_fsm_count(out, CTP_CNT_RETRANSMIT);
	par_arm_retx(st, p, now, out);
}

/* Statuses a retry cannot change: report at once instead of retrying. */
static bool
par_permanent(uint8_t status)
{
	switch (status) {
	case CTP_ST_UNSUPPORTED_FPT:
	case CTP_ST_AUTH_FAILED:
	case CTP_ST_NO_CONTEXT:
	case CTP_ST_STALE:
	case CTP_ST_MALFORMED:
	case CTP_ST_ADMIN_PROHIBITED:
	case CTP_ST_CANCELLED:
		return true;
	default:
		return false;
	}
}

static int
par_entry_find(const struct ctp_msg *m, uint16_t fpt)
{
	size_t	 i;

	for (i = 0; i < m->nentries; i++)
		if (m->entries[i].fpt == fpt)
			return (int)i;
	return -1;
}

/*
 * CTDR (§3.5, §6.1, D11).  S=1 with only zero entries confirms everything;
 * otherwise the entries are authoritative, an entry for FPT 0 covers every
 * FPT it does not name, and an R FPT that is not listed has failed.
 */
static void
par_run_ctdr(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	const struct ctp_msg	*m = ev->msg;
	struct ctp_fsm_action	*rep = NULL;
	struct ctp_fsm_item	*it;
	bool			 authoritative = !m->hdr.x, late;
	size_t			 i, nretry = 0;
	uint8_t			 status;
	int			 ei, whole;

	if (ev->peer != st->peer) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CTDR from a peer not in the transfer: ignored";
		return;
	}
	for (i = 0; i < m->nentries; i++)
		if (m->entries[i].status != CTP_ST_SUCCESS)
			authoritative = true;
	whole = par_entry_find(m, 0);
	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		it->flags &= (uint8_t)~IF_INFLIGHT;
		if (!PENDING(it))
			continue;
		if (!authoritative) {
			it->flags |= IF_OK;
			continue;
		}
		if ((ei = par_entry_find(m, it->fpt)) >= 0)
			status = m->entries[ei].status;
		else if (whole >= 0)
			status = m->entries[whole].status;
		else if (it->flags & CTP_FSM_F_R)
			status = CTP_ST_INSTALL_FAILED;	/* missing = failed */
		else {
			it->flags |= IF_FINAL;	/* non-R: not tracked further */
			continue;
		}
		if (status == CTP_ST_SUCCESS) {
			it->flags |= IF_OK;
			continue;
		}
		it->status = status;
		if ((it->flags & CTP_FSM_F_R) == 0) {
			it->flags |= IF_FINAL;	/* non-R: never retried */
			continue;
		}
		if (par_permanent(status)) {
			if (rep == NULL)
				rep = ctp_fsm_act(out, CTP_ACT_REPORT_FAILED);
			ctp_fsm_entry_add(rep->items, &rep->nitems,
			    CTP_FSM_MAX_ITEMS, it->fpt, CTP_FSM_F_R, status);
			it->flags |= IF_FINAL;
			continue;
		}
		it->flags |= IF_INFLIGHT;
		nretry++;
	}
	if (nretry > 0 && st->state == CTP_PAR_PUSHED)
		/* The push was installed only now: the retry budget starts. */
		st->deadline_ms = now + p->max_transfer_ms;
	late = now >= st->deadline_ms ||
	    ctp_fsm_elapsed(st->first_ms, now) > p->max_handover_ms;
	if (nretry > 0 && late) {
		/* A retry would miss the budget or be discarded as STALE. */
		for (i = 0; i < st->nitems; i++) {
			it = &st->items[i];
			if ((it->flags & IF_INFLIGHT) == 0)
				continue;
			if (rep == NULL)
				rep = ctp_fsm_act(out, CTP_ACT_REPORT_FAILED);
			ctp_fsm_entry_add(rep->items, &rep->nitems,
			    CTP_FSM_MAX_ITEMS, it->fpt, CTP_FSM_F_R,
			    it->status);
			it->flags = (uint8_t)((it->flags & ~IF_INFLIGHT) |
			    IF_FINAL);
		}
		nretry = 0;
	}
	if (rep != NULL)
		ctp_fsm_count(out, CTP_CNT_REL_FAILED);
	if (nretry == 0) {
		par_finish(st, out, CTP_ST_SUCCESS);
		out->reason = rep == NULL ?
		    "CTDR: transfer confirmed, cache and key wiped" :
		    "CTDR: reliable contexts failed, reported; cache and key wiped";
		return;
	}
	/* §6.1: new CTD, only the failed R CDBs; Elapsed Time goes on. */
	par_send(st, now, out, false, false);
	ctp_fsm_count(out, CTP_CNT_RETRY);
	if (st->state == CTP_PAR_PUSHED) {
		ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_HANDOVER);
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_XFER,
		    st->deadline_ms);
	}
	par_arm_retx(st, p, now, out);
	st->state = CTP_PAR_WAIT_CTDR;
	out->reason = "CTDR: failed reliable contexts retried";
}

static void
par_run_ctc(struct ctp_par *st, const struct ctp_fsm_event *ev,
    struct ctp_fsm_actions *out)
{
	if (ev->peer != st->peer) {
		ctp_fsm_count(out, CTP_CNT_WRONG_PEER);
		out->reason = "CTC from a peer not in the transfer: ignored";
		return;
	}
	par_finish(st, out, CTP_ST_CANCELLED);
	ctp_fsm_count(out, CTP_CNT_CANCELLED);
	out->reason = "CTC: transfer cancelled, cache and key wiped";
}

static void
par_run_peer(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	if (ev->peer != st->peer) {
		out->reason = "event for another channel: ignored";
		return;
	}
	if (ev->type == CTP_EV_PEER_DOWN) {
		st->flags |= PF_PEER_DOWN;
		ctp_fsm_timer_stop(out, &st->timers, CTP_TIMER_RETRY);
		out->reason = "channel down: pending contexts re-sent when it is back";
		return;
	}
	if ((st->flags & PF_PEER_DOWN) == 0) {
		out->reason = "channel up, was not down: nothing to do";
		return;
	}
	st->flags &= (uint8_t)~PF_PEER_DOWN;
	if (st->state == CTP_PAR_PUSHED) {
		/* The nAR may have lost the PCTD, and it needs the key. */
		par_select(st, IF_SENT, 0);
		par_send(st, now, out, true, true);
		out->reason = "channel back: cached PCTD re-sent";
	} else if (par_select(st, IF_SENT | CTP_FSM_F_R,
	    IF_OK | IF_FINAL) > 0) {
		par_send(st, now, out, false, false);
		out->reason = "channel back: pending reliable contexts re-sent";
	} else {
		out->reason = "channel back: no reliable context pending";
		return;
	}
	ctp_fsm_count(out, CTP_CNT_RETRANSMIT);
	par_arm_retx(st, p, now, out);
}

static void
par_retransmit(struct ctp_par *st, uint64_t now, struct ctp_fsm_actions *out)
{
	if (st->state != CTP_PAR_PUSHED && st->state != CTP_PAR_WAIT_CTDR) {
		out->reason = "retransmission timer without a transfer: ignored";
		return;
	}
	if (st->flags & PF_PEER_DOWN) {
		out->reason = "retransmission skipped: channel down";
		return;
	}
	par_send(st, now, out, (st->flags & PF_LAST_PCTD) != 0,
	    (st->flags & PF_LAST_FULL) != 0);
	ctp_fsm_count(out, CTP_CNT_RETRANSMIT);
	st->rto_ms *= 2;
	if (now + st->rto_ms < st->deadline_ms)
		ctp_fsm_timer_set(out, &st->timers, CTP_TIMER_RETRY,
		    now + st->rto_ms);
	out->reason = "UDP retransmission";
}

static void
par_timer(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	uint8_t	 bit = (uint8_t)(1u << ev->timer);

	(void)p;
	if ((st->timers & bit) == 0) {
		out->reason = "timer not armed (stopped or stale): ignored";
		return;
	}
	st->timers &= (uint8_t)~bit;
	switch (ev->timer) {
	case CTP_TIMER_XFER:
		if (st->state != CTP_PAR_WAIT_CTDR) {
			out->reason = "transfer timer outside WAIT_CTDR: ignored";
			return;
		}
		par_finish(st, out, CTP_ST_TIMEOUT);
		ctp_fsm_count(out, CTP_CNT_TIMEOUT);
		out->reason = "CT_MAX_TRANSFER_TIME: transfer given up, wiped";
		return;
	case CTP_TIMER_HANDOVER:
		if (st->state != CTP_PAR_PUSHED) {
			out->reason = "handover timer outside PUSHED: ignored";
			return;
		}
		par_finish(st, out, CTP_ST_TIMEOUT);
		ctp_fsm_count(out, CTP_CNT_TIMEOUT);
		out->reason = "CT_MAX_HANDOVER_TIME: cached PCTD and key wiped";
		return;
	case CTP_TIMER_RETRY:
		par_retransmit(st, now, out);
		return;
	case CTP_TIMER_REPLAY:
		ctp_fsm_replay_forget(&st->replay);
		if (st->state == CTP_PAR_DONE)
			st->state = CTP_PAR_IDLE;
		out->reason = "replay memory expired";
		return;
	case CTP_TIMER__MAX:
		break;
	}
	out->reason = "unknown timer";
}

static void
par_running(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now, struct ctp_fsm_actions *out)
{
	switch (ev->type) {
	case CTP_EV_CTAR:
		if (ctp_fsm_replay_match(&st->replay, ev->msg->seq, now)) {
			ctp_fsm_replay_answer(&st->replay, out);
			return;
		}
		par_run_ctar(st, ev, out);
		return;
	case CTP_EV_TRIGGER:
		ctp_fsm_count(out, CTP_CNT_BUSY);
		out->reason = "trigger while a transfer runs: ignored";
		return;
	case CTP_EV_CTREQ:
		par_run_ctreq(st, p, ev, now, out);
		return;
	case CTP_EV_CTDR:
		par_run_ctdr(st, p, ev, now, out);
		return;
	case CTP_EV_CTC:
		par_run_ctc(st, ev, out);
		return;
	case CTP_EV_TIMER:
		par_timer(st, p, ev, now, out);
		return;
	case CTP_EV_PEER_DOWN:
	case CTP_EV_PEER_UP:
		par_run_peer(st, p, ev, now, out);
		return;
	case CTP_EV_CTD:
	case CTP_EV_PCTD:
	case CTP_EV_INSTALL_DONE:
		par_unexpected(out, "event of the nAR role at a pAR: ignored");
		return;
	case CTP_EV__MAX:
		break;
	}
	par_unexpected(out, "unknown event");
}

enum ctp_err
ctp_par_step(struct ctp_par *st, const struct ctp_fsm_params *p,
    const struct ctp_fsm_event *ev, uint64_t now_ms,
    struct ctp_fsm_actions *out)
{
	enum ctp_err	 e;

	if (st == NULL || (unsigned)st->state >= CTP_PAR__MAX)
		return CTP_ERR_INVAL;
	if ((e = ctp_fsm_event_check(ev, p, out)) != CTP_OK)
		return e;
	out->n = 0;
	out->full = false;
	out->from = st->state;
	out->reason = NULL;
	switch (st->state) {
	case CTP_PAR_IDLE:
	case CTP_PAR_DONE:
		par_idle(st, p, ev, now_ms, out);
		break;
	case CTP_PAR_PUSHED:
	case CTP_PAR_WAIT_CTDR:
		par_running(st, p, ev, now_ms, out);
		break;
	case CTP_PAR__MAX:
		break;
	}
	out->to = st->state;
	if (out->reason == NULL)
		out->reason = "no reason recorded";
	return out->full ? CTP_ERR_NOSPACE : CTP_OK;
}
