/* SPDX-License-Identifier: BSD-3-Clause */
/* Sixteen-lane SHA-1 and SHA-256 compression: sha_x16.h. */
#include "esp/sha_x16.h"

#include <stdint.h>

/* The compression's last step (FIPS 180-4 §6.1.2 and §6.2.2 step 4): the
 * working variables added into the state, in the active lanes only. */
static inline SHA_X16_TARGET void add_state(__m512i *s, const __m512i *v,
					    unsigned n, __mmask16 act)
{
	for (unsigned i = 0; i < n; i++)
		s[i] = _mm512_mask_add_epi32(s[i], act, s[i], v[i]);
}

/*
 * SHA-1, FIPS 180-4 §6.1.2. f_t of §4.1.1 is one ternary-logic
 * instruction: Ch 0xca, Parity 0x96, Maj 0xe8. The schedule (§6.1.2 step
 * 1) runs in w as a ring of sixteen: W[t-16] is the slot W[t] replaces.
 */
#define SHA1_SCHED(t)                                                          \
	(w[(t) & 15] = _mm512_rol_epi32(                                       \
		 _mm512_xor_si512(_mm512_ternarylogic_epi32(                   \
					  w[(t) & 15], w[((t) - 14) & 15],     \
					  w[((t) - 8) & 15], 0x96),            \
				  w[((t) - 3) & 15]),                          \
		 1))
#define SHA1_ROUND(t, imm, k)                                                  \
	do {                                                                   \
		__m512i wt_ = (t) < 16 ? w[(t) & 15] : SHA1_SCHED(t);          \
		__m512i x_ = _mm512_add_epi32(_mm512_add_epi32(e, k), wt_);    \
		__m512i b30_ = _mm512_rol_epi32(b, 30);                        \
									       \
		x_ = _mm512_add_epi32(x_, _mm512_ternarylogic_epi32(b, c, d, imm)); \
		x_ = _mm512_add_epi32(x_, _mm512_rol_epi32(a, 5));             \
		e = d;                                                         \
		d = c;                                                         \
		c = b30_;                                                      \
		b = a;                                                         \
		a = x_;                                                        \
	} while (0)

SHA_X16_TARGET __attribute__((noinline)) void sha1_x16(__m512i *s, __m512i *w,
							__mmask16 act)
{
	const __m512i k0 = _mm512_set1_epi32(0x5a827999), k1 = _mm512_set1_epi32(0x6ed9eba1),
		      k2 = _mm512_set1_epi32((int)0x8f1bbcdc), k3 = _mm512_set1_epi32((int)0xca62c1d6);
	__m512i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];

#pragma GCC unroll 20
	for (int t = 0; t < 20; t++)
		SHA1_ROUND(t, 0xca, k0);
#pragma GCC unroll 20
	for (int t = 20; t < 40; t++)
		SHA1_ROUND(t, 0x96, k1);
#pragma GCC unroll 20
	for (int t = 40; t < 60; t++)
		SHA1_ROUND(t, 0xe8, k2);
#pragma GCC unroll 20
	for (int t = 60; t < 80; t++)
		SHA1_ROUND(t, 0x96, k3);
	add_state(s, (const __m512i[]){ a, b, c, d, e }, 5, act);
}

/* SHA-256's constants K (FIPS 180-4 §4.2.2): the first 32 bits of the
 * fractional parts of the cube roots of the first 64 primes. */
static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* §4.1.2: the three-way XORs are one ternary-logic instruction each. */
#define XOR3(x, y, z) _mm512_ternarylogic_epi32((x), (y), (z), 0x96)
#define BSIG0(x) XOR3(_mm512_ror_epi32(x, 2), _mm512_ror_epi32(x, 13), _mm512_ror_epi32(x, 22))
#define BSIG1(x) XOR3(_mm512_ror_epi32(x, 6), _mm512_ror_epi32(x, 11), _mm512_ror_epi32(x, 25))
#define SSIG0(x) XOR3(_mm512_ror_epi32(x, 7), _mm512_ror_epi32(x, 18), _mm512_srli_epi32(x, 3))
#define SSIG1(x) XOR3(_mm512_ror_epi32(x, 17), _mm512_ror_epi32(x, 19), _mm512_srli_epi32(x, 10))

/* §6.2.2 step 1, in the ring of sixteen as for SHA-1 */
#define SHA256_SCHED(t)                                                        \
	(w[(t) & 15] = _mm512_add_epi32(                                       \
		 _mm512_add_epi32(SSIG1(w[((t) - 2) & 15]), w[((t) - 7) & 15]), \
		 _mm512_add_epi32(SSIG0(w[((t) - 15) & 15]), w[(t) & 15])))
#define SHA256_ROUND(t)                                                        \
	do {                                                                   \
		__m512i wt_ = (t) < 16 ? w[(t) & 15] : SHA256_SCHED(t);        \
		__m512i t1_ = _mm512_add_epi32(                                \
			_mm512_add_epi32(h, BSIG1(e)),                         \
			_mm512_add_epi32(_mm512_ternarylogic_epi32(e, f, g, 0xca), \
					 _mm512_add_epi32(wt_, _mm512_set1_epi32((int)k256[t])))); \
		__m512i t2_ = _mm512_add_epi32(BSIG0(a),                        \
					       _mm512_ternarylogic_epi32(a, b, c, 0xe8)); \
		h = g;                                                         \
		g = f;                                                         \
		f = e;                                                         \
		e = _mm512_add_epi32(d, t1_);                                  \
		d = c;                                                         \
		c = b;                                                         \
		b = a;                                                         \
		a = _mm512_add_epi32(t1_, t2_);                                \
	} while (0)

SHA_X16_TARGET __attribute__((noinline)) void sha256_x16(__m512i *s, __m512i *w,
							  __mmask16 act)
{
	__m512i a = s[0], b = s[1], c = s[2], d = s[3];
	__m512i e = s[4], f = s[5], g = s[6], h = s[7];

#pragma GCC unroll 64
	for (int t = 0; t < 64; t++)
		SHA256_ROUND(t);
	add_state(s, (const __m512i[]){ a, b, c, d, e, f, g, h }, 8, act);
}
