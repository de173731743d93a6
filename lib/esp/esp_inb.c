/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "esp/esp.h"

int esp_inb_locate(const struct sa *sa, struct rte_mbuf *m,
		   const struct pkt_info *pi, uint32_t esp_off,
		   uint32_t *pay_len, uint64_t *seq)
{
	const struct xform *x = &sa->xf;
	uint32_t fixed = 8 + x->iv_len + x->icv_len, len, seq_lo;
	const uint8_t *esp;
	int rc;

	if (esp_off > m->data_len || m->data_len - esp_off < fixed + 4)
		return DROP_malformed;
	len = m->data_len - esp_off - fixed;
	/* RFC 4303 §2.4: the encrypted part ends on a block boundary (a
	 * power of two: a mask, not a division). */
	if (len & (x->block - 1u))
		return DROP_malformed;
	esp = rte_pktmbuf_mtod_offset(m, const uint8_t *, esp_off);
	memcpy(&seq_lo, esp + 4, 4);
	rc = replay_check(&sa->rw, rte_be_to_cpu_32(seq_lo), seq);
	if (rc != REPLAY_OK)
		return esp_inb_verdict(rc);
	*pay_len = len;
	(void)pi;
	return 0;
}

/* RFC 4303 §2.4: pad length within the payload and padding 1, 2, 3, ... */
static int check_trailer(const uint8_t *pt, uint32_t pay_len, uint32_t *inner,
			 uint8_t *nh)
{
	uint8_t padlen = pt[pay_len - 2];

	*nh = pt[pay_len - 1];
	if ((uint32_t)padlen + 2 > pay_len)
		return DROP_bad_padding;
	*inner = pay_len - 2 - padlen;
	for (uint32_t i = 0; i < padlen; i++)
		if (pt[*inner + i] != (uint8_t)(i + 1))
			return DROP_bad_padding;
	return 0;
}

/* Apply RFC 6040 decapsulation to the inner header's ECN field. */
static int inner_ecn(uint8_t *inner, uint8_t nh, uint8_t outer_tos)
{
	if (nh == IPPROTO_IPIP) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)inner;
		int e = ecn_decap(outer_tos, ip->type_of_service);
		uint16_t old, new_;

		if (e < 0)
			return DROP_ecn;
		/* Usually unchanged: then no store, which the parse that
		 * follows would have to wait for (store forwarding). */
		if (e == (ip->type_of_service & 3))
			return 0;
		old = rte_cpu_to_be_16((uint16_t)(ip->version_ihl << 8 |
						  ip->type_of_service));
		ip->type_of_service = (uint8_t)((ip->type_of_service & ~3) | e);
		new_ = rte_cpu_to_be_16((uint16_t)(ip->version_ihl << 8 |
						   ip->type_of_service));
		ip->hdr_checksum = csum_update16(ip->hdr_checksum, old, new_);
	} else {
		uint32_t vtc;
		uint8_t tc;
		int e;

		memcpy(&vtc, inner, 4);
		vtc = rte_be_to_cpu_32(vtc);
		tc = (uint8_t)(vtc >> 20);
		e = ecn_decap(outer_tos, tc);
		if (e < 0)
			return DROP_ecn;
		if (e == (tc & 3))
			return 0;
		vtc = (vtc & ~(3u << 20)) | (uint32_t)e << 20;
		vtc = rte_cpu_to_be_32(vtc);
		memcpy(inner, &vtc, 4);
	}
	return 0;
}

static int decap_tunnel(struct rte_mbuf *m, const struct pkt_info *pi,
			uint8_t *pt, uint32_t inner, uint8_t nh)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t front = (uint32_t)(pt - data);
	struct rte_ether_hdr *eth;
	int rc;

	if (nh != IPPROTO_IPIP && nh != IPPROTO_IPV6)
		return DROP_bad_next_header;
	if (inner < (nh == IPPROTO_IPIP ? 20u : 40u))
		return DROP_malformed;
	rc = inner_ecn(pt, nh, pi->tos);
	if (rc != 0)
		return rc;
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - front - inner));
	eth = (struct rte_ether_hdr *)rte_pktmbuf_adj(m, (uint16_t)(front - ETH_HLEN));
	eth->ether_type = rte_cpu_to_be_16(nh == IPPROTO_IPIP ? RTE_ETHER_TYPE_IPV4
							     : RTE_ETHER_TYPE_IPV6);
	return 0;
}

/* Transport mode: close the gap the ESP (and UDP) header left between the
 * IP header and the upper layer, and restore the protocol field. */
static int decap_transport(struct rte_mbuf *m, const struct pkt_info *pi,
			   uint8_t *pt, uint32_t inner, uint8_t nh)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *l3 = data + pi->l2_len;
	uint32_t hl = pi->l3_len, gap = (uint32_t)(pt - (l3 + hl));
	uint8_t *nl3;

	if (nh == IPPROTO_IPIP || nh == IPPROTO_IPV6)
		return DROP_bad_next_header;
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - (uint32_t)(pt - data) - inner));
	memmove(l3 + gap, l3, hl);
	memmove(data + gap, data, pi->l2_len);
	rte_pktmbuf_adj(m, (uint16_t)gap);
	nl3 = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l2_len);
	nl3[pi->nh_off] = nh;
	if (pi->af == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)nl3;

		ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + inner));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)nl3;

		ip->payload_len = rte_cpu_to_be_16((uint16_t)(hl + inner - sizeof(*ip)));
	}
	return 0;
}

int esp_inb_decap(struct sa *sa, struct rte_mbuf *m, const struct pkt_info *pi,
		  uint32_t esp_off, uint32_t pay_len, uint64_t seq)
{
	/* Commit only now that the ICV verified (RFC 4303 §3.4.3). */
	int rc = esp_inb_verdict(replay_commit(&sa->rw, seq));

	return rc ? rc : esp_inb_strip(sa, m, pi, esp_off, pay_len);
}

void esp_inb_commit(struct sa *sa, const uint64_t *seq, int *verdict, unsigned n)
{
	/* REPLAY_OK is 0 and drop reasons are positive: replay_commit_n()
	 * skips the packets already refused and writes its (negative)
	 * verdicts over the others, which esp_inb_verdict() maps. */
	RTE_BUILD_BUG_ON(REPLAY_OK != 0 || REPLAY_DUP >= 0 || REPLAY_OLD >= 0);
	if (n == 1) {	/* every run, with traffic over many SAs */
		if (verdict[0] == 0)
			verdict[0] = replay_commit(&sa->rw, seq[0]);
		return;
	}
	replay_commit_n(&sa->rw, seq, verdict, n);
}

int esp_inb_strip(struct sa *sa, struct rte_mbuf *m, const struct pkt_info *pi,
		  uint32_t esp_off, uint32_t pay_len)
{
	uint8_t *pt = rte_pktmbuf_mtod_offset(m, uint8_t *,
					      esp_off + 8 + sa->xf.iv_len);
	uint32_t inner;
	uint8_t nh;
	int rc;

	rc = check_trailer(pt, pay_len, &inner, &nh);
	if (rc != 0)
		return rc;
	if (nh == IPPROTO_NONE)
		return DROP_dummy;
	if (sa->mode == SA_MODE_TUNNEL)
		return decap_tunnel(m, pi, pt, inner, nh);
	return decap_transport(m, pi, pt, inner, nh);
}
