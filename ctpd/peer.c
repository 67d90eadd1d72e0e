/* SPDX-License-Identifier: ISC */
/*
 * Channels to neighbouring access routers (DESIGN §4; spec §8.2, §8.4, C22):
 * TLS 1.3 over TCP or SCTP (sctp.c) framed by the CXTP Length field, with a
 * liveness echo negotiated by ALPN, one reconnect owner with jittered
 * back-off and a deterministic tie-break; UDP datagrams under OS IPsec;
 * CXTP messages straight on SCTP under OS IPsec (mode B, sctp_msg.c).
 */
#define _GNU_SOURCE		/* accept4 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "ctpd.h"
#include "log.h"
#include "peer_priv.h"
#include "sctp.h"
#include "sctp_msg.h"
#include "sctp_path.h"
#include "tls.h"
#include "xfrm.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT	24
#endif

const char *const peer_state_names[] = {
	"DISABLED", "DOWN", "CONNECTING", "HANDSHAKE", "UP", NULL
};

enum conn_state {
	CONN_CONNECTING,	/* TCP connect */
	CONN_HANDSHAKE,		/* TLS handshake */
	CONN_CONFIRM,		/* handshake done, waiting for a first frame */
	CONN_UP,		/* the peer's channel */
	CONN_DEAD,		/* closed, freed when its callback returns */
};

/* conn_close() flags */
#define CLOSE_NORECONNECT	0x01	/* another connection takes over */
#define CLOSE_QUIET		0x02	/* expected: log at verbose level */

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct peer		*peer;
	int			 fd;		/* until the bufferevent owns it */
	struct event		*connect_ev;
	struct bufferevent	*bev;
	SSL			*ssl;		/* owned by bev once it exists */
	struct sctp_msg		*sm;		/* mode B; owns fd */
	struct event		*timer;		/* deadline, then echo tick */
	struct event		*deadline;	/* liveness (UP only) */
	struct ctp_addr		 remote;
	bool			 outgoing;
	enum conn_state		 state;
	bool			 echo_out;	/* a request is unanswered */
	uint32_t		 nonce;
	uint64_t		 alive_ms;	/* last frame received */
	unsigned		 busy;		/* inside its read callback */
};
TAILQ_HEAD(conn_list, conn);

struct peer_counters {
	uint64_t		 msgs_in, msgs_out;
	uint64_t		 bytes_in, bytes_out;
	uint64_t		 malformed;	/* framed, failed to decode */
	uint64_t		 framing;	/* framing lost (D16) */
	uint64_t		 connects;	/* connection attempts */
	uint64_t		 reconnects;	/* re-establishments */
	uint64_t		 handshakes;
	uint64_t		 liveness_failures;
	uint64_t		 refused;	/* peer_send refused (PCTD, queue) */
	uint64_t		 send_errors;
	uint64_t		 incoming_refused;
	uint64_t		 addr_added;	/* ASCONF ADD-IP queued */
	uint64_t		 addr_removed;	/* ASCONF DELETE-IP queued */
	uint64_t		 asconf_failed;	/* bindx/Set Primary refused */
};

struct peer {
	struct peer_set		*set;
	uint32_t		 idx;
	const struct ctp_conf_peer *conf;
	bool			 disabled;
	bool			 lower;		/* our connections win (tie-break) */
	struct ctp_addr		 local;		/* bound for the peer's family */
	struct ctp_addr		 remote;	/* first usable peer address */
	unsigned		 next_addr;	/* address rotation for connects */
	struct conn_list	 conns;
	struct conn		*chan;		/* the channel, when UP */
	bool			 udp_up;
	struct event		*reconnect;	/* TIMER_RECONNECT */
	uint32_t		 backoff_ms;
	uint64_t		 establishments;
	uint64_t		 up_since_ms;
	time_t			 up_since;
	char			 last_error[192];
	unsigned		 sctp_warned;	/* TRANSPORT_SCTP_W_* */
	struct sctp_path	*paths;		/* SCTP path monitor */
	struct peer_counters	 c;
	struct log_limit	 ll;
};

struct listener {
	struct peer_set		*set;
	struct ctp_addr		 addr;
	bool			 udp;
	bool			 sctp;		/* all router addresses */
	int			 fd;
	struct event		*ev;
};

struct peer_set {
	struct ctpd		*d;
	struct peer_events	 ev;
	void			*arg;
	SSL_CTX			*ctx;
	struct peer		*v;
	size_t			 n;
	struct listener		*ls;
	size_t			 nls;
	struct event		*accept_pause;
	struct event		*relisten;
	const struct ctp_conf_sctp *sctp_ls;	/* listener tuning */
	unsigned		 sctp_fams;	/* 1 IPv4, 2 IPv6 */
	struct ctp_limits	 lim;
	size_t			 max_frame;
	struct ctp_msg		*msg;		/* decode scratch */
	struct ctp_msg		*smsg;		/* send scratch (mode B) */
	uint8_t			*udpbuf;
	bool			 stopping;
	uint64_t		 handshakes;
	uint64_t		 unknown_sources;	/* refused before TLS */
	uint64_t		 udp_unknown;		/* datagrams dropped */
	struct log_limit	 ll;
};

static void	 conn_close(struct conn *, const char *, int);
static void	 conn_readcb(struct bufferevent *, void *);
static void	 peer_check_reconnect(struct peer *);

/* ---------------------------------------------------------------- helpers */

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t
rnd32(void)
{
	uint32_t	 r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)random();
	return r;
}

static void
ms_tv(uint32_t ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static int
addr_family(const struct ctp_addr *a)
{
	struct ctp_addr	 x;

	ctp_addr_norm(a, &x);
	return x.len == 4 ? AF_INET : AF_INET6;
}

static socklen_t
addr_sa(const struct ctp_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	struct ctp_addr		 x;

	ctp_addr_norm(a, &x);
	memset(ss, 0, sizeof(*ss));
	if (x.len == 4) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, x.b, 4);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, x.b, 16);
	return sizeof(*s6);
}

static int
sa_addr(const struct sockaddr_storage *ss, struct ctp_addr *a,
    uint16_t *port)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;
	struct ctp_addr			 x;

	memset(&x, 0, sizeof(x));
	if (ss->ss_family == AF_INET) {
		x.len = 4;
		memcpy(x.b, &s4->sin_addr, 4);
		if (port != NULL)
			*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		x.len = 16;
		memcpy(x.b, &s6->sin6_addr, 16);
		if (port != NULL)
			*port = ntohs(s6->sin6_port);
	} else
		return -1;
	ctp_addr_norm(&x, a);
	return 0;
}

static const char *
sa_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	struct ctp_addr	 a;
	uint16_t	 port = 0;
	char		 s[INET6_ADDRSTRLEN];

	if (sa_addr(ss, &a, &port) == -1)
		snprintf(buf, len, "?");
	else if (a.len == 16)
		snprintf(buf, len, "[%s]:%u", ctp_addr_str(&a, s, sizeof(s)),
		    port);
	else
		snprintf(buf, len, "%s:%u", ctp_addr_str(&a, s, sizeof(s)),
		    port);
	return buf;
}

static void	 plog(const struct peer *, enum log_level, const char *, ...)
		    LOG_PRINTF(3, 4);

/* "peer NAME: ..." (STYLE §7: the subject first). */
static void
plog(const struct peer *p, enum log_level level, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (level > log_getlevel())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (level) {
	case LOGL_WARN:
		log_warnx("peer %s: %s", p->conf->name, msg);
		break;
	case LOGL_INFO:
		log_info("peer %s: %s", p->conf->name, msg);
		break;
	case LOGL_VERBOSE:
		log_verbose("peer %s: %s", p->conf->name, msg);
		break;
	default:
		log_debug("peer %s: %s", p->conf->name, msg);
		break;
	}
}

/*
 * Record why the peer is not up.  A reason that repeats (a peer that stays
 * away, retried with back-off) is logged once at warning level, then verbose.
 */
static void
peer_error(struct peer *p, const char *reason)
{
	if (strcmp(p->last_error, reason) == 0) {
		plog(p, LOGL_VERBOSE, "%s (again)", reason);
		return;
	}
	snprintf(p->last_error, sizeof(p->last_error), "%s", reason);
	plog(p, LOGL_WARN, "%s", reason);
}

/* Our connections win a tie if we are the lower router (tie-break). */
static bool
conn_preferred(const struct conn *c)
{
	return c->outgoing == c->peer->lower;
}

static const char *
conn_dir(const struct conn *c)
{
	return c->outgoing ? "initiated here" : "initiated by the peer";
}

/* ---------------------------------------------------------------- conns */

static struct conn *
conn_new(struct peer *p, bool outgoing)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->peer = p;
	c->fd = -1;
	c->outgoing = outgoing;
	c->state = CONN_CONNECTING;
	TAILQ_INSERT_TAIL(&p->conns, c, entry);
	return c;
}

/* The connection's socket, whoever owns it now; -1 if none. */
static int
conn_fd(const struct conn *c)
{
	if (c->sm != NULL)
		return sctp_msg_fd(c->sm);
	if (c->bev != NULL)
		return bufferevent_getfd(c->bev);
	return c->fd;
}

static void
conn_free(struct conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	free(c);
}

static void
conn_write(struct conn *c, const uint8_t *buf, size_t len)
{
	if (c->bev != NULL && bufferevent_write(c->bev, buf, len) == -1)
		c->peer->c.send_errors++;
}

static void
conn_echo(struct conn *c, bool reply, uint32_t nonce)
{
	uint8_t	 f[PEER_ECHO_LEN];

	f[0] = (CTP_VERSION << 5) | PEER_ECHO_TYPE;
	f[1] = reply ? 0x40 : 0;
	f[2] = 0;
	f[3] = PEER_ECHO_LEN;
	f[4] = nonce >> 24;
	f[5] = nonce >> 16;
	f[6] = nonce >> 8;
	f[7] = nonce;
	conn_write(c, f, sizeof(f));
}

static void
conn_close(struct conn *c, const char *reason, int flags)
{
	struct peer	*p = c->peer;
	struct peer_set	*set = p->set;
	bool		 was_chan = (p->chan == c);
	enum conn_state	 prev = c->state;

	if (c->state == CONN_DEAD)
		return;
	c->state = CONN_DEAD;
	TAILQ_REMOVE(&p->conns, c, entry);
	if (was_chan) {
		sctp_path_stop(p->paths);
		p->chan = NULL;
		p->up_since_ms = 0;
		p->up_since = 0;
	}
	if (c->connect_ev != NULL)
		event_free(c->connect_ev);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->deadline != NULL)
		event_free(c->deadline);
	c->connect_ev = c->timer = c->deadline = NULL;
	if (c->sm != NULL) {
		/* Deferred while its own callback runs. */
		sctp_msg_free(c->sm);
		c->sm = NULL;
	}
	if (c->bev != NULL) {
		if (prev >= CONN_CONFIRM) {
			/* Best effort close_notify; the socket is non-blocking. */
			(void)SSL_shutdown(c->ssl);
			ERR_clear_error();
		}
		if (c->busy) {
			bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		} else {
			bufferevent_free(c->bev);
			c->bev = NULL;
		}
	} else {
		if (c->ssl != NULL)
			SSL_free(c->ssl);
		if (c->fd != -1)
			close(c->fd);
	}
	c->ssl = NULL;
	c->fd = -1;
	if (!set->stopping) {
		if (was_chan) {
			snprintf(p->last_error, sizeof(p->last_error), "%s",
			    reason);
			plog(p, LOGL_WARN, "channel down: %s", reason);
			if (set->ev.down != NULL)
				set->ev.down(p, reason, set->arg);
		} else if (flags & CLOSE_QUIET)
			plog(p, LOGL_VERBOSE, "connection closed (%s): %s",
			    conn_dir(c), reason);
		else
			peer_error(p, reason);
		if (!(flags & CLOSE_NORECONNECT))
			peer_check_reconnect(p);
	}
	if (c->busy == 0)
		conn_free(c);
}

/* Another connection with precedence over c exists (tie-break, §4). */
static bool
conn_loses(struct conn *c)
{
	struct peer	*p = c->peer;
	struct conn	*d, *next;

	if (conn_preferred(c)) {
		TAILQ_FOREACH_SAFE(d, &p->conns, entry, next)
			if (d != c && d != p->chan && !conn_preferred(d))
				conn_close(d, "superseded by the connection "
				    "from the lower router",
				    CLOSE_QUIET | CLOSE_NORECONNECT);
		return false;
	}
	TAILQ_FOREACH(d, &p->conns, entry)
		if (d != c && conn_preferred(d))
			return true;
	return false;
}

/* A connection with precedence over c is in progress or up. */
static bool
conn_loses_quietly(const struct conn *c)
{
	const struct conn	*d;

	if (conn_preferred(c))
		return false;
	TAILQ_FOREACH(d, &c->peer->conns, entry)
		if (d != c && conn_preferred(d) && d->state != CONN_DEAD)
			return true;
	return false;
}

static void
timer_set(struct event *ev, uint32_t ms)
{
	struct timeval	 tv;

	ms_tv(ms, &tv);
	evtimer_add(ev, &tv);
}

static uint32_t
peer_setup_ms(const struct peer *p)
{
	uint32_t	 t = p->set->d->conf->timers.liveness_timeout_ms;

	return t < 1000 ? 1000 : t;
}

/* A channel's echo tick: one request outstanding at most. */
static void
conn_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn		*c = arg;
	const struct ctp_conf	*conf = c->peer->set->d->conf;
	uint32_t		 iv = conf->timers.liveness_interval_ms;

	(void)fd;
	(void)what;
	if (!c->echo_out) {
		c->nonce = rnd32();
		c->echo_out = true;
		conn_echo(c, false, c->nonce);
	}
	/* +-10% jitter so that routers do not tick in lockstep (STYLE §8) */
	timer_set(c->timer, iv - iv / 10 + rnd32() % (iv / 5 + 1));
}

/* Liveness deadline: nothing received for liveness-timeout. */
static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	struct peer	*p = c->peer;
	uint32_t	 to = p->set->d->conf->timers.liveness_timeout_ms;
	uint64_t	 now = now_ms(), idle = now - c->alive_ms;
	char		 reason[128];

	(void)fd;
	(void)what;
	if (idle < to) {
		timer_set(c->deadline, (uint32_t)(to - idle));
		return;
	}
	p->c.liveness_failures++;
	snprintf(reason, sizeof(reason), "liveness: no echo reply or message "
	    "for %llu ms (timeout %u ms)", (unsigned long long)idle, to);
	conn_close(c, reason, 0);
}

/* Handshake, connect or confirmation took too long. */
static void
conn_setup_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	const char	*r;

	(void)fd;
	(void)what;
	r = c->state == CONN_CONFIRM ? "no answer after the TLS handshake "
	    "(peer silent; it may have rejected our certificate)" :
	    "TLS handshake timed out";
	conn_close(c, r, 0);
}

/*
 * The first frame after the handshake proves that the peer accepted us
 * (in TLS 1.3 a client finishes before the server has checked its
 * certificate, FIELD-LESSONS D7): only now is the channel up.
 */
static bool
conn_confirm(struct conn *c)
{
	struct peer		*p = c->peer;
	struct peer_set		*set = p->set;
	const struct ctp_conf	*conf = set->d->conf;
	struct conn		*d, *next, *old = p->chan;

	/* Mode B keeps the association it has (one per pair, §8.2). */
	if (old != NULL && c->sm != NULL) {
		conn_close(c, "an association with the peer is up already",
		    CLOSE_QUIET | CLOSE_NORECONNECT);
		return false;
	}
	if (old != NULL && !conn_preferred(c) && conn_preferred(old)) {
		conn_close(c, "a channel from the lower router is up",
		    CLOSE_QUIET | CLOSE_NORECONNECT);
		return false;
	}
	if (old != NULL)
		conn_close(old, "replaced by a new connection from the peer",
		    CLOSE_NORECONNECT);
	TAILQ_FOREACH_SAFE(d, &p->conns, entry, next)
		if (d != c && d->outgoing)
			conn_close(d, "channel up through another connection",
			    CLOSE_QUIET | CLOSE_NORECONNECT);
	if (c->timer != NULL)
		evtimer_del(c->timer);
	evtimer_del(p->reconnect);
	/* Per-peer channel state starts afresh (FIELD-LESSONS A8). */
	p->chan = c;
	c->state = CONN_UP;
	c->echo_out = false;
	c->alive_ms = now_ms();
	p->backoff_ms = conf->timers.reconnect_min_ms;
	p->last_error[0] = '\0';
	if (p->establishments++ > 0)
		p->c.reconnects++;
	p->up_since_ms = c->alive_ms;
	p->up_since = time(NULL);
	if (c->timer != NULL)
		event_free(c->timer);
	c->timer = NULL;
	if (c->sm != NULL) {
		/* Liveness is SCTP's: heartbeats, then the association dies. */
		sctp_path_start(p->paths, conn_fd(c));
		plog(p, LOGL_INFO, "channel up (sctp, security ipsec, %s)",
		    conn_dir(c));
		if (set->ev.up != NULL)
			set->ev.up(p, set->arg);
		return c->state == CONN_UP;
	}
	c->timer = evtimer_new(set->d->base, conn_tick_cb, c);
	c->deadline = evtimer_new(set->d->base, conn_deadline_cb, c);
	if (c->timer == NULL || c->deadline == NULL) {
		conn_close(c, "out of memory", 0);
		return false;
	}
	timer_set(c->timer, conf->timers.liveness_interval_ms);
	timer_set(c->deadline, conf->timers.liveness_timeout_ms);
	sctp_path_start(p->paths, conn_fd(c));
	plog(p, LOGL_INFO, "channel up (%s)", conn_dir(c));
	if (set->ev.up != NULL)
		set->ev.up(p, set->arg);
	return c->state == CONN_UP;
}

/* One well-framed frame of len octets (len >= 4). false: stop reading. */
static bool
conn_frame(struct conn *c, const uint8_t *buf, size_t len, uint64_t now)
{
	struct peer	*p = c->peer;
	struct peer_set	*set = p->set;
	enum ctp_err	 e;
	size_t		 off = 0;
	unsigned	 type = buf[0] & 0x1f;
	bool		 echo;
	uint32_t	 nonce;

	c->alive_ms = now;
	if (c->state == CONN_CONFIRM && !conn_confirm(c))
		return false;
	if (c->state != CONN_UP)
		return false;
	echo = c->sm == NULL && (buf[0] >> 5) == CTP_VERSION &&
	    type == PEER_ECHO_TYPE;
	if (echo && len == PEER_ECHO_LEN) {
		nonce = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
		    (uint32_t)buf[6] << 8 | buf[7];
		if ((buf[1] & 0x40) == 0)
			conn_echo(c, true, nonce);
		else if (c->echo_out && nonce == c->nonce)
			c->echo_out = false;
		return true;
	}
	e = ctp_msg_decode(buf, len, &set->lim, set->msg, &off);
	if (e != CTP_OK) {
		p->c.malformed++;
		log_limited(&p->ll, now, LOGL_WARN, "peer %s: skipped a "
		    "malformed message (type %u, %zu octets): %s at offset %zu",
		    p->conf->name, type, len, ctp_strerror(e), off);
		return true;
	}
	p->c.msgs_in++;
	p->c.bytes_in += len;
	if (set->ev.message != NULL)
		set->ev.message(p, set->msg, buf, len, set->arg);
	return c->state == CONN_UP;
}

/*
 * Everything buffered is handled in one pass; libevent bounds what one
 * wakeup reads.  A Length below 4 or above the cap loses the framing (D16).
 */
static void
conn_readcb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct peer	*p = c->peer;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		 h[CTP_HDR_LEN];
	const uint8_t	*buf;
	uint64_t	 now = now_ms();
	size_t		 avail, len;
	char		 reason[96];

	if (c->state != CONN_CONFIRM && c->state != CONN_UP)
		return;
	c->busy++;
	while (c->state != CONN_DEAD &&
	    (avail = evbuffer_get_length(in)) >= CTP_HDR_LEN) {
		evbuffer_copyout(in, h, sizeof(h));
		len = (size_t)h[2] << 8 | h[3];
		if (len < CTP_HDR_LEN || len > p->set->max_frame) {
			p->c.framing++;
			snprintf(reason, sizeof(reason), "framing lost: Length "
			    "%zu outside %u..%zu", len, CTP_HDR_LEN,
			    p->set->max_frame);
			conn_close(c, reason, 0);
			break;
		}
		if (avail < len)
			break;
		if ((buf = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL) {
			conn_close(c, "out of memory", 0);
			break;
		}
		if (!conn_frame(c, buf, len, now))
			break;
		evbuffer_drain(in, len);
	}
	if (--c->busy == 0 && c->state == CONN_DEAD)
		conn_free(c);
}

static void
conn_handshake_done(struct conn *c)
{
	struct peer	*p = c->peer;
	struct peer_set	*set = p->set;
	int		 cmp;

	if (!tls_alpn_ok(c->ssl)) {
		conn_close(c, "peer did not negotiate ALPN " TLS_ALPN, 0);
		return;
	}
	if (SSL_get_verify_result(c->ssl) != X509_V_OK ||
	    SSL_get0_peer_certificate(c->ssl) == NULL) {
		conn_close(c, "peer certificate not verified", 0);
		return;
	}
	p->c.handshakes++;
	set->handshakes++;
	/*
	 * Tie-break order: the router whose certificate has the lower
	 * fingerprint wins; both sides compare the same two certificates
	 * whatever their address lists say.  Equal (one certificate shared
	 * by both): the address order set up in peer_set_new() stays.
	 */
	if ((cmp = tls_cert_cmp(c->ssl)) != 0)
		p->lower = cmp < 0;
	if (conn_loses(c)) {
		conn_close(c, "tie-break: the connection from the lower "
		    "router wins", CLOSE_QUIET | CLOSE_NORECONNECT);
		return;
	}
	c->state = CONN_CONFIRM;
	plog(p, LOGL_VERBOSE, "TLS handshake done (%s), confirming",
	    conn_dir(c));
	/* The first echo request is the confirmation the other side awaits. */
	c->nonce = rnd32();
	c->echo_out = true;
	conn_echo(c, false, c->nonce);
	timer_set(c->timer, peer_setup_ms(p));
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		conn_readcb(c->bev, c);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	unsigned long	 err = 0, e;
	int		 serr = EVUTIL_SOCKET_ERROR();
	char		 why[160], reason[224];
	const char	*stage;

	if (what & BEV_EVENT_CONNECTED) {
		conn_handshake_done(c);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	/*
	 * libevent also queues SSL_get_error()'s verdict, SSL_ERROR_SYSCALL
	 * for a reset connection: not an error-queue code (no library), and
	 * errno says what happened.
	 */
	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		if (err == 0 && ERR_GET_LIB(e) != 0)
			err = e;
	if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "closed by the peer");
	else
		tls_reason(c->ssl, err, err == 0 ? serr : 0, why, sizeof(why));
	stage = c->state == CONN_HANDSHAKE ? "TLS handshake failed" :
	    c->state == CONN_CONFIRM ? "no channel after the TLS handshake" :
	    "connection lost";
	/* No direction in the reason: a repeated failure is logged once. */
	snprintf(reason, sizeof(reason), "%s: %s", stage, why);
	/*
	 * The other router closing the connection that loses the tie-break is
	 * expected; the winner, already in progress, owns the retry.
	 */
	if (c != c->peer->chan && conn_loses_quietly(c))
		conn_close(c, reason, CLOSE_QUIET | CLOSE_NORECONNECT);
	else
		conn_close(c, reason, 0);
}

/* Hand a connected socket to TLS; false if c was closed. */
static bool
conn_start_tls(struct conn *c, bool server)
{
	struct peer	*p = c->peer;
	struct peer_set	*set = p->set;
	char		 why[sizeof(p->last_error)];
	int		 one = 1;

	if (p->conf->transport != CTP_CONF_TR_SCTP)
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	else if (transport_sctp_check(c->fd, set->d->conf, p->conf,
	    &p->sctp_warned, why, sizeof(why)) == -1) {
		conn_close(c, why, 0);
		return false;
	}
	if ((c->ssl = tls_conn_new(set->ctx, server, p->conf->identity)) ==
	    NULL) {
		conn_close(c, "cannot create a TLS connection", 0);
		return false;
	}
	c->bev = bufferevent_openssl_socket_new(set->d->base, c->fd, c->ssl,
	    server ? BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		conn_close(c, "cannot create a TLS buffer", 0);
		return false;
	}
	c->fd = -1;		/* the bufferevent owns fd and SSL now */
	bufferevent_setcb(c->bev, conn_readcb, NULL, conn_eventcb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->state = CONN_HANDSHAKE;
	if (c->timer == NULL &&
	    (c->timer = evtimer_new(set->d->base, conn_setup_timeout_cb, c)) ==
	    NULL) {
		conn_close(c, "out of memory", 0);
		return false;
	}
	timer_set(c->timer, peer_setup_ms(p));
	return true;
}

/* Mode B: the peer's addresses as SCTP reports them, all configured? */
static bool
modeb_addrs_ok(struct conn *c, int fd, char *why, size_t len)
{
	struct peer	*p = c->peer;
	struct ctp_addr	 v[CTP_CONF_MAX_ADDRS];
	char		 a[INET6_ADDRSTRLEN];
	size_t		 i, j, n;

	if ((n = transport_sctp_peer_addrs(fd, v, CTP_CONF_MAX_ADDRS)) == 0) {
		snprintf(why, len, "cannot read the association's addresses");
		return false;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < p->conf->addresses.n; j++)
			if (ctp_addr_eq(&p->conf->addresses.v[j], &v[i]))
				break;
		if (j == p->conf->addresses.n) {
			/* No ESP policy was checked for it (§8.4). */
			snprintf(why, len, "association refused: peer address "
			    "%s is not configured for this peer (security "
			    "ipsec: the preflight covers configured pairs "
			    "only)", ctp_addr_str(&v[i], a, sizeof(a)));
			return false;
		}
	}
	return true;
}

static void
modeb_message_cb(const uint8_t *buf, size_t len, void *arg)
{
	struct conn	*c = arg;

	c->busy++;
	(void)conn_frame(c, buf, len, now_ms());
	if (--c->busy == 0 && c->state == CONN_DEAD)
		conn_free(c);
}

static void
modeb_closed_cb(bool reset, const char *reason, void *arg)
{
	struct conn	*c = arg;

	if (reset)
		c->peer->c.framing++;
	conn_close(c, reason, 0);
}

/*
 * Mode B (spec §8.2): no TLS; IPsec authenticates the addresses, so the
 * association is the channel once its settings and addresses check out.
 */
static bool
conn_start_modeb(struct conn *c)
{
	static const struct sctp_msg_cbs	 cbs = {
		modeb_message_cb, modeb_closed_cb
	};
	struct peer	*p = c->peer;
	struct peer_set	*set = p->set;
	char		 why[sizeof(p->last_error)];

	if (transport_sctp_check(c->fd, set->d->conf, p->conf,
	    &p->sctp_warned, why, sizeof(why)) == -1 ||
	    sctp_msg_pr_check(c->fd, why, sizeof(why)) == -1) {
		conn_close(c, why, 0);
		return false;
	}
	if (!modeb_addrs_ok(c, c->fd, why, sizeof(why))) {
		p->c.incoming_refused += c->outgoing ? 0 : 1;
		conn_close(c, why, 0);
		return false;
	}
	if ((c->sm = sctp_msg_new(set->d->base, c->fd, set->max_frame,
	    PEER_MAX_QUEUED, p->conf->sctp.ppid, &cbs, c)) == NULL) {
		conn_close(c, "out of memory", 0);
		return false;
	}
	c->fd = -1;		/* c->sm owns it */
	c->state = CONN_CONFIRM;
	return conn_confirm(c);
}

static void
conn_connected_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	char		 a[INET6_ADDRSTRLEN], reason[160];
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	ctp_addr_str(&c->remote, a, sizeof(a));
	if (what & EV_TIMEOUT) {
		snprintf(reason, sizeof(reason), "connect to %s timed out", a);
		conn_close(c, reason, 0);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		snprintf(reason, sizeof(reason), "connect to %s port %u: %s",
		    a, c->peer->conf->port, strerror(err));
		conn_close(c, reason, 0);
		return;
	}
	event_free(c->connect_ev);
	c->connect_ev = NULL;
	if (c->peer->conf->security == CTP_CONF_SEC_IPSEC)
		(void)conn_start_modeb(c);
	else
		(void)conn_start_tls(c, false);
}

/* ---------------------------------------------------------------- peers */

static struct listener *
listener_find(struct peer_set *set, const struct ctp_addr *a, bool udp)
{
	size_t	 i;

	for (i = 0; i < set->nls; i++)
		if (set->ls[i].udp == udp && ctp_addr_eq(&set->ls[i].addr, a))
			return &set->ls[i];
	return NULL;
}

/* Next peer address of a family we have a local address for. */
static bool
peer_pick(struct peer *p, struct ctp_addr *remote, struct ctp_addr *local)
{
	const struct ctp_conf	*conf = p->set->d->conf;
	const struct ctp_addr	*r;
	size_t			 i, j, n = p->conf->addresses.n;

	for (i = 0; i < n; i++) {
		r = &p->conf->addresses.v[(p->next_addr + i) % n];
		for (j = 0; j < conf->router.addresses.n; j++)
			if (addr_family(&conf->router.addresses.v[j]) ==
			    addr_family(r)) {
				*remote = *r;
				*local = conf->router.addresses.v[j];
				p->next_addr = (p->next_addr + (unsigned)i + 1) %
				    (unsigned)n;
				return true;
			}
	}
	return false;
}

static void
peer_connect(struct peer *p)
{
	struct peer_set		*set = p->set;
	struct conn		*c, *d;
	struct sockaddr_storage	 ss;
	struct ctp_addr		 remote, local;
	socklen_t		 sl;
	struct timeval		 tv;
	char			 a[INET6_ADDRSTRLEN], reason[192];
	int			 one = 1;

	if (p->chan != NULL)
		return;
	TAILQ_FOREACH(d, &p->conns, entry) {
		if (d->outgoing)
			return;
		if (d->state == CONN_HANDSHAKE || d->state == CONN_CONFIRM) {
			/* The peer is connecting to us; give it a chance. */
			peer_check_reconnect(p);
			return;
		}
	}
	if (!peer_pick(p, &remote, &local)) {
		peer_error(p, "no address in a family of router.addresses");
		return;
	}
	if ((c = conn_new(p, true)) == NULL) {
		peer_error(p, "out of memory");
		peer_check_reconnect(p);
		return;
	}
	c->remote = remote;
	p->c.connects++;
	if (p->conf->transport == CTP_CONF_TR_SCTP) {
		/* Every address at once: sctp_bindx, sctp_connectx. */
		p->next_addr = 0;
		(void)peer_pick(p, &c->remote, &local);	/* the first */
		c->fd = transport_sctp_connect(set->d->conf, p->conf, reason,
		    sizeof(reason));
		if (c->fd == -1) {
			conn_close(c, reason, 0);
			return;
		}
		goto wait;
	}
	c->fd = socket(addr_family(&remote), SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		snprintf(reason, sizeof(reason), "socket: %s", strerror(errno));
		conn_close(c, reason, 0);
		return;
	}
	(void)setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
	/* Never the wildcard: the configured local address (B1, B5). */
	sl = addr_sa(&local, 0, &ss);
	if (bind(c->fd, (struct sockaddr *)&ss, sl) == -1) {
		snprintf(reason, sizeof(reason), "cannot bind local address "
		    "%s: %s", ctp_addr_str(&local, a, sizeof(a)),
		    strerror(errno));
		conn_close(c, reason, 0);
		return;
	}
	sl = addr_sa(&remote, p->conf->port, &ss);
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		snprintf(reason, sizeof(reason), "connect to %s port %u: %s",
		    ctp_addr_str(&remote, a, sizeof(a)), p->conf->port,
		    strerror(errno));
		conn_close(c, reason, 0);
		return;
	}
 wait:
	c->connect_ev = event_new(set->d->base, c->fd, EV_WRITE,
	    conn_connected_cb, c);
	if (c->connect_ev == NULL) {
		conn_close(c, "out of memory", 0);
		return;
	}
	ms_tv(peer_setup_ms(p), &tv);
	event_add(c->connect_ev, &tv);
	if (p->conf->transport != CTP_CONF_TR_SCTP)
		plog(p, LOGL_VERBOSE, "connecting to %s port %u",
		    ctp_addr_str(&remote, a, sizeof(a)), p->conf->port);
}

static void
peer_udp_up(struct peer *p)
{
	struct peer_set	*set = p->set;
	char		 a[INET6_ADDRSTRLEN], reason[160];

	if (p->udp_up)
		return;
	if (listener_find(set, &p->local, true) == NULL ||
	    listener_find(set, &p->local, true)->fd == -1) {
		snprintf(reason, sizeof(reason), "no udp socket on %s port %u",
		    ctp_addr_str(&p->local, a, sizeof(a)),
		    set->d->conf->router.port);
		peer_error(p, reason);
		peer_check_reconnect(p);
		return;
	}
	p->udp_up = true;
	p->backoff_ms = set->d->conf->timers.reconnect_min_ms;
	p->last_error[0] = '\0';
	p->up_since_ms = now_ms();
	p->up_since = time(NULL);
	if (p->establishments++ > 0)
		p->c.reconnects++;
	plog(p, LOGL_INFO, "channel up (udp, security ipsec%s)",
	    p->conf->confidential ? ", confidential" : "");
	if (set->ev.up != NULL)
		set->ev.up(p, set->arg);
}

static bool
peer_modeb(const struct peer *p)
{
	return p->conf->transport == CTP_CONF_TR_SCTP &&
	    p->conf->security == CTP_CONF_SEC_IPSEC;
}

static const char modeb_wait[] = "waiting for the peer to connect (mode B: "
    "the router with the lower address connects)";

/* TIMER_RECONNECT fired: open the channel. */
static void
peer_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;

	(void)fd;
	(void)what;
	if (p->conf->transport == CTP_CONF_TR_UDP)
		peer_udp_up(p);
	else if (peer_modeb(p) && !p->lower) {
		if (p->last_error[0] == '\0')
			plog(p, LOGL_VERBOSE, "%s", modeb_wait);
		if (p->last_error[0] == '\0' || strcmp(p->last_error,
		    modeb_wait) == 0)
			snprintf(p->last_error, sizeof(p->last_error), "%s",
			    modeb_wait);
	} else
		peer_connect(p);
}

/*
 * The one place a reconnect is scheduled, from the close path: nothing up,
 * no attempt of ours in flight.  Exponential back-off with equal jitter.
 */
static void
peer_check_reconnect(struct peer *p)
{
	const struct ctp_conf	*conf = p->set->d->conf;
	struct conn		*d;
	struct timeval		 tv;
	uint32_t		 b, delay;

	if (p->set->stopping || p->disabled || p->chan != NULL || p->udp_up ||
	    evtimer_pending(p->reconnect, NULL))
		return;
	TAILQ_FOREACH(d, &p->conns, entry)
		if (d->outgoing)
			return;
	b = p->backoff_ms;
	delay = b / 2 + rnd32() % (b / 2 + 1);
	p->backoff_ms = b >= conf->timers.reconnect_max_ms / 2 ?
	    conf->timers.reconnect_max_ms : b * 2;
	ms_tv(delay, &tv);
	evtimer_add(p->reconnect, &tv);
	plog(p, LOGL_VERBOSE, "next attempt in %u ms", delay);
}

/* ---------------------------------------------------------------- sockets */

static struct peer *
peer_by_addr_tr(struct peer_set *set, const struct ctp_addr *a,
    enum ctp_conf_transport tr)
{
	size_t	 i, j;

	for (i = 0; i < set->n; i++) {
		if (set->v[i].conf->transport != tr)
			continue;
		for (j = 0; j < set->v[i].conf->addresses.n; j++)
			if (ctp_addr_eq(&set->v[i].conf->addresses.v[j], a))
				return &set->v[i];
	}
	return NULL;
}

static const char *
listener_proto(const struct listener *l)
{
	return l->udp ? "udp" : l->sctp ? "sctp" : "tcp";
}

/* The configured peer an accepted connection comes from, or NULL. */
static struct peer *
accept_peer(struct listener *l, int fd, const struct sockaddr_storage *ss,
    struct ctp_addr *a)
{
	struct ctp_addr	 v[CTP_CONF_MAX_ADDRS];
	struct peer	*p;
	size_t		 i, n;

	if (sa_addr(ss, a, NULL) == -1)
		return NULL;
	if (!l->sctp)
		return peer_by_addr_tr(l->set, a, CTP_CONF_TR_TCP);
	if ((p = peer_by_addr_tr(l->set, a, CTP_CONF_TR_SCTP)) != NULL)
		return p;
	/* Multi-homed: any address of the association will do (§9.6). */
	n = transport_sctp_peer_addrs(fd, v, CTP_CONF_MAX_ADDRS);
	for (i = 0; i < n; i++)
		if ((p = peer_by_addr_tr(l->set, &v[i], CTP_CONF_TR_SCTP)) !=
		    NULL)
			return p;
	return NULL;
}

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_set	*set = arg;
	size_t		 i;

	(void)fd;
	(void)what;
	for (i = 0; i < set->nls; i++)
		if (!set->ls[i].udp && set->ls[i].ev != NULL)
			event_add(set->ls[i].ev, NULL);
}

static void
listener_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener		*l = arg;
	struct peer_set		*set = l->set;
	struct sockaddr_storage	 ss;
	struct ctp_addr		 a;
	struct peer		*p;
	struct conn		*c, *d;
	struct timeval		 tv = { 0, 250000 };
	socklen_t		 sl;
	char			 s[INET6_ADDRSTRLEN], why[192];
	int			 cfd, i, pending;

	(void)what;
	for (i = 0; i < 32; i++) {
		sl = sizeof(ss);
		cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (cfd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Pause accepting briefly (STYLE §8). */
				log_limited(&set->ll, now_ms(), LOGL_WARN,
				    "%s: accept: %s; pausing for 250 ms",
				    listener_proto(l), strerror(errno));
				for (i = 0; i < (int)set->nls; i++)
					if (!set->ls[i].udp &&
					    set->ls[i].ev != NULL)
						event_del(set->ls[i].ev);
				evtimer_add(set->accept_pause, &tv);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_limited(&set->ll, now_ms(), LOGL_WARN,
				    "%s: accept: %s", listener_proto(l),
				    strerror(errno));
			return;
		}
		/* Checked before one byte of TLS or CXTP is read (§10.2). */
		if ((p = accept_peer(l, cfd, &ss, &a)) == NULL) {
			set->unknown_sources++;
			log_limited(&set->ll, now_ms(), LOGL_WARN,
			    "%s: refused connection from %s: not a configured "
			    "%s peer",
			    listener_proto(l), ctp_addr_str(&a, s, sizeof(s)),
			    listener_proto(l));
			close(cfd);
			continue;
		}
		pending = 0;
		TAILQ_FOREACH(d, &p->conns, entry)
			if (!d->outgoing && d != p->chan)
				pending++;
		if (p->disabled || pending >= PEER_MAX_PENDING) {
			p->c.incoming_refused++;
			log_limited(&p->ll, now_ms(), LOGL_WARN, "peer %s: "
			    "refused connection from %s: %s", p->conf->name,
			    ctp_addr_str(&a, s, sizeof(s)), p->disabled ?
			    "peer disabled" : "too many pending connections");
			close(cfd);
			continue;
		}
		if ((c = conn_new(p, false)) == NULL) {
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->remote = a;
		plog(p, LOGL_VERBOSE, "connection from %s",
		    ctp_addr_str(&a, s, sizeof(s)));
		if (l->sctp && transport_sctp_accepted(cfd, p->conf,
		    set->sctp_ls, why, sizeof(why)) == -1) {
			conn_close(c, why, 0);
			continue;
		}
		if (p->conf->security == CTP_CONF_SEC_IPSEC)
			(void)conn_start_modeb(c);
		else
			(void)conn_start_tls(c, true);
	}
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener		*l = arg;
	struct peer_set		*set = l->set;
	struct sockaddr_storage	 ss;
	struct ctp_addr		 a;
	struct peer		*p;
	socklen_t		 sl;
	ssize_t			 n;
	uint64_t		 now = now_ms();
	enum ctp_err		 e;
	size_t			 off, hlen;
	char			 s[INET6_ADDRSTRLEN];
	int			 i;

	(void)what;
	for (i = 0; i < 64; i++) {
		sl = sizeof(ss);
		n = recvfrom(fd, set->udpbuf, 65536, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sl);
		if (n == -1) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			return;
		}
		if (sa_addr(&ss, &a, NULL) == -1 ||
		    (p = peer_by_addr_tr(set, &a, CTP_CONF_TR_UDP)) == NULL) {
			set->udp_unknown++;
			log_limited(&set->ll, now, LOGL_WARN, "udp: dropped "
			    "datagram from %s: not a configured udp peer",
			    ctp_addr_str(&a, s, sizeof(s)));
			continue;
		}
		if (!p->udp_up)
			continue;
		hlen = n >= CTP_HDR_LEN ?
		    (size_t)set->udpbuf[2] << 8 | set->udpbuf[3] : 0;
		off = 0;
		if (n < CTP_HDR_LEN)
			e = CTP_ERR_SHORT;
		else if (hlen != (size_t)n)
			e = hlen > (size_t)n ? CTP_ERR_LEN_OVER :
			    CTP_ERR_LEN_UNDER;
		else
			e = ctp_msg_decode(set->udpbuf, (size_t)n, &set->lim,
			    set->msg, &off);
		if (e != CTP_OK) {
			p->c.malformed++;
			log_limited(&p->ll, now, LOGL_WARN, "peer %s: dropped a "
			    "malformed datagram (%zd octets, Length %zu): %s",
			    p->conf->name, n, hlen, ctp_strerror(e));
			continue;
		}
		p->c.msgs_in++;
		p->c.bytes_in += (uint64_t)n;
		if (set->ev.message != NULL)
			set->ev.message(p, set->msg, set->udpbuf, (size_t)n,
			    set->arg);
	}
}

static void
listener_close(struct listener *l)
{
	if (l->ev != NULL)
		event_free(l->ev);
	if (l->fd != -1)
		close(l->fd);
	l->ev = NULL;
	l->fd = -1;
}

static int
listener_open(struct listener *l)
{
	struct peer_set		*set = l->set;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	char			 a[INET6_ADDRSTRLEN], why[192];
	int			 one = 1, fam = addr_family(&l->addr);
	uint16_t		 port = set->d->conf->router.port;

	if (l->sctp) {
		l->fd = transport_sctp_listen(set->d->conf, set->sctp_fams,
		    set->sctp_ls, why, sizeof(why));
		if (l->fd == -1) {
			log_warnx("sctp: cannot listen: %s", why);
			return -1;
		}
		goto watch;
	}
	l->fd = socket(fam, (l->udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd == -1)
		goto fail;
	if (fam == AF_INET6)
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (!l->udp)
		(void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	sl = addr_sa(&l->addr, port, &ss);
	if (bind(l->fd, (struct sockaddr *)&ss, sl) == -1)
		goto fail;
	if (!l->udp && listen(l->fd, 64) == -1)
		goto fail;
 watch:
	l->ev = event_new(set->d->base, l->fd, EV_READ | EV_PERSIST,
	    l->udp ? udp_read_cb : listener_accept_cb, l);
	if (l->ev == NULL || event_add(l->ev, NULL) == -1)
		goto fail;
	if (!l->sctp)
		log_verbose("%s: listening on %s port %u", listener_proto(l),
		    ctp_addr_str(&l->addr, a, sizeof(a)), port);
	return 0;
 fail:
	log_warn("%s: cannot listen on %s port %u", listener_proto(l),
	    ctp_addr_str(&l->addr, a, sizeof(a)), port);
	listener_close(l);
	return -1;
}

/* A configured address that was missing at start may appear later (A9). */
static void
relisten_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer_set	*set = arg;
	struct timeval	 tv = { 2, 0 };
	size_t		 i, failed = 0;

	(void)fd;
	(void)what;
	for (i = 0; i < set->nls; i++)
		if (set->ls[i].fd == -1 && listener_open(&set->ls[i]) == -1)
			failed++;
	if (failed > 0)
		evtimer_add(set->relisten, &tv);
}

/* ---------------------------------------------------------------- API */

struct peer_set *
peer_set_new(struct ctpd *d, const struct peer_events *ev, void *arg)
{
	const struct ctp_conf	*conf = d->conf;
	struct peer_set		*set;
	struct peer		*p;
	struct ctp_addr		 r, l;
	size_t			 i;
	bool			 tls = false;

	if ((set = calloc(1, sizeof(*set))) == NULL) {
		log_warnx("peers: out of memory");
		return NULL;
	}
	set->d = d;
	if (ev != NULL)
		set->ev = *ev;
	set->arg = arg;
	log_limit_init(&set->ll, 10, 1000);
	set->lim = d->limits;
	if (set->lim.max_msg == 0) {
		ctp_limits_default(&set->lim);
		set->lim.max_msg = conf->limits.max_message;
		set->lim.max_cdbs = conf->limits.max_cdbs;
	}
	set->max_frame = conf->limits.max_message;
	if (set->max_frame == 0 || set->max_frame > CTP_MSG_MAX)
		set->max_frame = CTP_MSG_MAX;
	set->msg = malloc(sizeof(*set->msg));
	set->smsg = malloc(sizeof(*set->smsg));
	set->udpbuf = malloc(65536);
	set->n = conf->npeers;
	set->v = calloc(set->n ? set->n : 1, sizeof(*set->v));
	set->accept_pause = evtimer_new(d->base, accept_resume_cb, set);
	set->relisten = evtimer_new(d->base, relisten_cb, set);
	if (set->msg == NULL || set->smsg == NULL || set->udpbuf == NULL ||
	    set->v == NULL || set->accept_pause == NULL ||
	    set->relisten == NULL) {
		log_warnx("peers: out of memory");
		goto fail;
	}
	for (i = 0; i < set->n; i++) {
		p = &set->v[i];
		p->set = set;
		p->idx = (uint32_t)i;
		p->conf = &conf->peers[i];
		TAILQ_INIT(&p->conns);
		log_limit_init(&p->ll, 10, 1000);
		p->backoff_ms = conf->timers.reconnect_min_ms;
		if ((p->reconnect = evtimer_new(d->base, peer_reconnect_cb,
		    p)) == NULL) {
			log_warnx("peers: out of memory");
			goto fail;
		}
		p->next_addr = 0;
		if (peer_pick(p, &r, &l)) {
			ctp_addr_norm(&r, &p->remote);
			ctp_addr_norm(&l, &p->local);
			/*
			 * Tie-break until a handshake shows both
			 * certificates (conn_handshake_done): the lower
			 * channel address wins.
			 */
			p->lower = memcmp(p->local.b, p->remote.b,
			    p->local.len) < 0;
		}
		/* Mode B: only the lower router connects (sctp_msg.h). */
		if (peer_modeb(p))
			p->lower = sctp_msg_initiator(conf, p->conf);
		p->next_addr = 0;
		if (p->conf->security == CTP_CONF_SEC_TLS)
			tls = true;
		if (p->conf->transport == CTP_CONF_TR_SCTP &&
		    (p->paths = sctp_path_new(d->base, p->conf)) == NULL) {
			log_warnx("peers: out of memory");
			goto fail;
		}
	}
	if (tls && (set->ctx = tls_ctx_new(&conf->tls)) == NULL)
		goto fail;
	return set;
 fail:
	peer_set_free(set);
	return NULL;
}

/* SCTP where the kernel has it; a reason to act on if not. */
static bool
peer_sctp_usable(struct peer *p)
{
	char	 why[sizeof(p->last_error)], k[sizeof(why)];

	if (transport_sctp_probe(k, sizeof(k)) == -1)
		snprintf(why, sizeof(why), "transport sctp unavailable: %.*s; "
		    "or use transport: tcp", (int)sizeof(why) - 56, k);
	else
		return true;
	p->disabled = true;
	snprintf(p->last_error, sizeof(p->last_error), "%s", why);
	plog(p, LOGL_WARN, "%s", why);
	return false;
}

int
peer_set_start(struct peer_set *set)
{
	const struct ctp_conf	*conf = set->d->conf;
	struct sigaction	 sa;
	struct timeval		 tv = { 0, 0 };
	struct peer		*p;
	size_t			 i, j, k, failed = 0;
	bool			 fam_tcp[2] = { false, false };
	bool			 fam_udp[2] = { false, false };
	int			 f;

	/* A write to a reset TLS socket must not kill the process (H4). */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < set->n; i++) {
		p = &set->v[i];
		if (p->conf->transport == CTP_CONF_TR_SCTP) {
			if (!peer_sctp_usable(p))
				continue;
			/* Mode B: every pair of the association (§8.4). */
			if (xfrm_peer_start(set->d->base, conf, p,
			    p->last_error, sizeof(p->last_error)) == -1) {
				p->disabled = true;
				plog(p, LOGL_WARN, "not started: %s",
				    p->last_error);
				continue;
			}
			for (j = 0; j < p->conf->addresses.n; j++) {
				f = addr_family(&p->conf->addresses.v[j]);
				set->sctp_fams |= f == AF_INET6 ? 2 : 1;
			}
			if (set->sctp_ls == NULL)
				set->sctp_ls = &p->conf->sctp;
			continue;
		}
		/* security ipsec: ESP must cover every address pair (§8.4). */
		if (xfrm_peer_start(set->d->base, conf, p, p->last_error,
		    sizeof(p->last_error)) == -1) {
			p->disabled = true;
			plog(p, LOGL_WARN, "not started: %s", p->last_error);
			continue;
		}
		for (j = 0; j < p->conf->addresses.n; j++) {
			f = addr_family(&p->conf->addresses.v[j]) == AF_INET6;
			if (p->conf->transport == CTP_CONF_TR_TCP)
				fam_tcp[f] = true;
			else
				fam_udp[f] = true;
		}
	}
	set->ls = calloc(2 * conf->router.addresses.n + 1, sizeof(*set->ls));
	if (set->ls == NULL) {
		log_warnx("peers: out of memory");
		return -1;
	}
	/* One socket per configured local address, never the wildcard. */
	for (i = 0; i < conf->router.addresses.n; i++) {
		f = addr_family(&conf->router.addresses.v[i]) == AF_INET6;
		for (k = 0; k < 2; k++) {
			if (!(k ? fam_udp[f] : fam_tcp[f]))
				continue;
			set->ls[set->nls].set = set;
			ctp_addr_norm(&conf->router.addresses.v[i],
			    &set->ls[set->nls].addr);
			set->ls[set->nls].udp = k == 1;
			set->ls[set->nls].fd = -1;
			if (listener_open(&set->ls[set->nls]) == -1)
				failed++;
			set->nls++;
		}
	}
	/* One SCTP listener on every router address (§9.6). */
	if (set->sctp_ls != NULL) {
		set->ls[set->nls].set = set;
		ctp_addr_norm(&conf->router.addresses.v[0],
		    &set->ls[set->nls].addr);
		set->ls[set->nls].sctp = true;
		set->ls[set->nls].fd = -1;
		if (listener_open(&set->ls[set->nls]) == -1)
			failed++;
		set->nls++;
	}
	if (failed > 0) {
		tv.tv_sec = 2;
		evtimer_add(set->relisten, &tv);
		tv.tv_sec = 0;
	}
	/* The first attempt runs from the loop, like every later one. */
	for (i = 0; i < set->n; i++) {
		p = &set->v[i];
		if (p->disabled)
			continue;
		tv.tv_usec = (suseconds_t)(rnd32() % 20000);
		evtimer_add(p->reconnect, &tv);
	}
	return 0;
}

void
peer_set_free(struct peer_set *set)
{
	struct peer	*p;
	struct conn	*c;
	size_t		 i;

	if (set == NULL)
		return;
	set->stopping = true;
	for (i = 0; i < set->n && set->v != NULL; i++) {
		p = &set->v[i];
		if (p->set == NULL)
			continue;
		while ((c = TAILQ_FIRST(&p->conns)) != NULL)
			conn_close(c, "stopping", CLOSE_NORECONNECT);
		xfrm_peer_forget(p);
		sctp_path_free(p->paths);
		if (p->reconnect != NULL)
			event_free(p->reconnect);
	}
	for (i = 0; i < set->nls; i++)
		listener_close(&set->ls[i]);
	if (set->accept_pause != NULL)
		event_free(set->accept_pause);
	if (set->relisten != NULL)
		event_free(set->relisten);
	if (set->ctx != NULL)
		SSL_CTX_free(set->ctx);
	free(set->ls);
	free(set->v);
	free(set->msg);
	free(set->smsg);
	free(set->udpbuf);
	free(set);
}

size_t
peer_count(const struct peer_set *set)
{
	return set->n;
}

struct peer *
peer_at(struct peer_set *set, size_t i)
{
	return i < set->n ? &set->v[i] : NULL;
}

struct peer *
peer_by_name(struct peer_set *set, const char *name)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].conf->name, name) == 0)
			return &set->v[i];
	return NULL;
}

struct peer *
peer_by_addr(struct peer_set *set, const struct ctp_addr *a)
{
	size_t	 i, j;

	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->v[i].conf->addresses.n; j++)
			if (ctp_addr_eq(&set->v[i].conf->addresses.v[j], a))
				return &set->v[i];
	return NULL;
}

static bool
prefix_match(const struct ctp_conf_prefix *pf, const struct ctp_addr *a,
    unsigned *plen)
{
	struct ctp_addr	 x, y;
	unsigned	 bits, full, rest;

	ctp_addr_norm(&pf->addr, &x);
	ctp_addr_norm(a, &y);
	bits = pf->plen;
	/* A v4 prefix written as v4-mapped keeps its length within the v4 part. */
	if (pf->addr.len == 16 && x.len == 4)
		bits = bits >= 96 ? bits - 96 : 0;
	if (x.len != y.len || bits > x.len * 8u)
		return false;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(x.b, y.b, full) != 0)
		return false;
	if (rest != 0 && ((x.b[full] ^ y.b[full]) &
	    (uint8_t)(0xff << (8 - rest))) != 0)
		return false;
	*plen = bits;
	return true;
}

struct peer *
peer_by_mn(struct peer_set *set, const struct ctp_addr *mn)
{
	struct peer	*best = NULL;
	unsigned	 plen, bestlen = 0;
	size_t		 i, j;

	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->v[i].conf->access_prefixes.n; j++)
			if (prefix_match(&set->v[i].conf->access_prefixes.v[j],
			    mn, &plen) && (best == NULL || plen > bestlen)) {
				best = &set->v[i];
				bestlen = plen;
			}
	return best;
}

uint32_t
peer_id(const struct peer *p)
{
	return p->idx;
}

const char *
peer_name(const struct peer *p)
{
	return p->conf->name;
}

const struct ctp_conf_peer *
peer_conf(const struct peer *p)
{
	return p->conf;
}

bool
peer_is_up(const struct peer *p)
{
	return p->chan != NULL || p->udp_up;
}

bool
peer_confidential(const struct peer *p)
{
	if (p->conf->security == CTP_CONF_SEC_TLS)
		return true;
	return p->conf->confidential;
}

int
peer_send(struct peer *p, const uint8_t *msg, size_t len)
{
	struct peer_set		*set = p->set;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	uint64_t		 now;
	bool			 rel;

	if (len < CTP_HDR_LEN || len > CTP_MSG_MAX)
		return -1;
	if ((msg[0] & 0x1f) == CTP_MSG_PCTD && !peer_confidential(p)) {
		/* Key material never crosses a channel ESP does not encrypt. */
		p->c.refused++;
		log_limited(&p->ll, now_ms(), LOGL_WARN, "peer %s: refused to "
		    "send PCTD: channel not configured confidential",
		    p->conf->name);
		return -1;
	}
	if (p->udp_up) {
		sl = addr_sa(&p->remote, p->conf->port, &ss);
		if (sendto(listener_find(set, &p->local, true)->fd, msg, len,
		    MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, sl) ==
		    -1) {
			p->c.send_errors++;
			log_limited(&p->ll, now_ms(), LOGL_WARN, "peer %s: "
			    "send: %s", p->conf->name, strerror(errno));
			return -1;
		}
	} else if (p->chan != NULL && p->chan->sm != NULL) {
		/*
		 * §8.3: a CTD or PCTD with an R context is fully reliable;
		 * what may expire goes unordered with a lifetime.  Ours to
		 * send, so it decodes; if not, nothing is abandoned.
		 */
		rel = ctp_msg_decode(msg, len, NULL, set->smsg, NULL) !=
		    CTP_OK || sctp_msg_reliable(set->smsg);
		if (sctp_msg_send(p->chan->sm, msg, len, rel,
		    set->d->conf->timers.max_transfer_ms) == -1) {
			if (errno == ENOBUFS) {
				p->c.refused++;
				log_limited(&p->ll, now_ms(), LOGL_WARN, "peer "
				    "%s: output queue full; message not sent",
				    p->conf->name);
			} else
				p->c.send_errors++;
			return -1;
		}
	} else if (p->chan != NULL) {
		if (evbuffer_get_length(bufferevent_get_output(p->chan->bev)) >
		    PEER_MAX_QUEUED) {
			now = now_ms();
			p->c.refused++;
			log_limited(&p->ll, now, LOGL_WARN, "peer %s: output "
			    "queue full; message not sent", p->conf->name);
			return -1;
		}
		/* Queued; written with the rest of this loop pass. */
		if (bufferevent_write(p->chan->bev, msg, len) == -1) {
			p->c.send_errors++;
			return -1;
		}
	} else
		return -1;
	p->c.msgs_out++;
	p->c.bytes_out += len;
	return 0;
}

uint64_t
peer_set_handshakes(const struct peer_set *set)
{
	return set->handshakes;
}

static enum peer_state
peer_state(const struct peer *p)
{
	const struct conn	*c;
	enum peer_state		 s = PEER_DOWN;

	if (p->disabled)
		return PEER_DISABLED;
	if (peer_is_up(p))
		return PEER_UP;
	TAILQ_FOREACH(c, &p->conns, entry) {
		if (c->state == CONN_HANDSHAKE || c->state == CONN_CONFIRM)
			return PEER_HANDSHAKE;
		if (c->state == CONN_CONNECTING)
			s = PEER_CONNECTING;
	}
	return s;
}

static json_t *
peer_chan_json(const struct peer *p)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	json_t			*o;
	char			 l[64], r[64];
	int			 fd;

	if (p->chan == NULL)
		return json_null();
	fd = conn_fd(p->chan);
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return json_null();
	sa_str(&ss, l, sizeof(l));
	sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return json_null();
	sa_str(&ss, r, sizeof(r));
	if (p->chan->sm != NULL) {
		/* Mode B: no TLS; what went unordered with a lifetime. */
		o = json_pack("{s:s, s:s, s:s, s:o}", "initiator",
		    p->chan->outgoing ? "local" : "peer", "local", l, "remote",
		    r, "messages", sctp_msg_json(p->chan->sm));
	} else
		o = json_pack("{s:s, s:s, s:s, s:s}", "initiator",
		    p->chan->outgoing ? "local" : "peer", "local", l,
		    "remote", r, "alpn", TLS_ALPN);
	if (o != NULL && p->conf->transport == CTP_CONF_TR_SCTP)
		json_object_set_new(o, "sctp", transport_sctp_json(fd));
	return o;
}

static json_t *
peer_json(const struct peer *p)
{
	json_t			*addrs, *o;
	const struct conn	*c;
	struct tm		 tm;
	char			 a[INET6_ADDRSTRLEN], ts[32];
	size_t			 i, nconn = 0;

	if ((addrs = json_array()) == NULL)
		return NULL;
	for (i = 0; i < p->conf->addresses.n; i++)
		json_array_append_new(addrs, json_string(ctp_addr_str(
		    &p->conf->addresses.v[i], a, sizeof(a))));
	TAILQ_FOREACH(c, &p->conns, entry)
		nconn++;
	ts[0] = '\0';
	if (p->up_since != 0 && gmtime_r(&p->up_since, &tm) != NULL)
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:o, s:i, s:s, s:s, s:s, s:s*, s:s*, s:I, s:s*, "
	    "s:i, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I}}",
	    "name", p->conf->name,
	    "addresses", addrs,
	    "port", (int)p->conf->port,
	    "transport", ctp_conf_transport_names[p->conf->transport],
	    "security", ctp_conf_security_names[p->conf->security],
	    "state", peer_state_names[peer_state(p)],
	    "identity", p->conf->identity,
	    "up_since", ts[0] != '\0' ? ts : NULL,
	    "up_ms", (json_int_t)(p->up_since_ms != 0 ?
	    now_ms() - p->up_since_ms : 0),
	    "last_error", p->last_error[0] != '\0' ? p->last_error : NULL,
	    "connections", (int)nconn,
	    "channel", peer_chan_json(p),
	    "counters",
	    "msgs_in", (json_int_t)p->c.msgs_in,
	    "msgs_out", (json_int_t)p->c.msgs_out,
	    "bytes_in", (json_int_t)p->c.bytes_in,
	    "bytes_out", (json_int_t)p->c.bytes_out,
	    "malformed", (json_int_t)p->c.malformed,
	    "framing_lost", (json_int_t)p->c.framing,
	    "connects", (json_int_t)p->c.connects,
	    "reconnects", (json_int_t)p->c.reconnects,
	    "handshakes", (json_int_t)p->c.handshakes,
	    "liveness_failures", (json_int_t)p->c.liveness_failures,
	    "refused", (json_int_t)p->c.refused,
	    "send_errors", (json_int_t)p->c.send_errors,
	    "incoming_refused", (json_int_t)p->c.incoming_refused,
	    "addr_added", (json_int_t)p->c.addr_added,
	    "addr_removed", (json_int_t)p->c.addr_removed,
	    "asconf_failed", (json_int_t)p->c.asconf_failed);
	if (o != NULL && p->conf->security == CTP_CONF_SEC_IPSEC)
		json_object_set_new(o, "ipsec", xfrm_peer_json(p));
	sctp_path_json(p->paths, o);
	return o;
}

json_t *
peer_set_json(const struct peer_set *set)
{
	struct sctp_path_counters	 sum = { 0 };
	json_t				*arr, *o;
	uint64_t			 added = 0, removed = 0, failed = 0;
	size_t				 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < set->n; i++) {
		added += set->v[i].c.addr_added;
		removed += set->v[i].c.addr_removed;
		failed += set->v[i].c.asconf_failed;
		if ((o = peer_json(&set->v[i])) != NULL)
			json_array_append_new(arr, o);
		sctp_path_sum(set->v[i].paths, &sum);
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "handshakes", (json_int_t)set->handshakes,
	    "unknown_sources", (json_int_t)set->unknown_sources,
	    "udp_unknown_sources", (json_int_t)set->udp_unknown,
	    "addr_added", (json_int_t)added,
	    "addr_removed", (json_int_t)removed,
	    "asconf_failed", (json_int_t)failed,
	    "path_changes", (json_int_t)sum.path_changes,
	    "primary_changes", (json_int_t)sum.primary_changes,
	    "primary_restored", (json_int_t)sum.primary_restored,
	    "peers", arr);
}

/*
 * Router address a appeared (added) or went away on this host (issue 5 §3,
 * spec §9.6): the SCTP listener and every SCTP association of every peer
 * follow, ASCONF ADD-IP or Set Primary then DELETE-IP.  usable: the router
 * addresses usable now, in configuration order, for a new primary.
 */
void
peer_set_sctp_addr(struct peer_set *set, const struct ctp_addr *a,
    bool added, const struct ctp_addr *usable, size_t nusable)
{
	enum transport_sctp_ch	 r;
	struct listener		*l;
	struct peer		*p;
	struct conn		*c;
	struct ctp_addr		 prim;
	char			 as[INET6_ADDRSTRLEN], ps[INET6_ADDRSTRLEN];
	char			 why[192], done[256], moved[320];
	size_t			 i, dl = 0, ml = 0;
	int			 fd;

	ctp_addr_str(a, as, sizeof(as));
	done[0] = moved[0] = '\0';
	for (i = 0; i < set->n; i++) {
		p = &set->v[i];
		if (p->conf->transport != CTP_CONF_TR_SCTP || p->disabled)
			continue;
		TAILQ_FOREACH(c, &p->conns, entry) {
			if (c->state == CONN_DEAD)
				continue;
			if ((fd = conn_fd(c)) == -1)
				continue;
			r = added ? transport_sctp_addr_add(fd, a, why,
			    sizeof(why)) : transport_sctp_addr_del(fd, a,
			    usable, nusable, &prim, why, sizeof(why));
			switch (r) {
			case TRANSPORT_SCTP_CH_DONE:
				if (added)
					p->c.addr_added++;
				else
					p->c.addr_removed++;
				snprintf(done + dl, sizeof(done) - dl, "%s%s",
				    dl > 0 ? ", " : "", p->conf->name);
				dl = strlen(done);
				if (!added && prim.len != 0) {
					snprintf(moved + ml, sizeof(moved) - ml,
					    "%s%s to %s", ml > 0 ? ", " : "",
					    p->conf->name, ctp_addr_str(&prim,
					    ps, sizeof(ps)));
					ml = strlen(moved);
				}
				if (why[0] == '\0')
					break;
				/* removed, but the Set Primary failed */
				p->c.asconf_failed++;
				plog(p, LOGL_WARN, "sctp: router address %s: "
				    "%s", as, why);
				break;
			case TRANSPORT_SCTP_CH_NONE:
				plog(p, LOGL_VERBOSE, "sctp: router address "
				    "%s: %s", as, why);
				break;
			case TRANSPORT_SCTP_CH_NOASCONF:
				plog(p, LOGL_VERBOSE, "sctp: router address "
				    "%s: renumbering unavailable (%s), the "
				    "association is left as it is", as, why);
				break;
			case TRANSPORT_SCTP_CH_LAST:
				plog(p, LOGL_WARN, "sctp: router address %s "
				    "gone, but it is the association's last "
				    "local address: kept", as);
				break;
			case TRANSPORT_SCTP_CH_FAILED:
				p->c.asconf_failed++;
				plog(p, LOGL_WARN, "sctp: router address %s "
				    "not %s: %s", as, added ? "added" :
				    "deleted", why);
				break;
			}
		}
	}
	/*
	 * The listener last: an accepted association shares its port, and
	 * Linux refuses to bind an address on a port a listener holds it on.
	 */
	for (i = 0; i < set->nls; i++) {
		l = &set->ls[i];
		if (!l->sctp)
			continue;
		if (l->fd == -1) {
			if (added)
				(void)listener_open(l);
			continue;
		}
		r = added ? transport_sctp_addr_add(l->fd, a, why, sizeof(why)) :
		    transport_sctp_addr_del(l->fd, a, usable, nusable, &prim,
		    why, sizeof(why));
		if (r == TRANSPORT_SCTP_CH_FAILED ||
		    r == TRANSPORT_SCTP_CH_LAST)
			log_warnx("sctp: listener: router address %s %s (%s): "
			    "%s", as, added ? "not added" : "kept",
			    transport_sctp_change_names[r], why);
	}
	if (added)
		log_info("sctp: router address %s usable: ASCONF ADD-IP to %s",
		    as, dl > 0 ? done : "no association");
	else
		log_info("sctp: router address %s gone: %s%s%sASCONF "
		    "DELETE-IP to %s", as, ml > 0 ? "Set Primary for " : "",
		    moved, ml > 0 ? ", then " : "", dl > 0 ? done :
		    "no association");
}
