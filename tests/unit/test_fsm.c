/* SPDX-License-Identifier: ISC */
/*
 * Tests of the per-MN pAR and nAR state machines: every row of the spec §2.3
 * tables, the §6.1 R-flag rules, C16/C17/BUSY/CTC/timer rules, channel loss,
 * UDP retransmission, key wiping, and full predictive and reactive flows with
 * the two machines driven against each other and real tokens (§5.4 key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctp_fsm.h"
#include "ctp_msg.h"
#include "ctp_token.h"
#include "testutil.h"

#define PAR_PEER	1	/* the pAR as seen from the nAR */
#define NAR_PEER	2	/* the nAR as seen from the pAR */
#define OTHER_PEER	3

#define FPT_MLD		0x0001
#define FPT_AAA		0xff01
#define FPT_QOS		0xff02
#define FPT_ROHC	0xff03

static struct ctp_token_ctx	*tctx;
static struct ctp_fsm_params	 P;
static struct ctp_fsm_actions	 out;
static struct ctp_key		 K;		/* pAR store key, §5.4 */
static char			 buf[8192];

/* A message built as a struct, with the storage its pointers need. */
struct tmsg {
	struct ctp_msg	 m;
	uint8_t		 raw[4 * CTP_FSM_MAX_ITEMS * 2];
	uint8_t		 key[CTP_KEY_MAX];
	uint8_t		 data[8];
	struct ctp_entry errs[CTP_FSM_MAX_ITEMS];
	size_t		 nerrs;
};

#define NMSG	64
static struct tmsg	*pool[NMSG];
static int		 npool;

static struct tmsg *
tm_new(void)
{
	struct tmsg	*t;

	ck_assert_int_lt(npool, NMSG);
	t = calloc(1, sizeof(*t));
	ck_assert_ptr_nonnull(t);
	pool[npool++] = t;
	return t;
}

static void
key_0114(struct ctp_key *k)
{
	uint8_t	 b[20];
	int	 i;

	for (i = 0; i < 20; i++)
		b[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(ctp_key_set(k, b, sizeof(b)), CTP_OK);
}

static void
setup(void)
{
	tctx = ctp_token_ctx_new();
	ck_assert_ptr_nonnull(tctx);
	ctp_fsm_params_default(&P);
	ctp_fsm_actions_init(&out);
	key_0114(&K);
	npool = 0;
}

static void
teardown(void)
{
	int	 i;

	for (i = 0; i < npool; i++)
		free(pool[i]);
	npool = 0;
	ctp_token_ctx_free(tctx);
	tctx = NULL;
	ctp_key_wipe(&K);
}

static bool
all_zero(const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* ------------------------------------------------------ message builders */

static void
mn_addr(struct ctp_msg *m)
{
	static const uint8_t mn[4] = { 192, 0, 2, 10 };	/* §3.9 */
	static const uint8_t ar[4] = { 198, 51, 100, 1 };

	m->hdr.version = CTP_VERSION;
	m->hdr.v4 = true;
	m->mn.len = 4;
	memcpy(m->mn.b, mn, 4);
	m->ar.len = 4;
	memcpy(m->ar.b, ar, 4);
}

/* Request CDBs in the canonical 4-octet form, cdb_raw as on the wire. */
static void
set_req(struct tmsg *t, const struct ctp_fsm_item *req, size_t n)
{
	size_t	 i;

	t->m.ncdbs = n;
	for (i = 0; i < n; i++) {
		t->m.cdbs[i].fpt = req[i].fpt;
		t->m.cdbs[i].r = (req[i].flags & CTP_FSM_F_R) != 0;
		t->raw[4 * i] = (uint8_t)(req[i].fpt >> 8);
		t->raw[4 * i + 1] = (uint8_t)req[i].fpt;
		t->raw[4 * i + 2] = 0;
		t->raw[4 * i + 3] = t->m.cdbs[i].r ? 0x40 : 0;
		t->m.cdbs[i].off = (uint32_t)(4 * i);
	}
	t->m.cdb_raw = t->raw;
	t->m.cdb_raw_len = 4 * n;
}

/* CTAR with a real token from key (a wrong one if key is NULL). */
static struct tmsg *
mk_ctar(uint32_t seq, bool a, const struct ctp_fsm_item *req, size_t n,
    const struct ctp_key *key)
{
	struct tmsg	*t = tm_new();
	static const uint8_t bad[4] = { 0xde, 0xad, 0xbe, 0xef };

	mn_addr(&t->m);
	t->m.hdr.type = CTP_MSG_CTAR;
	t->m.hdr.x = a;
	t->m.seq = seq;
	set_req(t, req, n);
	if (key != NULL)
		ck_assert_int_eq(ctp_token_compute(tctx, key, &t->m.mn, seq,
		    t->m.cdb_raw, t->m.cdb_raw_len, t->m.token), CTP_OK);
	else
		memcpy(t->m.token, bad, 4);
	return t;
}

/* CT-Req copying a CTAR (§3.7), or with a zero token when ctar is NULL. */
static struct tmsg *
mk_ctreq(const struct tmsg *ctar, uint32_t seq, const struct ctp_fsm_item *req,
    size_t n)
{
	struct tmsg	*t = tm_new();

	mn_addr(&t->m);
	t->m.hdr.type = CTP_MSG_CTREQ;
	if (ctar != NULL) {
		t->m.seq = ctar->m.seq;
		memcpy(t->m.token, ctar->m.token, 4);
		t->m.ncdbs = ctar->m.ncdbs;
		memcpy(t->m.cdbs, ctar->m.cdbs, ctar->m.ncdbs *
		    sizeof(t->m.cdbs[0]));
		memcpy(t->raw, ctar->raw, ctar->m.cdb_raw_len);
		t->m.cdb_raw = t->raw;
		t->m.cdb_raw_len = ctar->m.cdb_raw_len;
	} else {
		t->m.seq = seq;
		set_req(t, req, n);
	}
	return t;
}

/* CTD/PCTD with one 8-octet data CDB per item (R from the item). */
static struct tmsg *
mk_data(uint8_t type, bool a, uint32_t elapsed, const struct ctp_fsm_item *it,
    size_t n, const struct ctp_key *key)
{
	struct tmsg	*t = tm_new();
	size_t		 i;

	mn_addr(&t->m);
	t->m.hdr.type = type;
	t->m.hdr.x = a;
	t->m.elapsed_ms = elapsed;
	t->m.ncdbs = n;
	for (i = 0; i < n; i++) {
		t->m.cdbs[i].fpt = it[i].fpt;
		t->m.cdbs[i].r = (it[i].flags & CTP_FSM_F_R) != 0;
		t->m.cdbs[i].data = t->data;
		t->m.cdbs[i].data_len = sizeof(t->data) - 4;
	}
	if (type == CTP_MSG_PCTD && key != NULL) {
		t->m.alg = key->alg;
		t->m.key_len = key->len;
		memcpy(t->key, key->b, key->len);
		t->m.key = t->key;
	}
	return t;
}

static struct tmsg *
mk_ctdr(bool s, const struct ctp_fsm_item *e, size_t n)
{
	struct tmsg	*t = tm_new();
	size_t		 i;

	mn_addr(&t->m);
	t->m.hdr.type = CTP_MSG_CTDR;
	t->m.hdr.x = s;
	t->m.nentries = n;
	for (i = 0; i < n; i++) {
		t->m.entries[i].fpt = e[i].fpt;
		t->m.entries[i].status = e[i].status;
	}
	return t;
}

static struct tmsg *
mk_ctc(void)
{
	struct tmsg	*t = tm_new();

	mn_addr(&t->m);
	t->m.hdr.type = CTP_MSG_CTC;
	return t;
}

/* ------------------------------------------------------ events, steps */

static const struct ctp_fsm_item HELD[] = {
	{ FPT_AAA, CTP_FSM_F_R, 0 },
	{ FPT_QOS, 0, 0 },
};
#define NHELD	(sizeof(HELD) / sizeof(HELD[0]))

static struct ctp_fsm_event
ev_msg(enum ctp_fsm_ev type, uint32_t peer, const struct tmsg *t)
{
	struct ctp_fsm_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.peer = peer;
	ev.msg = t != NULL ? &t->m : NULL;
	ev.tctx = tctx;
	if (t != NULL && t->nerrs > 0) {
		ev.errs = t->errs;
		ev.nerrs = t->nerrs;
	}
	return ev;
}

/* pAR event: the store's key (if present) and held list. */
static struct ctp_fsm_event
ev_par(enum ctp_fsm_ev type, uint32_t peer, const struct tmsg *t)
{
	struct ctp_fsm_event	 ev = ev_msg(type, peer, t);

	ev.key = ctp_key_present(&K) ? &K : NULL;
	ev.held = HELD;
	ev.nheld = NHELD;
	return ev;
}

static struct ctp_fsm_event
ev_timer(enum ctp_fsm_timer tm)
{
	struct ctp_fsm_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = CTP_EV_TIMER;
	ev.timer = tm;
	return ev;
}

static struct ctp_fsm_event
ev_peer(enum ctp_fsm_ev type, uint32_t peer)
{
	struct ctp_fsm_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.peer = peer;
	return ev;
}

static const char *
acts(void)
{
	ctp_fsm_actions_format(&out, buf, sizeof(buf));
	return buf;
}

static void
check_step(enum ctp_err e, const char *state, const char *want,
    const char *(*name)(int), const char *file, int line)
{
	const char	*got;

	ck_assert_msg(e == CTP_OK, "%s:%d: step returned %s", file, line,
	    ctp_errname(e));
	got = acts();
	ck_assert_msg(strcmp(got, want) == 0,
	    "%s:%d: actions\n  got:  %s\n  want: %s\n  (reason: %s)", file,
	    line, got, want, out.reason);
	ck_assert_msg(strcmp(name(out.to), state) == 0,
	    "%s:%d: state %s, want %s (reason: %s)", file, line, name(out.to),
	    state, out.reason);
	ck_assert_msg(out.reason != NULL &&
	    strcmp(out.reason, "no reason recorded") != 0,
	    "%s:%d: no reason", file, line);
}

#define PAR(st, ev, now, state, want) do {				\
	struct ctp_fsm_event ev_ = (ev);				\
	check_step(ctp_par_step((st), &P, &ev_, (now), &out), (state),	\
	    (want), ctp_par_state_name, __FILE__, __LINE__);		\
} while (0)

#define NAR(st, ev, now, state, want) do {				\
	struct ctp_fsm_event ev_ = (ev);				\
	check_step(ctp_nar_step((st), &P, &ev_, (now), &out), (state),	\
	    (want), ctp_nar_state_name, __FILE__, __LINE__);		\
} while (0)

static const struct ctp_fsm_item REQ_ALL[1];	/* n = 0: all contexts */
static const struct ctp_fsm_item REQ_MLD[] = { { FPT_MLD, 0, 0 } };
static const struct ctp_fsm_item DATA2[] = {
	{ FPT_AAA, CTP_FSM_F_R, 0 },
	{ FPT_QOS, 0, 0 },
};

/* The pAR in PUSHED after a predictive CTAR (A=1, all) at t=1000. */
static struct tmsg *
par_pushed(struct ctp_par *st)
{
	struct tmsg	*ctar = mk_ctar(0x01020304, true, REQ_ALL, 0, &K);

	ctp_par_init(st);
	PAR(st, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 1000, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "SEND_CTAA(new); TIMER_SET(HANDOVER@3000); TIMER_SET(REPLAY@16000)");
	return ctar;
}

/* The pAR in WAIT_CTDR after a reactive CT-Req (token OK) at t=1000. */
static struct tmsg *
par_wait(struct ctp_par *st)
{
	struct tmsg	*ctar = mk_ctar(7, true, REQ_ALL, 0, &K);

	ctp_par_init(st);
	PAR(st, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(ctar, 0, NULL, 0)),
	    1000, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(XFER@1200)");
	return ctar;
}

/* ---------------------------------------------------- basic checks */

START_TEST(test_token_vector)
{
	/* The builder reproduces the §3.9 / §5.4 token. */
	struct tmsg	*t = mk_ctar(0x01020304, true, REQ_MLD, 1, &K);

	ck_assert_str_eq(tu_hex(t->m.token, 4), "407859c4");
	ck_assert_str_eq(tu_hex(t->m.cdb_raw, t->m.cdb_raw_len), "00010000");
}
END_TEST

START_TEST(test_params_default)
{
	struct ctp_fsm_params	 p;

	memset(&p, 0xff, sizeof(p));
	ctp_fsm_params_default(&p);
	ck_assert_uint_eq(p.max_transfer_ms, 200);
	ck_assert_uint_eq(p.max_handover_ms, 2000);
	ck_assert_uint_eq(p.retry_max_ms, 15000);
	ck_assert_uint_eq(p.udp_rto_ms, 50);
	ck_assert(!p.udp);
	ck_assert(p.ctd_ack);
}
END_TEST

START_TEST(test_names)
{
	int	 i;

	for (i = 0; i < CTP_PAR__MAX; i++)
		ck_assert_str_ne(ctp_par_state_name(i), "?");
	for (i = 0; i < CTP_NAR__MAX; i++)
		ck_assert_str_ne(ctp_nar_state_name(i), "?");
	for (i = 0; i < CTP_EV__MAX; i++)
		ck_assert_str_ne(ctp_fsm_event_name(i), "?");
	for (i = 0; i < CTP_ACT__MAX; i++)
		ck_assert_str_ne(ctp_fsm_action_name(i), "?");
	for (i = 0; i < CTP_TIMER__MAX; i++)
		ck_assert_str_ne(ctp_fsm_timer_name(i), "?");
	for (i = 0; i < CTP_CNT__MAX; i++)
		ck_assert_str_ne(ctp_fsm_counter_name(i), "?");
	ck_assert_str_eq(ctp_par_state_name(CTP_PAR__MAX), "?");
	ck_assert_str_eq(ctp_nar_state_name(-1), "?");
	ck_assert_str_eq(ctp_nar_state_name(CTP_NAR_WAIT_CTD), "WAIT_CTD");
	ck_assert_str_eq(ctp_fsm_timer_name(CTP_TIMER_XFER), "XFER");
	ck_assert_str_eq(ctp_fsm_counter_name(CTP_CNT_BUSY), "BUSY");
}
END_TEST

START_TEST(test_bad_events)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;
	struct tmsg		*ctc = mk_ctc();

	ctp_par_init(&par);
	ctp_nar_init(&nar);
	/* message event without a message, or with the wrong type */
	ev = ev_par(CTP_EV_CTAR, NAR_PEER, NULL);
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
	ev = ev_par(CTP_EV_CTAR, NAR_PEER, ctc);
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
	ck_assert_int_eq(ctp_nar_step(&nar, &P, &ev, 0, &out), CTP_ERR_INVAL);
	/* timer out of range, event type out of range */
	ev = ev_timer(CTP_TIMER__MAX);
	ck_assert_int_eq(ctp_nar_step(&nar, &P, &ev, 0, &out), CTP_ERR_INVAL);
	ev = ev_peer(CTP_EV__MAX, PAR_PEER);
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
	/* a CTAR without a token context */
	ev = ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(1, true, REQ_ALL, 0, &K));
	ev.tctx = NULL;
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
	/* count with a NULL list */
	ev = ev_par(CTP_EV_TRIGGER, NAR_PEER, NULL);
	ev.held = NULL;
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
	/* nothing moved */
	ck_assert_int_eq(par.state, CTP_PAR_IDLE);
	ck_assert_int_eq(nar.state, CTP_NAR_IDLE);
	ck_assert_uint_eq(par.timers, 0);
}
END_TEST

START_TEST(test_overflow)
{
	struct ctp_par		 par;
	struct ctp_fsm_event	 ev;

	ctp_par_init(&par);
	out.cap = 2;
	ev = ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(9, true, REQ_ALL, 0, &K));
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_NOSPACE);
	ck_assert(out.full);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_str_eq(acts(),
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); SEND_CTAA(new)");
	out.cap = CTP_FSM_MAX_ACTIONS + 1;
	ck_assert_int_eq(ctp_par_step(&par, &P, &ev, 0, &out), CTP_ERR_INVAL);
}
END_TEST

START_TEST(test_format)
{
	struct ctp_fsm_action	 a;
	char			 small[8];

	memset(&a, 0, sizeof(a));
	a.type = CTP_ACT_SEND_CTREQ;
	a.peer = 4;
	a.seq = 0xdeadbeef;
	a.token[0] = 0x40;
	a.nitems = 1;
	a.items[0].fpt = 0xff01;
	a.items[0].flags = CTP_FSM_F_R;
	ctp_fsm_action_format(&a, buf, sizeof(buf));
	/* the token itself is never rendered */
	ck_assert_str_eq(buf, "SEND_CTREQ(peer=4 seq=deadbeef token=copied req=ff01R)");
	ck_assert_int_eq(ctp_fsm_action_format(&a, small, sizeof(small)),
	    (int)strlen(buf));
	ck_assert_str_eq(small, "SEND_CT");
}
END_TEST

/* ---------------------------------------------------- pAR table rows */

START_TEST(test_par_idle_ctar_ok)
{
	struct ctp_par	 par;

	par_pushed(&par);
	ck_assert_uint_eq(par.seq, 0x01020304);
	ck_assert(!ctp_par_reclaimable(&par));
}
END_TEST

START_TEST(test_par_idle_ctar_request)
{
	/* Requested: AAA, ROHC (not held), QoS with R: R asked is R sent. */
	static const struct ctp_fsm_item req[] = {
		{ FPT_AAA, 0, 0 }, { FPT_ROHC, 0, 0 }, { FPT_QOS, CTP_FSM_F_R, 0 },
		{ 0, 0, 0 },
	};
	struct ctp_par	 par;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(5, true, req, 4, &K)),
	    0, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02R "
	    "errs=ff03:NO_CONTEXT); "
	    "SEND_CTAA(new entries=ff03:NO_CONTEXT); TIMER_SET(HANDOVER@2000); "
	    "TIMER_SET(REPLAY@15000)");
}
END_TEST

START_TEST(test_par_idle_ctar_bad_token)
{
	struct ctp_par	 par;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(5, true, REQ_ALL, 0,
	    NULL)), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:AUTH_FAILED); COUNT(TOKEN_FAIL)");
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(5, false, REQ_ALL, 0,
	    NULL)), 0, "IDLE", "COUNT(TOKEN_FAIL)");
	/* a bad token did not enter the replay memory: the real CTAR works */
	ck_assert(!par.replay.valid);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(5, false, REQ_ALL, 0,
	    &K)), 10, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(HANDOVER@2010); TIMER_SET(REPLAY@15010)");
}
END_TEST

START_TEST(test_par_idle_ctar_no_key_no_peer)
{
	struct ctp_par	 par;

	ctp_par_init(&par);
	ctp_key_wipe(&K);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(5, true, REQ_ALL, 0,
	    NULL)), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:NO_CONTEXT); COUNT(NO_CONTEXT)");
	key_0114(&K);
	PAR(&par, ev_par(CTP_EV_CTAR, CTP_FSM_NO_PEER, mk_ctar(5, true, REQ_ALL,
	    0, &K)), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:NO_PEER); TIMER_SET(REPLAY@15000); "
	    "COUNT(NO_PEER)");
	/* remembered (token was good): the retransmission gets the same CTAA */
	PAR(&par, ev_par(CTP_EV_CTAR, CTP_FSM_NO_PEER, mk_ctar(5, true, REQ_ALL,
	    0, &K)), 2000, "IDLE",
	    "SEND_CTAA(cached entries=0000:NO_PEER); COUNT(DUPLICATE)");
	/* nothing of the request held */
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(6, true, REQ_MLD, 1,
	    &K)), 0, "IDLE",
	    "SEND_CTAA(new entries=0001:NO_CONTEXT); TIMER_SET(REPLAY@15000); "
	    "COUNT(NO_CONTEXT)");
}
END_TEST

START_TEST(test_par_idle_trigger)
{
	struct ctp_par		 par;
	struct ctp_fsm_event	 ev;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_TRIGGER, NAR_PEER, NULL), 500, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(HANDOVER@2500)");
	/* a second trigger while it runs */
	PAR(&par, ev_par(CTP_EV_TRIGGER, NAR_PEER, NULL), 600, "PUSHED",
	    "COUNT(BUSY)");
	/* the nAR re-requests with the MN's seq: adopted, PCTD re-sent */
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(NULL, 77, REQ_ALL,
	    0)), 700, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=200 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	ck_assert_uint_eq(par.seq, 77);
	/* trigger with a filter, no key, no peer */
	ctp_par_init(&par);
	ev = ev_par(CTP_EV_TRIGGER, NAR_PEER, NULL);
	ev.req = REQ_MLD;
	ev.nreq = 1;
	PAR(&par, ev, 0, "IDLE", "COUNT(NO_CONTEXT)");
	PAR(&par, ev_par(CTP_EV_TRIGGER, CTP_FSM_NO_PEER, NULL), 0, "IDLE",
	    "COUNT(NO_PEER)");
	ctp_key_wipe(&K);
	PAR(&par, ev_par(CTP_EV_TRIGGER, NAR_PEER, NULL), 0, "IDLE",
	    "COUNT(NO_CONTEXT)");
}
END_TEST

START_TEST(test_par_idle_ctreq_ok)
{
	struct ctp_par		 par;
	struct ctp_fsm_event	 ev;
	struct tmsg		*ctar;

	par_wait(&par);
	/* policy: no A; no R context -> DONE at once, wiped */
	P.ctd_ack = false;
	ctar = mk_ctar(8, true, REQ_ALL, 0, &K);
	ctp_par_init(&par);
	ev = ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(ctar, 0, NULL, 0));
	ev.held = &HELD[1];
	ev.nheld = 1;
	PAR(&par, ev, 0, "DONE",
	    "SEND_CTD(peer=2 A=0 elapsed=0 items=ff02); WIPE_CACHE; WIPE_KEY");
	ck_assert(ctp_par_reclaimable(&par));
	/* §6.1: any R CDB forces A even when policy says no */
	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(ctar, 0, NULL, 0)),
	    0, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(XFER@200)");
}
END_TEST

START_TEST(test_par_idle_ctreq_zero)
{
	struct ctp_par	 par;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(NULL, 3, REQ_ALL, 0)),
	    100, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(HANDOVER@2100)");
}
END_TEST

START_TEST(test_par_idle_ctreq_refused)
{
	struct ctp_par		 par;
	struct ctp_fsm_event	 ev;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(mk_ctar(3, true,
	    REQ_ALL, 0, NULL), 0, NULL, 0)), 0, "DONE",
	    "SEND_CTD(peer=2 A=0 elapsed=0 errs=0000:AUTH_FAILED); "
	    "COUNT(TOKEN_FAIL)");
	/* key and a good token, but nothing held: no empty CTD */
	ctp_par_init(&par);
	ev = ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(mk_ctar(4, true,
	    REQ_ALL, 0, &K), 0, NULL, 0));
	ev.nheld = 0;
	PAR(&par, ev, 0, "DONE",
	    "SEND_CTD(peer=2 A=0 elapsed=0 errs=0000:NO_CONTEXT); "
	    "COUNT(NO_CONTEXT)");
	ctp_par_init(&par);
	ctp_key_wipe(&K);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(mk_ctar(3, true,
	    REQ_ALL, 0, NULL), 0, NULL, 0)), 0, "DONE",
	    "SEND_CTD(peer=2 A=0 elapsed=0 errs=0000:NO_CONTEXT); "
	    "COUNT(NO_CONTEXT)");
	/* zero token and no context: refused as well */
	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(NULL, 3, REQ_ALL,
	    0)), 0, "DONE",
	    "SEND_CTD(peer=2 A=0 elapsed=0 errs=0000:NO_CONTEXT); "
	    "COUNT(NO_CONTEXT)");
}
END_TEST

START_TEST(test_par_pushed_ctreq)
{
	struct ctp_par	 par;
	struct tmsg	*ctar = par_pushed(&par);

	/* re-request from the nAR the MN really went to: cached PCTD there */
	PAR(&par, ev_par(CTP_EV_CTREQ, OTHER_PEER, mk_ctreq(ctar, 0, NULL, 0)),
	    1150, "PUSHED",
	    "SEND_PCTD(peer=3 A=1 elapsed=150 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	ck_assert_uint_eq(par.peer, OTHER_PEER);
	/* zero token with the cached seq: same */
	PAR(&par, ev_par(CTP_EV_CTREQ, OTHER_PEER, mk_ctreq(NULL, 0x01020304,
	    REQ_ALL, 0)), 1160, "PUSHED",
	    "SEND_PCTD(peer=3 A=1 elapsed=160 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	/* bad token with the cached seq: refused, cache kept */
	PAR(&par, ev_par(CTP_EV_CTREQ, OTHER_PEER, mk_ctreq(mk_ctar(0x01020304,
	    true, REQ_ALL, 0, NULL), 0, NULL, 0)), 1170, "PUSHED",
	    "SEND_CTD(peer=3 A=0 elapsed=0 errs=0000:AUTH_FAILED); "
	    "COUNT(TOKEN_FAIL)");
	/* another seq: one transfer per MN */
	PAR(&par, ev_par(CTP_EV_CTREQ, OTHER_PEER, mk_ctreq(mk_ctar(99, true,
	    REQ_ALL, 0, &K), 0, NULL, 0)), 1180, "PUSHED",
	    "SEND_CTD(peer=3 A=0 elapsed=0 errs=0000:BUSY); COUNT(BUSY)");
}
END_TEST

START_TEST(test_par_ctdr_success)
{
	static const struct ctp_fsm_item ok[] = { { FPT_AAA, 0, 0 } };
	struct ctp_par	 par;

	/* PUSHED + CTDR S=1 */
	par_pushed(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, NULL, 0)), 1500,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
	ck_assert(!ctp_par_reclaimable(&par));	/* replay memory still on */
	PAR(&par, ev_timer(CTP_TIMER_REPLAY), 16000, "IDLE", "");
	ck_assert(ctp_par_reclaimable(&par));
	/* WAIT_CTDR + CTDR S=0 with every R FPT fine: done, non-R untracked */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, ok, 1)), 1100,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
	/* a CTDR from someone else is not ours */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, OTHER_PEER, mk_ctdr(true, NULL, 0)), 1100,
	    "WAIT_CTDR", "COUNT(WRONG_PEER)");
}
END_TEST

START_TEST(test_par_ctdr_retry)
{
	static const struct ctp_fsm_item fail[] = {
		{ FPT_AAA, 0, CTP_ST_INSTALL_FAILED }, { FPT_QOS, 0, 0 },
	};
	struct ctp_par	 par;

	/* §6.1: only the failed R CDB again, Elapsed Time keeps counting */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 2)), 1050,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=50 items=ff01R); COUNT(RETRY)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 1)), 1120,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=120 items=ff01R); COUNT(RETRY)");
	/* ... until CT_MAX_TRANSFER_TIME: reported, never lost silently */
	PAR(&par, ev_timer(CTP_TIMER_XFER), 1200, "DONE",
	    "REPORT_FAILED(ff01:INSTALL_FAILED); COUNT(REL_FAILED); "
	    "WIPE_CACHE; WIPE_KEY; COUNT(TIMEOUT)");
	/* retry then success */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 2)), 1050,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=50 items=ff01R); COUNT(RETRY)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, NULL, 0)), 1060,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
}
END_TEST

START_TEST(test_par_ctdr_r_rules)
{
	static const struct ctp_fsm_item qos_only[] = {
		{ FPT_QOS, 0, CTP_ST_INSTALL_FAILED },
	};
	static const struct ctp_fsm_item ok_qos[] = { { FPT_QOS, 0, 0 } };
	static const struct ctp_fsm_item aaa_ok[] = {
		{ FPT_AAA, 0, 0 }, { FPT_QOS, 0, CTP_ST_INSTALL_FAILED },
	};
	static const struct ctp_fsm_item s1_bad[] = {
		{ FPT_AAA, 0, CTP_ST_RESOURCE_SHORTAGE },
	};
	static const struct ctp_fsm_item unsup[] = {
		{ FPT_AAA, 0, CTP_ST_UNSUPPORTED_FPT },
	};
	static const struct ctp_fsm_item whole[] = {
		{ 0, 0, CTP_ST_STALE },
	};
	struct ctp_par	 par;

	/* non-R failure never retried; the R FPT, not listed, is */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, qos_only, 1)),
	    1010, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=10 items=ff01R); COUNT(RETRY)");
	/* an R FPT missing from a CTDR with S=0 counts as failed */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, ok_qos, 1)),
	    1010, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=10 items=ff01R); COUNT(RETRY)");
	/* only the non-R context failed: done, nothing retried or reported */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, aaa_ok, 2)),
	    1010, "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
	/* D11: S=1 with a non-zero entry -> entries authoritative */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, s1_bad, 1)),
	    1010, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=10 items=ff01R); COUNT(RETRY)");
	/* a status a retry cannot change: reported at once */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, unsup, 1)),
	    1010, "DONE",
	    "REPORT_FAILED(ff01:UNSUPPORTED_FPT); COUNT(REL_FAILED); "
	    "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
	/* FPT 0 entry covers the whole transfer */
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, whole, 1)),
	    1010, "DONE",
	    "REPORT_FAILED(ff01:STALE); COUNT(REL_FAILED); "
	    "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
}
END_TEST

START_TEST(test_par_pushed_ctdr_retry)
{
	static const struct ctp_fsm_item fail[] = {
		{ FPT_AAA, 0, CTP_ST_INSTALL_FAILED },
	};
	struct ctp_par	 par;

	/* predictive: the retry budget starts with the failing CTDR */
	par_pushed(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 1)), 1800,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=800 items=ff01R); COUNT(RETRY); "
	    "TIMER_STOP(HANDOVER); TIMER_SET(XFER@2000)");
	/* a failure so late that a retry would be STALE: reported */
	par_pushed(&par);
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 1)), 3001,
	    "DONE",
	    "REPORT_FAILED(ff01:INSTALL_FAILED); COUNT(REL_FAILED); "
	    "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
}
END_TEST

START_TEST(test_par_ctc)
{
	struct ctp_par	 par;

	par_pushed(&par);
	PAR(&par, ev_par(CTP_EV_CTC, OTHER_PEER, mk_ctc()), 1100, "PUSHED",
	    "COUNT(WRONG_PEER)");
	PAR(&par, ev_par(CTP_EV_CTC, NAR_PEER, mk_ctc()), 1100, "DONE",
	    "REPORT_FAILED(ff01:CANCELLED); COUNT(REL_FAILED); WIPE_CACHE; "
	    "WIPE_KEY; TIMER_STOP(HANDOVER); COUNT(CANCELLED)");
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTC, NAR_PEER, mk_ctc()), 1100, "DONE",
	    "REPORT_FAILED(ff01:CANCELLED); COUNT(REL_FAILED); WIPE_CACHE; "
	    "WIPE_KEY; TIMER_STOP(XFER); COUNT(CANCELLED)");
	/* no transfer: nothing to cancel, the MN's key is kept */
	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTC, NAR_PEER, mk_ctc()), 0, "IDLE",
	    "COUNT(UNEXPECTED)");
}
END_TEST

START_TEST(test_par_timers)
{
	struct ctp_par	 par;

	/* PUSHED + CT_MAX_HANDOVER_TIME */
	par_pushed(&par);
	PAR(&par, ev_timer(CTP_TIMER_HANDOVER), 3000, "DONE",
	    "REPORT_FAILED(ff01:TIMEOUT); COUNT(REL_FAILED); WIPE_CACHE; "
	    "WIPE_KEY; COUNT(TIMEOUT)");
	/* stale timer events are ignored */
	PAR(&par, ev_timer(CTP_TIMER_HANDOVER), 3001, "DONE", "");
	PAR(&par, ev_timer(CTP_TIMER_XFER), 3001, "DONE", "");
	/* WAIT_CTDR + CT_MAX_TRANSFER_TIME */
	par_wait(&par);
	PAR(&par, ev_timer(CTP_TIMER_XFER), 1200, "DONE",
	    "REPORT_FAILED(ff01:TIMEOUT); COUNT(REL_FAILED); WIPE_CACHE; "
	    "WIPE_KEY; COUNT(TIMEOUT)");
	ck_assert(ctp_par_reclaimable(&par));
}
END_TEST

START_TEST(test_par_busy_dup)
{
	struct ctp_par	 par;
	struct tmsg	*ctar = par_pushed(&par);

	/* C16: the MN's retransmission gets the cached CTAA */
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 3000, "PUSHED",
	    "SEND_CTAA(cached); COUNT(DUPLICATE)");
	/* another CTAR while it runs */
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(2, true, REQ_ALL, 0,
	    &K)), 3000, "PUSHED",
	    "SEND_CTAA(new entries=0000:BUSY); COUNT(BUSY)");
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(2, false, REQ_ALL, 0,
	    &K)), 3000, "PUSHED", "COUNT(BUSY)");
	/* after DONE the replay memory still answers, until it expires */
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, NULL, 0)), 3000,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 15999, "DONE",
	    "SEND_CTAA(cached); COUNT(DUPLICATE)");
	PAR(&par, ev_timer(CTP_TIMER_REPLAY), 16000, "IDLE", "");
	ctp_key_wipe(&K);	/* WIPE_KEY was carried out */
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 16001, "IDLE",
	    "SEND_CTAA(new entries=0000:NO_CONTEXT); COUNT(NO_CONTEXT)");
	/* in WAIT_CTDR: a CTAR with the transfer's seq is no new transfer */
	key_0114(&K);
	par_wait(&par);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, mk_ctar(7, true, REQ_ALL, 0,
	    &K)), 1010, "WAIT_CTDR", "COUNT(DUPLICATE)");
}
END_TEST

START_TEST(test_par_unexpected)
{
	struct ctp_par	 par;
	struct tmsg	*d = mk_data(CTP_MSG_CTD, true, 0, DATA2, 2, NULL);
	struct ctp_fsm_event ev;

	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTD, PAR_PEER, d), 0, "IDLE",
	    "COUNT(UNEXPECTED)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, NULL, 0)), 0,
	    "IDLE", "COUNT(UNEXPECTED)");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 0, "IDLE", "");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	PAR(&par, ev, 0, "IDLE", "COUNT(UNEXPECTED)");
	PAR(&par, ev_timer(CTP_TIMER_RETRY), 0, "IDLE", "");
	par_pushed(&par);
	PAR(&par, ev_par(CTP_EV_CTD, PAR_PEER, d), 1000, "PUSHED",
	    "COUNT(UNEXPECTED)");
	PAR(&par, ev, 1000, "PUSHED", "COUNT(UNEXPECTED)");
}
END_TEST

START_TEST(test_par_channel)
{
	static const struct ctp_fsm_item fail[] = {
		{ FPT_AAA, 0, CTP_ST_INSTALL_FAILED },
	};
	struct ctp_par	 par;

	/* WAIT_CTDR: the R contexts still pending are re-sent on reconnect */
	par_wait(&par);
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, OTHER_PEER), 1010, "WAIT_CTDR", "");
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, NAR_PEER), 1010, "WAIT_CTDR", "");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 1090, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=90 items=ff01R); COUNT(RETRANSMIT)");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 1091, "WAIT_CTDR", "");
	/* the channel never came back: the R context is reported */
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, NAR_PEER), 1100, "WAIT_CTDR", "");
	PAR(&par, ev_timer(CTP_TIMER_XFER), 1200, "DONE",
	    "REPORT_FAILED(ff01:TIMEOUT); COUNT(REL_FAILED); WIPE_CACHE; "
	    "WIPE_KEY; COUNT(TIMEOUT)");
	/* PUSHED: the cached PCTD (with its key) goes again */
	par_pushed(&par);
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, NAR_PEER), 1010, "PUSHED", "");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 1500, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=500 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	/* retry phase, then channel loss: only the failed R context */
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(false, fail, 1)), 1600,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=600 items=ff01R); COUNT(RETRY); "
	    "TIMER_STOP(HANDOVER); TIMER_SET(XFER@1800)");
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, NAR_PEER), 1610, "WAIT_CTDR", "");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 1650, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=650 items=ff01R); COUNT(RETRANSMIT)");
}
END_TEST

START_TEST(test_par_udp)
{
	struct ctp_par	 par;
	struct tmsg	*ctar = mk_ctar(7, true, REQ_ALL, 0, &K);

	P.udp = true;
	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(ctar, 0, NULL, 0)),
	    1000, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(XFER@1200); TIMER_SET(RETRY@1050)");
	PAR(&par, ev_timer(CTP_TIMER_RETRY), 1050, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=50 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT); TIMER_SET(RETRY@1150)");
	PAR(&par, ev_timer(CTP_TIMER_RETRY), 1150, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=150 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, mk_ctdr(true, NULL, 0)), 1160,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
	/* a retransmission while the channel is down is skipped */
	ctp_par_init(&par);
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, mk_ctreq(ctar, 0, NULL, 0)),
	    1000, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(XFER@1200); TIMER_SET(RETRY@1050)");
	PAR(&par, ev_peer(CTP_EV_PEER_DOWN, NAR_PEER), 1010, "WAIT_CTDR",
	    "TIMER_STOP(RETRY)");
	PAR(&par, ev_peer(CTP_EV_PEER_UP, NAR_PEER), 1100, "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=100 items=ff01R); COUNT(RETRANSMIT); "
	    "TIMER_SET(RETRY@1150)");
}
END_TEST

/* ---------------------------------------------------- nAR table rows */

/* The nAR in HELD after a PCTD (A=1, AAA R + QoS) at t=1000. */
static void
nar_held(struct ctp_nar *st)
{
	struct tmsg	*pctd = mk_data(CTP_MSG_PCTD, true, 5, DATA2, 2, &K);

	ctp_nar_init(st);
	NAR(st, ev_msg(CTP_EV_PCTD, PAR_PEER, pctd), 1000, "HELD",
	    "HOLD(cdbs=0,1); TIMER_SET(HANDOVER@3000)");
	ck_assert(ctp_key_present(&st->key));
	ck_assert_int_eq(memcmp(st->key.b, K.b, K.len), 0);
}

/* The nAR in WAIT_CTD after a CTAR (A=1, MLD requested) at t=1000. */
static struct tmsg *
nar_wait(struct ctp_nar *st)
{
	struct tmsg	*ctar = mk_ctar(0x01020304, true, REQ_MLD, 1, &K);

	ctp_nar_init(st);
	NAR(st, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 1000, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=01020304 token=copied req=0001); "
	    "TIMER_SET(XFER@1200)");
	ck_assert_int_eq(memcmp(out.a[0].token, ctar->m.token, 4), 0);
	return ctar;
}

START_TEST(test_nar_idle_pctd)
{
	struct ctp_nar	 nar;

	nar_held(&nar);
	ck_assert(!ctp_nar_reclaimable(&nar));
}
END_TEST

START_TEST(test_nar_held_ctar_ok)
{
	static const struct ctp_entry res[] = {
		{ FPT_AAA, CTP_ST_SUCCESS }, { FPT_QOS, CTP_ST_SUCCESS },
	};
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	nar_held(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x01020304, true,
	    REQ_ALL, 0, &K)), 1500, "INSTALLING",
	    "TIMER_STOP(HANDOVER); INSTALL(held fpts=ff01R,ff02); "
	    "TIMER_SET(XFER@1700)");
	/* §5.3: the key is gone right after the check */
	ck_assert(!ctp_key_present(&nar.key));
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 2;
	NAR(&nar, ev, 1510, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new); TIMER_SET(REPLAY@16510); "
	    "SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,ff02:SUCCESS)");
	/* C16 at the nAR */
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x01020304, true,
	    REQ_ALL, 0, &K)), 2000, "ACTIVE",
	    "SEND_CTAA(cached); COUNT(DUPLICATE)");
	NAR(&nar, ev_timer(CTP_TIMER_REPLAY), 16510, "IDLE", "");
	ck_assert(ctp_nar_reclaimable(&nar));
}
END_TEST

START_TEST(test_nar_held_ctar_bad)
{
	struct ctp_nar	 nar;

	nar_held(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x01020304, true,
	    REQ_ALL, 0, NULL)), 1500, "IDLE",
	    "TIMER_STOP(HANDOVER); DISCARD; "
	    "SEND_CTAA(new entries=0000:AUTH_FAILED); COUNT(TOKEN_FAIL)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	ck_assert(ctp_nar_reclaimable(&nar));
	/* a CTAR checked with another MN's key is bad too */
	nar_held(&nar);
	{
		struct ctp_key	 other;
		uint8_t		 b[16] = { 9 };

		ck_assert_int_eq(ctp_key_set(&other, b, sizeof(b)), CTP_OK);
		NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(1, false,
		    REQ_ALL, 0, &other)), 1500, "IDLE",
		    "TIMER_STOP(HANDOVER); DISCARD; COUNT(TOKEN_FAIL)");
		ctp_key_wipe(&other);
	}
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
}
END_TEST

START_TEST(test_nar_held_expiry)
{
	struct ctp_nar	 nar;

	nar_held(&nar);
	NAR(&nar, ev_timer(CTP_TIMER_HANDOVER), 3000, "IDLE",
	    "DISCARD; COUNT(HOLD_EXPIRED)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	ck_assert(ctp_nar_reclaimable(&nar));
	/* duplicate PCTD while held */
	nar_held(&nar);
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, true, 9,
	    DATA2, 2, &K)), 1100, "HELD", "COUNT(DUPLICATE)");
	/* ctp_nar_clear wipes a held key (eviction by ctpd) */
	ctp_nar_clear(&nar);
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	ck_assert(ctp_nar_reclaimable(&nar));
}
END_TEST

START_TEST(test_nar_idle_ctar)
{
	struct ctp_nar	 nar;

	nar_wait(&nar);
	/* no channel to the named pAR */
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, CTP_FSM_NO_PEER, mk_ctar(1, true,
	    REQ_ALL, 0, &K)), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:NO_PEER); COUNT(NO_PEER)");
}
END_TEST

START_TEST(test_nar_ctar_not_kept)
{
	struct ctp_nar	 nar;
	struct tmsg	*t = mk_ctar(1, true, REQ_MLD, 1, &K);
	struct ctp_fsm_item many[CTP_FSM_MAX_ITEMS + 1];
	size_t		 i;

	/* a request CDB that is not the plain 4-octet form (D2) */
	t->m.cdbs[0].data_len = 4;
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, t), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:RESOURCE_SHORTAGE); COUNT(TOO_MANY)");
	/* non-zero reserved bits */
	t = mk_ctar(1, true, REQ_MLD, 1, &K);
	t->raw[3] = 0x01;
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, t), 0, "IDLE",
	    "SEND_CTAA(new entries=0000:RESOURCE_SHORTAGE); COUNT(TOO_MANY)");
	/* more request CDBs than the state keeps */
	for (i = 0; i < CTP_FSM_MAX_ITEMS + 1; i++) {
		many[i].fpt = (uint16_t)(0x100 + i);
		many[i].flags = 0;
		many[i].status = 0;
	}
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(1, false, many,
	    CTP_FSM_MAX_ITEMS + 1, &K)), 0, "IDLE", "COUNT(TOO_MANY)");
}
END_TEST

START_TEST(test_nar_idle_trigger)
{
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	ctp_nar_init(&nar);
	ev = ev_peer(CTP_EV_TRIGGER, PAR_PEER);
	ev.seq = 0x11;
	ev.req = REQ_MLD;
	ev.nreq = 1;
	NAR(&nar, ev, 100, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000011 token=zero req=0001); "
	    "TIMER_SET(XFER@300)");
	ck_assert(all_zero(out.a[0].token, 4));
	NAR(&nar, ev, 110, "WAIT_CTD", "COUNT(BUSY)");
	ctp_nar_init(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, CTP_FSM_NO_PEER), 0, "IDLE",
	    "COUNT(NO_PEER)");
}
END_TEST

START_TEST(test_nar_wait_ctd)
{
	static const struct ctp_entry res[] = {
		{ FPT_AAA, CTP_ST_SUCCESS }, { FPT_QOS, CTP_ST_SUCCESS },
	};
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 10,
	    DATA2, 2, NULL)), 1050, "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02); TIMER_SET(XFER@1250)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 2;
	/* MLD was asked for and did not come: NO_CONTEXT in the CTAA */
	NAR(&nar, ev, 1060, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=0001:NO_CONTEXT); "
	    "TIMER_SET(REPLAY@16060); "
	    "SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,ff02:SUCCESS)");
	/* CTD from a peer that was not asked */
	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTD, OTHER_PEER, mk_data(CTP_MSG_CTD, true, 10,
	    DATA2, 2, NULL)), 1050, "WAIT_CTD", "COUNT(WRONG_PEER)");
	/* the MN's retransmission and another CTAR while waiting */
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x01020304, true,
	    REQ_MLD, 1, &K)), 1060, "WAIT_CTD", "COUNT(DUPLICATE)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(5, true, REQ_MLD, 1,
	    &K)), 1060, "WAIT_CTD",
	    "SEND_CTAA(new entries=0000:BUSY); COUNT(BUSY)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(5, false, REQ_MLD, 1,
	    &K)), 1060, "WAIT_CTD", "COUNT(BUSY)");
}
END_TEST

START_TEST(test_nar_wait_pctd)
{
	static const struct ctp_entry res[] = { { FPT_AAA, CTP_ST_SUCCESS } };
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;
	struct tmsg		*pctd;

	/* reactive, pAR answered from its predictive cache: checked here */
	nar_wait(&nar);
	pctd = mk_data(CTP_MSG_PCTD, true, 300, DATA2, 1, &K);
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, pctd), 1050, "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff01R); TIMER_SET(XFER@1250)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 1;
	NAR(&nar, ev, 1060, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=0001:NO_CONTEXT); "
	    "TIMER_SET(REPLAY@16060); SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS)");
	/* ... and with a key that does not match the CTAR */
	nar_wait(&nar);
	{
		struct ctp_key	 other;
		uint8_t		 b[16] = { 7 };

		ck_assert_int_eq(ctp_key_set(&other, b, sizeof(b)), CTP_OK);
		NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD,
		    true, 300, DATA2, 1, &other)), 1050, "IDLE",
		    "SEND_CTAA(new entries=0000:AUTH_FAILED); COUNT(TOKEN_FAIL); "
		    "TIMER_STOP(XFER)");
		ctp_key_wipe(&other);
	}
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
}
END_TEST

START_TEST(test_nar_wait_pctd_no_ctar)
{
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;
	struct tmsg		*ctar;

	/* network trigger: zero-token CT-Req, PCTD held until the CTAR */
	ctp_nar_init(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, PAR_PEER), 100, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero); TIMER_SET(XFER@300)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, true, 2,
	    DATA2, 2, &K)), 150, "HELD",
	    "HOLD(cdbs=0,1); TIMER_STOP(XFER); TIMER_SET(HANDOVER@2150)");
	ck_assert(ctp_key_present(&nar.key));
	ctar = mk_ctar(0xabc, true, REQ_ALL, 0, &K);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 900, "INSTALLING",
	    "TIMER_STOP(HANDOVER); INSTALL(held fpts=ff01R,ff02); "
	    "TIMER_SET(XFER@1100)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	/* install results never come: failed at the deadline */
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 950, "INSTALLING",
	    "COUNT(DUPLICATE)");
	NAR(&nar, ev_timer(CTP_TIMER_XFER), 1100, "ACTIVE",
	    "COUNT(INSTALL_TIMEOUT); "
	    "SEND_CTAA(new entries=ff01:INSTALL_FAILED,ff02:INSTALL_FAILED); "
	    "TIMER_SET(REPLAY@16100); "
	    "SEND_CTDR(peer=1 S=0 entries=ff01:INSTALL_FAILED,ff02:INSTALL_FAILED)");
	/* CTAR arriving while the zero-token CT-Req is out: kept, then checked */
	ctp_nar_init(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, PAR_PEER), 100, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero); TIMER_SET(XFER@300)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x55, true, REQ_MLD,
	    1, &K)), 120, "WAIT_CTD", "");
	/*
	 * A re-sent CT-Req keeps its own seq (the pAR matches it) and zero
	 * token; its request CDBs are now the MN's.
	 */
	NAR(&nar, ev_peer(CTP_EV_PEER_DOWN, PAR_PEER), 125, "WAIT_CTD", "");
	NAR(&nar, ev_peer(CTP_EV_PEER_UP, PAR_PEER), 130, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero req=0001); "
	    "COUNT(RETRANSMIT)");
	ev = ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, true, 2,
	    DATA2, 2, &K));
	NAR(&nar, ev, 150, "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02); TIMER_SET(XFER@350)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	/* a plain CTD cannot answer a zero-token CT-Req: nobody checked */
	ctp_nar_init(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, PAR_PEER), 100, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero); TIMER_SET(XFER@300)");
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 2,
	    DATA2, 2, NULL)), 150, "WAIT_CTD",
	    "SEND_CTDR(peer=1 S=0 entries=0000:AUTH_FAILED); COUNT(UNVERIFIED)");
}
END_TEST

START_TEST(test_nar_wait_timeout)
{
	struct ctp_nar	 nar;

	nar_wait(&nar);
	NAR(&nar, ev_timer(CTP_TIMER_XFER), 1200, "IDLE",
	    "SEND_CTC(peer=1); SEND_CTAA(new entries=0000:TIMEOUT); "
	    "COUNT(TIMEOUT)");
	ck_assert(ctp_nar_reclaimable(&nar));
	/* network trigger, no CTAR: CTC only */
	ctp_nar_init(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, PAR_PEER), 0, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero); TIMER_SET(XFER@200)");
	NAR(&nar, ev_timer(CTP_TIMER_XFER), 200, "IDLE",
	    "SEND_CTC(peer=1); COUNT(TIMEOUT)");
	/* the late CTD: no CT-Req out any more */
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 250,
	    DATA2, 2, NULL)), 250, "IDLE", "COUNT(UNEXPECTED)");
}
END_TEST

START_TEST(test_nar_error_ctd)
{
	static const struct ctp_entry res[] = { { FPT_AAA, CTP_ST_SUCCESS } };
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;
	struct tmsg		*d;

	/* C9: pAR refused with an error CDB; the MN hears the status */
	nar_wait(&nar);
	d = mk_data(CTP_MSG_CTD, false, 0, NULL, 0, NULL);
	d->errs[0].fpt = 0;
	d->errs[0].status = CTP_ST_AUTH_FAILED;
	d->nerrs = 1;
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, d), 1010, "IDLE",
	    "SEND_CTAA(new entries=0000:AUTH_FAILED); COUNT(REFUSED); "
	    "TIMER_STOP(XFER)");
	/* the same refusal as it comes off the wire: FPT 0xFF00 (D7) */
	nar_wait(&nar);
	d = mk_data(CTP_MSG_CTD, false, 0, NULL, 0, NULL);
	d->errs[0].fpt = CTP_FSM_FPT_ERROR;
	d->errs[0].status = CTP_ST_NO_CONTEXT;
	d->nerrs = 1;
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, d), 1010, "IDLE",
	    "SEND_CTAA(new entries=0000:NO_CONTEXT); COUNT(REFUSED); "
	    "TIMER_STOP(XFER)");
	/* partial: data plus NO_CONTEXT entries from the pAR */
	nar_wait(&nar);
	d = mk_data(CTP_MSG_CTD, false, 0, DATA2, 1, NULL);
	d->errs[0].fpt = FPT_MLD;
	d->errs[0].status = CTP_ST_NO_CONTEXT;
	d->nerrs = 1;
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, d), 1010, "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff01R); TIMER_SET(XFER@1210)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 1;
	NAR(&nar, ev, 1020, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=0001:NO_CONTEXT); "
	    "TIMER_SET(REPLAY@16020); SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS)");
}
END_TEST

START_TEST(test_nar_stale)
{
	static const struct ctp_fsm_item nor[] = { { FPT_QOS, 0, 0 } };
	struct ctp_nar	 nar;

	/* C17: Elapsed Time above CT_MAX_HANDOVER_TIME */
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, true,
	    2001, DATA2, 2, &K)), 0, "IDLE",
	    "SEND_CTDR(peer=1 S=0 entries=ff01:STALE,ff02:STALE); COUNT(STALE)");
	ck_assert(!ctp_key_present(&nar.key));
	/* no acknowledgement asked (A=0, no R): just dropped */
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, false,
	    5000, nor, 1, &K)), 0, "IDLE", "COUNT(STALE)");
	/* at exactly the limit it is still fresh */
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, false,
	    2000, nor, 1, &K)), 0, "HELD",
	    "HOLD(cdbs=0); TIMER_SET(HANDOVER@2000)");
	/* a stale CTD answering our CT-Req: dropped, still waiting */
	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true,
	    2500, DATA2, 2, NULL)), 1010, "WAIT_CTD",
	    "SEND_CTDR(peer=1 S=0 entries=ff01:STALE,ff02:STALE); COUNT(STALE)");
}
END_TEST

START_TEST(test_nar_alg)
{
	struct ctp_nar	 nar;
	struct tmsg	*d;

	/* D5: algorithm other than 1 -> UNSUPPORTED_FPT for FPT 0 */
	ctp_nar_init(&nar);
	d = mk_data(CTP_MSG_PCTD, true, 0, DATA2, 2, &K);
	d->m.alg = 2;
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, d), 0, "IDLE",
	    "SEND_CTDR(peer=1 S=0 entries=0000:UNSUPPORTED_FPT); COUNT(ALG)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	/* in WAIT_CTD the MN hears it too */
	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, d), 1010, "IDLE",
	    "SEND_CTDR(peer=1 S=0 entries=0000:UNSUPPORTED_FPT); "
	    "SEND_CTAA(new entries=0000:UNSUPPORTED_FPT); COUNT(ALG); "
	    "TIMER_STOP(XFER)");
}
END_TEST

START_TEST(test_nar_d4_d10_d14)
{
	static const struct ctp_fsm_item three[] = {
		{ FPT_AAA, 0, 0 }, { FPT_QOS, CTP_FSM_F_R, 0 }, { 0, 0, 0 },
		{ FPT_QOS, CTP_FSM_F_R, 0 }, { FPT_ROHC, 0, 0 },
	};
	static const uint8_t verdict[] = {
		CTP_ST_SUCCESS, CTP_ST_MALFORMED, CTP_ST_SUCCESS,
		CTP_ST_SUCCESS, CTP_ST_UNSUPPORTED_FPT,
	};
	static const struct ctp_entry res[] = {
		{ FPT_AAA, CTP_ST_SUCCESS }, { FPT_QOS, CTP_ST_SUCCESS },
	};
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	/*
	 * CTD with A=0 but R CDBs (D4): CTDR anyway.  One QoS CDB malformed
	 * (D10): the other QoS CDB and AAA proceed, QoS reported MALFORMED.
	 * FPT 0 (D14) never installed.  ROHC unknown: UNSUPPORTED_FPT.
	 */
	nar_wait(&nar);
	ev = ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, false, 10,
	    three, 5, NULL));
	ev.verdict = verdict;
	NAR(&nar, ev, 1010, "INSTALLING",
	    "COUNT(FPT0); INSTALL(msg cdbs=0,3 fpts=ff01,ff02R); "
	    "TIMER_SET(XFER@1210)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 2;
	/* S=0: every R FPT (and every other) listed with its status */
	NAR(&nar, ev, 1020, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=ff02:MALFORMED,"
	    "ff03:UNSUPPORTED_FPT,0001:NO_CONTEXT); TIMER_SET(REPLAY@16020); "
	    "SEND_CTDR(peer=1 S=0 entries=ff01:SUCCESS,ff02:MALFORMED,"
	    "ff03:UNSUPPORTED_FPT)");
	/* A=0 and no R: no CTDR */
	nar_wait(&nar);
	ev = ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, false, 10,
	    &three[0], 1, NULL));
	NAR(&nar, ev, 1010, "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff01); TIMER_SET(XFER@1210)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = res;
	ev.nresults = 1;
	NAR(&nar, ev, 1020, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=0001:NO_CONTEXT); "
	    "TIMER_SET(REPLAY@16020)");
	/* empty CTD (D3) and an install failure */
	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 10,
	    NULL, 0, NULL)), 1010, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=0001:NO_CONTEXT); "
	    "TIMER_SET(REPLAY@16010); SEND_CTDR(peer=1 S=1)");
}
END_TEST

START_TEST(test_nar_active_retry)
{
	static const struct ctp_entry fail[] = {
		{ FPT_AAA, CTP_ST_INSTALL_FAILED }, { FPT_QOS, CTP_ST_SUCCESS },
	};
	static const struct ctp_entry ok[] = { { FPT_AAA, CTP_ST_SUCCESS } };
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	nar_wait(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 10,
	    DATA2, 2, NULL)), 1010, "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02); TIMER_SET(XFER@1210)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	ev.results = fail;
	ev.nresults = 2;
	NAR(&nar, ev, 1020, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=ff01:INSTALL_FAILED,"
	    "0001:NO_CONTEXT); TIMER_SET(REPLAY@16020); "
	    "SEND_CTDR(peer=1 S=0 entries=ff01:INSTALL_FAILED,ff02:SUCCESS)");
	/* the pAR's retry: AAA again; no second CTAA to the MN */
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 40,
	    DATA2, 1, NULL)), 1040, "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff01R); TIMER_SET(XFER@1240)");
	ev.results = ok;
	ev.nresults = 1;
	NAR(&nar, ev, 1045, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS)");
	/* a duplicate (UDP, or a resend after channel loss): CTDR again */
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, true, 40,
	    DATA2, 2, NULL)), 1050, "ACTIVE",
	    "COUNT(DUPLICATE); SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,"
	    "ff02:SUCCESS)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, mk_data(CTP_MSG_PCTD, true, 40,
	    DATA2, 2, &K)), 1050, "ACTIVE",
	    "COUNT(DUPLICATE); SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,"
	    "ff02:SUCCESS)");
	ck_assert(!ctp_key_present(&nar.key));
	NAR(&nar, ev_msg(CTP_EV_CTD, OTHER_PEER, mk_data(CTP_MSG_CTD, true, 40,
	    DATA2, 2, NULL)), 1050, "ACTIVE", "COUNT(WRONG_PEER)");
}
END_TEST

START_TEST(test_nar_unexpected)
{
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;

	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTDR, PAR_PEER, mk_ctdr(true, NULL, 0)), 0,
	    "IDLE", "COUNT(UNEXPECTED)");
	NAR(&nar, ev_msg(CTP_EV_CTC, PAR_PEER, mk_ctc()), 0, "IDLE",
	    "COUNT(UNEXPECTED)");
	NAR(&nar, ev_msg(CTP_EV_CTREQ, PAR_PEER, mk_ctreq(NULL, 1, REQ_ALL,
	    0)), 0, "IDLE", "COUNT(UNEXPECTED)");
	ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	NAR(&nar, ev, 0, "IDLE", "COUNT(UNEXPECTED)");
	NAR(&nar, ev_timer(CTP_TIMER_HANDOVER), 0, "IDLE", "");
	NAR(&nar, ev_peer(CTP_EV_PEER_DOWN, PAR_PEER), 0, "IDLE", "");
	nar_held(&nar);
	NAR(&nar, ev_peer(CTP_EV_TRIGGER, PAR_PEER), 1000, "HELD",
	    "COUNT(BUSY)");
	NAR(&nar, ev_peer(CTP_EV_PEER_DOWN, PAR_PEER), 1000, "HELD", "");
	NAR(&nar, ev, 1000, "HELD", "COUNT(UNEXPECTED)");
}
END_TEST

START_TEST(test_nar_channel_udp)
{
	struct ctp_nar	 nar;

	nar_wait(&nar);
	NAR(&nar, ev_peer(CTP_EV_PEER_DOWN, PAR_PEER), 1010, "WAIT_CTD", "");
	NAR(&nar, ev_peer(CTP_EV_PEER_UP, PAR_PEER), 1050, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=01020304 token=copied req=0001); "
	    "COUNT(RETRANSMIT)");
	NAR(&nar, ev_peer(CTP_EV_PEER_UP, PAR_PEER), 1060, "WAIT_CTD", "");
	/* UDP mode: CT-Req retransmitted, doubling, until the budget */
	P.udp = true;
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(3, false, REQ_ALL, 0,
	    &K)), 1000, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000003 token=copied); "
	    "TIMER_SET(XFER@1200); TIMER_SET(RETRY@1050)");
	NAR(&nar, ev_timer(CTP_TIMER_RETRY), 1050, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000003 token=copied); COUNT(RETRANSMIT); "
	    "TIMER_SET(RETRY@1150)");
	NAR(&nar, ev_timer(CTP_TIMER_RETRY), 1150, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000003 token=copied); COUNT(RETRANSMIT)");
	NAR(&nar, ev_timer(CTP_TIMER_XFER), 1200, "IDLE",
	    "SEND_CTC(peer=1); COUNT(TIMEOUT)");
	/* the CTD stops the retransmissions */
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(3, false, REQ_ALL, 0,
	    &K)), 1000, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000003 token=copied); "
	    "TIMER_SET(XFER@1200); TIMER_SET(RETRY@1050)");
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, mk_data(CTP_MSG_CTD, false, 1,
	    &DATA2[1], 1, NULL)), 1020, "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff02); TIMER_STOP(RETRY); "
	    "TIMER_SET(XFER@1220)");
}
END_TEST

/* ------------------------------------------------ full flows, both ends */

/* Turn a pAR send action into the message the nAR receives. */
static struct tmsg *
wire_par(const struct ctp_fsm_action *a)
{
	struct tmsg	*t;
	size_t		 i;

	ck_assert(a->type == CTP_ACT_SEND_PCTD || a->type == CTP_ACT_SEND_CTD);
	t = mk_data(a->type == CTP_ACT_SEND_PCTD ? CTP_MSG_PCTD : CTP_MSG_CTD,
	    a->a_flag, a->elapsed_ms, a->items, a->nitems,
	    a->type == CTP_ACT_SEND_PCTD ? &K : NULL);
	/* as ctpd encodes the error CDB: whole request = FPT 0xFF00 (D7) */
	for (i = 0; i < a->nentries; i++) {
		t->errs[i].fpt = a->entries[i].fpt != 0 ? a->entries[i].fpt :
		    CTP_FSM_FPT_ERROR;
		t->errs[i].status = a->entries[i].status;
	}
	t->nerrs = a->nentries;
	return t;
}

/* Turn a nAR CT-Req action into the pAR's message. */
static struct tmsg *
wire_ctreq(const struct ctp_fsm_action *a)
{
	struct tmsg	*t;

	ck_assert(a->type == CTP_ACT_SEND_CTREQ);
	t = mk_ctreq(NULL, a->seq, a->items, a->nitems);
	memcpy(t->m.token, a->token, 4);
	return t;
}

static struct tmsg *
wire_ctdr(const struct ctp_fsm_action *a)
{
	ck_assert(a->type == CTP_ACT_SEND_CTDR);
	return mk_ctdr(a->s_flag, a->entries, a->nentries);
}

static const struct ctp_fsm_action *
find_act(enum ctp_fsm_act t)
{
	size_t	 i;

	for (i = 0; i < out.n; i++)
		if (out.a[i].type == t)
			return &out.a[i];
	ck_abort_msg("no %s in %s", ctp_fsm_action_name(t), acts());
	return NULL;
}

/* Carry out WIPE_KEY for the pAR's context store. */
static void
store_apply(void)
{
	size_t	 i;

	for (i = 0; i < out.n; i++)
		if (out.a[i].type == CTP_ACT_WIPE_KEY)
			ctp_key_wipe(&K);
}

static struct ctp_fsm_event
ev_installed(const struct ctp_fsm_action *inst, struct ctp_entry *res)
{
	struct ctp_fsm_event	 ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
	size_t			 i;

	for (i = 0; i < inst->nitems; i++) {
		res[i].fpt = inst->items[i].fpt;
		res[i].status = CTP_ST_SUCCESS;
	}
	ev.results = res;
	ev.nresults = inst->nitems;
	return ev;
}

START_TEST(test_flow_predictive)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_entry	 res[CTP_FSM_MAX_ITEMS];
	struct tmsg		*ctar, *pctd, *ctdr;

	ctp_par_init(&par);
	ctp_nar_init(&nar);
	/* MN -> pAR: CTAR naming the nAR (same seq goes to the nAR later) */
	ctar = mk_ctar(0x01020304, true, REQ_ALL, 0, &K);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 0, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); SEND_CTAA(new); "
	    "TIMER_SET(HANDOVER@2000); TIMER_SET(REPLAY@15000)");
	pctd = wire_par(find_act(CTP_ACT_SEND_PCTD));
	/* pAR -> nAR: PCTD held with its key */
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, pctd), 3, "HELD",
	    "HOLD(cdbs=0,1); TIMER_SET(HANDOVER@2003)");
	/* MN attaches: CTAR (same seq) to the nAR, checked with the PCTD key */
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 400, "INSTALLING",
	    "TIMER_STOP(HANDOVER); INSTALL(held fpts=ff01R,ff02); "
	    "TIMER_SET(XFER@600)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	NAR(&nar, ev_installed(&out.a[1], res), 405, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new); TIMER_SET(REPLAY@15405); "
	    "SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,ff02:SUCCESS)");
	ctdr = wire_ctdr(find_act(CTP_ACT_SEND_CTDR));
	/* nAR -> pAR: CTDR; cache and key wiped */
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, ctdr), 407, "DONE",
	    "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
	store_apply();
	ck_assert(all_zero(&K, sizeof(K)));
	/* both sides expire their replay memory and can be freed */
	PAR(&par, ev_timer(CTP_TIMER_REPLAY), 15000, "IDLE", "");
	NAR(&nar, ev_timer(CTP_TIMER_REPLAY), 15405, "IDLE", "");
	ck_assert(ctp_par_reclaimable(&par));
	ck_assert(ctp_nar_reclaimable(&nar));
}
END_TEST

START_TEST(test_flow_predictive_lost_pctd)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_entry	 res[CTP_FSM_MAX_ITEMS];
	struct tmsg		*ctar;

	/* The PCTD never reached the nAR: CT-Req with the seq, cache re-sent */
	ctp_par_init(&par);
	ctp_nar_init(&nar);
	ctar = mk_ctar(0x01020304, true, REQ_ALL, 0, &K);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 0, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); SEND_CTAA(new); "
	    "TIMER_SET(HANDOVER@2000); TIMER_SET(REPLAY@15000)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 500, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=01020304 token=copied); "
	    "TIMER_SET(XFER@700)");
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, wire_ctreq(&out.a[0])), 502,
	    "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=502 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, wire_par(&out.a[0])), 504,
	    "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02); TIMER_SET(XFER@704)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	NAR(&nar, ev_installed(&out.a[0], res), 510, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new); TIMER_SET(REPLAY@15510); "
	    "SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,ff02:SUCCESS)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, wire_ctdr(&out.a[3])), 512,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
}
END_TEST

START_TEST(test_flow_predictive_forged_ctar)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct tmsg		*ctar;

	/*
	 * A forged CTAR at the nAR wipes the held key and contexts, but not
	 * the pAR's cache: the MN's real CTAR still gets its contexts.
	 */
	ctp_par_init(&par);
	ctp_nar_init(&nar);
	ctar = mk_ctar(0x01020304, false, REQ_ALL, 0, &K);
	PAR(&par, ev_par(CTP_EV_CTAR, NAR_PEER, ctar), 0, "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(HANDOVER@2000); TIMER_SET(REPLAY@15000)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, wire_par(&out.a[0])), 2,
	    "HELD", "HOLD(cdbs=0,1); TIMER_SET(HANDOVER@2002)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x01020304, false,
	    REQ_ALL, 0, NULL)), 100, "IDLE",
	    "TIMER_STOP(HANDOVER); DISCARD; COUNT(TOKEN_FAIL)");
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 300, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=01020304 token=copied); "
	    "TIMER_SET(XFER@500)");
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, wire_ctreq(&out.a[0])), 301,
	    "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=301 items=ff01R,ff02); "
	    "COUNT(RETRANSMIT)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, wire_par(&out.a[0])), 302,
	    "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02); TIMER_SET(XFER@502)");
}
END_TEST

START_TEST(test_flow_reactive)
{
	static const struct ctp_fsm_item req[] = {
		{ FPT_AAA, 0, 0 }, { FPT_QOS, CTP_FSM_F_R, 0 },
	};
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_entry	 res[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_event	 ev;
	struct tmsg		*ctar;

	ctp_par_init(&par);
	ctp_nar_init(&nar);
	/* MN -> nAR: CTAR asking AAA and QoS (QoS with R) */
	ctar = mk_ctar(0xdeadbeef, true, req, 2, &K);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 0, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=deadbeef token=copied req=ff01,ff02R); "
	    "TIMER_SET(XFER@200)");
	/* nAR -> pAR: CT-Req, token verified by the pAR with its own key */
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, wire_ctreq(&out.a[0])), 5,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=0 items=ff01R,ff02R); "
	    "TIMER_SET(XFER@205)");
	/* pAR -> nAR: CTD; QoS fails to install the first time */
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, wire_par(&out.a[0])), 10,
	    "INSTALLING",
	    "INSTALL(msg cdbs=0,1 fpts=ff01R,ff02R); TIMER_SET(XFER@210)");
	ev = ev_installed(&out.a[0], res);
	res[1].status = CTP_ST_RESOURCE_SHORTAGE;
	NAR(&nar, ev, 20, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTAA(new entries=ff02:RESOURCE_SHORTAGE); "
	    "TIMER_SET(REPLAY@15020); "
	    "SEND_CTDR(peer=1 S=0 entries=ff01:SUCCESS,ff02:RESOURCE_SHORTAGE)");
	/* nAR -> pAR: CTDR S=0; the pAR retries only QoS */
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, wire_ctdr(&out.a[3])), 25,
	    "WAIT_CTDR",
	    "SEND_CTD(peer=2 A=1 elapsed=20 items=ff02R); COUNT(RETRY)");
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, wire_par(&out.a[0])), 30,
	    "INSTALLING",
	    "INSTALL(msg cdbs=0 fpts=ff02R); TIMER_SET(XFER@230)");
	NAR(&nar, ev_installed(&out.a[0], res), 35, "ACTIVE",
	    "TIMER_STOP(XFER); SEND_CTDR(peer=1 S=1 entries=ff02:SUCCESS)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, wire_ctdr(&out.a[1])), 40,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(XFER)");
	store_apply();
	ck_assert(!ctp_key_present(&K));
	/* the MN's CTAR retransmission: cached CTAA from the nAR */
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 2000, "ACTIVE",
	    "SEND_CTAA(cached entries=ff02:RESOURCE_SHORTAGE); "
	    "COUNT(DUPLICATE)");
}
END_TEST

START_TEST(test_flow_reactive_refused)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;

	/* A CTAR with a bad token: the pAR refuses, the MN is told quickly */
	ctp_par_init(&par);
	ctp_nar_init(&nar);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, mk_ctar(0x42, true, REQ_ALL,
	    0, NULL)), 0, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000042 token=copied); TIMER_SET(XFER@200)");
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, wire_ctreq(&out.a[0])), 1,
	    "DONE", "SEND_CTD(peer=2 A=0 elapsed=0 errs=0000:AUTH_FAILED); "
	    "COUNT(TOKEN_FAIL)");
	NAR(&nar, ev_msg(CTP_EV_CTD, PAR_PEER, wire_par(&out.a[0])), 2, "IDLE",
	    "SEND_CTAA(new entries=0000:AUTH_FAILED); COUNT(REFUSED); "
	    "TIMER_STOP(XFER)");
	/* the pAR never wiped the key for a refused request */
	ck_assert(ctp_key_present(&K));
	ck_assert(ctp_par_reclaimable(&par));
	ck_assert(ctp_nar_reclaimable(&nar));
}
END_TEST

START_TEST(test_flow_reactive_network)
{
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_entry	 res[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_event	 ev;
	struct tmsg		*ctar;

	/* RFC §5.2: nAR trigger -> zero-token CT-Req -> PCTD -> CTAR */
	ctp_par_init(&par);
	ctp_nar_init(&nar);
	ev = ev_peer(CTP_EV_TRIGGER, PAR_PEER);
	NAR(&nar, ev, 0, "WAIT_CTD",
	    "SEND_CTREQ(peer=1 seq=00000000 token=zero); TIMER_SET(XFER@200)");
	PAR(&par, ev_par(CTP_EV_CTREQ, NAR_PEER, wire_ctreq(&out.a[0])), 2,
	    "PUSHED",
	    "SEND_PCTD(peer=2 A=1 elapsed=0 items=ff01R,ff02); "
	    "TIMER_SET(HANDOVER@2002)");
	NAR(&nar, ev_msg(CTP_EV_PCTD, PAR_PEER, wire_par(&out.a[0])), 4,
	    "HELD",
	    "HOLD(cdbs=0,1); TIMER_STOP(XFER); TIMER_SET(HANDOVER@2004)");
	ctar = mk_ctar(0x77, false, REQ_ALL, 0, &K);
	NAR(&nar, ev_msg(CTP_EV_CTAR, PAR_PEER, ctar), 600, "INSTALLING",
	    "TIMER_STOP(HANDOVER); INSTALL(held fpts=ff01R,ff02); "
	    "TIMER_SET(XFER@800)");
	ck_assert(all_zero(&nar.key, sizeof(nar.key)));
	NAR(&nar, ev_installed(&out.a[1], res), 601, "ACTIVE",
	    "TIMER_STOP(XFER); TIMER_SET(REPLAY@15601); "
	    "SEND_CTDR(peer=1 S=1 entries=ff01:SUCCESS,ff02:SUCCESS)");
	PAR(&par, ev_par(CTP_EV_CTDR, NAR_PEER, wire_ctdr(&out.a[2])), 603,
	    "DONE", "WIPE_CACHE; WIPE_KEY; TIMER_STOP(HANDOVER)");
}
END_TEST

/* ------------------------------------------------ randomised invariants */

START_TEST(test_random_invariants)
{
	struct tu_rng		 rng;
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct ctp_fsm_event	 ev;
	struct ctp_entry	 res[2] = {
		{ FPT_AAA, CTP_ST_SUCCESS }, { FPT_QOS, CTP_ST_INSTALL_FAILED },
	};
	struct tmsg		*m[8];
	uint64_t		 now = 0;
	int			 i, k;

	tu_rng_seed(&rng, 0x5eed + (uint64_t)_i);
	m[0] = mk_ctar(1, true, REQ_ALL, 0, &K);
	m[1] = mk_ctar(2, false, REQ_MLD, 1, NULL);
	m[2] = mk_ctreq(m[0], 0, NULL, 0);
	m[3] = mk_ctreq(NULL, 1, REQ_ALL, 0);
	m[4] = mk_data(CTP_MSG_CTD, true, 10, DATA2, 2, NULL);
	m[5] = mk_data(CTP_MSG_PCTD, false, 10, DATA2, 2, &K);
	m[6] = mk_ctdr(false, NULL, 0);
	m[7] = mk_ctc();
	ctp_par_init(&par);
	ctp_nar_init(&nar);
	for (i = 0; i < 3000; i++) {
		now += tu_rng_below(&rng, 400);
		k = (int)tu_rng_below(&rng, 13);
		switch (k) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
			ev = ev_par((enum ctp_fsm_ev)(m[k]->m.hdr.type ==
			    CTP_MSG_CTAR ? CTP_EV_CTAR :
			    m[k]->m.hdr.type == CTP_MSG_CTREQ ? CTP_EV_CTREQ :
			    m[k]->m.hdr.type == CTP_MSG_CTD ? CTP_EV_CTD :
			    m[k]->m.hdr.type == CTP_MSG_PCTD ? CTP_EV_PCTD :
			    m[k]->m.hdr.type == CTP_MSG_CTDR ? CTP_EV_CTDR :
			    CTP_EV_CTC), tu_rng_below(&rng, 2) ? PAR_PEER :
			    NAR_PEER, m[k]);
			break;
		case 8:
			ev = ev_timer((enum ctp_fsm_timer)tu_rng_below(&rng,
			    CTP_TIMER__MAX));
			break;
		case 9:
			ev = ev_peer(tu_rng_below(&rng, 2) ? CTP_EV_PEER_UP :
			    CTP_EV_PEER_DOWN, tu_rng_below(&rng, 2) ?
			    PAR_PEER : NAR_PEER);
			break;
		case 10:
			ev = ev_peer(CTP_EV_INSTALL_DONE, 0);
			ev.results = res;
			ev.nresults = tu_rng_below(&rng, 3);
			break;
		case 11:
			ev = ev_par(CTP_EV_TRIGGER, tu_rng_below(&rng, 2) ?
			    PAR_PEER : NAR_PEER, NULL);
			break;
		default:
			P.udp = !P.udp;
			continue;
		}
		ck_assert_int_eq(ctp_par_step(&par, &P, &ev, now, &out), CTP_OK);
		ck_assert_ptr_nonnull(out.reason);
		ck_assert_str_ne(out.reason, "no reason recorded");
		ck_assert_uint_le(out.n, CTP_FSM_MAX_ACTIONS);
		ck_assert_int_eq(ctp_nar_step(&nar, &P, &ev, now, &out), CTP_OK);
		ck_assert_str_ne(out.reason, "no reason recorded");
		ck_assert_uint_le(out.n, CTP_FSM_MAX_ACTIONS);
		/* the nAR keeps a key only while holding contexts */
		if (nar.state != CTP_NAR_HELD)
			ck_assert(all_zero(&nar.key, sizeof(nar.key)));
		ck_assert_uint_le(nar.nitems, CTP_FSM_MAX_ITEMS);
		ck_assert_uint_le(par.nitems, CTP_FSM_MAX_ITEMS);
	}
}
END_TEST

static Suite *
fsm_suite(void)
{
	Suite	*s = suite_create("fsm");
	TCase	*tc;

	tc = tcase_create("common");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token_vector);
	tcase_add_test(tc, test_params_default);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_bad_events);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("par");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_par_idle_ctar_ok);
	tcase_add_test(tc, test_par_idle_ctar_request);
	tcase_add_test(tc, test_par_idle_ctar_bad_token);
	tcase_add_test(tc, test_par_idle_ctar_no_key_no_peer);
	tcase_add_test(tc, test_par_idle_trigger);
	tcase_add_test(tc, test_par_idle_ctreq_ok);
	tcase_add_test(tc, test_par_idle_ctreq_zero);
	tcase_add_test(tc, test_par_idle_ctreq_refused);
	tcase_add_test(tc, test_par_pushed_ctreq);
	tcase_add_test(tc, test_par_ctdr_success);
	tcase_add_test(tc, test_par_ctdr_retry);
	tcase_add_test(tc, test_par_ctdr_r_rules);
	tcase_add_test(tc, test_par_pushed_ctdr_retry);
	tcase_add_test(tc, test_par_ctc);
	tcase_add_test(tc, test_par_timers);
	tcase_add_test(tc, test_par_busy_dup);
	tcase_add_test(tc, test_par_unexpected);
	tcase_add_test(tc, test_par_channel);
	tcase_add_test(tc, test_par_udp);
	suite_add_tcase(s, tc);

	tc = tcase_create("nar");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nar_idle_pctd);
	tcase_add_test(tc, test_nar_held_ctar_ok);
	tcase_add_test(tc, test_nar_held_ctar_bad);
	tcase_add_test(tc, test_nar_held_expiry);
	tcase_add_test(tc, test_nar_idle_ctar);
	tcase_add_test(tc, test_nar_ctar_not_kept);
	tcase_add_test(tc, test_nar_idle_trigger);
	tcase_add_test(tc, test_nar_wait_ctd);
	tcase_add_test(tc, test_nar_wait_pctd);
	tcase_add_test(tc, test_nar_wait_pctd_no_ctar);
	tcase_add_test(tc, test_nar_wait_timeout);
	tcase_add_test(tc, test_nar_error_ctd);
	tcase_add_test(tc, test_nar_stale);
	tcase_add_test(tc, test_nar_alg);
	tcase_add_test(tc, test_nar_d4_d10_d14);
	tcase_add_test(tc, test_nar_active_retry);
	tcase_add_test(tc, test_nar_unexpected);
	tcase_add_test(tc, test_nar_channel_udp);
	suite_add_tcase(s, tc);

	tc = tcase_create("flow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flow_predictive);
	tcase_add_test(tc, test_flow_predictive_lost_pctd);
	tcase_add_test(tc, test_flow_predictive_forged_ctar);
	tcase_add_test(tc, test_flow_reactive);
	tcase_add_test(tc, test_flow_reactive_refused);
	tcase_add_test(tc, test_flow_reactive_network);
	tcase_add_loop_test(tc, test_random_invariants, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(fsm_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
