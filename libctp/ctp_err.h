/* SPDX-License-Identifier: ISC */
/*
 * One error enum for all of libctp.  Every decoder returns one of these and,
 * where it reads bytes, the offset at which the problem was found.
 * ctp_strerror() is the one place the text lives; ctp_errname() gives the
 * stable upper-case name used in JSON output and tests.
 */
#ifndef CTP_ERR_H
#define CTP_ERR_H

enum ctp_err {
	CTP_OK = 0,
	CTP_ERR_SHORT,		/* fewer octets than the header or field needs */
	CTP_ERR_LEN_OVER,	/* Length field larger than the buffer */
	CTP_ERR_LEN_UNDER,	/* Length field smaller than the buffer (trailing framing) */
	CTP_ERR_LEN_MIN,	/* Length below the fixed part of the type */
	CTP_ERR_TRAILING,	/* octets left after the last field (D13) */
	CTP_ERR_VERSION,	/* Ver != 1 */
	CTP_ERR_TYPE,		/* type 0 or 8..31 */
	CTP_ERR_CDB_OVERRUN,	/* CDB Length runs past the message end */
	CTP_ERR_CDB_SHORT,	/* fewer than 4 octets left for a CDB header */
	CTP_ERR_CDB_ZERO,	/* data CDB with Length 0 (CTD/PCTD) */
	CTP_ERR_CDB_REQ_P,	/* request CDB with Length 0 and P=1 (D2) */
	CTP_ERR_FAMILY,		/* V flag does not match the address sizes */
	CTP_ERR_KEY_PLACEMENT,	/* key material in a message other than PCTD */
	CTP_ERR_KEY_LEN,	/* Key Length 0, > 255, or key overruns (D5) */
	CTP_ERR_TOO_BIG,	/* message above the configured cap, or > 65532 (D17) */
	CTP_ERR_TOO_MANY,	/* more CDBs or status entries than the cap */
	CTP_ERR_ICMP_SHORT,	/* ICMP packet shorter than its 8-octet header */
	CTP_ERR_ICMP_TYPE,	/* ICMP type is not 41 (v4) / 150 (v6) */
	CTP_ERR_ICMP_CODE,	/* ICMP code != 0 (D12) */
	CTP_ERR_ICMP_SUBTYPE,	/* experimental-mobility subtype != 1 (CXTP) */
	CTP_ERR_ICMP_CSUM,	/* bad ICMP checksum */
	CTP_ERR_ICMP_MSG,	/* ICMP carries a CXTP type other than CTAR/CTAA */
	CTP_ERR_FPT_UNKNOWN,	/* FPT not in the feature registry */
	CTP_ERR_PV,		/* presence vector bits beyond the field count, or P on 0xFF00 (D8) */
	CTP_ERR_FIELD,		/* a feature field is out of its limits or inconsistent */
	CTP_ERR_FEATURE_LEN,	/* CDB too short for the present fields of its FPT */
	CTP_ERR_JSON,		/* JSON input: missing member, wrong type or bad value */
	CTP_ERR_NOSPACE,	/* output buffer too small */
	CTP_ERR_INVAL,		/* caller passed an invalid argument */
	CTP_ERR_ALG,		/* token algorithm not supported */
	CTP_ERR_TOKEN,		/* authorization token does not verify */
	CTP_ERR_CRYPTO,		/* libcrypto failed */
	CTP_ERR_NOMEM,		/* allocation failed */
	CTP_ERR__MAX
};

/* Human-readable text for e; never NULL. */
const char	*ctp_strerror(enum ctp_err e);
/* Stable name, e.g. "CTP_ERR_SHORT" -> "SHORT"; never NULL. */
const char	*ctp_errname(enum ctp_err e);

#endif /* CTP_ERR_H */
