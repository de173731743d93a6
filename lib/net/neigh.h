/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_NET_NEIGH_H
#define ESPRIT_NET_NEIGH_H
/*
 * Neighbour table: IP next hop -> MAC, filled by static configuration, ARP
 * (RFC 826) and IPv6 neighbour discovery (RFC 4861).
 *
 * Contract: the control lcore is the only writer; workers read without
 * locks. The hash (rte_hash in lock-free reader mode) maps an address to a
 * slot; slots are never freed while the gateway runs, and a slot's MAC and
 * state are published together in one 64-bit word, so a reader sees either
 * the old or the new MAC, never a mix.
 */
#include <stdbool.h>
#include <stdint.h>

#include "util/addr.h"

struct rte_mbuf;

#define NEIGH_VALID (1ull << 63)
#define NEIGH_STATIC (1ull << 62)

struct neigh {
	uint64_t mac_state; /* MAC in the low 48 bits (wire order) | flags */
	struct ip_addr ip;
	uint16_t port;	    /* port index (dp) */
	/* control-plane only */
	uint64_t last_update_ms;
	uint64_t last_probe_ms;
	uint16_t probes;
	uint16_t n_held;    /* packets waiting for resolution */
	struct rte_mbuf *held[8];
};

struct neigh_table;

struct neigh_table *neigh_table_create(unsigned cap, int socket);
void neigh_table_free(struct neigh_table *t);
/* Reader side (workers): slot index or -1. */
int neigh_lookup(const struct neigh_table *t, const struct ip_addr *ip);
struct neigh *neigh_at(const struct neigh_table *t, unsigned idx);
/* Writer side (control): find or create the slot; -ENOSPC when full. */
int neigh_get(struct neigh_table *t, const struct ip_addr *ip, uint16_t port);
void neigh_set_mac(struct neigh *n, const uint8_t mac[6], bool is_static);
unsigned neigh_count(const struct neigh_table *t);

static inline bool neigh_mac(const struct neigh *n, uint8_t mac[6])
{
	uint64_t v = __atomic_load_n(&n->mac_state, __ATOMIC_ACQUIRE);

	if (!(v & NEIGH_VALID))
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (8 * i));
	return true;
}

#endif
