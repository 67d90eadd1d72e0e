/* SPDX-License-Identifier: ISC */
/*
 * Bounds-checked big-endian reader and writer (see ctp_buf.h).  The only code
 * in libctp that indexes raw octets.
 */
#include <string.h>

#include "ctp_buf.h"

void
ctp_rd_init(struct ctp_rd *rd, const uint8_t *buf, size_t len)
{
	rd->buf = buf;
	rd->len = len;
	rd->off = 0;
	rd->base = 0;
}

enum ctp_err
ctp_rd_sub(struct ctp_rd *rd, size_t n, struct ctp_rd *sub)
{
	if (ctp_rd_left(rd) < n)
		return CTP_ERR_SHORT;
	sub->buf = rd->buf + rd->off;
	sub->len = n;
	sub->off = 0;
	sub->base = rd->base + rd->off;
	rd->off += n;
	return CTP_OK;
}

enum ctp_err
ctp_rd_peek_u8(const struct ctp_rd *rd, size_t at, uint8_t *v)
{
	if (at >= rd->len)
		return CTP_ERR_SHORT;
	*v = rd->buf[at];
	return CTP_OK;
}

void
ctp_wr_init(struct ctp_wr *wr, uint8_t *buf, size_t cap)
{
	wr->buf = buf;
	wr->cap = cap;
	wr->off = 0;
}

static enum ctp_err
wr_be(struct ctp_wr *wr, size_t n, uint64_t v)
{
	size_t	 i;

	if (wr->cap - wr->off < n)
		return CTP_ERR_NOSPACE;
	for (i = n; i > 0; i--) {
		wr->buf[wr->off + i - 1] = (uint8_t)v;
		v >>= 8;
	}
	wr->off += n;
	return CTP_OK;
}

enum ctp_err
ctp_wr_u8(struct ctp_wr *wr, uint8_t v)
{
	return wr_be(wr, 1, v);
}

enum ctp_err
ctp_wr_u16(struct ctp_wr *wr, uint16_t v)
{
	return wr_be(wr, 2, v);
}

enum ctp_err
ctp_wr_u32(struct ctp_wr *wr, uint32_t v)
{
	return wr_be(wr, 4, v);
}

enum ctp_err
ctp_wr_u64(struct ctp_wr *wr, uint64_t v)
{
	return wr_be(wr, 8, v);
}

enum ctp_err
ctp_wr_bytes(struct ctp_wr *wr, const void *p, size_t n)
{
	if (wr->cap - wr->off < n)
		return CTP_ERR_NOSPACE;
	if (n > 0)
		memcpy(wr->buf + wr->off, p, n);
	wr->off += n;
	return CTP_OK;
}

enum ctp_err
ctp_wr_zero(struct ctp_wr *wr, size_t n)
{
	if (wr->cap - wr->off < n)
		return CTP_ERR_NOSPACE;
	memset(wr->buf + wr->off, 0, n);
	wr->off += n;
	return CTP_OK;
}

enum ctp_err
ctp_wr_put_u16(struct ctp_wr *wr, size_t at, uint16_t v)
{
	if (at > wr->off || wr->off - at < 2)
		return CTP_ERR_INVAL;
	wr->buf[at] = (uint8_t)(v >> 8);
	wr->buf[at + 1] = (uint8_t)v;
	return CTP_OK;
}
