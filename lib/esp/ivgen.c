/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp/ivgen.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <emmintrin.h>
#include <wmmintrin.h>

#include "util/hex.h"

/* AES-128 (FIPS 197) of eight counter blocks at once: block j is the 64-bit
 * number first + j in its first eight bytes (little-endian) and zeros after
 * it. One round of all eight before the next, so that the eight chains of
 * ten dependent aesenc overlap (alone, one is ~40 cycles of latency). rk:
 * the 11 round keys. */
static void aes128_ctr_blocks8(const uint32_t rk32[44], uint64_t first,
			       uint8_t (*out)[16])
{
	const __m128i *rk = (const __m128i *)rk32;
	__m128i b[8], k = _mm_load_si128(&rk[0]);

	for (unsigned j = 0; j < 8; j++)
		b[j] = _mm_xor_si128(_mm_set_epi64x(0, (long long)(first + j)), k);
	for (int r = 1; r < 10; r++) {
		k = _mm_load_si128(&rk[r]);
		for (unsigned j = 0; j < 8; j++)
			b[j] = _mm_aesenc_si128(b[j], k);
	}
	k = _mm_load_si128(&rk[10]);
	for (unsigned j = 0; j < 8; j++)
		b[j] = _mm_aesenclast_si128(b[j], k);
	for (unsigned j = 0; j < 8; j++)
		_mm_storeu_si128((__m128i *)out[j], b[j]);
}

void ivgen_block(const uint32_t rk32[44], uint64_t n, uint8_t out[16])
{
	const __m128i *rk = (const __m128i *)rk32;
	__m128i b = _mm_xor_si128(_mm_set_epi64x(0, (long long)n), _mm_load_si128(&rk[0]));

	for (int r = 1; r < 10; r++)
		b = _mm_aesenc_si128(b, _mm_load_si128(&rk[r]));
	b = _mm_aesenclast_si128(b, _mm_load_si128(&rk[10]));
	_mm_storeu_si128((__m128i *)out, b);
}

static void expand(IMB_MGR *mb, const uint8_t key[16], uint32_t rk[44])
{
	uint32_t unused[44] __attribute__((aligned(16)));	/* decryption's */

	IMB_AES_KEYEXP_128(mb, key, rk, unused);
	secure_zero(unused, sizeof(unused));
}

int ivgen_random_key(IMB_MGR *mb, uint32_t rk[44])
{
	uint8_t k[16];

	if (getrandom(k, sizeof(k), 0) != sizeof(k))
		return -EIO;
	expand(mb, k, rk);
	secure_zero(k, sizeof(k));
	return 0;
}

void ivgen_init_key(struct ivgen *g, IMB_MGR *mb, const uint8_t key[16])
{
	memset(g, 0, sizeof(*g));
	expand(mb, key, g->rk);
	g->next = IVGEN_N;
}

int ivgen_init(struct ivgen *g, IMB_MGR *mb)
{
	memset(g, 0, sizeof(*g));
	g->next = IVGEN_N;
	return ivgen_random_key(mb, g->rk);
}

void ivgen_clear(struct ivgen *g)
{
	secure_zero(g, sizeof(*g));
}

void ivgen_refill(struct ivgen *g)
{
	for (unsigned i = 0; i < IVGEN_N; i += 8)
		aes128_ctr_blocks8(g->rk, g->ctr + i, g->iv + i);
	g->ctr += IVGEN_N;
	g->next = 0;
}
