/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_NET_ROUTE_H
#define ESPRIT_NET_ROUTE_H
/*
 * Routes: longest-prefix match (rte_lpm, rte_lpm6) to a next hop = egress
 * port and, for routes with a gateway, the neighbour slot of that gateway.
 *
 * Contract: built once from the configuration (the ports' own subnets are
 * on-link routes, then the configured routes); read-only afterwards, so
 * workers look up without locks. Gateways get their neighbour slot at build
 * time; for on-link routes the destination itself is the next hop.
 */
#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "net/neigh.h"
#include "util/addr.h"

#define ROUTE_NH_MAX 1024

struct nexthop {
	uint16_t port;	   /* port index */
	bool has_via;
	int32_t neigh;	   /* slot of the gateway when has_via */
	struct ip_addr via;
};

struct route_table;

/* Port numbers in next hops are indexes into conf->ports. */
struct route_table *route_build(const struct conf *c, struct neigh_table *nt,
				int socket, char *err, size_t errlen);
void route_free(struct route_table *rt);

/* Next hop for a destination (network order bytes), or NULL. */
const struct nexthop *route_lookup4(const struct route_table *rt, uint32_t dst_be);
const struct nexthop *route_lookup6(const struct route_table *rt,
				    const uint8_t dst[16]);
const struct nexthop *route_lookup(const struct route_table *rt,
				   const struct ip_addr *dst);
unsigned route_nexthops(const struct route_table *rt);
const struct nexthop *route_nexthop_at(const struct route_table *rt, unsigned i);

#endif
