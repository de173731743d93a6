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
 *    packets (sa_seq_reserve), so two workers never use the same number.
 *  - Counters: per worker (no sharing, summed when read) for packets, bytes
 *    and drops; lifetime accounting uses the shared atomics.
 *  - Layout follows DPDK lib/ipsec and VPP: read-mostly fields and the
 *    sequence state sit on different cache lines.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "dp/counters.h"
#include "esp/replay.h"
#include "esp/xform.h"
#include "sa/sa_params.h"

#define SA_HDR_MAX 64 /* outer IPv6 (40) + UDP (8) + ESP (8) + room */

/* Flags in sa.state */
#define SA_ST_SOFT_RAISED 1u  /* soft lifetime event already sent */
#define SA_ST_DEAD 2u	      /* hard lifetime or overflow: drop everything */
#define SA_ST_HARD_RAISED 4u

struct sa_ctr {
	uint64_t packets, bytes;
	uint64_t drops[DROP_MAX];
} __rte_cache_aligned;

struct sa {
	/* read-mostly */
	uint32_t id;
	uint32_t spi_be;
	uint8_t dir, mode, outer_af, encap;
	uint8_t ttl, df;
	int8_t dscp;
	uint8_t outer_l3_len;	/* 20 or 40 */
	uint16_t hdr_len;	/* outer L3 (+UDP) + ESP header + IV (tunnel) */
	uint16_t overhead_max;	/* hdr_len + max padding + trailer + ICV */
	uint64_t soft_packets, hard_packets, soft_bytes, hard_bytes;
	uint64_t seq_limit;	/* last usable sequence number */
	struct ip_addr src, dst;
	uint8_t tmpl[SA_HDR_MAX] __rte_aligned(16); /* outer IP (+UDP) header */
	struct replay *rw;	/* inbound only */
	struct sa_params p;	/* description, keys zeroed */
	uint64_t created_tsc;	/* for time lifetimes */

	/* hot, shared between workers */
	uint64_t seq __rte_cache_aligned; /* outbound: last sequence number used */
	uint64_t bytes;			   /* lifetime accounting */
	uint64_t packets;		   /* inbound lifetime accounting */
	uint32_t state;
	uint64_t last_rx_tsc;		   /* for DPD: last inbound packet */

	struct xform xf __rte_cache_aligned;
	unsigned n_ctr;
	struct sa_ctr ctr[]; /* one per worker */
};

/* Create from params (copied; keys are expanded then wiped from the copy).
 * mb: any initialised ipsec-mb manager, used for key expansion only. */
struct sa *sa_create(const struct sa_params *p, uint32_t id, unsigned n_workers,
		     void *imb_mgr, int socket, char *err, size_t errlen);
void sa_free(struct sa *sa);

/* Reserve n outbound sequence numbers; returns the first, or 0 when the SA
 * cannot send n more (sequence space or hard packet limit exhausted). */
static inline uint64_t sa_seq_reserve(struct sa *sa, unsigned n)
{
	uint64_t first = __atomic_fetch_add(&sa->seq, n, __ATOMIC_RELAXED) + 1;

	if (unlikely(first + n - 1 > sa->seq_limit))
		return 0;
	return first;
}

/* Sum of the per-worker counters. */
void sa_ctr_sum(const struct sa *sa, struct sa_ctr *out);

#endif
