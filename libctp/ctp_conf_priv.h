/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by the ctp_conf modules: a growing text buffer, the
 * diagnostic writer, scalar parsers and formatters driven by the schema row,
 * the marks, and the cross-checks run at the end of a parse.
 */
#ifndef CTP_CONF_PRIV_H
#define CTP_CONF_PRIV_H

#include <stdarg.h>

#include "ctp_conf.h"

#define CONF_ERRMAX	256		/* room for one value's message */

/* Growing NUL-terminated text; on allocation failure `failed` sticks. */
struct conf_sb {
	char		*s;
	size_t		 len, cap;
	int		 failed;
};

void		 conf_sb_add(struct conf_sb *, const char *, size_t);
void		 conf_sb_puts(struct conf_sb *, const char *);
void		 conf_sb_printf(struct conf_sb *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
void		 conf_sb_free(struct conf_sb *);

/*
 * Add one line to d.  line 0 means "no position".  Errors beyond
 * CTP_CONF_MAX_ERRORS are dropped, and the first one dropped adds a final
 * "too many errors" line and sets d->full.
 */
void		 conf_diag(struct ctp_conf_diag *d, enum ctp_conf_sev sev,
		    const char *fname, uint32_t line, uint32_t col,
		    const char *fmt, ...)
		    __attribute__((__format__(__printf__, 6, 7)));
void		 conf_vdiag(struct ctp_conf_diag *d, enum ctp_conf_sev sev,
		    const char *fname, uint32_t line, uint32_t col,
		    const char *fmt, va_list ap)
		    __attribute__((__format__(__printf__, 6, 0)));
/* Stable sort of d->v[from..] by position; lines without one go last. */
void		 conf_diag_sort(struct ctp_conf_diag *d, size_t from);

/* The struct that rows of `scope` index into, item `item` of it. */
void		*conf_obj(struct ctp_conf *c, enum ctp_conf_scope scope,
		    size_t item);
/* Apply the defaults of every row of `scope` to obj (zeroed before). */
int		 conf_defaults(enum ctp_conf_scope scope, void *obj);
/* Record where a row was set; -1 if out of memory. */
int		 conf_mark_add(struct ctp_conf *c, size_t row, size_t item,
		    size_t elem, uint32_t line, uint32_t col);
/* Last path component of row r ("rto-min" for "peers.sctp.rto-min"). */
const char	*conf_leaf(size_t r);
/* Is t a section, list or named map (a row with children)? */
int		 conf_is_container(enum ctp_conf_type t);
/* Free what a value of row r owns at obj (strings, lists, wiped keys). */
void		 conf_value_free(size_t r, void *obj);
/*
 * The user-facing path of row r for item `item`: "peers[1].sctp.rto-min",
 * "features.qos.command", "token.keys[0].key".
 */
void		 conf_disp(char *buf, size_t sz, size_t r, size_t item);

/*
 * Scalars.  conf_value_parse() parses s (a C string) for row r into the field
 * at obj; for list rows it appends one element.  On failure it returns -1
 * with a message (without position or key) in err.  flags are the parse
 * flags (CTP_CONF_F_*).
 */
int		 conf_value_parse(size_t r, const char *s, void *obj,
		    unsigned flags, char *err, size_t errsz);
/* The element count of row r's list value at obj; NULL if not a list. */
size_t		*conf_list_count(size_t r, void *obj);
/* Index of an earlier element equal to element i of row r's list, or -1. */
int		 conf_list_dup(size_t r, const void *obj, size_t i);
/* Append row r's value at obj as YAML text; flow for inside [ ]. */
void		 conf_value_fmt(struct conf_sb *sb, size_t r, const void *obj);
/* Format a bound or a value of row r's number-like type. */
void		 conf_num_fmt(char *buf, size_t sz, enum ctp_conf_type t,
		    unsigned flags, uint64_t v);
/* A string as a YAML scalar, quoted where needed (flow: inside [ ]). */
void		 conf_scalar_fmt(struct conf_sb *sb, const char *s, int flow);
void		 conf_addr_fmt(char *buf, size_t sz, const struct ctp_addr *a);
int		 conf_addr_parse(const char *s, struct ctp_addr *a);
int		 conf_addr_eq(const struct ctp_addr *a,
		    const struct ctp_addr *b);
int		 conf_hexkey_parse(const char *s, struct ctp_key *k,
		    char *err, size_t errsz);

/*
 * The closest candidate to word by edit distance (case-insensitive), or NULL
 * if none is close enough to be a plausible typo.
 */
const char	*conf_suggest(const char *word, const char *const *cands,
		    size_t ncands);

/* Derived values, then the cross-checks of a parsed configuration. */
void		 conf_finish(struct ctp_conf *c, struct ctp_conf_diag *d);

#endif /* CTP_CONF_PRIV_H */
