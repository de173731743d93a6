/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_H
#define ESPRIT_ESP_H
/*
 * ESP framing (RFC 4303) around the crypto jobs of xform.h: encapsulation
 * before encryption, decapsulation after verification, for tunnel and
 * transport mode, IPv4 and IPv6, with optional UDP encapsulation (RFC 3948).
 *
 * Contract (per packet; the worker batches the crypto between the steps):
 *  - esp_outb_encap(): m holds an Ethernet frame parsed as pi. On success
 *    the frame is rebuilt as [14 bytes of room for the Ethernet header]
 *    [outer IP][UDP][ESP][IV][payload][padding, pad length, next header]
 *    [ICV room], *esp and *pay_len locate what the crypto job covers, and
 *    0 is returned. On failure a drop reason is returned and m is unchanged
 *    or still the caller's to free. Never frees.
 *  - esp_outb_finish(): after encryption (UDP checksum over IPv6).
 *  - esp_inb_locate(): bounds checks and the replay check before crypto.
 *  - esp_inb_decap(): after the ICV has verified: replay commit, padding and
 *    next-header checks, header removal. The result is again
 *    [14 bytes room][inner IP packet] ready for pkt_parse().
 *  - Every length is checked before it is used; drop reasons are from
 *    dp/counters.h.
 */
#include <stdint.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "net/pkt.h"
#include "sa/sa.h"

int esp_outb_encap(const struct sa *sa, struct rte_mbuf *m,
		   const struct pkt_info *pi, uint64_t seq, uint16_t ip_id,
		   uint8_t **esp, uint32_t *pay_len);
/* The same with the explicit IV given (a worker's, ivgen.h); NULL: made
 * here as esp_outb_encap() does (xform_make_iv). */
int esp_outb_encap_iv(const struct sa *sa, struct rte_mbuf *m,
		      const struct pkt_info *pi, uint64_t seq, uint16_t ip_id,
		      const uint8_t *iv, uint8_t **esp, uint32_t *pay_len);
void esp_outb_udp6_csum(const struct sa *sa, struct rte_mbuf *m);
/* After encryption: the UDP checksum over IPv6 (RFC 8200 §8.1), nothing
 * to do otherwise. */
static inline void esp_outb_finish(const struct sa *sa, struct rte_mbuf *m)
{
	if (unlikely(sa->encap && sa->outer_af == AF_INET6))
		esp_outb_udp6_csum(sa, m);
}
/* Bytes the packet pi describes grows by when encapsulated. */
uint32_t esp_outb_overhead(const struct sa *sa, const struct pkt_info *pi);
/* The largest IP packet like pi (same header length in transport mode) that
 * still fits mtu once encapsulated: padding to the cipher block counted
 * (the MTU reported in ICMP too-big, RFC 4301 §8.2); 0 if none fits. In
 * tunnel mode it depends on the SA alone, and pi may be NULL. */
uint32_t esp_outb_max_len(const struct sa *sa, const struct pkt_info *pi,
			  uint32_t mtu);

/* Inbound. esp_off: offset of the ESP header from the start of m's data.
 * On success: *pay_len = encrypted payload length, *seq = full sequence. */
int esp_inb_locate(const struct sa *sa, struct rte_mbuf *m,
		   const struct pkt_info *pi, uint32_t esp_off,
		   uint32_t *pay_len, uint64_t *seq);
int esp_inb_decap(struct sa *sa, struct rte_mbuf *m, const struct pkt_info *pi,
		  uint32_t esp_off, uint32_t pay_len, uint64_t seq);
/* esp_inb_decap() in two steps, for a run of packets of one SA: the replay
 * commit of all of them at once (replay_commit_n: verdict[i] 0 = authentic;
 * a drop reason, > 0, is left alone), then esp_inb_strip() for each packet
 * whose esp_inb_verdict() is 0. */
void esp_inb_commit(struct sa *sa, const uint64_t *seq, int *verdict, unsigned n);
/* A verdict after esp_inb_commit(): 0 or a drop reason. */
static inline int esp_inb_verdict(int v)
{
	return v >= 0 ? v : v == REPLAY_DUP ? DROP_replay : DROP_replay_old;
}
int esp_inb_strip(struct sa *sa, struct rte_mbuf *m, const struct pkt_info *pi,
		  uint32_t esp_off, uint32_t pay_len);

/* RFC 6040 §4.2: the inner ECN after decapsulation, or -1 to drop. */
static inline int ecn_decap(uint8_t outer, uint8_t inner)
{
	outer &= 3;
	inner &= 3;
	if (outer == 3)			/* CE */
		return inner == 0 ? -1 : 3;
	if (outer == 1 && inner == 2)	/* ECT(1) over ECT(0) */
		return 1;
	return inner;
}

#endif
