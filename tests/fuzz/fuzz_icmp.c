/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the ICMP experimental-mobility wrapper (spec §8.5).
 * The first 32 input octets are the IPv6 source and destination used for the
 * pseudo-header; the rest is the ICMP packet, decoded as ICMPv4 and ICMPv6.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctp_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do {						\
	if (!(c))							\
		fuzz_fail(__LINE__, #c);				\
} while (0)

#define ADDRS_LEN	32

static struct ctp_msg	 m_body;

static void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_icmp.c:%d: invariant failed: %s\n", line, what);
	abort();
}

/* Independent RFC 1071 sum, so the codec's checksum is not its own oracle. */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t	 i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n % 2)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* True if the packet's checksum verifies (v6: with the pseudo-header). */
static bool
csum_ok(const uint8_t *pkt, size_t len, bool v6, const struct ctp_addr *src,
    const struct ctp_addr *dst)
{
	uint8_t		 ph[8];
	uint32_t	 s = 0;

	if (v6) {
		ph[0] = (uint8_t)(len >> 24);
		ph[1] = (uint8_t)(len >> 16);
		ph[2] = (uint8_t)(len >> 8);
		ph[3] = (uint8_t)len;
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = 58;	/* next header: ICMPv6 */
		s = sum16(src->b, 16, s);
		s = sum16(dst->b, 16, s);
		s = sum16(ph, sizeof(ph), s);
	}
	return sum16(pkt, len, s) == 0xffff;
}

/*
 * The wrapper is fully specified (ctp_msg.h), so acceptance has an exact
 * oracle: length >= 8, type 41/150, code 0, subtype 1 and, where it is
 * checked, the checksum.  Returns the set of errors that apply, as a mask.
 */
static unsigned
oracle(const uint8_t *pkt, size_t len, bool v6, const struct ctp_addr *src,
    const struct ctp_addr *dst)
{
	unsigned	 errs = 0;

	if (len < CTP_ICMP_HDR_LEN)
		return 1u << CTP_ERR_ICMP_SHORT;
	if (pkt[0] != (v6 ? CTP_ICMP6_TYPE : CTP_ICMP4_TYPE))
		errs |= 1u << CTP_ERR_ICMP_TYPE;
	if (pkt[1] != 0)
		errs |= 1u << CTP_ERR_ICMP_CODE;
	if (pkt[4] != CTP_ICMP_SUBTYPE_CXTP)
		errs |= 1u << CTP_ERR_ICMP_SUBTYPE;
	if ((!v6 || src != NULL) && !csum_ok(pkt, len, v6, src, dst))
		errs |= 1u << CTP_ERR_ICMP_CSUM;
	return errs;
}

static void
one(const uint8_t *pkt, size_t len, bool v6, const struct ctp_addr *src,
    const struct ctp_addr *dst)
{
	struct ctp_icmp	 ic, ic2;
	enum ctp_err	 e;
	unsigned	 want;
	uint8_t		*w;
	size_t		 eo, wlen, i;
	uint16_t	 c1, c2;

	eo = (size_t)-1;
	e = ctp_icmp_decode(pkt, len, v6, src, dst, &ic, &eo);
	want = oracle(pkt, len, v6, src, dst);
	if (e != CTP_OK) {
		CHECK(eo <= len);
		CHECK(e < 32 && (want & (1u << e)) != 0);
		return;
	}
	CHECK(want == 0);
	CHECK(ic.v6 == v6);
	CHECK(ic.type == pkt[0] && ic.code == 0 && ic.subtype == pkt[4]);
	CHECK(ic.csum == ((uint16_t)pkt[2] << 8 | pkt[3]));
	/* The body is everything after the fixed 8-octet header. */
	CHECK(ic.body == pkt + CTP_ICMP_HDR_LEN);
	CHECK(ic.body_len == len - CTP_ICMP_HDR_LEN);

	/* The body is untrusted too; decoding it must be safe. */
	eo = (size_t)-1;
	if (ctp_msg_decode(ic.body, ic.body_len, NULL, &m_body, &eo) !=
	    CTP_OK)
		CHECK(eo <= ic.body_len);

	/* Re-wrap into a buffer of exactly the right size. */
	CHECK((w = malloc(len)) != NULL);
	CHECK(ctp_icmp_encode(v6, src, dst, ic.body, ic.body_len, w, len - 1,
	    &wlen) == CTP_ERR_NOSPACE);
	wlen = 0;
	CHECK(ctp_icmp_encode(v6, src, dst, ic.body, ic.body_len, w, len,
	    &wlen) == CTP_OK);
	CHECK(wlen == len);
	CHECK(w[0] == pkt[0] && w[1] == 0 && w[4] == CTP_ICMP_SUBTYPE_CXTP);
	CHECK(w[5] == 0 && w[6] == 0 && w[7] == 0);
	CHECK(memcmp(w + CTP_ICMP_HDR_LEN, ic.body, ic.body_len) == 0);
	if (!v6 || src != NULL) {
		CHECK(csum_ok(w, wlen, v6, src, dst));
		/* Same data: same checksum, up to the two ones' zeros. */
		if (pkt[5] == 0 && pkt[6] == 0 && pkt[7] == 0) {
			c1 = (uint16_t)(pkt[2] << 8 | pkt[3]);
			c2 = (uint16_t)(w[2] << 8 | w[3]);
			CHECK(c1 == c2 || (c1 | c2) == 0xffff);
		}
	}
	eo = (size_t)-1;
	CHECK(ctp_icmp_decode(w, wlen, v6, src, dst, &ic2, &eo) == CTP_OK);
	CHECK(ic2.body == w + CTP_ICMP_HDR_LEN && ic2.body_len == ic.body_len);
	for (i = 0; i < ic.body_len; i++)
		CHECK(ic2.body[i] == ic.body[i]);
	free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctp_addr	 src, dst;
	uint8_t		*pkt;
	size_t		 len;
	bool		 have_addrs = size >= ADDRS_LEN;

	/* A private copy of exactly the packet: overreads are caught. */
	len = have_addrs ? size - ADDRS_LEN : size;
	if ((pkt = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	if (len > 0)
		memcpy(pkt, data + (have_addrs ? ADDRS_LEN : 0), len);

	/* The shared checksum helper agrees with the reference sum. */
	CHECK(ctp_inet_csum(pkt, len, 0) == (uint16_t)~sum16(pkt, len, 0));

	one(pkt, len, false, NULL, NULL);
	one(pkt, len, true, NULL, NULL);
	if (have_addrs) {
		src.len = dst.len = 16;
		memcpy(src.b, data, 16);
		memcpy(dst.b, data + 16, 16);
		one(pkt, len, true, &src, &dst);
	}
	free(pkt);
	return 0;
}
