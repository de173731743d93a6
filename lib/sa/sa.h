/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SA_H
#define ESPRIT_SA_H
/*
 * The runtime SA the workers use.
 *
 * Contract:
 *  - Built by sa_create() on the control lcore from sa_params: keys
 *    expanded, outer header template made, replay window allocated. After it
 *    is published to the workers only the fields in the "hot, shared" block
 *    change (atomically); everything else is read-only until sa_free(),
 *    which the control plane calls only after every worker has passed an RCU
 *    quiescent state since the SA was unpublished.
 *  - Outbound sequence numbers are reserved with one atomic add per run of
 *    packets (sa_seq_reserve), so two workers never use the same number;
 *    with a single worker, by a plain load and store.
 *  - Counters: per worker (no sharing, summed when read). A run's packets
 *    and bytes are added to sa->solo (outbound with one worker: line 0,
 *    which every packet reads anyway) or else to the worker's own table
 *    of them by SA id (struct worker, dp.h: 16 bytes an SA, so that with
 *    thousands of SAs a worker's counters stay in its L2 instead of each
 *    run writing a line of the SA); drops to the SA's struct sa_ctr.
 *    sa_stats_sum() adds up what is in the SA, the data plane the rest
 *    (dp_sa_stats). Lifetime is taken from the SA's shared totals in
 *    chunks (sa_life_charge), so soft and hard limits are never reported
 *    late.
 *  - Layout: a packet reads as few lines of its SA as possible (with
 *    traffic spread over thousands of SAs each is a miss): the read-mostly
 *    fields every packet needs in line 0, the sequence state with the
 *    run's other per-SA reads in line 1 (a worker takes it once per run,
 *    as it would a line of its own; an IPv6 template ends in line 2),
 *    the keys a packet reads (AES-GCM's for gcm16.h, or an
 *    encrypt-then-MAC suite's) in lines 3-10; the rest of what the data
 *    plane reads in lines 11-12, and what only the control plane and
 *    rarer paths read (selectors, parameters, other suites' keys,
 *    per-worker counters) apart.
 *  - Packed: struct sa is 896 bytes, taken from per-direction slabs of
 *    its own (sa_slab.h: why, and what it measured) rather than one 3.5 KB
 *    heap allocation each.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "dp/counters.h"
#include "esp/replay.h"
#include "esp/xform.h"
#include "sa/sa_params.h"
#include "util/prefetch.h"

#define SA_HDR_MAX 48 /* outer IPv6 (40) + UDP (8) */

/* Flags in sa.state */
#define SA_ST_SOFT_RAISED 1u  /* soft lifetime event already sent */
#define SA_ST_DEAD 2u	      /* hard lifetime or overflow: drop everything */
#define SA_ST_HARD_RAISED 4u

/* A traffic selector prepared for the per-packet policy check: masks
 * precomputed, addresses as 64-bit words in wire order. The first words
 * (all of IPv4, in their low half) come first, so that an IPv4 check reads
 * one line. */
struct sa_sel {
	uint8_t af, proto;
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	uint64_t lo[4];	/* src, src mask, dst, dst mask: bytes 0-7 */
	uint64_t hi[4];	/* the same, bytes 8-15 (IPv6) */
};

/* The first selector when it is IPv4, compact, in line 1 (sa_sel_match). */
struct sa_sel4 {
	uint8_t proto;		/* 0: any */
	bool on;		/* the first selector is IPv4 */
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	uint32_t src, smask, dst, dmask;	/* wire order */
};

/* What a run of packets adds to. */
struct sa_count {
	uint64_t packets, bytes;
};

/* One worker's: written by a run only with lifetime limits, or to count a
 * drop. */
struct sa_ctr {
	/* lifetime this worker took from the SA and has not used yet */
	uint64_t credit_packets, credit_bytes;
	uint64_t drops[DROP_MAX];
} __rte_cache_aligned;

/* An SA's counters summed over its workers. */
struct sa_stats {
	struct sa_count run;
	uint64_t drops[DROP_MAX];
};

struct sa {
	/* Line 0, read-mostly: what every packet of either direction reads,
	 * its crypto parameters included (their keys are in `keys`). */
	struct xform xf;
	uint32_t spi_be;
	uint32_t state;		/* SA_ST_*: changes on lifetime events only */
	uint8_t dir, mode, outer_af, encap;
	uint8_t ttl, df;
	int8_t dscp;
	uint8_t outer_l3_len;	/* 20 or 40 */
	uint16_t hdr_len;	/* outer L3 (+UDP) + ESP header + IV (tunnel) */
	uint8_t n_sel;
	bool one_worker;	/* n_ctr == 1: the only writer of seq (sa_seq_reserve) */
	bool life_limits;	/* a byte or packet lifetime is set (sa_life_charge) */
	union {
		uint8_t outer_dst[16];	/* inbound: our address the ESP must be sent to */
		/* Outbound with one worker: its run counters, here rather than
		 * in the worker's table, whose line would be one more miss a
		 * packet when every packet has an SA of its own */
		struct sa_count solo;
	};

	/* Line 1, what a run of packets reads and writes besides line 0, per
	 * direction: with traffic spread over many SAs every line of an SA
	 * is a miss per packet, hence two lines and the keys (sa_prefetch). */
	union {
		struct {	/* outbound */
			uint64_t seq;		/* last sequence number used */
			/* Runs that stay at or below this take their numbers
			 * with a plain store and need no other check: of the
			 * sequence space, the soft and hard packet limits
			 * (seq_limit, soft_packets: the least of them), or of
			 * anything else. 0 when every run must be checked: with
			 * several workers (sa_seq_reserve), a byte or packet
			 * lifetime (sa_life_charge), once dead (sa_kill). One
			 * compare per run instead of four. */
			uint64_t seq_check;
			/* Tunnel mode: where the packets go, bound when the SA
			 * is installed (dp_tables.c). Routes do not change while
			 * the gateway runs and neighbour slots are never reused,
			 * so per run only the next hop's MAC is read. */
			const uint64_t *eg_mac;	/* &neighbour.mac_state; NULL: per packet */
			uint16_t eg_port;	/* port index */
			uint16_t eg_mtu;	/* of that port; 0: no route */
			uint16_t eg_max_inner;	/* largest inner packet that fits */
			uint32_t tmpl_sum;	/* IPv4: sum of the template's fixed words */
			/* outer IP (+UDP) header: IPv4's in this line, IPv6's
			 * into the next (sa_prefetch_encap) */
			uint8_t tmpl[SA_HDR_MAX];
		};
		struct {	/* inbound */
			struct replay rw;	/* anti-replay state (its bitmap apart) */
			struct sa_sel4 sel4;	/* sel[0] when IPv4 */
		};
	} __rte_cache_aligned;

	/* Lines 3-10: the keys a packet reads (xform.h, XF_SLOT), where
	 * gcm16.h runs AES-GCM (xf.g16) and for the encrypt-then-MAC suites
	 * (xf.etm: this direction's round keys and HMAC pads, lines 3-6 for
	 * AES-128-CBC with HMAC-SHA1); the rest of every suite's in `keys`,
	 * apart. With lines 0 and 1 they are all a packet reads of its SA
	 * (sa_prefetch*). */
	union xform_slot slot;

	/* Lifetime totals (sa_life_take, once per chunk) and the rest. */
	uint64_t bytes __rte_cache_aligned; /* lifetime taken by workers (sa_life);
					     * kept only with life_limits */
	uint64_t packets;		   /* the same, inbound */
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;
	uint64_t seq_limit;	/* outbound: last usable sequence number */
	uint32_t id;
	uint64_t created_tsc;	/* for time lifetimes */
	unsigned n_ctr;
	int socket;		/* its slot's (sa_slab) */
	struct replay_word *rw_words;	/* inbound with a window */
	/* Apart, in one allocation of their own (sa.c): what the control
	 * plane, drops and rarer checks read. */
	struct sa_sel *sel;	/* [SA_TS_MAX]: the selectors (RFC 4301
				 * §5.2), the first's IPv4 copy in line 1 */
	struct sa_params *p;	/* description, keys zeroed */
	void *keys;		/* what xf still reads apart from the slot
				 * (xform_keys_kept), or NULL (sa.c) */
	struct sa_ctr *ctr;	/* [n_ctr], one per worker */
} __rte_aligned(2 * RTE_CACHE_LINE_SIZE);	/* sa_slab.h: line pairs */

/* Outbound with one worker: runs are counted in sa->solo, not in the
 * worker's table. */
static inline bool sa_counts_solo(const struct sa *sa)
{
	return sa->dir == SA_DIR_OUT && sa->one_worker;
}

/*
 * Fetch the lines a packet of the SA will touch, ahead of it: with many SAs
 * each packet's SA is likely out of the caches, and its lines would
 * otherwise miss one after the other. In two steps, so that nothing waits
 * for a miss here: sa_prefetch() takes addresses only (call it as soon as
 * the SA is known); sa_prefetch_keys() (inbound), sa_prefetch_encap() and
 * sa_prefetch_crypto() (outbound) read line 0 to find the keys (call them
 * once that has arrived, a few packets later). All non-temporal
 * (util/prefetch.h): with many SAs a packet's SA lines are not read again
 * for thousands of packets, and must not push out of L2 what every packet
 * reads.
 */
static inline void sa_prefetch(const struct sa *sa)
{
	const char *p = (const char *)sa;

	prefetch_cold(p);
	prefetch_cold(p + RTE_CACHE_LINE_SIZE);
}

/* The crypto keys of a packet of l3_len bytes: the IP packet's length,
 * inner (outbound) or outer (inbound). Reads line 0. */
static inline void sa_prefetch_crypto(const struct sa *sa, bool inbound,
				      uint32_t l3_len)
{
	uint32_t pay = inbound ? l3_len - sa->hdr_len - sa->xf.icv_len : l3_len + 2;

	xform_prefetch_keys(&sa->xf, inbound, pay);
}

/* What encapsulating a run reads besides lines 0 and 1 (outbound): the end
 * of an IPv6 template; and, but for AES-GCM, whose packets are sealed
 * later (dp_outb.c: sa_prefetch_crypto() then), the keys, used by the
 * queued bursts right after the encapsulation. Those bursts run once the
 * whole burst is encapsulated, so the first packets' keys wait the
 * longest of any prefetch_cold() line; CBC out 64 at 10,000 SAs read the
 * same with and without the hint (docs/performance.md, sixteenth
 * session). */
static inline void sa_prefetch_encap(const struct sa *sa, uint32_t l3_len)
{
	if (sa->xf.path != XF_PATH_GCM)
		sa_prefetch_crypto(sa, false, l3_len);
	if (sa->outer_af == AF_INET6)	/* the template's end */
		prefetch_cold(sa->tmpl + SA_HDR_MAX - 1);
}

/* Inbound: the keys and the bitmap word of the newest numbers. */
static inline void sa_prefetch_keys(const struct sa *sa, uint32_t l3_len)
{
	sa_prefetch_crypto(sa, true, l3_len);
	if (sa->rw.win)
		prefetch_cold(&sa->rw.w[(sa->rw.top >> 6) & sa->rw.mask]);
}

/* Hard lifetime or exhaustion: the SA drops everything from now on. Any
 * lcore; a worker may still send a run it had already admitted. */
static inline void sa_kill(struct sa *sa)
{
	__atomic_fetch_or(&sa->state, SA_ST_DEAD, __ATOMIC_RELAXED);
	if (sa->dir == SA_DIR_OUT)	/* line 1 is the replay state inbound */
		__atomic_store_n(&sa->seq_check, 0, __ATOMIC_RELAXED);
}

/* Create from params (copied; keys are expanded then wiped from the copy).
 * mb: any initialised ipsec-mb manager, used for key expansion only. */
struct sa *sa_create(const struct sa_params *p, uint32_t id, unsigned n_workers,
		     void *imb_mgr, int socket, char *err, size_t errlen);
void sa_free(struct sa *sa);

/* Reserve n outbound sequence numbers; returns the first, or 0 when the SA
 * cannot send n more (sequence space or hard packet limit exhausted). */
static inline uint64_t sa_seq_reserve(struct sa *sa, unsigned n)
{
	uint64_t first;

	/* A locked add is ~10 cycles and waits for the store buffer to
	 * drain, once per run: per packet when traffic is spread over many
	 * SAs. With one worker nothing else writes seq (the control plane
	 * only reads it), so a plain load and store reserve the same numbers. */
	if (sa->one_worker) {
		first = __atomic_load_n(&sa->seq, __ATOMIC_RELAXED) + 1;
		__atomic_store_n(&sa->seq, first + n - 1, __ATOMIC_RELAXED);
	} else {
		first = __atomic_fetch_add(&sa->seq, n, __ATOMIC_RELAXED) + 1;
	}

	if (unlikely(first + n - 1 > __atomic_load_n(&sa->seq_check, __ATOMIC_RELAXED)) &&
	    first + n - 1 > sa->seq_limit)
		return 0;
	return first;
}

/*
 * RFC 4301 §5.2: does a decapsulated packet (addresses at l3 in wire order,
 * ports/ICMP type and code in host order) match one of the SA's selectors?
 */
static inline bool sa_sel_match(const struct sa *sa, uint8_t af, const uint8_t *l3,
				uint8_t proto, uint16_t sport, uint16_t dport)
{
	uint64_t s[2] = { 0, 0 }, d[2] = { 0, 0 };

	if (af == AF_INET) {
		uint32_t a, b;

		memcpy(&a, l3 + 12, 4);
		memcpy(&b, l3 + 16, 4);
		s[0] = a;
		d[0] = b;
	} else {
		memcpy(s, l3 + 8, 16);
		memcpy(d, l3 + 24, 16);
	}
	/* the first selector from line 1 (the SA usually has one) */
	if (af == AF_INET && sa->sel4.on) {
		const struct sa_sel4 *t = &sa->sel4;

		if ((!t->proto || t->proto == proto) &&
		    (((uint32_t)s[0] & t->smask) ^ t->src) == 0 &&
		    (((uint32_t)d[0] & t->dmask) ^ t->dst) == 0 &&
		    sport >= t->sp_lo && sport <= t->sp_hi &&
		    dport >= t->dp_lo && dport <= t->dp_hi)
			return true;
	}
	for (unsigned i = af == AF_INET && sa->sel4.on; i < sa->n_sel; i++) {
		const struct sa_sel *t = &sa->sel[i];
		uint64_t diff;

		if (t->af != af || (t->proto && t->proto != proto))
			continue;
		diff = ((s[0] & t->lo[1]) ^ t->lo[0]) | ((d[0] & t->lo[3]) ^ t->lo[2]);
		if (af != AF_INET)	/* IPv4 reads the selector's first line only */
			diff |= ((s[1] & t->hi[1]) ^ t->hi[0]) | ((d[1] & t->hi[3]) ^ t->hi[2]);
		if (diff)
			continue;
		if (sport >= t->sp_lo && sport <= t->sp_hi &&
		    dport >= t->dp_lo && dport <= t->dp_hi)
			return true;
	}
	return false;
}

/*
 * Lifetime accounting (RFC 4301 §4.4.2.1) without an atomic per run: a
 * worker takes lifetime from the SA's shared totals in chunks, one
 * compare-and-swap per chunk, and spends it from its own counter line. A
 * chunk never reaches a limit unless the packets being charged need it to,
 * so the charge that crosses a limit is the one that reports it: with one
 * worker exactly where a shared per-packet counter would, with several up
 * to one chunk per other worker early (their unspent credit), never late.
 * Returns SA_LIFE_* flags: SOFT when the soft limit is reached, HARD when
 * the hard one is (inbound: reached; outbound: exceeded, the packets must
 * not go).
 */
enum { SA_LIFE_SOFT = 1, SA_LIFE_HARD = 2 };
#define SA_LIFE_CHUNK_BYTES (1u << 20)
#define SA_LIFE_CHUNK_PACKETS 1024u

unsigned sa_life_take(struct sa *sa, struct sa_ctr *c, uint64_t packets,
		      uint64_t bytes, bool inbound);

static inline unsigned sa_life_charge(struct sa *sa, unsigned worker,
				      uint64_t packets, uint64_t bytes,
				      bool inbound)
{
	struct sa_ctr *c;

	if (!sa->life_limits)	/* nothing to reach: no totals kept */
		return 0;
	/* only now: sa->ctr is in a line no packet reads otherwise (taken
	 * first, it was a miss a run, in 64 at 10k SAs 15 % slower) */
	c = &sa->ctr[worker];
	if (likely(c->credit_bytes >= bytes && c->credit_packets >= packets)) {
		c->credit_bytes -= bytes;
		c->credit_packets -= packets;
		return 0;
	}
	return sa_life_take(sa, c, packets, bytes, inbound);
}

/* The counters kept in the SA, summed: drops, and runs counted in
 * sa->solo (the data plane adds those in its workers' tables, dp.h). */
void sa_stats_sum(const struct sa *sa, struct sa_stats *out);

#endif
