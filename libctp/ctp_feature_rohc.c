/* SPDX-License-Identifier: ISC */
/*
 * Header-compression (ROHC, RFC 3095) flow context, FPT 0xFF03 (spec §4.3):
 * profile and CID, mode and flags, then an opaque compressor or
 * decompressor context counted by its own length group.  One CDB per flow.
 */
#include "ctp_feature.h"

/* D9: RFC 3095 modes 1 = U, 2 = O, 3 = R. */
static const char *const rohc_modes[] = { "U", "O", "R" };

static const struct ctp_field rohc_fields[] = {
	[CTP_ROHC_PROFILE] = { .name = "profile", .group = 0,
	    .kind = CTP_FK_UINT, .size = 2, .max = 0xffff,
	    .flags = CTP_FF_REQUIRED },
	/* Large CIDs run 0..16383 (RFC 3095 §5.1.1, MAX_CID). */
	[CTP_ROHC_CID] = { .name = "cid", .group = 0,
	    .kind = CTP_FK_UINT, .size = 2, .max = 16383 },
	[CTP_ROHC_MODE] = { .name = "mode", .group = 1,
	    .kind = CTP_FK_ENUM, .size = 1, .min = CTP_ROHC_MODE_U,
	    .max = CTP_ROHC_MODE_R, .def = CTP_ROHC_MODE_U,
	    .names = rohc_modes },
	/* D9: bit 0 = compressor-side state; the other bits stay zero. */
	[CTP_ROHC_FLAGS] = { .name = "flags", .group = 1,
	    .kind = CTP_FK_UINT, .size = 1, .max = 1 },
	[4] = { .group = 1, .kind = CTP_FK_RSVD, .size = 2 },
	[CTP_ROHC_CONTEXT_LEN] = { .name = "context_len", .group = 2,
	    .kind = CTP_FK_UINT, .size = 2, .max = CTP_ROHC_CONTEXT_MAX },
	[6] = { .group = 2, .kind = CTP_FK_RSVD, .size = 2 },
	/* D8: the context needs context_len in the same CDB. */
	[CTP_ROHC_CONTEXT] = { .name = "context", .group = 3,
	    .kind = CTP_FK_OPAQUE, .lenfield = CTP_ROHC_CONTEXT_LEN,
	    .max = CTP_ROHC_CONTEXT_MAX },
};

const struct ctp_feature ctp_feature_rohc_def = {
	.fpt = CTP_FPT_ROHC,
	.name = "rohc",
	.descr = "header-compression (ROHC) flow",
	.fields = rohc_fields,
	.nfields = sizeof(rohc_fields) / sizeof(rohc_fields[0]),
	.ngroups = 4,
	.list = false,
	.repeat = true,		/* one CDB per compressed flow */
	.check = NULL,
};
