/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AES-GCM folding GHASH over 16 blocks (gcm16.h). Notation of NIST SP
 * 800-38D: GCTR with inc32 counters from J0 + 1 (§6.5, §7.1), GHASH over
 * the AAD, the ciphertext and the length block (§6.4, §7.1 step 5).
 *
 * GHASH is computed in ipsec-mb's representation, whose precompute we read:
 * blocks byte-reversed (bit-reflected field elements), powers stored as
 * H^i<<1 mod the polynomial, so that the carry-less product of a block and
 * a stored power, times x^-128, is the field product; reduce() below is
 * that multiplication by x^-128. Sixteen blocks X1..X16 fold into the
 * state Y as Y' = (Y + X1) H^16 + X2 H^15 + ... + X16 H^1 (Horner's rule,
 * regrouped): sixteen products summed unreduced, one reduction on four
 * lanes at once, then the lanes added (the reduction is linear).
 *
 * Every loop over rounds and vectors is unrolled (GCC unroll pragmas): left
 * as loops, GCC kept the round keys in memory and ran 40 % slower.
 */
#include "esp/gcm16.h"

#include <string.h>

#include <immintrin.h>

#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define G16_TARGET                                                             \
	__attribute__((target("avx512f,avx512bw,avx512vl,vaes,vpclmulqdq,"    \
			      "aes,pclmul,sse4.1,ssse3")))
#define G16_INLINE static inline __attribute__((always_inline)) G16_TARGET

/* H^i in the key data; nr is in scope wherever it is used */
#define HPOW(i) GCM16_HPOW(nr, i)

bool gcm16_usable(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") &&
	       __builtin_cpu_supports("vaes") &&
	       __builtin_cpu_supports("vpclmulqdq");
}

G16_INLINE __m128i rev_mask(void)
{
	return _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* Each 16-byte block byte-reversed: GHASH's representation. */
G16_INLINE __m512i bswap4(__m512i x)
{
	return _mm512_shuffle_epi8(x, _mm512_broadcast_i32x4(rev_mask()));
}

/* The unreduced product a * b added into lo, mi, hi (per lane). */
G16_INLINE void mac(__m512i a, __m512i b, __m512i *lo, __m512i *mi,
		    __m512i *hi)
{
	*lo = _mm512_xor_si512(*lo, _mm512_clmulepi64_epi128(a, b, 0x00));
	*hi = _mm512_xor_si512(*hi, _mm512_clmulepi64_epi128(a, b, 0x11));
	*mi = _mm512_ternarylogic_epi64(*mi, _mm512_clmulepi64_epi128(a, b, 0x01),
					_mm512_clmulepi64_epi128(a, b, 0x10), 0x96);
}

/*
 * lo + mi x^64 + hi x^128 (a 256-bit carry-less product, per lane) times
 * x^-128 modulo x^128 + x^7 + x^2 + x + 1, bit-reflected: the low part is
 * folded into the middle and the middle into the high part, each by a
 * multiplication with the polynomial's high half and a swap of halves.
 * Two VPCLMULQDQ and two shuffles, where a two-phase reduction with byte
 * shifts takes more of port 5.
 */
G16_INLINE __m512i reduce(__m512i lo, __m512i mi, __m512i hi)
{
	const __m512i poly = _mm512_broadcast_i32x4(
		_mm_set_epi64x((long long)0xC200000000000000ull, 1));
	__m512i t = _mm512_clmulepi64_epi128(poly, lo, 0x01);

	mi = _mm512_ternarylogic_epi64(mi, t, _mm512_shuffle_epi32(lo, 0x4e), 0x96);
	t = _mm512_clmulepi64_epi128(poly, mi, 0x01);
	return _mm512_ternarylogic_epi64(hi, t, _mm512_shuffle_epi32(mi, 0x4e), 0x96);
}

/* The four lanes added. */
G16_INLINE __m128i hsum(__m512i x)
{
	__m256i y = _mm256_xor_si256(_mm512_castsi512_si256(x),
				     _mm512_extracti64x4_epi64(x, 1));

	return _mm_xor_si128(_mm256_castsi256_si128(y),
			     _mm256_extracti128_si256(y, 1));
}

/* One block times one power, added into lo, mi, hi (lane 0 only). */
G16_INLINE void mac1(__m128i x, __m128i h, __m512i *lo, __m512i *mi,
		     __m512i *hi)
{
	mac(_mm512_zextsi128_si512(x), _mm512_zextsi128_si512(h), lo, mi, hi);
}

/* (y + x) * h for one block (lane 0). */
G16_INLINE __m128i gmul1(__m128i y, __m128i x, __m128i h)
{
	__m512i lo = _mm512_setzero_si512(), mi = lo, hi = lo;

	mac1(_mm_xor_si128(y, x), h, &lo, &mi, &hi);
	return _mm512_castsi512_si128(reduce(lo, mi, hi));
}

/* Mask of the first n (<= 64) bytes. */
G16_INLINE __mmask64 bytes_mask(unsigned n)
{
	return n >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;
}

/* Four blocks' keystream: counters c through nr rounds, the last round key
 * xored with the data (AddRoundKey is the last step of a round, FIPS 197
 * §5.1), so that the result is data xor keystream. */
G16_INLINE __m512i aes4(__m512i c, const __m512i *rk, int nr, __m512i data)
{
	c = _mm512_xor_si512(c, rk[0]);
#pragma GCC unroll 16
	for (int r = 1; r < nr; r++)
		c = _mm512_aesenc_epi128(c, rk[r]);
	return _mm512_aesenclast_epi128(c, _mm512_xor_si512(rk[nr], data));
}

/*
 * Counter blocks (inc32, §6.2), four to a vector. Up to GCM16_FAST_LEN
 * bytes the counter's low byte never carries (it starts at 2), so the
 * blocks are kept as they go to AES and stepped by adding to byte 15
 * alone. Longer payloads keep them byte-reversed, the 32-bit counter
 * then a little-endian word that add_epi32 steps modulo 2^32, and reverse
 * each vector before AES: one shuffle more per four blocks.
 */
G16_INLINE __m512i ctr_first(__m128i j0, bool le)
{
	if (le)
		return _mm512_add_epi32(bswap4(_mm512_broadcast_i32x4(j0)),
					_mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 3,
							 0, 0, 0, 2, 0, 0, 0, 1));
	return _mm512_add_epi32(_mm512_broadcast_i32x4(j0),
				_mm512_set_epi32(4 << 24, 0, 0, 0, 3 << 24, 0, 0, 0,
						 2 << 24, 0, 0, 0, 1 << 24, 0, 0, 0));
}

/* The vector's blocks for AES, and the counter stepped by four. */
G16_INLINE __m512i ctr_next(__m512i *ctr, bool le)
{
	__m512i b = le ? bswap4(*ctr) : *ctr;

	*ctr = _mm512_add_epi32(*ctr, le ? _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4,
							    0, 0, 0, 4, 0, 0, 0, 4)
					 : _mm512_set_epi32(4 << 24, 0, 0, 0, 4 << 24, 0, 0, 0,
							    4 << 24, 0, 0, 0, 4 << 24, 0, 0, 0));
	return b;
}

/* GHASH of the AAD, zero-padded (§7.1 step 5). */
G16_INLINE __m128i ghash_aad(const uint8_t *aad, unsigned len, __m128i h1)
{
	__m128i y = _mm_setzero_si128();

	for (unsigned o = 0; o < len; o += 16) {
		__m128i b = _mm_maskz_loadu_epi8((__mmask16)bytes_mask(len - o),
						 aad + o);

		y = gmul1(y, _mm_shuffle_epi8(b, rev_mask()), h1);
	}
	return y;
}

/* Sixteen blocks at i: out = in xor keystream; the GHASH input (the
 * ciphertext: out when sealing, in when opening) folded into y. */
G16_INLINE __m128i step16(const __m512i *rk, int nr, const __m512i hp[4],
			  __m512i *ctr, __m128i y, const uint8_t *in,
			  uint8_t *out, bool open, bool le)
{
	__m512i lo = _mm512_setzero_si512(), mi = lo, hi = lo;

#pragma GCC unroll 4
	for (int q = 0; q < 4; q++) {
		__m512i p = _mm512_loadu_si512(in + 64 * q);
		__m512i c = aes4(ctr_next(ctr, le), rk, nr, p);
		__m512i d;

		_mm512_storeu_si512(out + 64 * q, c);
		d = bswap4(open ? p : c);
		if (q == 0)
			d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
		mac(d, hp[q], &lo, &mi, &hi);
	}
	return hsum(reduce(lo, mi, hi));
}

/*
 * The last 1..255 bytes: nb blocks, the last one possibly partial (zero
 * padded for GHASH), then the length block L. The state y before them
 * ends as y H^(nb+1) + C1 H^(nb+1) + ... + Cnb H^2 + L H: block t times
 * H^(nb + 2 - t), L times H^1, all in one sum with one reduction, so that
 * the tag waits for one multiplication, not two in a row. The four
 * powers a vector needs are contiguous in the layout (highest first):
 * one load each, masked where it would pass H^1. lo, mi, hi may hold
 * products already (the AAD's, gcm16()).
 */
G16_INLINE __m128i tail(const uint8_t *k, const __m512i *rk, int nr,
			__m512i ctr, __m128i y, const uint8_t *in, uint8_t *out,
			unsigned len, __m128i lb, __m512i lo, __m512i mi,
			__m512i hi, bool open, bool le)
{
	unsigned nb = (len + 15) / 16;

	for (unsigned q = 0; 64 * q < len; q++) {
		__mmask64 bm = bytes_mask(len - 64 * q);
		unsigned a = nb + 1 - 4 * q, lanes = a < 4 ? a : 4;
		__m512i p = _mm512_maskz_loadu_epi8(bm, in + 64 * q);
		__m512i c = _mm512_maskz_mov_epi8(bm, aes4(ctr_next(&ctr, le), rk, nr, p));
		__m512i h = _mm512_maskz_loadu_epi64((__mmask8)((1u << (2 * lanes)) - 1),
						     k + HPOW(a));
		__m512i d;

		if (bm == ~(__mmask64)0)	/* a load of it can forward */
			_mm512_storeu_si512(out + 64 * q, c);
		else
			_mm512_mask_storeu_epi8(out + 64 * q, bm, c);
		d = bswap4(open ? p : c);
		if (q == 0)
			d = _mm512_xor_si512(d, _mm512_zextsi128_si512(y));
		mac(d, h, &lo, &mi, &hi);
	}
	mac1(lb, _mm_loadu_si128((const __m128i *)(k + HPOW(1))), &lo, &mi, &hi);
	return hsum(reduce(lo, mi, hi));
}

/* The tag by plain stores for ESP's lengths (RFC 4106 §6: 8, 12, 16):
 * the caller opening a packet reads it back at once, and a load does not
 * take its data from a masked store still in flight but waits for it. */
G16_INLINE void store_tag(uint8_t *tag, unsigned len, __m128i t)
{
	switch (len) {
	case 16:
		_mm_storeu_si128((__m128i *)tag, t);
		break;
	case 12:
		_mm_storel_epi64((__m128i *)tag, t);
		_mm_storeu_si32(tag + 8, _mm_srli_si128(t, 8));
		break;
	case 8:
		_mm_storel_epi64((__m128i *)tag, t);
		break;
	default:
		_mm_mask_storeu_epi8(tag, (__mmask16)bytes_mask(len), t);
	}
}

G16_INLINE void gcm16(const struct gcm16_key *kd, int nr,
		      const uint8_t iv[12], const uint8_t *aad,
		      unsigned aad_len, const uint8_t *in, uint8_t *out,
		      uint32_t len, uint8_t *tag, unsigned tag_len, bool open,
		      bool le)
{
	const uint8_t *k = (const uint8_t *)kd;
	/* J0 = IV || 0^31 || 1; the data's counters from J0 + 1 */
	const __m128i j0 = _mm_mask_loadu_epi8(_mm_set_epi32(1 << 24, 0, 0, 0),
					       0x0fff, iv);
	__m512i ctr = ctr_first(j0, le);
	__m128i h1 = _mm_loadu_si128((const __m128i *)(k + HPOW(1)));
	__m512i rk[15], hp[4];
	/* the length block: len(A) || len(C) in bits, 64 bits each */
	const __m128i lb = _mm_set_epi64x((long long)aad_len * 8, (long long)len * 8);
	__m128i y, e;
	uint32_t i = 0;

#pragma GCC unroll 16
	for (int r = 0; r <= nr; r++)
		rk[r] = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(k + 16 * r)));
	if (len > 0 && len <= 14 * 16 && aad_len <= 16) {
		/* A short message: the AAD block too in the tail's one sum,
		 * times H^(nb + 2) (16 at most) */
		__m512i lo = _mm512_setzero_si512(), mi = lo, hi = lo;
		unsigned nb = (len + 15) / 16;

		if (aad_len)
			mac1(_mm_shuffle_epi8(_mm_maskz_loadu_epi8((__mmask16)bytes_mask(aad_len), aad),
					      rev_mask()),
			     _mm_loadu_si128((const __m128i *)(k + HPOW(nb + 2))),
			     &lo, &mi, &hi);
		y = tail(k, rk, nr, ctr, _mm_setzero_si128(), in, out, len, lb,
			 lo, mi, hi, open, le);
	} else {
		y = ghash_aad(aad, aad_len, h1);
		if (len >= 256) {
#pragma GCC unroll 4
			for (int g = 0; g < 4; g++)	/* H^16..H^13, ..., H^4..H^1 */
				hp[g] = _mm512_loadu_si512(k + HPOW(16 - 4 * g));
			for (; len - i >= 256; i += 256)
				y = step16(rk, nr, hp, &ctr, y, in + i, out + i, open, le);
		}
		if (i < len)
			y = tail(k, rk, nr, ctr, y, in + i, out + i, len - i, lb,
				 _mm512_setzero_si512(), _mm512_setzero_si512(),
				 _mm512_setzero_si512(), open, le);
		else
			y = gmul1(y, lb, h1);
	}
	e = _mm_xor_si128(j0, _mm512_castsi512_si128(rk[0]));
#pragma GCC unroll 16
	for (int r = 1; r < nr; r++)
		e = _mm_aesenc_si128(e, _mm512_castsi512_si128(rk[r]));
	e = _mm_aesenclast_si128(e, _mm512_castsi512_si128(rk[nr]));
	/* T = MSB_t(GCTR(J0, S)) (§7.1 step 6) */
	store_tag(tag, tag_len, _mm_xor_si128(_mm_shuffle_epi8(y, rev_mask()), e));
}

/*
 * On the way out: zmm16..31 zeroed, then VZEROUPPER (which leaves zmm16..31
 * alone). The compiler's own VZEROUPPER did not suffice: with the upper
 * halves of zmm16..31 still dirty, the SSE copy loop of net_pcap's receive
 * ran at half speed and a worker opening 512-byte packets lost 5 %
 * (docs/performance.md). The keystream and round keys they held go too,
 * as ipsec-mb's SAFE_DATA build clears its registers.
 */
#define G16_CLEAR_HI()                                                         \
	__asm__ volatile("vpxord %%xmm16, %%xmm16, %%xmm16\n\t"                 \
			 "vpxord %%xmm17, %%xmm17, %%xmm17\n\t"                 \
			 "vpxord %%xmm18, %%xmm18, %%xmm18\n\t"                 \
			 "vpxord %%xmm19, %%xmm19, %%xmm19\n\t"                 \
			 "vpxord %%xmm20, %%xmm20, %%xmm20\n\t"                 \
			 "vpxord %%xmm21, %%xmm21, %%xmm21\n\t"                 \
			 "vpxord %%xmm22, %%xmm22, %%xmm22\n\t"                 \
			 "vpxord %%xmm23, %%xmm23, %%xmm23\n\t"                 \
			 "vpxord %%xmm24, %%xmm24, %%xmm24\n\t"                 \
			 "vpxord %%xmm25, %%xmm25, %%xmm25\n\t"                 \
			 "vpxord %%xmm26, %%xmm26, %%xmm26\n\t"                 \
			 "vpxord %%xmm27, %%xmm27, %%xmm27\n\t"                 \
			 "vpxord %%xmm28, %%xmm28, %%xmm28\n\t"                 \
			 "vpxord %%xmm29, %%xmm29, %%xmm29\n\t"                 \
			 "vpxord %%xmm30, %%xmm30, %%xmm30\n\t"                 \
			 "vpxord %%xmm31, %%xmm31, %%xmm31\n\t"                 \
			 "vzeroupper"                                              \
			 ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
			 "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", \
			 "xmm14", "xmm15",                                        \
			 "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",     \
			 "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",     \
			 "xmm28", "xmm29", "xmm30", "xmm31")

/* Payloads beyond GCM16_FAST_LEN (jumbo frames): out of the way, the
 * rounds a variable. */
static __attribute__((noinline)) G16_TARGET void
gcm16_long(const struct gcm16_key *kd, unsigned key_bytes,
	   const uint8_t iv[12], const uint8_t *aad, unsigned aad_len,
	   const uint8_t *in, uint8_t *out, uint32_t len, uint8_t *tag,
	   unsigned tag_len, bool open)
{
	gcm16(kd, (int)aes_rounds(key_bytes), iv, aad, aad_len, in, out, len, tag,
	      tag_len, open, true);
}

/* The entry points' body: each key size compiled apart, with its round
 * count a constant, so that the loops over the rounds are unrolled. */
G16_INLINE void gcm16_any(const struct gcm16_key *kd, unsigned key_bytes,
			  const uint8_t iv[12], const uint8_t *aad,
			  unsigned aad_len, const uint8_t *in, uint8_t *out,
			  uint32_t len, uint8_t *tag, unsigned tag_len,
			  bool open)
{
	if (unlikely(len > GCM16_FAST_LEN))
		gcm16_long(kd, key_bytes, iv, aad, aad_len, in, out, len, tag,
			   tag_len, open);
	else if (key_bytes == 16)
		gcm16(kd, 10, iv, aad, aad_len, in, out, len, tag, tag_len, open, false);
	else if (key_bytes == 24)
		gcm16(kd, 12, iv, aad, aad_len, in, out, len, tag, tag_len, open, false);
	else
		gcm16(kd, 14, iv, aad, aad_len, in, out, len, tag, tag_len, open, false);
	G16_CLEAR_HI();
}

G16_TARGET void gcm16_seal(const struct gcm16_key *kd, unsigned key_bytes,
			   const uint8_t iv[12], const uint8_t *aad,
			   unsigned aad_len, const uint8_t *in, uint8_t *out,
			   uint32_t len, uint8_t *tag, unsigned tag_len)
{
	gcm16_any(kd, key_bytes, iv, aad, aad_len, in, out, len, tag, tag_len,
		  false);
}

G16_TARGET void gcm16_open(const struct gcm16_key *kd, unsigned key_bytes,
			   const uint8_t iv[12], const uint8_t *aad,
			   unsigned aad_len, const uint8_t *in, uint8_t *out,
			   uint32_t len, uint8_t *tag, unsigned tag_len)
{
	gcm16_any(kd, key_bytes, iv, aad, aad_len, in, out, len, tag, tag_len,
		  true);
}

void gcm16_key_init(struct gcm16_key *k, const struct gcm_key_data *kd,
		    unsigned key_bytes)
{
	unsigned nr = aes_rounds(key_bytes);
	const uint8_t *src = (const uint8_t *)kd;

	memset(k, 0, sizeof(*k));
	memcpy(k->b, src, 16 * (nr + 1));
	/* H^17..H^1 are contiguous in both, the highest first */
	memcpy(k->b + GCM16_HPOW(nr, GCM16_POWERS), src + GCM16_IMB_HPOW(GCM16_POWERS),
	       16 * GCM16_POWERS);
}
