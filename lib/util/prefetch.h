/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_UTIL_PREFETCH_H
#define ESPRIT_UTIL_PREFETCH_H
/*
 * Prefetching what one packet reads and the next thousands do not.
 *
 * With traffic spread over thousands of SAs and flows, each packet reads
 * lines of its own that no packet soon after it reads again: the SA's two
 * lines and keys, its SAD slot (inbound), its flow's SPD cache bucket
 * (outbound). prefetch_cold() fetches them with the non-temporal hint,
 * so they take less of the caches than prefetcht0's lines. How is the
 * CPU's choice; AMD's optimisation guides describe such a line as kept in
 * L1 and not put into L2 when it leaves L1 clean. L2 then keeps what
 * every packet reads: the mbufs in use, the rings, the worker's own
 * tables. On this project's Zen 4 guest (L2 1 MiB, the L3 shared with
 * other guests) 10,000 SAs' out-64 runs read 414 → 294 cycles a packet,
 * one SA's 254 → 216 (docs/performance.md, sixteenth session).
 *
 * The lines must be read before L1 evicts them: a non-temporal line that
 * leaves L1 unread comes from L3 or memory again. Each caller reads its
 * lines within a few thousand cycles, with far fewer lines touched in
 * between than L1 holds (512 on Zen 4): an SA's lines eight runs ahead,
 * its keys two or three, a burst's SAD slots while it is parsed, a
 * chunk's SPD buckets just before their lookups. The longest wait is the
 * encrypt-then-MAC keys' (sa_prefetch_encap). A line that is already
 * cached is not moved, so one SA's traffic, whose lines stay in L1, sees
 * no change.
 */
#include <rte_prefetch.h>

static inline void prefetch_cold(const volatile void *p)
{
	rte_prefetch_non_temporal(p);
}

#endif
