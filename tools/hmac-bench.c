/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hmac-bench [BURST [ROUNDS]]: TSC cycles a job of HMAC-SHA-1 and
 * HMAC-SHA-256 bursts, ipsec-mb's burst API (the manager
 * init_mb_mgr_auto() picks, and the SSE one) against esprit's 16-lane
 * code (lib/esp/hmac_x16.h), at the ICV message lengths of ESP packets
 * (ESP header, 16-byte IV, payload). The best of ROUNDS bursts (default
 * 2000) of BURST jobs (default 128, as the data path's largest). A
 * measurement, not a test: run it on an idle core (taskset -c 1).
 * Built by meson as build/tools/hmac-bench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include <intel-ipsec-mb.h>

#include "esp/hmac_x16.h"

#define MAXLEN 1536

static uint64_t best_of(IMB_MGR *mb, IMB_JOB *jobs, unsigned n, IMB_HASH_ALG h,
			unsigned rounds)
{
	uint64_t best = UINT64_MAX;

	for (unsigned r = 0; r < rounds; r++) {
		uint64_t t0 = __rdtsc(), t;

		if (mb != NULL)
			IMB_SUBMIT_HASH_BURST_NOCHECK(mb, jobs, n, h);
		else
			hmac_x16_jobs(jobs, n, h);
		t = __rdtsc() - t0;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const unsigned lens[] = { 20, 88, 120, 248, 504, 1016, 1464 };
	static const IMB_HASH_ALG algs[] = { IMB_AUTH_HMAC_SHA_1, IMB_AUTH_HMAC_SHA_256 };
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 128;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	IMB_MGR *wide = alloc_mb_mgr(0), *sse = alloc_mb_mgr(0);
	uint8_t ipad[64] __attribute__((aligned(64))), opad[64] __attribute__((aligned(64)));
	uint8_t *buf = malloc((size_t)n * MAXLEN), *tag = malloc((size_t)n * 32);
	IMB_JOB *jobs = calloc(n, sizeof(*jobs));

	if (n == 0 || rounds == 0 || !wide || !sse || !buf || !tag || !jobs) {
		fprintf(stderr, "usage: hmac-bench [BURST [ROUNDS]] (both > 0)\n");
		return 2;
	}
	init_mb_mgr_auto(wide, NULL);
	init_mb_mgr_sse(sse);
	memset(buf, 0x5a, (size_t)n * MAXLEN);
	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	printf("bursts of %u, best of %u, TSC cycles a job\n", n, rounds);
	printf("%-13s %6s %10s %10s %10s\n", "hash", "bytes", "ipsec-mb", "ipsec-sse",
	       hmac_x16_usable(IMB_AUTH_HMAC_SHA_1) ? "16-lane" : "(no 16-lane)");
	for (unsigned a = 0; a < 2; a++) {
		for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			uint64_t t[3] = { 0, 0, 0 };

			for (unsigned i = 0; i < n; i++) {
				IMB_JOB *j = &jobs[i];

				memset(j, 0, sizeof(*j));
				j->hash_alg = algs[a];
				j->cipher_mode = IMB_CIPHER_NULL;
				j->chain_order = IMB_ORDER_HASH_CIPHER;
				j->src = buf + (size_t)i * MAXLEN;
				j->msg_len_to_hash_in_bytes = lens[l];
				j->auth_tag_output = tag + (size_t)i * 32;
				j->auth_tag_output_len_in_bytes = a ? 16 : 12;
				j->u.HMAC._hashed_auth_key_xor_ipad = ipad;
				j->u.HMAC._hashed_auth_key_xor_opad = opad;
			}
			t[0] = best_of(wide, jobs, n, algs[a], rounds);
			t[1] = best_of(sse, jobs, n, algs[a], rounds);
			if (hmac_x16_usable(algs[a]))
				t[2] = best_of(NULL, jobs, n, algs[a], rounds);
			printf("%-13s %6u %10.1f %10.1f %10.1f\n",
			       a ? "HMAC-SHA-256" : "HMAC-SHA-1", lens[l], (double)t[0] / n,
			       (double)t[1] / n, (double)t[2] / n);
		}
	}
	free(jobs);
	free(tag);
	free(buf);
	free_mb_mgr(wide);
	free_mb_mgr(sse);
	return 0;
}
