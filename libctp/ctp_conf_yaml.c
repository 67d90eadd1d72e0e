/* SPDX-License-Identifier: ISC */
/*
 * The strict YAML loader: libyaml events become a small tree with positions
 * (rejecting aliases, anchors and tags), and the tree is walked against the
 * schema table.  Every problem is reported as file:line:col and the walk
 * goes on; a syntax error ends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "ctp_conf_priv.h"

#define MAX_DEPTH	32
#define STD_TAGS	"tag:yaml.org,2002:"	/* what "!!" stands for */

enum ykind {
	Y_SCALAR,
	Y_SEQ,
	Y_MAP,
	Y_ALIAS,
};

static const char *const ykind_names[] = {
	"a scalar", "a list", "a mapping", "an alias"
};

struct ynode {
	enum ykind	 kind;
	uint32_t	 line, col;	/* 1-based */
	char		*s;		/* scalar text or alias name */
	size_t		 len;
	bool		 null;		/* plain "", "~" or "null" */
	char		*anchor;
	char		*tag;
	struct ynode	**kid;		/* seq: items; map: key, value, ... */
	size_t		 n, cap;
};

struct walk {
	struct ctp_conf		*c;
	struct ctp_conf_diag	*d;
	const char		*fname;
	const uint8_t		*buf;
	size_t			 len;
	unsigned		 flags;
	yaml_parser_t		 parser;
	bool			 fatal;
	bool			 nomem;
};

static void
err(struct walk *w, const struct ynode *n, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static void
err(struct walk *w, const struct ynode *n, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_vdiag(w->d, CTP_CONF_ERROR, w->fname, n ? n->line : 0,
	    n ? n->col : 0, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ tree */

static void
ynode_free(struct ynode *n)
{
	size_t	 i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->kid[i]);
	free(n->kid);
	if (n->s != NULL) {
		/* scalars may be keys */
		OPENSSL_cleanse(n->s, n->len);
		free(n->s);
	}
	free(n->anchor);
	free(n->tag);
	free(n);
}

static char *
dupn(const unsigned char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static struct ynode *
ynode_new(struct walk *w, enum ykind kind, const yaml_event_t *ev,
    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	struct ynode	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		w->nomem = true;
		return NULL;
	}
	n->kind = kind;
	n->line = (uint32_t)ev->start_mark.line + 1;
	n->col = (uint32_t)ev->start_mark.column + 1;
	if ((anchor != NULL && (n->anchor = strdup((const char *)anchor)) ==
	    NULL) || (tag != NULL && (n->tag = strdup((const char *)tag)) ==
	    NULL)) {
		w->nomem = true;
		ynode_free(n);
		return NULL;
	}
	return n;
}

static int
ynode_add(struct walk *w, struct ynode *p, struct ynode *k)
{
	struct ynode	**v;
	size_t		 cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 8;
		if ((v = realloc(p->kid, cap * sizeof(*v))) == NULL) {
			w->nomem = true;
			return -1;
		}
		p->kid = v;
		p->cap = cap;
	}
	p->kid[p->n++] = k;
	return 0;
}

/* Line and column of a byte offset, for reader errors. */
static void
offset_pos(const struct walk *w, size_t off, uint32_t *line, uint32_t *col)
{
	size_t	 i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < w->len; i++) {
		if (w->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static int
next_event(struct walk *w, yaml_event_t *ev)
{
	yaml_parser_t	*p = &w->parser;
	uint32_t	 line, col;

	if (yaml_parser_parse(p, ev))
		return 0;
	w->fatal = true;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		w->nomem = true;
		break;
	case YAML_READER_ERROR:
		offset_pos(w, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			conf_diag(w->d, CTP_CONF_ERROR, w->fname, line, col,
			    "invalid input: %s (0x%02x)", p->problem,
			    (unsigned)p->problem_value & 0xff);
		else
			conf_diag(w->d, CTP_CONF_ERROR, w->fname, line, col,
			    "invalid input: %s", p->problem);
		break;
	default:
		if (p->context != NULL)
			conf_diag(w->d, CTP_CONF_ERROR, w->fname,
			    (uint32_t)p->problem_mark.line + 1,
			    (uint32_t)p->problem_mark.column + 1,
			    "syntax error: %s (%s at line %zu)", p->problem,
			    p->context, p->context_mark.line + 1);
		else
			conf_diag(w->d, CTP_CONF_ERROR, w->fname,
			    (uint32_t)p->problem_mark.line + 1,
			    (uint32_t)p->problem_mark.column + 1,
			    "syntax error: %s", p->problem ? p->problem :
			    "unknown");
		break;
	}
	return -1;
}

/* The node that starts with ev (consumed); NULL and w->fatal on failure. */
static struct ynode *
build(struct walk *w, yaml_event_t *ev, int depth)
{
	struct ynode	*n = NULL, *k;
	yaml_event_t	 e;
	yaml_event_type_t end;

	if (depth > MAX_DEPTH) {
		conf_diag(w->d, CTP_CONF_ERROR, w->fname,
		    (uint32_t)ev->start_mark.line + 1,
		    (uint32_t)ev->start_mark.column + 1,
		    "nesting deeper than %d levels", MAX_DEPTH);
		w->fatal = true;
		yaml_event_delete(ev);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = ynode_new(w, Y_SCALAR, ev, ev->data.scalar.anchor,
		    ev->data.scalar.tag);
		if (n != NULL && (n->s = dupn(ev->data.scalar.value,
		    ev->data.scalar.length)) == NULL) {
			w->nomem = true;
			ynode_free(n);
			n = NULL;
		}
		if (n != NULL) {
			n->len = ev->data.scalar.length;
			n->null = ev->data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE && (n->len == 0 ||
			    strcmp(n->s, "~") == 0 ||
			    strcmp(n->s, "null") == 0 ||
			    strcmp(n->s, "Null") == 0 ||
			    strcmp(n->s, "NULL") == 0);
		}
		OPENSSL_cleanse(ev->data.scalar.value, ev->data.scalar.length);
		yaml_event_delete(ev);
		break;
	case YAML_ALIAS_EVENT:
		n = ynode_new(w, Y_ALIAS, ev, NULL, NULL);
		if (n != NULL && (n->s = strdup((const char *)
		    ev->data.alias.anchor)) == NULL) {
			w->nomem = true;
			ynode_free(n);
			n = NULL;
		}
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			n = ynode_new(w, Y_SEQ, ev,
			    ev->data.sequence_start.anchor,
			    ev->data.sequence_start.tag);
			end = YAML_SEQUENCE_END_EVENT;
		} else {
			n = ynode_new(w, Y_MAP, ev,
			    ev->data.mapping_start.anchor,
			    ev->data.mapping_start.tag);
			end = YAML_MAPPING_END_EVENT;
		}
		yaml_event_delete(ev);
		while (n != NULL) {
			if (next_event(w, &e) == -1)
				goto fail;
			if (e.type == end) {
				yaml_event_delete(&e);
				break;
			}
			if ((k = build(w, &e, depth + 1)) == NULL)
				goto fail;
			if (ynode_add(w, n, k) == -1) {
				ynode_free(k);
				goto fail;
			}
		}
		break;
	default:
		/* cannot happen with a well-formed event stream */
		w->fatal = true;
		yaml_event_delete(ev);
		break;
	}
	if (n == NULL)
		w->fatal = true;
	return n;
 fail:
	w->fatal = true;
	ynode_free(n);
	return NULL;
}

/*
 * The document's root node; NULL with !w->fatal for an empty stream.  A
 * second document is an error.
 */
static struct ynode *
load(struct walk *w)
{
	struct ynode	*root = NULL;
	yaml_event_t	 e;

	if (next_event(w, &e) == -1)
		return NULL;
	yaml_event_delete(&e);		/* STREAM-START */
	if (next_event(w, &e) == -1)
		return NULL;
	if (e.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&e);
		return NULL;
	}
	yaml_event_delete(&e);		/* DOCUMENT-START */
	if (next_event(w, &e) == -1 || (root = build(w, &e, 0)) == NULL)
		return NULL;
	if (next_event(w, &e) == -1)	/* DOCUMENT-END */
		goto fail;
	yaml_event_delete(&e);
	if (next_event(w, &e) == -1)
		goto fail;
	if (e.type != YAML_STREAM_END_EVENT) {
		conf_diag(w->d, CTP_CONF_ERROR, w->fname,
		    (uint32_t)e.start_mark.line + 1,
		    (uint32_t)e.start_mark.column + 1,
		    "only one YAML document is allowed");
		yaml_event_delete(&e);
		goto fail;
	}
	yaml_event_delete(&e);
	return root;
 fail:
	w->fatal = true;
	ynode_free(root);
	return NULL;
}

/* ------------------------------------------------------------ walk */

/* Report aliases, anchors and tags; 0 if the node cannot be used. */
static int
node_ok(struct walk *w, const struct ynode *n)
{
	if (n->kind == Y_ALIAS) {
		err(w, n, "aliases are not allowed (*%s)", n->s);
		return 0;
	}
	if (n->anchor != NULL)
		err(w, n, "anchors are not allowed (&%s)", n->anchor);
	if (n->tag != NULL && strncmp(n->tag, STD_TAGS, strlen(STD_TAGS)) == 0)
		err(w, n, "tags are not allowed (!!%s)", n->tag +
		    strlen(STD_TAGS));
	else if (n->tag != NULL)
		err(w, n, "tags are not allowed (%s)", n->tag);
	return 1;
}

static int
mark(struct walk *w, size_t r, size_t item, size_t elem, const struct ynode *n)
{
	if (conf_mark_add(w->c, r, item, elem, n->line, n->col) == -1) {
		w->nomem = true;
		return -1;
	}
	return 0;
}

/* What a scalar row expects, for "expected X, got Y". */
static const char *
expects(enum ctp_conf_type t)
{
	switch (t) {
	case CTP_CONF_T_BOOL:
		return "true or false";
	case CTP_CONF_T_UINT:
		return "a number";
	case CTP_CONF_T_PORT:
		return "a port number";
	case CTP_CONF_T_DURATION:
		return "a duration";
	case CTP_CONF_T_SIZE:
		return "a size";
	case CTP_CONF_T_RATE:
		return "a rate";
	case CTP_CONF_T_ADDR:
	case CTP_CONF_T_ADDRS:		/* an element of the list */
		return "an address";
	case CTP_CONF_T_PREFIXES:
		return "a prefix";
	case CTP_CONF_T_IFNAMES:
		return "an interface name";
	case CTP_CONF_T_KEY:
		return "a hex key";
	case CTP_CONF_T_PATH:
		return "a path";
	case CTP_CONF_T_NAME:
		return "a name";
	case CTP_CONF_T_SECTION:
	case CTP_CONF_T_NAMED:
		return "a mapping";
	case CTP_CONF_T_LIST:
		return "a list";
	default:
		return "a scalar";
	}
}

/* A usable scalar: not null and free of NUL characters. */
static int
scalar_ok(struct walk *w, const struct ynode *n, const char *disp,
    enum ctp_conf_type t)
{
	if (n->kind != Y_SCALAR) {
		err(w, n, "%s: expected %s, got %s", disp, expects(t),
		    ykind_names[n->kind]);
		return 0;
	}
	if (n->null) {
		err(w, n, "%s: missing value", disp);
		return 0;
	}
	if (strlen(n->s) != n->len) {
		err(w, n, "%s: contains a NUL character", disp);
		return 0;
	}
	return 1;
}

static void	walk_map(struct walk *, const struct ynode *,
		    const struct ynode *, const char *, const char *, size_t);

/* The children of a list or section: prefix of their paths. */
static void
child_prefix(char *buf, size_t sz, size_t r)
{
	if (ctp_conf_keys[r].type == CTP_CONF_T_NAMED)
		snprintf(buf, sz, "%s.*.", ctp_conf_keys[r].path);
	else
		snprintf(buf, sz, "%s.", ctp_conf_keys[r].path);
}

static void
walk_list_value(struct walk *w, size_t r, const struct ynode *v, size_t item,
    const char *disp)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	void				*obj = conf_obj(w->c, k->scope, item);
	const struct ctp_conf_mark	*m;
	const struct ynode		*e;
	char				 msg[CONF_ERRMAX], edisp[160];
	size_t				 j, *np, bad = 0;
	int				 dup;

	np = conf_list_count(r, obj);
	if (v->kind == Y_SCALAR && v->null)
		goto count;
	if (v->kind != Y_SEQ) {
		err(w, v, "%s: expected a list, got %s", disp,
		    ykind_names[v->kind]);
		return;
	}
	for (j = 0; j < v->n && !w->d->full; j++) {
		e = v->kid[j];
		snprintf(edisp, sizeof(edisp), "%s[%zu]", disp, j);
		if (!node_ok(w, e) || !scalar_ok(w, e, edisp, k->type)) {
			bad++;
			continue;
		}
		if (conf_value_parse(r, e->s, obj, w->flags, msg,
		    sizeof(msg)) == -1) {
			err(w, e, "%s: %s", edisp, msg);
			bad++;
			continue;
		}
		if ((dup = conf_list_dup(r, obj, *np - 1)) >= 0) {
			m = ctp_conf_where(w->c, r, item, (size_t)dup + 1);
			err(w, e, "%s: duplicate %s (first at line %u)",
			    edisp, e->s, m ? m->line : 0);
			if (k->type == CTP_CONF_T_IFNAMES)
				free(((struct ctp_conf_strs *)(void *)((char *)
				    obj + k->off))->v[*np - 1]);
			(*np)--;
			continue;
		}
		mark(w, r, item, *np, e);
	}
 count:
	/* an empty list is worth a message only if nothing else was said */
	if (*np < k->min && bad == 0)
		err(w, v, "%s: needs at least %ju entr%s", disp,
		    (uintmax_t)k->min, k->min == 1 ? "y" : "ies");
}

/* peers: or token.keys: -- a sequence of mappings */
static void
walk_list(struct walk *w, size_t r, const struct ynode *v, const char *disp)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	enum ctp_conf_scope		 cs = ctp_conf_keys[r + 1].scope;
	const struct ynode		*e;
	void				**vp, *p;
	size_t				*np, j;
	char				 prefix[64], idisp[256];

	vp = (void **)(void *)((char *)w->c + k->off);
	np = (size_t *)(void *)((char *)w->c + k->off_n);
	if (v->kind == Y_SCALAR && v->null)
		return;
	if (v->kind != Y_SEQ) {
		err(w, v, "%s: expected a list, got %s", disp,
		    ykind_names[v->kind]);
		return;
	}
	child_prefix(prefix, sizeof(prefix), r);
	for (j = 0; j < v->n && !w->d->full && !w->nomem; j++) {
		e = v->kid[j];
		snprintf(idisp, sizeof(idisp), "%s[%zu]", disp, j);
		if (!node_ok(w, e))
			continue;
		if (e->kind != Y_MAP) {
			err(w, e, "%s: expected a mapping, got %s", idisp,
			    ykind_names[e->kind]);
			continue;
		}
		if (*np >= k->max) {
			err(w, e, "%s: more than %ju entries", disp,
			    (uintmax_t)k->max);
			return;
		}
		if ((*np & (*np - 1)) == 0) {
			/*
			 * Capacity is the next power of two.  Not realloc:
			 * the old array may hold keys and must be wiped.
			 */
			if ((p = calloc(*np ? *np * 2 : 1, k->esz)) == NULL) {
				w->nomem = true;
				return;
			}
			if (*vp != NULL) {
				memcpy(p, *vp, *np * k->esz);
				OPENSSL_cleanse(*vp, *np * k->esz);
				free(*vp);
			}
			*vp = p;
		}
		p = (char *)*vp + *np * k->esz;
		memset(p, 0, k->esz);
		(*np)++;
		if (conf_defaults(cs, p) == -1) {
			w->nomem = true;
			return;
		}
		if (cs == CTP_CONF_S_PEER) {
			((struct ctp_conf_peer *)p)->line = e->line;
			((struct ctp_conf_peer *)p)->col = e->col;
		} else {
			((struct ctp_conf_mnkey *)p)->line = e->line;
			((struct ctp_conf_mnkey *)p)->col = e->col;
		}
		mark(w, r, 0, *np, e);
		walk_map(w, e, e, prefix, idisp, *np - 1);
	}
}

/* features: -- names from the row's table, each a mapping */
static void
walk_named(struct walk *w, size_t r, const struct ynode *v, const char *disp)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	const struct ynode		*kn, *vn;
	const struct ynode		*seen[CTP_CONF_FEAT__MAX] = { 0 };
	const char			*sug;
	char				 prefix[64], idisp[256];
	size_t				 i, f, nn;

	if (v->kind == Y_SCALAR && v->null)
		return;
	if (v->kind != Y_MAP) {
		err(w, v, "%s: expected a mapping, got %s", disp,
		    ykind_names[v->kind]);
		return;
	}
	for (nn = 0; k->names[nn] != NULL; nn++)
		;
	child_prefix(prefix, sizeof(prefix), r);
	for (i = 0; i + 1 < v->n && !w->d->full && !w->nomem; i += 2) {
		kn = v->kid[i];
		vn = v->kid[i + 1];
		if (!node_ok(w, kn))
			continue;
		if (kn->kind != Y_SCALAR) {
			err(w, kn, "%s: keys must be scalars, got %s", disp,
			    ykind_names[kn->kind]);
			continue;
		}
		for (f = 0; f < nn; f++)
			if (strcmp(kn->s, k->names[f]) == 0)
				break;
		if (f == nn || f >= CTP_CONF_FEAT__MAX) {
			sug = conf_suggest(kn->s, k->names, nn);
			err(w, kn, "unknown feature '%s' in %s%s%s%s", kn->s,
			    disp, sug ? " (did you mean '" : "",
			    sug ? sug : "", sug ? "'?)" : "");
			continue;
		}
		if (seen[f] != NULL) {
			err(w, kn, "duplicate key '%s' in %s (first at line "
			    "%u)", kn->s, disp, seen[f]->line);
			continue;
		}
		seen[f] = kn;
		if (!node_ok(w, vn))
			continue;
		snprintf(idisp, sizeof(idisp), "%s.%s", disp, k->names[f]);
		if (!(vn->kind == Y_MAP || (vn->kind == Y_SCALAR &&
		    vn->null))) {
			err(w, vn, "%s: expected a mapping, got %s", idisp,
			    ykind_names[vn->kind]);
			continue;
		}
		w->c->features[f].enabled = true;
		mark(w, r, 0, f + 1, kn);
		walk_map(w, vn->kind == Y_MAP ? vn : NULL, kn, prefix, idisp,
		    f);
	}
}

static void
walk_value(struct walk *w, size_t r, const struct ynode *v, size_t item)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	char				 disp[128], prefix[64];
	char				 msg[CONF_ERRMAX];

	conf_disp(disp, sizeof(disp), r, item);
	if (!node_ok(w, v))
		return;
	switch (k->type) {
	case CTP_CONF_T_SECTION:
		if (!(v->kind == Y_MAP || (v->kind == Y_SCALAR && v->null))) {
			err(w, v, "%s: expected a mapping, got %s", disp,
			    ykind_names[v->kind]);
			return;
		}
		mark(w, r, item, 0, v);
		child_prefix(prefix, sizeof(prefix), r);
		walk_map(w, v->kind == Y_MAP ? v : NULL, v, prefix, disp,
		    item);
		return;
	case CTP_CONF_T_LIST:
		mark(w, r, item, 0, v);
		walk_list(w, r, v, disp);
		return;
	case CTP_CONF_T_NAMED:
		mark(w, r, item, 0, v);
		walk_named(w, r, v, disp);
		return;
	case CTP_CONF_T_ADDRS:
	case CTP_CONF_T_PREFIXES:
	case CTP_CONF_T_IFNAMES:
		mark(w, r, item, 0, v);
		walk_list_value(w, r, v, item, disp);
		return;
	default:
		break;
	}
	if (!scalar_ok(w, v, disp, k->type))
		return;
	if (conf_value_parse(r, v->s, conf_obj(w->c, k->scope, item), w->flags,
	    msg, sizeof(msg)) == -1) {
		err(w, v, "%s: %s", disp, msg);
		return;
	}
	mark(w, r, item, 0, v);
}

/*
 * The keys of mapping m (NULL: an empty value at node `at`) whose rows have
 * paths prefix + key.  disp names the mapping in messages ("" at the top).
 */
static void
walk_map(struct walk *w, const struct ynode *m, const struct ynode *at,
    const char *prefix, const char *disp, size_t item)
{
	const struct ynode	*kn, **seen;
	const char		*cands[64], *sug;
	char			 path[128];
	size_t			 i, r, nc = 0, plen = strlen(prefix);
	int			 row;

	if ((seen = calloc(ctp_conf_nkeys, sizeof(*seen))) == NULL) {
		w->nomem = true;
		return;
	}
	for (r = 0; r < ctp_conf_nkeys; r++)
		if (strncmp(ctp_conf_keys[r].path, prefix, plen) == 0 &&
		    strchr(ctp_conf_keys[r].path + plen, '.') == NULL &&
		    nc < sizeof(cands) / sizeof(cands[0]))
			cands[nc++] = ctp_conf_keys[r].path + plen;
	for (i = 0; m != NULL && i + 1 < m->n && !w->d->full && !w->nomem;
	    i += 2) {
		kn = m->kid[i];
		if (!node_ok(w, kn))
			continue;
		if (kn->kind != Y_SCALAR) {
			err(w, kn, "%s%skeys must be scalars, got %s", disp,
			    *disp ? ": " : "", ykind_names[kn->kind]);
			continue;
		}
		row = -1;
		if (strchr(kn->s, '.') == NULL && strchr(kn->s, '*') == NULL &&
		    (size_t)snprintf(path, sizeof(path), "%s%s", prefix,
		    kn->s) < sizeof(path))
			row = ctp_conf_key_find(path);
		if (row < 0) {
			sug = conf_suggest(kn->s, cands, nc);
			err(w, kn, "unknown key '%s'%s%s%s%s%s", kn->s,
			    *disp ? " in " : "", disp,
			    sug ? " (did you mean '" : "", sug ? sug : "",
			    sug ? "'?)" : "");
			continue;
		}
		if (seen[row] != NULL) {
			err(w, kn, "duplicate key '%s'%s%s (first at line %u)",
			    kn->s, *disp ? " in " : "", disp, seen[row]->line);
			continue;
		}
		seen[row] = kn;
		walk_value(w, (size_t)row, m->kid[i + 1], item);
	}
	for (r = 0; r < ctp_conf_nkeys && !w->d->full; r++)
		if ((ctp_conf_keys[r].flags & CTP_CONF_K_REQUIRED) &&
		    seen[r] == NULL &&
		    strncmp(ctp_conf_keys[r].path, prefix, plen) == 0 &&
		    strchr(ctp_conf_keys[r].path + plen, '.') == NULL)
			err(w, at, "%s%smissing required key '%s'", disp,
			    *disp ? ": " : "", ctp_conf_keys[r].path + plen);
	free(seen);
}

/* ------------------------------------------------------------ entry */

int
ctp_conf_parse(const char *fname, const uint8_t *buf, size_t len,
    unsigned flags, struct ctp_conf **out, struct ctp_conf_diag *diag)
{
	struct walk	 w;
	struct ynode	*root = NULL;
	size_t		 start = diag->n, errors = diag->errors, i;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.d = diag;
	w.fname = fname;
	w.buf = buf;
	w.len = len;
	w.flags = flags;
	if ((w.c = calloc(1, sizeof(*w.c))) == NULL ||
	    (w.c->file = strdup(fname)) == NULL)
		goto nomem;
	if (conf_defaults(CTP_CONF_S_GLOBAL, w.c) == -1)
		goto nomem;
	for (i = 0; i < CTP_CONF_FEAT__MAX; i++)
		if (conf_defaults(CTP_CONF_S_FEATURE, &w.c->features[i]) == -1)
			goto nomem;

	if (!yaml_parser_initialize(&w.parser))
		goto nomem;
	yaml_parser_set_input_string(&w.parser, buf, len);
	root = load(&w);
	yaml_parser_delete(&w.parser);
	if (w.nomem)
		goto nomem;
	if (!w.fatal) {
		if (root == NULL || (root->kind == Y_SCALAR && root->null))
			walk_map(&w, NULL, NULL, "", "", 0);
		else if (root->kind != Y_MAP)
			err(&w, root, "expected a mapping of sections, got %s",
			    ykind_names[root->kind]);
		else if (node_ok(&w, root))
			walk_map(&w, root, root, "", "", 0);
		if (w.nomem)
			goto nomem;
		conf_diag_sort(diag, start);
		if (!diag->full && diag->errors == errors) {
			/* cross-checks only on a clean walk: no stray errors */
			i = diag->n;
			conf_finish(w.c, diag);
			conf_diag_sort(diag, i);
		}
	}
	ynode_free(root);
	if (diag->errors != errors || diag->nomem) {
		ctp_conf_free(w.c);
		return -1;
	}
	*out = w.c;
	return 0;
 nomem:
	ynode_free(root);
	ctp_conf_free(w.c);
	diag->nomem = true;
	return -1;
}
