/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_COUNTERS_H
#define ESPRIT_DP_COUNTERS_H
/*
 * Drop reasons and other per-packet events, declared once (X-macro, as VPP
 * does) so that the enum, the telemetry names and the final summary can
 * never disagree. A packet that is not forwarded is counted under exactly
 * one of these.
 */
#include <stdint.h>

#define ESPRIT_DROPS(X)                                                        \
	X(malformed, "truncated or invalid L2/L3/L4 header")                   \
	X(bad_ip_checksum, "IPv4 header checksum wrong")                       \
	X(not_ip, "ethertype neither IPv4, IPv6 nor ARP")                      \
	X(no_policy, "no SPD rule matched: default discard (RFC 4301 §4.4.1)") \
	X(policy_discard, "SPD rule says discard")                             \
	X(unprotected, "cleartext on the WAN where policy requires IPsec "     \
		       "(RFC 4301 §5.2)")                                      \
	X(no_sa, "protect rule without an SA, or unknown SPI")                 \
	X(sa_mismatch, "packet does not fit the SA (destination, protocol, "   \
		       "encapsulation)")                                       \
	X(replay, "sequence number already seen")                             \
	X(replay_old, "sequence number left of the replay window")            \
	X(auth_failed, "ICV verification failed")                             \
	X(bad_padding, "ESP padding or pad length invalid")                   \
	X(bad_next_header, "ESP next header not allowed for the SA's mode")     \
	X(dummy, "ESP dummy packet, next header 59 (RFC 4303 §2.6)")           \
	X(ecn, "outer CE over a not-ECN-capable inner packet (RFC 6040 §4.2)")  \
	X(policy_mismatch, "decrypted packet outside the SA's selectors "      \
			   "(RFC 4301 §5.2)")                                  \
	X(lifetime_expired, "SA hard lifetime reached")                       \
	X(seq_overflow, "sequence number space exhausted (RFC 4303 §3.3.3)")  \
	X(ttl_exceeded, "TTL or hop limit reached zero")                       \
	X(too_big, "exceeds the egress MTU with DF set: ICMP sent")            \
	X(frag_failed, "outer fragmentation failed")                          \
	X(reassembly, "fragment for us that cannot be reassembled")          \
	X(no_route, "no route to the destination")                            \
	X(no_neighbour, "next hop MAC unresolved and its queue full")          \
	X(not_for_us, "addressed to us but no service")                       \
	X(keepalive, "NAT-T keepalive (RFC 3948 §2.3), consumed")              \
	X(punt_full, "control ring full")                                     \
	X(no_mbuf, "mbuf pool exhausted")                                     \
	X(no_headroom, "no room to add headers")                              \
	X(crypto_error, "ipsec-mb reported a job error")                      \
	X(tx_full, "transmit queue full")

/* Functions return "0 or a drop reason": 0 must not be one. */
enum drop_reason {
	DROP_none = 0,
#define X(n, d) DROP_##n,
	ESPRIT_DROPS(X)
#undef X
	DROP_MAX
};
#define DROP_FIRST (DROP_none + 1) /* loops over the reasons start here */

extern const char *const drop_names[DROP_MAX];
extern const char *const drop_descs[DROP_MAX];

#endif
