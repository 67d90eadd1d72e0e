/* SPDX-License-Identifier: ISC */
/*
 * The control socket (ctpctl(8), CONTROL PROTOCOL): accepting clients within
 * a bound, JSON-lines framing with a size cap, the greeting, and the command
 * table that turns requests into replies from the modules' JSON views.
 */
#define _GNU_SOURCE		/* accept4 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "ctpd.h"
#include "control.h"
#include "log.h"
#include "rtnl.h"

#define CONTROL_ACCEPT_BATCH	8	/* accepts per wakeup */
#define CONTROL_PAUSE_MS	1000	/* after EMFILE */

struct control_client {
	TAILQ_ENTRY(control_client) entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	struct event		*ev_more;	/* lines left after a batch */
	bool			 closing;	/* close once output is sent */
	bool			 paused;	/* output > CONTROL_OUT_MAX */
};

struct control {
	struct ctpd		*ctpd;
	char			*path;
	int			 fd;
	dev_t			 dev;		/* of the socket we created */
	ino_t			 ino;
	struct event		*ev_accept;
	struct event		*ev_pause;
	struct log_limit	 ll_accept;
	TAILQ_HEAD(, control_client) clients;
	size_t			 nclients;
	uint64_t		 accepted;
	uint64_t		 requests;
	uint64_t		 errors;
	uint64_t		 rejected;	/* over CONTROL_MAX_CLIENTS */
};

/* ------------------------------------------------------------- commands */

enum control_operand {
	OP_NONE,
	OP_MN,		/* "mn": address */
	OP_CONTEXT,	/* "context": object */
};

struct control_cmd {
	const char		*name;
	enum control_operand	 op;
	/* The reply's members, or NULL with a message in err. */
	json_t			*(*run)(struct control *, const json_t *req,
				    const struct ctp_addr *mn, char *err,
				    size_t errlen);
};

static void
fmt_uptime(char *buf, size_t sz, uint64_t ms)
{
	uint64_t	 s = ms / 1000;

	if (s < 60)
		snprintf(buf, sz, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, sz, "%llum%02llus", (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, sz, "%lluh%02llum",
		    (unsigned long long)(s / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, sz, "%llud%02lluh",
		    (unsigned long long)(s / 86400),
		    (unsigned long long)(s % 86400 / 3600));
}

static json_t *
cmd_show_status(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	struct ctpd	*d = ctl->ctpd;
	uint64_t	 up = ctpd_now_ms(d) - d->started_ms;
	size_t		 i, n = 0, nup = 0;
	char		 upbuf[32];

	(void)req, (void)mn, (void)err, (void)errlen;
	fmt_uptime(upbuf, sizeof(upbuf), up);
	if (d->peers != NULL) {
		n = peer_count(d->peers);
		for (i = 0; i < n; i++)
			nup += peer_is_up(peer_at(d->peers, i));
	}
	return json_pack("{s:s, s:i, s:I, s:s?, s:s?, s:I, s:s, s:I, s:I, s:I}",
	    "version", PACKAGE_VERSION,
	    "protocol", CONTROL_PROTOCOL,
	    "pid", (json_int_t)getpid(),
	    "router", d->conf != NULL ? d->conf->router.id : NULL,
	    "config", d->conf != NULL ? d->conf->file : NULL,
	    "uptime_ms", (json_int_t)up,
	    "uptime", upbuf,
	    "peers", (json_int_t)n,
	    "peers_up", (json_int_t)nup,
	    "handshakes", (json_int_t)(d->peers != NULL ?
	    peer_set_handshakes(d->peers) : 0));
}

/* Wrap a module's view as the one member `name`; NULL view: no memory. */
static json_t *
wrap(const char *name, json_t *v, char *err, size_t errlen)
{
	if (v == NULL) {
		snprintf(err, errlen, "cannot render %s: out of memory", name);
		return NULL;
	}
	return json_pack("{s:o}", name, v);
}

static bool
need_module(const void *m, const char *what, char *err, size_t errlen)
{
	if (m == NULL)
		snprintf(err, errlen, "the %s is not running", what);
	return m != NULL;
}

static json_t *
cmd_show_peers(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	json_t	*v;

	(void)req, (void)mn;
	if (!need_module(ctl->ctpd->peers, "peer set", err, errlen))
		return NULL;
	/* the set's counters and its "peers" list become reply members */
	if ((v = peer_set_json(ctl->ctpd->peers)) != NULL &&
	    json_is_object(v) && json_is_array(json_object_get(v, "peers")))
		return v;
	return wrap("peers", v, err, errlen);
}

static json_t *
cmd_show_mn(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	json_t	*v;

	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	if ((v = xfer_mn_json(ctl->ctpd->xfer, mn)) == NULL) {
		snprintf(err, errlen, "no state for mn %s (ctpctl show "
		    "transfers and show contexts list the mobile nodes known)",
		    json_string_value(json_object_get(req, "mn")));
		return NULL;
	}
	return json_pack("{s:o}", "mn", v);
}

static json_t *
cmd_show_contexts(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	(void)req, (void)mn;
	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	return wrap("contexts", xfer_contexts_json(ctl->ctpd->xfer), err,
	    errlen);
}

static json_t *
cmd_show_transfers(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	(void)req, (void)mn;
	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	return wrap("transfers", xfer_transfers_json(ctl->ctpd->xfer), err,
	    errlen);
}

static json_t *
cmd_show_stats(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	struct ctpd	*d = ctl->ctpd;
	json_t		*o, *v;
	size_t		 i, n = 0, nup = 0;

	(void)req, (void)mn;
	if ((o = json_object()) == NULL)
		goto nomem;
	if (d->mn != NULL && ((v = mn_listener_json(d->mn)) == NULL ||
	    json_object_set_new(o, "mn", v) != 0))
		goto nomem;
	if (d->xfer != NULL && ((v = xfer_stats_json(d->xfer)) == NULL ||
	    json_object_set_new(o, "xfer", v) != 0))
		goto nomem;
	if (d->peers != NULL) {
		/* the set's counters without the per-peer list (show peers) */
		if ((v = peer_set_json(d->peers)) == NULL)
			goto nomem;
		if (!json_is_object(v)) {
			json_decref(v);
			v = json_object();
		}
		/* o owns v from here, so that every failure frees it */
		if (json_object_set_new(o, "peers", v) != 0)
			goto nomem;
		json_object_del(v, "peers");
		n = peer_count(d->peers);
		for (i = 0; i < n; i++)
			nup += peer_is_up(peer_at(d->peers, i));
		if (json_object_set_new(v, "configured", json_integer(
		    (json_int_t)n)) != 0 || json_object_set_new(v, "up",
		    json_integer((json_int_t)nup)) != 0 ||
		    json_object_set_new(v, "handshakes", json_integer(
		    (json_int_t)peer_set_handshakes(d->peers))) != 0)
			goto nomem;
	}
	if (d->rtnl != NULL && ((v = rtnl_json(d->rtnl)) == NULL ||
	    json_object_set_new(o, "rtnetlink", v) != 0))
		goto nomem;
	if (json_object_set_new(o, "control", control_json(ctl)) != 0)
		goto nomem;
	return o;
nomem:
	json_decref(o);
	snprintf(err, errlen, "cannot render the counters: out of memory");
	return NULL;
}

static json_t *
cmd_context_put(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	const json_t	*c = json_object_get(req, "context");
	const char	*who;

	(void)mn;
	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	who = json_string_value(json_object_get(c, "mn"));
	if (xfer_context_put(ctl->ctpd->xfer, c, err, errlen) != 0)
		return NULL;
	log_info("control: contexts of mn %s replaced", who ? who : "?");
	return json_pack("{s:s?}", "mn", who);
}

static json_t *
cmd_context_get(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	json_t	*v;

	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	if ((v = xfer_context_get(ctl->ctpd->xfer, mn)) == NULL) {
		snprintf(err, errlen, "no contexts held for mn %s",
		    json_string_value(json_object_get(req, "mn")));
		return NULL;
	}
	return json_pack("{s:o}", "context", v);
}

static json_t *
cmd_context_del(struct control *ctl, const json_t *req,
    const struct ctp_addr *mn, char *err, size_t errlen)
{
	const char	*who = json_string_value(json_object_get(req, "mn"));

	if (!need_module(ctl->ctpd->xfer, "transfer engine", err, errlen))
		return NULL;
	if (xfer_context_del(ctl->ctpd->xfer, mn, err, errlen) != 0)
		return NULL;
	log_info("control: contexts of mn %s deleted", who);
	return json_pack("{s:s}", "mn", who);
}

static const struct control_cmd cmdtab[] = {
	{ "show status",	OP_NONE,	cmd_show_status },
	{ "show peers",		OP_NONE,	cmd_show_peers },
	{ "show mn",		OP_MN,		cmd_show_mn },
	{ "show contexts",	OP_NONE,	cmd_show_contexts },
	{ "show transfers",	OP_NONE,	cmd_show_transfers },
	{ "show stats",		OP_NONE,	cmd_show_stats },
	{ "context put",	OP_CONTEXT,	cmd_context_put },
	{ "context get",	OP_MN,		cmd_context_get },
	{ "context del",	OP_MN,		cmd_context_del },
};
#define NCMDS	(sizeof(cmdtab) / sizeof(cmdtab[0]))

static const char *const op_member[] = {
	[OP_NONE] = NULL,
	[OP_MN] = "mn",
	[OP_CONTEXT] = "context",
};

static int
parse_addr(const char *s, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->len = 16;
		return 0;
	}
	return -1;
}

/* Check the request's shape against its row; 0, or -1 with err set. */
static int
check_request(const struct control_cmd *c, const json_t *req,
    struct ctp_addr *mn, char *err, size_t errlen)
{
	const char	*k, *want = op_member[c->op];
	const json_t	*v;

	json_object_foreach((json_t *)req, k, v) {
		if (strcmp(k, "command") == 0 || strcmp(k, "id") == 0 ||
		    strcmp(k, "protocol") == 0 ||
		    (want != NULL && strcmp(k, want) == 0))
			continue;
		snprintf(err, errlen, "unknown member \"%s\" in a %s request "
		    "(ctpctl(8), CONTROL PROTOCOL)", k, c->name);
		return -1;
	}
	if (want == NULL)
		return 0;
	if ((v = json_object_get(req, want)) == NULL) {
		snprintf(err, errlen, "%s needs the member \"%s\"%s", c->name,
		    want, c->op == OP_MN ? " (an IPv4 or IPv6 address)" :
		    " (an object: mn, key, cdbs)");
		return -1;
	}
	if (c->op == OP_CONTEXT) {
		if (!json_is_object(v)) {
			snprintf(err, errlen, "%s: \"context\" must be an "
			    "object with mn, key and cdbs", c->name);
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v) || parse_addr(json_string_value(v), mn) != 0) {
		snprintf(err, errlen, "%s: \"mn\" must be an IPv4 or IPv6 "
		    "address as a string", c->name);
		return -1;
	}
	return 0;
}

static json_t *
reply_error(const json_t *id, const char *msg)
{
	json_t	*r;

	if ((r = json_pack("{s:s, s:s}", "status", "error", "error",
	    msg)) != NULL && id != NULL)
		json_object_set(r, "id", (json_t *)id);
	return r;
}

json_t *
control_dispatch(struct control *ctl, json_t *req)
{
	const struct control_cmd	*c = NULL;
	const json_t			*id, *pv;
	struct ctp_addr			 mn;
	json_t				*res, *r;
	const char			*name;
	char				 err[512];
	size_t				 i;

	ctl->requests++;
	err[0] = '\0';
	if (!json_is_object(req)) {
		ctl->errors++;
		return reply_error(NULL, "a request must be a JSON object "
		    "such as {\"command\":\"show status\"}");
	}
	id = json_object_get(req, "id");
	pv = json_object_get(req, "protocol");
	if (pv != NULL && (!json_is_integer(pv) ||
	    json_integer_value(pv) != CONTROL_PROTOCOL)) {
		ctl->errors++;
		snprintf(err, sizeof(err), "protocol version not supported: "
		    "this ctpd speaks protocol %d", CONTROL_PROTOCOL);
		return reply_error(id, err);
	}
	if ((name = json_string_value(json_object_get(req, "command"))) ==
	    NULL) {
		ctl->errors++;
		return reply_error(id, "the request has no \"command\" string; "
		    "for example {\"command\":\"show status\"}");
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmdtab[i].name, name) == 0)
			c = &cmdtab[i];
	if (c == NULL) {
		ctl->errors++;
		snprintf(err, sizeof(err), "unknown command \"%.64s\" "
		    "(commands: show status|peers|mn|contexts|transfers|stats, "
		    "context put|get|del)", name);
		return reply_error(id, err);
	}
	if (check_request(c, req, &mn, err, sizeof(err)) != 0 ||
	    (res = c->run(ctl, req, &mn, err, sizeof(err))) == NULL) {
		ctl->errors++;
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "%s failed: out of memory",
			    c->name);
		return reply_error(id, err);
	}
	if ((r = json_pack("{s:s}", "status", "ok")) == NULL ||
	    json_object_update(r, res) != 0 ||
	    (id != NULL && json_object_set(r, "id", (json_t *)id) != 0)) {
		json_decref(r);
		json_decref(res);
		ctl->errors++;
		return reply_error(id, "out of memory");
	}
	json_decref(res);
	return r;
}

json_t *
control_json(const struct control *ctl)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "clients", (json_int_t)ctl->nclients,
	    "accepted", (json_int_t)ctl->accepted,
	    "requests", (json_int_t)ctl->requests,
	    "errors", (json_int_t)ctl->errors,
	    "rejected", (json_int_t)ctl->rejected);
}

/* -------------------------------------------------------------- clients */

static void	client_read(struct bufferevent *, void *);

static void
client_free(struct control_client *cl)
{
	struct control	*ctl = cl->ctl;

	TAILQ_REMOVE(&ctl->clients, cl, entry);
	ctl->nclients--;
	bufferevent_free(cl->bev);
	event_free(cl->ev_more);
	free(cl);
}

/* Queue one reply line; a reply we cannot render becomes a fixed line. */
static void
client_send(struct control_client *cl, json_t *r)
{
	struct evbuffer	*out = bufferevent_get_output(cl->bev);
	char		*s = NULL;

	if (r != NULL)
		s = json_dumps(r, JSON_COMPACT);
	if (s != NULL) {
		evbuffer_add(out, s, strlen(s));
		evbuffer_add(out, "\n", 1);
	} else
		evbuffer_add_printf(out, "{\"status\":\"error\",\"error\":"
		    "\"out of memory rendering the reply\"}\n");
	free(s);
	json_decref(r);
	if (evbuffer_get_length(out) > CONTROL_OUT_MAX && !cl->paused) {
		/* the client does not read its replies: stop reading it */
		cl->paused = true;
		bufferevent_disable(cl->bev, EV_READ);
	}
}

static void
client_line(struct control_client *cl, char *line, size_t n)
{
	json_error_t	 jerr;
	json_t		*req;
	char		 msg[300];

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n == 0)
		return;		/* a blank line is not a request */
	if ((req = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		cl->ctl->requests++;
		cl->ctl->errors++;
		snprintf(msg, sizeof(msg), "the request is not valid JSON: "
		    "%.200s (column %d)", jerr.text, jerr.column);
		client_send(cl, reply_error(NULL, msg));
		return;
	}
	client_send(cl, control_dispatch(cl->ctl, req));
	json_decref(req);
}

/*
 * Handle up to CONTROL_BATCH complete lines.  At EOF a last line without a
 * newline is a request too.  Returns true if lines may be left.
 */
static bool
client_lines(struct control_client *cl, bool eof)
{
	struct evbuffer	*in = bufferevent_get_input(cl->bev);
	char		*line, msg[128];
	size_t		 n, len;
	int		 i;

	for (i = 0; i < CONTROL_BATCH && !cl->closing && !cl->paused; i++) {
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
		if (line == NULL) {
			len = evbuffer_get_length(in);
			if (len >= CONTROL_LINE_MAX)
				n = len;
			else if (eof && len > 0) {
				if ((line = malloc(len + 1)) == NULL)
					return false;
				evbuffer_remove(in, line, len);
				line[len] = '\0';
				client_line(cl, line, len);
				free(line);
				return false;
			} else
				return false;
		} else if (n + 1 <= CONTROL_LINE_MAX) {
			client_line(cl, line, n);
			free(line);
			continue;
		}
		free(line);
		cl->ctl->requests++;
		cl->ctl->errors++;
		snprintf(msg, sizeof(msg), "request longer than %d octets; "
		    "closing the connection", CONTROL_LINE_MAX);
		client_send(cl, reply_error(NULL, msg));
		cl->closing = true;
		bufferevent_disable(cl->bev, EV_READ);
		return false;
	}
	return i == CONTROL_BATCH;
}

static void
client_more(evutil_socket_t fd, short what, void *arg)
{
	struct control_client	*cl = arg;

	(void)fd, (void)what;
	client_read(cl->bev, cl);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct control_client	*cl = arg;

	(void)bev;
	if (client_lines(cl, false))
		event_active(cl->ev_more, EV_TIMEOUT, 0);	/* next pass */
}

static void
client_write(struct bufferevent *bev, void *arg)
{
	struct control_client	*cl = arg;

	(void)bev;
	if (cl->closing) {
		client_free(cl);
		return;
	}
	if (cl->paused) {
		cl->paused = false;
		bufferevent_enable(cl->bev, EV_READ);
		client_read(cl->bev, cl);
	}
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client	*cl = arg;

	if (what & BEV_EVENT_EOF) {
		/* answer what was sent before the client shut down writing */
		while (client_lines(cl, true))
			;
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
			client_free(cl);
			return;
		}
		cl->closing = true;
		cl->paused = false;
		bufferevent_disable(bev, EV_READ);
		bufferevent_enable(bev, EV_WRITE);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_verbose("control: client idle for %d s, closed",
		    CONTROL_IDLE_SEC);
	client_free(cl);
}

static void
client_new(struct control *ctl, int fd)
{
	struct control_client	*cl;
	struct timeval		 idle = { CONTROL_IDLE_SEC, 0 };
	char			 hello[64];

	if ((cl = calloc(1, sizeof(*cl))) == NULL ||
	    (cl->bev = bufferevent_socket_new(ctl->ctpd->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (cl->ev_more = event_new(ctl->ctpd->base, -1, 0, client_more,
	    cl)) == NULL) {
		log_warnx("control: cannot serve a client: out of memory");
		if (cl != NULL && cl->bev != NULL)
			bufferevent_free(cl->bev);
		else
			close(fd);
		free(cl);
		return;
	}
	cl->ctl = ctl;
	TAILQ_INSERT_TAIL(&ctl->clients, cl, entry);
	ctl->nclients++;
	ctl->accepted++;
	bufferevent_setcb(cl->bev, client_read, client_write, client_event, cl);
	bufferevent_set_timeouts(cl->bev, &idle, NULL);
	snprintf(hello, sizeof(hello), "{\"ctpd\":\"%s\",\"protocol\":%d}\n",
	    PACKAGE_VERSION, CONTROL_PROTOCOL);
	bufferevent_write(cl->bev, hello, strlen(hello));
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

static void
control_resume(evutil_socket_t fd, short what, void *arg)
{
	struct control	*ctl = arg;

	(void)fd, (void)what;
	event_add(ctl->ev_accept, NULL);
}

static void
control_accept(evutil_socket_t lfd, short what, void *arg)
{
	static const char	 full[] = "{\"status\":\"error\",\"error\":"
	    "\"too many control clients (16); try again later\"}\n";
	struct control		*ctl = arg;
	struct timeval		 tv = { 0, CONTROL_PAUSE_MS * 1000 };
	ssize_t			 w;
	int			 fd, i;

	(void)what;
	for (i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* pause rather than spin on a full table */
				log_limited(&ctl->ll_accept,
				    ctpd_now_ms(ctl->ctpd), LOGL_WARN,
				    "control: accept: %s; pausing for %d ms",
				    strerror(errno), CONTROL_PAUSE_MS);
				event_del(ctl->ev_accept);
				evtimer_add(ctl->ev_pause, &tv);
			}
			return;
		}
		if (ctl->nclients >= CONTROL_MAX_CLIENTS) {
			ctl->rejected++;
			w = send(fd, full, sizeof(full) - 1,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			(void)w;
			close(fd);
			log_limited(&ctl->ll_accept, ctpd_now_ms(ctl->ctpd),
			    LOGL_WARN, "control: %d clients already; "
			    "refused one", CONTROL_MAX_CLIENTS);
			continue;
		}
		client_new(ctl, fd);
	}
}

/* --------------------------------------------------------------- socket */

/*
 * Is a server answering at path?  1 yes, 0 no (stale), -1 error (errno).
 */
static int
control_probe(const struct sockaddr_un *sun)
{
	int	 fd, r, e;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	close(fd);
	if (r == 0)
		return 1;
	if (e == ECONNREFUSED)
		return 0;
	errno = e;
	return -1;
}

static int
control_listen(struct control *ctl)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl->path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path longer than %zu octets",
		    ctl->path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, ctl->path, strlen(ctl->path) + 1);
	if (lstat(ctl->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket; remove it or choose another path",
			    ctl->path);
			return -1;
		}
		if ((r = control_probe(&sun)) == 1) {
			log_warnx("control socket %s: another ctpd is running "
			    "and answers on it; stop it or use -s", ctl->path);
			return -1;
		} else if (r == -1) {
			log_warn("control socket %s: cannot tell whether a "
			    "ctpd answers on it", ctl->path);
			return -1;
		}
		if (unlink(ctl->path) == -1) {
			log_warn("control socket %s: cannot remove the stale "
			    "socket", ctl->path);
			return -1;
		}
		log_info("control socket %s: removed a stale socket",
		    ctl->path);
	} else if (errno != ENOENT) {
		log_warn("control socket %s", ctl->path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket: socket");
		return -1;
	}
	old = umask(0117);	/* created 0660, no window with wider rights */
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1) {
		log_warn("control socket %s: bind", ctl->path);
		close(fd);
		return -1;
	}
	if (chmod(ctl->path, 0660) == -1 || stat(ctl->path, &st) == -1 ||
	    listen(fd, CONTROL_MAX_CLIENTS) == -1) {
		log_warn("control socket %s", ctl->path);
		unlink(ctl->path);
		close(fd);
		return -1;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	ctl->fd = fd;
	return 0;
}

struct control *
control_new(struct ctpd *d, const char *path)
{
	struct control	*ctl;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL ||
	    (ctl->path = strdup(path)) == NULL) {
		log_warnx("control socket: out of memory");
		free(ctl);
		return NULL;
	}
	ctl->ctpd = d;
	ctl->fd = -1;
	TAILQ_INIT(&ctl->clients);
	log_limit_init(&ctl->ll_accept, 5, 10000);
	if (control_listen(ctl) == -1) {
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	if ((ctl->ev_accept = event_new(d->base, ctl->fd, EV_READ | EV_PERSIST,
	    control_accept, ctl)) == NULL ||
	    (ctl->ev_pause = evtimer_new(d->base, control_resume, ctl)) ==
	    NULL || event_add(ctl->ev_accept, NULL) == -1) {
		log_warnx("control socket: cannot set up events");
		control_free(ctl);
		return NULL;
	}
	log_verbose("control socket %s: listening", ctl->path);
	return ctl;
}

void
control_free(struct control *ctl)
{
	struct control_client	*cl;
	struct stat		 st;

	if (ctl == NULL)
		return;
	while ((cl = TAILQ_FIRST(&ctl->clients)) != NULL)
		client_free(cl);
	if (ctl->ev_accept != NULL)
		event_free(ctl->ev_accept);
	if (ctl->ev_pause != NULL)
		event_free(ctl->ev_pause);
	if (ctl->fd != -1) {
		close(ctl->fd);
		/* leave alone a socket someone else has put there since */
		if (stat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
		    st.st_ino == ctl->ino && unlink(ctl->path) == -1)
			log_warn("control socket %s: unlink", ctl->path);
	}
	free(ctl->path);
	free(ctl);
}
