/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: poll its rx queues, run each burst to completion,
 * apply control messages between bursts, report a quiescent state each
 * iteration. Worker 0 also drains the control plane's transmit rings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp/dp_int.h"
#include "esp/hmac_x16.h"
#include "esp/imb_inst.h"
#include "esp/xform_tune.h"
#include "util/log.h"

struct dp *g_dp;

void dp_worker_apply_msg(struct worker *w, const struct dp_msg *msg)
{
	struct sa *sa = msg->ptr;

	switch (msg->op) {
	case MSG_SA_ADD:
		w->sa_by_id[sa->id] = sa;
		/* counted from now on; the id may have been another SA's */
		w->run_cnt[sa->id] = (struct sa_count){ 0, 0 };
		if (sa->dir == SA_DIR_IN) {
			int rc = sad_add(w->sad, sa->spi_be, sa->id, sa);

			/* its packets are then dropped as DROP_no_sa */
			if (rc < 0)
				ELOG(ERR, "worker %u: SA %u (SPI 0x%08x) not in the SPI table: %s",
				     w->id, sa->id, rte_be_to_cpu_32(sa->spi_be),
				     rte_strerror(-rc));
		}
		break;
	case MSG_SA_DEL:
		/* The control plane keeps the SA alive until we have acked
		 * this message and passed a quiescent state: reading it is
		 * still safe here. */
		if (msg->id < g_dp->sa_cap && w->sa_by_id[msg->id] == sa) {
			w->sa_by_id[msg->id] = NULL;
			/* the SA is out of the registry already: nobody asks
			 * for its counts, and the id's next SA starts at 0
			 * even if it is read before we install it */
			w->run_cnt[msg->id] = (struct sa_count){ 0, 0 };
		}
		if (sa->dir == SA_DIR_IN)
			sad_del(w->sad, sa->spi_be, sa);
		break;
	case MSG_SPD_SET:
		w->spd = msg->ptr;
		spd_cache_reset(&w->spdc_out);
		break;
	default:
		break;
	}
}

static void apply_msgs(struct worker *w)
{
	struct dp_msg msg;
	uint64_t n = 0;

	while (rte_ring_sc_dequeue_elem(w->msg, &msg, sizeof(msg)) == 0) {
		dp_worker_apply_msg(w, &msg);
		n++;
	}
	if (n)
		__atomic_store_n(&w->msg_done, w->msg_done + n, __ATOMIC_RELEASE);
}

/* Control-plane packets queued for the wire, sent from worker 0's queues. */
static void drain_ctl_tx(struct worker *w)
{
	struct rte_mbuf *m[32];

	for (unsigned p = 0; p < g_dp->n_ports; p++) {
		unsigned n = rte_ring_sc_dequeue_burst(g_dp->port[p].ctl_tx,
						       (void **)m, 32, NULL);

		for (unsigned i = 0; i < n; i++)
			wk_tx(w, (uint16_t)p, m[i]);
	}
}

void dp_worker_poll(struct worker *w)
{
	struct rte_mbuf *pkts[DP_BURST_MAX];
	uint64_t t0 = rte_rdtsc();
	bool busy = false;

	w->now = t0;

	if (unlikely(!rte_ring_empty(w->msg)))
		apply_msgs(w);
	for (unsigned q = 0; q < w->n_rxq; q++) {
		uint16_t port = w->rxq[q].port;
		uint16_t n = rte_eth_rx_burst(g_dp->port[port].port_id,
					      w->rxq[q].queue, pkts,
					      w->rx_burst);

		if (n == 0)
			continue;
		busy = true;
		if (g_dp->port[port].role == PORT_ROLE_LAN)
			wk_lan_input(w, port, pkts, n);
		else
			wk_wan_input(w, port, pkts, n);
	}
	if (w->id == 0)
		drain_ctl_tx(w);
	for (unsigned p = 0; p < g_dp->n_ports; p++)
		wk_tx_flush(w, (uint16_t)p);
	if (unlikely(w->death_row.cnt))
		rte_ip_frag_free_death_row(&w->death_row, 0);
	w->ctr.loops++;
	if (busy) {
		w->ctr.busy_loops++;
		w->ctr.busy_cycles += rte_rdtsc() - t0;
	}
	rte_rcu_qsbr_quiescent(g_dp->qsv, w->id);
}

int dp_worker_loop(void *arg)
{
	struct worker *w = arg;

	rte_rcu_qsbr_thread_online(g_dp->qsv, w->id);
	while (!__atomic_load_n(&g_dp->stop, __ATOMIC_RELAXED))
		dp_worker_poll(w);
	rte_rcu_qsbr_thread_offline(g_dp->qsv, w->id);
	return 0;
}

/* A manager of the process's copy of ipsec-mb, with the code
 * init_mb_mgr_auto() picks for this CPU or with the SSE code (sse). */
static IMB_MGR *new_mgr(bool sse)
{
	return imb_inst_mgr(NULL, sse, SOCKET_ID_ANY);
}

/* Did options.tune fix this length? */
static bool pinned(uint32_t v)
{
	return v != CONF_TUNE_MEASURE;
}

/* A 16-lane length options.tune sets above 0 for hash h, which this CPU
 * cannot run (no AVX-512): tune_hmac() uses 0 instead. */
static bool pinned_x16_unusable(uint32_t v, IMB_HASH_ALG h)
{
	return pinned(v) && v != 0 && !hmac_x16_usable(h);
}

/* How the lengths of a log line were chosen. */
static const char *chosen_by(bool any_pinned)
{
	return any_pinned ? "measured faster, or options.tune" : "measured faster";
}

/* A length options.tune fixes, or else what `measure` finds (only then
 * evaluated). */
#define TUNED(pin, measure) (pinned(pin) ? (pin) : (measure))

/*
 * An HMAC's three ways (dp.h): esprit's 16-lane code against ipsec-mb's
 * wide code (*x16), then the SSE code against the faster of the two
 * (*narrow); the SSE code is tried first, so no further than the 16-lane
 * code's range. pin_*: options.tune's, which replace the measurements.
 */
static void tune_hmac(struct dp *dp, IMB_MGR *wide, IMB_MGR *sse, IMB_HASH_ALG h,
		      uint32_t pin_narrow, uint32_t pin_x16, uint32_t *narrow,
		      uint32_t *x16)
{
	*x16 = !hmac_x16_usable(h) ? 0
	       : TUNED(pin_x16, xform_tune_hmac_narrow(wide, NULL, dp->burst, h));
	*narrow = TUNED(pin_narrow,
			xform_tune_hmac_narrow(*x16 ? NULL : wide, sse, dp->burst, h));
	if (*x16 && *narrow > *x16)
		*narrow = *x16;
}

/*
 * Whether, and up to which length, ipsec-mb's SSE code encrypts bursts of
 * AES-CBC, and computes bursts of HMAC-SHA-1 and HMAC-SHA-256 ICVs, faster
 * than the code init_mb_mgr_auto() picks for this CPU (xform_tune.h).
 * Measured once, on the main lcore: the workers' cores are of the same
 * kind. What options.tune gives is not measured but taken: runs compared
 * in a benchmark then run the same code, which measurements on a shared
 * host do not promise (docs/performance.md, twelfth session).
 */
static void tune_narrow(struct dp *dp)
{
	const struct conf_tune *t = &dp->conf->tune;
	IMB_MGR *wide = new_mgr(false), *sse = new_mgr(true);
	bool tune = wide != NULL && sse != NULL && wide->used_arch > IMB_ARCH_SSE;

	dp->cbc_narrow_max = 0;
	dp->sha1_narrow_max = 0;
	dp->sha256_narrow_max = 0;
	dp->sha1_x16_max = 0;
	dp->sha256_x16_max = 0;
	if (tune) {
		dp->cbc_narrow_max = TUNED(t->cbc_sse, xform_tune_cbc_narrow(wide, sse,
									     dp->burst));
		tune_hmac(dp, wide, sse, IMB_AUTH_HMAC_SHA_1, t->sha1_sse, t->sha1_x16,
			  &dp->sha1_narrow_max, &dp->sha1_x16_max);
		tune_hmac(dp, wide, sse, IMB_AUTH_HMAC_SHA_256, t->sha256_sse,
			  t->sha256_x16, &dp->sha256_narrow_max, &dp->sha256_x16_max);
	}
	if (wide != NULL)
		imb_inst_mgr_free(wide);
	if (sse != NULL)
		imb_inst_mgr_free(sse);
	if (pinned_x16_unusable(t->sha1_x16, IMB_AUTH_HMAC_SHA_1) ||
	    pinned_x16_unusable(t->sha256_x16, IMB_AUTH_HMAC_SHA_256))
		ELOG(WARNING, "options.tune: this CPU cannot run the 16-lane HMAC "
		     "code (AVX-512 needed): *_x16_max ignored");
	if (!tune)
		return;
	ELOG(INFO, "SSE code (%s) for bursts of: AES-CBC encryption "
	     "of payloads up to %u bytes, HMAC-SHA-1 of messages up to %u, "
	     "HMAC-SHA-256 up to %u (0: never); wider code above",
	     chosen_by(pinned(t->cbc_sse) || pinned(t->sha1_sse) ||
		       pinned(t->sha256_sse)),
	     dp->cbc_narrow_max, dp->sha1_narrow_max, dp->sha256_narrow_max);
	ELOG(INFO, "16-lane code (%s) for HMAC-SHA-1 of messages up "
	     "to %u bytes, HMAC-SHA-256 up to %u (0: never)",
	     chosen_by(pinned(t->sha1_x16) || pinned(t->sha256_x16)),
	     dp->sha1_x16_max, dp->sha256_x16_max);
}

/* Workers after the first get a copy of ipsec-mb of their own, so that
 * no store ipsec-mb makes to its globals is shared between two workers'
 * caches (imb_inst.h). Without one a worker is still correct. */
static void worker_imb(struct worker *w)
{
	char why[256];

	w->imb = NULL;
	if (w->id == 0)
		return;
	w->imb = imb_inst_open(why, sizeof(why));
	if (w->imb == NULL)
		ELOG(WARNING, "worker %u shares ipsec-mb's globals with worker 0, "
		     "so AES-GCM is slower per packet (%s)", w->id, why);
}

static int worker_tables(struct dp *dp, struct worker *w, char *err, size_t errlen)
{
	char name[32];

	w->sad = sad_create(dp->sa_cap, w->socket);
	w->sa_by_id = rte_zmalloc_socket("sa_by_id", dp->sa_cap * sizeof(void *),
					 RTE_CACHE_LINE_SIZE, w->socket);
	w->run_cnt = rte_zmalloc_socket("run_cnt", dp->sa_cap * sizeof(*w->run_cnt),
					RTE_CACHE_LINE_SIZE, w->socket);
	snprintf(name, sizeof(name), "wmsg%u", w->id);
	w->msg = rte_ring_create_elem(name, sizeof(struct dp_msg), 4096, w->socket,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	worker_imb(w);
	w->mb = imb_inst_mgr(w->imb, false, w->socket);
	w->mb_etm = imb_inst_mgr(w->imb, false, w->socket);
	w->mb_narrow = dp_narrow_used(dp) ? imb_inst_mgr(w->imb, true, w->socket)
					  : NULL;
	if (w->mb && ivgen_init(&w->ivg, w->mb) < 0) {
		snprintf(err, errlen, "worker %u: no random bytes for the CBC IV key",
			 w->id);
		return -EIO;
	}
	if (!w->sad || !w->sa_by_id || !w->run_cnt || !w->msg || !w->mb ||
	    !w->mb_etm ||
	    (dp_narrow_used(dp) && !w->mb_narrow) ||
	    wk_reasm_init(w) < 0) {
		snprintf(err, errlen, "worker %u: out of memory", w->id);
		return -ENOMEM;
	}
	return 0;
}

/* Queues: explicit from the configuration, or worker i polls queue i of
 * every port that has that many queues. */
static void worker_queues(struct dp *dp, struct worker *w)
{
	const struct conf *c = dp->conf;

	if (c->n_workers) {
		const struct conf_worker *cw = &c->workers[w->id];

		for (unsigned q = 0; q < cw->n_queues && q < DP_MAX_RXQ; q++) {
			w->rxq[w->n_rxq].port = (uint16_t)cw->queues[q].port;
			w->rxq[w->n_rxq++].queue = cw->queues[q].queue;
		}
		return;
	}
	for (unsigned p = 0; p < dp->n_ports && w->n_rxq < DP_MAX_RXQ; p++) {
		if (w->id >= dp->port[p].nb_rxq)
			continue;
		w->rxq[w->n_rxq].port = (uint16_t)p;
		w->rxq[w->n_rxq++].queue = (uint16_t)w->id;
	}
}

int dp_workers_init(struct dp *dp, char *err, size_t errlen)
{
	size_t qsz = rte_rcu_qsbr_get_memsize(dp->n_workers);

	dp->qsv = rte_zmalloc("qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsv == NULL || rte_rcu_qsbr_init(dp->qsv, dp->n_workers) != 0) {
		snprintf(err, errlen, "RCU: out of memory");
		return -ENOMEM;
	}
	tune_narrow(dp);
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->wk[i];

		w->socket = (int)rte_lcore_to_socket_id(w->lcore);
		w->ip_id = (uint16_t)rte_rand();
		w->rx_burst = (uint16_t)dp->burst;
		if (worker_tables(dp, w, err, errlen) < 0)
			return -ENOMEM;
		worker_queues(dp, w);
		if (rte_rcu_qsbr_thread_register(dp->qsv, i) != 0) {
			snprintf(err, errlen, "RCU: cannot register worker %u", i);
			return -EINVAL;
		}
	}
	return 0;
}

void dp_workers_free(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->wk[i];

		if (w == NULL)
			continue;
		sad_free(w->sad);
		rte_free(w->sa_by_id);
		rte_free(w->run_cnt);
		rte_ring_free(w->msg);
		wk_reasm_free(w);
		ivgen_clear(&w->ivg);
		imb_inst_mgr_free(w->mb);
		imb_inst_mgr_free(w->mb_etm);
		imb_inst_mgr_free(w->mb_narrow);
		imb_inst_close(w->imb);
		rte_free(w);
		dp->wk[i] = NULL;
	}
	rte_free(dp->qsv);
	dp->qsv = NULL;
}
