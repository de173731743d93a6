/* SPDX-License-Identifier: BSD-3-Clause */
#include "net/pkt.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>

/* Not the first fragment: no transport header, so no ports (the selectors
 * see OPAQUE, RFC 4301 §4.4.1.1 and §7). */
static void l4_ports(const uint8_t *l4, uint32_t avail, struct pkt_info *pi)
{
	if (!pi->first_frag) {
		pi->ports = 0;
		return;
	}
	pkt_ports(l4, avail, pi);
}

static int parse4(struct rte_mbuf *m, struct pkt_info *pi, uint32_t avail)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pi->l2_len);
	uint16_t frag;
	uint32_t hl, tot;

	if (avail < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return DROP_malformed;
	hl = (ip->version_ihl & 15) * 4u;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hl < sizeof(*ip) || tot < hl || tot > avail)
		return DROP_malformed;
	if (rte_raw_cksum(ip, hl) != 0xffff)
		return DROP_bad_ip_checksum;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	pi->af = AF_INET;
	pi->proto = ip->next_proto_id;
	pi->tos = ip->type_of_service;
	pi->ttl = ip->time_to_live;
	pi->df = !!(frag & RTE_IPV4_HDR_DF_FLAG);
	pi->frag = !!(frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK));
	pi->first_frag = !(frag & RTE_IPV4_HDR_OFFSET_MASK);
	pi->l3_len = (uint16_t)hl;
	pi->l3_tot = (uint16_t)tot;
	pi->nh_off = offsetof(struct rte_ipv4_hdr, next_proto_id);
	l4_ports((const uint8_t *)ip + hl, tot - hl, pi);
	return 0;
}

static bool is_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT;
}

/* RFC 8200 §4: walk the extension headers to the upper layer. */
static int parse6(struct rte_mbuf *m, struct pkt_info *pi, uint32_t avail)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l2_len);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
	uint32_t off = sizeof(*ip), tot, nh_off;
	uint8_t nh;
	unsigned hops = 0;

	if (avail < sizeof(*ip) || (l3[0] >> 4) != 6)
		return DROP_malformed;
	tot = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	if (tot > avail)
		return DROP_malformed;
	nh = ip->proto;
	nh_off = offsetof(struct rte_ipv6_hdr, proto);
	pi->frag = 0;
	pi->first_frag = 1;
	while (is_ext(nh)) {
		uint32_t len;

		if (++hops > 8 || off + 8 > tot)
			return DROP_malformed;
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t fo = (uint16_t)(l3[off + 2] << 8 | l3[off + 3]);

			pi->frag = 1;
			pi->first_frag = (fo & 0xfff8) == 0;
			len = 8;
		} else {
			len = (l3[off + 1] + 1u) * 8;
		}
		if (off + len > tot)
			return DROP_malformed;
		nh_off = off;
		nh = l3[off];
		off += len;
	}
	pi->af = AF_INET6;
	pi->proto = nh;
	pi->tos = (uint8_t)(rte_be_to_cpu_32(ip->vtc_flow) >> 20);
	pi->ttl = ip->hop_limits;
	pi->df = 1; /* IPv6 routers never fragment (RFC 8200 §5) */
	pi->l3_len = (uint16_t)off;
	pi->l3_tot = (uint16_t)tot;
	pi->nh_off = (uint16_t)nh_off;
	l4_ports(l3 + off, tot - off, pi);
	return 0;
}

int pkt_parse_slow(struct rte_mbuf *m, struct pkt_info *pi)
{
	const struct rte_ether_hdr *eth;
	uint16_t et;
	uint32_t avail;
	int rc;

	if (unlikely(m->nb_segs != 1) && rte_pktmbuf_linearize(m) != 0)
		return DROP_malformed;
	if (unlikely(m->data_len < ETH_HLEN))
		return DROP_malformed;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	et = rte_be_to_cpu_16(eth->ether_type);
	pi->l2_len = ETH_HLEN;
	if (et == RTE_ETHER_TYPE_ARP) {
		pi->kind = PKT_ARP;
		return 0;
	}
	avail = m->data_len - ETH_HLEN;
	if (et == RTE_ETHER_TYPE_IPV4)
		rc = parse4(m, pi, avail);
	else if (et == RTE_ETHER_TYPE_IPV6)
		rc = parse6(m, pi, avail);
	else
		return DROP_not_ip;
	if (rc != 0)
		return rc;
	pi->kind = PKT_IP;
	/* Drop Ethernet padding so lengths below are the IP packet's. */
	if (m->data_len > ETH_HLEN + pi->l3_tot)
		rte_pktmbuf_trim(m, m->data_len - ETH_HLEN - pi->l3_tot);
	return 0;
}
