/* SPDX-License-Identifier: ISC */
/*
 * Configured router addresses followed through rtnetlink (issue 5 §3,
 * spec §9.6, FIELD-LESSONS C3): RTM_NEWADDR/RTM_DELADDR from the IPv4 and
 * IPv6 interface-address groups, read without blocking from the event
 * loop.  A tentative or DAD-failed IPv6 address is not usable yet: the
 * NEWADDR without the flag makes it so.  Only configured addresses matter;
 * a message that does not parse is counted and skipped.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "rtnl.h"

#ifndef IFA_FLAGS
#define IFA_FLAGS		8
#endif
#ifndef IFA_F_DADFAILED
#define IFA_F_DADFAILED		0x08
#endif

/* Interfaces one configured address is followed on. */
#define RTNL_MAX_IF		8
/* Messages handled per wakeup before yielding to the loop (STYLE §8). */
#define RTNL_MAX_READS		16
/* Bound on the start-up read of the address list. */
#define RTNL_DUMP_MS		2000

struct rtnl_if {
	int			 ifindex;
	bool			 usable;	/* neither tentative nor failed */
	bool			 dadfailed;
	bool			 seen;		/* in the current re-read */
};

struct rtnl_addr {
	struct ctp_addr		 a;		/* normalised */
	struct rtnl_if		 on[RTNL_MAX_IF];
	size_t			 non;
	bool			 usable;	/* on some interface */
	bool			 waiting;	/* tentative was logged */
};

struct rtnl {
	struct event		*ev;
	int			 fd;
	rtnl_cb			 cb;
	void			*arg;
	struct rtnl_addr	*v;
	size_t			 n;
	uint32_t		 seq;		/* of the dump in progress */
	bool			 dumping;
	bool			 redump;	/* another one after it */
	bool			 initial;	/* no callbacks: start-up state */
	uint64_t		 msgs, changes, bad, overruns, dumps;
	uint8_t			 buf[32768];	/* a dump datagram fits */
};

static int	 dump_start(struct rtnl *);

static struct rtnl_addr *
addr_find(const struct rtnl *r, const struct ctp_addr *a)
{
	struct ctp_addr	 x;
	size_t		 i;

	ctp_addr_norm(a, &x);
	for (i = 0; i < r->n; i++)
		if (r->v[i].a.len == x.len &&
		    memcmp(r->v[i].a.b, x.b, x.len) == 0)
			return &r->v[i];
	return NULL;
}

/* Recompute whether ra is usable; tell the callback when that changed. */
static void
addr_update(struct rtnl *r, struct rtnl_addr *ra)
{
	char	 s[INET6_ADDRSTRLEN];
	bool	 u = false, tentative = false, failed = false;
	size_t	 i;

	for (i = 0; i < ra->non; i++) {
		if (ra->on[i].usable)
			u = true;
		else if (ra->on[i].dadfailed)
			failed = true;
		else
			tentative = true;
	}
	if (!u && failed)
		log_warnx("router address %s failed duplicate address "
		    "detection: not used", ctp_addr_str(&ra->a, s, sizeof(s)));
	else if (!u && tentative && !ra->waiting) {
		ra->waiting = true;
		log_info("router address %s is tentative (duplicate address "
		    "detection): waiting until it is usable",
		    ctp_addr_str(&ra->a, s, sizeof(s)));
	}
	if (u || !tentative)
		ra->waiting = false;
	if (u == ra->usable)
		return;
	ra->usable = u;
	log_debug("router address %s %s", ctp_addr_str(&ra->a, s, sizeof(s)),
	    u ? "usable" : "gone");
	if (r->initial || r->cb == NULL)
		return;
	r->changes++;
	r->cb(&ra->a, u, r->arg);
}

static void
addr_set(struct rtnl *r, struct rtnl_addr *ra, int ifindex, bool add,
    uint32_t flags)
{
	size_t	 i;

	for (i = 0; i < ra->non; i++)
		if (ra->on[i].ifindex == ifindex)
			break;
	if (!add) {
		if (i < ra->non)
			ra->on[i] = ra->on[--ra->non];
	} else {
		if (i == ra->non) {
			if (ra->non == RTNL_MAX_IF) {
				r->bad++;
				return;
			}
			ra->non++;
		}
		ra->on[i].ifindex = ifindex;
		ra->on[i].usable = (flags & (IFA_F_TENTATIVE |
		    IFA_F_DADFAILED)) == 0;
		ra->on[i].dadfailed = (flags & IFA_F_DADFAILED) != 0;
		ra->on[i].seen = true;
	}
	addr_update(r, ra);
}

/* One RTM_NEWADDR or RTM_DELADDR; -1 if it does not parse. */
static int
parse_addr(struct rtnl *r, const struct nlmsghdr *nh)
{
	const struct ifaddrmsg	*ifa;
	const struct rtattr	*rta;
	const void		*local = NULL, *address = NULL;
	struct rtnl_addr	*ra;
	struct ctp_addr		 a;
	uint32_t		 flags;
	size_t			 alen;
	int			 len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return -1;
	ifa = NLMSG_DATA(nh);
	if (ifa->ifa_family == AF_INET)
		alen = 4;
	else if (ifa->ifa_family == AF_INET6)
		alen = 16;
	else
		return 0;		/* another family: not ours */
	flags = ifa->ifa_flags;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case IFA_LOCAL:
		case IFA_ADDRESS:
			if (RTA_PAYLOAD(rta) != alen)
				return -1;
			if (rta->rta_type == IFA_LOCAL)
				local = RTA_DATA(rta);
			else
				address = RTA_DATA(rta);
			break;
		case IFA_FLAGS:
			/* The 32-bit flags; ifa_flags has the low 8. */
			if (RTA_PAYLOAD(rta) != sizeof(uint32_t))
				return -1;
			memcpy(&flags, RTA_DATA(rta), sizeof(flags));
			break;
		default:
			break;
		}
	}
	if (len != 0)
		return -1;		/* a truncated attribute */
	/* IFA_LOCAL is ours where IFA_ADDRESS is the far end (p-t-p). */
	if (local == NULL)
		local = address;
	if (local == NULL)
		return -1;
	memset(&a, 0, sizeof(a));
	a.len = (uint8_t)alen;
	memcpy(a.b, local, alen);
	if ((ra = addr_find(r, &a)) == NULL)
		return 0;		/* not a router address */
	addr_set(r, ra, (int)ifa->ifa_index, nh->nlmsg_type == RTM_NEWADDR,
	    flags);
	return 0;
}

static int
dump_request(struct rtnl *r)
{
	struct {
		struct nlmsghdr		 nh;
		struct ifaddrmsg	 ifa;
	} req;
	struct sockaddr_nl	 sa;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = RTM_GETADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++r->seq;
	req.ifa.ifa_family = AF_UNSPEC;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(r->fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		log_warn("rtnetlink: cannot ask for the address list");
		return -1;
	}
	r->dumping = true;
	r->dumps++;
	return 0;
}

/* The end of a dump: addresses it did not list are gone. */
static void
dump_done(struct rtnl *r)
{
	struct rtnl_addr	*ra;
	size_t			 i, j;

	r->dumping = false;
	for (i = 0; i < r->n; i++) {
		ra = &r->v[i];
		for (j = 0; j < ra->non; )
			if (!ra->on[j].seen)
				ra->on[j] = ra->on[--ra->non];
			else
				j++;
		addr_update(r, ra);
	}
	if (r->redump) {
		r->redump = false;
		(void)dump_start(r);
	}
}

static int
dump_start(struct rtnl *r)
{
	size_t	 i, j;

	if (r->dumping) {
		r->redump = true;
		return 0;
	}
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->v[i].non; j++)
			r->v[i].on[j].seen = false;
	return dump_request(r);
}

/* The messages of one datagram of n bytes. */
static void
handle(struct rtnl *r, size_t n)
{
	const struct nlmsghdr	*nh;
	const struct nlmsgerr	*e;
	int			 len = (int)n;

	for (nh = (const struct nlmsghdr *)(void *)r->buf; NLMSG_OK(nh, len);
	    nh = NLMSG_NEXT(nh, len)) {
		r->msgs++;
		switch (nh->nlmsg_type) {
		case RTM_NEWADDR:
		case RTM_DELADDR:
			if (parse_addr(r, nh) == -1)
				r->bad++;
			break;
		case NLMSG_DONE:
			if (r->dumping && nh->nlmsg_seq == r->seq)
				dump_done(r);
			break;
		case NLMSG_ERROR:
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				r->bad++;
				break;
			}
			e = NLMSG_DATA(nh);
			if (e->error == 0)
				break;
			log_warnx("rtnetlink: request %u refused: %s",
			    nh->nlmsg_seq, strerror(-e->error));
			if (r->dumping && nh->nlmsg_seq == r->seq) {
				/* EBUSY: a dump still runs; try again. */
				r->dumping = false;
				r->redump = true;
			}
			break;
		case NLMSG_NOOP:
			break;
		default:
			r->bad++;
			break;
		}
	}
	if (len != 0)
		r->bad++;		/* trailing bytes of a cut message */
}

/* Read one datagram; 1 if one was handled, 0 if none is waiting, -1. */
static int
read_one(struct rtnl *r)
{
	struct sockaddr_nl	 sa;
	struct iovec		 iov;
	struct msghdr		 mh;
	ssize_t			 n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = r->buf;
	iov.iov_len = sizeof(r->buf);
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof(sa);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if ((n = recvmsg(r->fd, &mh, MSG_DONTWAIT)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (errno == ENOBUFS) {
			/* Events were lost: read the whole list again. */
			r->overruns++;
			log_warnx("rtnetlink: events lost (receive buffer "
			    "full); reading the address list again");
			(void)dump_start(r);
			return 1;
		}
		log_warn("rtnetlink: recvmsg");
		return -1;
	}
	/* Only the kernel speaks for the addresses (port id 0). */
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0 ||
	    (mh.msg_flags & MSG_TRUNC)) {
		r->bad++;
		return 1;
	}
	handle(r, (size_t)n);
	return 1;
}

static void
rtnl_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rtnl	*r = arg;
	int		 i;

	(void)fd;
	(void)what;
	for (i = 0; i < RTNL_MAX_READS; i++)
		if (read_one(r) <= 0)
			break;
	if (r->redump && !r->dumping) {
		r->redump = false;
		(void)dump_start(r);
	}
}

/* The address list at start, read before the loop runs. */
static int
initial_dump(struct rtnl *r)
{
	struct pollfd	 pfd;
	int		 waited = 0;

	r->initial = true;
	if (dump_start(r) == -1)
		return -1;
	while (r->dumping && waited < RTNL_DUMP_MS) {
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		if (read_one(r) == -1)
			return -1;
		if (r->redump && !r->dumping) {
			r->redump = false;
			if (dump_start(r) == -1)
				return -1;
		}
	}
	r->initial = false;
	if (r->dumping) {
		log_warnx("rtnetlink: no address list within %d ms",
		    RTNL_DUMP_MS);
		return -1;
	}
	return 0;
}

struct rtnl *
rtnl_new(struct event_base *base, const struct ctp_conf_addrs *l, rtnl_cb cb,
    void *arg)
{
	struct sockaddr_nl	 sa;
	struct rtnl		*r;
	size_t			 i;
	int			 rcvbuf = 256 * 1024;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->v = calloc(l->n ? l->n : 1, sizeof(*r->v))) == NULL) {
		log_warnx("rtnetlink: out of memory");
		free(r);
		return NULL;
	}
	r->fd = -1;
	r->cb = cb;
	r->arg = arg;
	for (i = 0; i < l->n; i++) {
		ctp_addr_norm(&l->v[i], &r->v[r->n].a);
		if (addr_find(r, &r->v[r->n].a) == NULL)
			r->n++;		/* listed once */
	}
	if ((r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, NETLINK_ROUTE)) == -1) {
		log_warn("rtnetlink: socket");
		goto fail;
	}
	(void)setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_warn("rtnetlink: bind to the address groups");
		goto fail;
	}
	if (initial_dump(r) == -1)
		goto fail;
	if ((r->ev = event_new(base, r->fd, EV_READ | EV_PERSIST,
	    rtnl_read_cb, r)) == NULL || event_add(r->ev, NULL) == -1) {
		log_warnx("rtnetlink: cannot watch the socket");
		goto fail;
	}
	return r;
 fail:
	rtnl_free(r);
	return NULL;
}

void
rtnl_free(struct rtnl *r)
{
	if (r == NULL)
		return;
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->fd != -1)
		close(r->fd);
	free(r->v);
	free(r);
}

bool
rtnl_usable(const struct rtnl *r, const struct ctp_addr *a)
{
	const struct rtnl_addr	*ra = addr_find(r, a);

	return ra != NULL && ra->usable;
}

size_t
rtnl_usable_list(const struct rtnl *r, struct ctp_addr *v, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; i < r->n && n < max; i++)
		if (r->v[i].usable)
			v[n++] = r->v[i].a;
	return n;
}

void
rtnl_input(struct rtnl *r, const void *buf, size_t len)
{
	if (len > sizeof(r->buf)) {
		r->bad++;
		return;
	}
	memcpy(r->buf, buf, len);
	handle(r, len);
}

json_t *
rtnl_json(const struct rtnl *r)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "messages", (json_int_t)r->msgs,
	    "changes", (json_int_t)r->changes,
	    "bad_messages", (json_int_t)r->bad,
	    "overruns", (json_int_t)r->overruns,
	    "address_list_reads", (json_int_t)r->dumps);
}
