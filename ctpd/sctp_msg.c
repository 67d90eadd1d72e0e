/* SPDX-License-Identifier: ISC */
/*
 * Message I/O of mode B channels (spec §8.2, §8.3; FIELD-LESSONS E): CXTP
 * with no TLS on a one-to-one SCTP association that OS IPsec protects.  One
 * CXTP message is one SCTP user message: the reader reassembles up to
 * MSG_EOR in a buffer of the largest accepted size, the writer sends with
 * sctp_sendv and queues in user space what the socket cannot take yet.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "sctp_msg.h"

/* A queued message: this header, then len octets. */
struct qhdr {
	uint64_t	 since_ms;	/* queued at (monotonic) */
	uint32_t	 len;
	uint32_t	 ttl_ms;
	uint32_t	 reliable;
};

struct sctp_msg {
	int			 fd;
	size_t			 max;
	size_t			 maxq;		/* user-space queue bound */
	uint32_t		 ppid;
	struct sctp_msg_cbs	 cbs;
	void			*arg;
	struct event		*rev, *wev;
	struct evbuffer		*out;
	uint8_t			*rbuf;		/* max + 1 octets */
	size_t			 have;		/* of a message in rbuf */
	bool			 in_notif;	/* inside a notification */
	unsigned		 busy;		/* inside a callback */
	bool			 dead;		/* freed while busy */
	bool			 closed;	/* closed callback ran */
	char			 err[160];	/* send failure, to report */
	struct {
		uint64_t	 in, out, unordered, reliable, queued;
		uint64_t	 oversize, garbage, notifications;
		uint64_t	 expired;	/* lifetime over in the queue */
	}			 c;
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
really_free(struct sctp_msg *m)
{
	if (m->rev != NULL)
		event_free(m->rev);
	if (m->wev != NULL)
		event_free(m->wev);
	if (m->out != NULL)
		evbuffer_free(m->out);
	if (m->fd != -1)
		close(m->fd);
	free(m->rbuf);
	free(m);
}

/* Report the end of the channel once; the owner frees it. */
static void
fail(struct sctp_msg *m, bool reset, const char *reason)
{
	if (m->closed || m->dead)
		return;
	m->closed = true;
	event_del(m->rev);
	event_del(m->wev);
	if (m->cbs.closed != NULL)
		m->cbs.closed(reset, reason, m->arg);
}

/*
 * A complete message of m->have octets: its Length field must say so, or
 * the peer does not speak CXTP one message per SCTP message (§8.2).
 */
static bool
complete(struct sctp_msg *m)
{
	size_t	 len = m->have, hlen;
	char	 why[128];

	m->have = 0;
	hlen = len >= CTP_HDR_LEN ? (size_t)m->rbuf[2] << 8 | m->rbuf[3] : 0;
	if (len < CTP_HDR_LEN || hlen != len) {
		m->c.garbage++;
		snprintf(why, sizeof(why), "channel reset: an SCTP message of "
		    "%zu octets is not one CXTP message (Length %zu)", len,
		    hlen);
		fail(m, true, why);
		return false;
	}
	m->c.in++;
	if (m->cbs.message != NULL)
		m->cbs.message(m->rbuf, len, m->arg);
	return !m->dead && !m->closed;
}

static void
read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sctp_msg	*m = arg;
	struct msghdr	 mh;
	struct iovec	 iov;
	ssize_t		 n;
	unsigned	 reads = 0;
	char		 why[160];

	(void)what;
	m->busy++;
	while (!m->dead && !m->closed && reads < 4 * SCTP_MSG_READ_BURST) {
		reads++;
		/* One octet of room past max tells an oversize message. */
		iov.iov_base = m->rbuf + m->have;
		iov.iov_len = m->max + 1 - m->have;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			snprintf(why, sizeof(why), "association lost: %s",
			    strerror(errno));
			fail(m, false, why);
			break;
		}
		if (n == 0) {
			fail(m, false, "association closed by the peer");
			break;
		}
		/* None is subscribed (sctp.c); skip any, never deliver it. */
		if ((mh.msg_flags & MSG_NOTIFICATION) || m->in_notif) {
			m->in_notif = !(mh.msg_flags & MSG_EOR);
			if (!m->in_notif)
				m->c.notifications++;
			continue;
		}
		m->have += (size_t)n;
		if (m->have > m->max) {
			m->c.oversize++;
			snprintf(why, sizeof(why), "channel reset: a message "
			    "longer than %zu octets (limits.max-message)",
			    m->max);
			fail(m, true, why);
			break;
		}
		if (!(mh.msg_flags & MSG_EOR))
			continue;
		if (!complete(m) || m->c.in % SCTP_MSG_READ_BURST == 0)
			break;
	}
	if (--m->busy == 0 && m->dead)
		really_free(m);
}

/* 0 sent, 1 the socket is full, -1 failed (reason in m->err). */
static int
send_one(struct sctp_msg *m, const uint8_t *buf, size_t len, bool reliable,
    uint32_t ttl_ms)
{
	struct sctp_sendv_spa	 spa;
	struct iovec		 iov;

	memset(&spa, 0, sizeof(spa));
	spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
	spa.sendv_sndinfo.snd_sid = 0;
	spa.sendv_sndinfo.snd_ppid = htonl(m->ppid);
	if (!reliable) {
		/* May expire: unordered, abandoned after ttl (§8.3). */
		spa.sendv_sndinfo.snd_flags = SCTP_UNORDERED;
		spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
		spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
		spa.sendv_prinfo.pr_value = ttl_ms;
	}
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	for (;;) {
		if (sctp_sendv(m->fd, &iov, 1, NULL, 0, &spa, sizeof(spa),
		    SCTP_SENDV_SPA, MSG_DONTWAIT | MSG_NOSIGNAL) != -1)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		snprintf(m->err, sizeof(m->err), "association lost: send: %s",
		    strerror(errno));
		return -1;
	}
	m->c.out++;
	if (reliable)
		m->c.reliable++;
	else
		m->c.unordered++;
	return 0;
}

/* Write what is queued, in order, until the socket is full. */
static void
write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sctp_msg	*m = arg;
	struct qhdr	 h;
	const uint8_t	*p;
	uint64_t	 waited;
	int		 r;

	(void)fd;
	(void)what;
	m->busy++;
	while (m->err[0] == '\0' &&
	    evbuffer_copyout(m->out, &h, sizeof(h)) == (ev_ssize_t)sizeof(h)) {
		/* The lifetime runs from sctp_msg_send, queue included. */
		waited = now_ms() - h.since_ms;
		if (!h.reliable && waited >= h.ttl_ms) {
			m->c.expired++;
			evbuffer_drain(m->out, sizeof(h) + h.len);
			continue;
		}
		if ((p = evbuffer_pullup(m->out, (ev_ssize_t)(sizeof(h) +
		    h.len))) == NULL) {
			snprintf(m->err, sizeof(m->err), "out of memory");
			break;
		}
		if ((r = send_one(m, p + sizeof(h), h.len, h.reliable != 0,
		    h.reliable ? 0 : h.ttl_ms - (uint32_t)waited)) == 1) {
			event_add(m->wev, NULL);
			break;
		}
		if (r == 0)
			evbuffer_drain(m->out, sizeof(h) + h.len);
	}
	if (m->err[0] != '\0')
		fail(m, false, m->err);
	if (--m->busy == 0 && m->dead)
		really_free(m);
}

struct sctp_msg *
sctp_msg_new(struct event_base *base, int fd, size_t max, size_t maxq,
    uint32_t ppid, const struct sctp_msg_cbs *cbs, void *arg)
{
	struct sctp_msg	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->fd = -1;
	m->max = max;
	m->maxq = maxq;
	m->ppid = ppid;
	m->cbs = *cbs;
	m->arg = arg;
	m->rbuf = malloc(max + 1);
	m->out = evbuffer_new();
	m->rev = event_new(base, fd, EV_READ | EV_PERSIST, read_cb, m);
	m->wev = event_new(base, fd, EV_WRITE, write_cb, m);
	if (m->rbuf == NULL || m->out == NULL || m->rev == NULL ||
	    m->wev == NULL || event_add(m->rev, NULL) == -1) {
		really_free(m);
		return NULL;
	}
	m->fd = fd;
	return m;
}

void
sctp_msg_free(struct sctp_msg *m)
{
	if (m == NULL || m->dead)
		return;
	m->dead = true;
	event_del(m->rev);
	event_del(m->wev);
	if (m->busy == 0)
		really_free(m);
}

int
sctp_msg_fd(const struct sctp_msg *m)
{
	return m->fd;
}

int
sctp_msg_send(struct sctp_msg *m, const uint8_t *buf, size_t len,
    bool reliable, uint32_t ttl_ms)
{
	struct qhdr	 h;
	size_t		 queued = evbuffer_get_length(m->out);
	int		 r = 1;

	if (len == 0 || len > 65535) {
		errno = EMSGSIZE;
		return -1;
	}
	if (m->dead || m->closed || m->err[0] != '\0') {
		errno = ENOTCONN;
		return -1;
	}
	/* Behind a queue the message waits its turn (order of sending). */
	if (queued == 0 && (r = send_one(m, buf, len, reliable, ttl_ms)) == 0)
		return 0;
	if (r == -1) {
		/* Reported from the loop: the caller may be mid-iteration. */
		event_active(m->wev, EV_WRITE, 0);
		errno = EPIPE;
		return -1;
	}
	if (queued + sizeof(h) + len > m->maxq) {
		errno = ENOBUFS;
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.since_ms = now_ms();
	h.len = (uint32_t)len;
	h.ttl_ms = ttl_ms;
	h.reliable = reliable;
	if (evbuffer_add(m->out, &h, sizeof(h)) == -1 ||
	    evbuffer_add(m->out, buf, len) == -1) {
		errno = ENOMEM;
		return -1;
	}
	m->c.queued++;
	event_add(m->wev, NULL);
	return 0;
}

size_t
sctp_msg_queued(const struct sctp_msg *m)
{
	return evbuffer_get_length(m->out);
}

/* -1, 0, 1 as a sorts before, with, after b: IPv4 first. */
static int
addr_cmp(const struct ctp_addr *a, const struct ctp_addr *b)
{
	struct ctp_addr	 x, y;

	ctp_addr_norm(a, &x);
	ctp_addr_norm(b, &y);
	if (x.len != y.len)
		return x.len < y.len ? -1 : 1;
	return memcmp(x.b, y.b, x.len);
}

static const struct ctp_addr *
addrs_lowest(const struct ctp_conf_addrs *l)
{
	const struct ctp_addr	*lo = NULL;
	size_t			 i;

	for (i = 0; i < l->n; i++)
		if (lo == NULL || addr_cmp(&l->v[i], lo) < 0)
			lo = &l->v[i];
	return lo;
}

bool
sctp_msg_initiator(const struct ctp_conf *c, const struct ctp_conf_peer *p)
{
	const struct ctp_addr	*ours = addrs_lowest(&c->router.addresses);
	const struct ctp_addr	*theirs = addrs_lowest(&p->addresses);

	return ours != NULL && theirs != NULL && addr_cmp(ours, theirs) < 0;
}

bool
sctp_msg_reliable(const struct ctp_msg *m)
{
	size_t	 i;

	if (m->hdr.type != CTP_MSG_CTD && m->hdr.type != CTP_MSG_PCTD)
		return false;
	for (i = 0; i < m->ncdbs; i++)
		if (m->cdbs[i].r)
			return true;
	return false;
}

int
sctp_msg_pr_check(int fd, char *why, size_t len)
{
#ifdef SCTP_PR_SUPPORTED
	struct sctp_assoc_value	 av;
	socklen_t		 l = sizeof(av);

	/* On a live one-to-one association: what the peer negotiated. */
	memset(&av, 0, sizeof(av));
	if (getsockopt(fd, SOL_SCTP, SCTP_PR_SUPPORTED, &av, &l) == -1) {
		snprintf(why, len, "getsockopt SCTP_PR_SUPPORTED: %s",
		    strerror(errno));
		return -1;
	}
	if (av.assoc_value != 0)
		return 0;
	snprintf(why, len, "PR-SCTP not negotiated on the association: set "
	    "net.sctp.prsctp_enable=1 at both ends (mode B sends messages "
	    "that may expire with a PR-SCTP lifetime)");
#else
	(void)fd;
	snprintf(why, len, "this build has no SCTP_PR_SUPPORTED; mode B needs "
	    "PR-SCTP (net.sctp.prsctp_enable)");
#endif
	return -1;
}

json_t *
sctp_msg_json(const struct sctp_msg *m)
{
	json_t			*o;
#ifdef SCTP_PR_SUPPORTED
	struct sctp_assoc_value	 av;
	socklen_t		 al = sizeof(av);
#endif
#ifdef SCTP_PR_ASSOC_STATUS
	struct sctp_prstatus	 ps;
	socklen_t		 l = sizeof(ps);
#endif

	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "msgs_in", (json_int_t)m->c.in,
	    "msgs_out", (json_int_t)m->c.out,
	    "unordered_ttl", (json_int_t)m->c.unordered,
	    "reliable", (json_int_t)m->c.reliable,
	    "queued", (json_int_t)m->c.queued,
	    "expired_in_queue", (json_int_t)m->c.expired,
	    "queued_octets", (json_int_t)evbuffer_get_length(m->out),
	    "oversize", (json_int_t)m->c.oversize,
	    "garbage", (json_int_t)m->c.garbage,
	    "notifications_skipped", (json_int_t)m->c.notifications);
	if (o == NULL)
		return json_null();
#ifdef SCTP_PR_SUPPORTED
	memset(&av, 0, sizeof(av));
	if (getsockopt(m->fd, SOL_SCTP, SCTP_PR_SUPPORTED, &av, &al) == 0)
		json_object_set_new(o, "pr_sctp",
		    json_boolean(av.assoc_value != 0));
#endif
#ifdef SCTP_PR_ASSOC_STATUS
	memset(&ps, 0, sizeof(ps));
	ps.sprstat_policy = SCTP_PR_SCTP_TTL;
	if (getsockopt(m->fd, SOL_SCTP, SCTP_PR_ASSOC_STATUS, &ps, &l) == 0) {
		json_object_set_new(o, "abandoned_unsent",
		    json_integer((json_int_t)ps.sprstat_abandoned_unsent));
		json_object_set_new(o, "abandoned_sent",
		    json_integer((json_int_t)ps.sprstat_abandoned_sent));
	} else
#endif
	{
		json_object_set_new(o, "abandoned_unsent", json_null());
		json_object_set_new(o, "abandoned_sent", json_null());
	}
	return o;
}
