/* SPDX-License-Identifier: ISC */
/*
 * ICMP experimental-mobility wrapper that carries CTAR and CTAA between
 * mobile node and access router (spec §8.5, RFC 4065), and the RFC 1071
 * Internet checksum with the ICMPv6 pseudo-header (RFC 8200 §8.1).
 */
#include "ctp_buf.h"
#include "ctp_msg.h"

#define ICMP_OFF_TYPE		0
#define ICMP_OFF_CODE		1
#define ICMP_OFF_CSUM		2
#define ICMP_OFF_SUBTYPE	4
#define ICMP_RSVD_LEN		3
#define ICMP6_NEXT_HDR		58	/* next header in the pseudo-header */

/* Ones' complement sum of buf as 16-bit big-endian words, folded. */
static uint32_t
csum_add(const uint8_t *buf, size_t len, uint32_t sum)
{
	struct ctp_rd	 rd;
	uint64_t	 acc = sum;
	uint16_t	 w;
	uint8_t		 b;

	ctp_rd_init(&rd, buf, len);
	while (ctp_rd_u16(&rd, &w) == CTP_OK)
		acc += w;
	if (ctp_rd_u8(&rd, &b) == CTP_OK)
		acc += (uint32_t)b << 8;	/* odd octet padded with zero */
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t
ctp_inet_csum(const uint8_t *buf, size_t len, uint32_t sum)
{
	return (uint16_t)~csum_add(buf, len, sum);
}

/*
 * Partial sum of the ICMPv6 pseudo-header: source, destination, upper-layer
 * packet length (32 bits), three zero octets and next header 58.
 */
static enum ctp_err
pseudo_sum(const struct ctp_addr *src, const struct ctp_addr *dst,
    size_t len, uint32_t *sum)
{
	uint32_t	 s;

	if (src->len != 16 || dst->len != 16 || len > UINT32_MAX)
		return CTP_ERR_INVAL;
	s = csum_add(src->b, 16, 0);
	s = csum_add(dst->b, 16, s);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) +
	    ICMP6_NEXT_HDR;
	*sum = s;
	return CTP_OK;
}

/*
 * Checks run in this order, err_off in brackets: at least 8 octets
 * (ICMP_SHORT, len: where the missing octets begin), type (ICMP_TYPE, 0),
 * checksum (ICMP_CSUM, 2), code (ICMP_CODE, 1), subtype (ICMP_SUBTYPE, 4).
 * The checksum comes before the fields it covers, so that a corrupted packet
 * is reported as such.  INVAL (0) if v6 addresses are not 16 octets.
 */
enum ctp_err
ctp_icmp_decode(const uint8_t *pkt, size_t len, bool v6,
    const struct ctp_addr *src, const struct ctp_addr *dst,
    struct ctp_icmp *out, size_t *err_off)
{
	struct ctp_rd	 rd;
	size_t		 dummy;
	uint32_t	 sum = 0;
	enum ctp_err	 e;

	if (err_off == NULL)
		err_off = &dummy;
	*err_off = 0;
	if (len < CTP_ICMP_HDR_LEN) {
		*err_off = len;
		return CTP_ERR_ICMP_SHORT;
	}
	ctp_rd_init(&rd, pkt, len);
	out->v6 = v6;
	if ((e = ctp_rd_u8(&rd, &out->type)) != CTP_OK ||
	    (e = ctp_rd_u8(&rd, &out->code)) != CTP_OK ||
	    (e = ctp_rd_u16(&rd, &out->csum)) != CTP_OK ||
	    (e = ctp_rd_u8(&rd, &out->subtype)) != CTP_OK ||
	    (e = ctp_rd_skip(&rd, ICMP_RSVD_LEN)) != CTP_OK ||
	    (e = ctp_rd_ptr(&rd, &out->body, ctp_rd_left(&rd))) != CTP_OK)
		return e;
	out->body_len = len - CTP_ICMP_HDR_LEN;

	if (out->type != (v6 ? CTP_ICMP6_TYPE : CTP_ICMP4_TYPE)) {
		*err_off = ICMP_OFF_TYPE;
		return CTP_ERR_ICMP_TYPE;
	}
	if (!v6 || (src != NULL && dst != NULL)) {
		if (v6 && (e = pseudo_sum(src, dst, len, &sum)) != CTP_OK)
			return e;
		/* Summed with its checksum, a good packet gives 0xffff. */
		if (ctp_inet_csum(pkt, len, sum) != 0) {
			*err_off = ICMP_OFF_CSUM;
			return CTP_ERR_ICMP_CSUM;
		}
	}
	if (out->code != 0) {
		*err_off = ICMP_OFF_CODE;
		return CTP_ERR_ICMP_CODE;	/* D12 */
	}
	if (out->subtype != CTP_ICMP_SUBTYPE_CXTP) {
		*err_off = ICMP_OFF_SUBTYPE;
		return CTP_ERR_ICMP_SUBTYPE;
	}
	return CTP_OK;
}

/*
 * The body is copied as given; the caller encodes a CTAR or CTAA into it.
 * Without src and dst an ICMPv6 checksum is left 0 for the kernel to fill.
 */
enum ctp_err
ctp_icmp_encode(bool v6, const struct ctp_addr *src,
    const struct ctp_addr *dst, const uint8_t *body, size_t body_len,
    uint8_t *buf, size_t cap, size_t *outlen)
{
	struct ctp_wr	 wr;
	uint32_t	 sum = 0;
	enum ctp_err	 e;

	if (body == NULL && body_len > 0)
		return CTP_ERR_INVAL;
	if (v6 && src != NULL && dst != NULL &&
	    (e = pseudo_sum(src, dst, CTP_ICMP_HDR_LEN + body_len, &sum)) !=
	    CTP_OK)
		return e;
	ctp_wr_init(&wr, buf, cap);
	if ((e = ctp_wr_u8(&wr, v6 ? CTP_ICMP6_TYPE : CTP_ICMP4_TYPE)) !=
	    CTP_OK ||
	    (e = ctp_wr_u8(&wr, 0)) != CTP_OK ||
	    (e = ctp_wr_u16(&wr, 0)) != CTP_OK ||
	    (e = ctp_wr_u8(&wr, CTP_ICMP_SUBTYPE_CXTP)) != CTP_OK ||
	    (e = ctp_wr_zero(&wr, ICMP_RSVD_LEN)) != CTP_OK ||
	    (e = ctp_wr_bytes(&wr, body, body_len)) != CTP_OK)
		return e;
	if ((!v6 || (src != NULL && dst != NULL)) &&
	    (e = ctp_wr_put_u16(&wr, ICMP_OFF_CSUM,
	    ctp_inet_csum(buf, wr.off, sum))) != CTP_OK)
		return e;
	*outlen = wr.off;
	return CTP_OK;
}
