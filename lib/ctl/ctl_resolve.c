/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop resolution with a hold queue, as a host's neighbour cache does
 * (RFC 1122 §2.3.2.2 for ARP, RFC 4861 §7.2.2 for ND): a few packets wait
 * for the answer instead of being dropped, probes are rate-limited, and
 * after three unanswered probes the waiting packets are dropped.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>

#include "ctl/ctl_int.h"
#include "util/log.h"

#define PROBE_INTERVAL_MS 1000
#define PROBE_MAX 3

static uint16_t ethertype_of(const struct rte_mbuf *m)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN);

	return (l3[0] >> 4) == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6;
}

static void probe(struct dp *dp, struct neigh *n)
{
	n->last_probe_ms = ctl_now_ms();
	n->probes++;
	if (n->ip.family == AF_INET)
		ctl_arp_request(dp, n->port, n->ip.v4);
	else
		ctl_ns_send(dp, n->port, n->ip.b);
}

static void release_held(struct dp *dp, struct neigh *n, const uint8_t mac[6])
{
	for (unsigned i = 0; i < n->n_held; i++) {
		struct rte_mbuf *m = n->held[i];

		ctl_l2(dp, m, n->port, mac, ethertype_of(m));
		ctl_send_frame(dp, n->port, m);
	}
	n->n_held = 0;
	n->probes = 0;
}

void ctl_resolve_hold(struct dp *dp, struct rte_mbuf *m, uint16_t port)
{
	const struct nexthop *nh;
	struct ip_addr hop;
	uint8_t mac[6];
	struct neigh *n;
	int s;

	ctl_l3_dst(rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN), &hop);
	nh = route_lookup(dp->rt, &hop);
	if (nh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (nh->has_via)
		hop = nh->via;
	port = nh->port;
	s = neigh_get(dp->nt, &hop, port);
	if (s < 0) {
		g_ctl_stats.hold_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	n = neigh_at(dp->nt, (unsigned)s);
	if (neigh_mac(n, mac)) { /* answered meanwhile */
		ctl_l2(dp, m, port, mac, ethertype_of(m));
		ctl_send_frame(dp, port, m);
		return;
	}
	if (n->n_held == RTE_DIM(n->held)) {
		rte_pktmbuf_free(n->held[0]);
		memmove(n->held, n->held + 1, (RTE_DIM(n->held) - 1) * sizeof(n->held[0]));
		n->n_held--;
		g_ctl_stats.hold_dropped++;
	}
	n->held[n->n_held++] = m;
	g_ctl_stats.held++;
	if (ctl_now_ms() - n->last_probe_ms >= PROBE_INTERVAL_MS)
		probe(dp, n);
}

void ctl_neigh_learn(struct dp *dp, const struct ip_addr *ip, uint16_t port,
		     const uint8_t mac[6], bool create)
{
	int s = neigh_lookup(dp->nt, ip);
	struct neigh *n;

	if (s < 0 && create)
		s = neigh_get(dp->nt, ip, port);
	if (s < 0)
		return;
	n = neigh_at(dp->nt, (unsigned)s);
	if (n->mac_state & NEIGH_STATIC)
		return; /* configuration wins over the wire */
	neigh_set_mac(n, mac, false);
	n->last_update_ms = ctl_now_ms();
	g_ctl_stats.resolved++;
	release_held(dp, n, mac);
}

void ctl_resolve_tick(struct dp *dp)
{
	uint64_t now = ctl_now_ms();

	for (unsigned i = 0; i < neigh_count(dp->nt); i++) {
		struct neigh *n = neigh_at(dp->nt, i);

		if (n->n_held == 0 || now - n->last_probe_ms < PROBE_INTERVAL_MS)
			continue;
		if (n->probes >= PROBE_MAX) {
			for (unsigned k = 0; k < n->n_held; k++)
				rte_pktmbuf_free(n->held[k]);
			g_ctl_stats.hold_dropped += n->n_held;
			n->n_held = 0;
			n->probes = 0;
			continue;
		}
		probe(dp, n);
	}
}
