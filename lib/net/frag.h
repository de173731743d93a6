/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_NET_FRAG_H
#define ESPRIT_NET_FRAG_H
/*
 * Outer fragmentation (RFC 791 §2.3 for IPv4, RFC 8200 §4.5 for IPv6 where
 * we are the source of the outer packet, RFC 4301 §8.1).
 *
 * Contract: m = [14 bytes Ethernet room][IP packet]. Fragments are new
 * single-segment mbufs from `pool`, each laid out the same way; m itself is
 * left untouched (the caller frees it). Returns the number of fragments or
 * a negative errno; on failure nothing is left allocated.
 */
#include <stdint.h>

#include <rte_mbuf.h>

#define FRAG_MAX 8

int frag_packet(struct rte_mbuf *m, uint8_t af, uint16_t mtu,
		struct rte_mempool *pool, struct rte_mbuf **out, unsigned max,
		uint32_t id);

#endif
