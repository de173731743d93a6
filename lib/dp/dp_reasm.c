/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly of fragments addressed to the gateway itself: ESP or IKE
 * datagrams that a path with a smaller MTU split (IKE_AUTH with
 * certificates easily exceeds 1500 bytes when the peer does not use RFC
 * 7383). One table per worker (rte_ip_frag); fragments of one datagram
 * reach the same queue because RSS hashes fragments on addresses only.
 */
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "dp/dp_int.h"

#define REASM_TIMEOUT_S 5 /* RFC 791 suggests up to 15 s; memory is shared */

int wk_reasm_init(struct worker *w)
{
	uint64_t cycles = rte_get_tsc_hz() * REASM_TIMEOUT_S;

	w->frag_tbl = rte_ip_frag_table_create(256, 16, 4096, cycles, w->socket);
	return w->frag_tbl ? 0 : -1;
}

void wk_reasm_free(struct worker *w)
{
	if (w->frag_tbl) {
		rte_ip_frag_free_death_row(&w->death_row, 0);
		rte_ip_frag_table_destroy(w->frag_tbl);
	}
	w->frag_tbl = NULL;
}

bool wk_reassemble(struct worker *w, struct rte_mbuf **mp, struct pkt_info *pi)
{
	struct rte_mbuf *m = *mp, *r;
	uint8_t *l3 = pkt_l3(m, pi);
	uint64_t now = rte_rdtsc();

	m->l2_len = pi->l2_len;
	if (pi->af == AF_INET) {
		m->l3_len = pi->l3_len;
		r = rte_ipv4_frag_reassemble_packet(w->frag_tbl, &w->death_row, m, now,
						    (struct rte_ipv4_hdr *)l3);
	} else if (l3[6] == IPPROTO_FRAGMENT) {
		m->l3_len = sizeof(struct rte_ipv6_hdr) + RTE_IPV6_FRAG_HDR_SIZE;
		r = rte_ipv6_frag_reassemble_packet(w->frag_tbl, &w->death_row, m, now,
			(struct rte_ipv6_hdr *)l3,
			(struct rte_ipv6_fragment_ext *)(l3 + sizeof(struct rte_ipv6_hdr)));
	} else {
		/* rte_ip_frag wants the fragment header first */
		wk_drop(w, m, DROP_reassembly);
		return false;
	}
	w->ctr.frags_in++;
	if (r == NULL)
		return false; /* held until its siblings arrive (or timed out) */
	w->ctr.reassembled++;
	if (r->nb_segs > 1 && rte_pktmbuf_linearize(r) != 0) {
		wk_drop(w, r, DROP_malformed);
		return false;
	}
	if (pi->af == AF_INET) { /* rte_ip_frag rewrote the header, not its sum */
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *,
								  pi->l2_len);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (pkt_parse(r, pi) != 0) {
		wk_drop(w, r, DROP_malformed);
		return false;
	}
	*mp = r;
	return true;
}
