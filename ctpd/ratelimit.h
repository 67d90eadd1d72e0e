/* SPDX-License-Identifier: ISC */
/*
 * Rate limits for CTARs from mobile nodes (spec §6.2 CT_REQUEST_RATE, §10.2):
 * a global token bucket with random early drop, per-source-address and
 * per-MN-address buckets in fixed-size tables, and a back-off after token
 * failures.  Pure: the caller passes the time and a random source.
 */
#ifndef CTPD_RATELIMIT_H
#define CTPD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_msg.h"

#define RL_TABLE_DEFAULT	4096	/* entries per table */
#define RL_BACKOFF_BASE_MS	1000	/* hold-off after the first failure */
#define RL_BACKOFF_MAX_MS	64000	/* cap of the doubling hold-off */
#define RL_EVICT_SCAN		8	/* LRU entries looked at on eviction */

/* n events per per_ms milliseconds, up to burst at once (burst >= 1). */
struct rl_rate {
	uint32_t	 n;
	uint32_t	 per_ms;
	uint32_t	 burst;
};

struct rl_conf {
	struct rl_rate	 global;
	struct rl_rate	 per_source;
	struct rl_rate	 per_mn;
	size_t		 table_size;	/* entries per table; 0: default */
	uint32_t	 backoff_base_ms;	/* 0: RL_BACKOFF_BASE_MS */
	uint32_t	 backoff_max_ms;	/* 0: RL_BACKOFF_MAX_MS */
	/* Uniform 32-bit random numbers, for random early drop. */
	uint32_t	(*rnd)(void *arg);
	void		*rnd_arg;
	uint64_t	 hash_seed;	/* random, so that collisions can't be aimed */
};

/* Verdicts, in the order the checks run; a name table is beside them. */
enum rl_verdict {
	RL_PASS = 0,
	RL_BACKOFF_SOURCE,	/* source is in a hold-off after token failures */
	RL_BACKOFF_MN,		/* MN address is in a hold-off */
	RL_SOURCE,		/* per-source bucket empty */
	RL_MN,			/* per-MN bucket empty */
	RL_GLOBAL,		/* global bucket empty or random early drop */
	RL__MAX
};
extern const char *const rl_verdict_names[];

enum rl_table {
	RL_T_SOURCE,
	RL_T_MN,
};

struct ratelimit;

/*
 * A new limiter whose buckets are full at now_ms.  The tables are allocated
 * here once and never grow.  NULL if out of memory or a rate has n == 0,
 * per_ms == 0 or burst == 0, or rnd is NULL.
 */
struct ratelimit *rl_new(const struct rl_conf *, uint64_t now_ms);
void		 rl_free(struct ratelimit *);

/*
 * Whether a CTAR from src naming MN address mn may be processed at now_ms.
 * Checks back-off, then the per-source, per-MN and global buckets, each
 * taking a token when it lets the request through; stops at the first
 * refusal.  IPv4-mapped addresses are treated as IPv4.
 *
 * The global bucket drops at random once it is below a quarter full: the
 * emptier it is, the likelier the drop (RFC 4067 §4 "random drop").  While
 * at least a quarter full a request always passes, so 3/4 of a burst (and
 * one more) passes whole.
 */
enum rl_verdict	 rl_check(struct ratelimit *, const struct ctp_addr *src,
		    const struct ctp_addr *mn, uint64_t now_ms);

/*
 * A token failed for mn sent from src: both get a hold-off of
 * base * 2^(failures - 1), capped at max.  Failures are forgotten once a
 * hold-off has been over for longer than max.
 */
void		 rl_fail(struct ratelimit *, const struct ctp_addr *src,
		    const struct ctp_addr *mn, uint64_t now_ms);
/* A token verified: the failure counts of src and mn are reset. */
void		 rl_success(struct ratelimit *, const struct ctp_addr *src,
		    const struct ctp_addr *mn);

/* Entries in use in a table, its capacity, and the octets allocated. */
size_t		 rl_entries(const struct ratelimit *, enum rl_table);
size_t		 rl_capacity(const struct ratelimit *);
size_t		 rl_memory(const struct ratelimit *);
/* Milliseconds of hold-off left for a (0 if none or unknown). */
uint64_t	 rl_holdoff(const struct ratelimit *, enum rl_table,
		    const struct ctp_addr *a, uint64_t now_ms);
/* Entries evicted from a full table since rl_new. */
uint64_t	 rl_evictions(const struct ratelimit *, enum rl_table);

#endif /* CTPD_RATELIMIT_H */
