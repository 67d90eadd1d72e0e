/* SPDX-License-Identifier: ISC */
/*
 * Names and texts of the libctp error enum: the one place they live, so that
 * logs, ctpctl and tests use the same words.
 */
#include <stddef.h>

#include "ctp_err.h"

static const struct {
	const char	*name;
	const char	*text;
} ctp_errtab[CTP_ERR__MAX] = {
	[CTP_OK] =		{ "OK", "no error" },
	[CTP_ERR_SHORT] =	{ "SHORT", "truncated: fewer octets than the field needs" },
	[CTP_ERR_LEN_OVER] =	{ "LEN_OVER", "Length field larger than the data" },
	[CTP_ERR_LEN_UNDER] =	{ "LEN_UNDER", "Length field smaller than the data" },
	[CTP_ERR_LEN_MIN] =	{ "LEN_MIN", "Length below the minimum for the message type" },
	[CTP_ERR_TRAILING] =	{ "TRAILING", "trailing octets after the last field" },
	[CTP_ERR_VERSION] =	{ "VERSION", "unsupported protocol version" },
	[CTP_ERR_TYPE] =	{ "TYPE", "unknown message type" },
	[CTP_ERR_CDB_OVERRUN] =	{ "CDB_OVERRUN", "context data block runs past the end of the message" },
	[CTP_ERR_CDB_SHORT] =	{ "CDB_SHORT", "octets left over too short for a context data block" },
	[CTP_ERR_CDB_ZERO] =	{ "CDB_ZERO", "zero-length context data block in context data" },
	[CTP_ERR_CDB_REQ_P] =	{ "CDB_REQ_P", "request block with a presence vector" },
	[CTP_ERR_FAMILY] =	{ "FAMILY", "V flag does not match the address size" },
	[CTP_ERR_KEY_PLACEMENT] = { "KEY_PLACEMENT", "key material outside a PCTD" },
	[CTP_ERR_KEY_LEN] =	{ "KEY_LEN", "bad key length" },
	[CTP_ERR_TOO_BIG] =	{ "TOO_BIG", "message larger than the configured cap" },
	[CTP_ERR_TOO_MANY] =	{ "TOO_MANY", "too many context data blocks or status entries" },
	[CTP_ERR_ICMP_SHORT] =	{ "ICMP_SHORT", "ICMP packet shorter than its header" },
	[CTP_ERR_ICMP_TYPE] =	{ "ICMP_TYPE", "ICMP type is not experimental mobility" },
	[CTP_ERR_ICMP_CODE] =	{ "ICMP_CODE", "ICMP code is not 0" },
	[CTP_ERR_ICMP_SUBTYPE] = { "ICMP_SUBTYPE", "experimental mobility subtype is not CXTP" },
	[CTP_ERR_ICMP_CSUM] =	{ "ICMP_CSUM", "bad ICMP checksum" },
	[CTP_ERR_ICMP_MSG] =	{ "ICMP_MSG", "ICMP carries a message other than CTAR or CTAA" },
	[CTP_ERR_FPT_UNKNOWN] =	{ "FPT_UNKNOWN", "unknown feature profile type" },
	[CTP_ERR_PV] =		{ "PV", "presence vector names fields the feature does not have" },
	[CTP_ERR_FIELD] =	{ "FIELD", "feature field out of range" },
	[CTP_ERR_FEATURE_LEN] =	{ "FEATURE_LEN", "context data block too short for its fields" },
	[CTP_ERR_JSON] =	{ "JSON", "bad JSON input" },
	[CTP_ERR_NOSPACE] =	{ "NOSPACE", "output buffer too small" },
	[CTP_ERR_INVAL] =	{ "INVAL", "invalid argument" },
	[CTP_ERR_ALG] =		{ "ALG", "unsupported token algorithm" },
	[CTP_ERR_TOKEN] =	{ "TOKEN", "authorization token does not verify" },
	[CTP_ERR_CRYPTO] =	{ "CRYPTO", "cryptographic library failure" },
	[CTP_ERR_NOMEM] =	{ "NOMEM", "out of memory" },
};

const char *
ctp_strerror(enum ctp_err e)
{
	if ((unsigned)e >= CTP_ERR__MAX || ctp_errtab[e].text == NULL)
		return "unknown error";
	return ctp_errtab[e].text;
}

const char *
ctp_errname(enum ctp_err e)
{
	if ((unsigned)e >= CTP_ERR__MAX || ctp_errtab[e].name == NULL)
		return "UNKNOWN";
	return ctp_errtab[e].name;
}
