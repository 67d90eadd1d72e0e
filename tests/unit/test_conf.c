/* SPDX-License-Identifier: ISC */
/*
 * Tests of the configuration model: the example loads clean, every dump reads
 * back to the same dump, each file in tests/data/conf gives exactly the lines
 * of its .err (and the dump of its .out), the spec defaults, hidden secrets,
 * the MN keys file, file-mode checks, reload rules and mutated input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctp_conf.h"
#include "testutil.h"

static char	**files;		/* tests/data/conf/\*.yaml, sorted */
static size_t	  nfiles;

/* ------------------------------------------------------------ helpers */

/* All diagnostic lines, each ended by a newline. */
static char *
diag_text(const struct ctp_conf_diag *d)
{
	size_t	 i, n = 1;
	char	*s;

	for (i = 0; i < d->n; i++)
		n += strlen(d->v[i].text) + 1;
	s = malloc(n);
	ck_assert_ptr_nonnull(s);
	s[0] = '\0';
	for (i = 0; i < d->n; i++) {
		strcat(s, d->v[i].text);
		strcat(s, "\n");
	}
	return s;
}

static int
parse_str(const char *fname, const char *text, unsigned flags,
    struct ctp_conf **c, struct ctp_conf_diag *d)
{
	ctp_conf_diag_init(d);
	return ctp_conf_parse(fname, (const uint8_t *)text, strlen(text), flags,
	    c, d);
}

/* Parse text that must load without any message. */
static struct ctp_conf *
load_clean(const char *fname, const char *text)
{
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c;
	char			*t;

	parse_str(fname, text, 0, &c, &d);
	t = diag_text(&d);
	ck_assert_msg(c != NULL && d.n == 0, "%s: unexpected:\n%s", fname, t);
	free(t);
	ctp_conf_diag_free(&d);
	return c;
}

/* A file of tests/data, or NULL if it does not exist. */
static char *
read_opt(const char *name)
{
	char	 path[4096], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * dump(c) parsed back gives a configuration whose dump is the same; returns
 * the dump for more checks (free it).
 */
static char *
roundtrip(const struct ctp_conf *c)
{
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c2;
	char			*s1, *s2, *t;

	s1 = ctp_conf_dump(c, NULL);
	ck_assert_ptr_nonnull(s1);
	parse_str("dump", s1, CTP_CONF_F_REDACTED, &c2, &d);
	t = diag_text(&d);
	ck_assert_msg(c2 != NULL && d.errors == 0, "dump does not parse:\n%s"
	    "--- dump:\n%s", t, s1);
	s2 = ctp_conf_dump(c2, NULL);
	ck_assert_ptr_nonnull(s2);
	ck_assert_str_eq(s1, s2);
	free(t);
	free(s2);
	ctp_conf_free(c2);
	ctp_conf_diag_free(&d);
	return s1;
}

static const char	 minimal[] =
	"router: {id: ar1, addresses: [192.0.2.1]}\n"
	"mn: {interfaces: [wlan0]}\n"
	"tls: {certificate: /etc/ctpd/ar1.crt, key: /etc/ctpd/ar1.key,\n"
	"  ca: /etc/ctpd/ca.crt}\n"
	"token: {keys-file: /etc/ctpd/mn-keys}\n"
	"features: {aaa: {}}\n"
	"peers:\n"
	"  - {name: ar2, addresses: [192.0.2.2], identity: ar2.example.net}\n"
	"  - {name: ar3, addresses: [192.0.2.3], transport: udp}\n";

/* ------------------------------------------------------------ files */

START_TEST(test_data_file)
{
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c;
	const char		*name = files[_i];
	char			 rel[512], base[256], *text, *err, *out, *got;
	size_t			 n;
	int			 rc;

	snprintf(base, sizeof(base), "%.*s", (int)(strlen(name) - 5), name);
	snprintf(rel, sizeof(rel), "conf/%s", name);
	text = read_opt(rel);
	ck_assert_ptr_nonnull(text);
	snprintf(rel, sizeof(rel), "conf/%s.err", base);
	err = read_opt(rel);
	snprintf(rel, sizeof(rel), "conf/%s.out", base);
	out = read_opt(rel);

	snprintf(rel, sizeof(rel), "%s", name);
	n = strlen(text);
	ctp_conf_diag_init(&d);
	rc = ctp_conf_parse(name, (const uint8_t *)text, n, 0, &c, &d);
	got = diag_text(&d);
	ck_assert_msg(strcmp(got, err ? err : "") == 0,
	    "%s: diagnostics differ\n--- expected:\n%s--- got:\n%s", name,
	    err ? err : "", got);
	if (strncmp(name, "bad-", 4) == 0) {
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_null(c);
		ck_assert_uint_gt(d.errors, 0);
	} else {
		ck_assert_msg(rc == 0, "%s does not load", name);
		ck_assert_uint_eq(d.errors, 0);
		if (strncmp(name, "warn-", 5) == 0)
			ck_assert_uint_gt(d.warnings, 0);
		free(roundtrip(c));
	}
	if (out != NULL) {
		char	*dump;

		ck_assert_ptr_nonnull(c);
		dump = ctp_conf_dump(c, NULL);
		ck_assert_msg(strcmp(dump, out) == 0, "%s: dump differs\n"
		    "--- expected:\n%s--- got:\n%s", name, out, dump);
		free(dump);
	}
	ctp_conf_free(c);
	ctp_conf_diag_free(&d);
	free(got);
	free(text);
	free(err);
	free(out);
}
END_TEST

START_TEST(test_enough_bad_files)
{
	size_t	 i, bad = 0;

	for (i = 0; i < nfiles; i++)
		if (strncmp(files[i], "bad-", 4) == 0)
			bad++;
	ck_assert_uint_ge(bad, 25);
}
END_TEST

/* ------------------------------------------------------------ example */

START_TEST(test_example)
{
	struct ctp_conf_diag		 d;
	struct ctp_conf			*c;
	const struct ctp_conf_peer	*p;
	uint8_t				*buf;
	size_t				 len;
	char				*t;

	buf = tu_read_data("../../etc/ctpd.yaml", &len);
	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_parse("ctpd.yaml", buf, len, 0, &c, &d), 0);
	t = diag_text(&d);
	ck_assert_msg(d.n == 0, "example not clean:\n%s", t);
	free(t);
	ck_assert_str_eq(c->router.id, "ar1");
	ck_assert_uint_eq(c->router.addresses.n, 3);
	ck_assert_uint_eq(c->npeers, 2);
	ck_assert_ptr_nonnull(p = ctp_conf_peer_find(c, "ar3"));
	ck_assert_int_eq(p->transport, CTP_CONF_TR_UDP);
	ck_assert_int_eq(p->security, CTP_CONF_SEC_IPSEC);
	ck_assert(p->confidential && p->pctd_ok);
	ck_assert_ptr_nonnull(p = ctp_conf_peer_find(c, "ar2"));
	ck_assert_str_eq(p->identity, "ar2.example.net");
	ck_assert_uint_eq(p->access_prefixes.n, 1);
	ck_assert_uint_eq(p->access_prefixes.v[0].plen, 26);
	ck_assert(c->features[CTP_CONF_FEAT_AAA].enabled);
	ck_assert(c->features[CTP_CONF_FEAT_AAA].reliable);
	ck_assert_int_eq(c->features[CTP_CONF_FEAT_QOS].provider,
	    CTP_CONF_PROV_EXEC);
	ck_assert(!c->features[CTP_CONF_FEAT_MLD].enabled);
	free(roundtrip(c));
	ctp_conf_free(c);
	ctp_conf_diag_free(&d);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------ defaults */

START_TEST(test_defaults)
{
	struct ctp_conf			*c = load_clean("min.yaml", minimal);
	const struct ctp_conf_peer	*p = &c->peers[0], *u = &c->peers[1];

	/* spec §6.2 and C15 */
	ck_assert_uint_eq(c->timers.max_transfer_ms, 200);
	ck_assert_uint_eq(c->timers.max_handover_ms, 2000);
	ck_assert_uint_eq(c->timers.request_retry_ms, 2000);
	ck_assert_uint_eq(c->timers.retry_max_ms, 15000);
	ck_assert_uint_eq(c->timers.udp_rto_ms, 50);
	ck_assert_uint_lt(c->timers.liveness_interval_ms,
	    c->timers.liveness_timeout_ms);
	ck_assert_uint_le(c->timers.reconnect_min_ms,
	    c->timers.reconnect_max_ms);
	ck_assert_uint_eq(c->limits.request_rate.n, 10);
	ck_assert_uint_eq(c->limits.request_rate.per_ms, 1000);
	/* D17, and the hard CDB cap */
	ck_assert_uint_eq(c->limits.max_message, CTP_MSG_MAX);
	ck_assert_uint_le(c->limits.max_cdbs, CTP_MAX_CDBS);
	ck_assert_uint_eq(c->limits.store_memory, 64u << 20);
	/* C13, C14 */
	ck_assert_uint_eq(c->router.port, CTP_PORT);
	ck_assert_int_eq(c->mn.transport, CTP_CONF_MN_ICMP);
	ck_assert_uint_eq(c->mn.udp_port, 5091);
	ck_assert_str_eq(c->control.socket, "/run/ctpd/ctpd.sock");
	ck_assert_str_eq(c->control.read_only_socket, "/run/ctpd/ctpd.ro.sock");
	ck_assert_int_eq(c->log.level, CTP_CONF_LOG_INFO);
	ck_assert_int_eq(c->log.target, CTP_CONF_LOG_SYSLOG);
	/* peers: mode A by default, §9.6 starting values */
	ck_assert_uint_eq(p->port, CTP_PORT);
	ck_assert_int_eq(p->transport, CTP_CONF_TR_SCTP);
	ck_assert_int_eq(p->security, CTP_CONF_SEC_TLS);
	ck_assert(p->pctd_ok);
	ck_assert_uint_eq(p->sctp.rto_initial_ms, 100);
	ck_assert_uint_eq(p->sctp.rto_min_ms, 20);
	ck_assert_uint_eq(p->sctp.rto_max_ms, c->timers.max_transfer_ms);
	ck_assert_uint_eq(p->sctp.hb_interval_ms, 1000);
	ck_assert_uint_eq(p->sctp.path_max_retrans, 3);
	ck_assert_uint_eq(p->sctp.pf_threshold, 1);
	ck_assert_uint_eq(p->sctp.assoc_max_retrans, 10);
	ck_assert_uint_eq(p->sctp.ppid, 0);
	ck_assert_uint_eq(p->sctp.primary.len, 0);	/* the first address */
	/* udp defaults to ipsec; not confidential, so no PCTD (§8.3) */
	ck_assert_int_eq(u->security, CTP_CONF_SEC_IPSEC);
	ck_assert(!u->confidential && !u->pctd_ok);
	ck_assert_int_eq(c->features[CTP_CONF_FEAT_AAA].provider,
	    CTP_CONF_PROV_BUILTIN);
	ck_assert(!c->features[CTP_CONF_FEAT_AAA].reliable);
	free(roundtrip(c));
	ctp_conf_free(c);
}
END_TEST

/* ------------------------------------------------------------ secrets */

/* peers[].sctp.primary: stored as given, dumped only where set. */
START_TEST(test_sctp_primary)
{
	struct ctp_conf			*c;
	const struct ctp_conf_peer	*p;
	char				*text, *dump;
	static const uint8_t		 a2[4] = { 198, 51, 100, 2 };
	static const uint8_t		 a3[4] = { 192, 0, 2, 3 };

	text = read_opt("conf/good-sctp-primary.yaml");
	ck_assert_ptr_nonnull(text);
	c = load_clean("good-sctp-primary.yaml", text);
	ck_assert_uint_eq(c->npeers, 3);
	p = &c->peers[0];
	ck_assert_uint_eq(p->sctp.primary.len, 4);
	ck_assert_mem_eq(p->sctp.primary.b, a2, 4);
	/* an IPv4-mapped spelling of the IPv4 address listed: read as IPv4 */
	p = &c->peers[1];
	ck_assert_uint_eq(p->sctp.primary.len, 4);
	ck_assert_mem_eq(p->sctp.primary.b, a3, 4);
	ck_assert_uint_eq(c->peers[2].sctp.primary.len, 0);
	dump = roundtrip(c);
	ck_assert_ptr_nonnull(strstr(dump, "primary: 198.51.100.2\n"));
	ck_assert_ptr_nonnull(strstr(dump, "primary: 192.0.2.3\n"));
	ck_assert_ptr_eq(strstr(strstr(dump, "name: ar4"), "primary:"), NULL);
	free(dump);
	ctp_conf_free(c);
	free(text);
}
END_TEST

START_TEST(test_secrets_hidden)
{
	static const char	 text[] =
		"router: {id: ar1, addresses: [192.0.2.1]}\n"
		"mn: {interfaces: [wlan0]}\n"
		"features: {aaa: {}}\n"
		"peers: []\n"
		"token:\n"
		"  keys:\n"
		"    - {mn: 203.0.113.10,\n"
		"       key: 5ec12e75ec12e75ec12e75ec12e75ec1}\n"
		"    - {mn: 203.0.113.11,\n"
		"       key: 0xC0FFEEC0FFEEC0FFEEC0FFEEC0FFEEC0FFEE}\n";
	struct ctp_conf_diag		 d;
	struct ctp_conf			*c, *c2;
	const struct ctp_conf_mnkey	*k;
	struct ctp_addr			 a = { 4, { 203, 0, 113, 11 } };
	char				*dump, *dump2, *t;

	c = load_clean("keys.yaml", text);
	ck_assert_uint_eq(c->token.nkeys, 2);
	ck_assert_ptr_nonnull(k = ctp_conf_mnkey_find(c, &a));
	ck_assert_uint_eq(k->key.len, 18);
	ck_assert_uint_eq(k->key.b[0], 0xc0);
	dump = roundtrip(c);
	ck_assert_ptr_null(strstr(dump, "5ec12e"));
	ck_assert_ptr_null(strstr(dump, "C0FFEE"));
	ck_assert_ptr_null(strstr(dump, "c0ffee"));
	ck_assert_ptr_nonnull(strstr(dump, "key: <hidden>"));

	/* without the flag a dump's placeholder is refused */
	parse_str("dump", dump, 0, &c2, &d);
	ck_assert_ptr_null(c2);
	t = diag_text(&d);
	ck_assert_str_eq(t,
	    "dump:13:12: token.keys[0].key: \"<hidden>\" is a key removed by a "
	    "dump; give the key in hex\n"
	    "dump:15:12: token.keys[1].key: \"<hidden>\" is a key removed by a "
	    "dump; give the key in hex\n");
	free(t);
	ctp_conf_diag_free(&d);

	/* with it, the entries are kept, marked, and carry no key */
	parse_str("dump", dump, CTP_CONF_F_REDACTED, &c2, &d);
	ck_assert_ptr_nonnull(c2);
	ck_assert(c2->token.keys[1].redacted);
	ck_assert_uint_eq(c2->token.keys[1].key.len, 0);
	dump2 = ctp_conf_dump(c2, NULL);
	ck_assert_str_eq(dump, dump2);
	free(dump2);
	ctp_conf_free(c2);
	ctp_conf_diag_free(&d);
	free(dump);
	ctp_conf_free(c);
}
END_TEST

/* ------------------------------------------------------------ schema */

START_TEST(test_schema)
{
	char	 def[64], bounds[128];
	size_t	 i, j, plen;
	int	 r;

	ck_assert_uint_gt(ctp_conf_nkeys, 60);
	for (i = 0; i < ctp_conf_nkeys; i++) {
		const struct ctp_conf_key	*k = &ctp_conf_keys[i];
		const char			*dot = strrchr(k->path, '.');

		ck_assert_msg(k->desc != NULL && k->desc[0] != '\0',
		    "%s: no description", k->path);
		ck_assert_int_eq(ctp_conf_key_find(k->path), (int)i);
		/* children come right after their parent, parents first */
		if (dot != NULL) {
			plen = (size_t)(dot - k->path);
			if (plen > 2 && strncmp(dot - 2, ".*", 2) == 0)
				plen -= 2;
			for (j = i; j-- > 0; )
				if (strlen(ctp_conf_keys[j].path) == plen &&
				    strncmp(ctp_conf_keys[j].path, k->path,
				    plen) == 0)
					break;
			ck_assert_msg(j != SIZE_MAX, "%s: no parent", k->path);
			for (j++; j < i; j++)
				ck_assert_msg(strncmp(ctp_conf_keys[j].path,
				    k->path, plen) == 0, "%s is not next to "
				    "its parent", k->path);
		}
		ck_assert_int_eq(ctp_conf_key_describe(i, def, sizeof(def),
		    bounds, sizeof(bounds)), 0);
	}
	ck_assert_int_eq(ctp_conf_key_describe(ctp_conf_nkeys, def,
	    sizeof(def), bounds, sizeof(bounds)), -1);
	ck_assert_int_ge(r = ctp_conf_key_find("timers.max-transfer"), 0);
	ck_assert_int_eq(ctp_conf_key_describe((size_t)r, def, sizeof(def),
	    bounds, sizeof(bounds)), 0);
	ck_assert_str_eq(def, "200ms");
	ck_assert_str_eq(bounds, "10ms..1m");
	ck_assert(ctp_conf_keys[r].flags & CTP_CONF_K_RELOAD);
	r = ctp_conf_key_find("peers.transport");
	ctp_conf_key_describe((size_t)r, def, sizeof(def), bounds,
	    sizeof(bounds));
	ck_assert_str_eq(bounds, "sctp | tcp | udp");
	ck_assert_int_eq(ctp_conf_keys[r].scope, CTP_CONF_S_PEER);
	r = ctp_conf_key_find("limits.store-memory");
	ctp_conf_key_describe((size_t)r, def, sizeof(def), bounds,
	    sizeof(bounds));
	ck_assert_str_eq(bounds, "1MiB..64GiB");
	r = ctp_conf_key_find("token.keys.key");
	ck_assert(ctp_conf_keys[r].flags & CTP_CONF_K_SECRET);
	ck_assert_int_eq(ctp_conf_key_find("timers.nope"), -1);
}
END_TEST

/* ------------------------------------------------------------ keys file */

START_TEST(test_keys_file)
{
	static const char	 good[] =
		"# MN keys\n"
		"\n"
		"203.0.113.11 000102030405060708090a0b0c0d0e0f\n"
		"  2001:db8::11\t0x000102030405060708090a0b0c0d0e0f10111213  "
		"# lab\r\n"
		"203.0.113.12 000102030405060708090a0b0c0d0e0f";
	static const char	 bad[] =
		"203.0.113.300 000102030405060708090a0b0c0d0e0f\n"
		"203.0.113.21\n"
		"203.0.113.22 0001020304\n"
		"203.0.113.23 000102030405060708090a0b0c0d0e0f extra\n"
		"203.0.113.24 000102030405060708090a0b0c0d0e0f\n"
		"203.0.113.24 000102030405060708090a0b0c0d0e0f\n"
		"203.0.113.10 000102030405060708090a0b0c0d0e0f\n"
		"224.0.0.1 000102030405060708090a0b0c0d0e0f\n";
	char				 text[1024], *t, *dump;
	struct ctp_conf_diag		 d;
	struct ctp_conf			*c;
	const struct ctp_conf_mnkey	*k;
	struct ctp_addr			 a = { 16, { 0x20, 0x01, 0x0d, 0xb8 } };

	a.b[15] = 0x11;
	snprintf(text, sizeof(text), "%s",
	    "router: {id: ar1, addresses: [192.0.2.1]}\n"
	    "mn: {interfaces: [wlan0]}\n"
	    "features: {aaa: {}}\n"
	    "peers: []\n"
	    "token:\n"
	    "  keys-file: /etc/ctpd/mn-keys\n"
	    "  keys:\n"
	    "    - {mn: 203.0.113.10, key: 0102030405060708090a0b0c0d0e0f10}\n");
	c = load_clean("k.yaml", text);

	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_load_keys(c, "mn-keys", (const uint8_t *)bad,
	    strlen(bad), &d), -1);
	t = diag_text(&d);
	ck_assert_str_eq(t,
	    "mn-keys:1:1: '203.0.113.300' is not an IPv4 or IPv6 address\n"
	    "mn-keys:2:13: missing key after the address\n"
	    "mn-keys:3:14: key is 5 octets, keys are 16 to 64 octets (D5)\n"
	    "mn-keys:4:47: unexpected text after the key\n"
	    "mn-keys:6:1: duplicate MN 203.0.113.24 (first at line 5)\n"
	    "mn-keys:7:1: MN 203.0.113.10 already has a key (k.yaml:8)\n"
	    "mn-keys:8:1: '224.0.0.1' is not a unicast address\n");
	free(t);
	ck_assert_uint_eq(c->token.nkeys, 1);
	ctp_conf_diag_free(&d);

	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_load_keys(c, "mn-keys", (const uint8_t *)good,
	    strlen(good), &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(c->token.nkeys, 4);
	ck_assert_ptr_nonnull(k = ctp_conf_mnkey_find(c, &a));
	ck_assert_uint_eq(k->key.len, 20);
	ck_assert_uint_eq(k->line, 4);
	ck_assert(k->from_file);
	/* the dump lists the inline key only; the file stays the source */
	dump = ctp_conf_dump(c, NULL);
	ck_assert_ptr_null(strstr(dump, "203.0.113.11"));
	ck_assert_ptr_nonnull(strstr(dump, "mn: 203.0.113.10"));
	free(dump);
	ck_assert_int_eq(ctp_conf_load_keys(c, "x", (const uint8_t *)"a\0b", 3,
	    &d), -1);
	ctp_conf_diag_free(&d);
	ctp_conf_free(c);
}
END_TEST

/* A large keys file loads in reasonable time; repeats are still found. */
START_TEST(test_keys_file_large)
{
	static const char	 text[] =
		"router: {id: ar1, addresses: [192.0.2.1]}\n"
		"mn: {interfaces: [wlan0]}\n"
		"features: {aaa: {}}\n"
		"peers: []\n"
		"token: {keys-file: /etc/ctpd/mn-keys}\n";
	const size_t		 n = 100000;
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c = load_clean("k.yaml", text);
	char			*buf, *p, *t;
	size_t			 i;

	buf = malloc((n + 1) * 64);
	ck_assert_ptr_nonnull(buf);
	for (p = buf, i = 0; i < n; i++)
		p += sprintf(p, "10.%zu.%zu.%zu %032zx\n", i >> 16,
		    (i >> 8) & 0xff, i & 0xff, i);
	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_load_keys(c, "big", (const uint8_t *)buf,
	    (size_t)(p - buf), &d), 0);
	ck_assert_uint_eq(c->token.nkeys, n);
	sprintf(p, "10.0.0.7 %032x\n", 1);
	ck_assert_int_eq(ctp_conf_load_keys(c, "big", (const uint8_t *)buf,
	    strlen(buf), &d), -1);
	ck_assert_uint_eq(c->token.nkeys, n);
	/* every line repeats a loaded key, and the last also repeats line 8 */
	ck_assert_uint_eq(d.errors, CTP_CONF_MAX_ERRORS);
	ck_assert(d.full);
	t = diag_text(&d);
	ck_assert_ptr_nonnull(strstr(t, "big:1:1: MN 10.0.0.0 already has a "
	    "key (keys file line 1)\n"));
	free(t);
	ctp_conf_diag_free(&d);
	free(buf);
	ctp_conf_free(c);
}
END_TEST

/* ------------------------------------------------------------ file modes */

static const struct {
	const char	*path;
	int		 err;
	uint32_t	 mode;
} fake_fs[] = {
	{ "/etc/ctpd/ar1.crt", 0, 0100644 },
	{ "/etc/ctpd/ar1.key", 0, 0100640 },
	{ "/etc/ctpd/ca.crt", 0, 0040755 },
	{ "/etc/ctpd/mn-keys", 0, 0100600 },
	{ "/etc/ctpd/hooks/qos", 0, 0100644 },
	{ "/etc/ctpd/hooks/rohc", 0, 0100777 },
};

static int
fake_stat(void *arg, const char *path, struct ctp_conf_stat *st)
{
	size_t	 i;

	(*(int *)arg)++;
	for (i = 0; i < sizeof(fake_fs) / sizeof(fake_fs[0]); i++)
		if (strcmp(path, fake_fs[i].path) == 0) {
			st->mode = fake_fs[i].mode;
			return fake_fs[i].err;
		}
	return ENOENT;
}

START_TEST(test_check_files)
{
	static const char	 text[] =
		"router: {id: ar1, addresses: [192.0.2.1]}\n"
		"mn: {interfaces: [wlan0]}\n"
		"tls:\n"
		"  certificate: /etc/ctpd/ar1.crt\n"
		"  key: /etc/ctpd/ar1.key\n"
		"  ca: /etc/ctpd/ca.crt\n"
		"token: {keys-file: /etc/ctpd/mn-keys}\n"
		"peers: []\n"
		"features:\n"
		"  qos: {provider: exec, command: /etc/ctpd/hooks/qos}\n"
		"  rohc: {provider: exec, command: /etc/ctpd/hooks/rohc}\n"
		"  mld: {provider: exec, command: /etc/ctpd/hooks/mld}\n"
		"  aaa: {provider: builtin}\n";
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c = load_clean("f.yaml", text);
	char			*t;
	int			 calls = 0;

	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_check_files(c, fake_stat, &calls, &d), 5);
	ck_assert_int_eq(calls, 7);
	t = diag_text(&d);
	ck_assert_str_eq(t,
	    "f.yaml:5:8: tls.key: /etc/ctpd/ar1.key is open to group or "
	    "others (mode 0640); chmod 600 it\n"
	    "f.yaml:6:7: tls.ca: /etc/ctpd/ca.crt is not a regular file\n"
	    "f.yaml:10:34: features.qos.command: /etc/ctpd/hooks/qos is not "
	    "executable\n"
	    "f.yaml:11:35: features.rohc.command: /etc/ctpd/hooks/rohc is "
	    "writable by group or others (mode 0777)\n"
	    "f.yaml:12:34: features.mld.command: /etc/ctpd/hooks/mld: No such "
	    "file or directory\n");
	free(t);
	ctp_conf_diag_free(&d);
	ctp_conf_free(c);
}
END_TEST

/* ------------------------------------------------------------ reload */

START_TEST(test_reload)
{
	struct ctp_conf_diag	 d;
	struct ctp_conf		*a, *b;
	char			 text[2048], *t;

	a = load_clean("a.yaml", minimal);
	snprintf(text, sizeof(text), "%s%s", minimal,
	    "timers: {max-transfer: 250ms}\n"
	    "log: {level: debug}\n");
	b = load_clean("b.yaml", text);
	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_reload_check(a, b, &d), 0);
	ck_assert(!ctp_conf_peer_changed(&a->peers[0], &b->peers[0]));
	ctp_conf_free(b);

	snprintf(text, sizeof(text), "%s",
	    "router: {id: ar1, addresses: [192.0.2.1], port: 6000}\n"
	    "mn: {interfaces: [wlan0, wlan1]}\n"
	    "tls: {certificate: /etc/ctpd/new.crt, key: /etc/ctpd/ar1.key,\n"
	    "  ca: /etc/ctpd/ca.crt}\n"
	    "token: {keys-file: /etc/ctpd/mn-keys}\n"
	    "features: {aaa: {}}\n"
	    "peers:\n"
	    "  - {name: ar2, addresses: [192.0.2.2],\n"
	    "     identity: ar2.example.net,\n"
	    "     access-prefixes: [203.0.113.0/24]}\n"
	    "  - {name: ar3, addresses: [192.0.2.3], transport: udp,\n"
	    "     port: 6001}\n");
	b = load_clean("b.yaml", text);
	ck_assert_int_eq(ctp_conf_reload_check(a, b, &d), 2);
	t = diag_text(&d);
	ck_assert_str_eq(t,
	    "b.yaml:1:49: router.port: cannot change on reload; restart ctpd\n"
	    "b.yaml:2:18: mn.interfaces: cannot change on reload; restart "
	    "ctpd\n");
	free(t);
	/* prefixes are reload-safe; a new port re-establishes the channel */
	ck_assert(!ctp_conf_peer_changed(&a->peers[0], &b->peers[0]));
	ck_assert(ctp_conf_peer_changed(&a->peers[1], &b->peers[1]));
	ctp_conf_diag_free(&d);
	ctp_conf_free(a);
	ctp_conf_free(b);
}
END_TEST

/* ------------------------------------------------------------ edges */

START_TEST(test_edges)
{
	struct ctp_conf_diag		 d;
	struct ctp_conf			*c;
	const struct ctp_conf_mark	*m;
	char				 deep[256], *t;
	int				 r;

	ctp_conf_free(NULL);

	/* an empty buffer */
	ctp_conf_diag_init(&d);
	ck_assert_int_eq(ctp_conf_parse("e.yaml", (const uint8_t *)"", 0, 0,
	    &c, &d), -1);
	t = diag_text(&d);
	ck_assert_str_eq(t, "e.yaml: missing required key 'router'\n");
	free(t);
	ctp_conf_diag_free(&d);

	/* nesting is bounded */
	memset(deep, '[', 200);
	deep[200] = '\0';
	ck_assert_int_eq(parse_str("n.yaml", deep, 0, &c, &d), -1);
	t = diag_text(&d);
	ck_assert_str_eq(t, "n.yaml:1:34: nesting deeper than 32 levels\n");
	free(t);
	ctp_conf_diag_free(&d);

	/* a NUL inside a value */
	ck_assert_int_eq(parse_str("z.yaml", "router: {id: \"a\\0b\", "
	    "addresses: [192.0.2.1]}\n", 0, &c, &d), -1);
	t = diag_text(&d);
	ck_assert_str_eq(t, "z.yaml:1:14: router.id: contains a NUL "
	    "character\n");
	free(t);
	ctp_conf_diag_free(&d);

	/* marks are kept for the daemon's later messages */
	c = load_clean("min.yaml", minimal);
	r = ctp_conf_key_find("peers.identity");
	ck_assert_ptr_nonnull(m = ctp_conf_where(c, (size_t)r, 0, 0));
	ck_assert_uint_eq(m->line, 8);
	ck_assert_uint_eq(m->col, 51);
	ck_assert_ptr_null(ctp_conf_where(c, (size_t)r, 1, 0));
	ck_assert_uint_eq(c->peers[1].line, 9);
	ck_assert_ptr_null(ctp_conf_peer_find(c, "nope"));
	ctp_conf_free(c);
}
END_TEST

/*
 * Mutated copies of the example: byte flips, YAML-significant characters,
 * truncation.  Each either loads (and then round-trips) or fails with
 * positioned errors; none crashes (run under the sanitizers).
 */
START_TEST(test_mutations)
{
	static const char	 special[] = ":-[]{}&*!|>'\"%@`#,?\t\n \0\xff";
	struct ctp_conf_diag	 d;
	struct ctp_conf		*c;
	struct tu_rng		 rng;
	uint8_t			*orig, *buf;
	size_t			 len, n, i, j, loaded = 0;
	int			 rc;

	orig = tu_read_data("../../etc/ctpd.yaml", &len);
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	tu_rng_seed(&rng, 0xc0ffee);
	for (i = 0; i < 3000; i++) {
		memcpy(buf, orig, len);
		n = len;
		switch (tu_rng_below(&rng, 3)) {
		case 0:
			buf[tu_rng_below(&rng, (uint32_t)len)] ^=
			    (uint8_t)(1u << tu_rng_below(&rng, 8));
			break;
		case 1:
			for (j = 0; j < 1 + tu_rng_below(&rng, 3); j++)
				buf[tu_rng_below(&rng, (uint32_t)len)] =
				    (uint8_t)special[tu_rng_below(&rng,
				    sizeof(special) - 1)];
			break;
		default:
			n = tu_rng_below(&rng, (uint32_t)len);
			break;
		}
		ctp_conf_diag_init(&d);
		rc = ctp_conf_parse("m.yaml", buf, n, 0, &c, &d);
		ck_assert_msg((rc == 0) == (c != NULL) &&
		    (rc == 0) == (d.errors == 0), "iteration %zu", i);
		ck_assert_uint_le(d.errors, CTP_CONF_MAX_ERRORS);
		for (j = 0; j < d.n; j++)
			ck_assert(strncmp(d.v[j].text, "m.yaml:", 7) == 0);
		if (c != NULL) {
			loaded++;
			free(roundtrip(c));
		}
		ctp_conf_free(c);
		ctp_conf_diag_free(&d);
	}
	/* a fair share of mutants land in comments and still load */
	ck_assert_uint_gt(loaded, 100);
	free(buf);
	free(orig);
}
END_TEST

/* ------------------------------------------------------------ main */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
find_files(void)
{
	DIR		*dir;
	struct dirent	*e;
	size_t		 n;

	if ((dir = opendir(TEST_DATA_DIR "/conf")) == NULL) {
		perror(TEST_DATA_DIR "/conf");
		exit(EXIT_FAILURE);
	}
	while ((e = readdir(dir)) != NULL) {
		n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		files = realloc(files, (nfiles + 1) * sizeof(*files));
		if (files == NULL ||
		    (files[nfiles] = strdup(e->d_name)) == NULL)
			exit(EXIT_FAILURE);
		nfiles++;
	}
	closedir(dir);
	qsort(files, nfiles, sizeof(*files), cmp_names);
}

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_data_file, 0, (int)nfiles);
	tcase_add_test(tc, test_enough_bad_files);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_sctp_primary);
	tcase_add_test(tc, test_secrets_hidden);
	tcase_add_test(tc, test_schema);
	tcase_add_test(tc, test_keys_file);
	tcase_add_test(tc, test_keys_file_large);
	tcase_add_test(tc, test_check_files);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	size_t	 i;
	int	 failed;

	find_files();
	sr = srunner_create(conf_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
