/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_UTIL_LOG_H
#define ESPRIT_UTIL_LOG_H
/*
 * Logging through DPDK's log system under the "esprit" log type, so that
 * --log-level=esprit:debug works like any DPDK component. Never pass key
 * material to these macros.
 */
#include <rte_log.h>

extern int esprit_logtype;

#define ELOG(level, fmt, ...)                                                  \
	rte_log(RTE_LOG_##level, esprit_logtype, "esprit: " fmt "\n", ##__VA_ARGS__)

#endif
