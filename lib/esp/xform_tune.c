/* SPDX-License-Identifier: BSD-3-Clause */
/* Measure where the narrow manager wins: xform_tune.h. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "esp/hmac_x16.h"
#include "esp/xform_tune.h"

#define TUNE_REPS 201	/* bursts per manager and length; the median counts */
#define TUNE_MAX_PAY 1440u
#define TUNE_HDR 24u	/* ESP header and a 16-byte IV, ahead of the payload */
#define TUNE_STRIDE (TUNE_HDR + TUNE_MAX_PAY + 64)	/* room for an ICV */

/* Payload lengths, ascending: 64-byte frames to 1500-byte ones. Each is
 * timed; best_step() then picks where to switch. */
static const uint32_t tune_lens[] = { 48, 96, 176, 336, 496, 976, TUNE_MAX_PAY };
#define N_LENS (sizeof(tune_lens) / sizeof(tune_lens[0]))

struct tune_ctx {
	IMB_JOB *jobs;
	uint8_t *buf;
	unsigned burst;
	IMB_HASH_ALG hash;	/* IMB_AUTH_NULL: time CBC encryption */
	uint32_t enc[60] __attribute__((aligned(64)));
	uint32_t dec[60] __attribute__((aligned(64)));
	/* HMAC's inner and outer starting states: any bytes are a state, and
	 * the time does not depend on their value */
	uint8_t ipad[64] __attribute__((aligned(64)));
	uint8_t opad[64] __attribute__((aligned(64)));
	uint8_t iv[16];
	uint64_t t_wide[TUNE_REPS], t_narrow[TUNE_REPS];	/* cycles a burst */
};

/* Jobs as the data path's (xform.c job_etm): ESP header and IV in front of
 * the payload; the ICV over all three. */
static void tune_jobs(struct tune_ctx *t, uint32_t len)
{
	for (unsigned i = 0; i < t->burst; i++) {
		IMB_JOB *j = &t->jobs[i];

		memset(j, 0, sizeof(*j));
		j->src = t->buf + (size_t)i * TUNE_STRIDE;
		j->dst = (uint8_t *)j->src + TUNE_HDR;
		j->cipher_start_src_offset_in_bytes = TUNE_HDR;
		j->msg_len_to_cipher_in_bytes = len;
		j->iv = t->iv;
		j->iv_len_in_bytes = 16;
		j->enc_keys = t->enc;
		j->dec_keys = t->dec;
		j->key_len_in_bytes = 16;
		j->cipher_mode = IMB_CIPHER_CBC;
		j->cipher_direction = IMB_DIR_ENCRYPT;
		j->hash_alg = t->hash;
		j->hash_start_src_offset_in_bytes = 0;
		j->msg_len_to_hash_in_bytes = TUNE_HDR + len;
		j->auth_tag_output = (uint8_t *)j->src + TUNE_HDR + len;
		j->auth_tag_output_len_in_bytes = 16;
		j->u.HMAC._hashed_auth_key_xor_ipad = t->ipad;
		j->u.HMAC._hashed_auth_key_xor_opad = t->opad;
	}
}

/* One burst on mb; NULL: HMAC on esprit's 16-lane code. */
static uint64_t tune_once(struct tune_ctx *t, IMB_MGR *mb)
{
	uint64_t t0 = rte_rdtsc_precise();

	if (t->hash == IMB_AUTH_NULL)
		IMB_SUBMIT_CIPHER_BURST_NOCHECK(mb, t->jobs, t->burst, IMB_CIPHER_CBC,
						IMB_DIR_ENCRYPT, IMB_KEY_128_BYTES);
	else
		hmac_x16_or_mb(mb, t->jobs, t->burst, t->hash);
	return rte_rdtsc_precise() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/*
 * The narrow manager's gain at this length, in per-mille of the wide
 * manager's time (negative: it is slower). Medians, not minimums: the
 * wide code's time varies far more from burst to burst (on a Zen 3 VM,
 * HMAC-SHA-1 of 88 bytes: minimum 270 cycles an ICV, median 452; SSE on
 * SHA-NI 223 and 292), and the data path gets the typical burst, not the
 * luckiest. Taking minimums chose the wide code for HMAC-SHA-1 at lengths
 * where the narrow one made the gateway 6-11% faster.
 */
static int64_t tune_len(struct tune_ctx *t, IMB_MGR *wide, IMB_MGR *narrow,
			uint32_t len)
{
	uint64_t w, n;

	tune_jobs(t, len);
	tune_once(t, wide);	/* warm: data, code, and the wide unit */
	tune_once(t, narrow);
	for (int r = 0; r < TUNE_REPS; r++) {
		t->t_wide[r] = tune_once(t, wide);
		t->t_narrow[r] = tune_once(t, narrow);
	}
	w = median(t->t_wide, TUNE_REPS);
	n = median(t->t_narrow, TUNE_REPS);
	return w == 0 ? 0 : ((int64_t)w - (int64_t)n) * 1000 / (int64_t)w;
}

/*
 * The switch-over length: the one whose choice (narrow up to it, wide
 * above) adds up the most gain over the lengths tried. On a shared host
 * one length's medians can land on the wrong side by chance; stopping at
 * the first loss made the result swing from run to run (SHA-1: 0, 200,
 * 1464), where the best step over all lengths does not hang on one.
 */
static uint32_t best_step(const int64_t *gain)
{
	int64_t sum = 0, best_sum = 0;
	uint32_t best = 0;

	for (size_t i = 0; i < N_LENS; i++) {
		sum += gain[i];
		if (sum > best_sum) {
			best_sum = sum;
			best = tune_lens[i];
		}
	}
	return best;
}

/* The payload of tune_lens up to which the narrow manager is to be used
 * (0: never). */
static uint32_t tune(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst,
		     IMB_HASH_ALG hash)
{
	static const uint8_t key[16] = { 0x06, 0xa9, 0x21, 0x40, 0x36, 0xb8, 0xa1, 0x5b,
					 0x51, 0x2e, 0x03, 0xd5, 0x34, 0x12, 0x00, 0x06 };
	struct tune_ctx *t;
	int64_t gain[N_LENS];
	uint32_t best = 0;

	if ((wide == NULL && narrow == NULL) || burst == 0)
		return 0;
	if ((wide == NULL || narrow == NULL) && !hmac_x16_usable(hash))
		return 0;
	t = aligned_alloc(64, sizeof(*t));
	if (t == NULL)
		return 0;
	memset(t, 0, sizeof(*t));
	memset(t->ipad, 0x36, sizeof(t->ipad));
	memset(t->opad, 0x5c, sizeof(t->opad));
	t->burst = burst;
	t->hash = hash;
	t->jobs = calloc(burst, sizeof(IMB_JOB));
	t->buf = calloc(burst, TUNE_STRIDE);
	if (t->jobs != NULL && t->buf != NULL) {
		IMB_AES_KEYEXP_128(wide ? wide : narrow, key, t->enc, t->dec);
		for (size_t i = 0; i < N_LENS; i++)
			gain[i] = tune_len(t, wide, narrow, tune_lens[i]);
		best = best_step(gain);
	}
	free(t->jobs);
	free(t->buf);
	free(t);
	return best;
}

uint32_t xform_tune_cbc_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst)
{
	return tune(wide, narrow, burst, IMB_AUTH_NULL);
}

uint32_t xform_tune_hmac_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst,
				IMB_HASH_ALG hash)
{
	uint32_t pay;

	if (hash != IMB_AUTH_HMAC_SHA_1 && hash != IMB_AUTH_HMAC_SHA_256)
		return 0;
	pay = tune(wide, narrow, burst, hash);
	return pay ? TUNE_HDR + pay : 0;
}
