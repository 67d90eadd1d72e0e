/* SPDX-License-Identifier: ISC */
/*
 * ctpctl main: global options, the grammar table that maps command words to
 * handlers, and the text and JSON renderers every command reports through.
 * The command set and the output are specified in ctpctl(8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctpctl.h"

/*
 * The grammar.  Each word may be abbreviated to a prefix that no other row
 * shares at that position; control-socket commands ("show peers", ...) are
 * added as rows here.
 */
static const struct ctpctl_cmd cmdtab[] = {
	{ { "decode" }, "[-jk] file|-",
	    "print a CXTP message (raw or ICMP-wrapped, binary or hex)",
	    ctpctl_decode },
	{ { "encode" }, "[-x] file|-",
	    "build a CXTP message from JSON as printed by decode -j",
	    ctpctl_encode },
	{ { "show", "status" }, "", "version, uptime, router, handshakes",
	    ctpctl_show },
	{ { "show", "peers" }, "", "channels to the neighbouring routers",
	    ctpctl_show },
	{ { "show", "mn" }, "address", "state of one mobile node",
	    ctpctl_mn },
	{ { "show", "contexts" }, "", "contexts held, per mobile node",
	    ctpctl_show },
	{ { "show", "transfers" }, "", "transfers in progress",
	    ctpctl_show },
	{ { "show", "stats" }, "", "counters of every module",
	    ctpctl_show },
	{ { "context", "put" }, "file|-", "hand over the contexts of an MN",
	    ctpctl_context_put },
	{ { "context", "get" }, "address", "print the contexts held for an MN",
	    ctpctl_mn },
	{ { "context", "del" }, "address", "delete the contexts of an MN",
	    ctpctl_mn },
	{ { "raw" }, "", "send JSON request lines from stdin, print replies",
	    ctpctl_raw },
};
#define NCMDS	(sizeof(cmdtab) / sizeof(cmdtab[0]))

/* ---------------------------------------------------------------- output */

static void
text_indent(int depth)
{
	printf("%*s", 2 * depth, "");
}

/* Integer members that read better in hex, as the spec writes them. */
static const struct {
	const char	*name;
	int		 digits;
} text_hex[] = {
	{ "fpt", 4 },
	{ "pv", 8 },
};

static void
text_scalar(const char *name, const json_t *v)
{
	size_t	 i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), stdout);
		break;
	case JSON_INTEGER:
		for (i = 0; i < sizeof(text_hex) / sizeof(text_hex[0]); i++)
			if (strcmp(name, text_hex[i].name) == 0 &&
			    json_integer_value(v) >= 0) {
				printf("0x%0*llx", text_hex[i].digits,
				    (unsigned long long)json_integer_value(v));
				return;
			}
		printf("%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		printf("%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", stdout);
		break;
	case JSON_FALSE:
		fputs("no", stdout);
		break;
	default:
		fputs("-", stdout);
		break;
	}
}

/* Short scalars (flags) go on one line; sentences get a line each. */
static int
text_inline(const json_t *a)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(a, i, v) {
		if (json_is_object(v) || json_is_array(v) ||
		    (json_is_string(v) && strchr(json_string_value(v), ' ')))
			return 0;
	}
	return 1;
}

static void	text_value(int, const char *, const json_t *);

static void
text_members(int depth, const json_t *o)
{
	const char	*k;
	json_t		*v;

	json_object_foreach((json_t *)o, k, v)
		text_value(depth, k, v);
}

/* One "name: value" line per scalar; objects and lists nest, indented. */
static void
text_value(int depth, const char *name, const json_t *v)
{
	char		 label[64];
	const json_t	*e;
	size_t		 i;

	if (json_is_object(v)) {
		text_indent(depth);
		printf("%s:\n", name);
		text_members(depth + 1, v);
	} else if (json_is_array(v) && text_inline(v)) {
		text_indent(depth);
		printf("%s:", name);
		if (json_array_size(v) == 0)
			fputs(" -", stdout);
		json_array_foreach(v, i, e) {
			fputs(i == 0 ? " " : ", ", stdout);
			text_scalar(name, e);
		}
		putchar('\n');
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			snprintf(label, sizeof(label), "%s[%zu]", name, i);
			text_value(depth, label, e);
		}
	} else {
		text_indent(depth);
		printf("%s: ", name);
		text_scalar(name, v);
		putchar('\n');
	}
}

/*
 * The text form leaves out "status" (the exit status carries it) and prints
 * a lone "message" member without a heading.
 */
static void
text_result(const struct ctpctl *ctl, const json_t *doc)
{
	const char	*k;
	json_t		*v;
	int		 sections = 0;

	(void)ctl;
	json_object_foreach((json_t *)doc, k, v)
		sections += strcmp(k, "status") != 0;
	json_object_foreach((json_t *)doc, k, v) {
		if (strcmp(k, "status") == 0)
			continue;
		if (sections == 1 && strcmp(k, "message") == 0 &&
		    json_is_object(v))
			text_members(0, v);
		else
			text_value(0, k, v);
	}
	fflush(stdout);
}

static void
text_error(const struct ctpctl *ctl, const char *err, long long off,
    const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "ctpctl: %s: ", ctl->cmd != NULL ?
	    ctl->cmd->words[0] : "error");
	if (off >= 0)
		fprintf(stderr, "at offset %lld: ", off);
	fputs(msg, stderr);
	if (err != NULL)
		fprintf(stderr, " (%s)", err);
	fputc('\n', stderr);
}

static void
json_result(const struct ctpctl *ctl, const json_t *doc)
{
	(void)ctl;
	json_dumpf(doc, stdout, JSON_INDENT(2));
	putchar('\n');
	fflush(stdout);
}

/* Errors are one line, like the control protocol's replies. */
static void
json_error(const struct ctpctl *ctl, const char *err, long long off,
    const char *msg)
{
	json_t	*o;

	(void)ctl;
	if ((o = json_pack("{s:s, s:s, s:s}", "status", "error", "error",
	    err != NULL ? err : "SYSTEM", "message", msg)) == NULL ||
	    (off >= 0 && json_object_set_new(o, "offset",
	    json_integer(off)) != 0)) {
		json_decref(o);
		fputs("{\"status\":\"error\",\"error\":\"NOMEM\"}\n", stdout);
		return;
	}
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

static const struct ctpctl_out text_out = { text_result, text_error };
static const struct ctpctl_out json_out = { json_result, json_error };

void
ctpctl_set_output(struct ctpctl *ctl)
{
	ctl->out = ctl->json ? &json_out : &text_out;
}

int
ctpctl_fail(const struct ctpctl *ctl, const char *err, long long off,
    const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl->out->error(ctl, err, off, msg);
	return CTPCTL_EXIT_FAIL;
}

/* ----------------------------------------------------------------- input */

int
ctpctl_read_input(const struct ctpctl *ctl, const char *path, uint8_t **bufp,
    size_t *lenp)
{
	FILE	*f;
	uint8_t	*buf = NULL, *nb;
	size_t	 len = 0, cap = 0, n;
	int	 stdin_ = strcmp(path, "-") == 0;

	if (stdin_)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
		return ctpctl_fail(ctl, NULL, -1, "%s: %s", path,
		    strerror(errno)), -1;
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 65536 : 2 * cap;
			if (cap > CTPCTL_INPUT_MAX + 1)
				cap = CTPCTL_INPUT_MAX + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				ctpctl_fail(ctl, "NOMEM", -1, "%s",
				    strerror(errno));
				goto fail;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len > CTPCTL_INPUT_MAX) {
			ctpctl_fail(ctl, NULL, -1, "%s: larger than %d octets",
			    stdin_ ? "standard input" : path,
			    CTPCTL_INPUT_MAX);
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ctpctl_fail(ctl, NULL, -1, "%s: read error",
		    stdin_ ? "standard input" : path);
		goto fail;
	}
	if (!stdin_)
		fclose(f);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	if (!stdin_)
		fclose(f);
	free(buf);
	return -1;
}

/* ---------------------------------------------------------------- grammar */

static void
usage(FILE *f)
{
	size_t	 i, j;
	int	 n;

	fprintf(f, "usage: ctpctl [-hj] [-s socket] command [argument ...]\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++) {
		n = fprintf(f, "  ");
		for (j = 0; j < CTPCTL_MAXWORDS && cmdtab[i].words[j]; j++)
			n += fprintf(f, "%s ", cmdtab[i].words[j]);
		n += fprintf(f, "%s", cmdtab[i].args);
		fprintf(f, "%*s%s\n", n < 28 ? 28 - n : 1, "", cmdtab[i].help);
	}
}

int
ctpctl_usage_cmd(const struct ctpctl *ctl)
{
	size_t	 j;

	fprintf(stderr, "usage: ctpctl [-j] [-s socket] ");
	for (j = 0; j < CTPCTL_MAXWORDS && ctl->cmd->words[j]; j++)
		fprintf(stderr, "%s ", ctl->cmd->words[j]);
	fprintf(stderr, "%s\n", ctl->cmd->args);
	return CTPCTL_EXIT_USAGE;
}

static size_t
cmd_nwords(const struct ctpctl_cmd *c)
{
	size_t	 n = 0;

	while (n < CTPCTL_MAXWORDS && c->words[n] != NULL)
		n++;
	return n;
}

/*
 * Find the row whose words the arguments spell, each word exactly or as a
 * prefix that no other remaining row shares.  *used gets the number of
 * arguments consumed.  Returns NULL (after a message) if nothing or more
 * than one row matches.
 */
static const struct ctpctl_cmd *
cmd_match(int argc, char **argv, int *used)
{
	const struct ctpctl_cmd	*c;
	int			 alive[NCMDS], n, pos, exact;
	size_t			 i;

	for (i = 0; i < NCMDS; i++)
		alive[i] = 1;
	for (pos = 0; pos < argc && pos < CTPCTL_MAXWORDS; pos++) {
		exact = 0;
		for (i = 0; i < NCMDS; i++)
			if (alive[i] && pos < (int)cmd_nwords(&cmdtab[i]) &&
			    strcmp(cmdtab[i].words[pos], argv[pos]) == 0)
				exact = 1;
		n = 0;
		for (i = 0; i < NCMDS; i++) {
			c = &cmdtab[i];
			if (!alive[i])
				continue;
			if (pos >= (int)cmd_nwords(c) ||
			    strncmp(c->words[pos], argv[pos],
			    strlen(argv[pos])) != 0 ||
			    (exact && strcmp(c->words[pos], argv[pos]) != 0))
				alive[i] = 0;
			else
				n++;
		}
		if (n == 0) {
			fprintf(stderr, "ctpctl: unknown command \"%s\"\n",
			    argv[pos]);
			return NULL;
		}
		/* A single row left whose words are all given: done. */
		for (i = 0; i < NCMDS; i++)
			if (alive[i] && n == 1 &&
			    (int)cmd_nwords(&cmdtab[i]) == pos + 1) {
				*used = pos + 1;
				return &cmdtab[i];
			}
	}
	fprintf(stderr, "ctpctl: %s command \"", argc == 0 ? "missing" :
	    "incomplete or ambiguous");
	for (pos = 0; pos < argc && pos < CTPCTL_MAXWORDS; pos++)
		fprintf(stderr, "%s%s", pos ? " " : "", argv[pos]);
	fprintf(stderr, "\"\n");
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct ctpctl	 ctl = { CTPCTL_SOCKET, 0, NULL, NULL };
	int		 ch, used = 0;

	while ((ch = getopt(argc, argv, "+hjs:")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return CTPCTL_EXIT_OK;
		case 'j':
			ctl.json = 1;
			break;
		case 's':
			ctl.sock = optarg;
			break;
		default:
			usage(stderr);
			return CTPCTL_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return CTPCTL_EXIT_USAGE;
	}
	if ((ctl.cmd = cmd_match(argc, argv, &used)) == NULL) {
		usage(stderr);
		return CTPCTL_EXIT_USAGE;
	}
	ctpctl_set_output(&ctl);
	/* The command parses its own options, starting after its words. */
	optind = 1;
	return ctl.cmd->run(&ctl, argc - used + 1, argv + used - 1);
}
