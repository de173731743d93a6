/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SA_ALG_H
#define ESPRIT_SA_ALG_H
/*
 * ESP transform suites, named in strongSwan's proposal vocabulary.
 *
 * Contract: alg_find() maps a name such as "aes128gcm16" or "aes256-sha256" to
 * an immutable descriptor; every size the data plane needs (key, salt, IV,
 * ICV, block) is here, so ESP code never switches on names. Key material for
 * AEAD and counter modes is "key || salt/nonce" exactly as IKEv2 KEYMAT
 * delivers it (RFC 4106 §8.1, RFC 3686 §5.1, RFC 7634 §4).
 */
#include <stdbool.h>
#include <stdint.h>

enum alg_cipher {
	ALG_CIPHER_NULL,	   /* RFC 2410 */
	ALG_CIPHER_AES_CBC,	   /* RFC 3602 */
	ALG_CIPHER_AES_CTR,	   /* RFC 3686 */
	ALG_CIPHER_AES_GCM,	   /* RFC 4106, AEAD */
	ALG_CIPHER_CHACHA20_POLY1305, /* RFC 7634, AEAD */
};

enum alg_integ {
	ALG_INTEG_NONE, /* AEAD suites */
	ALG_INTEG_HMAC_SHA1_96,	     /* RFC 2404 */
	ALG_INTEG_HMAC_SHA256_128,   /* RFC 4868 */
	ALG_INTEG_HMAC_SHA384_192,
	ALG_INTEG_HMAC_SHA512_256,
};

struct alg {
	const char *name;	/* canonical strongSwan name */
	enum alg_cipher cipher;
	enum alg_integ integ;
	uint8_t key_len;	/* cipher key, without salt */
	uint8_t salt_len;	/* 4 for GCM, CTR, ChaCha20-Poly1305 */
	uint8_t iv_len;		/* explicit IV carried in each packet */
	uint8_t block;		/* padding granularity of the payload */
	uint8_t icv_len;
	uint8_t auth_key_len;	/* HMAC key, 0 for AEAD */
	bool aead;
	/* IANA transform IDs (RFC 7296 §3.3.2), for IKE */
	uint16_t ikev2_encr;
	uint16_t ikev2_integ;
};

const struct alg *alg_find(const char *name);
/* Iteration: alg_at(i) for i = 0.. until NULL. */
const struct alg *alg_at(unsigned i);
const char *alg_integ_name(enum alg_integ i);

#endif
