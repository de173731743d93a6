/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_CRYPTO_H
#define ESPRIT_DP_CRYPTO_H
/*
 * Running ipsec-mb jobs from a worker: jobs are filled in place, submitted
 * as they are ready, and every completed job is handed to `done` exactly
 * once, in submission order, before cq_flush() returns. Nothing stays in the
 * manager between bursts, so no SA or mbuf is referenced across iterations
 * (which is what makes RCU reclamation after one quiescent state safe).
 */
#include <intel-ipsec-mb.h>

#include "dp/dp.h"

typedef void (*cq_done_fn)(struct worker *w, IMB_JOB *j);

static inline IMB_JOB *cq_job(struct worker *w)
{
	return IMB_GET_NEXT_JOB(w->mb);
}

static inline void cq_submit(struct worker *w, cq_done_fn done)
{
	IMB_JOB *j = IMB_SUBMIT_JOB(w->mb);

	while (j != NULL) {
		done(w, j);
		j = IMB_GET_COMPLETED_JOB(w->mb);
	}
}

static inline void cq_flush(struct worker *w, cq_done_fn done)
{
	IMB_JOB *j;

	while ((j = IMB_FLUSH_JOB(w->mb)) != NULL) {
		done(w, j);
		while ((j = IMB_GET_COMPLETED_JOB(w->mb)) != NULL)
			done(w, j);
	}
}

#endif
