/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CTL_TELEMETRY_H
#define ESPRIT_CTL_TELEMETRY_H
/*
 * DPDK telemetry endpoints under /esprit/ (list them with dpdk-telemetry.py
 * and "/"), and the same figures as text for the final report.
 *
 * Contract: callbacks run on DPDK's telemetry thread. Worker counters are
 * read without synchronisation (64-bit aligned reads cannot tear on the
 * platforms DPDK supports; a figure may be a few packets old); the SA
 * registry is read under dp_tables_lock().
 */
#include <stdio.h>

#include "dp/dp.h"

int telemetry_init(struct dp *dp);
/* Sums over workers. */
void stats_port_sum(const struct dp *dp, unsigned port, struct dp_port_ctr *out);
void stats_drop_sum(const struct dp *dp, uint64_t out[DROP_MAX]);
void stats_report(const struct dp *dp, FILE *f);

#endif
