/* SPDX-License-Identifier: ISC */
/*
 * Checks across keys, run once the walk found no error: duplicate peers and
 * addresses, channel security rules (§8, §10.2), timer consistency (§6.2),
 * SCTP combinations known to misbehave (FIELD-LESSONS F2, F3; address
 * scopes that Linux keeps out of an association), the MN keys
 * file and the file-mode checks the daemon asks for after parsing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctp_conf_priv.h"

#define WHOLE	SIZE_MAX	/* item: a list as a whole */

/* Position of path/item/elem, falling back to the enclosing value. */
static void
pos(const struct ctp_conf *c, const char *path, size_t item, size_t elem,
    uint32_t *line, uint32_t *col)
{
	const struct ctp_conf_mark	*m = NULL;
	char				 p[128], *dot;
	int				 r;

	*line = *col = 0;
	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		if ((r = ctp_conf_key_find(p)) >= 0) {
			if ((ctp_conf_keys[r].type == CTP_CONF_T_LIST ||
			    ctp_conf_keys[r].type == CTP_CONF_T_NAMED) &&
			    item == WHOLE) {
				m = ctp_conf_where(c, (size_t)r, 0, 0);
			} else if (ctp_conf_keys[r].type == CTP_CONF_T_LIST ||
			    ctp_conf_keys[r].type == CTP_CONF_T_NAMED) {
				/* the entry itself: element item + 1 */
				m = ctp_conf_where(c, (size_t)r, 0, item + 1);
			} else {
				if (elem > 0)
					m = ctp_conf_where(c, (size_t)r, item,
					    elem);
				if (m == NULL)
					m = ctp_conf_where(c, (size_t)r, item,
					    0);
			}
			if (m != NULL) {
				*line = m->line;
				*col = m->col;
				return;
			}
		}
		if ((dot = strrchr(p, '.')) == NULL)
			return;
		*dot = '\0';
		if (dot > p && dot[-1] == '*')	/* features.* */
			dot[-2] = '\0';
	}
}

static bool
is_set(const struct ctp_conf *c, const char *path, size_t item)
{
	int	 r = ctp_conf_key_find(path);

	return r >= 0 && ctp_conf_where(c, (size_t)r, item, 0) != NULL;
}

/*
 * "DISP: message" at the position of path (item, elem as in the marks), where
 * DISP is the user's spelling of the key: "peers[1].sctp.rto-min",
 * "router.addresses[0]", "peers[2]".
 */
static void
report(const struct ctp_conf *c, struct ctp_conf_diag *d,
    enum ctp_conf_sev sev, const char *path, size_t item, size_t elem,
    const char *fmt, ...)
    __attribute__((__format__(__printf__, 7, 8)));

static void
report(const struct ctp_conf *c, struct ctp_conf_diag *d,
    enum ctp_conf_sev sev, const char *path, size_t item, size_t elem,
    const char *fmt, ...)
{
	char		 disp[128], msg[768];
	uint32_t	 line, col;
	va_list		 ap;
	int		 r = ctp_conf_key_find(path);
	size_t		 n;

	if (r < 0)
		snprintf(disp, sizeof(disp), "%s", path);
	else if (ctp_conf_keys[r].type == CTP_CONF_T_LIST && item != WHOLE)
		snprintf(disp, sizeof(disp), "%s[%zu]", path, item);
	else if (ctp_conf_keys[r].type == CTP_CONF_T_NAMED && item != WHOLE)
		snprintf(disp, sizeof(disp), "%s.%s", path,
		    ctp_conf_keys[r].names[item]);
	else
		conf_disp(disp, sizeof(disp), (size_t)r, item);
	n = strlen(disp);
	if (elem > 0)
		snprintf(disp + n, sizeof(disp) - n, "[%zu]", elem - 1);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pos(c, path, item, elem, &line, &col);
	conf_diag(d, sev, c->file, line, col, "%s: %s", disp, msg);
}

#define ERR(...)	report(c, d, CTP_CONF_ERROR, __VA_ARGS__)
#define WARN(...)	report(c, d, CTP_CONF_WARNING, __VA_ARGS__)

static const char *
dur(char *buf, size_t sz, uint32_t ms)
{
	conf_num_fmt(buf, sz, CTP_CONF_T_DURATION, 0, ms);
	return buf;
}

static const char *
addr_s(char *buf, size_t sz, const struct ctp_addr *a)
{
	conf_addr_fmt(buf, sz, a);
	return buf;
}

/* Line of the mark, for "first at line N". */
static uint32_t
line_of(const struct ctp_conf *c, const char *path, size_t item, size_t elem)
{
	uint32_t	 line, col;

	pos(c, path, item, elem, &line, &col);
	return line;
}

/* a faster than b? */
static bool
rate_above(const struct ctp_conf_rate *a, const struct ctp_conf_rate *b)
{
	return (uint64_t)a->n * b->per_ms > (uint64_t)b->n * a->per_ms;
}

static void
check_mn(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	char	 a[64];
	size_t	 i, j, p;
	bool	 udp_peer = false;

	if (c->mn.transport == CTP_CONF_MN_ICMP) {
		if (c->mn.interfaces.n == 0)
			ERR("mn.interfaces", 0, 0, "transport icmp needs at "
			    "least one access interface");
		if (c->mn.listen.n > 0)
			WARN("mn.listen", 0, 0, "ignored with transport icmp");
		return;
	}
	if (c->mn.listen.n == 0)
		ERR("mn.listen", 0, 0, "transport udp needs at least one "
		    "address");
	if (c->mn.interfaces.n > 0)
		WARN("mn.interfaces", 0, 0, "ignored with transport udp");
	for (p = 0; p < c->npeers; p++)
		if (c->peers[p].transport == CTP_CONF_TR_UDP)
			udp_peer = true;
	if (!udp_peer || c->mn.udp_port != c->router.port)
		return;
	for (i = 0; i < c->mn.listen.n; i++)
		for (j = 0; j < c->router.addresses.n; j++)
			if (conf_addr_eq(&c->mn.listen.v[i],
			    &c->router.addresses.v[j])) {
				ERR("mn.udp-port", 0, 0, "%u/udp on %s is also "
				    "the channel port of the udp peers",
				    c->mn.udp_port, addr_s(a, sizeof(a),
				    &c->mn.listen.v[i]));
				return;
			}
}

/*
 * MN keys are checked for repeats by sorting, not pairwise: a keys file may
 * hold very many.  Order: address, then source (configuration first), then
 * line, so the first of a run of equal addresses is the one to keep.
 */
struct keyref {
	const struct ctp_conf_mnkey	*k;
	size_t				 idx;
	int				 src;	/* 0: configuration, 1: file */
};

static int
keyref_cmp(const void *va, const void *vb)
{
	const struct keyref	*a = va, *b = vb;
	int			 r;

	if (a->k->mn.len != b->k->mn.len)
		return a->k->mn.len < b->k->mn.len ? -1 : 1;
	if ((r = memcmp(a->k->mn.b, b->k->mn.b, a->k->mn.len)) != 0)
		return r;
	if (a->src != b->src)
		return a->src - b->src;
	return a->k->line < b->k->line ? -1 : a->k->line > b->k->line;
}

/* Sorted references to c's keys and then to n more in v; NULL if no memory. */
static struct keyref *
keyrefs(const struct ctp_conf *c, const struct ctp_conf_mnkey *v, size_t n)
{
	struct keyref	*r;
	size_t		 i, m = c->token.nkeys;

	if ((r = calloc(m + n + 1, sizeof(*r))) == NULL)
		return NULL;
	for (i = 0; i < m; i++) {
		r[i].k = &c->token.keys[i];
		r[i].idx = i;
	}
	for (i = 0; i < n; i++) {
		r[m + i].k = &v[i];
		r[m + i].idx = i;
		r[m + i].src = 1;
	}
	qsort(r, m + n, sizeof(*r), keyref_cmp);
	return r;
}

static void
check_token(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	struct keyref	*r;
	char		 a[64];
	size_t		 i, first = 0;

	if ((r = keyrefs(c, NULL, 0)) == NULL) {
		d->nomem = true;
		return;
	}
	for (i = 1; i < c->token.nkeys; i++) {
		if (!conf_addr_eq(&r[i].k->mn, &r[first].k->mn)) {
			first = i;
			continue;
		}
		ERR("token.keys.mn", r[i].idx, 0, "duplicate MN %s (first at "
		    "line %u)", addr_s(a, sizeof(a), &r[i].k->mn),
		    r[first].k->line);
	}
	free(r);
	if (c->token.keys_file == NULL && c->token.nkeys == 0)
		WARN("token", 0, 0, "no MN keys (keys-file or keys); every "
		    "token check will fail");
}

/*
 * The scope Linux gives an address when it lists addresses in INIT and
 * INIT-ACK (sctp_v4_scope, sctp_v6_scope): 0 global, 1 private (RFC 1918,
 * 198.18.0.0/15, IPv6 site-local), 2 link-local, 3 loopback.  Only
 * addresses of a scope up to that of the first destination are offered.
 */
static int
sctp_scope(const struct ctp_addr *a)
{
	static const uint8_t	 lo6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 1 };
	struct ctp_addr		 x;
	const uint8_t		*b = x.b;

	ctp_addr_norm(a, &x);
	if (x.len == 16) {
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return 2;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
			return 1;
		return memcmp(b, lo6, sizeof(lo6)) == 0 ? 3 : 0;
	}
	if (b[0] == 127)
		return 3;
	if (b[0] == 169 && b[1] == 254)
		return 2;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168) ||
	    (b[0] == 198 && (b[1] & 0xfe) == 18))
		return 1;
	return 0;
}

static const char *const sctp_scope_names[] = {
	"global", "private", "link-local", "loopback"
};

/* 4 for IPv4 (IPv4-mapped included), 16 for IPv6. */
static uint8_t
sctp_family(const struct ctp_addr *a)
{
	struct ctp_addr	 x;

	ctp_addr_norm(a, &x);
	return x.len;
}

static bool
sctp_family_in(const struct ctp_conf_addrs *l, uint8_t fam)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (sctp_family(&l->v[i]) == fam)
			return true;
	return false;
}

/*
 * Addresses an association to peer i would leave out: the peer's and ours
 * (of a family both ends have) of a narrower scope than the peer's first
 * address.
 */
static void
check_sctp_scope(struct ctp_conf *c, struct ctp_conf_diag *d, size_t i)
{
	const struct ctp_conf_peer	*p = &c->peers[i];
	const struct ctp_addr		*a;
	char				 s[64], f[64];
	int				 s0, sk;
	size_t				 k;

	if (p->addresses.n == 0)
		return;
	s0 = sctp_scope(&p->addresses.v[0]);
	addr_s(f, sizeof(f), &p->addresses.v[0]);
	for (k = 1; k < p->addresses.n; k++) {
		a = &p->addresses.v[k];
		if (!sctp_family_in(&c->router.addresses, sctp_family(a)))
			continue;
		if ((sk = sctp_scope(a)) > s0)
			WARN("peers.addresses", i, k + 1, "%s (%s) is left out "
			    "of the association: Linux offers no address of a "
			    "narrower scope than the first one (%s, %s; "
			    "net.sctp.addr_scope_policy)", addr_s(s, sizeof(s),
			    a), sctp_scope_names[sk], f, sctp_scope_names[s0]);
	}
	for (k = 0; k < c->router.addresses.n; k++) {
		a = &c->router.addresses.v[k];
		if (!sctp_family_in(&p->addresses, sctp_family(a)))
			continue;
		if ((sk = sctp_scope(a)) > s0)
			WARN("router.addresses", 0, k + 1, "%s (%s) is left "
			    "out of the association with peer '%s': Linux "
			    "offers no address of a narrower scope than the "
			    "peer's first one (%s, %s; "
			    "net.sctp.addr_scope_policy)",
			    addr_s(s, sizeof(s), a), sctp_scope_names[sk],
			    p->name ? p->name : "?", f, sctp_scope_names[s0]);
	}
}

/* peers[].sctp.primary, if set, must be one of the peer's addresses. */
static void
check_sctp_primary(struct ctp_conf *c, struct ctp_conf_diag *d, size_t i)
{
	const struct ctp_conf_peer	*p = &c->peers[i];
	struct ctp_addr			 w, x;
	char				 s[64];
	size_t				 k;

	if (p->sctp.primary.len == 0)
		return;
	ctp_addr_norm(&p->sctp.primary, &w);
	for (k = 0; k < p->addresses.n; k++) {
		ctp_addr_norm(&p->addresses.v[k], &x);
		if (x.len == w.len && memcmp(x.b, w.b, w.len) == 0)
			return;
	}
	ERR("peers.sctp.primary", i, 0, "%s is not one of the addresses of "
	    "peer %s", addr_s(s, sizeof(s), &p->sctp.primary),
	    p->name ? p->name : "?");
}

static void
check_sctp(struct ctp_conf *c, struct ctp_conf_diag *d, size_t i)
{
	const struct ctp_conf_peer	*p = &c->peers[i];
	const struct ctp_conf_sctp	*s = &p->sctp;
	char				 b1[32], b2[32], b3[32];

	if (s->rto_min_ms > s->rto_max_ms)
		ERR("peers.sctp.rto-min", i, 0, "%s exceeds rto-max (%s)",
		    dur(b1, sizeof(b1), s->rto_min_ms),
		    dur(b2, sizeof(b2), s->rto_max_ms));
	else if (s->rto_initial_ms < s->rto_min_ms ||
	    s->rto_initial_ms > s->rto_max_ms)
		ERR("peers.sctp.rto-initial", i, 0, "%s is outside "
		    "rto-min..rto-max (%s..%s)",
		    dur(b1, sizeof(b1), s->rto_initial_ms),
		    dur(b2, sizeof(b2), s->rto_min_ms),
		    dur(b3, sizeof(b3), s->rto_max_ms));

	/* The SCTP warning class: combinations that work, but badly. */
	if (s->rto_max_ms > c->timers.max_transfer_ms)
		WARN("peers.sctp.rto-max", i, 0, "%s exceeds "
		    "timers.max-transfer (%s); one retransmission can outlast "
		    "a transfer", dur(b1, sizeof(b1), s->rto_max_ms),
		    dur(b2, sizeof(b2), c->timers.max_transfer_ms));
	if (s->sack_delay_ms > 0 && s->sack_delay_ms >= s->rto_min_ms)
		WARN("peers.sctp.sack-delay", i, 0, "%s is not below rto-min "
		    "(%s); delayed SACKs cause spurious retransmissions",
		    dur(b1, sizeof(b1), s->sack_delay_ms),
		    dur(b2, sizeof(b2), s->rto_min_ms));
	if (p->security == CTP_CONF_SEC_IPSEC &&
	    s->sack_delay_ms >= c->timers.max_transfer_ms)
		WARN("peers.sctp.sack-delay", i, 0, "%s is not below the "
		    "PR-SCTP lifetime (timers.max-transfer, %s); back-to-back "
		    "messages may be abandoned",
		    dur(b1, sizeof(b1), s->sack_delay_ms),
		    dur(b2, sizeof(b2), c->timers.max_transfer_ms));
	if (s->pf_threshold >= s->path_max_retrans)
		WARN("peers.sctp.pf-threshold", i, 0, "%u is not below "
		    "path-max-retrans (%u); paths fail without passing the "
		    "potentially-failed state", s->pf_threshold,
		    s->path_max_retrans);
	if (p->addresses.n > 1 && s->assoc_max_retrans <= s->path_max_retrans)
		WARN("peers.sctp.assoc-max-retrans", i, 0, "%u is not above "
		    "path-max-retrans (%u); the association fails before "
		    "another path can take over", s->assoc_max_retrans,
		    s->path_max_retrans);
	check_sctp_scope(c, d, i);
	check_sctp_primary(c, d, i);
}

static bool
family_in(const struct ctp_conf_addrs *l, uint8_t len)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].len == len)
			return true;
	return false;
}

static void
check_peer(struct ctp_conf *c, struct ctp_conf_diag *d, size_t i)
{
	struct ctp_conf_peer	*p = &c->peers[i], *q;
	char			 a[64];
	size_t			 j, k, l;
	int			 r;

	if (!is_set(c, "peers.security", i))
		p->security = p->transport == CTP_CONF_TR_UDP ?
		    CTP_CONF_SEC_IPSEC : CTP_CONF_SEC_TLS;
	p->pctd_ok = p->security == CTP_CONF_SEC_TLS || p->confidential;

	for (j = 0; j < i; j++)
		if (p->name && c->peers[j].name &&
		    strcmp(p->name, c->peers[j].name) == 0) {
			ERR("peers.name", i, 0, "duplicate peer name '%s' "
			    "(first at line %u)", p->name,
			    line_of(c, "peers.name", j, 0));
			break;
		}
	for (k = 0; k < p->addresses.n; k++) {
		for (l = 0; l < c->router.addresses.n; l++)
			if (conf_addr_eq(&p->addresses.v[k],
			    &c->router.addresses.v[l]))
				ERR("peers.addresses", i, k + 1, "%s is an "
				    "address of this router", addr_s(a,
				    sizeof(a), &p->addresses.v[k]));
		for (j = 0; j < i; j++) {
			q = &c->peers[j];
			for (l = 0; l < q->addresses.n; l++)
				if (conf_addr_eq(&p->addresses.v[k],
				    &q->addresses.v[l]))
					ERR("peers.addresses", i, k + 1,
					    "%s is also an address of "
					    "peer '%s'",
					    addr_s(a, sizeof(a),
					    &p->addresses.v[k]),
					    q->name ? q->name : "?");
		}
	}
	if (!(family_in(&p->addresses, 4) && family_in(&c->router.addresses,
	    4)) && !(family_in(&p->addresses, 16) &&
	    family_in(&c->router.addresses, 16)))
		ERR("peers.addresses", i, 0, "no address family in common "
		    "with router.addresses");
	for (k = 0; k < p->access_prefixes.n; k++)
		for (j = 0; j < i; j++) {
			q = &c->peers[j];
			for (l = 0; l < q->access_prefixes.n; l++)
				if (q->access_prefixes.v[l].plen ==
				    p->access_prefixes.v[k].plen &&
				    conf_addr_eq(&q->access_prefixes.v[l].addr,
				    &p->access_prefixes.v[k].addr))
					ERR("peers.access-prefixes", i, k + 1,
					    "%s/%u is also an access prefix of "
					    "peer '%s'", addr_s(a, sizeof(a),
					    &p->access_prefixes.v[k].addr),
					    p->access_prefixes.v[k].plen,
					    q->name ? q->name : "?");
		}

	/* channel modes (§8.1 table, C11, C22) */
	if (p->transport == CTP_CONF_TR_UDP &&
	    p->security != CTP_CONF_SEC_IPSEC)
		ERR("peers.security", i, 0, "transport udp needs security "
		    "ipsec");
	if (p->transport == CTP_CONF_TR_TCP &&
	    p->security != CTP_CONF_SEC_TLS)
		ERR("peers.security", i, 0, "transport tcp needs security "
		    "tls");
	if (p->security == CTP_CONF_SEC_TLS) {
		if (p->identity == NULL)
			ERR("peers", i, 0, "security tls needs 'identity' (the "
			    "name in the peer's certificate)");
		if (is_set(c, "peers.confidential", i))
			WARN("peers.confidential", i, 0, "ignored with "
			    "security tls (TLS channels are confidential)");
	} else if (p->identity != NULL)
		WARN("peers.identity", i, 0, "ignored with security ipsec");
	if (p->transport != CTP_CONF_TR_SCTP) {
		if ((r = ctp_conf_key_find("peers.sctp")) >= 0 &&
		    ctp_conf_where(c, (size_t)r, i, 0) != NULL)
			WARN("peers.sctp", i, 0, "ignored with transport %s",
			    ctp_conf_transport_names[p->transport]);
	} else
		check_sctp(c, d, i);
}

static void
check_peers(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	struct conf_sb	 sb = { 0 };
	size_t		 i, n = 0;

	if (c->npeers == 0 && !is_set(c, "peers", 0))
		WARN("peers", WHOLE, 0, "none configured; no context can be "
		    "transferred");
	for (i = 0; i < c->npeers; i++)
		check_peer(c, d, i);
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].security == CTP_CONF_SEC_TLS)
			break;
	if (i == c->npeers)
		return;
	n = (c->tls.certificate == NULL) + (c->tls.key == NULL) +
	    (c->tls.ca == NULL);
	if (c->tls.certificate == NULL)
		conf_sb_printf(&sb, "tls.certificate%s", n == 3 ? ", " :
		    n == 2 ? " and " : "");
	if (c->tls.key == NULL)
		conf_sb_printf(&sb, "tls.key%s", c->tls.ca == NULL ? " and " :
		    "");
	if (c->tls.ca == NULL)
		conf_sb_puts(&sb, "tls.ca");
	if (n > 0)
		ERR("peers.security", i, 0, "tls needs %s", sb.s ? sb.s :
		    "certificates");
	conf_sb_free(&sb);
}

static void
check_features(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	const struct ctp_conf_feature	*f;
	char				 b1[32], b2[32];
	size_t				 i, n = 0;

	for (i = 0; i < CTP_CONF_FEAT__MAX; i++) {
		f = &c->features[i];
		if (!f->enabled)
			continue;
		n++;
		if (f->provider != CTP_CONF_PROV_EXEC) {
			if (f->command != NULL)
				WARN("features.*.command", i, 0, "ignored with "
				    "provider %s",
				    ctp_conf_provider_names[f->provider]);
			if (is_set(c, "features.*.timeout", i))
				WARN("features.*.timeout", i, 0, "ignored with "
				    "provider %s",
				    ctp_conf_provider_names[f->provider]);
			continue;
		}
		if (f->command == NULL)
			ERR("features", i, 0, "provider exec needs "
			    "'command'");
		if (f->timeout_ms > c->timers.max_transfer_ms)
			WARN("features.*.timeout", i, 0, "%s exceeds "
			    "timers.max-transfer (%s); the pAR gives up before "
			    "the hook answers", dur(b1, sizeof(b1),
			    f->timeout_ms), dur(b2, sizeof(b2),
			    c->timers.max_transfer_ms));
	}
	if (n == 0 && !is_set(c, "features", 0))
		WARN("features", WHOLE, 0, "none enabled; there is no context "
		    "to transfer");
}

/*
 * Timer a must not exceed timer b (strict), or must exceed it (!strict).
 * The message sits on whichever of the two the user wrote.
 */
static void
timer_order(struct ctp_conf *c, struct ctp_conf_diag *d, const char *a,
    uint32_t va, const char *b, uint32_t vb, bool strict)
{
	char	 b1[32], b2[32];

	if (strict ? va <= vb : va > vb)
		return;
	dur(b1, sizeof(b1), va);
	dur(b2, sizeof(b2), vb);
	if (!is_set(c, a, 0) && is_set(c, b, 0))
		ERR(b, 0, 0, "%s is %s %s (%s)", b2, strict ? "below" :
		    "not below", a, b1);
	else
		ERR(a, 0, 0, "%s %s %s (%s)", b1, strict ? "exceeds" :
		    "must exceed", b, b2);
}

static void
check_timers(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	const struct ctp_conf_timers	*t = &c->timers;
	char				 b1[32], b2[32];
	size_t				 i;

	/* strict: the first must not exceed the second */
	timer_order(c, d, "timers.max-transfer", t->max_transfer_ms,
	    "timers.max-handover", t->max_handover_ms, true);
	timer_order(c, d, "timers.request-retry", t->request_retry_ms,
	    "timers.retry-max", t->retry_max_ms, true);
	timer_order(c, d, "timers.reconnect-min", t->reconnect_min_ms,
	    "timers.reconnect-max", t->reconnect_max_ms, true);
	/* not strict: the second must exceed the first */
	timer_order(c, d, "timers.liveness-timeout", t->liveness_timeout_ms,
	    "timers.liveness-interval", t->liveness_interval_ms, false);
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].transport == CTP_CONF_TR_UDP)
			break;
	if (i < c->npeers && t->udp_rto_ms >= t->max_transfer_ms)
		WARN("timers.udp-rto", 0, 0, "%s is not below "
		    "timers.max-transfer (%s); udp channels never retransmit",
		    dur(b1, sizeof(b1), t->udp_rto_ms),
		    dur(b2, sizeof(b2), t->max_transfer_ms));
}

static void
check_limits(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	const struct ctp_conf_limits	*l = &c->limits;

	if (rate_above(&l->per_source_rate, &l->request_rate))
		WARN("limits.per-source-rate", 0, 0, "above "
		    "limits.request-rate; it never applies");
	if (rate_above(&l->per_mn_rate, &l->request_rate))
		WARN("limits.per-mn-rate", 0, 0, "above limits.request-rate; "
		    "it never applies");
	if (strcmp(c->control.socket, c->control.read_only_socket) == 0)
		ERR("control.read-only-socket", 0, 0, "same path as "
		    "control.socket");
}

void
conf_finish(struct ctp_conf *c, struct ctp_conf_diag *d)
{
	check_mn(c, d);
	check_token(c, d);
	check_peers(c, d);
	check_features(c, d);
	check_timers(c, d);
	check_limits(c, d);
}

/* ------------------------------------------------------------ files */

/* A file the configuration names, and what it must look like. */
struct conf_file {
	const char	*key;
	size_t		 item;
	const char	*path;
	bool		 secret;
	bool		 exec;
};

int
ctp_conf_check_files(const struct ctp_conf *c,
    int (*stat_fn)(void *, const char *, struct ctp_conf_stat *), void *arg,
    struct ctp_conf_diag *d)
{
	struct conf_file	 f[4 + CTP_CONF_FEAT__MAX], *x;
	struct ctp_conf_stat	 st;
	size_t			 n = 0, i, errors = d->errors;
	int			 e;

	memset(f, 0, sizeof(f));
	f[n].key = "tls.certificate";
	f[n++].path = c->tls.certificate;
	f[n].key = "tls.key";
	f[n].secret = true;
	f[n++].path = c->tls.key;
	f[n].key = "tls.ca";
	f[n++].path = c->tls.ca;
	f[n].key = "token.keys-file";
	f[n].secret = true;
	f[n++].path = c->token.keys_file;
	for (i = 0; i < CTP_CONF_FEAT__MAX; i++) {
		x = &f[n++];
		x->key = "features.*.command";
		x->item = i;
		x->exec = true;
		if (c->features[i].enabled &&
		    c->features[i].provider == CTP_CONF_PROV_EXEC)
			x->path = c->features[i].command;
	}
	for (i = 0; i < n; i++) {
		if (f[i].path == NULL)
			continue;
		memset(&st, 0, sizeof(st));
		if ((e = stat_fn(arg, f[i].path, &st)) != 0) {
			report(c, d, CTP_CONF_ERROR, f[i].key, f[i].item, 0,
			    "%s: %s", f[i].path, strerror(e));
			continue;
		}
		/* S_IFMT and S_IFREG have these values on every Unix */
		if ((st.mode & 0170000) != 0100000) {
			report(c, d, CTP_CONF_ERROR, f[i].key, f[i].item, 0,
			    "%s is not a regular file", f[i].path);
			continue;
		}
		if (f[i].secret && (st.mode & 077) != 0)
			report(c, d, CTP_CONF_ERROR, f[i].key, f[i].item, 0,
			    "%s is open to group or others (mode %04o); "
			    "chmod 600 it", f[i].path,
			    (unsigned)(st.mode & 07777));
		if (f[i].exec && (st.mode & 0111) == 0)
			report(c, d, CTP_CONF_ERROR, f[i].key, f[i].item, 0,
			    "%s is not executable", f[i].path);
		if (f[i].exec && (st.mode & 022) != 0)
			report(c, d, CTP_CONF_ERROR, f[i].key, f[i].item, 0,
			    "%s is writable by group or others (mode %04o)",
			    f[i].path, (unsigned)(st.mode & 07777));
	}
	return (int)(d->errors - errors);
}

/* ------------------------------------------------------------ keys file */

/* The next field of a line: start and length; 0 if none. */
static size_t
field(const char *line, size_t len, size_t *at)
{
	size_t	 i = *at, s;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#') {
		*at = len;
		return 0;
	}
	s = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#')
		i++;
	*at = s;
	return i - s;
}

int
ctp_conf_load_keys(struct ctp_conf *c, const char *fname, const uint8_t *buf,
    size_t len, struct ctp_conf_diag *d)
{
	struct ctp_conf_mnkey		*v = NULL, *nv;
	struct keyref			*refs;
	char				 tok[256], msg[CONF_ERRMAX], a[64];
	const char			*s = (const char *)buf, *ln, *nl;
	size_t				 n = 0, cap = 0, off = 0, ll, at, fl, i;
	size_t				 errors = d->errors, start = d->n, first;
	uint32_t			 line = 0;
	int				 rmn, rkey, bad;

	rmn = ctp_conf_key_find("token.keys.mn");
	rkey = ctp_conf_key_find("token.keys.key");
	if (memchr(buf, '\0', len) != NULL) {
		conf_diag(d, CTP_CONF_ERROR, fname, 0, 0, "contains a NUL "
		    "character");
		return -1;
	}
	while (off < len && !d->full) {
		ln = s + off;
		nl = memchr(ln, '\n', len - off);
		ll = nl != NULL ? (size_t)(nl - ln) : len - off;
		off += ll + 1;
		line++;
		if (ll > 0 && ln[ll - 1] == '\r')
			ll--;
		at = 0;
		if ((fl = field(ln, ll, &at)) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = calloc(cap, sizeof(*nv))) == NULL)
				goto nomem;
			if (v != NULL) {
				/* not realloc: the old copy must be wiped */
				memcpy(nv, v, n * sizeof(*v));
				OPENSSL_cleanse(v, n * sizeof(*v));
				free(v);
			}
			v = nv;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].from_file = true;
		v[n].line = line;
		v[n].col = (uint32_t)at + 1;
		snprintf(tok, sizeof(tok), "%.*s", (int)fl, ln + at);
		if (conf_value_parse((size_t)rmn, tok, &v[n], 0, msg,
		    sizeof(msg)) == -1) {
			conf_diag(d, CTP_CONF_ERROR, fname, line,
			    (uint32_t)at + 1, "%s", msg);
			continue;
		}
		at += fl;
		if ((fl = field(ln, ll, &at)) == 0) {
			conf_diag(d, CTP_CONF_ERROR, fname, line,
			    (uint32_t)at + 1, "missing key after the address");
			continue;
		}
		snprintf(tok, sizeof(tok), "%.*s", (int)fl, ln + at);
		bad = conf_value_parse((size_t)rkey, tok, &v[n], 0, msg,
		    sizeof(msg)) == -1;
		OPENSSL_cleanse(tok, sizeof(tok));
		if (bad) {
			conf_diag(d, CTP_CONF_ERROR, fname, line,
			    (uint32_t)at + 1, "%s", msg);
			continue;
		}
		at += fl;
		if (field(ln, ll, &at) != 0) {
			conf_diag(d, CTP_CONF_ERROR, fname, line,
			    (uint32_t)at + 1, "unexpected text after the key");
			ctp_key_wipe(&v[n].key);
			continue;
		}
		n++;
	}
	if (n > 0) {
		if ((refs = keyrefs(c, v, n)) == NULL)
			goto nomem;
		for (i = 1, first = 0; i < c->token.nkeys + n; i++) {
			if (!conf_addr_eq(&refs[i].k->mn,
			    &refs[first].k->mn)) {
				first = i;
				continue;
			}
			if (refs[first].src == 0)
				conf_diag(d, CTP_CONF_ERROR, fname,
				    refs[i].k->line, refs[i].k->col, "MN %s "
				    "already has a key (%s%s%u)", addr_s(a,
				    sizeof(a), &refs[i].k->mn),
				    refs[first].k->from_file ? "keys file" :
				    c->file, refs[first].k->from_file ?
				    " line " : ":", refs[first].k->line);
			else
				conf_diag(d, CTP_CONF_ERROR, fname,
				    refs[i].k->line, refs[i].k->col,
				    "duplicate MN %s (first at line %u)",
				    addr_s(a, sizeof(a), &refs[i].k->mn),
				    refs[first].k->line);
		}
		free(refs);
		conf_diag_sort(d, start);
	}
	if (d->errors != errors)
		goto fail;
	if (n > 0) {
		if ((nv = calloc(c->token.nkeys + n, sizeof(*nv))) == NULL)
			goto nomem;
		if (c->token.nkeys > 0)
			memcpy(nv, c->token.keys, c->token.nkeys *
			    sizeof(*nv));
		memcpy(nv + c->token.nkeys, v, n * sizeof(*v));
		if (c->token.keys != NULL) {
			OPENSSL_cleanse(c->token.keys, c->token.nkeys *
			    sizeof(*nv));
			free(c->token.keys);
		}
		c->token.keys = nv;
		c->token.nkeys += n;
	}
	if (v != NULL)
		OPENSSL_cleanse(v, cap * sizeof(*v));
	free(v);
	return 0;
 nomem:
	d->nomem = true;
 fail:
	if (v != NULL)
		OPENSSL_cleanse(v, cap * sizeof(*v));
	free(v);
	return -1;
}
