/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl/control.h"

#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>

#include "ctl/ctl_int.h"
#include "dp/dp_tables.h"
#include "util/log.h"

struct ctl_stats g_ctl_stats;

static ctl_ike_input_fn ike_in;
static ctl_sa_event_fn sa_ev;
static void *hook_arg;
static uint64_t next_second_ms;

uint64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ctl_set_ike(ctl_ike_input_fn in, ctl_sa_event_fn ev, void *arg)
{
	ike_in = in;
	sa_ev = ev;
	hook_arg = arg;
}

int ctl_init(struct dp *dp, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	/* Static neighbours are valid from the start. */
	for (unsigned i = 0; i < dp->conf->n_neighs; i++) {
		const struct conf_neigh *n = &dp->conf->neighs[i];
		int s = neigh_get(dp->nt, &n->ip, (uint16_t)n->port);

		if (s >= 0)
			neigh_set_mac(neigh_at(dp->nt, (unsigned)s), n->mac, true);
	}
	next_second_ms = ctl_now_ms() + 1000;
	return 0;
}

static void punt_input(struct dp *dp, struct rte_mbuf *m)
{
	uint16_t port = m->port < RTE_MAX_ETHPORTS ? dp->idx_of_port_id[m->port] : 0;
	struct pkt_info pi;

	switch (PUNT_REASON(m)) {
	case PUNT_ARP:
		ctl_arp_input(dp, m, port);
		return;
	case PUNT_RESOLVE:
		ctl_resolve_hold(dp, m, (uint16_t)PUNT_ARG(m));
		return;
	case PUNT_TOO_BIG:
	case PUNT_TTL:
		ctl_icmp_error(dp, m, port, (int)PUNT_REASON(m), PUNT_ARG(m));
		return;
	case PUNT_IKE:
		g_ctl_stats.ike_in++;
		if (ike_in) {
			ike_in(hook_arg, m, port);
			return;
		}
		break;
	default:
		break;
	}
	if (pkt_parse(m, &pi) != 0) {
		g_ctl_stats.bad++;
		rte_pktmbuf_free(m);
	} else if (PUNT_REASON(m) == PUNT_ND) {
		ctl_nd_input(dp, m, port, &pi);
	} else if (PUNT_REASON(m) == PUNT_LOCAL) {
		ctl_echo_input(dp, m, port, &pi);
	} else {
		rte_pktmbuf_free(m);
	}
}

static void sa_event(struct dp *dp, uint32_t id, int ev)
{
	struct sa *sa = dp_sa_get(dp, id);

	if (ev == SA_EV_SOFT)
		g_ctl_stats.sa_soft++;
	else
		g_ctl_stats.sa_hard++;
	if (sa != NULL)
		ELOG(NOTICE, "SA %s (SPI 0x%08x, %s): %s lifetime reached", sa->p->name,
		     sa->p->spi, sa->dir == SA_DIR_IN ? "in" : "out",
		     ev == SA_EV_SOFT ? "soft" : "hard");
	if (sa_ev)
		sa_ev(hook_arg, id, ev);
}

/* RFC 4301 §4.4.2.1 time lifetimes, checked once a second. */
static void time_lifetimes(struct dp *dp)
{
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	for (uint32_t id = 0; id < dp_sa_cap(dp); id++) {
		struct sa *sa = dp_sa_get(dp, id);
		uint64_t age;
		uint32_t st;

		if (sa == NULL || (!sa->p->life.soft_seconds && !sa->p->life.hard_seconds))
			continue;
		age = (now - sa->created_tsc) / hz;
		st = __atomic_load_n(&sa->state, __ATOMIC_RELAXED);
		if (sa->p->life.hard_seconds && age >= sa->p->life.hard_seconds &&
		    !(st & SA_ST_HARD_RAISED)) {
			__atomic_fetch_or(&sa->state, SA_ST_HARD_RAISED, __ATOMIC_RELAXED);
			sa_kill(sa);
			sa_event(dp, id, SA_EV_HARD);
		} else if (sa->p->life.soft_seconds && age >= sa->p->life.soft_seconds &&
			   !(st & SA_ST_SOFT_RAISED)) {
			__atomic_fetch_or(&sa->state, SA_ST_SOFT_RAISED, __ATOMIC_RELAXED);
			sa_event(dp, id, SA_EV_SOFT);
		}
	}
}

void ctl_poll(struct dp *dp)
{
	struct rte_mbuf *m[32];
	uint64_t ev[32];
	unsigned n;

	n = rte_ring_sc_dequeue_burst(dp->punt, (void **)m, 32, NULL);
	for (unsigned i = 0; i < n; i++)
		punt_input(dp, m[i]);
	n = rte_ring_sc_dequeue_burst_elem(dp->events, ev, sizeof(ev[0]), 32, NULL);
	for (unsigned i = 0; i < n; i++)
		sa_event(dp, (uint32_t)(ev[i] >> 8), (int)(ev[i] & 0xff));
	dp_reclaim(dp);
	if (ctl_now_ms() >= next_second_ms) {
		next_second_ms += 1000;
		time_lifetimes(dp);
		ctl_resolve_tick(dp);
	}
}

void ctl_fini(struct dp *dp)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(dp->punt, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

bool ctl_port_addr(const struct dp *dp, uint16_t port, uint8_t af, uint8_t out[16])
{
	const struct dp_port *p = &dp->port[port];

	if (af == AF_INET) {
		if (p->n_v4 == 0)
			return false;
		memcpy(out, &p->v4[0], 4);
		return true;
	}
	if (p->n_v6 == 0)
		return false;
	memcpy(out, p->v6[0], 16);
	return true;
}

struct rte_mbuf *ctl_alloc(struct dp *dp, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, (uint16_t)(ETH_HLEN + len)) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(rte_pktmbuf_mtod(m, void *), 0, ETH_HLEN + len);
	return m;
}

void ctl_l2(struct dp *dp, struct rte_mbuf *m, uint16_t port,
	    const uint8_t dst[6], uint16_t ethertype)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	memcpy(&e->dst_addr, dst, 6);
	e->src_addr = dp->port[port].mac;
	e->ether_type = rte_cpu_to_be_16(ethertype);
}

void ctl_send_frame(struct dp *dp, uint16_t port, struct rte_mbuf *m)
{
	const struct dp_port *p = &dp->port[port];

	m->port = p->port_id;
	if (p->ctl_txq >= 0) { /* our own queue: no worker involved */
		if (rte_eth_tx_burst(p->port_id, (uint16_t)p->ctl_txq, &m, 1) == 1) {
			g_ctl_stats.ctl_tx++;
			return;
		}
		g_ctl_stats.ctl_tx_full++;
		rte_pktmbuf_free(m);
		return;
	}
	if (rte_ring_sp_enqueue(p->ctl_tx, m) != 0) {
		g_ctl_stats.ctl_tx_full++;
		rte_pktmbuf_free(m);
		return;
	}
	g_ctl_stats.ctl_tx++;
}

uint16_t ctl_cksum6(const uint8_t *ip6, const void *l4, uint32_t len, uint8_t nh)
{
	struct {
		uint8_t addrs[32];
		uint32_t len;
		uint8_t zero[3], nh;
	} __attribute__((packed)) ph;
	uint32_t sum;
	uint16_t c;

	memcpy(ph.addrs, ip6 + 8, 32);
	ph.len = rte_cpu_to_be_32(len);
	memset(ph.zero, 0, 3);
	ph.nh = nh;
	sum = (uint32_t)rte_raw_cksum(&ph, sizeof(ph)) + rte_raw_cksum(l4, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	return c;
}
