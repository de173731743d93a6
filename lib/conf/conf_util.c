/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed, line-reporting accessors over the libconfig tree, and the index. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "util/hex.h"

/* ---- errors ---- */

static int verr(struct cctx *x, const char *file, unsigned line,
		const char *fmt, va_list ap)
{
	int n;

	if (x->failed)
		return -1;
	x->failed = true;
	if (x->err == NULL || x->errlen == 0)
		return -1;
	n = snprintf(x->err, x->errlen, "%s:%u: ", file ? file : x->name, line);
	if (n >= 0 && (size_t)n < x->errlen)
		vsnprintf(x->err + n, x->errlen - n, fmt, ap);
	return -1;
}

unsigned conf_line(const config_setting_t *s)
{
	return s ? config_setting_source_line(s) : 0;
}

int cerr(struct cctx *x, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verr(x, s ? config_setting_source_file(s) : NULL, conf_line(s),
		 fmt, ap);
	va_end(ap);
	return r;
}

int cerr_at(struct cctx *x, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verr(x, file, line < 0 ? 0 : (unsigned)line, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- structure ---- */

int conf_check_keys(struct cctx *x, const config_setting_t *g,
		    const char *where, const char *const allowed[])
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		unsigned k;

		for (k = 0; allowed[k]; k++)
			if (name && strcmp(name, allowed[k]) == 0)
				break;
		if (allowed[k] == NULL)
			return cerr(x, m, "unknown key \"%s\" in %s",
				    name ? name : "?", where);
	}
	return 0;
}

int conf_section(struct cctx *x, const config_setting_t *root,
		 const char *key, const config_setting_t **list, unsigned *n)
{
	const config_setting_t *s = config_setting_get_member(root, key);

	*list = NULL;
	*n = 0;
	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && config_setting_length(s) == 0))
		return cerr(x, s, "%s must be a list: ( { ... }, { ... } )",
			    key);
	*list = s;
	*n = (unsigned)config_setting_length(s);
	return 0;
}

const config_setting_t *conf_group_at(struct cctx *x,
				      const config_setting_t *list, unsigned i,
				      const char *where)
{
	const config_setting_t *g = config_setting_get_elem(list, i);

	if (g == NULL || !config_setting_is_group(g)) {
		cerr(x, g ? g : list, "%s must be a group: { key = value; ... }",
		     where);
		return NULL;
	}
	return g;
}

/* ---- scalars ---- */

int conf_int_value(struct cctx *x, const config_setting_t *s,
		   const char *where, const char *key, int64_t lo, int64_t hi,
		   int64_t *out)
{
	int64_t v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		/* libconfig 1.5 stores 0x80000000..0xffffffff as negative
		 * ints: a hex literal means the unsigned value. */
		if (config_setting_get_format(s) == CONFIG_FORMAT_HEX)
			v = (uint32_t)v;
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		return cerr(x, s, "%s: %s must be an integer", where, key);
	}
	if (v < lo || v > hi)
		return cerr(x, s, "%s: %s must be %" PRId64 "..%" PRId64
			    ", got %" PRId64, where, key, lo, hi, v);
	*out = v;
	return 1;
}

static const config_setting_t *member(struct cctx *x,
				      const config_setting_t *g,
				      const char *key, const char *where,
				      bool required, int *r)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*r = 0;
	if (s == NULL && required)
		*r = cerr(x, g, "%s: missing \"%s\"", where, key);
	return s;
}

int conf_get_int(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, int64_t lo, int64_t hi, bool required,
		 int64_t *out)
{
	int r;
	const config_setting_t *s = member(x, g, key, where, required, &r);

	return s ? conf_int_value(x, s, where, key, lo, hi, out) : r;
}

int conf_get_str(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, bool required, const char **out)
{
	int r;
	const config_setting_t *s = member(x, g, key, where, required, &r);

	if (s == NULL)
		return r;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cerr(x, s, "%s: %s must be a string", where, key);
	*out = config_setting_get_string(s);
	return 1;
}

int conf_get_bool(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, bool *out)
{
	int r;
	const config_setting_t *s = member(x, g, key, where, false, &r);

	if (s == NULL)
		return r;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cerr(x, s, "%s: %s must be true or false", where, key);
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

int conf_get_enum(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, const char *const names[], bool required,
		  int *out)
{
	char list[128] = "";
	const char *s;
	int r = conf_get_str(x, g, key, where, required, &s);

	if (r <= 0)
		return r;
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 1;
		}
	for (int i = 0; names[i]; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s\"%s\"",
			 i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
	}
	return cerr(x, config_setting_get_member(g, key),
		    "%s: %s must be %s, got \"%.40s\"", where, key, list, s);
}

bool conf_name_ok(const char *s, size_t cap)
{
	size_t n = strlen(s);

	if (n == 0 || n >= cap)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '\\')
			return false;
	return true;
}

int conf_get_name(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, char *out, size_t cap)
{
	const char *s;
	int r = conf_get_str(x, g, key, where, true, &s);

	if (r <= 0)
		return r;
	if (!conf_name_ok(s, cap))
		return cerr(x, config_setting_get_member(g, key),
			    "%s: %s must be 1..%zu printable characters "
			    "without spaces or quotes", where, key, cap - 1);
	memcpy(out, s, strlen(s) + 1);
	return 1;
}

int conf_get_addr(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, bool required, struct ip_addr *out)
{
	const char *s;
	int r = conf_get_str(x, g, key, where, required, &s);

	if (r <= 0)
		return r;
	if (ip_addr_parse(s, out) < 0)
		return cerr(x, config_setting_get_member(g, key),
			    "%s: %s \"%.60s\" is not an IPv4 or IPv6 address",
			    where, key, s);
	return 1;
}

int conf_get_prefix(struct cctx *x, const config_setting_t *g,
		    const char *key, const char *where, bool required,
		    struct ip_prefix *out)
{
	char buf[IP_PREFIX_STRLEN];
	const char *s;
	int r = conf_get_str(x, g, key, where, required, &s);

	if (r <= 0)
		return r;
	if (ip_prefix_parse(s, out, false, NULL) == 0)
		return 1;
	if (ip_prefix_parse(s, out, true, NULL) == 0)
		return cerr(x, config_setting_get_member(g, key),
			    "%s: %s \"%.60s\" has host bits set (did you mean "
			    "%s?)", where, key, s,
			    ip_prefix_fmt(out, buf, sizeof(buf)));
	return cerr(x, config_setting_get_member(g, key),
		    "%s: %s \"%.60s\" is not a prefix (ADDRESS/LENGTH)", where,
		    key, s);
}

int conf_parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int conf_get_mac(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, bool required, uint8_t mac[6])
{
	static const uint8_t zero[6];
	const char *s;
	int r = conf_get_str(x, g, key, where, required, &s);

	if (r <= 0)
		return r;
	if (conf_parse_mac(s, mac) < 0)
		return cerr(x, config_setting_get_member(g, key),
			    "%s: %s \"%.40s\" is not a MAC address "
			    "(xx:xx:xx:xx:xx:xx)", where, key, s);
	if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0)
		return cerr(x, config_setting_get_member(g, key),
			    "%s: %s \"%s\" is not a unicast MAC address", where,
			    key, s);
	return 1;
}

int conf_get_port_ref(struct cctx *x, const config_setting_t *g,
		      const char *key, const char *where, unsigned *out)
{
	const char *s;
	int r = conf_get_str(x, g, key, where, true, &s);
	int i;

	if (r <= 0)
		return r;
	i = conf_port_by_name(x->c, s);
	if (i < 0)
		return cerr(x, config_setting_get_member(g, key),
			    "%s: port \"%.40s\" does not exist", where, s);
	*out = (unsigned)i;
	return 1;
}

/* ---- index ---- */

uint64_t conf_hash(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

int ctab_init(struct ctab *t, unsigned n)
{
	uint32_t size = 16;

	while (size < 2 * (uint64_t)n + 1)
		size *= 2;
	t->slot = malloc(size * sizeof(*t->slot));
	if (t->slot == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < size; i++)
		t->slot[i].idx = -1;
	t->mask = size - 1;
	t->used = 0;
	return 0;
}

void ctab_free(struct ctab *t)
{
	free(t->slot);
	t->slot = NULL;
}

int ctab_find(const struct ctab *t, uint64_t h, ctab_eq eq, const void *ctx,
	      const void *key)
{
	for (uint32_t i = (uint32_t)h & t->mask;; i = (i + 1) & t->mask) {
		const struct ctab_slot *s = &t->slot[i];

		if (s->idx < 0)
			return -1;
		if (s->h == (uint32_t)h && eq(ctx, s->idx, key))
			return s->idx;
	}
}

int ctab_add(struct ctab *t, uint64_t h, ctab_eq eq, const void *ctx,
	     const void *key, int idx)
{
	uint32_t i;

	for (i = (uint32_t)h & t->mask; t->slot[i].idx >= 0;
	     i = (i + 1) & t->mask)
		if (t->slot[i].h == (uint32_t)h && eq(ctx, t->slot[i].idx, key))
			return t->slot[i].idx;
	/* ctab_init(n) made room for n entries at half load: callers add at
	 * most n, so an empty slot always ends the probe. */
	t->slot[i].h = (uint32_t)h;
	t->slot[i].idx = idx;
	t->used++;
	return -1;
}
