/* SPDX-License-Identifier: ISC */
/*
 * Scalar values of the configuration: parsing YAML text into the field a
 * schema row describes, with its bounds, and printing it back in the one
 * canonical form the dump uses.  Also the "did you mean" suggestions.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "ctp_conf_priv.h"

static const struct unit {
	const char	*name;
	uint64_t	 mul;
} dur_units[] = {
	{ "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 },
	{ "", 1 }, { NULL, 0 }
}, size_units[] = {
	{ "GiB", 1ULL << 30 }, { "MiB", 1ULL << 20 }, { "KiB", 1ULL << 10 },
	{ "B", 1 }, { "", 1 }, { NULL, 0 }
}, rate_units[] = {
	{ "/h", 3600000 }, { "/m", 60000 }, { "/s", 1000 }, { NULL, 0 }
};

/* The value as shown in a message: quoted, control characters escaped. */
static const char *
shown(const char *s, char *buf, size_t sz)
{
	size_t	 i = 0, n;

	buf[i++] = '\'';
	for (n = 0; s[n] != '\0' && i + 8 < sz; n++) {
		if (n == 64) {
			i += (size_t)snprintf(buf + i, sz - i, "...");
			break;
		}
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			i += (size_t)snprintf(buf + i, sz - i, "\\x%02x",
			    (unsigned char)s[n]);
		else
			buf[i++] = s[n];
	}
	buf[i++] = '\'';
	buf[i] = '\0';
	return buf;
}

/* Decimal digits at *sp into v; -1 if none, -2 on overflow. */
static int
digits(const char **sp, uint64_t *v)
{
	const char	*s = *sp;
	uint64_t	 x = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -2;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	*v = x;
	return 0;
}

/* NUMBER UNIT with one of units; -1 malformed, -2 too large. */
static int
with_unit(const char *s, const struct unit *units, uint64_t *v, uint64_t *mul)
{
	uint64_t	 x;
	int		 e;

	if ((e = digits(&s, &x)) != 0)
		return e;
	for (; units->name != NULL; units++)
		if (strcmp(s, units->name) == 0)
			break;
	if (units->name == NULL)
		return -1;
	if (units->mul != 0 && x > UINT64_MAX / units->mul)
		return -2;
	*v = x * units->mul;
	if (mul != NULL)
		*mul = units->mul;
	return 0;
}

static void
fmt_with_unit(char *buf, size_t sz, uint64_t v, const struct unit *units)
{
	for (; units->name != NULL; units++)
		if (units->mul > 1 && v != 0 && v % units->mul == 0) {
			snprintf(buf, sz, "%" PRIu64 "%s", v / units->mul,
			    units->name);
			return;
		}
	snprintf(buf, sz, "%" PRIu64, v);
}

void
conf_num_fmt(char *buf, size_t sz, enum ctp_conf_type t, unsigned flags,
    uint64_t v)
{
	switch (t) {
	case CTP_CONF_T_DURATION:
		fmt_with_unit(buf, sz, v, dur_units);
		/* bare numbers are milliseconds; say so */
		if (v == 0 || v % 1000 != 0)
			snprintf(buf, sz, "%" PRIu64 "ms", v);
		break;
	case CTP_CONF_T_SIZE:
		fmt_with_unit(buf, sz, v, size_units);
		break;
	default:
		if (flags & CTP_CONF_K_HEX)
			snprintf(buf, sz, "0x%08" PRIx64, v);
		else
			snprintf(buf, sz, "%" PRIu64, v);
		break;
	}
}

static int
range(size_t r, const char *s, uint64_t v, char *err, size_t errsz)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	char				 lo[32], hi[32], sh[96];

	if (v >= k->min && v <= k->max)
		return 0;
	conf_num_fmt(lo, sizeof(lo), k->type, k->flags, k->min);
	conf_num_fmt(hi, sizeof(hi), k->type, k->flags, k->max);
	if (k->type == CTP_CONF_T_RATE)
		snprintf(err, errsz, "%s is out of range (%s..%s per unit)",
		    shown(s, sh, sizeof(sh)), lo, hi);
	else
		snprintf(err, errsz, "%s is out of range (%s..%s)",
		    shown(s, sh, sizeof(sh)), lo, hi);
	return -1;
}

/* ------------------------------------------------------------ addresses */

int
conf_addr_parse(const char *s, struct ctp_addr *a)
{
	static const uint8_t	 mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) != 1)
		return -1;
	a->len = 16;
	if (memcmp(a->b, mapped, sizeof(mapped)) == 0) {
		/* one spelling per address, so comparisons hold (C7) */
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->len = 4;
	}
	return 0;
}

void
conf_addr_fmt(char *buf, size_t sz, const struct ctp_addr *a)
{
	if (inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->b, buf,
	    (socklen_t)sz) == NULL)
		snprintf(buf, sz, "?");
}

int
conf_addr_eq(const struct ctp_addr *a, const struct ctp_addr *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static int
addr_unicast(const struct ctp_addr *a)
{
	static const uint8_t	 zero[16];

	if (memcmp(a->b, zero, a->len) == 0)
		return 0;
	if (a->len == 4)
		return (a->b[0] & 0xf0) != 0xe0 &&
		    !(a->b[0] == 255 && a->b[1] == 255 && a->b[2] == 255 &&
		    a->b[3] == 255);
	return a->b[0] != 0xff;
}

static int
addr_value(size_t r, const char *s, struct ctp_addr *a, char *err,
    size_t errsz)
{
	char	 sh[96];

	if (conf_addr_parse(s, a) == -1) {
		snprintf(err, errsz, "%s is not an IPv4 or IPv6 address",
		    shown(s, sh, sizeof(sh)));
		return -1;
	}
	if ((ctp_conf_keys[r].flags & CTP_CONF_K_UNICAST) && !addr_unicast(a)) {
		snprintf(err, errsz, "%s is not a unicast address",
		    shown(s, sh, sizeof(sh)));
		return -1;
	}
	return 0;
}

static int
prefix_value(const char *s, struct ctp_conf_prefix *p, char *err,
    size_t errsz)
{
	char		 a[64], sh[96], fix[64];
	const char	*slash = strchr(s, '/'), *q;
	uint64_t	 plen;
	size_t		 i, bits;
	int		 host = 0;

	memset(p, 0, sizeof(*p));
	q = slash ? slash + 1 : NULL;
	if (slash == NULL || (size_t)(slash - s) >= sizeof(a) ||
	    digits(&q, &plen) != 0 || *q != '\0' || (slash[1] == '0' &&
	    slash[2] != '\0'))
		goto bad;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (conf_addr_parse(a, &p->addr) == -1)
		goto bad;
	if (p->addr.len == 4 && strchr(a, ':') != NULL) {
		/* a v4-mapped prefix: only its v4 part is meaningful */
		if (plen < 96)
			goto bad;
		plen -= 96;
	}
	if (plen > (uint64_t)p->addr.len * 8)
		goto bad;
	p->plen = (uint8_t)plen;
	for (i = 0; i < p->addr.len; i++) {
		bits = i * 8 >= plen ? 0 : plen - i * 8 >= 8 ? 8 : plen - i * 8;
		if (p->addr.b[i] & (uint8_t)(0xff >> bits)) {
			host = 1;
			p->addr.b[i] &= (uint8_t)~(0xff >> bits);
		}
	}
	if (host) {
		conf_addr_fmt(fix, sizeof(fix), &p->addr);
		snprintf(err, errsz, "%s has host bits set (did you mean "
		    "%s/%u?)", shown(s, sh, sizeof(sh)), fix, p->plen);
		return -1;
	}
	return 0;
 bad:
	snprintf(err, errsz, "%s is not a prefix (ADDRESS/LENGTH)",
	    shown(s, sh, sizeof(sh)));
	return -1;
}

static int
prefix_eq(const struct ctp_conf_prefix *a, const struct ctp_conf_prefix *b)
{
	return a->plen == b->plen && conf_addr_eq(&a->addr, &b->addr);
}

/* ------------------------------------------------------------ strings */

static int
name_ok(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return 1;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
ifname_ok(const char *s)
{
	/* Linux: IFNAMSIZ 16 with the NUL, no '/', no white space */
	if (strlen(s) > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '/' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return 0;
	return 1;
}

static int
string_value(size_t r, const char *s, char **dst, char *err, size_t errsz)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	size_t				 n = strlen(s);
	char				 sh[96], *p;

	switch (k->type) {
	case CTP_CONF_T_NAME:
		if (n >= k->min && n <= k->max && name_ok(s))
			break;
		snprintf(err, errsz, "%s is not a valid name (1 to %ju "
		    "letters, digits, '.', '_' or '-', starting with a letter "
		    "or digit)", shown(s, sh, sizeof(sh)), (uintmax_t)k->max);
		return -1;
	case CTP_CONF_T_PATH:
		if (s[0] != '/') {
			snprintf(err, errsz, "%s is not an absolute path",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (!printable(s)) {
			snprintf(err, errsz, "%s contains control characters",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(err, errsz, "path is %zu characters, at most "
			    "%ju%s", n, (uintmax_t)k->max,
			    (k->flags & CTP_CONF_K_SOCKET) ?
			    " fit a Unix socket address" : " allowed");
			return -1;
		}
		break;
	default:
		if (n < k->min) {
			snprintf(err, errsz, "must not be empty");
			return -1;
		}
		if (n > k->max) {
			snprintf(err, errsz, "is %zu characters, at most %ju "
			    "allowed", n, (uintmax_t)k->max);
			return -1;
		}
		if (!printable(s)) {
			snprintf(err, errsz, "%s contains control characters",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		break;
	}
	if ((p = strdup(s)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = p;
	return 0;
}

/* ------------------------------------------------------------ keys */

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
conf_hexkey_parse(const char *s, struct ctp_key *k, char *err, size_t errsz)
{
	uint8_t		 b[CTP_KEY_MAX_ISSUE];
	size_t		 n, i;
	int		 hi, lo;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	for (i = 0; i < n; i++)
		if (hexdigit((unsigned char)s[i]) < 0) {
			snprintf(err, errsz, "key is not hexadecimal");
			return -1;
		}
	if (n % 2 != 0) {
		snprintf(err, errsz, "key has an odd number of hex digits");
		return -1;
	}
	if (n / 2 < CTP_KEY_MIN_ISSUE || n / 2 > CTP_KEY_MAX_ISSUE) {
		snprintf(err, errsz, "key is %zu octets, keys are %d to %d "
		    "octets (D5)", n / 2, CTP_KEY_MIN_ISSUE, CTP_KEY_MAX_ISSUE);
		return -1;
	}
	for (i = 0; i < n / 2; i++) {
		hi = hexdigit((unsigned char)s[2 * i]);
		lo = hexdigit((unsigned char)s[2 * i + 1]);
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	ctp_key_set(k, b, n / 2);
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

/* ------------------------------------------------------------ parse */

/* Append one zeroed element to a list; NULL if out of memory. */
static void *
grow(void **v, size_t *n, size_t esz)
{
	void	*p;

	if ((p = realloc(*v, (*n + 1) * esz)) == NULL)
		return NULL;
	*v = p;
	p = (char *)p + *n * esz;
	memset(p, 0, esz);
	(*n)++;
	return p;
}

static int
enum_value(size_t r, const char *s, void *dst, char *err, size_t errsz)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	struct conf_sb			 sb = { 0 };
	const char			*sug;
	char				 sh[96];
	size_t				 i, n;
	int				 v;

	for (n = 0; k->names[n] != NULL; n++)
		if (strcmp(s, k->names[n]) == 0) {
			v = (int)n;
			memcpy(dst, &v, sizeof(v));
			return 0;
		}
	for (i = 0; i < n; i++)
		conf_sb_printf(&sb, "%s%s", i == 0 ? "" : i + 1 == n ?
		    " or " : ", ", k->names[i]);
	sug = conf_suggest(s, k->names, n);
	snprintf(err, errsz, "%s is not %s%s%s%s%s", shown(s, sh, sizeof(sh)),
	    n > 2 ? "one of " : "", sb.s ? sb.s : "",
	    sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
	conf_sb_free(&sb);
	return -1;
}

int
conf_value_parse(size_t r, const char *s, void *obj, unsigned flags,
    char *err, size_t errsz)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	void				*p = (char *)obj + k->off;
	char				 sh[96];
	uint64_t			 v, mul;
	int				 e;

	switch (k->type) {
	case CTP_CONF_T_STR:
	case CTP_CONF_T_NAME:
	case CTP_CONF_T_PATH:
		return string_value(r, s, p, err, errsz);
	case CTP_CONF_T_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
			*(bool *)p = s[0] == 't';
			return 0;
		}
		snprintf(err, errsz, "%s is not true or false",
		    shown(s, sh, sizeof(sh)));
		return -1;
	case CTP_CONF_T_UINT:
	case CTP_CONF_T_PORT:
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		    isxdigit((unsigned char)s[2])) {
			char	*end;

			if (strlen(s) > 18)
				e = -2;
			else {
				v = strtoull(s + 2, &end, 16);
				e = *end != '\0' ? -1 : 0;
			}
		} else {
			const char	*q = s[0] == '-' ? s + 1 : s;

			e = digits(&q, &v);
			if (e == 0 && *q != '\0')
				e = -1;
			if (e == 0 && s[0] == '-' && v != 0)
				e = -2;
		}
		if (e == -1) {
			snprintf(err, errsz, "%s is not a number",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (e == -2)
			v = UINT64_MAX;
		if (range(r, s, v, err, errsz) == -1)
			return -1;
		if (k->type == CTP_CONF_T_PORT)
			*(uint16_t *)p = (uint16_t)v;
		else
			*(uint32_t *)p = (uint32_t)v;
		return 0;
	case CTP_CONF_T_DURATION:
		if ((e = with_unit(s, dur_units, &v, NULL)) == -1) {
			snprintf(err, errsz, "%s is not a duration (like "
			    "200ms, 2s, 1m; a bare number is milliseconds)",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (range(r, s, e == -2 ? UINT64_MAX : v, err, errsz) == -1)
			return -1;
		*(uint32_t *)p = (uint32_t)v;
		return 0;
	case CTP_CONF_T_SIZE:
		if ((e = with_unit(s, size_units, &v, NULL)) == -1) {
			snprintf(err, errsz, "%s is not a size (like 65532, "
			    "64KiB, 64MiB, 1GiB)", shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (range(r, s, e == -2 ? UINT64_MAX : v, err, errsz) == -1)
			return -1;
		*(uint64_t *)p = v;
		return 0;
	case CTP_CONF_T_RATE: {
		struct ctp_conf_rate	*rt = p;
		const char		*q = s;
		uint64_t		 prod;

		/* the count is what is bounded, whatever the unit */
		if ((e = digits(&q, &v)) == -1 ||
		    with_unit(s, rate_units, &prod, &mul) == -1) {
			snprintf(err, errsz, "%s is not a rate (like 10/s, "
			    "600/m, 100/h)", shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (range(r, s, e == -2 ? UINT64_MAX : v, err, errsz) == -1)
			return -1;
		rt->n = (uint32_t)v;
		rt->per_ms = (uint32_t)mul;
		return 0;
	}
	case CTP_CONF_T_ENUM:
		return enum_value(r, s, p, err, errsz);
	case CTP_CONF_T_ADDR:
		return addr_value(r, s, p, err, errsz);
	case CTP_CONF_T_ADDRS: {
		struct ctp_conf_addrs	*l = p;
		struct ctp_addr		 a;

		if (addr_value(r, s, &a, err, errsz) == -1)
			return -1;
		if (l->n >= k->max) {
			snprintf(err, errsz, "more than %ju addresses",
			    (uintmax_t)k->max);
			return -1;
		}
		if (grow((void **)&l->v, &l->n, sizeof(a)) == NULL)
			goto nomem;
		l->v[l->n - 1] = a;
		return 0;
	}
	case CTP_CONF_T_PREFIXES: {
		struct ctp_conf_prefixes	*l = p;
		struct ctp_conf_prefix		 x;

		if (prefix_value(s, &x, err, errsz) == -1)
			return -1;
		if (l->n >= k->max) {
			snprintf(err, errsz, "more than %ju prefixes",
			    (uintmax_t)k->max);
			return -1;
		}
		if (grow((void **)&l->v, &l->n, sizeof(x)) == NULL)
			goto nomem;
		l->v[l->n - 1] = x;
		return 0;
	}
	case CTP_CONF_T_IFNAMES: {
		struct ctp_conf_strs	*l = p;
		char			*d;

		if (!ifname_ok(s) || s[0] == '\0') {
			snprintf(err, errsz, "%s is not an interface name",
			    shown(s, sh, sizeof(sh)));
			return -1;
		}
		if (l->n >= k->max) {
			snprintf(err, errsz, "more than %ju interfaces",
			    (uintmax_t)k->max);
			return -1;
		}
		if ((d = strdup(s)) == NULL)
			goto nomem;
		if (grow((void **)&l->v, &l->n, sizeof(char *)) == NULL) {
			free(d);
			goto nomem;
		}
		l->v[l->n - 1] = d;
		return 0;
	}
	case CTP_CONF_T_KEY: {
		struct ctp_conf_mnkey	*mk = obj;

		if (strcmp(s, CTP_CONF_HIDDEN) == 0) {
			if ((flags & CTP_CONF_F_REDACTED) == 0) {
				snprintf(err, errsz, "\"%s\" is a key removed "
				    "by a dump; give the key in hex",
				    CTP_CONF_HIDDEN);
				return -1;
			}
			ctp_key_wipe(&mk->key);
			mk->redacted = true;
			return 0;
		}
		mk->redacted = false;
		return conf_hexkey_parse(s, p, err, errsz);
	}
	default:
		snprintf(err, errsz, "not a scalar key");
		return -1;
	}
 nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}

size_t *
conf_list_count(size_t r, void *obj)
{
	void	*p = (char *)obj + ctp_conf_keys[r].off;

	switch (ctp_conf_keys[r].type) {
	case CTP_CONF_T_ADDRS:
		return &((struct ctp_conf_addrs *)p)->n;
	case CTP_CONF_T_PREFIXES:
		return &((struct ctp_conf_prefixes *)p)->n;
	case CTP_CONF_T_IFNAMES:
		return &((struct ctp_conf_strs *)p)->n;
	default:
		return NULL;
	}
}

int
conf_list_dup(size_t r, const void *obj, size_t i)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	const void			*p = (const char *)obj + k->off;
	size_t				 j;

	for (j = 0; j < i; j++)
		switch (k->type) {
		case CTP_CONF_T_ADDRS: {
			const struct ctp_conf_addrs	*l = p;

			if (conf_addr_eq(&l->v[j], &l->v[i]))
				return (int)j;
			break;
		}
		case CTP_CONF_T_PREFIXES: {
			const struct ctp_conf_prefixes	*l = p;

			if (prefix_eq(&l->v[j], &l->v[i]))
				return (int)j;
			break;
		}
		case CTP_CONF_T_IFNAMES: {
			const struct ctp_conf_strs	*l = p;

			if (strcmp(l->v[j], l->v[i]) == 0)
				return (int)j;
			break;
		}
		default:
			return -1;
		}
	return -1;
}

/* ------------------------------------------------------------ format */

static int
plain_ok(const char *s, int flow)
{
	static const char *const	 words[] = {
		"true", "false", "yes", "no", "on", "off", "null", "~", NULL
	};
	size_t				 i, n = strlen(s);

	if (n == 0 || !(isalnum((unsigned char)s[0]) || s[0] == '/' ||
	    s[0] == '.' || s[0] == '_' || (s[0] == ':' && !flow)) ||
	    s[n - 1] == ':')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("._/:@+-", s[i]) == NULL)
			return 0;
	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 0;
	return 1;
}

void
conf_scalar_fmt(struct conf_sb *sb, const char *s, int flow)
{
	if (plain_ok(s, flow)) {
		conf_sb_puts(sb, s);
		return;
	}
	conf_sb_puts(sb, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			conf_sb_printf(sb, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			conf_sb_printf(sb, "\\x%02x", (unsigned char)*s);
		else
			conf_sb_add(sb, s, 1);
	}
	conf_sb_puts(sb, "\"");
}

void
conf_value_fmt(struct conf_sb *sb, size_t r, const void *obj)
{
	const struct ctp_conf_key	*k = &ctp_conf_keys[r];
	const void			*p = (const char *)obj + k->off;
	char				 buf[64];
	size_t				 i;
	int				 v;

	switch (k->type) {
	case CTP_CONF_T_STR:
	case CTP_CONF_T_NAME:
	case CTP_CONF_T_PATH:
		if (*(char *const *)p != NULL)
			conf_scalar_fmt(sb, *(char *const *)p, 0);
		break;
	case CTP_CONF_T_BOOL:
		conf_sb_puts(sb, *(const bool *)p ? "true" : "false");
		break;
	case CTP_CONF_T_UINT:
		conf_num_fmt(buf, sizeof(buf), k->type, k->flags,
		    *(const uint32_t *)p);
		conf_sb_puts(sb, buf);
		break;
	case CTP_CONF_T_PORT:
		conf_sb_printf(sb, "%u", *(const uint16_t *)p);
		break;
	case CTP_CONF_T_DURATION:
		conf_num_fmt(buf, sizeof(buf), k->type, k->flags,
		    *(const uint32_t *)p);
		conf_sb_puts(sb, buf);
		break;
	case CTP_CONF_T_SIZE:
		conf_num_fmt(buf, sizeof(buf), k->type, k->flags,
		    *(const uint64_t *)p);
		conf_sb_puts(sb, buf);
		break;
	case CTP_CONF_T_RATE: {
		const struct ctp_conf_rate	*rt = p;

		for (i = 0; rate_units[i].name != NULL; i++)
			if (rate_units[i].mul == rt->per_ms)
				break;
		conf_sb_printf(sb, "%u%s", rt->n, rate_units[i].name ?
		    rate_units[i].name : "/s");
		break;
	}
	case CTP_CONF_T_ENUM:
		memcpy(&v, p, sizeof(v));
		conf_sb_puts(sb, k->names[v]);
		break;
	case CTP_CONF_T_ADDR:
		conf_addr_fmt(buf, sizeof(buf), p);
		conf_scalar_fmt(sb, buf, 0);
		break;
	case CTP_CONF_T_ADDRS: {
		const struct ctp_conf_addrs	*l = p;

		conf_sb_puts(sb, "[");
		for (i = 0; i < l->n; i++) {
			conf_addr_fmt(buf, sizeof(buf), &l->v[i]);
			conf_sb_puts(sb, i ? ", " : "");
			conf_scalar_fmt(sb, buf, 1);
		}
		conf_sb_puts(sb, "]");
		break;
	}
	case CTP_CONF_T_PREFIXES: {
		const struct ctp_conf_prefixes	*l = p;
		char				 pf[80];

		conf_sb_puts(sb, "[");
		for (i = 0; i < l->n; i++) {
			conf_addr_fmt(buf, sizeof(buf), &l->v[i].addr);
			snprintf(pf, sizeof(pf), "%s/%u", buf, l->v[i].plen);
			conf_sb_puts(sb, i ? ", " : "");
			conf_scalar_fmt(sb, pf, 1);
		}
		conf_sb_puts(sb, "]");
		break;
	}
	case CTP_CONF_T_IFNAMES: {
		const struct ctp_conf_strs	*l = p;

		conf_sb_puts(sb, "[");
		for (i = 0; i < l->n; i++) {
			conf_sb_puts(sb, i ? ", " : "");
			conf_scalar_fmt(sb, l->v[i], 1);
		}
		conf_sb_puts(sb, "]");
		break;
	}
	case CTP_CONF_T_KEY:
		/* never the key itself, whether present or redacted */
		conf_sb_puts(sb, CTP_CONF_HIDDEN);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ suggest */

/* Optimal string alignment distance, case-insensitive; short words only. */
static size_t
distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j, c, m;
	size_t	 d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + c < m)
				m = d[i - 1][j - 1] + c;
			/* a transposition of neighbours is one edit */
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

const char *
conf_suggest(const char *word, const char *const *cands, size_t ncands)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = SIZE_MAX, limit;

	for (i = 0; i < ncands; i++) {
		d = distance(word, cands[i]);
		/* a third of the candidate's length, 1 to 3 edits */
		limit = strlen(cands[i]) / 3;
		limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
		if (d <= limit && d < bestd) {
			best = cands[i];
			bestd = d;
		}
	}
	return best;
}
