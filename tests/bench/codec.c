/* SPDX-License-Identifier: ISC */
/*
 * Codec benchmark: decode+validate and encode of a 1 KiB IPv6 CTD with 16
 * feature CDBs, and token verification next to one bare HMAC-SHA1 over the
 * same octets on a reused EVP_MAC context, all measured in the same run.
 * Usage: codec [-j] [--strict]; the targets are informational by default.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ctp_buf.h"
#include "ctp_feature.h"
#include "ctp_msg.h"
#include "ctp_token.h"

#define ROUNDS		5
#define ROUND_NS	150000000ULL	/* one round of one measurement */
#define CALIB_NS	20000000ULL
#define TARGET_DECODE_NS 1000.0
#define TARGET_TOKEN_RATIO 1.2

static struct ctp_msg	 ctd, dec;
static uint8_t		 store[2048];
static uint8_t		 wire[2048], scratch[2048];
static size_t		 wire_len;

static struct ctp_token_ctx *tctx;
static struct ctp_key	 key;
static struct ctp_addr	 tmn;
static uint32_t		 tseq = 0x5eed1234;
static uint8_t		 treq[12], ttok[CTP_TOKEN_LEN];
static uint8_t		 bare_in[16 + 4 + sizeof(treq)];
static EVP_MAC		*bare_mac;
static EVP_MAC_CTX	*bare_ctx;

static volatile uint32_t sink;

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what, enum ctp_err e)
{
	fprintf(stderr, "codec: %s: %s\n", what, ctp_strerror(e));
	exit(2);
}

/* Append one data CDB whose fields are built by fn in the shared store. */
static void
add_cdb(struct ctp_wr *st, uint16_t fpt, bool p, uint32_t pv,
    void (*fn)(struct ctp_wr *, unsigned), unsigned arg)
{
	struct ctp_cdb	*c = &ctd.cdbs[ctd.ncdbs++];
	size_t		 start = st->off;

	fn(st, arg);
	memset(c, 0, sizeof(*c));
	c->fpt = fpt;
	c->p = p;
	c->pv = pv;
	c->data = st->buf + start;
	c->data_len = (uint16_t)(st->off - start);
}

/* AAA session, FPT 0xFF01 (§4.3): all eight fields, 64 octets. */
static void
f_aaa(struct ctp_wr *w, unsigned i)
{
	static const uint8_t digest[16] = {
		0x85, 0x95, 0x6a, 0x99, 0x38, 0x04, 0xcd, 0xa1,
		0x4f, 0x8e, 0x09, 0xd3, 0x90, 0x30, 0x88, 0xda
	};

	(void)(ctp_wr_u64(w, 0x1122334455667700ULL + i) ||
	    ctp_wr_u32(w, 3600) || ctp_wr_u32(w, 300) ||
	    ctp_wr_u64(w, 1048576 * (i + 1)) || ctp_wr_u64(w, 262144) ||
	    ctp_wr_u64(w, 1200) || ctp_wr_u64(w, 900) ||
	    ctp_wr_bytes(w, digest, sizeof(digest)));
}

/* QoS flow, FPT 0xFF02 (§4.3): IPv6 UDP flow, all eight fields, 56 octets. */
static void
f_qos(struct ctp_wr *w, unsigned i)
{
	uint8_t	 src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	uint8_t	 dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 };

	src[15] = 0x10;
	dst[15] = (uint8_t)(0x20 + i);
	(void)(ctp_wr_u8(w, 6) || ctp_wr_u8(w, 17) || ctp_wr_u16(w, 0) ||
	    ctp_wr_bytes(w, src, 16) || ctp_wr_bytes(w, dst, 16) ||
	    ctp_wr_u16(w, (uint16_t)(5004 + 2 * i)) ||
	    ctp_wr_u16(w, (uint16_t)(6004 + 2 * i)) ||
	    ctp_wr_u8(w, 46) || ctp_wr_zero(w, 3) ||
	    ctp_wr_u32(w, 128) || ctp_wr_u32(w, 256) || ctp_wr_u32(w, 16000));
}

/* MLD listener, FPT 0x0001 (§4.2): prefix and group, 24 octets. */
static void
f_mld(struct ctp_wr *w, unsigned i)
{
	uint8_t	 pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0 };
	uint8_t	 grp[16] = { 0xff, 0x05 };

	grp[14] = 1;
	grp[15] = (uint8_t)(3 + i);
	(void)(ctp_wr_bytes(w, pfx, 8) || ctp_wr_bytes(w, grp, 16));
}

/* ROHC flow, FPT 0xFF03 (§4.3): 12 fixed octets and an opaque context. */
static void
f_rohc(struct ctp_wr *w, unsigned ctxlen)
{
	unsigned	 k;

	(void)(ctp_wr_u16(w, 1) || ctp_wr_u16(w, (uint16_t)ctxlen) ||
	    ctp_wr_u8(w, 2) || ctp_wr_u8(w, 1) || ctp_wr_u16(w, 0) ||
	    ctp_wr_u16(w, (uint16_t)ctxlen) || ctp_wr_u16(w, 0));
	for (k = 0; k < ctxlen; k++)
		(void)ctp_wr_u8(w, (uint8_t)(k * 7 + 1));
}

/*
 * A realistic 1 KiB transfer (the draft's "about 1 KB per MN", §14): 4 AAA
 * (72 octets each), 6 QoS with a presence vector (64), 4 MLD (32) and two
 * ROHC flows (104, 96) behind a 24-octet IPv6 CTD header: 1024 octets.
 */
static void
build_ctd(void)
{
	struct ctp_wr	 st;
	unsigned	 i;

	memset(&ctd, 0, sizeof(ctd));
	ctd.hdr.version = CTP_VERSION;
	ctd.hdr.type = CTP_MSG_CTD;
	ctd.hdr.x = true;
	ctd.elapsed_ms = 17;
	ctd.mn.len = 16;
	memcpy(ctd.mn.b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16);
	ctp_wr_init(&st, store, sizeof(store));
	for (i = 0; i < 4; i++)
		add_cdb(&st, 0xff01, false, 0, f_aaa, i);
	for (i = 0; i < 6; i++)
		add_cdb(&st, 0xff02, true, 0xff000000U, f_qos, i);
	for (i = 0; i < 4; i++)
		add_cdb(&st, 0x0001, false, 0, f_mld, i);
	add_cdb(&st, 0xff03, false, 0, f_rohc, 88);
	add_cdb(&st, 0xff03, false, 0, f_rohc, 80);
	ctd.cdbs[0].r = ctd.cdbs[4].r = true;
}

static void
op_decode(void)
{
	if (ctp_msg_decode(wire, wire_len, NULL, &dec, NULL) != CTP_OK)
		abort();
	sink += (uint32_t)dec.ncdbs;
}

static void
op_decode_validate(void)
{
	size_t	 i, eo;

	if (ctp_msg_decode(wire, wire_len, NULL, &dec, NULL) != CTP_OK)
		abort();
	for (i = 0; i < dec.ncdbs; i++)
		if (ctp_feature_validate(&dec.cdbs[i], &eo) != CTP_OK)
			abort();
	sink += (uint32_t)dec.ncdbs;
}

static void
op_encode(void)
{
	size_t	 n;

	if (ctp_msg_encode(&ctd, scratch, sizeof(scratch), &n) != CTP_OK)
		abort();
	sink += (uint32_t)n;
}

static void
op_token(void)
{
	if (ctp_token_verify(tctx, &key, &tmn, tseq, treq, sizeof(treq),
	    ttok) != CTP_OK)
		abort();
	sink++;
}

/* The baseline the token cannot beat: one HMAC-SHA1 on a reused context. */
static void
op_bare(void)
{
	uint8_t	 md[EVP_MAX_MD_SIZE];
	size_t	 mdlen;

	if (EVP_MAC_init(bare_ctx, key.b, key.len, NULL) != 1 ||
	    EVP_MAC_update(bare_ctx, bare_in, sizeof(bare_in)) != 1 ||
	    EVP_MAC_final(bare_ctx, md, &mdlen, sizeof(md)) != 1)
		abort();
	sink += md[0];
}

struct bench {
	const char	*name;
	void		(*fn)(void);
	uint64_t	 iters;
	double		 ns[ROUNDS];
	double		 median;
};

static struct bench	 benches[] = {
	{ "decode", op_decode, 0, { 0 }, 0 },
	{ "decode_validate", op_decode_validate, 0, { 0 }, 0 },
	{ "encode", op_encode, 0, { 0 }, 0 },
	{ "token_verify", op_token, 0, { 0 }, 0 },
	{ "bare_hmac", op_bare, 0, { 0 }, 0 },
};
#define NBENCH	(sizeof(benches) / sizeof(benches[0]))
enum { B_DEC, B_DECVAL, B_ENC, B_TOKEN, B_BARE };

static uint64_t
run(void (*fn)(void), uint64_t n)
{
	uint64_t	 t0, i;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		fn();
	return now_ns() - t0;
}

/* Warm up and pick an iteration count that fills about ROUND_NS. */
static void
calibrate(struct bench *b)
{
	uint64_t	 n = 64, t;

	while ((t = run(b->fn, n)) < CALIB_NS && n < (1ULL << 32))
		n *= 2;
	if (t == 0)
		t = 1;
	b->iters = n * ROUND_NS / t;
	if (b->iters < 16)
		b->iters = 16;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
setup(void)
{
	struct ctp_wr	 w;
	OSSL_PARAM	 params[2];
	enum ctp_err	 e;
	size_t		 i, eo;
	uint8_t		 kb[20];

	build_ctd();
	if ((e = ctp_msg_encode(&ctd, wire, sizeof(wire), &wire_len)) !=
	    CTP_OK)
		die("encode CTD", e);
	eo = 0;
	if ((e = ctp_msg_decode(wire, wire_len, NULL, &dec, &eo)) != CTP_OK) {
		fprintf(stderr, "codec: decode CTD at %zu: %s\n", eo,
		    ctp_strerror(e));
		exit(2);
	}
	for (i = 0; i < dec.ncdbs; i++)
		if ((e = ctp_feature_validate(&dec.cdbs[i], &eo)) != CTP_OK) {
			fprintf(stderr, "codec: CDB %zu (FPT 0x%04x) at %zu: "
			    "%s\n", i, dec.cdbs[i].fpt, eo, ctp_strerror(e));
			exit(2);
		}

	/* A CTAR from 2001:db8::10 asking for MLD, AAA and QoS (§3.2). */
	for (i = 0; i < sizeof(kb); i++)
		kb[i] = (uint8_t)(i + 1);
	if ((e = ctp_key_set(&key, kb, sizeof(kb))) != CTP_OK)
		die("key", e);
	tmn = ctd.mn;
	ctp_wr_init(&w, treq, sizeof(treq));
	(void)(ctp_wr_u32(&w, 0x00010000) || ctp_wr_u32(&w, 0xff010000) ||
	    ctp_wr_u32(&w, 0xff020000));
	if ((tctx = ctp_token_ctx_new()) == NULL)
		die("token context", CTP_ERR_CRYPTO);
	if ((e = ctp_token_compute(tctx, &key, &tmn, tseq, treq, sizeof(treq),
	    ttok)) != CTP_OK)
		die("token", e);

	/* The same input octets, contiguous: PrevIP || SeqNo || CDBs. */
	ctp_wr_init(&w, bare_in, sizeof(bare_in));
	(void)(ctp_wr_bytes(&w, tmn.b, 16) || ctp_wr_u32(&w, tseq) ||
	    ctp_wr_bytes(&w, treq, sizeof(treq)));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((bare_mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (bare_ctx = EVP_MAC_CTX_new(bare_mac)) == NULL ||
	    EVP_MAC_CTX_set_params(bare_ctx, params) != 1)
		die("EVP_MAC HMAC-SHA1", CTP_ERR_CRYPTO);
}

static const char *
verdict(bool ok)
{
	return ok ? "PASS" : "FAIL";
}

int
main(int argc, char *argv[])
{
	bool		 json = false, strict = false, ok_dec, ok_tok;
	double		 ratio;
	size_t		 b;
	int		 i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-j") == 0)
			json = true;
		else if (strcmp(argv[i], "--strict") == 0)
			strict = true;
		else {
			fprintf(stderr, "usage: codec [-j] [--strict]\n");
			return 2;
		}
	}
	setup();
	for (b = 0; b < NBENCH; b++)
		calibrate(&benches[b]);
	/*
	 * Rounds interleave the measurements, so that frequency changes and
	 * noisy neighbours hit token and bare HMAC alike.
	 */
	for (r = 0; r < ROUNDS; r++)
		for (b = 0; b < NBENCH; b++)
			benches[b].ns[r] = (double)run(benches[b].fn,
			    benches[b].iters) / (double)benches[b].iters;
	for (b = 0; b < NBENCH; b++) {
		qsort(benches[b].ns, ROUNDS, sizeof(double), cmp_double);
		benches[b].median = benches[b].ns[ROUNDS / 2];
	}
	ratio = benches[B_TOKEN].median / benches[B_BARE].median;
	ok_dec = benches[B_DECVAL].median <= TARGET_DECODE_NS;
	ok_tok = ratio <= TARGET_TOKEN_RATIO;

	if (json) {
		printf("{\"message\":{\"type\":\"CTD\",\"family\":\"ipv6\","
		    "\"octets\":%zu,\"cdbs\":%zu},\"rounds\":%d,"
		    "\"decode_ns\":%.1f,\"decode_validate_ns\":%.1f,"
		    "\"encode_ns\":%.1f,\"token_verify_ns\":%.1f,"
		    "\"bare_hmac_ns\":%.1f,\"token_ratio\":%.3f,"
		    "\"targets\":{\"decode_validate_ns\":{\"max\":%.0f,"
		    "\"pass\":%s},\"token_ratio\":{\"max\":%.2f,"
		    "\"pass\":%s}}}\n",
		    wire_len, dec.ncdbs, ROUNDS,
		    benches[B_DEC].median, benches[B_DECVAL].median,
		    benches[B_ENC].median, benches[B_TOKEN].median,
		    benches[B_BARE].median, ratio,
		    TARGET_DECODE_NS, ok_dec ? "true" : "false",
		    TARGET_TOKEN_RATIO, ok_tok ? "true" : "false");
	} else {
		printf("codec: CTD IPv6, %zu CDBs, %zu octets; median of %d "
		    "rounds\n", dec.ncdbs, wire_len, ROUNDS);
		printf("  decode             %8.1f ns/msg\n",
		    benches[B_DEC].median);
		printf("  decode+validate    %8.1f ns/msg   target <= %.0f ns"
		    "   %s\n", benches[B_DECVAL].median, TARGET_DECODE_NS,
		    verdict(ok_dec));
		printf("  encode             %8.1f ns/msg\n",
		    benches[B_ENC].median);
		printf("  token verify       %8.1f ns       CTAR IPv6, 3 request "
		    "CDBs, reused ctx\n", benches[B_TOKEN].median);
		printf("  bare HMAC-SHA1     %8.1f ns       same %zu octets, "
		    "reused EVP_MAC ctx\n", benches[B_BARE].median,
		    sizeof(bare_in));
		printf("  token / bare       %8.2f          target <= %.2f"
		    "        %s\n", ratio, TARGET_TOKEN_RATIO, verdict(ok_tok));
	}
	if (sink == 0xffffffffU)
		fprintf(stderr, "\n");
	ctp_token_ctx_free(tctx);
	EVP_MAC_CTX_free(bare_ctx);
	EVP_MAC_free(bare_mac);
	ctp_key_wipe(&key);
	return strict && !(ok_dec && ok_tok) ? 1 : 0;
}
