/* SPDX-License-Identifier: ISC */
/*
 * sctp_probe: small kernel-SCTP checks for the kernel lab (tests/lab).
 * A multi-homed one-to-one echo server and client (sctp_bindx,
 * sctp_connectx) that print what the kernel agreed to, a "does this kernel
 * have SCTP" check, and a reader that lists the addresses carried by the
 * INIT and INIT-ACK chunks of a pcap file.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/sctp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXADDRS	8
#define MAXMSG		65536

static const char *usage_text =
    "usage: sctp_probe check\n"
    "       sctp_probe server -l ADDR[,ADDR...] -p PORT [-R RTO] [-t SECS]\n"
    "       sctp_probe client [-l ADDR[,ADDR...]] -r ADDR[,ADDR...] -p PORT\n"
    "                         [-n COUNT] [-s SIZE] [-R RTO] [-t SECS]\n"
    "       sctp_probe inits FILE.pcap\n"
    "RTO is initial,min,max in ms.  Addresses: IPv4 or IPv6, mixed.\n";

struct addrs {
	struct sockaddr_storage	 ss[MAXADDRS];
	int			 n;
	int			 v6;	/* some address is IPv6 */
};

static void
on_alarm(int sig)
{
	static const char m[] = "sctp_probe: time limit reached\n";

	(void)sig;
	(void)write(2, m, sizeof(m) - 1);
	_exit(3);
}

/* Why a socket call failed, with what to enable where that is known. */
static void
fail(const char *what)
{
	int	e = errno;

	fprintf(stderr, "sctp_probe: %s: %s", what, strerror(e));
	if (e == EPROTONOSUPPORT || e == ESOCKTNOSUPPORT || e == EAFNOSUPPORT)
		fprintf(stderr, ": this kernel has no SCTP: load the sctp "
		    "module (modprobe sctp) or build with CONFIG_IP_SCTP");
	else if (e == ENOSYS)
		fprintf(stderr, ": load the hmac module before listening "
		    "(the SCTP cookie needs hmac(md5))");
	fputc('\n', stderr);
	exit(1);
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

		s4 = (struct sockaddr_in *)&a->ss[a->n];
		s6 = (struct sockaddr_in6 *)&a->ss[a->n];

		if (a->n == MAXADDRS)
			goto bad;
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
	fprintf(stderr, "sctp_probe: bad address list '%s'\n", list);
	free(copy);
	return -1;
}

/* sctp_bindx/sctp_connectx want the addresses packed, each at its size. */
static size_t
pack(const struct addrs *a, char *buf)
{
	size_t	off = 0, len;
	int	i;

	for (i = 0; i < a->n; i++) {
		len = a->ss[i].ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		memcpy(buf + off, &a->ss[i], len);
		off += len;
	}
	return off;
}

static int
sock_new(int v6, const char *rto)
{
	struct sctp_rtoinfo	ri;
	int			fd, one = 1;
	unsigned		init, min, max;

	if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM,
	    IPPROTO_SCTP)) == -1)
		fail("socket(IPPROTO_SCTP)");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one)))
		fail("SCTP_NODELAY");
	if (rto != NULL) {
		if (sscanf(rto, "%u,%u,%u", &init, &min, &max) != 3) {
			fprintf(stderr,
			    "sctp_probe: -R wants initial,min,max\n");
			exit(2);
		}
		memset(&ri, 0, sizeof(ri));
		ri.srto_initial = init;
		ri.srto_min = min;
		ri.srto_max = max;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &ri, sizeof(ri)))
			fail("SCTP_RTOINFO");
	}
	return fd;
}

static void
bind_all(int fd, const struct addrs *a)
{
	char	buf[MAXADDRS * sizeof(struct sockaddr_in6)];

	pack(a, buf);
	if (sctp_bindx(fd, (struct sockaddr *)buf, a->n, SCTP_BINDX_ADD_ADDR))
		fail("sctp_bindx");
}

static void
print_addrs(const char *tag, struct sockaddr *list, int n)
{
	char	 b[INET6_ADDRSTRLEN];
	char	*p = (char *)list;
	int	 i;

	printf("%s %d", tag, n);
	for (i = 0; i < n; i++) {
		struct sockaddr	*sa = (struct sockaddr *)p;

		printf(" %s", ntop(sa, b, sizeof(b)));
		p += sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
	}
	putchar('\n');
}

/* What the association agreed: addresses both sides, ADDIP and AUTH. */
static void
report(int fd)
{
	struct sockaddr		*list;
	struct sctp_assoc_value	 av;
	socklen_t		 len;
	int			 n, asconf = -1, auth = -1;

	if ((n = sctp_getladdrs(fd, 0, &list)) < 0)
		fail("sctp_getladdrs");
	print_addrs("laddrs", list, n);
	sctp_freeladdrs(list);
	if ((n = sctp_getpaddrs(fd, 0, &list)) < 0)
		fail("sctp_getpaddrs");
	print_addrs("paddrs", list, n);
	sctp_freepaddrs(list);
	memset(&av, 0, sizeof(av));
	len = sizeof(av);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_ASCONF_SUPPORTED, &av, &len) == 0)
		asconf = (int)av.assoc_value;
	memset(&av, 0, sizeof(av));
	len = sizeof(av);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_SUPPORTED, &av, &len) == 0)
		auth = (int)av.assoc_value;
	printf("asconf %d auth %d\n", asconf, auth);
	fflush(stdout);
}

static int
server(const char *local, int port, const char *rto)
{
	struct addrs	 a;
	char		*buf;
	ssize_t		 n;
	long		 msgs = 0;
	int		 fd, c;

	if (parse_addrs(local, port, &a) == -1)
		return 2;
	fd = sock_new(a.v6, rto);
	bind_all(fd, &a);
	if (listen(fd, 1))
		fail("listen");
	printf("listening\n");
	fflush(stdout);
	if ((c = accept(fd, NULL, NULL)) == -1)
		fail("accept");
	report(c);
	if ((buf = malloc(MAXMSG)) == NULL)
		return 1;
	while ((n = recv(c, buf, MAXMSG, 0)) > 0) {
		if (send(c, buf, n, 0) != n)
			fail("send");
		msgs++;
	}
	if (n < 0)
		fail("recv");
	printf("echoed %ld\n", msgs);
	free(buf);
	close(c);
	close(fd);
	return 0;
}

static double
ms_since(const struct timeval *t0)
{
	struct timeval	t;

	gettimeofday(&t, NULL);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_usec - t0->tv_usec) / 1e3;
}

static int
client(const char *local, const char *remote, int port, long count,
    size_t size, const char *rto)
{
	struct addrs	 l, r;
	struct timeval	 t0;
	char		 packed[MAXADDRS * sizeof(struct sockaddr_in6)];
	char		*out, *in;
	double		 rtt, min = 0, max = 0, sum = 0;
	sctp_assoc_t	 id;
	size_t		 got;
	ssize_t		 n;
	long		 i, ok = 0;
	int		 fd;

	if (parse_addrs(remote, port, &r) == -1 ||
	    (local != NULL && parse_addrs(local, 0, &l) == -1))
		return 2;
	fd = sock_new(r.v6 || (local != NULL && l.v6), rto);
	if (local != NULL)
		bind_all(fd, &l);
	pack(&r, packed);
	if (sctp_connectx(fd, (struct sockaddr *)packed, r.n, &id))
		fail("sctp_connectx");
	report(fd);
	if ((out = malloc(size)) == NULL || (in = malloc(size)) == NULL)
		return 1;
	for (i = 0; i < count; i++) {
		memset(out, 'a' + (int)(i % 26), size);
		memcpy(out, &i, size < sizeof(i) ? size : sizeof(i));
		gettimeofday(&t0, NULL);
		if (send(fd, out, size, 0) != (ssize_t)size)
			fail("send");
		for (got = 0; got < size; got += n)
			if ((n = recv(fd, in + got, size - got, 0)) <= 0) {
				if (n == 0)
					errno = ECONNRESET;
				fail("recv");
			}
		rtt = ms_since(&t0);
		if (memcmp(in, out, size) == 0)
			ok++;
		sum += rtt;
		if (i == 0 || rtt < min)
			min = rtt;
		if (rtt > max)
			max = rtt;
	}
	if (count > 0)
		printf("echo %ld/%ld rtt %.1f/%.1f/%.1f ms\n", ok, count,
		    min, sum / count, max);
	free(out);
	free(in);
	close(fd);
	return ok == count ? 0 : 1;
}

/* ---------------------------------------------------------- pcap INITs */

static uint32_t
rd32(const unsigned char *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* One SCTP packet: print its INIT and INIT-ACK chunks' address lists. */
static void
sctp_packet(const unsigned char *p, size_t len, const char *src,
    const char *dst)
{
	char	b[INET6_ADDRSTRLEN];
	size_t	off = 12, clen, poff, plen;

	while (off + 4 <= len) {
		clen = be16(p + off + 2);
		if (clen < 4 || off + clen > len)
			return;
		if ((p[off] == 1 || p[off] == 2) && clen >= 20) {
			printf("%s src %s dst %s addrs", p[off] == 1 ?
			    "INIT" : "INIT-ACK", src, dst);
			for (poff = off + 20; poff + 4 <= off + clen;
			    poff += (plen + 3) & ~(size_t)3) {
				plen = be16(p + poff + 2);
				if (plen < 4 || poff + plen > off + clen)
					break;
				if (be16(p + poff) == 5 && plen == 8)
					printf(" %s", inet_ntop(AF_INET,
					    p + poff + 4, b, sizeof(b)));
				else if (be16(p + poff) == 6 && plen == 20)
					printf(" %s", inet_ntop(AF_INET6,
					    p + poff + 4, b, sizeof(b)));
			}
			putchar('\n');
		}
		off += (clen + 3) & ~(size_t)3;
	}
}

static void
ip_packet(const unsigned char *p, size_t len)
{
	char	src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	size_t	hl;

	if (len >= 20 && p[0] >> 4 == 4) {
		hl = (size_t)(p[0] & 15) * 4;
		if (p[9] != IPPROTO_SCTP || hl < 20 || len < hl + 12)
			return;
		inet_ntop(AF_INET, p + 12, src, sizeof(src));
		inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
		sctp_packet(p + hl, len - hl, src, dst);
	} else if (len >= 40 && p[0] >> 4 == 6) {
		if (p[6] != IPPROTO_SCTP || len < 52)
			return;
		inet_ntop(AF_INET6, p + 8, src, sizeof(src));
		inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
		sctp_packet(p + 40, len - 40, src, dst);
	}
}

static int
inits(const char *path)
{
	unsigned char	 gh[24], rh[16], *pkt;
	uint32_t	 magic, linktype, caplen;
	size_t		 skip;
	FILE		*f;
	int		 swap;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "sctp_probe: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fread(gh, 1, sizeof(gh), f) != sizeof(gh))
		goto bad;
	memcpy(&magic, gh, 4);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = 0;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = 1;
	else
		goto bad;
	linktype = rd32(gh + 20, swap) & 0xffff;
	if ((pkt = malloc(262144)) == NULL)
		return 1;
	while (fread(rh, 1, sizeof(rh), f) == sizeof(rh)) {
		caplen = rd32(rh + 8, swap);
		if (caplen > 262144 || fread(pkt, 1, caplen, f) != caplen)
			break;
		switch (linktype) {
		case 1:		/* Ethernet */
			skip = 14;
			break;
		case 113:	/* Linux cooked */
			skip = 16;
			break;
		case 276:	/* Linux cooked v2 */
			skip = 20;
			break;
		default:	/* raw IP */
			skip = 0;
			break;
		}
		if (caplen > skip)
			ip_packet(pkt + skip, caplen - skip);
	}
	free(pkt);
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "sctp_probe: %s: not a pcap file\n", path);
	fclose(f);
	return 1;
}

int
main(int argc, char *argv[])
{
	const char	*local = NULL, *remote = NULL, *rto = NULL, *mode;
	long		 count = 10;
	size_t		 size = 100;
	int		 c, port = 0, secs = 20;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	mode = argv[1];
	if (strcmp(mode, "inits") == 0)
		return argc == 3 ? inits(argv[2]) : 2;
	optind = 2;
	while ((c = getopt(argc, argv, "l:r:p:n:s:R:t:")) != -1)
		switch (c) {
		case 'l': local = optarg; break;
		case 'r': remote = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': count = atol(optarg); break;
		case 's': size = (size_t)atol(optarg); break;
		case 'R': rto = optarg; break;
		case 't': secs = atoi(optarg); break;
		default: goto usage;
		}
	if (size < 1 || size > MAXMSG || count < 0)
		goto usage;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(secs > 0 ? (unsigned)secs : 20);
	if (strcmp(mode, "check") == 0) {
		close(sock_new(0, NULL));
		printf("SCTP available\n");
		return 0;
	}
	if (strcmp(mode, "server") == 0 && local != NULL && port > 0)
		return server(local, port, rto);
	if (strcmp(mode, "client") == 0 && remote != NULL && port > 0)
		return client(local, remote, port, count, size, rto);
usage:
	fputs(usage_text, stderr);
	return 2;
}
