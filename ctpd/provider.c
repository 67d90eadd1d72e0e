/* SPDX-License-Identifier: ISC */
/*
 * Feature providers.  builtin copies an installed context into the store;
 * exec runs the feature's hook per CDB (JSON on stdin, own process group,
 * bounded run time) and reports its exit status asynchronously through the
 * event loop, watching the child with a pidfd (or a short poll without one).
 */
#define _GNU_SOURCE		/* pipe2 */
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctp_feature.h"
#include "ctpd.h"
#include "log.h"
#include "provider.h"
#include "store.h"

#define PROV_POLL_MS	5	/* without pidfd: waitpid poll interval */

struct prov_job {
	struct prov_job		*next;
	struct provider		*pv;
	void			*owner;		/* NULL once cancelled */
	uint64_t		 gen;
	pid_t			 pid;
	int			 pidfd;
	bool			 timed_out;
	struct event		*ev_exit;
	struct event		*ev_timeout;
	struct ctp_addr		 mn;
	struct ctp_cdb		 cdb;		/* data in the job's copy */
	uint8_t			*copy;
	char			 feature[16];
};

struct provider {
	struct ctpd		*d;
	struct store		*store;
	provider_done_fn	 done;
	void			*arg;
	struct prov_job		*jobs;
	size_t			 njobs;
	uint64_t		 c_builtin, c_exec, c_exec_fail, c_timeout,
				 c_spawn_fail, c_cancel;
};

static const uint16_t prov_fpt[CTP_CONF_FEAT__MAX] = {
	[CTP_CONF_FEAT_AAA] = CTP_FPT_AAA,
	[CTP_CONF_FEAT_QOS] = CTP_FPT_QOS,
	[CTP_CONF_FEAT_ROHC] = CTP_FPT_ROHC,
	[CTP_CONF_FEAT_MLD] = CTP_FPT_MLD,
};

const struct ctp_conf_feature *
provider_feature(const struct ctp_conf *c, uint16_t fpt)
{
	size_t	 i;

	for (i = 0; i < CTP_CONF_FEAT__MAX; i++)
		if (prov_fpt[i] == fpt && fpt != 0)
			return c->features[i].enabled ? &c->features[i] : NULL;
	return NULL;
}

int
provider_check_conf(const struct ctp_conf *c, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < CTP_CONF_FEAT__MAX; i++) {
		if (!c->features[i].enabled)
			continue;
		if (c->features[i].provider == CTP_CONF_PROV_SOCKET) {
			snprintf(err, errlen, "features.%s: provider socket is "
			    "not available in this version of ctpd; use "
			    "builtin or exec", ctp_conf_feature_names[i]);
			return -1;
		}
		if (c->features[i].provider == CTP_CONF_PROV_EXEC &&
		    c->features[i].command == NULL) {
			snprintf(err, errlen, "features.%s: provider exec "
			    "needs a command", ctp_conf_feature_names[i]);
			return -1;
		}
	}
	return 0;
}

struct provider *
provider_new(struct ctpd *d, struct store *store, provider_done_fn done,
    void *arg)
{
	struct provider	*pv;
	char		 err[256];

	if (provider_check_conf(d->conf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return NULL;
	}
	if ((pv = calloc(1, sizeof(*pv))) == NULL) {
		log_warn("provider");
		return NULL;
	}
	pv->d = d;
	pv->store = store;
	pv->done = done;
	pv->arg = arg;
	return pv;
}

uint8_t
provider_exit_status(int ws)
{
	if (!WIFEXITED(ws))
		return CTP_ST_INSTALL_FAILED;
	switch (WEXITSTATUS(ws)) {
	case 0:
		return CTP_ST_SUCCESS;
	case 2:
		return CTP_ST_RESOURCE_SHORTAGE;
	case 3:
		return CTP_ST_ADMIN_PROHIBITED;
	default:
		return CTP_ST_INSTALL_FAILED;
	}
}

static void
prov_job_unlink(struct prov_job *j)
{
	struct prov_job	**pp;

	for (pp = &j->pv->jobs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			j->pv->njobs--;
			break;
		}
}

static void
prov_job_free(struct prov_job *j)
{
	if (j->ev_exit != NULL)
		event_free(j->ev_exit);
	if (j->ev_timeout != NULL)
		event_free(j->ev_timeout);
	if (j->pidfd >= 0)
		close(j->pidfd);
	free(j->copy);
	free(j);
}

/* The child is gone: map its status, record a success, report. */
static void
prov_job_reap(struct prov_job *j, int ws)
{
	struct provider	*pv = j->pv;
	struct store_mn	*m;
	char		 a[64];
	uint8_t		 st;

	prov_job_unlink(j);
	st = j->timed_out ? CTP_ST_INSTALL_FAILED : provider_exit_status(ws);
	ctp_addr_str(&j->mn, a, sizeof(a));
	if (j->owner == NULL) {
		log_verbose("xfer %s: %s hook (cancelled) ended", a,
		    j->feature);
		prov_job_free(j);
		return;
	}
	if (st == CTP_ST_SUCCESS) {
		/* Kept as a view of what went where (show contexts). */
		if ((m = store_add(pv->store, &j->mn)) == NULL ||
		    store_cdb_add(pv->store, m, STORE_INSTALLED, &j->cdb,
		    CTP_CONF_PROV_EXEC) == -1)
			log_verbose("xfer %s: %s installed by its hook, not "
			    "recorded: store full", a, j->feature);
	} else {
		pv->c_exec_fail++;
		if (j->timed_out)
			log_warnx("xfer %s: %s hook killed after its timeout",
			    a, j->feature);
		else if (WIFEXITED(ws))
			log_info("xfer %s: %s hook exited %d: %s", a,
			    j->feature, WEXITSTATUS(ws), ctp_status_name(st));
		else
			log_warnx("xfer %s: %s hook killed by signal %d", a,
			    j->feature, WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	}
	pv->done(pv->arg, j->owner, j->gen, j->cdb.fpt, st);
	prov_job_free(j);
}

static void
prov_job_check(evutil_socket_t fd, short what, void *arg)
{
	struct prov_job	*j = arg;
	int		 ws = 0;
	pid_t		 r;

	(void)fd;
	(void)what;
	r = waitpid(j->pid, &ws, WNOHANG);
	if (r == 0)
		return;		/* pidfd spurious or poll: not yet */
	if (r == -1 && errno != ECHILD)
		return;
	if (r == -1)
		ws = 0x7f00;	/* reaped elsewhere: status unknown, failed */
	prov_job_reap(j, ws);
}

static void
prov_job_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct prov_job	*j = arg;

	(void)fd;
	(void)what;
	j->timed_out = true;
	j->pv->c_timeout++;
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
}

static void
prov_child(const char *cmd, const char *feature, int in)
{
	sigset_t	 all;
	int		 i;

	setpgid(0, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	if (dup2(in, STDIN_FILENO) == -1)
		_exit(127);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == -1)
#endif
		for (i = 3; i < 1024; i++)
			close(i);
	execl(cmd, cmd, "install", feature, (char *)NULL);
	_exit(127);
}

static int
prov_exec(struct provider *pv, const struct ctp_conf_feature *f,
    void *owner, uint64_t gen, const struct ctp_addr *mn,
    const struct ctp_cdb *cdb)
{
	struct event_base	*base = pv->d->base;
	struct prov_job		*j;
	struct timeval		 tv;
	json_t			*obj = NULL;
	char			*text = NULL, a[64];
	const char		*fname = ctp_feature_name(cdb->fpt);
	int			 fds[2] = { -1, -1 };
	size_t			 len;
	ssize_t			 w;

	ctp_addr_str(mn, a, sizeof(a));
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->copy = malloc(cdb->data_len ? cdb->data_len : 1)) == NULL)
		goto fail;
	j->pv = pv;
	j->owner = owner;
	j->gen = gen;
	j->pidfd = -1;
	j->mn = *mn;
	j->cdb = *cdb;
	memcpy(j->copy, cdb->data, cdb->data_len);
	j->cdb.data = j->copy;
	snprintf(j->feature, sizeof(j->feature), "%s",
	    fname != NULL ? fname : "?");
	if (ctp_feature_cdb_to_json(cdb, false, &obj) != CTP_OK ||
	    json_object_set_new(obj, "mn", json_string(a)) == -1 ||
	    json_object_set_new(obj, "action", json_string("install")) == -1 ||
	    (text = json_dumps(obj, JSON_COMPACT)) == NULL)
		goto fail;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("xfer %s: %s hook: pipe", a, j->feature);
		goto fail;
	}
	if ((j->pid = fork()) == -1) {
		log_warn("xfer %s: %s hook: fork", a, j->feature);
		goto fail;
	}
	if (j->pid == 0)
		prov_child(f->command, j->feature, fds[0]);
	setpgid(j->pid, j->pid);	/* either side may win the race */
	close(fds[0]);
	fds[0] = -1;
	/* The JSON of one CDB fits the pipe buffer; a short write is logged. */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	len = strlen(text);
	text[len] = '\n';
	w = write(fds[1], text, len + 1);
	if (w != (ssize_t)(len + 1))
		log_warnx("xfer %s: %s hook did not take its input", a,
		    j->feature);
	close(fds[1]);
	fds[1] = -1;
#ifdef SYS_pidfd_open
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
#endif
	if (j->pidfd >= 0)
		j->ev_exit = event_new(base, j->pidfd, EV_READ | EV_PERSIST,
		    prov_job_check, j);
	else
		j->ev_exit = event_new(base, -1, EV_PERSIST, prov_job_check,
		    j);
	j->ev_timeout = evtimer_new(base, prov_job_timeout, j);
	if (j->ev_exit == NULL || j->ev_timeout == NULL) {
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		goto fail;
	}
	if (j->pidfd >= 0)
		event_add(j->ev_exit, NULL);
	else {
		tv.tv_sec = 0;
		tv.tv_usec = PROV_POLL_MS * 1000;
		event_add(j->ev_exit, &tv);
	}
	tv.tv_sec = f->timeout_ms / 1000;
	tv.tv_usec = (f->timeout_ms % 1000) * 1000;
	event_add(j->ev_timeout, &tv);
	free(text);
	json_decref(obj);
	j->next = pv->jobs;
	pv->jobs = j;
	pv->njobs++;
	pv->c_exec++;
	log_verbose("xfer %s: %s hook started, pid %ld", a, j->feature,
	    (long)j->pid);
	return PROVIDER_PENDING;
fail:
	pv->c_spawn_fail++;
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	free(text);
	json_decref(obj);
	if (j != NULL)
		prov_job_free(j);
	log_warnx("xfer %s: %s hook could not be started", a,
	    fname != NULL ? fname : "?");
	return CTP_ST_INSTALL_FAILED;
}

int
provider_install(struct provider *pv, void *owner, uint64_t gen,
    const struct ctp_addr *mn, const struct ctp_cdb *cdb)
{
	const struct ctp_conf_feature	*f;
	struct store_mn			*m;

	if ((f = provider_feature(pv->d->conf, cdb->fpt)) == NULL)
		return CTP_ST_UNSUPPORTED_FPT;
	switch (f->provider) {
	case CTP_CONF_PROV_BUILTIN:
		if ((m = store_add(pv->store, mn)) == NULL ||
		    store_cdb_add(pv->store, m, STORE_INSTALLED, cdb,
		    CTP_CONF_PROV_BUILTIN) == -1) {
			if (m != NULL)
				store_gc(pv->store, m);
			return CTP_ST_RESOURCE_SHORTAGE;
		}
		pv->c_builtin++;
		return CTP_ST_SUCCESS;
	case CTP_CONF_PROV_EXEC:
		return prov_exec(pv, f, owner, gen, mn, cdb);
	case CTP_CONF_PROV_SOCKET:
		break;
	}
	return CTP_ST_ADMIN_PROHIBITED;	/* refused at start-up */
}

void
provider_cancel(struct provider *pv, void *owner)
{
	struct prov_job	*j;

	for (j = pv->jobs; j != NULL; j = j->next) {
		if (j->owner != owner)
			continue;
		j->owner = NULL;
		pv->c_cancel++;
		kill(-j->pid, SIGKILL);
		kill(j->pid, SIGKILL);
	}
}

size_t
provider_running(const struct provider *pv)
{
	return pv->njobs;
}

void
provider_free(struct provider *pv)
{
	struct prov_job	*j;

	if (pv == NULL)
		return;
	while ((j = pv->jobs) != NULL) {
		pv->jobs = j->next;
		kill(-j->pid, SIGKILL);
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		prov_job_free(j);
	}
	free(pv);
}

json_t *
provider_json(const struct provider *pv)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "builtin_installs", (json_int_t)pv->c_builtin,
	    "hooks_started", (json_int_t)pv->c_exec,
	    "hooks_failed", (json_int_t)pv->c_exec_fail,
	    "hooks_timed_out", (json_int_t)pv->c_timeout,
	    "hooks_not_started", (json_int_t)pv->c_spawn_fail,
	    "hooks_cancelled", (json_int_t)pv->c_cancel,
	    "hooks_running", (json_int_t)pv->njobs);
}
