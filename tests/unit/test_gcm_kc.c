/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's AES-GCM key cache (lib/esp/gcm_kc.c) against ipsec-mb's own
 * precompute: for random AES-128, -192 and -256 keys, the round keys and
 * all 48 GHASH powers it builds from H^4..H^1 must equal, byte for byte,
 * what IMB_AESx_GCM_PRE stored; and
 * - a second call for the same keys is a hit (no rebuild);
 * - keys replaced in place (an SA slot reused) are rebuilt, not reused;
 * - in random calls over 64 SAs' keys (four sets of two ways, so most
 *   calls evict) each gets its own keys, and the keys of the call before
 *   the last are still there (two SAs taking turns keep theirs);
 * - the premise of the slots' tag: ipsec-mb's round keys start with the
 *   AES key itself;
 * - forgotten keys (an SA deleted) leave no byte of theirs in the cache;
 * - a 1400-byte payload sealed with the cache's keys gives the ciphertext
 *   and tag of the SA's own keys.
 * Skipped (exit 77) where ipsec-mb does not run its VAES AVX-512 code.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/gcm_kc.h"

static IMB_MGR *mb;
static struct gcm_kc kc __attribute__((aligned(64)));
static struct gcm_key_data kd[2] __attribute__((aligned(64)));

static void pre(struct gcm_key_data *k, unsigned key_bytes)
{
	uint8_t key[32];

	if (getrandom(key, sizeof(key), 0) != sizeof(key))
		abort();
	memset(k, 0, sizeof(*k));
	if (key_bytes == 16)
		IMB_AES128_GCM_PRE(mb, key, k);
	else if (key_bytes == 24)
		IMB_AES192_GCM_PRE(mb, key, k);
	else
		IMB_AES256_GCM_PRE(mb, key, k);
	CHECK_MEM(k->expanded_keys, key, key_bytes);
}

/* Every byte a GCM call with key_bytes reads. */
static bool same_keys(const struct gcm_key_data *a,
		      const struct gcm_key_data *b, unsigned key_bytes)
{
	unsigned rk = 16 * (key_bytes / 4 + 7);

	return memcmp(a->expanded_keys, b->expanded_keys, rk) == 0 &&
	       memcmp((const uint8_t *)a + GCM_KC_HPOW(48),
		      (const uint8_t *)b + GCM_KC_HPOW(48), 48 * 16) == 0;
}

static void random_keys(unsigned key_bytes)
{
	for (int i = 0; i < 300; i++) {
		uint64_t b0 = kc.builds;

		pre(&kd[0], key_bytes);
		const struct gcm_key_data *k = gcm_kc_keys(&kc, &kd[0], key_bytes);

		CHECK_MSG(same_keys(k, &kd[0], key_bytes), "%u-byte key %d", key_bytes, i);
		CHECK(kc.builds == b0 + 1);	/* same address, new keys */
		CHECK(gcm_kc_keys(&kc, &kd[0], key_bytes) == k);
		CHECK(kc.builds == b0 + 1);
	}
}

/* Random calls over 64 SAs' keys: the keys of the call before the last
 * are always a hit, and every call returns its own keys. */
static void pipeline(struct gcm_key_data *pool)
{
	unsigned prev = 0, bad = 0, wrong = 0;
	uint64_t built = kc.builds;

	gcm_kc_keys(&kc, &pool[prev], 16);
	for (int t = 0; t < 5000; t++) {
		unsigned next = (unsigned)rand() % 64;
		uint64_t b0;

		gcm_kc_keys(&kc, &pool[next], 16);
		b0 = kc.builds;
		wrong += !same_keys(gcm_kc_keys(&kc, &pool[prev], 16), &pool[prev], 16);
		bad += kc.builds != b0;
		wrong += !same_keys(gcm_kc_keys(&kc, &pool[next], 16), &pool[next], 16);
		bad += kc.builds != b0;
		prev = next;
	}
	CHECK_MSG(bad == 0, "%u rebuilds of the last two", bad);
	CHECK_MSG(wrong == 0, "%u wrong keys", wrong);
	CHECK(kc.builds - built > 2500);	/* it did evict */
}

static void forget(void)
{
	static const uint8_t zero[sizeof(struct gcm_kc_slot)];
	const struct gcm_key_data *k;
	uint64_t b0;

	pre(&kd[0], 32);
	k = gcm_kc_keys(&kc, &kd[0], 32);
	gcm_kc_forget(&kc, &kd[1], 32);		/* not there: kept */
	b0 = kc.builds;
	CHECK(gcm_kc_keys(&kc, &kd[0], 32) == k && kc.builds == b0);
	gcm_kc_forget(&kc, &kd[0], 32);
	CHECK(memcmp(k, zero, sizeof(zero)) == 0);
	CHECK(same_keys(gcm_kc_keys(&kc, &kd[0], 32), &kd[0], 32));
	CHECK(kc.builds == b0 + 1);
	gcm_kc_wipe(&kc);
	CHECK(memcmp(k, zero, sizeof(zero)) == 0);
}

static void seal_long(void)
{
	static uint8_t a[1400], b[1400];
	uint8_t iv[12] = { 1, 2, 3 }, aad[8] = { 4, 5, 6 }, ta[16], tb[16];
	struct gcm_context_data ctx;

	pre(&kd[0], 16);
	if (getrandom(a, sizeof(a), 0) != sizeof(a))
		abort();
	memcpy(b, a, sizeof(a));
	IMB_AES128_GCM_ENC(mb, &kd[0], &ctx, a, a, sizeof(a), iv, aad, 8, ta, 16);
	IMB_AES128_GCM_ENC(mb, gcm_kc_keys(&kc, &kd[0], 16), &ctx, b, b,
			   sizeof(b), iv, aad, 8, tb, 16);
	CHECK_MEM(a, b, sizeof(a));
	CHECK_MEM(ta, tb, 16);
}

int main(void)
{
	mb = alloc_mb_mgr(0);
	if (mb == NULL)
		return 1;
	init_mb_mgr_auto(mb, NULL);
	pre(&kd[0], 16);
	/* H^1 is stored in the 48-power layout only with the VAES code */
	static const uint8_t zero[16];
	if (memcmp((uint8_t *)&kd[0] + GCM_KC_HPOW(1), zero, 16) == 0 ||
	    !gcm_kc_usable(48)) {
		printf("skipped: ipsec-mb does not use its VAES AVX-512 GCM here\n");
		free_mb_mgr(mb);
		return 77;
	}
	random_keys(16);
	random_keys(24);
	random_keys(32);
	static struct gcm_key_data pool[64] __attribute__((aligned(64)));
	for (int i = 0; i < 64; i++)
		pre(&pool[i], 16);
	pipeline(pool);
	forget();
	seal_long();
	free_mb_mgr(mb);
	return check_summary();
}
