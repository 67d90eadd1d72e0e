/* SPDX-License-Identifier: ISC */
/*
 * The MN listener: CTARs over raw ICMP (41/150 subtype 1, hop limit 255;
 * spec §8.5, C14) or the UDP test transport, rate-limited before any HMAC
 * work (§10.2) and handed to the xfer engine; CTAAs go back the same way.
 */
#define _GNU_SOURCE		/* struct in6_pktinfo, RFC 3542 options */

#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctpd.h"
#include "log.h"
#include "ratelimit.h"

#define MN_BATCH	64	/* packets read per wakeup, then yield */
/*
 * Largest CXTP message taken from an MN.  A CTAR must fit one unfragmented
 * packet (§8.5); 2048 octets hold an IPv6 CTAR with 256 request CDBs.
 */
#define MN_MSG_MAX	2048
#define MN_IPHDR_MAX	60
#define MN_RXBUF	(MN_IPHDR_MAX + CTP_ICMP_HDR_LEN + MN_MSG_MAX + 1)
#define MN_HOPLIMIT	255
#define MN_LOG_BURST	10
#define MN_LOG_INTERVAL	1000	/* ms between lines once the burst is spent */

enum mn_counter {
	MN_C_RECEIVED,
	MN_C_DELIVERED,
	MN_C_OVERSIZE,
	MN_C_BAD_IP,
	MN_C_HOP_LIMIT,
	MN_C_ICMP_OTHER,
	MN_C_BAD_ICMP,
	MN_C_MALFORMED,
	MN_C_NOT_CTAR,
	MN_C_BACKOFF_SOURCE,
	MN_C_BACKOFF_MN,
	MN_C_RATE_SOURCE,
	MN_C_RATE_MN,
	MN_C_RATE_GLOBAL,
	MN_C_AUTH_FAILED,
	MN_C_CTAA_SENT,
	MN_C_CTAA_ERRORS,
	MN_C_RECV_ERRORS,
	MN_C__MAX
};

/* JSON member names, in enum order. */
static const char *const mn_counter_names[] = {
	[MN_C_RECEIVED] = "received",
	[MN_C_DELIVERED] = "delivered",
	[MN_C_OVERSIZE] = "oversize",
	[MN_C_BAD_IP] = "bad_ip",
	[MN_C_HOP_LIMIT] = "hop_limit",
	[MN_C_ICMP_OTHER] = "icmp_other",
	[MN_C_BAD_ICMP] = "bad_icmp",
	[MN_C_MALFORMED] = "malformed",
	[MN_C_NOT_CTAR] = "not_ctar",
	[MN_C_BACKOFF_SOURCE] = "backoff_source",
	[MN_C_BACKOFF_MN] = "backoff_mn",
	[MN_C_RATE_SOURCE] = "rate_source",
	[MN_C_RATE_MN] = "rate_mn",
	[MN_C_RATE_GLOBAL] = "rate_global",
	[MN_C_AUTH_FAILED] = "auth_failed",
	[MN_C_CTAA_SENT] = "ctaa_sent",
	[MN_C_CTAA_ERRORS] = "ctaa_send_errors",
	[MN_C_RECV_ERRORS] = "recv_errors",
	NULL
};

/* Counter for each refusing rate-limit verdict. */
static const enum mn_counter mn_rl_counter[RL__MAX] = {
	[RL_BACKOFF_SOURCE] = MN_C_BACKOFF_SOURCE,
	[RL_BACKOFF_MN] = MN_C_BACKOFF_MN,
	[RL_SOURCE] = MN_C_RATE_SOURCE,
	[RL_MN] = MN_C_RATE_MN,
	[RL_GLOBAL] = MN_C_RATE_GLOBAL,
};

struct mn_sock {
	struct mn_listener	*l;
	int			 fd;
	int			 family;
	bool			 icmp;
	int			 ifindex;	/* SO_BINDTODEVICE, else 0 */
	struct ctp_addr		 local;		/* udp: bound address */
	struct event		*ev;
};

struct mn_listener {
	struct ctpd		*d;
	struct mn_events	 cb;
	void			*arg;
	struct mn_sock		*socks;
	size_t			 nsocks;
	struct ratelimit	*rl;
	uint64_t		 rng;		/* splitmix64 state */
	size_t			 max_msg;
	struct log_limit	 log_bad;	/* malformed input */
	struct log_limit	 log_rate;	/* rate-limit drops */
	struct log_limit	 log_auth;	/* token failures */
	uint64_t		 c[MN_C__MAX];
	uint8_t			 rx[MN_RXBUF];
	uint8_t			 tx[CTP_ICMP_HDR_LEN + MN_MSG_MAX];
	struct ctp_msg		 msg;		/* large: kept off the stack */
};

static uint32_t
mn_rnd(void *arg)
{
	struct mn_listener	*l = arg;
	uint64_t		 z;

	z = (l->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static void
ss_to_addr(const struct sockaddr_storage *ss, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->len = 4;
		memcpy(a->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		a->len = 16;
		memcpy(a->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

static const char *
src_str(const struct mn_src *src, char *buf, size_t len)
{
	struct ctp_addr	 a;

	ss_to_addr(&src->ss, &a);
	return ctp_addr_str(&a, buf, len);
}

static void
sock_close(struct mn_sock *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->fd != -1)
		close(s->fd);
	s->ev = NULL;
	s->fd = -1;
}

static int
set_int(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) == -1) {
		log_warn("mn: setsockopt %s", what);
		return -1;
	}
	return 0;
}

static int
bind_device(struct mn_sock *s, const char *ifname)
{
	if (ifname == NULL)
		return 0;
	if ((s->ifindex = (int)if_nametoindex(ifname)) == 0) {
		log_warn("mn: interface %s", ifname);
		return -1;
	}
	if (setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname) + 1) == -1) {
		log_warn("mn: interface %s: SO_BINDTODEVICE", ifname);
		return -1;
	}
	return 0;
}

/*
 * One raw ICMP socket for a family, on one interface or all.  Returns 0, 1
 * when the family is not available on this host (skipped), -1 on error.
 */
static int
open_icmp(struct mn_sock *s, int family, const char *ifname)
{
	struct icmp6_filter	 f;
	const char		*fam = family == AF_INET ? "ICMPv4" : "ICMPv6";

	s->family = family;
	s->icmp = true;
	s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (s->fd == -1) {
		if (errno == EPERM || errno == EACCES) {
			log_warnx("mn: raw %s socket: %s: mn transport icmp "
			    "needs the CAP_NET_RAW capability (or use "
			    "transport udp for tests)", fam, strerror(errno));
			return -1;
		}
		if (errno == EAFNOSUPPORT) {
			log_warnx("mn: %s not available on this host, skipped",
			    fam);
			return 1;
		}
		log_warn("mn: raw %s socket", fam);
		return -1;
	}
	if (family == AF_INET) {
		/* ICMP_FILTER covers types < 32 only: type 41 is checked here. */
		if (set_int(s->fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL") ||
		    set_int(s->fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO") ||
		    set_int(s->fd, IPPROTO_IP, IP_TTL, MN_HOPLIMIT, "IP_TTL"))
			return -1;
	} else {
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(CTP_ICMP6_TYPE, &f);
		if (setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
		    sizeof(f)) == -1) {
			log_warn("mn: setsockopt ICMP6_FILTER");
			return -1;
		}
		if (set_int(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1,
		    "IPV6_RECVHOPLIMIT") ||
		    set_int(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
		    "IPV6_RECVPKTINFO") ||
		    set_int(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
		    MN_HOPLIMIT, "IPV6_UNICAST_HOPS"))
			return -1;
	}
	return bind_device(s, ifname);
}

/*
 * The UDP test transport: one bare CXTP message per datagram (no ICMP
 * wrapper, no hop-limit check), answered to the source address and port.
 */
static int
open_udp(struct mn_sock *s, const struct ctp_addr *a, uint16_t port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sslen;
	char			 as[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	s->family = a->len == 4 ? AF_INET : AF_INET6;
	s->local = *a;
	if (a->len == 4) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b, 4);
		sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->b, 16);
		sslen = sizeof(*sin6);
	}
	s->fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s->fd == -1) {
		log_warn("mn: udp socket");
		return -1;
	}
	if (s->family == AF_INET6 &&
	    set_int(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY"))
		return -1;
	if (bind(s->fd, (struct sockaddr *)&ss, sslen) == -1) {
		log_warn("mn: udp bind %s port %u", ctp_addr_str(a, as,
		    sizeof(as)), port);
		return -1;
	}
	return 0;
}

/*
 * Everything after the transport: size cap, decode, CTAR only, rate limits
 * (before any HMAC work, §10.2), then the callback.
 */
static void
mn_input(struct mn_listener *l, const struct mn_src *src, const uint8_t *b,
    size_t len)
{
	struct ctp_addr	 sa;
	enum ctp_err	 e;
	enum rl_verdict	 v;
	uint64_t	 now = ctpd_now_ms(l->d);
	size_t		 off = 0;
	char		 as[INET6_ADDRSTRLEN], ms[INET6_ADDRSTRLEN];

	if (len > l->max_msg) {
		l->c[MN_C_OVERSIZE]++;
		log_limited(&l->log_bad, now, LOGL_WARN, "mn source %s: "
		    "%zu octets, above the cap of %zu: dropped",
		    src_str(src, as, sizeof(as)), len, l->max_msg);
		return;
	}
	if ((e = ctp_msg_decode(b, len, &l->d->limits, &l->msg, &off)) !=
	    CTP_OK) {
		l->c[MN_C_MALFORMED]++;
		log_limited(&l->log_bad, now, LOGL_WARN, "mn source %s: "
		    "malformed message: %s at octet %zu",
		    src_str(src, as, sizeof(as)), ctp_strerror(e), off);
		return;
	}
	if (l->msg.hdr.type != CTP_MSG_CTAR) {
		l->c[MN_C_NOT_CTAR]++;
		log_limited(&l->log_bad, now, LOGL_WARN, "mn source %s: "
		    "%s from an MN, only CTAR is accepted: dropped",
		    src_str(src, as, sizeof(as)),
		    ctp_msg_type_name(l->msg.hdr.type));
		return;
	}
	ss_to_addr(&src->ss, &sa);
	if ((v = rl_check(l->rl, &sa, &l->msg.mn, now)) != RL_PASS) {
		l->c[mn_rl_counter[v]]++;
		log_limited(&l->log_rate, now, LOGL_INFO, "mn %s: CTAR from "
		    "%s dropped: %s", ctp_addr_str(&l->msg.mn, ms, sizeof(ms)),
		    ctp_addr_str(&sa, as, sizeof(as)), rl_verdict_names[v]);
		return;
	}
	l->c[MN_C_DELIVERED]++;
	if (l->cb.ctar != NULL)
		l->cb.ctar(src, &l->msg, l->arg);
}

/* Take the received TTL / hop limit and destination from ancillary data. */
static void
read_cmsgs(struct msghdr *mh, struct mn_src *src, int *hops)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi;
	struct in6_pktinfo	 pi6;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(hops, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			src->ifindex = pi.ipi_ifindex;
			src->local.len = 4;
			memcpy(src->local.b, &pi.ipi_addr, 4);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(hops, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi6))) {
			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			src->ifindex = (int)pi6.ipi6_ifindex;
			src->local.len = 16;
			memcpy(src->local.b, &pi6.ipi6_addr, 16);
		}
	}
}

/* An ICMP packet (IPv4: with its IP header, as raw sockets deliver it). */
static void
icmp_input(struct mn_listener *l, struct mn_sock *s, struct mn_src *src,
    size_t n, int hops)
{
	struct ctp_icmp	 ic;
	const uint8_t	*p = l->rx;
	enum ctp_err	 e;
	size_t		 ihl, off = 0;
	uint64_t	 now = ctpd_now_ms(l->d);
	char		 as[INET6_ADDRSTRLEN];

	if (s->family == AF_INET) {
		if (n < 20 || (p[0] >> 4) != 4 || (ihl = (p[0] & 0x0fU) * 4) <
		    20 || ihl > n) {
			l->c[MN_C_BAD_IP]++;
			return;
		}
		if (hops < 0)
			hops = p[8];
		src->local.len = 4;
		memcpy(src->local.b, p + 16, 4);	/* destination */
		p += ihl;
		n -= ihl;
		/* Every ICMPv4 packet reaches a raw socket: ignore the rest. */
		if (n < 1 || p[0] != CTP_ICMP4_TYPE) {
			l->c[MN_C_ICMP_OTHER]++;
			return;
		}
	}
	if (hops != MN_HOPLIMIT) {
		l->c[MN_C_HOP_LIMIT]++;
		log_limited(&l->log_bad, now, LOGL_WARN, "mn source %s: "
		    "hop limit %d, not %d: dropped (not on-link)",
		    src_str(src, as, sizeof(as)), hops, MN_HOPLIMIT);
		return;
	}
	/* The kernel verifies ICMPv6 checksums; ICMPv4 is ours (D15). */
	e = ctp_icmp_decode(p, n, s->family == AF_INET6, NULL, NULL, &ic,
	    &off);
	if (e == CTP_ERR_ICMP_SUBTYPE) {
		l->c[MN_C_ICMP_OTHER]++;	/* CARD and friends */
		return;
	}
	if (e != CTP_OK) {
		l->c[MN_C_BAD_ICMP]++;
		log_limited(&l->log_bad, now, LOGL_WARN, "mn source %s: "
		    "bad ICMP wrapper: %s at octet %zu",
		    src_str(src, as, sizeof(as)), ctp_strerror(e), off);
		return;
	}
	mn_input(l, src, ic.body, ic.body_len);
}

static void
mn_read(evutil_socket_t fd, short what, void *arg)
{
	struct mn_sock		*s = arg;
	struct mn_listener	*l = s->l;
	struct mn_src		 src;
	struct msghdr		 mh;
	struct iovec		 iov;
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[256];
	} cbuf;
	ssize_t			 n;
	int			 i, hops;
	uint64_t		 now;

	(void)what;
	for (i = 0; i < MN_BATCH; i++) {
		memset(&src, 0, sizeof(src));
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = l->rx;
		iov.iov_len = sizeof(l->rx);
		mh.msg_name = &src.ss;
		mh.msg_namelen = sizeof(src.ss);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(fd, &mh, 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP errors for earlier sends land here: not fatal. */
			l->c[MN_C_RECV_ERRORS]++;
			now = ctpd_now_ms(l->d);
			log_limited(&l->log_bad, now, LOGL_WARN,
			    "mn: recvmsg: %s", strerror(errno));
			continue;
		}
		l->c[MN_C_RECEIVED]++;
		src.sslen = mh.msg_namelen;
		src.icmp = s->icmp;
		src.ifindex = s->ifindex;
		if (mh.msg_flags & MSG_TRUNC) {
			l->c[MN_C_OVERSIZE]++;
			continue;
		}
		if (s->icmp) {
			hops = -1;
			read_cmsgs(&mh, &src, &hops);
			icmp_input(l, s, &src, (size_t)n, hops);
		} else {
			src.local = s->local;
			mn_input(l, &src, l->rx, (size_t)n);
		}
	}
}

static struct mn_sock *
add_sock(struct mn_listener *l)
{
	struct mn_sock	*s = &l->socks[l->nsocks];

	memset(s, 0, sizeof(*s));
	s->l = l;
	s->fd = -1;
	return s;
}

static int
open_all(struct mn_listener *l)
{
	const struct ctp_conf		*c = l->d->conf;
	const struct ctp_conf_addrs	*la;
	struct mn_sock			*s;
	size_t				 i, j, nif, max;
	static const int		 fams[] = { AF_INET, AF_INET6 };
	int				 r;

	if (c->mn.transport == CTP_CONF_MN_UDP) {
		/* Without mn.listen the router's own addresses are used. */
		la = c->mn.listen.n > 0 ? &c->mn.listen : &c->router.addresses;
		max = la->n;
	} else {
		la = NULL;
		nif = c->mn.interfaces.n;
		max = 2 * (nif > 0 ? nif : 1);
	}
	if ((l->socks = calloc(max > 0 ? max : 1, sizeof(*l->socks))) ==
	    NULL) {
		log_warn("mn: sockets");
		return -1;
	}
	if (la != NULL) {
		for (i = 0; i < la->n; i++) {
			s = add_sock(l);
			l->nsocks++;
			if (open_udp(s, &la->v[i], c->mn.udp_port) == -1)
				return -1;
		}
	} else {
		nif = c->mn.interfaces.n;
		for (i = 0; i < (nif > 0 ? nif : 1); i++)
			for (j = 0; j < 2; j++) {
				s = add_sock(l);
				r = open_icmp(s, fams[j], nif > 0 ?
				    c->mn.interfaces.v[i] : NULL);
				if (r == -1) {
					l->nsocks++;
					return -1;
				}
				if (r == 1)
					continue;
				l->nsocks++;
			}
	}
	if (l->nsocks == 0) {
		log_warnx("mn: no socket to listen on");
		return -1;
	}
	for (i = 0; i < l->nsocks; i++) {
		s = &l->socks[i];
		s->ev = event_new(l->d->base, s->fd, EV_READ | EV_PERSIST,
		    mn_read, s);
		if (s->ev == NULL || event_add(s->ev, NULL) == -1) {
			log_warnx("mn: cannot add a socket to the event loop");
			return -1;
		}
	}
	return 0;
}

static void
rate_from_conf(struct rl_rate *r, const struct ctp_conf_rate *c,
    uint32_t burst)
{
	r->n = c->n;
	r->per_ms = c->per_ms;
	r->burst = burst > 0 ? burst : 1;
}

struct mn_listener *
mn_listener_new(struct ctpd *d, const struct mn_events *cb, void *arg)
{
	struct mn_listener	*l;
	struct rl_conf		 rc;
	const struct ctp_conf_limits *lim = &d->conf->limits;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_warn("mn: listener");
		return NULL;
	}
	l->d = d;
	if (cb != NULL)
		l->cb = *cb;
	l->arg = arg;
	if (getrandom(&l->rng, sizeof(l->rng), 0) != sizeof(l->rng))
		l->rng = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	l->max_msg = d->limits.max_msg > 0 && d->limits.max_msg < MN_MSG_MAX ?
	    d->limits.max_msg : MN_MSG_MAX;
	log_limit_init(&l->log_bad, MN_LOG_BURST, MN_LOG_INTERVAL);
	log_limit_init(&l->log_rate, MN_LOG_BURST, MN_LOG_INTERVAL);
	log_limit_init(&l->log_auth, MN_LOG_BURST, MN_LOG_INTERVAL);

	/* Per-source and per-MN buckets hold one period's worth. */
	memset(&rc, 0, sizeof(rc));
	rate_from_conf(&rc.global, &lim->request_rate, lim->request_burst);
	rate_from_conf(&rc.per_source, &lim->per_source_rate,
	    lim->per_source_rate.n);
	rate_from_conf(&rc.per_mn, &lim->per_mn_rate, lim->per_mn_rate.n);
	rc.rnd = mn_rnd;
	rc.rnd_arg = l;
	rc.hash_seed = ((uint64_t)mn_rnd(l) << 32) | mn_rnd(l);
	if ((l->rl = rl_new(&rc, ctpd_now_ms(d))) == NULL) {
		log_warnx("mn: cannot set up the rate limits");
		mn_listener_free(l);
		return NULL;
	}
	if (open_all(l) == -1) {
		mn_listener_free(l);
		return NULL;
	}
	log_info("mn: listening on %zu %s socket(s)", l->nsocks,
	    d->conf->mn.transport == CTP_CONF_MN_UDP ? "udp" : "raw icmp");
	return l;
}

void
mn_listener_free(struct mn_listener *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsocks; i++)
		sock_close(&l->socks[i]);
	free(l->socks);
	rl_free(l->rl);
	free(l);
}

/* The socket a reply to src goes out on: same transport, family, place. */
static struct mn_sock *
reply_sock(struct mn_listener *l, const struct mn_src *src)
{
	struct mn_sock	*s, *any = NULL;
	size_t		 i;

	for (i = 0; i < l->nsocks; i++) {
		s = &l->socks[i];
		if (s->icmp != src->icmp || s->family != src->ss.ss_family)
			continue;
		if (any == NULL)
			any = s;
		if (s->icmp && s->ifindex != 0 && s->ifindex == src->ifindex)
			return s;
		if (!s->icmp && s->local.len == src->local.len &&
		    memcmp(s->local.b, src->local.b, s->local.len) == 0)
			return s;
	}
	return any;
}

int
mn_send_ctaa(struct mn_listener *l, const struct mn_src *src,
    const uint8_t *msg, size_t len)
{
	struct mn_sock		*s;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct in_pktinfo	 pi;
	struct in6_pktinfo	 pi6;
	struct cmsghdr		*cm;
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	enum ctp_err		 e;
	size_t			 n;
	char			 as[INET6_ADDRSTRLEN];

	if ((s = reply_sock(l, src)) == NULL || len > MN_MSG_MAX) {
		l->c[MN_C_CTAA_ERRORS]++;
		log_warnx("mn source %s: no socket to send a CTAA of %zu "
		    "octets on", src_str(src, as, sizeof(as)), len);
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_name = (void *)&src->ss;
	mh.msg_namelen = src->sslen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	iov.iov_base = (void *)msg;
	iov.iov_len = len;
	if (s->icmp) {
		/* ICMPv6: the kernel fills the checksum (RFC 3542 §3.1). */
		e = ctp_icmp_encode(s->family == AF_INET6, NULL, NULL, msg,
		    len, l->tx, sizeof(l->tx), &n);
		if (e != CTP_OK) {
			l->c[MN_C_CTAA_ERRORS]++;
			log_warnx("mn source %s: CTAA: %s",
			    src_str(src, as, sizeof(as)), ctp_strerror(e));
			return -1;
		}
		iov.iov_base = l->tx;
		iov.iov_len = n;
		/* Answer from the address the CTAR was sent to. */
		mh.msg_control = cbuf.buf;
		cm = (struct cmsghdr *)cbuf.buf;
		if (s->family == AF_INET && src->local.len == 4) {
			memset(&pi, 0, sizeof(pi));
			memcpy(&pi.ipi_spec_dst, src->local.b, 4);
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else if (s->family == AF_INET6 && src->local.len == 16) {
			memset(&pi6, 0, sizeof(pi6));
			memcpy(&pi6.ipi6_addr, src->local.b, 16);
			pi6.ipi6_ifindex = (unsigned)src->ifindex;
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi6));
			memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
			mh.msg_controllen = CMSG_SPACE(sizeof(pi6));
		} else
			mh.msg_control = NULL;
	}
	if (sendmsg(s->fd, &mh, 0) == -1) {
		l->c[MN_C_CTAA_ERRORS]++;
		log_warn("mn source %s: sending CTAA",
		    src_str(src, as, sizeof(as)));
		return -1;
	}
	l->c[MN_C_CTAA_SENT]++;
	return 0;
}

void
mn_auth_failed(struct mn_listener *l, const struct mn_src *src,
    const struct ctp_addr *mn)
{
	struct ctp_addr	 sa;
	uint64_t	 now = ctpd_now_ms(l->d);
	char		 as[INET6_ADDRSTRLEN], ms[INET6_ADDRSTRLEN];

	ss_to_addr(&src->ss, &sa);
	rl_fail(l->rl, &sa, mn, now);
	l->c[MN_C_AUTH_FAILED]++;
	log_limited(&l->log_auth, now, LOGL_WARN, "mn %s: token rejected "
	    "(from %s), held off for %llu ms", ctp_addr_str(mn, ms, sizeof(ms)),
	    ctp_addr_str(&sa, as, sizeof(as)),
	    (unsigned long long)rl_holdoff(l->rl, RL_T_MN, mn, now));
}

void
mn_auth_ok(struct mn_listener *l, const struct mn_src *src,
    const struct ctp_addr *mn)
{
	struct ctp_addr	 sa;

	ss_to_addr(&src->ss, &sa);
	rl_success(l->rl, &sa, mn);
}

json_t *
mn_listener_json(const struct mn_listener *l)
{
	json_t	*o, *c, *r;
	size_t	 i;

	if ((o = json_object()) == NULL || (c = json_object()) == NULL ||
	    (r = json_object()) == NULL) {
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < MN_C__MAX; i++)
		json_object_set_new(c, mn_counter_names[i],
		    json_integer((json_int_t)l->c[i]));
	json_object_set_new(r, "sources", json_integer((json_int_t)
	    rl_entries(l->rl, RL_T_SOURCE)));
	json_object_set_new(r, "mns", json_integer((json_int_t)
	    rl_entries(l->rl, RL_T_MN)));
	json_object_set_new(r, "capacity", json_integer((json_int_t)
	    rl_capacity(l->rl)));
	json_object_set_new(r, "evicted_sources", json_integer((json_int_t)
	    rl_evictions(l->rl, RL_T_SOURCE)));
	json_object_set_new(r, "evicted_mns", json_integer((json_int_t)
	    rl_evictions(l->rl, RL_T_MN)));
	json_object_set_new(o, "transport", json_string(
	    ctp_conf_mn_transport_names[l->d->conf->mn.transport]));
	json_object_set_new(o, "sockets", json_integer((json_int_t)l->nsocks));
	json_object_set_new(o, "counters", c);
	json_object_set_new(o, "rate_limit", r);
	return o;
}
