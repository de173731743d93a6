/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826): answer for our addresses, learn from what we hear. */
#include <netinet/in.h>
#include <string.h>

#include <rte_arp.h>

#include "ctl/ctl_int.h"

static bool in_our_subnet(const struct dp *dp, uint16_t port, uint32_t ip)
{
	const struct conf_port *cp = &dp->conf->ports[port];
	struct ip_addr a;

	ip_addr_from_v4(&a, ip);
	for (unsigned i = 0; i < cp->n_addrs; i++)
		if (ip_prefix_contains(&cp->addrs[i], &a))
			return true;
	return false;
}

void ctl_arp_input(struct dp *dp, struct rte_mbuf *m, uint16_t port)
{
	struct rte_arp_hdr *a;
	struct ip_addr sender;
	bool for_us;

	g_ctl_stats.arp_in++;
	if (m->data_len < ETH_HLEN + sizeof(*a))
		goto drop;
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, ETH_HLEN);
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != 6 || a->arp_plen != 4)
		goto drop;
	for_us = dp_port_has_v4(&dp->port[port], a->arp_data.arp_tip);
	ip_addr_from_v4(&sender, a->arp_data.arp_sip);
	/* RFC 826 "merge": update a known sender; add it if it talks to us. */
	if (in_our_subnet(dp, port, a->arp_data.arp_sip) &&
	    !rte_is_zero_ether_addr(&a->arp_data.arp_sha))
		ctl_neigh_learn(dp, &sender, port, a->arp_data.arp_sha.addr_bytes,
				for_us);
	if (a->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) || !for_us)
		goto drop;
	/* Turn the request into the reply in place. */
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = dp->port[port].mac;
	a->arp_data.arp_sip = dp->port[port].v4[0];
	for (unsigned i = 0; i < dp->port[port].n_v4; i++)
		if (dp->port[port].v4[i] == a->arp_data.arp_tip)
			a->arp_data.arp_sip = dp->port[port].v4[i];
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - ETH_HLEN - sizeof(*a)));
	ctl_l2(dp, m, port, a->arp_data.arp_tha.addr_bytes, RTE_ETHER_TYPE_ARP);
	g_ctl_stats.arp_replies++;
	ctl_send_frame(dp, port, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

void ctl_arp_request(struct dp *dp, uint16_t port, uint32_t target)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct dp_port *p = &dp->port[port];
	struct rte_mbuf *m;
	struct rte_arp_hdr *a;

	if (p->n_v4 == 0 || (m = ctl_alloc(dp, sizeof(*a))) == NULL)
		return;
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, ETH_HLEN);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = p->mac;
	a->arp_data.arp_sip = p->v4[0];
	/* prefer our address in the target's subnet */
	for (unsigned i = 0; i < dp->conf->ports[port].n_addrs; i++) {
		const struct ip_prefix *pf = &dp->conf->ports[port].addrs[i];
		struct ip_addr t;

		ip_addr_from_v4(&t, target);
		if (ip_prefix_contains(pf, &t))
			a->arp_data.arp_sip = dp->conf->ports[port].addr_hosts[i].v4;
	}
	a->arp_data.arp_tip = target;
	ctl_l2(dp, m, port, bcast, RTE_ETHER_TYPE_ARP);
	g_ctl_stats.arp_requests++;
	ctl_send_frame(dp, port, m);
}
