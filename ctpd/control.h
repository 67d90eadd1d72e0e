/* SPDX-License-Identifier: ISC */
/*
 * The control socket: a Unix stream socket speaking version 1 of the
 * JSON-lines protocol specified in ctpctl(8), CONTROL PROTOCOL.  It answers
 * the show and context commands from the modules' JSON views.
 */
#ifndef CTPD_CONTROL_H
#define CTPD_CONTROL_H

#include <jansson.h>

#define CONTROL_PROTOCOL	1
#define CONTROL_LINE_MAX	(256 * 1024)	/* request, newline included */
#define CONTROL_MAX_CLIENTS	16
#define CONTROL_IDLE_SEC	60		/* silent clients are closed */
#define CONTROL_BATCH		16		/* requests per client, pass */
#define CONTROL_OUT_MAX		(16 * 1024 * 1024) /* then stop reading */

struct ctpd;
struct control;

/*
 * Create the socket at path with mode 0660 and listen on ctpd->base.  A
 * stale socket (nobody answers) is removed first; if a live server answers
 * at path, or path exists and is not a socket, nothing is touched.  Returns
 * NULL after logging the reason.
 */
struct control	*control_new(struct ctpd *, const char *path);
/*
 * Close every client and the socket, and remove the socket file if it is
 * still the one this server created.  NULL is a no-op.
 */
void		 control_free(struct control *);
/* Counters for show stats: clients, requests, errors, rejected. */
json_t		*control_json(const struct control *);
/*
 * Run one request object (as received, parsed) and return the reply object
 * with its status; never NULL except when out of memory.  Exposed for tests.
 */
json_t		*control_dispatch(struct control *, json_t *req);

#endif /* CTPD_CONTROL_H */
