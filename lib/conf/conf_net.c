/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration: ports, routes, neighbours and workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"

#define PORTS_MAX 1024
#define LCORE_MAX 1024
#define IPV6_MIN_MTU 1280 /* RFC 8200 §5 */

int conf_port_by_name(const struct conf *c, const char *name)
{
	for (unsigned i = 0; name && i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- ports ---- */

static int port_device(struct cctx *x, const config_setting_t *g,
		       const char *where, struct conf_port *p)
{
	const config_setting_t *s = config_setting_get_member(g, "device");
	const char *d;
	int64_t v;

	if (s == NULL)
		return cerr(x, g, "%s: missing \"device\"", where);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if (conf_int_value(x, s, where, "device", 0, 65535, &v) < 0)
			return -1;
		snprintf(p->device, sizeof(p->device), "port:%u", (unsigned)v);
		return 0;
	case CONFIG_TYPE_STRING:
		d = config_setting_get_string(s);
		if (d[0] == '\0' || strlen(d) >= sizeof(p->device))
			return cerr(x, s, "%s: device must be 1..%zu characters",
				    where, sizeof(p->device) - 1);
		if (strcmp(d, "vdev:") == 0)
			return cerr(x, s, "%s: device \"vdev:\" needs the device's "
				    "arguments, e.g. \"vdev:net_tap0,iface=esp0\"",
				    where);
		memcpy(p->device, d, strlen(d) + 1);
		return 0;
	default:
		return cerr(x, s, "%s: device must be a port id (integer) or a "
			    "device name (string)", where);
	}
}

static int port_address(struct cctx *x, const config_setting_t *e,
			const char *where, struct conf_port *p)
{
	const char *s;

	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cerr(x, e, "%s: addresses must be strings", where);
	s = config_setting_get_string(e);
	if (ip_prefix_parse(s, &p->addrs[p->n_addrs], true,
			    &p->addr_hosts[p->n_addrs]) < 0)
		return cerr(x, e, "%s: address \"%.60s\" is not ADDRESS/LENGTH",
			    where, s);
	p->n_addrs++;
	return 0;
}

static int port_addresses(struct cctx *x, const config_setting_t *g,
			  const char *where, struct conf_port *p)
{
	const config_setting_t *s = config_setting_get_member(g, "addresses");
	unsigned n;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return port_address(x, s, where, p);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cerr(x, s, "%s: addresses must be an array of strings: "
			    "[ \"192.0.2.1/24\", \"2001:db8::1/64\" ]", where);
	n = (unsigned)config_setting_length(s);
	if (n > CONF_ADDRS_MAX)
		return cerr(x, s, "%s: at most %d addresses", where,
			    CONF_ADDRS_MAX);
	for (unsigned i = 0; i < n; i++)
		if (port_address(x, config_setting_get_elem(s, i), where, p) < 0)
			return -1;
	return 0;
}

static int port_mtu(struct cctx *x, const config_setting_t *g,
		    const char *where, struct conf_port *p)
{
	int64_t v;
	int r = conf_get_int(x, g, "mtu", where, 576, 9000, false, &v);

	if (r < 0)
		return -1;
	p->mtu = r ? (uint16_t)v : 1500;
	for (unsigned i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].addr.family == AF_INET6 && p->mtu < IPV6_MIN_MTU)
			return cerr(x, r ? config_setting_get_member(g, "mtu") : g,
				    "%s: mtu %u is below IPv6's minimum %d and "
				    "the port has an IPv6 address", where,
				    p->mtu, IPV6_MIN_MTU);
	return 0;
}

static int parse_port(struct cctx *x, const config_setting_t *g,
		      const char *where, struct conf_port *p)
{
	static const char *const keys[] = { "name", "device", "role",
		"addresses", "mtu", "promiscuous", "mac", NULL };
	static const char *const roles[] = { "lan", "wan", NULL };
	int role = 0, r;

	p->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_name(x, g, "name", where, p->name, sizeof(p->name)) < 0 ||
	    port_device(x, g, where, p) < 0 ||
	    conf_get_enum(x, g, "role", where, roles, true, &role) < 0 ||
	    port_addresses(x, g, where, p) < 0 || port_mtu(x, g, where, p) < 0 ||
	    conf_get_bool(x, g, "promiscuous", where, &p->promiscuous) < 0)
		return -1;
	p->role = role == 1 ? PORT_ROLE_WAN : PORT_ROLE_LAN;
	r = conf_get_mac(x, g, "mac", where, false, p->mac);
	if (r < 0)
		return -1;
	p->has_mac = r > 0;
	return 0;
}

/* Names and devices are unique; ports are few, so pairs are compared. */
static int port_unique(struct cctx *x, const config_setting_t *g,
		       const char *where, unsigned i)
{
	const struct conf_port *p = &x->c->ports[i];

	for (unsigned j = 0; j < i; j++) {
		const struct conf_port *q = &x->c->ports[j];

		if (strcmp(p->name, q->name) == 0)
			return cerr(x, config_setting_get_member(g, "name"),
				    "%s: port name \"%s\" is already used by "
				    "ports[%u] (line %d)", where, p->name, j,
				    q->line);
		if (strcmp(p->device, q->device) == 0)
			return cerr(x, config_setting_get_member(g, "device"),
				    "%s: device \"%s\" is already ports[%u] "
				    "(line %d)", where, p->device, j, q->line);
	}
	return 0;
}

int conf_parse_ports(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX];
	unsigned n;

	if (conf_section(x, root, "ports", &list, &n) < 0)
		return -1;
	if (n > PORTS_MAX)
		return cerr(x, list, "at most %d ports", PORTS_MAX);
	x->c->ports = calloc(n ? n : 1, sizeof(*x->c->ports));
	if (x->c->ports == NULL)
		return cerr(x, list, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "ports[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL || parse_port(x, g, where, &x->c->ports[i]) < 0 ||
		    port_unique(x, g, where, i) < 0)
			return -1;
		x->c->n_ports = i + 1;
	}
	return 0;
}

/* ---- routes ---- */

static uint64_t prefix_hash(const struct ip_prefix *p, uint64_t seed)
{
	uint8_t k[18] = { p->addr.family, p->len };

	memcpy(k + 2, p->addr.b, 16);
	return conf_hash(k, sizeof(k), seed);
}

static bool route_eq(const void *ctx, int idx, const void *key)
{
	const struct ip_prefix *a = &((const struct conf *)ctx)->routes[idx].prefix;
	const struct ip_prefix *b = key;

	return a->len == b->len && ip_addr_eq(&a->addr, &b->addr);
}

static int parse_route(struct cctx *x, const config_setting_t *g,
		       const char *where, struct conf_route *r)
{
	static const char *const keys[] = { "prefix", "port", "via", NULL };
	char a[IP_ADDR_STRLEN];
	int h;

	r->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_prefix(x, g, "prefix", where, true, &r->prefix) < 0 ||
	    conf_get_port_ref(x, g, "port", where, &r->port) < 0 ||
	    (h = conf_get_addr(x, g, "via", where, false, &r->via)) < 0)
		return -1;
	r->has_via = h > 0;
	if (r->has_via && r->via.family != r->prefix.addr.family)
		return cerr(x, config_setting_get_member(g, "via"),
			    "%s: via %s is not of the prefix's address family",
			    where, ip_addr_fmt(&r->via, a, sizeof(a)));
	return 0;
}

int conf_parse_routes(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX], buf[IP_PREFIX_STRLEN];
	struct conf *c = x->c;
	struct ctab t;
	unsigned n;
	int r = -1, dup;

	if (conf_section(x, root, "routes", &list, &n) < 0)
		return -1;
	c->routes = calloc(n ? n : 1, sizeof(*c->routes));
	if (c->routes == NULL || ctab_init(&t, n) < 0)
		return cerr(x, list, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct conf_route *rt = &c->routes[i];

		snprintf(where, sizeof(where), "routes[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL || parse_route(x, g, where, rt) < 0)
			goto out;
		c->n_routes = i + 1;
		dup = ctab_add(&t, prefix_hash(&rt->prefix, 0), route_eq, c,
			       &rt->prefix, (int)i);
		if (dup >= 0) {
			cerr(x, config_setting_get_member(g, "prefix"),
			     "%s: prefix %s is already routed by routes[%d] "
			     "(line %d)", where,
			     ip_prefix_fmt(&rt->prefix, buf, sizeof(buf)), dup,
			     c->routes[dup].line);
			goto out;
		}
	}
	r = 0;
out:
	ctab_free(&t);
	return r;
}

/* ---- neighbours ---- */

static bool neigh_eq(const void *ctx, int idx, const void *key)
{
	const struct conf_neigh *a = &((const struct conf *)ctx)->neighs[idx];
	const struct conf_neigh *b = key;

	return a->port == b->port && ip_addr_eq(&a->ip, &b->ip);
}

static int parse_neigh(struct cctx *x, const config_setting_t *g,
		       const char *where, struct conf_neigh *nb)
{
	static const char *const keys[] = { "ip", "port", "mac", NULL };

	nb->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_addr(x, g, "ip", where, true, &nb->ip) < 0 ||
	    conf_get_port_ref(x, g, "port", where, &nb->port) < 0 ||
	    conf_get_mac(x, g, "mac", where, true, nb->mac) < 0)
		return -1;
	return 0;
}

int conf_parse_neighbours(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX], a[IP_ADDR_STRLEN];
	struct conf *c = x->c;
	struct ctab t;
	unsigned n;
	int r = -1, dup;

	if (conf_section(x, root, "neighbours", &list, &n) < 0)
		return -1;
	c->neighs = calloc(n ? n : 1, sizeof(*c->neighs));
	if (c->neighs == NULL || ctab_init(&t, n) < 0)
		return cerr(x, list, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct conf_neigh *nb = &c->neighs[i];

		snprintf(where, sizeof(where), "neighbours[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL || parse_neigh(x, g, where, nb) < 0)
			goto out;
		c->n_neighs = i + 1;
		dup = ctab_add(&t, conf_hash(nb->ip.b, 16, nb->port * 2 + 1),
			       neigh_eq, c, nb, (int)i);
		if (dup >= 0) {
			cerr(x, config_setting_get_member(g, "ip"),
			     "%s: %s on port \"%s\" is already neighbours[%d] "
			     "(line %d)", where, ip_addr_fmt(&nb->ip, a, sizeof(a)),
			     c->ports[nb->port].name, dup, c->neighs[dup].line);
			goto out;
		}
	}
	r = 0;
out:
	ctab_free(&t);
	return r;
}

/* ---- workers ---- */

static int parse_queue(struct cctx *x, const config_setting_t *list,
		       unsigned i, const char *wwhere, struct conf_queue *q)
{
	static const char *const keys[] = { "port", "queue", NULL };
	const config_setting_t *g;
	char where[WHERE_MAX + 16];
	int64_t v;

	snprintf(where, sizeof(where), "%s.queues[%u]", wwhere, i);
	g = conf_group_at(x, list, i, where);
	if (g == NULL || conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_port_ref(x, g, "port", where, &q->port) < 0 ||
	    conf_get_int(x, g, "queue", where, 0, 65535, true, &v) < 0)
		return -1;
	q->queue = (uint16_t)v;
	return 0;
}

/* Two lcores polling one rx queue would race on it. */
static int queue_owner(struct conf_worker *ws, unsigned nw,
		       const struct conf_queue *q)
{
	for (unsigned i = 0; i < nw; i++)
		for (unsigned k = 0; k < ws[i].n_queues; k++)
			if (ws[i].queues[k].port == q->port &&
			    ws[i].queues[k].queue == q->queue)
				return (int)i;
	return -1;
}

static int parse_worker(struct cctx *x, const config_setting_t *g,
			const char *where, unsigned wi)
{
	static const char *const keys[] = { "lcore", "queues", NULL };
	struct conf_worker *w = &x->c->workers[wi];
	const config_setting_t *qs;
	int64_t v;
	unsigned n;
	int o;

	w->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_int(x, g, "lcore", where, 0, LCORE_MAX - 1, true, &v) < 0)
		return -1;
	w->lcore = (unsigned)v;
	qs = config_setting_get_member(g, "queues");
	if (qs == NULL)
		return cerr(x, g, "%s: missing \"queues\"", where);
	n = (unsigned)config_setting_length(qs);
	if (!config_setting_is_list(qs) || n == 0 || n > CONF_WORKER_QUEUES_MAX)
		return cerr(x, qs, "%s: queues must be a list of 1..%d "
			    "{ port = NAME; queue = N; }", where,
			    CONF_WORKER_QUEUES_MAX);
	for (unsigned i = 0; i < n; i++) {
		struct conf_queue *q = &w->queues[i];

		if (parse_queue(x, qs, i, where, q) < 0)
			return -1;
		o = queue_owner(x->c->workers, wi + 1, q);
		if (o >= 0)
			return cerr(x, config_setting_get_elem(qs, i),
				    "%s: queue %u of port \"%s\" is already "
				    "polled by workers[%d] (line %d)", where,
				    q->queue, x->c->ports[q->port].name, o,
				    x->c->workers[o].line);
		w->n_queues = i + 1;
	}
	return 0;
}

int conf_parse_workers(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX];
	struct conf *c = x->c;
	unsigned n;

	if (conf_section(x, root, "workers", &list, &n) < 0)
		return -1;
	if (n > LCORE_MAX)
		return cerr(x, list, "at most %d workers", LCORE_MAX);
	c->workers = calloc(n ? n : 1, sizeof(*c->workers));
	if (c->workers == NULL)
		return cerr(x, list, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "workers[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL || parse_worker(x, g, where, i) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (c->workers[j].lcore == c->workers[i].lcore)
				return cerr(x, config_setting_get_member(g, "lcore"),
					    "%s: lcore %u is already workers[%u] "
					    "(line %d)", where, c->workers[i].lcore,
					    j, c->workers[j].line);
		c->n_workers = i + 1;
	}
	return 0;
}
