/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: the top level. Reads the text, pre-scans it (conf_lex.c),
 * lets libconfig parse it, then walks the sections in a fixed order:
 * options, eal, ports, routes, neighbours, workers (conf_net.c), sas
 * (conf_sa.c), spd (conf_spd.c, which also ties rules to SAs).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "util/hex.h"

#define CTL_SOCKET_DEFAULT "/run/esprit/esprit.sock"
#define SUN_PATH_MAX 107 /* sizeof(sockaddr_un.sun_path) - 1 */

static int parse_eal(struct cctx *x, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "eal");
	struct conf *c = x->c;
	unsigned n;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cerr(x, s, "eal must be an array of strings: "
			    "[ \"--vdev\", \"net_null0\" ]");
	n = (unsigned)config_setting_length(s);
	c->eal = calloc(n ? n : 1, sizeof(*c->eal));
	if (c->eal == NULL)
		return cerr(x, s, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cerr(x, e, "eal[%u] must be a string", i);
		c->eal[i] = strdup(config_setting_get_string(e));
		if (c->eal[i] == NULL)
			return cerr(x, e, "out of memory");
		c->n_eal = i + 1;
	}
	return 0;
}

/* An optional integer option; *dst keeps its default when absent. */
static int opt_uint(struct cctx *x, const config_setting_t *g, const char *key,
		    int64_t lo, int64_t hi, unsigned *dst)
{
	int64_t v;
	int r = conf_get_int(x, g, key, "options", lo, hi, false, &v);

	if (r > 0)
		*dst = (unsigned)v;
	return r < 0 ? -1 : 0;
}

/* options.tune: each key given fixes one of the tuner's lengths, the
 * others CONF_TUNE_MEASURE; opts may be NULL (no options at all). */
static int parse_tune(struct cctx *x, const config_setting_t *opts,
		      struct conf_tune *t)
{
	static const char *const keys[] = { "cbc_sse_max", "sha1_sse_max",
					    "sha256_sse_max", "sha1_x16_max",
					    "sha256_x16_max", NULL };
	uint32_t *dst[] = { &t->cbc_sse, &t->sha1_sse, &t->sha256_sse,
			    &t->sha1_x16, &t->sha256_x16 };
	const config_setting_t *g = opts ? config_setting_get_member(opts, "tune") : NULL;

	for (unsigned i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
		*dst[i] = CONF_TUNE_MEASURE;
	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		return cerr(x, g, "options: tune must be a group: { key = value; ... }");
	if (conf_check_keys(x, g, "options.tune", keys) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		int64_t v;
		int r = conf_get_int(x, g, keys[i], "options.tune", 0, 65535, false, &v);

		if (r < 0)
			return -1;
		if (r > 0)
			*dst[i] = (uint32_t)v;
	}
	return 0;
}

static int parse_options(struct cctx *x, const config_setting_t *root)
{
	static const char *const keys[] = { "burst", "mbufs", "mbuf_size",
					    "rx_desc", "tx_desc", "control_socket",
					    "tune", NULL };
	const config_setting_t *g = config_setting_get_member(root, "options");
	struct conf *c = x->c;
	const char *s;
	int r;

	/* 0: adaptive, 64 or 128 by the traffic (wk_burst_adapt, dp_int.h).
	 * Either is more than DPDK's usual 32: ipsec-mb fills its 16
	 * multi-buffer lanes better and per-burst costs spread further
	 * (+4..10% measured, docs/performance.md). */
	c->burst = 0;
	c->rx_desc = c->tx_desc = 1024;
	snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s", CTL_SOCKET_DEFAULT);
	if (g == NULL)
		return parse_tune(x, NULL, &c->tune);
	if (!config_setting_is_group(g))
		return cerr(x, g, "options must be a group: { key = value; ... }");
	if (parse_tune(x, g, &c->tune) < 0)
		return -1;
	if (conf_check_keys(x, g, "options", keys) < 0 ||
	    opt_uint(x, g, "burst", 1, 128, &c->burst) < 0 ||
	    opt_uint(x, g, "mbufs", 0, INT32_MAX, &c->mbufs) < 0 ||
	    opt_uint(x, g, "mbuf_size", 0, 65535 - 128, &c->mbuf_size) < 0 ||
	    opt_uint(x, g, "rx_desc", 1, 32768, &c->rx_desc) < 0 ||
	    opt_uint(x, g, "tx_desc", 1, 32768, &c->tx_desc) < 0)
		return -1;
	r = conf_get_str(x, g, "control_socket", "options", false, &s);
	if (r < 0)
		return -1;
	if (r > 0) {
		if (s[0] == '\0' || strlen(s) > SUN_PATH_MAX)
			return cerr(x, config_setting_get_member(g, "control_socket"),
				    "options: control_socket must be 1..%d "
				    "characters (a unix socket path)", SUN_PATH_MAX);
		snprintf(c->ctl_socket, sizeof(c->ctl_socket), "%s", s);
	}
	return 0;
}

static int check_top_keys(struct cctx *x, const config_setting_t *root)
{
	/* connections and secrets belong to IKE, which reads conf->cfg. */
	static const char *const keys[] = { "eal", "options", "ports",
		"routes", "neighbours", "workers", "sas", "spd", "connections",
		"secrets", NULL };
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(root, i);
		unsigned k;

		for (k = 0; keys[k]; k++)
			if (strcmp(config_setting_name(m), keys[k]) == 0)
				break;
		if (keys[k] == NULL)
			return cerr(x, m, "unknown top-level key \"%s\"",
				    config_setting_name(m));
	}
	return 0;
}

static int build(struct cctx *x)
{
	const config_setting_t *root = config_root_setting((config_t *)x->c->cfg);

	if (check_top_keys(x, root) < 0 || parse_options(x, root) < 0 ||
	    parse_eal(x, root) < 0 || conf_parse_ports(x, root) < 0 ||
	    conf_parse_routes(x, root) < 0 ||
	    conf_parse_neighbours(x, root) < 0 ||
	    conf_parse_workers(x, root) < 0 || conf_parse_sas(x, root) < 0 ||
	    conf_parse_spd(x, root) < 0)
		return -1;
	return 0;
}

static struct conf *load_text(const char *text, const char *name,
			      const char *incdir, char *err, size_t errlen)
{
	struct conf *c = calloc(1, sizeof(*c));
	struct cctx x = { c, name, err, errlen, false };
	config_t *cfg;

	if (c == NULL || (cfg = calloc(1, sizeof(*cfg))) == NULL) {
		free(c);
		cerr_at(&x, name, 0, "out of memory");
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", name);
	config_init(cfg);
	c->cfg = cfg;
	if (incdir)
		config_set_include_dir(cfg, incdir);
	if (conf_prescan(&x, text, name, incdir, 0) < 0)
		goto fail;
	if (!config_read_string(cfg, text)) {
		cerr_at(&x, config_error_file(cfg), config_error_line(cfg), "%s",
			config_error_text(cfg));
		goto fail;
	}
	if (build(&x) < 0)
		goto fail;
	return c;
fail:
	conf_free(c);
	return NULL;
}

struct conf *conf_load_string(const char *text, const char *name, char *err,
			      size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (name == NULL)
		name = "<string>";
	if (text == NULL) {
		struct cctx x = { NULL, name, err, errlen, false };

		cerr_at(&x, name, 0, "no configuration text");
		return NULL;
	}
	return load_text(text, name, NULL, err, errlen);
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	struct cctx x = { NULL, path, err, errlen, false };
	char dir[CONF_PATH_MAX * 2];
	struct conf *c;
	const char *slash;
	char *text;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (path == NULL) {
		x.name = "<null>";
		cerr_at(&x, NULL, 0, "no configuration file given");
		return NULL;
	}
	r = conf_read_text(path, &text);
	if (r < 0) {
		cerr_at(&x, NULL, 0, "cannot read the file: %s", strerror(-r));
		return NULL;
	}
	/* @include paths are relative to the file's folder. */
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	c = load_text(text, path, slash ? dir : NULL, err, errlen);
	secure_zero(text, strlen(text));
	free(text);
	return c;
}

/* Key strings stay in the libconfig tree until here: zero every string. */
static void zero_strings(config_setting_t *s)
{
	if (s == NULL)
		return;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		char *v = (char *)config_setting_get_string(s);

		if (v)
			secure_zero(v, strlen(v));
		return;
	}
	if (!config_setting_is_aggregate(s))
		return;
	for (int i = 0, n = config_setting_length(s); i < n; i++)
		zero_strings(config_setting_get_elem(s, i));
}

void conf_free(struct conf *c)
{
	struct conf_priv *pv;

	if (c == NULL)
		return;
	for (unsigned i = 0; c->sas && i < c->n_sas; i++)
		sa_params_clear(&c->sas[i].p);
	free(c->sas);
	for (unsigned i = 0; c->eal && i < c->n_eal; i++)
		free(c->eal[i]);
	free(c->eal);
	free(c->ports);
	free(c->routes);
	free(c->neighs);
	free(c->workers);
	free(c->spd);
	pv = c->priv;
	if (pv) {
		ctab_free(&pv->sa_names);
		free(pv);
	}
	if (c->cfg) {
		zero_strings(config_root_setting((config_t *)c->cfg));
		config_destroy(c->cfg);
		free(c->cfg);
	}
	free(c);
}
