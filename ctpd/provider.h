/* SPDX-License-Identifier: ISC */
/*
 * Feature providers: how an installed context reaches the feature subsystem
 * at the new router.  `builtin` keeps it in the context store; `exec` runs
 * the operator's hook for the feature with the context as JSON on stdin and
 * maps its exit status to a CTDR status.  `socket` is refused at start-up.
 */
#ifndef CTPD_PROVIDER_H
#define CTPD_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ctp_conf.h"
#include "ctp_msg.h"

struct ctpd;
struct store;
struct provider;

/*
 * The exec hook contract (documented in ctpd.yaml(5) too):
 *   argv    COMMAND install FEATURE      (e.g. /etc/ctpd/hooks/qos install qos)
 *   stdin   one JSON object: the CDB as ctp_feature_cdb_to_json() renders it
 *           ("fpt", "feature", "r", "p", "fields") plus "mn" (address text)
 *           and "action": "install"; then EOF.
 *   time    features.NAME.timeout; after it the hook's process group is
 *           killed (SIGKILL) and the install counts as INSTALL_FAILED.
 *   exit    0 SUCCESS, 1 INSTALL_FAILED, 2 RESOURCE_SHORTAGE,
 *           3 ADMIN_PROHIBITED, anything else (or a signal) INSTALL_FAILED.
 * One hook runs per CDB; the hook runs in its own process group with stdout
 * and stderr inherited from ctpd, and no other descriptor.
 */
#define PROVIDER_PENDING	(-1)

/*
 * Called when an asynchronous install finished: owner and gen as given to
 * provider_install(), status a ctp_status.  Never called from inside
 * provider_install() nor after provider_cancel(owner).
 */
typedef void	(*provider_done_fn)(void *arg, void *owner, uint64_t gen,
		    uint16_t fpt, uint8_t status);

/*
 * Check that every enabled feature has a provider ctpd can run: 0, or -1
 * with a message naming the feature in err.
 */
int		 provider_check_conf(const struct ctp_conf *, char *err,
		    size_t errlen);

/* NULL (reason logged) if the configuration asks for what is not there. */
struct provider	*provider_new(struct ctpd *, struct store *, provider_done_fn,
		    void *arg);
/* Kills the hooks still running (process group) and frees. */
void		 provider_free(struct provider *);

/*
 * Install one data CDB for mn as feature fpt.  builtin: copies it into the
 * store's installed set and returns CTP_ST_SUCCESS or
 * CTP_ST_RESOURCE_SHORTAGE.  exec: starts the hook and returns
 * PROVIDER_PENDING (the result comes through the done callback), or a
 * status at once if the hook cannot be started.
 */
int		 provider_install(struct provider *, void *owner, uint64_t gen,
		    const struct ctp_addr *mn, const struct ctp_cdb *cdb);
/* Stop the hooks of owner (process group killed); no callback follows. */
void		 provider_cancel(struct provider *, void *owner);
/* Hooks running. */
size_t		 provider_running(const struct provider *);
json_t		*provider_json(const struct provider *);

/* The configuration of the feature carried by fpt, NULL if not enabled. */
const struct ctp_conf_feature *provider_feature(const struct ctp_conf *,
		    uint16_t fpt);

/* Status for a hook's exit status (the table above). */
uint8_t		 provider_exit_status(int wstatus);

#endif /* CTPD_PROVIDER_H */
