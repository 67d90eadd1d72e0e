/* SPDX-License-Identifier: ISC */
/*
 * MN authorization token (spec §5): First32(HMAC-SHA1(Key, PrevIP || SeqNo ||
 * CDBs)) with one EVP_MAC context created once and re-keyed per use.  Tokens
 * are compared with CRYPTO_memcmp; keys and MAC outputs are wiped.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ctp_buf.h"
#include "ctp_token.h"

struct ctp_token_ctx {
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
};

static char	 ctp_token_digest[] = "SHA1";

enum ctp_err
ctp_key_set(struct ctp_key *k, const uint8_t *b, size_t len)
{
	if (len == 0 || len > CTP_KEY_MAX)
		return CTP_ERR_KEY_LEN;
	ctp_key_wipe(k);
	k->alg = CTP_ALG_HMAC_SHA1;
	k->len = (uint16_t)len;
	memcpy(k->b, b, len);
	return CTP_OK;
}

void
ctp_key_wipe(struct ctp_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

bool
ctp_key_present(const struct ctp_key *k)
{
	return k->len > 0;
}

struct ctp_token_ctx *
ctp_token_ctx_new(void)
{
	struct ctp_token_ctx	*t;

	if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL)
		return NULL;
	t->params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    ctp_token_digest, 0);
	t->params[1] = OSSL_PARAM_construct_end();
	if ((t->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (t->ctx = EVP_MAC_CTX_new(t->mac)) == NULL ||
	    EVP_MAC_CTX_set_params(t->ctx, t->params) != 1) {
		ctp_token_ctx_free(t);
		return NULL;
	}
	return t;
}

void
ctp_token_ctx_free(struct ctp_token_ctx *t)
{
	if (t == NULL)
		return;
	EVP_MAC_CTX_free(t->ctx);
	EVP_MAC_free(t->mac);
	OPENSSL_free(t);
}

enum ctp_err
ctp_token_compute(struct ctp_token_ctx *t, const struct ctp_key *key,
    const struct ctp_addr *mn, uint32_t seq, const uint8_t *cdbs,
    size_t cdbs_len, uint8_t out[CTP_TOKEN_LEN])
{
	uint8_t		 md[EVP_MAX_MD_SIZE], seqb[4];
	size_t		 mdlen = 0;
	struct ctp_wr	 wr;
	int		 ok;

	if (key->alg != CTP_ALG_HMAC_SHA1)
		return CTP_ERR_ALG;
	if (key->len == 0 || key->len > CTP_KEY_MAX)
		return CTP_ERR_KEY_LEN;
	if ((mn->len != 4 && mn->len != 16) || (cdbs == NULL && cdbs_len > 0))
		return CTP_ERR_INVAL;
	ctp_wr_init(&wr, seqb, sizeof(seqb));
	(void)ctp_wr_u32(&wr, seq);
	/* The digest was set once on the context; only the key changes. */
	ok = EVP_MAC_init(t->ctx, key->b, key->len, NULL) == 1 &&
	    EVP_MAC_update(t->ctx, mn->b, mn->len) == 1 &&
	    EVP_MAC_update(t->ctx, seqb, sizeof(seqb)) == 1 &&
	    (cdbs_len == 0 || EVP_MAC_update(t->ctx, cdbs, cdbs_len) == 1) &&
	    EVP_MAC_final(t->ctx, md, &mdlen, sizeof(md)) == 1 &&
	    mdlen >= CTP_TOKEN_LEN;
	if (ok)
		memcpy(out, md, CTP_TOKEN_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return ok ? CTP_OK : CTP_ERR_CRYPTO;
}

enum ctp_err
ctp_token_verify(struct ctp_token_ctx *t, const struct ctp_key *key,
    const struct ctp_addr *mn, uint32_t seq, const uint8_t *cdbs,
    size_t cdbs_len, const uint8_t tok[CTP_TOKEN_LEN])
{
	uint8_t		 want[CTP_TOKEN_LEN];
	enum ctp_err	 e;

	if ((e = ctp_token_compute(t, key, mn, seq, cdbs, cdbs_len, want)) !=
	    CTP_OK)
		return e;
	e = CRYPTO_memcmp(want, tok, CTP_TOKEN_LEN) == 0 ? CTP_OK :
	    CTP_ERR_TOKEN;
	OPENSSL_cleanse(want, sizeof(want));
	return e;
}

enum ctp_err
ctp_token_verify_msg(struct ctp_token_ctx *t, const struct ctp_key *key,
    const struct ctp_msg *m)
{
	if (m->hdr.type != CTP_MSG_CTAR && m->hdr.type != CTP_MSG_CTREQ)
		return CTP_ERR_INVAL;
	return ctp_token_verify(t, key, &m->mn, m->seq, m->cdb_raw,
	    m->cdb_raw_len, m->token);
}

enum ctp_err
ctp_token_sign_ctar(struct ctp_token_ctx *t, const struct ctp_key *key,
    const struct ctp_msg *m, uint8_t *buf, size_t cap, size_t *outlen)
{
	enum ctp_err	 e;
	size_t		 tokoff, cdboff;

	if (m->hdr.type != CTP_MSG_CTAR)
		return CTP_ERR_INVAL;
	if ((e = ctp_msg_encode(m, buf, cap, outlen)) != CTP_OK)
		return e;
	/* CTAR layout (§3.2): header, MN, AR, seq, token, request CDBs. */
	tokoff = CTP_HDR_LEN + 2 * (size_t)m->mn.len + 4;
	cdboff = tokoff + CTP_TOKEN_LEN;
	if (*outlen < cdboff)
		return CTP_ERR_INVAL;
	return ctp_token_compute(t, key, &m->mn, m->seq, buf + cdboff,
	    *outlen - cdboff, buf + tokoff);
}

bool
ctp_token_is_zero(const uint8_t tok[CTP_TOKEN_LEN])
{
	return (tok[0] | tok[1] | tok[2] | tok[3]) == 0;
}
