/* SPDX-License-Identifier: ISC */
/*
 * The configuration model of ctpd (DESIGN §5, STYLE §9).  One schema table,
 * ctp_conf_keys[], lists every YAML key; the defaults, the strict loader, the
 * cross-checks, the dump and the reload rules all walk it.  Everything here is
 * pure: the caller reads the files and supplies stat(2) results.
 */
#ifndef CTP_CONF_H
#define CTP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctp_msg.h"		/* struct ctp_addr, CTP_PORT, CTP_MSG_MAX */
#include "ctp_token.h"		/* struct ctp_key */

#define CTP_CONF_MAX_ERRORS	50	/* a parse stops reporting after this */
#define CTP_CONF_MAX_ADDRS	16	/* per router or peer (sctp_bindx) */
#define CTP_CONF_NAME_MAX	63	/* router id, peer name */
#define CTP_CONF_HIDDEN		"<hidden>"	/* the dump's secrets */

/* ctp_conf_parse() flags */
#define CTP_CONF_F_REDACTED	0x01	/* accept "<hidden>" for a secret */

/*
 * Enums that reach YAML, logs or ctpctl have a name table beside them, in
 * enum order and NULL-terminated; the YAML spelling is the table entry.
 */
enum ctp_conf_mn_transport {
	CTP_CONF_MN_ICMP,		/* ICMP 41/150 subtype 1 (C14) */
	CTP_CONF_MN_UDP,		/* unprivileged test transport */
};
extern const char *const ctp_conf_mn_transport_names[];

enum ctp_conf_transport {
	CTP_CONF_TR_SCTP,		/* modes A and B (C11) */
	CTP_CONF_TR_TCP,		/* mode A-tcp (C22) */
	CTP_CONF_TR_UDP,		/* mode C */
};
extern const char *const ctp_conf_transport_names[];

enum ctp_conf_security {
	CTP_CONF_SEC_TLS,		/* TLS 1.3, mutual certificates */
	CTP_CONF_SEC_IPSEC,		/* OS ESP, set up by the operator */
};
extern const char *const ctp_conf_security_names[];

enum ctp_conf_provider {
	CTP_CONF_PROV_BUILTIN,		/* contexts kept in ctpd's store */
	CTP_CONF_PROV_EXEC,		/* operator hook, JSON on stdin */
	CTP_CONF_PROV_SOCKET,		/* subsystem on the control socket */
};
extern const char *const ctp_conf_provider_names[];

enum ctp_conf_feature_id {
	CTP_CONF_FEAT_AAA,		/* FPT 0xFF01 */
	CTP_CONF_FEAT_QOS,		/* FPT 0xFF02 */
	CTP_CONF_FEAT_ROHC,		/* FPT 0xFF03 */
	CTP_CONF_FEAT_MLD,		/* FPT 0x0001 */
	CTP_CONF_FEAT__MAX
};
extern const char *const ctp_conf_feature_names[];

enum ctp_conf_log_level {
	CTP_CONF_LOG_WARNING,
	CTP_CONF_LOG_INFO,
	CTP_CONF_LOG_DEBUG,
};
extern const char *const ctp_conf_log_level_names[];

enum ctp_conf_log_target {
	CTP_CONF_LOG_SYSLOG,
	CTP_CONF_LOG_STDERR,
};
extern const char *const ctp_conf_log_target_names[];

/* Lists are allocated arrays of n elements (v is NULL when n is 0). */
struct ctp_conf_addrs {
	struct ctp_addr		*v;
	size_t			 n;
};

struct ctp_conf_prefix {
	struct ctp_addr		 addr;		/* host bits are zero */
	uint8_t			 plen;
};

struct ctp_conf_prefixes {
	struct ctp_conf_prefix	*v;
	size_t			 n;
};

struct ctp_conf_strs {
	char			**v;
	size_t			 n;
};

/* "10/s": n events per per_ms milliseconds (1000, 60000 or 3600000). */
struct ctp_conf_rate {
	uint32_t		 n;
	uint32_t		 per_ms;
};

struct ctp_conf_router {
	char			*id;
	struct ctp_conf_addrs	 addresses;	/* channel addresses, >= 1 */
	uint16_t		 port;		/* channel listener (C13) */
};

struct ctp_conf_mn {
	enum ctp_conf_mn_transport transport;
	struct ctp_conf_strs	 interfaces;	/* access interfaces (icmp) */
	uint16_t		 udp_port;
	struct ctp_conf_addrs	 listen;	/* udp only */
};

struct ctp_conf_tls {
	char			*certificate;	/* NULL if not set */
	char			*key;
	char			*ca;
};

/* One MN-AR shared key (spec §5.3).  key is wiped by ctp_conf_free(). */
struct ctp_conf_mnkey {
	struct ctp_addr		 mn;
	struct ctp_key		 key;
	bool			 redacted;	/* read back as "<hidden>" */
	bool			 from_file;	/* from ctp_conf_load_keys() */
	uint32_t		 line, col;	/* where the entry starts */
};

struct ctp_conf_token {
	char			*keys_file;	/* NULL if not set */
	struct ctp_conf_mnkey	*keys;
	size_t			 nkeys;
};

/* SCTP tuning per peer; spec §9.6 starting values are the defaults. */
struct ctp_conf_sctp {
	uint32_t		 rto_initial_ms;
	uint32_t		 rto_min_ms;
	uint32_t		 rto_max_ms;
	uint32_t		 hb_interval_ms;
	uint32_t		 path_max_retrans;
	uint32_t		 pf_threshold;
	uint32_t		 assoc_max_retrans;
	uint32_t		 sack_delay_ms;	/* 0: delayed SACK off */
	uint32_t		 ppid;		/* sent; never filtered on */
	struct ctp_addr		 primary;	/* len 0: the first address */
};

struct ctp_conf_peer {
	char			*name;
	struct ctp_conf_addrs	 addresses;	/* >= 1 */
	uint16_t		 port;
	enum ctp_conf_transport	 transport;
	enum ctp_conf_security	 security;
	char			*identity;	/* certificate name (tls) */
	struct ctp_conf_prefixes access_prefixes;
	bool			 confidential;	/* ESP encrypts (§8.3) */
	bool			 pctd_ok;	/* derived: may carry PCTD */
	struct ctp_conf_sctp	 sctp;
	uint32_t		 line, col;	/* where the entry starts */
};

struct ctp_conf_feature {
	bool			 enabled;	/* listed under features: */
	enum ctp_conf_provider	 provider;
	char			*command;	/* exec only */
	uint32_t		 timeout_ms;	/* exec only */
	bool			 reliable;	/* its CDBs go with R=1 (C5) */
};

/* Spec §6.2 constants (C15) and channel timers, in milliseconds. */
struct ctp_conf_timers {
	uint32_t		 max_transfer_ms;	/* CT_MAX_TRANSFER_TIME */
	uint32_t		 max_handover_ms;	/* CT_MAX_HANDOVER_TIME */
	uint32_t		 request_retry_ms;	/* CT_REQUEST_RETRY */
	uint32_t		 retry_max_ms;		/* CT_RETRY_MAX */
	uint32_t		 udp_rto_ms;		/* UDP_RTO_INITIAL */
	uint32_t		 liveness_interval_ms;
	uint32_t		 liveness_timeout_ms;
	uint32_t		 reconnect_min_ms;
	uint32_t		 reconnect_max_ms;
};

struct ctp_conf_limits {
	struct ctp_conf_rate	 request_rate;		/* CT_REQUEST_RATE */
	uint32_t		 request_burst;
	struct ctp_conf_rate	 per_source_rate;
	struct ctp_conf_rate	 per_mn_rate;
	uint32_t		 transfers;
	uint32_t		 held_contexts;
	uint64_t		 store_memory;		/* octets */
	uint64_t		 max_message;		/* octets, D17 */
	uint32_t		 max_cdbs;
};

struct ctp_conf_control {
	char			*socket;
	char			*read_only_socket;
};

struct ctp_conf_log {
	enum ctp_conf_log_level	 level;
	enum ctp_conf_log_target target;
};

/*
 * Where a key was set: schema row, item (peer, MN key or feature index; 0 for
 * global keys) and elem (0 for the value as a whole, i + 1 for element i of a
 * list value; entry i of peers, token.keys or features is elem i + 1 of that
 * row, item 0).
 */
struct ctp_conf_mark {
	uint16_t		 row;		/* index into ctp_conf_keys[] */
	uint32_t		 item;
	uint32_t		 elem;
	uint32_t		 line, col;	/* 1-based */
};

struct ctp_conf {
	char			*file;		/* name given to the parser */
	struct ctp_conf_router	 router;
	struct ctp_conf_mn	 mn;
	struct ctp_conf_tls	 tls;
	struct ctp_conf_token	 token;
	struct ctp_conf_peer	*peers;
	size_t			 npeers;
	struct ctp_conf_feature	 features[CTP_CONF_FEAT__MAX];
	struct ctp_conf_timers	 timers;
	struct ctp_conf_limits	 limits;
	struct ctp_conf_control	 control;
	struct ctp_conf_log	 log;
	struct ctp_conf_mark	*marks;		/* for later messages */
	size_t			 nmarks, capmarks;
};

/*
 * Diagnostics.  Every line is complete and printable as is:
 *   "FILE:LINE:COL: message" or "FILE:LINE:COL: warning: message"
 * ("FILE: message" when no position applies).  Line and column are 1-based.
 */
enum ctp_conf_sev {
	CTP_CONF_ERROR,
	CTP_CONF_WARNING,
};

struct ctp_conf_diag_line {
	enum ctp_conf_sev	 sev;
	uint32_t		 line, col;	/* 0 if none */
	char			*text;
};

struct ctp_conf_diag {
	struct ctp_conf_diag_line *v;
	size_t			 n, cap;
	size_t			 errors;
	size_t			 warnings;
	bool			 nomem;		/* a line was lost */
	bool			 full;		/* error cap reached */
};

void		 ctp_conf_diag_init(struct ctp_conf_diag *);
void		 ctp_conf_diag_free(struct ctp_conf_diag *);

/*
 * Parse a YAML configuration held in buf (len octets; no NUL needed).  fname
 * is used in messages only.  Every problem goes to diag (initialised by the
 * caller, which may collect several parses in it): the walk reports each
 * problem and continues, up to CTP_CONF_MAX_ERRORS; a YAML syntax error ends
 * it.  The cross-checks (duplicate peers, channel security, timers, SCTP
 * warnings) run only after a walk without errors, so that they never judge
 * values that failed to parse.  Lines are in file order within each phase.
 * Returns 0 and a new configuration in *out (free with ctp_conf_free) if no
 * error was found, warnings allowed; otherwise -1 with *out NULL.  -1 with
 * diag->nomem set means out of memory.
 */
int		 ctp_conf_parse(const char *fname, const uint8_t *buf,
		    size_t len, unsigned flags, struct ctp_conf **out,
		    struct ctp_conf_diag *diag);

/* Free c and everything it owns; keys are wiped first.  NULL is a no-op. */
void		 ctp_conf_free(struct ctp_conf *c);

/*
 * The effective configuration as YAML: every key in schema order, defaults
 * included, secrets printed as "<hidden>"; keys without effect (sctp tuning
 * of a tcp peer, a builtin feature's command, ...) are left out, and so are
 * the keys read from token.keys-file.  Parsing it back (with
 * CTP_CONF_F_REDACTED if it holds inline keys) yields the same dump.
 * Returns a NUL-terminated malloc'ed string (length in *lenp if not NULL),
 * NULL if out of memory.
 */
char		*ctp_conf_dump(const struct ctp_conf *c, size_t *lenp);

/*
 * Add the entries of the MN keys file (token.keys-file) to c.  The caller
 * reads the file; fname is for messages.  Format: one "ADDRESS HEXKEY" per
 * line, '#' starts a comment.  Keys are 16-64 octets (D5); an address already
 * keyed in the configuration or the file is an error.  Returns 0 with every
 * entry added (from_file set), or -1 with the reasons in diag and c
 * unchanged.  The buffer holding the key text is the caller's to wipe.
 */
int		 ctp_conf_load_keys(struct ctp_conf *c, const char *fname,
		    const uint8_t *buf, size_t len, struct ctp_conf_diag *diag);

/* Key for MN address a, or NULL (linear search). */
const struct ctp_conf_mnkey *ctp_conf_mnkey_find(const struct ctp_conf *c,
		    const struct ctp_addr *a);

/*
 * File checks the daemon runs after parsing (STYLE §11).  stat_fn fills st
 * for path as stat(2) would and returns 0, or returns an errno value.  Checks:
 * every configured file exists and is a regular file; tls.key and
 * token.keys-file are not readable or writable by group or others; exec hooks
 * are executable and not writable by group or others.  Returns the number of
 * errors added to diag.
 */
struct ctp_conf_stat {
	uint32_t		 mode;		/* st_mode */
};
int		 ctp_conf_check_files(const struct ctp_conf *c,
		    int (*stat_fn)(void *arg, const char *path,
		    struct ctp_conf_stat *st), void *arg,
		    struct ctp_conf_diag *diag);

/*
 * Reload rules.  ctp_conf_reload_check() adds an error for every global key
 * whose value differs between old and new and is not marked reload-safe in
 * the schema; it returns the number of such keys (0: the new configuration
 * can be applied).  ctp_conf_peer_changed() is true if a and b differ in a
 * key that needs the peer's channel re-established.
 */
int		 ctp_conf_reload_check(const struct ctp_conf *old,
		    const struct ctp_conf *new_c, struct ctp_conf_diag *diag);
bool		 ctp_conf_peer_changed(const struct ctp_conf_peer *a,
		    const struct ctp_conf_peer *b);

/* Peer by name, or NULL. */
const struct ctp_conf_peer *ctp_conf_peer_find(const struct ctp_conf *c,
		    const char *name);

/* Where the key at schema row `row` of item `item` was set, or NULL. */
const struct ctp_conf_mark *ctp_conf_where(const struct ctp_conf *c,
		    size_t row, size_t item, size_t elem);

/*
 * The schema.  Paths are dotted YAML keys; "peers.name" is a key of every
 * peers[] entry and "features.*.provider" one of every feature.  For numbers,
 * durations (ms), sizes (octets) and rates (events) min/max bound the value;
 * for strings they bound the length and for lists the number of entries.
 */
enum ctp_conf_type {
	CTP_CONF_T_SECTION,	/* mapping of keys */
	CTP_CONF_T_LIST,	/* sequence of mappings (peers, token.keys) */
	CTP_CONF_T_NAMED,	/* name in `names` -> mapping */
	CTP_CONF_T_STR,		/* char * */
	CTP_CONF_T_NAME,	/* char *: letters, digits, '.', '_', '-' */
	CTP_CONF_T_PATH,	/* char *: absolute path */
	CTP_CONF_T_BOOL,	/* bool: true | false */
	CTP_CONF_T_UINT,	/* uint32_t: decimal or 0x hex */
	CTP_CONF_T_PORT,	/* uint16_t */
	CTP_CONF_T_DURATION,	/* uint32_t ms: 200ms, 2s, 1m, 1h, bare ms */
	CTP_CONF_T_SIZE,	/* uint64_t octets: 65532, 64KiB, 64MiB, 1GiB */
	CTP_CONF_T_RATE,	/* struct ctp_conf_rate: 10/s, 600/m, 10/h */
	CTP_CONF_T_ENUM,	/* enum, spelled as in `names` */
	CTP_CONF_T_ADDR,	/* struct ctp_addr */
	CTP_CONF_T_ADDRS,	/* struct ctp_conf_addrs */
	CTP_CONF_T_PREFIXES,	/* struct ctp_conf_prefixes */
	CTP_CONF_T_IFNAMES,	/* struct ctp_conf_strs of interface names */
	CTP_CONF_T_KEY,		/* struct ctp_key from hex, 16..64 octets */
};
extern const char *const ctp_conf_type_names[];

enum ctp_conf_scope {
	CTP_CONF_S_GLOBAL,	/* struct ctp_conf */
	CTP_CONF_S_PEER,	/* struct ctp_conf_peer */
	CTP_CONF_S_FEATURE,	/* struct ctp_conf_feature */
	CTP_CONF_S_MNKEY,	/* struct ctp_conf_mnkey */
};
extern const char *const ctp_conf_scope_names[];

#define CTP_CONF_K_REQUIRED	0x01	/* must be given */
#define CTP_CONF_K_RELOAD	0x02	/* safe to change on reload */
#define CTP_CONF_K_SECRET	0x04	/* never printed */
#define CTP_CONF_K_HEX		0x08	/* dumped in hex */
#define CTP_CONF_K_UNICAST	0x10	/* addresses: unicast only */
#define CTP_CONF_K_DERIVED	0x20	/* default depends on other keys */
#define CTP_CONF_K_SOCKET	0x40	/* path: Unix socket (<= 107 octets) */

struct ctp_conf_key {
	const char		*path;
	enum ctp_conf_type	 type;
	enum ctp_conf_scope	 scope;		/* of the struct `off` is in */
	unsigned		 flags;
	const char		*def;		/* YAML text, NULL: none */
	uint64_t		 min, max;
	const char *const	*names;		/* ENUM values, NAMED keys */
	size_t			 off;		/* offsetof() in its struct */
	size_t			 off_n;		/* LIST: offset of the count */
	size_t			 esz;		/* LIST: element size */
	const char		*desc;		/* one line, for docs and -nv */
};
extern const struct ctp_conf_key ctp_conf_keys[];
extern const size_t ctp_conf_nkeys;

/* Row of the key with this dotted path, or -1. */
int		 ctp_conf_key_find(const char *path);
/*
 * Describe row i for documentation: its default (or "none") and its bounds
 * ("1..65535", "10ms..1m", "" if none) as text.  Returns 0, -1 if i is out of
 * range.  The strings are written into the caller's buffers (truncated).
 */
int		 ctp_conf_key_describe(size_t i, char *def, size_t defsz,
		    char *bounds, size_t boundssz);

#endif /* CTP_CONF_H */
