/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl/ike_host.h"

#include <errno.h>
#include <libconfig.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "ctl/ctl_int.h"
#include "dp/dp_tables.h"
#include "ike/ike.h"
#include "util/log.h"

#define KEEPALIVE_MS 20000 /* RFC 3948 §4: default 20 s */

struct child_rec {
	uint64_t id;
	uint32_t out_id, in_id;
	unsigned n_rules;
	struct spd_rule *rules;
	/* dead peer detection: the inbound packet count last seen, and the
	 * host clock when it was first seen (host_child_stats) */
	uint64_t in_seen, in_seen_ms;
};

static struct {
	struct dp *dp;
	struct ike *ike;
	struct spd_rule *base;
	unsigned n_base;
	struct child_rec *ch;
	unsigned n_ch, cap_ch;
	uint64_t next_keepalive_ms;
} H;

struct ike *ike_host_daemon(void)
{
	return H.ike;
}

static bool has_connections(const struct conf *c)
{
	return c->cfg && config_lookup((const config_t *)c->cfg, "connections");
}

int ike_host_check(const struct conf *c, char *err, size_t errlen)
{
	if (!has_connections(c))
		return 0;
	return ike_check_config(c->cfg, c->path, err, errlen);
}

/* ---- datagrams ---------------------------------------------------------- */

static uint16_t udp_cksum(uint8_t af, const uint8_t *l3, struct rte_udp_hdr *u,
			  uint32_t ulen)
{
	uint16_t c;

	if (af == AF_INET6)
		return ctl_cksum6(l3, u, ulen, IPPROTO_UDP);
	c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)l3, u);
	return c;
}

static int host_send(void *host, const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport, const void *buf,
		     size_t len)
{
	struct dp *dp = host;
	uint32_t hl = src->family == AF_INET ? 20 : 40;
	struct rte_mbuf *m;
	struct rte_udp_hdr *u;
	uint8_t *l3;

	if (len > 65000 || src->family != dst->family)
		return -EINVAL;
	m = ctl_alloc(dp, (uint16_t)(hl + 8 + len));
	if (m == NULL)
		return -ENOMEM;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN);
	if (src->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + 8 + len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = src->v4;
		ip->dst_addr = dst->v4;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		l3[0] = 0x60;
		l3[4] = (uint8_t)((8 + len) >> 8);
		l3[5] = (uint8_t)(8 + len);
		l3[6] = IPPROTO_UDP;
		l3[7] = 64;
		memcpy(l3 + 8, src->b, 16);
		memcpy(l3 + 24, dst->b, 16);
	}
	u = (struct rte_udp_hdr *)(l3 + hl);
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	memcpy(u + 1, buf, len);
	u->dgram_cksum = udp_cksum(src->family, l3, u, (uint32_t)(8 + len));
	ctl_send_ip(dp, m, src->family);
	return 0;
}

/* A punted UDP 500/4500 datagram for us. */
static void host_input(void *arg, struct rte_mbuf *m, uint16_t port)
{
	struct pkt_info pi;
	struct ip_addr src, dst;
	const uint8_t *l3, *pay;
	uint32_t plen;

	(void)arg;
	(void)port;
	if (H.ike == NULL || pkt_parse(m, &pi) != 0 || pi.proto != IPPROTO_UDP ||
	    pi.l3_tot - pi.l3_len < 8)
		goto out;
	l3 = pkt_l3(m, &pi);
	if (pi.af == AF_INET) {
		ip_addr_from_v4(&src, ((const struct rte_ipv4_hdr *)l3)->src_addr);
		ip_addr_from_v4(&dst, ((const struct rte_ipv4_hdr *)l3)->dst_addr);
	} else {
		ip_addr_from_v6(&src, l3 + 8);
		ip_addr_from_v6(&dst, l3 + 24);
	}
	pay = l3 + pi.l3_len + 8;
	plen = pi.l3_tot - pi.l3_len - 8;
	ike_input(H.ike, &src, pi.sport, &dst, pi.dport, pay, plen);
out:
	rte_pktmbuf_free(m);
}

/* ---- children -> SAs and policies ---------------------------------------- */

static int rebuild_spd(void)
{
	unsigned n = H.n_base;
	struct spd_rule *all;
	char err[256];
	int rc;

	for (unsigned i = 0; i < H.n_ch; i++)
		n += H.ch[i].n_rules;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		return -ENOMEM;
	memcpy(all, H.base, H.n_base * sizeof(*all));
	n = H.n_base;
	for (unsigned i = 0; i < H.n_ch; i++) {
		memcpy(all + n, H.ch[i].rules, H.ch[i].n_rules * sizeof(*all));
		n += H.ch[i].n_rules;
	}
	rc = dp_spd_replace(H.dp, all, n, err, sizeof(err));
	if (rc < 0)
		ELOG(ERR, "IKE: SPD rebuild failed: %s", err);
	free(all);
	return rc;
}

static bool same_sel(const struct ts *a, const struct ts *b)
{
	return a->proto == b->proto && a->src.len == b->src.len &&
	       a->dst.len == b->dst.len && ip_addr_eq(&a->src.addr, &b->src.addr) &&
	       ip_addr_eq(&a->dst.addr, &b->dst.addr) && a->sport_lo == b->sport_lo &&
	       a->sport_hi == b->sport_hi && a->dport_lo == b->dport_lo &&
	       a->dport_hi == b->dport_hi;
}

/* A rekeyed child takes over its predecessor's outbound selectors
 * (RFC 7296 §2.8): drop the older outbound rules that the new ones repeat,
 * so the lookup is never a tie. The old inbound SA stays until deleted. */
static void supersede(const struct child_rec *nc)
{
	for (unsigned c = 0; c < H.n_ch; c++) {
		struct child_rec *o = &H.ch[c];
		unsigned k = 0;

		for (unsigned i = 0; i < o->n_rules; i++) {
			bool dup = false;

			for (unsigned j = 0; j < nc->n_rules && o->rules[i].dir == SA_DIR_OUT; j++)
				dup |= nc->rules[j].dir == SA_DIR_OUT &&
				       same_sel(&o->rules[i].sel, &nc->rules[j].sel);
			if (!dup)
				o->rules[k++] = o->rules[i];
		}
		o->n_rules = k;
	}
}

static int make_rules(struct child_rec *r, const struct ike_child_sas *c)
{
	r->rules = calloc((size_t)c->out.n_ts + c->in.n_ts + 1, sizeof(*r->rules));
	if (r->rules == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < c->out.n_ts; i++)
		r->rules[r->n_rules++] = (struct spd_rule){ SA_DIR_OUT, c->out.ts[i],
			c->priority, SPD_PROTECT, r->out_id };
	for (unsigned i = 0; i < c->in.n_ts; i++)
		r->rules[r->n_rules++] = (struct spd_rule){ SA_DIR_IN, c->in.ts[i],
			c->priority, SPD_PROTECT, r->in_id };
	return 0;
}

static int host_child_install(void *host, const struct ike_child_sas *c)
{
	struct dp *dp = host;
	struct child_rec r = { .id = c->id };
	char err[256];

	if (H.n_ch == H.cap_ch) {
		unsigned cap = H.cap_ch ? 2 * H.cap_ch : 16;
		struct child_rec *n = realloc(H.ch, cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		H.ch = n;
		H.cap_ch = cap;
	}
	if (dp_sa_add(dp, &c->out, &r.out_id, err, sizeof(err)) < 0) {
		ELOG(ERR, "IKE child %s/%s: %s", c->conn, c->child, err);
		return -EINVAL;
	}
	if (dp_sa_add(dp, &c->in, &r.in_id, err, sizeof(err)) < 0) {
		ELOG(ERR, "IKE child %s/%s: %s", c->conn, c->child, err);
		dp_sa_del(dp, r.out_id);
		return -EINVAL;
	}
	if (make_rules(&r, c) < 0) {
		dp_sa_del(dp, r.out_id);
		dp_sa_del(dp, r.in_id);
		return -ENOMEM;
	}
	supersede(&r);
	H.ch[H.n_ch++] = r;
	ELOG(INFO, "IKE child %s/%s installed: SPI in 0x%08x out 0x%08x, %s%s",
	     c->conn, c->child, c->in.spi, c->out.spi, c->out.alg->name,
	     c->out.encap ? ", UDP-encapsulated" : "");
	return rebuild_spd();
}

static struct child_rec *find_child(uint64_t id)
{
	for (unsigned i = 0; i < H.n_ch; i++)
		if (H.ch[i].id == id)
			return &H.ch[i];
	return NULL;
}

static int host_child_remove(void *host, uint64_t id)
{
	struct child_rec *r = find_child(id);

	if (r == NULL)
		return -ENOENT;
	dp_sa_del(host, r->out_id);
	dp_sa_del(host, r->in_id);
	free(r->rules);
	*r = H.ch[--H.n_ch];
	return rebuild_spd();
}

/*
 * The workers keep no time of the last inbound packet: that was a store to
 * a line of the SA's for every run, a cache miss a packet with thousands
 * of SAs. The packet count tells it instead: when it has moved since the
 * last call, a packet came in since then. The daemon asks every tick while
 * it waits to probe a peer (ike_timer.c), so the time is late by a tick at
 * most, which only ever delays a probe.
 */
static int host_child_stats(void *host, uint64_t id, struct ike_child_stats *st)
{
	struct child_rec *r = find_child(id);
	struct sa *in, *out;
	struct sa_stats c;

	(void)host;
	memset(st, 0, sizeof(*st));
	if (r == NULL)
		return -ENOENT;
	in = dp_sa_get(H.dp, r->in_id);
	out = dp_sa_get(H.dp, r->out_id);
	if (in) {
		dp_sa_stats(H.dp, in, &c);
		st->in_packets = c.run.packets;
		st->in_bytes = c.run.bytes;
		if (c.run.packets != r->in_seen) {
			r->in_seen = c.run.packets;
			r->in_seen_ms = ctl_now_ms();
		}
		st->last_in_ms = r->in_seen_ms;
	}
	if (out) {
		dp_sa_stats(H.dp, out, &c);
		st->out_packets = c.run.packets;
		st->out_bytes = c.run.bytes;
	}
	return 0;
}

/* The library's messages (syslog levels, never key material) into ours. */
static void host_log(void *host, int level, const char *msg)
{
	(void)host;
	rte_log((uint32_t)(level <= 3 ? RTE_LOG_ERR : level == 4 ? RTE_LOG_WARNING :
			   level == 5 ? RTE_LOG_NOTICE : level == 6 ? RTE_LOG_INFO
								  : RTE_LOG_DEBUG),
		esprit_logtype, "esprit: IKE: %s\n", msg);
}

static uint64_t host_now_ms(void *host)
{
	(void)host;
	return ctl_now_ms();
}

/* SA lifetime events for SAs that belong to a child go to the daemon. */
static void host_sa_event(void *arg, uint32_t sa_id, int ev)
{
	(void)arg;
	for (unsigned i = 0; i < H.n_ch && H.ike; i++) {
		bool in = H.ch[i].in_id == sa_id;

		if (in || H.ch[i].out_id == sa_id) {
			ike_child_event(H.ike, H.ch[i].id, in,
					ev == SA_EV_SOFT ? IKE_SA_SOFT_EXPIRED
							 : IKE_SA_HARD_EXPIRED);
			return;
		}
	}
}

/* RFC 3948 §2.3: one 0xff byte from our NAT-T port keeps the mapping. */
static void keepalives(void)
{
	static const uint8_t ka = 0xff;

	for (unsigned i = 0; i < H.n_ch; i++) {
		struct sa *sa = dp_sa_get(H.dp, H.ch[i].out_id);

		if (sa && sa->encap)
			host_send(H.dp, &sa->p->src, sa->p->encap_sport, &sa->p->dst,
				  sa->p->encap_dport, &ka, 1);
	}
}

static const struct ike_host_ops ops = {
	.send = host_send,
	.child_install = host_child_install,
	.child_remove = host_child_remove,
	.child_stats = host_child_stats,
	.now_ms = host_now_ms,
	.log = host_log,
};

int ike_host_init(struct dp *dp, const struct spd_rule *base, unsigned n_base,
		  char *err, size_t errlen)
{
	H.dp = dp;
	H.base = malloc((n_base ? n_base : 1) * sizeof(*base));
	if (H.base == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(H.base, base, n_base * sizeof(*base));
	H.n_base = n_base;
	if (!has_connections(dp->conf))
		return 0;
	H.ike = ike_new(&ops, dp);
	if (H.ike == NULL) {
		snprintf(err, errlen, "IKE: out of memory");
		return -ENOMEM;
	}
	if (ike_load_config(H.ike, dp->conf->cfg, dp->conf->path, err, errlen) < 0)
		return -EINVAL;
	ctl_set_ike(host_input, host_sa_event, NULL);
	H.next_keepalive_ms = ctl_now_ms() + KEEPALIVE_MS;
	return 0;
}

void ike_host_poll(struct dp *dp)
{
	(void)dp;
	if (H.ike == NULL)
		return;
	ike_tick(H.ike);
	if (ctl_now_ms() >= H.next_keepalive_ms) {
		H.next_keepalive_ms += KEEPALIVE_MS;
		keepalives();
	}
}

void ike_host_fini(struct dp *dp)
{
	(void)dp;
	if (H.ike)
		ike_free(H.ike);
	for (unsigned i = 0; i < H.n_ch; i++)
		free(H.ch[i].rules);
	free(H.ch);
	free(H.base);
	memset(&H, 0, sizeof(H));
}
