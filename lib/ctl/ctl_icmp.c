/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP from the gateway: echo replies for our addresses, and the errors the
 * workers asked for (fragmentation needed / packet too big, RFC 792,
 * RFC 1191, RFC 4443 §3.2, RFC 4301 §8.2; time exceeded), rate-limited
 * (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)) and never about ICMP errors.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>

#include "ctl/ctl_int.h"

#define ICMP_ERR_PER_SEC 200

void ctl_send_ip(struct dp *dp, struct rte_mbuf *m, uint8_t af)
{
	const struct nexthop *nh;
	struct ip_addr hop;
	uint8_t mac[6];
	int s;

	ctl_l3_dst(rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN), &hop);
	nh = route_lookup(dp->rt, &hop);
	if (nh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	s = nh->has_via ? nh->neigh : neigh_lookup(dp->nt, &hop);
	if (s >= 0 && neigh_mac(neigh_at(dp->nt, (unsigned)s), mac)) {
		ctl_l2(dp, m, nh->port, mac,
		       af == AF_INET ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
		ctl_send_frame(dp, nh->port, m);
		return;
	}
	ctl_resolve_hold(dp, m, nh->port);
}

static uint16_t cksum(const void *p, uint32_t len)
{
	return (uint16_t)~rte_raw_cksum(p, len);
}

static void echo4(struct dp *dp, struct rte_mbuf *m, const struct pkt_info *pi)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pkt_l3(m, pi);
	uint8_t *icmp = (uint8_t *)ip + pi->l3_len;
	uint32_t len = pi->l3_tot - pi->l3_len, tmp;

	if (len < 8 || cksum(icmp, len) != 0)
		goto drop;
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp[0] = 0; /* echo reply */
	icmp[2] = icmp[3] = 0;
	tmp = cksum(icmp, len);
	memcpy(icmp + 2, &tmp, 2);
	g_ctl_stats.echo_replies++;
	ctl_send_ip(dp, m, AF_INET);
	return;
drop:
	rte_pktmbuf_free(m);
}

static void echo6(struct dp *dp, struct rte_mbuf *m, const struct pkt_info *pi)
{
	uint8_t *ip = pkt_l3(m, pi), *icmp = ip + pi->l3_len, tmp[16];
	uint32_t len = pi->l3_tot - pi->l3_len;
	uint16_t c;

	if (len < 8 || pi->l3_len != 40 || ctl_cksum6(ip, icmp, len, IPPROTO_ICMPV6) != 0)
		goto drop;
	memcpy(tmp, ip + 8, 16);
	memcpy(ip + 8, ip + 24, 16);
	memcpy(ip + 24, tmp, 16);
	ip[7] = 64;
	icmp[0] = 129; /* echo reply */
	icmp[2] = icmp[3] = 0;
	c = ctl_cksum6(ip, icmp, len, IPPROTO_ICMPV6);
	memcpy(icmp + 2, &c, 2);
	g_ctl_stats.echo_replies++;
	ctl_send_ip(dp, m, AF_INET6);
	return;
drop:
	rte_pktmbuf_free(m);
}

void ctl_echo_input(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		    const struct pkt_info *pi)
{
	(void)port;
	if (pi->af == AF_INET)
		echo4(dp, m, pi);
	else
		echo6(dp, m, pi);
}

/* Token bucket shared by all ICMP errors. */
static bool rate_ok(void)
{
	static uint64_t last_ms;
	static unsigned tokens = ICMP_ERR_PER_SEC;
	uint64_t now = ctl_now_ms();

	if (now - last_ms >= 1000) {
		tokens = ICMP_ERR_PER_SEC;
		last_ms = now;
	}
	if (tokens == 0) {
		g_ctl_stats.icmp_rate_limited++;
		return false;
	}
	tokens--;
	return true;
}

/* RFC 1812 §4.3.2.7: no error about an error, a non-first fragment, or a
 * packet from a multicast, broadcast or unspecified source. */
static bool may_answer(const uint8_t *l3, const struct pkt_info *pi)
{
	const uint8_t *l4 = l3 + pi->l3_len;
	uint32_t l4len = pi->l3_tot - pi->l3_len;

	if (!pi->first_frag)
		return false;
	if (pi->af == AF_INET) {
		uint8_t s0 = l3[12];

		if (s0 == 0 || (s0 & 0xf0) == 0xe0 || s0 == 0xff)
			return false;
		return !(pi->proto == IPPROTO_ICMP && l4len >= 1 &&
			 l4[0] != 0 && l4[0] != 8 && l4[0] != 13 && l4[0] != 15);
	}
	if (l3[8] == 0xff)
		return false;
	return !(pi->proto == IPPROTO_ICMPV6 && l4len >= 1 && l4[0] < 128);
}

static struct rte_mbuf *error4(struct dp *dp, const uint8_t *orig, uint32_t olen,
			       uint16_t port, int reason, uint32_t mtu)
{
	uint32_t q = RTE_MIN(olen, 576u - 28);
	struct rte_mbuf *m = ctl_alloc(dp, (uint16_t)(28 + q));
	struct rte_ipv4_hdr *ip;
	uint8_t *icmp;
	uint16_t c;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_HLEN);
	icmp = (uint8_t *)(ip + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + q));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = dp->port[port].n_v4 ? dp->port[port].v4[0] : 0;
	memcpy(&ip->dst_addr, orig + 12, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (reason == PUNT_TOO_BIG) {
		icmp[0] = 3;	/* destination unreachable */
		icmp[1] = 4;	/* fragmentation needed and DF set */
		icmp[6] = (uint8_t)(mtu >> 8);
		icmp[7] = (uint8_t)mtu;
	} else {
		icmp[0] = 11;	/* time exceeded in transit */
	}
	memcpy(icmp + 8, orig, q);
	c = cksum(icmp, 8 + q);
	memcpy(icmp + 2, &c, 2);
	return m;
}

static struct rte_mbuf *error6(struct dp *dp, const uint8_t *orig, uint32_t olen,
			       uint16_t port, int reason, uint32_t mtu)
{
	uint32_t q = RTE_MIN(olen, 1280u - 48);
	struct rte_mbuf *m = ctl_alloc(dp, (uint16_t)(48 + q));
	uint8_t *ip, *icmp;
	uint32_t be = rte_cpu_to_be_32(mtu);
	uint16_t c;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN);
	icmp = ip + 40;
	ip[0] = 0x60;
	ip[4] = (uint8_t)((8 + q) >> 8);
	ip[5] = (uint8_t)(8 + q);
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 64;
	memcpy(ip + 8, dp->port[port].v6[0], 16);
	memcpy(ip + 24, orig + 8, 16);
	if (reason == PUNT_TOO_BIG) {
		icmp[0] = 2;	/* packet too big */
		memcpy(icmp + 4, &be, 4);
	} else {
		icmp[0] = 3;	/* time exceeded, hop limit */
	}
	memcpy(icmp + 8, orig, q);
	c = ctl_cksum6(ip, icmp, 8 + q, IPPROTO_ICMPV6);
	memcpy(icmp + 2, &c, 2);
	return m;
}

void ctl_icmp_error(struct dp *dp, struct rte_mbuf *m, uint16_t port,
		    int reason, uint32_t mtu)
{
	struct pkt_info pi;
	struct rte_mbuf *e = NULL;
	const uint8_t *l3;

	if (pkt_parse(m, &pi) != 0 || pi.kind != PKT_IP)
		goto out;
	l3 = pkt_l3(m, &pi);
	if (!may_answer(l3, &pi) || !rate_ok())
		goto out;
	if (pi.af == AF_INET)
		e = error4(dp, l3, pi.l3_tot, port, reason, mtu);
	else if (dp->port[port].n_v6)
		e = error6(dp, l3, pi.l3_tot, port, reason, RTE_MAX(mtu, 1280u));
	if (e) {
		g_ctl_stats.icmp_errors++;
		ctl_send_ip(dp, e, pi.af);
	}
out:
	rte_pktmbuf_free(m);
}
