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
 * result, four-way set associative. RFC 4301 §4.4.1.2 lets an
 * implementation cache SPD lookups; an exact-match entry cannot be wrong
 * while the SPD it came from is the one in use, so the owner resets the
 * cache whenever it starts using another SPD (spd_cache_reset). A hit is a
 * CRC32 hash and one cache line, where rte_acl takes ~25 cycles per packet
 * for a small SPD and hundreds for a big one whose paths differ per flow;
 * the misses of a burst go to rte_acl together in one call.
 *
 * An entry is the 16-byte key itself with the result in its three pad
 * bytes, so that four fit a cache line. With tens of thousands of flows (a
 * gateway with thousands of tunnels) the buckets must hold the flows that
 * hash together: with two ways of 32 bytes, 20,000 flows in 16,384 buckets
 * missed 35 % of the time (every bucket with three flows or more misses on
 * each of them when they come round in turn); four ways in 32,768 buckets
 * miss 0.4 % of the time. The table's footprint in the caches is set by
 * the flows, not its size: one line per flow at most.
 *
 * Not cached, always classified by rte_acl: results that do not fit 24
 * bits (SA ids of 2^22 and above), and the all-zero key (an empty entry).
 *
 * Contract: one cache per worker and direction, used by that worker only;
 * keys must have their pad bytes zeroed (they are compared whole). A reset
 * costs the caller nothing at once: the table is cleared a slice per call
 * over the next calls, which meanwhile go to rte_acl directly.
 */
#define SPD_CACHE_BUCKETS 32768	/* power of two; 2 MiB */
#define SPD_CACHE_WAYS 4
#define SPD_CACHE_CHUNK 64	/* keys per rte_acl call for the misses */
#define SPD_CACHE_CLEAR 1024	/* buckets cleared per call after a reset */

struct spd_cache_ent {
	uint64_t w[2];		/* spd_key4 with the result in bytes 1-3 */
};

struct spd_cache_bucket {
	struct spd_cache_ent way[SPD_CACHE_WAYS]; /* way 0: inserted last */
} __attribute__((aligned(64)));

struct spd_cache {
	enum sa_dir dir;
	bool used;		/* dir is set */
	uint32_t cleared;	/* buckets clean since the last reset */
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
