/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: the security policy database (RFC 4301 §4.4.1), and the
 * tie between inbound protect rules and their SAs: each such rule's
 * selector becomes one of the SA's sa_params.ts[], the inbound policy check
 * of RFC 4301 §5.2.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"

#define PRIORITY_MAX 0x1FFFFFFE /* RTE_ACL_MAX_PRIORITY - 1: lib/spd adds 1 */

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "any", 0 },	   { "tcp", 6 },	{ "udp", 17 },
	{ "icmp", 1 },	   { "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "sctp", 132 },   { "gre", 47 },	{ "esp", 50 },
};

static const config_setting_t *get(const config_setting_t *g, const char *k)
{
	return config_setting_get_member(g, k);
}

static int spd_proto(struct cctx *x, const config_setting_t *g,
		     const char *where, uint8_t *out)
{
	const config_setting_t *s = get(g, "proto");
	const char *name;
	int64_t v;

	*out = 0;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		if (conf_int_value(x, s, where, "proto", 0, 255, &v) < 0)
			return -1;
		*out = (uint8_t)v;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cerr(x, s, "%s: proto must be a name or 0..255", where);
	name = config_setting_get_string(s);
	for (unsigned i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(name, protos[i].name) == 0) {
			*out = protos[i].num;
			return 0;
		}
	return cerr(x, s, "%s: proto \"%.20s\" is unknown (any, tcp, udp, icmp, "
		    "ipv6-icmp, sctp, gre, esp or 0..255)", where, name);
}

/* Decimal digits only; false past 6 digits or without any. */
static bool port_num(const char **p, unsigned long *v)
{
	const char *s = *p;

	*v = 0;
	while (isdigit((unsigned char)**p) && *p - s < 7)
		*v = *v * 10 + (unsigned long)(*(*p)++ - '0');
	return *p > s && !isdigit((unsigned char)**p);
}

static int spd_ports(struct cctx *x, const config_setting_t *g,
		     const char *where, const char *key, uint16_t *lo,
		     uint16_t *hi)
{
	const config_setting_t *s = get(g, key);
	unsigned long a, b;
	const char *t, *p;
	int64_t v;
	bool ok;

	*lo = 0;
	*hi = 65535;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		if (conf_int_value(x, s, where, key, 0, 65535, &v) < 0)
			return -1;
		*lo = *hi = (uint16_t)v;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cerr(x, s, "%s: %s must be \"any\", a port or \"LO-HI\"",
			    where, key);
	t = p = config_setting_get_string(s);
	if (strcmp(t, "any") == 0)
		return 0;
	ok = port_num(&p, &a);
	b = a;
	if (ok && *p == '-') {
		p++;
		ok = port_num(&p, &b);
	}
	if (!ok || *p != '\0')
		return cerr(x, s, "%s: %s \"%.20s\" is not \"any\", a port or "
			    "\"LO-HI\"", where, key, t);
	if (a > 65535 || b > 65535)
		return cerr(x, s, "%s: %s \"%s\": ports are 0..65535", where, key,
			    t);
	if (a > b)
		return cerr(x, s, "%s: %s \"%s\": %lu is above %lu", where, key,
			    t, a, b);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static const char *fam(const struct ip_prefix *p)
{
	return p->addr.family == AF_INET ? "IPv4" : "IPv6";
}

static int spd_sel(struct cctx *x, const config_setting_t *g,
		   const char *where, struct ts *t)
{
	int rs = conf_get_prefix(x, g, "src", where, false, &t->src);
	int rd = rs < 0 ? -1 : conf_get_prefix(x, g, "dst", where, false, &t->dst);

	if (rs < 0 || rd < 0)
		return -1;
	if (!rs && !rd)
		return cerr(x, g, "%s: give src or dst", where);
	/* the missing one is "any" of the other's family */
	if (!rs)
		t->src.addr.family = t->dst.addr.family;
	if (!rd)
		t->dst.addr.family = t->src.addr.family;
	if (t->src.addr.family != t->dst.addr.family)
		return cerr(x, get(g, "dst"), "%s: src is %s but dst is %s", where,
			    fam(&t->src), fam(&t->dst));
	if (spd_proto(x, g, where, &t->proto) < 0 ||
	    spd_ports(x, g, where, "sport", &t->sport_lo, &t->sport_hi) < 0 ||
	    spd_ports(x, g, where, "dport", &t->dport_lo, &t->dport_hi) < 0)
		return -1;
	/* Without a protocol the "ports" would be whatever 4 bytes follow
	 * the IP header (an ESP SPI, say). */
	if (t->proto == 0 && (t->sport_lo != 0 || t->sport_hi != 65535 ||
			      t->dport_lo != 0 || t->dport_hi != 65535))
		return cerr(x, get(g, get(g, "sport") ? "sport" : "dport"),
			    "%s: sport/dport need a proto (tcp, udp, sctp, ...)",
			    where);
	return 0;
}

/* The protect rule's SA: it exists, has the rule's direction, and in
 * transport mode carries the selectors' address family. */
static int spd_sa(struct cctx *x, const config_setting_t *g,
		  const char *where, struct conf_spd_rule *r)
{
	static const char *const dirs[] = { "outbound", "inbound" };
	const config_setting_t *s = get(g, "sa");
	const char *name;
	const struct sa_params *p;

	if (conf_get_str(x, g, "sa", where, false, &name) < 0)
		return -1;
	r->sa = -1;
	if (r->action != SPD_PROTECT)
		return s ? cerr(x, s, "%s: action %s takes no sa", where,
				r->action == SPD_BYPASS ? "bypass" : "discard")
			 : 0;
	if (s == NULL)
		return cerr(x, g, "%s: action protect needs \"sa\"", where);
	r->sa = conf_sa_by_name(x->c, name);
	if (r->sa < 0)
		return cerr(x, s, "%s: sa \"%.48s\" does not exist", where, name);
	p = &x->c->sas[r->sa].p;
	if (p->dir != r->dir)
		return cerr(x, s, "%s: sa \"%s\" is an %s SA but the rule is %s",
			    where, p->name, dirs[p->dir], dirs[r->dir]);
	if (p->mode == SA_MODE_TRANSPORT &&
	    p->src.family != r->sel.src.addr.family)
		return cerr(x, s, "%s: transport-mode sa \"%s\" is %s but the "
			    "rule's selectors are %s", where, p->name,
			    p->src.family == AF_INET ? "IPv4" : "IPv6",
			    fam(&r->sel.src));
	return 0;
}

/* An inbound protect rule lends its selector to the SA's policy check. */
static int spd_link(struct cctx *x, const config_setting_t *g,
		    const char *where, const struct conf_spd_rule *r)
{
	struct sa_params *p;

	if (r->action != SPD_PROTECT || r->dir != SA_DIR_IN)
		return 0;
	p = &x->c->sas[r->sa].p;
	if (p->n_ts >= SA_TS_MAX)
		return cerr(x, g, "%s: sa \"%s\" already has %d inbound rules, "
			    "the most one SA can have", where, p->name,
			    SA_TS_MAX);
	p->ts[p->n_ts++] = r->sel;
	return 0;
}

static int parse_rule(struct cctx *x, const config_setting_t *g,
		      const char *where, struct conf_spd_rule *r)
{
	static const char *const keys[] = { "direction", "src", "dst", "proto",
		"sport", "dport", "priority", "action", "sa", NULL };
	static const char *const dirs[] = { "out", "in", NULL };
	static const char *const actions[] = { "bypass", "discard", "protect",
					       NULL };
	int dir = 0, action = 0, rp;
	int64_t prio;

	r->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_enum(x, g, "direction", where, dirs, true, &dir) < 0 ||
	    spd_sel(x, g, where, &r->sel) < 0 ||
	    (rp = conf_get_int(x, g, "priority", where, 0, PRIORITY_MAX, false,
			       &prio)) < 0 ||
	    conf_get_enum(x, g, "action", where, actions, true, &action) < 0)
		return -1;
	r->dir = dir ? SA_DIR_IN : SA_DIR_OUT;
	r->priority = rp ? (uint32_t)prio : 0;
	r->action = action == 0 ? SPD_BYPASS
		    : action == 1 ? SPD_DISCARD : SPD_PROTECT;
	if (spd_sa(x, g, where, r) < 0 || spd_link(x, g, where, r) < 0)
		return -1;
	return 0;
}

/* RFC 4301 §5.2: an inbound SA's packets must match one of its selectors;
 * without any, nothing it carries could ever be accepted. */
static int check_inbound_sas(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list = config_setting_get_member(root, "sas");

	for (unsigned i = 0; i < x->c->n_sas; i++) {
		const struct sa_params *p = &x->c->sas[i].p;

		if (p->dir == SA_DIR_IN && p->n_ts == 0)
			return cerr(x, config_setting_get_elem(list, i),
				    "inbound SA \"%s\" has no inbound spd rule: "
				    "its traffic could never pass the policy "
				    "check (RFC 4301 §5.2)", p->name);
	}
	return 0;
}

int conf_parse_spd(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX];
	struct conf *c = x->c;
	unsigned n;

	if (conf_section(x, root, "spd", &list, &n) < 0)
		return -1;
	c->spd = calloc(n ? n : 1, sizeof(*c->spd));
	if (c->spd == NULL)
		return cerr(x, list, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "spd[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL || parse_rule(x, g, where, &c->spd[i]) < 0)
			return -1;
		c->n_spd = i + 1;
	}
	return check_inbound_sas(x, root);
}
