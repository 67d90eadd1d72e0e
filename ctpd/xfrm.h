/* SPDX-License-Identifier: ISC */
/*
 * The IPsec preflight for channels under OS ESP (spec §8.3, §8.4, §10.2;
 * FIELD-LESSONS G1-G5): ask the kernel over NETLINK_XFRM whether an ESP
 * policy and SA cover every address pair a channel can use, and follow XFRM
 * expire events so that a peer whose SA is gone shows as degraded.
 */
#ifndef CTPD_XFRM_H
#define CTPD_XFRM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctp_msg.h"		/* struct ctp_addr */

struct ctp_conf;
struct ctp_conf_peer;
struct event_base;
struct peer;

/* One address pair a channel can use, with its ports, seen from here. */
struct xfrm_flow {
	struct ctp_addr	 local;
	struct ctp_addr	 remote;
	uint8_t		 proto;		/* IPPROTO_UDP, IPPROTO_SCTP */
	uint16_t	 lport;		/* ours */
	uint16_t	 rport;		/* the peer's */
};

/*
 * Does ESP cover each flow both ways?  For each flow, in order: the
 * outbound policy that the kernel would pick (lowest priority among the
 * matching selectors) must allow the traffic with a mandatory ESP template,
 * likewise the inbound one, and an ESP SA must exist for each direction
 * (addresses, and reqid where the template names one).  Returns 0 if all are
 * covered; -1 with why naming the first uncovered pair ("no inbound ESP
 * policy for 192.0.2.2 -> 192.0.2.1 udp/5091"), or why the kernel could not
 * be asked.  warn (may be NULL) gets a warning for an inbound SA without
 * anti-replay (replay window 0 and no ESN replay state), or "".
 */
int		 xfrm_check(const struct xfrm_flow *v, size_t n, char *why,
		    size_t whylen, char *warn, size_t warnlen);

/*
 * The flows of a peer: every router address by every peer address of the
 * same family; loopback pairs, which never leave the host, are left out.
 * Returns how many were written to v (at most cap).
 */
size_t		 xfrm_peer_flows(const struct ctp_conf *,
		    const struct ctp_conf_peer *, struct xfrm_flow *v,
		    size_t cap);

/*
 * Peer start for `security: ipsec` (a no-op returning 0 for other peers):
 * checks the peer's flows with xfrm_check, logs a replay-window warning, and
 * follows expire events for the peer.  -1 with the reason in why: the peer
 * must not be started.  The first peer followed opens the event socket on
 * base; one base per process.
 */
int		 xfrm_peer_start(struct event_base *base,
		    const struct ctp_conf *, struct peer *, char *why,
		    size_t whylen);
/* Stop following p (peer set freed); the last one closes the socket. */
void		 xfrm_peer_forget(const struct peer *);
/* For `show peers`: "ok", "degraded: ...", or JSON null if not followed. */
json_t		*xfrm_peer_json(const struct peer *);

/* An SA event from the kernel, as received. */
struct xfrm_event {
	enum {
		XFRM_EV_SOFT,		/* soft lifetime reached: rekey due */
		XFRM_EV_HARD,		/* hard lifetime reached: SA gone */
		XFRM_EV_NEWSA,		/* an SA was added or updated */
	}		 type;
	struct ctp_addr	 src;
	struct ctp_addr	 dst;
	uint32_t	 spi;		/* host order */
	uint8_t		 proto;
};
extern const char *const xfrm_event_names[];

/*
 * A non-blocking NETLINK_XFRM socket joined to XFRMNLGRP_EXPIRE and
 * XFRMNLGRP_SA, watched on base; cb runs for each event.  NULL with errno
 * set if the socket cannot be opened (no CAP_NET_ADMIN, no XFRM).
 */
struct xfrm_watch;
struct xfrm_watch *xfrm_watch_new(struct event_base *base,
		    void (*cb)(const struct xfrm_event *, void *), void *arg);
void		 xfrm_watch_free(struct xfrm_watch *);

#endif /* CTPD_XFRM_H */
