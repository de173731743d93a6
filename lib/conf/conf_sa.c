/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration: security associations (manual keying, RFC 4301 §4.5). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "util/hex.h"

#define REPLAY_DEFAULT 64 /* inbound SAs without replay_window */

static bool sa_name_eq(const void *ctx, int idx, const void *key)
{
	return strcmp(((const struct conf *)ctx)->sas[idx].p.name, key) == 0;
}

static uint64_t name_hash(const char *name)
{
	return conf_hash(name, strlen(name), 0);
}

int conf_sa_by_name(const struct conf *c, const char *name)
{
	const struct conf_priv *pv = c->priv;

	if (name == NULL)
		return -1;
	if (pv && pv->sa_names.slot)
		return ctab_find(&pv->sa_names, name_hash(name), sa_name_eq, c,
				 name);
	for (unsigned i = 0; i < c->n_sas; i++)
		if (strcmp(c->sas[i].p.name, name) == 0)
			return (int)i;
	return -1;
}

static const config_setting_t *get(const config_setting_t *g, const char *k)
{
	return config_setting_get_member(g, k);
}

static int sa_spi(struct cctx *x, const config_setting_t *g,
		  const char *where, struct sa_params *p)
{
	const config_setting_t *s = get(g, "spi");
	int64_t v;

	if (s == NULL)
		return cerr(x, g, "%s: missing \"spi\"", where);
	if (conf_int_value(x, s, where, "spi", INT64_MIN, INT64_MAX, &v) < 0)
		return -1;
	if (v == 0)
		return cerr(x, s, "%s: spi 0 is reserved (RFC 4303 §2.1): use "
			    "1..0xffffffff", where);
	if (v < 0 || v > UINT32_MAX)
		return cerr(x, s, "%s: spi must be 1..0xffffffff, got %" PRId64,
			    where, v);
	p->spi = (uint32_t)v;
	return 0;
}

static int sa_proto_mode(struct cctx *x, const config_setting_t *g,
			 const char *where, struct sa_params *p)
{
	static const char *const dirs[] = { "out", "in", NULL };
	static const char *const modes[] = { "tunnel", "transport", NULL };
	int dir = 0, mode = 0, r;
	const char *s;

	if (conf_get_enum(x, g, "direction", where, dirs, true, &dir) < 0 ||
	    conf_get_enum(x, g, "mode", where, modes, false, &mode) < 0)
		return -1;
	p->dir = dir ? SA_DIR_IN : SA_DIR_OUT;
	p->mode = mode ? SA_MODE_TRANSPORT : SA_MODE_TUNNEL;
	p->proto = SA_PROTO_ESP;
	r = conf_get_str(x, g, "protocol", where, false, &s);
	if (r < 0)
		return -1;
	if (r > 0 && strcmp(s, "ah") == 0)
		return cerr(x, get(g, "protocol"),
			    "%s: protocol ah is not supported yet", where);
	if (r > 0 && strcmp(s, "esp") != 0)
		return cerr(x, get(g, "protocol"),
			    "%s: protocol must be \"esp\", got \"%.20s\"", where, s);
	return 0;
}

static int sa_addrs(struct cctx *x, const config_setting_t *g,
		    const char *where, struct sa_params *p)
{
	if (conf_get_addr(x, g, "src", where, true, &p->src) < 0 ||
	    conf_get_addr(x, g, "dst", where, true, &p->dst) < 0)
		return -1;
	if (p->src.family != p->dst.family)
		return cerr(x, get(g, "dst"), "%s: src is %s but dst is %s",
			    where, p->src.family == AF_INET ? "IPv4" : "IPv6",
			    p->dst.family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

static int sa_alg(struct cctx *x, const config_setting_t *g,
		  const char *where, struct sa_params *p)
{
	char list[200] = "";
	const struct alg *a;
	const char *s;
	size_t l;

	if (conf_get_str(x, g, "alg", where, true, &s) < 0)
		return -1;
	p->alg = alg_find(s);
	if (p->alg)
		return 0;
	for (unsigned i = 0; (a = alg_at(i)) != NULL; i++) {
		l = strlen(list);
		if (l + strlen(a->name) + 8 > sizeof(list)) {
			snprintf(list + l, sizeof(list) - l, ", ...");
			break;
		}
		snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
			 a->name);
	}
	return cerr(x, get(g, "alg"), "%s: unknown alg \"%.40s\" (valid: %s)",
		    where, s, list);
}

/* Decode a hex key; the message never quotes the text. */
static int sa_key(struct cctx *x, const config_setting_t *g,
		  const char *where, const char *key, uint8_t *buf, size_t cap,
		  uint8_t *len)
{
	const char *s;
	int r = conf_get_str(x, g, key, where, false, &s), n;

	if (r <= 0)
		return r;
	n = hex_decode(s, buf, cap);
	if (n == -ENOSPC)
		return cerr(x, get(g, key), "%s: %s is longer than %zu bytes",
			    where, key, cap);
	if (n < 0)
		return cerr(x, get(g, key), "%s: %s is not hex (\"0x0011...\" or "
			    "\"00:11:...\")", where, key);
	*len = (uint8_t)n;
	return 1;
}

static int sa_enc_key(struct cctx *x, const config_setting_t *g,
		      const char *where, struct sa_params *p)
{
	const struct alg *a = p->alg;
	unsigned want = a->key_len + a->salt_len;
	int r = sa_key(x, g, where, "enc_key", p->enc_key, SA_KEY_MAX,
		       &p->enc_key_len);

	if (r < 0)
		return -1;
	if (a->cipher == ALG_CIPHER_NULL)
		return r ? cerr(x, get(g, "enc_key"), "%s: %s has no cipher: "
				"remove enc_key", where, a->name) : 0;
	if (r == 0)
		return cerr(x, g, "%s: missing \"enc_key\" (%u bytes for %s)",
			    where, want, a->name);
	if (p->enc_key_len == want)
		return 0;
	if (a->salt_len)
		return cerr(x, get(g, "enc_key"), "%s: enc_key must be %u bytes "
			    "for %s (key %u + salt %u), got %u", where, want,
			    a->name, a->key_len, a->salt_len, p->enc_key_len);
	return cerr(x, get(g, "enc_key"), "%s: enc_key must be %u bytes for %s, "
		    "got %u", where, want, a->name, p->enc_key_len);
}

static int sa_auth_key(struct cctx *x, const config_setting_t *g,
		       const char *where, struct sa_params *p)
{
	const struct alg *a = p->alg;
	int r = sa_key(x, g, where, "auth_key", p->auth_key, SA_AUTH_KEY_MAX,
		       &p->auth_key_len);

	if (r < 0)
		return -1;
	if (a->aead)
		return r ? cerr(x, get(g, "auth_key"), "%s: auth_key is not used "
				"by %s (AEAD: enc_key authenticates)", where,
				a->name) : 0;
	if (r == 0)
		return cerr(x, g, "%s: missing \"auth_key\" (%u bytes for %s)",
			    where, a->auth_key_len, a->name);
	if (p->auth_key_len != a->auth_key_len)
		return cerr(x, get(g, "auth_key"), "%s: auth_key must be %u "
			    "bytes for %s (HMAC key), got %u", where,
			    a->auth_key_len, a->name, p->auth_key_len);
	return 0;
}

static int sa_replay(struct cctx *x, const config_setting_t *g,
		     const char *where, struct sa_params *p)
{
	int64_t v;
	int r = conf_get_int(x, g, "replay_window", where, 0, SA_REPLAY_MAX,
			     false, &v);

	if (r < 0)
		return -1;
	if (r == 0)
		v = p->dir == SA_DIR_IN ? REPLAY_DEFAULT : 0;
	if (p->dir == SA_DIR_OUT && v != 0)
		return cerr(x, get(g, "replay_window"), "%s: replay_window is "
			    "for inbound SAs; this one is outbound", where);
	p->replay_window = (uint32_t)v;
	return 0;
}

static int sa_lifetime(struct cctx *x, const config_setting_t *g,
		       const char *where, struct sa_params *p)
{
	static const char *const keys[] = { "soft_bytes", "hard_bytes",
		"soft_packets", "hard_packets", "soft_seconds", "hard_seconds",
		NULL };
	uint64_t *f[] = { &p->life.soft_bytes, &p->life.hard_bytes,
			  &p->life.soft_packets, &p->life.hard_packets,
			  &p->life.soft_seconds, &p->life.hard_seconds };
	const config_setting_t *s = get(g, "lifetime");
	char w[WHERE_MAX + 16];
	int64_t v;
	int r;

	if (s == NULL)
		return 0;
	snprintf(w, sizeof(w), "%s lifetime", where);
	if (!config_setting_is_group(s))
		return cerr(x, s, "%s: lifetime must be a group: { hard_bytes = "
			    "N; ... }", where);
	if (conf_check_keys(x, s, w, keys) < 0)
		return -1;
	for (unsigned i = 0; keys[i]; i++) {
		r = conf_get_int(x, s, keys[i], w, 0, INT64_MAX, false, &v);
		if (r < 0)
			return -1;
		*f[i] = r ? (uint64_t)v : 0;
	}
	for (unsigned i = 0; keys[i]; i += 2)
		if (*f[i] && *f[i + 1] && *f[i] > *f[i + 1])
			return cerr(x, get(s, keys[i]), "%s: %s %" PRIu64 " is "
				    "above %s %" PRIu64, w, keys[i], *f[i],
				    keys[i + 1], *f[i + 1]);
	return 0;
}

static int sa_encap(struct cctx *x, const config_setting_t *g,
		    const char *where, struct sa_params *p)
{
	static const char *const keys[] = { "sport", "dport", NULL };
	const config_setting_t *s = get(g, "udp_encap");
	char w[WHERE_MAX + 16];
	int64_t sp, dp;

	if (s == NULL)
		return 0;
	snprintf(w, sizeof(w), "%s udp_encap", where);
	if (!config_setting_is_group(s))
		return cerr(x, s, "%s: udp_encap must be a group: { sport = "
			    "4500; dport = 4500; }", where);
	if (conf_check_keys(x, s, w, keys) < 0 ||
	    conf_get_int(x, s, "sport", w, 1, 65535, true, &sp) < 0 ||
	    conf_get_int(x, s, "dport", w, 1, 65535, true, &dp) < 0)
		return -1;
	p->encap = true;
	p->encap_sport = (uint16_t)sp;
	p->encap_dport = (uint16_t)dp;
	return 0;
}

static int sa_outer(struct cctx *x, const config_setting_t *g,
		    const char *where, struct sa_params *p)
{
	static const char *const dfs[] = { "copy", "set", "clear", NULL };
	const config_setting_t *s = get(g, "dscp");
	int df = 0, r;
	int64_t v;

	r = conf_get_int(x, g, "ttl", where, 1, 255, false, &v);
	if (r < 0 || conf_get_enum(x, g, "df", where, dfs, false, &df) < 0)
		return -1;
	p->ttl = r ? (uint8_t)v : 64;
	p->df = (uint8_t)df;
	p->dscp = -1;
	if (s == NULL || (config_setting_type(s) == CONFIG_TYPE_STRING &&
			  strcmp(config_setting_get_string(s), "copy") == 0))
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cerr(x, s, "%s: dscp must be \"copy\" or 0..63", where);
	if (conf_int_value(x, s, where, "dscp", 0, 63, &v) < 0)
		return -1;
	p->dscp = (int8_t)v;
	return 0;
}

static int parse_sa(struct cctx *x, const config_setting_t *g,
		    const char *where, struct conf_sa *sa)
{
	static const char *const keys[] = { "name", "spi", "direction",
		"protocol", "mode", "src", "dst", "alg", "enc_key", "auth_key",
		"esn", "replay_window", "lifetime", "udp_encap", "ttl", "dscp",
		"df", NULL };
	struct sa_params *p = &sa->p;

	sa->line = (int)conf_line(g);
	if (conf_check_keys(x, g, where, keys) < 0 ||
	    conf_get_name(x, g, "name", where, p->name, sizeof(p->name)) < 0 ||
	    sa_spi(x, g, where, p) < 0 || sa_proto_mode(x, g, where, p) < 0 ||
	    sa_addrs(x, g, where, p) < 0 || sa_alg(x, g, where, p) < 0 ||
	    sa_enc_key(x, g, where, p) < 0 || sa_auth_key(x, g, where, p) < 0 ||
	    conf_get_bool(x, g, "esn", where, &p->esn) < 0 ||
	    sa_replay(x, g, where, p) < 0 || sa_lifetime(x, g, where, p) < 0 ||
	    sa_encap(x, g, where, p) < 0 || sa_outer(x, g, where, p) < 0)
		return -1;
	p->ike_ref = 0;
	return 0;
}

struct spi_key {
	enum sa_dir dir;
	uint32_t spi;
};

static bool spi_eq(const void *ctx, int idx, const void *key)
{
	const struct sa_params *a = &((const struct conf *)ctx)->sas[idx].p;
	const struct spi_key *k = key;

	return a->dir == k->dir && a->spi == k->spi;
}

/* Names and (direction, SPI) pairs are unique. */
static int sa_unique(struct cctx *x, const config_setting_t *g,
		     const char *where, struct ctab *spis, unsigned i)
{
	struct conf *c = x->c;
	struct conf_priv *pv = c->priv;
	const struct sa_params *p = &c->sas[i].p;
	struct spi_key k = { p->dir, p->spi };
	int d;

	d = ctab_add(&pv->sa_names, name_hash(p->name), sa_name_eq, c, p->name,
		     (int)i);
	if (d >= 0)
		return cerr(x, get(g, "name"), "%s: the name is already used by "
			    "sas[%d] (line %d)", where, d, c->sas[d].line);
	d = ctab_add(spis, conf_hash(&k.spi, 4, k.dir + 1), spi_eq, c, &k,
		     (int)i);
	if (d >= 0)
		return cerr(x, get(g, "spi"), "%s: spi %u (0x%x) is already used "
			    "by %s SA \"%s\" (line %d)", where, p->spi, p->spi,
			    p->dir == SA_DIR_IN ? "inbound" : "outbound",
			    c->sas[d].p.name, c->sas[d].line);
	return 0;
}

/* Messages name an SA by its name when it has a usable one. */
static void sa_where(const config_setting_t *g, unsigned i, char *w, size_t n)
{
	const config_setting_t *s = get(g, "name");

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    conf_name_ok(config_setting_get_string(s), SA_NAME_MAX))
		snprintf(w, n, "sa \"%s\"", config_setting_get_string(s));
	else
		snprintf(w, n, "sas[%u]", i);
}

int conf_parse_sas(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *list, *g;
	char where[WHERE_MAX];
	struct conf *c = x->c;
	struct conf_priv *pv;
	struct ctab spis;
	unsigned n;
	int r = -1;

	if (conf_section(x, root, "sas", &list, &n) < 0)
		return -1;
	c->sas = calloc(n ? n : 1, sizeof(*c->sas));
	c->priv = pv = calloc(1, sizeof(*pv));
	if (c->sas == NULL || pv == NULL || ctab_init(&pv->sa_names, n) < 0)
		return cerr(x, list ? list : root, "out of memory");
	if (ctab_init(&spis, n) < 0)
		return cerr(x, list ? list : root, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "sas[%u]", i);
		g = conf_group_at(x, list, i, where);
		if (g == NULL)
			goto out;
		sa_where(g, i, where, sizeof(where));
		/* counted before parsing so that conf_free zeroes its keys */
		c->n_sas = i + 1;
		if (parse_sa(x, g, where, &c->sas[i]) < 0 ||
		    sa_unique(x, g, where, &spis, i) < 0)
			goto out;
	}
	r = 0;
out:
	ctab_free(&spis);
	return r;
}
