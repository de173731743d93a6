/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes (lib/net/route.c on rte_lpm/rte_lpm6) and the neighbour table
 * (lib/net/neigh.c), from a small struct conf built here: the ports' own
 * subnets are on-link, configured routes go on-link or via a gateway, the
 * longest prefix wins in both families, and gateways share one next hop and
 * one neighbour slot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "check.h"
#include "conf/conf.h"
#include "net/neigh.h"
#include "net/route.h"

static char err[256];

static int eal_up(const char *prefix)
{
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf", "--file-prefix",
			 (char *)prefix, NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	if (ip_addr_parse(s, &a) != 0) {
		fprintf(stderr, "bad address %s\n", s);
		exit(1);
	}
	return a;
}

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	if (ip_prefix_parse(s, &p, true, NULL) != 0) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(1);
	}
	return p;
}

static struct conf_route route(const char *prefix, unsigned port,
			       const char *via, int line)
{
	struct conf_route r = { .prefix = pfx(prefix), .port = port,
				.has_via = via != NULL, .line = line };

	if (via)
		r.via = addr(via);
	return r;
}

static const struct nexthop *look(const struct route_table *rt, const char *dst)
{
	struct ip_addr a = addr(dst);
	const struct nexthop *nh = route_lookup(rt, &a);

	/* The family-specific lookups agree with the generic one. */
	if (a.family == AF_INET)
		CHECK(route_lookup4(rt, a.v4) == nh);
	else
		CHECK(route_lookup6(rt, a.b) == nh);
	return nh;
}

/* Next hop check: port, on-link or via `via` with its neighbour slot. */
static bool is(const struct neigh_table *nt, const struct nexthop *nh,
	       unsigned port, const char *via)
{
	struct ip_addr v;

	if (nh == NULL || nh->port != port)
		return false;
	if (via == NULL)
		return !nh->has_via && nh->neigh == -1;
	v = addr(via);
	return nh->has_via && ip_addr_eq(&nh->via, &v) && nh->neigh >= 0 &&
	       neigh_lookup(nt, &v) == nh->neigh &&
	       ip_addr_eq(&neigh_at(nt, (unsigned)nh->neigh)->ip, &v) &&
	       neigh_at(nt, (unsigned)nh->neigh)->port == port;
}

static struct conf_port ports[2];
static struct conf_route routes[16];
static struct conf conf;

static void setup_conf(unsigned n_routes)
{
	memset(ports, 0, sizeof(ports));
	snprintf(ports[0].name, sizeof(ports[0].name), "lan");
	ports[0].n_addrs = 2;
	ports[0].addrs[0] = pfx("10.0.0.0/24");
	ports[0].addr_hosts[0] = addr("10.0.0.1");
	ports[0].addrs[1] = pfx("2001:db8:0:1::/64");
	ports[0].addr_hosts[1] = addr("2001:db8:0:1::1");
	snprintf(ports[1].name, sizeof(ports[1].name), "wan");
	ports[1].role = PORT_ROLE_WAN;
	ports[1].n_addrs = 2;
	ports[1].addrs[0] = pfx("192.0.2.0/24");
	ports[1].addr_hosts[0] = addr("192.0.2.1");
	ports[1].addrs[1] = pfx("2001:db8:ff::/64");
	ports[1].addr_hosts[1] = addr("2001:db8:ff::1");

	routes[0] = route("0.0.0.0/0", 1, "192.0.2.254", 10);
	routes[1] = route("10.1.0.0/16", 0, "10.0.0.254", 11);
	routes[2] = route("10.1.2.0/24", 0, "10.0.0.253", 12);
	routes[3] = route("10.1.2.128/25", 1, NULL, 13);
	routes[4] = route("10.1.2.129/32", 1, "192.0.2.99", 14);
	routes[5] = route("10.2.0.0/16", 1, "192.0.2.254", 15); /* shares [0]'s */
	routes[6] = route("::/0", 1, "2001:db8:ff::fe", 16);
	routes[7] = route("2001:db8:100::/48", 0, "2001:db8:0:1::fe", 17);
	routes[8] = route("2001:db8:100:5::/64", 0, NULL, 18);
	routes[9] = route("2001:db8:100:5::7/128", 1, "2001:db8:ff::77", 19);
	routes[10] = route("2001:db8:100:5:8000::/65", 1, NULL, 20);

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.path, sizeof(conf.path), "unit.conf");
	conf.n_ports = 2;
	conf.ports = ports;
	conf.n_routes = n_routes;
	conf.routes = routes;
}

static void longest_prefix(void)
{
	struct neigh_table *nt = neigh_table_create(64, 0);
	struct route_table *rt;

	setup_conf(11);
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK_MSG(rt != NULL, "%s", err);
	if (rt == NULL) {
		neigh_table_free(nt);
		return;
	}
	/* IPv4 */
	CHECK(is(nt, look(rt, "10.0.0.77"), 0, NULL));	   /* port subnet */
	CHECK(is(nt, look(rt, "10.0.0.255"), 0, NULL));
	CHECK(is(nt, look(rt, "10.0.1.0"), 1, "192.0.2.254")); /* default */
	CHECK(is(nt, look(rt, "192.0.2.200"), 1, NULL));
	CHECK(is(nt, look(rt, "10.1.0.1"), 0, "10.0.0.254"));
	CHECK(is(nt, look(rt, "10.1.255.255"), 0, "10.0.0.254"));
	CHECK(is(nt, look(rt, "10.1.2.0"), 0, "10.0.0.253"));
	CHECK(is(nt, look(rt, "10.1.2.127"), 0, "10.0.0.253"));
	CHECK(is(nt, look(rt, "10.1.2.128"), 1, NULL));
	CHECK(is(nt, look(rt, "10.1.2.129"), 1, "192.0.2.99"));
	CHECK(is(nt, look(rt, "10.1.2.130"), 1, NULL));
	CHECK(is(nt, look(rt, "10.1.2.255"), 1, NULL));
	CHECK(is(nt, look(rt, "10.1.3.0"), 0, "10.0.0.254"));
	CHECK(is(nt, look(rt, "255.255.255.255"), 1, "192.0.2.254"));
	CHECK(is(nt, look(rt, "0.0.0.0"), 1, "192.0.2.254"));
	/* Routes through the same gateway on the same port share a next
	 * hop and a neighbour slot. */
	CHECK(look(rt, "10.2.3.4") == look(rt, "8.8.8.8"));
	/* IPv6 */
	CHECK(is(nt, look(rt, "2001:db8:0:1::abcd"), 0, NULL));
	CHECK(is(nt, look(rt, "2001:db8:ff::fe"), 1, NULL));
	CHECK(is(nt, look(rt, "2001:db8:0:2::1"), 1, "2001:db8:ff::fe"));
	CHECK(is(nt, look(rt, "2001:db8:100::1"), 0, "2001:db8:0:1::fe"));
	CHECK(is(nt, look(rt, "2001:db8:100:ffff:ffff::1"), 0, "2001:db8:0:1::fe"));
	CHECK(is(nt, look(rt, "2001:db8:100:5::1"), 0, NULL));
	CHECK(is(nt, look(rt, "2001:db8:100:5::7"), 1, "2001:db8:ff::77"));
	CHECK(is(nt, look(rt, "2001:db8:100:5::6"), 0, NULL));
	CHECK(is(nt, look(rt, "2001:db8:100:5::8"), 0, NULL));
	CHECK(is(nt, look(rt, "2001:db8:100:5:7fff:ffff:ffff:ffff"), 0, NULL));
	CHECK(is(nt, look(rt, "2001:db8:100:5:8000::"), 1, NULL));
	CHECK(is(nt, look(rt, "2001:db8:101::1"), 1, "2001:db8:ff::fe"));
	CHECK(is(nt, look(rt, "::"), 1, "2001:db8:ff::fe"));
	CHECK(is(nt, look(rt, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1,
		 "2001:db8:ff::fe"));

	/* Next hops: 2 on-link + 4 v4 gateways + 1 on-link(1) + 3 v6 gateways
	 * + on-link port 0 again shared. */
	{
		unsigned n = route_nexthops(rt), via = 0, onlink = 0;

		for (unsigned i = 0; i < n; i++) {
			const struct nexthop *h = route_nexthop_at(rt, i);

			via += h->has_via;
			onlink += !h->has_via;
		}
		CHECK_MSG(onlink == 2, "%u on-link next hops", onlink);
		CHECK_MSG(via == 7, "%u gateway next hops", via);
		CHECK(neigh_count(nt) == 7);
	}
	route_free(rt);

	/* Without the default routes, an unrouted destination has no next
	 * hop (the caller drops: no_route). */
	setup_conf(6);
	routes[0] = route("10.3.0.0/16", 1, NULL, 10);
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK_MSG(rt != NULL, "%s", err);
	CHECK(look(rt, "8.8.8.8") == NULL);
	CHECK(look(rt, "2001:db8:0:2::1") == NULL);
	CHECK(is(nt, look(rt, "10.3.255.1"), 1, NULL));
	CHECK(is(nt, look(rt, "10.1.2.129"), 1, "192.0.2.99"));
	/* The gateways known from the first table keep their slots. */
	CHECK(neigh_count(nt) == 7);
	route_free(rt);
	neigh_table_free(nt);
}

/* Limits: a full neighbour table or too many distinct next hops fail the
 * build with the route's file:line; many host routes in both families fit. */
static void limits(void)
{
	enum { MANY = 1100 };
	struct conf_route *many = calloc(MANY, sizeof(*many));
	struct neigh_table *nt = neigh_table_create(8, 0);
	struct route_table *rt;
	char s[64];

	/* Room for two more neighbours: the third gateway (line 12) fails. */
	for (unsigned i = 0; i < 6; i++) {
		struct ip_addr e = addr("10.9.9.0");

		e.b[3] = (uint8_t)i;
		neigh_get(nt, &e, 0);
	}
	setup_conf(11);
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK(rt == NULL);
	CHECK_MSG(strstr(err, "unit.conf:12: route 10.1.2.0/24") != NULL, "%s", err);
	CHECK_MSG(strncmp(err, "unit.conf:", 10) == 0 && strstr(err, "route"),
		  "%s", err);
	neigh_table_free(nt);

	/* 1100 gateways on a /21: more than ROUTE_NH_MAX next hops. */
	nt = neigh_table_create(2048, 0);
	setup_conf(0);
	ports[1].addrs[0] = pfx("192.0.0.0/21");
	for (unsigned i = 0; i < MANY; i++) {
		char g[32];

		snprintf(s, sizeof(s), "100.%u.%u.0/24", i / 256, i % 256);
		snprintf(g, sizeof(g), "192.0.%u.%u", 1 + i / 250, 1 + i % 250);
		many[i] = route(s, 1, g, 100 + (int)i);
	}
	conf.routes = many;
	conf.n_routes = ROUTE_NH_MAX - 3;	/* + 2 on-link = 1023 */
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK_MSG(rt != NULL, "%s", err);
	if (rt) {
		CHECK(route_nexthops(rt) == ROUTE_NH_MAX - 1);
		CHECK(is(nt, look(rt, "100.3.4.5"), 1, "192.0.4.23"));
	}
	route_free(rt);
	conf.n_routes = MANY;
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK(rt == NULL);
	CHECK_MSG(strstr(err, "unit.conf:") && strstr(err, "No space"), "%s", err);
	neigh_table_free(nt);

	/* Host routes: 1000 IPv4 /32s in different /24s and 1000 IPv6 /128s
	 * and /64s in different /48s, on-link. */
	nt = neigh_table_create(16, 0);
	setup_conf(0);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "100.%u.%u.7/32", i / 200, i % 200);
		many[i] = route(s, 1, NULL, (int)i);
	}
	conf.routes = many;
	conf.n_routes = 1000;
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK_MSG(rt != NULL, "1000 IPv4 host routes: %s", err);
	if (rt) {
		CHECK(is(nt, look(rt, "100.4.199.7"), 1, NULL));
		CHECK(look(rt, "100.4.199.8") == NULL);
	}
	route_free(rt);
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "2001:db8:%x:%x::%s", i, i * 7,
			 i % 2 ? "/64" : "5/128");
		many[i] = route(s, i % 2, NULL, (int)i);
	}
	rt = route_build(&conf, nt, 0, err, sizeof(err));
	CHECK_MSG(rt != NULL, "1000 IPv6 routes: %s", err);
	if (rt) {
		CHECK(is(nt, look(rt, "2001:db8:3e6:1b4a::5"), 0, NULL));
		CHECK(look(rt, "2001:db8:3e6:1b4a::6") == NULL);
		CHECK(is(nt, look(rt, "2001:db8:3e7:1b51::99"), 1, NULL));
	}
	route_free(rt);
	neigh_table_free(nt);
	free(many);
}

static void neighbours(void)
{
	struct neigh_table *nt = neigh_table_create(8, 0);
	struct ip_addr a4 = addr("10.0.0.1"), a6 = addr("::a00:1");
	struct ip_addr b4 = addr("10.0.0.2"), c4 = addr("10.0.0.3");
	struct ip_addr d4 = addr("10.0.0.4");
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t got[6];
	int s4, s6;

	CHECK(nt != NULL);
	CHECK(neigh_lookup(nt, &a4) == -1);
	s4 = neigh_get(nt, &a4, 0);
	CHECK(s4 >= 0);
	CHECK(neigh_get(nt, &a4, 1) == s4);	/* found, not created again */
	CHECK(neigh_lookup(nt, &a4) == s4);
	/* Same 4 bytes at the front, other family: another neighbour. */
	CHECK(neigh_lookup(nt, &a6) == -1);
	s6 = neigh_get(nt, &a6, 1);
	CHECK(s6 >= 0 && s6 != s4);
	CHECK(neigh_at(nt, (unsigned)s6)->port == 1);
	CHECK(neigh_at(nt, (unsigned)s4)->port == 0);
	CHECK(neigh_count(nt) == 2);

	/* Unresolved until a MAC is set; then MAC and flags together. */
	CHECK(!neigh_mac(neigh_at(nt, (unsigned)s4), got));
	neigh_set_mac(neigh_at(nt, (unsigned)s4), mac, false);
	CHECK(neigh_mac(neigh_at(nt, (unsigned)s4), got));
	CHECK(memcmp(got, mac, 6) == 0);
	CHECK(!(neigh_at(nt, (unsigned)s4)->mac_state & NEIGH_STATIC));
	neigh_set_mac(neigh_at(nt, (unsigned)s6), mac, true);
	CHECK(neigh_at(nt, (unsigned)s6)->mac_state & NEIGH_STATIC);
	CHECK(neigh_mac(neigh_at(nt, (unsigned)s6), got));

	/* Capacity (8, the smallest rte_hash accepts). */
	CHECK(neigh_get(nt, &b4, 0) >= 0);
	CHECK(neigh_get(nt, &c4, 0) >= 0);
	for (unsigned i = 0; i < 4; i++) {
		struct ip_addr e = addr("10.9.9.0");

		e.b[3] = (uint8_t)i;
		CHECK(neigh_get(nt, &e, 0) == (int)(4 + i));
	}
	CHECK(neigh_get(nt, &d4, 0) == -ENOSPC);
	CHECK(neigh_lookup(nt, &d4) == -1);
	CHECK(neigh_get(nt, &c4, 0) >= 0);	/* existing still found */
	CHECK(neigh_count(nt) == 8);
	neigh_table_free(nt);
	neigh_table_free(NULL);
	route_free(NULL);
}

int main(void)
{
	if (eal_up("unit_route") < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	longest_prefix();
	limits();
	neighbours();
	rte_eal_cleanup();
	return check_summary();
}
