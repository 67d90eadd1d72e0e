/* SPDX-License-Identifier: ISC */
/*
 * The context store: what this router holds per MN (hash by address).  The
 * MN's token key, the contexts handed in by its feature subsystems (sent as
 * pAR), predictive contexts held for it (nAR) and contexts installed for it
 * after a transfer.  One memory bound covers all of it: a CDB that does not
 * fit is refused, nothing already stored is ever dropped to make room.
 */
#ifndef CTPD_STORE_H
#define CTPD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_msg.h"
#include "ctp_token.h"

enum store_set {
	STORE_OWN,		/* handed in by a subsystem: sent as pAR */
	STORE_HELD,		/* predictive contexts held as nAR */
	STORE_INSTALLED,	/* installed as nAR after a transfer */
	STORE__SETS
};
extern const char *const store_set_names[];	/* "contexts", "held", ... */

/* One data CDB, its data region copied (FPT, P, presence vector, data). */
struct store_cdb {
	struct store_cdb	*next;
	uint16_t		 fpt;
	bool			 p;
	bool			 r;
	uint8_t			 prov;		/* enum ctp_conf_provider */
	uint32_t		 pv;
	uint16_t		 len;
	uint8_t			 data[];
};

struct store_mn {
	struct store_mn		*hnext;
	struct ctp_addr		 mn;		/* normalised: IPv4 as 4 octets */
	struct ctp_key		 key;		/* never logged or shown */
	bool			 key_burnt;	/* configured key used (§5.3) */
	struct store_cdb	*set[STORE__SETS];
	size_t			 n[STORE__SETS];
	uint64_t		 held_until_ms;
	uint64_t		 changed_ms;
};

struct store;

/* NULL if out of memory.  limit: octets (limits.store-memory). */
struct store	*store_new(uint64_t limit);
/* Frees everything; keys are wiped. */
void		 store_free(struct store *);
void		 store_set_limit(struct store *, uint64_t limit);

/* Addresses are normalised with ctp_addr_norm() (libctp) before use. */
/* Keyed hash of a normalised address (seed chosen at random per table). */
uint64_t	 store_addr_hash(uint64_t seed, const struct ctp_addr *a);
uint64_t	 store_seed(void);
/* Parse an IPv4 or IPv6 address; -1 if it is neither. */
int		 store_addr_parse(const char *s, struct ctp_addr *out);

/* The MN's entry, or NULL.  mn need not be normalised. */
struct store_mn	*store_get(struct store *, const struct ctp_addr *mn);
/* The MN's entry, created if needed; NULL if the memory bound is reached. */
struct store_mn	*store_add(struct store *, const struct ctp_addr *mn);
/* Remove the entry: keys wiped, every set freed. */
void		 store_del(struct store *, struct store_mn *);
/* Remove the entry if it holds nothing (no key, no CDB, no tombstone). */
void		 store_gc(struct store *, struct store_mn *);

/* Octets a CDB costs against the bound. */
size_t		 store_cdb_cost(const struct ctp_cdb *);
/* Whether `octets` more fit under the bound. */
bool		 store_fits(const struct store *, size_t octets);
/*
 * Append a copy of cdb to a set.  0, or -1 if it does not fit the memory
 * bound (nothing changed) or memory is short.
 */
int		 store_cdb_add(struct store *, struct store_mn *,
		    enum store_set, const struct ctp_cdb *, uint8_t prov);
/* Free every CDB of a set (fpt 0: all FPTs). */
void		 store_set_clear(struct store *, struct store_mn *,
		    enum store_set, uint16_t fpt);
/*
 * Take a whole set out of the store (its octets no longer count against the
 * bound) and free such a list later with store_cdbs_free().
 */
struct store_cdb *store_set_detach(struct store *, struct store_mn *,
		    enum store_set);
void		 store_cdbs_free(struct store_cdb *);
/* A CDB of the store as a ctp_cdb for the encoder (data points into it). */
void		 store_cdb_view(const struct store_cdb *, bool r,
		    struct ctp_cdb *out);

/* Set (clears key_burnt) or wipe the MN's key. */
void		 store_key_set(struct store_mn *, const struct ctp_key *);
void		 store_key_wipe(struct store_mn *);

uint64_t	 store_used(const struct store *);
uint64_t	 store_limit(const struct store *);
size_t		 store_count(const struct store *);
/* Iteration in no particular order; stable while nothing is added/removed. */
struct store_mn	*store_first(struct store *);
struct store_mn	*store_next(struct store *, struct store_mn *);

#endif /* CTPD_STORE_H */
