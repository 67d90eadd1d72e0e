/* SPDX-License-Identifier: ISC */
/*
 * The ctpd configuration schema (STYLE §9) and what hangs off it: defaults,
 * freeing, diagnostics, marks, the YAML dump and the reload rules.  Values
 * are parsed and printed in ctp_conf_value.c, YAML is walked in
 * ctp_conf_yaml.c and the cross-checks live in ctp_conf_check.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctp_conf_priv.h"

const char *const ctp_conf_mn_transport_names[] = { "icmp", "udp", NULL };
const char *const ctp_conf_transport_names[] = { "sctp", "tcp", "udp", NULL };
const char *const ctp_conf_security_names[] = { "tls", "ipsec", NULL };
const char *const ctp_conf_provider_names[] = {
	"builtin", "exec", "socket", NULL
};
const char *const ctp_conf_feature_names[] = {
	"aaa", "qos", "rohc", "mld", NULL
};
const char *const ctp_conf_log_level_names[] = {
	"warning", "info", "debug", NULL
};
const char *const ctp_conf_log_target_names[] = { "syslog", "stderr", NULL };
const char *const ctp_conf_type_names[] = {
	"section", "list", "named", "string", "name", "path", "bool", "uint",
	"port", "duration", "size", "rate", "enum", "address", "addresses",
	"prefixes", "interfaces", "key", NULL
};
const char *const ctp_conf_scope_names[] = {
	"global", "peer", "feature", "mn-key", NULL
};

/* ENUM values are stored through an int (conf_value_parse). */
_Static_assert(sizeof(enum ctp_conf_mn_transport) == sizeof(int) &&
    sizeof(enum ctp_conf_transport) == sizeof(int) &&
    sizeof(enum ctp_conf_security) == sizeof(int) &&
    sizeof(enum ctp_conf_provider) == sizeof(int) &&
    sizeof(enum ctp_conf_log_level) == sizeof(int) &&
    sizeof(enum ctp_conf_log_target) == sizeof(int), "enum size");

#define G(f)	offsetof(struct ctp_conf, f)
#define P(f)	offsetof(struct ctp_conf_peer, f)
#define F(f)	offsetof(struct ctp_conf_feature, f)
#define K(f)	offsetof(struct ctp_conf_mnkey, f)

#define REQ	CTP_CONF_K_REQUIRED
#define RLD	CTP_CONF_K_RELOAD
#define SEC	CTP_CONF_K_SECRET
#define HEX	CTP_CONF_K_HEX
#define UNI	CTP_CONF_K_UNICAST
#define DER	CTP_CONF_K_DERIVED
#define SOCK	CTP_CONF_K_SOCKET

#define SEC_MS(x)	((uint64_t)(x) * 1000)
#define MIN_MS(x)	((uint64_t)(x) * 60000)
#define HOUR_MS(x)	((uint64_t)(x) * 3600000)
#define MIB(x)		((uint64_t)(x) << 20)
#define GIB(x)		((uint64_t)(x) << 30)

#define ROW(p, t, s, fl, d, lo, hi, nm, o, ds) \
	{ p, CTP_CONF_T_##t, CTP_CONF_S_##s, fl, d, lo, hi, nm, o, 0, 0, ds }
#define SECT(p, s, fl, ds) \
	{ p, CTP_CONF_T_SECTION, CTP_CONF_S_##s, fl, NULL, 0, 0, NULL, 0, 0, \
	    0, ds }
#define LIST(p, fl, hi, o, on, es, ds) \
	{ p, CTP_CONF_T_LIST, CTP_CONF_S_GLOBAL, fl, NULL, 0, hi, NULL, o, on, \
	    es, ds }

/*
 * Every key, parents before children: the rows of a section, list or named
 * map follow it directly.  Defaults are YAML text parsed by the same code as
 * the file; the spec constants are §6.2 (timers), §9.6 (sctp), C13 (ports)
 * and D17 (max-message).
 */
const struct ctp_conf_key ctp_conf_keys[] = {
	SECT("router", GLOBAL, REQ, "this access router"),
	ROW("router.id", NAME, GLOBAL, REQ, NULL, 1, CTP_CONF_NAME_MAX, NULL,
	    G(router.id), "name of this router in logs and ctpctl"),
	ROW("router.addresses", ADDRS, GLOBAL, REQ | UNI, NULL, 1,
	    CTP_CONF_MAX_ADDRS, NULL, G(router.addresses),
	    "channel addresses, bound explicitly (multi-homed with sctp)"),
	ROW("router.port", PORT, GLOBAL, 0, "5091", 1, 65535, NULL,
	    G(router.port), "channel port for sctp, tcp and udp peers (C13)"),

	SECT("mn", GLOBAL, 0, "the mobile-node side"),
	ROW("mn.transport", ENUM, GLOBAL, 0, "icmp", 0, 0,
	    ctp_conf_mn_transport_names, G(mn.transport),
	    "CTAR transport: icmp (41/150 subtype 1), or udp for tests"),
	ROW("mn.interfaces", IFNAMES, GLOBAL, 0, NULL, 0, 64, NULL,
	    G(mn.interfaces), "access interfaces CTARs are accepted on (icmp)"),
	ROW("mn.udp-port", PORT, GLOBAL, 0, "5091", 1, 65535, NULL,
	    G(mn.udp_port), "udp transport: port to listen on"),
	ROW("mn.listen", ADDRS, GLOBAL, UNI, NULL, 0, CTP_CONF_MAX_ADDRS, NULL,
	    G(mn.listen), "udp transport: addresses to listen on"),

	SECT("tls", GLOBAL, 0, "certificates for security tls"),
	ROW("tls.certificate", PATH, GLOBAL, RLD, NULL, 2, 4095, NULL,
	    G(tls.certificate), "this router's certificate chain (PEM)"),
	ROW("tls.key", PATH, GLOBAL, RLD, NULL, 2, 4095, NULL, G(tls.key),
	    "its private key (PEM); no access for group or others"),
	ROW("tls.ca", PATH, GLOBAL, RLD, NULL, 2, 4095, NULL, G(tls.ca),
	    "CA certificates that peer certificates must chain to"),

	SECT("token", GLOBAL, 0, "MN keys for the authorization token (§5)"),
	ROW("token.keys-file", PATH, GLOBAL, RLD, NULL, 2, 4095, NULL,
	    G(token.keys_file),
	    "file of 'ADDRESS HEXKEY' lines; no access for group or others"),
	LIST("token.keys", RLD, 100000, G(token.keys), G(token.nkeys),
	    sizeof(struct ctp_conf_mnkey), "MN keys given inline"),
	ROW("token.keys.mn", ADDR, MNKEY, REQ | RLD | UNI, NULL, 0, 0, NULL,
	    K(mn), "address of the mobile node"),
	ROW("token.keys.key", KEY, MNKEY, REQ | RLD | SEC, NULL,
	    CTP_KEY_MIN_ISSUE, CTP_KEY_MAX_ISSUE, NULL, K(key),
	    "shared key in hex, 16 to 64 octets (D5); never printed"),

	LIST("peers", RLD, 1024, G(peers), G(npeers),
	    sizeof(struct ctp_conf_peer),
	    "neighbouring access routers, one pre-established channel each"),
	ROW("peers.name", NAME, PEER, REQ, NULL, 1, CTP_CONF_NAME_MAX, NULL,
	    P(name), "peer name in logs and ctpctl"),
	ROW("peers.addresses", ADDRS, PEER, REQ | UNI, NULL, 1,
	    CTP_CONF_MAX_ADDRS, NULL, P(addresses), "its channel addresses"),
	ROW("peers.port", PORT, PEER, 0, "5091", 1, 65535, NULL, P(port),
	    "its channel port (C13)"),
	ROW("peers.transport", ENUM, PEER, 0, "sctp", 0, 0,
	    ctp_conf_transport_names, P(transport),
	    "sctp (modes A, B), tcp (A-tcp, C22) or udp (mode C)"),
	ROW("peers.security", ENUM, PEER, DER, "tls", 0, 0,
	    ctp_conf_security_names, P(security),
	    "tls, or ipsec; default tls, ipsec for transport udp"),
	ROW("peers.identity", STR, PEER, 0, NULL, 1, 255, NULL, P(identity),
	    "name its certificate must carry (security tls)"),
	ROW("peers.access-prefixes", PREFIXES, PEER, RLD, NULL, 0, 1024, NULL,
	    P(access_prefixes), "prefixes of the MNs behind this peer"),
	ROW("peers.confidential", BOOL, PEER, RLD, "false", 0, 0, NULL,
	    P(confidential),
	    "ipsec: ESP encrypts, so PCTD key material may be sent (§8.3)"),
	SECT("peers.sctp", PEER, 0, "SCTP association tuning (§9.6)"),
	ROW("peers.sctp.rto-initial", DURATION, PEER, 0, "100ms", 10,
	    SEC_MS(60), NULL, P(sctp.rto_initial_ms), "initial RTO"),
	ROW("peers.sctp.rto-min", DURATION, PEER, 0, "20ms", 1, SEC_MS(60),
	    NULL, P(sctp.rto_min_ms), "smallest RTO"),
	ROW("peers.sctp.rto-max", DURATION, PEER, 0, "200ms", 1, SEC_MS(120),
	    NULL, P(sctp.rto_max_ms), "largest RTO (= CT_MAX_TRANSFER_TIME)"),
	ROW("peers.sctp.hb-interval", DURATION, PEER, 0, "1s", 100,
	    HOUR_MS(1), NULL, P(sctp.hb_interval_ms), "heartbeat interval"),
	ROW("peers.sctp.path-max-retrans", UINT, PEER, 0, "3", 1, 20, NULL,
	    P(sctp.path_max_retrans), "retransmissions before a path fails"),
	ROW("peers.sctp.pf-threshold", UINT, PEER, 0, "1", 0, 20, NULL,
	    P(sctp.pf_threshold),
	    "retransmissions before a path is potentially failed"),
	ROW("peers.sctp.assoc-max-retrans", UINT, PEER, 0, "10", 1, 100, NULL,
	    P(sctp.assoc_max_retrans),
	    "retransmissions before the association fails"),
	ROW("peers.sctp.sack-delay", DURATION, PEER, 0, "0ms", 0, 500, NULL,
	    P(sctp.sack_delay_ms), "delayed SACK timer; 0ms turns it off"),
	ROW("peers.sctp.ppid", UINT, PEER, HEX, "0", 0, UINT32_MAX, NULL,
	    P(sctp.ppid), "payload protocol identifier sent (§8.1)"),
	ROW("peers.sctp.primary", ADDR, PEER, UNI, NULL, 0, 0, NULL,
	    P(sctp.primary),
	    "path kept as primary, one of addresses; default the first"),

	{ "features", CTP_CONF_T_NAMED, CTP_CONF_S_GLOBAL, RLD, NULL, 0, 0,
	    ctp_conf_feature_names, G(features), 0,
	    sizeof(struct ctp_conf_feature),
	    "feature contexts offered, by name: aaa, qos, rohc, mld" },
	ROW("features.*.provider", ENUM, FEATURE, RLD, "builtin", 0, 0,
	    ctp_conf_provider_names, F(provider),
	    "who holds the contexts: builtin, exec or socket"),
	ROW("features.*.command", PATH, FEATURE, RLD, NULL, 2, 4095, NULL,
	    F(command), "exec: hook run with JSON on stdin"),
	ROW("features.*.timeout", DURATION, FEATURE, RLD, "100ms", 1,
	    SEC_MS(60), NULL, F(timeout_ms), "exec: how long the hook may run"),
	ROW("features.*.reliable", BOOL, FEATURE, RLD, "false", 0, 0, NULL,
	    F(reliable), "send its blocks with R=1 (confirmed, C5)"),

	SECT("timers", GLOBAL, 0, "protocol timers (§6.2, C15)"),
	ROW("timers.max-transfer", DURATION, GLOBAL, RLD, "200ms", 10,
	    SEC_MS(60), NULL, G(timers.max_transfer_ms),
	    "CT_MAX_TRANSFER_TIME: longest a transfer may take"),
	ROW("timers.max-handover", DURATION, GLOBAL, RLD, "2s", 10, MIN_MS(10),
	    NULL, G(timers.max_handover_ms),
	    "CT_MAX_HANDOVER_TIME: how long predictive contexts are held"),
	ROW("timers.request-retry", DURATION, GLOBAL, RLD, "2s", 100,
	    MIN_MS(1), NULL, G(timers.request_retry_ms),
	    "CT_REQUEST_RETRY: first CTAR retransmission"),
	ROW("timers.retry-max", DURATION, GLOBAL, RLD, "15s", SEC_MS(1),
	    MIN_MS(10), NULL, G(timers.retry_max_ms),
	    "CT_RETRY_MAX: end of CTAR retransmission and replay cache"),
	ROW("timers.udp-rto", DURATION, GLOBAL, RLD, "50ms", 1, SEC_MS(10),
	    NULL, G(timers.udp_rto_ms),
	    "UDP_RTO_INITIAL: first retransmission on udp channels"),
	ROW("timers.liveness-interval", DURATION, GLOBAL, RLD, "1s", 100,
	    MIN_MS(10), NULL, G(timers.liveness_interval_ms),
	    "channel liveness probe interval"),
	ROW("timers.liveness-timeout", DURATION, GLOBAL, RLD, "3s", 200,
	    HOUR_MS(1), NULL, G(timers.liveness_timeout_ms),
	    "a channel silent this long is re-established"),
	ROW("timers.reconnect-min", DURATION, GLOBAL, RLD, "500ms", 10,
	    MIN_MS(10), NULL, G(timers.reconnect_min_ms),
	    "first reconnect delay (jittered, doubling)"),
	ROW("timers.reconnect-max", DURATION, GLOBAL, RLD, "30s", 100,
	    HOUR_MS(1), NULL, G(timers.reconnect_max_ms),
	    "largest reconnect delay"),

	SECT("limits", GLOBAL, 0, "rate limits and resource bounds (§10.2)"),
	ROW("limits.request-rate", RATE, GLOBAL, RLD, "10/s", 1, 1000000, NULL,
	    G(limits.request_rate), "CT_REQUEST_RATE: CTARs accepted overall"),
	ROW("limits.request-burst", UINT, GLOBAL, RLD, "20", 1, 1000000, NULL,
	    G(limits.request_burst), "burst above request-rate"),
	ROW("limits.per-source-rate", RATE, GLOBAL, RLD, "5/s", 1, 1000000,
	    NULL, G(limits.per_source_rate), "CTARs accepted per source"),
	ROW("limits.per-mn-rate", RATE, GLOBAL, RLD, "2/s", 1, 1000000, NULL,
	    G(limits.per_mn_rate), "CTARs accepted per MN address"),
	ROW("limits.transfers", UINT, GLOBAL, RLD, "100000", 1, 10000000, NULL,
	    G(limits.transfers), "concurrent transfers"),
	ROW("limits.held-contexts", UINT, GLOBAL, RLD, "100000", 1, 10000000,
	    NULL, G(limits.held_contexts),
	    "predictive contexts held before the oldest is evicted"),
	ROW("limits.store-memory", SIZE, GLOBAL, RLD, "64MiB", MIB(1), GIB(64),
	    NULL, G(limits.store_memory), "memory for held contexts"),
	ROW("limits.max-message", SIZE, GLOBAL, RLD, "65532", 64, CTP_MSG_MAX,
	    NULL, G(limits.max_message), "largest CXTP message accepted (D17)"),
	ROW("limits.max-cdbs", UINT, GLOBAL, RLD, "64", 1, CTP_MAX_CDBS, NULL,
	    G(limits.max_cdbs), "most data blocks accepted in one message"),

	SECT("control", GLOBAL, 0, "control sockets for ctpctl"),
	ROW("control.socket", PATH, GLOBAL, SOCK, "/run/ctpd/ctpd.sock", 2, 107,
	    NULL, G(control.socket), "admin socket"),
	ROW("control.read-only-socket", PATH, GLOBAL, SOCK,
	    "/run/ctpd/ctpd.ro.sock", 2, 107, NULL, G(control.read_only_socket),
	    "read-only socket (show commands, monitor)"),

	SECT("log", GLOBAL, 0, "logging"),
	ROW("log.level", ENUM, GLOBAL, RLD, "info", 0, 0,
	    ctp_conf_log_level_names, G(log.level), "warning, info or debug"),
	ROW("log.target", ENUM, GLOBAL, RLD, "syslog", 0, 0,
	    ctp_conf_log_target_names, G(log.target), "syslog or stderr"),
};
const size_t ctp_conf_nkeys = sizeof(ctp_conf_keys) / sizeof(ctp_conf_keys[0]);

/* ------------------------------------------------------------ text buffer */

void
conf_sb_add(struct conf_sb *sb, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		cap = sb->cap ? sb->cap : 256;
		while (cap < sb->len + n + 1)
			cap *= 2;
		if ((p = realloc(sb->s, cap)) == NULL) {
			sb->failed = 1;
			return;
		}
		sb->s = p;
		sb->cap = cap;
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void
conf_sb_puts(struct conf_sb *sb, const char *s)
{
	conf_sb_add(sb, s, strlen(s));
}

void
conf_sb_printf(struct conf_sb *sb, const char *fmt, ...)
{
	char	 buf[256], *p;
	va_list	 ap, ap2;
	int	 n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		sb->failed = 1;
	else if ((size_t)n < sizeof(buf))
		conf_sb_add(sb, buf, (size_t)n);
	else if ((p = malloc((size_t)n + 1)) == NULL)
		sb->failed = 1;
	else {
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
		conf_sb_add(sb, p, (size_t)n);
		free(p);
	}
	va_end(ap2);
}

void
conf_sb_free(struct conf_sb *sb)
{
	free(sb->s);
	memset(sb, 0, sizeof(*sb));
}

/* ------------------------------------------------------------ diagnostics */

void
ctp_conf_diag_init(struct ctp_conf_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
ctp_conf_diag_free(struct ctp_conf_diag *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void
diag_store(struct ctp_conf_diag *d, enum ctp_conf_sev sev, uint32_t line,
    uint32_t col, char *text)
{
	struct ctp_conf_diag_line	*v;
	size_t				 cap;

	if (text == NULL) {
		d->nomem = true;
		return;
	}
	if (d->n == d->cap) {
		cap = d->cap ? d->cap * 2 : 16;
		if ((v = realloc(d->v, cap * sizeof(*v))) == NULL) {
			free(text);
			d->nomem = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n].sev = sev;
	d->v[d->n].line = line;
	d->v[d->n].col = col;
	d->v[d->n].text = text;
	d->n++;
}

void
conf_vdiag(struct ctp_conf_diag *d, enum ctp_conf_sev sev, const char *fname,
    uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	struct conf_sb	 sb = { 0 };
	char		 msg[1024];

	if (sev == CTP_CONF_ERROR) {
		if (d->full)
			return;
		if (d->errors >= CTP_CONF_MAX_ERRORS) {
			d->full = true;
			conf_sb_printf(&sb, "%s: too many errors, stopping "
			    "after %d", fname, CTP_CONF_MAX_ERRORS);
			diag_store(d, CTP_CONF_ERROR, 0, 0, sb.failed ? NULL :
			    sb.s);
			return;
		}
		d->errors++;
	} else {
		if (d->warnings >= CTP_CONF_MAX_ERRORS) {
			d->warnings++;
			return;
		}
		d->warnings++;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		conf_sb_printf(&sb, "%s:%u:%u: ", fname, line, col);
	else
		conf_sb_printf(&sb, "%s: ", fname);
	if (sev == CTP_CONF_WARNING)
		conf_sb_puts(&sb, "warning: ");
	conf_sb_puts(&sb, msg);
	if (sb.failed) {
		conf_sb_free(&sb);
		diag_store(d, sev, line, col, NULL);
		return;
	}
	diag_store(d, sev, line, col, sb.s);
}

void
conf_diag(struct ctp_conf_diag *d, enum ctp_conf_sev sev, const char *fname,
    uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_vdiag(d, sev, fname, line, col, fmt, ap);
	va_end(ap);
}

static int
diag_before(const struct ctp_conf_diag_line *a,
    const struct ctp_conf_diag_line *b)
{
	if (a->line == 0 || b->line == 0)
		return a->line != 0 && b->line == 0;
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

void
conf_diag_sort(struct ctp_conf_diag *d, size_t from)
{
	struct ctp_conf_diag_line	 t;
	size_t				 i, j;

	/* Insertion sort: stable, and the lists are short. */
	for (i = from + 1; i < d->n; i++) {
		t = d->v[i];
		for (j = i; j > from && diag_before(&t, &d->v[j - 1]); j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = t;
	}
}

/* ------------------------------------------------------------ schema */

int
ctp_conf_key_find(const char *path)
{
	size_t	 i;

	for (i = 0; i < ctp_conf_nkeys; i++)
		if (strcmp(ctp_conf_keys[i].path, path) == 0)
			return (int)i;
	return -1;
}

const char *
conf_leaf(size_t r)
{
	const char	*p = strrchr(ctp_conf_keys[r].path, '.');

	return p ? p + 1 : ctp_conf_keys[r].path;
}

int
conf_is_container(enum ctp_conf_type t)
{
	return t == CTP_CONF_T_SECTION || t == CTP_CONF_T_LIST ||
	    t == CTP_CONF_T_NAMED;
}

void
conf_disp(char *buf, size_t sz, size_t r, size_t item)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	const char			*p = k->path;

	switch (k->scope) {
	case CTP_CONF_S_PEER:
		snprintf(buf, sz, "peers[%zu]%s", item, p + strlen("peers"));
		break;
	case CTP_CONF_S_MNKEY:
		snprintf(buf, sz, "token.keys[%zu]%s", item,
		    p + strlen("token.keys"));
		break;
	case CTP_CONF_S_FEATURE:
		snprintf(buf, sz, "features.%s%s", item < CTP_CONF_FEAT__MAX ?
		    ctp_conf_feature_names[item] : "?",
		    p + strlen("features.*"));
		break;
	default:
		snprintf(buf, sz, "%s", p);
		break;
	}
}

void *
conf_obj(struct ctp_conf *c, enum ctp_conf_scope scope, size_t item)
{
	switch (scope) {
	case CTP_CONF_S_GLOBAL:
		return c;
	case CTP_CONF_S_PEER:
		return item < c->npeers ? &c->peers[item] : NULL;
	case CTP_CONF_S_FEATURE:
		return item < CTP_CONF_FEAT__MAX ? &c->features[item] : NULL;
	case CTP_CONF_S_MNKEY:
		return item < c->token.nkeys ? &c->token.keys[item] : NULL;
	}
	return NULL;
}

int
conf_defaults(enum ctp_conf_scope scope, void *obj)
{
	char	 err[CONF_ERRMAX];
	size_t	 r;

	for (r = 0; r < ctp_conf_nkeys; r++) {
		if (ctp_conf_keys[r].scope != scope ||
		    ctp_conf_keys[r].def == NULL ||
		    conf_is_container(ctp_conf_keys[r].type))
			continue;
		/* a default that does not parse is a bug the tests catch */
		if (conf_value_parse(r, ctp_conf_keys[r].def, obj, 0, err,
		    sizeof(err)) == -1)
			return -1;
	}
	return 0;
}

int
ctp_conf_key_describe(size_t i, char *def, size_t defsz, char *bounds,
    size_t boundssz)
{
	const struct ctp_conf_key	*k;
	char				 lo[64], hi[64];

	if (i >= ctp_conf_nkeys)
		return -1;
	k = &ctp_conf_keys[i];
	snprintf(def, defsz, "%s", k->def ? k->def : "none");
	if (bounds == NULL || boundssz == 0)
		return 0;
	bounds[0] = '\0';
	switch (k->type) {
	case CTP_CONF_T_UINT:
	case CTP_CONF_T_PORT:
	case CTP_CONF_T_DURATION:
	case CTP_CONF_T_SIZE:
	case CTP_CONF_T_RATE:
		conf_num_fmt(lo, sizeof(lo), k->type, k->flags, k->min);
		conf_num_fmt(hi, sizeof(hi), k->type, k->flags, k->max);
		snprintf(bounds, boundssz, "%s..%s", lo, hi);
		break;
	case CTP_CONF_T_STR:
	case CTP_CONF_T_NAME:
	case CTP_CONF_T_PATH:
	case CTP_CONF_T_KEY:
		snprintf(bounds, boundssz, "%ju..%ju %s", (uintmax_t)k->min,
		    (uintmax_t)k->max, k->type == CTP_CONF_T_KEY ?
		    "octets" : "characters");
		break;
	case CTP_CONF_T_ADDRS:
	case CTP_CONF_T_PREFIXES:
	case CTP_CONF_T_IFNAMES:
	case CTP_CONF_T_LIST:
		snprintf(bounds, boundssz, "%ju..%ju entries",
		    (uintmax_t)k->min, (uintmax_t)k->max);
		break;
	case CTP_CONF_T_ENUM: {
		size_t	 n = 0, j;

		for (j = 0; k->names[j] != NULL; j++)
			n += (size_t)snprintf(bounds + n, n < boundssz ?
			    boundssz - n : 0, "%s%s", j ? " | " : "",
			    k->names[j]);
		break;
	}
	default:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------ marks */

int
conf_mark_add(struct ctp_conf *c, size_t row, size_t item, size_t elem,
    uint32_t line, uint32_t col)
{
	struct ctp_conf_mark	*m;
	size_t			 cap;

	if (c->nmarks == c->capmarks) {
		cap = c->capmarks ? c->capmarks * 2 : 64;
		if ((m = realloc(c->marks, cap * sizeof(*m))) == NULL)
			return -1;
		c->marks = m;
		c->capmarks = cap;
	}
	m = &c->marks[c->nmarks++];
	m->row = (uint16_t)row;
	m->item = (uint32_t)item;
	m->elem = (uint32_t)elem;
	m->line = line;
	m->col = col;
	return 0;
}

const struct ctp_conf_mark *
ctp_conf_where(const struct ctp_conf *c, size_t row, size_t item, size_t elem)
{
	size_t	 i;

	for (i = 0; i < c->nmarks; i++)
		if (c->marks[i].row == row && c->marks[i].item == item &&
		    c->marks[i].elem == elem)
			return &c->marks[i];
	return NULL;
}

/* ------------------------------------------------------------ freeing */

void
conf_value_free(size_t r, void *obj)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	void				*p = (char *)obj + k->off;
	size_t				 i;

	switch (k->type) {
	case CTP_CONF_T_STR:
	case CTP_CONF_T_NAME:
	case CTP_CONF_T_PATH:
		free(*(char **)p);
		*(char **)p = NULL;
		break;
	case CTP_CONF_T_ADDRS: {
		struct ctp_conf_addrs	*a = p;

		free(a->v);
		memset(a, 0, sizeof(*a));
		break;
	}
	case CTP_CONF_T_PREFIXES: {
		struct ctp_conf_prefixes	*a = p;

		free(a->v);
		memset(a, 0, sizeof(*a));
		break;
	}
	case CTP_CONF_T_IFNAMES: {
		struct ctp_conf_strs	*a = p;

		for (i = 0; i < a->n; i++)
			free(a->v[i]);
		free(a->v);
		memset(a, 0, sizeof(*a));
		break;
	}
	case CTP_CONF_T_KEY:
		ctp_key_wipe(p);
		break;
	default:
		break;
	}
}

static void
free_scope(enum ctp_conf_scope scope, void *obj)
{
	size_t	 r;

	for (r = 0; r < ctp_conf_nkeys; r++)
		if (ctp_conf_keys[r].scope == scope &&
		    !conf_is_container(ctp_conf_keys[r].type))
			conf_value_free(r, obj);
}

void
ctp_conf_free(struct ctp_conf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npeers; i++)
		free_scope(CTP_CONF_S_PEER, &c->peers[i]);
	free(c->peers);
	for (i = 0; i < c->token.nkeys; i++)
		free_scope(CTP_CONF_S_MNKEY, &c->token.keys[i]);
	free(c->token.keys);
	for (i = 0; i < CTP_CONF_FEAT__MAX; i++)
		free_scope(CTP_CONF_S_FEATURE, &c->features[i]);
	free_scope(CTP_CONF_S_GLOBAL, c);
	free(c->marks);
	free(c->file);
	free(c);
}

/* ------------------------------------------------------------ lookups */

const struct ctp_conf_peer *
ctp_conf_peer_find(const struct ctp_conf *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].name != NULL &&
		    strcmp(c->peers[i].name, name) == 0)
			return &c->peers[i];
	return NULL;
}

const struct ctp_conf_mnkey *
ctp_conf_mnkey_find(const struct ctp_conf *c, const struct ctp_addr *a)
{
	size_t	 i;

	for (i = 0; i < c->token.nkeys; i++)
		if (conf_addr_eq(&c->token.keys[i].mn, a))
			return &c->token.keys[i];
	return NULL;
}

/* ------------------------------------------------------------ dump */

static void
indent(struct conf_sb *sb, int n, int *dash)
{
	if (*dash) {
		/* first key of a list entry: "- " takes the last two columns */
		conf_sb_printf(sb, "%*s- ", n - 2, "");
		*dash = 0;
	} else
		conf_sb_printf(sb, "%*s", n, "");
}

/* Does row r have a value worth printing (NULL strings are left out)? */
static int
dump_has(size_t r, const void *obj)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];

	switch (k->type) {
	case CTP_CONF_T_STR:
	case CTP_CONF_T_NAME:
	case CTP_CONF_T_PATH:
		return *(char *const *)(const void *)((const char *)obj +
		    k->off) != NULL;
	case CTP_CONF_T_ADDR:		/* optional: len 0 when not set */
		return ((const struct ctp_addr *)(const void *)
		    ((const char *)obj + k->off))->len != 0;
	default:
		return 1;
	}
}

/*
 * Keys the cross-checks call "ignored" in this configuration are left out of
 * the dump: it shows what takes effect, and reads back without warnings.
 */
static int
dump_ignored(size_t r, const void *obj, const struct ctp_conf *c)
{
	const char			*p = ctp_conf_keys[r].path;
	const struct ctp_conf_peer	*peer = obj;
	const struct ctp_conf_feature	*f = obj;

	switch (ctp_conf_keys[r].scope) {
	case CTP_CONF_S_PEER:
		if (strcmp(p, "peers.sctp") == 0)
			return peer->transport != CTP_CONF_TR_SCTP;
		if (strcmp(p, "peers.identity") == 0)
			return peer->security != CTP_CONF_SEC_TLS;
		if (strcmp(p, "peers.confidential") == 0)
			return peer->security != CTP_CONF_SEC_IPSEC;
		return 0;
	case CTP_CONF_S_FEATURE:
		if (strcmp(p, "features.*.command") == 0 ||
		    strcmp(p, "features.*.timeout") == 0)
			return f->provider != CTP_CONF_PROV_EXEC;
		return 0;
	case CTP_CONF_S_GLOBAL:
		if (strcmp(p, "mn.interfaces") == 0)
			return c->mn.transport != CTP_CONF_MN_ICMP;
		if (strcmp(p, "mn.udp-port") == 0 ||
		    strcmp(p, "mn.listen") == 0)
			return c->mn.transport != CTP_CONF_MN_UDP;
		return 0;
	default:
		return 0;
	}
}

static void	dump_children(struct conf_sb *, const struct ctp_conf *,
		    size_t, const void *, size_t, int, int *);

static void
dump_row(struct conf_sb *sb, const struct ctp_conf *c, size_t r,
    const void *obj, size_t item, int ind, int *dash)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	const char			*base;
	size_t				 i, n, any;
	int				 d;

	if (dump_ignored(r, obj, c))
		return;
	switch (k->type) {
	case CTP_CONF_T_SECTION:
		indent(sb, ind, dash);
		conf_sb_printf(sb, "%s:", conf_leaf(r));
		any = 0;
		for (i = r + 1; i < ctp_conf_nkeys &&
		    strncmp(ctp_conf_keys[i].path, k->path,
		    strlen(k->path)) == 0; i++)
			if (ctp_conf_keys[i].path[strlen(k->path)] == '.' &&
			    !conf_is_container(ctp_conf_keys[i].type) &&
			    dump_has(i, obj) && !dump_ignored(i, obj, c))
				any++;
		if (any == 0) {
			conf_sb_puts(sb, " {}\n");
			break;
		}
		conf_sb_puts(sb, "\n");
		d = 0;
		dump_children(sb, c, r, obj, item, ind + 2, &d);
		break;
	case CTP_CONF_T_LIST:
		indent(sb, ind, dash);
		base = *(const char *const *)(const void *)((const char *)c +
		    k->off);
		n = *(const size_t *)(const void *)((const char *)c + k->off_n);
		conf_sb_printf(sb, "%s:", conf_leaf(r));
		any = 0;
		for (i = 0; i < n; i++) {
			/* keys from the keys file belong to that file */
			if (ctp_conf_keys[r + 1].scope == CTP_CONF_S_MNKEY &&
			    ((const struct ctp_conf_mnkey *)(const void *)
			    (base + i * k->esz))->from_file)
				continue;
			if (any++ == 0)
				conf_sb_puts(sb, "\n");
			d = 1;
			dump_children(sb, c, r, base + i * k->esz, i, ind + 4,
			    &d);
		}
		if (any == 0)
			conf_sb_puts(sb, " []\n");
		break;
	case CTP_CONF_T_NAMED:
		indent(sb, ind, dash);
		conf_sb_printf(sb, "%s:", conf_leaf(r));
		any = 0;
		for (i = 0; i < CTP_CONF_FEAT__MAX; i++) {
			if (!c->features[i].enabled)
				continue;
			if (any++ == 0)
				conf_sb_puts(sb, "\n");
			conf_sb_printf(sb, "%*s%s:\n", ind + 2, "",
			    k->names[i]);
			d = 0;
			dump_children(sb, c, r, &c->features[i], i, ind + 4,
			    &d);
		}
		if (any == 0)
			conf_sb_puts(sb, " {}\n");
		break;
	default:
		if (!dump_has(r, obj))
			break;
		indent(sb, ind, dash);
		conf_sb_printf(sb, "%s: ", conf_leaf(r));
		conf_value_fmt(sb, r, obj);
		conf_sb_puts(sb, "\n");
		break;
	}
}

/* The direct children of row parent (SIZE_MAX: the top level). */
static void
dump_children(struct conf_sb *sb, const struct ctp_conf *c, size_t parent,
    const void *obj, size_t item, int ind, int *dash)
{
	const char	*pp;
	char		 prefix[64];
	size_t		 r, plen;

	if (parent == SIZE_MAX)
		prefix[0] = '\0';
	else if (ctp_conf_keys[parent].type == CTP_CONF_T_NAMED)
		snprintf(prefix, sizeof(prefix), "%s.*.",
		    ctp_conf_keys[parent].path);
	else
		snprintf(prefix, sizeof(prefix), "%s.",
		    ctp_conf_keys[parent].path);
	plen = strlen(prefix);
	for (r = 0; r < ctp_conf_nkeys; r++) {
		pp = ctp_conf_keys[r].path;
		if (strncmp(pp, prefix, plen) != 0 ||
		    strchr(pp + plen, '.') != NULL)
			continue;
		dump_row(sb, c, r, obj, item, ind, dash);
	}
}

char *
ctp_conf_dump(const struct ctp_conf *c, size_t *lenp)
{
	struct conf_sb	 sb = { 0 };
	int		 d = 0;

	conf_sb_puts(&sb, "# effective configuration\n");
	dump_children(&sb, c, SIZE_MAX, c, 0, 0, &d);
	if (sb.failed) {
		conf_sb_free(&sb);
		return NULL;
	}
	if (lenp != NULL)
		*lenp = sb.len;
	return sb.s;
}

/* ------------------------------------------------------------ reload */

/* Do rows r of a and b print the same? */
static int
row_differs(size_t r, const void *a, const void *b)
{
	struct conf_sb	 sa = { 0 }, sb = { 0 };
	int		 diff;

	conf_value_fmt(&sa, r, a);
	conf_value_fmt(&sb, r, b);
	diff = sa.failed || sb.failed || sa.s == NULL || sb.s == NULL ||
	    strcmp(sa.s, sb.s) != 0;
	if (!dump_has(r, a) && !dump_has(r, b))
		diff = 0;
	else if (dump_has(r, a) != dump_has(r, b))
		diff = 1;
	conf_sb_free(&sa);
	conf_sb_free(&sb);
	return diff;
}

int
ctp_conf_reload_check(const struct ctp_conf *old, const struct ctp_conf *new_c,
    struct ctp_conf_diag *diag)
{
	const struct ctp_conf_key	*k;
	const struct ctp_conf_mark	*m;
	size_t				 r;
	int				 n = 0;

	for (r = 0; r < ctp_conf_nkeys; r++) {
		k = &ctp_conf_keys[r];
		if (k->scope != CTP_CONF_S_GLOBAL ||
		    conf_is_container(k->type) ||
		    (k->flags & (CTP_CONF_K_RELOAD | CTP_CONF_K_SECRET)) != 0 ||
		    !row_differs(r, old, new_c))
			continue;
		m = ctp_conf_where(new_c, r, 0, 0);
		conf_diag(diag, CTP_CONF_ERROR, new_c->file ? new_c->file : "-",
		    m ? m->line : 0, m ? m->col : 0,
		    "%s: cannot change on reload; restart ctpd", k->path);
		n++;
	}
	return n;
}

bool
ctp_conf_peer_changed(const struct ctp_conf_peer *a,
    const struct ctp_conf_peer *b)
{
	const struct ctp_conf_key	*k;
	size_t				 r;

	for (r = 0; r < ctp_conf_nkeys; r++) {
		k = &ctp_conf_keys[r];
		if (k->scope != CTP_CONF_S_PEER ||
		    conf_is_container(k->type) ||
		    (k->flags & CTP_CONF_K_RELOAD) != 0)
			continue;
		if (row_differs(r, a, b))
			return true;
	}
	return false;
}
