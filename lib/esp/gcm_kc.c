/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp/gcm_kc.h"

#include <string.h>
#include <immintrin.h>

#include "util/hex.h"

#define KC_TARGET __attribute__((target("avx512f,vpclmulqdq")))

bool gcm_kc_usable(unsigned powers)
{
	__builtin_cpu_init();
	return powers == 48 && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("vpclmulqdq");
}

/*
 * Four products in GF(2^128) at once (the GHASH field, NIST SP 800-38D
 * §6.3), in the representation of ipsec-mb's precompute: each power is
 * stored bit-reflected as H^i<<1 mod the polynomial, so that the product of
 * two stored values times x^-128 is the stored value of the product of the
 * powers (ipsec-mb computes H^2..H^48 itself that way, one at a time).
 * Schoolbook 128x128 carry-less product in three parts, then a reduction
 * that folds the low part into the middle and the middle into the high
 * part, each a multiplication by the polynomial's high half and a swap of
 * halves. That is 8 uops of port 5 (clmul and shuffles) per call where
 * ipsec-mb's two-phase reduction with byte shifts takes 12, and port 5 is
 * what limits the build. test_gcm_kc checks every byte against ipsec-mb.
 */
static inline KC_TARGET __m512i gmul4(__m512i a, __m512i b, __m512i poly)
{
	__m512i lo = _mm512_clmulepi64_epi128(a, b, 0x00);
	__m512i hi = _mm512_clmulepi64_epi128(a, b, 0x11);
	__m512i mi = _mm512_xor_si512(_mm512_clmulepi64_epi128(a, b, 0x01),
				      _mm512_clmulepi64_epi128(a, b, 0x10));
	__m512i t = _mm512_clmulepi64_epi128(poly, lo, 0x01);

	mi = _mm512_ternarylogic_epi64(mi, t, _mm512_shuffle_epi32(lo, 0x4e), 0x96);
	t = _mm512_clmulepi64_epi128(poly, mi, 0x01);
	return _mm512_ternarylogic_epi64(hi, t, _mm512_shuffle_epi32(mi, 0x4e), 0x96);
}

/* Lane 0 (the highest power of a group, at the lowest address) in all four */
static inline KC_TARGET __m512i lane0(__m512i z)
{
	return _mm512_shuffle_i64x2(z, z, 0x00);
}

/*
 * H^5..H^48 from H^4..H^1 into out, groups of four powers: z[k] holds
 * H^(4k+4)..H^(4k+1). Each group is an earlier one times H^4, H^8, H^16
 * or H^32, so the chain is four multiplications deep, not eleven.
 */
static KC_TARGET void build_powers(uint8_t *out, const uint8_t *in)
{
	/* x^128 + x^7 + x^2 + x + 1, bit-reflected: 0xC2 << 120 | 1 */
	const __m512i poly = _mm512_broadcast_i32x4(
		_mm_set_epi64x((long long)0xC200000000000000ull, 1));
	__m512i z[12], h;

	z[0] = _mm512_loadu_si512(in + GCM_KC_HPOW(4));
	z[1] = gmul4(z[0], lane0(z[0]), poly);			/* x H^4 */
	h = lane0(z[1]);					/* H^8 */
	z[2] = gmul4(z[0], h, poly);
	z[3] = gmul4(z[1], h, poly);
	h = lane0(z[3]);					/* H^16 */
	for (int k = 0; k < 4; k++)
		z[4 + k] = gmul4(z[k], h, poly);
	h = lane0(z[7]);					/* H^32 */
	for (int k = 0; k < 4; k++)
		z[8 + k] = gmul4(z[k], h, poly);
	for (int k = 0; k < 12; k++)
		_mm512_storeu_si512(out + GCM_KC_HPOW(4 * k + 4), z[k]);
}

/* Nr + 1 round keys of 16 bytes (FIPS 197 §5.2) */
static unsigned round_keys_len(unsigned key_bytes)
{
	return 16 * (key_bytes / 4 + 7);
}

KC_TARGET const struct gcm_key_data *
gcm_kc_build(struct gcm_kc *c, unsigned set, const struct gcm_key_data *kd,
	     unsigned key_bytes)
{
	unsigned i = 2 * set + (c->mru[set] ^ 1u);	/* the older way */
	struct gcm_key_data *s = &c->slot[i].kd;

	memcpy(s->expanded_keys, kd->expanded_keys, round_keys_len(key_bytes));
	build_powers((uint8_t *)s, (const uint8_t *)kd);
	c->key_bytes[i] = (uint8_t)key_bytes;
	c->mru[set] = (uint8_t)(i & 1);
	c->builds++;
	return s;
}

void gcm_kc_forget(struct gcm_kc *c, const struct gcm_key_data *kd,
		   unsigned key_bytes)
{
	int i = gcm_kc_find(c, gcm_kc_set(kd), kd, key_bytes);

	if (i >= 0) {
		secure_zero(&c->slot[i], sizeof(c->slot[i]));
		c->key_bytes[i] = 0;
	}
}

void gcm_kc_wipe(struct gcm_kc *c)
{
	secure_zero(c, sizeof(*c));
}
