/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SA_PARAMS_H
#define ESPRIT_SA_PARAMS_H
/*
 * What the control plane knows about one IPsec SA: the description that the
 * configuration (manual keying, RFC 4301 §4.5) or IKE (RFC 7296 §2.17) hands
 * to the data plane. It is plain data, copied by value; the data plane turns
 * it into a runtime `struct sa` (sa.h) with expanded keys and templates.
 *
 * Key material lives only here and in the runtime SA, and both are zeroed with
 * secure_zero() when they go (sa_params_clear).
 */
#include <stdbool.h>
#include <stdint.h>

#include "sa/alg.h"
#include "util/addr.h"

#define SA_NAME_MAX 48
#define SA_KEY_MAX 36	   /* AES-256 + 4-byte salt */
#define SA_AUTH_KEY_MAX 64 /* HMAC-SHA-512 */
#define SA_TS_MAX 8	   /* selectors per SA for the inbound policy check */
#define SA_REPLAY_MAX 65536

enum sa_dir { SA_DIR_OUT = 0, SA_DIR_IN = 1 };
enum sa_mode { SA_MODE_TUNNEL = 0, SA_MODE_TRANSPORT = 1 };
enum sa_proto { SA_PROTO_ESP = 50, SA_PROTO_AH = 51 };

/* A traffic selector (RFC 4301 §4.4.1.1, RFC 7296 §3.13.1): what packets an
 * SA may carry. Protocol 0 means any; port ranges are inclusive. */
struct ts {
	struct ip_prefix src, dst;
	uint8_t proto;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
};

/* Limits of RFC 4301 §4.4.2.1; 0 means no limit. */
struct sa_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_seconds, hard_seconds;
};

struct sa_params {
	char name[SA_NAME_MAX];
	uint32_t spi; /* host order */
	enum sa_dir dir;
	enum sa_proto proto;
	enum sa_mode mode;
	/* Tunnel mode: the outer header. Transport mode: our address and the
	 * peer's (src/dst as seen on the wire in this SA's direction). */
	struct ip_addr src, dst;
	const struct alg *alg;
	uint8_t enc_key[SA_KEY_MAX]; /* key || salt */
	uint8_t enc_key_len;
	uint8_t auth_key[SA_AUTH_KEY_MAX];
	uint8_t auth_key_len;
	bool esn;
	uint32_t replay_window; /* packets; 0 = anti-replay off */
	struct sa_lifetime life;
	/* RFC 3948 UDP encapsulation: ports on the wire (src/dst as sent in
	 * this SA's direction). */
	bool encap;
	uint16_t encap_sport, encap_dport;
	uint8_t ttl;	   /* outer TTL / hop limit; 0 = 64 */
	int8_t dscp;	   /* outer DSCP; -1 = copy from inner */
	uint8_t df;	   /* outer IPv4 DF: 0 copy, 1 set, 2 clear */
	/* Inbound policy check (RFC 4301 §5.2): inner packets must match one. */
	uint8_t n_ts;
	struct ts ts[SA_TS_MAX];
	uint64_t ike_ref; /* opaque owner reference for IKE; 0 = manual */
};

void sa_params_clear(struct sa_params *p);
/* Does the packet 5-tuple fall within the selector? Addresses in wire order,
 * ports in host order. */
bool ts_match(const struct ts *t, const struct ip_addr *src,
	      const struct ip_addr *dst, uint8_t proto, uint16_t sport,
	      uint16_t dport);

#endif
