/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive rx bursts (wk_burst_adapt, lib/dp/dp_int.h): with options.burst
 * unset the next burst is DP_BURST_MAX after a burst that was not short
 * and whose first, middle and last ESP packets belong to one SA, and
 * DP_BURST_BASE otherwise; a burst set in the configuration never changes.
 */
#include "check.h"
#include "dp/dp_int.h"

static struct dp dp;
static struct worker w;
static struct esp_item it[DP_BURST_MAX];
static struct sa *sa[4] = { (struct sa *)0x1000, (struct sa *)0x2000,
			    (struct sa *)0x3000, (struct sa *)0x4000 };

/* n items, item i of SA sa[pick(i)] */
static void items(unsigned n, unsigned (*pick)(unsigned))
{
	for (unsigned i = 0; i < n; i++)
		it[i].sa = sa[pick(i)];
}

static unsigned one(unsigned i) { (void)i; return 0; }
static unsigned alternate(unsigned i) { return i % 2; }
static unsigned halves(unsigned i) { return i >= 32; }
static unsigned last_differs(unsigned i) { return i == 63; }
static unsigned middle_differs(unsigned i) { return i == 32; }
static unsigned ends_agree(unsigned i) { return i == 0 || i == 63 || i == 32 ? 0 : 1 + i % 3; }

/* rx_burst after one burst of n_rx packets, n_esp of them ESP */
static unsigned after(unsigned from, unsigned n_rx, unsigned n_esp)
{
	w.rx_burst = (uint16_t)from;
	wk_burst_adapt(&w, n_rx, it, n_esp);
	return w.rx_burst;
}

int main(void)
{
	g_dp = &dp;
	dp.burst = DP_BURST_BASE;
	dp.burst_auto = true;
	CHECK(DP_BURST_BASE < DP_BURST_MAX);

	items(DP_BURST_MAX, one);	/* one SA */
	CHECK(after(DP_BURST_BASE, 64, 64) == DP_BURST_MAX);
	CHECK(after(DP_BURST_MAX, 128, 128) == DP_BURST_MAX);
	CHECK(after(DP_BURST_BASE, 64, 1) == DP_BURST_MAX);	/* ESP a part of it */
	/* a short burst: the queue is not backed up */
	CHECK(after(DP_BURST_MAX, DP_BURST_BASE - 1, DP_BURST_BASE - 1) == DP_BURST_BASE);
	items(64, alternate);	/* every packet another SA than the one before */
	CHECK(after(DP_BURST_MAX, 64, 64) == DP_BURST_BASE);
	items(64, halves);	/* two runs */
	CHECK(after(DP_BURST_MAX, 64, 64) == DP_BURST_BASE);
	items(64, last_differs);
	CHECK(after(DP_BURST_MAX, 64, 64) == DP_BURST_BASE);
	items(64, middle_differs);
	CHECK(after(DP_BURST_MAX, 64, 64) == DP_BURST_BASE);
	/* a sample, not a count: the three agree, the rest does not */
	items(64, ends_agree);
	CHECK(after(DP_BURST_BASE, 64, 64) == DP_BURST_MAX);

	/* options.burst set: fixed */
	dp.burst_auto = false;
	dp.burst = 32;
	items(32, one);
	CHECK(after(32, 32, 32) == 32);
	items(32, alternate);
	CHECK(after(32, 32, 32) == 32);
	return check_summary();
}
