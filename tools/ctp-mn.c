/* SPDX-License-Identifier: ISC */
/*
 * ctp-mn: a mobile-node emulator for testing access routers.  It sends a
 * CTAR (the MN's CTSR) with a correct or deliberately wrong token over UDP or
 * raw ICMP, retransmits per spec §6.3 when it asked for a CTAA, prints the
 * answer, and can replay or flood on request.  The key is never printed.
 */
#define _GNU_SOURCE		/* struct in6_pktinfo, getopt_long */

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "ctp_feature.h"
#include "ctp_json.h"
#include "ctp_msg.h"
#include "ctp_token.h"

#define EXIT_OK			0
#define EXIT_FAIL		1	/* CTAA with entries, no answer, error */
#define EXIT_USAGE		2

#define CT_REQUEST_RETRY_MS	2000	/* spec §6.2 */
#define CT_RETRY_MAX_MS		15000
#define MN_HOPLIMIT		255
#define MAX_REPLAY		10000
#define MAX_COUNT		10000
#define MAX_FLOOD		1000000
#define MAX_FLOOD_RATE		100000
#define MAX_FLOOD_SECONDS	300
#define MAX_REQ_CDBS		64
#define KEYFILE_MAX		4096
#define PKT_MAX			4096
#define DRAIN_MS		200	/* extra listening after a reply */

struct opts {
	int		 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	bool		 icmp;
	uint16_t	 port;
	bool		 ack;		/* -A */
	bool		 json;
	bool		 verbose;
	bool		 bad_token;
	bool		 bad_csum;	/* ICMPv4 only */
	int		 ttl;		/* TTL / hop limit sent with -i */
	bool		 have_seq;
	uint32_t	 seq;
	struct ctp_key	 key;
	struct ctp_addr	 mn, ar;
	bool		 have_mn, have_ar;
	size_t		 ncdbs;
	struct ctp_cdb	 cdbs[MAX_REQ_CDBS];
	uint64_t	 wait_ms;	/* give-up time; 0: default */
	uint64_t	 retry_ms;
	unsigned long	 replay;
	unsigned long	 count;		/* --count: MNs handed over in turn */
	unsigned long	 flood_n;
	unsigned long	 flood_rate;
	struct ctp_addr	 flood_pfx;
	unsigned	 flood_plen;
	bool		 have_pfx;
	const char	*target;
};

struct mn {
	struct opts	*o;
	int		 fd;
	struct sockaddr_storage dst;
	socklen_t	 dstlen;
	struct ctp_token_ctx *tctx;
	uint64_t	 t0;
	struct ctp_msg	 rx;		/* large: kept off the stack */
	uint8_t		 rbuf[PKT_MAX];
};

static void	die(int, const char *, ...)
		    __attribute__((format(printf, 2, 3), noreturn));
static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	note(const struct mn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ctp-mn [-46Aijv] [-u port] -k keyhex | -K keyfile "
	    "-m mn-address\n"
	    "              -r other-ar-address [-s seq] [-f fpt[:R],...] "
	    "[-w timeout]\n"
	    "              [--bad-token] [--replay n] [--count n] "
	    "[--flood n/rate [--flood-prefix prefix]]\n"
	    "              [--retry-ms ms] [--retry-max-ms ms] [--ttl n] "
	    "[--bad-checksum] target\n");
}

static void
die(int status, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "ctp-mn: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void
usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "ctp-mn: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
note(const struct mn *m, const char *fmt, ...)
{
	va_list	 ap;

	if (!m->o->verbose)
		return;
	fprintf(stderr, "ctp-mn: +%llu ms: ",
	    (unsigned long long)(now_ms() - m->t0));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static unsigned long
parse_ulong(const char *s, unsigned long max, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (s[0] == '-' || s[0] == '\0')
		usage_error("%s: not a number: %s", what, s);
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		usage_error("%s: not a number in 0..%lu: %s", what, max, s);
	return v;
}

/* TIMEOUT: seconds, or with a suffix "ms" or "s". */
static uint64_t
parse_timeout(const char *s)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		usage_error("-w: not a duration: %s", s);
	v = strtoul(s, &end, 10);
	if (errno != 0 || v > 3600000)
		usage_error("-w: out of range: %s", s);
	if (strcmp(end, "ms") == 0)
		return v;
	if (*end == '\0' || strcmp(end, "s") == 0) {
		if (v > 3600)
			usage_error("-w: at most 3600 s: %s", s);
		return (uint64_t)v * 1000;
	}
	usage_error("-w: not a duration (N, Ns or Nms): %s", s);
	return 0;
}

static bool
parse_addr(const char *s, struct ctp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->len = 16;
		return true;
	}
	return false;
}

static void
to_mapped(struct ctp_addr *a)
{
	uint8_t	 v4[4];

	if (a->len != 4)
		return;
	memcpy(v4, a->b, 4);
	memset(a->b, 0, sizeof(a->b));
	a->b[10] = a->b[11] = 0xff;
	memcpy(a->b + 12, v4, 4);
	a->len = 16;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex (whitespace ignored, optional 0x) into the key; the text is wiped. */
static void
parse_key(char *text, struct ctp_key *k, const char *what)
{
	uint8_t	 b[CTP_KEY_MAX];
	size_t	 n = 0;
	char	*p = text;
	int	 hi = -1, v;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p != '\0'; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if ((v = hexval((unsigned char)*p)) == -1 || n == sizeof(b)) {
			OPENSSL_cleanse(b, sizeof(b));
			OPENSSL_cleanse(text, strlen(text));
			usage_error("%s: the key must be 1 to %d octets in hex",
			    what, CTP_KEY_MAX);
		}
		if (hi == -1)
			hi = v;
		else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	OPENSSL_cleanse(text, strlen(text));
	if (hi != -1 || n == 0 || ctp_key_set(k, b, n) != CTP_OK) {
		OPENSSL_cleanse(b, sizeof(b));
		usage_error("%s: the key must be 1 to %d octets in hex", what,
		    CTP_KEY_MAX);
	}
	OPENSSL_cleanse(b, sizeof(b));
}

static void
read_keyfile(const char *path, struct ctp_key *k)
{
	char		 buf[KEYFILE_MAX + 1];
	struct stat	 st;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die(EXIT_FAIL, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		fprintf(stderr, "ctp-mn: warning: %s is readable or writable "
		    "by group or others\n", path);
	while (len < KEYFILE_MAX &&
	    (n = read(fd, buf + len, KEYFILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	parse_key(buf, k, path);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* "fpt[:R],...": a number (0xff01) or a feature name (aaa, qos, ...). */
static void
parse_fpts(struct opts *o, const char *arg)
{
	char			*s, *tok, *save, *colon, *end;
	const struct ctp_feature *f;
	unsigned long		 v;

	if ((s = strdup(arg)) == NULL)
		die(EXIT_FAIL, "out of memory");
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->ncdbs == MAX_REQ_CDBS)
			usage_error("-f: at most %d FPTs", MAX_REQ_CDBS);
		memset(&o->cdbs[o->ncdbs], 0, sizeof(o->cdbs[0]));
		if ((colon = strchr(tok, ':')) != NULL) {
			if (strcmp(colon + 1, "R") != 0 &&
			    strcmp(colon + 1, "r") != 0)
				usage_error("-f: %s: only :R may follow an "
				    "FPT", tok);
			*colon = '\0';
			o->cdbs[o->ncdbs].r = true;
		}
		if ((f = ctp_feature_by_name(tok)) != NULL)
			v = f->fpt;
		else {
			errno = 0;
			v = strtoul(tok, &end, 0);
			if (tok[0] == '\0' || tok[0] == '-' || *end != '\0' ||
			    errno != 0 || v > 0xffff)
				usage_error("-f: not an FPT or feature name: "
				    "%s", tok);
		}
		o->cdbs[o->ncdbs++].fpt = (uint16_t)v;
	}
	free(s);
}

/* "N/RATE" */
static void
parse_flood(struct opts *o, const char *arg)
{
	char	*s, *slash;

	if ((s = strdup(arg)) == NULL)
		die(EXIT_FAIL, "out of memory");
	if ((slash = strchr(s, '/')) == NULL)
		usage_error("--flood: expected N/RATE: %s", arg);
	*slash = '\0';
	o->flood_n = parse_ulong(s, MAX_FLOOD, "--flood count");
	o->flood_rate = parse_ulong(slash + 1, MAX_FLOOD_RATE, "--flood rate");
	free(s);
	if (o->flood_n == 0 || o->flood_rate == 0)
		usage_error("--flood: count and rate must be at least 1");
	if (o->flood_n / o->flood_rate > MAX_FLOOD_SECONDS)
		usage_error("--flood: would run longer than %d s",
		    MAX_FLOOD_SECONDS);
}

static void
parse_prefix(struct opts *o, const char *arg)
{
	char	*s, *slash;

	if ((s = strdup(arg)) == NULL)
		die(EXIT_FAIL, "out of memory");
	if ((slash = strchr(s, '/')) == NULL)
		usage_error("--flood-prefix: expected ADDRESS/LENGTH: %s", arg);
	*slash = '\0';
	if (!parse_addr(s, &o->flood_pfx))
		usage_error("--flood-prefix: not an address: %s", s);
	o->flood_plen = (unsigned)parse_ulong(slash + 1,
	    o->flood_pfx.len * 8U, "--flood-prefix length");
	o->have_pfx = true;
	free(s);
}

enum {
	OPT_BAD_TOKEN = 256,
	OPT_REPLAY,
	OPT_FLOOD,
	OPT_FLOOD_PREFIX,
	OPT_RETRY_MS,
	OPT_RETRY_MAX_MS,
	OPT_TTL,
	OPT_BAD_CSUM,
	OPT_COUNT,
};

static const struct option longopts[] = {
	{ "bad-token", no_argument, NULL, OPT_BAD_TOKEN },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "flood", required_argument, NULL, OPT_FLOOD },
	{ "flood-prefix", required_argument, NULL, OPT_FLOOD_PREFIX },
	{ "retry-ms", required_argument, NULL, OPT_RETRY_MS },
	{ "retry-max-ms", required_argument, NULL, OPT_RETRY_MAX_MS },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "bad-checksum", no_argument, NULL, OPT_BAD_CSUM },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
parse_args(struct opts *o, int argc, char **argv)
{
	bool	 have_key = false, udp = false;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->family = AF_UNSPEC;
	o->port = CTP_PORT;
	o->replay = 1;
	o->count = 1;
	o->retry_ms = CT_REQUEST_RETRY_MS;
	o->ttl = MN_HOPLIMIT;
	while ((ch = getopt_long(argc, argv, "46Ahijk:K:m:r:s:f:u:vw:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'A':
			o->ack = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'i':
			o->icmp = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'k':
			if (have_key)
				usage_error("one key only (-k or -K)");
			parse_key(optarg, &o->key, "-k");
			have_key = true;
			break;
		case 'K':
			if (have_key)
				usage_error("one key only (-k or -K)");
			read_keyfile(optarg, &o->key);
			have_key = true;
			break;
		case 'm':
			if (!parse_addr(optarg, &o->mn))
				usage_error("-m: not an address: %s", optarg);
			o->have_mn = true;
			break;
		case 'r':
			if (!parse_addr(optarg, &o->ar))
				usage_error("-r: not an address: %s", optarg);
			o->have_ar = true;
			break;
		case 's':
			o->seq = (uint32_t)parse_ulong(optarg, UINT32_MAX,
			    "-s");
			o->have_seq = true;
			break;
		case 'f':
			parse_fpts(o, optarg);
			break;
		case 'u':
			o->port = (uint16_t)parse_ulong(optarg, 65535, "-u");
			if (o->port == 0)
				usage_error("-u: port 0");
			udp = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'w':
			o->wait_ms = parse_timeout(optarg);
			break;
		case OPT_BAD_TOKEN:
			o->bad_token = true;
			break;
		case OPT_REPLAY:
			o->replay = parse_ulong(optarg, MAX_REPLAY, "--replay");
			if (o->replay == 0)
				usage_error("--replay: at least 1");
			break;
		case OPT_FLOOD:
			parse_flood(o, optarg);
			break;
		case OPT_FLOOD_PREFIX:
			parse_prefix(o, optarg);
			break;
		case OPT_RETRY_MS:
			o->retry_ms = parse_ulong(optarg, 3600000, "--retry-ms");
			if (o->retry_ms == 0)
				usage_error("--retry-ms: at least 1");
			break;
		case OPT_RETRY_MAX_MS:
			o->wait_ms = parse_ulong(optarg, 3600000,
			    "--retry-max-ms");
			break;
		case OPT_TTL:
			o->ttl = (int)parse_ulong(optarg, 255, "--ttl");
			if (o->ttl == 0)
				usage_error("--ttl: 1 to 255");
			break;
		case OPT_BAD_CSUM:
			o->bad_csum = true;
			break;
		case OPT_COUNT:
			o->count = parse_ulong(optarg, MAX_COUNT, "--count");
			if (o->count == 0)
				usage_error("--count: at least 1");
			break;
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage_error(argc == 0 ? "no target address" :
		    "one target address only");
	o->target = argv[0];
	if (!have_key)
		usage_error("a key is needed (-k or -K)");
	if (!o->have_mn || !o->have_ar)
		usage_error("the MN's previous address (-m) and the other "
		    "AR's address (-r) are needed");
	if (udp && o->icmp)
		usage_error("-u and -i exclude each other");
	if ((o->ttl != MN_HOPLIMIT || o->bad_csum) && !o->icmp)
		usage_error("--ttl and --bad-checksum go with -i");
	if (o->have_pfx && o->flood_n == 0)
		usage_error("--flood-prefix goes with --flood");
	if (o->flood_n > 0 && o->replay > 1)
		usage_error("--flood and --replay exclude each other");
	if (o->count > 1 && (o->flood_n > 0 || o->replay > 1 ||
	    o->have_seq))
		usage_error("--count excludes --flood, --replay and -s");
	if (o->have_pfx && o->flood_pfx.len != o->mn.len)
		usage_error("--flood-prefix and -m must be the same family");
	if (o->wait_ms == 0 && o->ack)
		o->wait_ms = CT_RETRY_MAX_MS;
	/* One V flag for all addresses: mixed families go IPv4-mapped (C7). */
	if (o->mn.len != o->ar.len) {
		to_mapped(&o->mn);
		to_mapped(&o->ar);
	}
}

static void
open_socket(struct mn *m)
{
	struct opts		*o = m->o;
	struct addrinfo		 hints, *res;
	struct icmp6_filter	 f;
	char			 port[8];
	int			 e, one = 1, hops = o->ttl;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(port, sizeof(port), "%u", o->icmp ? 0 : o->port);
	if ((e = getaddrinfo(o->target, port, &hints, &res)) != 0)
		usage_error("%s: %s", o->target, gai_strerror(e));
	memcpy(&m->dst, res->ai_addr, res->ai_addrlen);
	m->dstlen = res->ai_addrlen;
	freeaddrinfo(res);

	if (!o->icmp) {
		m->fd = socket(m->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (m->fd == -1)
			die(EXIT_FAIL, "udp socket: %s", strerror(errno));
		return;
	}
	m->fd = socket(m->dst.ss_family, SOCK_RAW | SOCK_CLOEXEC,
	    m->dst.ss_family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (m->fd == -1 && (errno == EPERM || errno == EACCES))
		die(EXIT_FAIL, "raw ICMP socket: %s (-i needs root or "
		    "CAP_NET_RAW)", strerror(errno));
	if (m->fd == -1)
		die(EXIT_FAIL, "raw ICMP socket: %s", strerror(errno));
	if (m->dst.ss_family == AF_INET) {
		if (setsockopt(m->fd, IPPROTO_IP, IP_TTL, &hops,
		    sizeof(hops)) == -1)
			die(EXIT_FAIL, "IP_TTL: %s", strerror(errno));
	} else {
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(CTP_ICMP6_TYPE, &f);
		if (setsockopt(m->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
		    sizeof(f)) == -1 ||
		    setsockopt(m->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
		    sizeof(hops)) == -1 ||
		    setsockopt(m->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one,
		    sizeof(one)) == -1)
			die(EXIT_FAIL, "ICMPv6 socket options: %s",
			    strerror(errno));
	}
}

/* Build and sign the CTAR for mn with seq into buf; returns its length. */
static size_t
build_ctar(struct mn *m, const struct ctp_addr *mn, uint32_t seq,
    uint8_t *buf, size_t cap)
{
	struct opts	*o = m->o;
	struct ctp_msg	*c;
	enum ctp_err	 e;
	size_t		 n;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		die(EXIT_FAIL, "out of memory");
	c->hdr.version = CTP_VERSION;
	c->hdr.type = CTP_MSG_CTAR;
	c->hdr.v4 = mn->len == 4;
	c->hdr.x = o->ack;
	c->mn = *mn;
	c->ar = o->ar;
	c->seq = seq;
	c->ncdbs = o->ncdbs;
	memcpy(c->cdbs, o->cdbs, o->ncdbs * sizeof(o->cdbs[0]));
	e = ctp_token_sign_ctar(m->tctx, &o->key, c, buf, cap, &n);
	free(c);
	if (e != CTP_OK)
		die(EXIT_FAIL, "building the CTAR: %s", ctp_strerror(e));
	if (o->bad_token) {
		/* The token follows the header, both addresses and seq. */
		buf[CTP_HDR_LEN + 2 * (size_t)mn->len + 4] ^= 0xff;
	}
	return n;
}

static void
send_msg(struct mn *m, const uint8_t *msg, size_t len)
{
	uint8_t		 pkt[PKT_MAX];
	const uint8_t	*p = msg;
	size_t		 n = len;
	enum ctp_err	 e;

	if (m->o->icmp) {
		/* ICMPv4 checksum computed here; the kernel does ICMPv6's. */
		e = ctp_icmp_encode(m->dst.ss_family == AF_INET6, NULL, NULL,
		    msg, len, pkt, sizeof(pkt), &n);
		if (e != CTP_OK)
			die(EXIT_FAIL, "ICMP wrapper: %s", ctp_strerror(e));
		/* The checksum field is octets 2-3 of the ICMP header. */
		if (m->o->bad_csum && m->dst.ss_family == AF_INET)
			pkt[2] ^= 0xff;
		p = pkt;
	}
	if (sendto(m->fd, p, n, 0, (struct sockaddr *)&m->dst, m->dstlen) ==
	    -1)
		fprintf(stderr, "ctp-mn: send: %s\n", strerror(errno));
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/*
 * Read one datagram; true with m->rx holding a CTAA for mn (any MN if NULL)
 * from the target.  Anything else is reported with -v and ignored.
 */
static bool
recv_ctaa(struct mn *m, const struct ctp_addr *mn)
{
	struct sockaddr_storage	 from;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	struct ctp_icmp		 ic;
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[128];
	} cbuf;
	const uint8_t		*p = m->rbuf;
	ssize_t			 r;
	size_t			 n, ihl, off = 0;
	int			 hops = -1;
	enum ctp_err		 e;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = m->rbuf;
	iov.iov_len = sizeof(m->rbuf);
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	if ((r = recvmsg(m->fd, &mh, MSG_DONTWAIT)) == -1)
		return false;
	n = (size_t)r;
	if (!same_host(&from, &m->dst)) {
		note(m, "ignored a packet from another host");
		return false;
	}
	if (m->o->icmp) {
		if (from.ss_family == AF_INET) {
			if (n < 20 || (ihl = (p[0] & 0x0fU) * 4) < 20 ||
			    ihl > n)
				return false;
			hops = p[8];
			p += ihl;
			n -= ihl;
			if (n < 1 || p[0] != CTP_ICMP4_TYPE)
				return false;	/* other ICMP traffic */
		} else {
			for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
			    cm = CMSG_NXTHDR(&mh, cm))
				if (cm->cmsg_level == IPPROTO_IPV6 &&
				    cm->cmsg_type == IPV6_HOPLIMIT)
					memcpy(&hops, CMSG_DATA(cm),
					    sizeof(hops));
		}
		if (hops != MN_HOPLIMIT) {
			note(m, "ignored a packet with hop limit %d", hops);
			return false;
		}
		if ((e = ctp_icmp_decode(p, n, from.ss_family == AF_INET6,
		    NULL, NULL, &ic, &off)) != CTP_OK) {
			note(m, "ignored a bad ICMP packet: %s at octet %zu",
			    ctp_strerror(e), off);
			return false;
		}
		p = ic.body;
		n = ic.body_len;
	}
	if ((e = ctp_msg_decode(p, n, NULL, &m->rx, &off)) != CTP_OK) {
		note(m, "ignored a malformed answer: %s at octet %zu",
		    ctp_strerror(e), off);
		return false;
	}
	if (m->rx.hdr.type != CTP_MSG_CTAA || (mn != NULL &&
	    (m->rx.mn.len != mn->len ||
	    memcmp(m->rx.mn.b, mn->b, mn->len) != 0))) {
		note(m, "ignored a %s not for this MN",
		    ctp_msg_type_name(m->rx.hdr.type) ?
		    ctp_msg_type_name(m->rx.hdr.type) : "message");
		return false;
	}
	return true;
}

static void
print_ctaa(struct mn *m, unsigned tries, uint64_t rtt, unsigned long count)
{
	const struct ctp_msg	*a = &m->rx;
	json_t			*j;
	char			 as[INET6_ADDRSTRLEN], *s;
	const char		*name;
	size_t			 i;

	if (m->o->json) {
		if (ctp_json_from_msg(a, 0, &j) != CTP_OK)
			die(EXIT_FAIL, "rendering the CTAA as JSON failed");
		s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		if (s == NULL)
			die(EXIT_FAIL, "out of memory");
		printf("%s\n", s);
		free(s);
		return;
	}
	inet_ntop(a->mn.len == 4 ? AF_INET : AF_INET6, a->mn.b, as,
	    sizeof(as));
	printf("CTAA for mn %s: %zu %s%s (try %u, %llu ms", as, a->nentries,
	    a->nentries == 1 ? "entry" : "entries",
	    a->nentries == 0 ? ", every context transferred" : "", tries,
	    (unsigned long long)rtt);
	if (count > 1)
		printf(", %lu CTAAs received", count);
	printf(")\n");
	for (i = 0; i < a->nentries; i++) {
		name = ctp_feature_name(a->entries[i].fpt);
		printf("  fpt 0x%04x%s%s%s status %s (0x%02x)\n",
		    a->entries[i].fpt, name != NULL ? " (" : "",
		    name != NULL ? name : "", name != NULL ? ")" : "",
		    ctp_status_name(a->entries[i].status),
		    a->entries[i].status);
	}
}

/* Sleep until the monotonic time t (ms) or until fd is readable. */
static bool
wait_readable(int fd, uint64_t until)
{
	struct pollfd	 pfd;
	uint64_t	 now = now_ms();
	int		 r;

	if (now >= until)
		return false;
	pfd.fd = fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1, (int)(until - now > INT_MAX ? INT_MAX : until - now));
	return r > 0;
}

/*
 * One request: send it (--replay times), then, with -A, retransmit per §6.3
 * until a CTAA arrives or wait_ms has passed since the first send.
 */
static int
run_request(struct mn *m)
{
	struct opts	*o = m->o;
	uint8_t		 ctar[PKT_MAX];
	size_t		 len;
	uint64_t	 deadline, next, interval, first = 0;
	unsigned	 tries = 0;
	unsigned long	 i, count = 0;
	bool		 got = false;
	int		 status = EXIT_FAIL;

	if (!o->have_seq &&
	    getrandom(&o->seq, sizeof(o->seq), 0) != sizeof(o->seq))
		die(EXIT_FAIL, "getrandom: %s", strerror(errno));
	len = build_ctar(m, &o->mn, o->seq, ctar, sizeof(ctar));
	m->t0 = now_ms();
	for (i = 0; i < o->replay; i++) {
		send_msg(m, ctar, len);
		note(m, "sent CTAR seq 0x%08x (%zu octets%s) try %u", o->seq,
		    len, o->bad_token ? ", bad token" : "", ++tries);
	}
	if (!o->ack && o->wait_ms == 0)
		return EXIT_OK;
	deadline = m->t0 + o->wait_ms;
	interval = o->retry_ms;
	next = m->t0 + interval;
	for (;;) {
		if (wait_readable(m->fd, o->ack && next < deadline ? next :
		    deadline)) {
			if (!recv_ctaa(m, &o->mn))
				continue;
			if (!got) {
				first = now_ms() - m->t0;
				status = m->rx.nentries == 0 ? EXIT_OK :
				    EXIT_FAIL;
				got = true;
			}
			count++;
			note(m, "received CTAA (%zu entries)",
			    m->rx.nentries);
			/* Replays may draw more answers (C16): count them. */
			if (o->replay > 1 && count < o->replay) {
				deadline = now_ms() + DRAIN_MS;
				continue;
			}
			break;
		}
		if (now_ms() >= deadline)
			break;
		if (o->ack && !got && now_ms() >= next) {
			send_msg(m, ctar, len);
			note(m, "sent CTAR seq 0x%08x (%zu octets%s) try %u",
			    o->seq, len, o->bad_token ? ", bad token" : "",
			    ++tries);
			interval *= 2;
			next += interval;
		}
	}
	if (!got) {
		fprintf(stderr, "ctp-mn: no CTAA from %s after %llu ms "
		    "(%u %s)\n", o->target,
		    (unsigned long long)(now_ms() - m->t0), tries,
		    tries == 1 ? "try" : "tries");
		return EXIT_FAIL;
	}
	/* m->rx holds the last CTAA; for a single answer also the first. */
	print_ctaa(m, tries, first, count);
	return status;
}

static void
random_in_prefix(const struct opts *o, struct ctp_addr *a)
{
	uint8_t		 r[16];
	unsigned	 i, bit;

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		die(EXIT_FAIL, "getrandom: %s", strerror(errno));
	*a = o->flood_pfx;
	for (i = 0; i < (unsigned)a->len * 8; i++) {
		if (i < o->flood_plen)
			continue;
		bit = 0x80U >> (i % 8);
		a->b[i / 8] = (uint8_t)((a->b[i / 8] & ~bit) | (r[i / 8] & bit));
	}
}

/* --flood N/RATE: paced by absolute deadlines, bounded in count and time. */
/* The next address after a (wraps around within its length). */
static void
addr_next(struct ctp_addr *a)
{
	int	 i;

	for (i = (int)a->len - 1; i >= 0; i--)
		if (++a->b[i] != 0)
			break;
}

/*
 * --count: the handovers of count MNs, one after the other, from -m on;
 * each has a sequence number of its own and prints its CTAA.  The worst
 * status wins.
 */
static int
run_count(struct mn *m)
{
	struct opts	*o = m->o;
	unsigned long	 i;
	int		 status = EXIT_OK;

	for (i = 0; i < o->count; i++) {
		if (i > 0)
			addr_next(&o->mn);
		if (run_request(m) != EXIT_OK)
			status = EXIT_FAIL;
		fflush(stdout);
	}
	return status;
}

static int
run_flood(struct mn *m)
{
	struct opts	*o = m->o;
	struct timespec	 ts;
	struct ctp_addr	 mn;
	uint8_t		 ctar[PKT_MAX];
	uint64_t	 start_ns, t, sent_ms;
	unsigned long	 i, answers = 0;
	uint32_t	 seq;
	size_t		 len;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	start_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	m->t0 = now_ms();
	for (i = 0; i < o->flood_n; i++) {
		t = start_ns + i * 1000000000ULL / o->flood_rate;
		ts.tv_sec = (time_t)(t / 1000000000ULL);
		ts.tv_nsec = (long)(t % 1000000000ULL);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			;
		mn = o->mn;
		if (o->have_pfx)
			random_in_prefix(o, &mn);
		if (mn.len != o->ar.len)
			to_mapped(&mn);
		if (getrandom(&seq, sizeof(seq), 0) != sizeof(seq))
			die(EXIT_FAIL, "getrandom: %s", strerror(errno));
		len = build_ctar(m, &mn, seq, ctar, sizeof(ctar));
		send_msg(m, ctar, len);
		while (o->ack && recv_ctaa(m, NULL))
			answers++;
	}
	sent_ms = now_ms() - m->t0;
	/* Collect late answers for a moment. */
	t = now_ms() + DRAIN_MS;
	while (o->ack && wait_readable(m->fd, t))
		if (recv_ctaa(m, NULL))
			answers++;
	if (o->json)
		printf("{\"sent\": %lu, \"ms\": %llu, \"ctaa\": %lu}\n",
		    o->flood_n, (unsigned long long)sent_ms, answers);
	else
		printf("flood: %lu CTARs sent in %llu ms, %lu CTAAs received\n",
		    o->flood_n, (unsigned long long)sent_ms, answers);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct opts	 o;
	struct mn	*m;
	int		 status;

	parse_args(&o, argc, argv);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		die(EXIT_FAIL, "out of memory");
	m->o = &o;
	if ((m->tctx = ctp_token_ctx_new()) == NULL)
		die(EXIT_FAIL, "libcrypto provides no HMAC-SHA1");
	open_socket(m);
	status = o.flood_n > 0 ? run_flood(m) : o.count > 1 ? run_count(m) :
	    run_request(m);
	ctp_key_wipe(&o.key);
	ctp_token_ctx_free(m->tctx);
	close(m->fd);
	free(m);
	return status;
}
