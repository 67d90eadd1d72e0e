/* SPDX-License-Identifier: ISC */
/*
 * The daemon's shared context and the contracts between its modules.  Data
 * flows one way (DESIGN §4): MN listener -> xfer engine -> channel (peer) ->
 * wire, and channel -> xfer engine -> feature providers.  Each module keeps
 * its own counters and renders them as JSON for the control socket.
 */
#ifndef CTPD_H
#define CTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "ctp_conf.h"
#include "ctp_msg.h"
#include "ctp_token.h"

struct event_base;
struct peer;
struct peer_set;
struct mn_listener;
struct xfer_engine;
struct control;
struct rtnl;

struct ctpd {
	struct event_base	*base;
	struct ctp_conf		*conf;
	struct ctp_token_ctx	*tctx;
	struct ctp_limits	 limits;	/* from conf.limits */
	struct peer_set		*peers;
	struct mn_listener	*mn;
	struct xfer_engine	*xfer;
	struct control		*control;
	struct rtnl		*rtnl;		/* router addresses (SCTP) */
	uint64_t		 started_ms;
};

/* Monotonic milliseconds from the loop's cached clock. */
uint64_t	 ctpd_now_ms(struct ctpd *);

/* ---------------------------------------------------------------- peer.c
 * One channel per configured neighbour, opened at start and kept up (TLS 1.3
 * over TCP; UDP under IPsec; SCTP later).  Messages arrive decoded against
 * ctpd->limits; malformed ones are counted and logged by the channel (D16)
 * and never reach the callbacks.
 */
struct peer_events {
	void	(*up)(struct peer *, void *arg);
	void	(*down)(struct peer *, const char *reason, void *arg);
	void	(*message)(struct peer *, const struct ctp_msg *m,
		    const uint8_t *raw, size_t len, void *arg);
};

/* NULL (reason logged) if the TLS files or sockets cannot be set up. */
struct peer_set	*peer_set_new(struct ctpd *, const struct peer_events *,
		    void *arg);
/* Listen and connect every peer; -1 (reason logged) on a fatal error. */
int		 peer_set_start(struct peer_set *);
/* Close every channel; no callbacks run. */
void		 peer_set_free(struct peer_set *);
size_t		 peer_count(const struct peer_set *);
struct peer	*peer_at(struct peer_set *, size_t i);
struct peer	*peer_by_name(struct peer_set *, const char *);
/* A peer one of whose configured addresses is a (IPv4-mapped equal). */
struct peer	*peer_by_addr(struct peer_set *, const struct ctp_addr *a);
/* The peer whose access prefixes contain mn (longest match), or NULL. */
struct peer	*peer_by_mn(struct peer_set *, const struct ctp_addr *mn);
uint32_t	 peer_id(const struct peer *);		/* index, stable */
const char	*peer_name(const struct peer *);
/* The address this router uses for the peer's family (for CTAR "ar"). */
const struct ctp_conf_peer *peer_conf(const struct peer *);
bool		 peer_is_up(const struct peer *);
/* May carry key material (PCTD): TLS, or IPsec marked confidential. */
bool		 peer_confidential(const struct peer *);
/*
 * Queue one encoded message; written with others of the same loop pass.
 * 0, or -1 if the channel is down or refuses it (PCTD on a channel that is
 * not confidential).
 */
int		 peer_send(struct peer *, const uint8_t *msg, size_t len);
/* TLS handshakes completed since start (the handover path adds none). */
uint64_t	 peer_set_handshakes(const struct peer_set *);
json_t		*peer_set_json(const struct peer_set *);	/* show peers */
/*
 * Router address a became usable (added) or went away: the SCTP listener
 * and associations follow with ASCONF (spec §9.6); usable[0..nusable) are
 * the router addresses usable now, for a new primary at the peer.
 */
void		 peer_set_sctp_addr(struct peer_set *, const struct ctp_addr *a,
		    bool added, const struct ctp_addr *usable, size_t nusable);

/* ---------------------------------------------------------------- mn.c
 * MN-facing sockets: raw ICMP (41/150 subtype 1, hop limit 255) and the UDP
 * test transport.  Rate limits (global, per source, per MN address, back-off
 * after token failures) run before the callback, so before any HMAC.
 */
struct mn_src {
	struct sockaddr_storage	 ss;	/* the MN's source address and port */
	socklen_t		 sslen;
	bool			 icmp;
	int			 ifindex;
	struct ctp_addr		 local;	/* address the request was sent to */
};

struct mn_events {
	/* A decoded CTAR that passed the rate limits. */
	void	(*ctar)(const struct mn_src *, const struct ctp_msg *m,
		    void *arg);
};

struct mn_listener *mn_listener_new(struct ctpd *, const struct mn_events *,
		    void *arg);
void		 mn_listener_free(struct mn_listener *);
/* Send an encoded CTAA back to src (ICMP-wrapped when src->icmp). */
int		 mn_send_ctaa(struct mn_listener *, const struct mn_src *src,
		    const uint8_t *msg, size_t len);
/* A token failed for mn from src: feeds the per-MN and per-source back-off. */
void		 mn_auth_failed(struct mn_listener *, const struct mn_src *src,
		    const struct ctp_addr *mn);
/* A token verified for mn from src: ends their back-off. */
void		 mn_auth_ok(struct mn_listener *, const struct mn_src *src,
		    const struct ctp_addr *mn);
json_t		*mn_listener_json(const struct mn_listener *);	/* counters */

/* ---------------------------------------------------------------- xfer.c
 * Runs the libctp state machines for every MN, owns their timers, the
 * context store and the feature providers.
 */
/*
 * NULL (reason logged) if a feature's provider cannot run: `socket` is not
 * available yet and is refused naming the feature.  Uses base and conf of
 * the struct ctpd; tctx, peers and mn must be set before the first event.
 */
struct xfer_engine *xfer_new(struct ctpd *);
void		 xfer_free(struct xfer_engine *);
void		 xfer_mn_ctar(struct xfer_engine *, const struct mn_src *,
		    const struct ctp_msg *);
void		 xfer_peer_message(struct xfer_engine *, struct peer *,
		    const struct ctp_msg *, const uint8_t *raw, size_t len);
void		 xfer_peer_up(struct xfer_engine *, struct peer *);
void		 xfer_peer_down(struct xfer_engine *, struct peer *);
/* Stop: CTC for transfers still running, wipe keys. */
void		 xfer_shutdown(struct xfer_engine *);

/*
 * Control-socket views and the feature-subsystem hand-over (JSON).
 * xfer_mn_json and xfer_context_get: NULL if nothing is known of the MN.
 */
json_t		*xfer_transfers_json(struct xfer_engine *);
json_t		*xfer_mn_json(struct xfer_engine *, const struct ctp_addr *mn);
json_t		*xfer_contexts_json(struct xfer_engine *);
json_t		*xfer_stats_json(struct xfer_engine *);
/*
 * context put: {"mn":ADDR, "key":HEX (optional), "cdbs":[feature CDB JSON]}
 * replaces the MN's contexts; get/del by address.  0, or -1 with a message
 * a person can act on in err.
 */
int		 xfer_context_put(struct xfer_engine *, const json_t *req,
		    char *err, size_t errlen);
json_t		*xfer_context_get(struct xfer_engine *, const struct ctp_addr *);
int		 xfer_context_del(struct xfer_engine *, const struct ctp_addr *,
		    char *err, size_t errlen);

#endif /* CTPD_H */
