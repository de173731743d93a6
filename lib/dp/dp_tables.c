/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp/dp_tables.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "esp/esp.h"
#include "sa/sa_slab.h"
#include "util/log.h"

enum { DF_SA, DF_SPD };

struct deferred {
	int kind;
	void *ptr;
	bool qs_started;
	uint64_t token;
	uint64_t need[DP_MAX_WORKERS]; /* messages each worker must have applied */
};

static struct {
	struct sa **reg;
	/* Deleted SAs' ids until their SA is freed: not given out again
	 * before then, because until every worker has applied the delete
	 * its run counters for the id (dp_sa_stats) are the old SA's, and a
	 * new SA there would report them as its own. */
	uint8_t *held;
	uint32_t cap, next_free;
	uint64_t sent[DP_MAX_WORKERS];
	struct deferred *df;
	unsigned n_df, cap_df;
	struct spd *spd;
} T;

static pthread_mutex_t tables_mutex = PTHREAD_MUTEX_INITIALIZER;

void dp_tables_lock(void)
{
	pthread_mutex_lock(&tables_mutex);
}

void dp_tables_unlock(void)
{
	pthread_mutex_unlock(&tables_mutex);
}

int dp_tables_init(struct dp *dp, char *err, size_t errlen)
{
	T.cap = dp->sa_cap;
	T.reg = calloc(T.cap, sizeof(*T.reg));
	T.held = calloc(T.cap, sizeof(*T.held));
	T.cap_df = 64;
	T.df = calloc(T.cap_df, sizeof(*T.df));
	if (T.reg == NULL || T.held == NULL || T.df == NULL) {
		snprintf(err, errlen, "SA registry: out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* To every worker, in order. A worker that is this very thread (single
 * lcore), or that has not been launched yet, gets it applied at once. */
static void send_all(struct dp *dp, const struct dp_msg *msg)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->wk[i];

		T.sent[i]++;
		if (dp->main_is_worker || !dp->running) {
			dp_worker_apply_msg(w, msg);
			__atomic_store_n(&w->msg_done, w->msg_done + 1, __ATOMIC_RELEASE);
			continue;
		}
		while (rte_ring_mp_enqueue_elem(w->msg, (void *)msg, sizeof(*msg)) != 0)
			rte_pause(); /* workers drain their ring every iteration */
	}
}

static void defer_free(struct dp *dp, int kind, void *ptr)
{
	struct deferred *d;

	if (T.n_df == T.cap_df) {
		struct deferred *n = realloc(T.df, 2 * T.cap_df * sizeof(*n));

		if (n == NULL) { /* cannot track it: keeping it is safe */
			ELOG(ERR, "reclaim list full; leaking one object");
			return;
		}
		T.df = n;
		T.cap_df *= 2;
	}
	d = &T.df[T.n_df++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->ptr = ptr;
	for (unsigned i = 0; i < dp->n_workers; i++)
		d->need[i] = T.sent[i];
}

/* A free id into *id; when there is none, how many of the ids are held
 * by deleted SAs awaiting release into *held, for the error. */
static int alloc_id(uint32_t *id, uint32_t *held)
{
	*held = 0;
	for (uint32_t n = 0; n < T.cap; n++) {
		uint32_t i = (T.next_free + n) % T.cap;

		if (T.reg[i] == NULL && !T.held[i]) {
			*id = i;
			T.next_free = (i + 1) % T.cap;
			return 0;
		}
		*held += T.held[i];
	}
	return -ENOSPC;
}

/*
 * alloc_id(), but a table full only because deleted SAs' ids are not yet
 * released is not reported full at once: the workers apply a delete within
 * one of their iterations (microseconds), and until the control loop's
 * next dp_reclaim() the id is held for nothing. Deleting a child SA and
 * installing its successor in one step (an IKE exchange, a reload) would
 * otherwise fail at a full table. Reclaims and retries for up to
 * HELD_WAIT_US, then gives up: a worker that does not apply its messages
 * (stalled, or this very thread) must not stall the control plane.
 */
#define HELD_WAIT_US 5000u
#define HELD_RETRY_US 20u

static int alloc_id_reclaim(struct dp *dp, uint32_t *id, uint32_t *held)
{
	uint64_t end = 0;

	while (alloc_id(id, held) < 0) {
		if (*held == 0)
			return -ENOSPC;
		if (end == 0)
			end = rte_get_timer_cycles() +
			      rte_get_timer_hz() * HELD_WAIT_US / 1000000;
		else if (rte_get_timer_cycles() > end)
			return -ENOSPC;
		else
			rte_delay_us_block(HELD_RETRY_US);
		dp_reclaim(dp);
	}
	return 0;
}

/*
 * Outbound tunnel mode: every packet of the SA goes to its peer, so the
 * route, the egress port's MTU, the largest inner packet that fits it and
 * the next hop's neighbour slot are found here once instead of per run
 * (sa.h). The slot is created when the next hop is on-link and new, as the
 * first packet's resolution would; when the table is full the SA is left
 * unbound and its packets are resolved one by one (wk_fwd).
 */
static void bind_egress(struct dp *dp, struct sa *sa)
{
	const struct nexthop *nh;
	int slot;

	if (sa->dir != SA_DIR_OUT || sa->mode != SA_MODE_TUNNEL)
		return;
	nh = route_lookup(dp->rt, &sa->p->dst);
	if (nh == NULL)
		return;		/* eg_mtu 0: dropped as unroutable */
	sa->eg_port = nh->port;
	sa->eg_mtu = dp->port[nh->port].mtu;
	sa->eg_max_inner = (uint16_t)RTE_MIN(esp_outb_max_len(sa, NULL, sa->eg_mtu),
					     (uint32_t)UINT16_MAX);
	slot = nh->has_via ? nh->neigh : neigh_get(dp->nt, &sa->p->dst, nh->port);
	if (slot >= 0)
		sa->eg_mac = &neigh_at(dp->nt, (unsigned)slot)->mac_state;
}

int dp_sa_add(struct dp *dp, const struct sa_params *p, uint32_t *id,
	      char *err, size_t errlen)
{
	struct dp_msg msg = { .op = MSG_SA_ADD };
	struct sa *sa;
	uint32_t held;

	if (alloc_id_reclaim(dp, id, &held) < 0) {
		snprintf(err, errlen, "SA table full (%u, of which %u deleted "
			 "and not yet released by the workers)", T.cap, held);
		return -ENOSPC;
	}
	sa = sa_create(p, *id, dp->n_workers, dp->ctl_mb, SOCKET_ID_ANY, err, errlen);
	if (sa == NULL)
		return -EINVAL;
	bind_egress(dp, sa);
	dp_tables_lock();
	T.reg[*id] = sa;
	dp_tables_unlock();
	msg.id = *id;
	msg.ptr = sa;
	send_all(dp, &msg);
	return 0;
}

int dp_sa_del(struct dp *dp, uint32_t id)
{
	struct dp_msg msg = { .op = MSG_SA_DEL, .id = id };
	struct sa *sa;

	if (id >= T.cap || T.reg[id] == NULL)
		return -ENOENT;
	sa = T.reg[id];
	dp_tables_lock();
	T.reg[id] = NULL;
	dp_tables_unlock();
	msg.ptr = sa;
	send_all(dp, &msg);
	T.held[id] = 1;	/* until release(); for good if defer_free() cannot track it */
	defer_free(dp, DF_SA, sa);
	return 0;
}

struct sa *dp_sa_get(struct dp *dp, uint32_t id)
{
	(void)dp;
	return id < T.cap ? T.reg[id] : NULL;
}

uint32_t dp_sa_cap(const struct dp *dp)
{
	(void)dp;
	return T.cap;
}

void dp_sa_stats(const struct dp *dp, const struct sa *sa, struct sa_stats *out)
{
	sa_stats_sum(sa, out);
	if (sa_counts_solo(sa))
		return;
	for (unsigned i = 0; i < dp->n_workers; i++) {
		const struct sa_count *c = &dp->wk[i]->run_cnt[sa->id];

		out->run.packets += __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
		out->run.bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
	}
}

int dp_spd_replace(struct dp *dp, const struct spd_rule *rules, unsigned n,
		   char *err, size_t errlen)
{
	struct dp_msg msg = { .op = MSG_SPD_SET };
	struct spd *s = spd_build(rules, n, SOCKET_ID_ANY, err, errlen);

	if (s == NULL)
		return -EINVAL;
	msg.ptr = s;
	send_all(dp, &msg);
	if (T.spd)
		defer_free(dp, DF_SPD, T.spd);
	T.spd = s;
	return 0;
}

static bool acked(const struct dp *dp, const struct deferred *d)
{
	for (unsigned i = 0; i < dp->n_workers; i++)
		if (__atomic_load_n(&dp->wk[i]->msg_done, __ATOMIC_ACQUIRE) < d->need[i])
			return false;
	return true;
}

static void release(struct deferred *d)
{
	if (d->kind == DF_SA) {
		struct sa *sa = d->ptr;

		T.held[sa->id] = 0;
		sa_free(sa);
	} else
		spd_free(d->ptr);
}

void dp_reclaim(struct dp *dp)
{
	unsigned k = 0;

	for (unsigned i = 0; i < T.n_df; i++) {
		struct deferred *d = &T.df[i];

		if (!d->qs_started && acked(dp, d)) {
			/* Every worker dropped its reference; once each has
			 * also finished the iteration it was in, none is left. */
			d->token = rte_rcu_qsbr_start(dp->qsv);
			d->qs_started = true;
		}
		if (d->qs_started && rte_rcu_qsbr_check(dp->qsv, d->token, false) == 1) {
			release(d);
			continue;
		}
		T.df[k++] = *d;
	}
	T.n_df = k;
}

unsigned dp_reclaim_pending(const struct dp *dp)
{
	(void)dp;
	return T.n_df;
}

void dp_tables_free(struct dp *dp)
{
	(void)dp;
	for (unsigned i = 0; i < T.n_df; i++)
		release(&T.df[i]);
	T.n_df = 0;
	for (uint32_t i = 0; i < T.cap; i++)
		sa_free(T.reg[i]);
	sa_slab_release();	/* false while another owner's SAs live on */
	spd_free(T.spd);
	free(T.reg);
	free(T.held);
	free(T.df);
	memset(&T, 0, sizeof(T));
}
