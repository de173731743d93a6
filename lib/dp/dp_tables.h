/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_TABLES_H
#define ESPRIT_DP_TABLES_H
/*
 * The control plane's side of the worker tables: the SA registry, SA
 * install/remove, SPD replacement, and deferred reclamation.
 *
 * Contract (control lcore only, except where noted):
 *  - dp_sa_add() creates the runtime SA and sends MSG_SA_ADD to every
 *    worker; the SA is live in a worker once that worker applied it.
 *    When every id is taken and some only by deleted SAs not yet
 *    reclaimed, it reclaims (dp_reclaim) and retries for up to 5 ms
 *    before it reports the table full.
 *  - dp_sa_del() unpublishes (MSG_SA_DEL) and frees the SA only after every
 *    worker acknowledged the message and then passed an RCU quiescent state;
 *    dp_spd_replace() does the same for the SPD it replaces. dp_reclaim(),
 *    called from the control loop (and by dp_sa_add), never blocks.
 *  - The registry is also read by the telemetry thread: readers and the
 *    control plane's changes to it take dp_tables_lock(); workers never do.
 */
#include <stdint.h>

#include "dp/dp.h"

int dp_tables_init(struct dp *dp, char *err, size_t errlen);
void dp_tables_free(struct dp *dp);

int dp_sa_add(struct dp *dp, const struct sa_params *p, uint32_t *id,
	      char *err, size_t errlen);
int dp_sa_del(struct dp *dp, uint32_t id);
/* Registry access; call with the lock held when not on the control lcore. */
struct sa *dp_sa_get(struct dp *dp, uint32_t id);
uint32_t dp_sa_cap(const struct dp *dp);
/* An SA's counters over all workers: sa_stats_sum() and the workers' run
 * counts (struct worker.run_cnt). Any lcore, for an SA in the registry. */
void dp_sa_stats(const struct dp *dp, const struct sa *sa, struct sa_stats *out);

int dp_spd_replace(struct dp *dp, const struct spd_rule *rules, unsigned n,
		   char *err, size_t errlen);

void dp_reclaim(struct dp *dp);
unsigned dp_reclaim_pending(const struct dp *dp);

void dp_tables_lock(void);
void dp_tables_unlock(void);

#endif
