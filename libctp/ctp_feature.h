/* SPDX-License-Identifier: ISC */
/*
 * Typed feature contexts (spec/CXTP.md §4): one schema table per Feature
 * Profile Type drives decoding, encoding, validation and JSON conversion of
 * the data of a Context Data Block.  The tables are const; nothing here
 * allocates except the JSON functions (through jansson).
 */
#ifndef CTP_FEATURE_H
#define CTP_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctp_err.h"
#include "ctp_msg.h"

/*
 * FPT codes.  The project codes are unregistered (spec §4.3, C10) and can be
 * moved at build time with -DCTP_FPT_AAA=0x.... and so on; MLD is IANA's.
 */
#ifndef CTP_FPT_ERROR
#define CTP_FPT_ERROR		0xff00	/* error indication (§7) */
#endif
#ifndef CTP_FPT_AAA
#define CTP_FPT_AAA		0xff01	/* AAA session */
#endif
#ifndef CTP_FPT_QOS
#define CTP_FPT_QOS		0xff02	/* QoS flow */
#endif
#ifndef CTP_FPT_ROHC
#define CTP_FPT_ROHC		0xff03	/* ROHC flow */
#endif
#define CTP_FPT_MLD		0x0001	/* MLD, RFC 4067 App. B */

/*
 * JSON FORMAT OF A CDB
 *
 * ctp_feature_cdb_to_json() renders one CDB as an object; the members are
 * written in this order and ctp_feature_cdb_from_json() reads the same
 * shapes back.
 *
 *   fpt           FPT as an integer (65282).  Input also accepts the text
 *                 "0xff02" (the "0x" form used elsewhere in ctpctl output).
 *   feature       name of a known FPT: "error", "aaa", "qos", "rohc", "mld".
 *                 Input may give "feature" instead of, or together with,
 *                 "fpt"; both must then agree.
 *   r             the R (reliable) flag, true or false (input: default false).
 *   p             whether the CDB carries a presence vector (data CDBs and
 *                 full CDBs in requests only).
 *   pv            the presence vector as an integer; only with "data" and
 *                 p true.  For "fields" the vector is implied (see below).
 *   fields        the typed data of a known FPT whose CDB is valid.
 *   data          the data region (after header and presence vector, up to
 *                 the CDB end, padding included) as lower-case hex.
 *   error         why a CDB of a known FPT was not rendered as "fields"
 *                 (ctp_errname(): "PV", "FIELD", "FEATURE_LEN", "INVAL");
 *                 spec D10.  Ignored on input.
 *   error_offset  octet offset of the problem from the start of the data
 *                 region.  Ignored on input.
 *
 * Shapes:
 *   request CDB (CTAR, CT-Req)      {"fpt","feature"?,"r"}
 *   full CDB in a request (D2)      {"fpt","feature"?,"r","p","pv"?,"data"}
 *   valid CDB of a known FPT        {"fpt","feature","r","p","fields"}
 *   unknown FPT                     {"fpt","r","p","pv"?,"data"}
 *   known FPT failing validation    {"fpt","feature","r","p","pv"?,"error",
 *                                    "error_offset","data"}
 * "pv" is present exactly when "p" is true.  Input accepts "data" (raw, not
 * checked) for any FPT and pads it with zeros to the 8-octet boundary.
 *
 * Presence and "fields": a field group (one presence-vector bit) is present
 * when any of its members is.  Members of a present group that are left out
 * take the default given below, except those marked "required".  With "p"
 * left out, a CDB that has every group is written without a presence vector
 * (P=0) and any other CDB with one (P=1); "p": false with groups missing is
 * an error.  Reserved octets never appear in JSON and are written as zero.
 * For a valid CDB whose padding is zero and which is no longer than its
 * fields need, decode -> JSON -> encode gives the same octets.
 *
 * Value forms:
 *   integers      JSON integers.  64-bit counters above 9223372036854775807
 *                 are written as a decimal string; input accepts a decimal
 *                 string for any 8-octet field.
 *   addresses     text (inet_ntop); IPv4 is carried IPv4-mapped and written
 *                 "::ffff:192.0.2.1"; input also accepts "192.0.2.1".
 *   prefix        the 64-bit prefix as "2001:db8:1:2::/64"; input may leave
 *                 out "/64", other lengths and set host bits are errors.
 *   hex           lower-case hex text, exact size for fixed fields.
 *   ROHC mode     "U", "O" or "R" (RFC 3095 modes 1, 2, 3); input is
 *                 case-insensitive, numbers are not accepted.
 *   status        name from ctp_status_name() ("AUTH_FAILED") where the code
 *                 has a name of its own, else the code as an integer; input
 *                 takes either.
 *
 * FIELDS PER FPT (group = presence-vector bit, MSB first; wire size; limits;
 * default when absent)
 *
 * error (0xff00)   no presence vector (P=1 is rejected, D8); repeated entries
 *   entries        array of {"fpt": 1..65535, "status": name or 0..255};
 *                  at most 509.  An entry with FPT 0 is padding (D7).
 *
 * aaa (0xff01)     8 groups, one field each, 64 octets in all
 *   0 session_id        8  hex (16 digits)                  default 0
 *   1 authz_lifetime    4  seconds left, 0..4294967295      default 0
 *   2 idle_timeout      4  seconds, 0..4294967295           default 0
 *   3 octets_in         8  counter                          default 0
 *   4 octets_out        8  counter                          default 0
 *   5 packets_in        8  counter                          default 0
 *   6 packets_out       8  counter                          default 0
 *   7 identity_digest  16  hex (32 digits): first 16 octets of SHA-256 over
 *                          the NAI (D9)                     default 0
 *
 * qos (0xff02)     8 groups, 56 octets in all
 *   0 family            1  4 or 6 (D9)                      required
 *     proto             1  IP protocol, 0..255              default 0
 *                       2  reserved
 *   1 src              16  address                          default ::
 *   2 dst              16  address                          default ::
 *   3 src_port          2  0..65535                         default 0
 *     dst_port          2  0..65535                         default 0
 *   4 dscp              1  0..63                            default 0
 *                       3  reserved
 *   5 committed_rate    4  kbit/s, 0..4294967295            default 0
 *   6 peak_rate         4  kbit/s, 0..4294967295            default 0
 *   7 bucket            4  octets, 0..4294967295            default 0
 *   With family 4, src and dst (when present) must be IPv4-mapped.
 *
 * rohc (0xff03)    4 groups, 12 octets + context
 *   0 profile           2  ROHC profile, 0..65535           required
 *     cid               2  context id, 0..16383             default 0
 *   1 mode              1  "U", "O" or "R" (D9)             default "U"
 *     flags             1  0..1 (bit 0: compressor side)    default 0
 *                       2  reserved
 *   2 context_len       2  0..2020                          default 0
 *                       2  reserved
 *   3 context         var  hex, context_len octets          default empty
 *   context needs context_len in the same CDB (D8) and its length must equal
 *   context_len; context_len other than 0 needs context.
 *
 * mld (0x0001)     2 groups, 24 octets in all (RFC 4067 Appendix B)
 *   0 prefix            8  the nAR interface's /64 prefix   default ::/64
 *   1 group            16  IPv6 multicast address (ff00::/8)  default ::
 */

/* Wire kind of a field. */
enum ctp_fkind {
	CTP_FK_UINT,		/* unsigned, 1/2/4/8 octets; JSON integer */
	CTP_FK_ENUM,		/* unsigned, named (min..max); JSON text */
	CTP_FK_ADDR,		/* 16-octet IPv6 address; JSON text */
	CTP_FK_PREFIX,		/* 8-octet IPv6 /64 prefix; JSON text */
	CTP_FK_HEX,		/* fixed-size octets; JSON hex */
	CTP_FK_OPAQUE,		/* octets counted by a length field; hex */
	CTP_FK_FPT,		/* list entry: an FPT (u16) */
	CTP_FK_STATUS,		/* list entry: a status code (u8) */
	CTP_FK_RSVD,		/* reserved: sent zero, ignored */
};

/* Field flags. */
#define CTP_FF_REQUIRED		0x01	/* JSON: no default, give it */
#define CTP_FF_MCAST		0x02	/* ADDR must be in ff00::/8 */

struct ctp_fval;

/*
 * One field of a schema table.  Fields are listed in wire order, so their
 * groups never decrease; a group is the unit of one presence-vector bit.
 */
struct ctp_field {
	const char	*name;		/* JSON member; NULL if reserved */
	uint8_t		 group;		/* presence bit, 0 = MSB */
	uint8_t		 kind;		/* enum ctp_fkind */
	uint8_t		 flags;		/* CTP_FF_* */
	int8_t		 lenfield;	/* OPAQUE: its length field */
	uint16_t	 size;		/* wire octets (OPAQUE: 0) */
	uint64_t	 min;		/* integer limits; for OPAQUE */
	uint64_t	 max;		/*   the length limits */
	uint64_t	 def;		/* value when absent (UINT/ENUM) */
	const char * const *names;	/* ENUM: names of min..max */
	/* Extra rule on one value; false with a reason in why if broken. */
	bool		(*rule)(const struct ctp_fval *, char *why,
			    size_t len);
};

struct ctp_fvals;

/*
 * A registry row: one FPT.  A "list" feature (the error indication) has no
 * presence vector; its fields describe one entry, repeated to the CDB end.
 */
struct ctp_feature {
	uint16_t		 fpt;
	const char		*name;		/* JSON "feature" */
	const char		*descr;
	const struct ctp_field	*fields;
	uint8_t			 nfields;
	uint8_t			 ngroups;	/* presence bits used */
	bool			 list;		/* repeated entries, no PV */
	bool			 repeat;	/* may recur in a message */
	/*
	 * Rules across fields, run after every field passed its own limits.
	 * Returns CTP_OK or CTP_ERR_FIELD with *field set to the field to
	 * blame and a reason (without the field name) in why.
	 */
	enum ctp_err		(*check)(const struct ctp_fvals *,
				    int *field, char *why, size_t len);
};

/* The rows, one per ctp_feature_<name>.c. */
extern const struct ctp_feature	ctp_feature_error_def;
extern const struct ctp_feature	ctp_feature_aaa_def;
extern const struct ctp_feature	ctp_feature_qos_def;
extern const struct ctp_feature	ctp_feature_rohc_def;
extern const struct ctp_feature	ctp_feature_mld_def;

/* Field indices into struct ctp_fvals.v and the rows' field tables. */
enum ctp_error_field {
	CTP_ERROR_FPT = 0,
	CTP_ERROR_STATUS = 1,
	/* 2: reserved */
};
enum ctp_aaa_field {
	CTP_AAA_SESSION_ID = 0,
	CTP_AAA_AUTHZ_LIFETIME = 1,
	CTP_AAA_IDLE_TIMEOUT = 2,
	CTP_AAA_OCTETS_IN = 3,
	CTP_AAA_OCTETS_OUT = 4,
	CTP_AAA_PACKETS_IN = 5,
	CTP_AAA_PACKETS_OUT = 6,
	CTP_AAA_IDENTITY_DIGEST = 7,
};
enum ctp_qos_field {
	CTP_QOS_FAMILY = 0,
	CTP_QOS_PROTO = 1,
	/* 2: reserved */
	CTP_QOS_SRC = 3,
	CTP_QOS_DST = 4,
	CTP_QOS_SRC_PORT = 5,
	CTP_QOS_DST_PORT = 6,
	CTP_QOS_DSCP = 7,
	/* 8: reserved */
	CTP_QOS_COMMITTED_RATE = 9,
	CTP_QOS_PEAK_RATE = 10,
	CTP_QOS_BUCKET = 11,
};
enum ctp_rohc_field {
	CTP_ROHC_PROFILE = 0,
	CTP_ROHC_CID = 1,
	CTP_ROHC_MODE = 2,
	CTP_ROHC_FLAGS = 3,
	/* 4: reserved */
	CTP_ROHC_CONTEXT_LEN = 5,
	/* 6: reserved */
	CTP_ROHC_CONTEXT = 7,
};
enum ctp_mld_field {
	CTP_MLD_PREFIX = 0,
	CTP_MLD_GROUP = 1,
};

#define CTP_ROHC_MODE_U		1
#define CTP_ROHC_MODE_O		2
#define CTP_ROHC_MODE_R		3
#define CTP_ROHC_CONTEXT_MAX	2020	/* spec §4.3 */

#define CTP_FEATURE_FIELDS_MAX	16
#define CTP_FEATURE_GROUPS_MAX	32
/* Entries of an error indication: (2040 - 4) / 4. */
#define CTP_FEATURE_ENTRIES_MAX	509

/* Presence-vector bit of group g (bit 0 is the most significant). */
#define CTP_PV_BIT(g)		(UINT32_C(0x80000000) >> (g))

/* The value of one field. */
struct ctp_fval {
	uint64_t	 u;		/* UINT, ENUM */
	uint8_t		 b[16];		/* ADDR, PREFIX (8), HEX */
	const uint8_t	*data;		/* OPAQUE: into the CDB on */
	size_t		 len;		/*   decode, caller's on encode */
};

/*
 * Typed contents of one data CDB.  pv is the effective presence: the
 * presence vector when p, every group of the FPT when !p.  v[] is indexed
 * by field (enum ctp_<name>_field); fields of absent groups hold their
 * defaults.  For the error indication, entries[0..nentries) are used
 * instead of v[], and p is false.
 */
struct ctp_fvals {
	uint16_t	 fpt;
	bool		 p;
	uint32_t	 pv;
	struct ctp_fval	 v[CTP_FEATURE_FIELDS_MAX];
	size_t		 nentries;
	struct ctp_entry entries[CTP_FEATURE_ENTRIES_MAX];
};

/* Registry row of fpt, or NULL if unknown (FPT 0 is never known, D14). */
const struct ctp_feature *ctp_feature_lookup(uint16_t fpt);
/* Registry row by name ("aaa", ...; case-insensitive), or NULL. */
const struct ctp_feature *ctp_feature_by_name(const char *name);
/* The i-th registry row, for listing; NULL past the end. */
const struct ctp_feature *ctp_feature_at(size_t i);
/* "aaa", ... for a known FPT, else NULL. */
const char	*ctp_feature_name(uint16_t fpt);
/* Index of the field called name in f's table, or -1. */
int		 ctp_feature_field_index(const struct ctp_feature *f,
		    const char *name);
/* Presence-vector mask of all of f's groups (0 for a list feature). */
uint32_t	 ctp_feature_pv_full(const struct ctp_feature *f);

/*
 * Set v to "nothing present" for f: fpt, p = true, pv = 0 (p = false for a
 * list feature), every field of f at its default, no entries.  Only those
 * are written: v[] past f's field count and entries[] are left as they were.
 */
void		 ctp_fvals_init(struct ctp_fvals *v,
		    const struct ctp_feature *f);
/* Whether field (enum ctp_<name>_field) of v is present; false if unknown. */
bool		 ctp_fvals_has(const struct ctp_fvals *v, unsigned field);
/*
 * Set an integer field (UINT, ENUM) or an octet field (ADDR, PREFIX and HEX
 * copy exactly the field's size; OPAQUE keeps the pointer) and mark its
 * group present.  No limits are checked here (ctp_feature_check() does).
 * CTP_ERR_INVAL for an unknown FPT, a bad index, the wrong kind or size.
 */
enum ctp_err	 ctp_fvals_set_u64(struct ctp_fvals *v, unsigned field,
		    uint64_t u);
enum ctp_err	 ctp_fvals_set_bytes(struct ctp_fvals *v, unsigned field,
		    const uint8_t *b, size_t len);

/*
 * Validate a data CDB of a known FPT against its table: presence vector
 * (D8), field sizes, limits and encodings (D9), rules across fields.
 * Octets after the fields and the padding are ignored (D6).  Returns CTP_OK,
 * CTP_ERR_FPT_UNKNOWN for an FPT without a table (FPT 0 included),
 * CTP_ERR_PV (bits beyond the FPT's groups; P on the error indication),
 * CTP_ERR_FEATURE_LEN (data region too short for the present fields),
 * CTP_ERR_FIELD (a value out of its limits or inconsistent, a ROHC context
 * without its length), or CTP_ERR_INVAL for a request CDB (data_len 0,
 * !p) or a data region longer than any CDB can hold.  Errors are reported
 * in this order of checking: presence vector, sizes, each field's own
 * limits in wire order, rules across fields.  If err_off is not NULL it gets
 * the offset of the offending field from the start of the data region
 * (cdb->data); 0 for presence-vector errors, which lie before it.
 */
enum ctp_err	 ctp_feature_validate(const struct ctp_cdb *cdb,
		    size_t *err_off);

/*
 * Decode and validate a data CDB into typed values.  Same checks, errors and
 * err_off as ctp_feature_validate().  OPAQUE values point into cdb->data.
 * *out is undefined on error.
 */
enum ctp_err	 ctp_feature_decode(const struct ctp_cdb *cdb,
		    struct ctp_fvals *out, size_t *err_off);

/*
 * Check typed values as the encoder would: p/pv (CTP_ERR_PV), each present
 * field's limits and the rules across fields (CTP_ERR_FIELD; an OPAQUE
 * length must equal its length field), the size of the CDB (CTP_ERR_FIELD
 * above 2040 octets).  CTP_ERR_FPT_UNKNOWN for an unknown v->fpt.  On error
 * msg (if not NULL) gets a line naming the member, e.g.
 * "qos.dscp: 70 out of range 0..63".
 */
enum ctp_err	 ctp_feature_check(const struct ctp_fvals *v, char *msg,
		    size_t msglen);

/*
 * Encode typed values as a data CDB: checks as ctp_feature_check(), then
 * writes the present groups into store (cap octets) with zero reserved
 * octets and zero padding to the 8-octet boundary of the whole CDB.
 * out->data points at store, out->data_len covers fields and padding,
 * out->fpt/p/pv are set, out->r is false (set it afterwards), out->off 0.
 * *used gets the octets used from store.  CTP_ERR_NOSPACE if cap is too
 * small.  Without P the presence vector must hold every group.
 */
enum ctp_err	 ctp_feature_encode(const struct ctp_fvals *v,
		    uint8_t *store, size_t cap, size_t *used,
		    struct ctp_cdb *out);

/*
 * One CDB as a new JSON object in *out (the caller owns the reference); the
 * shapes are described above under JSON FORMAT.  request selects the request
 * shape (CTAR, CT-Req; spec D2).  A CDB of a known FPT that fails
 * ctp_feature_validate() is rendered with "error" (D10) and is not a
 * failure.  Returns CTP_OK or CTP_ERR_NOMEM (*out is then NULL).
 */
enum ctp_err	 ctp_feature_cdb_to_json(const struct ctp_cdb *cdb,
		    bool request, json_t **out);

/*
 * One JSON object (JSON FORMAT above) to a CDB.  The data region is written
 * into store (cap octets), *used gets the octets used and out->data points
 * into store.  For request, an object without "data" and "p" gives a
 * request CDB (data_len 0, !p) and "fields" is refused; otherwise a data
 * CDB is made from "fields" or "data" (exactly one of them).  Errors:
 * CTP_ERR_JSON for an unknown member, a wrong JSON type or text that does
 * not parse (hex, address, name); CTP_ERR_FIELD for a value outside its
 * limits or inconsistent; CTP_ERR_PV for "p": false with groups missing or
 * "p": true on the error indication; CTP_ERR_FPT_UNKNOWN for "fields" of an
 * FPT without a table; CTP_ERR_NOSPACE if store is too small; CTP_ERR_NOMEM.
 * On error errbuf (errlen octets, may be NULL) gets a line naming the
 * member, e.g. "qos.dscp: 70 out of range 0..63" or
 * "fpt: expected an integer or \"0x\" and 4 hex digits, got a real".
 */
enum ctp_err	 ctp_feature_cdb_from_json(const json_t *obj, bool request,
		    uint8_t *store, size_t cap, size_t *used,
		    struct ctp_cdb *out, char *errbuf, size_t errlen);

#endif /* CTP_FEATURE_H */
