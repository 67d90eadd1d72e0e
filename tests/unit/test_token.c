/* SPDX-License-Identifier: ISC */
/*
 * Tests of the MN authorization token (spec §5): the §5.4 vectors, constant
 * time verification verdicts, key limits and wiping, context reuse, and the
 * §3.9 CTAR signed and verified end to end.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "ctp_msg.h"
#include "ctp_token.h"
#include "testutil.h"

static struct ctp_token_ctx	*tctx;

static void
setup(void)
{
	tctx = ctp_token_ctx_new();
	ck_assert_ptr_nonnull(tctx);
}

static void
teardown(void)
{
	ctp_token_ctx_free(tctx);
	tctx = NULL;
}

static void
key_0114(struct ctp_key *k)
{
	uint8_t	 b[20];
	int	 i;

	for (i = 0; i < 20; i++)
		b[i] = (uint8_t)(i + 1);
	ck_assert_int_eq(ctp_key_set(k, b, sizeof(b)), CTP_OK);
}

static void
addr(struct ctp_addr *a, const char *hex)
{
	long	 n = tu_unhex(hex, a->b, sizeof(a->b));

	ck_assert(n == 4 || n == 16);
	a->len = (uint8_t)n;
}

/* spec §5.4: key, PrevIP, seq, CDBs, full HMAC-SHA1, token */
static const struct {
	const char	*key;		/* hex; NULL = ASCII "ctpd-test-key" */
	const char	*mn;
	uint32_t	 seq;
	const char	*cdbs;
	const char	*hmac;
	const char	*token;
} vec[] = {
	{ "0102030405060708090a0b0c0d0e0f1011121314", "c000020a", 0x01020304,
	  "00010000", "407859c4eb923e475b11639c7f727fbb7a2a757f", "407859c4" },
	{ "0102030405060708090a0b0c0d0e0f1011121314", "c000020a", 0x01020304,
	  "", "f629ef2c9b2713ee6f114ffeb5652066156c84ea", "f629ef2c" },
	{ NULL, "20010db8000000000000000000000010", 0xdeadbeef,
	  "00010000ff010000", "10940d296b13c71b3c8471f742a0b7e1ed0fe573",
	  "10940d29" },
};

static void
vec_key(int i, struct ctp_key *k)
{
	uint8_t	 b[64];
	long	 n;

	if (vec[i].key == NULL) {
		ck_assert_int_eq(ctp_key_set(k, (const uint8_t *)"ctpd-test-key",
		    13), CTP_OK);
		return;
	}
	n = tu_unhex(vec[i].key, b, sizeof(b));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ctp_key_set(k, b, (size_t)n), CTP_OK);
}

START_TEST(test_vectors)
{
	struct ctp_key	 k;
	struct ctp_addr	 mn;
	uint8_t		 cdbs[16], tok[4], want[4], input[64], md[20];
	long		 ncdb;
	size_t		 inlen, mdlen;

	vec_key(_i, &k);
	addr(&mn, vec[_i].mn);
	ncdb = tu_unhex(vec[_i].cdbs, cdbs, sizeof(cdbs));
	ck_assert_int_ge(ncdb, 0);
	ck_assert_int_eq(tu_unhex(vec[_i].token, want, sizeof(want)), 4);
	ck_assert_int_eq(ctp_token_compute(tctx, &k, &mn, vec[_i].seq,
	    ncdb ? cdbs : NULL, (size_t)ncdb, tok), CTP_OK);
	ck_assert_msg(memcmp(tok, want, 4) == 0, "token %s, want %s",
	    tu_hex(tok, 4), vec[_i].token);
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, vec[_i].seq,
	    cdbs, (size_t)ncdb, want), CTP_OK);

	/* The full 20-octet HMAC of the table, from an independent one-shot. */
	memcpy(input, mn.b, mn.len);
	input[mn.len] = (uint8_t)(vec[_i].seq >> 24);
	input[mn.len + 1] = (uint8_t)(vec[_i].seq >> 16);
	input[mn.len + 2] = (uint8_t)(vec[_i].seq >> 8);
	input[mn.len + 3] = (uint8_t)vec[_i].seq;
	memcpy(input + mn.len + 4, cdbs, (size_t)ncdb);
	inlen = mn.len + 4 + (size_t)ncdb;
	ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL,
	    k.b, k.len, input, inlen, md, sizeof(md), &mdlen));
	ck_assert_uint_eq(mdlen, 20);
	ck_assert_str_eq(tu_hex(md, 20), vec[_i].hmac);
	ck_assert(memcmp(md, tok, 4) == 0);
}
END_TEST

START_TEST(test_verify_rejects)
{
	struct ctp_key	 k, other;
	struct ctp_addr	 mn;
	uint8_t		 cdbs[4] = { 0x00, 0x01, 0x00, 0x00 };
	uint8_t		 tok[4] = { 0x40, 0x78, 0x59, 0xc4 }, bad[4];
	int		 i;

	key_0114(&k);
	addr(&mn, "c000020a");
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304, cdbs, 4,
	    tok), CTP_OK);
	for (i = 0; i < 32; i++) {	/* every single-bit change */
		memcpy(bad, tok, 4);
		bad[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304,
		    cdbs, 4, bad), CTP_ERR_TOKEN);
	}
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020305, cdbs, 4,
	    tok), CTP_ERR_TOKEN);
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304, cdbs, 0,
	    tok), CTP_ERR_TOKEN);
	mn.b[3] ^= 1;
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304, cdbs, 4,
	    tok), CTP_ERR_TOKEN);
	mn.b[3] ^= 1;
	cdbs[0] = 0xff;
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304, cdbs, 4,
	    tok), CTP_ERR_TOKEN);
	cdbs[0] = 0x00;
	ck_assert_int_eq(ctp_key_set(&other, (const uint8_t *)"another key", 11),
	    CTP_OK);
	ck_assert_int_eq(ctp_token_verify(tctx, &other, &mn, 0x01020304, cdbs,
	    4, tok), CTP_ERR_TOKEN);
	/* the context is still good after failures */
	ck_assert_int_eq(ctp_token_verify(tctx, &k, &mn, 0x01020304, cdbs, 4,
	    tok), CTP_OK);
}
END_TEST

START_TEST(test_key_limits_and_wipe)
{
	struct ctp_key	 k;
	struct ctp_addr	 mn;
	uint8_t		 b[300], tok[4];
	size_t		 i;

	memset(b, 0xa5, sizeof(b));
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(ctp_key_set(&k, b, 0), CTP_ERR_KEY_LEN);
	ck_assert_int_eq(ctp_key_set(&k, b, 256), CTP_ERR_KEY_LEN);
	ck_assert(!ctp_key_present(&k));
	ck_assert_int_eq(ctp_key_set(&k, b, 255), CTP_OK);
	ck_assert(ctp_key_present(&k));
	ck_assert_uint_eq(k.len, 255);
	ctp_key_wipe(&k);
	ck_assert(!ctp_key_present(&k));
	for (i = 0; i < sizeof(k.b); i++)
		ck_assert_uint_eq(k.b[i], 0);

	addr(&mn, "c000020a");
	ck_assert_int_eq(ctp_token_compute(tctx, &k, &mn, 1, NULL, 0, tok),
	    CTP_ERR_ALG);	/* wiped: alg 0 */
	ck_assert_int_eq(ctp_key_set(&k, b, 16), CTP_OK);
	k.alg = 2;
	ck_assert_int_eq(ctp_token_compute(tctx, &k, &mn, 1, NULL, 0, tok),
	    CTP_ERR_ALG);
	k.alg = CTP_ALG_HMAC_SHA1;
	mn.len = 5;
	ck_assert_int_eq(ctp_token_compute(tctx, &k, &mn, 1, NULL, 0, tok),
	    CTP_ERR_INVAL);
}
END_TEST

START_TEST(test_ctx_reuse)
{
	struct ctp_token_ctx	*fresh;
	struct ctp_key		 k[3];
	struct ctp_addr		 mn;
	struct tu_rng		 rng;
	uint8_t			 kb[64], cdbs[64], a[4], b[4];
	int			 i, j;

	tu_rng_seed(&rng, 0x70c3e);
	addr(&mn, "20010db8000000000000000000000010");
	for (j = 0; j < 3; j++) {
		tu_rng_bytes(&rng, kb, sizeof(kb));
		ck_assert_int_eq(ctp_key_set(&k[j], kb, 16 + 24 * (size_t)j),
		    CTP_OK);
	}
	for (i = 0; i < 300; i++) {
		size_t	 n = 4 * tu_rng_below(&rng, 16);

		j = (int)tu_rng_below(&rng, 3);
		tu_rng_bytes(&rng, cdbs, n);
		ck_assert_int_eq(ctp_token_compute(tctx, &k[j], &mn, (uint32_t)i,
		    cdbs, n, a), CTP_OK);
		fresh = ctp_token_ctx_new();
		ck_assert_ptr_nonnull(fresh);
		ck_assert_int_eq(ctp_token_compute(fresh, &k[j], &mn,
		    (uint32_t)i, cdbs, n, b), CTP_OK);
		ctp_token_ctx_free(fresh);
		ck_assert(memcmp(a, b, 4) == 0);
	}
}
END_TEST

/* spec §3.9: the CTAR signed by an MN is the vector; nAR verifies it. */
START_TEST(test_ctar_sign_verify)
{
	static const char	*wire =
	    "21c00018 c000020a c6336401 01020304 407859c4 00010000";
	struct ctp_msg	*m, *d;
	struct ctp_key	 k;
	uint8_t		 want[64], buf[64];
	size_t		 len, off;
	long		 n;

	m = calloc(1, sizeof(*m));
	d = calloc(1, sizeof(*d));
	ck_assert(m != NULL && d != NULL);
	key_0114(&k);
	n = tu_unhex(wire, want, sizeof(want));
	m->hdr.version = CTP_VERSION;
	m->hdr.type = CTP_MSG_CTSR;
	m->hdr.v4 = true;
	m->hdr.x = true;
	addr(&m->mn, "c000020a");
	addr(&m->ar, "c6336401");
	m->seq = 0x01020304;
	m->ncdbs = 1;
	m->cdbs[0].fpt = 0x0001;
	ck_assert_int_eq(ctp_token_sign_ctar(tctx, &k, m, buf, sizeof(buf),
	    &len), CTP_OK);
	ck_assert_uint_eq(len, (size_t)n);
	ck_assert_str_eq(tu_hex(buf, len), tu_hex(want, (size_t)n));

	ck_assert_int_eq(ctp_msg_decode(buf, len, NULL, d, &off), CTP_OK);
	ck_assert_int_eq(ctp_token_verify_msg(tctx, &k, d), CTP_OK);
	buf[len - 4] ^= 0x80;	/* the request CDB is covered by the token */
	ck_assert_int_eq(ctp_msg_decode(buf, len, NULL, d, &off), CTP_OK);
	ck_assert_int_eq(ctp_token_verify_msg(tctx, &k, d), CTP_ERR_TOKEN);
	d->hdr.type = CTP_MSG_CTD;
	ck_assert_int_eq(ctp_token_verify_msg(tctx, &k, d), CTP_ERR_INVAL);
	m->hdr.type = CTP_MSG_CTAA;
	ck_assert_int_eq(ctp_token_sign_ctar(tctx, &k, m, buf, sizeof(buf),
	    &len), CTP_ERR_INVAL);
	free(m);
	free(d);
}
END_TEST

START_TEST(test_zero_token)
{
	uint8_t	 z[4] = { 0, 0, 0, 0 }, nz[4] = { 0, 0, 0, 1 };

	ck_assert(ctp_token_is_zero(z));
	ck_assert(!ctp_token_is_zero(nz));
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_vectors, 0, (int)(sizeof(vec) / sizeof(vec[0])));
	tcase_add_test(tc, test_verify_rejects);
	tcase_add_test(tc, test_key_limits_and_wipe);
	tcase_add_test(tc, test_ctx_reuse);
	tcase_add_test(tc, test_ctar_sign_verify);
	tcase_add_test(tc, test_zero_token);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(token_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
