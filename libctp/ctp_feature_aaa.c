/* SPDX-License-Identifier: ISC */
/*
 * AAA session context, FPT 0xFF01 (spec §4.3): session id, authorisation
 * time left, idle timeout, traffic counters and the identity digest (D9),
 * one presence-vector group per field.  One CDB per MN session.
 */
#include "ctp_feature.h"

#define U32MAX	UINT64_C(0xffffffff)
#define U64MAX	UINT64_MAX

static const struct ctp_field aaa_fields[] = {
	[CTP_AAA_SESSION_ID] = { .name = "session_id", .group = 0,
	    .kind = CTP_FK_HEX, .size = 8 },
	[CTP_AAA_AUTHZ_LIFETIME] = { .name = "authz_lifetime", .group = 1,
	    .kind = CTP_FK_UINT, .size = 4, .max = U32MAX },
	[CTP_AAA_IDLE_TIMEOUT] = { .name = "idle_timeout", .group = 2,
	    .kind = CTP_FK_UINT, .size = 4, .max = U32MAX },
	[CTP_AAA_OCTETS_IN] = { .name = "octets_in", .group = 3,
	    .kind = CTP_FK_UINT, .size = 8, .max = U64MAX },
	[CTP_AAA_OCTETS_OUT] = { .name = "octets_out", .group = 4,
	    .kind = CTP_FK_UINT, .size = 8, .max = U64MAX },
	[CTP_AAA_PACKETS_IN] = { .name = "packets_in", .group = 5,
	    .kind = CTP_FK_UINT, .size = 8, .max = U64MAX },
	[CTP_AAA_PACKETS_OUT] = { .name = "packets_out", .group = 6,
	    .kind = CTP_FK_UINT, .size = 8, .max = U64MAX },
	/* First 16 octets of SHA-256 over the NAI in UTF-8 (D9). */
	[CTP_AAA_IDENTITY_DIGEST] = { .name = "identity_digest", .group = 7,
	    .kind = CTP_FK_HEX, .size = 16 },
};

const struct ctp_feature ctp_feature_aaa_def = {
	.fpt = CTP_FPT_AAA,
	.name = "aaa",
	.descr = "AAA session",
	.fields = aaa_fields,
	.nfields = sizeof(aaa_fields) / sizeof(aaa_fields[0]),
	.ngroups = 8,
	.list = false,
	.repeat = false,	/* one session per MN */
	.check = NULL,
};
