/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_INT_H
#define ESPRIT_DP_INT_H
/*
 * Internals shared by the worker's stages (dp_outb.c, dp_inb.c, dp_fwd.c,
 * dp_local.c). Every stage takes ownership of the mbufs it is given: it
 * forwards them (tx buffer), punts them, or drops them under one counter.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "net/pkt.h"

/* The managers for a burst of encrypt-then-MAC jobs of class xf whose
 * longest payload is `longest` bytes: the SSE one where it measured the
 * faster for that length (worker.mb_narrow, xform_tune.h); for HMAC-SHA-1
 * and -256 then NULL, esprit's 16-lane code (hmac_x16.h), where that
 * measured the faster; else mb_etm. The ICV covers ESP header, IV,
 * payload and the ESN high half. */
static inline IMB_MGR *wk_etm_hash_mgr(struct worker *w, const struct xform *xf,
				       uint32_t longest)
{
	uint32_t max = xf->hash == IMB_AUTH_HMAC_SHA_1	 ? g_dp->sha1_narrow_max
		       : xf->hash == IMB_AUTH_HMAC_SHA_256 ? g_dp->sha256_narrow_max
							   : 0;
	uint32_t x16 = xf->hash == IMB_AUTH_HMAC_SHA_1	 ? g_dp->sha1_x16_max
		       : xf->hash == IMB_AUTH_HMAC_SHA_256 ? g_dp->sha256_x16_max
							   : 0;
	uint32_t msg = 8 + xf->iv_len + longest + (xf->esn ? 4u : 0u);

	if (msg <= max)
		return w->mb_narrow;
	return msg <= x16 ? NULL : w->mb_etm;
}

static inline IMB_MGR *wk_etm_cipher_mgr(struct worker *w, const struct xform *xf,
					 uint32_t longest)
{
	return xf->cipher == IMB_CIPHER_CBC && longest <= g_dp->cbc_narrow_max
		       ? w->mb_narrow : w->mb_etm;
}

/*
 * Adaptive rx bursts (options.burst unset). After a burst of n_rx packets
 * with n_esp > 0 ESP items: the next rx asks for DP_BURST_MAX packets when
 * the burst was not short and its first, middle and last ESP packets
 * belong to one SA (a burst of few SAs' long runs), else for
 * DP_BURST_BASE. Three loads, not a count of the runs: with traffic
 * spread over thousands of SAs, where every packet's cycles count, the
 * answer is the first compare.
 * - Long runs, few SAs: a call of ipsec-mb's hash burst costs ~900 cycles
 *   besides its jobs (its last lanes' outer hashes), which twice the jobs
 *   halve: HMAC-SHA1 of 88 bytes, 115 cycles a job in calls of 64, 108 in
 *   calls of 128. CBC + HMAC at 64 bytes gains ~5 %.
 * - Many SAs: each run brings its SA's lines and keys (~8 lines); 128 of
 *   them a burst are more than L1 keeps until used, and at 10,000 SAs a
 *   64-byte packet took 260 cycles instead of 231.
 * Bursts without ESP leave it as it was.
 */
static inline void wk_burst_adapt(struct worker *w, unsigned n_rx,
				  const struct esp_item *it, unsigned n_esp)
{
	const struct sa *sa = it[0].sa;

	if (!g_dp->burst_auto)
		return;
	w->rx_burst = it[n_esp - 1].sa == sa && it[n_esp / 2].sa == sa &&
			      n_rx >= DP_BURST_BASE
		      ? DP_BURST_MAX : DP_BURST_BASE;
}

/* Where this worker counts its runs of sa, whose id is id (sa.h). */
static inline struct sa_count *wk_run_count(struct worker *w, struct sa *sa,
					    uint32_t id)
{
	return sa_counts_solo(sa) ? &sa->solo : &w->run_cnt[id];
}

static inline void wk_drop(struct worker *w, struct rte_mbuf *m,
			   enum drop_reason r)
{
	w->ctr.drops[r]++;
	rte_pktmbuf_free(m);
}

static inline void wk_sa_drop(struct worker *w, struct sa *sa,
			      struct rte_mbuf *m, enum drop_reason r)
{
	sa->ctr[w->id].drops[r]++;
	wk_drop(w, m, r);
}

void wk_tx_flush(struct worker *w, uint16_t port);

static inline void wk_tx(struct worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct txbuf *b = &w->tx[port];

	b->m[b->n++] = m;
	if (unlikely(b->n == DP_TXBUF))
		wk_tx_flush(w, port);
}

void wk_punt(struct worker *w, struct rte_mbuf *m, enum punt_reason r,
	     uint32_t arg);
void wk_sa_event(struct worker *w, struct sa *sa, enum sa_event ev);

/* m = [14 bytes for Ethernet][IP packet of family af]: route, resolve,
 * check the MTU (fragmenting when allowed), write L2, queue for TX.
 * own_outer: an ESP packet we originated (may be fragmented even over IPv6,
 * RFC 8200 §5 allows the source to). */
void wk_fwd(struct worker *w, struct rte_mbuf *m, uint8_t af, bool own_outer);

/* The worker's next-hop cache slot of an IPv4 destination (wire order). */
static inline struct nh_cache_ent *wk_nhc4(struct worker *w, uint32_t d)
{
	return &w->nhc[(d ^ (d >> 12) ^ (d >> 24)) & (NHC_SIZE - 1)];
}

/* The next hop's MAC as neigh.h publishes it in its slot, 0 when
 * unresolved (or no slot). */
static inline uint64_t wk_neigh_word(const uint64_t *mac_state)
{
	uint64_t v;

	if (mac_state == NULL)
		return 0;
	v = __atomic_load_n(mac_state, __ATOMIC_ACQUIRE);
	return v & NEIGH_VALID ? v : 0;
}

/* The Ethernet header from port p to the next hop (mac_state word of
 * neigh.h: the MAC in its low 48 bits, wire order), as two overlapping
 * 8-byte words: a = bytes 0-7, b = bytes 6-13 (wk_l2_put). Two loads and an
 * OR per run of packets instead of three field copies. */
static inline void wk_l2_words(const struct dp_port *p, uint64_t mac_state,
			       uint8_t af, uint64_t *a, uint64_t *b)
{
	RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
	*a = (mac_state & 0xffffffffffffull) | p->l2_src_hi;
	*b = p->l2_tail[af == AF_INET ? 0 : 1];
}

static inline void wk_l2_put(void *d, uint64_t a, uint64_t b)
{
	memcpy((uint8_t *)d + 6, &b, 8);
	memcpy(d, &a, 8);
}

/* m's Ethernet header from port p to the next hop, and m's port. */
static inline void wk_l2_write(struct rte_mbuf *m, const struct dp_port *p,
			       uint64_t mac_state, uint8_t af)
{
	uint64_t a, b;

	wk_l2_words(p, mac_state, af, &a, &b);
	wk_l2_put(rte_pktmbuf_mtod(m, void *), a, b);
	m->port = p->port_id;
}

/*
 * wk_fwd() of an IPv4 packet in its common case, inline: next hop in the
 * worker's cache and resolved, packet within the link's MTU. Anything else
 * (a miss, unresolved, too big) is wk_fwd()'s, which decides exactly as it
 * would have. Saves the call and wk_fwd()'s generality, ~35 instructions a
 * packet, where every packet is forwarded (decapsulated traffic).
 */
static inline void wk_fwd4(struct worker *w, struct rte_mbuf *m, bool own_outer)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN);
	const struct nh_cache_ent *e;
	const struct dp_port *p;
	uint64_t mac;
	uint32_t d;

	memcpy(&d, l3 + 16, 4);
	e = wk_nhc4(w, d);
	if (likely(e->valid && e->dst == d)) {
		mac = wk_neigh_word(e->mac_state);
		p = &g_dp->port[e->port];
		if (likely(mac != 0 && m->data_len - ETH_HLEN <= p->mtu)) {
			wk_l2_write(m, p, mac, AF_INET);
			wk_tx(w, e->port, m);
			return;
		}
	}
	wk_fwd(w, m, AF_INET, own_outer);
}

/* Stages, each for a burst from one port. */
void wk_lan_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts,
		  uint16_t n);
void wk_wan_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts,
		  uint16_t n);

/* Is this parsed IP packet addressed to us (one of the port's addresses,
 * or a multicast group we listen to for ND)? Then it is consumed: punted,
 * dropped, or — for ESP — returned as 1 for the caller's ESP path. */
enum local_verdict { LOCAL_NOT_OURS = 0, LOCAL_CONSUMED, LOCAL_ESP };
/* *mp may be replaced (a reassembled datagram) and *pi re-parsed. */
int wk_local(struct worker *w, uint16_t port, struct rte_mbuf **mp,
	     struct pkt_info *pi, uint32_t *esp_off);

/*
 * The two common answers of wk_local() without the call, for IPv4 (the
 * same tests as dp_local.c, which decides everything else):
 *  - wk_local4_transit(): not one of the port's addresses, not broadcast,
 *    not multicast: LOCAL_NOT_OURS;
 *  - wk_local4_esp(): a whole ESP packet (SPI and sequence number at least)
 *    to one of the port's addresses: LOCAL_ESP at l2_len + l3_len.
 */
static inline bool wk_port_has_v4(const struct dp_port *p, uint32_t a)
{
	for (unsigned i = 0; i < p->n_v4; i++)
		if (p->v4[i] == a)
			return true;
	return false;
}

static inline bool wk_local4_transit(const struct dp_port *p,
				     const struct pkt_info *pi, const uint8_t *l3)
{
	uint32_t dst;

	memcpy(&dst, l3 + 16, 4);
	return pi->af == AF_INET && !wk_port_has_v4(p, dst) &&
	       dst != 0xffffffff && (l3[16] & 0xf0) != 0xe0;
}

static inline bool wk_local4_esp(const struct dp_port *p,
				 const struct pkt_info *pi, const uint8_t *l3)
{
	uint32_t dst;

	memcpy(&dst, l3 + 16, 4);
	return pi->af == AF_INET && pi->proto == IPPROTO_ESP && !pi->frag &&
	       pi->l3_tot - pi->l3_len >= 8 && wk_port_has_v4(p, dst);
}

/* dp_reasm.c: fragments for us. true = *mp is now the whole datagram and
 * *pi describes it; false = consumed (held for more fragments, or dropped). */
int wk_reasm_init(struct worker *w);
void wk_reasm_free(struct worker *w);
bool wk_reassemble(struct worker *w, struct rte_mbuf **mp, struct pkt_info *pi);

/* SPD keys from a parsed packet. */
void wk_key4(const struct rte_mbuf *m, const struct pkt_info *pi,
	     struct spd_key4 *k);
void wk_key6(const struct rte_mbuf *m, const struct pkt_info *pi,
	     struct spd_key6 *k);

/* Router behaviour: TTL / hop limit minus one, or punt for ICMP time
 * exceeded. Returns false when the packet was consumed. Inline: every
 * forwarded packet passes here. */
static inline bool wk_ttl_dec(struct worker *w, struct rte_mbuf *m,
			      const struct pkt_info *pi)
{
	uint8_t *l3 = pkt_l3(m, pi);

	if (unlikely(pi->ttl <= 1)) {
		w->ctr.drops[DROP_ttl_exceeded]++;
		wk_punt(w, m, PUNT_TTL, 0);
		return false;
	}
	if (pi->af == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		/* from the parsed copy: no reading back of the header */
		uint16_t old = net16((uint16_t)(pi->ttl << 8 | pi->proto));
		uint16_t new_ = net16((uint16_t)((pi->ttl - 1) << 8 | pi->proto));

		ip->time_to_live = (uint8_t)(pi->ttl - 1);
		ip->hdr_checksum = csum_update16(ip->hdr_checksum, old, new_);
	} else {
		((struct rte_ipv6_hdr *)l3)->hop_limits = (uint8_t)(pi->ttl - 1);
	}
	return true;
}

#endif
