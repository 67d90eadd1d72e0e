/* SPDX-License-Identifier: ISC */
/*
 * The transfer engine end to end in one process: a pAR and an nAR engine,
 * each with its own configuration, on one event loop, joined by test doubles
 * of the channel (peer_*) and MN (mn_*) modules that carry the encoded
 * messages through the real codec, and can lose or refuse them.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "ctp_conf.h"
#include "ctp_feature.h"
#include "ctp_token.h"
#include "ctpd.h"
#include "log.h"
#include "provider.h"
#include "store.h"
#include "xfer_priv.h"

#define MN_ADDR		"192.0.2.10"
#define PAR_ADDR	"198.51.100.1"
#define NAR_ADDR	"198.51.100.2"
#define MAX_CTAA	16

/* ------------------------------------------------------------ doubles */

struct node;

struct peer {
	struct node		*node;		/* the engine this peer is in */
	struct node		*remote;	/* the router it stands for */
	const struct ctp_conf_peer *conf;
	bool			 up;
	bool			 confidential;
	int			 drop;		/* lose this many sends */
	int			 blackhole;	/* lose every send */
};

struct peer_set {
	struct peer		 p;
};

struct mn_listener {
	struct node		*node;
};

struct node {
	struct ctpd		 d;
	struct peer_set		 ps;
	struct mn_listener	 ml;
	const char		*name;
	/* what the MN got */
	size_t			 nctaa;
	struct ctp_entry	 ctaa[MAX_CTAA][8];
	size_t			 nctaa_e[MAX_CTAA];
	int			 auth_failed;
	int			 auth_ok;
	/* what this router sent, by type */
	int			 sent[CTP_MSG_TYPE_MAX + 1];
	uint8_t			 last_ctreq_cdbs[64];
	size_t			 last_ctreq_cdbs_len;
	uint8_t			 last_ctdr_status;
	uint16_t		 last_ctdr_fpt;
};

static struct event_base	*base;
static struct node		 par, nar;
static struct ctp_key		 mnkey;		/* 0x01..0x14 */
static char			 tmpdir[64];

uint64_t
ctpd_now_ms(struct ctpd *d)
{
	struct timespec	 ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct peer *
peer_at(struct peer_set *s, size_t i)
{
	return i == 0 ? &s->p : NULL;
}

uint32_t
peer_id(const struct peer *p)
{
	(void)p;
	return 0;
}

const char *
peer_name(const struct peer *p)
{
	return p->remote->name;
}

const struct ctp_conf_peer *
peer_conf(const struct peer *p)
{
	return p->conf;
}

bool
peer_is_up(const struct peer *p)
{
	return p->up;
}

bool
peer_confidential(const struct peer *p)
{
	return p->confidential;
}

static bool
addr_eq(const struct ctp_addr *a, const struct ctp_addr *b)
{
	struct ctp_addr	 x, y;

	ctp_addr_norm(a, &x);
	ctp_addr_norm(b, &y);
	return x.len == y.len && memcmp(x.b, y.b, x.len) == 0;
}

struct peer *
peer_by_addr(struct peer_set *s, const struct ctp_addr *a)
{
	size_t	 i;

	for (i = 0; i < s->p.conf->addresses.n; i++)
		if (addr_eq(&s->p.conf->addresses.v[i], a))
			return &s->p;
	return NULL;
}

struct peer *
peer_by_mn(struct peer_set *s, const struct ctp_addr *mn)
{
	const struct ctp_conf_prefixes	*pf = &s->p.conf->access_prefixes;
	struct ctp_addr			 x, y;
	size_t				 i, bits, k;

	ctp_addr_norm(mn, &x);
	for (i = 0; i < pf->n; i++) {
		ctp_addr_norm(&pf->v[i].addr, &y);
		if (x.len != y.len)
			continue;
		bits = pf->v[i].plen - (y.len == 4 && pf->v[i].addr.len == 16 ?
		    96 : 0);
		for (k = 0; k < bits; k++)
			if (((x.b[k / 8] ^ y.b[k / 8]) >> (7 - k % 8)) & 1)
				break;
		if (k == bits)
			return &s->p;
	}
	return NULL;
}

/* Messages on their way; the ones still queued at teardown are freed. */
struct delivery {
	struct delivery	*next;
	struct node	*to;
	size_t		 len;
	uint8_t		 buf[];
};
static struct delivery	*queued;

static void
unqueue(struct delivery *q)
{
	struct delivery	**pp;

	for (pp = &queued; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

static void
deliver(evutil_socket_t fd, short what, void *arg)
{
	struct delivery	*q = arg;
	struct ctp_msg	*m = malloc(sizeof(*m));

	(void)fd;
	(void)what;
	unqueue(q);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ctp_msg_decode(q->buf, q->len, NULL, m, NULL),
	    CTP_OK);
	if (q->to->d.xfer != NULL)
		xfer_peer_message(q->to->d.xfer, &q->to->ps.p, m, q->buf,
		    q->len);
	free(m);
	free(q);
}

int
peer_send(struct peer *p, const uint8_t *msg, size_t len)
{
	struct delivery	*q;
	struct ctp_msg	*m;
	struct timeval	 tv = { 0, 1000 };

	if (!p->up)
		return -1;
	ck_assert_uint_ge(len, 4);
	if ((msg[0] & 0x1f) == CTP_MSG_PCTD && !p->confidential)
		return -1;
	p->node->sent[msg[0] & 0x1f]++;
	if ((m = malloc(sizeof(*m))) != NULL &&
	    ctp_msg_decode(msg, len, NULL, m, NULL) == CTP_OK) {
		if (m->hdr.type == CTP_MSG_CTREQ && m->cdb_raw_len <= 64) {
			memcpy(p->node->last_ctreq_cdbs, m->cdb_raw,
			    m->cdb_raw_len);
			p->node->last_ctreq_cdbs_len = m->cdb_raw_len;
		}
		if (m->hdr.type == CTP_MSG_CTDR && m->nentries > 0) {
			p->node->last_ctdr_fpt = m->entries[0].fpt;
			p->node->last_ctdr_status = m->entries[0].status;
		}
	}
	free(m);
	if (p->blackhole)
		return 0;
	if (p->drop > 0) {
		p->drop--;
		return 0;
	}
	q = malloc(sizeof(*q) + len);
	ck_assert_ptr_nonnull(q);
	q->to = p->remote;
	q->len = len;
	q->next = queued;
	queued = q;
	memcpy(q->buf, msg, len);
	ck_assert_int_eq(event_base_once(base, -1, EV_TIMEOUT, deliver, q,
	    &tv), 0);
	return 0;
}

int
mn_send_ctaa(struct mn_listener *l, const struct mn_src *src,
    const uint8_t *msg, size_t len)
{
	struct node	*n = l->node;
	struct ctp_msg	*m = malloc(sizeof(*m));
	size_t		 i;

	(void)src;
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ctp_msg_decode(msg, len, NULL, m, NULL), CTP_OK);
	ck_assert_int_eq(m->hdr.type, CTP_MSG_CTAA);
	if (n->nctaa < MAX_CTAA) {
		for (i = 0; i < m->nentries && i < 8; i++)
			n->ctaa[n->nctaa][i] = m->entries[i];
		n->nctaa_e[n->nctaa] = m->nentries;
	}
	n->nctaa++;
	free(m);
	return 0;
}

void
mn_auth_failed(struct mn_listener *l, const struct mn_src *src,
    const struct ctp_addr *mn)
{
	(void)src;
	(void)mn;
	l->node->auth_failed++;
}

void
mn_auth_ok(struct mn_listener *l, const struct mn_src *src,
    const struct ctp_addr *mn)
{
	(void)src;
	(void)mn;
	l->node->auth_ok++;
}

/* ------------------------------------------------------------ set-up */

static const char *default_features =
    "  aaa: {provider: builtin, reliable: true}\n"
    "  qos: {provider: builtin}\n"
    "  mld: {provider: builtin}\n";

static int
node_init(struct node *n, const char *name, const char *addr,
    const char *pname, const char *paddr, const char *pprefix,
    const char *features, const char *xfer_ms, const char *ho_ms)
{
	struct ctp_conf_diag	 diag;
	char			 text[4096];
	size_t			 i;

	memset(n, 0, sizeof(*n));
	n->name = name;
	snprintf(text, sizeof(text),
	    "router: {id: %s, addresses: [%s]}\n"
	    "mn: {transport: udp, listen: [%s]}\n"
	    "tls: {certificate: /nonexistent/c.crt, key: /nonexistent/c.key, "
	    "ca: /nonexistent/ca.crt}\n"
	    "peers:\n"
	    "  - name: %s\n"
	    "    addresses: [%s]\n"
	    "    transport: tcp\n"
	    "    security: tls\n"
	    "    identity: %s.example.net\n"
	    "    access-prefixes: [%s]\n"
	    "features:\n%s"
	    "timers: {max-transfer: %s, max-handover: %s}\n",
	    name, addr, addr, pname, paddr,
	    pname, pprefix, features, xfer_ms, ho_ms);
	ctp_conf_diag_init(&diag);
	if (ctp_conf_parse(name, (const uint8_t *)text, strlen(text), 0,
	    &n->d.conf, &diag) == -1) {
		for (i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.v[i].text);
		ctp_conf_diag_free(&diag);
		return -1;
	}
	ctp_conf_diag_free(&diag);
	n->d.base = base;
	n->d.tctx = ctp_token_ctx_new();
	ck_assert_ptr_nonnull(n->d.tctx);
	ctp_limits_default(&n->d.limits);
	n->d.peers = &n->ps;
	n->d.mn = &n->ml;
	n->ml.node = n;
	n->ps.p.node = n;
	n->ps.p.conf = &n->d.conf->peers[0];
	n->ps.p.up = true;
	n->ps.p.confidential = true;
	return 0;
}

static void
setup_with(const char *par_features, const char *nar_features,
    const char *xfer_ms, const char *ho_ms)
{
	uint8_t	 k[20];
	int	 i;

	signal(SIGPIPE, SIG_IGN);
	log_init("test_xfer", true, getenv("XFER_VERBOSE") ? LOGL_DEBUG :
	    LOGL_WARN);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	for (i = 0; i < 20; i++)
		k[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(ctp_key_set(&mnkey, k, sizeof(k)), CTP_OK);
	ck_assert_int_eq(node_init(&par, "ar1", PAR_ADDR, "ar2", NAR_ADDR,
	    "203.0.113.0/24", par_features, xfer_ms, ho_ms), 0);
	ck_assert_int_eq(node_init(&nar, "ar2", NAR_ADDR, "ar1", PAR_ADDR,
	    "192.0.2.0/24", nar_features, xfer_ms, ho_ms), 0);
	par.ps.p.remote = &nar;
	nar.ps.p.remote = &par;
	par.d.xfer = xfer_new(&par.d);
	nar.d.xfer = xfer_new(&nar.d);
	ck_assert_ptr_nonnull(par.d.xfer);
	ck_assert_ptr_nonnull(nar.d.xfer);
}

static void
setup(void)
{
	setup_with(default_features, default_features, "150ms", "400ms");
}

static void
node_free(struct node *n)
{
	xfer_free(n->d.xfer);
	n->d.xfer = NULL;
	ctp_token_ctx_free(n->d.tctx);
	ctp_conf_free(n->d.conf);
}

static void
teardown(void)
{
	struct delivery	*q;

	xfer_shutdown(par.d.xfer);
	xfer_shutdown(nar.d.xfer);
	node_free(&par);
	node_free(&nar);
	while ((q = queued) != NULL) {
		queued = q->next;
		free(q);
	}
	event_base_free(base);
	base = NULL;
}

/* Run the loop for ms milliseconds at most. */
static void
run(int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static const char *put_json =
    "{\"mn\": \"" MN_ADDR "\", \"key\": "
    "\"0102030405060708090a0b0c0d0e0f1011121314\", \"cdbs\": ["
    "{\"feature\": \"aaa\", \"fields\": {\"session_id\": \"0011223344556677\","
    " \"authz_lifetime\": 3600, \"octets_in\": 12345,"
    " \"identity_digest\": \"00112233445566778899aabbccddeeff\"}},"
    "{\"feature\": \"qos\", \"fields\": {\"family\": 4, \"proto\": 17,"
    " \"src\": \"192.0.2.10\", \"dst\": \"203.0.113.5\", \"dscp\": 46,"
    " \"committed_rate\": 64}},"
    "{\"feature\": \"qos\", \"fields\": {\"family\": 4, \"proto\": 6,"
    " \"dscp\": 10}}]}";

static void
put_contexts(struct node *n, const char *json)
{
	json_error_t	 je;
	json_t		*req = json_loads(json, 0, &je);
	char		 err[256] = "";

	ck_assert_msg(req != NULL, "bad test JSON: %s", je.text);
	ck_assert_msg(xfer_context_put(n->d.xfer, req, err, sizeof(err)) == 0,
	    "put: %s", err);
	json_decref(req);
}

static struct ctp_addr
addr(const char *s)
{
	struct ctp_addr	 a;

	ck_assert_int_eq(store_addr_parse(s, &a), 0);
	return a;
}

/* Sign a CTAR the way an MN does and hand it to the node's engine. */
static void
send_ctar_key(struct node *n, const char *other, uint32_t seq, bool ack,
    const uint16_t *fpts, const bool *r, size_t nfpt,
    const struct ctp_key *key)
{
	struct ctp_msg	*m = calloc(1, sizeof(*m));
	struct mn_src	 src;
	uint8_t		 buf[512];
	size_t		 len, i;

	ck_assert_ptr_nonnull(m);
	m->hdr.version = CTP_VERSION;
	m->hdr.type = CTP_MSG_CTAR;
	m->hdr.v4 = true;
	m->hdr.x = ack;
	m->mn = addr(MN_ADDR);
	m->ar = addr(other);
	m->seq = seq;
	for (i = 0; i < nfpt; i++) {
		m->cdbs[i].fpt = fpts[i];
		m->cdbs[i].r = r != NULL && r[i];
	}
	m->ncdbs = nfpt;
	ck_assert_int_eq(ctp_token_sign_ctar(n->d.tctx, key, m, buf,
	    sizeof(buf), &len), CTP_OK);
	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(ctp_msg_decode(buf, len, NULL, m, NULL), CTP_OK);
	memset(&src, 0, sizeof(src));
	src.ss.ss_family = AF_INET;
	src.sslen = sizeof(struct sockaddr_in);
	xfer_mn_ctar(n->d.xfer, &src, m);
	free(m);
}

static void
send_ctar(struct node *n, const char *other, uint32_t seq, bool ack,
    const uint16_t *fpts, const bool *r, size_t nfpt)
{
	send_ctar_key(n, other, seq, ack, fpts, r, nfpt, &mnkey);
}

static json_t *
ctx_get(struct node *n)
{
	struct ctp_addr	 a = addr(MN_ADDR);

	return xfer_context_get(n->d.xfer, &a);
}

static json_int_t
stat_of(struct node *n, const char *name)
{
	json_t		*s = xfer_stats_json(n->d.xfer), *v;
	json_int_t	 r;

	ck_assert_ptr_nonnull(s);
	v = json_object_get(json_object_get(s, "counters"), name);
	ck_assert_msg(v != NULL, "no counter %s", name);
	r = json_integer_value(v);
	json_decref(s);
	return r;
}

static json_int_t
rx_of(struct node *n, const char *type)
{
	json_t		*s = xfer_stats_json(n->d.xfer);
	json_int_t	 r;

	r = json_integer_value(json_object_get(json_object_get(
	    json_object_get(s, "counters"), "received"), type));
	json_decref(s);
	return r;
}

static const char *
nar_state(struct node *n)
{
	static char	 st[32];
	struct ctp_addr	 a = addr(MN_ADDR);
	json_t		*o = xfer_mn_json(n->d.xfer, &a);

	if (o == NULL)
		return "IDLE";		/* nothing known of the MN */
	snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(
	    json_object_get(o, "nar"), "state")));
	json_decref(o);
	return st;
}

/* The "fields" of the contexts of a set, in order, as one array. */
static json_t *
fields_of(json_t *ctx, const char *set)
{
	json_t	*a = json_array(), *c;
	size_t	 i;

	json_array_foreach(json_object_get(ctx, set), i, c)
		json_array_append_new(a, json_pack("{s:O, s:O}", "fpt",
		    json_object_get(c, "fpt"), "fields",
		    json_object_get(c, "fields")));
	return a;
}

static size_t
set_size(struct node *n, const char *set)
{
	json_t	*o = ctx_get(n);
	size_t	 s = o != NULL ? json_array_size(json_object_get(o, set)) : 0;

	json_decref(o);
	return s;
}

/* ------------------------------------------------------------ tests */

START_TEST(test_predictive)
{
	json_t	*before, *after, *fb, *fa, *o;
	char	*dump;

	put_contexts(&par, put_json);
	before = ctx_get(&par);
	ck_assert_ptr_nonnull(before);
	ck_assert_int_eq(json_array_size(json_object_get(before, "contexts")),
	    3);

	send_ctar(&par, NAR_ADDR, 0x01020304, true, NULL, NULL, 0);
	run(30);
	ck_assert_int_eq(par.sent[CTP_MSG_PCTD], 1);
	ck_assert_uint_eq(par.nctaa, 1);		/* predictive accepted */
	ck_assert_uint_eq(par.nctaa_e[0], 0);
	ck_assert_str_eq(nar_state(&nar), "HELD");
	ck_assert_uint_eq(set_size(&nar, "held"), 3);
	ck_assert_int_eq(stat_of(&nar, "holds"), 1);

	send_ctar(&nar, PAR_ADDR, 0x01020304, true, NULL, NULL, 0);
	run(30);
	/* Both routers verified the MN's token: its back-off ends. */
	ck_assert_int_eq(par.auth_ok, 1);
	ck_assert_int_eq(nar.auth_ok, 1);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 0);		/* all transferred */
	ck_assert_int_eq(nar.sent[CTP_MSG_CTDR], 1);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTREQ], 0);
	ck_assert_int_eq(rx_of(&par, "CTDR"), 1);

	after = ctx_get(&nar);
	ck_assert_ptr_nonnull(after);
	fb = fields_of(before, "contexts");
	fa = fields_of(after, "installed");
	ck_assert_msg(json_equal(fb, fa), "installed contexts differ");
	ck_assert_int_eq(json_array_size(json_object_get(after, "held")), 0);
	ck_assert(json_is_false(json_object_get(after, "key")));
	json_decref(fb);
	json_decref(fa);
	json_decref(after);
	json_decref(before);

	/* pAR: cache and key wiped (C21, §5.3): nothing left of the MN. */
	ck_assert_ptr_null(ctx_get(&par));
	ck_assert_int_eq(stat_of(&par, "keys_wiped"), 1);
	ck_assert_int_eq(stat_of(&par, "caches_wiped"), 1);
	ck_assert_int_eq(stat_of(&par, "report_failed"), 0);

	o = xfer_contexts_json(nar.d.xfer);
	dump = json_dumps(o, 0);
	ck_assert_ptr_null(strstr(dump, "0102030405060708"));
	free(dump);
	json_decref(o);
	o = xfer_contexts_json(par.d.xfer);
	dump = json_dumps(o, 0);
	ck_assert_ptr_null(strstr(dump, "0102030405060708"));
	free(dump);
	json_decref(o);

	/* A second CTAR with a fresh seq finds no key at pAR any more. */
	send_ctar(&par, NAR_ADDR, 0x01020305, true, NULL, NULL, 0);
	run(10);
	ck_assert_uint_eq(par.nctaa, 2);
	ck_assert_uint_eq(par.ctaa[1][0].status, CTP_ST_NO_CONTEXT);
}
END_TEST

START_TEST(test_reactive)
{
	static const uint16_t	 fpts[] = { CTP_FPT_AAA, CTP_FPT_QOS };
	static const bool	 r[] = { true, false };
	static const uint8_t	 want[] = { 0xff, 0x01, 0x00, 0x40,
	    0xff, 0x02, 0x00, 0x00 };
	json_t			*before, *after, *fb, *fa;

	put_contexts(&par, put_json);
	before = ctx_get(&par);
	send_ctar(&nar, PAR_ADDR, 77, true, fpts, r, 2);
	run(40);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTREQ], 1);
	/* The CT-Req carries the CTAR's request CDBs octet for octet. */
	ck_assert_uint_eq(nar.last_ctreq_cdbs_len, sizeof(want));
	ck_assert_mem_eq(nar.last_ctreq_cdbs, want, sizeof(want));
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 1);
	ck_assert_int_eq(par.sent[CTP_MSG_PCTD], 0);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 0);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTDR], 1);
	ck_assert_str_eq(nar_state(&nar), "ACTIVE");
	after = ctx_get(&nar);
	fb = fields_of(before, "contexts");
	fa = fields_of(after, "installed");
	ck_assert_msg(json_equal(fb, fa), "installed contexts differ");
	json_decref(fb);
	json_decref(fa);
	json_decref(before);
	json_decref(after);
	ck_assert_ptr_null(ctx_get(&par));	/* cache and key wiped */
	ck_assert_int_eq(par.auth_failed + nar.auth_failed, 0);
}
END_TEST

START_TEST(test_bad_token_par)
{
	struct ctp_key	 bad = mnkey;
	json_t		*o;

	bad.b[0] ^= 0xff;
	put_contexts(&par, put_json);
	send_ctar_key(&par, NAR_ADDR, 5, true, NULL, NULL, 0, &bad);
	run(20);
	ck_assert_int_eq(par.sent[CTP_MSG_PCTD], 0);
	ck_assert_int_eq(rx_of(&nar, "PCTD"), 0);
	ck_assert_uint_eq(par.nctaa, 1);
	ck_assert_uint_eq(par.nctaa_e[0], 1);
	ck_assert_uint_eq(par.ctaa[0][0].status, CTP_ST_AUTH_FAILED);
	ck_assert_int_eq(par.auth_failed, 1);
	ck_assert_int_eq(stat_of(&par, "token_fail"), 1);
	o = ctx_get(&par);		/* nothing moved, nothing wiped */
	ck_assert_int_eq(json_array_size(json_object_get(o, "contexts")), 3);
	ck_assert(json_is_true(json_object_get(o, "key")));
	json_decref(o);
	ck_assert_ptr_null(ctx_get(&nar));
	/* Without A the MN hears nothing, the failure still counts. */
	send_ctar_key(&par, NAR_ADDR, 6, false, NULL, NULL, 0, &bad);
	run(10);
	ck_assert_uint_eq(par.nctaa, 1);
	ck_assert_int_eq(par.auth_failed, 2);
}
END_TEST

START_TEST(test_bad_token_nar)
{
	struct ctp_key	 bad = mnkey;
	json_t		*o;

	bad.b[3] ^= 0x01;
	put_contexts(&par, put_json);
	/* After a push: the nAR checks with the PCTD key. */
	send_ctar(&par, NAR_ADDR, 9, true, NULL, NULL, 0);
	run(20);
	ck_assert_str_eq(nar_state(&nar), "HELD");
	send_ctar_key(&nar, PAR_ADDR, 9, true, NULL, NULL, 0, &bad);
	run(20);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_AUTH_FAILED);
	ck_assert_int_eq(nar.auth_failed, 1);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTDR], 0);	/* pAR keeps its cache */
	o = ctx_get(&nar);
	ck_assert(o == NULL ||
	    (json_array_size(json_object_get(o, "installed")) == 0 &&
	    json_array_size(json_object_get(o, "held")) == 0));
	json_decref(o);
	ck_assert_str_eq(nar_state(&nar), "IDLE");
	ck_assert_int_eq(stat_of(&nar, "token_fail"), 1);
}
END_TEST

START_TEST(test_bad_token_reactive)
{
	struct ctp_key	 bad = mnkey;
	json_t		*o;

	bad.b[19] ^= 0x80;
	put_contexts(&par, put_json);
	send_ctar_key(&nar, PAR_ADDR, 11, true, NULL, NULL, 0, &bad);
	run(40);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTREQ], 1);
	ck_assert_int_eq(stat_of(&par, "token_fail"), 1);
	/* C9: error CDB from the pAR, reported to the MN. */
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 1);
	ck_assert_int_eq(stat_of(&nar, "refused"), 1);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, 0);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_AUTH_FAILED);
	ck_assert_int_eq(nar.auth_failed, 1);
	ck_assert_ptr_null(ctx_get(&nar));
	o = ctx_get(&par);
	ck_assert_int_eq(json_array_size(json_object_get(o, "contexts")), 3);
	json_decref(o);
}
END_TEST

static const char *hook_fail_once =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "cat >> \"$d/input\"\n"
    "echo run >> \"$d/runs\"\n"
    "if [ ! -e \"$d/failed-once\" ]; then : > \"$d/failed-once\"; exit 1; fi\n"
    "exit 0\n";

static const char *hook_fail_always =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "cat > /dev/null\n"
    "echo run >> \"$d/runs\"\n"
    "exit 1\n";

static void
hook_write(const char *text)
{
	char	 path[128];
	FILE	*f;

	ck_assert_ptr_nonnull(mkdtemp(strcpy(tmpdir,
	    "/tmp/test_xfer.XXXXXX")));
	snprintf(path, sizeof(path), "%s/hook", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0700), 0);
}

static int
hook_runs(void)
{
	char	 path[128], line[16];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof(path), "%s/runs", tmpdir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (n < 100 && fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

static void
hook_cleanup(void)
{
	char	 cmd[160];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	tmpdir[0] = '\0';
}

static void
setup_exec(const char *hook, bool reliable)
{
	char	 feats[512];

	hook_write(hook);
	snprintf(feats, sizeof(feats),
	    "  aaa: {provider: builtin, reliable: true}\n"
	    "  qos: {provider: exec, command: %s/hook, timeout: 2s, "
	    "reliable: %s}\n", tmpdir, reliable ? "true" : "false");
	setup_with(feats, feats, "1s", "2s");
}

/* Wait (bounded) until the engine has no transfer running. */
static void
run_until_idle(struct node *n, int max_ms)
{
	json_t	*t;
	int	 waited;
	size_t	 busy = 1;

	for (waited = 0; waited < max_ms && busy > 0; waited += 20) {
		run(20);
		t = xfer_transfers_json(n->d.xfer);
		busy = json_array_size(t);
		json_decref(t);
	}
}

START_TEST(test_rflag_retry_exec)
{
	char	 path[160];
	FILE	*f;
	char	 buf[2048];
	size_t	 n;

	setup_exec(hook_fail_once, true);
	put_contexts(&par, put_json);
	send_ctar(&nar, PAR_ADDR, 21, true, NULL, NULL, 0);
	run_until_idle(&par, 3000);
	run_until_idle(&nar, 1000);
	/* 2 qos CDBs; the failed FPT is retried with both its CDBs. */
	ck_assert_int_eq(hook_runs(), 4);
	ck_assert_int_eq(stat_of(&par, "retry"), 1);
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 2);
	ck_assert_int_eq(stat_of(&par, "report_failed"), 0);
	/* The first CTAA said the failed FPT failed; the retry fixed it. */
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, CTP_FPT_QOS);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_INSTALL_FAILED);
	ck_assert_int_eq(nar.last_ctdr_status, CTP_ST_SUCCESS);
	ck_assert_ptr_null(ctx_get(&par));	/* cache and key wiped */
	/* The hook got the context as JSON with mn and action. */
	snprintf(path, sizeof(path), "%s/input", tmpdir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"action\":\"install\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"mn\":\"" MN_ADDR "\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"feature\":\"qos\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"dscp\":46"));
	hook_cleanup();
}
END_TEST

START_TEST(test_nonr_not_retried)
{
	setup_exec(hook_fail_always, false);
	put_contexts(&par, put_json);
	send_ctar(&nar, PAR_ADDR, 22, true, NULL, NULL, 0);
	run_until_idle(&par, 3000);
	run_until_idle(&nar, 1000);
	ck_assert_int_eq(hook_runs(), 2);	/* each qos CDB once */
	ck_assert_int_eq(stat_of(&par, "retry"), 0);
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 1);
	ck_assert_int_eq(stat_of(&par, "report_failed"), 0);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, CTP_FPT_QOS);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_INSTALL_FAILED);
	ck_assert_uint_eq(set_size(&nar, "installed"), 1);	/* aaa */
	hook_cleanup();
}
END_TEST

START_TEST(test_exec_status_map)
{
	ck_assert_uint_eq(provider_exit_status(0 << 8), CTP_ST_SUCCESS);
	ck_assert_uint_eq(provider_exit_status(1 << 8), CTP_ST_INSTALL_FAILED);
	ck_assert_uint_eq(provider_exit_status(2 << 8),
	    CTP_ST_RESOURCE_SHORTAGE);
	ck_assert_uint_eq(provider_exit_status(3 << 8),
	    CTP_ST_ADMIN_PROHIBITED);
	ck_assert_uint_eq(provider_exit_status(4 << 8), CTP_ST_INSTALL_FAILED);
	ck_assert_uint_eq(provider_exit_status(9), CTP_ST_INSTALL_FAILED);
}
END_TEST

START_TEST(test_duplicate_ctar)
{
	put_contexts(&par, put_json);
	send_ctar(&nar, PAR_ADDR, 31, true, NULL, NULL, 0);
	run(40);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTREQ], 1);
	/* The MN retransmits: same (MN, seq), cached CTAA, no new transfer. */
	send_ctar(&nar, PAR_ADDR, 31, true, NULL, NULL, 0);
	run(20);
	ck_assert_uint_eq(nar.nctaa, 2);
	ck_assert_uint_eq(nar.nctaa_e[1], nar.nctaa_e[0]);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTREQ], 1);
	ck_assert_int_eq(stat_of(&nar, "duplicate"), 1);
	ck_assert_int_eq(stat_of(&nar, "ctaa_cached"), 1);
}
END_TEST

/* Hand a PCTD straight to the nAR engine as if its pAR had sent it. */
static void
inject_pctd_qos(uint32_t elapsed, bool ack, uint8_t qos_family)
{
	struct ctp_msg	*m = calloc(1, sizeof(*m));
	uint8_t		 buf[256], data[64], qos[56];
	size_t		 len;

	ck_assert_ptr_nonnull(m);
	memset(data, 0, sizeof(data));
	m->hdr.version = CTP_VERSION;
	m->hdr.type = CTP_MSG_PCTD;
	m->hdr.v4 = true;
	m->hdr.x = ack;
	m->elapsed_ms = elapsed;
	m->mn = addr(MN_ADDR);
	m->alg = CTP_ALG_HMAC_SHA1;
	m->key_len = mnkey.len;
	m->key = mnkey.b;
	m->ncdbs = 1;
	m->cdbs[0].fpt = CTP_FPT_AAA;
	m->cdbs[0].data = data;
	m->cdbs[0].data_len = 64;
	if (qos_family != 0) {
		/* family, proto, reserved, src, dst, ...: no presence vector */
		memset(qos, 0, sizeof(qos));
		qos[0] = qos_family;
		m->cdbs[1].fpt = CTP_FPT_QOS;
		m->cdbs[1].data = qos;
		m->cdbs[1].data_len = sizeof(qos);
		m->ncdbs = 2;
	}
	ck_assert_int_eq(ctp_msg_encode(m, buf, sizeof(buf), &len), CTP_OK);
	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(ctp_msg_decode(buf, len, NULL, m, NULL), CTP_OK);
	xfer_peer_message(nar.d.xfer, &nar.ps.p, m, buf, len);
	free(m);
}

static void
inject_pctd(uint32_t elapsed, bool ack)
{
	inject_pctd_qos(elapsed, ack, 0);
}

START_TEST(test_stale)
{
	inject_pctd(5000, true);		/* > max-handover 400ms */
	run(10);
	ck_assert_int_eq(stat_of(&nar, "stale"), 1);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTDR], 1);
	ck_assert_uint_eq(nar.last_ctdr_status, CTP_ST_STALE);
	ck_assert_str_eq(nar_state(&nar), "IDLE");
	ck_assert_ptr_null(ctx_get(&nar));
	/* A fresh one is held. */
	inject_pctd(10, true);
	run(10);
	ck_assert_str_eq(nar_state(&nar), "HELD");
	ck_assert_uint_eq(set_size(&nar, "held"), 1);
}
END_TEST

START_TEST(test_busy)
{
	put_contexts(&par, put_json);
	nar.ps.p.drop = 1;			/* the CT-Req is lost */
	send_ctar(&nar, PAR_ADDR, 41, true, NULL, NULL, 0);
	run(10);
	ck_assert_str_eq(nar_state(&nar), "WAIT_CTD");
	send_ctar(&nar, PAR_ADDR, 42, true, NULL, NULL, 0);
	run(10);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_BUSY);
	ck_assert_int_eq(stat_of(&nar, "busy"), 1);
	/* CT_MAX_TRANSFER_TIME: CTC to pAR, TIMEOUT to the MN. */
	run(200);
	ck_assert_int_eq(nar.sent[CTP_MSG_CTC], 1);
	ck_assert_uint_eq(nar.nctaa, 2);
	ck_assert_uint_eq(nar.ctaa[1][0].status, CTP_ST_TIMEOUT);
	ck_assert_str_eq(nar_state(&nar), "IDLE");
}
END_TEST

START_TEST(test_held_expire)
{
	put_contexts(&par, put_json);
	send_ctar(&par, NAR_ADDR, 51, false, NULL, NULL, 0);
	run(20);
	ck_assert_str_eq(nar_state(&nar), "HELD");
	ck_assert_uint_eq(set_size(&nar, "held"), 3);
	run(500);				/* max-handover 400ms */
	ck_assert_int_eq(stat_of(&nar, "hold_expired"), 1);
	ck_assert_str_eq(nar_state(&nar), "IDLE");
	ck_assert_uint_eq(set_size(&nar, "held"), 0);
	ck_assert_int_eq(stat_of(&nar, "discards"), 1);
	/* The pAR gave up its push as well and wiped (CT_MAX_HANDOVER_TIME). */
	ck_assert_int_eq(stat_of(&par, "timeout"), 1);
	ck_assert_uint_eq(set_size(&par, "contexts"), 0);
}
END_TEST

/* Held contexts installed at a full store move, they need no more room. */
START_TEST(test_install_held_at_bound)
{
	struct store	*st = xfer_store(nar.d.xfer);

	put_contexts(&par, put_json);
	send_ctar(&par, NAR_ADDR, 58, true, NULL, NULL, 0);
	run(20);
	ck_assert_uint_eq(set_size(&nar, "held"), 3);
	store_set_limit(st, store_used(st) + 16);
	send_ctar(&nar, PAR_ADDR, 58, true, NULL, NULL, 0);
	run(20);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 0);
	ck_assert_uint_eq(set_size(&nar, "installed"), 3);
	ck_assert_uint_le(store_used(st), store_limit(st));
}
END_TEST

/* D10: a malformed CDB is not installed and is named; the others are. */
START_TEST(test_malformed_cdb)
{
	inject_pctd_qos(10, true, 9);		/* qos family 9: bad */
	run(10);
	ck_assert_str_eq(nar_state(&nar), "HELD");
	ck_assert_uint_eq(set_size(&nar, "held"), 1);
	send_ctar(&nar, PAR_ADDR, 55, true, NULL, NULL, 0);
	run(10);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, CTP_FPT_QOS);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_MALFORMED);
	ck_assert_uint_eq(set_size(&nar, "installed"), 1);
	ck_assert_int_eq(stat_of(&nar, "bad_cdbs"), 1);
}
END_TEST

/* A feature this router does not run is refused, the others installed. */
START_TEST(test_unsupported_at_nar)
{
	setup_with(default_features,
	    "  aaa: {provider: builtin, reliable: true}\n", "150ms", "400ms");
	put_contexts(&par, put_json);
	send_ctar(&nar, PAR_ADDR, 56, true, NULL, NULL, 0);
	run(40);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, CTP_FPT_QOS);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_UNSUPPORTED_FPT);
	ck_assert_uint_eq(set_size(&nar, "installed"), 1);
	ck_assert_int_eq(stat_of(&par, "retry"), 0);	/* qos is not R */
}
END_TEST

/* The key only travels on a confidential channel: no PCTD otherwise. */
START_TEST(test_pctd_needs_confidential)
{
	put_contexts(&par, put_json);
	par.ps.p.confidential = false;
	send_ctar(&par, NAR_ADDR, 57, true, NULL, NULL, 0);
	run(10);
	ck_assert_int_eq(par.sent[CTP_MSG_PCTD], 0);
	ck_assert_uint_eq(par.nctaa, 1);
	ck_assert_uint_eq(par.ctaa[0][0].status, CTP_ST_NO_PEER);
	ck_assert_int_eq(stat_of(&par, "no_peer"), 1);
	ck_assert_uint_eq(set_size(&par, "contexts"), 3);
}
END_TEST

static const char *put_other =
    "{\"mn\": \"192.0.2.99\", \"cdbs\": ["
    "{\"feature\": \"aaa\", \"fields\": {\"session_id\": \"00000000000000aa\"}}]}";

START_TEST(test_store_full)
{
	struct ctp_addr	 other = addr("192.0.2.99");
	json_t		*o, *req;
	char		 err[256];
	struct store	*st = xfer_store(nar.d.xfer);

	put_contexts(&par, put_json);
	put_contexts(&nar, put_other);		/* accepted before */
	store_set_limit(st, store_used(st) + 100);
	send_ctar(&nar, PAR_ADDR, 61, true, NULL, NULL, 0);
	run(40);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_ge(nar.nctaa_e[0], 2);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_RESOURCE_SHORTAGE);
	ck_assert_uint_eq(nar.ctaa[0][1].status, CTP_ST_RESOURCE_SHORTAGE);
	ck_assert_int_eq(stat_of(&nar, "resource_shortage") > 0, 1);
	/* Nothing accepted was dropped. */
	o = xfer_context_get(nar.d.xfer, &other);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_array_size(json_object_get(o, "contexts")), 1);
	json_decref(o);
	/* A put that does not fit is refused and changes nothing. */
	req = json_loads(put_json, 0, NULL);
	ck_assert_int_eq(xfer_context_put(nar.d.xfer, req, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "RESOURCE_SHORTAGE"));
	json_decref(req);
	o = xfer_context_get(nar.d.xfer, &other);
	ck_assert_int_eq(json_array_size(json_object_get(o, "contexts")), 1);
	json_decref(o);
}
END_TEST

START_TEST(test_reliable_across_reconnect)
{
	put_contexts(&par, put_json);
	par.ps.p.drop = 1;			/* the CTD is lost ... */
	send_ctar(&nar, PAR_ADDR, 71, true, NULL, NULL, 0);
	run(10);
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 1);
	ck_assert_str_eq(nar_state(&nar), "WAIT_CTD");
	/* ... with the channel, which comes back. */
	par.ps.p.up = nar.ps.p.up = false;
	xfer_peer_down(par.d.xfer, &par.ps.p);
	xfer_peer_down(nar.d.xfer, &nar.ps.p);
	run(20);
	par.ps.p.up = nar.ps.p.up = true;
	xfer_peer_up(par.d.xfer, &par.ps.p);
	xfer_peer_up(nar.d.xfer, &nar.ps.p);
	run(50);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_str_eq(nar_state(&nar), "ACTIVE");
	ck_assert_uint_eq(set_size(&nar, "installed"), 3);
	ck_assert_int_eq(stat_of(&par, "report_failed"), 0);
	ck_assert_int_ge(stat_of(&par, "retransmit"), 1);
	ck_assert_ptr_null(ctx_get(&par));	/* cache and key wiped */
}
END_TEST

START_TEST(test_report_failed)
{
	json_t	*s, *f;

	put_contexts(&par, put_json);
	par.ps.p.blackhole = 1;			/* nothing reaches the nAR */
	send_ctar(&nar, PAR_ADDR, 81, true, NULL, NULL, 0);
	run(10);
	ck_assert_int_eq(par.sent[CTP_MSG_CTD], 1);
	nar.ps.p.blackhole = 1;			/* nor the pAR: CTC lost */
	run(300);				/* max-transfer 150ms */
	ck_assert_int_eq(stat_of(&par, "report_failed"), 1);
	ck_assert_int_eq(stat_of(&par, "rel_failed"), 1);
	s = xfer_stats_json(par.d.xfer);
	f = json_array_get(json_object_get(s, "recent_failures"), 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_integer_value(json_object_get(f, "fpt")),
	    CTP_FPT_AAA);
	ck_assert_str_eq(json_string_value(json_object_get(f, "status")),
	    "TIMEOUT");
	ck_assert_int_eq(stat_of(&par, "timeout"), 1);
	json_decref(s);
	/* The nAR gave up too, told the pAR (CTC) and the MN (TIMEOUT). */
	ck_assert_int_eq(nar.sent[CTP_MSG_CTC], 1);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_TIMEOUT);
}
END_TEST

START_TEST(test_socket_refused)
{
	struct node	 n;

	setup();
	ck_assert_int_eq(node_init(&n, "ar3", PAR_ADDR, "ar2", NAR_ADDR,
	    "203.0.113.0/24", "  rohc: {provider: socket}\n", "200ms", "2s"),
	    0);
	ck_assert_ptr_null(xfer_new(&n.d));
	ctp_token_ctx_free(n.d.tctx);
	ctp_conf_free(n.d.conf);
	teardown();
}
END_TEST

static void
put_fails(const char *json, const char *want)
{
	json_t	*req = json_loads(json, 0, NULL);
	char	 err[256] = "";

	ck_assert_msg(req != NULL, "bad test JSON %s", json);
	ck_assert_int_eq(xfer_context_put(par.d.xfer, req, err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
	json_decref(req);
}

START_TEST(test_context_put_get_del)
{
	struct ctp_addr	 a = addr(MN_ADDR);
	char		 err[256];
	json_t		*o;

	put_fails("[1]", "expected a JSON object");
	put_fails("{\"mn\": \"1.2.3.4\", \"cdbs\": [], \"x\": 1}",
	    "unknown member \"x\"");
	put_fails("{\"mn\": \"not-an-address\", \"cdbs\": []}",
	    "is not an IPv4 or IPv6 address");
	put_fails("{\"mn\": \"1.2.3.4\", \"key\": \"0102\", \"cdbs\": []}",
	    "expected 16 to 64 octets");
	put_fails("{\"mn\": \"1.2.3.4\", \"key\": "
	    "\"0102030405060708090a0b0c0d0e0fzz\", \"cdbs\": []}",
	    "not a hex digit");
	put_fails("{\"mn\": \"1.2.3.4\"}", "cdbs: expected an array");
	put_fails("{\"mn\": \"1.2.3.4\", \"cdbs\": [{\"feature\": \"rohc\", "
	    "\"fields\": {\"profile\": 1}}]}", "feature rohc is not enabled");
	put_fails("{\"mn\": \"1.2.3.4\", \"cdbs\": [{\"feature\": \"qos\", "
	    "\"fields\": {\"family\": 4, \"dscp\": 70}}]}", "cdbs[0]: qos.dscp");
	put_fails("{\"mn\": \"1.2.3.4\", \"cdbs\": [{\"fpt\": 4660, "
	    "\"data\": \"0011\"}]}", "not a feature context");
	ck_assert_ptr_null(xfer_context_get(par.d.xfer, &a));
	ck_assert_ptr_null(xfer_mn_json(par.d.xfer, &a));
	put_contexts(&par, put_json);
	o = xfer_mn_json(par.d.xfer, &a);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "par"), "state")), "IDLE");
	ck_assert(json_is_true(json_object_get(json_object_get(o, "store"),
	    "key")));
	json_decref(o);
	o = xfer_context_get(par.d.xfer, &a);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_is_true(json_object_get(o, "key")));
	ck_assert_int_eq(json_integer_value(json_object_get(o, "key_len")),
	    20);
	json_decref(o);
	/* A put replaces the contexts and keeps the key when none is given. */
	put_contexts(&par, "{\"mn\": \"" MN_ADDR "\", \"cdbs\": []}");
	o = xfer_context_get(par.d.xfer, &a);
	ck_assert_int_eq(json_array_size(json_object_get(o, "contexts")), 0);
	ck_assert(json_is_true(json_object_get(o, "key")));
	json_decref(o);
	ck_assert_int_eq(xfer_context_del(par.d.xfer, &a, err, sizeof(err)),
	    0);
	ck_assert_ptr_null(xfer_context_get(par.d.xfer, &a));
	ck_assert_int_eq(xfer_context_del(par.d.xfer, &a, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "no contexts"));
}
END_TEST

START_TEST(test_transfer_limit)
{
	par.d.conf->limits.transfers = 1;
	nar.d.conf->limits.transfers = 1;
	nar.ps.p.blackhole = 1;
	send_ctar(&nar, PAR_ADDR, 91, true, NULL, NULL, 0);
	run(5);
	ck_assert_str_eq(nar_state(&nar), "WAIT_CTD");
	/* Another MN while the one transfer allowed runs. */
	{
		struct ctp_msg	*m = calloc(1, sizeof(*m));
		struct mn_src	 src;
		uint8_t		 buf[128];
		size_t		 len;

		m->hdr.version = CTP_VERSION;
		m->hdr.type = CTP_MSG_CTAR;
		m->hdr.v4 = true;
		m->hdr.x = true;
		m->mn = addr("192.0.2.11");
		m->ar = addr(PAR_ADDR);
		m->seq = 1;
		ck_assert_int_eq(ctp_token_sign_ctar(nar.d.tctx, &mnkey, m,
		    buf, sizeof(buf), &len), CTP_OK);
		ck_assert_int_eq(ctp_msg_decode(buf, len, NULL, m, NULL),
		    CTP_OK);
		memset(&src, 0, sizeof(src));
		xfer_mn_ctar(nar.d.xfer, &src, m);
		free(m);
	}
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_RESOURCE_SHORTAGE);
	ck_assert_int_eq(stat_of(&nar, "limit_transfers"), 1);
}
END_TEST

static const char *hook_sleep =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "cat > /dev/null\n"
    "echo run >> \"$d/runs\"\n"
    "sleep 30 &\n"
    "echo $! > \"$d/child\"\n"
    "wait\n";

/* A process that is gone or a zombie (killed, not yet reaped by init). */
static bool
proc_gone(long pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	bool	 gone = true;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		gone = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return gone;
}

START_TEST(test_exec_timeout)
{
	char	 feats[512], path[160];
	FILE	*f;
	long	 child = 0;
	json_t	*s;
	int	 i;

	hook_write(hook_sleep);
	snprintf(feats, sizeof(feats),
	    "  aaa: {provider: builtin, reliable: true}\n"
	    "  qos: {provider: exec, command: %s/hook, timeout: 300ms}\n",
	    tmpdir);
	setup_with(feats, feats, "1s", "2s");
	put_contexts(&par, put_json);
	send_ctar(&nar, PAR_ADDR, 23, true, NULL, NULL, 0);
	run_until_idle(&nar, 2000);
	ck_assert_int_ge(hook_runs(), 1);	/* both started, both killed */
	s = xfer_stats_json(nar.d.xfer);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(s,
	    "providers"), "hooks_timed_out")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(s,
	    "providers"), "hooks_running")), 0);
	json_decref(s);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.ctaa[0][0].fpt, CTP_FPT_QOS);
	ck_assert_uint_eq(nar.ctaa[0][0].status, CTP_ST_INSTALL_FAILED);
	/* The hook's own child went with its process group. */
	snprintf(path, sizeof(path), "%s/child", tmpdir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &child), 1);
	fclose(f);
	for (i = 0; i < 50 && !proc_gone(child); i++)
		run(10);
	ck_assert_msg(proc_gone(child), "hook child %ld still runs", child);
	hook_cleanup();
}
END_TEST

/* A configured key (token.keys) is used for one transfer only (§5.3). */
START_TEST(test_conf_key_once)
{
	char	 feats[512];

	snprintf(feats, sizeof(feats), "%s"
	    "token:\n  keys:\n    - {mn: " MN_ADDR ", key: "
	    "0102030405060708090a0b0c0d0e0f1011121314}\n", default_features);
	setup_with(feats, default_features, "150ms", "400ms");
	put_contexts(&par, "{\"mn\": \"" MN_ADDR "\", \"cdbs\": ["
	    "{\"feature\": \"aaa\", \"fields\": {\"authz_lifetime\": 60}}]}");
	send_ctar(&nar, PAR_ADDR, 101, true, NULL, NULL, 0);
	run(40);
	ck_assert_uint_eq(nar.nctaa, 1);
	ck_assert_uint_eq(nar.nctaa_e[0], 0);
	ck_assert_uint_eq(set_size(&nar, "installed"), 1);
	/* Contexts handed in again, but the configured key is spent. */
	put_contexts(&par, "{\"mn\": \"" MN_ADDR "\", \"cdbs\": ["
	    "{\"feature\": \"aaa\", \"fields\": {\"authz_lifetime\": 60}}]}");
	send_ctar(&par, NAR_ADDR, 102, true, NULL, NULL, 0);
	run(20);
	ck_assert_int_eq(par.sent[CTP_MSG_PCTD], 0);
	ck_assert_int_eq(par.sent[CTP_MSG_CTREQ], 0);
	ck_assert_int_eq(stat_of(&par, "ctar_as_par"), 1);
	ck_assert_uint_eq(par.nctaa, 1);
	ck_assert_uint_eq(par.ctaa[0][0].status, CTP_ST_NO_CONTEXT);
}
END_TEST

static Suite *
xfer_suite(void)
{
	Suite	*s = suite_create("xfer");
	TCase	*tc = tcase_create("flows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_predictive);
	tcase_add_test(tc, test_reactive);
	tcase_add_test(tc, test_bad_token_par);
	tcase_add_test(tc, test_bad_token_nar);
	tcase_add_test(tc, test_bad_token_reactive);
	tcase_add_test(tc, test_duplicate_ctar);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_busy);
	tcase_add_test(tc, test_held_expire);
	tcase_add_test(tc, test_store_full);
	tcase_add_test(tc, test_reliable_across_reconnect);
	tcase_add_test(tc, test_report_failed);
	tcase_add_test(tc, test_context_put_get_del);
	tcase_add_test(tc, test_transfer_limit);
	tcase_add_test(tc, test_malformed_cdb);
	tcase_add_test(tc, test_install_held_at_bound);
	tcase_add_test(tc, test_pctd_needs_confidential);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_rflag_retry_exec);
	tcase_add_test(tc, test_nonr_not_retried);
	tcase_add_test(tc, test_exec_timeout);
	tcase_add_test(tc, test_conf_key_once);
	tcase_add_test(tc, test_unsupported_at_nar);
	suite_add_tcase(s, tc);

	tc = tcase_create("static");
	tcase_add_test(tc, test_exec_status_map);
	tcase_add_test(tc, test_socket_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(xfer_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
