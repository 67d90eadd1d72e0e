/* SPDX-License-Identifier: ISC */
/*
 * Router addresses followed at run time (issue 5 §3, spec §9.6, C3): a
 * NETLINK_ROUTE socket on the IPv4 and IPv6 interface-address groups says
 * when a configured router address becomes usable on this host (present,
 * and for IPv6 no longer tentative) or stops being usable.
 */
#ifndef CTPD_RTNL_H
#define CTPD_RTNL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ctp_conf.h"

struct event_base;
struct rtnl;

/*
 * Called from the event loop when configured address a becomes usable
 * (usable true) or stops being usable; never for the state found at
 * start.
 */
typedef void	(*rtnl_cb)(const struct ctp_addr *a, bool usable, void *arg);

/*
 * Follow the addresses of l (which must outlive the watcher): subscribe,
 * read the current address list, then report changes to cb from base.
 * NULL, with the reason logged, if netlink cannot be used.
 */
struct rtnl	*rtnl_new(struct event_base *base, const struct ctp_conf_addrs *l,
		    rtnl_cb cb, void *arg);
void		 rtnl_free(struct rtnl *);

/* Whether configured address a is usable now (false if not configured). */
bool		 rtnl_usable(const struct rtnl *, const struct ctp_addr *a);

/*
 * The configured addresses usable now, in configuration order, at most
 * max of them into v; how many.
 */
size_t		 rtnl_usable_list(const struct rtnl *, struct ctp_addr *v,
		    size_t max);

/*
 * Handle len bytes as one datagram from the kernel, as the event loop does
 * (for tests: a message that does not parse is counted and skipped).
 */
void		 rtnl_input(struct rtnl *, const void *buf, size_t len);

/*
 * Counters: messages read, changes reported, bad messages skipped,
 * overruns (ENOBUFS) and re-reads of the address list.
 */
json_t		*rtnl_json(const struct rtnl *);

#endif /* CTPD_RTNL_H */
