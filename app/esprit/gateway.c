/* SPDX-License-Identifier: BSD-3-Clause */
#include "gateway.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ctl/control.h"
#include "ctl/ctlsock.h"
#include "ctl/ike_host.h"
#include "ctl/telemetry.h"
#include "ike/ike.h"
#include "dp/dp_tables.h"
#include "util/log.h"

#define PUNT_RING 4096
#define EVENT_RING 4096

int gw_check_extra(const struct conf *c, char *err, size_t errlen)
{
	return ike_host_check(c, err, errlen);
}

static struct worker *new_worker(unsigned id, unsigned lcore)
{
	struct worker *w = rte_zmalloc_socket("worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
					      (int)rte_lcore_to_socket_id(lcore));

	if (w) {
		w->id = id;
		w->lcore = lcore;
	}
	return w;
}

/* Workers: the configured lcores, or every lcore but the main one, or the
 * main lcore itself when it is alone. */
static int setup_workers(struct dp *dp, char *err, size_t errlen)
{
	const struct conf *c = dp->conf;
	unsigned lc;

	if (c->n_workers) {
		for (unsigned i = 0; i < c->n_workers; i++) {
			lc = c->workers[i].lcore;
			if (!rte_lcore_is_enabled(lc) || lc == rte_get_main_lcore()) {
				snprintf(err, errlen, "%s:%d: lcore %u is not a worker lcore "
					 "of this EAL (give it with -l, not as the main lcore)",
					 c->path, c->workers[i].line, lc);
				return -EINVAL;
			}
			dp->wk[dp->n_workers++] = new_worker(i, lc);
		}
	} else {
		RTE_LCORE_FOREACH_WORKER(lc) {
			if (dp->n_workers == DP_MAX_WORKERS)
				break;
			dp->wk[dp->n_workers] = new_worker(dp->n_workers, lc);
			dp->n_workers++;
		}
		if (dp->n_workers == 0) {
			dp->main_is_worker = true;
			dp->wk[dp->n_workers++] = new_worker(0, rte_get_main_lcore());
		}
	}
	for (unsigned i = 0; i < dp->n_workers; i++)
		if (dp->wk[i] == NULL) {
			snprintf(err, errlen, "out of memory for workers");
			return -ENOMEM;
		}
	return 0;
}

static int setup_pool(struct dp *dp, char *err, size_t errlen)
{
	const struct conf *c = dp->conf;
	unsigned n = c->mbufs, mtu = 1500;
	uint16_t room;

	for (unsigned p = 0; p < c->n_ports; p++)
		mtu = RTE_MAX(mtu, c->ports[p].mtu);
	if (n == 0)
		n = c->n_ports * dp->n_workers * (c->rx_desc + c->tx_desc + DP_TXBUF) +
		    dp->n_workers * 4 * DP_BURST_MAX + PUNT_RING + 1024 * c->n_ports +
		    8192;
	/* whole frames in one segment, with room for ESP to grow them */
	room = (uint16_t)RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
				 RTE_PKTMBUF_HEADROOM + mtu + 14 + 256);
	if (c->mbuf_size)
		room = (uint16_t)RTE_MAX(room, RTE_PKTMBUF_HEADROOM + c->mbuf_size);
	dp->pool = rte_pktmbuf_pool_create("mbufs", n, 256, 0, room, (int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, errlen, "cannot allocate %u mbufs: %s (hugepages?)", n,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int setup_rings(struct dp *dp, char *err, size_t errlen)
{
	dp->punt = rte_ring_create("punt", PUNT_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->events = rte_ring_create_elem("saevents", sizeof(uint64_t), EVENT_RING,
					  SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->ctl_mb = alloc_mb_mgr(0);
	if (dp->punt == NULL || dp->events == NULL || dp->ctl_mb == NULL) {
		snprintf(err, errlen, "out of memory for rings");
		return -ENOMEM;
	}
	init_mb_mgr_auto(dp->ctl_mb, NULL);
	return 0;
}

/* The configured SAs get ids 0..n-1 in file order; SPD rules refer to them.
 * The rules also stay under IKE's, which rebuilds the SPD with both. */
static int install_config(struct dp *dp, char *err, size_t errlen)
{
	const struct conf *c = dp->conf;
	struct spd_rule *r = calloc(c->n_spd ? c->n_spd : 1, sizeof(*r));
	int rc = 0;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory for the SPD");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < c->n_sas && rc == 0; i++) {
		uint32_t id;

		rc = dp_sa_add(dp, &c->sas[i].p, &id, err, errlen);
	}
	for (unsigned i = 0; i < c->n_spd && rc == 0; i++) {
		r[i].dir = c->spd[i].dir;
		r[i].sel = c->spd[i].sel;
		r[i].priority = c->spd[i].priority;
		r[i].action = c->spd[i].action;
		r[i].sa_id = c->spd[i].sa >= 0 ? (uint32_t)c->spd[i].sa : 0;
	}
	if (rc == 0)
		rc = dp_spd_replace(dp, r, c->n_spd, err, errlen);
	if (rc == 0)
		rc = ike_host_init(dp, r, c->n_spd, err, errlen);
	free(r);
	return rc;
}

int gw_setup(struct dp *dp, char *err, size_t errlen)
{
	const struct conf *c = dp->conf;
	int rc;

	g_dp = dp;
	dp->burst = c->burst ? c->burst : DP_BURST_BASE;
	dp->burst_auto = c->burst == 0;
	dp->sa_cap = RTE_MAX(4096u, 2 * c->n_sas + 1024);
	dp->tsc_hz = rte_get_tsc_hz();
	if ((rc = setup_workers(dp, err, errlen)) < 0 ||
	    (rc = setup_pool(dp, err, errlen)) < 0 ||
	    (rc = setup_rings(dp, err, errlen)) < 0)
		return rc;
	dp->nt = neigh_table_create(4096, SOCKET_ID_ANY);
	if (dp->nt == NULL) {
		snprintf(err, errlen, "out of memory for neighbours");
		return -ENOMEM;
	}
	if ((rc = dp_ports_init(dp, err, errlen)) < 0)
		return rc;
	dp->rt = route_build(c, dp->nt, SOCKET_ID_ANY, err, errlen);
	if (dp->rt == NULL)
		return -EINVAL;
	if ((rc = dp_workers_init(dp, err, errlen)) < 0 ||
	    (rc = dp_tables_init(dp, err, errlen)) < 0 ||
	    (rc = install_config(dp, err, errlen)) < 0 ||
	    (rc = ctl_init(dp, err, errlen)) < 0)
		return rc;
	telemetry_init(dp);
	if (ctlsock_open(c->ctl_socket, err, errlen) < 0)
		ELOG(WARNING, "%s: espritctl will not work", err);
	ELOG(INFO, "%u ports, %u workers%s, %u SAs, %u SPD rules, %u routes",
	     dp->n_ports, dp->n_workers, dp->main_is_worker ? " (on the main lcore)" : "",
	     c->n_sas, c->n_spd, c->n_routes);
	return 0;
}

void gw_start(struct dp *dp)
{
	dp->running = true;
	if (dp->main_is_worker)
		return;
	for (unsigned i = 0; i < dp->n_workers; i++)
		rte_eal_remote_launch(dp_worker_loop, dp->wk[i], dp->wk[i]->lcore);
}

void gw_control_poll(struct dp *dp)
{
	ctl_poll(dp);
	ike_host_poll(dp);
	ctlsock_poll(dp);
}

/* IKE says goodbye (DELETE, RFC 7296 §1.4.1) while the workers can still
 * transmit it. */
static void farewell(struct dp *dp)
{
	uint64_t end;

	if (ike_host_daemon() == NULL)
		return;
	ike_shutdown(ike_host_daemon());
	end = ctl_now_ms() + 200;
	while (ctl_now_ms() < end) {
		ctl_poll(dp);
		if (dp->main_is_worker)
			dp_worker_poll(dp->wk[0]);
		else
			rte_delay_us_sleep(1000);
	}
}

void gw_stop(struct dp *dp)
{
	farewell(dp);
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELAXED);
	if (!dp->main_is_worker)
		rte_eal_mp_wait_lcore();
	dp->running = false;
}

void gw_teardown(struct dp *dp)
{
	ctlsock_close();
	ike_host_fini(dp);
	if (dp->punt)
		ctl_fini(dp);
	dp_ports_stop(dp);
	dp_tables_free(dp);
	dp_workers_free(dp);
	route_free(dp->rt);
	neigh_table_free(dp->nt);
	rte_ring_free(dp->punt);
	rte_ring_free(dp->events);
	if (dp->ctl_mb)
		free_mb_mgr(dp->ctl_mb);
	rte_mempool_free(dp->pool);
}
