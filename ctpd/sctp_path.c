/* SPDX-License-Identifier: ISC */
/*
 * Path monitor of an SCTP channel (see sctp_path.h).  The TLS socket has no
 * notification subscribed (C12), so the monitor reads SCTP_STATUS and each
 * path's SCTP_GET_PEER_ADDR_INFO on a timer.  Linux keeps no preferred
 * primary: a peer's SET-PRIMARY, a primary switchover or the INIT's source
 * on the accepting side leave it elsewhere, so it is set back with
 * SCTP_PRIMARY_ADDR whenever the configured path is ACTIVE.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sctp.h"
#include "sctp_path.h"

#define PERIOD_MIN_MS	50
#define PERIOD_MAX_MS	1000

/* spinfo_state (SCTP_INACTIVE..SCTP_UNCONFIRMED), then ours. */
enum path_state {
	PS_INACTIVE,
	PS_PF,
	PS_ACTIVE,
	PS_UNCONFIRMED,
	PS_UNKNOWN,		/* SCTP_GET_PEER_ADDR_INFO failed */
	PS_NONE,		/* not (or no longer) a path */
};
static const char *const path_state_names[] = {
	"INACTIVE", "PF", "ACTIVE", "UNCONFIRMED", "UNKNOWN", "NONE", NULL
};

struct path {
	struct ctp_addr		 addr;		/* normalised */
	struct sockaddr_storage	 sa;		/* as the kernel gave it */
	socklen_t		 salen;
	enum path_state		 state;
	uint64_t		 since_ms;	/* last change (or first seen) */
	uint64_t		 changes;
};

struct sctp_path {
	const struct ctp_conf_peer *conf;
	struct event		*timer;
	uint32_t		 period_ms;
	int			 fd;		/* -1: stopped */
	struct ctp_addr		 want;		/* configured primary */
	struct ctp_addr		 primary;	/* last seen in SCTP_STATUS */
	bool			 primary_seen;
	struct path		 v[CTP_CONF_MAX_ADDRS];
	size_t			 n;
	struct sctp_path_counters c;
	struct log_limit	 ll;
};

/* ---------------------------------------------------------------- helpers */

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct path *
path_find(struct sctp_path *m, const struct ctp_addr *a)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		if (ctp_addr_eq(&m->v[i].addr, a))
			return &m->v[i];
	return NULL;
}

static void
path_change(struct sctp_path *m, struct path *pa, enum path_state st,
    uint64_t now)
{
	char	 s[INET6_ADDRSTRLEN];

	m->c.path_changes++;
	pa->changes++;
	log_limited(&m->ll, now, LOGL_INFO, "peer %s: sctp: path %s %s -> %s",
	    m->conf->name, ctp_addr_str(&pa->addr, s, sizeof(s)),
	    path_state_names[pa->state], path_state_names[st]);
	pa->state = st;
	pa->since_ms = now;
}

/* ---------------------------------------------------------------- polling */

/* One observation: the paths and their states; false if none was read. */
static bool
poll_paths(struct sctp_path *m, uint64_t now, bool first)
{
	struct sctp_paddrinfo	 pi;
	struct sockaddr		*all = NULL, *sa;
	struct ctp_addr		 a;
	struct path		*pa;
	bool			 seen[CTP_CONF_MAX_ADDRS] = { false };
	socklen_t		 l, sl;
	enum path_state		 st;
	size_t			 off = 0, i;
	int			 k, cnt;

	if ((cnt = sctp_getpaddrs(m->fd, 0, &all)) <= 0)
		return false;
	for (k = 0; k < cnt; k++) {
		sa = (struct sockaddr *)(void *)((uint8_t *)all + off);
		if ((sl = (socklen_t)transport_sctp_sa_len(sa)) == 0)
			break;
		off += sl;
		if (transport_sctp_sa_addr(sa, &a) == -1)
			continue;
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.spinfo_address, sa, sl);
		l = sizeof(pi);
		if (sctp_opt_info(m->fd, 0, SCTP_GET_PEER_ADDR_INFO, &pi,
		    &l) == -1 || pi.spinfo_state < 0 ||
		    pi.spinfo_state > SCTP_UNCONFIRMED)
			st = PS_UNKNOWN;
		else
			st = (enum path_state)pi.spinfo_state;
		if ((pa = path_find(m, &a)) == NULL) {
			if (m->n == CTP_CONF_MAX_ADDRS)
				continue;
			pa = &m->v[m->n++];
			memset(pa, 0, sizeof(*pa));
			pa->addr = a;
			pa->state = first ? st : PS_NONE;
			pa->since_ms = now;
		}
		memcpy(&pa->sa, sa, sl);
		pa->salen = sl;
		seen[pa - m->v] = true;
		if (pa->state != st)
			path_change(m, pa, st, now);
	}
	sctp_freepaddrs(all);
	/* A path removed (ASCONF DEL-IP) is a change too; its row stays. */
	for (i = 0; i < m->n; i++)
		if (!seen[i] && m->v[i].state != PS_NONE)
			path_change(m, &m->v[i], PS_NONE, now);
	return true;
}

/* Set the primary back to the configured path if that one is ACTIVE. */
static void
pin_primary(struct sctp_path *m, uint64_t now)
{
	struct sctp_prim	 sp;
	struct path		*pa;
	char			 s1[INET6_ADDRSTRLEN], s2[INET6_ADDRSTRLEN];

	if (ctp_addr_eq(&m->primary, &m->want) ||
	    (pa = path_find(m, &m->want)) == NULL || pa->state != PS_ACTIVE)
		return;
	memset(&sp, 0, sizeof(sp));
	memcpy(&sp.ssp_addr, &pa->sa, pa->salen);
	if (setsockopt(m->fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &sp,
	    sizeof(sp)) == -1) {
		log_limited(&m->ll, now, LOGL_WARN, "peer %s: sctp: cannot "
		    "set the primary back to %s: %s", m->conf->name,
		    ctp_addr_str(&m->want, s1, sizeof(s1)), strerror(errno));
		return;
	}
	m->c.primary_restored++;
	log_limited(&m->ll, now, LOGL_INFO, "peer %s: sctp: primary set back "
	    "to %s (was %s)", m->conf->name,
	    ctp_addr_str(&m->want, s1, sizeof(s1)), m->primary_seen ?
	    ctp_addr_str(&m->primary, s2, sizeof(s2)) : "none");
	m->primary = m->want;
	m->primary_seen = true;
}

static void
poll_status(struct sctp_path *m, uint64_t now, bool first)
{
	struct sctp_status	 st;
	struct ctp_addr		 pr;
	socklen_t		 l = sizeof(st);
	char			 s1[INET6_ADDRSTRLEN], s2[INET6_ADDRSTRLEN];

	if (!poll_paths(m, now, first))
		return;
	memset(&st, 0, sizeof(st));
	if (sctp_opt_info(m->fd, 0, SCTP_STATUS, &st, &l) == -1 ||
	    transport_sctp_sa_addr(
	    (struct sockaddr *)&st.sstat_primary.spinfo_address, &pr) == -1)
		return;
	if (m->primary_seen && !ctp_addr_eq(&pr, &m->primary)) {
		m->c.primary_changes++;
		log_limited(&m->ll, now, LOGL_INFO, "peer %s: sctp: primary "
		    "moved from %s to %s", m->conf->name,
		    ctp_addr_str(&m->primary, s1, sizeof(s1)),
		    ctp_addr_str(&pr, s2, sizeof(s2)));
	}
	m->primary = pr;
	m->primary_seen = true;
	pin_primary(m, now);
}

static void
schedule(struct sctp_path *m)
{
	struct timeval	 tv;

	tv.tv_sec = m->period_ms / 1000;
	tv.tv_usec = (m->period_ms % 1000) * 1000;
	evtimer_add(m->timer, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sctp_path	*m = arg;

	(void)fd, (void)what;
	if (m->fd == -1)
		return;
	poll_status(m, now_ms(), false);
	schedule(m);
}

/* ---------------------------------------------------------------- API */

uint32_t
sctp_path_period_ms(uint32_t hb_interval_ms)
{
	uint32_t	 p = hb_interval_ms / 4;

	if (p < PERIOD_MIN_MS)
		return PERIOD_MIN_MS;
	if (p > PERIOD_MAX_MS)
		return PERIOD_MAX_MS;
	return p;
}

void
sctp_path_configured(const struct ctp_conf_peer *p, struct ctp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (p->sctp.primary.len != 0)
		ctp_addr_norm(&p->sctp.primary, out);
	else if (p->addresses.n > 0)
		ctp_addr_norm(&p->addresses.v[0], out);
}

struct sctp_path *
sctp_path_new(struct event_base *base, const struct ctp_conf_peer *p)
{
	struct sctp_path	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->timer = evtimer_new(base, tick_cb, m)) == NULL) {
		free(m);
		return NULL;
	}
	m->conf = p;
	m->fd = -1;
	m->period_ms = sctp_path_period_ms(p->sctp.hb_interval_ms);
	sctp_path_configured(p, &m->want);
	log_limit_init(&m->ll, 10, 2000);
	return m;
}

void
sctp_path_free(struct sctp_path *m)
{
	if (m == NULL)
		return;
	event_free(m->timer);
	free(m);
}

void
sctp_path_start(struct sctp_path *m, int fd)
{
	if (m == NULL)
		return;
	sctp_path_stop(m);
	m->fd = fd;
	/* The first look is the baseline: no change counted. */
	poll_status(m, now_ms(), true);
	schedule(m);
}

void
sctp_path_stop(struct sctp_path *m)
{
	if (m == NULL)
		return;
	evtimer_del(m->timer);
	m->fd = -1;
	m->n = 0;
	m->primary_seen = false;
	memset(&m->primary, 0, sizeof(m->primary));
}

void
sctp_path_sum(const struct sctp_path *m, struct sctp_path_counters *sum)
{
	if (m == NULL)
		return;
	sum->path_changes += m->c.path_changes;
	sum->primary_changes += m->c.primary_changes;
	sum->primary_restored += m->c.primary_restored;
}

/*
 * The paths of the peer's channel in one line for the `show peers` table:
 * "ADDRESS STATE" each, the primary's state followed by '*'; JSON null
 * without a channel.
 */
static json_t *
paths_summary(const json_t *peer)
{
	const json_t	*paths, *x;
	const char	*a, *st;
	char		 buf[CTP_CONF_MAX_ADDRS * (INET6_ADDRSTRLEN + 16)];
	size_t		 i, l = 0;

	paths = json_object_get(json_object_get(json_object_get(peer,
	    "channel"), "sctp"), "paths");
	if (!json_is_array(paths))
		return json_null();
	buf[0] = '\0';
	json_array_foreach(paths, i, x) {
		if ((a = json_string_value(json_object_get(x, "address"))) ==
		    NULL || (st = json_string_value(json_object_get(x,
		    "path_state"))) == NULL)
			continue;
		snprintf(buf + l, sizeof(buf) - l, "%s%s %s%s", l > 0 ? ", " :
		    "", a, st, json_is_true(json_object_get(x, "primary")) ?
		    "*" : "");
		l = strlen(buf);
	}
	return json_string(buf);
}

void
sctp_path_json(const struct sctp_path *m, json_t *peer)
{
	const struct path	*pa;
	json_t			*o, *paths, *x, *addr;
	char			 s[INET6_ADDRSTRLEN];
	uint64_t		 now;
	size_t			 i, j;

	if (m == NULL || peer == NULL)
		return;
	json_object_set_new(peer, "paths", paths_summary(peer));
	if ((o = json_object_get(peer, "counters")) != NULL) {
		json_object_set_new(o, "path_changes",
		    json_integer((json_int_t)m->c.path_changes));
		json_object_set_new(o, "primary_changes",
		    json_integer((json_int_t)m->c.primary_changes));
		json_object_set_new(o, "primary_restored",
		    json_integer((json_int_t)m->c.primary_restored));
	}
	if ((o = json_object_get(peer, "channel")) == NULL ||
	    (o = json_object_get(o, "sctp")) == NULL || !json_is_object(o))
		return;
	json_object_set_new(o, "configured_primary", json_string(ctp_addr_str(
	    &m->want, s, sizeof(s))));
	json_object_set_new(o, "primary_pinned", json_boolean(m->fd != -1 &&
	    m->primary_seen && ctp_addr_eq(&m->primary, &m->want)));
	json_object_set_new(o, "monitor_period_ms",
	    json_integer(m->period_ms));
	if ((paths = json_object_get(o, "paths")) == NULL)
		return;
	now = now_ms();
	json_array_foreach(paths, i, x) {
		if ((addr = json_object_get(x, "address")) == NULL ||
		    !json_is_string(addr))
			continue;
		for (j = 0; j < m->n; j++) {
			pa = &m->v[j];
			if (strcmp(ctp_addr_str(&pa->addr, s, sizeof(s)),
			    json_string_value(addr)) != 0)
				continue;
			json_object_set_new(x, "changes",
			    json_integer((json_int_t)pa->changes));
			json_object_set_new(x, "since_change_ms",
			    json_integer((json_int_t)(now - pa->since_ms)));
			break;
		}
	}
}
