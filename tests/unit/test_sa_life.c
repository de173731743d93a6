/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lifetime accounting in chunks (lib/sa/sa.c, sa_life_charge): with one
 * worker, the first charge that reports soft, and the first that reports
 * hard, are exactly those at which a shared counter charged per run would
 * (soft when the total reaches the soft limit, hard when it reaches -
 * inbound - or exceeds - outbound - the hard one; events are raised once,
 * so later reports only matter as retries), for byte and packet limits,
 * small and large, unset ones included; with several
 * workers a limit is never reported late: once the charges of all workers
 * together reach it, the next charge (any worker) reports it.
 */
#include <stdlib.h>

#include "check.h"
#include "sa/sa.h"

static struct sa *new_sa(unsigned workers, uint64_t soft_b, uint64_t hard_b,
			 uint64_t soft_p, uint64_t hard_p)
{
	struct sa *sa = aligned_alloc(64, sizeof(*sa) + workers * sizeof(struct sa_ctr));

	memset(sa, 0, sizeof(*sa) + workers * sizeof(struct sa_ctr));
	sa->n_ctr = workers;
	sa->ctr = (struct sa_ctr *)(sa + 1);	/* sa_create() puts them apart */
	sa->soft_bytes = soft_b;
	sa->hard_bytes = hard_b;
	sa->soft_packets = soft_p;
	sa->hard_packets = hard_p;
	sa->life_limits = true;	/* as sa_create() sets it when a limit is */
	return sa;
}

/* What a shared counter charged per run reports (the former code). */
static unsigned reference(uint64_t *tp, uint64_t *tb, const struct sa *sa,
			  uint64_t p, uint64_t b, bool inbound)
{
	*tp += p;
	*tb += b;
	if (inbound)
		return *tp >= sa->hard_packets || *tb >= sa->hard_bytes ? SA_LIFE_HARD
		       : *tp >= sa->soft_packets || *tb >= sa->soft_bytes ? SA_LIFE_SOFT : 0;
	return *tb > sa->hard_bytes ? SA_LIFE_HARD : *tb >= sa->soft_bytes ? SA_LIFE_SOFT : 0;
}

static void one_worker(void)
{
	static const uint64_t limits[][4] = {	/* soft bytes, hard bytes, soft packets, hard packets */
		{ 5000, 8000, 40, 64 },
		{ 3u << 20, 5u << 20, 3000, 5000 },	/* beyond a chunk */
		{ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
		{ 1, 2, 1, 2 },
		{ 100000, UINT64_MAX, UINT64_MAX, 700 },
	};
	unsigned seed = 3;

	for (unsigned l = 0; l < sizeof(limits) / sizeof(limits[0]); l++)
		for (int inbound = 0; inbound < 2; inbound++) {
			struct sa *sa = new_sa(1, limits[l][0], limits[l][1],
					       limits[l][2], limits[l][3]);
			uint64_t tp = 0, tb = 0;
			long first[2][2] = { { -1, -1 }, { -1, -1 } }; /* [got/want][soft/hard] */

			for (long run = 0; run < 20000; run++) {
				uint64_t p = inbound ? 1 + (unsigned)rand_r(&seed) % 32 : 0;
				uint64_t b = (1 + (unsigned)rand_r(&seed) % 32) *
					     (40 + (unsigned)rand_r(&seed) % 1400);
				unsigned ev[2];

				ev[0] = sa_life_charge(sa, 0, p, b, inbound);
				ev[1] = reference(&tp, &tb, sa, p, b, inbound);
				for (int k = 0; k < 2; k++) {
					if (first[k][0] < 0 && ev[k])	/* hard implies soft */
						first[k][0] = run;
					if (first[k][1] < 0 && (ev[k] & SA_LIFE_HARD))
						first[k][1] = run;
				}
			}
			CHECK_MSG(first[0][0] == first[1][0] && first[0][1] == first[1][1],
				  "limits %u %s: soft at %ld (want %ld), hard at %ld (want %ld)",
				  l, inbound ? "in" : "out", first[0][0], first[1][0],
				  first[0][1], first[1][1]);
			free(sa);
		}
}

static void several_workers(void)
{
	unsigned seed = 5, late = 0, early = 0;

	for (unsigned round = 0; round < 200; round++) {
		uint64_t hard = 200000 + (unsigned)rand_r(&seed) % 5000000;
		struct sa *sa = new_sa(4, UINT64_MAX, hard, UINT64_MAX, UINT64_MAX);
		uint64_t used = 0;
		bool reported = false;

		while (!reported) {
			unsigned w = (unsigned)rand_r(&seed) % 4;
			uint64_t b = 64 + (unsigned)rand_r(&seed) % 1400;

			used += b;
			reported = sa_life_charge(sa, w, 1, b, true) & SA_LIFE_HARD;
			late += !reported && used >= hard;
			/* early by at most the other workers' credit */
			early += reported && used + 3 * SA_LIFE_CHUNK_BYTES < hard;
		}
		free(sa);
	}
	CHECK_MSG(late == 0, "%u charges past the hard limit not reported", late);
	CHECK_MSG(early == 0, "%u reports earlier than the credit allows", early);
}

int main(void)
{
	one_worker();
	several_workers();
	return check_summary();
}
