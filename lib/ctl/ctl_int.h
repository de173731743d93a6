/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CTL_INT_H
#define ESPRIT_CTL_INT_H
/* Internals of the control plane's packet handlers. */
#include <string.h>

#include <rte_mbuf.h>

#include "ctl/control.h"
#include "net/pkt.h"

void ctl_arp_input(struct dp *dp, struct rte_mbuf *m, uint16_t port);
void ctl_nd_input(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		  const struct pkt_info *pi);
void ctl_echo_input(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		    const struct pkt_info *pi);
/* ICMP error about the packet in m (an Ethernet frame as received). */
void ctl_icmp_error(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		    int reason, uint32_t mtu);

/* Neighbour resolution. */
void ctl_resolve_hold(struct dp *dp, struct rte_mbuf *m, uint16_t port);
void ctl_neigh_learn(struct dp *dp, const struct ip_addr *ip, uint16_t port,
		     const uint8_t mac[6], bool create);
void ctl_resolve_tick(struct dp *dp);
void ctl_arp_request(struct dp *dp, uint16_t port, uint32_t target);
void ctl_ns_send(struct dp *dp, uint16_t port, const uint8_t target[16]);

/* A fresh mbuf with len bytes of data after 14 bytes of Ethernet room;
 * NULL when the pool is empty. */
struct rte_mbuf *ctl_alloc(struct dp *dp, uint16_t len);
void ctl_l2(struct dp *dp, struct rte_mbuf *m, uint16_t port,
	    const uint8_t dst[6], uint16_t ethertype);
/* The destination address of the IP packet at l3 (either family). */
static inline void ctl_l3_dst(const uint8_t *l3, struct ip_addr *a)
{
	uint32_t v4;

	if ((l3[0] >> 4) == 4) {
		memcpy(&v4, l3 + 16, 4);
		ip_addr_from_v4(a, v4);
	} else {
		ip_addr_from_v6(a, l3 + 24);
	}
}

/* Internet checksum of the ICMPv6 / upper layer with the IPv6 pseudo header. */
uint16_t ctl_cksum6(const uint8_t *ip6, const void *l4, uint32_t len, uint8_t nh);

#endif
