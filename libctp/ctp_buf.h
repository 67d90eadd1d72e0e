/* SPDX-License-Identifier: ISC */
/*
 * Bounds-checked reader and writer over caller-owned memory.  This is the only
 * code in libctp that touches raw octets; every other module reads through
 * ctp_rd_* and writes through ctp_wr_*.  Integers are big-endian.
 */
#ifndef CTP_BUF_H
#define CTP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctp_err.h"

struct ctp_rd {
	const uint8_t	*buf;
	size_t		 len;		/* end of readable data */
	size_t		 off;		/* next octet to read */
	size_t		 base;		/* added to off when reporting errors */
};

struct ctp_wr {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 off;		/* octets written so far */
};

void		 ctp_rd_init(struct ctp_rd *, const uint8_t *, size_t);
/* Sub-reader over the next n octets of rd (offsets stay absolute); advances rd. */
enum ctp_err	 ctp_rd_sub(struct ctp_rd *rd, size_t n, struct ctp_rd *sub);
/* All return CTP_ERR_SHORT (and consume nothing) if fewer octets are left. */
/* Read at an absolute position without moving. */
enum ctp_err	 ctp_rd_peek_u8(const struct ctp_rd *, size_t at, uint8_t *);

/*
 * The hot readers are inline: decoders call them for every field, and a call
 * per octet would cost more than the decoding itself.
 */
static inline size_t
ctp_rd_left(const struct ctp_rd *rd)
{
	return rd->len - rd->off;
}

/* Absolute offset of the next octet, for error reports. */
static inline size_t
ctp_rd_pos(const struct ctp_rd *rd)
{
	return rd->base + rd->off;
}

/* Points *p into the buffer and advances; no copy. */
static inline enum ctp_err
ctp_rd_ptr(struct ctp_rd *rd, const uint8_t **p, size_t n)
{
	if (rd->len - rd->off < n)
		return CTP_ERR_SHORT;
	*p = rd->buf + rd->off;
	rd->off += n;
	return CTP_OK;
}

/* All return CTP_ERR_SHORT (and consume nothing) if fewer octets are left. */
static inline enum ctp_err
ctp_rd_u8(struct ctp_rd *rd, uint8_t *v)
{
	if (rd->len - rd->off < 1)
		return CTP_ERR_SHORT;
	*v = rd->buf[rd->off++];
	return CTP_OK;
}

static inline enum ctp_err
ctp_rd_u16(struct ctp_rd *rd, uint16_t *v)
{
	const uint8_t	*p;

	if (rd->len - rd->off < 2)
		return CTP_ERR_SHORT;
	p = rd->buf + rd->off;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	rd->off += 2;
	return CTP_OK;
}

static inline enum ctp_err
ctp_rd_u32(struct ctp_rd *rd, uint32_t *v)
{
	const uint8_t	*p;

	if (rd->len - rd->off < 4)
		return CTP_ERR_SHORT;
	p = rd->buf + rd->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	rd->off += 4;
	return CTP_OK;
}

static inline enum ctp_err
ctp_rd_u64(struct ctp_rd *rd, uint64_t *v)
{
	const uint8_t	*p;
	uint64_t	 x = 0;
	int		 i;

	if (rd->len - rd->off < 8)
		return CTP_ERR_SHORT;
	p = rd->buf + rd->off;
	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	*v = x;
	rd->off += 8;
	return CTP_OK;
}

static inline enum ctp_err
ctp_rd_copy(struct ctp_rd *rd, void *dst, size_t n)
{
	if (rd->len - rd->off < n)
		return CTP_ERR_SHORT;
	if (n > 0)
		memcpy(dst, rd->buf + rd->off, n);
	rd->off += n;
	return CTP_OK;
}

static inline enum ctp_err
ctp_rd_skip(struct ctp_rd *rd, size_t n)
{
	if (rd->len - rd->off < n)
		return CTP_ERR_SHORT;
	rd->off += n;
	return CTP_OK;
}

void		 ctp_wr_init(struct ctp_wr *, uint8_t *, size_t);
/* All return CTP_ERR_NOSPACE (and write nothing) if the buffer is too small. */
enum ctp_err	 ctp_wr_u8(struct ctp_wr *, uint8_t);
enum ctp_err	 ctp_wr_u16(struct ctp_wr *, uint16_t);
enum ctp_err	 ctp_wr_u32(struct ctp_wr *, uint32_t);
enum ctp_err	 ctp_wr_u64(struct ctp_wr *, uint64_t);
enum ctp_err	 ctp_wr_bytes(struct ctp_wr *, const void *, size_t);
enum ctp_err	 ctp_wr_zero(struct ctp_wr *, size_t);
/* Overwrite a u16 already written at absolute offset at (for Length fields). */
enum ctp_err	 ctp_wr_put_u16(struct ctp_wr *, size_t at, uint16_t);

#endif /* CTP_BUF_H */
