/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CTL_IKE_HOST_H
#define ESPRIT_CTL_IKE_HOST_H
/*
 * The gateway as the host of the IKEv2 daemon (lib/ike/ike.h): datagrams
 * punted by the workers go to ike_input, the daemon's datagrams go out
 * through the control TX path, negotiated children become SAs and SPD
 * rules in the workers (dp_tables.h), SA lifetime events go back to the
 * daemon, and NAT-T keepalives (RFC 3948 §2.3) are sent for UDP-
 * encapsulated children.
 *
 * Contract: control lcore only. Without a `connections` section there is no
 * daemon and every function is a cheap no-op.
 */
#include <stddef.h>

#include "conf/conf.h"
#include "dp/dp.h"
#include "spd/spd.h"

struct ike;

/* base: the configuration's SPD rules, kept under the children's rules. */
int ike_host_init(struct dp *dp, const struct spd_rule *base, unsigned n_base,
		  char *err, size_t errlen);
void ike_host_poll(struct dp *dp);
void ike_host_fini(struct dp *dp);
struct ike *ike_host_daemon(void);
/* Validation for esprit --check. */
int ike_host_check(const struct conf *c, char *err, size_t errlen);

#endif
