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
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
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
	/* Host order; 0 when absent. Written together as `ports` (one
	 * store): the SPD key reads both with one 4-byte load, which two
	 * 2-byte stores could not forward to (~15 cycles a packet). */
	union {
		struct { uint16_t sport, dport; };
		uint32_t ports;
	};
};

/* Host <-> network order of a 16-bit value, for the per-packet code:
 * rte_cpu_to_be_16() is inline asm (an exchange of byte registers, three
 * micro-ops) that the compiler can neither schedule nor fold; the builtin
 * is a rotate, or movbe merged into the store. */
static inline uint16_t net16(uint16_t x)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return __builtin_bswap16(x);
#else
	return x;
#endif
}

/* Every case, with the drop reason when the packet is not acceptable. */
int pkt_parse_slow(struct rte_mbuf *m, struct pkt_info *pi);

/*
 * Is a 20-byte IPv4 header's checksum right, its one's complement sum
 * 0xffff (RFC 1071)? The five 32-bit words are added exactly in 64 bits
 * (t < 2^35). The sum folded to 16 bits is congruent to t modulo 0xffff
 * (2^16 = 1 there) and is 0xffff exactly when t is a non-zero multiple of
 * 0xffff; divisibility by an odd constant is a multiplication by its
 * inverse modulo 2^64 and a compare (t * inv <= (2^64 - 1) / 0xffff),
 * where folding takes four dependent steps. Byte order does not matter.
 */
static inline bool ip4_hdr_ok20(const void *h)
{
	const uint8_t *p = h;
	uint64_t a, b, t;
	uint32_t c;

	/* three loads straight into registers (an array would go through
	 * the stack) */
	memcpy(&a, p, 8);
	memcpy(&b, p + 8, 8);
	memcpy(&c, p + 16, 4);
	t = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + c;
	return t != 0 && t * 0xfffefffefffeffffull <= 0x1000100010001ull;
}

/* Both ports with one store (see struct pkt_info). */
static inline void pkt_set_ports(struct pkt_info *pi, uint32_t sport,
				 uint32_t dport)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	pi->ports = sport | dport << 16;
#else
	pi->ports = sport << 16 | dport;
#endif
}

/* Ports (TCP, UDP, SCTP), or ICMP / ICMPv6 type and code, which take the
 * place of ports in selectors (RFC 4301 §4.4.1.1), of a packet's first
 * fragment; avail: bytes of the transport header present. */
static inline void pkt_ports(const uint8_t *l4, uint32_t avail,
			     struct pkt_info *pi)
{
	uint32_t sp = 0, dp = 0;

	switch (pi->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (likely(avail >= 4)) {
			sp = (uint32_t)(l4[0] << 8 | l4[1]);
			dp = (uint32_t)(l4[2] << 8 | l4[3]);
		}
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail >= 2) {
			sp = l4[0];
			dp = l4[1];
		}
		break;
	default:
		break;
	}
	pkt_set_ports(pi, sp, dp);
}

/*
 * The common case, inline: one segment, Ethernet + IPv4 without options, not
 * a fragment, checksum right. Fills *pi exactly as pkt_parse_slow() would and
 * returns true; false leaves everything else (including every error, so that
 * the drop reason comes from one place) to pkt_parse_slow().
 */
static inline bool pkt_parse_fast4(struct rte_mbuf *m, struct pkt_info *pi)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = d + ETH_HLEN;
	uint16_t et, tot, frag;

	if (unlikely(m->nb_segs != 1 || m->data_len < ETH_HLEN + 20))
		return false;
	memcpy(&et, d + 12, 2);
	if (unlikely(et != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ip[0] != 0x45))
		return false;
	tot = (uint16_t)(ip[2] << 8 | ip[3]);
	frag = (uint16_t)(ip[6] << 8 | ip[7]);
	if (unlikely(tot < 20 || tot > m->data_len - ETH_HLEN ||
		     (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
		     !ip4_hdr_ok20(ip)))
		return false;
	pi->kind = PKT_IP;
	pi->af = AF_INET;
	pi->proto = ip[9];
	pi->tos = ip[1];
	pi->ttl = ip[8];
	pi->df = !!(frag & RTE_IPV4_HDR_DF_FLAG);
	pi->frag = 0;
	pi->first_frag = 1;
	pi->l2_len = ETH_HLEN;
	pi->l3_len = 20;
	pi->l3_tot = tot;
	pi->nh_off = 9;
	pkt_ports(ip + 20, tot - 20u, pi);
	/* Ethernet padding is not part of the packet */
	if (unlikely(m->data_len > ETH_HLEN + tot)) {
		m->pkt_len = ETH_HLEN + tot;
		m->data_len = (uint16_t)(ETH_HLEN + tot);
	}
	return true;
}

/* Parse m (see the contract above); 0 or a drop reason. */
static inline int pkt_parse(struct rte_mbuf *m, struct pkt_info *pi)
{
	if (likely(pkt_parse_fast4(m, pi)))
		return 0;
	return pkt_parse_slow(m, pi);
}

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
