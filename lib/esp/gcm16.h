/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AES-GCM of our own (NIST SP 800-38D), VAES and VPCLMULQDQ on AVX-512,
 * for ESP's AES-GCM SAs (RFC 4106) where ipsec-mb runs its VAES AVX-512
 * code: it reads that code's key data and gives its results.
 *
 * Why not ipsec-mb's. Its GCM folds GHASH over 48 blocks and multiplies a
 * payload of 768 bytes or more by H^48..H^1: twelve lines of powers a
 * packet, from L3 when traffic is spread over thousands of SAs. The
 * worker used to rebuild them on the core from H^4..H^1 in a cache of
 * eight SAs' keys (gcm_kc, ~80 cycles a build in a loop, ~150 in the
 * worker, where the seal waited for it). This code folds GHASH over 16
 * blocks, so it needs H^17..H^1 at most, which the same key data holds:
 * five lines, nothing built. Its fixed cost is also lower: one reduction
 * for the AAD, the last blocks and the length block together where
 * ipsec-mb chains three multiplications; measured hot on one core
 * (docs/performance.md), a 52-byte payload is opened in ~39 cycles
 * against ipsec-mb's ~75, and 1408 bytes in ~228 against ~239.
 *
 * Contract:
 * - gcm16_usable() is true when the CPU has AVX-512F/BW/VL, VAES and
 *   VPCLMULQDQ; only then may gcm16_seal() and gcm16_open() be called.
 * - k is made by gcm16_key_init() from ipsec-mb's key data for the
 *   manager's VAES AVX-512 code (the 48-power layout, XF_GHASH_* in
 *   xform.h); key_bytes 16, 24 or 32, the same in both calls.
 *   iv is the 12-byte nonce (J0 = iv || 0^31 || 1, §7.1); aad_len and
 *   len are in bytes (any); tag_len 1 to 16.
 * - gcm16_seal() writes len bytes of ciphertext to out and the tag_len
 *   leading bytes of the tag to tag; gcm16_open() writes the plaintext
 *   to out and the tag computed over in to tag, for the caller to compare
 *   (in constant time). out may equal in; otherwise they must not overlap.
 * - The results are those of IMB_AESx_GCM_ENC / _DEC with the same
 *   arguments, byte for byte (test_gcm16 checks them against OpenSSL and
 *   ipsec-mb).
 */
#ifndef ESPRIT_GCM16_H
#define ESPRIT_GCM16_H

#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "esp/aes.h"

/*
 * The key data gcm16 reads: the round keys, 16 (Nr + 1) bytes, then
 * H^17..H^1, 16 bytes each, the highest first: 448 bytes for AES-128,
 * 512 for AES-256. ipsec-mb's VAES layout keeps 240 bytes of round keys
 * and 48 powers, 1008 bytes, of which this code reads the same ones. Why
 * a copy of its own: with traffic spread over thousands of SAs each
 * packet's keys are misses, from L3 and from pages the TLB no longer
 * holds; compact, they sit in the SA's slot next to the lines every
 * packet reads anyway (sa.h, sa_slab.h), and sealing 1,408 bytes with
 * AES-128 reads seven lines of them instead of eight (a 64-byte frame:
 * five either way).
 */
#define GCM16_POWERS 17u
struct gcm16_key {
	uint8_t b[16 * (15 + GCM16_POWERS)];
} __attribute__((aligned(64)));

/* Where H^i (1 <= i <= 17) is for a key of nr rounds (FIPS 197 §5). */
#define GCM16_HPOW(nr, i) (16u * ((unsigned)(nr) + 1u + GCM16_POWERS - (i)))
/* Where ipsec-mb's VAES AVX-512 key data keeps H^i: after 240 bytes of
 * round keys 48 powers, the highest first. */
#define GCM16_IMB_HPOW(i) (16u * (63u - (i)))

/* Up to this length the counter's low byte never carries (it starts at 2
 * and ends at 1 + blocks <= 255), and the counters are stepped faster. */
#define GCM16_FAST_LEN (254u * 16u)

bool gcm16_usable(void);
/* k from kd, ipsec-mb's VAES AVX-512 key data for a key of key_bytes. */
void gcm16_key_init(struct gcm16_key *k, const struct gcm_key_data *kd,
		    unsigned key_bytes);
void gcm16_seal(const struct gcm16_key *k, unsigned key_bytes,
		const uint8_t iv[12], const uint8_t *aad, unsigned aad_len,
		const uint8_t *in, uint8_t *out, uint32_t len, uint8_t *tag,
		unsigned tag_len);
void gcm16_open(const struct gcm16_key *k, unsigned key_bytes,
		const uint8_t iv[12], const uint8_t *aad, unsigned aad_len,
		const uint8_t *in, uint8_t *out, uint32_t len, uint8_t *tag,
		unsigned tag_len);

#endif
