/* SPDX-License-Identifier: ISC */
/*
 * Message I/O of mode B channels (ctpd/sctp_msg.c).  The "pure" case runs
 * anywhere: which side connects, which messages are reliable.  The "sctp"
 * case needs kernel SCTP (the kernel lab runs it: CK_RUN_CASE=sctp): a
 * 64 KiB message reassembled through a 4 KiB receive buffer (FIELD-LESSONS
 * E), oversize and garbage messages resetting the channel, EOF, and the
 * user-space send queue with its bound.
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "sctp_msg.h"

/* ------------------------------------------------------------ pure */

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

START_TEST(test_initiator)
{
	struct ctp_conf		 c;
	struct ctp_conf_peer	 p;
	struct ctp_addr		 ra[2], pa[2];

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	c.router.addresses.v = ra;
	p.addresses.v = pa;
	/* The lowest address of each side decides, in any order. */
	addr("198.51.100.1", &ra[0]);
	addr("192.0.2.1", &ra[1]);
	addr("192.0.2.2", &pa[0]);
	addr("198.51.100.2", &pa[1]);
	c.router.addresses.n = 2;
	p.addresses.n = 2;
	ck_assert(sctp_msg_initiator(&c, &p));
	c.router.addresses.v = pa;
	p.addresses.v = ra;
	ck_assert(!sctp_msg_initiator(&c, &p));
	/* IPv4 (and IPv4-mapped) before IPv6. */
	addr("2001:db8::1", &ra[0]);
	addr("::ffff:192.0.2.9", &pa[0]);
	c.router.addresses.v = ra;
	p.addresses.v = pa;
	c.router.addresses.n = 1;
	p.addresses.n = 1;
	ck_assert(!sctp_msg_initiator(&c, &p));
	c.router.addresses.v = pa;
	p.addresses.v = ra;
	ck_assert(sctp_msg_initiator(&c, &p));
	/* No addresses: never connects. */
	p.addresses.n = 0;
	ck_assert(!sctp_msg_initiator(&c, &p));
}
END_TEST

START_TEST(test_reliable)
{
	static struct ctp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = CTP_MSG_CTD;
	m.ncdbs = 2;
	ck_assert(!sctp_msg_reliable(&m));
	m.cdbs[1].r = true;
	ck_assert(sctp_msg_reliable(&m));
	m.hdr.type = CTP_MSG_PCTD;
	ck_assert(sctp_msg_reliable(&m));
	/* Only context data is ever reliable (§8.3). */
	m.hdr.type = CTP_MSG_CTREQ;
	ck_assert(!sctp_msg_reliable(&m));
	m.hdr.type = CTP_MSG_CTDR;
	ck_assert(!sctp_msg_reliable(&m));
	m.hdr.type = CTP_MSG_CTD;
	m.ncdbs = 0;
	ck_assert(!sctp_msg_reliable(&m));
}
END_TEST

/* ------------------------------------------------------------ sctp */

#define MAXQ	(256u * 1024)	/* the send queue's bound here */

static struct event_base	*base;
static size_t			 nmsg, lastlen;
static uint8_t			 last[65536];
static int			 nclosed;
static bool			 lastreset;
static char			 reason[256];

static void
msg_cb(const uint8_t *buf, size_t len, void *arg)
{
	(void)arg;
	nmsg++;
	lastlen = len;
	memcpy(last, buf, len);
}

static void
closed_cb(bool reset, const char *why, void *arg)
{
	(void)arg;
	nclosed++;
	lastreset = reset;
	snprintf(reason, sizeof(reason), "%s", why);
}

static const struct sctp_msg_cbs	 cbs = { msg_cb, closed_cb };

static uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

#define WAIT(cond, ms)	do {						\
	uint64_t dl_ = mono_ms() + (ms);				\
	while (!(cond) && mono_ms() < dl_)				\
		event_base_loop(base, EVLOOP_ONCE);			\
} while (0)

static bool
sctp_here(void)
{
	int	 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)) == -1)
		return false;
	close(fd);
	return true;
}

/*
 * A connected pair on loopback: *cli blocking, *srv non-blocking (the
 * accepted end, SO_RCVBUF rcvbuf if not 0, set on the listener).
 */
static void
pair(int *cli, int *srv, int rcvbuf)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 l;

	ck_assert_int_ne(l = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP), -1);
	if (rcvbuf != 0)
		ck_assert_int_eq(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf)), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_ne(*cli = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP),
	    -1);
	ck_assert_int_eq(connect(*cli, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_ne(*srv = accept(l, NULL, NULL), -1);
	ck_assert_int_eq(fcntl(*srv, F_SETFL, O_NONBLOCK), 0);
	close(l);
}

/* A message of len octets whose Length field says len (or hlen). */
static void
fill(uint8_t *b, size_t len, size_t hlen)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 13 + 7);
	b[0] = (CTP_VERSION << 5) | CTP_MSG_CTC;
	b[1] = 0;
	b[2] = (uint8_t)(hlen >> 8);
	b[3] = (uint8_t)hlen;
}

/* Every wait is bounded: the tick makes each loop pass return. */
static struct event	*tick;

static void
setup(void)
{
	struct timeval	 tv = { 0, 5000 };

	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);
	nmsg = lastlen = 0;
	nclosed = 0;
	lastreset = false;
	reason[0] = '\0';
}

static void
teardown(void)
{
	event_free(tick);
	event_base_free(base);
}

static json_int_t
jcount(struct sctp_msg *m, const char *name)
{
	json_t		*o = sctp_msg_json(m);
	json_int_t	 v;

	ck_assert_msg(json_is_integer(json_object_get(o, name)), "%s", name);
	v = json_integer_value(json_object_get(o, name));
	json_decref(o);
	return v;
}

/* FIELD-LESSONS E: 64 KiB messages through a 4 KiB receive buffer. */
START_TEST(test_reassembly)
{
	static uint8_t	 b[65532];
	struct sctp_msg	*m;
	size_t		 i;
	int		 cli, srv, rb = 0;
	socklen_t	 sl = sizeof(rb);

	if (!sctp_here()) {
		fprintf(stdout, "test_reassembly: no SCTP in this kernel\n");
		return;
	}
	pair(&cli, &srv, 4096);
	ck_assert_int_eq(getsockopt(srv, SOL_SOCKET, SO_RCVBUF, &rb, &sl), 0);
	ck_assert_int_le(rb, 2 * 4096 + 4096);	/* Linux doubles it */
	m = sctp_msg_new(base, srv, 65535, MAXQ, 0, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	for (i = 0; i < 2; i++) {
		fill(b, sizeof(b), sizeof(b));
		b[10] = (uint8_t)i;
		ck_assert_int_eq(sctp_sendmsg(cli, b, sizeof(b), NULL, 0, 0, 0,
		    0, 0, 0), (int)sizeof(b));
		WAIT(nmsg == i + 1, 10000);
		ck_assert_uint_eq(nmsg, i + 1);
		ck_assert_uint_eq(lastlen, sizeof(b));
		ck_assert(memcmp(last, b, sizeof(b)) == 0);
	}
	/* Small ones behind it, each whole. */
	for (i = 0; i < 50; i++) {
		fill(b, 8 + i * 4, 8 + i * 4);
		ck_assert_int_eq(sctp_sendmsg(cli, b, 8 + i * 4, NULL, 0, 0, 0,
		    0, 0, 0), (int)(8 + i * 4));
	}
	WAIT(nmsg == 52, 10000);
	ck_assert_uint_eq(nmsg, 52);
	ck_assert_uint_eq(lastlen, 8 + 49 * 4);
	ck_assert_int_eq(jcount(m, "msgs_in"), 52);
	ck_assert_int_eq(nclosed, 0);
	/* The peer closes: reported once, not a reset. */
	close(cli);
	WAIT(nclosed > 0, 5000);
	ck_assert_int_eq(nclosed, 1);
	ck_assert(!lastreset);
	ck_assert_str_eq(reason, "association closed by the peer");
	sctp_msg_free(m);
}
END_TEST

START_TEST(test_oversize)
{
	static uint8_t	 b[2000];
	struct sctp_msg	*m;
	int		 cli, srv;

	if (!sctp_here())
		return;
	pair(&cli, &srv, 0);
	m = sctp_msg_new(base, srv, 1000, MAXQ, 0, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	fill(b, 1000, 1000);
	ck_assert_int_eq(sctp_sendmsg(cli, b, 1000, NULL, 0, 0, 0, 0, 0, 0),
	    1000);
	fill(b, 1001, 1001);
	ck_assert_int_eq(sctp_sendmsg(cli, b, 1001, NULL, 0, 0, 0, 0, 0, 0),
	    1001);
	WAIT(nclosed > 0, 5000);
	ck_assert_uint_eq(nmsg, 1);
	ck_assert_int_eq(nclosed, 1);
	ck_assert(lastreset);
	ck_assert_str_eq(reason, "channel reset: a message longer than 1000 "
	    "octets (limits.max-message)");
	ck_assert_int_eq(jcount(m, "oversize"), 1);
	sctp_msg_free(m);
	close(cli);
}
END_TEST

START_TEST(test_garbage)
{
	uint8_t		 b[64];
	struct sctp_msg	*m;
	int		 cli, srv;

	if (!sctp_here())
		return;
	pair(&cli, &srv, 0);
	m = sctp_msg_new(base, srv, 65535, MAXQ, 0, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	/* Two CXTP messages in one SCTP message: not mode B framing. */
	fill(b, 64, 32);
	ck_assert_int_eq(sctp_sendmsg(cli, b, 64, NULL, 0, 0, 0, 0, 0, 0), 64);
	WAIT(nclosed > 0, 5000);
	ck_assert_uint_eq(nmsg, 0);
	ck_assert(lastreset);
	ck_assert_str_eq(reason, "channel reset: an SCTP message of 64 octets "
	    "is not one CXTP message (Length 32)");
	ck_assert_int_eq(jcount(m, "garbage"), 1);
	sctp_msg_free(m);
	close(cli);
}
END_TEST

/*
 * The peer does not read: the socket fills, then the user-space queue up
 * to its bound (ENOBUFS); once the peer reads, everything queued arrives
 * in order (reliable messages are ordered).
 */
START_TEST(test_send_queue)
{
	static uint8_t	 b[60000], rb[65536];
	struct sctp_msg	*m;
	size_t		 sent = 0, got = 0;
	ssize_t		 n;
	int		 cli, srv, fl = 0, ok = 1;
	uint64_t	 dl;

	if (!sctp_here())
		return;
	pair(&cli, &srv, 0);
	m = sctp_msg_new(base, srv, 65535, MAXQ, 0, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	for (;;) {
		fill(b, sizeof(b), sizeof(b));
		b[4] = (uint8_t)(sent >> 8);
		b[5] = (uint8_t)sent;
		if (sctp_msg_send(m, b, sizeof(b), true, 0) == -1)
			break;
		sent++;
		ck_assert_uint_lt(sent, 1000);
	}
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_gt(sctp_msg_queued(m), MAXQ - sizeof(b) - 64);
	ck_assert_int_gt(jcount(m, "queued"), 0);
	/* Read everything on the other side while the loop writes. */
	ck_assert_int_eq(fcntl(cli, F_SETFL, O_NONBLOCK), 0);
	dl = mono_ms() + 20000;
	while (got < sent && mono_ms() < dl) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		fl = 0;
		n = sctp_recvmsg(cli, rb, sizeof(rb), NULL, 0, NULL, &fl);
		if (n == -1) {
			ck_assert_int_eq(errno, EAGAIN);
			usleep(1000);
			continue;
		}
		ck_assert(fl & MSG_EOR);
		if (n != (ssize_t)sizeof(b) ||
		    (size_t)(rb[4] << 8 | rb[5]) != got)
			ok = 0;
		got++;
	}
	ck_assert_uint_eq(got, sent);
	ck_assert(ok);
	ck_assert_uint_eq(sctp_msg_queued(m), 0);
	ck_assert_int_eq(jcount(m, "reliable"), (json_int_t)sent);
	ck_assert_int_eq(nclosed, 0);
	sctp_msg_free(m);
	close(cli);
}
END_TEST

/*
 * A message that may expire and waits in the user-space queue past its
 * lifetime is dropped there and counted; it never reaches the peer.
 */
START_TEST(test_queue_ttl)
{
	static uint8_t	 b[60000], rb[65536];
	uint8_t		 small[64];
	struct sctp_msg	*m;
	size_t		 sent = 0, got = 0, extra = 0;
	ssize_t		 n;
	int		 cli, srv, fl;
	uint64_t	 dl;

	if (!sctp_here())
		return;
	pair(&cli, &srv, 0);
	m = sctp_msg_new(base, srv, 65535, MAXQ, 0, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	/* Reliable messages until one has to wait in the queue. */
	fill(b, sizeof(b), sizeof(b));
	while (sctp_msg_queued(m) == 0) {
		ck_assert_int_eq(sctp_msg_send(m, b, sizeof(b), true, 0), 0);
		sent++;
		ck_assert_uint_lt(sent, 1000);
	}
	fill(small, sizeof(small), sizeof(small));
	ck_assert_int_eq(sctp_msg_send(m, small, sizeof(small), false, 50), 0);
	usleep(150 * 1000);
	ck_assert_int_eq(fcntl(cli, F_SETFL, O_NONBLOCK), 0);
	dl = mono_ms() + 20000;
	while ((got < sent || sctp_msg_queued(m) > 0) && mono_ms() < dl) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		fl = 0;
		n = sctp_recvmsg(cli, rb, sizeof(rb), NULL, 0, NULL, &fl);
		if (n == -1) {
			ck_assert_int_eq(errno, EAGAIN);
			usleep(1000);
			continue;
		}
		if (n == (ssize_t)sizeof(b))
			got++;
		else
			extra++;
	}
	ck_assert_uint_eq(got, sent);
	ck_assert_uint_eq(sctp_msg_queued(m), 0);
	WAIT(false, 100);
	fl = 0;
	n = sctp_recvmsg(cli, rb, sizeof(rb), NULL, 0, NULL, &fl);
	ck_assert_int_eq(n, -1);
	ck_assert_uint_eq(extra, 0);
	ck_assert_int_eq(jcount(m, "expired_in_queue"), 1);
	ck_assert_int_eq(jcount(m, "unordered_ttl"), 0);
	ck_assert_int_eq(jcount(m, "reliable"), (json_int_t)sent);
	ck_assert_int_eq(nclosed, 0);
	sctp_msg_free(m);
	close(cli);
}
END_TEST

/* Unordered with a lifetime: PR-SCTP negotiated, sent and counted. */
START_TEST(test_pr_sctp)
{
	uint8_t		 b[64], rb[128];
	struct sctp_msg	*m;
	json_t		*o;
	char		 why[256];
	int		 cli, srv, fl = 0;

	if (!sctp_here())
		return;
	pair(&cli, &srv, 0);
	if (sctp_msg_pr_check(srv, why, sizeof(why)) == -1)
		ck_abort_msg("%s", why);
	m = sctp_msg_new(base, srv, 65535, MAXQ, 5091, &cbs, NULL);
	ck_assert_ptr_nonnull(m);
	fill(b, sizeof(b), sizeof(b));
	ck_assert_int_eq(sctp_msg_send(m, b, sizeof(b), false, 500), 0);
	ck_assert_int_eq(sctp_recvmsg(cli, rb, sizeof(rb), NULL, 0, NULL,
	    &fl), (int)sizeof(b));
	ck_assert_int_eq(jcount(m, "unordered_ttl"), 1);
	ck_assert_int_eq(jcount(m, "abandoned_sent"), 0);
	o = sctp_msg_json(m);
	ck_assert(json_is_true(json_object_get(o, "pr_sctp")));
	json_decref(o);
	sctp_msg_free(m);
	close(cli);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sctp_msg");
	TCase	*tc = tcase_create("pure");
	SRunner	*sr;
	int	 nf;

	tcase_add_test(tc, test_initiator);
	tcase_add_test(tc, test_reliable);
	suite_add_tcase(s, tc);
	tc = tcase_create("sctp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reassembly);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_send_queue);
	tcase_add_test(tc, test_queue_ttl);
	tcase_add_test(tc, test_pr_sctp);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
