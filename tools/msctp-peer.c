/* SPDX-License-Identifier: ISC */
/*
 * msctp-peer: both ends of a mobile SCTP (mSCTP) handover (draft-sjkoh-msctp,
 * spec §9.3).  As the correspondent node it accepts one association, counts
 * numbered messages and reports the peer's address events; as the mobile
 * node it sends numbered messages at a fixed rate and, mid-stream, moves:
 * ASCONF ADD-IP of a new address, SET-PRIMARY, the given commands (the CTAR
 * to the new router), DELETE-IP of the old address.  Both print a timeline
 * with CLOCK_MONOTONIC stamps so that the two can be merged.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXADDRS	8
#define MAXCMDS		8
#define MAXMSG		65536
#define DEF_COUNT	100
#define DEF_INTERVAL	50	/* ms between messages */
#define DEF_LIMIT	60	/* s, the whole run */
#define CLOSE_MS	5000	/* for the SHUTDOWN handshake */

static const char *usage_text =
    "usage: msctp-peer cn -l ADDR[,ADDR...] -p PORT [-R RTO] [-t SECS]\n"
    "       msctp-peer mn -l OLD -r ADDR[,ADDR...] -p PORT [-N NEW]\n"
    "                  [-n COUNT] [-i MS] [-m K] [-b CMD]... [-x CMD]...\n"
    "                  [-w MS] [-a CMD]... [-R RTO] [-t SECS]\n"
    "RTO is initial,min,max in ms.  See msctp-peer(1).\n";

struct addrs {
	struct sockaddr_storage	 ss[MAXADDRS];
	int			 n;
	int			 v6;
};

/* The mobile node's move, one step after the other (seed §3.3-3.5). */
enum mv_step {
	MV_WAIT,	/* not started */
	MV_BEFORE,	/* -b commands */
	MV_ADD,		/* ASCONF ADD-IP */
	MV_PRIM,	/* ASCONF SET-PRIMARY */
	MV_RUN,		/* -x commands (the CTAR) */
	MV_SETTLE,	/* -w */
	MV_REM,		/* ASCONF DELETE-IP */
	MV_AFTER,	/* -a commands */
	MV_DONE
};

struct cmds {
	const char	*v[MAXCMDS];
	int		 n;
};

static double		 t_start;
static const char	*who = "msctp-peer";
static volatile sig_atomic_t usr1;

static double
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * One timeline line: "timeline MONO REL ROLE TEXT", MONO the monotonic
 * clock in ms (the same clock in every network namespace), REL since start.
 */
static void
tl(const char *fmt, ...)
{
	va_list	ap;
	double	now = mono_ms();

	printf("timeline %.3f %.1f %s ", now, now - t_start, who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
on_alarm(int sig)
{
	static const char m[] = "msctp-peer: time limit reached\n";

	(void)sig;
	(void)write(2, m, sizeof(m) - 1);
	_exit(3);
}

static void
on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

/* Why a socket call failed, with what to enable where that is known. */
static void
fail(const char *what)
{
	int	e = errno;

	fprintf(stderr, "msctp-peer: %s: %s", what, strerror(e));
	if (e == EPROTONOSUPPORT || e == ESOCKTNOSUPPORT || e == EAFNOSUPPORT)
		fprintf(stderr, ": this kernel has no SCTP: load the sctp "
		    "module (modprobe sctp) or build with CONFIG_IP_SCTP");
	else if (e == ENOSYS)
		fprintf(stderr, ": load the hmac module before listening");
	fputc('\n', stderr);
	exit(1);
}

static void
asconf_hint(void)
{
	fprintf(stderr, "msctp-peer: ASCONF (RFC 5061) was not negotiated: "
	    "set net.sctp.addip_enable=1 and net.sctp.auth_enable=1 in the "
	    "network namespaces of both ends before their sockets are "
	    "created\n");
}

static const char *
ntop(const struct sockaddr *sa, char *buf, size_t len)
{
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)sa)->sin_addr, buf, len);
	if (sa->sa_family == AF_INET6)
		return inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, len);
	snprintf(buf, len, "family-%d", sa->sa_family);
	return buf;
}

static socklen_t
salen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
}

/* "a,b,c" into sockaddrs with PORT. */
static int
parse_addrs(const char *list, int port, struct addrs *a)
{
	char	*copy, *tok, *save = NULL;

	memset(a, 0, sizeof(*a));
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct sockaddr_in	*s4;
		struct sockaddr_in6	*s6;

		if (a->n == MAXADDRS)
			goto bad;
		s4 = (struct sockaddr_in *)&a->ss[a->n];
		s6 = (struct sockaddr_in6 *)&a->ss[a->n];
		if (inet_pton(AF_INET, tok, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
		} else if (inet_pton(AF_INET6, tok, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			a->v6 = 1;
		} else
			goto bad;
		a->n++;
	}
	free(copy);
	return a->n > 0 ? 0 : -1;
bad:
	fprintf(stderr, "msctp-peer: bad address list '%s'\n", list);
	free(copy);
	return -1;
}

/* sctp_bindx/sctp_connectx want the addresses packed, each at its size. */
static void
pack(const struct addrs *a, char *buf)
{
	size_t	off = 0;
	int	i;

	for (i = 0; i < a->n; i++) {
		memcpy(buf + off, &a->ss[i], salen(&a->ss[i]));
		off += salen(&a->ss[i]);
	}
}

static long
number(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "msctp-peer: %s: want %ld..%ld, not '%s'\n",
		    what, min, max, s);
		exit(2);
	}
	return v;
}

/* Subscribe to one notification type (SCTP_EVENT, RFC 6458 §6.2.2). */
static void
subscribe(int fd, uint16_t type)
{
	struct sctp_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = type;
	ev.se_on = 1;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)))
		fail("SCTP_EVENT");
}

static int
sock_new(int v6, const char *rto)
{
	struct sctp_rtoinfo	ri;
	unsigned		init, min, max;
	int			fd, one = 1;

	if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM,
	    IPPROTO_SCTP)) == -1)
		fail("socket(IPPROTO_SCTP)");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one)))
		fail("SCTP_NODELAY");
	if (rto != NULL) {
		if (sscanf(rto, "%u,%u,%u", &init, &min, &max) != 3) {
			fprintf(stderr,
			    "msctp-peer: -R wants initial,min,max\n");
			exit(2);
		}
		memset(&ri, 0, sizeof(ri));
		ri.srto_initial = init;
		ri.srto_min = min;
		ri.srto_max = max;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &ri, sizeof(ri)))
			fail("SCTP_RTOINFO");
	}
	subscribe(fd, SCTP_ASSOC_CHANGE);
	subscribe(fd, SCTP_PEER_ADDR_CHANGE);
	subscribe(fd, SCTP_REMOTE_ERROR);
	subscribe(fd, SCTP_SHUTDOWN_EVENT);
	subscribe(fd, SCTP_SEND_FAILED_EVENT);
	return fd;
}

/* What the association negotiated: 1, 0, or -1 where the kernel is mute. */
static int
negotiated(int fd, int opt)
{
	struct sctp_assoc_value	av;
	socklen_t		len = sizeof(av);

	memset(&av, 0, sizeof(av));
	if (getsockopt(fd, IPPROTO_SCTP, opt, &av, &len))
		return -1;
	return av.assoc_value != 0;
}

static const char *
paddr_state(uint32_t s)
{
	static const char *const names[] = {
		"ADDR_AVAILABLE", "ADDR_UNREACHABLE", "ADDR_REMOVED",
		"ADDR_ADDED", "ADDR_MADE_PRIM", "ADDR_CONFIRMED",
		"ADDR_POTENTIALLY_FAILED"
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "ADDR_?";
}

static const char *
assoc_state(uint16_t s)
{
	static const char *const names[] = {
		"COMM_UP", "COMM_LOST", "RESTART", "SHUTDOWN_COMP",
		"CANT_STR_ASSOC"
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "ASSOC_?";
}

/*
 * One notification onto the timeline.  Returns 1 where the association
 * is gone (COMM_LOST, SHUTDOWN_COMP, CANT_STR_ASSOC), 0 otherwise.
 */
static int
notification(const char *buf, size_t len)
{
	const union sctp_notification	*n = (const void *)buf;
	char				 a[INET6_ADDRSTRLEN];

	if (len < sizeof(n->sn_header))
		return 0;
	switch (n->sn_header.sn_type) {
	case SCTP_PEER_ADDR_CHANGE:
		if (len < sizeof(n->sn_paddr_change))
			return 0;
		tl("%s %s", paddr_state(n->sn_paddr_change.spc_state),
		    ntop((const struct sockaddr *)
		    &n->sn_paddr_change.spc_aaddr, a, sizeof(a)));
		return 0;
	case SCTP_ASSOC_CHANGE:
		if (len < sizeof(n->sn_assoc_change))
			return 0;
		tl("%s", assoc_state(n->sn_assoc_change.sac_state));
		return n->sn_assoc_change.sac_state == SCTP_COMM_LOST ||
		    n->sn_assoc_change.sac_state == SCTP_SHUTDOWN_COMP ||
		    n->sn_assoc_change.sac_state == SCTP_CANT_STR_ASSOC;
	case SCTP_REMOTE_ERROR:
		tl("REMOTE_ERROR cause %u",
		    len >= sizeof(n->sn_remote_error) ?
		    ntohs(n->sn_remote_error.sre_error) : 0);
		return 0;
	case SCTP_SHUTDOWN_EVENT:
		tl("SHUTDOWN_EVENT");
		return 0;
	case SCTP_SEND_FAILED_EVENT:
		tl("SEND_FAILED");
		return 0;
	default:
		tl("notification 0x%04x", n->sn_header.sn_type);
		return 0;
	}
}

/* ------------------------------------------------------------ CN */

/*
 * The correspondent node: one association, numbered messages "msctp I/N"
 * counted in order; where they come from (the source of the packet) shown
 * on the timeline each time it changes.
 */
static int
cn(const char *local, int port, const char *rto)
{
	struct addrs		 a;
	struct sockaddr_storage	 from, last;
	struct sctp_sndrcvinfo	 si;
	char			 packed[MAXADDRS * sizeof(struct sockaddr_in6)];
	char			 b[INET6_ADDRSTRLEN];
	char			*buf;
	socklen_t		 fl;
	ssize_t			 n;
	unsigned long		 seq, total = 0, next = 1, got = 0, dup = 0,
				 gap = 0, bad = 0, from_n = 0;
	int			 fd, c, flags, gone = 0;

	if (parse_addrs(local, port, &a) == -1)
		return 2;
	fd = sock_new(a.v6, rto);
	pack(&a, packed);
	if (sctp_bindx(fd, (struct sockaddr *)packed, a.n,
	    SCTP_BINDX_ADD_ADDR))
		fail("sctp_bindx");
	if (listen(fd, 1))
		fail("listen");
	printf("listening\n");
	fflush(stdout);
	if ((c = accept(fd, NULL, NULL)) == -1)
		fail("accept");
	printf("asconf %d auth %d\n", negotiated(c, SCTP_ASCONF_SUPPORTED),
	    negotiated(c, SCTP_AUTH_SUPPORTED));
	if ((buf = malloc(MAXMSG + 1)) == NULL)
		return 1;
	memset(&last, 0, sizeof(last));
	while (!gone) {
		fl = sizeof(from);
		flags = 0;
		memset(&si, 0, sizeof(si));
		n = sctp_recvmsg(c, buf, MAXMSG, (struct sockaddr *)&from,
		    &fl, &si, &flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tl("recv: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			tl("end of association");
			break;
		}
		if (flags & MSG_NOTIFICATION) {
			gone = notification(buf, n);
			continue;
		}
		buf[n] = '\0';
		if (sscanf(buf, "msctp %lu/%lu", &seq, &total) != 2 ||
		    seq == 0 || seq > total) {
			bad++;
			continue;
		}
		if (fl > 0 && (from.ss_family != last.ss_family ||
		    memcmp(&from, &last, salen(&from)) != 0)) {
			if (last.ss_family != 0)
				tl("data: last of %lu from %s", from_n,
				    ntop((struct sockaddr *)&last, b,
				    sizeof(b)));
			tl("data: message %lu from %s", seq,
			    ntop((struct sockaddr *)&from, b, sizeof(b)));
			memcpy(&last, &from, sizeof(last));
			from_n = 0;
		}
		from_n++;
		if (seq == next) {
			got++;
			next++;
		} else if (seq < next)
			dup++;
		else {
			gap += seq - next;
			got++;
			next = seq + 1;
		}
	}
	if (last.ss_family != 0)
		tl("data: last of %lu from %s", from_n,
		    ntop((struct sockaddr *)&last, b, sizeof(b)));
	printf("received %lu of %lu\n", got, total);
	printf("missing %lu (gaps %lu) duplicate %lu malformed %lu\n",
	    got < total ? total - got : 0, gap, dup, bad);
	fflush(stdout);
	free(buf);
	close(c);
	close(fd);
	return total > 0 && got == total && dup == 0 && bad == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ MN */

struct mn {
	int			 fd;
	enum mv_step		 step;
	struct sockaddr_storage	 old, new;
	struct cmds		 before, run, after;
	int			 ci;		/* command index in the step */
	pid_t			 child;
	double			 child_t0;
	double			 settle_end;
	long			 settle_ms;
	int			 errors;
};

static const char *
step_name(enum mv_step s)
{
	static const char *const names[] = {
		"WAIT", "BEFORE", "ADD", "PRIM", "RUN", "SETTLE", "REM",
		"AFTER", "DONE"
	};

	return names[s];
}

/* Start a shell command with stdin from /dev/null; -1 on failure. */
static pid_t
spawn(const char *cmd)
{
	pid_t	p;
	int	nul;

	fflush(stdout);
	fflush(stderr);
	if ((p = fork()) == -1)
		return -1;
	if (p == 0) {
		if ((nul = open("/dev/null", O_RDONLY)) != -1) {
			dup2(nul, 0);
			close(nul);
		}
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return p;
}

/*
 * Commands of a step, one at a time while the messages keep flowing.
 * Returns 1 once all of them have finished.
 */
static int
cmds_step(struct mn *m, const struct cmds *c)
{
	int	st;
	pid_t	p;

	for (;;) {
		if (m->child > 0) {
			if ((p = waitpid(m->child, &st, WNOHANG)) == 0)
				return 0;
			if (p == -1 && errno == EINTR)
				return 0;
			if (p == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				m->errors++;
			tl("command done (%s %d, %.1f ms): %s",
			    p != -1 && WIFSIGNALED(st) ? "signal" : "exit",
			    p == -1 ? -1 : WIFSIGNALED(st) ? WTERMSIG(st) :
			    WEXITSTATUS(st), mono_ms() - m->child_t0,
			    c->v[m->ci]);
			m->child = 0;
			m->ci++;
		}
		if (m->ci >= c->n) {
			m->ci = 0;
			return 1;
		}
		tl("command: %s", c->v[m->ci]);
		m->child_t0 = mono_ms();
		if ((m->child = spawn(c->v[m->ci])) == -1) {
			tl("command not started: %s", strerror(errno));
			m->errors++;
			m->child = 0;
			m->ci++;
		}
	}
}

static void
print_laddrs(int fd)
{
	struct sockaddr	*list;
	char		 line[MAXADDRS * (INET6_ADDRSTRLEN + 1) + 1] = "";
	char		 b[INET6_ADDRSTRLEN];
	char		*p;
	int		 n, i;

	if ((n = sctp_getladdrs(fd, 0, &list)) < 0) {
		tl("sctp_getladdrs: %s", strerror(errno));
		return;
	}
	p = (char *)list;
	for (i = 0; i < n && i < MAXADDRS; i++) {
		struct sockaddr	*sa = (struct sockaddr *)p;

		strcat(line, " ");
		strcat(line, ntop(sa, b, sizeof(b)));
		p += sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
	}
	sctp_freeladdrs(list);
	tl("local addresses:%s", line);
}

/* Advance the move as far as it goes now; the ASCONF steps do not wait. */
static void
move(struct mn *m)
{
	struct sctp_setpeerprim	 pp;
	char			 b[INET6_ADDRSTRLEN];
	enum mv_step		 was;

	do {
		was = m->step;
		switch (m->step) {
		case MV_WAIT:
		case MV_DONE:
			return;
		case MV_BEFORE:
			if (cmds_step(m, &m->before))
				m->step = MV_ADD;
			break;
		case MV_ADD:
			ntop((struct sockaddr *)&m->new, b, sizeof(b));
			if (sctp_bindx(m->fd, (struct sockaddr *)&m->new, 1,
			    SCTP_BINDX_ADD_ADDR)) {
				tl("ADD-IP %s failed: %s", b, strerror(errno));
				m->errors++;
			} else
				tl("ADD-IP %s: sctp_bindx ADD done (ASCONF)",
				    b);
			m->step = MV_PRIM;
			break;
		case MV_PRIM:
			ntop((struct sockaddr *)&m->new, b, sizeof(b));
			memset(&pp, 0, sizeof(pp));
			memcpy(&pp.sspp_addr, &m->new, salen(&m->new));
			if (setsockopt(m->fd, IPPROTO_SCTP,
			    SCTP_SET_PEER_PRIMARY_ADDR, &pp, sizeof(pp))) {
				tl("SET-PRIMARY %s failed: %s", b,
				    strerror(errno));
				if (errno == EPERM)
					asconf_hint();
				m->errors++;
			} else
				tl("SET-PRIMARY %s: SCTP_SET_PEER_PRIMARY_ADDR "
				    "done (ASCONF)", b);
			m->step = MV_RUN;
			break;
		case MV_RUN:
			if (cmds_step(m, &m->run)) {
				m->settle_end = mono_ms() + m->settle_ms;
				m->step = MV_SETTLE;
			}
			break;
		case MV_SETTLE:
			if (mono_ms() >= m->settle_end)
				m->step = MV_REM;
			break;
		case MV_REM:
			ntop((struct sockaddr *)&m->old, b, sizeof(b));
			if (sctp_bindx(m->fd, (struct sockaddr *)&m->old, 1,
			    SCTP_BINDX_REM_ADDR)) {
				tl("DELETE-IP %s failed: %s", b,
				    strerror(errno));
				m->errors++;
			} else
				tl("DELETE-IP %s: sctp_bindx REM done (ASCONF)",
				    b);
			print_laddrs(m->fd);
			m->step = MV_AFTER;
			break;
		case MV_AFTER:
			if (cmds_step(m, &m->after)) {
				tl("move done");
				m->step = MV_DONE;
			}
			break;
		}
	} while (m->step != was);
}

static void
set_port(struct sockaddr_storage *ss, const struct sockaddr_storage *from)
{
	in_port_t	port;

	port = from->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)from)->sin_port :
	    ((const struct sockaddr_in6 *)from)->sin6_port;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = port;
}

/* Read what is there without blocking; 1 once the association is gone. */
static int
drain(int fd, char *buf)
{
	struct sctp_sndrcvinfo	si;
	ssize_t			n;
	int			flags;

	for (;;) {
		flags = 0;
		n = sctp_recvmsg(fd, buf, MAXMSG, NULL, NULL, &si, &flags);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		if (n == 0)
			return 1;
		if ((flags & MSG_NOTIFICATION) && notification(buf, n))
			return 1;
	}
}

static int
mn_run(struct mn *m, const char *remote, int port, long count, long ival,
    long move_at, const char *rto)
{
	struct addrs		 r;
	struct sockaddr_storage	 me;
	socklen_t		 sl;
	struct pollfd		 pfd;
	char			 packed[MAXADDRS * sizeof(struct sockaddr_in6)];
	char			 msg[64], b[INET6_ADDRSTRLEN];
	char			*buf;
	sctp_assoc_t		 id;
	double			 next, now, deadline;
	long			 sent = 0;
	int			 gone = 0, to, asconf, len, fl;

	if (parse_addrs(remote, port, &r) == -1)
		return 2;
	if ((buf = malloc(MAXMSG)) == NULL)
		return 1;
	m->fd = sock_new(r.v6 || m->old.ss_family == AF_INET6 ||
	    m->new.ss_family == AF_INET6, rto);
	if (sctp_bindx(m->fd, (struct sockaddr *)&m->old, 1,
	    SCTP_BINDX_ADD_ADDR))
		fail("sctp_bindx");
	pack(&r, packed);
	if (sctp_connectx(m->fd, (struct sockaddr *)packed, r.n, &id))
		fail("sctp_connectx");
	/* The kernel matches local addresses with their port (SET-PRIMARY). */
	sl = sizeof(me);
	if (getsockname(m->fd, (struct sockaddr *)&me, &sl))
		fail("getsockname");
	set_port(&m->old, &me);
	set_port(&m->new, &me);
	asconf = negotiated(m->fd, SCTP_ASCONF_SUPPORTED);
	tl("connected from %s, asconf %d auth %d",
	    ntop((struct sockaddr *)&m->old, b, sizeof(b)), asconf,
	    negotiated(m->fd, SCTP_AUTH_SUPPORTED));
	if (m->new.ss_family != 0 && asconf == 0) {
		asconf_hint();
		return 1;
	}
	if ((fl = fcntl(m->fd, F_GETFL)) == -1 ||
	    fcntl(m->fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fail("fcntl");
	if (m->new.ss_family == 0)
		m->step = MV_DONE;
	next = mono_ms();
	while (!gone && (sent < count || m->step != MV_DONE)) {
		if (m->step == MV_WAIT && (sent >= move_at || usr1)) {
			tl("move starts after message %ld%s", sent,
			    usr1 ? " (SIGUSR1)" : "");
			m->step = MV_BEFORE;
		}
		move(m);
		now = mono_ms();
		if (sent < count && now >= next) {
			len = snprintf(msg, sizeof(msg), "msctp %ld/%ld",
			    sent + 1, count);
			if (sctp_sendmsg(m->fd, msg, len, NULL, 0, 0, 0, 0, 0,
			    0) == len) {
				if (++sent == 1 || sent == count)
					tl("message %ld of %ld sent", sent,
					    count);
				next += ival;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR) {
				tl("send of message %ld: %s", sent + 1,
				    strerror(errno));
				m->errors++;
				break;
			}
			next = now + 5;	/* send buffer full: shortly again */
		}
		to = sent < count ? (int)(next - now) + 1 : 50;
		if (m->child > 0 || m->step == MV_SETTLE)
			to = to > 5 ? 5 : to;
		pfd.fd = m->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, to) > 0)
			gone = drain(m->fd, buf);
	}
	if (m->step != MV_DONE) {
		tl("move not finished: stopped in step %s",
		    step_name(m->step));
		m->errors++;
	}
	/* SHUTDOWN once everything sent is acknowledged (RFC 4960 §9.2). */
	if (!gone) {
		tl("sent %ld of %ld, shutting down", sent, count);
		if (shutdown(m->fd, SHUT_WR))
			tl("shutdown: %s", strerror(errno));
		deadline = mono_ms() + CLOSE_MS;
		while (!gone && (now = mono_ms()) < deadline) {
			pfd.fd = m->fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, (int)(deadline - now) + 1) > 0)
				gone = drain(m->fd, buf);
		}
		if (!gone) {
			tl("no end of the association in %d ms", CLOSE_MS);
			m->errors++;
		}
	} else if (sent < count) {
		tl("association lost after message %ld", sent);
		m->errors++;
	}
	printf("sent %ld of %ld\n", sent, count);
	free(buf);
	close(m->fd);
	return m->errors ? 1 : 0;
}

static int
add_cmd(struct cmds *c, const char *cmd)
{
	if (c->n == MAXCMDS) {
		fprintf(stderr, "msctp-peer: at most %d commands per step\n",
		    MAXCMDS);
		return -1;
	}
	c->v[c->n++] = cmd;
	return 0;
}

static int
one_addr(const char *s, struct sockaddr_storage *ss)
{
	struct addrs	a;

	if (parse_addrs(s, 0, &a) == -1 || a.n != 1) {
		fprintf(stderr, "msctp-peer: want one address, not '%s'\n", s);
		return -1;
	}
	memcpy(ss, &a.ss[0], sizeof(*ss));
	return 0;
}

int
main(int argc, char *argv[])
{
	struct mn	 m;
	const char	*local = NULL, *remote = NULL, *rto = NULL;
	long		 port = 0, count = DEF_COUNT, ival = DEF_INTERVAL;
	long		 move_at = -1, limit = DEF_LIMIT;
	int		 c, is_mn;

	if (argc < 2 || (strcmp(argv[1], "cn") && strcmp(argv[1], "mn"))) {
		fputs(usage_text, stderr);
		return 2;
	}
	is_mn = strcmp(argv[1], "mn") == 0;
	who = argv[1];
	memset(&m, 0, sizeof(m));
	optind = 2;
	while ((c = getopt(argc, argv, "a:b:i:l:m:n:N:p:r:R:t:w:x:")) != -1) {
		switch (c) {
		case 'a':
			if (add_cmd(&m.after, optarg))
				return 2;
			break;
		case 'b':
			if (add_cmd(&m.before, optarg))
				return 2;
			break;
		case 'i':
			ival = number(optarg, 1, 60000, "-i");
			break;
		case 'l':
			local = optarg;
			break;
		case 'm':
			move_at = number(optarg, 0, LONG_MAX, "-m");
			break;
		case 'n':
			count = number(optarg, 1, 10000000, "-n");
			break;
		case 'N':
			if (one_addr(optarg, &m.new))
				return 2;
			break;
		case 'p':
			port = number(optarg, 1, 65535, "-p");
			break;
		case 'r':
			remote = optarg;
			break;
		case 'R':
			rto = optarg;
			break;
		case 't':
			limit = number(optarg, 1, 86400, "-t");
			break;
		case 'w':
			m.settle_ms = number(optarg, 0, 600000, "-w");
			break;
		case 'x':
			if (add_cmd(&m.run, optarg))
				return 2;
			break;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc || local == NULL || port == 0 ||
	    (is_mn && remote == NULL)) {
		fputs(usage_text, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	signal(SIGUSR1, on_usr1);
	alarm(limit);
	t_start = mono_ms();
	if (!is_mn)
		return cn(local, port, rto);
	if (one_addr(local, &m.old))
		return 2;
	if (move_at < 0)
		move_at = count / 4;
	return mn_run(&m, remote, port, count, ival, move_at, rto);
}
