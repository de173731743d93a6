/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_PROPOSAL_H
#define ESPRIT_IKE_PROPOSAL_H
/*
 * Proposals and transforms (RFC 7296 §3.3): strongSwan proposal strings
 * ("aes128gcm16-prfsha256-ecp256,aes256-sha256-modp2048") to transform
 * lists, the SA payload's proposals, and negotiation (§2.7, §3.3.6).
 *
 * Contract: the same `struct ike_offer` holds our configured proposals and
 * the proposals parsed from a peer's SA payload. Selection never allocates;
 * a negotiated `struct ike_suite` has exactly one transform of each type.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sa/alg.h"

/* Transform types (§3.3.2). */
enum ike_xf_type {
	IKE_XF_ENCR = 1,
	IKE_XF_PRF = 2,
	IKE_XF_INTEG = 3,
	IKE_XF_DH = 4,
	IKE_XF_ESN = 5,
};
#define IKE_ATTR_KEY_LENGTH 14 /* §3.3.5 */

#define IKE_MAX_PROPS 16
#define IKE_MAX_XF 32

struct ike_xf {
	uint8_t type;
	uint16_t id;
	uint16_t keylen; /* KEY_LENGTH attribute in bits, 0 = absent */
};

struct ike_prop {
	uint8_t num, proto, spi_size;
	uint8_t spi[8];
	uint8_t n_xf;
	struct ike_xf xf[IKE_MAX_XF];
};

struct ike_offer {
	unsigned n;
	struct ike_prop p[IKE_MAX_PROPS];
};

/* The outcome of a negotiation: one transform per type (0 = none). */
struct ike_suite {
	uint8_t num, proto, spi_size;
	uint8_t spi[8];	/* the peer's SPI from its proposal */
	uint16_t encr, keylen, prf, integ, dh;
	bool has_esn;
	uint16_t esn;
};

/* Parse a comma separated list of strongSwan proposals for `proto`
 * (IKE_PROTO_IKE = 1 or IKE_PROTO_ESP = 3). 0 or -EINVAL with a message. */
int ike_prop_parse(const char *s, uint8_t proto, struct ike_offer *out,
		   char *err, size_t errlen);
/* Responder (§2.7): the first of the peer's proposals acceptable to ours.
 * ignore_dh: the child SA of IKE_AUTH has no KE, so D-H transforms on both
 * sides are left out of the comparison (§1.2). 0 or -ENOENT. */
int ike_prop_select(const struct ike_offer *peer, const struct ike_offer *mine,
		    bool ignore_dh, struct ike_suite *out);
/* Initiator: the reply must be one proposal, one transform of each type,
 * all taken from the proposal with that number that we sent (§3.3.6). */
int ike_prop_check_reply(const struct ike_offer *reply,
			 const struct ike_offer *sent, bool ignore_dh,
			 struct ike_suite *out);
/* D-H groups. */
bool ike_offer_has_dh(const struct ike_offer *o, uint16_t group);
uint16_t ike_offer_first_dh(const struct ike_offer *o);
/* A copy of `o` keeping only proposals that contain `group` (for the
 * INVALID_KE_PAYLOAD retry the group is moved to the front). */
void ike_offer_prefer_dh(struct ike_offer *o, uint16_t group);

/* The ESP descriptor of a negotiated child suite, NULL if unsupported. */
const struct alg *ike_suite_alg(const struct ike_suite *s);
/* strongSwan-style name: "AES_GCM_16-128/PRF_HMAC_SHA2_256/ECP_256". */
const char *ike_suite_name(const struct ike_suite *s, char *buf, size_t n);

struct ike_wr;
/* Write an SA payload with our proposals; spi may be NULL (spi_size 0). */
void ike_offer_write(struct ike_wr *w, const struct ike_offer *o,
		     const uint8_t *spi, uint8_t spi_size, bool strip_dh);
/* Write an SA payload with the single chosen proposal (responder). */
void ike_suite_write(struct ike_wr *w, const struct ike_suite *s,
		     const uint8_t *spi, uint8_t spi_size);

#endif
