/* SPDX-License-Identifier: ISC */
/*
 * CXTP messages to and from JSON (jansson), for ctpctl decode/encode and the
 * control protocol.  The member names are documented in ctpctl(8), section
 * JSON FORMAT; CDBs are rendered by the feature layer (ctp_feature.h).
 */
#ifndef CTP_JSON_H
#define CTP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctp_err.h"
#include "ctp_msg.h"

/* Flags for ctp_json_from_msg(). */
#define CTP_JSON_KEY		0x01	/* the PCTD key, as hex */

/*
 * Render m as a new JSON object in *out (the caller owns the reference).
 * Every wire field is rendered except the PCTD key, which is left out unless
 * flags has CTP_JSON_KEY ("key_len" is always there).  Members that hold no
 * wire field ("length", "notes") are informational; "notes" lists the
 * verdicts of spec §3.10 that apply to m and is absent when there are none.
 * Returns CTP_OK, CTP_ERR_INVAL for a type outside 1..7 or a bad address
 * size, or CTP_ERR_NOMEM.  *out is NULL on error.
 */
enum ctp_err	 ctp_json_from_msg(const struct ctp_msg *m, int flags,
		    json_t **out);

/*
 * Parse a message object as produced by ctp_json_from_msg() into *m, ready
 * for ctp_msg_encode().  Strict: an unknown member, a member that does not
 * belong to the message type, a wrong JSON type or a value out of range is
 * an error.  CDB data and the key are written into store (cap octets) and
 * m points there, so store must outlive *m; 65536 octets always suffice.
 * m->hdr.length gets the "length" member, or 0 if it is absent (the encoder
 * computes Length; callers may compare).  Returns CTP_OK or an error with
 * a message in errbuf that starts with the path of the member at fault,
 * e.g. "cdbs[1]: qos.dscp: 70 out of range 0..63": CTP_ERR_JSON, the
 * feature layer's CTP_ERR_FIELD or CTP_ERR_PV for a CDB, CTP_ERR_NOSPACE if
 * store is too small, CTP_ERR_NOMEM.
 */
enum ctp_err	 ctp_json_to_msg(const json_t *obj, struct ctp_msg *m,
		    uint8_t *store, size_t cap, char *errbuf, size_t errlen);

/*
 * Status of a CTAA/CTDR entry: the name ("SUCCESS", ...) where the code has
 * one of its own, else the code as an integer (reserved and FPT-specific
 * codes).  NULL only when out of memory.
 */
json_t		*ctp_json_status(unsigned status);

#endif /* CTP_JSON_H */
