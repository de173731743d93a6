/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl/telemetry.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ctl/control.h"
#include "dp/dp_tables.h"

static struct dp *T_dp;

void stats_port_sum(const struct dp *dp, unsigned port, struct dp_port_ctr *o)
{
	memset(o, 0, sizeof(*o));
	for (unsigned w = 0; w < dp->n_workers; w++) {
		const struct dp_port_ctr *c = &dp->wk[w]->ctr.port[port];

		o->rx += c->rx;
		o->tx += c->tx;
		o->rx_bytes += c->rx_bytes;
		o->tx_bytes += c->tx_bytes;
		o->esp_in += c->esp_in;
		o->esp_out += c->esp_out;
		o->bypass += c->bypass;
		o->punted += c->punted;
	}
}

void stats_drop_sum(const struct dp *dp, uint64_t out[DROP_MAX])
{
	memset(out, 0, sizeof(uint64_t) * DROP_MAX);
	for (unsigned w = 0; w < dp->n_workers; w++)
		for (unsigned d = 0; d < DROP_MAX; d++)
			out[d] += dp->wk[w]->ctr.drops[d];
}

static void port_dict(struct rte_tel_data *d, const struct dp_port_ctr *c)
{
	rte_tel_data_add_dict_u64(d, "rx_packets", c->rx);
	rte_tel_data_add_dict_u64(d, "rx_bytes", c->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", c->tx);
	rte_tel_data_add_dict_u64(d, "tx_bytes", c->tx_bytes);
	rte_tel_data_add_dict_u64(d, "esp_in", c->esp_in);
	rte_tel_data_add_dict_u64(d, "esp_out", c->esp_out);
	rte_tel_data_add_dict_u64(d, "bypass", c->bypass);
	rte_tel_data_add_dict_u64(d, "punted", c->punted);
}

static int cb_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned p = 0; p < T_dp->n_ports; p++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct dp_port_ctr s;
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		if (c == NULL)
			return -ENOMEM;
		stats_port_sum(T_dp, p, &s);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "dpdk_port", T_dp->port[p].port_id);
		rte_tel_data_add_dict_string(c, "role",
			T_dp->port[p].role == PORT_ROLE_LAN ? "lan" : "wan");
		rte_ether_format_addr(mac, sizeof(mac), &T_dp->port[p].mac);
		rte_tel_data_add_dict_string(c, "mac", mac);
		rte_tel_data_add_dict_int(c, "mtu", T_dp->port[p].mtu);
		port_dict(c, &s);
		rte_tel_data_add_dict_container(d, T_dp->port[p].name, c, 0);
	}
	return 0;
}

static int cb_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t v[DROP_MAX];

	stats_drop_sum(T_dp, v);
	rte_tel_data_start_dict(d);
	for (unsigned i = DROP_FIRST; i < DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, drop_names[i], v[i]);
	return 0;
}

static int cb_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dp_port_ctr t = { 0 }, s;
	uint64_t v[DROP_MAX], dropped = 0;

	for (unsigned p = 0; p < T_dp->n_ports; p++) {
		stats_port_sum(T_dp, p, &s);
		t.rx += s.rx;
		t.tx += s.tx;
		t.rx_bytes += s.rx_bytes;
		t.tx_bytes += s.tx_bytes;
		t.esp_in += s.esp_in;
		t.esp_out += s.esp_out;
		t.bypass += s.bypass;
		t.punted += s.punted;
	}
	stats_drop_sum(T_dp, v);
	for (unsigned i = 0; i < DROP_MAX; i++)
		dropped += v[i];
	rte_tel_data_start_dict(d);
	port_dict(d, &t);
	rte_tel_data_add_dict_u64(d, "dropped", dropped);
	return 0;
}

static int cb_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < T_dp->n_workers; i++) {
		const struct worker *w = T_dp->wk[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char name[16];
		uint64_t dropped = 0;

		if (c == NULL)
			return -ENOMEM;
		for (unsigned r = 0; r < DROP_MAX; r++)
			dropped += w->ctr.drops[r];
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "lcore", (int)w->lcore);
		rte_tel_data_add_dict_int(c, "rx_queues", (int)w->n_rxq);
		/* what its next rx asks for: options.burst, or adaptive */
		rte_tel_data_add_dict_int(c, "rx_burst", (int)w->rx_burst);
		rte_tel_data_add_dict_u64(c, "loops", w->ctr.loops);
		rte_tel_data_add_dict_u64(c, "busy_loops", w->ctr.busy_loops);
		rte_tel_data_add_dict_u64(c, "busy_cycles", w->ctr.busy_cycles);
		rte_tel_data_add_dict_u64(c, "fragments_in", w->ctr.frags_in);
		rte_tel_data_add_dict_u64(c, "reassembled", w->ctr.reassembled);
		/* outbound IPv4 SPD lookups answered by the decision cache, and
		 * those that went to rte_acl (spd.h) */
		rte_tel_data_add_dict_u64(c, "spd_cache_hits", w->spdc_out.hits);
		rte_tel_data_add_dict_u64(c, "spd_cache_misses", w->spdc_out.misses);
		rte_tel_data_add_dict_u64(c, "dropped", dropped);
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

#define SAS_PAGE 100

/* /esprit/sas[,FIRST_ID]: a page of SAs, "next" = where the next page starts. */
static int cb_sas(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t id = params && *params ? (uint32_t)strtoul(params, NULL, 0) : 0;
	unsigned n = 0;

	rte_tel_data_start_dict(d);
	dp_tables_lock();
	for (; id < dp_sa_cap(T_dp) && n < SAS_PAGE; id++) {
		struct sa *sa = dp_sa_get(T_dp, id);
		struct sa_stats c;
		char key[16], val[RTE_TEL_MAX_STRING_LEN];

		if (sa == NULL)
			continue;
		dp_sa_stats(T_dp, sa, &c);
		snprintf(key, sizeof(key), "%u", id);
		snprintf(val, sizeof(val), "%s spi=0x%08x %s %s %s packets=%" PRIu64
			 " bytes=%" PRIu64, sa->p->name, sa->p->spi,
			 sa->dir == SA_DIR_IN ? "in" : "out",
			 sa->mode == SA_MODE_TUNNEL ? "tunnel" : "transport",
			 sa->p->alg->name, c.run.packets, c.run.bytes);
		rte_tel_data_add_dict_string(d, key, val);
		n++;
	}
	dp_tables_unlock();
	rte_tel_data_add_dict_u64(d, "next", id < dp_sa_cap(T_dp) ? id : 0);
	return 0;
}

static struct sa *find_sa(const char *params)
{
	char *end;
	unsigned long id;

	if (params == NULL || *params == '\0')
		return NULL;
	id = strtoul(params, &end, 0);
	if (*end == '\0')
		return dp_sa_get(T_dp, (uint32_t)id);
	for (uint32_t i = 0; i < dp_sa_cap(T_dp); i++) {
		struct sa *sa = dp_sa_get(T_dp, i);

		if (sa && strcmp(sa->p->name, params) == 0)
			return sa;
	}
	return NULL;
}

/* /esprit/sa,ID|NAME: one SA in full (never its keys). */
static int cb_sa(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *drops;
	struct sa_stats c;
	struct sa *sa;
	char a[IP_ADDR_STRLEN];

	dp_tables_lock();
	sa = find_sa(params);
	if (sa == NULL) {
		dp_tables_unlock();
		return -EINVAL;
	}
	dp_sa_stats(T_dp, sa, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", (int)sa->id);
	rte_tel_data_add_dict_string(d, "name", sa->p->name);
	rte_tel_data_add_dict_u64(d, "spi", sa->p->spi);
	rte_tel_data_add_dict_string(d, "direction", sa->dir == SA_DIR_IN ? "in" : "out");
	rte_tel_data_add_dict_string(d, "mode", sa->mode == SA_MODE_TUNNEL ? "tunnel" : "transport");
	rte_tel_data_add_dict_string(d, "alg", sa->p->alg->name);
	rte_tel_data_add_dict_string(d, "src", ip_addr_fmt(&sa->p->src, a, sizeof(a)));
	rte_tel_data_add_dict_string(d, "dst", ip_addr_fmt(&sa->p->dst, a, sizeof(a)));
	rte_tel_data_add_dict_int(d, "esn", sa->p->esn);
	rte_tel_data_add_dict_int(d, "udp_encap", sa->encap);
	rte_tel_data_add_dict_u64(d, "replay_window", sa->p->replay_window);
	rte_tel_data_add_dict_u64(d, "seq", sa->dir == SA_DIR_OUT ? sa->seq : sa->rw.top);
	rte_tel_data_add_dict_u64(d, "packets", c.run.packets);
	rte_tel_data_add_dict_u64(d, "bytes", c.run.bytes);
	rte_tel_data_add_dict_string(d, "state", sa->state & SA_ST_DEAD ? "expired" :
				     sa->state & SA_ST_SOFT_RAISED ? "soft-expired" : "active");
	drops = rte_tel_data_alloc();
	if (drops) {
		rte_tel_data_start_dict(drops);
		for (unsigned i = 0; i < DROP_MAX; i++)
			if (c.drops[i])
				rte_tel_data_add_dict_u64(drops, drop_names[i], c.drops[i]);
		rte_tel_data_add_dict_container(d, "drops", drops, 0);
	}
	dp_tables_unlock();
	return 0;
}

static int cb_control(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ctl_stats *s = &g_ctl_stats;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "arp_in", s->arp_in);
	rte_tel_data_add_dict_u64(d, "arp_replies", s->arp_replies);
	rte_tel_data_add_dict_u64(d, "arp_requests", s->arp_requests);
	rte_tel_data_add_dict_u64(d, "nd_in", s->nd_in);
	rte_tel_data_add_dict_u64(d, "na_sent", s->na_sent);
	rte_tel_data_add_dict_u64(d, "ns_sent", s->ns_sent);
	rte_tel_data_add_dict_u64(d, "echo_replies", s->echo_replies);
	rte_tel_data_add_dict_u64(d, "icmp_errors", s->icmp_errors);
	rte_tel_data_add_dict_u64(d, "icmp_rate_limited", s->icmp_rate_limited);
	rte_tel_data_add_dict_u64(d, "resolved", s->resolved);
	rte_tel_data_add_dict_u64(d, "held", s->held);
	rte_tel_data_add_dict_u64(d, "hold_dropped", s->hold_dropped);
	rte_tel_data_add_dict_u64(d, "ike_in", s->ike_in);
	rte_tel_data_add_dict_u64(d, "sa_soft_events", s->sa_soft);
	rte_tel_data_add_dict_u64(d, "sa_hard_events", s->sa_hard);
	rte_tel_data_add_dict_u64(d, "tx", s->ctl_tx);
	rte_tel_data_add_dict_u64(d, "tx_full", s->ctl_tx_full);
	return 0;
}

static int cb_neighbours(const char *cmd, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < neigh_count(T_dp->nt) && i < 200; i++) {
		const struct neigh *n = neigh_at(T_dp->nt, i);
		char ip[IP_ADDR_STRLEN], v[48];
		uint8_t mac[6];

		if (neigh_mac(n, mac))
			snprintf(v, sizeof(v), "%02x:%02x:%02x:%02x:%02x:%02x %s port %s",
				 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
				 n->mac_state & NEIGH_STATIC ? "static" : "dynamic",
				 T_dp->port[n->port].name);
		else
			snprintf(v, sizeof(v), "incomplete port %s", T_dp->port[n->port].name);
		rte_tel_data_add_dict_string(d, ip_addr_fmt(&n->ip, ip, sizeof(ip)), v);
	}
	return 0;
}

static int cb_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned n = 0;

	dp_tables_lock();
	for (uint32_t i = 0; i < dp_sa_cap(T_dp); i++)
		n += dp_sa_get(T_dp, i) != NULL;
	dp_tables_unlock();
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", ESPRIT_VERSION);
	rte_tel_data_add_dict_string(d, "config", T_dp->conf->path);
	rte_tel_data_add_dict_int(d, "ports", (int)T_dp->n_ports);
	rte_tel_data_add_dict_int(d, "workers", (int)T_dp->n_workers);
	rte_tel_data_add_dict_int(d, "main_lcore_is_worker", T_dp->main_is_worker);
	rte_tel_data_add_dict_int(d, "sas", (int)n);
	rte_tel_data_add_dict_int(d, "sa_capacity", (int)dp_sa_cap(T_dp));
	rte_tel_data_add_dict_int(d, "neighbours", (int)neigh_count(T_dp->nt));
	rte_tel_data_add_dict_u64(d, "tsc_hz", T_dp->tsc_hz);
	return 0;
}

int telemetry_init(struct dp *dp)
{
	T_dp = dp;
	rte_telemetry_register_cmd("/esprit/info", cb_info, "Version and sizes. No parameters");
	rte_telemetry_register_cmd("/esprit/stats", cb_stats, "Totals over all ports. No parameters");
	rte_telemetry_register_cmd("/esprit/ports", cb_ports, "Per-port counters. No parameters");
	rte_telemetry_register_cmd("/esprit/drops", cb_drops, "Drops by reason. No parameters");
	rte_telemetry_register_cmd("/esprit/workers", cb_workers, "Per-worker state. No parameters");
	rte_telemetry_register_cmd("/esprit/sas", cb_sas, "SAs, 100 per page. Parameter: first SA id");
	rte_telemetry_register_cmd("/esprit/sa", cb_sa, "One SA. Parameter: SA id or name");
	rte_telemetry_register_cmd("/esprit/control", cb_control, "Control plane counters. No parameters");
	rte_telemetry_register_cmd("/esprit/neighbours", cb_neighbours, "Neighbour table. No parameters");
	return 0;
}

void stats_report(const struct dp *dp, FILE *f)
{
	uint64_t v[DROP_MAX];

	fprintf(f, "%-10s %12s %12s %12s %12s %10s %10s\n", "port", "rx", "tx",
		"esp_in", "esp_out", "bypass", "punted");
	for (unsigned p = 0; p < dp->n_ports; p++) {
		struct dp_port_ctr s;

		stats_port_sum(dp, p, &s);
		fprintf(f, "%-10s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
			" %10" PRIu64 " %10" PRIu64 "\n", dp->port[p].name, s.rx, s.tx,
			s.esp_in, s.esp_out, s.bypass, s.punted);
	}
	stats_drop_sum(dp, v);
	fprintf(f, "drops:");
	for (unsigned i = 0; i < DROP_MAX; i++)
		if (v[i])
			fprintf(f, " %s=%" PRIu64, drop_names[i], v[i]);
	fprintf(f, "\nSAs:\n");
	for (uint32_t i = 0; i < dp_sa_cap((struct dp *)dp); i++) {
		struct sa *sa = dp_sa_get((struct dp *)dp, i);
		struct sa_stats c;

		if (sa == NULL)
			continue;
		dp_sa_stats(dp, sa, &c);
		fprintf(f, "  %-16s spi 0x%08x %-3s %-16s packets %" PRIu64 " bytes %" PRIu64,
			sa->p->name, sa->p->spi, sa->dir == SA_DIR_IN ? "in" : "out",
			sa->p->alg->name, c.run.packets, c.run.bytes);
		for (unsigned r = 0; r < DROP_MAX; r++)
			if (c.drops[r])
				fprintf(f, " %s=%" PRIu64, drop_names[r], c.drops[r]);
		fputc('\n', f);
		if (i > 64 && dp_sa_cap((struct dp *)dp) > 128) {
			fprintf(f, "  ... (see /esprit/sas)\n");
			break;
		}
	}
}
