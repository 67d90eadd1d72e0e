/* SPDX-License-Identifier: ISC */
/*
 * Inside the transfer engine: the per-MN entry (one pAR and one nAR state
 * machine, their named timers, the CTAR's source for CTAAs, the install in
 * progress) and the engine with its scratch buffers and counters.  Shared by
 * xfer.c (events and actions) and xfer_json.c (views, context hand-over).
 */
#ifndef CTPD_XFER_PRIV_H
#define CTPD_XFER_PRIV_H

#include <event2/event_struct.h>

#include "ctp_feature.h"
#include "ctp_fsm.h"
#include "ctpd.h"
#include "log.h"

struct store;
struct provider;

enum xfer_role {
	XFER_PAR,
	XFER_NAR,
	XFER__ROLES
};
extern const char *const xfer_role_names[XFER__ROLES];

#define XFER_FREE_MAX	1024	/* MN entries kept for reuse */
#define XFER_FAIL_RING	16	/* recent REPORT_FAILED items, for show */

/* One named timer of one role of one MN; firing it is a TIMER event. */
struct xfer_timer {
	struct event		 ev;
	struct xfer_mn		*m;
	uint8_t			 role;
	uint8_t			 timer;	/* enum ctp_fsm_timer */
};

struct xfer_mn {
	struct xfer_mn		*hnext;	/* bucket chain or free list */
	struct xfer_engine	*x;
	struct ctp_addr		 mn;		/* normalised */
	/* The MN's address as carried: per role, and in its CTAR (D1). */
	struct ctp_addr		 wire[XFER__ROLES];
	struct ctp_addr		 ctar_mn;
	uint8_t			 ctar_raw[4 * CTP_FSM_MAX_ITEMS];
	size_t			 ctar_raw_len;	/* its request CDBs, verbatim */
	struct ctp_par		 par;
	struct ctp_nar		 nar;
	struct xfer_timer	 t[XFER__ROLES][CTP_TIMER__MAX];
	struct mn_src		 src[XFER__ROLES];
	bool			 has_src[XFER__ROLES];
	bool			 send_failed[XFER__ROLES];
	bool			 active;	/* counted in ntransfers */
	bool			 held;		/* counted in nheld */
	bool			 inst_ready;	/* install over, no hook left */
	uint8_t			 inst_pending;	/* hooks running */
	uint8_t			 ninst;
	uint64_t		 inst_gen;
	struct ctp_entry	 inst[CTP_FSM_MAX_ITEMS];
	uint64_t		 since_ms;
};

struct xfer_failure {
	struct ctp_addr		 mn;
	uint16_t		 fpt;
	uint8_t			 status;
	uint32_t		 peer;
	uint64_t		 at_ms;
};

/* Engine counters besides the state machines' own (cnt[]). */
struct xfer_counters {
	uint64_t		 rx[CTP_MSG_TYPE_MAX + 1];
	uint64_t		 tx[CTP_MSG_TYPE_MAX + 1];
	uint64_t		 ctar[XFER__ROLES];
	uint64_t		 steps, step_errors, unexpected, bad_cdbs;
	uint64_t		 send_fail, encode_fail, ctaa_fail, ctaa_cached;
	uint64_t		 installs, holds, discards;
	uint64_t		 keys_wiped, caches_wiped;
	uint64_t		 report_failed, report_failed_fpts;
	uint64_t		 resource_shortage, limit_transfers, limit_held;
	uint64_t		 peer_up, peer_down;
	uint64_t		 puts, dels;
};

struct xfer_engine {
	struct ctpd		*d;
	struct store		*store;
	struct provider		*prov;
	struct xfer_mn		**b;
	size_t			 nb, n;
	uint64_t		 seed;
	struct xfer_mn		*free;
	size_t			 nfree;
	size_t			 ntransfers, nheld;
	uint64_t		 gen;
	bool			 stopping;
	struct log_limit	 ll;
	uint64_t		 cnt[CTP_CNT__MAX];
	struct xfer_counters	 c;
	struct xfer_failure	 fail[XFER_FAIL_RING];
	uint64_t		 nfail;
	/* scratch: one message built and encoded at a time */
	struct ctp_msg		 msg;
	uint8_t			 buf[CTP_MSG_MAX];
	uint8_t			 errcdb[CTP_CDB_MAX];
	struct ctp_fsm_item	 held[CTP_MAX_CDBS];
	uint8_t			 verdict[CTP_MAX_CDBS];
	struct ctp_entry	 errs[CTP_MAX_ENTRIES];
	struct ctp_fvals	 fv;
};

struct xfer_mn	*xfer_mn_find(struct xfer_engine *, const struct ctp_addr *);
const char	*xfer_addr(const struct ctp_addr *, char *, size_t);
/* The engine's context store (tests and views). */
struct store	*xfer_store(struct xfer_engine *);

#endif /* CTPD_XFER_PRIV_H */
