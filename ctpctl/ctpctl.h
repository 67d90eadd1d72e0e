/* SPDX-License-Identifier: ISC */
/*
 * ctpctl: the operator's tool.  A grammar table maps command words to
 * handlers, and an output vtable renders every result and error either as
 * text or as one JSON document (-j).  Offline commands live in
 * ctpctl_codec.c; control-socket commands join the same table.
 */
#ifndef CTPCTL_H
#define CTPCTL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CTPCTL_SOCKET		"/run/ctpd/ctpd.sock"
#define CTPCTL_MAXWORDS		3
#define CTPCTL_INPUT_MAX	(16 * 1024 * 1024)

/* Exit statuses (ctpctl(8), EXIT STATUS). */
#define CTPCTL_EXIT_OK		0
#define CTPCTL_EXIT_FAIL	1	/* the command failed */
#define CTPCTL_EXIT_USAGE	2	/* bad command line */

struct ctpctl;

/* Renders results and errors; one text and one JSON instance. */
struct ctpctl_out {
	/* A command's result document (members as in ctpctl(8)). */
	void	(*result)(const struct ctpctl *, const json_t *doc);
	/*
	 * A failure: err is the stable error name ("LEN_OVER", "JSON"), or
	 * NULL for an operating-system error; off is the octet offset in
	 * the input, or -1 when there is none.
	 */
	void	(*error)(const struct ctpctl *, const char *err,
		    long long off, const char *msg);
};

/* One row of the grammar table. */
struct ctpctl_cmd {
	const char	*words[CTPCTL_MAXWORDS];	/* NULL-terminated */
	const char	*args;		/* options, operands: usage */
	const char	*help;		/* one line, for usage */
	/*
	 * Runs the command; argv[0] is its last word, so getopt() sees the
	 * command's own options.  Returns a CTPCTL_EXIT_* status.
	 */
	int		(*run)(struct ctpctl *, int argc, char **argv);
};

struct ctpctl {
	const char		*sock;	/* -s: control commands */
	int			 json;	/* -j */
	const struct ctpctl_out	*out;
	const struct ctpctl_cmd	*cmd;	/* the running command */
};

/* Select the text or the JSON renderer from ctl->json. */
void		 ctpctl_set_output(struct ctpctl *);
/* The command's usage line to stderr; returns CTPCTL_EXIT_USAGE. */
int		 ctpctl_usage_cmd(const struct ctpctl *);
/* Report a failure through the renderer; returns CTPCTL_EXIT_FAIL. */
int		 ctpctl_fail(const struct ctpctl *, const char *err,
		    long long off, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 4, 5)));
/*
 * Read all of path ("-" for stdin), at most CTPCTL_INPUT_MAX octets, into a
 * malloc'ed buffer with a NUL after the data.  Returns 0, or -1 after
 * reporting the failure.
 */
int		 ctpctl_read_input(const struct ctpctl *, const char *path,
		    uint8_t **buf, size_t *len);

/* ctpctl_codec.c */
int		 ctpctl_decode(struct ctpctl *, int, char **);
int		 ctpctl_encode(struct ctpctl *, int, char **);

/* ctpctl_control.c: commands over the control socket (-s) */
int		 ctpctl_show(struct ctpctl *, int, char **);
int		 ctpctl_mn(struct ctpctl *, int, char **);
int		 ctpctl_context_put(struct ctpctl *, int, char **);
int		 ctpctl_raw(struct ctpctl *, int, char **);

#endif /* CTPCTL_H */
