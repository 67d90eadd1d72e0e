/* SPDX-License-Identifier: ISC */
/*
 * CXTP messages (RFC 4067 version 1; spec/CXTP.md §3, §4.1, §8.5): the common
 * header, the seven message types, Context Data Blocks and the ICMP
 * experimental-mobility wrapper.  Decoding never allocates: addresses are
 * copied into the struct, CDB payloads and keys point into the caller's
 * buffer, which must outlive the decoded struct.
 */
#ifndef CTP_MSG_H
#define CTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_err.h"

#define CTP_VERSION		1
#define CTP_HDR_LEN		4
#define CTP_MSG_MAX		65532	/* largest valid Length (D17) */
#define CTP_MAX_CDBS		256	/* hard cap on CDBs per message */
#define CTP_MAX_ENTRIES		256	/* hard cap on CTAA/CTDR entries */
#define CTP_KEY_MAX		255	/* largest Key Length that decodes (D5) */
#define CTP_CDB_HDR_LEN		4
#define CTP_CDB_MAX		2040	/* 255 * 8 */
#define CTP_ALG_HMAC_SHA1	1

/* ICMP experimental mobility (RFC 4065) */
#define CTP_ICMP4_TYPE		41
#define CTP_ICMP6_TYPE		150
#define CTP_ICMP_SUBTYPE_CXTP	1
#define CTP_ICMP_HDR_LEN	8
#define CTP_PORT		5091

enum ctp_msg_type {
	CTP_MSG_CTAR = 1,
	CTP_MSG_CTSR = CTP_MSG_CTAR,	/* design name for an MN's CTAR (C2) */
	CTP_MSG_CTAA = 2,
	CTP_MSG_CTD = 3,
	CTP_MSG_PCTD = 4,
	CTP_MSG_CTDR = 5,
	CTP_MSG_CTC = 6,
	CTP_MSG_CTREQ = 7,
};
#define CTP_MSG_TYPE_MAX	7

/* Status codes in CTAA/CTDR entries and error CDBs (spec §7, C9). */
enum ctp_status {
	CTP_ST_SUCCESS = 0x00,
	CTP_ST_BAD_CHECKSUM = 0x01,
	CTP_ST_UNSUPPORTED_FPT = 0x02,
	CTP_ST_AUTH_FAILED = 0x03,
	CTP_ST_NO_CONTEXT = 0x04,
	CTP_ST_NO_PEER = 0x05,
	CTP_ST_TIMEOUT = 0x06,
	CTP_ST_STALE = 0x07,
	CTP_ST_MALFORMED = 0x08,
	CTP_ST_INSTALL_FAILED = 0x09,
	CTP_ST_RESOURCE_SHORTAGE = 0x0a,
	CTP_ST_ADMIN_PROHIBITED = 0x0b,
	CTP_ST_RATE_LIMITED = 0x0c,
	CTP_ST_CANCELLED = 0x0d,
	CTP_ST_BUSY = 0x0e,
};

/* "CTAR", "CTAA", ... ; NULL for an unassigned type. */
const char	*ctp_msg_type_name(unsigned type);
/* Parses a type name (case-insensitive; "CTSR" and "CT-Req" accepted); 0 if unknown. */
unsigned	 ctp_msg_type_from_name(const char *);
/* "SUCCESS", "AUTH_FAILED", ...; "RESERVED" / "FPT_SPECIFIC" for the ranges. */
const char	*ctp_status_name(unsigned status);
/* Parses a status name; -1 if unknown. */
int		 ctp_status_from_name(const char *);

/* Common header, first 32 bits of every message (§3.1). */
struct ctp_hdr {
	uint8_t		 version;
	uint8_t		 type;
	bool		 v4;		/* V: all addresses are IPv4 */
	bool		 x;		/* A in CTAR/CTD/PCTD, S in CTDR, else 0 */
	uint16_t	 length;	/* whole message incl. header (C6) */
};

struct ctp_addr {
	uint8_t		 len;		/* 4 or 16 */
	uint8_t		 b[16];
};

/*
 * out = a with an IPv4-mapped IPv6 address (::ffff:0:0/96) turned into the
 * IPv4 address, so both spellings of one node compare and hash alike; the
 * octets past len are zero.  a and out may be the same.
 */
void		 ctp_addr_norm(const struct ctp_addr *a, struct ctp_addr *out);
/* a and b are the same node: both set and equal once normalised. */
bool		 ctp_addr_eq(const struct ctp_addr *a, const struct ctp_addr *b);
/*
 * The normalised a in text ("192.0.2.1", "2001:db8::1") into buf, which it
 * returns; "?" for an unset address or one that does not fit.
 */
const char	*ctp_addr_str(const struct ctp_addr *a, char *buf, size_t len);

/*
 * One Context Data Block (§4.1).  A request CDB (CTAR/CT-Req) is the 4-octet
 * form with Length 0 and P 0: data_len == 0 and p == false.  For a data CDB,
 * data/data_len cover every octet after the header and the presence vector up
 * to the end of the CDB, padding included; the encoder pads with zeros to a
 * multiple of 8 and computes Length.
 */
struct ctp_cdb {
	uint16_t	 fpt;
	bool		 p;		/* presence vector follows */
	bool		 r;		/* reliable (project bit 25, §6.1) */
	uint32_t	 pv;		/* valid when p */
	const uint8_t	*data;
	uint16_t	 data_len;
	uint32_t	 off;		/* offset of the CDB in the message (decode) */
};

/* Status entry of a CTAA or CTDR. The reserved octet is ignored. */
struct ctp_entry {
	uint16_t	 fpt;
	uint8_t		 status;
};

/*
 * A decoded or to-be-encoded message.  Which members are meaningful depends
 * on hdr.type:
 *   CTAR   mn, ar, seq, token, cdbs (request CDBs)
 *   CTAA   mn, entries
 *   CTD    elapsed_ms, mn, cdbs
 *   PCTD   elapsed_ms, mn, alg, key_len, key, cdbs
 *   CTDR   mn, entries
 *   CTC    mn
 *   CTREQ  mn, seq, token, cdbs (request CDBs)
 * On decode, cdb_raw/cdb_raw_len cover the whole CDB list as on the wire
 * (the token input, §5.1).  Encoding ignores hdr.length, cdb_raw and the
 * CDBs' off and computes them.
 */
struct ctp_msg {
	struct ctp_hdr	 hdr;
	struct ctp_addr	 mn;
	struct ctp_addr	 ar;
	uint32_t	 seq;
	uint8_t		 token[4];
	uint32_t	 elapsed_ms;
	uint16_t	 alg;
	uint16_t	 key_len;
	const uint8_t	*key;
	const uint8_t	*cdb_raw;
	size_t		 cdb_raw_len;
	size_t		 ncdbs;
	struct ctp_cdb	 cdbs[CTP_MAX_CDBS];
	size_t		 nentries;
	struct ctp_entry entries[CTP_MAX_ENTRIES];
};

/* Caps a receiver applies on top of the protocol's hard limits. */
struct ctp_limits {
	size_t		 max_msg;	/* largest Length accepted, <= CTP_MSG_MAX */
	size_t		 max_cdbs;	/* <= CTP_MAX_CDBS */
	size_t		 max_entries;	/* <= CTP_MAX_ENTRIES */
};

/* The hard limits: CTP_MSG_MAX, CTP_MAX_CDBS, CTP_MAX_ENTRIES. */
void		 ctp_limits_default(struct ctp_limits *);

/*
 * Decode the 4-octet common header only (for stream framing).  Checks nothing
 * but that 4 octets are present; callers check version, type and length.
 */
enum ctp_err	 ctp_hdr_peek(const uint8_t *buf, size_t len, struct ctp_hdr *out);

/*
 * Decode exactly one message that occupies all of buf[0..len).  lim may be
 * NULL for the hard limits.  On error returns the first problem found and, if
 * err_off is not NULL, the octet offset where it was found; *out is then
 * undefined.  Never allocates and never reads outside buf.
 */
enum ctp_err	 ctp_msg_decode(const uint8_t *buf, size_t len,
		    const struct ctp_limits *lim, struct ctp_msg *out,
		    size_t *err_off);

/*
 * Encode m into buf (cap octets); *outlen gets the message length.  Checks
 * what a decoder would reject: address sizes against hdr.v4, key material
 * only in PCTD and 1..255 octets, CDB sizes, counts and the 65532 cap.
 * Returns CTP_ERR_NOSPACE if cap is too small.
 */
enum ctp_err	 ctp_msg_encode(const struct ctp_msg *m, uint8_t *buf,
		    size_t cap, size_t *outlen);

/* Octets the CDB takes on the wire: 4 for a request CDB, else Length*8. */
size_t		 ctp_cdb_wire_len(const struct ctp_cdb *);

/*
 * ICMP experimental-mobility wrapper (§8.5): type 41 (ICMPv4) or 150
 * (ICMPv6), code 0, checksum, subtype 1, 24 reserved bits, then one CTAR or
 * CTAA.  The ICMPv4 checksum covers the ICMP message; the ICMPv6 one also a
 * pseudo-header, so it is only computed or verified when src and dst are
 * given (the kernel checks it on raw ICMPv6 sockets, D15).
 */
struct ctp_icmp {
	bool		 v6;
	uint8_t		 type;
	uint8_t		 code;
	uint16_t	 csum;
	uint8_t		 subtype;
	const uint8_t	*body;		/* the CXTP message */
	size_t		 body_len;
};

/*
 * Decode the wrapper of an ICMP packet (no IP header).  v6 selects the family;
 * for v6, src/dst (16-octet addresses) may be NULL to skip the checksum.
 * Rejects a wrong type, code != 0 (D12), subtype != 1, a bad checksum, and a
 * packet shorter than 8 octets; reserved bits are ignored.  The body is not
 * decoded; use ctp_msg_decode and check it is a CTAR or CTAA.
 */
enum ctp_err	 ctp_icmp_decode(const uint8_t *pkt, size_t len, bool v6,
		    const struct ctp_addr *src, const struct ctp_addr *dst,
		    struct ctp_icmp *out, size_t *err_off);

/* Wrap a CXTP message body; computes the checksum (v6 only with src/dst). */
enum ctp_err	 ctp_icmp_encode(bool v6, const struct ctp_addr *src,
		    const struct ctp_addr *dst, const uint8_t *body,
		    size_t body_len, uint8_t *buf, size_t cap, size_t *outlen);

/* RFC 1071 Internet checksum over buf, starting from a partial sum. */
uint16_t	 ctp_inet_csum(const uint8_t *buf, size_t len, uint32_t sum);

#endif /* CTP_MSG_H */
