/* SPDX-License-Identifier: BSD-3-Clause */
#include "net/frag.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "net/pkt.h"

static void free_all(struct rte_mbuf **out, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(out[i]);
}

/* One fragment: [Ethernet room][hdr (hl bytes)][extra][data]. */
static struct rte_mbuf *piece(struct rte_mempool *pool, const uint8_t *hdr,
			      uint32_t hl, const void *extra, uint32_t xl,
			      const uint8_t *data, uint32_t dl)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (f == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(f, (uint16_t)(ETH_HLEN + hl + xl + dl));
	if (p == NULL) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	memcpy(p + ETH_HLEN, hdr, hl);
	if (xl)
		memcpy(p + ETH_HLEN + hl, extra, xl);
	memcpy(p + ETH_HLEN + hl + xl, data, dl);
	return f;
}

static int frag4(struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool,
		 struct rte_mbuf **out, unsigned max)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
	uint32_t hl = (ip->version_ihl & 15) * 4u, tot = m->data_len - ETH_HLEN;
	uint32_t chunk = (mtu - hl) & ~7u, off = 0;
	uint16_t base = rte_be_to_cpu_16(ip->fragment_offset);
	unsigned n = 0;

	if (mtu < hl + 8)
		return -EINVAL;
	while (off < tot - hl) {
		uint32_t dl = RTE_MIN(chunk, tot - hl - off);
		bool last = off + dl == tot - hl;
		struct rte_ipv4_hdr *f;

		if (n == max)
			goto fail;
		out[n] = piece(pool, l3, hl, NULL, 0, l3 + hl + off, dl);
		if (out[n] == NULL)
			goto fail;
		f = rte_pktmbuf_mtod_offset(out[n], struct rte_ipv4_hdr *, ETH_HLEN);
		f->total_length = rte_cpu_to_be_16((uint16_t)(hl + dl));
		/* keep an incoming MF (we may fragment a fragment) on the last */
		f->fragment_offset = rte_cpu_to_be_16((uint16_t)(
			((base & RTE_IPV4_HDR_OFFSET_MASK) + off / 8) |
			(last ? (base & RTE_IPV4_HDR_MF_FLAG) : RTE_IPV4_HDR_MF_FLAG)));
		f->hdr_checksum = 0;
		f->hdr_checksum = rte_ipv4_cksum(f);
		n++;
		off += dl;
	}
	return (int)n;
fail:
	free_all(out, n);
	return -ENOMEM;
}

/* IPv6: only our own outer packets are fragmented; they have no extension
 * headers, so the unfragmentable part is the fixed header. */
static int frag6(struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool,
		 struct rte_mbuf **out, unsigned max, uint32_t id)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
	uint32_t tot = m->data_len - ETH_HLEN, hl = sizeof(*ip);
	uint32_t chunk = (mtu - hl - 8) & ~7u, off = 0;
	unsigned n = 0;
	uint8_t fh[8];
	uint32_t idb = rte_cpu_to_be_32(id);

	if (mtu < hl + 16)
		return -EINVAL;
	fh[0] = ip->proto;
	fh[1] = 0;
	memcpy(fh + 4, &idb, 4);
	while (off < tot - hl) {
		uint32_t dl = RTE_MIN(chunk, tot - hl - off);
		bool last = off + dl == tot - hl;
		struct rte_ipv6_hdr *f;
		uint16_t fo = (uint16_t)(off | (last ? 0 : 1));

		if (n == max)
			goto fail;
		fh[2] = (uint8_t)(fo >> 8);
		fh[3] = (uint8_t)fo;
		out[n] = piece(pool, l3, hl, fh, 8, l3 + hl + off, dl);
		if (out[n] == NULL)
			goto fail;
		f = rte_pktmbuf_mtod_offset(out[n], struct rte_ipv6_hdr *, ETH_HLEN);
		f->proto = IPPROTO_FRAGMENT;
		f->payload_len = rte_cpu_to_be_16((uint16_t)(8 + dl));
		n++;
		off += dl;
	}
	return (int)n;
fail:
	free_all(out, n);
	return -ENOMEM;
}

int frag_packet(struct rte_mbuf *m, uint8_t af, uint16_t mtu,
		struct rte_mempool *pool, struct rte_mbuf **out, unsigned max,
		uint32_t id)
{
	if (m->nb_segs != 1)
		return -EINVAL;
	return af == AF_INET ? frag4(m, mtu, pool, out, max)
			     : frag6(m, mtu, pool, out, max, id);
}
