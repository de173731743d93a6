/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timers of one IKE SA: retransmission with exponential back-off (§2.1),
 * liveness checks (§2.4, DPD), IKE and child SA rekeying and lifetimes,
 * reauthentication, half-open and replaced SA clean-up.
 */
#include <errno.h>

#include "ike/ike_sa.h"

#define MAX_TRIES 5		/* retransmissions before giving up */
#define HALF_OPEN_MS 30000	/* responder waiting for IKE_AUTH */
#define REKEYED_MS 30000	/* replaced SA waiting for its DELETE */

/* §2.1: 4 s, then x1.8 per retransmission. */
static uint64_t backoff(unsigned tries)
{
	double t = 4000;

	for (unsigned i = 0; i < tries; i++)
		t *= 1.8;
	return (uint64_t)t;
}

/* Re-initiate the children that were up (dpd_action = restart). */
static void restart(struct ike *ike, struct ike_conn *conn,
		    const struct ike_child_cfg **cfgs, unsigned n)
{
	struct ike_sa *sa;

	if (n == 0)
		return;
	sa = ike_init_start(ike, conn, cfgs[0]);
	for (unsigned i = 1; sa && i < n; i++)
		ike_sa_job(sa, IKE_JOB_CHILD, cfgs[i], 0);
}

void ike_timer_req_failed(struct ike_sa *sa)
{
	const struct ike_child_cfg *cfgs[IKE_JOBS];
	unsigned n = 0;
	bool was_up = sa->state == IKE_ST_ESTABLISHED;

	IKE_COUNT(sa->ike, timeout);
	if (was_up && sa->conn->dpd_action == IKE_DPD_RESTART)
		for (struct ike_child *c = sa->children; c && n < IKE_JOBS;
		     c = c->next)
			if (!c->rekeyed)
				cfgs[n++] = c->cfg;
	ike_sa_kill(sa, "peer not responding");
	restart(sa->ike, sa->conn, cfgs, n);
}

static void retransmit(struct ike_sa *sa, uint64_t now)
{
	if (sa->req.tries >= MAX_TRIES || now >= sa->req.deadline_ms) {
		ike_timer_req_failed(sa);
		return;
	}
	sa->req.tries++;
	sa->req.next_ms = now + backoff(sa->req.tries);
	if (sa->req.next_ms > sa->req.deadline_ms)
		sa->req.next_ms = sa->req.deadline_ms;
	IKE_COUNT(sa->ike, tx_retransmit);
	ike_sa_send(sa, sa->req.buf, sa->req.len);
}

/* Last sign of life: an IKE message or an inbound ESP packet. */
static uint64_t last_alive(struct ike_sa *sa)
{
	uint64_t t = sa->last_rx_ms;

	for (struct ike_child *c = sa->children; c; c = c->next) {
		struct ike_child_stats st = { 0 };

		if (sa->ike->ops.child_stats &&
		    sa->ike->ops.child_stats(sa->ike->host, c->id, &st) == 0 &&
		    st.last_in_ms > t)
			t = st.last_in_ms;
	}
	return t;
}

/*
 * Is a liveness check due (RFC 7296 §2.4: only when nothing has been
 * heard from the peer for a while)? The children's counters are read
 * only when the last sign of life known is a DPD delay old: with traffic
 * flowing that is once a delay, where reading them every tick summed
 * every worker's counters of every child each time.
 */
static bool probe_due(struct ike_sa *sa, uint64_t now, uint64_t delay_ms)
{
	if (sa->alive_ms < sa->last_rx_ms)
		sa->alive_ms = sa->last_rx_ms;
	if (now - sa->alive_ms < delay_ms)
		return false;
	sa->alive_ms = last_alive(sa);
	return now - sa->alive_ms >= delay_ms;
}

static void child_timers(struct ike_sa *sa, uint64_t now)
{
	for (struct ike_child *c = sa->children; c; c = c->next) {
		if (c->expire_ms && now >= c->expire_ms) {
			c->expire_ms = 0;
			c->rekeyed = true;
			ike_sa_job(sa, IKE_JOB_DELETE_CHILD, NULL, c->id);
		} else if (!c->rekeyed && !c->rekeying && c->rekey_ms &&
			   now >= c->rekey_ms) {
			c->rekey_ms = 0;
			ike_sa_job(sa, IKE_JOB_REKEY_CHILD, NULL, c->id);
		}
	}
}

/* Reauthentication: a new IKE SA from scratch (break-before-make). */
static void reauth(struct ike_sa *sa)
{
	const struct ike_child_cfg *cfgs[IKE_JOBS];
	unsigned n = 0;

	for (struct ike_child *c = sa->children; c && n < IKE_JOBS; c = c->next)
		if (!c->rekeyed)
			cfgs[n++] = c->cfg;
	ike_info_delete_ike(sa);
	if (sa->initiator || sa->conn->remote_any == false)
		restart(sa->ike, sa->conn, cfgs, n);
}

static void established(struct ike_sa *sa, uint64_t now)
{
	uint32_t dpd = sa->conn->dpd_delay;

	if (sa->reauth_ms && now >= sa->reauth_ms) {
		sa->reauth_ms = 0;
		reauth(sa);
		return;
	}
	if (dpd && sa->req.kind == IKE_REQ_NONE && sa->n_jobs == 0 &&
	    probe_due(sa, now, dpd * 1000ull))
		ike_sa_job(sa, IKE_JOB_DPD, NULL, 0);
	if (sa->rekey_ms && now >= sa->rekey_ms) {
		sa->rekey_ms = 0;
		ike_sa_job(sa, IKE_JOB_REKEY_IKE, NULL, 0);
	}
	child_timers(sa, now);
	ike_sa_run_jobs(sa);
}

void ike_timer_sa(struct ike_sa *sa, uint64_t now)
{
	if (sa->state == IKE_ST_DEAD)
		return;
	if (sa->req.kind != IKE_REQ_NONE && now >= sa->req.next_ms) {
		retransmit(sa, now);
		if (sa->state == IKE_ST_DEAD)
			return;
	}
	switch (sa->state) {
	case IKE_ST_INIT_DONE:
		if (now - sa->created_ms > HALF_OPEN_MS)
			ike_sa_kill(sa, "half-open timeout");
		break;
	case IKE_ST_REKEYED:
		if (now - sa->rekeyed_ms > REKEYED_MS)
			ike_sa_kill(sa, "replaced");
		break;
	case IKE_ST_ESTABLISHED:
		established(sa, now);
		break;
	default:
		break;
	}
}
