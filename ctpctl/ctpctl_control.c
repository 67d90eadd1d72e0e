/* SPDX-License-Identifier: ISC */
/*
 * ctpctl's control-socket commands: a client for the JSON-lines protocol of
 * ctpctl(8), CONTROL PROTOCOL (greeting, one request, one reply), and the
 * text renderers of their replies; -j prints the daemon's reply as is.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctpctl.h"

#define CTL_PROTOCOL	1
#define CTL_TIMEOUT_MS	30000			/* whole exchange */
#define CTL_REPLY_MAX	(64 * 1024 * 1024)	/* one reply line */
#define CTL_RAW_LINES	10000			/* requests in raw mode */

struct conn {
	int		 fd;
	char		*buf;
	size_t		 len, cap;
	struct timespec	 deadline;
};

/* ------------------------------------------------------------- errors */

/*
 * Errors of control commands have the daemon's form: a sentence on
 * standard error, or with -j the line {"status":"error","error":...}.
 */
static int
ctl_error(const struct ctpctl *ctl, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static int
ctl_error(const struct ctpctl *ctl, const char *fmt, ...)
{
	char	 msg[1024];
	json_t	*o;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (!ctl->json) {
		fprintf(stderr, "ctpctl: %s\n", msg);
		return CTPCTL_EXIT_FAIL;
	}
	if ((o = json_pack("{s:s, s:s}", "status", "error", "error", msg)) ==
	    NULL)
		fputs("{\"status\":\"error\",\"error\":\"out of memory\"}",
		    stdout);
	else
		json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
	return CTPCTL_EXIT_FAIL;
}

/* ------------------------------------------------------------ the wire */

static int
ms_left(const struct conn *c)
{
	struct timespec	 now;
	long long	 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	    (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static int
conn_open(const struct ctpctl *ctl, struct conn *c)
{
	struct sockaddr_un	 sun;

	memset(c, 0, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += CTL_TIMEOUT_MS / 1000;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl->sock) >= sizeof(sun.sun_path)) {
		ctl_error(ctl, "control socket path too long: %s", ctl->sock);
		return -1;
	}
	memcpy(sun.sun_path, ctl->sock, strlen(ctl->sock) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		ctl_error(ctl, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		ctl_error(ctl, "cannot connect to %s: %s (is ctpd running?)",
		    ctl->sock, strerror(errno));
		close(c->fd);
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

/*
 * Send n octets.  0, -1 after reporting a failure, or -2 if ctpd closed the
 * connection: a reply saying why may still be there to read.
 */
static int
conn_write(const struct ctpctl *ctl, struct conn *c, const char *s,
    size_t n)
{
	struct pollfd	 pfd = { c->fd, POLLOUT, 0 };
	ssize_t		 w;

	while (n > 0) {
		if (poll(&pfd, 1, ms_left(c)) <= 0) {
			ctl_error(ctl, "%s: timed out sending the request",
			    ctl->sock);
			return -1;
		}
		if ((w = send(c->fd, s, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* the server may have said why before it closed */
			if (errno == EPIPE || errno == ECONNRESET)
				return -2;
			ctl_error(ctl, "%s: %s", ctl->sock, strerror(errno));
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read one line (without its newline) into a malloc'ed string.  NULL after
 * reporting the failure; at EOF before any octet, *eof is set and no
 * message is printed if quiet_eof.
 */
static char *
conn_readline(const struct ctpctl *ctl, struct conn *c, int quiet_eof,
    int *eof)
{
	struct pollfd	 pfd = { c->fd, POLLIN, 0 };
	char		*nl, *line, *nb;
	size_t		 n, ncap;
	ssize_t		 r;
	int		 pr;

	*eof = 0;
	for (;;) {
		if (c->len > 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = (size_t)(nl - c->buf);
			if ((line = malloc(n + 1)) == NULL) {
				ctl_error(ctl, "out of memory");
				return NULL;
			}
			memcpy(line, c->buf, n);
			line[n] = '\0';
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		if (c->len >= CTL_REPLY_MAX) {
			ctl_error(ctl, "%s: reply longer than %d octets",
			    ctl->sock, CTL_REPLY_MAX);
			return NULL;
		}
		if (c->cap - c->len < 4096) {
			ncap = c->cap * 2 + 65536;
			if ((nb = realloc(c->buf, ncap)) == NULL) {
				ctl_error(ctl, "out of memory");
				return NULL;
			}
			c->buf = nb;
			c->cap = ncap;
		}
		if ((pr = poll(&pfd, 1, ms_left(c))) == -1 && errno == EINTR)
			continue;
		if (pr <= 0) {
			ctl_error(ctl, "%s: no reply from ctpd within %d s",
			    ctl->sock, CTL_TIMEOUT_MS / 1000);
			return NULL;
		}
		if ((r = read(c->fd, c->buf + c->len, c->cap - c->len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ctl_error(ctl, "%s: %s", ctl->sock, strerror(errno));
			return NULL;
		}
		if (r == 0) {
			*eof = 1;
			if (!quiet_eof || c->len > 0)
				ctl_error(ctl, "%s: ctpd closed the connection",
				    ctl->sock);
			return NULL;
		}
		c->len += (size_t)r;
	}
}

/* Read a line that must be a JSON object; NULL after reporting. */
static json_t *
conn_readobj(const struct ctpctl *ctl, struct conn *c)
{
	json_error_t	 jerr;
	json_t		*o;
	char		*line;
	int		 eof;

	if ((line = conn_readline(ctl, c, 0, &eof)) == NULL)
		return NULL;
	o = json_loads(line, 0, &jerr);
	free(line);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		ctl_error(ctl, "%s: ctpd sent a line that is not a JSON object",
		    ctl->sock);
		return NULL;
	}
	return o;
}

/* Connect and check the greeting (protocol version).  0 or -1. */
static int
ctl_connect(const struct ctpctl *ctl, struct conn *c)
{
	json_t		*hello, *pv;

	if (conn_open(ctl, c) == -1)
		return -1;
	if ((hello = conn_readobj(ctl, c)) == NULL)
		goto fail;
	/* a full server says so instead of greeting */
	if (json_object_get(hello, "status") != NULL &&
	    json_string_value(json_object_get(hello, "error")) != NULL) {
		ctl_error(ctl, "%s", json_string_value(json_object_get(hello,
		    "error")));
		json_decref(hello);
		goto fail;
	}
	pv = json_object_get(hello, "protocol");
	if (!json_is_integer(pv) || json_integer_value(pv) != CTL_PROTOCOL) {
		ctl_error(ctl, "%s: ctpd speaks control protocol %s%lld; this "
		    "ctpctl speaks %d: use the ctpctl of the same release",
		    ctl->sock, json_is_integer(pv) ? "" : "(unknown) ",
		    json_is_integer(pv) ? (long long)json_integer_value(pv) : 0,
		    CTL_PROTOCOL);
		json_decref(hello);
		goto fail;
	}
	json_decref(hello);
	return 0;
fail:
	conn_close(c);
	return -1;
}

/* Send one request object (consumed); returns the reply or NULL. */
static json_t *
ctl_request(const struct ctpctl *ctl, json_t *req)
{
	struct conn	 c;
	json_t		*rep = NULL;
	char		*s;

	if (req == NULL) {
		ctl_error(ctl, "out of memory");
		return NULL;
	}
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (s == NULL) {
		ctl_error(ctl, "out of memory");
		return NULL;
	}
	if (ctl_connect(ctl, &c) == 0) {
		if (conn_write(ctl, &c, s, strlen(s)) != -1 &&
		    conn_write(ctl, &c, "\n", 1) != -1)
			rep = conn_readobj(ctl, &c);
		conn_close(&c);
	}
	free(s);
	return rep;
}

/* ----------------------------------------------------------- rendering */

static void
cell(char *buf, size_t sz, const json_t *v)
{
	const json_t	*e;
	size_t		 i, n;

	if (v == NULL) {		/* a column this row does not have */
		snprintf(buf, sz, "-");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, sz, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, sz, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, sz, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, sz, "yes");
		break;
	case JSON_FALSE:
		snprintf(buf, sz, "no");
		break;
	case JSON_ARRAY:
		buf[0] = '\0';
		json_array_foreach(v, i, e) {
			n = strlen(buf);
			if (n + 1 >= sz)
				break;
			if (i > 0)
				buf[n++] = ',';
			cell(buf + n, sz - n, e);
		}
		if (buf[0] == '\0')
			snprintf(buf, sz, "-");
		break;
	case JSON_OBJECT:
		/* a context by its feature (R marked), else by its name */
		if ((e = json_object_get(v, "feature")) != NULL &&
		    json_is_string(e))
			snprintf(buf, sz, "%s%s", json_string_value(e),
			    json_is_true(json_object_get(v, "r")) ? "(R)" : "");
		else if ((e = json_object_get(v, "name")) != NULL &&
		    json_is_string(e))
			snprintf(buf, sz, "%s", json_string_value(e));
		else
			snprintf(buf, sz, "{%zu}", json_object_size(v));
		break;
	default:
		snprintf(buf, sz, "-");
		break;
	}
}

#define TABLE_COLS	16
#define CELL_MAX	64

/* A duration in the largest two units: 2h13m, 5m07s, 12s; 0 is "-". */
static void
fmt_ms(char *buf, size_t sz, long long ms)
{
	long long	 s = ms / 1000;

	if (ms <= 0)
		snprintf(buf, sz, "-");
	else if (s < 60)
		snprintf(buf, sz, "%lld.%03llds", s, ms % 1000);
	else if (s < 3600)
		snprintf(buf, sz, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, sz, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, sz, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

static bool
is_ms(const char *k)
{
	size_t	 n = strlen(k);

	return n > 3 && strcmp(k + n - 3, "_ms") == 0;
}

static void
table_cell(char *buf, size_t sz, const char *k, const json_t *v)
{
	if (is_ms(k) && json_is_integer(v))
		fmt_ms(buf, sz, (long long)json_integer_value(v));
	else
		cell(buf, sz, v);
}

/* The heading of column k into head (CELL_MAX + 1 octets); its length. */
static size_t
col_head(char *head, const char *k)
{
	size_t	 l, n = strlen(k) - (is_ms(k) ? 3 : 0);

	for (l = 0; l < n && l < CELL_MAX; l++)
		head[l] = k[l] == '_' ? '-' :
		    (char)toupper((unsigned char)k[l]);
	head[l] = '\0';
	return l;
}

/*
 * A list of objects as a table (STYLE §10): the columns in `prefer` that
 * the first row has, or else every member of the first row that is not an
 * object.  Headings are the names in upper case, '_' as '-', and "_ms"
 * dropped from durations, which are printed as 2h13m.  Long cells are cut.
 */
static void
print_table(const json_t *a, const char *const *prefer)
{
	const char	*cols[TABLE_COLS], *k;
	const json_t	*row, *v;
	char		 buf[CELL_MAX + 1], head[CELL_MAX + 1];
	size_t		 w[TABLE_COLS], ncols = 0, i, j, l;

	row = json_array_get(a, 0);
	for (i = 0; prefer != NULL && prefer[i] != NULL; i++)
		if (ncols < TABLE_COLS && json_object_get(row, prefer[i]))
			cols[ncols++] = prefer[i];
	if (ncols == 0)
		json_object_foreach((json_t *)row, k, v)
			if (ncols < TABLE_COLS && !json_is_object(v))
				cols[ncols++] = k;
	for (j = 0; j < ncols; j++) {
		w[j] = col_head(head, cols[j]);
	}
	json_array_foreach(a, i, row)
		for (j = 0; j < ncols; j++) {
			table_cell(buf, sizeof(buf), cols[j],
			    json_object_get(row, cols[j]));
			if ((l = strlen(buf)) > w[j])
				w[j] = l;
		}
	for (j = 0; j < ncols; j++) {
		col_head(head, cols[j]);
		printf("%-*s%s", j + 1 < ncols ? (int)w[j] : 0, head,
		    j + 1 < ncols ? "  " : "\n");
	}
	json_array_foreach(a, i, row)
		for (j = 0; j < ncols; j++) {
			table_cell(buf, sizeof(buf), cols[j],
			    json_object_get(row, cols[j]));
			printf("%-*s%s", j + 1 < ncols ? (int)w[j] : 0, buf,
			    j + 1 < ncols ? "  " : "\n");
		}
}

/* Columns of the tables, where the daemon's rows have more than fit. */
static const char *const peer_cols[] = {
	"name", "state", "up_ms", "addresses", "transport", "connections",
	"paths", "ipsec", "last_error", NULL
};

/*
 * Print a reply and return the exit status it means.  Text: a list of
 * objects under `list` becomes a table, `done` (if not NULL) a sentence
 * about `mn`, anything else the generic renderer.
 */
static int
ctl_reply(const struct ctpctl *ctl, json_t *rep, const char *list,
    const char *done)
{
	const char	*st = json_string_value(json_object_get(rep, "status"));
	const char	*err = json_string_value(json_object_get(rep, "error"));
	const json_t	*a;
	int		 rv;

	if (rep == NULL)
		return CTPCTL_EXIT_FAIL;
	if (st == NULL || strcmp(st, "ok") != 0) {
		if (ctl->json) {
			json_dumpf(rep, stdout, JSON_COMPACT);
			putchar('\n');
			fflush(stdout);
			rv = CTPCTL_EXIT_FAIL;
		} else
			rv = ctl_error(ctl, "%s", err != NULL ? err :
			    "ctpd reported an error without a message");
		json_decref(rep);
		return rv;
	}
	if (ctl->json)
		ctl->out->result(ctl, rep);
	else if (done != NULL)
		printf("mn %s: %s\n", json_string_value(json_object_get(rep,
		    "mn")), done);
	else if (list != NULL && json_is_array(a = json_object_get(rep,
	    list)) && (json_array_size(a) == 0 ||
	    json_is_object(json_array_get(a, 0)))) {
		if (json_array_size(a) == 0)
			printf("no %s\n", list);
		else
			print_table(a, strcmp(list, "peers") == 0 ? peer_cols :
			    NULL);
	} else
		ctl->out->result(ctl, rep);
	fflush(stdout);
	json_decref(rep);
	return CTPCTL_EXIT_OK;
}

/* ------------------------------------------------------------ commands */

/* The command's words joined by spaces: the protocol's command name. */
static void
cmd_name(const struct ctpctl *ctl, char *buf, size_t sz)
{
	size_t	 j, n = 0;

	buf[0] = '\0';
	for (j = 0; j < CTPCTL_MAXWORDS && ctl->cmd->words[j] != NULL; j++)
		n += (size_t)snprintf(buf + n, n < sz ? sz - n : 0, "%s%s",
		    j ? " " : "", ctl->cmd->words[j]);
}

/* Commands that take no operand and no option: show status, peers, ... */
int
ctpctl_show(struct ctpctl *ctl, int argc, char **argv)
{
	char		 name[64];
	const char	*list = NULL;

	(void)argv;
	if (argc != 1)
		return ctpctl_usage_cmd(ctl);
	cmd_name(ctl, name, sizeof(name));
	if (strcmp(name, "show peers") == 0)
		list = "peers";
	else if (strcmp(name, "show contexts") == 0)
		list = "contexts";
	else if (strcmp(name, "show transfers") == 0)
		list = "transfers";
	return ctl_reply(ctl, ctl_request(ctl, json_pack("{s:i, s:s}",
	    "protocol", CTL_PROTOCOL, "command", name)), list, NULL);
}

/* show mn ADDR, context get ADDR, context del ADDR */
int
ctpctl_mn(struct ctpctl *ctl, int argc, char **argv)
{
	char	 name[64];

	if (argc != 2)
		return ctpctl_usage_cmd(ctl);
	cmd_name(ctl, name, sizeof(name));
	return ctl_reply(ctl, ctl_request(ctl, json_pack("{s:i, s:s, s:s}",
	    "protocol", CTL_PROTOCOL, "command", name, "mn", argv[1])), NULL,
	    strcmp(name, "context del") == 0 ? "contexts deleted" : NULL);
}

/* context put FILE|- */
int
ctpctl_context_put(struct ctpctl *ctl, int argc, char **argv)
{
	json_error_t	 jerr;
	json_t		*c;
	uint8_t		*buf;
	size_t		 len;

	if (argc != 2)
		return ctpctl_usage_cmd(ctl);
	if (ctpctl_read_input(ctl, argv[1], &buf, &len) == -1)
		return CTPCTL_EXIT_FAIL;
	c = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (c == NULL)
		return ctl_error(ctl, "%s: line %d, column %d: %s",
		    strcmp(argv[1], "-") == 0 ? "standard input" : argv[1],
		    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(c)) {
		json_decref(c);
		return ctl_error(ctl, "%s: expected an object with mn, key "
		    "and cdbs", argv[1]);
	}
	return ctl_reply(ctl, ctl_request(ctl, json_pack("{s:i, s:s, s:o}",
	    "protocol", CTL_PROTOCOL, "command", "context put", "context", c)),
	    NULL, "contexts stored");
}

/*
 * raw: send each line of standard input as a request, as is, and print each
 * reply line as is; for scripts and tests of the protocol itself.  Exit 0 if
 * every reply had status ok.
 */
int
ctpctl_raw(struct ctpctl *ctl, int argc, char **argv)
{
	struct conn	 c;
	json_t		*o;
	char		*line = NULL, *rep;
	size_t		 cap = 0, n;
	ssize_t		 r;
	int		 rv = CTPCTL_EXIT_OK, eof, w;
	const char	*st;

	(void)argv;
	if (argc != 1)
		return ctpctl_usage_cmd(ctl);
	if (ctl_connect(ctl, &c) == -1)
		return CTPCTL_EXIT_FAIL;
	for (n = 0; n < CTL_RAW_LINES && (r = getline(&line, &cap,
	    stdin)) != -1; n++) {
		if (r > 0 && line[r - 1] == '\n')
			line[--r] = '\0';
		if (r == 0)
			continue;	/* the server ignores blank lines */
		if ((w = conn_write(ctl, &c, line, (size_t)r)) == 0)
			w = conn_write(ctl, &c, "\n", 1);
		if (w == -1 ||
		    (rep = conn_readline(ctl, &c, 0, &eof)) == NULL) {
			rv = CTPCTL_EXIT_FAIL;
			break;
		}
		printf("%s\n", rep);
		fflush(stdout);
		o = json_loads(rep, 0, NULL);
		st = json_string_value(json_object_get(o, "status"));
		if (st == NULL || strcmp(st, "ok") != 0)
			rv = CTPCTL_EXIT_FAIL;
		json_decref(o);
		free(rep);
	}
	free(line);
	conn_close(&c);
	return rv;
}
