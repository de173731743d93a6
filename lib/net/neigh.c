/* SPDX-License-Identifier: BSD-3-Clause */
#include "net/neigh.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

struct neigh_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t addr[16];
};

struct neigh_table {
	struct rte_hash *h;
	unsigned cap, n;
	struct neigh *slots;
};

static void key_of(struct neigh_key *k, const struct ip_addr *ip)
{
	memset(k, 0, sizeof(*k));
	k->family = ip->family;
	memcpy(k->addr, ip->b, ip_addr_len(ip));
}

struct neigh_table *neigh_table_create(unsigned cap, int socket)
{
	static unsigned gen;
	char name[32];
	struct rte_hash_parameters hp = {
		.name = name, .entries = cap, .key_len = sizeof(struct neigh_key),
		.hash_func = rte_jhash, .socket_id = socket,
		/* one writer (control), lock-free readers (workers) */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct neigh_table *t = rte_zmalloc_socket("neigh", sizeof(*t), 0, socket);

	if (t == NULL)
		return NULL;
	snprintf(name, sizeof(name), "neigh%u", gen++);
	t->h = rte_hash_create(&hp);
	t->slots = rte_zmalloc_socket("neigh_slots", cap * sizeof(*t->slots),
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->h == NULL || t->slots == NULL) {
		neigh_table_free(t);
		return NULL;
	}
	t->cap = cap;
	return t;
}

void neigh_table_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->slots);
	rte_free(t);
}

int neigh_lookup(const struct neigh_table *t, const struct ip_addr *ip)
{
	struct neigh_key k;
	void *data;

	key_of(&k, ip);
	if (rte_hash_lookup_data(t->h, &k, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

struct neigh *neigh_at(const struct neigh_table *t, unsigned idx)
{
	return &t->slots[idx];
}

int neigh_get(struct neigh_table *t, const struct ip_addr *ip, uint16_t port)
{
	struct neigh_key k;
	int idx = neigh_lookup(t, ip);

	if (idx >= 0)
		return idx;
	if (t->n == t->cap)
		return -ENOSPC;
	idx = (int)t->n;
	t->slots[idx].ip = *ip;
	t->slots[idx].port = port;
	key_of(&k, ip);
	/* The slot is complete before the key becomes visible. */
	if (rte_hash_add_key_data(t->h, &k, (void *)(uintptr_t)idx) < 0)
		return -ENOSPC;
	t->n++;
	return idx;
}

void neigh_set_mac(struct neigh *n, const uint8_t mac[6], bool is_static)
{
	uint64_t v = NEIGH_VALID | (is_static ? NEIGH_STATIC : 0);

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac[i] << (8 * i);
	__atomic_store_n(&n->mac_state, v, __ATOMIC_RELEASE);
}

unsigned neigh_count(const struct neigh_table *t)
{
	return t->n;
}
