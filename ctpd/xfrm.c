/* SPDX-License-Identifier: ISC */
/*
 * IPsec preflight and SA watch over NETLINK_XFRM (spec §8.4, §10.2;
 * FIELD-LESSONS G1-G5): policy and SA dumps answer whether ESP covers every
 * address pair of a channel, the way the kernel picks a policy; expire events
 * mark a peer degraded until an SA covers it again.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctpd.h"
#include "log.h"
#include "sctp_msg.h"
#include "xfrm.h"

#define XFRM_DUMP_MS	2000		/* the kernel answers at once */
#define XFRM_RCVBUF	(64 * 1024)

const char *const xfrm_event_names[] = {
	"soft expire", "hard expire", "new SA", NULL
};

enum { DIR_OUT, DIR_IN };
static const char *const dir_names[] = { "outbound", "inbound" };

/* One dumped policy, reduced to what the coverage check needs. */
struct xpol {
	struct xfrm_userpolicy_info	 info;
	bool				 esp;	/* a mandatory ESP template */
	struct xfrm_user_tmpl		 tmpl;	/* that template */
	bool				 marked;
};

struct xsa {
	struct xfrm_usersa_info		 info;
	bool				 esn;	/* ESN replay state present */
	uint32_t			 esn_window;
};

struct xdump {
	struct xpol	*pol;
	size_t		 npol;
	struct xsa	*sa;
	size_t		 nsa;
};

/* ---------------------------------------------------------------- helpers */

static int
addr_fam(const struct ctp_addr *a)
{
	return a->len == 4 ? AF_INET : AF_INET6;
}

static void
xaddr_get(const xfrm_address_t *x, int fam, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = fam == AF_INET ? 4 : 16;
	memcpy(a->b, x, a->len);
}

/* Is a within the prefix x/plen (of family fam)? */
static bool
prefix_match(const xfrm_address_t *x, unsigned plen, const struct ctp_addr *a)
{
	const uint8_t	*p = (const uint8_t *)x;
	unsigned	 bits = a->len * 8, i;

	if (plen > bits)
		return false;
	for (i = 0; i < plen / 8; i++)
		if (p[i] != a->b[i])
			return false;
	if (plen % 8 != 0) {
		uint8_t	 m = (uint8_t)(0xff << (8 - plen % 8));

		if ((p[i] & m) != (a->b[i] & m))
			return false;
	}
	return true;
}

static bool
xaddr_eq(const xfrm_address_t *x, const struct ctp_addr *a)
{
	return memcmp(x, a->b, a->len) == 0;
}

static bool
xaddr_zero(const xfrm_address_t *x, int fam)
{
	static const uint8_t	 z[16];

	return memcmp(x, z, fam == AF_INET ? 4 : 16) == 0;
}

static const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_TCP:
		return "tcp";
	default:
		return "ip";
	}
}

static bool
is_loopback(const struct ctp_addr *a)
{
	static const uint8_t	 lo6[16] = { [15] = 1 };

	return (a->len == 4 && a->b[0] == 127) ||
	    (a->len == 16 && memcmp(a->b, lo6, 16) == 0);
}

/* ---------------------------------------------------------------- netlink */

static int
nl_open(int flags)
{
	struct sockaddr_nl	 sa;
	int			 fd, sz = XFRM_RCVBUF;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags,
	    NETLINK_XFRM)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Netlink keeps 4-octet alignment and these structs hold 64-bit counters:
 * every struct is copied out, never read in place.
 */
static void
parse_policy(struct nlmsghdr *h, struct xdump *d)
{
	struct xfrm_userpolicy_type	 ty;
	struct xfrm_user_tmpl		 t;
	struct xfrm_mark		 mk;
	struct rtattr			*rta;
	struct xpol			*np, p;
	bool				 sub = false;
	int				 len;
	size_t				 i, nt;

	len = (int)h->nlmsg_len - NLMSG_SPACE(sizeof(p.info));
	if (len < 0)
		return;
	memset(&p, 0, sizeof(p));
	memcpy(&p.info, NLMSG_DATA(h), sizeof(p.info));
	rta = (struct rtattr *)((char *)NLMSG_DATA(h) +
	    NLMSG_ALIGN(sizeof(p.info)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case XFRMA_TMPL:
			nt = RTA_PAYLOAD(rta) / sizeof(t);
			for (i = 0; i < nt && !p.esp; i++) {
				memcpy(&t, (char *)RTA_DATA(rta) +
				    i * sizeof(t), sizeof(t));
				if (t.id.proto == IPPROTO_ESP && !t.optional) {
					p.esp = true;
					p.tmpl = t;
				}
			}
			break;
		case XFRMA_MARK:
			if (RTA_PAYLOAD(rta) >= sizeof(mk)) {
				memcpy(&mk, RTA_DATA(rta), sizeof(mk));
				p.marked = (mk.v & mk.m) != 0;
			}
			break;
		case XFRMA_POLICY_TYPE:
			/* Sub policies (MIGRATE) never decide alone. */
			if (RTA_PAYLOAD(rta) >= sizeof(ty)) {
				memcpy(&ty, RTA_DATA(rta), sizeof(ty));
				sub = ty.type != XFRM_POLICY_TYPE_MAIN;
			}
			break;
		}
	}
	if (sub || (np = reallocarray(d->pol, d->npol + 1,
	    sizeof(*np))) == NULL)
		return;
	d->pol = np;
	d->pol[d->npol++] = p;
}

static void
parse_sa(struct nlmsghdr *h, struct xdump *d)
{
	struct xfrm_replay_state_esn	 esn;
	struct rtattr			*rta;
	struct xsa			*ns, s;
	int				 len;

	len = (int)h->nlmsg_len - NLMSG_SPACE(sizeof(s.info));
	if (len < 0)
		return;
	memset(&s, 0, sizeof(s));
	memcpy(&s.info, NLMSG_DATA(h), sizeof(s.info));
	rta = (struct rtattr *)((char *)NLMSG_DATA(h) +
	    NLMSG_ALIGN(sizeof(s.info)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == XFRMA_REPLAY_ESN_VAL &&
		    RTA_PAYLOAD(rta) >= sizeof(esn)) {
			memcpy(&esn, RTA_DATA(rta), sizeof(esn));
			s.esn = true;
			s.esn_window = esn.replay_window;
		}
	if ((ns = reallocarray(d->sa, d->nsa + 1, sizeof(*ns))) == NULL)
		return;
	d->sa = ns;
	d->sa[d->nsa++] = s;
}

/*
 * One dump (XFRM_MSG_GETPOLICY or XFRM_MSG_GETSA) into d.  A blocking
 * exchange with the kernel, bounded by XFRM_DUMP_MS.  0, or -1 with errno.
 */
static int
nl_dump(int fd, uint16_t type, struct xdump *d)
{
	struct nlmsghdr		 req;	/* no body: GETSA reads attributes */
	struct sockaddr_nl	 sa;
	struct pollfd		 pfd;
	struct nlmsghdr		*h;
	char			*buf;
	ssize_t			 n;
	int			 len, err;
	uint32_t		 seq = (uint32_t)type << 16 | (uint32_t)getpid();

	memset(&req, 0, sizeof(req));
	req.nlmsg_len = NLMSG_LENGTH(0);
	req.nlmsg_type = type;
	req.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlmsg_seq = seq;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1)
		return -1;
	if ((buf = malloc(XFRM_RCVBUF)) == NULL)
		return -1;
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, XFRM_DUMP_MS) != 1) {
			err = ETIMEDOUT;
			goto fail;
		}
		if ((n = recv(fd, buf, XFRM_RCVBUF, 0)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto fail;
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				goto done;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr	*e = NLMSG_DATA(h);

				err = e->error < 0 ? -e->error : EPROTO;
				goto fail;
			}
			if (h->nlmsg_type == XFRM_MSG_NEWPOLICY)
				parse_policy(h, d);
			else if (h->nlmsg_type == XFRM_MSG_NEWSA)
				parse_sa(h, d);
		}
	}
 done:
	free(buf);
	return 0;
 fail:
	free(buf);
	errno = err;
	return -1;
}

/* ---------------------------------------------------------------- check */

/* The flow as the kernel sees it in direction dir. */
struct dflow {
	const struct ctp_addr	*src, *dst;
	uint16_t		 sport, dport;
	uint8_t			 proto;
};

static void
dflow_of(const struct xfrm_flow *f, int dir, struct dflow *o)
{
	o->proto = f->proto;
	if (dir == DIR_OUT) {
		o->src = &f->local;
		o->dst = &f->remote;
		o->sport = f->lport;
		o->dport = f->rport;
	} else {
		o->src = &f->remote;
		o->dst = &f->local;
		o->sport = f->rport;
		o->dport = f->lport;
	}
}

static bool
sel_match(const struct xfrm_selector *s, const struct dflow *f)
{
	int	 fam = addr_fam(f->src);

	if (s->family != AF_UNSPEC && s->family != fam)
		return false;
	if (s->family == AF_UNSPEC && (s->prefixlen_s || s->prefixlen_d))
		return false;
	if (!prefix_match(&s->saddr, s->prefixlen_s, f->src) ||
	    !prefix_match(&s->daddr, s->prefixlen_d, f->dst))
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if ((ntohs(s->sport) & ntohs(s->sport_mask)) !=
	    (f->sport & ntohs(s->sport_mask)))
		return false;
	return (ntohs(s->dport) & ntohs(s->dport_mask)) ==
	    (f->dport & ntohs(s->dport_mask));
}

/* The policy the kernel applies to f in dir: the lowest priority wins. */
static const struct xpol *
policy_for(const struct xdump *d, int dir, const struct dflow *f)
{
	const struct xpol	*best = NULL, *p;
	size_t			 i;
	uint8_t			 kdir = dir == DIR_OUT ? XFRM_POLICY_OUT :
				    XFRM_POLICY_IN;

	for (i = 0; i < d->npol; i++) {
		p = &d->pol[i];
		if (p->info.dir != kdir || p->marked ||
		    !sel_match(&p->info.sel, f))
			continue;
		if (best == NULL || p->info.priority < best->info.priority)
			best = p;
	}
	return best;
}

/* An ESP SA for f under the policy's template. */
static const struct xsa *
sa_for(const struct xdump *d, const struct xpol *p, const struct dflow *f)
{
	const struct xfrm_user_tmpl	*t = &p->tmpl;
	const struct xsa		*s;
	struct ctp_addr			 src = *f->src, dst = *f->dst;
	int				 fam = addr_fam(f->src);
	size_t				 i;

	/* A tunnel's SA is between the tunnel ends, not the pair. */
	if (t->mode == XFRM_MODE_TUNNEL && !xaddr_zero(&t->id.daddr, fam)) {
		xaddr_get(&t->saddr, fam, &src);
		xaddr_get(&t->id.daddr, fam, &dst);
	}
	for (i = 0; i < d->nsa; i++) {
		s = &d->sa[i];
		if (s->info.id.proto != IPPROTO_ESP || s->info.family != fam ||
		    s->info.id.spi == 0 || s->info.mode != t->mode)
			continue;
		if (!xaddr_eq(&s->info.saddr, &src) ||
		    !xaddr_eq(&s->info.id.daddr, &dst))
			continue;
		if (t->reqid != 0 && s->info.reqid != t->reqid)
			continue;
		return s;
	}
	return NULL;
}

static void
pair_str(const struct dflow *f, char *buf, size_t len)
{
	char	 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (f->dport == 0)	/* an ephemeral port: name the other one */
		snprintf(buf, len, "%s -> %s %s from port %u",
		    ctp_addr_str(f->src, s, sizeof(s)),
		    ctp_addr_str(f->dst, d, sizeof(d)),
		    proto_name(f->proto), f->sport);
	else
		snprintf(buf, len, "%s -> %s %s/%u", ctp_addr_str(f->src, s,
		    sizeof(s)), ctp_addr_str(f->dst, d, sizeof(d)),
		    proto_name(f->proto), f->dport);
}

/* The policy for f in dir must allow it through mandatory ESP. */
static const struct xpol *
check_policy(const struct xdump *d, const struct dflow *f, int dir,
    char *why, size_t whylen)
{
	const struct xpol	*p;
	char			 pair[128];

	pair_str(f, pair, sizeof(pair));
	if ((p = policy_for(d, dir, f)) == NULL)
		snprintf(why, whylen, "no %s ESP policy for %s",
		    dir_names[dir], pair);
	else if (p->info.action != XFRM_POLICY_ALLOW)
		snprintf(why, whylen, "the %s policy for %s blocks it "
		    "(priority %u)", dir_names[dir], pair, p->info.priority);
	else if (!p->esp)
		snprintf(why, whylen, "the %s policy for %s has no mandatory "
		    "ESP template (priority %u)", dir_names[dir], pair,
		    p->info.priority);
	else
		return p;
	return NULL;
}

static int
check_sa(const struct xdump *d, const struct xpol *p, const struct dflow *f,
    int dir, char *why, size_t whylen, char *warn, size_t warnlen)
{
	const struct xsa	*s;
	char			 pair[128];
	uint32_t		 win;

	pair_str(f, pair, sizeof(pair));
	if ((s = sa_for(d, p, f)) == NULL) {
		snprintf(why, whylen, "no %s ESP SA for %s (policy "
		    "reqid %u)", dir_names[dir], pair, p->tmpl.reqid);
		return -1;
	}
	win = s->esn ? s->esn_window : s->info.replay_window;
	/* Anti-replay is the receiver's check (G5). */
	if (dir == DIR_IN && win == 0 && warn != NULL && warn[0] == '\0')
		snprintf(warn, warnlen, "inbound ESP SA 0x%08x for %s has "
		    "replay window 0: no anti-replay protection",
		    ntohl(s->info.id.spi), pair);
	return 0;
}

/* Policies both ways first, then their SAs: the most useful reason. */
static int
check_flow(const struct xdump *d, const struct xfrm_flow *fl, char *why,
    size_t whylen, char *warn, size_t warnlen)
{
	const struct xpol	*p[2];
	struct dflow		 f[2];
	int			 dir;

	for (dir = DIR_OUT; dir <= DIR_IN; dir++) {
		dflow_of(fl, dir, &f[dir]);
		if ((p[dir] = check_policy(d, &f[dir], dir, why, whylen)) ==
		    NULL)
			return -1;
	}
	for (dir = DIR_OUT; dir <= DIR_IN; dir++)
		if (check_sa(d, p[dir], &f[dir], dir, why, whylen, warn,
		    warnlen) == -1)
			return -1;
	return 0;
}

int
xfrm_check(const struct xfrm_flow *v, size_t n, char *why, size_t whylen,
    char *warn, size_t warnlen)
{
	struct xdump	 d;
	size_t		 i;
	int		 fd, rc = -1;

	memset(&d, 0, sizeof(d));
	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (n == 0)
		return 0;
	if ((fd = nl_open(0)) == -1) {
		snprintf(why, whylen, "cannot ask the kernel for IPsec "
		    "policies (NETLINK_XFRM): %s", strerror(errno));
		return -1;
	}
	if (nl_dump(fd, XFRM_MSG_GETPOLICY, &d) == -1 ||
	    nl_dump(fd, XFRM_MSG_GETSA, &d) == -1) {
		snprintf(why, whylen, "cannot read the kernel's IPsec "
		    "policies and SAs: %s%s", strerror(errno),
		    errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (check_flow(&d, &v[i], why, whylen, warn, warnlen) == -1)
			goto out;
	rc = 0;
 out:
	close(fd);
	free(d.pol);
	free(d.sa);
	return rc;
}

size_t
xfrm_peer_flows(const struct ctp_conf *conf, const struct ctp_conf_peer *pc,
    struct xfrm_flow *v, size_t cap)
{
	const struct ctp_addr	*l, *r;
	size_t			 i, j, n = 0;

	for (i = 0; i < conf->router.addresses.n; i++)
		for (j = 0; j < pc->addresses.n; j++) {
			l = &conf->router.addresses.v[i];
			r = &pc->addresses.v[j];
			if (l->len != r->len ||
			    (is_loopback(l) && is_loopback(r)) || n == cap)
				continue;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].local = *l;
			v[n].remote = *r;
			v[n].proto = pc->transport == CTP_CONF_TR_SCTP ?
			    IPPROTO_SCTP : pc->transport == CTP_CONF_TR_TCP ?
			    IPPROTO_TCP : IPPROTO_UDP;
			v[n].lport = conf->router.port;
			v[n].rport = pc->port;
			/*
			 * An SCTP association (mode B) leaves from an
			 * ephemeral port of the side that connects: 0, which
			 * only a selector without that port matches.
			 */
			if (pc->transport == CTP_CONF_TR_SCTP) {
				if (sctp_msg_initiator(conf, pc))
					v[n].lport = 0;
				else
					v[n].rport = 0;
			}
			n++;
		}
	return n;
}

/* ---------------------------------------------------------------- watch */

struct xfrm_watch {
	int		 fd;
	struct event	*ev;
	void		(*cb)(const struct xfrm_event *, void *);
	void		*arg;
};

static void
watch_msg(struct xfrm_watch *w, struct nlmsghdr *h)
{
	struct xfrm_event	 e;
	struct xfrm_user_expire	 x;
	struct xfrm_usersa_info	 si;

	memset(&e, 0, sizeof(e));
	if (h->nlmsg_type == XFRM_MSG_EXPIRE &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(x))) {
		memcpy(&x, NLMSG_DATA(h), sizeof(x));
		si = x.state;
		e.type = x.hard ? XFRM_EV_HARD : XFRM_EV_SOFT;
	} else if ((h->nlmsg_type == XFRM_MSG_NEWSA ||
	    h->nlmsg_type == XFRM_MSG_UPDSA) &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(si))) {
		memcpy(&si, NLMSG_DATA(h), sizeof(si));
		e.type = XFRM_EV_NEWSA;
	} else
		return;
	if (si.family != AF_INET && si.family != AF_INET6)
		return;
	xaddr_get(&si.saddr, si.family, &e.src);
	xaddr_get(&si.id.daddr, si.family, &e.dst);
	e.spi = ntohl(si.id.spi);
	e.proto = si.id.proto;
	w->cb(&e, w->arg);
}

static void
watch_readcb(evutil_socket_t fd, short what, void *arg)
{
	struct xfrm_watch	*w = arg;
	struct nlmsghdr		*h;
	char			 buf[8192] __attribute__((aligned(8)));
	ssize_t			 n;
	int			 len, k;

	(void)what;
	/* A few datagrams per wakeup (STYLE §8). */
	for (k = 0; k < 16; k++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == ENOBUFS)
				log_warnx("xfrm: events lost (receive "
				    "buffer full)");
			return;
		}
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)len);
		    h = NLMSG_NEXT(h, len))
			watch_msg(w, h);
	}
}

struct xfrm_watch *
xfrm_watch_new(struct event_base *base,
    void (*cb)(const struct xfrm_event *, void *), void *arg)
{
	struct xfrm_watch	*w;
	int			 g, saved;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->cb = cb;
	w->arg = arg;
	if ((w->fd = nl_open(SOCK_NONBLOCK)) == -1)
		goto fail;
	g = XFRMNLGRP_EXPIRE;
	if (setsockopt(w->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
	    sizeof(g)) == -1)
		goto fail;
	g = XFRMNLGRP_SA;
	if (setsockopt(w->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
	    sizeof(g)) == -1)
		goto fail;
	if ((w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST,
	    watch_readcb, w)) == NULL || event_add(w->ev, NULL) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	return w;
 fail:
	saved = errno;
	xfrm_watch_free(w);
	errno = saved;
	return NULL;
}

void
xfrm_watch_free(struct xfrm_watch *w)
{
	if (w == NULL)
		return;
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->fd != -1)
		close(w->fd);
	free(w);
}

/* ---------------------------------------------------------------- peers */

/* A peer under ESP that the watch follows; one watch per process. */
struct xpeer {
	const struct peer	*p;
	struct xfrm_flow	 fl[CTP_CONF_MAX_ADDRS * CTP_CONF_MAX_ADDRS];
	size_t			 n;
	char			 degraded[384];	/* "" when covered */
};

static struct {
	struct xfrm_watch	*w;
	struct xpeer		**v;
	size_t			 n;
} xp;

static bool
flow_has(const struct xpeer *x, const struct ctp_addr *a,
    const struct ctp_addr *b)
{
	size_t	 i;

	for (i = 0; i < x->n; i++)
		if ((memcmp(&x->fl[i].local, a, sizeof(*a)) == 0 &&
		    memcmp(&x->fl[i].remote, b, sizeof(*b)) == 0) ||
		    (memcmp(&x->fl[i].local, b, sizeof(*b)) == 0 &&
		    memcmp(&x->fl[i].remote, a, sizeof(*a)) == 0))
			return true;
	return false;
}

/*
 * An SA of one of the peer's pairs expired or came: ask again, since an
 * IKE daemon rekeys before the old SA's hard expiry.
 */
static void
peer_event(const struct xfrm_event *e, void *arg)
{
	struct xpeer	*x;
	char		 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], why[192];
	size_t		 i;

	(void)arg;
	if (e->proto != IPPROTO_ESP)
		return;
	for (i = 0; i < xp.n; i++) {
		x = xp.v[i];
		if (!flow_has(x, &e->src, &e->dst))
			continue;
		if (e->type == XFRM_EV_SOFT) {
			log_info("peer %s: ESP SA 0x%08x %s -> %s reached its "
			    "soft lifetime (rekey due)", peer_name(x->p),
			    e->spi, ctp_addr_str(&e->src, s, sizeof(s)),
			    ctp_addr_str(&e->dst, d, sizeof(d)));
			continue;
		}
		if (e->type == XFRM_EV_NEWSA && x->degraded[0] == '\0')
			continue;
		if (xfrm_check(x->fl, x->n, why, sizeof(why), NULL, 0) == 0) {
			if (x->degraded[0] != '\0')
				log_info("peer %s: IPsec covers every pair "
				    "again", peer_name(x->p));
			x->degraded[0] = '\0';
		} else if (e->type == XFRM_EV_HARD) {
			snprintf(x->degraded, sizeof(x->degraded), "SA 0x%08x "
			    "%s -> %s expired: %s", e->spi,
			    ctp_addr_str(&e->src, s, sizeof(s)),
			    ctp_addr_str(&e->dst, d, sizeof(d)), why);
			log_warnx("peer %s: IPsec degraded: %s",
			    peer_name(x->p), x->degraded);
		}
	}
}

int
xfrm_peer_start(struct event_base *base, const struct ctp_conf *conf,
    struct peer *p, char *why, size_t whylen)
{
	const struct ctp_conf_peer	*pc = peer_conf(p);
	struct xpeer			*x, **nv;
	char				 warn[192];

	if (pc->security != CTP_CONF_SEC_IPSEC)
		return 0;
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	x->p = p;
	x->n = xfrm_peer_flows(conf, pc, x->fl, sizeof(x->fl) /
	    sizeof(x->fl[0]));
	if (x->n == 0) {
		/* Loopback only: nothing leaves the host (tests). */
		log_verbose("peer %s: loopback addresses only, IPsec not "
		    "checked", pc->name);
		free(x);
		return 0;
	}
	if (xfrm_check(x->fl, x->n, why, whylen, warn, sizeof(warn)) == -1) {
		free(x);
		return -1;
	}
	if (warn[0] != '\0')
		log_warnx("peer %s: %s", pc->name, warn);
	log_verbose("peer %s: ESP policies and SAs cover %zu address "
	    "pair(s)", pc->name, x->n);
	if (xp.w == NULL &&
	    (xp.w = xfrm_watch_new(base, peer_event, NULL)) == NULL)
		log_warn("peer %s: cannot follow XFRM expire events",
		    pc->name);
	if ((nv = reallocarray(xp.v, xp.n + 1, sizeof(*nv))) == NULL) {
		free(x);
		return 0;
	}
	xp.v = nv;
	xp.v[xp.n++] = x;
	return 0;
}

void
xfrm_peer_forget(const struct peer *p)
{
	size_t	 i;

	for (i = 0; i < xp.n; i++)
		if (xp.v[i]->p == p) {
			free(xp.v[i]);
			xp.v[i] = xp.v[--xp.n];
			break;
		}
	if (xp.n == 0) {
		xfrm_watch_free(xp.w);
		xp.w = NULL;
		free(xp.v);
		xp.v = NULL;
	}
}

json_t *
xfrm_peer_json(const struct peer *p)
{
	char	 s[400];
	size_t	 i;

	for (i = 0; i < xp.n; i++)
		if (xp.v[i]->p == p) {
			if (xp.v[i]->degraded[0] == '\0')
				return json_string("ok");
			snprintf(s, sizeof(s), "degraded: %s",
			    xp.v[i]->degraded);
			return json_string(s);
		}
	return json_null();
}
