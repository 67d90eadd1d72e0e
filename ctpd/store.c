/* SPDX-License-Identifier: ISC */
/*
 * The per-MN context store: a chained hash keyed by the MN's address, the
 * MN's token key, and three lists of CDB copies (own, held, installed) under
 * one memory bound.  Refusing what does not fit is the only way the bound is
 * kept; nothing stored is evicted.
 */
#include <sys/random.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "store.h"

const char *const store_set_names[] = {
	"contexts", "held", "installed", NULL
};

#define STORE_MN_COST	(sizeof(struct store_mn) + 16)

struct store {
	struct store_mn	**b;
	size_t		 nb;		/* power of two */
	size_t		 n;
	uint64_t	 seed;
	uint64_t	 used;
	uint64_t	 limit;
};

uint64_t
store_seed(void)
{
	uint64_t	 s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)(uintptr_t)&s;
	return s;
}

/* splitmix64 finaliser over the seeded octets: cheap, seeded per table. */
uint64_t
store_addr_hash(uint64_t seed, const struct ctp_addr *a)
{
	uint64_t	 h = seed ^ a->len;
	size_t		 i;

	for (i = 0; i < a->len && i < 16; i++) {
		h ^= a->b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

int
store_addr_parse(const char *s, struct ctp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->len = 16;
		ctp_addr_norm(out, out);
		return 0;
	}
	return -1;
}

struct store *
store_new(uint64_t limit)
{
	struct store	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->nb = 64;
	if ((s->b = calloc(s->nb, sizeof(*s->b))) == NULL) {
		free(s);
		return NULL;
	}
	s->seed = store_seed();
	s->limit = limit;
	return s;
}

void
store_free(struct store *s)
{
	struct store_mn	*m;
	size_t		 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nb; i++)
		while ((m = s->b[i]) != NULL)
			store_del(s, m);
	free(s->b);
	free(s);
}

void
store_set_limit(struct store *s, uint64_t limit)
{
	s->limit = limit;
}

static size_t
store_bucket(const struct store *s, const struct ctp_addr *n)
{
	return (size_t)(store_addr_hash(s->seed, n) & (s->nb - 1));
}

struct store_mn *
store_get(struct store *s, const struct ctp_addr *mn)
{
	struct ctp_addr	 n;
	struct store_mn	*m;

	ctp_addr_norm(mn, &n);
	for (m = s->b[store_bucket(s, &n)]; m != NULL; m = m->hnext)
		if (m->mn.len == n.len && memcmp(m->mn.b, n.b, n.len) == 0)
			return m;
	return NULL;
}

static void
store_grow(struct store *s)
{
	struct store_mn	**nb, *m, *next;
	size_t		 i, nn = s->nb * 2, h;
	struct store_mn	**old = s->b;
	size_t		 oldn = s->nb;

	if ((nb = calloc(nn, sizeof(*nb))) == NULL)
		return;		/* longer chains, still correct */
	s->b = nb;
	s->nb = nn;
	for (i = 0; i < oldn; i++)
		for (m = old[i]; m != NULL; m = next) {
			next = m->hnext;
			h = store_bucket(s, &m->mn);
			m->hnext = nb[h];
			nb[h] = m;
		}
	free(old);
}

struct store_mn *
store_add(struct store *s, const struct ctp_addr *mn)
{
	struct store_mn	*m;
	size_t		 h;

	if ((m = store_get(s, mn)) != NULL)
		return m;
	if (!store_fits(s, STORE_MN_COST))
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	ctp_addr_norm(mn, &m->mn);
	if (s->n >= s->nb)
		store_grow(s);
	h = store_bucket(s, &m->mn);
	m->hnext = s->b[h];
	s->b[h] = m;
	s->n++;
	s->used += STORE_MN_COST;
	return m;
}

void
store_del(struct store *s, struct store_mn *m)
{
	struct store_mn	**pp;
	int		 i;

	for (i = 0; i < STORE__SETS; i++)
		store_set_clear(s, m, (enum store_set)i, 0);
	ctp_key_wipe(&m->key);
	for (pp = &s->b[store_bucket(s, &m->mn)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == m) {
			*pp = m->hnext;
			break;
		}
	s->n--;
	s->used -= STORE_MN_COST;
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

void
store_gc(struct store *s, struct store_mn *m)
{
	int	 i;

	if (m == NULL || ctp_key_present(&m->key) || m->key_burnt)
		return;
	for (i = 0; i < STORE__SETS; i++)
		if (m->set[i] != NULL)
			return;
	store_del(s, m);
}

size_t
store_cdb_cost(const struct ctp_cdb *c)
{
	return sizeof(struct store_cdb) + c->data_len;
}

bool
store_fits(const struct store *s, size_t octets)
{
	return s->used + octets <= s->limit;
}

int
store_cdb_add(struct store *s, struct store_mn *m, enum store_set set,
    const struct ctp_cdb *c, uint8_t prov)
{
	struct store_cdb	*d, **pp;
	size_t			 cost = store_cdb_cost(c);

	if (!store_fits(s, cost) || (d = malloc(cost)) == NULL)
		return -1;
	d->next = NULL;
	d->fpt = c->fpt;
	d->p = c->p;
	d->r = c->r;
	d->prov = prov;
	d->pv = c->pv;
	d->len = c->data_len;
	if (c->data_len > 0)
		memcpy(d->data, c->data, c->data_len);
	for (pp = &m->set[set]; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = d;
	m->n[set]++;
	s->used += cost;
	return 0;
}

void
store_set_clear(struct store *s, struct store_mn *m, enum store_set set,
    uint16_t fpt)
{
	struct store_cdb	*d, **pp;

	for (pp = &m->set[set]; (d = *pp) != NULL;) {
		if (fpt != 0 && d->fpt != fpt) {
			pp = &d->next;
			continue;
		}
		*pp = d->next;
		m->n[set]--;
		s->used -= sizeof(*d) + d->len;
		/* Contexts may carry session secrets: wipe before freeing. */
		OPENSSL_cleanse(d, sizeof(*d) + d->len);
		free(d);
	}
}

struct store_cdb *
store_set_detach(struct store *s, struct store_mn *m, enum store_set set)
{
	struct store_cdb	*list = m->set[set], *d;

	for (d = list; d != NULL; d = d->next)
		s->used -= sizeof(*d) + d->len;
	m->set[set] = NULL;
	m->n[set] = 0;
	return list;
}

void
store_cdbs_free(struct store_cdb *d)
{
	struct store_cdb	*next;

	for (; d != NULL; d = next) {
		next = d->next;
		OPENSSL_cleanse(d, sizeof(*d) + d->len);
		free(d);
	}
}

void
store_cdb_view(const struct store_cdb *d, bool r, struct ctp_cdb *out)
{
	memset(out, 0, sizeof(*out));
	out->fpt = d->fpt;
	out->p = d->p;
	out->r = r;
	out->pv = d->pv;
	out->data = d->data;
	out->data_len = d->len;
}

void
store_key_set(struct store_mn *m, const struct ctp_key *k)
{
	ctp_key_wipe(&m->key);
	m->key = *k;
	m->key_burnt = false;
}

void
store_key_wipe(struct store_mn *m)
{
	ctp_key_wipe(&m->key);
}

uint64_t
store_used(const struct store *s)
{
	return s->used;
}

uint64_t
store_limit(const struct store *s)
{
	return s->limit;
}

size_t
store_count(const struct store *s)
{
	return s->n;
}

struct store_mn *
store_first(struct store *s)
{
	size_t	 i;

	for (i = 0; i < s->nb; i++)
		if (s->b[i] != NULL)
			return s->b[i];
	return NULL;
}

struct store_mn *
store_next(struct store *s, struct store_mn *m)
{
	size_t	 i;

	if (m->hnext != NULL)
		return m->hnext;
	for (i = store_bucket(s, &m->mn) + 1; i < s->nb; i++)
		if (s->b[i] != NULL)
			return s->b[i];
	return NULL;
}
