/* SPDX-License-Identifier: ISC */
/*
 * The MN authorization token (spec §5, C3):
 *   token = First32(HMAC-SHA1(Key, PrevIP || SeqNo || CDBs))
 * computed with OpenSSL EVP_MAC on a context that is created once and reused,
 * and checked with CRYPTO_memcmp.  Keys live in struct ctp_key, which is wiped
 * with OPENSSL_cleanse when it is no longer needed.
 */
#ifndef CTP_TOKEN_H
#define CTP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_err.h"
#include "ctp_msg.h"

#define CTP_TOKEN_LEN		4
#define CTP_KEY_MIN_ISSUE	16	/* keys ctpd itself issues (D5) */
#define CTP_KEY_MAX_ISSUE	64

/* An MN-AR shared key.  Never logged; wipe with ctp_key_wipe(). */
struct ctp_key {
	uint16_t	 alg;		/* CTP_ALG_HMAC_SHA1 */
	uint16_t	 len;		/* 1..CTP_KEY_MAX */
	uint8_t		 b[CTP_KEY_MAX];
};

/* Copy len octets into k (alg HMAC-SHA1); CTP_ERR_KEY_LEN if 0 or > 255. */
enum ctp_err	 ctp_key_set(struct ctp_key *k, const uint8_t *b, size_t len);
/* Overwrite the whole key with zeros (OPENSSL_cleanse); len becomes 0. */
void		 ctp_key_wipe(struct ctp_key *k);
bool		 ctp_key_present(const struct ctp_key *k);

/* Reusable HMAC context; one per thread of use. */
struct ctp_token_ctx;

/* NULL if libcrypto cannot provide HMAC-SHA1. */
struct ctp_token_ctx *ctp_token_ctx_new(void);
void		 ctp_token_ctx_free(struct ctp_token_ctx *);

/*
 * Compute the token over mn (its len octets as carried, D1), seq (big-endian)
 * and the request CDBs exactly as on the wire (cdbs may be NULL when
 * cdbs_len is 0).  CTP_ERR_ALG if key->alg is not HMAC-SHA1,
 * CTP_ERR_KEY_LEN for an empty key, CTP_ERR_CRYPTO if libcrypto fails.
 */
enum ctp_err	 ctp_token_compute(struct ctp_token_ctx *,
		    const struct ctp_key *key, const struct ctp_addr *mn,
		    uint32_t seq, const uint8_t *cdbs, size_t cdbs_len,
		    uint8_t out[CTP_TOKEN_LEN]);

/* CTP_OK if tok matches, CTP_ERR_TOKEN if not (constant time), else as above. */
enum ctp_err	 ctp_token_verify(struct ctp_token_ctx *,
		    const struct ctp_key *key, const struct ctp_addr *mn,
		    uint32_t seq, const uint8_t *cdbs, size_t cdbs_len,
		    const uint8_t tok[CTP_TOKEN_LEN]);

/* Token of a decoded CTAR or CT-Req (uses mn, seq and cdb_raw). */
enum ctp_err	 ctp_token_verify_msg(struct ctp_token_ctx *,
		    const struct ctp_key *key, const struct ctp_msg *m);

/*
 * For an MN: encode m (a CTAR) into buf with the token computed from key and
 * filled in.  m->token is ignored.
 */
enum ctp_err	 ctp_token_sign_ctar(struct ctp_token_ctx *,
		    const struct ctp_key *key, const struct ctp_msg *m,
		    uint8_t *buf, size_t cap, size_t *outlen);

/* True if tok is the all-zero "no CTAR yet" token of a CT-Req (§2.1). */
bool		 ctp_token_is_zero(const uint8_t tok[CTP_TOKEN_LEN]);

#endif /* CTP_TOKEN_H */
