/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_NET_PKT_H
#define ESPRIT_NET_PKT_H
/*
 * Packet parsing, done once per packet on receive.
 *
 * Contract: pkt_parse() checks every length before it reads a field (the
 * mbuf's data length bounds everything; the IP header's total length must
 * fit in it and Ethernet padding beyond it is trimmed), verifies the IPv4
 * header checksum, walks IPv6 extension headers, and fills a pkt_info that
 * later stages use instead of re-parsing. It returns 0 or a drop reason.
 * Only single-segment mbufs are parsed (the mbuf pool is sized for whole
 * frames); others are linearised first or dropped.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp/counters.h"

#define ETH_HLEN 14

enum pkt_kind {
	PKT_IP = 0,	/* IPv4 or IPv6, see af */
	PKT_ARP,
	PKT_OTHER,
};

struct pkt_info {
	uint8_t kind;
	uint8_t af;	   /* AF_INET / AF_INET6 */
	uint8_t proto;	   /* upper-layer protocol after extension headers */
	uint8_t tos;	   /* IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;	   /* TTL / hop limit */
	uint8_t df;	   /* IPv4 DF bit set */
	uint8_t frag;	   /* a fragment (IPv4 MF/offset, IPv6 fragment header) */
	uint8_t first_frag; /* offset 0: L4 header present */
	uint16_t l2_len;
	uint16_t l3_len;   /* IP header incl. options / extension headers */
	uint16_t l3_tot;   /* IP total length */
	uint16_t nh_off;   /* offset in the L3 header of the byte naming proto */
	uint16_t sport, dport; /* host order; 0 when absent */
};

int pkt_parse(struct rte_mbuf *m, struct pkt_info *pi);

static inline uint8_t *pkt_l3(struct rte_mbuf *m, const struct pkt_info *pi)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l2_len);
}

/* RFC 1624 incremental checksum update for a 16-bit field change. */
static inline uint16_t csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint16_t)~csum + (uint16_t)~old + new_;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
