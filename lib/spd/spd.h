/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SPD_H
#define ESPRIT_SPD_H
/*
 * Security Policy Database (RFC 4301 §4.4.1) on rte_acl, IPv4 and IPv6.
 *
 * Contract:
 *  - An spd is immutable once built: the control plane builds a new one when
 *    policies change and publishes it to the workers (RCU, dp/tables.h), so
 *    classification needs no locks.
 *  - Callers classify a whole burst at once from compact keys (spd_key4/6,
 *    fields in network byte order) that they fill while parsing; this keeps
 *    IPv4 options and IPv6 extension headers out of the ACL's way.
 *  - A result is 0 when no rule matched (RFC 4301: discard), otherwise
 *    SPD_RES(action, sa_id); the highest priority rule wins.
 */
#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "sa/sa_params.h"

struct spd_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src, dst;
	uint16_t sport, dport;
} __attribute__((packed));

struct spd_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
} __attribute__((packed));

struct spd_rule {
	enum sa_dir dir;
	struct ts sel;
	uint32_t priority;
	enum spd_action action;
	uint32_t sa_id; /* protect only */
};

#define SPD_RES(action, sa_id) ((uint32_t)(action) | ((uint32_t)(sa_id) << 2))
#define SPD_RES_ACTION(r) ((r) & 3u)
#define SPD_RES_SA(r) ((r) >> 2)
#define SPD_MAX_SA_ID ((1u << 30) - 1)

struct spd;

/* Build from rules of both directions. NULL with a message in err on failure. */
struct spd *spd_build(const struct spd_rule *rules, unsigned n, int socket,
		      char *err, size_t errlen);
void spd_free(struct spd *spd);
unsigned spd_rule_count(const struct spd *spd);

/* Classify n keys (pointers) of one family and direction; results[i] as above. */
void spd_classify4(const struct spd *spd, enum sa_dir dir,
		   const struct spd_key4 *const keys[], uint32_t results[],
		   unsigned n);
void spd_classify6(const struct spd *spd, enum sa_dir dir,
		   const struct spd_key6 *const keys[], uint32_t results[],
		   unsigned n);

/*
 * A worker's cache of IPv4 decisions in front of rte_acl: exact key ->
 * result, two-way set associative. RFC 4301 §4.4.1.2 lets an implementation cache SPD
 * lookups; an exact-match entry cannot be wrong while the SPD it came from
 * is the one in use, so the owner resets the cache whenever it starts using
 * another SPD (spd_cache_reset). A hit is a CRC32 hash and a 16-byte
 * compare, ~8 cycles, where rte_acl takes ~25 per packet for a small SPD;
 * the misses of a burst go to rte_acl together in one call, as before.
 *
 * Contract: one cache per worker and direction, used by that worker only;
 * keys must have their pad bytes zeroed (they are compared whole).
 */
/* Power of two; two entries each. 32k entries (1 MiB a worker): with
 * thousands of tunnels a worker sees tens of thousands of flows, and when
 * they outnumber the entries nearly every lookup misses (LRU pathology:
 * 1024 buckets gave no hits at all for 20k flows over 10k SAs). A probe is
 * then a prefetched L2/L3 miss, still cheaper than walking a 100k-rule
 * ACL whose paths differ per SA. */
#define SPD_CACHE_BUCKETS 16384
#define SPD_CACHE_CHUNK 64	/* keys per rte_acl call for the misses */

struct spd_cache_ent {
	struct spd_key4 key;
	uint32_t res;
	uint32_t gen;		/* valid when equal to the cache's */
};

/* Two ways in one cache line: a key is found by one line fill. */
struct spd_cache_bucket {
	struct spd_cache_ent way[2];
} __attribute__((aligned(64)));

struct spd_cache {
	uint32_t gen;		/* 0 never matches: entries start invalid */
	enum sa_dir dir;
	uint64_t hits, misses;
	struct spd_cache_bucket b[SPD_CACHE_BUCKETS];
};

/* Forget every entry: the SPD in use is another one from now on. */
void spd_cache_reset(struct spd_cache *c);
/* spd_classify4() through the cache; spd must be the SPD the cache's
 * entries came from since the last reset. */
void spd_classify4_cached(const struct spd *spd, struct spd_cache *c,
			  enum sa_dir dir, const struct spd_key4 *const keys[],
			  uint32_t results[], unsigned n);

#endif
