/* SPDX-License-Identifier: BSD-3-Clause */
#include "net/route.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>

struct route_table {
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6;
	/* Next hop of the /0 routes, or -1: rte_lpm and rte_lpm6 only take
	 * depths from 1, so the defaults are kept here. */
	int32_t def4, def6;
	unsigned n_nh;
	struct nexthop nh[ROUTE_NH_MAX];
};

/* Next hops are shared by routes with the same port and gateway. */
static int nh_index(struct route_table *rt, uint16_t port, const struct ip_addr *via)
{
	for (unsigned i = 0; i < rt->n_nh; i++) {
		const struct nexthop *n = &rt->nh[i];

		if (n->port == port && n->has_via == (via != NULL) &&
		    (via == NULL || ip_addr_eq(&n->via, via)))
			return (int)i;
	}
	if (rt->n_nh == ROUTE_NH_MAX)
		return -ENOSPC;
	rt->nh[rt->n_nh].port = port;
	rt->nh[rt->n_nh].has_via = via != NULL;
	rt->nh[rt->n_nh].neigh = -1;
	if (via)
		rt->nh[rt->n_nh].via = *via;
	return (int)rt->n_nh++;
}

static int add(struct route_table *rt, struct neigh_table *nt,
	       const struct ip_prefix *p, uint16_t port, const struct ip_addr *via)
{
	int nh = nh_index(rt, port, via);

	if (nh < 0)
		return nh;
	if (via && rt->nh[nh].neigh < 0) {
		int s = neigh_get(nt, via, port);

		if (s < 0)
			return s;
		rt->nh[nh].neigh = s;
	}
	if (p->len == 0) {
		*(p->addr.family == AF_INET ? &rt->def4 : &rt->def6) = nh;
		return 0;
	}
	if (p->addr.family == AF_INET)
		return rte_lpm_add(rt->lpm4, rte_be_to_cpu_32(p->addr.v4), p->len,
				   (uint32_t)nh);
	return rte_lpm6_add(rt->lpm6, p->addr.b, p->len, (uint32_t)nh);
}

/* IPv6 prefixes among the ports' subnets and the routes. */
static unsigned count6(const struct conf *c)
{
	unsigned n = 0;

	for (unsigned p = 0; p < c->n_ports; p++)
		for (unsigned a = 0; a < c->ports[p].n_addrs; a++)
			n += c->ports[p].addrs[a].addr.family == AF_INET6;
	for (unsigned i = 0; i < c->n_routes; i++)
		n += c->routes[i].prefix.addr.family == AF_INET6;
	return n;
}

static int create_lpms(struct route_table *rt, unsigned n, unsigned n6,
		       int socket)
{
	static unsigned gen;
	char name[32];
	/* A route longer than the 24 bits of the first table takes one
	 * 256-entry table (tbl8) per further byte that no other route shares:
	 * at most 1 for IPv4, (128 - 24) / 8 = 13 for IPv6. */
	struct rte_lpm_config c4 = { .max_rules = n + 64, .number_tbl8s = 256 + n };
	struct rte_lpm6_config c6 = { .max_rules = n + 64,
				      .number_tbl8s = 1024 + 13 * n6 };

	snprintf(name, sizeof(name), "rt4_%u", gen);
	rt->lpm4 = rte_lpm_create(name, socket, &c4);
	snprintf(name, sizeof(name), "rt6_%u", gen++);
	rt->lpm6 = rte_lpm6_create(name, socket, &c6);
	return rt->lpm4 && rt->lpm6 ? 0 : -ENOMEM;
}

struct route_table *route_build(const struct conf *c, struct neigh_table *nt,
				int socket, char *err, size_t errlen)
{
	struct route_table *rt = rte_zmalloc_socket("routes", sizeof(*rt), 0, socket);
	char pbuf[IP_PREFIX_STRLEN];
	int rc = 0;

	if (rt == NULL || create_lpms(rt, c->n_routes + 8 * c->n_ports, count6(c),
					socket) < 0) {
		snprintf(err, errlen, "routes: out of memory");
		route_free(rt);
		return NULL;
	}
	rt->def4 = rt->def6 = -1;
	for (unsigned p = 0; p < c->n_ports && rc == 0; p++)
		for (unsigned a = 0; a < c->ports[p].n_addrs && rc == 0; a++)
			rc = add(rt, nt, &c->ports[p].addrs[a], (uint16_t)p, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "routes: cannot add the ports' subnets: %s",
			 strerror(-rc));
		route_free(rt);
		return NULL;
	}
	for (unsigned i = 0; i < c->n_routes; i++) {
		const struct conf_route *r = &c->routes[i];

		rc = add(rt, nt, &r->prefix, (uint16_t)r->port,
			 r->has_via ? &r->via : NULL);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%d: route %s: %s", c->path, r->line,
				 ip_prefix_fmt(&r->prefix, pbuf, sizeof(pbuf)),
				 strerror(-rc));
			route_free(rt);
			return NULL;
		}
	}
	return rt;
}

void route_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	rte_lpm_free(rt->lpm4);
	rte_lpm6_free(rt->lpm6);
	rte_free(rt);
}

const struct nexthop *route_lookup4(const struct route_table *rt, uint32_t dst_be)
{
	uint32_t nh;

	if (rte_lpm_lookup(rt->lpm4, rte_be_to_cpu_32(dst_be), &nh) != 0)
		return rt->def4 < 0 ? NULL : &rt->nh[rt->def4];
	return &rt->nh[nh];
}

const struct nexthop *route_lookup6(const struct route_table *rt,
				    const uint8_t dst[16])
{
	uint32_t nh;

	if (rte_lpm6_lookup(rt->lpm6, dst, &nh) != 0)
		return rt->def6 < 0 ? NULL : &rt->nh[rt->def6];
	return &rt->nh[nh];
}

const struct nexthop *route_lookup(const struct route_table *rt,
				   const struct ip_addr *dst)
{
	return dst->family == AF_INET ? route_lookup4(rt, dst->v4)
				      : route_lookup6(rt, dst->b);
}

unsigned route_nexthops(const struct route_table *rt)
{
	return rt->n_nh;
}

const struct nexthop *route_nexthop_at(const struct route_table *rt, unsigned i)
{
	return &rt->nh[i];
}
