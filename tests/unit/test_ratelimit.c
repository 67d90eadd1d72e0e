/* SPDX-License-Identifier: ISC */
/*
 * Tests of the CTAR rate limiter (ctpd/ratelimit.c) with a fake clock and a
 * scripted random source: global rate and burst, random early drop, per
 * source and per MN isolation, a fixed-size table under a forged flood, and
 * the back-off after token failures.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ratelimit.h"
#include "testutil.h"

/* The random source: a fixed value, or the seeded PRNG. */
static uint32_t		 rnd_fixed;
static bool		 rnd_use_rng;
static struct tu_rng	 rnd_rng;

static uint32_t
rnd(void *arg)
{
	(void)arg;
	if (rnd_use_rng)
		return (uint32_t)tu_rng_u64(&rnd_rng);
	return rnd_fixed;
}

static struct ctp_addr
a4(uint32_t v)
{
	struct ctp_addr	 a;

	memset(&a, 0, sizeof(a));
	a.len = 4;
	a.b[0] = (uint8_t)(v >> 24);
	a.b[1] = (uint8_t)(v >> 16);
	a.b[2] = (uint8_t)(v >> 8);
	a.b[3] = (uint8_t)v;
	return a;
}

/* Generous per-source and per-MN rates unless a test narrows them. */
static void
conf_init(struct rl_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->global = (struct rl_rate){ 10, 1000, 20 };
	c->per_source = (struct rl_rate){ 1000, 1000, 1000 };
	c->per_mn = (struct rl_rate){ 1000, 1000, 1000 };
	c->table_size = 64;
	c->rnd = rnd;
	c->hash_seed = 0x1234;
	rnd_fixed = UINT32_MAX;		/* never an early drop */
	rnd_use_rng = false;
}

/* Requests from distinct sources and MNs, so only the global bucket acts. */
static unsigned
pass_count(struct ratelimit *rl, unsigned n, uint32_t base, uint64_t now)
{
	struct ctp_addr	 s, m;
	unsigned	 i, ok = 0;

	for (i = 0; i < n; i++) {
		s = a4(0xc0000200 + base + i);
		m = a4(0xcb007100 + base + i);
		if (rl_check(rl, &s, &m, now) == RL_PASS)
			ok++;
	}
	return ok;
}

START_TEST(global_burst_then_rate)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	struct ctp_addr		 s = a4(0xc0000201), m = a4(0xcb007101);
	uint64_t		 t;
	unsigned		 ok;

	conf_init(&c);
	c.table_size = 4096;
	rl = rl_new(&c, 1000);
	ck_assert_ptr_nonnull(rl);
	/* The full burst passes at once, the next is refused. */
	ck_assert_uint_eq(pass_count(rl, 20, 0, 1000), 20);
	ck_assert_int_eq(rl_check(rl, &s, &m, 1000), RL_GLOBAL);
	/* 10/s: one token per 100 ms; 99 ms is not enough. */
	ck_assert_int_eq(rl_check(rl, &s, &m, 1099), RL_GLOBAL);
	ck_assert_int_eq(rl_check(rl, &s, &m, 1100), RL_PASS);
	ck_assert_int_eq(rl_check(rl, &s, &m, 1100), RL_GLOBAL);
	/* Sustained overload for 10 s: about 10/s get through. */
	ok = 0;
	for (t = 1100; t < 11100; t += 10)
		ok += pass_count(rl, 1, (uint32_t)t, t);
	ck_assert_uint_ge(ok, 99);
	ck_assert_uint_le(ok, 101);
	/* After a long pause the bucket is full again, never fuller. */
	ck_assert_uint_eq(pass_count(rl, 30, 50000, 1000000), 20);
	rl_free(rl);
}
END_TEST

START_TEST(global_random_early_drop)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	unsigned		 ok, i, total;

	/* A random source that always says "drop" cuts below a quarter. */
	conf_init(&c);
	rl = rl_new(&c, 0);
	rnd_fixed = 0;
	ok = pass_count(rl, 20, 0, 0);
	ck_assert_uint_eq(ok, 16);
	rl_free(rl);

	/* With real randomness the accepted count lies between. */
	total = 0;
	rnd_use_rng = true;
	tu_rng_seed(&rnd_rng, 42);
	for (i = 0; i < 200; i++) {
		rl = rl_new(&c, 0);
		ok = pass_count(rl, 20, 0, 0);
		ck_assert_uint_ge(ok, 15);
		ck_assert_uint_le(ok, 20);
		total += ok;
		rl_free(rl);
	}
	ck_assert_uint_gt(total, 200 * 15);
	ck_assert_uint_lt(total, 200 * 20);
}
END_TEST

START_TEST(per_source_isolation)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	struct ctp_addr		 bad = a4(0xc0000266), good = a4(0xc0000267),
				 m;
	unsigned		 i, ok = 0;

	conf_init(&c);
	c.global = (struct rl_rate){ 1000, 1000, 1000 };
	c.per_source = (struct rl_rate){ 5, 1000, 5 };
	rl = rl_new(&c, 0);
	/* One source floods with many MN addresses: 5 get through. */
	for (i = 0; i < 100; i++) {
		m = a4(0xcb007100 + i);
		if (rl_check(rl, &bad, &m, 0) == RL_PASS)
			ok++;
	}
	ck_assert_uint_eq(ok, 5);
	m = a4(0xcb0071ff);
	ck_assert_int_eq(rl_check(rl, &bad, &m, 0), RL_SOURCE);
	/* Another source is not affected. */
	ck_assert_int_eq(rl_check(rl, &good, &m, 0), RL_PASS);
	/* 5/s refills one per 200 ms. */
	ck_assert_int_eq(rl_check(rl, &bad, &m, 199), RL_SOURCE);
	ck_assert_int_eq(rl_check(rl, &bad, &m, 200), RL_PASS);
	rl_free(rl);
}
END_TEST

START_TEST(per_mn_isolation)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	struct ctp_addr		 s, victim = a4(0xcb007101),
				 other = a4(0xcb007102);
	struct ctp_addr		 mapped;
	unsigned		 i, ok = 0;

	conf_init(&c);
	c.global = (struct rl_rate){ 1000, 1000, 1000 };
	c.per_mn = (struct rl_rate){ 2, 1000, 2 };
	rl = rl_new(&c, 0);
	/* Many sources naming one MN: 2 get through. */
	for (i = 0; i < 50; i++) {
		s = a4(0xc0000200 + i);
		if (rl_check(rl, &s, &victim, 0) == RL_PASS)
			ok++;
	}
	ck_assert_uint_eq(ok, 2);
	/* The same MN written IPv4-mapped shares the bucket. */
	memset(&mapped, 0, sizeof(mapped));
	mapped.len = 16;
	mapped.b[10] = mapped.b[11] = 0xff;
	memcpy(mapped.b + 12, victim.b, 4);
	s = a4(0xc0000299);
	ck_assert_int_eq(rl_check(rl, &s, &mapped, 0), RL_MN);
	ck_assert_int_eq(rl_check(rl, &s, &other, 0), RL_PASS);
	ck_assert_int_eq(rl_check(rl, &s, &victim, 500), RL_PASS);
	rl_free(rl);
}
END_TEST

START_TEST(bounded_under_forged_flood)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	struct ctp_addr		 s, m, legit = a4(0xc0000201),
				 legit_mn = a4(0xcb007101);
	size_t			 mem;
	uint32_t		 i;

	conf_init(&c);
	c.table_size = 1024;
	c.global = (struct rl_rate){ 1000000, 1000, 1000000 };
	rl = rl_new(&c, 0);
	mem = rl_memory(rl);
	ck_assert_uint_gt(mem, 0);
	/* A token failure of the legitimate pair, then a flood. */
	rl_fail(rl, &legit, &legit_mn, 0);
	for (i = 0; i < 100000; i++) {
		s = a4(0x0a000000 + i);
		m = a4(0x0b000000 + i);
		(void)rl_check(rl, &s, &m, 1 + i / 1000);
	}
	ck_assert_uint_eq(rl_entries(rl, RL_T_SOURCE), 1024);
	ck_assert_uint_eq(rl_entries(rl, RL_T_MN), 1024);
	ck_assert_uint_eq(rl_memory(rl), mem);
	ck_assert_uint_ge(rl_evictions(rl, RL_T_SOURCE), 100000 - 1024);
	/* The back-off record survived the flood (evicted last). */
	ck_assert_uint_gt(rl_holdoff(rl, RL_T_MN, &legit_mn, 50), 0);
	ck_assert_int_eq(rl_check(rl, &legit, &legit_mn, 50),
	    RL_BACKOFF_SOURCE);
	/* IPv6 sources share the same bounded table. */
	memset(&s, 0, sizeof(s));
	s.len = 16;
	s.b[0] = 0x20;
	s.b[1] = 0x01;
	for (i = 0; i < 5000; i++) {
		memcpy(s.b + 12, &i, sizeof(i));
		(void)rl_check(rl, &s, &legit_mn, 200);
	}
	ck_assert_uint_eq(rl_entries(rl, RL_T_SOURCE), 1024);
	ck_assert_uint_eq(rl_memory(rl), mem);
	rl_free(rl);
}
END_TEST

START_TEST(backoff_growth_and_reset)
{
	struct rl_conf		 c;
	struct ratelimit	*rl;
	struct ctp_addr		 s = a4(0xc0000201), m = a4(0xcb007101),
				 s2 = a4(0xc0000202);
	uint64_t		 now = 0, expect = 1000;
	int			 i;

	conf_init(&c);
	c.backoff_base_ms = 1000;
	c.backoff_max_ms = 16000;
	c.global = (struct rl_rate){ 1000, 1000, 1000 };
	rl = rl_new(&c, 0);
	ck_assert_int_eq(rl_check(rl, &s, &m, now), RL_PASS);
	/* 1 s, 2 s, 4 s, 8 s, 16 s, then capped at 16 s. */
	for (i = 0; i < 8; i++) {
		rl_fail(rl, &s, &m, now);
		ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now), expect);
		ck_assert_uint_eq(rl_holdoff(rl, RL_T_SOURCE, &s, now),
		    expect);
		ck_assert_int_eq(rl_check(rl, &s, &m, now + expect - 1),
		    RL_BACKOFF_SOURCE);
		/* The MN is held off from any source. */
		ck_assert_int_eq(rl_check(rl, &s2, &m, now + expect - 1),
		    RL_BACKOFF_MN);
		now += expect;
		ck_assert_int_eq(rl_check(rl, &s, &m, now), RL_PASS);
		if (expect < 16000)
			expect *= 2;
	}
	/* Success resets: the next failure starts at the base again. */
	rl_success(rl, &s, &m);
	ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now), 0);
	rl_fail(rl, &s, &m, now);
	ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now), 1000);
	rl_success(rl, &s, &m);
	ck_assert_int_eq(rl_check(rl, &s, &m, now), RL_PASS);
	/* Without a success, a quiet time longer than the cap forgives. */
	rl_fail(rl, &s, &m, now);
	rl_fail(rl, &s, &m, now + 1000);
	ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now + 1000), 2000);
	now += 3000;
	rl_fail(rl, &s, &m, now + 16000);
	ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now + 16000), 4000);
	rl_fail(rl, &s, &m, now + 40000);
	ck_assert_uint_eq(rl_holdoff(rl, RL_T_MN, &m, now + 40000), 1000);
	rl_free(rl);
}
END_TEST

START_TEST(bad_config_refused)
{
	struct rl_conf	 c;

	conf_init(&c);
	c.global.n = 0;
	ck_assert_ptr_null(rl_new(&c, 0));
	conf_init(&c);
	c.per_mn.burst = 0;
	ck_assert_ptr_null(rl_new(&c, 0));
	conf_init(&c);
	c.rnd = NULL;
	ck_assert_ptr_null(rl_new(&c, 0));
	ck_assert_str_eq(rl_verdict_names[RL_GLOBAL], "rate_global");
	ck_assert_ptr_null(rl_verdict_names[RL__MAX]);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, global_burst_then_rate);
	tcase_add_test(tc, global_random_early_drop);
	tcase_add_test(tc, per_source_isolation);
	tcase_add_test(tc, per_mn_isolation);
	tcase_add_test(tc, bounded_under_forged_flood);
	tcase_add_test(tc, backoff_growth_and_reset);
	tcase_add_test(tc, bad_config_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ratelimit_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
