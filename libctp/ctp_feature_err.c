/* SPDX-License-Identifier: ISC */
/*
 * Error indication, FPT 0xFF00 (spec §7, C9): the pAR's negative answer to a
 * CT-Req, a list of {FPT 2, status 1, reserved 1} entries.  It has no
 * presence vector (D8); an entry with FPT 0 is padding (D7).
 */
#include "ctp_feature.h"

static const struct ctp_field error_fields[] = {
	/* FPT 0x0000 never appears as an entry (D7). */
	[CTP_ERROR_FPT] = { .name = "fpt", .kind = CTP_FK_FPT, .size = 2,
	    .min = 1, .max = 0xffff, .flags = CTP_FF_REQUIRED },
	[CTP_ERROR_STATUS] = { .name = "status", .kind = CTP_FK_STATUS,
	    .size = 1, .max = 0xff, .flags = CTP_FF_REQUIRED },
	[2] = { .name = NULL, .kind = CTP_FK_RSVD, .size = 1 },
};

const struct ctp_feature ctp_feature_error_def = {
	.fpt = CTP_FPT_ERROR,
	.name = "error",
	.descr = "error indication",
	.fields = error_fields,
	.nfields = sizeof(error_fields) / sizeof(error_fields[0]),
	.ngroups = 0,
	.list = true,
	.repeat = false,
	.check = NULL,
};
