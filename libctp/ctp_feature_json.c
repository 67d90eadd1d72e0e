/* SPDX-License-Identifier: ISC */
/* placeholder: to be written */
typedef int ctp_placeholder_ctp_feature_json;
