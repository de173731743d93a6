/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_TS_H
#define ESPRIT_IKE_TS_H
/*
 * Traffic selectors (RFC 7296 §3.13) and their narrowing (§2.9).
 *
 * Contract: an IKE selector is an address range, a protocol and a port
 * range, for one side of the SA only (TSi or TSr). Narrowing is the
 * intersection of what the initiator proposed with what the responder's
 * configuration allows; an empty result means TS_UNACCEPTABLE. The SA's
 * `struct ts` (sa_params.h) pairs both sides, with ranges split into
 * prefixes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sa/sa_params.h"
#include "util/addr.h"

#define IKE_TS_MAX 8
#define IKE_TS_IPV4 7
#define IKE_TS_IPV6 8

struct ike_tsel {
	uint8_t type;	/* IKE_TS_IPV4 or IKE_TS_IPV6 */
	uint8_t proto;	/* 0 = any */
	uint16_t sport, eport;
	struct ip_addr start, end;
};

struct ike_ts_list {
	unsigned n;
	struct ike_tsel ts[IKE_TS_MAX];
};

struct ike_wr;

/* Payload body (already validated by ike_pl_valid). Selectors beyond
 * IKE_TS_MAX are dropped (narrowing then only considers the first ones). */
int ike_ts_parse(const uint8_t *b, size_t len, struct ike_ts_list *out);
void ike_ts_write(struct ike_wr *w, uint8_t pl_type,
		  const struct ike_ts_list *l);
/* A prefix, any protocol and port, as a selector. */
void ike_ts_from_prefix(const struct ip_prefix *p, struct ike_tsel *out);
/* "192.168.20.0/24, 10.1.0.0/16" (optionally "PREFIX[PROTO]" or
 * "PREFIX[PROTO/PORT]", PROTO a number or tcp/udp/icmp). */
int ike_ts_conf_parse(const char *s, struct ike_ts_list *out);
/* §2.9: the intersection of each proposed selector with each configured
 * one, in proposal order; returns the number left. */
unsigned ike_ts_narrow(const struct ike_ts_list *proposed,
		       const struct ike_ts_list *conf, struct ike_ts_list *out);
/* The initiator's check: every returned selector lies within one we sent. */
bool ike_ts_within(const struct ike_ts_list *got,
		   const struct ike_ts_list *asked);
/* src x dst into SA selectors (ranges split into prefixes); returns the
 * number written (at most max). */
unsigned ike_ts_to_sa(const struct ike_ts_list *src,
		      const struct ike_ts_list *dst, struct ts *out,
		      unsigned max);
/* "192.168.20.0/24" or "10.0.0.1-10.0.0.9" with "[proto/ports]" if set. */
const char *ike_tsel_fmt(const struct ike_tsel *t, char *buf, size_t n);

#endif
