/* SPDX-License-Identifier: BSD-3-Clause */
#include "spd/spd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "util/prefetch.h"

/* Field layouts over spd_key4/6. rte_acl reads input in 4-byte groups
 * (input_index); both ports share the last group. Rule values are given in
 * host byte order, packet data is read in network byte order. */
enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_NUM };
enum { F6_PROTO, F6_SRC0, F6_DST0 = F6_SRC0 + 4, F6_SPORT = F6_DST0 + 4,
       F6_DPORT, F6_NUM };

#define PRIORITY_MAX ((uint32_t)RTE_ACL_MAX_PRIORITY - 1)

RTE_ACL_RULE_DEF(acl4_rule, F4_NUM);
RTE_ACL_RULE_DEF(acl6_rule, F6_NUM);

struct spd {
	struct rte_acl_ctx *ctx4[2], *ctx6[2]; /* [SA_DIR_OUT], [SA_DIR_IN] */
	unsigned n_rules;
};

static void defs4(struct rte_acl_field_def *d)
{
	d[F4_PROTO] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F4_PROTO, .input_index = 0,
		.offset = offsetof(struct spd_key4, proto) };
	d[F4_SRC] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F4_SRC, .input_index = 1,
		.offset = offsetof(struct spd_key4, src) };
	d[F4_DST] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
		.field_index = F4_DST, .input_index = 2,
		.offset = offsetof(struct spd_key4, dst) };
	d[F4_SPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F4_SPORT, .input_index = 3,
		.offset = offsetof(struct spd_key4, sport) };
	d[F4_DPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F4_DPORT, .input_index = 3,
		.offset = offsetof(struct spd_key4, dport) };
}

static void defs6(struct rte_acl_field_def *d)
{
	d[F6_PROTO] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F6_PROTO, .input_index = 0,
		.offset = offsetof(struct spd_key6, proto) };
	for (unsigned i = 0; i < 4; i++) {
		d[F6_SRC0 + i] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = F6_SRC0 + i, .input_index = 1 + i,
			.offset = offsetof(struct spd_key6, src) + 4 * i };
		d[F6_DST0 + i] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = F6_DST0 + i, .input_index = 5 + i,
			.offset = offsetof(struct spd_key6, dst) + 4 * i };
	}
	d[F6_SPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F6_SPORT, .input_index = 9,
		.offset = offsetof(struct spd_key6, sport) };
	d[F6_DPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F6_DPORT, .input_index = 9,
		.offset = offsetof(struct spd_key6, dport) };
}

static void rule_common(struct rte_acl_rule_data *d, const struct spd_rule *r)
{
	d->category_mask = 1;
	/* rte_acl: the higher priority wins (0 is reserved). Between rules
	 * of equal priority the winner is unspecified, as documented in
	 * configs/reference.conf. */
	d->priority = r->priority + 1;
	d->userdata = SPD_RES(r->action, r->action == SPD_PROTECT ? r->sa_id : 0);
}

static void ports(struct rte_acl_field *sp, struct rte_acl_field *dp,
		  const struct ts *t)
{
	sp->value.u16 = t->sport_lo;
	sp->mask_range.u16 = t->sport_hi;
	dp->value.u16 = t->dport_lo;
	dp->mask_range.u16 = t->dport_hi;
}

static void rule4(struct acl4_rule *a, const struct spd_rule *r)
{
	const struct ts *t = &r->sel;

	memset(a, 0, sizeof(*a));
	rule_common(&a->data, r);
	a->field[F4_PROTO].value.u8 = t->proto;
	a->field[F4_PROTO].mask_range.u8 = t->proto ? 0xff : 0;
	a->field[F4_SRC].value.u32 = rte_be_to_cpu_32(t->src.addr.v4);
	a->field[F4_SRC].mask_range.u32 = t->src.len;
	a->field[F4_DST].value.u32 = rte_be_to_cpu_32(t->dst.addr.v4);
	a->field[F4_DST].mask_range.u32 = t->dst.len;
	ports(&a->field[F4_SPORT], &a->field[F4_DPORT], t);
}

/* One 32-bit quarter of an IPv6 prefix as an ACL MASK field. */
static void quarter(struct rte_acl_field *f, const struct ip_prefix *p,
		    unsigned q)
{
	uint32_t w;
	int bits = (int)p->len - 32 * (int)q;

	memcpy(&w, &p->addr.b[4 * q], 4);
	f->value.u32 = rte_be_to_cpu_32(w);
	f->mask_range.u32 = bits <= 0 ? 0 : bits >= 32 ? 32 : (uint32_t)bits;
}

static void rule6(struct acl6_rule *a, const struct spd_rule *r)
{
	const struct ts *t = &r->sel;

	memset(a, 0, sizeof(*a));
	rule_common(&a->data, r);
	a->field[F6_PROTO].value.u8 = t->proto;
	a->field[F6_PROTO].mask_range.u8 = t->proto ? 0xff : 0;
	for (unsigned q = 0; q < 4; q++) {
		quarter(&a->field[F6_SRC0 + q], &t->src, q);
		quarter(&a->field[F6_DST0 + q], &t->dst, q);
	}
	ports(&a->field[F6_SPORT], &a->field[F6_DPORT], t);
}

static struct rte_acl_ctx *ctx_new(const char *what, unsigned n, size_t rsz,
				   int socket)
{
	static unsigned gen;
	char name[RTE_ACL_NAMESIZE];
	struct rte_acl_param p = {
		.name = name, .socket_id = socket,
		.rule_size = (uint32_t)rsz, .max_rule_num = n,
	};

	/* rte_acl_create returns an existing context of the same name, so
	 * every generation gets a fresh one. */
	snprintf(name, sizeof(name), "spd%s_%u", what, gen++);
	return rte_acl_create(&p);
}

static int ctx_build(struct rte_acl_ctx *ctx, unsigned nf,
		     void (*defs)(struct rte_acl_field_def *))
{
	struct rte_acl_config cfg = { .num_categories = 1, .num_fields = nf };

	defs(cfg.defs);
	return rte_acl_build(ctx, &cfg);
}

/* Build one context for a family and direction; NULL ctx when no rules. */
static int build_one(struct spd *s, const struct spd_rule *rules, unsigned n,
		     enum sa_dir dir, int family, int socket)
{
	unsigned cnt = 0, added = 0;
	struct rte_acl_ctx *ctx;
	int rc;

	for (unsigned i = 0; i < n; i++)
		cnt += rules[i].dir == dir && rules[i].sel.src.addr.family == family;
	if (cnt == 0)
		return 0;
	ctx = ctx_new(family == AF_INET ? "4" : "6", cnt,
		      family == AF_INET ? RTE_ACL_RULE_SZ(F4_NUM) : RTE_ACL_RULE_SZ(F6_NUM),
		      socket);
	if (ctx == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n && added < cnt; i++) {
		const struct spd_rule *r = &rules[i];

		if (r->dir != dir || r->sel.src.addr.family != family)
			continue;
		if (family == AF_INET) {
			struct acl4_rule a;

			rule4(&a, r);
			rc = rte_acl_add_rules(ctx, (struct rte_acl_rule *)&a, 1);
		} else {
			struct acl6_rule a;

			rule6(&a, r);
			rc = rte_acl_add_rules(ctx, (struct rte_acl_rule *)&a, 1);
		}
		if (rc < 0)
			goto fail;
		added++;
	}
	rc = family == AF_INET ? ctx_build(ctx, F4_NUM, defs4)
			       : ctx_build(ctx, F6_NUM, defs6);
	if (rc < 0)
		goto fail;
	if (family == AF_INET)
		s->ctx4[dir] = ctx;
	else
		s->ctx6[dir] = ctx;
	return 0;
fail:
	rte_acl_free(ctx);
	return rc;
}

struct spd *spd_build(const struct spd_rule *rules, unsigned n, int socket,
		      char *err, size_t errlen)
{
	struct spd *s = rte_zmalloc_socket("spd", sizeof(*s), 0, socket);
	static const int fams[2] = { AF_INET, AF_INET6 };

	if (s == NULL) {
		snprintf(err, errlen, "spd: out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (rules[i].action == SPD_PROTECT && rules[i].sa_id > SPD_MAX_SA_ID) {
			snprintf(err, errlen, "spd: SA id %u too large", rules[i].sa_id);
			spd_free(s);
			return NULL;
		}
		/* rule_common() adds 1 (rte_acl reserves 0), so the largest
		 * priority that fits is one below RTE_ACL_MAX_PRIORITY. */
		if (rules[i].priority > PRIORITY_MAX) {
			snprintf(err, errlen, "spd: priority %u too large (at most %u)",
				 rules[i].priority, PRIORITY_MAX);
			spd_free(s);
			return NULL;
		}
	}
	for (int d = 0; d < 2; d++) {
		for (int f = 0; f < 2; f++) {
			int rc = build_one(s, rules, n, d, fams[f], socket);

			if (rc < 0) {
				snprintf(err, errlen, "spd: building the %s IPv%c ACL failed: %s",
					 d == SA_DIR_OUT ? "outbound" : "inbound",
					 fams[f] == AF_INET ? '4' : '6', strerror(-rc));
				spd_free(s);
				return NULL;
			}
		}
	}
	s->n_rules = n;
	return s;
}

void spd_free(struct spd *s)
{
	if (s == NULL)
		return;
	for (int d = 0; d < 2; d++) {
		rte_acl_free(s->ctx4[d]);
		rte_acl_free(s->ctx6[d]);
	}
	rte_free(s);
}

unsigned spd_rule_count(const struct spd *s)
{
	return s ? s->n_rules : 0;
}

void spd_classify4(const struct spd *s, enum sa_dir dir,
		   const struct spd_key4 *const keys[], uint32_t results[],
		   unsigned n)
{
	if (s == NULL || s->ctx4[dir] == NULL) {
		memset(results, 0, n * sizeof(results[0]));
		return;
	}
	rte_acl_classify(s->ctx4[dir], (const uint8_t **)keys, results, n, 1);
}

void spd_classify6(const struct spd *s, enum sa_dir dir,
		   const struct spd_key6 *const keys[], uint32_t results[],
		   unsigned n)
{
	if (s == NULL || s->ctx6[dir] == NULL) {
		memset(results, 0, n * sizeof(results[0]));
		return;
	}
	rte_acl_classify(s->ctx6[dir], (const uint8_t **)keys, results, n, 1);
}

static inline uint32_t cache_bucket(const struct spd_key4 *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, (const uint8_t *)k + 8, 8);
	return rte_hash_crc_8byte(b, rte_hash_crc_8byte(a, 0)) & (SPD_CACHE_BUCKETS - 1);
}

/* The key's first word without the pad bytes, which hold an entry's result
 * (little endian: proto is byte 0, the pad bytes 1-3, src bytes 4-7). */
#define KEY_W0_MASK 0xffffffff000000ffull
#define RES_MAX 0xffffffu

static inline bool cacheable(const uint64_t k[2], uint32_t res)
{
	return res <= RES_MAX && (k[0] | k[1]) != 0;
}

static inline const struct spd_cache_ent *
cache_find(const struct spd_cache_bucket *b, const uint64_t k[2])
{
	for (unsigned i = 0; i < SPD_CACHE_WAYS; i++) {
		const struct spd_cache_ent *e = &b->way[i];

		if ((((e->w[0] ^ k[0]) & KEY_W0_MASK) | (e->w[1] ^ k[1])) == 0)
			return e;
	}
	return NULL;
}

static inline uint32_t ent_result(const struct spd_cache_ent *e)
{
	return (uint32_t)(e->w[0] >> 8) & RES_MAX;
}

/* Way 0 is the newest; the oldest falls out. */
static inline void cache_insert(struct spd_cache_bucket *b, const uint64_t k[2],
				uint32_t res)
{
	memmove(&b->way[1], &b->way[0], (SPD_CACHE_WAYS - 1) * sizeof(b->way[0]));
	b->way[0].w[0] = k[0] | (uint64_t)res << 8;
	b->way[0].w[1] = k[1];
}

void spd_cache_reset(struct spd_cache *c)
{
	c->cleared = 0;
}

/* One slice of the clearing after a reset; true when the table is clean. */
static bool cache_clear_step(struct spd_cache *c)
{
	uint32_t n = SPD_CACHE_BUCKETS - c->cleared;

	if (n == 0)
		return true;
	if (n > SPD_CACHE_CLEAR)
		n = SPD_CACHE_CLEAR;
	memset(&c->b[c->cleared], 0, n * sizeof(c->b[0]));
	c->cleared += n;
	return false;
}

/* Up to SPD_CACHE_CHUNK keys: hits from the cache, misses in one classify. */
static void cached_chunk(const struct spd *spd, struct spd_cache *c,
			 enum sa_dir dir, const struct spd_key4 *const keys[],
			 uint32_t results[], unsigned n)
{
	const struct spd_key4 *mk[SPD_CACHE_CHUNK];
	uint32_t mr[SPD_CACHE_CHUNK], bkt[SPD_CACHE_CHUNK];
	uint8_t mi[SPD_CACHE_CHUNK];
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++)
		prefetch_cold(&c->b[bkt[i] = cache_bucket(keys[i])]);
	for (unsigned i = 0; i < n; i++) {
		const struct spd_cache_ent *e;
		uint64_t k[2];

		memcpy(k, keys[i], sizeof(k));
		e = cache_find(&c->b[bkt[i]], k);
		if (likely(e != NULL && (k[0] | k[1]) != 0)) {
			results[i] = ent_result(e);
			continue;
		}
		mi[m] = (uint8_t)i;
		mk[m++] = keys[i];
	}
	c->hits += n - m;
	c->misses += m;
	if (m == 0)
		return;
	spd_classify4(spd, dir, mk, mr, m);
	for (unsigned j = 0; j < m; j++) {
		uint64_t k[2];

		results[mi[j]] = mr[j];
		memcpy(k, mk[j], sizeof(k));
		/* a key twice among the misses is inserted twice: harmless,
		 * the older copy ages out */
		if (cacheable(k, mr[j]))
			cache_insert(&c->b[bkt[mi[j]]], k, mr[j]);
	}
}

void spd_classify4_cached(const struct spd *spd, struct spd_cache *c,
			  enum sa_dir dir, const struct spd_key4 *const keys[],
			  uint32_t results[], unsigned n)
{
	RTE_BUILD_BUG_ON(sizeof(struct spd_key4) != 16);
	RTE_BUILD_BUG_ON(sizeof(struct spd_cache_bucket) != 64);
	RTE_BUILD_BUG_ON(offsetof(struct spd_key4, pad) != 1);
	if (unlikely(!c->used || c->dir != dir)) {
		c->used = true;
		c->dir = dir;
		spd_cache_reset(c);
	}
	if (unlikely(!cache_clear_step(c))) {
		c->misses += n;
		spd_classify4(spd, dir, keys, results, n);
		return;
	}
	for (unsigned i = 0; i < n; i += SPD_CACHE_CHUNK)
		cached_chunk(spd, c, dir, keys + i, results + i,
			     n - i < SPD_CACHE_CHUNK ? n - i : SPD_CACHE_CHUNK);
}
