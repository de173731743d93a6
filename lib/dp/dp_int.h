/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_INT_H
#define ESPRIT_DP_INT_H
/*
 * Internals shared by the worker's stages (dp_outb.c, dp_inb.c, dp_fwd.c,
 * dp_local.c). Every stage takes ownership of the mbufs it is given: it
 * forwards them (tx buffer), punts them, or drops them under one counter.
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp/dp.h"
#include "net/pkt.h"

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
 * exceeded. Returns false when the packet was consumed. */
bool wk_ttl_dec(struct worker *w, struct rte_mbuf *m, const struct pkt_info *pi);

#endif
