/* SPDX-License-Identifier: ISC */
/*
 * A small access router for the ctp-mn script tests: the real MN listener
 * (ctpd/mn.c) over UDP or raw ICMP, the token checked with one key, and a
 * CTAA for every CTAR that asks for one.  Prints the port it listens on, one
 * line per CTAR, and the listener's counters when it stops.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctpd.h"
#include "log.h"

struct resp {
	struct ctpd		 d;
	struct mn_listener	*l;
	struct ctp_key		 key;
	unsigned		 ignore;	/* CTARs left to leave unanswered */
	bool			 entry;		/* answer with a failure entry */
	uint64_t		 t0;
};

static struct resp	 r;

uint64_t
ctpd_now_ms(struct ctpd *d)
{
	struct timespec	 ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
on_ctar(const struct mn_src *src, const struct ctp_msg *m, void *arg)
{
	struct ctp_msg	*a;
	uint8_t		 buf[256];
	char		 as[INET6_ADDRSTRLEN];
	size_t		 n;
	enum ctp_err	 e;
	bool		 ok;

	(void)arg;
	e = ctp_token_verify_msg(r.d.tctx, &r.key, m);
	ok = e == CTP_OK;
	inet_ntop(m->mn.len == 4 ? AF_INET : AF_INET6, m->mn.b, as,
	    sizeof(as));
	printf("ctar t=%llu mn=%s seq=0x%08x a=%d cdbs=%zu token=%s "
	    "icmp=%d\n", (unsigned long long)(ctpd_now_ms(NULL) - r.t0), as,
	    m->seq, m->hdr.x, m->ncdbs, ok ? "ok" : "bad", src->icmp);
	fflush(stdout);
	if (ok)
		mn_auth_ok(r.l, src, &m->mn);
	else
		mn_auth_failed(r.l, src, &m->mn);
	if (!m->hdr.x)
		return;
	if (ok && r.ignore > 0) {
		r.ignore--;
		return;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return;
	a->hdr.version = CTP_VERSION;
	a->hdr.type = CTP_MSG_CTAA;
	a->hdr.v4 = m->hdr.v4;
	a->mn = m->mn;
	if (!ok) {
		a->nentries = 1;
		a->entries[0].fpt = 0;
		a->entries[0].status = CTP_ST_AUTH_FAILED;
	} else if (r.entry) {
		a->nentries = 1;
		a->entries[0].fpt = 0xff02;
		a->entries[0].status = CTP_ST_NO_CONTEXT;
	}
	if (ctp_msg_encode(a, buf, sizeof(buf), &n) == CTP_OK)
		(void)mn_send_ctaa(r.l, src, buf, n);
	free(a);
}

static const struct mn_events	 events = { on_ctar };

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static uint16_t
free_port(const char *addr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len = sizeof(ss);
	int			 fd;
	uint16_t		 p = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		len = sizeof(*sin6);
	} else
		return 0;
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) == -1)
		return 0;
	if (bind(fd, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		p = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
		    sin6->sin6_port);
	close(fd);
	return p;
}

static int
set_key(const char *hex)
{
	uint8_t	 b[CTP_KEY_MAX];
	size_t	 n = 0, i, len = strlen(hex);
	int	 v;

	if (len % 2 != 0 || len / 2 > sizeof(b))
		return -1;
	for (i = 0; i < len; i += 2) {
		if (!isxdigit((unsigned char)hex[i]) ||
		    !isxdigit((unsigned char)hex[i + 1]) ||
		    sscanf(hex + i, "%2x", &v) != 1)
			return -1;
		b[n++] = (uint8_t)v;
	}
	return ctp_key_set(&r.key, b, n) == CTP_OK ? 0 : -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mn_responder [-e] [-n ignore] [-t ms] "
	    "[-T udp|icmp] [-l addr] [-I ifname] [-R rate] -k keyhex\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct ctp_conf_diag	 diag;
	struct event		*ev_term, *ev_int, *ev_timer;
	struct timeval		 tv;
	const char		*transport = "udp", *listen = "127.0.0.1",
				*ifname = NULL, *rate = "1000/s";
	char			 text[1024], ifs[128] = "";
	long			 ms = 10000;
	uint16_t		 port = 0;
	json_t			*j;
	char			*s;
	int			 ch;

	while ((ch = getopt(argc, argv, "ek:l:n:t:I:R:T:")) != -1) {
		switch (ch) {
		case 'e':
			r.entry = true;
			break;
		case 'k':
			if (set_key(optarg) == -1)
				usage();
			break;
		case 'l':
			listen = optarg;
			break;
		case 'n':
			r.ignore = (unsigned)atoi(optarg);
			break;
		case 't':
			ms = atol(optarg);
			if (ms <= 0 || ms > 60000)
				usage();
			break;
		case 'I':
			ifname = optarg;
			break;
		case 'R':
			rate = optarg;
			break;
		case 'T':
			transport = optarg;
			break;
		default:
			usage();
		}
	}
	if (!ctp_key_present(&r.key))
		usage();
	log_init("mn_responder", true, LOGL_INFO);
	if (strcmp(transport, "udp") == 0 &&
	    (port = free_port(listen)) == 0) {
		fprintf(stderr, "mn_responder: no free port on %s\n", listen);
		return 1;
	}
	if (ifname != NULL)
		snprintf(ifs, sizeof(ifs), "  interfaces: [%s]\n", ifname);
	snprintf(text, sizeof(text),
	    "router:\n  id: ar1\n  addresses: [\"%s\"]\n"
	    "mn:\n  transport: %s\n%s%s%u\n%s%s%s"
	    "limits:\n  request-rate: %s\n  request-burst: 1000\n"
	    "  per-source-rate: %s\n  per-mn-rate: %s\n",
	    listen, transport, ifs, port != 0 ? "  udp-port: " : "#", port,
	    port != 0 ? "  listen: [\"" : "", port != 0 ? listen : "",
	    port != 0 ? "\"]\n" : "", rate, rate, rate);
	ctp_conf_diag_init(&diag);
	if (ctp_conf_parse("mn_responder", (const uint8_t *)text, strlen(text),
	    0, &r.d.conf, &diag) != 0) {
		fprintf(stderr, "mn_responder: %s\n", diag.n > 0 ?
		    diag.v[0].text : "bad configuration");
		return 1;
	}
	ctp_conf_diag_free(&diag);
	ctp_limits_default(&r.d.limits);
	r.d.limits.max_msg = r.d.conf->limits.max_message;
	r.d.limits.max_cdbs = r.d.conf->limits.max_cdbs;
	if ((r.d.base = event_base_new()) == NULL ||
	    (r.d.tctx = ctp_token_ctx_new()) == NULL)
		return 1;
	r.t0 = ctpd_now_ms(NULL);
	if ((r.l = mn_listener_new(&r.d, &events, NULL)) == NULL)
		return 1;
	ev_term = evsignal_new(r.d.base, SIGTERM, on_stop, r.d.base);
	ev_int = evsignal_new(r.d.base, SIGINT, on_stop, r.d.base);
	ev_timer = evtimer_new(r.d.base, on_stop, r.d.base);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_timer, &tv);
	printf("port %u\n", port);
	fflush(stdout);
	event_base_dispatch(r.d.base);
	j = mn_listener_json(r.l);
	s = json_dumps(json_object_get(j, "counters"), JSON_COMPACT |
	    JSON_SORT_KEYS);
	printf("counters %s\n", s != NULL ? s : "{}");
	free(s);
	json_decref(j);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_timer);
	mn_listener_free(r.l);
	ctp_token_ctx_free(r.d.tctx);
	ctp_key_wipe(&r.key);
	ctp_conf_free(r.d.conf);
	event_base_free(r.d.base);
	return 0;
}
