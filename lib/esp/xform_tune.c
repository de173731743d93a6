/* SPDX-License-Identifier: BSD-3-Clause */
/* Measure where the narrow manager's AES-CBC encryption wins: xform_tune.h. */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "esp/xform_tune.h"

#define TUNE_REPS 200	/* bursts per manager and length; the minimum counts */
#define TUNE_MAX_PAY 496u

static const uint32_t tune_lens[] = { 48, 96, 176, 336, TUNE_MAX_PAY };

struct tune_ctx {
	IMB_JOB *jobs;
	uint8_t *buf;
	unsigned burst;
	uint32_t enc[60] __attribute__((aligned(64)));
	uint32_t dec[60] __attribute__((aligned(64)));
	uint8_t iv[16];
};

/* Jobs as the data path's: ESP header and IV in front of the payload. */
static void tune_jobs(struct tune_ctx *t, uint32_t len)
{
	for (unsigned i = 0; i < t->burst; i++) {
		IMB_JOB *j = &t->jobs[i];

		memset(j, 0, sizeof(*j));
		j->src = t->buf + (size_t)i * (TUNE_MAX_PAY + 64);
		j->dst = (uint8_t *)j->src + 24;
		j->cipher_start_src_offset_in_bytes = 24;
		j->msg_len_to_cipher_in_bytes = len;
		j->iv = t->iv;
		j->iv_len_in_bytes = 16;
		j->enc_keys = t->enc;
		j->dec_keys = t->dec;
		j->key_len_in_bytes = 16;
		j->cipher_mode = IMB_CIPHER_CBC;
		j->cipher_direction = IMB_DIR_ENCRYPT;
	}
}

static uint64_t tune_once(struct tune_ctx *t, IMB_MGR *mb)
{
	uint64_t t0 = rte_rdtsc_precise();

	IMB_SUBMIT_CIPHER_BURST_NOCHECK(mb, t->jobs, t->burst, IMB_CIPHER_CBC,
					IMB_DIR_ENCRYPT, IMB_KEY_128_BYTES);
	return rte_rdtsc_precise() - t0;
}

/* Is the narrow manager at least 10% faster at this length? */
static int tune_len(struct tune_ctx *t, IMB_MGR *wide, IMB_MGR *narrow,
		    uint32_t len)
{
	uint64_t w = UINT64_MAX, n = UINT64_MAX;

	tune_jobs(t, len);
	tune_once(t, wide);	/* warm: data, code, and the wide unit */
	tune_once(t, narrow);
	for (int r = 0; r < TUNE_REPS; r++) {
		uint64_t a = tune_once(t, wide), b = tune_once(t, narrow);

		w = a < w ? a : w;
		n = b < n ? b : n;
	}
	return n * 10 <= w * 9;
}

uint32_t xform_tune_cbc_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst)
{
	static const uint8_t key[16] = { 0x06, 0xa9, 0x21, 0x40, 0x36, 0xb8, 0xa1, 0x5b,
					 0x51, 0x2e, 0x03, 0xd5, 0x34, 0x12, 0x00, 0x06 };
	struct tune_ctx *t;
	uint32_t best = 0;

	if (wide == NULL || narrow == NULL || burst == 0)
		return 0;
	t = aligned_alloc(64, sizeof(*t));
	if (t == NULL)
		return 0;
	memset(t, 0, sizeof(*t));
	t->burst = burst;
	t->jobs = calloc(burst, sizeof(IMB_JOB));
	t->buf = calloc(burst, TUNE_MAX_PAY + 64);
	if (t->jobs != NULL && t->buf != NULL) {
		IMB_AES_KEYEXP_128(wide, key, t->enc, t->dec);
		for (size_t i = 0; i < sizeof(tune_lens) / sizeof(tune_lens[0]); i++) {
			if (!tune_len(t, wide, narrow, tune_lens[i]))
				break;
			best = tune_lens[i];
		}
	}
	free(t->jobs);
	free(t->buf);
	free(t);
	return best;
}
