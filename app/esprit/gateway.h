/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_APP_GATEWAY_H
#define ESPRIT_APP_GATEWAY_H
/*
 * Assembly of the gateway from a loaded configuration: lcores and workers,
 * the mbuf pool, ports, routes and neighbours, the configured SAs and SPD,
 * the control plane and telemetry; then start, stop and teardown.
 */
#include <stddef.h>

#include "conf/conf.h"
#include "dp/dp.h"

/* Checks that need more than lib/conf (the IKE sections). */
int gw_check_extra(const struct conf *c, char *err, size_t errlen);
int gw_setup(struct dp *dp, char *err, size_t errlen);
void gw_start(struct dp *dp);
void gw_control_poll(struct dp *dp);
void gw_stop(struct dp *dp);
void gw_teardown(struct dp *dp);

#endif
