/* SPDX-License-Identifier: ISC */
/*
 * CXTP straight on a one-to-one SCTP association under OS IPsec (spec §8.2
 * mode B, §8.3): one CXTP message per SCTP user message, reassembled up to
 * MSG_EOR on receipt; sent with sctp_sendv, unordered with a PR-SCTP
 * lifetime unless the message carries a reliable (R) context.
 */
#ifndef CTPD_SCTP_MSG_H
#define CTPD_SCTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctp_conf.h"
#include "ctp_msg.h"

struct event_base;
struct sctp_msg;

/* Messages read per wakeup before yielding (STYLE §8). */
#define SCTP_MSG_READ_BURST	16

struct sctp_msg_cbs {
	/*
	 * One whole message of len octets (4 <= len <= max, Length field
	 * equal to len).  It may call sctp_msg_free().
	 */
	void	(*message)(const uint8_t *buf, size_t len, void *arg);
	/*
	 * The association is gone, or (reset true) the peer sent what is
	 * not one CXTP message per SCTP message; reason says which.  The
	 * caller frees the channel.  Runs at most once.
	 */
	void	(*closed)(bool reset, const char *reason, void *arg);
};

/*
 * A channel on the connected one-to-one SCTP socket fd, watched on base;
 * it owns fd from now on.  max is the largest message accepted (the
 * reassembly buffer is allocated once, max octets); at most maxq octets
 * wait in user space for the socket.  ppid goes with every message
 * (§8.1).  NULL if out of memory (fd then still the caller's).
 */
struct sctp_msg	*sctp_msg_new(struct event_base *base, int fd, size_t max,
		    size_t maxq, uint32_t ppid, const struct sctp_msg_cbs *cbs,
		    void *arg);
/* Close the socket and free; safe from inside a callback. */
void		 sctp_msg_free(struct sctp_msg *);
int		 sctp_msg_fd(const struct sctp_msg *);

/*
 * Send one message: reliable ones ordered and fully reliable, the others
 * unordered with a PR-SCTP TTL of ttl_ms (§8.3).  What the socket cannot
 * take now is queued and written when it is writable.  0 if sent or
 * queued; -1 with errno ENOBUFS if the queue would pass its bound,
 * EMSGSIZE if len is 0 or above 65535, EPIPE if the socket failed: the
 * closed callback then runs from the loop, never from inside this call.
 */
int		 sctp_msg_send(struct sctp_msg *, const uint8_t *buf,
		    size_t len, bool reliable, uint32_t ttl_ms);
size_t		 sctp_msg_queued(const struct sctp_msg *);

/*
 * Which end of a mode B peer connects (spec §8.2; one association per
 * pair): the router whose lowest configured address (IPv4 before IPv6,
 * then numerically) is the lower of its own lowest and the peer's; the
 * other only accepts.  True if this router (c->router.addresses) connects
 * to p.
 */
bool		 sctp_msg_initiator(const struct ctp_conf *c,
		    const struct ctp_conf_peer *p);

/*
 * Does m ask for full reliability: a CTD or PCTD with at least one CDB
 * whose R flag is set (§6.1)?
 */
bool		 sctp_msg_reliable(const struct ctp_msg *m);

/*
 * PR-SCTP negotiated on the association on fd (SCTP_PR_SUPPORTED read
 * back)?  0 if so; -1 with the reason in why, naming
 * net.sctp.prsctp_enable.
 */
int		 sctp_msg_pr_check(int fd, char *why, size_t len);

/*
 * `show peers` view: counters (messages, unordered, reliable, queued,
 * oversize, garbage, notifications skipped), PR-SCTP as read back
 * (pr_sctp), and the abandoned counts the kernel keeps
 * (SCTP_PR_ASSOC_STATUS), null where it has none.
 */
json_t		*sctp_msg_json(const struct sctp_msg *);

#endif /* CTPD_SCTP_MSG_H */
