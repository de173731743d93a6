/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SA registry (lib/dp/dp_tables.c): a deleted SA's id is not given to a
 * new SA until every worker has applied the delete and the SA is freed.
 * Until a worker applies it, its run counters for the id (dp_sa_stats) are
 * the old SA's, and a new SA at that id would report them as its own.
 *
 * A table full only of such ids is full for no longer than the workers
 * take to apply the deletes: an add reclaims them itself.
 *
 * One worker that never runs: the test plays it, by applying the messages
 * its ring holds the way dp_worker_apply_msg() would for the counters (it
 * zeroes them on delete and on add) and by acknowledging them; no reader
 * is registered with the RCU variable, so a grace period ends at once.
 */
#include <stdlib.h>

#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "check.h"
#include "dp/dp.h"
#include "dp/dp_tables.h"
#include "sa_fixture.h"

#define CAP 4

static struct sa_count counters[CAP];	/* the worker's run_cnt */

/* The worker drains its ring: counters zeroed as the real worker does. */
static void worker_applies(struct worker *w)
{
	struct dp_msg msg;

	while (rte_ring_sc_dequeue_elem(w->msg, &msg, sizeof(msg)) == 0) {
		if (msg.id < CAP)
			counters[msg.id] = (struct sa_count){ 0, 0 };
		w->msg_done++;
	}
}

/* The structs have cache-aligned members. */
static void *zalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (p)
		memset(p, 0, n);
	return p;
}

static int add(struct dp *dp, uint32_t spi, uint32_t *id, char *err, size_t len)
{
	struct sa_params p;

	fixture_sa_params(&p, SA_DIR_IN, "t");
	p.spi = spi;
	return dp_sa_add(dp, &p, id, err, len);
}

int main(void)
{
	IMB_MGR *mb = fixture_up("dptab");
	struct dp *dp = zalloc(sizeof(*dp));
	struct worker *w = zalloc(sizeof(*w));
	char err[256] = "";
	uint32_t id, ids[CAP];

	if (mb == NULL || dp == NULL || w == NULL)
		return 1;
	dp->sa_cap = CAP;
	dp->ctl_mb = mb;
	dp->n_workers = 1;
	dp->wk[0] = w;
	dp->running = true;	/* messages go through the ring */
	w->run_cnt = counters;
	w->msg = rte_ring_create_elem("dptab", sizeof(struct dp_msg), 64,
				      SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->qsv = zalloc(rte_rcu_qsbr_get_memsize(1));
	if (w->msg == NULL || dp->qsv == NULL || rte_rcu_qsbr_init(dp->qsv, 1) != 0)
		return 1;
	CHECK(dp_tables_init(dp, err, sizeof(err)) == 0);

	for (unsigned i = 0; i < CAP; i++) {
		CHECK_MSG(add(dp, 0x100 + i, &ids[i], err, sizeof(err)) == 0, "%s", err);
		CHECK(ids[i] == i);
	}
	worker_applies(w);
	counters[1] = (struct sa_count){ 7, 700 };	/* SA 1's traffic */

	/* Deleted, the worker has not applied it: id 1 stays taken. */
	CHECK(dp_sa_del(dp, 1) == 0);
	CHECK(dp_sa_get(dp, 1) == NULL);
	CHECK(add(dp, 0x200, &id, err, sizeof(err)) == -ENOSPC);
	CHECK_MSG(strstr(err, "1 deleted") != NULL, "%s", err);
	dp_reclaim(dp);		/* not acknowledged: nothing released */
	CHECK(dp_reclaim_pending(dp) == 1);
	CHECK(add(dp, 0x200, &id, err, sizeof(err)) == -ENOSPC);

	/* Applied (counters zeroed) and acknowledged, grace period over. */
	worker_applies(w);
	CHECK(counters[1].packets == 0 && counters[1].bytes == 0);
	dp_reclaim(dp);
	dp_reclaim(dp);
	CHECK(dp_reclaim_pending(dp) == 0);
	CHECK_MSG(add(dp, 0x200, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id == 1);
	CHECK(dp_sa_get(dp, 1) != NULL && dp_sa_get(dp, 1)->p->spi == 0x200);

	/* A new SA at a held id would have read SA 1's counts: that the id
	 * is not reused before the worker zeroes them is the point. */
	{
		struct sa_stats st;

		dp_sa_stats(dp, dp_sa_get(dp, 1), &st);
		CHECK(st.run.packets == 0 && st.run.bytes == 0);
	}

	/* Full again; SA 2 deleted, and the worker has applied the delete,
	 * but no control loop has reclaimed it yet (a child SA replaced in
	 * one step): the add reclaims the id itself instead of failing. */
	worker_applies(w);
	CHECK(dp_sa_del(dp, 2) == 0);
	worker_applies(w);
	CHECK(dp_reclaim_pending(dp) == 1);
	CHECK_MSG(add(dp, 0x300, &id, err, sizeof(err)) == 0, "%s", err);
	CHECK(id == 2);
	CHECK(dp_reclaim_pending(dp) == 0);
	CHECK(dp_sa_get(dp, 2) != NULL && dp_sa_get(dp, 2)->p->spi == 0x300);

	/* Full with nothing held: full at once. */
	worker_applies(w);
	CHECK(add(dp, 0x400, &id, err, sizeof(err)) == -ENOSPC);
	CHECK_MSG(strstr(err, "0 deleted") != NULL, "%s", err);
	dp_tables_free(dp);
	rte_ring_free(w->msg);
	free(dp->qsv);
	free(w);
	free(dp);
	free_mb_mgr(mb);
	return check_summary();
}
