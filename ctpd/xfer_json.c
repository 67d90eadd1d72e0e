/* SPDX-License-Identifier: ISC */
/*
 * The transfer engine's control-socket side: views of transfers, MNs,
 * contexts and counters as JSON, and the context hand-over of a feature
 * subsystem (context put/get/del) with strict validation.  Keys are never
 * rendered: only whether one is there and its length.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctp_feature.h"
#include "ctp_json.h"
#include "ctpd.h"
#include "provider.h"
#include "store.h"
#include "xfer_priv.h"

static json_t *
xj_addr(const struct ctp_addr *a)
{
	char	 buf[64];

	return json_string(xfer_addr(a, buf, sizeof(buf)));
}

static json_t *
xj_peer(struct xfer_engine *x, uint32_t id)
{
	struct peer	*p;

	if (id == CTP_FSM_NO_PEER || (p = peer_at(x->d->peers, id)) == NULL)
		return json_null();
	return json_string(peer_name(p));
}

static json_t *
xj_cdbs(const struct store_cdb *d)
{
	json_t		*a = json_array(), *o;
	struct ctp_cdb	 c;

	for (; d != NULL && a != NULL; d = d->next) {
		store_cdb_view(d, d->r, &c);
		if (ctp_feature_cdb_to_json(&c, false, &o) != CTP_OK)
			continue;
		if (d->prov == CTP_CONF_PROV_EXEC)
			json_object_set_new(o, "provider", json_string("exec"));
		json_array_append_new(a, o);
	}
	return a;
}

/* One MN of the store: key presence, never the key. */
static json_t *
xj_store_mn(struct xfer_engine *x, struct store_mn *sm)
{
	json_t	*o;
	uint64_t now = ctpd_now_ms(x->d);
	int	 i;

	o = json_pack("{s:o, s:b, s:i}", "mn", xj_addr(&sm->mn),
	    "key", ctp_key_present(&sm->key) ? 1 : 0,
	    "key_len", ctp_key_present(&sm->key) ? (int)sm->key.len : 0);
	if (o == NULL)
		return NULL;
	if (sm->key_burnt && !ctp_key_present(&sm->key))
		json_object_set_new(o, "key_wiped", json_true());
	for (i = 0; i < STORE__SETS; i++)
		json_object_set_new(o, store_set_names[i],
		    xj_cdbs(sm->set[i]));
	if (sm->set[STORE_HELD] != NULL)
		json_object_set_new(o, "held_expires_ms", json_integer(
		    sm->held_until_ms > now ?
		    (json_int_t)(sm->held_until_ms - now) : 0));
	return o;
}

static json_t *
xj_transfer(struct xfer_engine *x, struct xfer_mn *m)
{
	uint64_t	 now = ctpd_now_ms(x->d);

	return json_pack("{s:o, s:{s:s, s:o, s:I}, s:{s:s, s:o, s:I}, s:I, "
	    "s:i}",
	    "mn", xj_addr(&m->mn),
	    "par", "state", ctp_par_state_name(m->par.state),
	    "peer", xj_peer(x, m->par.peer), "seq", (json_int_t)m->par.seq,
	    "nar", "state", ctp_nar_state_name(m->nar.state),
	    "peer", xj_peer(x, m->nar.peer), "seq", (json_int_t)m->nar.seq,
	    "age_ms", (json_int_t)(now >= m->since_ms ? now - m->since_ms : 0),
	    "hooks_running", (int)m->inst_pending);
}

json_t *
xfer_transfers_json(struct xfer_engine *x)
{
	json_t		*a = json_array();
	struct xfer_mn	*m;
	size_t		 i;

	for (i = 0; i < x->nb && a != NULL; i++)
		for (m = x->b[i]; m != NULL; m = m->hnext)
			if (m->active)
				json_array_append_new(a, xj_transfer(x, m));
	return a;
}

json_t *
xfer_mn_json(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct xfer_mn	*m = xfer_mn_find(x, mn);
	struct store_mn	*sm = store_get(x->store, mn);
	json_t		*o;

	if (m == NULL && sm == NULL)
		return NULL;		/* nothing known about the MN */
	if (m != NULL)
		o = xj_transfer(x, m);
	else
		o = json_pack("{s:o, s:{s:s}, s:{s:s}}", "mn", xj_addr(mn),
		    "par", "state", "IDLE", "nar", "state", "IDLE");
	if (o != NULL)
		json_object_set_new(o, "store", sm != NULL ?
		    xj_store_mn(x, sm) : json_null());
	return o;
}

json_t *
xfer_contexts_json(struct xfer_engine *x)
{
	json_t		*a = json_array();
	struct store_mn	*sm;

	for (sm = store_first(x->store); sm != NULL && a != NULL;
	    sm = store_next(x->store, sm))
		json_array_append_new(a, xj_store_mn(x, sm));
	return a;
}

static json_t *
xj_counters(struct xfer_engine *x)
{
	const struct xfer_counters	*c = &x->c;
	json_t				*o = json_object(), *rx, *tx;
	char				 name[48];
	size_t				 i, j;

	if (o == NULL)
		return NULL;
	rx = json_object();
	tx = json_object();
	for (i = 1; i <= CTP_MSG_TYPE_MAX; i++) {
		json_object_set_new(rx, ctp_msg_type_name((unsigned)i),
		    json_integer((json_int_t)c->rx[i]));
		json_object_set_new(tx, ctp_msg_type_name((unsigned)i),
		    json_integer((json_int_t)c->tx[i]));
	}
	json_object_set_new(o, "received", rx);
	json_object_set_new(o, "sent", tx);
	for (i = 0; i < CTP_CNT__MAX; i++) {
		snprintf(name, sizeof(name), "%s",
		    ctp_fsm_counter_name((int)i));
		for (j = 0; name[j] != '\0'; j++)
			name[j] = (char)tolower((unsigned char)name[j]);
		json_object_set_new(o, name,
		    json_integer((json_int_t)x->cnt[i]));
	}
#define XJ(n)	json_object_set_new(o, #n, json_integer((json_int_t)c->n))
	XJ(steps); XJ(step_errors); XJ(bad_cdbs);
	/* Not "unexpected": that is the state machines' counter above. */
	json_object_set_new(o, "unexpected_messages",
	    json_integer((json_int_t)c->unexpected));
	XJ(send_fail); XJ(encode_fail); XJ(ctaa_fail); XJ(ctaa_cached);
	XJ(installs); XJ(holds); XJ(discards); XJ(keys_wiped);
	XJ(caches_wiped); XJ(report_failed); XJ(report_failed_fpts);
	XJ(resource_shortage); XJ(limit_transfers); XJ(limit_held);
	XJ(peer_up); XJ(peer_down); XJ(puts); XJ(dels);
#undef XJ
	json_object_set_new(o, "ctar_as_par",
	    json_integer((json_int_t)c->ctar[XFER_PAR]));
	json_object_set_new(o, "ctar_as_nar",
	    json_integer((json_int_t)c->ctar[XFER_NAR]));
	return o;
}

json_t *
xfer_stats_json(struct xfer_engine *x)
{
	json_t			*o, *f;
	const struct xfer_failure *e;
	size_t			 i, n;

	o = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "counters", xj_counters(x),
	    "transfers", (json_int_t)x->ntransfers,
	    "held", (json_int_t)x->nheld,
	    "store_mns", (json_int_t)store_count(x->store),
	    "store_octets", (json_int_t)store_used(x->store),
	    "store_limit", (json_int_t)store_limit(x->store),
	    "providers", provider_json(x->prov));
	if (o == NULL)
		return NULL;
	f = json_array();
	n = x->nfail < XFER_FAIL_RING ? (size_t)x->nfail : XFER_FAIL_RING;
	for (i = 0; i < n && f != NULL; i++) {
		e = &x->fail[(x->nfail - 1 - i) % XFER_FAIL_RING];
		json_array_append_new(f, json_pack("{s:o, s:i, s:o, s:o}",
		    "mn", xj_addr(&e->mn), "fpt", (int)e->fpt,
		    "status", ctp_json_status(e->status),
		    "peer", xj_peer(x, e->peer)));
	}
	json_object_set_new(o, "recent_failures", f);
	return o;
}

/* ------------------------------------------------------ hand-over */

static int
xj_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
xj_key(const char *s, struct ctp_key *k, char *err, size_t errlen)
{
	uint8_t	 b[CTP_KEY_MAX_ISSUE];
	size_t	 n = strlen(s), i;
	int	 hi, lo;

	if (n % 2 != 0 || n / 2 < CTP_KEY_MIN_ISSUE ||
	    n / 2 > CTP_KEY_MAX_ISSUE) {
		snprintf(err, errlen, "key: expected %d to %d octets as hex "
		    "(%d to %d hex digits), got %zu digits", CTP_KEY_MIN_ISSUE,
		    CTP_KEY_MAX_ISSUE, 2 * CTP_KEY_MIN_ISSUE,
		    2 * CTP_KEY_MAX_ISSUE, n);
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		hi = xj_hexval((unsigned char)s[2 * i]);
		lo = xj_hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(b, sizeof(b));
			snprintf(err, errlen, "key: not a hex digit at "
			    "position %zu", hi < 0 ? 2 * i + 1 : 2 * i + 2);
			return -1;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	ctp_key_set(k, b, n / 2);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

int
xfer_context_put(struct xfer_engine *x, const json_t *req, char *err,
    size_t errlen)
{
	const struct ctp_conf	*conf = x->d->conf;
	const char		*k, *fname;
	json_t			*v, *jmn, *jkey, *jcdbs;
	struct ctp_addr		 mn;
	struct ctp_key		 key;
	struct ctp_cdb		*cdbs = NULL;
	uint8_t			*data = NULL;
	struct store_mn		*sm;
	struct xfer_mn		*m;
	uint16_t		 fpts[CTP_FSM_MAX_ITEMS];
	size_t			 n, i, j, nfpt = 0, used, off = 0;
	size_t			 wire = 0;
	size_t			 need = 0, have = 0;
	char			 e2[256], a[64];
	bool			 newkey = false;
	int			 rv = -1;
	struct store_cdb	*d;

	memset(&key, 0, sizeof(key));
	if (!json_is_object(req)) {
		snprintf(err, errlen, "context put: expected a JSON object "
		    "{\"mn\": ADDRESS, \"key\": HEX, \"cdbs\": [...]}");
		return -1;
	}
	json_object_foreach((json_t *)(uintptr_t)req, k, v)
		if (strcmp(k, "mn") != 0 && strcmp(k, "key") != 0 &&
		    strcmp(k, "cdbs") != 0) {
			snprintf(err, errlen, "unknown member \"%s\" (expected "
			    "mn, key, cdbs)", k);
			return -1;
		}
	jmn = json_object_get(req, "mn");
	jkey = json_object_get(req, "key");
	jcdbs = json_object_get(req, "cdbs");
	if (!json_is_string(jmn)) {
		snprintf(err, errlen, "mn: expected the MN's address as a "
		    "string, e.g. \"192.0.2.10\"");
		return -1;
	}
	if (store_addr_parse(json_string_value(jmn), &mn) == -1) {
		snprintf(err, errlen, "mn: \"%s\" is not an IPv4 or IPv6 "
		    "address", json_string_value(jmn));
		return -1;
	}
	xfer_addr(&mn, a, sizeof(a));
	if (jkey != NULL) {
		if (!json_is_string(jkey)) {
			snprintf(err, errlen, "key: expected a hex string");
			return -1;
		}
		if (xj_key(json_string_value(jkey), &key, err, errlen) == -1)
			return -1;
		newkey = true;
	}
	if (!json_is_array(jcdbs)) {
		snprintf(err, errlen, "cdbs: expected an array of feature "
		    "contexts, e.g. [{\"feature\": \"aaa\", \"fields\": "
		    "{...}}]");
		goto out;
	}
	n = json_array_size(jcdbs);
	if (n > conf->limits.max_cdbs) {
		snprintf(err, errlen, "cdbs: %zu contexts, at most %u fit one "
		    "transfer (limits.max-cdbs)", n, conf->limits.max_cdbs);
		goto out;
	}
	if (n > 0 && ((cdbs = calloc(n, sizeof(*cdbs))) == NULL ||
	    (data = malloc(n * CTP_CDB_MAX)) == NULL)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		v = json_array_get(jcdbs, i);
		if (!json_is_object(v)) {
			snprintf(err, errlen, "cdbs[%zu]: expected an object",
			    i);
			goto out;
		}
		if (ctp_feature_cdb_from_json(v, false, data + off,
		    n * CTP_CDB_MAX - off, &used, &cdbs[i], e2,
		    sizeof(e2)) != CTP_OK) {
			snprintf(err, errlen, "cdbs[%zu]: %s", i, e2);
			goto out;
		}
		off += used;
		fname = ctp_feature_name(cdbs[i].fpt);
		if (cdbs[i].fpt == CTP_FSM_FPT_ERROR || fname == NULL) {
			snprintf(err, errlen, "cdbs[%zu]: FPT 0x%04x is not a "
			    "feature context ctpd can transfer (aaa, qos, "
			    "rohc, mld)", i, cdbs[i].fpt);
			goto out;
		}
		if (provider_feature(conf, cdbs[i].fpt) == NULL) {
			snprintf(err, errlen, "cdbs[%zu]: feature %s is not "
			    "enabled here; add it under features: in the "
			    "configuration", i, fname);
			goto out;
		}
		if (ctp_feature_validate(&cdbs[i], NULL) != CTP_OK) {
			snprintf(err, errlen, "cdbs[%zu]: %s data does not "
			    "validate: %s", i, fname, ctp_strerror(
			    ctp_feature_validate(&cdbs[i], NULL)));
			goto out;
		}
		for (j = 0; j < nfpt && fpts[j] != cdbs[i].fpt; j++)
			;
		if (j == nfpt) {
			if (nfpt == CTP_FSM_MAX_ITEMS) {
				snprintf(err, errlen, "cdbs: more than %d "
				    "distinct features", CTP_FSM_MAX_ITEMS);
				goto out;
			}
			fpts[nfpt++] = cdbs[i].fpt;
		}
		wire += ctp_cdb_wire_len(&cdbs[i]);
		need += store_cdb_cost(&cdbs[i]);
	}
	/* PCTD: header, elapsed, IPv6 MN, algorithm, key, CDBs. */
	if (wire + 28 + 4 + CTP_KEY_MAX + 1 > conf->limits.max_message) {
		snprintf(err, errlen, "cdbs: %zu octets on the wire, more than "
		    "one message may carry (limits.max-message %llu)", wire,
		    (unsigned long long)conf->limits.max_message);
		goto out;
	}
	if ((m = xfer_mn_find(x, &mn)) != NULL &&
	    (m->par.state == CTP_PAR_PUSHED ||
	    m->par.state == CTP_PAR_WAIT_CTDR)) {
		snprintf(err, errlen, "mn %s: a transfer of its contexts is "
		    "running; put again when it has ended", a);
		goto out;
	}
	sm = store_get(x->store, &mn);
	for (d = sm != NULL ? sm->set[STORE_OWN] : NULL; d != NULL;
	    d = d->next)
		have += sizeof(*d) + d->len;
	if (store_used(x->store) - have + need + (sm == NULL ? 256 : 0) >
	    store_limit(x->store)) {
		x->c.resource_shortage++;
		snprintf(err, errlen, "RESOURCE_SHORTAGE: the context store is "
		    "full (%llu of %llu octets, limits.store-memory); nothing "
		    "changed", (unsigned long long)store_used(x->store),
		    (unsigned long long)store_limit(x->store));
		goto out;
	}
	if ((sm = store_add(x->store, &mn)) == NULL) {
		snprintf(err, errlen, "RESOURCE_SHORTAGE: the context store is "
		    "full (limits.store-memory); nothing changed");
		goto out;
	}
	store_set_clear(x->store, sm, STORE_OWN, 0);
	for (i = 0; i < n; i++)
		if (store_cdb_add(x->store, sm, STORE_OWN, &cdbs[i],
		    CTP_CONF_PROV_BUILTIN) == -1) {
			/* Checked above; only malloc can fail here. */
			store_set_clear(x->store, sm, STORE_OWN, 0);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	if (newkey)
		store_key_set(sm, &key);
	sm->changed_ms = ctpd_now_ms(x->d);
	x->c.puts++;
	log_info("xfer %s: %zu contexts put%s", a, n,
	    newkey ? ", with a new key" : "");
	rv = 0;
out:
	ctp_key_wipe(&key);
	if (data != NULL)
		OPENSSL_cleanse(data, n * CTP_CDB_MAX);
	free(data);
	free(cdbs);
	return rv;
}

json_t *
xfer_context_get(struct xfer_engine *x, const struct ctp_addr *mn)
{
	struct store_mn	*sm;

	if ((sm = store_get(x->store, mn)) == NULL)
		return NULL;
	return xj_store_mn(x, sm);
}

int
xfer_context_del(struct xfer_engine *x, const struct ctp_addr *mn,
    char *err, size_t errlen)
{
	struct store_mn	*sm;
	char		 a[64];

	xfer_addr(mn, a, sizeof(a));
	if ((sm = store_get(x->store, mn)) == NULL) {
		snprintf(err, errlen, "mn %s: no contexts or key held", a);
		return -1;
	}
	store_del(x->store, sm);
	x->c.dels++;
	log_info("xfer %s: contexts and key deleted", a);
	return 0;
}
