/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "esp/esp.h"

/* RFC 4303 §2.4: payload, padding, pad length and next header end on the
 * cipher's block boundary (and on 4 bytes in any case). */
static inline uint32_t padded_len(const struct sa *sa, uint32_t len)
{
	return RTE_ALIGN_CEIL(len + 2, sa->xf.block);
}

/* What is padded: the whole packet in tunnel mode, the upper layer in
 * transport mode (its IP header stays in front). */
static inline uint32_t padded_part(const struct sa *sa, const struct pkt_info *pi)
{
	return sa->mode == SA_MODE_TRANSPORT ? pi->l3_tot - pi->l3_len : pi->l3_tot;
}

uint32_t esp_outb_overhead(const struct sa *sa, const struct pkt_info *pi)
{
	uint32_t part = padded_part(sa, pi);

	return sa->hdr_len + padded_len(sa, part) - part + sa->xf.icv_len;
}

uint32_t esp_outb_max_len(const struct sa *sa, const struct pkt_info *pi,
			  uint32_t mtu)
{
	uint32_t keep = sa->mode == SA_MODE_TUNNEL ? 0 : pi->l3_tot - padded_part(sa, pi);
	uint32_t fixed = keep + sa->hdr_len + sa->xf.icv_len;

	if (mtu < fixed + sa->xf.block)
		return 0;
	return keep + RTE_ALIGN_FLOOR(mtu - fixed, sa->xf.block) - 2;
}

/* Padding 1, 2, 3, ... (RFC 4303 §2.4): at most 15 bytes for any block. */
static const uint8_t pad_bytes[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				       13, 14, 15, 16 };

/* Trailer at t for a payload of len bytes: padding, pad length, next header;
 * room is the number of bytes available at t (trailer and ICV). */
static inline uint32_t write_trailer(const struct sa *sa, uint8_t *t,
				     uint32_t len, uint32_t room, uint8_t nh)
{
	uint32_t padded = padded_len(sa, len), padlen = padded - len - 2;

	if (likely(room >= sizeof(pad_bytes)))
		memcpy(t, pad_bytes, sizeof(pad_bytes)); /* one store, tail rewritten */
	else
		for (uint32_t i = 0; i < padlen; i++)
			t[i] = (uint8_t)(i + 1);
	t[padlen] = (uint8_t)padlen;
	t[padlen + 1] = nh;
	return padded;
}

/* The trailer appended to m, after len bytes of payload. Returns 0 or a
 * drop reason. */
static int add_trailer(const struct sa *sa, struct rte_mbuf *m, uint32_t len,
		       uint8_t next_header, uint32_t *pay_len)
{
	uint16_t add = (uint16_t)(padded_len(sa, len) - len + sa->xf.icv_len);
	uint8_t *t = (uint8_t *)rte_pktmbuf_append(m, add);

	if (unlikely(t == NULL))
		return DROP_no_headroom;
	*pay_len = write_trailer(sa, t, len, add + rte_pktmbuf_tailroom(m),
				 next_header);
	return 0;
}

/* SPI, sequence number and IV: the given one, or made here. */
static inline void write_esp(const struct sa *sa, uint8_t *esp, uint64_t seq,
			     const uint8_t *iv)
{
	uint32_t s = rte_cpu_to_be_32((uint32_t)seq);

	memcpy(esp, &sa->spi_be, 4);
	memcpy(esp + 4, &s, 4);
	if (iv != NULL)
		xform_copy_small(esp + 8, iv, sa->xf.iv_len);
	else
		xform_make_iv(&sa->xf, seq, esp + 8);
}

/* DSCP per the SA (copy or fixed), ECN copied (RFC 6040 §4.1, normal mode). */
static inline uint8_t outer_tos(const struct sa *sa, uint8_t inner_tos)
{
	uint8_t dscp = sa->dscp < 0 ? inner_tos >> 2 : (uint8_t)sa->dscp;

	return (uint8_t)(dscp << 2 | (inner_tos & 3));
}

static void outer4(const struct sa *sa, uint8_t *l3, uint32_t len,
		   const struct pkt_info *pi, uint16_t ip_id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	bool df = sa->df == 1 || (sa->df == 0 && pi->af == AF_INET && pi->df);
	uint8_t tos = outer_tos(sa, pi->tos);
	uint16_t frag = df ? RTE_IPV4_HDR_DF_FLAG : 0;
	uint32_t sum;

	ip->type_of_service = tos;
	ip->total_length = net16((uint16_t)len);
	ip->packet_id = net16(ip_id);
	ip->fragment_offset = net16(frag);
	/* The template's words were summed once (sa.c); add the per-packet
	 * ones instead of reading back the header just written, which would
	 * stall on store forwarding. */
	sum = sa->tmpl_sum + tos + len + ip_id + frag;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = net16((uint16_t)~sum);
}

static void outer6(const struct sa *sa, uint8_t *l3, uint32_t len,
		   const struct pkt_info *pi)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;

	ip->vtc_flow = rte_cpu_to_be_32(6u << 28 |
					(uint32_t)outer_tos(sa, pi->tos) << 20);
	ip->payload_len = net16((uint16_t)(len - sizeof(*ip)));
}

/*
 * Tunnel mode: [L2][inner IP] becomes [14 bytes][outer IP (+UDP)][ESP][IV]
 * [inner IP][trailer][ICV room]. The room is checked first and the mbuf
 * fields are set once, so a failure leaves the packet untouched.
 */
static int encap_tunnel(const struct sa *sa, struct rte_mbuf *m,
			const struct pkt_info *pi, uint64_t seq, uint16_t ip_id,
			const uint8_t *iv, uint8_t **esp, uint32_t *pay_len)
{
	uint32_t len = pi->l3_tot, hl = sa->outer_l3_len + (sa->encap ? 8 : 0);
	uint32_t padded = padded_len(sa, len);
	uint32_t tail = padded - len + sa->xf.icv_len;
	uint32_t front = ETH_HLEN + sa->hdr_len; /* before the inner packet */
	uint32_t tot;
	uint8_t *l3;

	if (unlikely((uint32_t)m->data_off + pi->l2_len < front ||
		     rte_pktmbuf_tailroom(m) < tail))
		return DROP_no_headroom;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l2_len) - sa->hdr_len;
	*pay_len = write_trailer(sa, l3 + sa->hdr_len + len, len,
				 rte_pktmbuf_tailroom(m),
				 pi->af == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6);
	m->data_off = (uint16_t)(m->data_off + pi->l2_len - front);
	m->data_len = (uint16_t)(front + len + tail);
	m->pkt_len = m->data_len;
	m->l2_len = ETH_HLEN;
	m->l3_len = sa->outer_l3_len;
	/* constant sizes: a copy of variable length may become rep movsq,
	 * ~40 cycles to start on Intel cores */
	if (hl == sizeof(struct rte_ipv4_hdr))
		memcpy(l3, sa->tmpl, sizeof(struct rte_ipv4_hdr));
	else if (hl == sizeof(struct rte_ipv6_hdr))
		memcpy(l3, sa->tmpl, sizeof(struct rte_ipv6_hdr));
	else
		memcpy(l3, sa->tmpl, hl);
	*esp = l3 + hl;
	write_esp(sa, *esp, seq, iv);
	tot = sa->hdr_len + len + tail;
	if (sa->encap) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(l3 + sa->outer_l3_len);

		u->dgram_len = net16((uint16_t)(tot - sa->outer_l3_len));
	}
	if (sa->outer_af == AF_INET)
		outer4(sa, l3, tot, pi, ip_id);
	else
		outer6(sa, l3, tot, pi);
	return 0;
}

/*
 * Transport mode (RFC 4303 §3.1.1): the IP header, and for IPv6 the
 * extension headers before the upper layer, stay in front; ESP (and UDP)
 * go between them and the upper-layer header, which becomes the payload.
 */
static int encap_transport(const struct sa *sa, struct rte_mbuf *m,
			   const struct pkt_info *pi, uint64_t seq, const uint8_t *iv,
			   uint8_t **esp, uint32_t *pay_len)
{
	uint32_t ins = sa->hdr_len, hl = pi->l3_len;
	uint32_t l4len = pi->l3_tot - hl;
	uint8_t *old, *l3, nh;
	int rc;

	if (pi->frag)
		return DROP_sa_mismatch; /* transport mode cannot carry fragments */
	old = pkt_l3(m, pi);
	nh = old[pi->nh_off];
	rc = add_trailer(sa, m, l4len, nh, pay_len);
	if (rc != 0)
		return rc;
	if (rte_pktmbuf_headroom(m) + pi->l2_len < ETH_HLEN + ins) {
		rte_pktmbuf_trim(m, (uint16_t)(*pay_len - l4len + sa->xf.icv_len));
		return DROP_no_headroom;
	}
	rte_pktmbuf_adj(m, pi->l2_len);
	l3 = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)ins);
	memmove(l3, l3 + ins, hl);
	rte_pktmbuf_prepend(m, ETH_HLEN);
	l3[pi->nh_off] = sa->encap ? IPPROTO_UDP : IPPROTO_ESP;
	m->l2_len = ETH_HLEN;
	m->l3_len = hl;
	if (sa->encap) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(l3 + hl);

		memcpy(u, sa->tmpl, 8);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(m->data_len - ETH_HLEN - hl));
	}
	*esp = l3 + hl + (sa->encap ? 8 : 0);
	write_esp(sa, *esp, seq, iv);
	if (pi->af == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->total_length = rte_cpu_to_be_16((uint16_t)(m->data_len - ETH_HLEN));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;

		ip->payload_len = rte_cpu_to_be_16((uint16_t)(m->data_len - ETH_HLEN -
							       sizeof(*ip)));
	}
	return 0;
}

int esp_outb_encap_iv(const struct sa *sa, struct rte_mbuf *m,
		      const struct pkt_info *pi, uint64_t seq, uint16_t ip_id,
		      const uint8_t *iv, uint8_t **esp, uint32_t *pay_len)
{
	if (sa->mode == SA_MODE_TUNNEL)
		return encap_tunnel(sa, m, pi, seq, ip_id, iv, esp, pay_len);
	return encap_transport(sa, m, pi, seq, iv, esp, pay_len);
}

int esp_outb_encap(const struct sa *sa, struct rte_mbuf *m,
		   const struct pkt_info *pi, uint64_t seq, uint16_t ip_id,
		   uint8_t **esp, uint32_t *pay_len)
{
	return esp_outb_encap_iv(sa, m, pi, seq, ip_id, NULL, esp, pay_len);
}

/* RFC 3948 §2.1 lets IPv4 senders leave the UDP checksum zero; over IPv6 it
 * is mandatory (RFC 8200 §8.1), and it covers the ciphertext. The pseudo
 * header is built here because extension headers may sit before UDP. */
void esp_outb_udp6_csum(const struct sa *sa, struct rte_mbuf *m)
{
	const struct rte_ipv6_hdr *ip;
	struct rte_udp_hdr *u;
	struct {
		uint8_t addrs[32];
		uint32_t len;
		uint8_t zero[3], nh;
	} __attribute__((packed)) ph;
	uint32_t sum, ulen;
	uint16_t c;

	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN);
	u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, ETH_HLEN + m->l3_len);
	ulen = m->data_len - ETH_HLEN - m->l3_len;
	memcpy(ph.addrs, ip->src_addr, 32);
	ph.len = rte_cpu_to_be_32(ulen);
	memset(ph.zero, 0, 3);
	ph.nh = IPPROTO_UDP;
	u->dgram_cksum = 0;
	sum = (uint32_t)rte_raw_cksum(&ph, sizeof(ph)) + rte_raw_cksum(u, ulen);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	u->dgram_cksum = c == 0 ? 0xffff : c;
}
