/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 neighbour discovery (RFC 4861): solicitations for our addresses get
 * advertisements, advertisements and solicitations teach us MACs. */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "ctl/ctl_int.h"

enum { ND_NS = 135, ND_NA = 136, OPT_SLLA = 1, OPT_TLLA = 2 };

/* The link-layer address option of a given type, or NULL (RFC 4861 §4.6). */
static const uint8_t *nd_lla(const uint8_t *opt, uint32_t len, uint8_t type)
{
	while (len >= 8) {
		uint32_t ol = opt[1] * 8u;

		if (ol == 0 || ol > len)
			return NULL;
		if (opt[0] == type && ol >= 8)
			return opt + 2;
		opt += ol;
		len -= ol;
	}
	return NULL;
}

/*
 * An NS or NA (RFC 4861 §4.3, §4.4) with one link-layer address option
 * (ours): 40-byte IPv6 header, hop limit 255 (§7.1), 32-byte ICMPv6 body.
 */
static void send_nd(struct dp *dp, uint16_t port, uint8_t type, uint8_t flags,
		    const uint8_t src[16], const uint8_t dst[16],
		    const uint8_t target[16], const uint8_t dmac[6])
{
	struct rte_mbuf *m = ctl_alloc(dp, 40 + 32);
	uint8_t *ip, *icmp;
	uint16_t c;

	if (m == NULL)
		return;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN);
	icmp = ip + 40;
	ip[0] = 0x60;
	ip[5] = 32;		/* payload length */
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = type == ND_NS ? OPT_SLLA : OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, dp->port[port].mac.addr_bytes, 6);
	c = ctl_cksum6(ip, icmp, 32, IPPROTO_ICMPV6);
	memcpy(icmp + 2, &c, 2);
	ctl_l2(dp, m, port, dmac, RTE_ETHER_TYPE_IPV6);
	if (type == ND_NS)
		g_ctl_stats.ns_sent++;
	else
		g_ctl_stats.na_sent++;
	ctl_send_frame(dp, port, m);
}

/* Router, solicited (unless unsolicited for DAD), override (§4.4). */
static void send_na(struct dp *dp, uint16_t port, const uint8_t target[16],
		    const uint8_t dst[16], const uint8_t dmac[6], bool solicited)
{
	send_nd(dp, port, ND_NA, 0x80 | (solicited ? 0x40 : 0) | 0x20, target,
		dst, target, dmac);
}

void ctl_ns_send(struct dp *dp, uint16_t port, const uint8_t target[16])
{
	uint8_t dst[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t mac[6] = { 0x33, 0x33, 0xff };

	/* solicited-node multicast ff02::1:ffXX:XXXX (RFC 4291 §2.7.1) */
	memcpy(dst + 13, target + 13, 3);
	memcpy(mac + 3, target + 13, 3);
	send_nd(dp, port, ND_NS, 0, dp->port[port].v6[0], dst, target, mac);
}

void ctl_nd_input(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		  const struct pkt_info *pi)
{
	const uint8_t *ip = pkt_l3(m, pi), *icmp = ip + pi->l3_len;
	uint32_t len = pi->l3_tot - pi->l3_len;
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	static const uint8_t unspec[16];
	const uint8_t *lla;
	struct ip_addr a;

	g_ctl_stats.nd_in++;
	/* RFC 4861 §7.1: hop limit 255, code 0, at least 24 bytes */
	if (pi->ttl != 255 || len < 24 || icmp[1] != 0 ||
	    ctl_cksum6(ip, icmp, len, IPPROTO_ICMPV6) != 0)
		goto drop;
	if (icmp[0] == ND_NS) {
		bool dad = memcmp(ip + 8, unspec, 16) == 0;

		lla = nd_lla(icmp + 24, len - 24, OPT_SLLA);
		if (!dad && lla) {
			ip_addr_from_v6(&a, ip + 8);
			ctl_neigh_learn(dp, &a, port, lla,
					dp_port_has_v6(&dp->port[port], icmp + 8));
		}
		if (dp_port_has_v6(&dp->port[port], icmp + 8)) {
			static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
			static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

			send_na(dp, port, icmp + 8, dad ? all_nodes : ip + 8,
				dad ? all_mac : eth->src_addr.addr_bytes, !dad);
		}
	} else if (icmp[0] == ND_NA) {
		lla = nd_lla(icmp + 24, len - 24, OPT_TLLA);
		ip_addr_from_v6(&a, icmp + 8);
		ctl_neigh_learn(dp, &a, port, lla ? lla : eth->src_addr.addr_bytes, false);
	}
drop:
	rte_pktmbuf_free(m);
}
