/* SPDX-License-Identifier: ISC */
/*
 * Path monitor of an SCTP channel (FIELD-LESSONS B2, B3): polls the
 * association's path states with sctp_opt_info on a libevent timer, counts
 * and logs their changes, and keeps the association's primary on the
 * configured address (peers[].sctp.primary) whenever that path is ACTIVE.
 */
#ifndef CTPD_SCTP_PATH_H
#define CTPD_SCTP_PATH_H

#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "ctp_conf.h"

struct sctp_path;

/* Counters of one peer, or of the whole set (sctp_path_sum). */
struct sctp_path_counters {
	uint64_t	 path_changes;		/* any path state change */
	uint64_t	 primary_changes;	/* primary moved, not by us */
	uint64_t	 primary_restored;	/* we set the primary back */
};

/* Polling period for a heartbeat interval: a quarter, 50 ms..1 s. */
uint32_t	 sctp_path_period_ms(uint32_t hb_interval_ms);

/* The primary p asks for: peers[].sctp.primary, else its first address. */
void		 sctp_path_configured(const struct ctp_conf_peer *p,
		    struct ctp_addr *out);

/* A monitor for peer p (SCTP transport), idle; NULL if out of memory. */
struct sctp_path *sctp_path_new(struct event_base *base,
		    const struct ctp_conf_peer *p);
void		 sctp_path_free(struct sctp_path *);

/*
 * The channel on the association fd is up: remember its paths, pin the
 * primary and poll until sctp_path_stop().  Counters survive both.
 * NULL is a no-op for both (a peer that is not SCTP).
 */
void		 sctp_path_start(struct sctp_path *, int fd);
void		 sctp_path_stop(struct sctp_path *);

/*
 * Into a peer's `show peers` object: the counters under "counters", and
 * under "channel"."sctp" the configured primary, whether it is the primary
 * in force, and each path's changes and time since its last change.
 */
void		 sctp_path_json(const struct sctp_path *, json_t *peer);

/* Add m's counters to *sum (NULL m adds nothing). */
void		 sctp_path_sum(const struct sctp_path *m,
		    struct sctp_path_counters *sum);

#endif /* CTPD_SCTP_PATH_H */
