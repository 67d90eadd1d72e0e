/* SPDX-License-Identifier: ISC */
/*
 * The router-address watcher (ctpd/rtnl.c): crafted RTM_NEWADDR and
 * RTM_DELADDR messages (tentative IPv6, IFA_LOCAL, truncated and bad ones
 * counted and skipped), then the kernel's own events in a fresh network
 * namespace (root only; skipped otherwise).
 */
#define _GNU_SOURCE		/* unshare */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctp_conf.h"
#include "rtnl.h"

#ifndef IFA_FLAGS
#define IFA_FLAGS	8
#endif

struct seen {
	int		 calls;
	struct ctp_addr	 last;
	bool		 usable;
};

static void
addr(const char *s, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1)
		a->len = 4;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, s, a->b), 1);
		a->len = 16;
	}
}

static void
cb(const struct ctp_addr *a, bool usable, void *arg)
{
	struct seen	*s = arg;

	s->calls++;
	s->last = *a;
	s->usable = usable;
}

/* A message: header, ifaddrmsg, then attributes appended by attr(). */
struct msg {
	uint8_t		 b[256];
	size_t		 len;
};

static void
msg_new(struct msg *m, int type, int family, uint32_t flags8)
{
	struct nlmsghdr		*nh = (struct nlmsghdr *)(void *)m->b;
	struct ifaddrmsg	*ifa;

	memset(m, 0, sizeof(*m));
	m->len = NLMSG_LENGTH(sizeof(*ifa));
	nh->nlmsg_type = (uint16_t)type;
	ifa = NLMSG_DATA(nh);
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_flags = (uint8_t)flags8;
	ifa->ifa_index = 2;
	nh->nlmsg_len = (uint32_t)m->len;
}

static void
attr(struct msg *m, int type, const void *v, size_t l)
{
	struct nlmsghdr	*nh = (struct nlmsghdr *)(void *)m->b;
	struct rtattr	*rta = (struct rtattr *)(void *)(m->b +
			    NLMSG_ALIGN(m->len));

	rta->rta_type = (uint16_t)type;
	rta->rta_len = (uint16_t)RTA_LENGTH(l);
	memcpy(RTA_DATA(rta), v, l);
	m->len = NLMSG_ALIGN(m->len) + RTA_ALIGN(rta->rta_len);
	nh->nlmsg_len = (uint32_t)m->len;
}

static json_int_t
counter(struct rtnl *r, const char *k)
{
	json_t		*o = rtnl_json(r);
	json_int_t	 v = json_integer_value(json_object_get(o, k));

	json_decref(o);
	return v;
}

static struct ctp_addr	 conf_v[3];
static struct ctp_conf_addrs conf_l = { conf_v, 3 };

START_TEST(test_crafted)
{
	struct event_base	*base = event_base_new();
	struct rtnl		*r;
	struct seen		 s;
	struct ctp_addr		 a4, a6;
	struct msg		 m;
	uint8_t			 v4[4], v6[16], other[4];
	uint32_t		 f32;

	addr("192.0.2.99", &conf_v[0]);
	addr("198.51.100.99", &conf_v[1]);
	addr("2001:db8::99", &conf_v[2]);
	addr("192.0.2.99", &a4);
	addr("2001:db8::99", &a6);
	memcpy(v4, a4.b, 4);
	memcpy(v6, a6.b, 16);
	inet_pton(AF_INET, "203.0.113.1", other);
	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(base);
	r = rtnl_new(base, &conf_l, cb, &s);
	ck_assert_ptr_nonnull(r);
	ck_assert(!rtnl_usable(r, &a4));
	ck_assert(!rtnl_usable(r, &a6));

	/* IPv6, tentative in the 32-bit flags: not usable, not reported */
	msg_new(&m, RTM_NEWADDR, AF_INET6, 0);
	attr(&m, IFA_ADDRESS, v6, 16);
	f32 = IFA_F_TENTATIVE;
	attr(&m, IFA_FLAGS, &f32, 4);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 0);
	ck_assert(!rtnl_usable(r, &a6));
	/* the NEWADDR without the flag makes it usable */
	msg_new(&m, RTM_NEWADDR, AF_INET6, 0);
	attr(&m, IFA_ADDRESS, v6, 16);
	f32 = 0;
	attr(&m, IFA_FLAGS, &f32, 4);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 1);
	ck_assert(s.usable);
	ck_assert_mem_eq(s.last.b, v6, 16);
	ck_assert(rtnl_usable(r, &a6));
	/* DAD failed (old 8-bit flags only): gone again */
	msg_new(&m, RTM_NEWADDR, AF_INET6, IFA_F_DADFAILED);
	attr(&m, IFA_ADDRESS, v6, 16);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 2);
	ck_assert(!s.usable);

	/* IPv4: IFA_LOCAL is ours, IFA_ADDRESS the far end */
	msg_new(&m, RTM_NEWADDR, AF_INET, 0);
	attr(&m, IFA_ADDRESS, other, 4);
	attr(&m, IFA_LOCAL, v4, 4);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 3);
	ck_assert(s.usable && s.last.len == 4);
	ck_assert(rtnl_usable(r, &a4));
	/* an address that is not configured: ignored */
	msg_new(&m, RTM_NEWADDR, AF_INET, 0);
	attr(&m, IFA_LOCAL, other, 4);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 3);
	ck_assert_int_eq(counter(r, "bad_messages"), 0);

	/* bad ones: counted, skipped, nothing changes */
	msg_new(&m, RTM_DELADDR, AF_INET, 0);
	attr(&m, IFA_LOCAL, v4, 3);			/* short address */
	rtnl_input(r, m.b, m.len);
	msg_new(&m, RTM_DELADDR, AF_INET, 0);		/* no address */
	rtnl_input(r, m.b, m.len);
	msg_new(&m, RTM_DELADDR, AF_INET, 0);
	attr(&m, IFA_LOCAL, v4, 4);
	f32 = 0;
	attr(&m, IFA_FLAGS, &f32, 2);			/* short flags */
	rtnl_input(r, m.b, m.len);
	msg_new(&m, RTM_DELADDR, AF_INET, 0);
	attr(&m, IFA_LOCAL, v4, 4);
	rtnl_input(r, m.b, m.len - 2);			/* cut short */
	msg_new(&m, RTM_DELADDR, AF_INET, 0);
	((struct nlmsghdr *)(void *)m.b)->nlmsg_len = 8;	/* < header */
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 3);
	ck_assert(rtnl_usable(r, &a4));
	ck_assert_int_ge(counter(r, "bad_messages"), 5);

	/* a good DELADDR after them still counts */
	msg_new(&m, RTM_DELADDR, AF_INET, 0);
	attr(&m, IFA_LOCAL, v4, 4);
	rtnl_input(r, m.b, m.len);
	ck_assert_int_eq(s.calls, 4);
	ck_assert(!s.usable);
	ck_assert(!rtnl_usable(r, &a4));
	ck_assert_int_eq(counter(r, "changes"), 4);
	rtnl_free(r);
	event_base_free(base);
}
END_TEST

static void
sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

/* Loop until the callback ran n times in all (5 s at most). */
static void
wait_calls(struct event_base *base, struct seen *s, int n)
{
	struct timeval	 tv = { 0, 50000 };
	int		 i;

	for (i = 0; i < 100 && s->calls < n; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	ck_assert_int_eq(s->calls, n);
}

START_TEST(test_kernel)
{
	struct event_base	*base = event_base_new();
	struct rtnl		*r;
	struct seen		 s;
	struct ctp_addr		 lo, a, v[3];

	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET)");
	sh("ip link set lo up");
	addr("127.0.0.1", &conf_v[0]);
	addr("192.0.2.99", &conf_v[1]);
	addr("198.51.100.99", &conf_v[2]);
	addr("127.0.0.1", &lo);
	addr("192.0.2.99", &a);
	memset(&s, 0, sizeof(s));
	r = rtnl_new(base, &conf_l, cb, &s);
	ck_assert_ptr_nonnull(r);
	/* the state at start comes from the address list, unreported */
	ck_assert(rtnl_usable(r, &lo));
	ck_assert(!rtnl_usable(r, &a));
	ck_assert_int_eq(s.calls, 0);
	ck_assert_int_eq(rtnl_usable_list(r, v, 3), 1);
	sh("ip addr add 192.0.2.99/32 dev lo");
	wait_calls(base, &s, 1);
	ck_assert(s.usable);
	ck_assert_mem_eq(s.last.b, a.b, 4);
	ck_assert_int_eq(rtnl_usable_list(r, v, 3), 2);
	ck_assert_mem_eq(v[1].b, a.b, 4);		/* configuration order */
	sh("ip addr del 192.0.2.99/32 dev lo");
	wait_calls(base, &s, 2);
	ck_assert(!s.usable);
	ck_assert(!rtnl_usable(r, &a));
	ck_assert_int_eq(counter(r, "bad_messages"), 0);
	rtnl_free(r);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rtnl");
	TCase	*pure = tcase_create("crafted"), *tc = tcase_create("kernel");
	SRunner	*sr;
	int	 nf, root = geteuid() == 0;

	tcase_add_test(pure, test_crafted);
	suite_add_tcase(s, pure);
	if (root) {
		tcase_set_timeout(tc, 20);
		tcase_add_test(tc, test_kernel);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (nf != 0)
		return 1;
	if (!root)
		fprintf(stderr, "SKIP: the kernel test needs root (a network "
		    "namespace)\n");
	return 0;
}
