/* SPDX-License-Identifier: ISC */
/*
 * Logging for ctpd: stderr in the foreground (-d), syslog otherwise.  A small
 * printf-checked set (log_warn appends errno), domain helpers that put the
 * subject first, and a rate limiter for input that an outsider controls.
 */
#ifndef CTPD_LOG_H
#define CTPD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define LOG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

enum log_level {
	LOGL_WARN = 0,
	LOGL_INFO,		/* default: operational */
	LOGL_VERBOSE,		/* -v: per peer and per transfer */
	LOGL_DEBUG,		/* -vv: decoded messages */
};

/* ident for syslog; to_stderr for -d; level as above. */
void	log_init(const char *ident, bool to_stderr, enum log_level level);
void	log_setlevel(enum log_level);
enum log_level log_getlevel(void);

void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_verbose(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	log_vlog(enum log_level, int errnum, const char *, va_list)
	    LOG_PRINTF(3, 0);

/*
 * At most burst lines, then one per interval_ms, for one class of noisy
 * input (bad packets from MNs, bad messages from a peer).  Lines dropped are
 * counted and reported with the next line that gets through.
 */
struct log_limit {
	uint64_t	 next_ms;
	uint32_t	 interval_ms;
	uint32_t	 burst;
	uint32_t	 tokens;
	uint64_t	 suppressed;
};

void	log_limit_init(struct log_limit *, uint32_t burst, uint32_t interval_ms);
/* Logs at level if the limiter allows it at now_ms. */
void	log_limited(struct log_limit *, uint64_t now_ms, enum log_level,
	    const char *, ...) LOG_PRINTF(4, 5);

#endif /* CTPD_LOG_H */
