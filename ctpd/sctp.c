/* SPDX-License-Identifier: ISC */
/*
 * SCTP sockets under TLS channels (spec §8.2 mode A, §9.4-9.6, C12, C18):
 * explicit multi-homed binds and connects, per-socket tuning set before
 * connect or listen, no notification subscribed (TLS reads the socket as a
 * byte stream), path state read back with sctp_opt_info for `show peers`.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sctp.h"

#ifndef SCTP_FUTURE_ASSOC
#define SCTP_FUTURE_ASSOC	0
#endif

#define FAM_V4		0x01
#define FAM_V6		0x02

/* tune() flags */
#define TUNE_INIT	0x01	/* before connect or listen */
#define TUNE_ASSOCINFO	0x02	/* set the association retry limit */

static const char *const sstat_names[] = {
	"EMPTY", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED",
	"SHUTDOWN_PENDING", "SHUTDOWN_SENT", "SHUTDOWN_RECEIVED",
	"SHUTDOWN_ACK_SENT", NULL
};

/* spinfo_state: SCTP_INACTIVE, SCTP_PF, SCTP_ACTIVE, SCTP_UNCONFIRMED */
static const char *const path_names[] = {
	"INACTIVE", "PF", "ACTIVE", "UNCONFIRMED", NULL
};

/* A list of addresses packed for sctp_bindx()/sctp_connectx(). */
struct addrpack {
	uint8_t		 buf[CTP_CONF_MAX_ADDRS * sizeof(struct sockaddr_in6)];
	size_t		 len;
	int		 n;
	unsigned	 fams;
	char		 text[CTP_CONF_MAX_ADDRS * (INET6_ADDRSTRLEN + 1)];
};

/* ---------------------------------------------------------------- helpers */

static unsigned
addr_fam(const struct ctp_addr *a)
{
	struct ctp_addr	 x;

	ctp_addr_norm(a, &x);
	return x.len == 4 ? FAM_V4 : FAM_V6;
}

static unsigned
addrs_fams(const struct ctp_conf_addrs *l)
{
	unsigned	 f = 0;
	size_t		 i;

	for (i = 0; i < l->n; i++)
		f |= addr_fam(&l->v[i]);
	return f;
}

size_t
transport_sctp_sa_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

int
transport_sctp_sa_addr(const struct sockaddr *sa, struct ctp_addr *a)
{
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	struct ctp_addr		 x;

	memset(&x, 0, sizeof(x));
	if (sa->sa_family == AF_INET) {
		memcpy(&s4, sa, sizeof(s4));
		x.len = 4;
		memcpy(x.b, &s4.sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&s6, sa, sizeof(s6));
		x.len = 16;
		memcpy(x.b, &s6.sin6_addr, 16);
	} else
		return -1;
	ctp_addr_norm(&x, a);
	return 0;
}

static void
pack_add(struct addrpack *pk, const struct ctp_addr *a, uint16_t port)
{
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	struct ctp_addr		 x;
	char			 s[INET6_ADDRSTRLEN];
	size_t			 tl = strlen(pk->text);

	if (pk->n >= CTP_CONF_MAX_ADDRS)
		return;
	ctp_addr_norm(a, &x);
	if (x.len == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_port = htons(port);
		memcpy(&s4.sin_addr, x.b, 4);
		memcpy(pk->buf + pk->len, &s4, sizeof(s4));
		pk->len += sizeof(s4);
		pk->fams |= FAM_V4;
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons(port);
		memcpy(&s6.sin6_addr, x.b, 16);
		memcpy(pk->buf + pk->len, &s6, sizeof(s6));
		pk->len += sizeof(s6);
		pk->fams |= FAM_V6;
	}
	pk->n++;
	snprintf(pk->text + tl, sizeof(pk->text) - tl, "%s%s",
	    tl > 0 ? ", " : "", ctp_addr_str(&x, s, sizeof(s)));
}

/* The addresses of l whose family is in fams. */
static void
pack_list(struct addrpack *pk, const struct ctp_conf_addrs *l, unsigned fams,
    uint16_t port)
{
	size_t	 i;

	memset(pk, 0, sizeof(*pk));
	for (i = 0; i < l->n; i++)
		if (addr_fam(&l->v[i]) & fams)
			pack_add(pk, &l->v[i], port);
}

/* A net.sctp sysctl of this network namespace, -1 if it does not exist. */
static int
sysctl_get(const char *name)
{
	char	 path[96], buf[32];
	FILE	*f;
	int	 v = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/sctp/%s", name);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		v = atoi(buf);
	fclose(f);
	return v;
}

static int
setopt(int fd, int opt, const char *name, const void *v, socklen_t l,
    char *why, size_t len)
{
	if (setsockopt(fd, SOL_SCTP, opt, v, l) == 0)
		return 0;
	snprintf(why, len, "setsockopt %s: %s", name, strerror(errno));
	return -1;
}

static int
getopt_int(int fd, int opt, int *v)
{
	socklen_t	 l = sizeof(*v);

	*v = 0;
	return getsockopt(fd, SOL_SCTP, opt, v, &l);
}

/* ---------------------------------------------------------------- options */

/*
 * Nothing may be subscribed on a TLS socket: notifications would arrive
 * in-band through read() and break the TLS stream (C12, FIELD-LESSONS D1).
 * Every type is turned off one by one with SCTP_EVENT; the SCTP_EVENTS
 * struct changes size between kernels (D3) and is never used.
 */
static int
events_off(int fd, char *why, size_t len)
{
#ifdef SCTP_EVENT
	struct sctp_event	 ev;
	unsigned		 t;

	for (t = SCTP_SN_TYPE_BASE; t <= SCTP_SN_TYPE_MAX; t++) {
		memset(&ev, 0, sizeof(ev));
		ev.se_assoc_id = SCTP_FUTURE_ASSOC;
		ev.se_type = (uint16_t)t;
		ev.se_on = 0;
		/* EINVAL: a type this kernel does not know is never on. */
		if (setsockopt(fd, SOL_SCTP, SCTP_EVENT, &ev, sizeof(ev)) ==
		    -1 && errno != EINVAL) {
			snprintf(why, len, "setsockopt SCTP_EVENT (type 0x%x "
			    "off): %s", t, strerror(errno));
			return -1;
		}
	}
#else
	(void)fd;
	(void)why;
	(void)len;
#endif
	return 0;
}

/*
 * Notification types subscribed on fd, read back with SCTP_EVENT; the first
 * one in *first.  -1 if this kernel or build cannot tell.
 */
static int
events_on(int fd, unsigned *first)
{
#ifdef SCTP_EVENT
	struct sctp_event	 ev;
	socklen_t		 l;
	unsigned		 t;
	int			 n = 0;

	for (t = SCTP_SN_TYPE_BASE; t <= SCTP_SN_TYPE_MAX; t++) {
		memset(&ev, 0, sizeof(ev));
		ev.se_type = (uint16_t)t;
		l = sizeof(ev);
		if (getsockopt(fd, SOL_SCTP, SCTP_EVENT, &ev, &l) == -1) {
			if (errno == EINVAL)
				continue;
			return -1;
		}
		if (ev.se_on && n++ == 0)
			*first = t;
	}
	return n;
#else
	(void)fd;
	(void)first;
	return -1;
#endif
}

/*
 * ADDIP needs ASCONF and AUTH at both ends before the association exists
 * (spec §9.4, FIELD-LESSONS C1).  They are set per socket where the kernel
 * has the options (Linux 5.4); otherwise the net.sctp sysctls decide.
 * Without them channels still work, but their addresses cannot change: say
 * once what to enable.
 */
static void
addip_enable(int fd)
{
	static bool	 warned;
	const char	*how = "this build has no per-socket "
			    "SCTP_ASCONF_SUPPORTED";
	char		 buf[96];
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	struct sctp_assoc_value	 av;
	const char		*opt = "SCTP_AUTH_SUPPORTED";

	memset(&av, 0, sizeof(av));
	av.assoc_id = SCTP_FUTURE_ASSOC;
	av.assoc_value = 1;
	if (setsockopt(fd, SOL_SCTP, SCTP_AUTH_SUPPORTED, &av,
	    sizeof(av)) == 0) {
		opt = "SCTP_ASCONF_SUPPORTED";
		if (setsockopt(fd, SOL_SCTP, SCTP_ASCONF_SUPPORTED, &av,
		    sizeof(av)) == 0)
			return;
	}
	snprintf(buf, sizeof(buf), "setsockopt %s: %s%s", opt,
	    strerror(errno), errno == ENOPROTOOPT ? " (kernel before 5.4)" :
	    "");
	how = buf;
#else
	(void)fd;
	(void)buf;
#endif
	if (warned || (sysctl_get("addip_enable") == 1 &&
	    sysctl_get("auth_enable") == 1))
		return;
	warned = true;
	log_warnx("sctp: ADDIP is off for new associations (%s): set "
	    "net.sctp.addip_enable=1 and net.sctp.auth_enable=1 in this "
	    "network namespace; channels work, but their addresses cannot "
	    "change while they are up", how);
}

/*
 * The tuning of peers[].sctp (spec §9.6).  Before connect or listen it
 * sets the endpoint's defaults, which the association copies; on an
 * accepted association it changes the association and all its paths.
 * 0, or -1 with the failing option named in why.
 */
static int
tune(int fd, const struct ctp_conf_sctp *s, unsigned flags, char *why,
    size_t len)
{
	static bool		 warned_thlds;
	struct sctp_rtoinfo	 rto;
	struct sctp_assocparams	 ap;
	struct sctp_paddrparams	 pp;
	struct sctp_sack_info	 sk;
	struct sctp_initmsg	 im;
#ifdef SCTP_PEER_ADDR_THLDS
	struct sctp_paddrthlds	 th;
#endif
#ifdef SCTP_DEFAULT_SNDINFO
	struct sctp_sndinfo	 si;
#endif
	int			 one = 1, zero = 0;
	char			 err[160];

	if (flags & TUNE_INIT) {
		/* TLS runs on stream 0, one stream pair is enough (§8.2). */
		memset(&im, 0, sizeof(im));
		im.sinit_num_ostreams = 1;
		im.sinit_max_instreams = 1;
		if (setopt(fd, SCTP_INITMSG, "SCTP_INITMSG", &im, sizeof(im),
		    why, len) == -1)
			return -1;
	}
	/* Bundling off (§8.1); FIELD-LESSONS F1: 200 ms per message. */
	if (setopt(fd, SCTP_NODELAY, "SCTP_NODELAY", &one, sizeof(one), why,
	    len) == -1)
		return -1;
	memset(&rto, 0, sizeof(rto));
	rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
	rto.srto_initial = s->rto_initial_ms;
	rto.srto_min = s->rto_min_ms;
	rto.srto_max = s->rto_max_ms;
	if (setsockopt(fd, SOL_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)) == -1) {
		snprintf(why, len, "setsockopt SCTP_RTOINFO (initial %u ms, "
		    "min %u ms, max %u ms): %s", s->rto_initial_ms,
		    s->rto_min_ms, s->rto_max_ms, strerror(errno));
		return -1;
	}
	memset(&pp, 0, sizeof(pp));
	pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
	pp.spp_hbinterval = s->hb_interval_ms;
	pp.spp_pathmaxrxt = (uint16_t)s->path_max_retrans;
	pp.spp_sackdelay = s->sack_delay_ms;
	pp.spp_flags = SPP_HB_ENABLE | (s->sack_delay_ms > 0 ?
	    SPP_SACKDELAY_ENABLE : SPP_SACKDELAY_DISABLE);
	if (setsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
	    sizeof(pp)) == -1) {
		int	 e = errno;
#ifdef SCTP_EVENT
		/*
		 * Kernels before 4.17 take the struct without the flow label
		 * and DSCP (FIELD-LESSONS D3); headers with SCTP_EVENT have
		 * both fields.
		 */
		socklen_t	 ol = (socklen_t)((offsetof(struct
		    sctp_paddrparams, spp_ipv6_flowlabel) + 3) & ~3u);

		if (e == EINVAL && setsockopt(fd, SOL_SCTP,
		    SCTP_PEER_ADDR_PARAMS, &pp, ol) == 0)
			e = 0;
#endif
		if (e != 0) {
			snprintf(why, len, "setsockopt SCTP_PEER_ADDR_PARAMS "
			    "(hb-interval %u ms, path-max-retrans %u, "
			    "sack-delay %u ms): %s", s->hb_interval_ms,
			    s->path_max_retrans, s->sack_delay_ms,
			    strerror(e));
			return -1;
		}
	}
	/* sack_freq 1 acknowledges every packet at once: delayed SACK off. */
	memset(&sk, 0, sizeof(sk));
	sk.sack_assoc_id = SCTP_FUTURE_ASSOC;
	sk.sack_delay = s->sack_delay_ms;
	sk.sack_freq = s->sack_delay_ms > 0 ? 2 : 1;
	if (setopt(fd, SCTP_DELAYED_SACK, "SCTP_DELAYED_SACK", &sk,
	    sizeof(sk), why, len) == -1)
		return -1;
#ifdef SCTP_PEER_ADDR_THLDS
	memset(&th, 0, sizeof(th));
	th.spt_assoc_id = SCTP_FUTURE_ASSOC;
	th.spt_pathmaxrxt = (uint16_t)s->path_max_retrans;
	th.spt_pathpfthld = (uint16_t)s->pf_threshold;
	if (setsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_THLDS, &th,
	    sizeof(th)) == -1) {
		if (errno != ENOPROTOOPT) {
			snprintf(why, len, "setsockopt SCTP_PEER_ADDR_THLDS "
			    "(pf-threshold %u): %s", s->pf_threshold,
			    strerror(errno));
			return -1;
		}
		if (!warned_thlds)
			log_warnx("sctp: pf-threshold ignored: this kernel "
			    "has no SCTP_PEER_ADDR_THLDS (Linux 3.8)");
		warned_thlds = true;
	}
#else
	(void)warned_thlds;
#endif
	if (flags & TUNE_ASSOCINFO) {
		memset(&ap, 0, sizeof(ap));
		ap.sasoc_assoc_id = SCTP_FUTURE_ASSOC;
		ap.sasoc_asocmaxrxt = (uint16_t)s->assoc_max_retrans;
		if (setsockopt(fd, SOL_SCTP, SCTP_ASSOCINFO, &ap,
		    sizeof(ap)) == -1) {
			snprintf(err, sizeof(err), "setsockopt SCTP_ASSOCINFO "
			    "(assoc-max-retrans %u): %s", s->assoc_max_retrans,
			    strerror(errno));
			if (flags & TUNE_INIT) {
				snprintf(why, len, "%s", err);
				return -1;
			}
			/*
			 * Linux refuses a limit above the sum of the paths'
			 * limits on a live multi-homed association.
			 */
			log_warnx("sctp: %s; the listener's value stays", err);
		}
	}
#ifdef SCTP_AUTO_ASCONF
	/* Only for wildcard binds, which ctpd never makes (B1). */
	if (setopt(fd, SCTP_AUTO_ASCONF, "SCTP_AUTO_ASCONF", &zero,
	    sizeof(zero), why, len) == -1)
		return -1;
#else
	(void)zero;
#endif
#ifdef SCTP_DEFAULT_SNDINFO
	/* What TLS writes goes on stream 0, ordered, with our PPID (§8.1). */
	memset(&si, 0, sizeof(si));
	si.snd_assoc_id = SCTP_FUTURE_ASSOC;
	si.snd_ppid = htonl(s->ppid);
	if (setopt(fd, SCTP_DEFAULT_SNDINFO, "SCTP_DEFAULT_SNDINFO", &si,
	    sizeof(si), why, len) == -1)
		return -1;
#endif
	return events_off(fd, why, len);
}

/*
 * sctp_bindx failed for the addresses in pk: find the one that cannot be
 * bound on its own, so that the message names it (FIELD-LESSONS A9).
 */
static void
bind_reason(const struct addrpack *pk, uint16_t port, int err, char *why,
    size_t len)
{
	const struct sockaddr	*sa;
	struct ctp_addr		 a;
	char			 s[INET6_ADDRSTRLEN];
	size_t			 off, l;
	int			 fd, e;

	for (off = 0; off < pk->len; off += l) {
		sa = (const struct sockaddr *)(const void *)(pk->buf + off);
		if ((l = transport_sctp_sa_len(sa)) == 0)
			break;
		if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC,
		    IPPROTO_SCTP)) == -1)
			break;
		e = bind(fd, sa, (socklen_t)l) == -1 ? errno : 0;
		close(fd);
		if (e != 0 && transport_sctp_sa_addr(sa, &a) == 0) {
			snprintf(why, len, "cannot bind local address %s "
			    "port %u: %s", ctp_addr_str(&a, s, sizeof(s)), port,
			    strerror(e));
			return;
		}
	}
	snprintf(why, len, "cannot bind local addresses %s port %u: %s",
	    pk->text, port, strerror(err));
}

/*
 * Bind fd to the addresses of pk one by one (A9, C3): one not on this
 * host, or still tentative (EADDRNOTAVAIL), is left out and named in
 * missing; it is added when it appears (transport_sctp_addr_add).  The
 * addresses bound go to bound.  0 if at least one was bound; -1 with the
 * reason in why if none was, or on another error.
 */
static int
bind_present(int fd, const struct addrpack *pk, uint16_t port, char *bound,
    size_t blen, char *missing, size_t mlen, char *why, size_t len)
{
	const struct sockaddr	*sa;
	struct ctp_addr		 a;
	struct addrpack		 one;
	char			 s[INET6_ADDRSTRLEN];
	size_t			 off, l, bl, ml;
	int			 n = 0, e;

	bound[0] = missing[0] = '\0';
	for (off = 0; off < pk->len; off += l) {
		sa = (const struct sockaddr *)(const void *)(pk->buf + off);
		if ((l = transport_sctp_sa_len(sa)) == 0 ||
		    transport_sctp_sa_addr(sa, &a) == -1)
			break;
		ctp_addr_str(&a, s, sizeof(s));
		if (sctp_bindx(fd, (struct sockaddr *)(uintptr_t)sa, 1,
		    SCTP_BINDX_ADD_ADDR) == 0) {
			bl = strlen(bound);
			snprintf(bound + bl, blen - bl, "%s%s", n++ > 0 ?
			    ", " : "", s);
			continue;
		}
		if ((e = errno) != EADDRNOTAVAIL) {
			memset(&one, 0, sizeof(one));
			pack_add(&one, &a, port);
			bind_reason(&one, port, e, why, len);
			return -1;
		}
		ml = strlen(missing);
		snprintf(missing + ml, mlen - ml, "%s%s", ml > 0 ? ", " : "",
		    s);
	}
	if (n == 0) {
		snprintf(why, len, "cannot bind local addresses %s port %u: "
		    "%s (none is on this host yet)", pk->text, port,
		    strerror(EADDRNOTAVAIL));
		return -1;
	}
	return 0;
}

static int
sock_new(unsigned fams, char *why, size_t len)
{
	int	 fd;

	/* AF_INET6 carries both families (IPv4 in sockaddr_in). */
	fd = socket(fams & FAM_V6 ? AF_INET6 : AF_INET, SOCK_STREAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
	if (fd == -1)
		snprintf(why, len, "socket(IPPROTO_SCTP): %s", strerror(errno));
	return fd;
}

/* ---------------------------------------------------------------- API */

int
transport_sctp_probe(char *why, size_t len)
{
	static const char *const	 ext[] = { "", ".xz", ".zst", ".gz" };
	struct utsname			 u;
	struct stat			 sb;
	char				 path[320];
	size_t				 i;
	int				 fd, err;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    IPPROTO_SCTP)) != -1) {
		close(fd);
		return 0;
	}
	err = errno;
	if (err != EPROTONOSUPPORT && err != ESOCKTNOSUPPORT) {
		snprintf(why, len, "cannot open an SCTP socket: %s (a "
		    "security policy may forbid it)", strerror(err));
		return -1;
	}
	if (uname(&u) == -1)
		snprintf(u.release, sizeof(u.release), "?");
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/kernel/net/"
		    "sctp/sctp.ko%s", u.release, ext[i]);
		if (stat(path, &sb) == 0) {
			snprintf(why, len, "kernel module sctp not loaded "
			    "(modprobe sctp hmac; check /etc/modprobe.d for "
			    "a blacklist)");
			return -1;
		}
	}
	snprintf(why, len, "kernel %s has no SCTP (CONFIG_IP_SCTP unset, "
	    "no sctp module)", u.release);
	return -1;
}

int
transport_sctp_listen(const struct ctp_conf *c, unsigned fams,
    const struct ctp_conf_sctp *s, char *why, size_t len)
{
	struct addrpack	 pk;
	uint16_t	 port = c->router.port;
	char		 bound[sizeof(pk.text)], missing[sizeof(pk.text)];
	int		 fd, one = 1;

	pack_list(&pk, &c->router.addresses, fams, port);
	if (pk.n == 0) {
		snprintf(why, len, "no router address for the sctp peers");
		return -1;
	}
	if ((fd = sock_new(pk.fams, why, len)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (tune(fd, s, TUNE_INIT | TUNE_ASSOCINFO, why, len) == -1)
		goto fail;
	addip_enable(fd);
	/* The configured addresses only, never the wildcard (B1, B5). */
	if (bind_present(fd, &pk, port, bound, sizeof(bound), missing,
	    sizeof(missing), why, len) == -1)
		goto fail;
	if (listen(fd, 64) == -1) {
		/* KERNEL-LAB §3: the cookie's HMAC comes from a module. */
		snprintf(why, len, "listen on %s port %u: %s%s", bound, port,
		    strerror(errno), errno == ENOSYS ? " (the SCTP cookie "
		    "needs hmac: modprobe hmac)" : "");
		goto fail;
	}
	if (missing[0] != '\0')
		log_warnx("sctp: router address(es) %s not on this host or "
		    "still tentative: listening on %s port %u; they are added "
		    "when they appear", missing, bound, port);
	else
		log_verbose("sctp: listening on %s port %u", bound, port);
	return fd;
 fail:
	close(fd);
	return -1;
}

int
transport_sctp_connect(const struct ctp_conf *c,
    const struct ctp_conf_peer *p, char *why, size_t len)
{
	struct addrpack	 lp, rp;
	char		 bound[sizeof(lp.text)], missing[sizeof(lp.text)];
	unsigned	 fams;
	sctp_assoc_t	 id = 0;
	int		 fd;

	fams = addrs_fams(&c->router.addresses) & addrs_fams(&p->addresses);
	pack_list(&lp, &c->router.addresses, fams, 0);
	pack_list(&rp, &p->addresses, fams, p->port);
	if (lp.n == 0 || rp.n == 0) {
		snprintf(why, len, "no address family in common with "
		    "router.addresses");
		return -1;
	}
	if ((fd = sock_new(fams, why, len)) == -1)
		return -1;
	if (tune(fd, &p->sctp, TUNE_INIT | TUNE_ASSOCINFO, why, len) == -1)
		goto fail;
	addip_enable(fd);
	if (bind_present(fd, &lp, 0, bound, sizeof(bound), missing,
	    sizeof(missing), why, len) == -1)
		goto fail;
	if (missing[0] != '\0')
		log_verbose("peer %s: sctp: router address(es) %s not on this "
		    "host or still tentative: left out of the association",
		    p->name, missing);
	/* INIT goes to the first address; all of them join (§9.6). */
	if (sctp_connectx(fd, (struct sockaddr *)(void *)rp.buf, rp.n,
	    &id) == -1 && errno != EINPROGRESS) {
		snprintf(why, len, "connect to %s port %u: %s", rp.text,
		    p->port, strerror(errno));
		goto fail;
	}
	log_verbose("peer %s: sctp: connecting from %s to %s port %u",
	    p->name, bound, rp.text, p->port);
	return fd;
 fail:
	close(fd);
	return -1;
}

int
transport_sctp_accepted(int fd, const struct ctp_conf_peer *p,
    const struct ctp_conf_sctp *ls, char *why, size_t len)
{
	const struct ctp_conf_sctp	*s = &p->sctp;

	/*
	 * Linux gives the accepted socket an endpoint of its own with the
	 * namespace's ADDIP default, not the listener's: without this a
	 * sctp_bindx on it sends no ASCONF and says nothing (issue 5 §3).
	 */
	addip_enable(fd);
	/* The association took its settings from the listener. */
	if (memcmp(s, ls, sizeof(*s)) == 0)
		return 0;
	return tune(fd, s, s->assoc_max_retrans != ls->assoc_max_retrans ?
	    TUNE_ASSOCINFO : 0, why, len);
}

/*
 * Configured addresses of p (in a family both ends use) that are not paths
 * of the association, as text in buf; how many.
 */
static size_t
paths_missing(const struct ctp_conf *c, const struct ctp_conf_peer *p,
    const struct ctp_addr *v, size_t n, char *buf, size_t len)
{
	struct ctp_addr	 x;
	unsigned	 fams;
	size_t		 i, j, miss = 0, bl;
	char		 s[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	fams = addrs_fams(&c->router.addresses);
	for (i = 0; i < p->addresses.n; i++) {
		ctp_addr_norm(&p->addresses.v[i], &x);
		if ((addr_fam(&x) & fams) == 0)
			continue;
		for (j = 0; j < n; j++)
			if (v[j].len == x.len &&
			    memcmp(v[j].b, x.b, x.len) == 0)
				break;
		if (j < n)
			continue;
		bl = strlen(buf);
		snprintf(buf + bl, len - bl, "%s%s", miss++ > 0 ? ", " : "",
		    ctp_addr_str(&x, s, sizeof(s)));
	}
	return miss;
}

int
transport_sctp_check(int fd, const struct ctp_conf *c,
    const struct ctp_conf_peer *p, unsigned *warned, char *why, size_t len)
{
	struct ctp_addr	 v[CTP_CONF_MAX_ADDRS];
	char		 paths[CTP_CONF_MAX_ADDRS * (INET6_ADDRSTRLEN + 2)];
	char		 miss[sizeof(paths)], s[INET6_ADDRSTRLEN];
	size_t		 i, n, pl = 0;
	unsigned	 first = 0;
	int		 nodelay, nev, asconf = -1, auth = -1;
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	struct sctp_assoc_value	 av;
	socklen_t		 l;
#endif

	/* Set before connect; read back, as a silent failure costs 200 ms. */
	if (getopt_int(fd, SCTP_NODELAY, &nodelay) == -1) {
		snprintf(why, len, "getsockopt SCTP_NODELAY: %s",
		    strerror(errno));
		return -1;
	}
	if (nodelay != 1) {
		snprintf(why, len, "SCTP_NODELAY reads back %d after it was "
		    "set to 1", nodelay);
		return -1;
	}
	if ((nev = events_on(fd, &first)) > 0) {
		snprintf(why, len, "%d SCTP notification type(s) subscribed "
		    "(first 0x%x): they would reach TLS", nev, first);
		return -1;
	}
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	/* On a live association: what both ends negotiated. */
	memset(&av, 0, sizeof(av));
	l = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_ASCONF_SUPPORTED, &av, &l) == 0)
		asconf = av.assoc_value != 0;
	memset(&av, 0, sizeof(av));
	l = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_AUTH_SUPPORTED, &av, &l) == 0)
		auth = av.assoc_value != 0;
#endif
	n = transport_sctp_peer_addrs(fd, v, CTP_CONF_MAX_ADDRS);
	paths[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(paths + pl, sizeof(paths) - pl, "%s%s",
		    i > 0 ? ", " : "", ctp_addr_str(&v[i], s, sizeof(s)));
		pl = strlen(paths);
	}
	log_verbose("peer %s: sctp: association up, %zu path(s) (%s), "
	    "SCTP_NODELAY %d read back, notifications subscribed: %s, "
	    "ASCONF %s, AUTH %s", p->name, n, paths, nodelay,
	    nev == 0 ? "none" : "unknown",
	    asconf == -1 ? "unknown" : asconf ? "yes" : "no",
	    auth == -1 ? "unknown" : auth ? "yes" : "no");
	if ((asconf == 0 || auth == 0) &&
	    !(*warned & TRANSPORT_SCTP_W_ADDIP)) {
		*warned |= TRANSPORT_SCTP_W_ADDIP;
		log_warnx("peer %s: sctp: renumbering unavailable: "
		    "association without ADDIP (ASCONF %s, AUTH %s); set "
		    "net.sctp.addip_enable=1 and net.sctp.auth_enable=1 on the "
		    "peer, or run it on Linux 5.4 or later; the channel works, "
		    "but its addresses cannot change while it is up", p->name,
		    asconf ? "yes" : "no", auth ? "yes" : "no");
	}
	if (n > 0 && paths_missing(c, p, v, n, miss, sizeof(miss)) > 0 &&
	    !(*warned & TRANSPORT_SCTP_W_PATHS)) {
		*warned |= TRANSPORT_SCTP_W_PATHS;
		log_warnx("peer %s: sctp: configured address(es) %s not in the "
		    "association: the peer did not offer them (not bound "
		    "there, or left out by address scoping: a private address "
		    "behind a global first one, net.sctp.addr_scope_policy)",
		    p->name, miss);
	}
	return 0;
}

/* ---------------------------------------------------------------- renumbering */

const char *const transport_sctp_change_names[] = {
	"done", "nothing to do", "no ASCONF", "last address", "failed", NULL
};

/* a as a sockaddr with port; its length. */
static socklen_t
addr_sockaddr(const struct ctp_addr *a, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct addrpack	 pk;

	memset(&pk, 0, sizeof(pk));
	pack_add(&pk, a, port);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, pk.buf, pk.len);
	return (socklen_t)pk.len;
}

/*
 * Whether a is among the local addresses of fd: the endpoint's (id 0) or
 * the association's (id not 0; Linux ignores its value on a one-to-one
 * socket).  *n: how many there are.  -1 if they cannot be read.
 */
static int
local_has(int fd, sctp_assoc_t id, const struct ctp_addr *a, size_t *n)
{
	struct sockaddr	*sa, *all = NULL;
	struct ctp_addr	 x, y;
	size_t		 i, off = 0, l;
	int		 cnt, found = 0;

	*n = 0;
	ctp_addr_norm(a, &x);
	if ((cnt = sctp_getladdrs(fd, id, &all)) < 0)
		return -1;
	for (i = 0; i < (size_t)cnt; i++) {
		sa = (struct sockaddr *)(void *)((uint8_t *)all + off);
		if ((l = transport_sctp_sa_len(sa)) == 0)
			break;
		if (transport_sctp_sa_addr(sa, &y) == 0 && y.len == x.len &&
		    memcmp(y.b, x.b, x.len) == 0)
			found = 1;
		off += l;
	}
	*n = (size_t)cnt;
	if (cnt > 0)
		sctp_freeladdrs(all);
	return found;
}

/*
 * What can be done on fd for a: its domain takes a's family, its local
 * port in *port, and, where fd carries an association, *id, whether it is
 * established and whether both ends negotiated ASCONF and AUTH.  Returns
 * TRANSPORT_SCTP_CH_DONE to go on, another value (reason in why) if not.
 */
static enum transport_sctp_ch
change_ready(int fd, const struct ctp_addr *a, uint16_t *port,
    sctp_assoc_t *id, char *why, size_t len)
{
	struct sockaddr_storage	 ss;
	struct sctp_status	 st;
	socklen_t		 l;
	int			 dom;
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	struct sctp_assoc_value	 av;
	int			 asconf, auth;
#endif

	l = sizeof(dom);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) == -1) {
		snprintf(why, len, "getsockopt SO_DOMAIN: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	if (dom == AF_INET && addr_fam(a) == FAM_V6) {
		snprintf(why, len, "an IPv4 socket (no IPv6 peer address "
		    "configured)");
		return TRANSPORT_SCTP_CH_NONE;
	}
	l = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &l) == -1) {
		snprintf(why, len, "getsockname: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)(void *)&ss)->sin6_port :
	    ((struct sockaddr_in *)(void *)&ss)->sin_port);
	*id = 0;
	memset(&st, 0, sizeof(st));
	l = sizeof(st);
	if (sctp_opt_info(fd, 0, SCTP_STATUS, &st, &l) == -1)
		return TRANSPORT_SCTP_CH_DONE;	/* a listener */
	if (st.sstat_state != SCTP_ESTABLISHED) {
		snprintf(why, len, "association not established (%s)",
		    st.sstat_state >= 0 && st.sstat_state < (int32_t)(sizeof(
		    sstat_names) / sizeof(sstat_names[0]) - 1) ?
		    sstat_names[st.sstat_state] : "?");
		return TRANSPORT_SCTP_CH_NONE;
	}
	/* any id but 0 names the association of a one-to-one socket */
	*id = st.sstat_assoc_id != 0 ? st.sstat_assoc_id : 1;
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	asconf = auth = 1;
	memset(&av, 0, sizeof(av));
	l = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_ASCONF_SUPPORTED, &av, &l) == 0)
		asconf = av.assoc_value != 0;
	memset(&av, 0, sizeof(av));
	l = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_AUTH_SUPPORTED, &av, &l) == 0)
		auth = av.assoc_value != 0;
	if (!asconf || !auth) {
		snprintf(why, len, "no ADDIP on this association (ASCONF %s, "
		    "AUTH %s)", asconf ? "yes" : "no", auth ? "yes" : "no");
		return TRANSPORT_SCTP_CH_NOASCONF;
	}
#endif
	return TRANSPORT_SCTP_CH_DONE;
}

enum transport_sctp_ch
transport_sctp_addr_add(int fd, const struct ctp_addr *a, char *why,
    size_t len)
{
	struct sockaddr_storage	 ss;
	enum transport_sctp_ch	 r;
	sctp_assoc_t		 id;
	uint16_t		 port;
	size_t			 n;
	int			 h;

	why[0] = '\0';
	if ((r = change_ready(fd, a, &port, &id, why, len)) !=
	    TRANSPORT_SCTP_CH_DONE)
		return r;
	if ((h = local_has(fd, 0, a, &n)) == -1) {
		snprintf(why, len, "sctp_getladdrs: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	if (h == 1) {
		snprintf(why, len, "already bound");
		return TRANSPORT_SCTP_CH_NONE;
	}
	/*
	 * The port bound already: Linux sends ASCONF ADD-IP (behind AUTH)
	 * on the association (spec §9.6); until its ACK the address is no
	 * source but for ASCONF (§9.1).
	 */
	(void)addr_sockaddr(a, port, &ss);
	if (sctp_bindx(fd, (struct sockaddr *)&ss, 1, SCTP_BINDX_ADD_ADDR) ==
	    -1) {
		snprintf(why, len, "sctp_bindx ADD: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	return TRANSPORT_SCTP_CH_DONE;
}

enum transport_sctp_ch
transport_sctp_addr_del(int fd, const struct ctp_addr *a,
    const struct ctp_addr *usable, size_t nusable, struct ctp_addr *prim,
    char *why, size_t len)
{
	struct sockaddr_storage	 ss;
	struct sctp_setpeerprim	 sp;
	enum transport_sctp_ch	 r;
	struct ctp_addr		 x, y;
	sctp_assoc_t		 id;
	socklen_t		 sl;
	uint16_t		 port;
	size_t			 i, n, an = 0;
	int			 h;
	char			 s[INET6_ADDRSTRLEN];

	why[0] = '\0';
	memset(prim, 0, sizeof(*prim));
	if ((r = change_ready(fd, a, &port, &id, why, len)) !=
	    TRANSPORT_SCTP_CH_DONE)
		return r;
	if ((h = local_has(fd, 0, a, &n)) == -1) {
		snprintf(why, len, "sctp_getladdrs: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	if (h == 0) {
		snprintf(why, len, "not bound");
		return TRANSPORT_SCTP_CH_NONE;
	}
	if (id != 0 && (h = local_has(fd, id, a, &an)) == -1) {
		snprintf(why, len, "sctp_getladdrs: %s", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	/* Never the last one: the peer would refuse it (0x00A0, §9.1). */
	if (n <= 1 || (id != 0 && h == 1 && an <= 1)) {
		snprintf(why, len, "the last local address");
		return TRANSPORT_SCTP_CH_LAST;
	}
	/*
	 * The peer may be sending to a: first ask it to use another one
	 * (ASCONF Set Primary, a local address, §9.5).  Linux keeps one
	 * ASCONF outstanding and queues the rest, so a Set Primary of an
	 * address just added goes out after that ADD-IP was acknowledged
	 * (C2), and the DELETE-IP after the Set Primary.
	 */
	ctp_addr_norm(a, &x);
	for (i = 0; id != 0 && h == 1 && i < nusable; i++) {
		ctp_addr_norm(&usable[i], &y);
		if (y.len == x.len && memcmp(y.b, x.b, x.len) == 0)
			continue;
		if (local_has(fd, id, &y, &an) != 1)
			continue;
		memset(&sp, 0, sizeof(sp));
		sl = addr_sockaddr(&y, port, &ss);
		memcpy(&sp.sspp_addr, &ss, sl);
		if (setsockopt(fd, SOL_SCTP, SCTP_SET_PEER_PRIMARY_ADDR, &sp,
		    sizeof(sp)) == -1)
			snprintf(why, len, "SCTP_SET_PEER_PRIMARY_ADDR %s: %s",
			    ctp_addr_str(&y, s, sizeof(s)), strerror(errno));
		else
			*prim = y;
		break;
	}
	(void)addr_sockaddr(a, port, &ss);
	if (sctp_bindx(fd, (struct sockaddr *)&ss, 1, SCTP_BINDX_REM_ADDR) ==
	    -1) {
		n = strlen(why);
		snprintf(why + n, len - n, "%ssctp_bindx REM: %s", n > 0 ?
		    "; " : "", strerror(errno));
		return TRANSPORT_SCTP_CH_FAILED;
	}
	return TRANSPORT_SCTP_CH_DONE;
}

size_t
transport_sctp_peer_addrs(int fd, struct ctp_addr *v, size_t max)
{
	struct sockaddr	*sa, *all = NULL;
	size_t		 i, n = 0, off = 0, l;
	int		 cnt;

	if ((cnt = sctp_getpaddrs(fd, 0, &all)) <= 0)
		return 0;
	for (i = 0; i < (size_t)cnt && n < max; i++) {
		sa = (struct sockaddr *)(void *)((uint8_t *)all + off);
		if ((l = transport_sctp_sa_len(sa)) == 0)
			break;
		if (transport_sctp_sa_addr(sa, &v[n]) == 0)
			n++;
		off += l;
	}
	sctp_freepaddrs(all);
	return n;
}

static json_t *
addrs_json(struct sockaddr *all, int cnt)
{
	json_t		*arr;
	struct sockaddr	*sa;
	struct ctp_addr	 a;
	char		 s[INET6_ADDRSTRLEN];
	size_t		 off = 0, l;
	int		 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < cnt; i++) {
		sa = (struct sockaddr *)(void *)((uint8_t *)all + off);
		if ((l = transport_sctp_sa_len(sa)) == 0)
			break;
		if (transport_sctp_sa_addr(sa, &a) == 0)
			json_array_append_new(arr, json_string(
			    ctp_addr_str(&a, s, sizeof(s))));
		off += l;
	}
	return arr;
}

static json_t *
path_json(int fd, const struct sockaddr *sa, size_t l,
    const struct ctp_addr *primary)
{
	struct sctp_paddrinfo	 pi;
	struct ctp_addr		 a;
	socklen_t		 sl = sizeof(pi);
	char			 s[INET6_ADDRSTRLEN];
	const char		*st = "UNKNOWN";

	if (transport_sctp_sa_addr(sa, &a) == -1)
		return NULL;
	memset(&pi, 0, sizeof(pi));
	memcpy(&pi.spinfo_address, sa, l);
	if (sctp_opt_info(fd, 0, SCTP_GET_PEER_ADDR_INFO, &pi, &sl) == -1)
		return json_pack("{s:s, s:s, s:b}", "address",
		    ctp_addr_str(&a, s, sizeof(s)), "path_state", "UNKNOWN",
		    "primary", a.len == primary->len &&
		    memcmp(a.b, primary->b, a.len) == 0);
	if (pi.spinfo_state >= 0 && pi.spinfo_state < (int32_t)(sizeof(
	    path_names) / sizeof(path_names[0]) - 1))
		st = path_names[pi.spinfo_state];
	return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I}",
	    "address", ctp_addr_str(&a, s, sizeof(s)),
	    "path_state", st,
	    "primary", a.len == primary->len &&
	    memcmp(a.b, primary->b, a.len) == 0,
	    "rto_ms", (json_int_t)pi.spinfo_rto,
	    "srtt_ms", (json_int_t)pi.spinfo_srtt,
	    "cwnd", (json_int_t)pi.spinfo_cwnd,
	    "mtu", (json_int_t)pi.spinfo_mtu);
}

/*
 * The settings in force, read back from the association (sctp_opt_info
 * knows only RTOINFO, ASSOCINFO, STATUS and GET_PEER_ADDR_INFO).
 */
static json_t *
settings_json(int fd)
{
	struct sctp_rtoinfo	 rto;
	struct sctp_paddrparams	 pp;
	struct sctp_assocparams	 ap;
	struct sctp_sack_info	 sk;
#ifdef SCTP_PEER_ADDR_THLDS
	struct sctp_paddrthlds	 th;
#endif
	socklen_t		 l;
	json_t			*o;
	int			 v;

	if ((o = json_object()) == NULL)
		return NULL;
	if (getopt_int(fd, SCTP_NODELAY, &v) == 0)
		json_object_set_new(o, "nodelay", json_boolean(v != 0));
	memset(&rto, 0, sizeof(rto));
	l = sizeof(rto);
	if (sctp_opt_info(fd, 0, SCTP_RTOINFO, &rto, &l) == 0) {
		json_object_set_new(o, "rto_initial_ms",
		    json_integer(rto.srto_initial));
		json_object_set_new(o, "rto_min_ms",
		    json_integer(rto.srto_min));
		json_object_set_new(o, "rto_max_ms",
		    json_integer(rto.srto_max));
	}
	memset(&pp, 0, sizeof(pp));
	l = sizeof(pp);
	if (getsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &l) == 0) {
		json_object_set_new(o, "hb_interval_ms",
		    json_integer(pp.spp_hbinterval));
		json_object_set_new(o, "path_max_retrans",
		    json_integer(pp.spp_pathmaxrxt));
	}
#ifdef SCTP_PEER_ADDR_THLDS
	memset(&th, 0, sizeof(th));
	l = sizeof(th);
	if (getsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_THLDS, &th, &l) == 0)
		json_object_set_new(o, "pf_threshold",
		    json_integer(th.spt_pathpfthld));
#endif
	memset(&ap, 0, sizeof(ap));
	l = sizeof(ap);
	if (sctp_opt_info(fd, 0, SCTP_ASSOCINFO, &ap, &l) == 0)
		json_object_set_new(o, "assoc_max_retrans",
		    json_integer(ap.sasoc_asocmaxrxt));
	memset(&sk, 0, sizeof(sk));
	l = sizeof(sk);
	if (getsockopt(fd, SOL_SCTP, SCTP_DELAYED_SACK, &sk, &l) == 0) {
		json_object_set_new(o, "sack_delay_ms",
		    json_integer(sk.sack_freq == 1 ? 0 : sk.sack_delay));
		json_object_set_new(o, "sack_freq",
		    json_integer(sk.sack_freq));
	}
	return o;
}

json_t *
transport_sctp_json(int fd)
{
	struct sctp_status	 st;
	struct ctp_addr		 primary;
	struct sockaddr		*all = NULL, *sa;
	socklen_t		 l = sizeof(st);
	json_t			*o, *paths;
	char			 s[INET6_ADDRSTRLEN];
	size_t			 off = 0, sl;
	unsigned		 first = 0;
	int			 i, cnt, nev;
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	struct sctp_assoc_value	 av;
	socklen_t		 al;
#endif

	memset(&st, 0, sizeof(st));
	if (sctp_opt_info(fd, 0, SCTP_STATUS, &st, &l) == -1)
		return json_null();
	memset(&primary, 0, sizeof(primary));
	(void)transport_sctp_sa_addr(
	    (struct sockaddr *)&st.sstat_primary.spinfo_address, &primary);
	o = json_pack("{s:I, s:s, s:s, s:i, s:i, s:I, s:i, s:i, s:I}",
	    "assoc_id", (json_int_t)st.sstat_assoc_id,
	    "assoc_state", st.sstat_state >= 0 && st.sstat_state <
	    (int32_t)(sizeof(sstat_names) / sizeof(sstat_names[0]) - 1) ?
	    sstat_names[st.sstat_state] : "UNKNOWN",
	    "primary", primary.len != 0 ? ctp_addr_str(&primary, s, sizeof(s)) :
	    "",
	    "instreams", (int)st.sstat_instrms,
	    "outstreams", (int)st.sstat_outstrms,
	    "rwnd", (json_int_t)st.sstat_rwnd,
	    "unacked", (int)st.sstat_unackdata,
	    "pending", (int)st.sstat_penddata,
	    "fragmentation_point", (json_int_t)st.sstat_fragmentation_point);
	if (o == NULL)
		return json_null();
	nev = events_on(fd, &first);
	json_object_set_new(o, "notifications", nev >= 0 ? json_integer(nev) :
	    json_null());
#if defined(SCTP_ASCONF_SUPPORTED) && defined(SCTP_AUTH_SUPPORTED)
	memset(&av, 0, sizeof(av));
	al = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_ASCONF_SUPPORTED, &av, &al) == 0)
		json_object_set_new(o, "asconf",
		    json_boolean(av.assoc_value != 0));
	memset(&av, 0, sizeof(av));
	al = sizeof(av);
	if (getsockopt(fd, SOL_SCTP, SCTP_AUTH_SUPPORTED, &av, &al) == 0)
		json_object_set_new(o, "auth",
		    json_boolean(av.assoc_value != 0));
#endif
	json_object_set_new(o, "settings", settings_json(fd));
	if ((cnt = sctp_getladdrs(fd, 0, &all)) > 0) {
		json_object_set_new(o, "local_addresses", addrs_json(all, cnt));
		sctp_freeladdrs(all);
	}
	all = NULL;
	if ((paths = json_array()) == NULL)
		return o;
	if ((cnt = sctp_getpaddrs(fd, 0, &all)) > 0) {
		for (i = 0; i < cnt; i++) {
			sa = (struct sockaddr *)(void *)((uint8_t *)all + off);
			if ((sl = transport_sctp_sa_len(sa)) == 0)
				break;
			json_array_append_new(paths, path_json(fd, sa, sl,
			    &primary));
			off += sl;
		}
		sctp_freepaddrs(all);
	}
	json_object_set_new(o, "paths", paths);
	return o;
}
