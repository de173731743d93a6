/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive rx bursts (wk_burst_adapt, lib/dp/dp_int.h): with options.burst
 * unset the next burst is DP_BURST_MAX after a burst that was not short
 * and whose ESP came in runs of DP_RUN_LONG packets or more on average,
 * DP_BURST_BASE otherwise; bursts without ESP change nothing; a burst set
 * in the configuration is never changed.
 */
#include "check.h"
#include "dp/dp_int.h"

static struct dp dp;
static struct worker w;

/* rx_burst after one burst, starting from `from` */
static unsigned after(unsigned from, unsigned n_rx, unsigned n_esp, unsigned runs)
{
	w.rx_burst = (uint16_t)from;
	wk_burst_adapt(&w, n_rx, n_esp, runs);
	return w.rx_burst;
}

int main(void)
{
	g_dp = &dp;
	dp.burst = DP_BURST_BASE;
	dp.burst_auto = true;
	CHECK(DP_BURST_BASE < DP_BURST_MAX);

	/* one SA: a full burst of 64 is one run */
	CHECK(after(DP_BURST_BASE, 64, 64, 1) == DP_BURST_MAX);
	CHECK(after(DP_BURST_MAX, 128, 128, 1) == DP_BURST_MAX);
	/* the boundary: a mean run of exactly DP_RUN_LONG, then just under */
	CHECK(after(DP_BURST_BASE, 128, 128, 128 / DP_RUN_LONG) == DP_BURST_MAX);
	CHECK(after(DP_BURST_MAX, 128, 128, 128 / DP_RUN_LONG + 1) == DP_BURST_BASE);
	/* every packet an SA of its own (many tunnels) */
	CHECK(after(DP_BURST_MAX, 128, 128, 128) == DP_BURST_BASE);
	CHECK(after(DP_BURST_BASE, 64, 64, 64) == DP_BURST_BASE);
	/* a short burst: the queue is not backed up, no need for more */
	CHECK(after(DP_BURST_MAX, DP_BURST_BASE - 1, DP_BURST_BASE - 1, 1) == DP_BURST_BASE);
	/* ESP a part of the burst: runs are counted against the ESP packets */
	CHECK(after(DP_BURST_BASE, 64, 16, 2) == DP_BURST_MAX);
	CHECK(after(DP_BURST_BASE, 64, 16, 3) == DP_BURST_BASE);
	/* no ESP: left as it was */
	CHECK(after(DP_BURST_MAX, 128, 0, 0) == DP_BURST_MAX);
	CHECK(after(DP_BURST_BASE, 64, 0, 0) == DP_BURST_BASE);

	/* options.burst set: fixed */
	dp.burst_auto = false;
	dp.burst = 32;
	CHECK(after(32, 32, 32, 1) == 32);
	CHECK(after(32, 32, 32, 32) == 32);
	return check_summary();
}
