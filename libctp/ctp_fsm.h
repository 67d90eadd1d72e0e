/* SPDX-License-Identifier: ISC */
/*
 * Per-MN context transfer state machines for the pAR and nAR roles (spec
 * §2.3, §6).  Each step is a pure function (state, event, now) -> (new state,
 * actions): no sockets, no clock, no logging, no allocation.  The actions are
 * data that ctpd carries out: send a message, install, hold, wipe, arm or
 * stop a named timer, count, report.
 */
#ifndef CTP_FSM_H
#define CTP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_err.h"
#include "ctp_msg.h"
#include "ctp_token.h"

/*
 * Distinct FPTs a per-MN state keeps: the FPTs of one transfer, the request
 * CDBs of the CTAR, the cached CTAA.  Small on purpose (ctpd holds very many
 * of these); a request or transfer with more distinct FPTs is refused or
 * truncated as documented per event below.
 */
#define CTP_FSM_MAX_ITEMS	16
#define CTP_FSM_MAX_ACTIONS	16	/* one step never needs more */
#define CTP_FSM_NO_PEER		UINT32_MAX
#define CTP_FSM_FPT_ERROR	0xff00	/* error-indication CDB (C9) */

/* Protocol constants (spec §6.2, C15); all configurable in ctpd. */
struct ctp_fsm_params {
	uint32_t	 max_transfer_ms;	/* CT_MAX_TRANSFER_TIME, 200 */
	uint32_t	 max_handover_ms;	/* CT_MAX_HANDOVER_TIME, 2000 */
	uint32_t	 retry_max_ms;		/* CT_RETRY_MAX, 15000 (C16) */
	uint32_t	 udp_rto_ms;		/* UDP_RTO_INITIAL, 50 */
	bool		 udp;			/* UDP mode, §6.5 */
	bool		 ctd_ack;		/* pAR: A in every CTD/PCTD */
};

/* Fill p with the §6.2 defaults (udp off, ctd_ack on). */
void		 ctp_fsm_params_default(struct ctp_fsm_params *p);

/*
 * One FPT with flags and a status.  In events and actions only CTP_FSM_F_R is
 * meaningful in flags ("reliable": held list, request CDB, item to send); the
 * other bits are private to the state machines.  status is a ctp_status for
 * entries (CTAA, CTDR, error CDB, REPORT_FAILED) and 0 elsewhere.
 */
struct ctp_fsm_item {
	uint16_t	 fpt;
	uint8_t		 flags;
	uint8_t		 status;
};
#define CTP_FSM_F_R	0x01

enum ctp_fsm_timer {
	CTP_TIMER_XFER,		/* CT_MAX_TRANSFER_TIME: transfer, install */
	CTP_TIMER_HANDOVER,	/* CT_MAX_HANDOVER_TIME: pAR cache, nAR hold */
	CTP_TIMER_RETRY,	/* UDP-mode retransmission (§6.5) */
	CTP_TIMER_REPLAY,	/* CT_RETRY_MAX: (MN, seq) memory (C16) */
	CTP_TIMER__MAX
};

enum ctp_fsm_ev {
	CTP_EV_CTAR,		/* msg: CTAR from the MN */
	CTP_EV_TRIGGER,		/* network trigger, no CTAR (§1.2) */
	CTP_EV_CTREQ,		/* msg: CT-Req from a peer (pAR) */
	CTP_EV_CTD,		/* msg: CTD from a peer (nAR) */
	CTP_EV_PCTD,		/* msg: PCTD from a peer (nAR) */
	CTP_EV_CTDR,		/* msg: CTDR from a peer (pAR) */
	CTP_EV_CTC,		/* msg: CTC from a peer (pAR) */
	CTP_EV_TIMER,		/* timer: a timer armed by TIMER_SET expired */
	CTP_EV_PEER_DOWN,	/* peer: channel to that peer lost */
	CTP_EV_PEER_UP,		/* peer: channel (re-)established */
	CTP_EV_INSTALL_DONE,	/* results: outcome of an INSTALL (nAR) */
	CTP_EV__MAX
};

/*
 * An event.  Pointers are borrowed for the duration of the step only; the
 * state machine copies what it keeps.  Fields per event:
 *
 *   all       type; peer = the peer id (ctpd's own numbering) the event is
 *             about: sender of a peer message, the AR a CTAR or trigger names
 *             (CTP_FSM_NO_PEER if that AR is not a usable neighbour), the
 *             channel of PEER_UP/PEER_DOWN.
 *   CTAR      msg (decoded, cdb_raw set), tctx.  pAR also key and held.
 *   TRIGGER   req/nreq (optional FPT filter; none = all), seq (nAR: sequence
 *             number for the zero-token CT-Req, usually 0).  pAR also key,
 *             held.
 *   CTREQ     msg, tctx, key, held (pAR).
 *   CTD/PCTD  msg; verdict (per msg->cdbs[i] a ctp_status: SUCCESS if the
 *             feature layer accepts the CDB, MALFORMED (D10), UNSUPPORTED_FPT
 *             for an unknown FPT, or any other refusal; NULL = all SUCCESS);
 *             errs/nerrs = entries of the error CDBs (FPT 0xFF00) in the
 *             message, decoded by ctpd.  tctx for a PCTD.
 *   CTDR      msg.
 *   CTC       msg.
 *   TIMER     timer.
 *   INSTALL_DONE results/nresults: per-FPT status of the last INSTALL.
 *
 * key is the MN's key from ctpd's context store (pAR; NULL if none) and held
 * the FPTs ctpd holds for the MN, CTP_FSM_F_R set for FPTs configured
 * reliable.
 */
struct ctp_fsm_event {
	enum ctp_fsm_ev		 type;
	uint32_t		 peer;
	const struct ctp_msg	*msg;
	struct ctp_token_ctx	*tctx;
	const struct ctp_key	*key;
	const struct ctp_fsm_item *held;
	size_t			 nheld;
	const struct ctp_fsm_item *req;
	size_t			 nreq;
	uint32_t		 seq;
	const uint8_t		*verdict;
	const struct ctp_entry	*errs;
	size_t			 nerrs;
	const struct ctp_entry	*results;
	size_t			 nresults;
	enum ctp_fsm_timer	 timer;
};

/*
 * What ctpd does, with the action members each one uses:
 *
 *   SEND_PCTD      peer, a_flag, elapsed_ms, items (FPT + R: every CDB ctpd
 *                  holds of that FPT, with R), entries for an error CDB
 *                  (C9); key and algorithm from the store.  An entry for
 *                  FPT 0 means the whole request; as an error CDB cannot
 *                  carry FPT 0 (D7), ctpd encodes it as FPT 0xFF00 and
 *                  the nAR machine reads 0xFF00 back as the whole request.
 *   SEND_CTD       as SEND_PCTD without key material.  No items and one
 *                  entry = a refusal of a CT-Req (error CTD, A=0).
 *   SEND_CTREQ     peer, seq, token (zero_token: all zero), items = the
 *                  request CDBs in the CTAR's order, R kept (§3.7).
 *   SEND_CTDR      peer, s_flag, entries.
 *   SEND_CTC       peer.
 *   SEND_CTAA      entries (none = success); cached: a C16 re-send.
 *   INSTALL        items = FPTs; from_held: the copies kept by HOLD (then
 *                  drop them), else the cdb_mask CDBs of the event msg.
 *                  Answer with an INSTALL_DONE event, now or later.
 *   HOLD           keep copies of the cdb_mask CDBs of the event msg.
 *   DISCARD        drop the held copies.
 *   WIPE_KEY       pAR: wipe the MN's key in the store (§5.3).
 *   WIPE_CACHE     pAR: drop the transferred context material (C21).
 *   TIMER_SET      timer, deadline_ms (absolute, the clock of now_ms);
 *                  re-arms a running timer.
 *   TIMER_STOP     timer.
 *   REPORT_FAILED  items: R contexts not delivered, FPT + status (§6.1).
 *   COUNT          counter.
 */
enum ctp_fsm_act {
	CTP_ACT_SEND_PCTD,
	CTP_ACT_SEND_CTD,
	CTP_ACT_SEND_CTREQ,
	CTP_ACT_SEND_CTDR,
	CTP_ACT_SEND_CTC,
	CTP_ACT_SEND_CTAA,
	CTP_ACT_INSTALL,
	CTP_ACT_HOLD,
	CTP_ACT_DISCARD,
	CTP_ACT_WIPE_KEY,
	CTP_ACT_WIPE_CACHE,
	CTP_ACT_TIMER_SET,
	CTP_ACT_TIMER_STOP,
	CTP_ACT_REPORT_FAILED,
	CTP_ACT_COUNT,
	CTP_ACT__MAX
};

enum ctp_fsm_counter {
	CTP_CNT_TOKEN_FAIL,	/* token did not verify */
	CTP_CNT_TOKEN_ERROR,	/* token could not be checked (alg, crypto) */
	CTP_CNT_NO_CONTEXT,	/* no key / nothing held for the MN */
	CTP_CNT_NO_PEER,	/* named AR is not a usable neighbour */
	CTP_CNT_DUPLICATE,	/* duplicate CTAR (C16) or message */
	CTP_CNT_STALE,		/* CTD/PCTD Elapsed Time too large (C17) */
	CTP_CNT_BUSY,		/* request while a transfer runs (§6.4) */
	CTP_CNT_UNEXPECTED,	/* event not expected in this state */
	CTP_CNT_WRONG_PEER,	/* message from a peer not in the transfer */
	CTP_CNT_ALG,		/* PCTD algorithm not supported (D5) */
	CTP_CNT_TOO_MANY,	/* more FPTs than CTP_FSM_MAX_ITEMS */
	CTP_CNT_RETRY,		/* CTD re-sent for failed R contexts (§6.1) */
	CTP_CNT_RETRANSMIT,	/* UDP-mode retransmission or channel resend */
	CTP_CNT_REL_FAILED,	/* R contexts reported failed */
	CTP_CNT_CANCELLED,	/* CTC received or sent */
	CTP_CNT_TIMEOUT,	/* transfer timed out */
	CTP_CNT_HOLD_EXPIRED,	/* held predictive contexts expired */
	CTP_CNT_FPT0,		/* CDB with FPT 0 skipped (D14) */
	CTP_CNT_UNVERIFIED,	/* CTD refused: no token was checked for it */
	CTP_CNT_REFUSED,	/* pAR refused the request (error CDB) */
	CTP_CNT_INSTALL_TIMEOUT, /* install results missing at the deadline */
	CTP_CNT__MAX
};

struct ctp_fsm_action {
	enum ctp_fsm_act	 type;
	uint32_t		 peer;
	bool			 a_flag;
	bool			 s_flag;
	bool			 cached;
	bool			 from_held;
	bool			 zero_token;
	uint32_t		 elapsed_ms;
	uint32_t		 seq;
	uint8_t			 token[CTP_TOKEN_LEN];
	enum ctp_fsm_timer	 timer;
	uint64_t		 deadline_ms;
	enum ctp_fsm_counter	 counter;
	uint8_t			 nitems;
	uint8_t			 nentries;
	struct ctp_fsm_item	 items[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_item	 entries[CTP_FSM_MAX_ITEMS];
	/* bit i (cdb_mask[i / 8] & 1 << i % 8) selects msg->cdbs[i] */
	uint8_t			 cdb_mask[CTP_MAX_CDBS / 8];
};

/*
 * The output of one step.  Initialise once with ctp_fsm_actions_init(); each
 * step overwrites n, from, to and reason.  from/to are role states (enum
 * ctp_par_state or ctp_nar_state); reason is a static string for the log
 * line "xfer: WAIT_CTD -> ACTIVE, reason: data received".
 */
struct ctp_fsm_actions {
	int			 from;
	int			 to;
	const char		*reason;
	size_t			 n;
	size_t			 cap;		/* <= CTP_FSM_MAX_ACTIONS */
	bool			 full;		/* an action did not fit */
	struct ctp_fsm_action	 a[CTP_FSM_MAX_ACTIONS];
	struct ctp_fsm_action	 spill;		/* private: overflow sink */
};

void		 ctp_fsm_actions_init(struct ctp_fsm_actions *out);

/* The (MN, seq) -> last CTAA memory of C16, one per MN. */
struct ctp_fsm_replay {
	uint64_t		 until_ms;
	uint32_t		 seq;
	bool			 valid;
	bool			 has_ctaa;
	uint8_t			 nctaa;
	struct ctp_fsm_item	 ctaa[CTP_FSM_MAX_ITEMS];
};

/* ------------------------------------------------------------------ pAR */

enum ctp_par_state {
	CTP_PAR_IDLE,		/* no transfer */
	CTP_PAR_PUSHED,		/* PCTD sent and cached: CTDR or CT-Req next */
	CTP_PAR_WAIT_CTDR,	/* CTD sent with A: CTDR next; R retries */
	CTP_PAR_DONE,		/* transfer over; cache and key wiped */
	CTP_PAR__MAX
};

struct ctp_par {
	enum ctp_par_state	 state;
	uint8_t			 flags;		/* private */
	uint8_t			 timers;	/* armed: bit per ctp_fsm_timer */
	uint8_t			 nitems;
	uint32_t		 peer;		/* the nAR of the transfer */
	uint32_t		 seq;		/* of the CTAR or CT-Req */
	uint32_t		 rto_ms;	/* UDP mode: current RTO */
	uint64_t		 first_ms;	/* first CTD/PCTD (Elapsed Time) */
	uint64_t		 deadline_ms;	/* end of retransmissions/retries */
	struct ctp_fsm_item	 items[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_replay	 replay;
};

void		 ctp_par_init(struct ctp_par *st);

/*
 * Run one event through a pAR state machine.  Returns CTP_OK with the
 * actions in out; CTP_ERR_INVAL (state untouched, no actions) if ev is
 * malformed: NULL or inconsistent pointers, msg of the wrong type, timer out
 * of range; CTP_ERR_NOSPACE if the actions did not fit out->cap: the step is
 * then incomplete, the listed actions are valid, and ctpd should wipe and
 * reset the MN (ctp_par_init after a WIPE_KEY/WIPE_CACHE of its own).
 *
 * Token checks: a CTAR (and a CT-Req with a non-zero token) is verified
 * with ev->key before anything is sent; a bad token never starts a transfer
 * and never enters the replay memory.
 */
enum ctp_err	 ctp_par_step(struct ctp_par *st,
		    const struct ctp_fsm_params *p,
		    const struct ctp_fsm_event *ev, uint64_t now_ms,
		    struct ctp_fsm_actions *out);

/* True once ctpd may free st: IDLE or DONE and no timer armed. */
bool		 ctp_par_reclaimable(const struct ctp_par *st);

/* ------------------------------------------------------------------ nAR */

enum ctp_nar_state {
	CTP_NAR_IDLE,		/* nothing held, nothing requested */
	CTP_NAR_WAIT_CTD,	/* CT-Req sent, waiting for CTD/PCTD */
	CTP_NAR_HELD,		/* PCTD held with its key: CTAR next */
	CTP_NAR_INSTALLING,	/* INSTALL issued, waiting for INSTALL_DONE */
	CTP_NAR_ACTIVE,		/* contexts installed; R retries accepted */
	CTP_NAR__MAX
};

struct ctp_nar {
	enum ctp_nar_state	 state;
	uint8_t			 flags;		/* private */
	uint8_t			 timers;	/* armed: bit per ctp_fsm_timer */
	uint8_t			 nitems;
	uint8_t			 nreq;
	uint32_t		 peer;		/* the pAR of the transfer */
	uint32_t		 seq;		/* of the CTAR */
	uint32_t		 ctreq_seq;	/* of the CT-Req sent */
	uint32_t		 rto_ms;	/* UDP mode: current RTO */
	uint64_t		 deadline_ms;	/* CT_MAX_TRANSFER_TIME of CT-Req */
	uint8_t			 token[CTP_TOKEN_LEN];	/* of the CTAR */
	struct ctp_addr		 mn;		/* as in the CTAR (D1) */
	struct ctp_fsm_item	 req[CTP_FSM_MAX_ITEMS];	/* CTAR CDBs */
	struct ctp_fsm_item	 items[CTP_FSM_MAX_ITEMS];
	struct ctp_fsm_replay	 replay;
	struct ctp_key		 key;		/* from the PCTD, used once */
};

void		 ctp_nar_init(struct ctp_nar *st);

/*
 * Wipe the key (OPENSSL_cleanse) and reset st to IDLE.  ctpd calls it before
 * freeing or reusing the memory of a state that is not reclaimable.
 */
void		 ctp_nar_clear(struct ctp_nar *st);

/*
 * Run one event through a nAR state machine; return values as for
 * ctp_par_step.  The PCTD key is copied into st->key and wiped with
 * ctp_key_wipe right after the MN's CTAR was checked against it, whether the
 * token was good or bad, and on every path that drops held contexts.  ctpd
 * must cleanse its own receive buffer of a PCTD after the step.
 */
enum ctp_err	 ctp_nar_step(struct ctp_nar *st,
		    const struct ctp_fsm_params *p,
		    const struct ctp_fsm_event *ev, uint64_t now_ms,
		    struct ctp_fsm_actions *out);

/* True once ctpd may free st: IDLE, no key and no timer armed. */
bool		 ctp_nar_reclaimable(const struct ctp_nar *st);

/* ------------------------------------------------------------ names */

/* Upper-case names for logs and ctpctl; "?" for out-of-range values. */
const char	*ctp_par_state_name(int);
const char	*ctp_nar_state_name(int);
const char	*ctp_fsm_event_name(int);
const char	*ctp_fsm_action_name(int);
const char	*ctp_fsm_timer_name(int);
const char	*ctp_fsm_counter_name(int);

/*
 * One-line rendering of an action or of a whole list ("; " between
 * actions), e.g. "SEND_CTD(peer=1 A=1 elapsed=0 items=ff01R)".  Never shows
 * a token or key.  Returns what snprintf would (the length needed).
 */
int		 ctp_fsm_action_format(const struct ctp_fsm_action *a,
		    char *buf, size_t len);
int		 ctp_fsm_actions_format(const struct ctp_fsm_actions *out,
		    char *buf, size_t len);

/* --------------------------------------- helpers for ctp_fsm_*.c only */

/*
 * Append a zeroed action of type t.  When out is full, marks it full and
 * returns a scratch action that is not listed, so callers need no check.
 */
struct ctp_fsm_action *ctp_fsm_act(struct ctp_fsm_actions *out,
		    enum ctp_fsm_act t);
void		 ctp_fsm_count(struct ctp_fsm_actions *out,
		    enum ctp_fsm_counter c);
/* TIMER_SET / TIMER_STOP and the armed bit in *armed (STOP only if armed). */
void		 ctp_fsm_timer_set(struct ctp_fsm_actions *out, uint8_t *armed,
		    enum ctp_fsm_timer t, uint64_t deadline_ms);
void		 ctp_fsm_timer_stop(struct ctp_fsm_actions *out, uint8_t *armed,
		    enum ctp_fsm_timer t);
void		 ctp_fsm_timer_stop_all(struct ctp_fsm_actions *out,
		    uint8_t *armed, bool keep_replay);
/* Add an entry to a list of cap items; false if full. */
bool		 ctp_fsm_entry_add(struct ctp_fsm_item *list, uint8_t *n,
		    size_t cap, uint16_t fpt, uint8_t flags, uint8_t status);
/* Index of fpt in list, or -1. */
int		 ctp_fsm_item_find(const struct ctp_fsm_item *list, size_t n,
		    uint16_t fpt);

/* Replay memory (C16). */
bool		 ctp_fsm_replay_match(const struct ctp_fsm_replay *r,
		    uint32_t seq, uint64_t now_ms);
/* Remember seq (with the CTAA entries if ctaa != NULL) until now+retry_max. */
void		 ctp_fsm_replay_remember(struct ctp_fsm_replay *r, uint32_t seq,
		    const struct ctp_fsm_item *ctaa, size_t nctaa,
		    uint64_t now_ms, const struct ctp_fsm_params *p);
void		 ctp_fsm_replay_forget(struct ctp_fsm_replay *r);
/*
 * Handle a CTAR matching the replay memory: re-send the cached CTAA if there
 * is one, count the duplicate, set the reason.
 */
void		 ctp_fsm_replay_answer(const struct ctp_fsm_replay *r,
		    struct ctp_fsm_actions *out);

/* SEND_CTAA with one entry for FPT 0 (the whole request). */
void		 ctp_fsm_ctaa_whole(struct ctp_fsm_actions *out,
		    uint8_t status);

/* Elapsed ms since first_ms, clamped to 32 bits. */
uint32_t	 ctp_fsm_elapsed(uint64_t first_ms, uint64_t now_ms);

/* Basic event checks shared by both roles: CTP_OK or CTP_ERR_INVAL. */
enum ctp_err	 ctp_fsm_event_check(const struct ctp_fsm_event *ev,
		    const struct ctp_fsm_params *p,
		    struct ctp_fsm_actions *out);

#endif /* CTP_FSM_H */
