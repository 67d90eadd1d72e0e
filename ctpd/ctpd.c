/* SPDX-License-Identifier: ISC */
/*
 * ctpd main: options, configuration check (-n, -nv), start-up in the order
 * of STYLE §11, the one event loop with its signal events, and the wiring
 * of the modules: MN listener and channels feed the transfer engine.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctpd.h"
#include "control.h"
#include "log.h"
#include "rtnl.h"

#ifndef CTPD_CONF_FILE
#define CTPD_CONF_FILE		"/etc/ctpd/ctpd.yaml"
#endif
#define CTPD_SOCKET		"/run/ctpd/ctpd.sock"
#define CTPD_FILE_MAX		(16 * 1024 * 1024)	/* config, keys */
#define CTPD_STOP_GRACE_MS	250	/* for the CTCs to leave */

static struct ctpd	 ctpd;
static struct event	*ev_sigterm, *ev_sigint, *ev_sighup;
static bool		 stopping;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ctpd [-dnvV] [-f file] [-s socket]\n");
	exit(2);
}

/*
 * libevent 2.1 exposes its cached time only as wall-clock time, which steps
 * with the system clock; timers and FSM deadlines need a clock that never
 * goes back, so read the monotonic clock (vDSO, no system call).
 */
uint64_t
ctpd_now_ms(struct ctpd *d)
{
	struct timespec	 ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ config */

/* Read all of path into a malloc'ed buffer; -1 with errno (EFBIG: large). */
static int
read_file(const char *path, uint8_t **bufp, size_t *lenp)
{
	struct stat	 st;
	uint8_t		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_size > CTPD_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == 0 ? EIO : errno;
			explicit_bzero(buf, len);
			free(buf);
			errno = e;
			goto fail;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static void
diag_print(const struct ctp_conf_diag *diag)
{
	size_t	 i;

	for (i = 0; i < diag->n; i++)
		if (diag->v[i].text != NULL)
			fprintf(stderr, "%s\n", diag->v[i].text);
	if (diag->nomem)
		fprintf(stderr, "ctpd: out of memory: some diagnostics were "
		    "lost\n");
}

/*
 * Parse the configuration file; NULL after printing why.  The diagnostics
 * are printed as the parser wrote them (its own last line says when it
 * stopped at CTP_CONF_MAX_ERRORS).
 */
static struct ctp_conf *
conf_load(const char *file)
{
	struct ctp_conf_diag	 diag;
	struct ctp_conf		*c = NULL;
	uint8_t			*buf;
	size_t			 len;

	if (read_file(file, &buf, &len) == -1) {
		fprintf(stderr, "%s: %s\n", file, errno == EFBIG ?
		    "larger than 16 MiB" : strerror(errno));
		return NULL;
	}
	ctp_conf_diag_init(&diag);
	if (ctp_conf_parse(file, buf, len, 0, &c, &diag) != 0)
		c = NULL;
	diag_print(&diag);
	ctp_conf_diag_free(&diag);
	explicit_bzero(buf, len);	/* it may hold inline keys */
	free(buf);
	return c;
}

static int
conf_stat(void *arg, const char *path, struct ctp_conf_stat *st)
{
	struct stat	 sb;

	(void)arg;
	if (stat(path, &sb) == -1)
		return errno;
	st->mode = sb.st_mode;
	return 0;
}

/*
 * The files the configuration names: present, regular, secrets not open to
 * group or others (checked before a secret is read); then the MN keys.
 */
static int
conf_files(struct ctp_conf *c)
{
	struct ctp_conf_diag	 diag;
	uint8_t			*buf;
	size_t			 len;
	int			 rv = 0;

	ctp_conf_diag_init(&diag);
	if (ctp_conf_check_files(c, conf_stat, NULL, &diag) > 0)
		rv = -1;
	else if (c->token.keys_file != NULL) {
		if (read_file(c->token.keys_file, &buf, &len) == -1) {
			fprintf(stderr, "%s: %s\n", c->token.keys_file,
			    errno == EFBIG ? "larger than 16 MiB" :
			    strerror(errno));
			rv = -1;
		} else {
			if (ctp_conf_load_keys(c, c->token.keys_file, buf, len,
			    &diag) != 0)
				rv = -1;
			explicit_bzero(buf, len);
			free(buf);
		}
	}
	diag_print(&diag);
	ctp_conf_diag_free(&diag);
	return rv;
}

static enum log_level
conf_log_level(const struct ctp_conf *c, int verbose)
{
	enum log_level	 l;

	switch (c->log.level) {
	case CTP_CONF_LOG_WARNING:
		l = LOGL_WARN;
		break;
	case CTP_CONF_LOG_DEBUG:
		l = LOGL_DEBUG;
		break;
	case CTP_CONF_LOG_INFO:
	default:
		l = LOGL_INFO;
		break;
	}
	if (verbose >= 2)
		return LOGL_DEBUG;
	if (verbose == 1 && l < LOGL_VERBOSE)
		return LOGL_VERBOSE;
	return l;
}

/* -------------------------------------------------------------- wiring */

static void
on_peer_up(struct peer *p, void *arg)
{
	struct ctpd	*d = arg;

	xfer_peer_up(d->xfer, p);
}

static void
on_peer_down(struct peer *p, const char *reason, void *arg)
{
	struct ctpd	*d = arg;

	(void)reason;		/* the channel logged it */
	xfer_peer_down(d->xfer, p);
}

static void
on_peer_message(struct peer *p, const struct ctp_msg *m, const uint8_t *raw,
    size_t len, void *arg)
{
	struct ctpd	*d = arg;

	xfer_peer_message(d->xfer, p, m, raw, len);
}

static void
on_mn_ctar(const struct mn_src *src, const struct ctp_msg *m, void *arg)
{
	struct ctpd	*d = arg;

	xfer_mn_ctar(d->xfer, src, m);
}

static const struct peer_events peer_events = {
	on_peer_up, on_peer_down, on_peer_message,
};
static const struct mn_events mn_events = {
	on_mn_ctar,
};

/* ------------------------------------------------------------- signals */

/*
 * Stop taking work (MN requests, control clients), send CTC for transfers
 * still running, and leave the loop once the channels had a moment to write
 * them.  A second signal leaves at once.
 */
static void
ctpd_stop(struct ctpd *d, const char *why)
{
	struct timeval	 tv = { 0, CTPD_STOP_GRACE_MS * 1000 };

	if (stopping) {
		log_info("%s again: exiting now", why);
		event_base_loopbreak(d->base);
		return;
	}
	stopping = true;
	log_info("%s: stopping", why);
	/* the engine refuses new work from here; then close its inputs */
	xfer_shutdown(d->xfer);
	mn_listener_free(d->mn);
	d->mn = NULL;
	control_free(d->control);
	d->control = NULL;
	event_base_loopexit(d->base, &tv);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ctpd	*d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
		ctpd_stop(d, "SIGTERM");
		break;
	case SIGINT:
		ctpd_stop(d, "SIGINT");
		break;
	case SIGHUP:
		log_warnx("SIGHUP: configuration reload is not supported yet; "
		    "restart ctpd to apply a new configuration");
		break;
	default:
		log_warnx("signal %d: not handled", (int)sig);
		break;
	}
}

/* ---------------------------------------------------------------- renumbering */

/* A router address came or went: SCTP associations follow (spec §9.6). */
static void
on_router_addr(const struct ctp_addr *a, bool usable, void *arg)
{
	struct ctpd	*d = arg;
	struct ctp_addr	 v[CTP_CONF_MAX_ADDRS];
	size_t		 n;

	n = rtnl_usable_list(d->rtnl, v, CTP_CONF_MAX_ADDRS);
	if (d->peers != NULL)
		peer_set_sctp_addr(d->peers, a, usable, v, n);
}

/*
 * Router addresses are followed where a peer uses SCTP: TCP and UDP bind
 * one socket per address at start and keep it.
 */
static void
rtnl_start(struct ctpd *d)
{
	size_t	 i;

	for (i = 0; i < d->conf->npeers; i++)
		if (d->conf->peers[i].transport == CTP_CONF_TR_SCTP)
			break;
	if (i == d->conf->npeers)
		return;
	if ((d->rtnl = rtnl_new(d->base, &d->conf->router.addresses,
	    on_router_addr, d)) == NULL)
		log_warnx("sctp: router addresses are not followed (no "
		    "rtnetlink): renumbering unavailable");
}

/* ---------------------------------------------------------------- main */

static void
limits_from_conf(struct ctp_limits *l, const struct ctp_conf *c)
{
	ctp_limits_default(l);
	if (c->limits.max_message < l->max_msg)
		l->max_msg = (size_t)c->limits.max_message;
	if (c->limits.max_cdbs < l->max_cdbs)
		l->max_cdbs = c->limits.max_cdbs;
}

static void
ctpd_cleanup(struct ctpd *d)
{
	mn_listener_free(d->mn);
	control_free(d->control);
	xfer_free(d->xfer);		/* may still name peers: before them */
	peer_set_free(d->peers);
	rtnl_free(d->rtnl);
	ctp_token_ctx_free(d->tctx);
	if (ev_sigterm != NULL)
		event_free(ev_sigterm);
	if (ev_sigint != NULL)
		event_free(ev_sigint);
	if (ev_sighup != NULL)
		event_free(ev_sighup);
	if (d->base != NULL)
		event_base_free(d->base);
	ctp_conf_free(d->conf);
	memset(d, 0, sizeof(*d));
}

int
main(int argc, char *argv[])
{
	struct ctpd		*d = &ctpd;
	const char		*file = CTPD_CONF_FILE, *sock = NULL;
	char			*dump;
	enum log_level		 level;
	int			 ch, dflag = 0, nflag = 0, verbose = 0, rv;

	while ((ch = getopt(argc, argv, "df:ns:vV")) != -1) {
		switch (ch) {
		case 'd':
			dflag = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			nflag = 1;
			break;
		case 's':
			sock = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("ctpd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();

	/* Until the configuration says otherwise, talk to the terminal. */
	log_init("ctpd", true, verbose ? LOGL_VERBOSE : LOGL_INFO);

	if ((d->conf = conf_load(file)) == NULL)
		return 1;
	if (nflag) {
		if (verbose) {
			if ((dump = ctp_conf_dump(d->conf, NULL)) == NULL) {
				fprintf(stderr, "ctpd: out of memory\n");
				ctp_conf_free(d->conf);
				return 1;
			}
			fputs(dump, stdout);
			free(dump);
		}
		fprintf(stderr, "configuration OK\n");
		ctp_conf_free(d->conf);
		return 0;
	}
	level = conf_log_level(d->conf, verbose);
	log_init("ctpd", true, level);
	if (conf_files(d->conf) != 0) {
		ctp_conf_free(d->conf);
		return 1;
	}
	if (sock == NULL)
		sock = d->conf->control.socket != NULL ?
		    d->conf->control.socket : CTPD_SOCKET;
	limits_from_conf(&d->limits, d->conf);

	/* A closed channel must show as an error, not kill the process. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((d->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	d->started_ms = ctpd_now_ms(d);
	if ((ev_sigterm = evsignal_new(d->base, SIGTERM, on_signal, d)) ==
	    NULL || (ev_sigint = evsignal_new(d->base, SIGINT, on_signal,
	    d)) == NULL || (ev_sighup = evsignal_new(d->base, SIGHUP,
	    on_signal, d)) == NULL || evsignal_add(ev_sigterm, NULL) == -1 ||
	    evsignal_add(ev_sigint, NULL) == -1 ||
	    evsignal_add(ev_sighup, NULL) == -1)
		fatalx("cannot set up signal events");

	/* Listeners and the control socket, then the token context. */
	rv = 1;
	if ((d->control = control_new(d, sock)) == NULL)
		goto out;
	if ((d->xfer = xfer_new(d)) == NULL) {
		log_warnx("cannot start the transfer engine");
		goto out;
	}
	if ((d->peers = peer_set_new(d, &peer_events, d)) == NULL ||
	    (d->mn = mn_listener_new(d, &mn_events, d)) == NULL)
		goto out;
	rtnl_start(d);
	if (peer_set_start(d->peers) == -1)
		goto out;
	if ((d->tctx = ctp_token_ctx_new()) == NULL) {
		log_warnx("cannot create the token context");
		goto out;
	}

	if (!dflag) {
		if (daemon(0, 0) == -1) {
			log_warn("daemon");
			goto out;
		}
		if (event_reinit(d->base) == -1)
			fatalx("cannot re-initialise the event loop");
		log_init("ctpd", d->conf->log.target == CTP_CONF_LOG_STDERR,
		    level);
	}
	log_info("ctpd %s started: router %s, %zu peers, control socket %s",
	    PACKAGE_VERSION, d->conf->router.id, d->conf->npeers, sock);
	if (event_base_dispatch(d->base) == -1)
		log_warnx("the event loop failed");
	else
		rv = 0;
	log_info("stopped");
out:
	if (rv != 0 && !stopping)
		log_warnx("start-up failed; exiting");
	ctpd_cleanup(d);
	return rv;
}
