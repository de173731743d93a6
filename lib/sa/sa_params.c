/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/sa_params.h"

#include "util/hex.h"

void sa_params_clear(struct sa_params *p)
{
	secure_zero(p, sizeof(*p));
}

bool ts_match(const struct ts *t, const struct ip_addr *src,
	      const struct ip_addr *dst, uint8_t proto, uint16_t sport,
	      uint16_t dport)
{
	if (!ip_prefix_contains(&t->src, src) ||
	    !ip_prefix_contains(&t->dst, dst))
		return false;
	if (t->proto != 0 && t->proto != proto)
		return false;
	return sport >= t->sport_lo && sport <= t->sport_hi &&
	       dport >= t->dport_lo && dport <= t->dport_hi;
}
