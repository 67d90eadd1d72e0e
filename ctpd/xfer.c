/* SPDX-License-Identifier: ISC */
/*
 * The transfer engine: one pAR and one nAR state machine per MN (libctp
 * ctp_fsm), fed with CTARs, peer messages, named timers and channel events,
 * and the executor of the actions they return (send, install, hold, wipe,
 * timers, reports, counters).  Control-socket views live in xfer_json.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <openssl/crypto.h>

#include "ctp_feature.h"
#include "ctp_fsm.h"
#include "ctpd.h"
#include "log.h"
#include "provider.h"
#include "store.h"
#include "xfer_priv.h"

static void	xfer_step(struct xfer_engine *, struct xfer_mn *, int role,
		    const struct ctp_fsm_event *);

const char *const xfer_role_names[XFER__ROLES] = { "pAR", "nAR" };

/* ------------------------------------------------------------ MN table */

static size_t
xfer_bucket(const struct xfer_engine *x, const struct ctp_addr *n)
{
	return (size_t)(store_addr_hash(x->seed, n) & (x->nb - 1));
}

struct xfer_mn *
xfer_mn_find(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct ctp_addr	 n;
	struct xfer_mn	*m;

	ctp_addr_norm(mn, &n);
	for (m = x->b[xfer_bucket(x, &n)]; m != NULL; m = m->hnext)
		if (m->mn.len == n.len && memcmp(m->mn.b, n.b, n.len) == 0)
			return m;
	return NULL;
}

static void
xfer_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct xfer_timer	*t = arg;
	struct xfer_mn		*m = t->m;
	struct ctp_fsm_event	 ev;

	(void)fd;
	(void)what;
	memset(&ev, 0, sizeof(ev));
	ev.type = CTP_EV_TIMER;
	ev.timer = (enum ctp_fsm_timer)t->timer;
	ev.peer = t->role == XFER_PAR ? m->par.peer : m->nar.peer;
	xfer_step(m->x, m, t->role, &ev);
}

static void
xfer_grow(struct xfer_engine *x)
{
	struct xfer_mn	**nb, *m, *next;
	size_t		 i, h, nn = x->nb * 2;

	if ((nb = calloc(nn, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < x->nb; i++)
		for (m = x->b[i]; m != NULL; m = next) {
			next = m->hnext;
			h = (size_t)(store_addr_hash(x->seed, &m->mn) &
			    (nn - 1));
			m->hnext = nb[h];
			nb[h] = m;
		}
	free(x->b);
	x->b = nb;
	x->nb = nn;
}

/* A new entry for mn, from the free list when there is one. */
static struct xfer_mn *
xfer_mn_new(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct xfer_mn	*m;
	size_t		 h;
	int		 r, t;

	if ((m = x->free) != NULL) {
		x->free = m->hnext;
		x->nfree--;
	} else if ((m = malloc(sizeof(*m))) == NULL) {
		log_warn("xfer");
		return NULL;
	}
	memset(m, 0, sizeof(*m));
	m->x = x;
	ctp_addr_norm(mn, &m->mn);
	ctp_par_init(&m->par);
	ctp_nar_init(&m->nar);
	for (r = 0; r < XFER__ROLES; r++)
		for (t = 0; t < CTP_TIMER__MAX; t++) {
			m->t[r][t].m = m;
			m->t[r][t].role = (uint8_t)r;
			m->t[r][t].timer = (uint8_t)t;
			evtimer_assign(&m->t[r][t].ev, x->d->base,
			    xfer_timer_cb, &m->t[r][t]);
		}
	if (x->n >= x->nb)
		xfer_grow(x);
	h = xfer_bucket(x, &m->mn);
	m->hnext = x->b[h];
	x->b[h] = m;
	x->n++;
	return m;
}

static void
xfer_mn_release(struct xfer_engine *x, struct xfer_mn *m)
{
	struct xfer_mn	**pp;
	int		 r, t;

	for (r = 0; r < XFER__ROLES; r++)
		for (t = 0; t < CTP_TIMER__MAX; t++)
			evtimer_del(&m->t[r][t].ev);
	provider_cancel(x->prov, m);
	if (m->active)
		x->ntransfers--;
	if (m->held)
		x->nheld--;
	ctp_nar_clear(&m->nar);
	for (pp = &x->b[xfer_bucket(x, &m->mn)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == m) {
			*pp = m->hnext;
			break;
		}
	x->n--;
	OPENSSL_cleanse(m, sizeof(*m));
	if (x->nfree < XFER_FREE_MAX) {
		m->hnext = x->free;
		x->free = m;
		x->nfree++;
	} else
		free(m);
}

static bool
xfer_par_active(const struct ctp_par *p)
{
	return p->state == CTP_PAR_PUSHED || p->state == CTP_PAR_WAIT_CTDR;
}

static bool
xfer_nar_active(const struct ctp_nar *n)
{
	return n->state == CTP_NAR_WAIT_CTD || n->state == CTP_NAR_HELD ||
	    n->state == CTP_NAR_INSTALLING;
}

/* Keep the transfer and hold counts, free what is over. */
static void
xfer_account(struct xfer_engine *x, struct xfer_mn *m)
{
	bool	 active, held = m->nar.state == CTP_NAR_HELD;

	active = xfer_par_active(&m->par) || xfer_nar_active(&m->nar);

	if (active != m->active) {
		if (active)
			x->ntransfers++;
		else
			x->ntransfers--;
		m->active = active;
	}
	if (held != m->held) {
		if (held)
			x->nheld++;
		else
			x->nheld--;
		m->held = held;
	}
	if (m->nar.state != CTP_NAR_INSTALLING && m->inst_pending > 0) {
		/* The install was given up (deadline): stop its hooks. */
		provider_cancel(x->prov, m);
		m->inst_pending = 0;
	}
	if (ctp_par_reclaimable(&m->par) && ctp_nar_reclaimable(&m->nar) &&
	    m->inst_pending == 0)
		xfer_mn_release(x, m);
}

/* ------------------------------------------------------------ helpers */

const char *
xfer_addr(const struct ctp_addr *a, char *buf, size_t len)
{
	return ctp_addr_str(a, buf, len);
}

static const char *
xfer_peer_name(struct xfer_engine *x, uint32_t id)
{
	struct peer	*p;

	if (id == CTP_FSM_NO_PEER ||
	    (p = peer_at(x->d->peers, id)) == NULL)
		return "-";
	return peer_name(p);
}

/* The MN's token key: the store's, else the configured one (not burnt). */
static const struct ctp_key *
xfer_key(struct xfer_engine *x, const struct ctp_addr *mn)
{
	const struct ctp_conf_mnkey	*ck;
	struct store_mn			*sm;
	struct ctp_addr			 n;

	if ((sm = store_get(x->store, mn)) != NULL) {
		if (ctp_key_present(&sm->key))
			return &sm->key;
		if (sm->key_burnt)
			return NULL;
	}
	ctp_addr_norm(mn, &n);
	if ((ck = ctp_conf_mnkey_find(x->d->conf, &n)) == NULL &&
	    (ck = ctp_conf_mnkey_find(x->d->conf, mn)) == NULL)
		return NULL;
	return &ck->key;
}

/* This router is the MN's current AR: it has its contexts or a key. */
static bool
xfer_home(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct store_mn	*sm;
	struct ctp_addr	 n;

	if ((sm = store_get(x->store, mn)) != NULL &&
	    (sm->set[STORE_OWN] != NULL || ctp_key_present(&sm->key) ||
	    sm->key_burnt))
		return true;
	ctp_addr_norm(mn, &n);
	return ctp_conf_mnkey_find(x->d->conf, &n) != NULL ||
	    ctp_conf_mnkey_find(x->d->conf, mn) != NULL;
}

static bool
xfer_reliable(struct xfer_engine *x, uint16_t fpt)
{
	const struct ctp_conf_feature	*f;

	f = provider_feature(x->d->conf, fpt);
	return f != NULL && f->reliable;
}

/* The FPTs the store holds for mn (pAR), R set for reliable ones. */
static size_t
xfer_held(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct store_mn		*sm;
	struct store_cdb	*d;
	size_t			 n = 0;
	int			 k;

	if ((sm = store_get(x->store, mn)) == NULL)
		return 0;
	for (d = sm->set[STORE_OWN]; d != NULL && n < CTP_MAX_CDBS;
	    d = d->next) {
		k = ctp_fsm_item_find(x->held, n, d->fpt);
		if (k < 0) {
			k = (int)n++;
			x->held[k].fpt = d->fpt;
			x->held[k].flags = 0;
			x->held[k].status = 0;
		}
		if (d->r || xfer_reliable(x, d->fpt))
			x->held[k].flags |= CTP_FSM_F_R;
	}
	return n;
}

static void
xfer_params(struct xfer_engine *x, uint32_t peer, struct ctp_fsm_params *p)
{
	const struct ctp_conf_timers	*t = &x->d->conf->timers;
	const struct ctp_conf_peer	*pc;
	struct peer			*pp;

	ctp_fsm_params_default(p);
	p->max_transfer_ms = t->max_transfer_ms;
	p->max_handover_ms = t->max_handover_ms;
	p->retry_max_ms = t->retry_max_ms;
	p->udp_rto_ms = t->udp_rto_ms;
	if (peer != CTP_FSM_NO_PEER &&
	    (pp = peer_at(x->d->peers, peer)) != NULL &&
	    (pc = peer_conf(pp)) != NULL)
		p->udp = pc->transport == CTP_CONF_TR_UDP;
}

/* ------------------------------------------------------------ sending */

/* Reset the scratch message to an empty one of type t about mn. */
static struct ctp_msg *
xfer_msg(struct xfer_engine *x, unsigned t, const struct ctp_addr *mn)
{
	struct ctp_msg	*msg = &x->msg;

	memset(msg, 0, offsetof(struct ctp_msg, cdbs));
	msg->ncdbs = 0;
	msg->nentries = 0;
	msg->hdr.version = CTP_VERSION;
	msg->hdr.type = (uint8_t)t;
	msg->hdr.v4 = mn->len == 4;
	msg->mn = *mn;
	return msg;
}

static int
xfer_encode(struct xfer_engine *x, size_t *len)
{
	enum ctp_err	 e;

	if ((e = ctp_msg_encode(&x->msg, x->buf, sizeof(x->buf), len)) !=
	    CTP_OK) {
		x->c.encode_fail++;
		log_warnx("xfer: cannot encode %s: %s",
		    ctp_msg_type_name(x->msg.hdr.type), ctp_strerror(e));
		return -1;
	}
	return 0;
}

/* Encode the scratch message and queue it to peer id; -1 if not sent. */
static int
xfer_send_peer(struct xfer_engine *x, uint32_t id, const char *mnstr)
{
	struct peer	*p;
	size_t		 len;
	unsigned	 t = x->msg.hdr.type;
	int		 rv = -1;

	if (xfer_encode(x, &len) == -1)
		return -1;
	if (id != CTP_FSM_NO_PEER && (p = peer_at(x->d->peers, id)) != NULL &&
	    peer_send(p, x->buf, len) == 0)
		rv = 0;
	if (t == CTP_MSG_PCTD)
		OPENSSL_cleanse(x->buf, len);	/* the key was in it */
	if (rv == 0) {
		x->c.tx[t]++;
		log_debug("xfer %s: %s sent to %s (%zu octets)", mnstr,
		    ctp_msg_type_name(t), xfer_peer_name(x, id), len);
	} else {
		x->c.send_fail++;
		log_verbose("xfer %s: %s to %s not sent: channel down or "
		    "refused", mnstr, ctp_msg_type_name(t),
		    xfer_peer_name(x, id));
	}
	return rv;
}

static void
xfer_send_ctaa_raw(struct xfer_engine *x, const struct mn_src *src,
    const char *mnstr)
{
	size_t	 len;

	if (xfer_encode(x, &len) == -1)
		return;
	if (mn_send_ctaa(x->d->mn, src, x->buf, len) == -1) {
		x->c.ctaa_fail++;
		log_verbose("xfer %s: CTAA not sent", mnstr);
		return;
	}
	x->c.tx[CTP_MSG_CTAA]++;
}

/* CTAA with one whole-request entry (refusals before any state machine). */
static void
xfer_ctaa_whole(struct xfer_engine *x, const struct mn_src *src,
    const struct ctp_addr *mn, uint8_t status, const char *mnstr)
{
	struct ctp_msg	*msg = xfer_msg(x, CTP_MSG_CTAA, mn);

	msg->nentries = 1;
	msg->entries[0].fpt = 0;
	msg->entries[0].status = status;
	xfer_send_ctaa_raw(x, src, mnstr);
}

/* An error CDB (0xFF00, C9) of entries; FPT 0 goes as 0xFF00 (D7). */
static void
xfer_add_errcdb(struct xfer_engine *x, const struct ctp_fsm_item *e,
    size_t n)
{
	struct ctp_cdb	*c;
	size_t		 i, len;
	uint16_t	 fpt;

	if (n == 0 || x->msg.ncdbs >= CTP_MAX_CDBS)
		return;
	memset(x->errcdb, 0, sizeof(x->errcdb));
	for (i = 0; i < n; i++) {
		fpt = e[i].fpt == 0 ? CTP_FSM_FPT_ERROR : e[i].fpt;
		x->errcdb[4 * i] = (uint8_t)(fpt >> 8);
		x->errcdb[4 * i + 1] = (uint8_t)fpt;
		x->errcdb[4 * i + 2] = e[i].status;
	}
	len = 4 * n;
	if ((4 + len) % 8 != 0)
		len += 4;		/* all-zero group: padding (D7) */
	c = &x->msg.cdbs[x->msg.ncdbs++];
	memset(c, 0, sizeof(*c));
	c->fpt = CTP_FSM_FPT_ERROR;
	c->data = x->errcdb;
	c->data_len = (uint16_t)len;
}

static void
xfer_send_data(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_fsm_action *a, bool pctd, const char *mnstr)
{
	struct ctp_msg		*msg;
	struct store_mn		*sm;
	struct store_cdb	*d;
	const struct ctp_key	*key = NULL;
	size_t			 i;

	msg = xfer_msg(x, pctd ? CTP_MSG_PCTD : CTP_MSG_CTD,
	    &m->wire[XFER_PAR]);
	msg->hdr.x = a->a_flag;
	msg->elapsed_ms = a->elapsed_ms;
	if (pctd) {
		if ((key = xfer_key(x, &m->mn)) == NULL) {
			x->c.send_fail++;
			log_warnx("xfer %s: PCTD not sent: key gone", mnstr);
			m->send_failed[XFER_PAR] = true;
			return;
		}
		msg->alg = key->alg;
		msg->key_len = key->len;
		msg->key = key->b;
	}
	sm = store_get(x->store, &m->mn);
	for (i = 0; i < a->nitems && sm != NULL; i++)
		for (d = sm->set[STORE_OWN]; d != NULL; d = d->next) {
			if (d->fpt != a->items[i].fpt ||
			    msg->ncdbs >= CTP_MAX_CDBS - 1)
				continue;
			store_cdb_view(d, (a->items[i].flags & CTP_FSM_F_R) !=
			    0, &msg->cdbs[msg->ncdbs++]);
		}
	xfer_add_errcdb(x, a->entries, a->nentries);
	if (xfer_send_peer(x, a->peer, mnstr) == -1)
		m->send_failed[XFER_PAR] = true;
}

static void
xfer_send_ctreq(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_fsm_action *a, const char *mnstr)
{
	struct ctp_msg	*msg;
	struct ctp_cdb	*c;
	size_t		 i, len;
	struct peer	*p;
	int		 rv = -1;

	msg = xfer_msg(x, CTP_MSG_CTREQ, &m->ctar_mn);
	msg->seq = a->seq;
	if (!a->zero_token)
		memcpy(msg->token, a->token, sizeof(msg->token));
	for (i = 0; i < a->nitems; i++) {
		c = &msg->cdbs[msg->ncdbs++];
		memset(c, 0, sizeof(*c));
		c->fpt = a->items[i].fpt;
		c->r = (a->items[i].flags & CTP_FSM_F_R) != 0;
	}
	if (xfer_encode(x, &len) == -1)
		return;
	/*
	 * The token covers the request CDBs as the MN sent them (§3.7, §5.1):
	 * put the CTAR's octets back verbatim.  The nAR machine only keeps
	 * CTARs whose CDBs it can rebuild exactly, so this is a copy of the
	 * same octets, made explicit.
	 */
	if (!a->zero_token && m->ctar_raw_len == 4 * (size_t)a->nitems &&
	    m->ctar_raw_len <= len)
		memcpy(x->buf + len - m->ctar_raw_len, m->ctar_raw,
		    m->ctar_raw_len);
	if ((p = peer_at(x->d->peers, a->peer)) != NULL &&
	    peer_send(p, x->buf, len) == 0)
		rv = 0;
	if (rv == 0)
		x->c.tx[CTP_MSG_CTREQ]++;
	else {
		x->c.send_fail++;
		m->send_failed[XFER_NAR] = true;
		log_verbose("xfer %s: CT-Req to %s not sent", mnstr,
		    xfer_peer_name(x, a->peer));
	}
}

static void
xfer_send_entries(struct xfer_engine *x, const struct ctp_fsm_action *a)
{
	size_t	 i;

	for (i = 0; i < a->nentries; i++) {
		x->msg.entries[i].fpt = a->entries[i].fpt;
		x->msg.entries[i].status = a->entries[i].status;
	}
	x->msg.nentries = a->nentries;
}

/* ------------------------------------------------------------ install */

static void
xfer_inst_merge(struct xfer_mn *m, uint16_t fpt, uint8_t status)
{
	size_t	 i;

	for (i = 0; i < m->ninst; i++)
		if (m->inst[i].fpt == fpt) {
			if (m->inst[i].status == CTP_ST_SUCCESS)
				m->inst[i].status = status;
			return;
		}
}

static void
xfer_inst_one(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_cdb *c, bool *seen)
{
	int	 st, k;

	for (k = 0; k < m->ninst; k++)
		if (m->inst[k].fpt == c->fpt)
			break;
	if (k == m->ninst)
		return;		/* not asked for in this INSTALL */
	seen[k] = true;
	st = provider_install(x->prov, m, m->inst_gen, &m->mn, c);
	if (st == PROVIDER_PENDING)
		m->inst_pending++;
	else
		xfer_inst_merge(m, c->fpt, (uint8_t)st);
}

static void
xfer_install(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_fsm_action *a, const struct ctp_msg *msg,
    const char *mnstr)
{
	bool			 seen[CTP_FSM_MAX_ITEMS] = { false };
	struct store_mn		*sm;
	struct store_cdb	*d, *held;
	struct ctp_cdb		 c;
	size_t			 i;

	m->inst_gen = ++x->gen;
	m->inst_pending = 0;
	m->ninst = 0;
	sm = store_get(x->store, &m->mn);
	for (i = 0; i < a->nitems && i < CTP_FSM_MAX_ITEMS; i++) {
		m->inst[m->ninst].fpt = a->items[i].fpt;
		m->inst[m->ninst++].status = CTP_ST_SUCCESS;
		/* A transfer replaces what an earlier one installed. */
		if (sm != NULL)
			store_set_clear(x->store, sm, STORE_INSTALLED,
			    a->items[i].fpt);
	}
	if (a->from_held) {
		/* Moved, not copied: the bound is not hit twice (HOLD). */
		held = sm != NULL ? store_set_detach(x->store, sm, STORE_HELD) :
		    NULL;
		for (d = held; d != NULL; d = d->next) {
			store_cdb_view(d, d->r, &c);
			xfer_inst_one(x, m, &c, seen);
		}
		store_cdbs_free(held);
	} else if (msg != NULL) {
		for (i = 0; i < msg->ncdbs; i++)
			if (a->cdb_mask[i / 8] & (1u << (i % 8)))
				xfer_inst_one(x, m, &msg->cdbs[i], seen);
	}
	for (i = 0; i < m->ninst; i++)
		if (!seen[i])
			xfer_inst_merge(m, m->inst[i].fpt,
			    CTP_ST_INSTALL_FAILED);
	x->c.installs++;
	log_verbose("xfer %s: install of %zu FPTs, %u hooks running", mnstr,
	    (size_t)m->ninst, m->inst_pending);
	if (m->inst_pending == 0)
		m->inst_ready = true;
	if ((sm = store_get(x->store, &m->mn)) != NULL)
		store_gc(x->store, sm);
}

/* A hook finished (provider callback, from the event loop). */
static void
xfer_provider_done(void *arg, void *owner, uint64_t gen, uint16_t fpt,
    uint8_t status)
{
	struct xfer_engine	*x = arg;
	struct xfer_mn		*m = owner;
	struct ctp_fsm_event	 ev;

	if (m->inst_gen != gen || m->inst_pending == 0)
		return;
	xfer_inst_merge(m, fpt, status);
	if (--m->inst_pending > 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = CTP_EV_INSTALL_DONE;
	ev.peer = m->nar.peer;
	ev.results = m->inst;
	ev.nresults = m->ninst;
	xfer_step(x, m, XFER_NAR, &ev);
}

static void
xfer_hold(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_fsm_action *a, const struct ctp_msg *msg,
    const char *mnstr)
{
	struct store_mn	*sm;
	size_t		 i;

	if (msg == NULL)
		return;
	if ((sm = store_add(x->store, &m->mn)) == NULL) {
		x->c.resource_shortage++;
		log_warnx("xfer %s: held contexts not kept: store full", mnstr);
		return;
	}
	store_set_clear(x->store, sm, STORE_HELD, 0);
	for (i = 0; i < msg->ncdbs; i++) {
		if ((a->cdb_mask[i / 8] & (1u << (i % 8))) == 0)
			continue;
		if (store_cdb_add(x->store, sm, STORE_HELD, &msg->cdbs[i],
		    0) == -1) {
			x->c.resource_shortage++;
			log_warnx("xfer %s: held context %s not kept: store "
			    "full", mnstr, ctp_feature_name(msg->cdbs[i].fpt));
		}
	}
	sm->held_until_ms = ctpd_now_ms(x->d) +
	    x->d->conf->timers.max_handover_ms;
	x->c.holds++;
}

/* ------------------------------------------------------------ actions */

static void
xfer_report(struct xfer_engine *x, struct xfer_mn *m,
    const struct ctp_fsm_action *a, const char *mnstr)
{
	struct xfer_failure	*f;
	char			 line[512];
	const char		*name;
	size_t			 i, off = 0;

	for (i = 0; i < a->nitems && off < sizeof(line); i++) {
		name = ctp_feature_name(a->items[i].fpt);
		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    "%s%s%s%04x %s", i ? ", " : "", name ? name : "",
		    name ? "/0x" : "0x", a->items[i].fpt,
		    ctp_status_name(a->items[i].status));
		f = &x->fail[x->nfail++ % XFER_FAIL_RING];
		f->mn = m->mn;
		f->fpt = a->items[i].fpt;
		f->status = a->items[i].status;
		f->peer = m->par.peer;
		f->at_ms = ctpd_now_ms(x->d);
	}
	x->c.report_failed++;
	x->c.report_failed_fpts += a->nitems;
	log_warnx("xfer %s: reliable contexts not delivered to %s: %s", mnstr,
	    xfer_peer_name(x, m->par.peer), line);
}

static void
xfer_timer_set(struct xfer_engine *x, struct xfer_mn *m, int role,
    const struct ctp_fsm_action *a)
{
	struct timeval	 tv;
	uint64_t	 now = ctpd_now_ms(x->d), d;

	if ((unsigned)a->timer >= CTP_TIMER__MAX)
		return;
	d = a->deadline_ms > now ? a->deadline_ms - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	evtimer_add(&m->t[role][a->timer].ev, &tv);
}

/*
 * §5.3: the key is never used again.  A key from the store is wiped; a
 * configured one (token.keys) cannot be, so a tombstone in the store keeps
 * it from being found until a context put brings a fresh key.
 */
static void
xfer_wipe_key(struct xfer_engine *x, struct xfer_mn *m, const char *mnstr)
{
	const struct ctp_conf_mnkey	*ck;
	struct store_mn			*sm;
	struct ctp_addr			 n;

	ctp_addr_norm(&m->mn, &n);
	ck = ctp_conf_mnkey_find(x->d->conf, &n);
	if ((sm = store_get(x->store, &m->mn)) == NULL && ck != NULL)
		sm = store_add(x->store, &m->mn);
	if (sm != NULL) {
		store_key_wipe(sm);
		sm->key_burnt = ck != NULL;
		store_gc(x->store, sm);
	} else if (ck != NULL)
		log_warnx("xfer %s: store full: the configured key cannot be "
		    "marked used", mnstr);
	x->c.keys_wiped++;
}

/*
 * A token the MN's CTAR carried did not verify (here, or at the pAR, which
 * said so in an error CDB): the listener's back-off for that MN and source.
 */
static void
xfer_auth_failed(struct xfer_engine *x, struct xfer_mn *m, int role,
    const struct ctp_fsm_event *ev, enum ctp_fsm_counter c)
{
	size_t	 i;
	bool	 mine = false;

	if (!m->has_src[role])
		return;
	if (c == CTP_CNT_TOKEN_FAIL)
		mine = ev->type == CTP_EV_CTAR ||
		    (role == XFER_NAR && ev->type == CTP_EV_PCTD);
	else if (c == CTP_CNT_REFUSED)
		for (i = 0; i < ev->nerrs; i++)
			if (ev->errs[i].status == CTP_ST_AUTH_FAILED)
				mine = true;
	if (mine)
		mn_auth_failed(x->d->mn, &m->src[role], &m->mn);
}

/*
 * The MN's CTAR verified here (pAR pushes the contexts, or nAR installs
 * what it held): its back-off ends at once rather than after a quiet time.
 */
static void
xfer_auth_ok(struct xfer_engine *x, struct xfer_mn *m, int role,
    const struct ctp_fsm_event *ev, const struct ctp_fsm_actions *out)
{
	size_t	 i;

	if (ev->type != CTP_EV_CTAR || !m->has_src[role])
		return;
	for (i = 0; i < out->n; i++)
		if (out->a[i].type == CTP_ACT_SEND_PCTD ||
		    (out->a[i].type == CTP_ACT_INSTALL && out->a[i].from_held)) {
			mn_auth_ok(x->d->mn, &m->src[role], &m->mn);
			return;
		}
}

static void
xfer_run(struct xfer_engine *x, struct xfer_mn *m, int role,
    const struct ctp_fsm_event *ev, const struct ctp_fsm_actions *out,
    const char *mnstr)
{
	const struct ctp_fsm_action	*a;
	const struct ctp_msg		*evmsg = ev->msg;
	struct store_mn			*sm;
	struct ctp_msg			*msg;
	size_t				 i;

	xfer_auth_ok(x, m, role, ev, out);
	for (i = 0; i < out->n; i++) {
		a = &out->a[i];
		switch (a->type) {
		case CTP_ACT_SEND_PCTD:
		case CTP_ACT_SEND_CTD:
			xfer_send_data(x, m, a, a->type == CTP_ACT_SEND_PCTD,
			    mnstr);
			break;
		case CTP_ACT_SEND_CTREQ:
			xfer_send_ctreq(x, m, a, mnstr);
			break;
		case CTP_ACT_SEND_CTDR:
			msg = xfer_msg(x, CTP_MSG_CTDR, &m->wire[XFER_NAR]);
			msg->hdr.x = a->s_flag;
			xfer_send_entries(x, a);
			if (xfer_send_peer(x, a->peer, mnstr) == -1)
				m->send_failed[role] = true;
			break;
		case CTP_ACT_SEND_CTC:
			xfer_msg(x, CTP_MSG_CTC, &m->wire[XFER_NAR]);
			if (xfer_send_peer(x, a->peer, mnstr) == -1)
				m->send_failed[role] = true;
			break;
		case CTP_ACT_SEND_CTAA:
			if (!m->has_src[role]) {
				log_verbose("xfer %s: CTAA without a source "
				    "(network trigger): not sent", mnstr);
				break;
			}
			xfer_msg(x, CTP_MSG_CTAA, &m->ctar_mn);
			xfer_send_entries(x, a);
			xfer_send_ctaa_raw(x, &m->src[role], mnstr);
			if (a->cached)
				x->c.ctaa_cached++;
			break;
		case CTP_ACT_INSTALL:
			xfer_install(x, m, a, evmsg, mnstr);
			break;
		case CTP_ACT_HOLD:
			xfer_hold(x, m, a, evmsg, mnstr);
			break;
		case CTP_ACT_DISCARD:
			if ((sm = store_get(x->store, &m->mn)) != NULL) {
				store_set_clear(x->store, sm, STORE_HELD, 0);
				store_gc(x->store, sm);
			}
			x->c.discards++;
			break;
		case CTP_ACT_WIPE_KEY:
			xfer_wipe_key(x, m, mnstr);
			break;
		case CTP_ACT_WIPE_CACHE:
			if ((sm = store_get(x->store, &m->mn)) != NULL) {
				store_set_clear(x->store, sm, STORE_OWN, 0);
				store_gc(x->store, sm);
			}
			x->c.caches_wiped++;
			break;
		case CTP_ACT_TIMER_SET:
			xfer_timer_set(x, m, role, a);
			break;
		case CTP_ACT_TIMER_STOP:
			if ((unsigned)a->timer < CTP_TIMER__MAX)
				evtimer_del(&m->t[role][a->timer].ev);
			break;
		case CTP_ACT_REPORT_FAILED:
			xfer_report(x, m, a, mnstr);
			break;
		case CTP_ACT_COUNT:
			if ((unsigned)a->counter < CTP_CNT__MAX)
				x->cnt[a->counter]++;
			xfer_auth_failed(x, m, role, ev, a->counter);
			break;
		case CTP_ACT__MAX:
			break;
		}
	}
}

/*
 * One event through the MN's machine of that role, its actions carried out,
 * then the events those actions produce at once (an install that finished
 * without a hook, a send that failed on a closed channel), each its own step.
 */
static void
xfer_step(struct xfer_engine *x, struct xfer_mn *m, int role,
    const struct ctp_fsm_event *ev0)
{
	struct ctp_fsm_actions	 out;
	struct ctp_fsm_params	 p;
	struct ctp_fsm_event	 ev2;
	const struct ctp_fsm_event *ev = ev0;
	char			 mnstr[64], acts[256];
	enum ctp_err		 e;
	uint32_t		 peer;
	struct peer		*pp;
	int			 pass;

	xfer_addr(&m->mn, mnstr, sizeof(mnstr));
	ctp_fsm_actions_init(&out);
	for (pass = 0; pass < 4; pass++) {
		peer = role == XFER_PAR ? m->par.peer : m->nar.peer;
		xfer_params(x, peer != CTP_FSM_NO_PEER ? peer : ev->peer, &p);
		if (role == XFER_PAR)
			e = ctp_par_step(&m->par, &p, ev, ctpd_now_ms(x->d),
			    &out);
		else
			e = ctp_nar_step(&m->nar, &p, ev, ctpd_now_ms(x->d),
			    &out);
		if (e == CTP_ERR_INVAL) {
			x->c.step_errors++;
			log_warnx("xfer %s: %s event %s refused by the state "
			    "machine", mnstr, xfer_role_names[role],
			    ctp_fsm_event_name(ev->type));
			break;
		}
		x->c.steps++;
		if (log_getlevel() >= LOGL_DEBUG) {
			ctp_fsm_actions_format(&out, acts, sizeof(acts));
			log_debug("xfer %s: %s %s: %s", mnstr,
			    xfer_role_names[role],
			    ctp_fsm_event_name(ev->type), acts);
		}
		if (out.from != out.to)
			log_verbose("xfer %s: %s %s -> %s, reason: %s", mnstr,
			    xfer_role_names[role], role == XFER_PAR ?
			    ctp_par_state_name(out.from) :
			    ctp_nar_state_name(out.from), role == XFER_PAR ?
			    ctp_par_state_name(out.to) :
			    ctp_nar_state_name(out.to), out.reason);
		else
			log_debug("xfer %s: %s %s, reason: %s", mnstr,
			    xfer_role_names[role], role == XFER_PAR ?
			    ctp_par_state_name(out.to) :
			    ctp_nar_state_name(out.to), out.reason);
		xfer_run(x, m, role, ev, &out, mnstr);
		if (e == CTP_ERR_NOSPACE) {
			/* Incomplete step: wipe and start over (ctp_fsm.h). */
			x->c.step_errors++;
			log_warnx("xfer %s: %s step overflowed its actions: "
			    "state reset", mnstr, xfer_role_names[role]);
			if (role == XFER_PAR)
				ctp_par_init(&m->par);
			else
				ctp_nar_clear(&m->nar);
			break;
		}
		memset(&ev2, 0, sizeof(ev2));
		if (role == XFER_NAR && m->inst_ready) {
			m->inst_ready = false;
			ev2.type = CTP_EV_INSTALL_DONE;
			ev2.peer = m->nar.peer;
			ev2.results = m->inst;
			ev2.nresults = m->ninst;
			ev = &ev2;
			continue;
		}
		if (m->send_failed[role]) {
			m->send_failed[role] = false;
			peer = role == XFER_PAR ? m->par.peer : m->nar.peer;
			pp = peer != CTP_FSM_NO_PEER ?
			    peer_at(x->d->peers, peer) : NULL;
			if (pp != NULL && !peer_is_up(pp)) {
				/* Re-sent by the machine when it is back. */
				ev2.type = CTP_EV_PEER_DOWN;
				ev2.peer = peer;
				ev = &ev2;
				continue;
			}
		}
		break;
	}
	xfer_account(x, m);
}

/* ------------------------------------------------------------ inputs */

/* Refusals before a machine exists: limits.transfers, held-contexts. */
static bool
xfer_over_limit(struct xfer_engine *x, struct xfer_mn *m, bool hold)
{
	const struct ctp_conf_limits	*l = &x->d->conf->limits;

	if (m != NULL && m->active && !hold)
		return false;
	if (m != NULL && m->active && hold && m->held)
		return false;
	if (!(m != NULL && m->active) && x->ntransfers >= l->transfers) {
		x->c.limit_transfers++;
		return true;
	}
	if (hold && x->nheld >= l->held_contexts) {
		x->c.limit_held++;
		return true;
	}
	return false;
}

void
xfer_mn_ctar(struct xfer_engine *x, const struct mn_src *src,
    const struct ctp_msg *msg)
{
	struct ctp_fsm_event	 ev;
	struct xfer_mn		*m;
	struct peer		*p;
	char			 mnstr[64];
	int			 role;

	if (x->stopping || msg->hdr.type != CTP_MSG_CTAR)
		return;
	x->c.rx[CTP_MSG_CTAR]++;
	xfer_addr(&msg->mn, mnstr, sizeof(mnstr));
	m = xfer_mn_find(x, &msg->mn);
	/*
	 * Which role: a machine already running for the MN keeps it (nAR
	 * first: after a push the nAR holds).  Else an MN whose previous
	 * address lies in a neighbour's access prefixes came from there, so
	 * this router is its nAR; the router that has the MN's key is its
	 * pAR (predictive CTAR naming the nAR); any other is its nAR.
	 */
	if (m != NULL && m->nar.state != CTP_NAR_IDLE)
		role = XFER_NAR;
	else if (m != NULL && m->par.state != CTP_PAR_IDLE)
		role = XFER_PAR;
	else if (peer_by_mn(x->d->peers, &msg->mn) != NULL)
		role = XFER_NAR;
	else if (xfer_home(x, &msg->mn))
		role = XFER_PAR;
	else
		role = XFER_NAR;
	if (xfer_over_limit(x, m, false)) {
		log_limited(&x->ll, ctpd_now_ms(x->d), LOGL_WARN,
		    "xfer %s: CTAR refused: %zu transfers running "
		    "(limits.transfers)", mnstr, x->ntransfers);
		x->c.resource_shortage++;
		if (msg->hdr.x)
			xfer_ctaa_whole(x, src, &msg->mn,
			    CTP_ST_RESOURCE_SHORTAGE, mnstr);
		return;
	}
	if (m == NULL && (m = xfer_mn_new(x, &msg->mn)) == NULL) {
		if (msg->hdr.x)
			xfer_ctaa_whole(x, src, &msg->mn,
			    CTP_ST_RESOURCE_SHORTAGE, mnstr);
		return;
	}
	x->c.ctar[role]++;
	m->src[role] = *src;
	m->has_src[role] = true;
	m->ctar_mn = msg->mn;
	m->wire[role] = msg->mn;
	if (role == XFER_NAR && msg->cdb_raw_len <= sizeof(m->ctar_raw) &&
	    m->nar.state != CTP_NAR_WAIT_CTD) {
		m->ctar_raw_len = msg->cdb_raw_len;
		if (msg->cdb_raw_len > 0)
			memcpy(m->ctar_raw, msg->cdb_raw, msg->cdb_raw_len);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = CTP_EV_CTAR;
	ev.msg = msg;
	ev.tctx = x->d->tctx;
	ev.peer = CTP_FSM_NO_PEER;
	p = peer_by_addr(x->d->peers, &msg->ar);
	if (role == XFER_PAR) {
		/* The key goes in the PCTD: only a confidential channel. */
		if (p != NULL && peer_is_up(p) && peer_confidential(p))
			ev.peer = peer_id(p);
		ev.key = xfer_key(x, &msg->mn);
		ev.nheld = xfer_held(x, &msg->mn);
		ev.held = x->held;
	} else {
		if (p == NULL)
			p = peer_by_mn(x->d->peers, &msg->mn);
		if (p != NULL && peer_is_up(p))
			ev.peer = peer_id(p);
	}
	if (m->since_ms == 0 || !m->active)
		m->since_ms = ctpd_now_ms(x->d);
	xfer_step(x, m, role, &ev);
}

/* Verdicts on the CDBs of a CTD/PCTD and its error entries. */
static void
xfer_verdicts(struct xfer_engine *x, const struct ctp_msg *msg,
    struct ctp_fsm_event *ev)
{
	size_t	 i, j, need = 0;
	const struct ctp_cdb *c;

	ev->nerrs = 0;
	for (i = 0; i < msg->ncdbs; i++) {
		c = &msg->cdbs[i];
		x->verdict[i] = CTP_ST_SUCCESS;
		if (c->fpt == 0)
			continue;
		if (c->fpt == CTP_FSM_FPT_ERROR) {
			if (ctp_feature_decode(c, &x->fv, NULL) != CTP_OK) {
				x->c.bad_cdbs++;
				continue;
			}
			for (j = 0; j < x->fv.nentries &&
			    ev->nerrs < CTP_MAX_ENTRIES; j++)
				x->errs[ev->nerrs++] = x->fv.entries[j];
			continue;
		}
		if (ctp_feature_lookup(c->fpt) == NULL)
			x->verdict[i] = CTP_ST_UNSUPPORTED_FPT;
		else if (ctp_feature_validate(c, NULL) != CTP_OK) {
			x->verdict[i] = CTP_ST_MALFORMED;
			x->c.bad_cdbs++;
		} else if (provider_feature(x->d->conf, c->fpt) == NULL)
			x->verdict[i] = CTP_ST_UNSUPPORTED_FPT;
		else
			need += store_cdb_cost(c);
	}
	/* What would not fit the store is refused, nothing evicted. */
	if (need > 0 && !store_fits(x->store, need + 256)) {
		x->c.resource_shortage++;
		for (i = 0; i < msg->ncdbs; i++)
			if (x->verdict[i] == CTP_ST_SUCCESS &&
			    msg->cdbs[i].fpt != 0 &&
			    msg->cdbs[i].fpt != CTP_FSM_FPT_ERROR)
				x->verdict[i] = CTP_ST_RESOURCE_SHORTAGE;
	}
	ev->verdict = x->verdict;
	ev->errs = x->errs;
}

static bool
xfer_wants_ctdr(const struct ctp_msg *msg)
{
	size_t	 i;

	if (msg->hdr.x)
		return true;
	for (i = 0; i < msg->ncdbs; i++)
		if (msg->cdbs[i].r)
			return true;
	return false;
}

void
xfer_peer_message(struct xfer_engine *x, struct peer *p,
    const struct ctp_msg *msg, const uint8_t *raw, size_t len)
{
	struct ctp_fsm_event	 ev;
	struct xfer_mn		*m;
	char			 mnstr[64];
	int			 role;
	bool			 hold;

	(void)raw;
	(void)len;
	if (x->stopping || msg->hdr.type > CTP_MSG_TYPE_MAX)
		return;
	x->c.rx[msg->hdr.type]++;
	xfer_addr(&msg->mn, mnstr, sizeof(mnstr));
	switch (msg->hdr.type) {
	case CTP_MSG_CTREQ:
	case CTP_MSG_CTDR:
	case CTP_MSG_CTC:
		role = XFER_PAR;
		break;
	case CTP_MSG_CTD:
	case CTP_MSG_PCTD:
		role = XFER_NAR;
		break;
	default:
		x->c.unexpected++;
		log_limited(&x->ll, ctpd_now_ms(x->d), LOGL_WARN,
		    "peer %s: %s is not a peer message: ignored",
		    peer_name(p), ctp_msg_type_name(msg->hdr.type));
		return;
	}
	m = xfer_mn_find(x, &msg->mn);
	hold = msg->hdr.type == CTP_MSG_PCTD &&
	    (m == NULL || m->nar.state == CTP_NAR_IDLE ||
	    m->nar.state == CTP_NAR_ACTIVE);
	if ((msg->hdr.type == CTP_MSG_CTREQ || msg->hdr.type == CTP_MSG_PCTD ||
	    msg->hdr.type == CTP_MSG_CTD) && xfer_over_limit(x, m, hold)) {
		x->c.resource_shortage++;
		log_limited(&x->ll, ctpd_now_ms(x->d), LOGL_WARN,
		    "xfer %s: %s from %s refused: limits.transfers or "
		    "limits.held-contexts reached", mnstr,
		    ctp_msg_type_name(msg->hdr.type), peer_name(p));
		xfer_msg(x, msg->hdr.type == CTP_MSG_CTREQ ? CTP_MSG_CTD :
		    CTP_MSG_CTDR, &msg->mn);
		if (msg->hdr.type == CTP_MSG_CTREQ) {
			static const struct ctp_fsm_item e = { 0, 0,
			    CTP_ST_RESOURCE_SHORTAGE };
			xfer_add_errcdb(x, &e, 1);
		} else {
			x->msg.nentries = 1;
			x->msg.entries[0].fpt = 0;
			x->msg.entries[0].status = CTP_ST_RESOURCE_SHORTAGE;
		}
		if (msg->hdr.type == CTP_MSG_CTREQ || xfer_wants_ctdr(msg))
			xfer_send_peer(x, peer_id(p), mnstr);
		goto cleanse;
	}
	if (m == NULL) {
		if (msg->hdr.type == CTP_MSG_CTDR ||
		    msg->hdr.type == CTP_MSG_CTC ||
		    msg->hdr.type == CTP_MSG_CTD) {
			/* No transfer for it here: nothing to step. */
			x->c.unexpected++;
			log_verbose("xfer %s: %s from %s without a transfer: "
			    "ignored", mnstr, ctp_msg_type_name(msg->hdr.type),
			    peer_name(p));
			return;
		}
		if ((m = xfer_mn_new(x, &msg->mn)) == NULL)
			goto cleanse;
	}
	m->wire[role] = msg->mn;
	memset(&ev, 0, sizeof(ev));
	ev.msg = msg;
	ev.peer = peer_id(p);
	ev.tctx = x->d->tctx;
	switch (msg->hdr.type) {
	case CTP_MSG_CTREQ:
		ev.type = CTP_EV_CTREQ;
		ev.key = xfer_key(x, &msg->mn);
		ev.nheld = xfer_held(x, &msg->mn);
		ev.held = x->held;
		if (m->wire[XFER_PAR].len == 0)
			m->wire[XFER_PAR] = msg->mn;
		break;
	case CTP_MSG_CTDR:
		ev.type = CTP_EV_CTDR;
		break;
	case CTP_MSG_CTC:
		ev.type = CTP_EV_CTC;
		break;
	case CTP_MSG_CTD:
	case CTP_MSG_PCTD:
		ev.type = msg->hdr.type == CTP_MSG_CTD ? CTP_EV_CTD :
		    CTP_EV_PCTD;
		xfer_verdicts(x, msg, &ev);
		break;
	}
	if (!m->active)
		m->since_ms = ctpd_now_ms(x->d);
	xfer_step(x, m, role, &ev);
cleanse:
	/* ctp_fsm.h: the PCTD key in the receive buffer is ours to wipe. */
	if (msg->hdr.type == CTP_MSG_PCTD && msg->key != NULL)
		OPENSSL_cleanse((uint8_t *)(uintptr_t)msg->key, msg->key_len);
}

static void
xfer_peer_event(struct xfer_engine *x, struct peer *p, enum ctp_fsm_ev t)
{
	struct ctp_fsm_event	 ev;
	struct xfer_mn		*m, *next;
	struct ctp_addr		 mn;
	uint32_t		 id = peer_id(p);
	size_t			 i;

	if (x->stopping)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = t;
	ev.peer = id;
	/* Entries freed by a step go to the free list, never elsewhere. */
	for (i = 0; i < x->nb; i++)
		for (m = x->b[i]; m != NULL; m = next) {
			next = m->hnext;
			if (m->nar.peer == id && m->par.peer != id)
				xfer_step(x, m, XFER_NAR, &ev);
			else if (m->par.peer == id && m->nar.peer != id)
				xfer_step(x, m, XFER_PAR, &ev);
			else if (m->par.peer == id) {
				/* The step may release m: look it up again. */
				mn = m->mn;
				xfer_step(x, m, XFER_PAR, &ev);
				if ((m = xfer_mn_find(x, &mn)) != NULL &&
				    m->nar.peer == id)
					xfer_step(x, m, XFER_NAR, &ev);
			}
		}
}

void
xfer_peer_up(struct xfer_engine *x, struct peer *p)
{
	x->c.peer_up++;
	xfer_peer_event(x, p, CTP_EV_PEER_UP);
}

void
xfer_peer_down(struct xfer_engine *x, struct peer *p)
{
	x->c.peer_down++;
	xfer_peer_event(x, p, CTP_EV_PEER_DOWN);
}

/* ------------------------------------------------------------ life */

struct xfer_engine *
xfer_new(struct ctpd *d)
{
	struct xfer_engine	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		log_warn("xfer");
		return NULL;
	}
	x->d = d;
	x->nb = 64;
	x->seed = store_seed();
	log_limit_init(&x->ll, 10, 1000);
	if ((x->b = calloc(x->nb, sizeof(*x->b))) == NULL ||
	    (x->store = store_new(d->conf->limits.store_memory)) == NULL) {
		log_warn("xfer");
		xfer_free(x);
		return NULL;
	}
	if ((x->prov = provider_new(d, x->store, xfer_provider_done,
	    x)) == NULL) {
		xfer_free(x);
		return NULL;
	}
	return x;
}

void
xfer_shutdown(struct xfer_engine *x)
{
	struct xfer_mn	*m, *next;
	struct store_mn	*sm;
	char		 mnstr[64];
	size_t		 i;

	if (x->stopping)
		return;
	for (i = 0; i < x->nb; i++)
		for (m = x->b[i]; m != NULL; m = next) {
			next = m->hnext;
			xfer_addr(&m->mn, mnstr, sizeof(mnstr));
			/* nAR: tell the pAR to stop (§3.6). */
			if (xfer_nar_active(&m->nar) &&
			    m->nar.peer != CTP_FSM_NO_PEER) {
				xfer_msg(x, CTP_MSG_CTC, m->wire[XFER_NAR].len ?
				    &m->wire[XFER_NAR] : &m->mn);
				xfer_send_peer(x, m->nar.peer, mnstr);
				x->cnt[CTP_CNT_CANCELLED]++;
				log_info("xfer %s: nAR %s at shutdown: CTC "
				    "sent to %s", mnstr,
				    ctp_nar_state_name(m->nar.state),
				    xfer_peer_name(x, m->nar.peer));
			}
			/* pAR: what is not confirmed is said so, not lost. */
			if (xfer_par_active(&m->par)) {
				x->c.report_failed++;
				log_warnx("xfer %s: pAR %s at shutdown: "
				    "contexts sent to %s not confirmed", mnstr,
				    ctp_par_state_name(m->par.state),
				    xfer_peer_name(x, m->par.peer));
			}
			ctp_par_init(&m->par);
			xfer_mn_release(x, m);
		}
	for (sm = store_first(x->store); sm != NULL;
	    sm = store_next(x->store, sm))
		ctp_key_wipe(&sm->key);
	x->stopping = true;
}

void
xfer_free(struct xfer_engine *x)
{
	struct xfer_mn	*m;
	size_t		 i;

	if (x == NULL)
		return;
	for (i = 0; x->b != NULL && i < x->nb; i++)
		while ((m = x->b[i]) != NULL) {
			ctp_par_init(&m->par);
			xfer_mn_release(x, m);
		}
	while ((m = x->free) != NULL) {
		x->free = m->hnext;
		free(m);
	}
	provider_free(x->prov);
	store_free(x->store);
	free(x->b);
	OPENSSL_cleanse(x->buf, sizeof(x->buf));
	free(x);
}

struct store *
xfer_store(struct xfer_engine *x)
{
	return x->store;
}
