/* SPDX-License-Identifier: ISC */
/*
 * QoS flow context, FPT 0xFF02 (spec §4.3): the flow's 5-tuple, its DSCP and
 * a token-bucket profile, in eight presence-vector groups.  One CDB per
 * flow; addresses are 16 octets, IPv4 as IPv4-mapped IPv6 (§3.8 rule 3).
 */
#include <stdio.h>
#include <string.h>

#include "ctp_feature.h"

#define U32MAX	UINT64_C(0xffffffff)

/* D9: the family is the IP version. */
static bool
family_rule(const struct ctp_fval *val, char *why, size_t len)
{
	if (val->u == 4 || val->u == 6)
		return true;
	snprintf(why, len, "%llu is not 4 or 6", (unsigned long long)val->u);
	return false;
}

static const struct ctp_field qos_fields[] = {
	[CTP_QOS_FAMILY] = { .name = "family", .group = 0,
	    .kind = CTP_FK_UINT, .size = 1, .min = 0, .max = 0xff,
	    .flags = CTP_FF_REQUIRED, .rule = family_rule },
	[CTP_QOS_PROTO] = { .name = "proto", .group = 0,
	    .kind = CTP_FK_UINT, .size = 1, .max = 0xff },
	[2] = { .group = 0, .kind = CTP_FK_RSVD, .size = 2 },
	[CTP_QOS_SRC] = { .name = "src", .group = 1,
	    .kind = CTP_FK_ADDR, .size = 16 },
	[CTP_QOS_DST] = { .name = "dst", .group = 2,
	    .kind = CTP_FK_ADDR, .size = 16 },
	[CTP_QOS_SRC_PORT] = { .name = "src_port", .group = 3,
	    .kind = CTP_FK_UINT, .size = 2, .max = 0xffff },
	[CTP_QOS_DST_PORT] = { .name = "dst_port", .group = 3,
	    .kind = CTP_FK_UINT, .size = 2, .max = 0xffff },
	[CTP_QOS_DSCP] = { .name = "dscp", .group = 4,
	    .kind = CTP_FK_UINT, .size = 1, .max = 63 },
	[8] = { .group = 4, .kind = CTP_FK_RSVD, .size = 3 },
	[CTP_QOS_COMMITTED_RATE] = { .name = "committed_rate", .group = 5,
	    .kind = CTP_FK_UINT, .size = 4, .max = U32MAX },
	[CTP_QOS_PEAK_RATE] = { .name = "peak_rate", .group = 6,
	    .kind = CTP_FK_UINT, .size = 4, .max = U32MAX },
	[CTP_QOS_BUCKET] = { .name = "bucket", .group = 7,
	    .kind = CTP_FK_UINT, .size = 4, .max = U32MAX },
};

static bool
v4mapped(const uint8_t *a)
{
	static const uint8_t	 pfx[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/* An IPv4 flow (family 4) can only name IPv4-mapped addresses. */
static enum ctp_err
qos_check(const struct ctp_fvals *v, int *field, char *why, size_t len)
{
	static const int	 addrs[] = { CTP_QOS_SRC, CTP_QOS_DST };
	size_t			 i;
	int			 f;

	if (!ctp_fvals_has(v, CTP_QOS_FAMILY) || v->v[CTP_QOS_FAMILY].u != 4)
		return CTP_OK;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		f = addrs[i];
		if (ctp_fvals_has(v, f) && !v4mapped(v->v[f].b)) {
			*field = f;
			snprintf(why, len, "not an IPv4-mapped address "
			    "(::ffff:0:0/96) but family is 4");
			return CTP_ERR_FIELD;
		}
	}
	return CTP_OK;
}

const struct ctp_feature ctp_feature_qos_def = {
	.fpt = CTP_FPT_QOS,
	.name = "qos",
	.descr = "QoS flow",
	.fields = qos_fields,
	.nfields = sizeof(qos_fields) / sizeof(qos_fields[0]),
	.ngroups = 8,
	.list = false,
	.repeat = true,		/* one CDB per flow */
	.check = qos_check,
};
