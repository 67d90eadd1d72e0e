/* SPDX-License-Identifier: ISC */
/*
 * Token buckets for CTARs (see ratelimit.h): one global, and one per source
 * and per MN address in two fixed-size hash tables with LRU eviction, so that
 * memory stays the same however many forged addresses arrive.
 */
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

#define RL_NONE		UINT32_MAX

const char *const rl_verdict_names[] = {
	[RL_PASS] = "pass",
	[RL_BACKOFF_SOURCE] = "backoff_source",
	[RL_BACKOFF_MN] = "backoff_mn",
	[RL_SOURCE] = "rate_source",
	[RL_MN] = "rate_mn",
	[RL_GLOBAL] = "rate_global",
	NULL
};

/*
 * A bucket counts in units where one event costs per_ms and each millisecond
 * adds n: integer arithmetic, exact for any rate the configuration allows.
 */
struct rl_bucket {
	uint64_t	 level;
	uint64_t	 last_ms;
};

struct rl_entry {
	struct ctp_addr	 addr;
	struct rl_bucket bucket;
	uint64_t	 hold_until;
	uint32_t	 fails;
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 prev, next;	/* LRU list, head = most recent */
};

struct rl_tab {
	struct rl_entry	*e;
	uint32_t	*heads;
	uint32_t	 cap;		/* entries */
	uint32_t	 mask;		/* hash heads - 1 */
	uint32_t	 used;
	uint32_t	 lru_head, lru_tail;
	uint64_t	 seed;
	uint64_t	 evictions;
	const struct rl_rate *rate;
};

struct ratelimit {
	struct rl_conf	 conf;
	struct rl_bucket global;
	struct rl_tab	 t[2];		/* RL_T_SOURCE, RL_T_MN */
	size_t		 mem;
};

static bool
rate_ok(const struct rl_rate *r)
{
	return r->n > 0 && r->per_ms > 0 && r->burst > 0;
}

static uint64_t
bucket_cap(const struct rl_rate *r)
{
	return (uint64_t)r->burst * r->per_ms;
}

static void
bucket_fill(struct rl_bucket *b, const struct rl_rate *r, uint64_t now_ms)
{
	b->level = bucket_cap(r);
	b->last_ms = now_ms;
}

static void
bucket_refill(struct rl_bucket *b, const struct rl_rate *r, uint64_t now_ms)
{
	uint64_t	 cap = bucket_cap(r), d;

	if (now_ms <= b->last_ms)
		return;		/* a clock that steps back adds nothing */
	d = now_ms - b->last_ms;
	b->last_ms = now_ms;
	if (d >= cap / r->n + 1 || b->level + d * r->n >= cap)
		b->level = cap;
	else
		b->level += d * r->n;
}

static bool
bucket_take(struct rl_bucket *b, const struct rl_rate *r, uint64_t now_ms)
{
	bucket_refill(b, r, now_ms);
	if (b->level < r->per_ms)
		return false;
	b->level -= r->per_ms;
	return true;
}

static uint32_t
tab_hash(const struct rl_tab *t, const struct ctp_addr *a)
{
	uint64_t	 h = t->seed ^ a->len, w;
	size_t		 i, n;

	for (i = 0; i < a->len; i += 8) {
		w = 0;
		n = a->len - i < 8 ? a->len - i : 8;
		memcpy(&w, a->b + i, n);
		h ^= w;
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 32;
	}
	return (uint32_t)h & t->mask;
}

static int
tab_init(struct rl_tab *t, size_t cap, uint64_t seed, const struct rl_rate *r,
    size_t *mem)
{
	uint32_t	 nh = 1, i;

	if (cap == 0 || cap >= RL_NONE / 2)
		return -1;
	while (nh < cap * 2)
		nh <<= 1;
	t->e = calloc(cap, sizeof(*t->e));
	t->heads = calloc(nh, sizeof(*t->heads));
	if (t->e == NULL || t->heads == NULL)
		return -1;
	for (i = 0; i < nh; i++)
		t->heads[i] = RL_NONE;
	t->cap = (uint32_t)cap;
	t->mask = nh - 1;
	t->lru_head = t->lru_tail = RL_NONE;
	t->seed = seed;
	t->rate = r;
	*mem += cap * sizeof(*t->e) + nh * sizeof(*t->heads);
	return 0;
}

static void
lru_unlink(struct rl_tab *t, uint32_t i)
{
	struct rl_entry	*e = &t->e[i];

	if (e->prev != RL_NONE)
		t->e[e->prev].next = e->next;
	else
		t->lru_head = e->next;
	if (e->next != RL_NONE)
		t->e[e->next].prev = e->prev;
	else
		t->lru_tail = e->prev;
	e->prev = e->next = RL_NONE;
}

static void
lru_push(struct rl_tab *t, uint32_t i)
{
	struct rl_entry	*e = &t->e[i];

	e->prev = RL_NONE;
	e->next = t->lru_head;
	if (t->lru_head != RL_NONE)
		t->e[t->lru_head].prev = i;
	t->lru_head = i;
	if (t->lru_tail == RL_NONE)
		t->lru_tail = i;
}

static void
hash_unlink(struct rl_tab *t, uint32_t i)
{
	uint32_t	*pp = &t->heads[tab_hash(t, &t->e[i].addr)];

	while (*pp != RL_NONE) {
		if (*pp == i) {
			*pp = t->e[i].hnext;
			return;
		}
		pp = &t->e[*pp].hnext;
	}
}

/*
 * Choose a victim when the table is full: the least recently used entry,
 * unless it carries a failure record and one of the few next-oldest does
 * not; a flood of new addresses then cannot wash out a back-off cheaply.
 */
static uint32_t
tab_victim(struct rl_tab *t, uint64_t now_ms)
{
	uint32_t	 i, n;

	for (i = t->lru_tail, n = 0; i != RL_NONE && n < RL_EVICT_SCAN;
	    i = t->e[i].prev, n++)
		if (t->e[i].fails == 0 && t->e[i].hold_until <= now_ms)
			return i;
	return t->lru_tail;
}

static struct rl_entry *
tab_get(struct rl_tab *t, const struct ctp_addr *addr, bool create,
    uint64_t now_ms)
{
	struct ctp_addr	 a;
	uint32_t	 h, i;

	ctp_addr_norm(addr, &a);
	h = tab_hash(t, &a);
	for (i = t->heads[h]; i != RL_NONE; i = t->e[i].hnext)
		if (t->e[i].addr.len == a.len &&
		    memcmp(t->e[i].addr.b, a.b, a.len) == 0) {
			lru_unlink(t, i);
			lru_push(t, i);
			return &t->e[i];
		}
	if (!create)
		return NULL;
	if (t->used < t->cap)
		i = t->used++;
	else {
		i = tab_victim(t, now_ms);
		hash_unlink(t, i);
		lru_unlink(t, i);
		t->evictions++;
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->e[i].addr = a;
	bucket_fill(&t->e[i].bucket, t->rate, now_ms);
	t->e[i].hnext = t->heads[h];
	t->heads[h] = i;
	lru_push(t, i);
	return &t->e[i];
}

struct ratelimit *
rl_new(const struct rl_conf *c, uint64_t now_ms)
{
	struct ratelimit	*rl;
	size_t			 cap;

	if (!rate_ok(&c->global) || !rate_ok(&c->per_source) ||
	    !rate_ok(&c->per_mn) || c->rnd == NULL)
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	rl->conf = *c;
	if (rl->conf.backoff_base_ms == 0)
		rl->conf.backoff_base_ms = RL_BACKOFF_BASE_MS;
	if (rl->conf.backoff_max_ms == 0)
		rl->conf.backoff_max_ms = RL_BACKOFF_MAX_MS;
	cap = c->table_size != 0 ? c->table_size : RL_TABLE_DEFAULT;
	rl->mem = sizeof(*rl);
	if (tab_init(&rl->t[RL_T_SOURCE], cap, c->hash_seed,
	    &rl->conf.per_source, &rl->mem) == -1 ||
	    tab_init(&rl->t[RL_T_MN], cap, c->hash_seed ^ 0x5bd1e995,
	    &rl->conf.per_mn, &rl->mem) == -1) {
		rl_free(rl);
		return NULL;
	}
	bucket_fill(&rl->global, &rl->conf.global, now_ms);
	return rl;
}

void
rl_free(struct ratelimit *rl)
{
	size_t	 i;

	if (rl == NULL)
		return;
	for (i = 0; i < 2; i++) {
		free(rl->t[i].e);
		free(rl->t[i].heads);
	}
	free(rl);
}

/*
 * Random early drop on the global bucket below a quarter of its capacity:
 * drop probability grows linearly to 1 as the bucket empties, so that under
 * sustained overload the requests that get through are a random sample
 * rather than whoever retransmits in lockstep with the refill.
 */
static bool
global_take(struct ratelimit *rl, uint64_t now_ms)
{
	const struct rl_rate	*r = &rl->conf.global;
	uint64_t		 q = bucket_cap(r) / 4;
	double			 p;

	bucket_refill(&rl->global, r, now_ms);
	if (rl->global.level < r->per_ms)
		return false;
	if (rl->global.level < q) {
		p = (double)(q - rl->global.level) / (double)q;
		if ((double)rl->conf.rnd(rl->conf.rnd_arg) < p * 4294967296.0)
			return false;
	}
	rl->global.level -= r->per_ms;
	return true;
}

enum rl_verdict
rl_check(struct ratelimit *rl, const struct ctp_addr *src,
    const struct ctp_addr *mn, uint64_t now_ms)
{
	struct rl_entry	*s, *m;

	s = tab_get(&rl->t[RL_T_SOURCE], src, true, now_ms);
	if (s->hold_until > now_ms)
		return RL_BACKOFF_SOURCE;
	m = tab_get(&rl->t[RL_T_MN], mn, true, now_ms);
	if (m->hold_until > now_ms)
		return RL_BACKOFF_MN;
	if (!bucket_take(&s->bucket, &rl->conf.per_source, now_ms))
		return RL_SOURCE;
	if (!bucket_take(&m->bucket, &rl->conf.per_mn, now_ms))
		return RL_MN;
	if (!global_take(rl, now_ms))
		return RL_GLOBAL;
	return RL_PASS;
}

static void
entry_fail(const struct ratelimit *rl, struct rl_entry *e, uint64_t now_ms)
{
	uint64_t	 hold = rl->conf.backoff_base_ms;
	uint32_t	 i;

	/* Old failures are forgiven after a quiet time as long as the cap. */
	if (e->fails > 0 && now_ms > e->hold_until + rl->conf.backoff_max_ms)
		e->fails = 0;
	if (e->fails < UINT32_MAX)
		e->fails++;
	for (i = 1; i < e->fails && hold < rl->conf.backoff_max_ms; i++)
		hold *= 2;
	if (hold > rl->conf.backoff_max_ms)
		hold = rl->conf.backoff_max_ms;
	e->hold_until = now_ms + hold;
}

void
rl_fail(struct ratelimit *rl, const struct ctp_addr *src,
    const struct ctp_addr *mn, uint64_t now_ms)
{
	entry_fail(rl, tab_get(&rl->t[RL_T_SOURCE], src, true, now_ms), now_ms);
	entry_fail(rl, tab_get(&rl->t[RL_T_MN], mn, true, now_ms), now_ms);
}

void
rl_success(struct ratelimit *rl, const struct ctp_addr *src,
    const struct ctp_addr *mn)
{
	struct rl_entry	*e;

	if ((e = tab_get(&rl->t[RL_T_SOURCE], src, false, 0)) != NULL) {
		e->fails = 0;
		e->hold_until = 0;
	}
	if ((e = tab_get(&rl->t[RL_T_MN], mn, false, 0)) != NULL) {
		e->fails = 0;
		e->hold_until = 0;
	}
}

size_t
rl_entries(const struct ratelimit *rl, enum rl_table t)
{
	return rl->t[t].used;
}

size_t
rl_capacity(const struct ratelimit *rl)
{
	return rl->t[RL_T_SOURCE].cap;
}

size_t
rl_memory(const struct ratelimit *rl)
{
	return rl->mem;
}

uint64_t
rl_holdoff(const struct ratelimit *rl, enum rl_table t,
    const struct ctp_addr *a, uint64_t now_ms)
{
	const struct rl_tab	*tab = &rl->t[t];
	struct ctp_addr		 n;
	uint32_t		 i;

	ctp_addr_norm(a, &n);
	for (i = tab->heads[tab_hash(tab, &n)]; i != RL_NONE;
	    i = tab->e[i].hnext)
		if (tab->e[i].addr.len == n.len &&
		    memcmp(tab->e[i].addr.b, n.b, n.len) == 0)
			return tab->e[i].hold_until > now_ms ?
			    tab->e[i].hold_until - now_ms : 0;
	return 0;
}

uint64_t
rl_evictions(const struct ratelimit *rl, enum rl_table t)
{
	return rl->t[t].evictions;
}
