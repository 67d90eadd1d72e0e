/* SPDX-License-Identifier: ISC */
/*
 * Tests of the peer channels (ctpd/peer.c): routers on loopback addresses in
 * one process and one event loop, certificates made at run time, covering
 * framing, tie-break, reconnect storms, refusals with reasons, liveness of a
 * stopped peer (in a forked child), UDP mode, the SCTP refusals, and TLS
 * over SCTP where the kernel has SCTP (the "sctp" case, run in the kernel
 * lab: CK_RUN_CASE=sctp), and mode B, CXTP on SCTP under IPsec (the
 * "modeb" case, CK_RUN_CASE=modeb).
 */
#define _GNU_SOURCE		/* asprintf */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "certgen.h"
#include "ctpd.h"
#include "log.h"
#include "sctp_path.h"

#define LIVE_INTERVAL	100
#define LIVE_TIMEOUT	400
/*
 * The kernel-lab cases run in a guest that a busy host can stall for
 * longer than LIVE_TIMEOUT, with both routers in this one process: their
 * liveness is slower, so that only a dead channel goes down.
 */
#define LAB_LIVE_INTERVAL	500
#define LAB_LIVE_TIMEOUT	5000
static unsigned	live_interval = LIVE_INTERVAL;
static unsigned	live_timeout = LIVE_TIMEOUT;

static char			 dir[64];
static uint16_t			 port;
static struct event_base	*base;
static struct event		*tick;

struct node {
	struct ctpd		 d;
	struct peer_set		*ps;
	int			 ups, downs;
	size_t			 nmsg, nbig;
	uint32_t		 next_idx;
	bool			 order_ok;
	uint64_t		 sum;
	char			 down[256];
};

/* ------------------------------------------------------------ helpers */

static uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Every wait is bounded: the tick makes each loop pass return. */
#define WAIT(cond, ms)	do {						\
	uint64_t dl_ = mono_ms() + (ms);				\
	while (!(cond) && mono_ms() < dl_)				\
		event_base_loop(base, EVLOOP_ONCE);			\
} while (0)
#define RUN(ms)		WAIT(false, ms)

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char	 logpath[128];

/* Log lines go to a file per test so that the reasons can be asserted. */
static void
setup(void)
{
	struct timeval	 tv = { 0, 5000 };

	snprintf(logpath, sizeof(logpath), "%s/log.%d", dir, (int)getpid());
	ck_assert_ptr_nonnull(freopen(logpath, "w+", stderr));
	log_init("test_peer", true, LOGL_VERBOSE);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);
}

static void
teardown(void)
{
	event_free(tick);
	event_base_free(base);
}

static bool
log_has(const char *s)
{
	FILE	*f;
	char	 line[1024];
	bool	 found = false;

	fflush(stderr);
	if ((f = fopen(logpath, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, s) != NULL;
	fclose(f);
	return found;
}

static int
log_count(const char *s)
{
	FILE	*f;
	char	 line[1024];
	int	 n = 0;

	fflush(stderr);
	if ((f = fopen(logpath, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, s) != NULL)
			n++;
	fclose(f);
	return n;
}

static void
ev_up(struct peer *p, void *arg)
{
	struct node	*n = arg;

	(void)p;
	n->ups++;
}

static void
ev_down(struct peer *p, const char *reason, void *arg)
{
	struct node	*n = arg;

	(void)p;
	n->downs++;
	snprintf(n->down, sizeof(n->down), "%s", reason);
}

static void
ev_message(struct peer *p, const struct ctp_msg *m, const uint8_t *raw,
    size_t len, void *arg)
{
	struct node	*n = arg;
	uint32_t	 idx;
	size_t		 i;

	(void)p;
	n->nmsg++;
	if (len >= 60000)
		n->nbig++;
	for (i = 0; i < len; i++)
		n->sum = n->sum * 31 + raw[i];
	if (m->hdr.type == CTP_MSG_CTC && m->mn.len == 4) {
		idx = (uint32_t)m->mn.b[0] << 24 | (uint32_t)m->mn.b[1] << 16 |
		    (uint32_t)m->mn.b[2] << 8 | m->mn.b[3];
		if (idx != n->next_idx)
			n->order_ok = false;
		n->next_idx = idx + 1;
	}
}

static const struct peer_events events = { ev_up, ev_down, ev_message };

/*
 * Configuration of router `id` on addr with certificate `cert`; peers is
 * the YAML of its peers: list.
 */
static char *
conf_text(const char *id, const char *addr, const char *cert,
    const char *extra, const char *peers)
{
	char	*s;

	ck_assert_int_gt(asprintf(&s,
	    "router:\n  id: %s\n  addresses: [%s]\n  port: %u\n"
	    "mn:\n  transport: udp\n  listen: [%s]\n  udp-port: %u\n"
	    "tls:\n  certificate: %s/%s.crt\n  key: %s/%s.key\n"
	    "  ca: %s/ca.crt\n"
	    "timers:\n  liveness-interval: %ums\n  liveness-timeout: %ums\n"
	    "  reconnect-min: 20ms\n  reconnect-max: 200ms\n%s"
	    "peers:\n%s",
	    id, addr, port, addr, port + 1, dir, cert, dir, cert, dir,
	    live_interval, live_timeout, extra, peers), 0);
	return s;
}

static char *
tcp_peer(const char *name, const char *addr, const char *identity)
{
	char	*s;

	ck_assert_int_gt(asprintf(&s, "  - name: %s\n    addresses: [%s]\n"
	    "    port: %u\n    transport: tcp\n    security: tls\n"
	    "    identity: %s\n    access-prefixes: [10.%c.0.0/16]\n",
	    name, addr, port, identity, name[2]), 0);
	return s;
}

static void
node_init_base(struct node *n, struct event_base *b, const char *id,
    const char *addr, const char *cert, const char *extra, const char *peers)
{
	struct ctp_conf_diag	 diag;
	char			*text;
	size_t			 i;

	memset(n, 0, sizeof(*n));
	n->order_ok = true;
	text = conf_text(id, addr, cert, extra, peers);
	ctp_conf_diag_init(&diag);
	if (ctp_conf_parse(id, (const uint8_t *)text, strlen(text), 0,
	    &n->d.conf, &diag) != 0) {
		for (i = 0; i < diag.n; i++)
			fprintf(stdout, "%s\n", diag.v[i].text);
		ck_abort_msg("configuration of %s does not parse", id);
	}
	ctp_conf_diag_free(&diag);
	free(text);
	n->d.base = b;
	ctp_limits_default(&n->d.limits);
	n->d.limits.max_msg = n->d.conf->limits.max_message;
	n->ps = peer_set_new(&n->d, &events, n);
	ck_assert_ptr_nonnull(n->ps);
	n->d.peers = n->ps;
	ck_assert_int_eq(peer_set_start(n->ps), 0);
}

static void
node_init(struct node *n, const char *id, const char *addr, const char *cert,
    const char *peers)
{
	node_init_base(n, base, id, addr, cert, "", peers);
}

static void
node_free(struct node *n)
{
	peer_set_free(n->ps);
	n->ps = NULL;
	ctp_conf_free(n->d.conf);
	n->d.conf = NULL;
}

/* A pair: ar1 on 127.0.0.1 and ar2 on 127.0.0.2, certificates as given. */
static void
pair_init(struct node *a, struct node *b, const char *cert_b)
{
	char	*pa, *pb;

	pa = tcp_peer("ar2", "127.0.0.2", "ar2.test");
	pb = tcp_peer("ar1", "127.0.0.1", "ar1.test");
	node_init(a, "ar1", "127.0.0.1", "ar1", pa);
	node_init(b, "ar2", "127.0.0.2", cert_b, pb);
	free(pa);
	free(pb);
}

/* Peer 0's JSON object in n's `show peers`; caller decrefs the root. */
static json_t *
pjson(struct node *n, json_t **root)
{
	*root = peer_set_json(n->ps);
	ck_assert_ptr_nonnull(*root);
	return json_array_get(json_object_get(*root, "peers"), 0);
}

static json_int_t
pcount(struct node *n, const char *name)
{
	json_t		*root, *p;
	json_int_t	 v;

	p = pjson(n, &root);
	v = json_integer_value(json_object_get(json_object_get(p, "counters"),
	    name));
	json_decref(root);
	return v;
}

static json_int_t
pint(struct node *n, const char *name)
{
	json_t		*root, *p;
	json_int_t	 v;

	p = pjson(n, &root);
	v = json_integer_value(json_object_get(p, name));
	json_decref(root);
	return v;
}

static json_int_t
setcount(struct node *n, const char *name)
{
	json_t		*root;
	json_int_t	 v;

	root = peer_set_json(n->ps);
	v = json_integer_value(json_object_get(root, name));
	json_decref(root);
	return v;
}

/* Copy of a string member of peer 0 ("" if null). */
static const char *
pstr(struct node *n, const char *name)
{
	static char	 buf[512];
	json_t		*root, *p;
	const char	*s;

	p = pjson(n, &root);
	s = json_string_value(json_object_get(p, name));
	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
	json_decref(root);
	return buf;
}

static bool
up(struct node *n)
{
	return peer_is_up(peer_at(n->ps, 0));
}

/* Both up with exactly one connection each, and it is the same one. */
static bool
one_channel(struct node *a, struct node *b)
{
	json_t	*ra, *rb, *pa, *pb, *ca, *cb;
	bool	 ok;

	if (!up(a) || !up(b))
		return false;
	pa = pjson(a, &ra);
	pb = pjson(b, &rb);
	ca = json_object_get(pa, "channel");
	cb = json_object_get(pb, "channel");
	ok = json_integer_value(json_object_get(pa, "connections")) == 1 &&
	    json_integer_value(json_object_get(pb, "connections")) == 1 &&
	    json_is_object(ca) && json_is_object(cb) &&
	    strcmp(json_string_value(json_object_get(ca, "local")),
	    json_string_value(json_object_get(cb, "remote"))) == 0 &&
	    strcmp(json_string_value(json_object_get(ca, "remote")),
	    json_string_value(json_object_get(cb, "local"))) == 0;
	json_decref(ra);
	json_decref(rb);
	return ok;
}

static size_t
enc_ctc(uint32_t idx, uint8_t *buf, size_t cap)
{
	static struct ctp_msg	 m;
	size_t			 len = 0;

	memset(&m, 0, sizeof(m));
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTC;
	m.hdr.v4 = true;
	m.mn.len = 4;
	m.mn.b[0] = idx >> 24;
	m.mn.b[1] = idx >> 16;
	m.mn.b[2] = idx >> 8;
	m.mn.b[3] = idx;
	ck_assert_int_eq(ctp_msg_encode(&m, buf, cap, &len), CTP_OK);
	return len;
}

/* A CTD of about 63 KiB: 31 CDBs of 2040 octets of an unknown FPT. */
static size_t
enc_big(uint8_t *buf, size_t cap, uint8_t seed)
{
	static struct ctp_msg	 m;
	static uint8_t		 data[2036];
	size_t			 i, len = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + seed);
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTD;
	m.hdr.v4 = true;
	m.mn.len = 4;
	m.mn.b[0] = 10;
	m.ncdbs = 31;
	for (i = 0; i < m.ncdbs; i++) {
		m.cdbs[i].fpt = 0x7000;
		m.cdbs[i].data = data;
		m.cdbs[i].data_len = sizeof(data);
	}
	ck_assert_int_eq(ctp_msg_encode(&m, buf, cap, &len), CTP_OK);
	ck_assert_uint_gt(len, 60000);
	return len;
}

static uint64_t
sum_of(uint64_t sum, const uint8_t *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		sum = sum * 31 + b[i];
	return sum;
}

/* ------------------------------------------------------------ tests */

START_TEST(test_up_messages)
{
	struct node	 a, b;
	static uint8_t	 buf[CTP_MSG_MAX];
	uint64_t	 sum_b = 0, sum_a = 0;
	size_t		 len, i;
	uint32_t	 n = 2000;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	ck_assert_msg(one_channel(&a, &b), "a: %s / b: %s",
	    pstr(&a, "last_error"), pstr(&b, "last_error"));
	ck_assert_int_eq(a.ups, 1);
	ck_assert_int_eq(b.ups, 1);
	ck_assert_uint_ge(peer_set_handshakes(a.ps), 1);
	ck_assert_uint_ge(peer_set_handshakes(b.ps), 1);
	ck_assert_str_eq(pstr(&a, "state"), "UP");
	ck_assert(peer_confidential(peer_at(a.ps, 0)));

	/* Many small messages queued in one pass, then two large ones. */
	for (i = 0; i < n; i++) {
		len = enc_ctc((uint32_t)i, buf, sizeof(buf));
		sum_b = sum_of(sum_b, buf, len);
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	for (i = 0; i < 2; i++) {
		len = enc_big(buf, sizeof(buf), (uint8_t)i);
		sum_b = sum_of(sum_b, buf, len);
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	len = enc_big(buf, sizeof(buf), 9);
	sum_a = sum_of(sum_a, buf, len);
	ck_assert_int_eq(peer_send(peer_at(b.ps, 0), buf, len), 0);
	WAIT(b.nmsg == n + 2 && a.nmsg == 1, 5000);
	ck_assert_uint_eq(b.nmsg, n + 2);
	ck_assert_uint_eq(b.nbig, 2);
	ck_assert(b.order_ok);
	ck_assert_uint_eq(b.sum, sum_b);
	ck_assert_uint_eq(a.nmsg, 1);
	ck_assert_uint_eq(a.sum, sum_a);
	ck_assert_int_eq(pcount(&b, "msgs_in"), n + 2);
	ck_assert_int_eq(pcount(&a, "msgs_out"), n + 2);
	ck_assert_int_eq(pcount(&b, "malformed"), 0);

	/* Liveness echoes flow and are never delivered. */
	RUN(3 * LIVE_INTERVAL);
	ck_assert(one_channel(&a, &b));
	ck_assert_uint_eq(b.nmsg, n + 2);
	ck_assert_int_eq(a.downs + b.downs, 0);

	/* Lookups. */
	{
		struct ctp_addr	 x = { 4, { 127, 0, 0, 2 } };
		struct ctp_addr	 m6 = { 16, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0xff, 0xff, 127, 0, 0, 2 } };
		struct ctp_addr	 mn = { 4, { 10, 2, 3, 4 } };

		ck_assert_ptr_eq(peer_by_addr(a.ps, &x), peer_at(a.ps, 0));
		ck_assert_ptr_eq(peer_by_addr(a.ps, &m6), peer_at(a.ps, 0));
		ck_assert_ptr_eq(peer_by_mn(a.ps, &mn), peer_at(a.ps, 0));
		ck_assert_ptr_eq(peer_by_name(a.ps, "ar2"), peer_at(a.ps, 0));
		ck_assert_ptr_null(peer_by_name(a.ps, "ar9"));
		ck_assert_uint_eq(peer_count(a.ps), 1);
		ck_assert_str_eq(peer_name(peer_at(a.ps, 0)), "ar2");
	}
	node_free(&a);
	node_free(&b);
}
END_TEST

START_TEST(test_malformed_skipped)
{
	struct node	 a, b;
	uint8_t		 buf[64];
	static const uint8_t bad_ver[8] = { 0x46, 0, 0, 8, 1, 2, 3, 4 };
	static const uint8_t bad_type[8] = { 0x29, 0, 0, 8, 1, 2, 3, 4 };
	static const uint8_t bad_body[12] = { 0x26, 0x80, 0, 12, 1, 2, 3, 4,
	    5, 6, 7, 8 };
	size_t		 len;
	int		 i;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	ck_assert(one_channel(&a, &b));
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), bad_ver, 8), 0);
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), bad_type, 8), 0);
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), bad_body, 12), 0);
	len = enc_ctc(0, buf, sizeof(buf));
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	WAIT(b.nmsg == 1, 2000);
	ck_assert_uint_eq(b.nmsg, 1);
	ck_assert_int_eq(pcount(&b, "malformed"), 3);
	ck_assert_int_eq(pcount(&b, "framing_lost"), 0);
	ck_assert(one_channel(&a, &b));
	ck_assert_int_eq(b.downs, 0);
	ck_assert(log_has("skipped a malformed message"));

	/* A flood of them: all counted, the log lines rate-limited. */
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), bad_type, 8), 0);
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	WAIT(b.nmsg == 2, 2000);
	ck_assert_uint_eq(b.nmsg, 2);
	ck_assert_int_eq(pcount(&b, "malformed"), 203);
	ck_assert_int_le(log_count("skipped a malformed message"), 12);
	ck_assert(one_channel(&a, &b));
	node_free(&a);
	node_free(&b);
}
END_TEST

START_TEST(test_framing_lost)
{
	struct node	 a, b;
	static const uint8_t short_len[4] = { 0x26, 0, 0, 2 };
	uint64_t	 hs;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	ck_assert(one_channel(&a, &b));
	hs = peer_set_handshakes(b.ps);
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), short_len, 4), 0);
	WAIT(b.downs == 1, 2000);
	ck_assert_int_eq(b.downs, 1);
	ck_assert_msg(strstr(b.down, "framing lost") != NULL, "%s", b.down);
	ck_assert_int_eq(pcount(&b, "framing_lost"), 1);
	/* The channel comes back by itself. */
	WAIT(one_channel(&a, &b) && a.ups == 2 && b.ups == 2, 3000);
	ck_assert(one_channel(&a, &b));
	ck_assert_int_eq(b.ups, 2);
	ck_assert_int_eq(a.downs, 1);
	ck_assert_uint_gt(peer_set_handshakes(b.ps), hs);
	ck_assert_int_eq(pcount(&b, "reconnects"), 1);
	node_free(&a);
	node_free(&b);
}
END_TEST

/* Both start in the same loop pass, ten times: one channel each time. */
START_TEST(test_simultaneous)
{
	struct node	 a, b;
	int		 round;

	for (round = 0; round < 10; round++) {
		pair_init(&a, &b, "ar2");
		WAIT(one_channel(&a, &b), 3000);
		RUN(300);
		ck_assert_msg(one_channel(&a, &b), "round %d: %s / %s", round,
		    pstr(&a, "last_error"), pstr(&b, "last_error"));
		/* No flapping on the way: one up on each side, no down. */
		ck_assert_int_eq(a.ups, 1);
		ck_assert_int_eq(b.ups, 1);
		ck_assert_int_eq(a.downs + b.downs, 0);
		ck_assert_uint_le(peer_set_handshakes(a.ps), 2);
		ck_assert_uint_le(peer_set_handshakes(b.ps), 2);
		node_free(&a);
		node_free(&b);
		RUN(20);
	}
}
END_TEST

/*
 * The two configurations order the addresses so that each router believes
 * its own address is the higher one: the tie-break must still agree.
 */
START_TEST(test_simultaneous_skewed)
{
	struct node	 a, b;
	char		*pa, *pb;
	int		 round;

	pa = tcp_peer("ar2", "127.0.0.2", "ar2.test");
	pb = tcp_peer("ar1", "127.0.0.1, 127.0.0.3", "ar1.test");
	for (round = 0; round < 10; round++) {
		node_init(&a, "ar1", "127.0.0.3, 127.0.0.1", "ar1", pa);
		node_init(&b, "ar2", "127.0.0.2", "ar2", pb);
		WAIT(one_channel(&a, &b), 3000);
		RUN(300);
		ck_assert_msg(one_channel(&a, &b), "round %d: %s / %s", round,
		    pstr(&a, "last_error"), pstr(&b, "last_error"));
		ck_assert_int_eq(a.ups, 1);
		ck_assert_int_eq(b.ups, 1);
		ck_assert_int_eq(a.downs + b.downs, 0);
		/* at most both connections, never a second round */
		ck_assert_uint_le(peer_set_handshakes(a.ps), 2);
		ck_assert_uint_le(peer_set_handshakes(b.ps), 2);
		node_free(&a);
		node_free(&b);
		RUN(20);
	}
	free(pa);
	free(pb);
}
END_TEST

/* ar2 closes and comes back 50 times quickly; ar1 ends with one channel. */
START_TEST(test_reconnect_storm)
{
	struct node	 a, b;
	char		*pb;
	int		 i, fds0, fds1;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	ck_assert(one_channel(&a, &b));
	fds0 = count_fds();
	pb = tcp_peer("ar1", "127.0.0.1", "ar1.test");
	for (i = 0; i < 50; i++) {
		node_free(&b);
		node_init(&b, "ar2", "127.0.0.2", "ar2", pb);
		RUN(i % 5 == 0 ? 60 : i % 7);
	}
	free(pb);
	WAIT(one_channel(&a, &b), 5000);
	RUN(300);
	ck_assert_msg(one_channel(&a, &b), "%s / %s", pstr(&a, "last_error"),
	    pstr(&b, "last_error"));
	ck_assert_int_eq(a.ups - a.downs, 1);
	fds1 = count_fds();
	ck_assert_int_eq(fds1, fds0);
	ck_assert_int_eq(pint(&a, "connections"), 1);
	node_free(&a);
	node_free(&b);
}
END_TEST

static void
refused(const char *cert_b, const char *a_reason)
{
	struct node	 a, b;

	pair_init(&a, &b, cert_b);
	WAIT(strstr(pstr(&a, "last_error"), a_reason) != NULL &&
	    strstr(pstr(&b, "last_error"), "refused the handshake") != NULL,
	    3000);
	ck_assert_msg(strstr(pstr(&a, "last_error"), a_reason) != NULL,
	    "ar1: %s", pstr(&a, "last_error"));
	ck_assert_msg(strstr(pstr(&b, "last_error"), "refused the handshake") !=
	    NULL, "ar2: %s", pstr(&b, "last_error"));
	RUN(300);
	ck_assert_int_eq(a.ups, 0);
	ck_assert_int_eq(b.ups, 0);
	ck_assert(!up(&a) && !up(&b));
	ck_assert(log_has(a_reason));
	ck_assert(log_has("peer ar2: "));
	ck_assert(log_has("peer ar1: "));
	node_free(&a);
	node_free(&b);
}

START_TEST(test_wrong_identity)
{
	refused("ar2-wrong", "does not name the configured identity");
}
END_TEST

START_TEST(test_untrusted_ca)
{
	refused("ar2-otherca", "not issued by the configured CA");
}
END_TEST

START_TEST(test_expired)
{
	refused("ar2-expired", "certificate has expired");
}
END_TEST

START_TEST(test_unconfigured_source)
{
	struct node		 a, b;
	struct sockaddr_in	 sin;
	char			 c;
	int			 fd;
	ssize_t			 n;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.9", &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	WAIT(setcount(&a, "unknown_sources") == 1, 2000);
	ck_assert_int_eq(setcount(&a, "unknown_sources"), 1);
	/* Closed without one byte sent. */
	n = recv(fd, &c, 1, 0);
	ck_assert_int_le(n, 0);
	close(fd);
	ck_assert(log_has("refused connection from 127.0.0.9"));
	ck_assert(one_channel(&a, &b));
	node_free(&a);
	node_free(&b);
}
END_TEST

static int
connect_from(const char *src)
{
	struct sockaddr_in	 sin;
	int			 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, src, &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/*
 * From a configured peer's address: a connection reset before a byte is
 * read, and one that never starts TLS.  Neither disturbs the channel; the
 * silent one is closed at the handshake deadline.
 */
START_TEST(test_junk_connections)
{
	struct node	 a, b;
	struct linger	 lg = { 1, 0 };
	uint64_t	 t0;
	ssize_t		 n;
	char		 c;
	int		 fd, fds0;

	pair_init(&a, &b, "ar2");
	WAIT(one_channel(&a, &b), 3000);
	ck_assert(one_channel(&a, &b));
	fds0 = count_fds();
	fd = connect_from("127.0.0.2");
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof(lg)), 0);
	close(fd);
	fd = connect_from("127.0.0.2");
	t0 = mono_ms();
	WAIT(pint(&a, "connections") == 2, 1000);
	ck_assert_int_eq(pint(&a, "connections"), 2);
	ck_assert_str_eq(pstr(&a, "state"), "UP");
	WAIT(pint(&a, "connections") == 1, 3000);
	ck_assert_int_eq(pint(&a, "connections"), 1);
	ck_assert_uint_ge(mono_ms() - t0, 900);	/* max(timeout, 1 s) */
	n = recv(fd, &c, 1, 0);
	ck_assert_int_le(n, 0);
	close(fd);
	ck_assert(log_has("TLS handshake timed out"));
	ck_assert(one_channel(&a, &b));
	ck_assert_int_eq(a.downs + b.downs, 0);
	ck_assert_int_eq(count_fds(), fds0);
	node_free(&a);
	node_free(&b);
}
END_TEST

/*
 * An independent TLS client from 127.0.0.2 with ar2's certificate, driven
 * non-blocking beside the loop.  Returns the SSL after a completed handshake
 * (fd in *fdp), or NULL with OpenSSL's reason in why.
 */
static SSL *
probe(SSL_CTX **ctxp, int maxver, bool alpn, int *fdp, char *why, size_t len)
{
	SSL_CTX		*ctx;
	SSL		*ssl;
	uint64_t	 dl = mono_ms() + 2000;
	unsigned long	 e;
	int		 r, fd;

	ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(ctx);
	SSL_CTX_set_max_proto_version(ctx, maxver);
	{
		char	 p[128];

		snprintf(p, sizeof(p), "%s/ar2.crt", dir);
		ck_assert_int_eq(SSL_CTX_use_certificate_file(ctx, p,
		    SSL_FILETYPE_PEM), 1);
		snprintf(p, sizeof(p), "%s/ar2.key", dir);
		ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, p,
		    SSL_FILETYPE_PEM), 1);
		snprintf(p, sizeof(p), "%s/ca.crt", dir);
		ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, p, NULL),
		    1);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	ssl = SSL_new(ctx);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_eq(SSL_set1_host(ssl, "ar1.test"), 1);
	if (alpn)
		SSL_set_alpn_protos(ssl, (const unsigned char *)"\6ctpd/1", 7);
	fd = connect_from("127.0.0.2");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	SSL_set_fd(ssl, fd);
	while ((r = SSL_connect(ssl)) != 1 && mono_ms() < dl) {
		e = (unsigned long)SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		event_base_loop(base, EVLOOP_ONCE);
	}
	*ctxp = ctx;
	*fdp = fd;
	if (r == 1)
		return ssl;
	e = ERR_peek_last_error();
	snprintf(why, len, "%s", e != 0 && ERR_reason_error_string(e) ?
	    ERR_reason_error_string(e) : "?");
	SSL_free(ssl);
	close(fd);
	return NULL;
}

/* Read exactly len octets from ssl while the loop runs. */
static bool
probe_read(SSL *ssl, uint8_t *buf, size_t len)
{
	uint64_t	 dl = mono_ms() + 2000;
	size_t		 got = 0;
	int		 r;

	while (got < len && mono_ms() < dl) {
		r = SSL_read(ssl, buf + got, (int)(len - got));
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		r = SSL_get_error(ssl, r);
		if (r != SSL_ERROR_WANT_READ && r != SSL_ERROR_WANT_WRITE)
			return false;
		event_base_loop(base, EVLOOP_ONCE);
	}
	return got == len;
}

/*
 * The server side as another TLS stack sees it: TLS 1.2 and a missing ALPN
 * are refused; TLS 1.3 with ALPN gets the echo request (type 31, X=0,
 * Length 8) and becomes the channel once it answers; no compression, no
 * session ticket.
 */
START_TEST(test_tls_policy)
{
	struct node	 a;
	SSL_CTX		*ctx;
	SSL		*ssl;
	char		*pa, why[256];
	uint8_t		 f[8];
	const unsigned char *sel;
	unsigned int	 nsel;
	int		 fd;

	pa = tcp_peer("ar2", "127.0.0.2", "ar2.test");
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	free(pa);
	RUN(50);

	ssl = probe(&ctx, TLS1_2_VERSION, true, &fd, why, sizeof(why));
	ck_assert_msg(ssl == NULL, "TLS 1.2 accepted: %s", ssl != NULL ?
	    SSL_get_version(ssl) : "");
	ck_assert_msg(strstr(why, "protocol version") != NULL, "%s", why);
	SSL_CTX_free(ctx);

	/*
	 * Without ALPN the server's selection callback never runs; a TLS 1.3
	 * client finishes first, then the connection is closed unused.
	 */
	ssl = probe(&ctx, TLS1_3_VERSION, false, &fd, why, sizeof(why));
	if (ssl != NULL) {
		ck_assert(!probe_read(ssl, f, 1));
		SSL_free(ssl);
		close(fd);
	}
	ck_assert(log_has("peer did not negotiate ALPN ctpd/1"));
	ck_assert(!up(&a));
	SSL_CTX_free(ctx);

	ssl = probe(&ctx, TLS1_3_VERSION, true, &fd, why, sizeof(why));
	ck_assert_msg(ssl != NULL, "%s", why);
	ck_assert_int_eq(SSL_version(ssl), TLS1_3_VERSION);
	SSL_get0_alpn_selected(ssl, &sel, &nsel);
	ck_assert_uint_eq(nsel, 6);
	ck_assert(memcmp(sel, "ctpd/1", 6) == 0);
	ck_assert_ptr_null(SSL_get_current_compression(ssl));
	ck_assert(probe_read(ssl, f, sizeof(f)));
	ck_assert_uint_eq(f[0], (1 << 5) | 31);
	ck_assert_uint_eq(f[1], 0);
	ck_assert_uint_eq(f[2] << 8 | f[3], 8);
	ck_assert(!up(&a));
	ck_assert_int_eq(SSL_SESSION_is_resumable(SSL_get0_session(ssl)), 0);
	f[1] = 0x40;			/* the reply confirms the channel */
	ck_assert_int_eq(SSL_write(ssl, f, sizeof(f)), (int)sizeof(f));
	WAIT(up(&a), 1000);
	ck_assert(up(&a));
	ck_assert_int_eq(a.ups, 1);
	/* It echoes our request and delivers nothing. */
	f[1] = 0;
	f[4] ^= 0x5a;
	ck_assert_int_eq(SSL_write(ssl, f, sizeof(f)), (int)sizeof(f));
	{
		uint8_t	 g[8];

		do {
			ck_assert(probe_read(ssl, g, sizeof(g)));
		} while (g[1] == 0);		/* skip its own requests */
		ck_assert_uint_eq(g[1], 0x40);
		ck_assert(memcmp(g + 4, f + 4, 4) == 0);
	}
	ck_assert_uint_eq(a.nmsg, 0);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	WAIT(a.downs == 1, 1000);
	ck_assert_int_eq(a.downs, 1);
	node_free(&a);
}
END_TEST

/* ar2 is absent at first: ar1 retries with back-off, then comes up. */
START_TEST(test_peer_absent)
{
	struct node	 a, b;
	char		*pa, *pb;
	json_int_t	 n;

	pa = tcp_peer("ar2", "127.0.0.2", "ar2.test");
	pb = tcp_peer("ar1", "127.0.0.1", "ar1.test");
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	RUN(1000);
	/* reconnect-min 20ms, max 200ms: about 6-9 tries, not 50 */
	n = pcount(&a, "connects");
	ck_assert_int_ge(n, 4);
	ck_assert_int_le(n, 15);
	ck_assert_msg(strstr(pstr(&a, "last_error"), "Connection refused") !=
	    NULL, "%s", pstr(&a, "last_error"));
	/* At warning level once; the repeats at verbose level only. */
	ck_assert_int_eq(log_count("Connection refused") -
	    log_count("Connection refused (again)"), 1);
	ck_assert_str_ne(pstr(&a, "state"), "UP");
	node_init(&b, "ar2", "127.0.0.2", "ar2", pb);
	WAIT(one_channel(&a, &b), 1000);
	ck_assert(one_channel(&a, &b));
	ck_assert_str_eq(pstr(&a, "last_error"), "");
	free(pa);
	free(pb);
	node_free(&a);
	node_free(&b);
}
END_TEST

/* ar2 runs in a child that gets SIGSTOP: ar1 declares it down in time. */
START_TEST(test_stalled_peer)
{
	struct node	 a, b;
	struct event_base *cb;
	char		*pa, *pb;
	uint64_t	 t0, dt;
	pid_t		 pid;
	int		 st;

	pa = tcp_peer("ar2", "127.0.0.2", "ar2.test");
	pb = tcp_peer("ar1", "127.0.0.1", "ar1.test");
	if ((pid = fork()) == 0) {
		alarm(20);
		if ((cb = event_base_new()) == NULL)
			_exit(1);
		node_init_base(&b, cb, "ar2", "127.0.0.2", "ar2", "", pb);
		event_base_dispatch(cb);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	WAIT(up(&a), 3000);
	ck_assert_msg(up(&a), "%s", pstr(&a, "last_error"));
	RUN(2 * LIVE_INTERVAL);
	ck_assert(up(&a));
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	t0 = mono_ms();
	WAIT(a.downs == 1, 3000);
	dt = mono_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ck_assert_int_eq(a.downs, 1);
	ck_assert_msg(dt <= LIVE_TIMEOUT + LIVE_INTERVAL + 250,
	    "stall detected after %llu ms", (unsigned long long)dt);
	ck_assert_msg(strstr(a.down, "liveness") != NULL, "%s", a.down);
	ck_assert_int_eq(pcount(&a, "liveness_failures"), 1);
	/* Reconnect starts by itself. */
	WAIT(pcount(&a, "connects") >= 2, 2000);
	ck_assert_int_ge(pcount(&a, "connects"), 2);
	free(pa);
	free(pb);
	node_free(&a);
}
END_TEST

START_TEST(test_udp)
{
	struct node		 a, b;
	struct sockaddr_in	 sin;
	uint8_t			 buf[64];
	char			*pa, *pb;
	size_t			 len;
	int			 fd;

	ck_assert_int_gt(asprintf(&pa, "  - name: ar2\n    addresses: "
	    "[127.0.0.2]\n    port: %u\n    transport: udp\n"
	    "    security: ipsec\n", port), 0);
	ck_assert_int_gt(asprintf(&pb, "  - name: ar1\n    addresses: "
	    "[127.0.0.1]\n    port: %u\n    transport: udp\n"
	    "    security: ipsec\n    confidential: true\n", port), 0);
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	node_init(&b, "ar2", "127.0.0.2", "ar2", pb);
	WAIT(up(&a) && up(&b), 2000);
	ck_assert(up(&a) && up(&b));
	ck_assert_str_eq(pstr(&a, "transport"), "udp");
	ck_assert(!peer_confidential(peer_at(a.ps, 0)));
	ck_assert(peer_confidential(peer_at(b.ps, 0)));

	len = enc_ctc(0, buf, sizeof(buf));
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	WAIT(b.nmsg == 1, 2000);
	ck_assert_uint_eq(b.nmsg, 1);
	ck_assert_int_eq(peer_send(peer_at(b.ps, 0), buf, len), 0);
	WAIT(a.nmsg == 1, 2000);
	ck_assert_uint_eq(a.nmsg, 1);

	/* PCTD only on a confidential channel. */
	buf[0] = (CTP_VERSION << 5) | CTP_MSG_PCTD;
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), -1);
	ck_assert_int_eq(pcount(&a, "refused"), 1);
	ck_assert(log_has("refused to send PCTD"));
	ck_assert_int_eq(peer_send(peer_at(b.ps, 0), buf, len), 0);
	WAIT(a.nmsg == 2 || pcount(&a, "malformed") == 1, 2000);
	ck_assert_int_eq(pcount(&a, "malformed"), 1);	/* not a real PCTD */

	/* A datagram from an unconfigured source is dropped and counted. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.9", &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	sin.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	len = enc_ctc(1, buf, sizeof(buf));
	ck_assert_int_eq(sendto(fd, buf, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)), (ssize_t)len);
	WAIT(setcount(&a, "udp_unknown_sources") == 1, 2000);
	ck_assert_int_eq(setcount(&a, "udp_unknown_sources"), 1);
	ck_assert_uint_eq(a.nmsg, 1);
	close(fd);
	free(pa);
	free(pb);
	node_free(&a);
	node_free(&b);
}
END_TEST

static bool
all_up(struct node *n)
{
	size_t	 i;

	for (i = 0; i < peer_count(n->ps); i++)
		if (!peer_is_up(peer_at(n->ps, i)))
			return false;
	return true;
}

/* Connections of peer i of n, from `show peers`. */
static json_int_t
conns_of(struct node *n, size_t i)
{
	json_t		*root;
	json_int_t	 v;

	root = peer_set_json(n->ps);
	v = json_integer_value(json_object_get(json_array_get(
	    json_object_get(root, "peers"), i), "connections"));
	json_decref(root);
	return v;
}

/* Three routers in a triangle; one leaves, the others are unaffected. */
START_TEST(test_three_routers)
{
	struct node	 n[3];
	char		*p[6], *pp[3];
	const char	*addr[3] = { "127.0.0.1", "127.0.0.2", "127.0.0.3" };
	const char	*id[3] = { "ar1", "ar2", "ar3" };
	char		 ident[3][16];
	size_t		 i, j, k = 0;

	for (i = 0; i < 3; i++)
		snprintf(ident[i], sizeof(ident[i]), "%s.test", id[i]);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++)
			if (j != i)
				p[k++] = tcp_peer(id[j], addr[j], ident[j]);
		ck_assert_int_gt(asprintf(&pp[i], "%s%s", p[k - 2], p[k - 1]),
		    0);
	}
	for (i = 0; i < 3; i++)
		node_init(&n[i], id[i], addr[i], id[i], pp[i]);
	WAIT(all_up(&n[0]) && all_up(&n[1]) && all_up(&n[2]), 3000);
	RUN(200);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(all_up(&n[i]), "%s not fully up", id[i]);
		ck_assert_int_eq(conns_of(&n[i], 0), 1);
		ck_assert_int_eq(conns_of(&n[i], 1), 1);
		ck_assert_int_eq(n[i].ups, 2);
	}
	/* ar3 stops: ar1 and ar2 see it go, their own channel stays. */
	node_free(&n[2]);
	WAIT(!peer_is_up(peer_at(n[0].ps, 1)) &&
	    !peer_is_up(peer_at(n[1].ps, 1)), 2000);
	ck_assert(!peer_is_up(peer_at(n[0].ps, 1)));
	ck_assert(!peer_is_up(peer_at(n[1].ps, 1)));
	RUN(300);
	ck_assert(peer_is_up(peer_at(n[0].ps, 0)));
	ck_assert(peer_is_up(peer_at(n[1].ps, 0)));
	ck_assert_int_eq(n[0].downs, 1);
	ck_assert_int_eq(n[1].downs, 1);
	ck_assert_int_eq(conns_of(&n[0], 0), 1);
	node_free(&n[0]);
	node_free(&n[1]);
	for (i = 0; i < 6; i++)
		free(p[i]);
	for (i = 0; i < 3; i++)
		free(pp[i]);
}
END_TEST

/* True if this kernel opens SCTP sockets. */
static bool
sctp_here(void)
{
	int	 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)) == -1)
		return false;
	close(fd);
	return true;
}

static char *
sctp_peer(const char *name, const char *addrs, const char *identity)
{
	char	*s;

	ck_assert_int_gt(asprintf(&s, "  - name: %s\n    addresses: [%s]\n"
	    "    port: %u\n    transport: sctp\n    identity: %s\n"
	    "    access-prefixes: [10.%c.0.0/16]\n",
	    name, addrs, port, identity, name[2]), 0);
	return s;
}

START_TEST(test_sctp_refused)
{
	struct node	 a;
	char		*pa;

	if (sctp_here())
		return;		/* see the sctp case */
	ck_assert_int_gt(asprintf(&pa, "  - name: ar2\n    addresses: "
	    "[127.0.0.2]\n    identity: ar2.test\n"), 0);
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	RUN(100);
	ck_assert_str_eq(pstr(&a, "transport"), "sctp");
	ck_assert_str_eq(pstr(&a, "state"), "DISABLED");
	/* What is missing, named: the kernel support, or the module. */
	ck_assert_msg(strstr(pstr(&a, "last_error"), "transport sctp "
	    "unavailable: ") != NULL && (strstr(pstr(&a, "last_error"),
	    "has no SCTP (CONFIG_IP_SCTP") != NULL ||
	    strstr(pstr(&a, "last_error"), "modprobe sctp") != NULL),
	    "%s", pstr(&a, "last_error"));
	ck_assert(strstr(pstr(&a, "last_error"), "use transport: tcp") != NULL);
	ck_assert(log_has("peer ar2: transport sctp unavailable"));
	ck_assert(!up(&a));
	ck_assert_int_eq(pcount(&a, "connects"), 0);
	free(pa);
	node_free(&a);
}
END_TEST

/* Mode B needs kernel SCTP like mode A; the reason says so. */
START_TEST(test_sctp_ipsec_refused)
{
	struct node	 a;
	char		*pa;

	if (sctp_here())
		return;		/* see the modeb case */
	ck_assert_int_gt(asprintf(&pa, "  - name: ar2\n    addresses: "
	    "[127.0.0.2]\n    security: ipsec\n"), 0);
	node_init(&a, "ar1", "127.0.0.1", "ar1", pa);
	RUN(100);
	ck_assert_str_eq(pstr(&a, "state"), "DISABLED");
	ck_assert_msg(strstr(pstr(&a, "last_error"), "transport sctp "
	    "unavailable: ") != NULL, "%s", pstr(&a, "last_error"));
	ck_assert(strstr(pstr(&a, "last_error"), "not supported") == NULL);
	ck_assert_int_eq(pcount(&a, "connects"), 0);
	free(pa);
	node_free(&a);
}
END_TEST

/* n's SCTP view of its channel to peer 0, or NULL; decref *root. */
static json_t *
sctp_json(struct node *n, json_t **root)
{
	json_t	*p;

	p = pjson(n, root);
	return json_object_get(json_object_get(p, "channel"), "sctp");
}

/*
 * The path monitor without a kernel association: its period follows the
 * heartbeat interval within bounds, the configured primary defaults to the
 * first address, and an idle monitor adds zero counters and no paths.
 */
START_TEST(test_sctp_path_monitor)
{
	struct ctp_conf_peer		 cp;
	struct ctp_addr			 v[2], want;
	struct sctp_path		*m;
	struct sctp_path_counters	 sum = { 1, 2, 3 };
	json_t				*o;

	ck_assert_uint_eq(sctp_path_period_ms(1000), 250);
	ck_assert_uint_eq(sctp_path_period_ms(100), 50);
	ck_assert_uint_eq(sctp_path_period_ms(0), 50);
	ck_assert_uint_eq(sctp_path_period_ms(4000), 1000);
	ck_assert_uint_eq(sctp_path_period_ms(3600000), 1000);

	memset(&cp, 0, sizeof(cp));
	memset(v, 0, sizeof(v));
	v[0].len = v[1].len = 4;
	inet_pton(AF_INET, "192.0.2.2", v[0].b);
	inet_pton(AF_INET, "198.51.100.2", v[1].b);
	cp.name = (char *)"ar2";
	cp.addresses.v = v;
	cp.addresses.n = 2;
	cp.sctp.hb_interval_ms = 1000;
	sctp_path_configured(&cp, &want);
	ck_assert_uint_eq(want.len, 4);
	ck_assert_mem_eq(want.b, v[0].b, 4);
	cp.sctp.primary = v[1];
	sctp_path_configured(&cp, &want);
	ck_assert_mem_eq(want.b, v[1].b, 4);

	ck_assert_ptr_nonnull(m = sctp_path_new(base, &cp));
	o = json_pack("{s:{s:I}, s:n}", "counters", "msgs_in",
	    (json_int_t)0, "channel");
	ck_assert_ptr_nonnull(o);
	sctp_path_json(m, o);
	ck_assert(json_is_null(json_object_get(o, "paths")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o,
	    "counters"), "path_changes")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o,
	    "counters"), "primary_restored")), 0);
	json_decref(o);
	sctp_path_sum(m, &sum);
	sctp_path_sum(NULL, &sum);
	ck_assert_uint_eq(sum.path_changes, 1);
	ck_assert_uint_eq(sum.primary_changes, 2);
	ck_assert_uint_eq(sum.primary_restored, 3);
	sctp_path_stop(m);
	sctp_path_start(NULL, -1);
	sctp_path_free(m);
	sctp_path_free(NULL);
}
END_TEST

/* a's primary towards its peer is the configured one, and pinned. */
static bool
primary_pinned(struct node *n, const char *want)
{
	json_t		*root, *o;
	const char	*pr;
	bool		 r;

	o = sctp_json(n, &root);
	pr = json_string_value(json_object_get(o, "primary"));
	r = pr != NULL && strcmp(pr, want) == 0 &&
	    json_is_true(json_object_get(o, "primary_pinned"));
	json_decref(root);
	return r;
}

/*
 * TLS over a multi-homed SCTP association on loopback: two address pairs,
 * both paths listed, settings read back, no notification subscribed, the
 * configured primary (ar1's second address for ar2) pinned, messages
 * framed across records, and a restarted peer is a new channel.
 */
START_TEST(test_sctp_channel)
{
	struct node	 a, b;
	static uint8_t	 buf[CTP_MSG_MAX];
	json_t		*root, *o, *st, *paths, *pth;
	uint64_t	 sum_b = 0;
	size_t		 len, i, nprim = 0;
	uint32_t	 n = 500;
	char		*pa, *pb, *pa0;

	if (!sctp_here()) {
		fprintf(stdout, "test_sctp_channel: no SCTP in this kernel; "
		    "run it in the kernel lab\n");
		return;
	}
	live_interval = LAB_LIVE_INTERVAL;
	live_timeout = LAB_LIVE_TIMEOUT;
	pa0 = sctp_peer("ar2", "127.0.0.2, 127.0.0.4", "ar2.test");
	ck_assert_int_gt(asprintf(&pa, "%s    sctp: {primary: 127.0.0.4}\n",
	    pa0), 0);
	free(pa0);
	pb = sctp_peer("ar1", "127.0.0.1, 127.0.0.3", "ar1.test");
	node_init(&a, "ar1", "127.0.0.1, 127.0.0.3", "ar1", pa);
	node_init(&b, "ar2", "127.0.0.2, 127.0.0.4", "ar2", pb);
	WAIT(up(&a) && up(&b), 15000);
	ck_assert_msg(up(&a) && up(&b), "a: %s / b: %s",
	    pstr(&a, "last_error"), pstr(&b, "last_error"));
	RUN(200);
	ck_assert_int_eq(a.ups, 1);
	ck_assert_int_eq(b.ups, 1);
	ck_assert_int_eq(pint(&a, "connections"), 1);
	ck_assert_int_eq(pint(&b, "connections"), 1);
	ck_assert_str_eq(pstr(&a, "transport"), "sctp");

	o = sctp_json(&a, &root);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "assoc_state")),
	    "ESTABLISHED");
	ck_assert_int_eq(json_integer_value(json_object_get(o,
	    "notifications")), 0);
	st = json_object_get(o, "settings");
	ck_assert(json_is_true(json_object_get(st, "nodelay")));
	ck_assert_int_eq(json_integer_value(json_object_get(st,
	    "rto_min_ms")), 20);
	ck_assert_int_eq(json_integer_value(json_object_get(st,
	    "hb_interval_ms")), 1000);
	ck_assert(json_is_true(json_object_get(o, "asconf")));
	ck_assert(json_is_true(json_object_get(o, "auth")));
	ck_assert_uint_eq(json_array_size(json_object_get(o,
	    "local_addresses")), 2);
	paths = json_object_get(o, "paths");
	ck_assert_uint_eq(json_array_size(paths), 2);
	for (i = 0; i < json_array_size(paths); i++) {
		pth = json_array_get(paths, i);
		if (json_is_true(json_object_get(pth, "primary")))
			nprim++;
		ck_assert_ptr_nonnull(json_string_value(json_object_get(pth,
		    "path_state")));
	}
	ck_assert_uint_eq(nprim, 1);
	ck_assert_str_eq(json_string_value(json_object_get(o,
	    "configured_primary")), "127.0.0.4");
	json_decref(root);
	ck_assert(log_has("SCTP_NODELAY 1 read back, notifications "
	    "subscribed: none"));

	/*
	 * The INIT went to (or came from) another address: the monitor moves
	 * a's primary to 127.0.0.4 once that path is ACTIVE; b keeps its
	 * first address, 127.0.0.1, whichever side connected.
	 */
	WAIT(primary_pinned(&a, "127.0.0.4") && primary_pinned(&b,
	    "127.0.0.1"), 10000);
	ck_assert_msg(primary_pinned(&a, "127.0.0.4"), "a: primary not pinned");
	ck_assert_msg(primary_pinned(&b, "127.0.0.1"), "b: primary not pinned");
	ck_assert_int_ge(pcount(&a, "primary_restored"), 1);
	ck_assert(log_has("peer ar2: sctp: primary set back to 127.0.0.4"));
	ck_assert_int_eq(pcount(&a, "primary_changes"), 0);

	/* Many small messages, then large ones across TLS records. */
	for (i = 0; i < n; i++) {
		len = enc_ctc((uint32_t)i, buf, sizeof(buf));
		sum_b = sum_of(sum_b, buf, len);
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	for (i = 0; i < 2; i++) {
		len = enc_big(buf, sizeof(buf), (uint8_t)i);
		sum_b = sum_of(sum_b, buf, len);
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	WAIT(b.nmsg == n + 2, 15000);
	ck_assert_uint_eq(b.nmsg, n + 2);
	ck_assert_uint_eq(b.nbig, 2);
	ck_assert(b.order_ok);
	ck_assert_uint_eq(b.sum, sum_b);
	RUN(3 * live_interval);
	ck_assert(up(&a) && up(&b));
	ck_assert_int_eq(a.downs + b.downs, 0);

	/* The peer restarts: down, then up again on a new association. */
	node_free(&b);
	WAIT(!up(&a), 5000);
	ck_assert(!up(&a));
	node_init(&b, "ar2", "127.0.0.2, 127.0.0.4", "ar2", pb);
	WAIT(up(&a) && up(&b), 15000);
	ck_assert_msg(up(&a) && up(&b), "a: %s / b: %s",
	    pstr(&a, "last_error"), pstr(&b, "last_error"));
	ck_assert_int_eq(a.ups, 2);
	ck_assert_int_eq(pcount(&a, "reconnects"), 1);
	free(pa);
	free(pb);
	node_free(&a);
	node_free(&b);
}
END_TEST

static char *
modeb_peer(const char *name, const char *addrs)
{
	char	*s;

	ck_assert_int_gt(asprintf(&s, "  - name: %s\n    addresses: [%s]\n"
	    "    port: %u\n    transport: sctp\n    security: ipsec\n"
	    "    access-prefixes: [10.%c.0.0/16]\n", name, addrs, port,
	    name[2]), 0);
	return s;
}

/* A CTD with one CDB, reliable (R) or not. */
static size_t
enc_ctd(bool r, uint8_t *buf, size_t cap)
{
	static struct ctp_msg	 m;
	static const uint8_t	 data[4] = { 1, 2, 3, 4 };
	size_t			 len = 0;

	memset(&m, 0, sizeof(m));
	m.hdr.version = CTP_VERSION;
	m.hdr.type = CTP_MSG_CTD;
	m.hdr.v4 = true;
	m.mn.len = 4;
	m.mn.b[0] = 10;
	m.ncdbs = 1;
	m.cdbs[0].fpt = 0x7000;
	m.cdbs[0].r = r;
	m.cdbs[0].data = data;
	m.cdbs[0].data_len = sizeof(data);
	ck_assert_int_eq(ctp_msg_encode(&m, buf, cap, &len), CTP_OK);
	return len;
}

/* A counter of n's mode B message view ("channel"."messages"). */
static json_int_t
mcount(struct node *n, const char *name)
{
	json_t		*root, *o;
	json_int_t	 v;

	o = json_object_get(json_object_get(pjson(n, &root), "channel"),
	    "messages");
	ck_assert_msg(json_is_integer(json_object_get(o, name)), "%s", name);
	v = json_integer_value(json_object_get(o, name));
	json_decref(root);
	return v;
}

static const char *
chan_str(struct node *n, const char *name)
{
	static char	 buf[128];
	json_t		*root, *c;
	const char	*s;

	c = json_object_get(pjson(n, &root), "channel");
	s = json_string_value(json_object_get(c, name));
	snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "");
	json_decref(root);
	return buf;
}

/*
 * Mode B on a multi-homed loopback association (no ESP on loopback: the
 * preflight leaves such pairs out): only the lower router connects, no
 * TLS, PR-SCTP negotiated, non-R messages unordered with a lifetime, a CTD
 * with an R context reliable, 63 KiB messages whole, a restart.
 */
START_TEST(test_sctp_modeb)
{
	struct node	 a, b;
	static uint8_t	 buf[CTP_MSG_MAX];
	json_t		*root, *c;
	uint64_t	 sum_b = 0;
	size_t		 len, i;
	uint32_t	 n = 200;
	char		*pa, *pb;

	if (!sctp_here()) {
		fprintf(stdout, "test_sctp_modeb: no SCTP in this kernel; "
		    "run it in the kernel lab\n");
		return;
	}
	live_interval = LAB_LIVE_INTERVAL;
	live_timeout = LAB_LIVE_TIMEOUT;
	pa = modeb_peer("ar2", "127.0.0.2, 127.0.0.4");
	pb = modeb_peer("ar1", "127.0.0.1, 127.0.0.3");
	node_init(&a, "ar1", "127.0.0.1, 127.0.0.3", "ar1", pa);
	node_init(&b, "ar2", "127.0.0.2, 127.0.0.4", "ar2", pb);
	WAIT(up(&a) && up(&b), 15000);
	ck_assert_msg(up(&a) && up(&b), "a: %s / b: %s",
	    pstr(&a, "last_error"), pstr(&b, "last_error"));
	RUN(300);
	ck_assert_int_eq(pint(&a, "connections"), 1);
	ck_assert_int_eq(pint(&b, "connections"), 1);
	ck_assert_int_eq(a.ups, 1);
	ck_assert_int_eq(b.ups, 1);
	/* The lower router (127.0.0.1) connects, the other accepts. */
	ck_assert_str_eq(chan_str(&a, "initiator"), "local");
	ck_assert_str_eq(chan_str(&b, "initiator"), "peer");
	ck_assert_int_eq(pcount(&b, "connects"), 0);
	ck_assert_int_eq(pcount(&a, "handshakes"), 0);
	c = json_object_get(pjson(&a, &root), "channel");
	ck_assert_ptr_null(json_object_get(c, "alpn"));
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(c,
	    "sctp"), "paths")), 2);
	ck_assert(json_is_integer(json_object_get(json_object_get(c,
	    "messages"), "abandoned_sent")));
	json_decref(root);
	ck_assert(log_has("peer ar2: channel up (sctp, security ipsec, "
	    "initiated here)"));
	ck_assert(log_has("peer ar1: channel up (sctp, security ipsec, "
	    "initiated by the peer)"));

	for (i = 0; i < n; i++) {
		len = enc_ctc((uint32_t)i, buf, sizeof(buf));
		sum_b += len;
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	len = enc_ctd(true, buf, sizeof(buf));
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	len = enc_ctd(false, buf, sizeof(buf));
	ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	for (i = 0; i < 2; i++) {
		len = enc_big(buf, sizeof(buf), (uint8_t)i);
		ck_assert_int_eq(peer_send(peer_at(a.ps, 0), buf, len), 0);
	}
	WAIT(b.nmsg == n + 4, 15000);
	ck_assert_uint_eq(b.nmsg, n + 4);
	ck_assert_uint_eq(b.nbig, 2);
	ck_assert_int_eq(mcount(&a, "reliable"), 1);
	ck_assert_int_eq(mcount(&a, "unordered_ttl"), n + 3);
	ck_assert_int_eq(mcount(&b, "msgs_in"), n + 4);
	ck_assert_int_eq(pcount(&b, "malformed"), 0);
	ck_assert_int_eq(a.downs + b.downs, 0);

	/* b restarts: a's association dies, a connects again. */
	node_free(&b);
	WAIT(!up(&a), 5000);
	ck_assert(!up(&a));
	node_init(&b, "ar2", "127.0.0.2, 127.0.0.4", "ar2", pb);
	WAIT(up(&a) && up(&b), 15000);
	ck_assert_msg(up(&a) && up(&b), "a: %s / b: %s",
	    pstr(&a, "last_error"), pstr(&b, "last_error"));
	ck_assert_int_eq(a.ups, 2);
	ck_assert_int_eq(pcount(&a, "reconnects"), 1);
	ck_assert_str_eq(chan_str(&a, "initiator"), "local");
	free(pa);
	free(pb);
	node_free(&a);
	node_free(&b);
}
END_TEST

/*
 * IPsec authenticates addresses: an association with a peer address that
 * is not configured for the peer is refused, naming it, and counted.
 */
START_TEST(test_sctp_modeb_foreign_addr)
{
	struct node	 a, b;
	char		*pa, *pb;

	if (!sctp_here())
		return;
	/* b (the initiator, lower) binds 127.0.0.5, which a lacks. */
	live_interval = LAB_LIVE_INTERVAL;
	live_timeout = LAB_LIVE_TIMEOUT;
	pa = modeb_peer("ar2", "127.0.0.1");
	pb = modeb_peer("ar1", "127.0.0.2");
	node_init(&a, "ar1", "127.0.0.2", "ar1", pa);
	node_init(&b, "ar2", "127.0.0.1, 127.0.0.5", "ar2", pb);
	WAIT(pcount(&a, "incoming_refused") > 0, 5000);
	ck_assert_int_gt(pcount(&a, "incoming_refused"), 0);
	ck_assert(!up(&a));
	ck_assert(log_has("peer ar2: association refused: peer address "
	    "127.0.0.5 is not configured for this peer"));
	ck_assert_int_eq(a.ups, 0);
	free(pa);
	free(pb);
	node_free(&a);
	node_free(&b);
}
END_TEST

/* ------------------------------------------------------------ main */

static void
rmdir_all(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[512];

	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(path);
}

static int
make_certs(void)
{
	struct certgen_ca	*ca, *other;
	int			 r = 0;

	if ((ca = certgen_ca_new(dir, "ca", 30)) == NULL ||
	    (other = certgen_ca_new(dir, "otherca", 30)) == NULL)
		return -1;
	r |= certgen_leaf(ca, dir, "ar1", "ar1.test", -1, 30);
	r |= certgen_leaf(ca, dir, "ar2", "ar2.test", -1, 30);
	r |= certgen_leaf(ca, dir, "ar3", "ar3.test", -1, 30);
	r |= certgen_leaf(ca, dir, "ar2-wrong", "wrong.test", -1, 30);
	r |= certgen_leaf(ca, dir, "ar2-expired", "ar2.test", -30, -1);
	r |= certgen_leaf(other, dir, "ar2-otherca", "ar2.test", -1, 30);
	certgen_ca_free(ca);
	certgen_ca_free(other);
	return r;
}

static Suite *
peer_suite(void)
{
	Suite	*s = suite_create("peer");
	TCase	*tc = tcase_create("channels");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_up_messages);
	tcase_add_test(tc, test_malformed_skipped);
	tcase_add_test(tc, test_framing_lost);
	tcase_add_test(tc, test_simultaneous);
	tcase_add_test(tc, test_simultaneous_skewed);
	tcase_add_test(tc, test_reconnect_storm);
	tcase_add_test(tc, test_wrong_identity);
	tcase_add_test(tc, test_untrusted_ca);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_unconfigured_source);
	tcase_add_test(tc, test_junk_connections);
	tcase_add_test(tc, test_peer_absent);
	tcase_add_test(tc, test_tls_policy);
	tcase_add_test(tc, test_stalled_peer);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_three_routers);
	tcase_add_test(tc, test_sctp_refused);
	tcase_add_test(tc, test_sctp_ipsec_refused);
	tcase_add_test(tc, test_sctp_path_monitor);
	suite_add_tcase(s, tc);
	tc = tcase_create("sctp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sctp_channel);
	suite_add_tcase(s, tc);
	tc = tcase_create("modeb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sctp_modeb);
	tcase_add_test(tc, test_sctp_modeb_foreign_addr);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed, fd;

	/* 127.0.0.2 and up must be bindable (Linux: all of 127/8). */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd != -1) {
		struct sockaddr_in	 sin = { .sin_family = AF_INET };

		inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			printf("SKIP: cannot bind 127.0.0.2\n");
			close(fd);
			return 77;
		}
		close(fd);
	}
	snprintf(dir, sizeof(dir), "/tmp/test_peer.XXXXXX");
	if (mkdtemp(dir) == NULL || make_certs() == -1) {
		printf("cannot make test certificates\n");
		return 1;
	}
	srandom((unsigned)getpid());
	port = (uint16_t)(20000 + random() % 12000);	/* below ephemeral */
	sr = srunner_create(peer_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (getenv("TEST_PEER_KEEP") == NULL)
		rmdir_all(dir);
	else
		printf("kept %s\n", dir);
	return failed == 0 ? 0 : 1;
}
