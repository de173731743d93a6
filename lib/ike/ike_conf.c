/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `connections` (swanctl.conf's model) from the libconfig tree. The
 * `secrets` section, credentials and lookups are in ike_conf_sec.c.
 */
#include "ike/ike_conf.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/ike_conf_int.h"
#include "ike/ike_msg.h"

int ike_cerr(struct ike_cctx *c, const config_setting_t *s, const char *fmt,
	     ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d: %s", c->path,
		 s ? config_setting_source_line(s) : 0, msg);
	return -EINVAL;
}

/* Every member must be one of `keys` (a misspelt option is an error). */
int ike_ckeys(struct ike_cctx *c, const config_setting_t *g,
	      const char *const *keys)
{
	if (!config_setting_is_group(g))
		return ike_cerr(c, g, "'%s' must be a group { ... }",
				config_setting_name(g) ? config_setting_name(g) : "");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		bool ok = false;

		for (unsigned k = 0; keys[k] && !ok; k++)
			ok = strcmp(keys[k], name) == 0;
		if (!ok)
			return ike_cerr(c, m, "unknown key '%s'", name);
	}
	return 0;
}

/* A string member; *out NULL when absent. */
int ike_cstr(struct ike_cctx *c, const config_setting_t *g, const char *key,
	     const char **out)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	*out = NULL;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
		return ike_cerr(c, m, "'%s' must be a string", key);
	*out = config_setting_get_string(m);
	return 0;
}

int ike_cu64(struct ike_cctx *c, const config_setting_t *g, const char *key,
	     uint64_t max, uint64_t *out)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	long long v;

	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_INT &&
	    config_setting_type(m) != CONFIG_TYPE_INT64)
		return ike_cerr(c, m, "'%s' must be an integer", key);
	v = config_setting_get_int64(m);
	if (v < 0 || (uint64_t)v > max)
		return ike_cerr(c, m, "'%s' out of range 0..%llu", key,
				(unsigned long long)max);
	*out = (uint64_t)v;
	return 0;
}

static int cu32(struct ike_cctx *c, const config_setting_t *g, const char *key,
		uint32_t max, uint32_t *out)
{
	uint64_t v = *out;
	int rc = ike_cu64(c, g, key, max, &v);

	*out = (uint32_t)v;
	return rc;
}

static int pick(struct ike_cctx *c, const config_setting_t *g, const char *key,
		const char *const *words, int *out)
{
	const char *s;

	if (ike_cstr(c, g, key, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return 0;
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], s) == 0) {
			*out = i;
			return 0;
		}
	return ike_cerr(c, config_setting_get_member(g, key),
			"bad %s '%s'", key, s);
}

static int child_ts(struct ike_cctx *c, const config_setting_t *g,
		    const char *key, struct ike_ts_list *out)
{
	const char *s;

	if (ike_cstr(c, g, key, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return ike_cerr(c, g, "child needs %s", key);
	if (ike_ts_conf_parse(s, out) < 0)
		return ike_cerr(c, config_setting_get_member(g, key),
				"bad traffic selector list '%s'", s);
	return 0;
}

/* Every ESP encryption/integrity pair must exist in the data plane's
 * alg.h table. */
static int esp_supported(const struct ike_offer *o, char *err, size_t n)
{
	for (unsigned i = 0; i < o->n; i++) {
		const struct ike_prop *p = &o->p[i];

		for (unsigned e = 0; e < p->n_xf; e++) {
			struct ike_suite s = { .encr = p->xf[e].id,
					       .keylen = p->xf[e].keylen };
			bool integ = false;

			if (p->xf[e].type != IKE_XF_ENCR)
				continue;
			for (unsigned a = 0; a < p->n_xf; a++) {
				if (p->xf[a].type != IKE_XF_INTEG)
					continue;
				integ = true;
				s.integ = p->xf[a].id;
				if (!ike_suite_alg(&s))
					goto bad;
			}
			if (!integ && !ike_suite_alg(&s))
				goto bad;
			continue;
bad:
			snprintf(err, n, "proposal %u not supported by the data plane",
				 i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_child(struct ike_cctx *c, const config_setting_t *g,
		      struct ike_child_cfg *ch)
{
	static const char *const keys[] = { "local_ts", "remote_ts",
		"esp_proposals", "mode", "start_action", "rekey_time",
		"life_time", "rekey_bytes", "rekey_packets", "replay_window",
		NULL };
	static const char *const modes[] = { "tunnel", "transport", NULL };
	static const char *const starts[] = { "none", "start", "trap", NULL };
	const char *s;
	char perr[128];
	int mode = 0, start = 0;

	snprintf(ch->name, sizeof(ch->name), "%s", config_setting_name(g));
	ch->line = config_setting_source_line(g);
	ch->rekey_time = 3600;
	ch->replay_window = 32;
	if (ike_ckeys(c, g, keys) < 0 || child_ts(c, g, "local_ts", &ch->local_ts) < 0 ||
	    child_ts(c, g, "remote_ts", &ch->remote_ts) < 0 ||
	    ike_cstr(c, g, "esp_proposals", &s) < 0)
		return -EINVAL;
	if (ike_prop_parse(s ? s : "aes128gcm16,aes128-sha256", IKE_PROTO_ESP,
			   &ch->esp, perr, sizeof(perr)) < 0)
		return ike_cerr(c, g, "esp_proposals: %s", perr);
	if (esp_supported(&ch->esp, perr, sizeof(perr)) < 0)
		return ike_cerr(c, g, "esp_proposals: %s", perr);
	if (pick(c, g, "mode", modes, &mode) < 0 ||
	    pick(c, g, "start_action", starts, &start) < 0 ||
	    cu32(c, g, "rekey_time", UINT32_MAX, &ch->rekey_time) < 0 ||
	    cu32(c, g, "life_time", UINT32_MAX, &ch->life_time) < 0 ||
	    ike_cu64(c, g, "rekey_bytes", UINT64_MAX >> 1, &ch->rekey_bytes) < 0 ||
	    ike_cu64(c, g, "rekey_packets", UINT64_MAX >> 1, &ch->rekey_packets) < 0 ||
	    cu32(c, g, "replay_window", SA_REPLAY_MAX, &ch->replay_window) < 0)
		return -EINVAL;
	ch->mode = mode ? SA_MODE_TRANSPORT : SA_MODE_TUNNEL;
	ch->start_action = (enum ike_start)start;
	/* strongSwan's default: the hard limit 10% above the soft one. */
	if (ch->life_time == 0)
		ch->life_time = ch->rekey_time + ch->rekey_time / 10;
	if (ch->life_time < ch->rekey_time)
		return ike_cerr(c, g, "life_time below rekey_time");
	return 0;
}

static int load_children(struct ike_cctx *c, const config_setting_t *g,
			 struct ike_conn *cn)
{
	int n;

	if (g == NULL || !config_setting_is_group(g) ||
	    (n = config_setting_length(g)) == 0)
		return ike_cerr(c, g ? g : NULL, "connection '%s' needs children",
				cn->name);
	cn->children = calloc((size_t)n, sizeof(*cn->children));
	if (cn->children == NULL)
		return ike_cerr(c, g, "out of memory");
	for (int i = 0; i < n; i++) {
		if (load_child(c, config_setting_get_elem(g, i),
			       &cn->children[i]) < 0)
			return -EINVAL;
		cn->n_children++;
	}
	return 0;
}

static int conn_addr(struct ike_cctx *c, const config_setting_t *g,
		     const char *key, struct ip_addr *a, bool *any)
{
	const char *s;

	if (ike_cstr(c, g, key, &s) < 0)
		return -EINVAL;
	if (s == NULL)
		return ike_cerr(c, g, "connection needs %s", key);
	if (any && strcmp(s, "%any") == 0) {
		*any = true;
		return 0;
	}
	if (ip_addr_parse(s, a) < 0)
		return ike_cerr(c, config_setting_get_member(g, key),
				"%s: not an IP address: '%s'", key, s);
	return 0;
}

static int load_conn(struct ike_cctx *c, const config_setting_t *g,
		     struct ike_conn *cn)
{
	static const char *const keys[] = { "version", "local_addrs",
		"remote_addrs", "local_port", "remote_port", "proposals",
		"dpd_delay", "dpd_action", "rekey_time", "reauth_time", "local",
		"remote", "children", NULL };
	static const char *const dpd[] = { "clear", "restart", NULL };
	uint32_t lport = IKE_PORT, rport = IKE_PORT, version = 2;
	const char *s;
	char perr[128];
	int act = 0;

	snprintf(cn->name, sizeof(cn->name), "%s", config_setting_name(g));
	cn->line = config_setting_source_line(g);
	cn->rekey_time = 14400;
	if (ike_ckeys(c, g, keys) < 0 ||
	    conn_addr(c, g, "local_addrs", &cn->local, NULL) < 0 ||
	    conn_addr(c, g, "remote_addrs", &cn->remote, &cn->remote_any) < 0 ||
	    cu32(c, g, "version", 2, &version) < 0 ||
	    cu32(c, g, "local_port", 65535, &lport) < 0 ||
	    cu32(c, g, "remote_port", 65535, &rport) < 0 ||
	    cu32(c, g, "dpd_delay", 86400, &cn->dpd_delay) < 0 ||
	    cu32(c, g, "rekey_time", UINT32_MAX, &cn->rekey_time) < 0 ||
	    cu32(c, g, "reauth_time", UINT32_MAX, &cn->reauth_time) < 0 ||
	    pick(c, g, "dpd_action", dpd, &act) < 0 ||
	    ike_cstr(c, g, "proposals", &s) < 0)
		return -EINVAL;
	if (version != 2 && version != 0)
		return ike_cerr(c, g, "only IKEv2 (version = 2)");
	if (!cn->remote_any && cn->remote.family != cn->local.family)
		return ike_cerr(c, g, "local and remote address families differ");
	cn->local_port = (uint16_t)lport;
	cn->remote_port = (uint16_t)rport;
	cn->dpd_action = (enum ike_dpd_action)act;
	if (ike_prop_parse(s ? s : "aes128-sha256-ecp256,aes128gcm16-prfsha256-ecp256",
			   IKE_PROTO_IKE, &cn->ike, perr, sizeof(perr)) < 0)
		return ike_cerr(c, config_setting_get_member(g, "proposals"),
				"proposals: %s", perr);
	if (ike_conf_auth(c, config_setting_get_member(g, "local"), true,
			  &cn->local_auth, g) < 0 ||
	    ike_conf_auth(c, config_setting_get_member(g, "remote"), false,
			  &cn->remote_auth, g) < 0)
		return -EINVAL;
	if (cn->local_auth.id.type == 0) { /* strongSwan: our IP address */
		cn->local_auth.id.type = cn->local.family == AF_INET
			? IKE_ID_IPV4 : IKE_ID_IPV6;
		cn->local_auth.id.len = (uint16_t)ip_addr_len(&cn->local);
		memcpy(cn->local_auth.id.data, cn->local.b, cn->local_auth.id.len);
	}
	return load_children(c, config_setting_get_member(g, "children"), cn);
}

static int load_conns(struct ike_cctx *c, const config_setting_t *g,
		      struct ike_conf *cf)
{
	int n;

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		return ike_cerr(c, g, "'connections' must be a group { ... }");
	n = config_setting_length(g);
	cf->conns = calloc(n ? (size_t)n : 1, sizeof(*cf->conns));
	if (cf->conns == NULL)
		return ike_cerr(c, g, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);

		if (strlen(config_setting_name(m)) >= IKE_NAME_MAX)
			return ike_cerr(c, m, "connection name too long");
		cf->n_conns++;
		if (load_conn(c, m, &cf->conns[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

struct ike_conf *ike_conf_load(const void *libconfig_cfg, const char *path,
			       char *err, size_t errlen)
{
	const config_t *cfg = libconfig_cfg;
	struct ike_cctx c = { path ? path : "config", err, errlen, "." };
	struct ike_conf *cf = calloc(1, sizeof(*cf));
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (err && errlen)
		err[0] = '\0';
	if (cf == NULL) {
		snprintf(err, errlen, "%s: out of memory", c.path);
		return NULL;
	}
	if (slash && (size_t)(slash - path) < sizeof(c.dir))
		snprintf(c.dir, sizeof(c.dir), "%.*s", (int)(slash - path), path);
	if (load_conns(&c, config_lookup(cfg, "connections"), cf) < 0 ||
	    ike_conf_secrets(&c, config_lookup(cfg, "secrets"), cf) < 0) {
		ike_conf_free(cf);
		return NULL;
	}
	return cf;
}

struct ike_conn *ike_conf_conn(const struct ike_conf *c, const char *name)
{
	for (unsigned i = 0; c && i < c->n_conns; i++)
		if (strcmp(c->conns[i].name, name) == 0)
			return &c->conns[i];
	return NULL;
}

struct ike_child_cfg *ike_conf_child(const struct ike_conn *c,
				     const char *name)
{
	for (unsigned i = 0; c && i < c->n_children; i++)
		if (strcmp(c->children[i].name, name) == 0)
			return &c->children[i];
	return NULL;
}
