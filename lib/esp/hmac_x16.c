/* SPDX-License-Identifier: BSD-3-Clause */
/* HMAC-SHA-1 and HMAC-SHA-256 sixteen messages at a time: hmac_x16.h. */
#include "esp/hmac_x16.h"

#include <stdint.h>
#include <string.h>

#include "esp/sha_x16.h"

#define X16 SHA_X16_TARGET
#define LANES 16
#define CHUNK 128	/* jobs sorted by length at a time */
#define MAX_WORDS 8	/* of a state: SHA-256's */

/* A hash: its state's words, and its compression of sixteen lanes. */
struct hash_x16 {
	unsigned words;
	void (*compress)(__m512i *s, __m512i *w, __mmask16 act);
};

static const struct hash_x16 sha1 = { 5, sha1_x16 };
static const struct hash_x16 sha256 = { 8, sha256_x16 };

static const struct hash_x16 *hash_of(IMB_HASH_ALG hash)
{
	return hash == IMB_AUTH_HMAC_SHA_1 ? &sha1 : hash == IMB_AUTH_HMAC_SHA_256 ? &sha256
										     : NULL;
}

bool hmac_x16_usable(IMB_HASH_ALG hash)
{
	__builtin_cpu_init();
	return hash_of(hash) != NULL && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw");
}

/* One lane's message (after the key block, which the ipad state stands
 * for) and where its padding goes (FIPS 180-4 §5.1.1). */
struct lane {
	const uint8_t *p;
	uint64_t len;
	uint64_t last;		/* index of its final block; ~0: an idle lane */
	uint64_t bits_be;	/* (64 + len) * 8, big-endian */
};

/* Blocks of a message of len bytes once padded: 0x80 and the 8-byte
 * length must follow it. */
static inline uint64_t n_blocks(uint64_t len)
{
	return (len + 9 + 63) / 64;
}

/* Block b of a lane's padded message, bytes as in memory: whole blocks
 * loaded, the rest a masked load (nothing past the message is read) with
 * 0x80 after the message and the length in the final block's last 8
 * bytes. An idle lane's or a finished message's block is zero. */
static inline X16 __m512i lane_block(const struct lane *l, uint64_t b)
{
	int64_t r = (int64_t)l->len - (int64_t)(64 * b);
	__m512i v;

	if (r >= 64)
		return _mm512_loadu_si512(l->p + 64 * b);
	v = r > 0 ? _mm512_maskz_loadu_epi8(((__mmask64)1 << r) - 1, l->p + 64 * b)
		  : _mm512_setzero_si512();
	if (r >= 0)
		v = _mm512_mask_set1_epi8(v, (__mmask64)1 << r, (char)0x80);
	if (b == l->last)
		v = _mm512_mask_set1_epi64(v, 0x80, (long long)l->bits_be);
	return v;
}

/*
 * Rows v[m] (lane m's 64 bytes) to columns w[t] (word t of every lane),
 * each word byte-swapped (SHA-1 and SHA-256 read big-endian words, FIPS
 * 180-4 §3.1). Four steps of sixteen shuffles: 32-bit and 64-bit interleaves within 128-bit lanes
 * leave u[4i + k] holding, in 128-bit lane q, word 4q + k of rows
 * 4i..4i+3; two 128-bit shuffles then gather w[4q + k] from lane q of
 * u[k], u[4 + k], u[8 + k], u[12 + k].
 */
static inline X16 void transpose16(const __m512i *v, __m512i *w)
{
	const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607,
						0x00010203);
	__m512i t[16], u[16];

	for (int i = 0; i < 8; i++) {
		t[2 * i] = _mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
		t[2 * i + 1] = _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
	}
	for (int i = 0; i < 4; i++) {
		u[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
		u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
		u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
	}
	for (int k = 0; k < 4; k++) {
		__m512i y0 = _mm512_shuffle_i32x4(u[k], u[4 + k], 0x44);
		__m512i y1 = _mm512_shuffle_i32x4(u[k], u[4 + k], 0xee);
		__m512i z0 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0x44);
		__m512i z1 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0xee);

		w[k] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(y0, z0, 0x88), bswap);
		w[4 + k] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(y0, z0, 0xdd), bswap);
		w[8 + k] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(y1, z1, 0x88), bswap);
		w[12 + k] = _mm512_shuffle_epi8(_mm512_shuffle_i32x4(y1, z1, 0xdd), bswap);
	}
}

/* A job's starting state of the inner or the outer hash. */
static inline const uint8_t *key_state(const IMB_JOB *j, bool outer)
{
	return outer ? j->u.HMAC._hashed_auth_key_xor_opad
		     : j->u.HMAC._hashed_auth_key_xor_ipad;
}

/* The state words of each lane from its jobs' ipad or opad state
 * (host-order words, as IMB_SHAx_ONE_BLOCK leaves them); one broadcast
 * when every lane has the same key, as with a burst of one SA. */
static inline X16 void load_state(__m512i *s, unsigned words, IMB_JOB *const *job,
				  unsigned cnt, bool outer)
{
	uint32_t st[MAX_WORDS][LANES] __attribute__((aligned(64)));
	const uint8_t *h0 = key_state(job[0], outer);
	bool same = true;

	for (unsigned m = 1; m < cnt; m++)
		same &= key_state(job[m], outer) == h0;
	if (same) {
		uint32_t h[MAX_WORDS];

		memcpy(h, h0, 4 * words);
		for (unsigned i = 0; i < words; i++)
			s[i] = _mm512_set1_epi32((int)h[i]);
		return;
	}
	memset(st, 0, sizeof(st));
	for (unsigned m = 0; m < cnt; m++) {
		const uint8_t *h = key_state(job[m], outer);

		for (unsigned i = 0; i < words; i++)
			memcpy(&st[i][m], h + 4 * i, 4);
	}
	for (unsigned i = 0; i < words; i++)
		s[i] = _mm512_load_si512(st[i]);
}

/* The MAC, big-endian words (FIPS 180-4 §6.1.2 step 4), truncated to
 * each job's tag length. */
static inline X16 void store_tags(const __m512i *s, unsigned words,
				  IMB_JOB *const *job, unsigned cnt)
{
	uint32_t st[MAX_WORDS][LANES] __attribute__((aligned(64)));

	for (unsigned i = 0; i < words; i++)
		_mm512_store_si512(st[i], s[i]);
	/* Word by word into the tag: a copy through a local array read 8
	 * bytes over two 4-byte stores, which cannot be forwarded (a stall
	 * of ~15 cycles a lane, an eighth of the whole call). */
	for (unsigned m = 0; m < cnt; m++) {
		IMB_JOB *j = job[m];
		uint8_t *o = j->auth_tag_output;
		uint64_t len = j->auth_tag_output_len_in_bytes < 4 * words
				       ? j->auth_tag_output_len_in_bytes : 4 * words;
		unsigned i = 0;

		for (; i + 4 <= len; i += 4) {
			uint32_t be = __builtin_bswap32(st[i / 4][m]);

			memcpy(o + i, &be, 4);
		}
		for (; i < len; i++)
			o[i] = (uint8_t)(st[i / 4][m] >> (24 - 8 * (i % 4)));
		j->status = IMB_STATUS_COMPLETED;
	}
}

/* Up to sixteen jobs: the inner hash block by block (lanes whose message
 * has ended idle), then the outer hash of RFC 2104 in one block whose
 * words are the inner digest, 0x80, zeros and the length: the key block
 * and the digest, (64 + 4 * words) * 8 bits. */
static X16 void group(const struct hash_x16 *hx, IMB_JOB *const *job, unsigned cnt)
{
	struct lane ln[LANES];
	__m512i s[MAX_WORDS], v[LANES], w[16];
	uint64_t blocks = 0;

	for (unsigned m = 0; m < LANES; m++) {
		if (m < cnt) {
			const IMB_JOB *j = job[m];

			ln[m].p = j->src + j->hash_start_src_offset_in_bytes;
			ln[m].len = j->msg_len_to_hash_in_bytes;
			ln[m].last = n_blocks(ln[m].len) - 1;
			ln[m].bits_be = __builtin_bswap64((64 + ln[m].len) * 8);
			if (ln[m].last + 1 > blocks)
				blocks = ln[m].last + 1;
		} else {
			ln[m] = (struct lane){ .p = NULL, .len = 0, .last = ~0ull };
		}
	}
	load_state(s, hx->words, job, cnt, false);
	for (uint64_t b = 0; b < blocks; b++) {
		__mmask16 act = 0;

		for (unsigned m = 0; m < LANES; m++) {
			v[m] = lane_block(&ln[m], b);
			if (m < cnt && b <= ln[m].last)
				act |= (__mmask16)(1u << m);
		}
		transpose16(v, w);
		hx->compress(s, w, act);
	}
	for (unsigned i = 0; i < 16; i++)
		w[i] = i < hx->words ? s[i] : _mm512_setzero_si512();
	w[hx->words] = _mm512_set1_epi32((int)0x80000000);
	w[15] = _mm512_set1_epi32((int)(64 + 4 * hx->words) * 8);
	load_state(s, hx->words, job, cnt, true);
	hx->compress(s, w, (__mmask16)((1u << cnt) - 1));
	store_tags(s, hx->words, job, cnt);
}

/* Jobs of mixed lengths in order of blocks (insertion sort, stable), so
 * that a lane group's lanes finish together; a burst of one length, the
 * usual case, is left as it is. */
static void order(IMB_JOB **p, const uint64_t *nb, unsigned k)
{
	uint64_t key[CHUNK];

	memcpy(key, nb, k * sizeof(*nb));
	for (unsigned i = 1; i < k; i++) {
		IMB_JOB *x = p[i];
		uint64_t kx = key[i];
		unsigned j = i;

		for (; j > 0 && key[j - 1] > kx; j--) {
			key[j] = key[j - 1];
			p[j] = p[j - 1];
		}
		key[j] = kx;
		p[j] = x;
	}
}

void hmac_x16_jobs(IMB_JOB *jobs, unsigned n, IMB_HASH_ALG hash)
{
	const struct hash_x16 *hx = hash_of(hash);

	if (hx == NULL)
		return;
	while (n > 0) {
		unsigned k = n < CHUNK ? n : CHUNK;
		IMB_JOB *p[CHUNK];
		uint64_t nb[CHUNK];
		bool mixed = false;

		for (unsigned i = 0; i < k; i++) {
			p[i] = &jobs[i];
			nb[i] = n_blocks(jobs[i].msg_len_to_hash_in_bytes);
			mixed |= nb[i] != nb[0];
		}
		if (mixed)
			order(p, nb, k);
		for (unsigned i = 0; i < k; i += LANES)
			group(hx, p + i, k - i < LANES ? k - i : LANES);
		jobs += k;
		n -= k;
	}
}
