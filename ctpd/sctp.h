/* SPDX-License-Identifier: ISC */
/*
 * SCTP sockets under a TLS channel (spec §8.2 mode A, §9.4-9.6, C12, C18):
 * one-to-one sockets bound with sctp_bindx to the configured router
 * addresses and connected with sctp_connectx to the peer's, tuned from
 * peers[].sctp before connect or listen.  No notification is subscribed, so
 * TLS reads a plain byte stream; path state is read with sctp_opt_info.
 */
#ifndef CTPD_SCTP_H
#define CTPD_SCTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ctp_conf.h"

struct sockaddr;

/* Warnings transport_sctp_check() gives once per peer. */
#define TRANSPORT_SCTP_W_ADDIP	0x01	/* no ASCONF or AUTH negotiated */
#define TRANSPORT_SCTP_W_PATHS	0x02	/* a configured address is no path */

/*
 * 0 if this host can open SCTP sockets; otherwise -1 and a reason in why
 * that names what to enable (kernel option, module, blacklist).
 */
int		 transport_sctp_probe(char *why, size_t len);

/*
 * A non-blocking one-to-one listener on every router address of the
 * families in use (fams: bit 0 IPv4, bit 1 IPv6), port c->router.port,
 * bound with sctp_bindx (never the wildcard) and tuned by s before
 * listen().  The fd, or -1 with the reason in why.
 */
int		 transport_sctp_listen(const struct ctp_conf *c, unsigned fams,
		    const struct ctp_conf_sctp *s, char *why, size_t len);

/*
 * Start an association to peer p: a non-blocking one-to-one socket, tuned,
 * with ASCONF and AUTH enabled, bound to the router addresses of the
 * families p has, connected with sctp_connectx to p's addresses of the
 * families we have.  The fd (the connect completes when it is writable;
 * SO_ERROR says how), or -1 with the reason in why.
 */
int		 transport_sctp_connect(const struct ctp_conf *c,
		    const struct ctp_conf_peer *p, char *why, size_t len);

/*
 * An association accepted on a listener tuned with ls: apply p's tuning
 * where it differs.  0, or -1 with the reason in why.
 */
int		 transport_sctp_accepted(int fd, const struct ctp_conf_peer *p,
		    const struct ctp_conf_sctp *ls, char *why, size_t len);

/*
 * Before TLS starts on an established association: SCTP_NODELAY must read
 * back 1 and no notification may be subscribed (it would reach TLS, C12).
 * Logs what was read back, and warns (TRANSPORT_SCTP_W_* not yet in
 * *warned, then set) if ADDIP was not negotiated or a configured address
 * of the peer is not a path.  0, or -1 with the reason in why.
 */
int		 transport_sctp_check(int fd, const struct ctp_conf *c,
		    const struct ctp_conf_peer *p, unsigned *warned, char *why,
		    size_t len);

/*
 * Run-time renumbering (spec §9.6, issue 5 §3): what became of a change
 * on one socket.  Names in transport_sctp_change_names.
 */
enum transport_sctp_ch {
	TRANSPORT_SCTP_CH_DONE,		/* bound or unbound; ASCONF queued */
	TRANSPORT_SCTP_CH_NONE,		/* nothing to do (why says) */
	TRANSPORT_SCTP_CH_NOASCONF,	/* the peer cannot follow: untouched */
	TRANSPORT_SCTP_CH_LAST,		/* the last local address: kept */
	TRANSPORT_SCTP_CH_FAILED,	/* why says */
};
extern const char *const transport_sctp_change_names[];

/*
 * Router address a appeared: sctp_bindx(ADD) on fd, a listener or an
 * established association with ASCONF and AUTH (ASCONF ADD-IP).  An
 * address already bound, of a family fd cannot take, or an association
 * not yet established is TRANSPORT_SCTP_CH_NONE; one without ASCONF is
 * left alone.  The reason of anything but DONE in why.
 */
enum transport_sctp_ch transport_sctp_addr_add(int fd,
		    const struct ctp_addr *a, char *why, size_t len);

/*
 * Router address a went away: on an association, first ask the peer to
 * send to the first of usable[0..nusable) that the association has
 * (SCTP_SET_PEER_PRIMARY_ADDR, then in *prim; prim->len 0 if none was
 * asked), then sctp_bindx(REM) (ASCONF DELETE-IP).  The last local
 * address is never removed (TRANSPORT_SCTP_CH_LAST).  DONE with why not
 * empty: removed, but the Set Primary failed (why says).
 */
enum transport_sctp_ch transport_sctp_addr_del(int fd,
		    const struct ctp_addr *a, const struct ctp_addr *usable,
		    size_t nusable, struct ctp_addr *prim, char *why,
		    size_t len);

/* Length of the sockaddr at sa, 0 if its family is not IPv4 or IPv6. */
size_t		 transport_sctp_sa_len(const struct sockaddr *sa);
/* The normalised address of sa; -1 if it is not IPv4 or IPv6. */
int		 transport_sctp_sa_addr(const struct sockaddr *sa,
		    struct ctp_addr *a);

/*
 * The peer addresses of the association on fd, IPv4-mapped ones as IPv4;
 * at most max of them into v.  Returns how many (0 on error).
 */
size_t		 transport_sctp_peer_addrs(int fd, struct ctp_addr *v,
		    size_t max);

/*
 * `show peers` view of the association on fd, read back from the socket:
 * state, primary, the settings in force, and every path (state, RTO,
 * SRTT, cwnd, MTU).  JSON null if it cannot be read.
 */
json_t		*transport_sctp_json(int fd);

#endif /* CTPD_SCTP_H */
