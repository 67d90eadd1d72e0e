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
size_t		 ctp_rd_left(const struct ctp_rd *);
/* Absolute offset of the next octet, for error reports. */
size_t		 ctp_rd_pos(const struct ctp_rd *);
/* All return CTP_ERR_SHORT (and consume nothing) if fewer octets are left. */
enum ctp_err	 ctp_rd_u8(struct ctp_rd *, uint8_t *);
enum ctp_err	 ctp_rd_u16(struct ctp_rd *, uint16_t *);
enum ctp_err	 ctp_rd_u32(struct ctp_rd *, uint32_t *);
enum ctp_err	 ctp_rd_u64(struct ctp_rd *, uint64_t *);
enum ctp_err	 ctp_rd_copy(struct ctp_rd *, void *, size_t);
/* Points *p into the buffer and advances; no copy. */
enum ctp_err	 ctp_rd_ptr(struct ctp_rd *, const uint8_t **p, size_t n);
enum ctp_err	 ctp_rd_skip(struct ctp_rd *, size_t);
/* Read at an absolute position without moving. */
enum ctp_err	 ctp_rd_peek_u8(const struct ctp_rd *, size_t at, uint8_t *);

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
