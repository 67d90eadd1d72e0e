/* SPDX-License-Identifier: ISC */
/*
 * Shared parts of the per-MN state machines: protocol constants, the action
 * list and its builders, the (MN, seq) replay memory of C16, event checks,
 * and the name tables and one-line renderings used by logs, ctpctl and tests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctp_fsm.h"

void
ctp_fsm_params_default(struct ctp_fsm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_transfer_ms = 200;
	p->max_handover_ms = 2000;
	p->retry_max_ms = 15000;
	p->udp_rto_ms = 50;
	p->udp = false;
	p->ctd_ack = true;
}

void
ctp_fsm_actions_init(struct ctp_fsm_actions *out)
{
	memset(out, 0, sizeof(*out));
	out->cap = CTP_FSM_MAX_ACTIONS;
}

struct ctp_fsm_action *
ctp_fsm_act(struct ctp_fsm_actions *out, enum ctp_fsm_act t)
{
	struct ctp_fsm_action	*a;

	if (out->n >= out->cap) {
		out->full = true;
		a = &out->spill;
	} else
		a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = t;
	a->peer = CTP_FSM_NO_PEER;
	return a;
}

void
ctp_fsm_count(struct ctp_fsm_actions *out, enum ctp_fsm_counter c)
{
	ctp_fsm_act(out, CTP_ACT_COUNT)->counter = c;
}

void
ctp_fsm_timer_set(struct ctp_fsm_actions *out, uint8_t *armed,
    enum ctp_fsm_timer t, uint64_t deadline_ms)
{
	struct ctp_fsm_action	*a = ctp_fsm_act(out, CTP_ACT_TIMER_SET);

	a->timer = t;
	a->deadline_ms = deadline_ms;
	*armed |= (uint8_t)(1u << t);
}

void
ctp_fsm_timer_stop(struct ctp_fsm_actions *out, uint8_t *armed,
    enum ctp_fsm_timer t)
{
	if ((*armed & (1u << t)) == 0)
		return;
	ctp_fsm_act(out, CTP_ACT_TIMER_STOP)->timer = t;
	*armed &= (uint8_t)~(1u << t);
}

void
ctp_fsm_timer_stop_all(struct ctp_fsm_actions *out, uint8_t *armed,
    bool keep_replay)
{
	int	 t;

	for (t = 0; t < CTP_TIMER__MAX; t++)
		if (!keep_replay || t != CTP_TIMER_REPLAY)
			ctp_fsm_timer_stop(out, armed, (enum ctp_fsm_timer)t);
}

bool
ctp_fsm_entry_add(struct ctp_fsm_item *list, uint8_t *n, size_t cap,
    uint16_t fpt, uint8_t flags, uint8_t status)
{
	if (*n >= cap)
		return false;
	list[*n].fpt = fpt;
	list[*n].flags = flags;
	list[*n].status = status;
	(*n)++;
	return true;
}

int
ctp_fsm_item_find(const struct ctp_fsm_item *list, size_t n, uint16_t fpt)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (list[i].fpt == fpt)
			return (int)i;
	return -1;
}

bool
ctp_fsm_replay_match(const struct ctp_fsm_replay *r, uint32_t seq,
    uint64_t now_ms)
{
	return r->valid && r->seq == seq && now_ms < r->until_ms;
}

void
ctp_fsm_replay_remember(struct ctp_fsm_replay *r, uint32_t seq,
    const struct ctp_fsm_item *ctaa, size_t nctaa, uint64_t now_ms,
    const struct ctp_fsm_params *p)
{
	memset(r, 0, sizeof(*r));
	r->valid = true;
	r->seq = seq;
	r->until_ms = now_ms + p->retry_max_ms;
	if (ctaa != NULL) {
		if (nctaa > CTP_FSM_MAX_ITEMS)
			nctaa = CTP_FSM_MAX_ITEMS;
		r->has_ctaa = true;
		r->nctaa = (uint8_t)nctaa;
		memcpy(r->ctaa, ctaa, nctaa * sizeof(*ctaa));
	}
}

void
ctp_fsm_replay_forget(struct ctp_fsm_replay *r)
{
	memset(r, 0, sizeof(*r));
}

void
ctp_fsm_replay_answer(const struct ctp_fsm_replay *r,
    struct ctp_fsm_actions *out)
{
	struct ctp_fsm_action	*a;

	if (r->has_ctaa) {
		a = ctp_fsm_act(out, CTP_ACT_SEND_CTAA);
		a->cached = true;
		a->nentries = r->nctaa;
		memcpy(a->entries, r->ctaa, r->nctaa * sizeof(r->ctaa[0]));
		out->reason = "duplicate CTAR (C16): cached CTAA re-sent";
	} else
		out->reason = "duplicate CTAR (C16): ignored";
	ctp_fsm_count(out, CTP_CNT_DUPLICATE);
}

void
ctp_fsm_ctaa_whole(struct ctp_fsm_actions *out, uint8_t status)
{
	struct ctp_fsm_action	*a = ctp_fsm_act(out, CTP_ACT_SEND_CTAA);

	ctp_fsm_entry_add(a->entries, &a->nentries, CTP_FSM_MAX_ITEMS, 0, 0,
	    status);
}

uint32_t
ctp_fsm_elapsed(uint64_t first_ms, uint64_t now_ms)
{
	uint64_t	 d = now_ms > first_ms ? now_ms - first_ms : 0;

	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static bool
ctp_fsm_list_ok(const void *p, size_t n, size_t max)
{
	return n <= max && (n == 0 || p != NULL);
}

enum ctp_err
ctp_fsm_event_check(const struct ctp_fsm_event *ev,
    const struct ctp_fsm_params *p, struct ctp_fsm_actions *out)
{
	static const uint8_t	 want[CTP_EV__MAX] = {
		[CTP_EV_CTAR] = CTP_MSG_CTAR,
		[CTP_EV_CTREQ] = CTP_MSG_CTREQ,
		[CTP_EV_CTD] = CTP_MSG_CTD,
		[CTP_EV_PCTD] = CTP_MSG_PCTD,
		[CTP_EV_CTDR] = CTP_MSG_CTDR,
		[CTP_EV_CTC] = CTP_MSG_CTC,
	};

	if (ev == NULL || p == NULL || out == NULL ||
	    out->cap > CTP_FSM_MAX_ACTIONS ||
	    (unsigned)ev->type >= CTP_EV__MAX)
		return CTP_ERR_INVAL;
	if (want[ev->type] != 0 &&
	    (ev->msg == NULL || ev->msg->hdr.type != want[ev->type] ||
	    ev->msg->ncdbs > CTP_MAX_CDBS ||
	    ev->msg->nentries > CTP_MAX_ENTRIES))
		return CTP_ERR_INVAL;
	if (ev->type == CTP_EV_TIMER && (unsigned)ev->timer >= CTP_TIMER__MAX)
		return CTP_ERR_INVAL;
	if ((ev->type == CTP_EV_CTAR || ev->type == CTP_EV_CTREQ ||
	    ev->type == CTP_EV_PCTD) && ev->tctx == NULL)
		return CTP_ERR_INVAL;
	if (!ctp_fsm_list_ok(ev->held, ev->nheld, CTP_MAX_CDBS) ||
	    !ctp_fsm_list_ok(ev->req, ev->nreq, CTP_FSM_MAX_ITEMS) ||
	    !ctp_fsm_list_ok(ev->errs, ev->nerrs, CTP_MAX_ENTRIES) ||
	    !ctp_fsm_list_ok(ev->results, ev->nresults, CTP_MAX_ENTRIES))
		return CTP_ERR_INVAL;
	return CTP_OK;
}

/* ------------------------------------------------------------ names */

static const char *const ctp_par_state_names[CTP_PAR__MAX] = {
	[CTP_PAR_IDLE] = "IDLE",
	[CTP_PAR_PUSHED] = "PUSHED",
	[CTP_PAR_WAIT_CTDR] = "WAIT_CTDR",
	[CTP_PAR_DONE] = "DONE",
};

static const char *const ctp_nar_state_names[CTP_NAR__MAX] = {
	[CTP_NAR_IDLE] = "IDLE",
	[CTP_NAR_WAIT_CTD] = "WAIT_CTD",
	[CTP_NAR_HELD] = "HELD",
	[CTP_NAR_INSTALLING] = "INSTALLING",
	[CTP_NAR_ACTIVE] = "ACTIVE",
};

static const char *const ctp_fsm_event_names[CTP_EV__MAX] = {
	[CTP_EV_CTAR] = "CTAR",
	[CTP_EV_TRIGGER] = "TRIGGER",
	[CTP_EV_CTREQ] = "CTREQ",
	[CTP_EV_CTD] = "CTD",
	[CTP_EV_PCTD] = "PCTD",
	[CTP_EV_CTDR] = "CTDR",
	[CTP_EV_CTC] = "CTC",
	[CTP_EV_TIMER] = "TIMER",
	[CTP_EV_PEER_DOWN] = "PEER_DOWN",
	[CTP_EV_PEER_UP] = "PEER_UP",
	[CTP_EV_INSTALL_DONE] = "INSTALL_DONE",
};

static const char *const ctp_fsm_action_names[CTP_ACT__MAX] = {
	[CTP_ACT_SEND_PCTD] = "SEND_PCTD",
	[CTP_ACT_SEND_CTD] = "SEND_CTD",
	[CTP_ACT_SEND_CTREQ] = "SEND_CTREQ",
	[CTP_ACT_SEND_CTDR] = "SEND_CTDR",
	[CTP_ACT_SEND_CTC] = "SEND_CTC",
	[CTP_ACT_SEND_CTAA] = "SEND_CTAA",
	[CTP_ACT_INSTALL] = "INSTALL",
	[CTP_ACT_HOLD] = "HOLD",
	[CTP_ACT_DISCARD] = "DISCARD",
	[CTP_ACT_WIPE_KEY] = "WIPE_KEY",
	[CTP_ACT_WIPE_CACHE] = "WIPE_CACHE",
	[CTP_ACT_TIMER_SET] = "TIMER_SET",
	[CTP_ACT_TIMER_STOP] = "TIMER_STOP",
	[CTP_ACT_REPORT_FAILED] = "REPORT_FAILED",
	[CTP_ACT_COUNT] = "COUNT",
};

static const char *const ctp_fsm_timer_names[CTP_TIMER__MAX] = {
	[CTP_TIMER_XFER] = "XFER",
	[CTP_TIMER_HANDOVER] = "HANDOVER",
	[CTP_TIMER_RETRY] = "RETRY",
	[CTP_TIMER_REPLAY] = "REPLAY",
};

static const char *const ctp_fsm_counter_names[CTP_CNT__MAX] = {
	[CTP_CNT_TOKEN_FAIL] = "TOKEN_FAIL",
	[CTP_CNT_TOKEN_ERROR] = "TOKEN_ERROR",
	[CTP_CNT_NO_CONTEXT] = "NO_CONTEXT",
	[CTP_CNT_NO_PEER] = "NO_PEER",
	[CTP_CNT_DUPLICATE] = "DUPLICATE",
	[CTP_CNT_STALE] = "STALE",
	[CTP_CNT_BUSY] = "BUSY",
	[CTP_CNT_UNEXPECTED] = "UNEXPECTED",
	[CTP_CNT_WRONG_PEER] = "WRONG_PEER",
	[CTP_CNT_ALG] = "ALG",
	[CTP_CNT_TOO_MANY] = "TOO_MANY",
	[CTP_CNT_RETRY] = "RETRY",
	[CTP_CNT_RETRANSMIT] = "RETRANSMIT",
	[CTP_CNT_REL_FAILED] = "REL_FAILED",
	[CTP_CNT_CANCELLED] = "CANCELLED",
	[CTP_CNT_TIMEOUT] = "TIMEOUT",
	[CTP_CNT_HOLD_EXPIRED] = "HOLD_EXPIRED",
	[CTP_CNT_FPT0] = "FPT0",
	[CTP_CNT_UNVERIFIED] = "UNVERIFIED",
	[CTP_CNT_REFUSED] = "REFUSED",
	[CTP_CNT_INSTALL_TIMEOUT] = "INSTALL_TIMEOUT",
};

static const char *
ctp_fsm_name(const char *const *tab, int max, int v)
{
	if (v < 0 || v >= max || tab[v] == NULL)
		return "?";
	return tab[v];
}

const char *
ctp_par_state_name(int v)
{
	return ctp_fsm_name(ctp_par_state_names, CTP_PAR__MAX, v);
}

const char *
ctp_nar_state_name(int v)
{
	return ctp_fsm_name(ctp_nar_state_names, CTP_NAR__MAX, v);
}

const char *
ctp_fsm_event_name(int v)
{
	return ctp_fsm_name(ctp_fsm_event_names, CTP_EV__MAX, v);
}

const char *
ctp_fsm_action_name(int v)
{
	return ctp_fsm_name(ctp_fsm_action_names, CTP_ACT__MAX, v);
}

const char *
ctp_fsm_timer_name(int v)
{
	return ctp_fsm_name(ctp_fsm_timer_names, CTP_TIMER__MAX, v);
}

const char *
ctp_fsm_counter_name(int v)
{
	return ctp_fsm_name(ctp_fsm_counter_names, CTP_CNT__MAX, v);
}

/* ------------------------------------------------------------ rendering */

/* snprintf at buf + *off; *off counts what a big enough buffer needs. */
static void
ctp_fsm_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
ctp_fsm_put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	if (*off < len)
		r = vsnprintf(buf + *off, len - *off, fmt, ap);
	else
		r = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		*off += (size_t)r;
}

static void
ctp_fsm_put_items(char *buf, size_t len, size_t *off, const char *tag,
    const struct ctp_fsm_item *it, size_t n, bool status)
{
	const char	*st;
	size_t		 i;

	if (n == 0)
		return;
	ctp_fsm_put(buf, len, off, "%s", tag);
	for (i = 0; i < n; i++) {
		ctp_fsm_put(buf, len, off, "%s%04x", i ? "," : "", it[i].fpt);
		if (status) {
			st = ctp_status_name(it[i].status);
			ctp_fsm_put(buf, len, off, ":%s", st ? st : "?");
		} else if (it[i].flags & CTP_FSM_F_R)
			ctp_fsm_put(buf, len, off, "R");
	}
}

static void
ctp_fsm_put_mask(char *buf, size_t len, size_t *off, const uint8_t *mask)
{
	bool	 first = true;
	int	 i;

	ctp_fsm_put(buf, len, off, "cdbs=");
	for (i = 0; i < CTP_MAX_CDBS; i++)
		if (mask[i / 8] & (1u << (i % 8))) {
			ctp_fsm_put(buf, len, off, "%s%d", first ? "" : ",", i);
			first = false;
		}
	if (first)
		ctp_fsm_put(buf, len, off, "none");
}

static void
ctp_fsm_put_action(char *buf, size_t len, size_t *off,
    const struct ctp_fsm_action *a)
{
	ctp_fsm_put(buf, len, off, "%s", ctp_fsm_action_name(a->type));
	switch (a->type) {
	case CTP_ACT_SEND_PCTD:
	case CTP_ACT_SEND_CTD:
		ctp_fsm_put(buf, len, off, "(peer=%u A=%d elapsed=%u", a->peer,
		    a->a_flag, a->elapsed_ms);
		ctp_fsm_put_items(buf, len, off, " items=", a->items, a->nitems,
		    false);
		ctp_fsm_put_items(buf, len, off, " errs=", a->entries,
		    a->nentries, true);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_SEND_CTREQ:
		ctp_fsm_put(buf, len, off, "(peer=%u seq=%08x token=%s",
		    a->peer, a->seq, a->zero_token ? "zero" : "copied");
		ctp_fsm_put_items(buf, len, off, " req=", a->items, a->nitems,
		    false);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_SEND_CTDR:
		ctp_fsm_put(buf, len, off, "(peer=%u S=%d", a->peer, a->s_flag);
		ctp_fsm_put_items(buf, len, off, " entries=", a->entries,
		    a->nentries, true);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_SEND_CTC:
		ctp_fsm_put(buf, len, off, "(peer=%u)", a->peer);
		break;
	case CTP_ACT_SEND_CTAA:
		ctp_fsm_put(buf, len, off, "(%s", a->cached ? "cached" : "new");
		ctp_fsm_put_items(buf, len, off, " entries=", a->entries,
		    a->nentries, true);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_INSTALL:
		ctp_fsm_put(buf, len, off, "(%s", a->from_held ? "held" : "msg ");
		if (!a->from_held)
			ctp_fsm_put_mask(buf, len, off, a->cdb_mask);
		ctp_fsm_put_items(buf, len, off, " fpts=", a->items, a->nitems,
		    false);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_HOLD:
		ctp_fsm_put(buf, len, off, "(");
		ctp_fsm_put_mask(buf, len, off, a->cdb_mask);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_TIMER_SET:
		ctp_fsm_put(buf, len, off, "(%s@%llu)",
		    ctp_fsm_timer_name(a->timer),
		    (unsigned long long)a->deadline_ms);
		break;
	case CTP_ACT_TIMER_STOP:
		ctp_fsm_put(buf, len, off, "(%s)", ctp_fsm_timer_name(a->timer));
		break;
	case CTP_ACT_REPORT_FAILED:
		ctp_fsm_put(buf, len, off, "(");
		ctp_fsm_put_items(buf, len, off, "", a->items, a->nitems, true);
		ctp_fsm_put(buf, len, off, ")");
		break;
	case CTP_ACT_COUNT:
		ctp_fsm_put(buf, len, off, "(%s)",
		    ctp_fsm_counter_name(a->counter));
		break;
	case CTP_ACT_DISCARD:
	case CTP_ACT_WIPE_KEY:
	case CTP_ACT_WIPE_CACHE:
	case CTP_ACT__MAX:
		break;
	}
}

int
ctp_fsm_action_format(const struct ctp_fsm_action *a, char *buf, size_t len)
{
	size_t	 off = 0;

	if (len > 0)
		buf[0] = '\0';
	ctp_fsm_put_action(buf, len, &off, a);
	return off > INT32_MAX ? INT32_MAX : (int)off;
}

int
ctp_fsm_actions_format(const struct ctp_fsm_actions *out, char *buf,
    size_t len)
{
	size_t	 i, off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < out->n; i++) {
		if (i > 0)
			ctp_fsm_put(buf, len, &off, "; ");
		ctp_fsm_put_action(buf, len, &off, &out->a[i]);
	}
	return off > INT32_MAX ? INT32_MAX : (int)off;
}
