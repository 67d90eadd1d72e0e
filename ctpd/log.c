/* SPDX-License-Identifier: ISC */
/*
 * Logging for ctpd (see log.h): one format path to stderr or syslog, with
 * levels and a per-class rate limiter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static bool		 log_stderr = true;
static enum log_level	 log_level = LOGL_INFO;

static const int	 log_prio[] = {
	[LOGL_WARN] = LOG_WARNING,
	[LOGL_INFO] = LOG_INFO,
	[LOGL_VERBOSE] = LOG_INFO,
	[LOGL_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *ident, bool to_stderr, enum log_level level)
{
	log_stderr = to_stderr;
	log_level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

enum log_level
log_getlevel(void)
{
	return log_level;
}

void
log_vlog(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char	 msg[1024];
	size_t	 n;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	if (log_stderr) {
		fprintf(stderr, "%s\n", msg);
		fflush(stderr);
	} else
		syslog(log_prio[level], "%s", msg);
}

#define LOG_FN(name, level, useerr)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
	int	 saved = errno;					\
								\
	va_start(ap, fmt);					\
	log_vlog(level, useerr ? saved : 0, fmt, ap);		\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, LOGL_WARN, 1)
LOG_FN(log_warnx, LOGL_WARN, 0)
LOG_FN(log_info, LOGL_INFO, 0)
LOG_FN(log_verbose, LOGL_VERBOSE, 0)
LOG_FN(log_debug, LOGL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vlog(LOGL_WARN, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOGL_WARN, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_limit_init(struct log_limit *l, uint32_t burst, uint32_t interval_ms)
{
	memset(l, 0, sizeof(*l));
	l->burst = l->tokens = burst;
	l->interval_ms = interval_ms;
}

void
log_limited(struct log_limit *l, uint64_t now_ms, enum log_level level,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[900];

	if (l->tokens == 0 && now_ms >= l->next_ms)
		l->tokens = 1;
	if (l->tokens == 0) {
		l->suppressed++;
		return;
	}
	l->tokens--;
	l->next_ms = now_ms + l->interval_ms;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->suppressed > 0) {
		log_info("%s (%llu similar lines suppressed)", msg,
		    (unsigned long long)l->suppressed);
		l->suppressed = 0;
	} else if (level <= LOGL_WARN)
		log_warnx("%s", msg);
	else if (level == LOGL_INFO)
		log_info("%s", msg);
	else if (level == LOGL_VERBOSE)
		log_verbose("%s", msg);
	else
		log_debug("%s", msg);
}
