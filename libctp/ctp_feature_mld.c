/* SPDX-License-Identifier: ISC */
/*
 * IPv6 Multicast Listener context, FPT 0x0001 (RFC 4067 Appendix B, spec
 * §4.2): the 64-bit prefix of the nAR interface and one subscribed group.
 * One CDB per group; 28 octets, so Length 4 with P = 0.
 */
#include "ctp_feature.h"

static const struct ctp_field mld_fields[] = {
	[CTP_MLD_PREFIX] = { .name = "prefix", .group = 0,
	    .kind = CTP_FK_PREFIX, .size = 8 },
	/* The group must be an IPv6 multicast address (ff00::/8). */
	[CTP_MLD_GROUP] = { .name = "group", .group = 1,
	    .kind = CTP_FK_ADDR, .size = 16, .flags = CTP_FF_MCAST },
};

const struct ctp_feature ctp_feature_mld_def = {
	.fpt = CTP_FPT_MLD,
	.name = "mld",
	.descr = "IPv6 multicast listener (MLD)",
	.fields = mld_fields,
	.nfields = sizeof(mld_fields) / sizeof(mld_fields[0]),
	.ngroups = 2,
	.list = false,
	.repeat = true,		/* one CDB per subscribed group */
	.check = NULL,
};
