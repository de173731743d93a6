/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON listings for the control socket: connections, SAs (with child
 * counters from the host), and the message counters.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike_sa.h"

struct jb {
	char *b;
	size_t cap, len;
	bool err;
};

static void jp(struct jb *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void jp(struct jb *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->b + j->len, j->cap - j->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= j->cap - j->len)
		j->err = true;
	else
		j->len += (size_t)n;
}

/* A JSON string with escapes. */
static void js(struct jb *j, const char *s)
{
	jp(j, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			jp(j, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			jp(j, "\\u%04x", ch);
		else
			jp(j, "%c", ch);
	}
	jp(j, "\"");
}

static int jdone(struct jb *j)
{
	return j->err ? -ENOSPC : (int)j->len;
}

static void ts_list(struct jb *j, const char *key, const struct ike_ts_list *l)
{
	char buf[128];

	jp(j, "\"%s\":[", key);
	for (unsigned i = 0; i < l->n; i++) {
		jp(j, i ? "," : "");
		js(j, ike_tsel_fmt(&l->ts[i], buf, sizeof(buf)));
	}
	jp(j, "]");
}

static void auth(struct jb *j, const char *side, const struct ike_auth_cfg *a)
{
	char id[300];

	jp(j, "\"%s\":{\"auth\":\"%s\",\"id\":", side,
	   a->auth == IKE_AUTHK_PSK ? "psk" : "pubkey");
	js(j, ike_id_fmt(&a->id, id, sizeof(id)));
	jp(j, "}");
}

static const char *const start_names[] = { "none", "start", "trap" };

static void conn_json(struct jb *j, const struct ike_conn *c)
{
	char a[IP_ADDR_STRLEN], b[IP_ADDR_STRLEN];

	jp(j, "{\"name\":");
	js(j, c->name);
	jp(j, ",\"local_addrs\":\"%s\",\"remote_addrs\":\"%s\","
	      "\"local_port\":%u,\"remote_port\":%u,\"dpd_delay\":%u,"
	      "\"rekey_time\":%u,",
	   ip_addr_fmt(&c->local, a, sizeof(a)),
	   c->remote_any ? "%any" : ip_addr_fmt(&c->remote, b, sizeof(b)),
	   c->local_port, c->remote_port, c->dpd_delay, c->rekey_time);
	auth(j, "local", &c->local_auth);
	jp(j, ",");
	auth(j, "remote", &c->remote_auth);
	jp(j, ",\"children\":[");
	for (unsigned i = 0; i < c->n_children; i++) {
		const struct ike_child_cfg *ch = &c->children[i];

		jp(j, "%s{\"name\":", i ? "," : "");
		js(j, ch->name);
		jp(j, ",\"mode\":\"%s\",\"start_action\":\"%s\",\"rekey_time\":%u,",
		   ch->mode == SA_MODE_TRANSPORT ? "transport" : "tunnel",
		   start_names[ch->start_action], ch->rekey_time);
		ts_list(j, "local_ts", &ch->local_ts);
		jp(j, ",");
		ts_list(j, "remote_ts", &ch->remote_ts);
		jp(j, "}");
	}
	jp(j, "]}");
}

int ike_list_conns_json(struct ike *ike, char *buf, size_t cap)
{
	struct jb j = { buf, cap, 0, cap == 0 };

	jp(&j, "{\"conns\":[");
	for (unsigned i = 0; ike->conf && i < ike->conf->n_conns; i++) {
		jp(&j, i ? "," : "");
		conn_json(&j, &ike->conf->conns[i]);
	}
	jp(&j, "]}");
	return jdone(&j);
}

static const char *state_name(enum ike_state s)
{
	static const char *const n[] = { "CONNECTING", "CONNECTING",
		"CONNECTING", "ESTABLISHED", "REKEYED", "DELETING", "DELETED" };

	return n[s];
}

static void child_json(struct jb *j, struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child_stats st = { 0 };
	char alg[128];

	if (sa->ike->ops.child_stats)
		sa->ike->ops.child_stats(sa->ike->host, c->id, &st);
	jp(j, "{\"name\":");
	js(j, c->name);
	jp(j, ",\"id\":%llu,\"state\":\"%s\",\"mode\":\"%s\",\"spi_in\":\"%08x\","
	      "\"spi_out\":\"%08x\",\"alg\":\"%s\",\"encap\":%s,"
	      "\"in_packets\":%llu,\"in_bytes\":%llu,\"out_packets\":%llu,"
	      "\"out_bytes\":%llu,",
	   (unsigned long long)c->id,
	   c->rekeyed ? "REKEYED" : c->rekeying ? "REKEYING" : "INSTALLED",
	   c->mode == SA_MODE_TRANSPORT ? "transport" : "tunnel", c->spi_in,
	   c->spi_out, ike_suite_name(&c->suite, alg, sizeof(alg)),
	   sa->natt ? "true" : "false", (unsigned long long)st.in_packets,
	   (unsigned long long)st.in_bytes, (unsigned long long)st.out_packets,
	   (unsigned long long)st.out_bytes);
	ts_list(j, "local_ts", &c->ts_local);
	jp(j, ",");
	ts_list(j, "remote_ts", &c->ts_remote);
	jp(j, "}");
}

static void spi_hex(struct jb *j, const char *key, const uint8_t s[8])
{
	jp(j, "\"%s\":\"%02x%02x%02x%02x%02x%02x%02x%02x\"", key, s[0], s[1],
	   s[2], s[3], s[4], s[5], s[6], s[7]);
}

static void sa_json(struct jb *j, struct ike_sa *sa, uint64_t now)
{
	char a[IP_ADDR_STRLEN], b[IP_ADDR_STRLEN], alg[128], id[300];

	jp(j, "{\"conn\":");
	js(j, sa->conn ? sa->conn->name : "");
	jp(j, ",\"serial\":%llu,\"state\":\"%s\",\"initiator\":%s,",
	   (unsigned long long)sa->serial, state_name(sa->state),
	   sa->initiator ? "true" : "false");
	spi_hex(j, "spi_i", sa->spi_i);
	jp(j, ",");
	spi_hex(j, "spi_r", sa->spi_r);
	jp(j, ",\"local\":\"%s\",\"local_port\":%u,\"remote\":\"%s\","
	      "\"remote_port\":%u,\"nat_local\":%s,\"nat_remote\":%s,"
	      "\"alg\":\"%s\",\"established_s\":%llu,\"remote_id\":",
	   ip_addr_fmt(&sa->local, a, sizeof(a)), sa->lport,
	   ip_addr_fmt(&sa->remote, b, sizeof(b)), sa->rport,
	   sa->nat_local ? "true" : "false", sa->nat_remote ? "true" : "false",
	   sa->have_keys ? ike_suite_name(&sa->suite, alg, sizeof(alg)) : "",
	   (unsigned long long)(sa->established_ms
				? (now - sa->established_ms) / 1000 : 0));
	js(j, ike_id_fmt(&sa->peer_id, id, sizeof(id)));
	jp(j, ",\"children\":[");
	for (struct ike_child *c = sa->children; c; c = c->next) {
		child_json(j, sa, c);
		jp(j, c->next ? "," : "");
	}
	jp(j, "]}");
}

int ike_list_sas_json(struct ike *ike, char *buf, size_t cap)
{
	struct jb j = { buf, cap, 0, cap == 0 };
	uint64_t now = ike_now(ike);
	bool first = true;

	jp(&j, "{\"sas\":[");
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD)
			continue;
		jp(&j, first ? "" : ",");
		first = false;
		sa_json(&j, sa, now);
	}
	jp(&j, "]}");
	return jdone(&j);
}

int ike_stats_json(struct ike *ike, char *buf, size_t cap)
{
	static const char *const names[] = {
#define X(n, d) #n,
		IKE_COUNTERS(X)
#undef X
	};
	struct jb j = { buf, cap, 0, cap == 0 };
	unsigned sas = 0, children = 0;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD)
			continue;
		sas++;
		for (struct ike_child *c = sa->children; c; c = c->next)
			children++;
	}
	jp(&j, "{\"ike_sas\":%u,\"child_sas\":%u,\"counters\":{", sas, children);
	for (unsigned i = 0; i < IKE_C_MAX; i++)
		jp(&j, "%s\"%s\":%llu", i ? "," : "", names[i],
		   (unsigned long long)ike->ctr[i]);
	jp(&j, "}}");
	return jdone(&j);
}
