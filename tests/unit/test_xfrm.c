/* SPDX-License-Identifier: ISC */
/*
 * The IPsec preflight (ctpd/xfrm.c) against the kernel: each test runs in a
 * fresh network namespace (unshare in Check's forked child) and installs
 * policies and SAs with ip xfrm.  Needs root; exit 77 (skip) otherwise.
 * Kernels without ESP (no esp4/esp6) take policies but no SAs: the SA tests
 * then say SKIP, unless XFRM_NEED_ESP=1 (the kernel lab sets it).
 */
#define _GNU_SOURCE		/* unshare */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctp_conf.h"
#include "xfrm.h"

#define A1	"192.0.2.1"
#define A2	"192.0.2.2"
#define B1	"198.51.100.1"
#define B2	"198.51.100.2"
#define V61	"2001:db8::1"
#define V62	"2001:db8::2"
/* Fixed test keys: AES-128-CBC and HMAC-SHA-256. */
#define SA_ALG	"enc 'cbc(aes)' 0x000102030405060708090a0b0c0d0e0f " \
		"auth-trunc 'hmac(sha256)' " \
		"0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f 128"

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

/* local -> remote, udp from 5091 to 5092. */
static void
flow(struct xfrm_flow *f, const char *l, const char *r)
{
	memset(f, 0, sizeof(*f));
	addr(l, &f->local);
	addr(r, &f->remote);
	f->proto = IPPROTO_UDP;
	f->lport = 5091;
	f->rport = 5092;
}

/* Run ip commands in this namespace ("ip -b -", stops at the first error). */
static int
ipb(const char *fmt, ...)
{
	va_list	 ap;
	FILE	*f;
	int	 st;

	if ((f = popen("ip -b - >/dev/null 2>&1", "w")) == NULL)
		return -1;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
newns(void)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET)");
}

/* Can this kernel hold an ESP SA?  Probed in a namespace of its own. */
static int
esp_ok(void)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == 0) {
		if (unshare(CLONE_NEWNET) != 0)
			_exit(2);
		_exit(ipb("xfrm state add src " A1 " dst " A2 " proto esp "
		    "spi 0x100 mode transport " SA_ALG "\n") == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int	 have_esp;

#define NEED_ESP() do {							\
	if (!have_esp) {						\
		fprintf(stderr, "SKIP: %s: the kernel takes no ESP SA "	\
		    "(no esp4/esp6); run in the kernel lab\n", __func__); \
		return;							\
	}								\
} while (0)

/* The policies for one v4 or v6 pair, both directions, udp. */
static void
policies(const char *l, const char *r, unsigned plen, unsigned reqid)
{
	ck_assert_int_eq(ipb(
	    "xfrm policy add src %s/%u dst %s/%u proto udp dir out "
	    "tmpl proto esp mode transport reqid %u\n"
	    "xfrm policy add src %s/%u dst %s/%u proto udp dir in "
	    "tmpl proto esp mode transport reqid %u\n",
	    l, plen, r, plen, reqid, r, plen, l, plen, reqid), 0);
}

static void
sas(const char *l, const char *r, unsigned spi, unsigned reqid,
    unsigned window, const char *extra)
{
	ck_assert_int_eq(ipb(
	    "xfrm state add src %s dst %s proto esp spi 0x%x reqid %u "
	    "mode transport replay-window %u " SA_ALG "%s\n"
	    "xfrm state add src %s dst %s proto esp spi 0x%x reqid %u "
	    "mode transport replay-window %u " SA_ALG "%s\n",
	    l, r, spi, reqid, window, extra, r, l, spi + 1, reqid, window,
	    extra), 0);
}

static int
check(const struct xfrm_flow *v, size_t n, char *why, char *warn)
{
	why[0] = '\0';
	return xfrm_check(v, n, why, 256, warn, 256);
}

/* ---------------------------------------------------------------- policy */

START_TEST(test_no_policy)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why,
	    "no outbound ESP policy for 192.0.2.1 -> 192.0.2.2 udp/5092");
}
END_TEST

START_TEST(test_no_inbound_policy)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	ck_assert_int_eq(ipb("xfrm policy add src " A1 "/32 dst " A2 "/32 "
	    "proto udp dir out tmpl proto esp mode transport reqid 1\n"), 0);
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why,
	    "no inbound ESP policy for 192.0.2.2 -> 192.0.2.1 udp/5091");
}
END_TEST

/* Policies but no SA: named at once (G: "policy but no SA"). */
START_TEST(test_no_sa)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	policies(A1, A2, 32, 7);
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why, "no outbound ESP SA for 192.0.2.1 -> "
	    "192.0.2.2 udp/5092 (policy reqid 7)");
}
END_TEST

/* Selectors the way the kernel matches them: prefix, proto, ports. */
START_TEST(test_selectors)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	flow(&f, A1, A2);
	/* Another protocol and another port do not cover the flow. */
	ck_assert_int_eq(ipb(
	    "xfrm policy add src " A1 "/32 dst " A2 "/32 proto tcp dir out "
	    "tmpl proto esp mode transport\n"
	    "xfrm policy add src " A1 "/32 dst " A2 "/32 proto udp dport 9 "
	    "dir out tmpl proto esp mode transport\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "no outbound ESP policy") != NULL, "%s",
	    why);
	/* A /24 with the channel's ports and proto any does. */
	ck_assert_int_eq(ipb(
	    "xfrm policy add src 192.0.2.0/24 dst 192.0.2.0/24 sport 5091 "
	    "dport 5092 proto udp dir out tmpl proto esp mode transport\n"
	    "xfrm policy add src 192.0.2.0/24 dst 192.0.2.0/24 "
	    "dir in tmpl proto esp mode transport\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "no outbound ESP SA") != NULL, "%s", why);
	/* A block policy with a lower priority number wins. */
	ck_assert_int_eq(ipb("xfrm policy add src " A1 "/32 dst 0.0.0.0/0 "
	    "dir out priority 0 action block\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "the outbound policy for 192.0.2.1 -> "
	    "192.0.2.2 udp/5092 blocks it") != NULL, "%s", why);
	/* An IPv6 pair matches no IPv4 policy. */
	flow(&f, V61, V62);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why,
	    "no outbound ESP policy for 2001:db8::1 -> 2001:db8::2 udp/5092");
}
END_TEST

/*
 * Mode B: the side that connects uses an ephemeral port (0 in the flow), so
 * only a selector without that port covers it; the reason names the port
 * that is known.
 */
START_TEST(test_sctp_ephemeral)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	flow(&f, A1, A2);
	f.proto = IPPROTO_SCTP;
	f.lport = 0;
	f.rport = 5091;
	ck_assert_int_eq(ipb(
	    "xfrm policy add src " A1 "/32 dst " A2 "/32 proto sctp sport 5091 "
	    "dir out tmpl proto esp mode transport\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why,
	    "no outbound ESP policy for 192.0.2.1 -> 192.0.2.2 sctp/5091");
	ck_assert_int_eq(ipb(
	    "xfrm policy add src " A1 "/32 dst " A2 "/32 proto sctp dport 5091 "
	    "dir out tmpl proto esp mode transport\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why, "no inbound ESP policy for 192.0.2.2 -> "
	    "192.0.2.1 sctp from port 5091");
	ck_assert_int_eq(ipb(
	    "xfrm policy add src " A2 "/32 dst " A1 "/32 proto sctp sport 5091 "
	    "dir in tmpl proto esp mode transport\n"), 0);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "no outbound ESP SA") != NULL, "%s", why);
}
END_TEST

START_TEST(test_not_esp)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	newns();
	ck_assert_int_eq(ipb(
	    "xfrm policy add src " A1 "/32 dst " A2 "/32 dir out "
	    "tmpl proto ah mode transport\n"
	    "xfrm policy add src " A1 "/32 dst 192.0.2.0/24 dir out "
	    "priority 5 "
	    "tmpl proto esp mode transport level use\n"), 0);
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "has no mandatory ESP template") != NULL,
	    "%s", why);
}
END_TEST

/* ---------------------------------------------------------------- SAs */

START_TEST(test_covered)
{
	struct xfrm_flow	 f[2];
	char			 why[256], warn[256];

	NEED_ESP();
	newns();
	policies(A1, A2, 32, 1);
	sas(A1, A2, 0x1000, 1, 32, "");
	policies(V61, V62, 128, 2);
	sas(V61, V62, 0x2000, 2, 64, "");
	flow(&f[0], A1, A2);
	flow(&f[1], V61, V62);
	ck_assert_int_eq(check(f, 2, why, warn), 0);
	ck_assert_str_eq(warn, "");
}
END_TEST

START_TEST(test_no_inbound_sa)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	NEED_ESP();
	newns();
	policies(A1, A2, 32, 1);
	ck_assert_int_eq(ipb("xfrm state add src " A1 " dst " A2 " proto esp "
	    "spi 0x1000 reqid 1 mode transport " SA_ALG "\n"
	    /* wrong reqid: the inbound policy does not use it */
	    "xfrm state add src " A2 " dst " A1 " proto esp "
	    "spi 0x1001 reqid 9 mode transport " SA_ALG "\n"), 0);
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_str_eq(why, "no inbound ESP SA for 192.0.2.2 -> "
	    "192.0.2.1 udp/5091 (policy reqid 1)");
}
END_TEST

/* Multihoming: the second pair has no policy, and is named (G1). */
START_TEST(test_multihomed)
{
	struct xfrm_flow	 f[2];
	char			 why[256], warn[256];

	NEED_ESP();
	newns();
	policies(A1, A2, 32, 1);
	sas(A1, A2, 0x1000, 1, 32, "");
	flow(&f[0], A1, A2);
	flow(&f[1], B1, B2);
	ck_assert_int_eq(check(f, 1, why, warn), 0);
	ck_assert_int_eq(check(f, 2, why, warn), -1);
	ck_assert_str_eq(why, "no outbound ESP policy for 198.51.100.1 -> "
	    "198.51.100.2 udp/5092");
}
END_TEST

START_TEST(test_replay_window_zero)
{
	struct xfrm_flow	 f;
	char			 why[256], warn[256];

	NEED_ESP();
	newns();
	policies(A1, A2, 32, 1);
	sas(A1, A2, 0x1000, 1, 0, "");
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), 0);
	ck_assert_str_eq(warn, "inbound ESP SA 0x00001001 for 192.0.2.2 -> "
	    "192.0.2.1 udp/5091 has replay window 0: no anti-replay "
	    "protection");
}
END_TEST

/* ---------------------------------------------------------------- events */

struct seen {
	struct event_base	*base;
	int			 soft, hard, newsa;
	uint32_t		 hard_spi;
};

static void
on_event(const struct xfrm_event *e, void *arg)
{
	struct seen	*s = arg;

	if (e->type == XFRM_EV_SOFT)
		s->soft++;
	else if (e->type == XFRM_EV_HARD) {
		s->hard++;
		s->hard_spi = e->spi;
		event_base_loopbreak(s->base);
	} else
		s->newsa++;
}

START_TEST(test_expire_event)
{
	struct xfrm_watch	*w;
	struct xfrm_flow	 f;
	struct seen		 s;
	struct timeval		 tv = { 5, 0 };
	char			 why[256], warn[256];

	NEED_ESP();
	newns();
	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(s.base = event_base_new());
	ck_assert_ptr_nonnull(w = xfrm_watch_new(s.base, on_event, &s));
	policies(A1, A2, 32, 1);
	sas(A1, A2, 0x3000, 1, 32, " limit time-soft 1 limit time-hard 2");
	flow(&f, A1, A2);
	ck_assert_int_eq(check(&f, 1, why, warn), 0);
	/* Bounded: the hard expiry comes after 2 s. */
	event_base_loopexit(s.base, &tv);
	event_base_dispatch(s.base);
	ck_assert_int_eq(s.newsa, 2);
	ck_assert_int_ge(s.soft, 1);
	ck_assert_int_ge(s.hard, 1);
	ck_assert(s.hard_spi == 0x3000 || s.hard_spi == 0x3001);
	/* The SA is gone: the pair is no longer covered. */
	ck_assert_int_eq(check(&f, 1, why, warn), -1);
	ck_assert_msg(strstr(why, "ESP SA") != NULL, "%s", why);
	xfrm_watch_free(w);
	event_base_free(s.base);
}
END_TEST

/* ---------------------------------------------------------------- pure */

START_TEST(test_peer_flows)
{
	struct ctp_conf		 c;
	struct ctp_conf_peer	 p;
	struct ctp_addr		 ra[3], pa[3];
	struct xfrm_flow	 v[16];
	char			 s[64];

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	addr(A1, &ra[0]);
	addr(B1, &ra[1]);
	addr(V61, &ra[2]);
	addr(A2, &pa[0]);
	addr(B2, &pa[1]);
	addr(V62, &pa[2]);
	c.router.addresses.v = ra;
	c.router.addresses.n = 3;
	c.router.port = 5091;
	p.addresses.v = pa;
	p.addresses.n = 3;
	p.port = 5092;
	p.transport = CTP_CONF_TR_UDP;
	/* Every router address by every peer address of its family. */
	ck_assert_uint_eq(xfrm_peer_flows(&c, &p, v, 16), 5);
	inet_ntop(AF_INET, v[1].remote.b, s, sizeof(s));
	ck_assert_str_eq(s, B2);
	ck_assert_int_eq(v[4].local.len, 16);
	ck_assert_int_eq(v[0].proto, IPPROTO_UDP);
	ck_assert_int_eq(v[0].lport, 5091);
	ck_assert_int_eq(v[0].rport, 5092);
	p.transport = CTP_CONF_TR_SCTP;
	ck_assert_uint_eq(xfrm_peer_flows(&c, &p, v, 2), 2);
	ck_assert_int_eq(v[0].proto, IPPROTO_SCTP);
	/* Mode B: the lower router (here) connects from an ephemeral port. */
	ck_assert_int_eq(v[0].lport, 0);
	ck_assert_int_eq(v[0].rport, 5092);
	c.router.addresses.v = pa;
	p.addresses.v = ra;
	ck_assert_uint_eq(xfrm_peer_flows(&c, &p, v, 2), 2);
	ck_assert_int_eq(v[0].lport, 5091);
	ck_assert_int_eq(v[0].rport, 0);
	c.router.addresses.v = ra;
	p.addresses.v = pa;
	/* Loopback pairs never leave the host. */
	addr("127.0.0.1", &ra[0]);
	addr("127.0.0.2", &pa[0]);
	c.router.addresses.n = 1;
	p.addresses.n = 1;
	ck_assert_uint_eq(xfrm_peer_flows(&c, &p, v, 16), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("xfrm");
	TCase	*pure = tcase_create("pure"), *tc = tcase_create("kernel");
	SRunner	*sr;
	int	 nf, root = geteuid() == 0;
	char	*need = getenv("XFRM_NEED_ESP");

	tcase_add_test(pure, test_peer_flows);
	suite_add_tcase(s, pure);
	if (root) {
		have_esp = esp_ok();
		if (!have_esp && need != NULL && strcmp(need, "1") == 0) {
			fprintf(stderr, "FAIL: XFRM_NEED_ESP=1 but the kernel "
			    "takes no ESP SA\n");
			return 1;
		}
		tcase_set_timeout(tc, 20);
		tcase_add_test(tc, test_no_policy);
		tcase_add_test(tc, test_no_inbound_policy);
		tcase_add_test(tc, test_no_sa);
		tcase_add_test(tc, test_selectors);
		tcase_add_test(tc, test_sctp_ephemeral);
		tcase_add_test(tc, test_not_esp);
		tcase_add_test(tc, test_covered);
		tcase_add_test(tc, test_no_inbound_sa);
		tcase_add_test(tc, test_multihomed);
		tcase_add_test(tc, test_replay_window_zero);
		tcase_add_test(tc, test_expire_event);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (nf != 0)
		return 1;
	if (!root) {
		fprintf(stderr, "SKIP: the kernel tests need root (network "
		    "namespaces, ip xfrm)\n");
		return 77;
	}
	if (!have_esp)
		fprintf(stderr, "SKIP: SA tests: the kernel takes no ESP SA; "
		    "tests/lab/lab_xfrm.sh runs them in the kernel lab\n");
	return 0;
}
