/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic addressed to the gateway itself: ESP for our tunnels goes back to
 * the caller's ESP path, the control protocols (ARP, ND, ICMP echo, IKE) are
 * punted to the control lcore, NAT-T keepalives are consumed, the rest is
 * dropped. Workers never answer anything themselves.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "dp/dp_int.h"

bool dp_port_has_v4(const struct dp_port *p, uint32_t a)
{
	for (unsigned i = 0; i < p->n_v4; i++)
		if (p->v4[i] == a)
			return true;
	return false;
}

bool dp_port_has_v6(const struct dp_port *p, const uint8_t a[16])
{
	for (unsigned i = 0; i < p->n_v6; i++)
		if (memcmp(p->v6[i], a, 16) == 0)
			return true;
	return false;
}

/* UDP to us: IKE on 500; on 4500 (RFC 3948 §2.2) a zero non-ESP marker is
 * IKE, a single 0xff byte a keepalive (§2.3), anything else ESP. */
static int local_udp(struct worker *w, struct rte_mbuf *m,
		     const struct pkt_info *pi, uint32_t *esp_off)
{
	uint32_t off = pi->l2_len + pi->l3_len;
	uint32_t plen = pi->l3_tot - pi->l3_len;
	const uint8_t *pay;

	if (plen < sizeof(struct rte_udp_hdr)) {
		wk_drop(w, m, DROP_malformed);
		return LOCAL_CONSUMED;
	}
	plen -= sizeof(struct rte_udp_hdr);
	pay = rte_pktmbuf_mtod_offset(m, const uint8_t *, off + 8);
	if (pi->dport == 500) {
		wk_punt(w, m, PUNT_IKE, 0);
		return LOCAL_CONSUMED;
	}
	if (pi->dport != 4500) {
		wk_drop(w, m, DROP_not_for_us);
		return LOCAL_CONSUMED;
	}
	if (plen == 1 && pay[0] == 0xff) {
		wk_drop(w, m, DROP_keepalive);
		return LOCAL_CONSUMED;
	}
	if (plen >= 4 && memcmp(pay, "\0\0\0\0", 4) == 0) {
		wk_punt(w, m, PUNT_IKE, 0);
		return LOCAL_CONSUMED;
	}
	if (plen < 8) {
		wk_drop(w, m, DROP_malformed);
		return LOCAL_CONSUMED;
	}
	*esp_off = off + 8;
	return LOCAL_ESP;
}

static int local_ours(struct worker *w, struct rte_mbuf *m,
		      const struct pkt_info *pi, uint32_t *esp_off)
{
	switch (pi->proto) {
	case IPPROTO_ESP:
		if (pi->l3_tot - pi->l3_len < 8) { /* not even SPI and sequence */
			wk_drop(w, m, DROP_malformed);
			return LOCAL_CONSUMED;
		}
		*esp_off = pi->l2_len + pi->l3_len;
		return LOCAL_ESP;
	case IPPROTO_UDP:
		return local_udp(w, m, pi, esp_off);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* echo requests (types 8 and 128) carry the type in sport */
		if (pi->sport == 8 || pi->sport == 128) {
			wk_punt(w, m, PUNT_LOCAL, 0);
			return LOCAL_CONSUMED;
		}
		break;
	default:
		break;
	}
	wk_drop(w, m, DROP_not_for_us);
	return LOCAL_CONSUMED;
}

/* Ours: whole datagrams only (reassembled here if need be). */
static int local_whole(struct worker *w, struct rte_mbuf **mp,
		       struct pkt_info *pi, uint32_t *esp_off)
{
	if (pi->frag && !wk_reassemble(w, mp, pi))
		return LOCAL_CONSUMED;
	return local_ours(w, *mp, pi, esp_off);
}

int wk_local(struct worker *w, uint16_t port, struct rte_mbuf **mp,
	     struct pkt_info *pi, uint32_t *esp_off)
{
	const struct dp_port *p = &g_dp->port[port];
	struct rte_mbuf *m = *mp;
	const uint8_t *l3 = pkt_l3(m, pi);

	if (pi->af == AF_INET) {
		uint32_t dst = ((const struct rte_ipv4_hdr *)l3)->dst_addr;
		uint8_t first = l3[16]; /* first byte of the destination */

		if (dp_port_has_v4(p, dst))
			return local_whole(w, mp, pi, esp_off);
		if (dst == 0xffffffff || (first & 0xf0) == 0xe0) {
			wk_drop(w, m, DROP_not_for_us);
			return LOCAL_CONSUMED;
		}
		return LOCAL_NOT_OURS;
	}
	/* RFC 4861: router/neighbour solicitations and advertisements
	 * (types 133..137) go to the control plane whatever the address. */
	if (pi->proto == IPPROTO_ICMPV6 && pi->sport >= 133 && pi->sport <= 137) {
		wk_punt(w, m, PUNT_ND, 0);
		return LOCAL_CONSUMED;
	}
	if (dp_port_has_v6(p, ((const struct rte_ipv6_hdr *)l3)->dst_addr))
		return local_whole(w, mp, pi, esp_off);
	if (l3[24] == 0xff) { /* multicast we do not serve */
		wk_drop(w, m, DROP_not_for_us);
		return LOCAL_CONSUMED;
	}
	return LOCAL_NOT_OURS;
}
