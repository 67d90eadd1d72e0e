/* SPDX-License-Identifier: ISC */
/*
 * Tests of the MN listener (ctpd/mn.c) over the UDP test transport on
 * 127.0.0.1, in process: valid CTARs reach the callback, malformed, non-CTAR
 * and oversized packets are counted and dropped, rate limits and back-off
 * act before the callback, CTAAs reach the sender, reads are batched.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "ctpd.h"
#include "log.h"
#include "testutil.h"

/* The daemon's clock, faked: rate limits see only what the test sets. */
static uint64_t		 fake_now = 1000;

uint64_t
ctpd_now_ms(struct ctpd *d)
{
	(void)d;
	return fake_now;
}

struct got {
	unsigned	 n;
	struct mn_src	 src;
	struct ctp_addr	 mn;
	uint32_t	 seq;
	uint8_t		 token[4];
	bool		 a;
	bool		 answer;	/* reply with a CTAA from the callback */
};

static struct ctpd		 d;
static struct mn_listener	*l;
static struct got		 got;
static struct ctp_token_ctx	*tctx;
static int			 cfd = -1;	/* the "MN" */
static uint16_t			 port;

static const uint8_t		 key_b[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static const char conf_fmt[] =
    "router:\n"
    "  id: ar1\n"
    "  addresses: [127.0.0.1]\n"
    "mn:\n"
    "  transport: udp\n"
    "  udp-port: %u\n"
    "  listen: [%s]\n"
    "limits:\n"
    "  request-rate: %s\n"
    "  request-burst: %u\n"
    "  per-source-rate: %s\n"
    "  per-mn-rate: %s\n"
    "  max-message: %u\n";

static void
on_ctar(const struct mn_src *src, const struct ctp_msg *m, void *arg)
{
	struct ctp_msg	 a;
	uint8_t		 buf[256];
	size_t		 n;

	(void)arg;
	got.n++;
	got.src = *src;
	got.mn = m->mn;
	got.seq = m->seq;
	memcpy(got.token, m->token, 4);
	got.a = m->hdr.x;
	if (!got.answer)
		return;
	memset(&a, 0, sizeof(a));
	a.hdr.version = CTP_VERSION;
	a.hdr.type = CTP_MSG_CTAA;
	a.hdr.v4 = m->hdr.v4;
	a.mn = m->mn;
	a.nentries = 1;
	a.entries[0].fpt = 0xff02;
	a.entries[0].status = CTP_ST_NO_CONTEXT;
	ck_assert_int_eq(ctp_msg_encode(&a, buf, sizeof(buf), &n), CTP_OK);
	ck_assert_int_eq(mn_send_ctaa(l, src, buf, n), 0);
}

static const struct mn_events	 events = { on_ctar };

static uint16_t
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* A listener on 127.0.0.1 (or listen) with these limits. */
static struct mn_listener *
start(const char *listen, const char *rate, unsigned burst,
    const char *per_src, const char *per_mn, unsigned max_msg)
{
	struct ctp_conf_diag	 diag;
	char			 text[1024];
	int			 r;

	port = free_port();
	snprintf(text, sizeof(text), conf_fmt, port, listen, rate, burst,
	    per_src, per_mn, max_msg);
	ctp_conf_diag_init(&diag);
	r = ctp_conf_parse("test.yaml", (const uint8_t *)text, strlen(text), 0,
	    &d.conf, &diag);
	if (r != 0 && diag.n > 0)
		fprintf(stderr, "%s\n", diag.v[0].text);
	ctp_conf_diag_free(&diag);
	ck_assert_int_eq(r, 0);
	ctp_limits_default(&d.limits);
	d.limits.max_msg = d.conf->limits.max_message;
	d.limits.max_cdbs = d.conf->limits.max_cdbs;
	return mn_listener_new(&d, &events, NULL);
}

static void
setup(void)
{
	struct sockaddr_in	 sin;

	log_init("test_mn", true, LOGL_INFO);
	memset(&d, 0, sizeof(d));
	memset(&got, 0, sizeof(got));
	fake_now = 1000;
	d.base = event_base_new();
	ck_assert_ptr_nonnull(d.base);
	tctx = ctp_token_ctx_new();
	ck_assert_ptr_nonnull(tctx);
	cfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(cfd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(cfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	l = NULL;
}

static void
teardown(void)
{
	mn_listener_free(l);
	l = NULL;
	ctp_conf_free(d.conf);
	d.conf = NULL;
	event_base_free(d.base);
	ctp_token_ctx_free(tctx);
	close(cfd);
	cfd = -1;
}

static void
send_raw(const uint8_t *b, size_t len)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_eq(sendto(cfd, b, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)), (ssize_t)len);
}

/* A signed CTAR for MN 192.0.2.10 + i, other AR 192.0.2.1. */
static size_t
make_ctar(uint8_t *buf, size_t cap, uint32_t i, uint32_t seq, bool a)
{
	struct ctp_msg	 m;
	struct ctp_key	 k;
	size_t		 n;

	memset(&m, 0, sizeof(m));
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTAR;
	m.hdr.v4 = true;
	m.hdr.x = a;
	m.mn.len = 4;
	m.mn.b[0] = 192;
	m.mn.b[2] = 2;
	m.mn.b[3] = (uint8_t)(10 + i);
	m.ar.len = 4;
	m.ar.b[0] = 192;
	m.ar.b[2] = 2;
	m.ar.b[3] = 1;
	m.seq = seq;
	m.ncdbs = 1;
	m.cdbs[0].fpt = 0xff01;
	ck_assert_int_eq(ctp_key_set(&k, key_b, sizeof(key_b)), CTP_OK);
	ck_assert_int_eq(ctp_token_sign_ctar(tctx, &k, &m, buf, cap, &n),
	    CTP_OK);
	ctp_key_wipe(&k);
	return n;
}

static void
send_ctar(uint32_t i, uint32_t seq, bool a)
{
	uint8_t	 buf[128];

	send_raw(buf, make_ctar(buf, sizeof(buf), i, seq, a));
}

static json_int_t
counter(const char *name)
{
	json_t		*o = mn_listener_json(l), *v;
	json_int_t	 r;

	ck_assert_ptr_nonnull(o);
	v = json_object_get(json_object_get(o, "counters"), name);
	ck_assert_msg(v != NULL, "no counter %s", name);
	r = json_integer_value(v);
	json_decref(o);
	return r;
}

static uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until `received` reaches n (or 2 s pass). */
static void
pump(json_int_t n)
{
	uint64_t	 end = mono_ms() + 2000;

	while (counter("received") < n && mono_ms() < end) {
		event_base_loop(d.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	ck_assert_int_eq(counter("received"), n);
}

START_TEST(valid_ctar_delivered)
{
	struct sockaddr_in	 me, *from;
	socklen_t		 len = sizeof(me);
	json_t			*o;

	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	send_ctar(0, 0x01020304, true);
	pump(1);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.seq, 0x01020304);
	ck_assert_uint_eq(got.mn.len, 4);
	ck_assert_uint_eq(got.mn.b[3], 10);
	ck_assert(got.a);
	ck_assert(!got.src.icmp);
	/* The source is our socket; local is the listen address. */
	ck_assert_int_eq(getsockname(cfd, (struct sockaddr *)&me, &len), 0);
	from = (struct sockaddr_in *)&got.src.ss;
	ck_assert_int_eq(from->sin_family, AF_INET);
	ck_assert_uint_eq(from->sin_port, me.sin_port);
	ck_assert_uint_eq(got.src.local.len, 4);
	ck_assert_uint_eq(got.src.local.b[0], 127);
	ck_assert_int_eq(counter("delivered"), 1);
	o = mn_listener_json(l);
	ck_assert_str_eq(json_string_value(json_object_get(o, "transport")),
	    "udp");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "sockets")),
	    1);
	json_decref(o);
}
END_TEST

START_TEST(bad_input_counted_not_delivered)
{
	uint8_t		 buf[3000], ctaa[64];
	struct ctp_msg	 m;
	size_t		 n;

	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	/* Bad version. */
	n = make_ctar(buf, sizeof(buf), 0, 1, false);
	buf[0] = (uint8_t)((buf[0] & 0x1f) | 2 << 5);
	send_raw(buf, n);
	/* Truncated. */
	n = make_ctar(buf, sizeof(buf), 0, 2, false);
	send_raw(buf, n - 3);
	/* Empty datagram. */
	send_raw(buf, 0);
	/* A CTAA where a CTAR belongs. */
	memset(&m, 0, sizeof(m));
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTAA;
	m.hdr.v4 = true;
	m.mn.len = 4;
	ck_assert_int_eq(ctp_msg_encode(&m, ctaa, sizeof(ctaa), &n), CTP_OK);
	send_raw(ctaa, n);
	/* Oversized: above the listener's packet cap. */
	memset(buf, 0x10, sizeof(buf));
	send_raw(buf, sizeof(buf));
	/* And a good one behind them. */
	send_ctar(1, 3, false);
	pump(6);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.seq, 3);
	ck_assert_int_eq(counter("malformed"), 3);
	ck_assert_int_eq(counter("not_ctar"), 1);
	ck_assert_int_eq(counter("oversize"), 1);
	ck_assert_int_eq(counter("delivered"), 1);
}
END_TEST

/* Malformed input is logged with source, reason and offset, rate-limited. */
START_TEST(bad_input_logged_at_a_limited_rate)
{
	char		 tmpl[] = "/tmp/test_mn.XXXXXX", line[512], want[256];
	uint8_t		 buf[128];
	FILE		*f;
	size_t		 n;
	unsigned	 i, lines = 0, first = 0, suppressed = 0;
	int		 fd, saved;

	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	saved = dup(2);
	ck_assert_int_eq(dup2(fd, 2), 2);
	n = make_ctar(buf, sizeof(buf), 0, 1, false);
	buf[0] = (uint8_t)((buf[0] & 0x1f) | 3 << 5);
	for (i = 0; i < 30; i++)
		send_raw(buf, n);
	pump(30);
	/* A second later one more line, which reports what was held back. */
	fake_now += 1000;
	send_raw(buf, n);
	pump(31);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(counter("malformed"), 31);
	snprintf(want, sizeof(want), "mn source 127.0.0.1: malformed message: "
	    "%s at octet 0", ctp_strerror(CTP_ERR_VERSION));
	ck_assert((f = fdopen(fd, "r")) != NULL);
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "malformed message") == NULL)
			continue;
		lines++;
		if (strncmp(line, want, strlen(want)) == 0)
			first++;
		if (strstr(line, "20 similar lines suppressed") != NULL)
			suppressed++;
	}
	fclose(f);
	ck_assert_uint_eq(lines, 11);
	ck_assert_uint_eq(first, 11);
	ck_assert_uint_eq(suppressed, 1);
}
END_TEST

START_TEST(size_cap_from_config)
{
	uint8_t		 buf[512];
	struct ctp_msg	 m;
	struct ctp_key	 k;
	size_t		 n, i;

	/* max-message 64: a CTAR with 20 request CDBs (100 octets) is over. */
	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 64);
	ck_assert_ptr_nonnull(l);
	memset(&m, 0, sizeof(m));
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTAR;
	m.hdr.v4 = true;
	m.mn.len = m.ar.len = 4;
	m.ncdbs = 20;
	for (i = 0; i < m.ncdbs; i++)
		m.cdbs[i].fpt = (uint16_t)(0x100 + i);
	ck_assert_int_eq(ctp_key_set(&k, key_b, sizeof(key_b)), CTP_OK);
	ck_assert_int_eq(ctp_token_sign_ctar(tctx, &k, &m, buf, sizeof(buf),
	    &n), CTP_OK);
	ctp_key_wipe(&k);
	ck_assert_uint_gt(n, 64);
	send_raw(buf, n);
	send_ctar(0, 9, false);
	pump(2);
	ck_assert_int_eq(counter("oversize"), 1);
	ck_assert_uint_eq(got.n, 1);
}
END_TEST

START_TEST(rate_limits_before_callback)
{
	unsigned	 i;

	/* Per source 3/s: ten CTARs for ten MNs from one socket. */
	l = start("127.0.0.1", "1000/s", 1000, "3/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	for (i = 0; i < 10; i++)
		send_ctar(i, 100 + i, false);
	pump(10);
	ck_assert_uint_eq(got.n, 3);
	ck_assert_int_eq(counter("rate_source"), 7);
	/* A second later (fake clock) three more pass. */
	fake_now += 1000;
	for (i = 0; i < 5; i++)
		send_ctar(i, 200 + i, false);
	pump(15);
	ck_assert_uint_eq(got.n, 6);
	ck_assert_int_eq(counter("rate_source"), 9);
}
END_TEST

START_TEST(global_rate_and_per_mn)
{
	unsigned	 i;

	/* Global 1/s burst 4: exactly 4 (no random drop above 1/4 full). */
	l = start("127.0.0.1", "1/s", 4, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	for (i = 0; i < 8; i++)
		send_ctar(i, i, false);
	pump(8);
	ck_assert_uint_eq(got.n, 4);
	ck_assert_int_eq(counter("rate_global"), 4);
	mn_listener_free(l);
	ctp_conf_free(d.conf);
	d.conf = NULL;

	/* Per MN 2/s: one MN address, five requests. */
	memset(&got, 0, sizeof(got));
	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "2/s", 65532);
	ck_assert_ptr_nonnull(l);
	for (i = 0; i < 5; i++)
		send_ctar(0, i, false);
	pump(5);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(counter("rate_mn"), 3);
}
END_TEST

START_TEST(ctaa_reaches_sender)
{
	uint8_t		 buf[256];
	struct ctp_msg	 m;
	struct pollfd	 pfd;
	ssize_t		 n;

	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	got.answer = true;
	send_ctar(5, 77, true);
	pump(1);
	ck_assert_uint_eq(got.n, 1);
	pfd.fd = cfd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
	n = recv(cfd, buf, sizeof(buf), 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctp_msg_decode(buf, (size_t)n, NULL, &m, NULL),
	    CTP_OK);
	ck_assert_uint_eq(m.hdr.type, CTP_MSG_CTAA);
	ck_assert_uint_eq(m.mn.b[3], 15);
	ck_assert_uint_eq(m.nentries, 1);
	ck_assert_uint_eq(m.entries[0].fpt, 0xff02);
	ck_assert_uint_eq(m.entries[0].status, CTP_ST_NO_CONTEXT);
	ck_assert_int_eq(counter("ctaa_sent"), 1);
}
END_TEST

START_TEST(auth_failure_backoff)
{
	struct mn_src	 src;
	struct ctp_addr	 mn;

	l = start("127.0.0.1", "1000/s", 1000, "1000/s", "1000/s", 65532);
	ck_assert_ptr_nonnull(l);
	send_ctar(0, 1, false);
	pump(1);
	ck_assert_uint_eq(got.n, 1);
	src = got.src;
	mn = got.mn;
	mn_auth_failed(l, &src, &mn);
	ck_assert_int_eq(counter("auth_failed"), 1);
	/* Held off: same source, and the same MN. */
	send_ctar(0, 2, false);
	send_ctar(3, 3, false);
	pump(3);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_int_eq(counter("backoff_source"), 2);
	/* After the first hold-off (1 s) it passes again. */
	fake_now += 1000;
	send_ctar(0, 4, false);
	pump(4);
	ck_assert_uint_eq(got.n, 2);
	/* A success ends a hold-off at once. */
	mn_auth_failed(l, &src, &mn);
	mn_auth_failed(l, &src, &mn);
	mn_auth_ok(l, &src, &mn);
	send_ctar(0, 5, false);
	pump(5);
	ck_assert_uint_eq(got.n, 3);
}
END_TEST

START_TEST(reads_are_batched)
{
	unsigned	 i;
	uint64_t	 end;

	l = start("127.0.0.1", "100000/s", 100000, "100000/s", "100000/s",
	    65532);
	ck_assert_ptr_nonnull(l);
	for (i = 0; i < 100; i++)
		send_ctar(i % 50, i, false);
	/* Wait until the kernel has them all queued, then one pass. */
	usleep(50000);
	event_base_loop(d.base, EVLOOP_ONCE);
	ck_assert_int_eq(counter("received"), 64);
	end = mono_ms() + 2000;
	while (counter("received") < 100 && mono_ms() < end)
		event_base_loop(d.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert_int_eq(counter("received"), 100);
	ck_assert_uint_eq(got.n, 100);
}
END_TEST

START_TEST(bind_failure_is_an_error)
{
	/* 192.0.2.99 is not an address of this host. */
	l = start("192.0.2.99", "10/s", 20, "5/s", "2/s", 65532);
	ck_assert_ptr_null(l);
}
END_TEST

static Suite *
mn_suite(void)
{
	Suite	*s = suite_create("mn");
	TCase	*tc = tcase_create("udp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_ctar_delivered);
	tcase_add_test(tc, bad_input_counted_not_delivered);
	tcase_add_test(tc, bad_input_logged_at_a_limited_rate);
	tcase_add_test(tc, size_cap_from_config);
	tcase_add_test(tc, rate_limits_before_callback);
	tcase_add_test(tc, global_rate_and_per_mn);
	tcase_add_test(tc, ctaa_reaches_sender);
	tcase_add_test(tc, auth_failure_backoff);
	tcase_add_test(tc, reads_are_batched);
	tcase_add_test(tc, bind_failure_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(mn_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
