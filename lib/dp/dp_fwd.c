/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>

#include "dp/dp_int.h"
#include "net/frag.h"

void wk_tx_flush(struct worker *w, uint16_t port)
{
	struct txbuf *b = &w->tx[port];
	struct dp_port_ctr *pc = &w->ctr.port[port];
	uint16_t sent;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(g_dp->port[port].port_id, (uint16_t)w->id, b->m, b->n);
	pc->tx += sent;
	for (uint16_t i = 0; i < sent; i++)
		pc->tx_bytes += b->m[i]->pkt_len;
	for (uint16_t i = sent; i < b->n; i++)
		wk_drop(w, b->m[i], DROP_tx_full);
	b->n = 0;
}

void wk_punt(struct worker *w, struct rte_mbuf *m, enum punt_reason r,
	     uint32_t arg)
{
	PUNT_REASON(m) = r;
	PUNT_ARG(m) = arg;
	if (rte_ring_mp_enqueue(g_dp->punt, m) != 0) {
		wk_drop(w, m, DROP_punt_full);
		return;
	}
	if (m->port < RTE_MAX_ETHPORTS)
		w->ctr.port[g_dp->idx_of_port_id[m->port]].punted++;
}

void wk_sa_event(struct worker *w, struct sa *sa, enum sa_event ev)
{
	uint32_t bit = ev == SA_EV_SOFT ? SA_ST_SOFT_RAISED : SA_ST_HARD_RAISED;
	uint64_t e = SA_EVENT(sa->id, ev);

	/* Raise each event once, whichever worker sees it first. Every run
	 * after the soft limit asks again until the SA is replaced: a load
	 * first, so that they do not all write the SA's read-mostly line. */
	if ((__atomic_load_n(&sa->state, __ATOMIC_RELAXED) & bit) ||
	    (__atomic_fetch_or(&sa->state, bit, __ATOMIC_RELAXED) & bit))
		return;
	if (ev == SA_EV_HARD)
		sa_kill(sa);
	if (rte_ring_mp_enqueue_elem(g_dp->events, &e, sizeof(e)) != 0)
		__atomic_fetch_and(&sa->state, ~bit, __ATOMIC_RELAXED); /* retry later */
}

/* Too big for the egress port: fragment when we may, else ICMP. */
static void too_big(struct worker *w, struct rte_mbuf *m, uint8_t af,
		    bool own_outer, uint16_t port, uint64_t mac_state)
{
	const struct dp_port *p = &g_dp->port[port];
	const struct rte_ipv4_hdr *ip4 =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_HLEN);
	struct rte_mbuf *frags[FRAG_MAX];
	int n;

	if (af == AF_INET ? (ip4->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
			  : !own_outer) {
		w->ctr.drops[DROP_too_big]++;
		wk_punt(w, m, PUNT_TOO_BIG, p->mtu);
		return;
	}
	n = frag_packet(m, af, p->mtu, g_dp->pool, frags, FRAG_MAX, w->ip_id++);
	if (n < 0) {
		wk_drop(w, m, DROP_frag_failed);
		return;
	}
	rte_pktmbuf_free(m);
	for (int i = 0; i < n; i++) {
		wk_l2_write(frags[i], p, mac_state, af);
		wk_tx(w, port, frags[i]);
	}
}

/* Route and neighbour slot for a destination (network order, 4 or 16
 * bytes); slot < 0 when unknown. */
static const struct nexthop *next_hop(const uint8_t *dst, uint8_t af, int *ni)
{
	const struct nexthop *nh;
	struct ip_addr a;
	uint32_t d4;

	if (af == AF_INET) {
		memcpy(&d4, dst, 4);
		nh = route_lookup4(g_dp->rt, d4);
	} else {
		nh = route_lookup6(g_dp->rt, dst);
	}
	if (nh == NULL || nh->has_via) {
		*ni = nh ? nh->neigh : -1;
		return nh;
	}
	if (af == AF_INET)
		ip_addr_from_v4(&a, d4);
	else
		ip_addr_from_v6(&a, dst);
	*ni = neigh_lookup(g_dp->nt, &a);
	return nh;
}

/* Egress port and the next hop's published MAC word for dst, through the
 * worker's IPv4 cache: 0 with *mac NULL when the neighbour is unknown, -2
 * when there is no route. */
static int egress(struct worker *w, const uint8_t *dst, uint8_t af,
		  uint16_t *port, const uint64_t **mac)
{
	const struct nexthop *nh;
	struct nh_cache_ent *e = NULL;
	uint32_t d;
	int ni;

	if (af == AF_INET) {
		memcpy(&d, dst, 4);
		e = wk_nhc4(w, d);
		if (likely(e->valid && e->dst == d)) {
			*port = e->port;
			*mac = e->mac_state;
			return 0;
		}
	}
	nh = next_hop(dst, af, &ni);
	if (unlikely(nh == NULL))
		return -2;
	*port = nh->port;
	*mac = ni >= 0 ? &neigh_at(g_dp->nt, (unsigned)ni)->mac_state : NULL;
	if (e && ni >= 0)
		*e = (struct nh_cache_ent){ .dst = d, .port = nh->port, .valid = 1,
					    .mac_state = *mac };
	return 0;
}

void wk_fwd(struct worker *w, struct rte_mbuf *m, uint8_t af, bool own_outer)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN);
	const uint64_t *ms;
	uint16_t port;
	uint64_t mac;

	if (unlikely(egress(w, l3 + (af == AF_INET ? 16 : 24), af, &port, &ms) == -2)) {
		wk_drop(w, m, DROP_no_route);
		return;
	}
	mac = wk_neigh_word(ms);
	if (unlikely(mac == 0)) {
		wk_punt(w, m, PUNT_RESOLVE, port);
		return;
	}
	if (unlikely(m->data_len - ETH_HLEN > g_dp->port[port].mtu)) {
		too_big(w, m, af, own_outer, port, mac);
		return;
	}
	wk_l2_write(m, &g_dp->port[port], mac, af);
	wk_tx(w, port, m);
}

void wk_key4(const struct rte_mbuf *m, const struct pkt_info *pi,
	     struct spd_key4 *k)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pi->l2_len);

	k->proto = pi->proto;
	memset(k->pad, 0, sizeof(k->pad));	/* keys are compared whole */
	k->src = ip->src_addr;
	k->dst = ip->dst_addr;
	k->sport = net16(pi->sport);
	k->dport = net16(pi->dport);
}

void wk_key6(const struct rte_mbuf *m, const struct pkt_info *pi,
	     struct spd_key6 *k)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pi->l2_len);

	k->proto = pi->proto;
	memcpy(k->src, ip->src_addr, 16);
	memcpy(k->dst, ip->dst_addr, 16);
	k->sport = net16(pi->sport);
	k->dport = net16(pi->dport);
}
