/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memprobe: what a cache line beyond L2 costs on this host right now.
 *
 *   memprobe [--brief] [SIZE_MB ...]      (default sizes: 0.5 4 8 32 128)
 *
 * For each size, in 2 MB-aligned memory advised for huge pages (so that the
 * TLB is out of the picture, as for DPDK's hugepages):
 *  - chase: the latency of one load, by a pointer chase over every line in
 *    a random cyclic order (Sattolo's shuffle: one cycle, no hardware
 *    prefetcher can guess the next line);
 *  - random: the cost of a line when the loads do not depend on each other,
 *    as a data path's prefetched lines do: independent loads of random
 *    lines, so the core keeps as many in flight as it can. The "in
 *    flight" column, chase/random, estimates how many it keeps. It
 *    overstates that where the chase pays costs the independent loads
 *    overlap (4 MB read 68 here: the random loads were mostly L3 hits
 *    the chase's latency does not show).
 * Both in TSC cycles (the unit of esprit's cycles per packet) and ns.
 *
 * Why: with traffic spread over 10,000 SAs every packet reads ~8 lines of
 * its SA and flow that nothing else read recently (docs/performance.md).
 * Their cost is this probe's "random" figure at the SAs' footprint, which
 * on a guest whose L3 is shared with other guests changes by several times
 * within an hour. The many-tunnel ratios are only comparable between runs
 * with similar readings; tools/bench-many.sh prints --brief before and
 * after its rounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <x86intrin.h>

#define LINE 64
#define HUGE (2u << 20)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double tsc_ghz(void)
{
	struct timespec a, b;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 50e6);
	t1 = __rdtsc();
	return (double)(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
}

static void *alloc_lines(size_t lines, size_t *bytes)
{
	size_t sz = (lines * LINE + HUGE - 1) / HUGE * HUGE;
	void *p = aligned_alloc(HUGE, sz);

	if (p == NULL)
		return NULL;
	madvise(p, sz, MADV_HUGEPAGE);
	memset(p, 0, sz);	/* fault every page in before timing */
	*bytes = sz;
	return p;
}

/* Cycles per dependent load over n lines in one random cycle. */
static double chase(uint64_t *a, size_t n)
{
	size_t *order = malloc(n * sizeof(*order)), rounds = 1000000;
	uint64_t *p, t;

	if (order == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) {	/* Sattolo: a single cycle */
		size_t j = next_rand() % i, x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (size_t i = 0; i < n; i++)
		a[order[i] * 8] = (uint64_t)(uintptr_t)&a[order[(i + 1) % n] * 8];
	free(order);
	p = &a[0];
	for (size_t i = 0; i < n && i < rounds; i++)	/* warm what fits */
		p = (uint64_t *)(uintptr_t)*p;
	t = __rdtsc();
	for (size_t i = 0; i < rounds; i++)
		p = (uint64_t *)(uintptr_t)*p;
	t = __rdtsc() - t;
	if (p == NULL)	/* keeps the chase */
		puts("");
	return (double)t / rounds;
}

/* Cycles per line for independent loads of random lines. */
static double random_loads(const uint64_t *a, size_t n)
{
	enum { LOADS = 4000000 };
	uint32_t *idx = malloc(LOADS * sizeof(*idx));
	volatile uint64_t sink;
	uint64_t sum = 0, t;

	if (idx == NULL)
		return -1;
	for (size_t i = 0; i < LOADS; i++)
		idx[i] = (uint32_t)(next_rand() % n);
	t = __rdtsc();
	for (size_t i = 0; i < LOADS; i++)
		sum += a[(size_t)idx[i] * 8];
	t = __rdtsc() - t;
	sink = sum;
	(void)sink;
	free(idx);
	return (double)t / LOADS;
}

int main(int argc, char **argv)
{
	double def[] = { 0.5, 4, 8, 32, 128 }, sizes[16], ghz = tsc_ghz();
	unsigned ns = 0;
	int brief = 0;

	for (int i = 1; i < argc; i++) {
		char *end;
		double v;

		if (strcmp(argv[i], "--brief") == 0) {
			brief = 1;
			continue;
		}
		v = strtod(argv[i], &end);
		if (*end != '\0' || v < 0.0625 || v > 4096 || ns == 16) {
			fprintf(stderr, "usage: memprobe [--brief] [SIZE_MB ...] "
					"(0.0625 to 4096, at most 16)\n");
			return 2;
		}
		sizes[ns++] = v;
	}
	if (ns == 0) {
		memcpy(sizes, def, sizeof(def));
		ns = sizeof(def) / sizeof(def[0]);
	}
	if (brief)
		printf("memprobe (TSC %.3f GHz), cycles a line, chase/random:", ghz);
	else
		printf("TSC %.3f GHz\n%10s %14s %10s %16s %14s\n", ghz, "size MB",
		       "chase cycles", "chase ns", "random cycles", "in flight");
	for (unsigned i = 0; i < ns; i++) {
		size_t n = (size_t)(sizes[i] * 1024 * 1024) / LINE, bytes;
		uint64_t *a = alloc_lines(n, &bytes);
		double c, r;

		if (a == NULL) {
			fprintf(stderr, "memprobe: cannot allocate %.1f MB\n", sizes[i]);
			return 1;
		}
		c = chase(a, n);
		r = random_loads(a, n);
		if (brief)
			printf(" %g MB %.0f/%.1f%s", sizes[i], c, r, i + 1 < ns ? "," : "\n");
		else
			printf("%10g %14.1f %10.1f %16.1f %14.1f\n", sizes[i], c, c / ghz,
			       r, c / r);
		free(a);
	}
	return 0;
}
