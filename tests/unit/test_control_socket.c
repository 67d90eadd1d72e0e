/* SPDX-License-Identifier: ISC */
/*
 * Tests of the control socket (ctpd/control.c) in process, without the other
 * modules: greeting, pipelined requests beyond one batch, a last line cut by
 * EOF, request checks, the size cap, the client bound, live and stale paths.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "ctpd.h"
#include "control.h"
#include "log.h"

uint64_t
ctpd_now_ms(struct ctpd *d)
{
	struct timespec	 ts;

	(void)d;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct ctpd	 d;
static char		 dir[64], path[128];

static void
setup(void)
{
	memset(&d, 0, sizeof(d));
	log_init("test_control_socket", true, LOGL_WARN);
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/test_control_socket.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctpd.sock", dir);
	ck_assert_ptr_nonnull(d.base = event_base_new());
	d.started_ms = ctpd_now_ms(&d);
}

static void
teardown(void)
{
	control_free(d.control);
	d.control = NULL;
	event_base_free(d.base);
	unlink(path);
	rmdir(dir);
}

static int
client(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_ne(fcntl(fd, F_SETFL, O_NONBLOCK), -1);
	return fd;
}

/* Turn the loop for ms milliseconds. */
static void
spin(unsigned ms)
{
	uint64_t	 end = ctpd_now_ms(&d) + ms;

	while (ctpd_now_ms(&d) < end) {
		event_base_loop(d.base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

/*
 * Turn the loop and read from fd until EOF, max octets, nl lines if nl > 0,
 * or 5 s.  Returns the octets read (NUL-terminated, malloc'ed); *eof tells
 * whether it ended at EOF.
 */
static char *
collect(int fd, size_t max, int nl, int *eof)
{
	char		*buf;
	size_t		 len = 0, i;
	int		 lines = 0;
	ssize_t		 r;
	uint64_t	 end = ctpd_now_ms(&d) + 5000;

	ck_assert_ptr_nonnull(buf = malloc(max + 1));
	*eof = 0;
	while (len < max && ctpd_now_ms(&d) < end) {
		event_base_loop(d.base, EVLOOP_NONBLOCK);
		r = read(fd, buf + len, max - len);
		if (r == 0) {
			*eof = 1;
			break;
		}
		if (r > 0) {
			for (i = len; i < len + (size_t)r; i++)
				lines += buf[i] == '\n';
			len += (size_t)r;
			if (nl > 0 && lines >= nl)
				break;
		} else
			usleep(1000);
	}
	buf[len] = '\0';
	return buf;
}

static size_t
count_lines(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Write all of s, turning the loop so that the server keeps reading. */
static void
write_all(int fd, const char *s, size_t n)
{
	ssize_t		 w;
	uint64_t	 end = ctpd_now_ms(&d) + 5000;

	while (n > 0 && ctpd_now_ms(&d) < end) {
		event_base_loop(d.base, EVLOOP_NONBLOCK);
		if ((w = write(fd, s, n)) > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w == -1 && errno == EPIPE)
			return;
	}
}

START_TEST(test_pipeline)
{
	char		*req, *out, *rest, *line, *save = NULL, want[64];
	size_t		 len = 0, i;
	int		 fd, eof;
	json_t		*o;

	ck_assert_ptr_nonnull(d.control = control_new(&d, path));
	ck_assert_ptr_nonnull(req = malloc(64 * 41));
	/*
	 * More requests than one batch in one write: all are answered while
	 * the connection stays open (the rest in later passes).
	 */
	for (i = 0; i < 40; i++)
		len += (size_t)sprintf(req + len,
		    "{\"command\":\"show status\",\"id\":%zu}\n", i);
	fd = client();
	write_all(fd, req, len);
	out = collect(fd, 1 << 20, 41, &eof);
	ck_assert_int_eq(eof, 0);
	ck_assert_uint_eq(count_lines(out), 41);
	/* a last request cut by EOF is answered too, then the server closes */
	len = (size_t)sprintf(req, "{\"command\":\"show status\","
	    "\"id\":\"last\"}");
	write_all(fd, req, len);
	shutdown(fd, SHUT_WR);
	rest = collect(fd, 1 << 20, 0, &eof);
	ck_assert_int_eq(eof, 1);
	ck_assert_uint_eq(count_lines(rest), 1);
	ck_assert_ptr_nonnull(out = realloc(out, strlen(out) +
	    strlen(rest) + 1));
	strcat(out, rest);
	free(rest);
	line = strtok_r(out, "\n", &save);
	snprintf(want, sizeof(want), "{\"ctpd\":\"%s\",\"protocol\":1}",
	    PACKAGE_VERSION);
	ck_assert_str_eq(line, want);
	for (i = 0; i < 41; i++) {
		ck_assert_ptr_nonnull(line = strtok_r(NULL, "\n", &save));
		ck_assert_ptr_nonnull(o = json_loads(line, 0, NULL));
		ck_assert_str_eq(json_string_value(json_object_get(o,
		    "status")), "ok");
		ck_assert_int_eq(json_integer_value(json_object_get(o,
		    "protocol")), 1);
		if (i < 40)
			ck_assert_int_eq(json_integer_value(json_object_get(o,
			    "id")), (json_int_t)i);
		else
			ck_assert_str_eq(json_string_value(json_object_get(o,
			    "id")), "last");
		json_decref(o);
	}
	free(out);
	free(req);
	close(fd);
}
END_TEST

/* Each request and the start of the error it must get. */
static const struct {
	const char	*req;
	const char	*err;
} bad[] = {
	{ "[1]", "a request must be a JSON object" },
	{ "{}", "the request has no \"command\" string" },
	{ "{\"command\":1}", "the request has no \"command\" string" },
	{ "{\"command\":\"show nothing\"}",
	    "unknown command \"show nothing\"" },
	{ "{\"command\":\"show status\",\"x\":1}",
	    "unknown member \"x\" in a show status request" },
	{ "{\"command\":\"show status\",\"protocol\":2}",
	    "protocol version not supported" },
	{ "{\"command\":\"show status\",\"protocol\":\"1\"}",
	    "protocol version not supported" },
	{ "{\"command\":\"show mn\"}", "show mn needs the member \"mn\"" },
	{ "{\"command\":\"show mn\",\"mn\":\"1.2.3\"}",
	    "show mn: \"mn\" must be an IPv4 or IPv6 address" },
	{ "{\"command\":\"context get\",\"mn\":[]}",
	    "context get: \"mn\" must be an IPv4 or IPv6 address" },
	{ "{\"command\":\"context put\",\"context\":\"x\"}",
	    "context put: \"context\" must be an object" },
	{ "{\"command\":\"context put\",\"mn\":\"192.0.2.1\"}",
	    "unknown member \"mn\" in a context put request" },
	{ "{\"command\":\"show peers\"}", "the peer set is not running" },
	{ "{\"command\":\"show contexts\",\"id\":[1]}",
	    "the transfer engine is not running" },
};

START_TEST(test_bad_request)
{
	json_t		*req, *rep;
	const char	*e;

	d.control = control_new(&d, path);
	ck_assert_ptr_nonnull(d.control);
	ck_assert_ptr_nonnull(req = json_loads(bad[_i].req, 0, NULL));
	ck_assert_ptr_nonnull(rep = control_dispatch(d.control, req));
	ck_assert_str_eq(json_string_value(json_object_get(rep, "status")),
	    "error");
	ck_assert_ptr_nonnull(e = json_string_value(json_object_get(rep,
	    "error")));
	ck_assert_msg(strncmp(e, bad[_i].err, strlen(bad[_i].err)) == 0,
	    "%s: got \"%s\"", bad[_i].req, e);
	ck_assert(json_equal(json_object_get(rep, "id"),
	    json_object_get(req, "id")) || json_object_get(req, "id") == NULL);
	ck_assert_uint_le(json_object_size(rep), 3);
	json_decref(req);
	json_decref(rep);
}
END_TEST

START_TEST(test_oversize)
{
	char	*big, *out;
	size_t	 n = CONTROL_LINE_MAX + 1000;
	int	 fd, eof;

	ck_assert_ptr_nonnull(d.control = control_new(&d, path));
	ck_assert_ptr_nonnull(big = malloc(n));
	memset(big, 'a', n);
	fd = client();
	write_all(fd, big, n);
	out = collect(fd, 4096, 0, &eof);
	ck_assert_int_eq(eof, 1);
	ck_assert_uint_eq(count_lines(out), 2);
	ck_assert_ptr_nonnull(strstr(out, "\"error\":\"request longer than "
	    "262144 octets; closing the connection\""));
	free(out);
	free(big);
	close(fd);
	/* the server still serves */
	fd = client();
	write_all(fd, "{\"command\":\"show status\"}\n", 26);
	shutdown(fd, SHUT_WR);
	out = collect(fd, 4096, 0, &eof);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"ok\""));
	free(out);
	close(fd);
}
END_TEST

START_TEST(test_client_limit)
{
	int	 fds[CONTROL_MAX_CLIENTS], fd, eof;
	char	*out;
	size_t	 i;

	ck_assert_ptr_nonnull(d.control = control_new(&d, path));
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client();
		out = collect(fds[i], 4096, 1, &eof);	/* the greeting */
		ck_assert_ptr_nonnull(strstr(out, "\"protocol\":1"));
		free(out);
	}
	fd = client();
	out = collect(fd, 4096, 0, &eof);
	ck_assert_int_eq(eof, 1);
	ck_assert_str_eq(out, "{\"status\":\"error\",\"error\":\"too many "
	    "control clients (16); try again later\"}\n");
	free(out);
	close(fd);
	close(fds[0]);
	/* a slot is free again once the server sees the close */
	spin(50);
	fd = client();
	out = collect(fd, 4096, 1, &eof);
	ck_assert_ptr_nonnull(strstr(out, "\"protocol\":1"));
	free(out);
	close(fd);
	for (i = 1; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_paths)
{
	struct sockaddr_un	 sun;
	struct control		*second;
	struct stat		 st;
	int			 fd;

	/* a live server on the path: refused, and its socket untouched */
	ck_assert_ptr_nonnull(d.control = control_new(&d, path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660);
	ck_assert_ptr_null(second = control_new(&d, path));
	ck_assert_int_eq(access(path, F_OK), 0);
	control_free(d.control);
	d.control = NULL;
	ck_assert_int_eq(access(path, F_OK), -1);

	/* a stale socket (bound, nobody listening) is replaced */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	ck_assert_ptr_nonnull(d.control = control_new(&d, path));
	control_free(d.control);
	d.control = NULL;

	/* a file that is not a socket is left alone */
	ck_assert_int_ne(fd = open(path, O_CREAT | O_WRONLY, 0600), -1);
	close(fd);
	ck_assert_ptr_null(control_new(&d, path));
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);

	/* a path too long for sun_path */
	ck_assert_ptr_null(control_new(&d, "/tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxx.sock"));
}
END_TEST

static Suite *
control_suite(void)
{
	Suite	*s = suite_create("control");
	TCase	*tc = tcase_create("socket");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pipeline);
	tcase_add_loop_test(tc, test_bad_request, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_client_limit);
	tcase_add_test(tc, test_paths);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(control_suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
