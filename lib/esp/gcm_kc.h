/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's AES-GCM keys for long payloads: the GHASH powers computed on
 * the core instead of read from the SA.
 *
 * Why. ipsec-mb's VAES AVX-512 GCM multiplies a message of n blocks by
 * H^min(n,48)..H^1, read from the 48 powers its precompute stored after
 * the round keys: a payload of 768 bytes or more reads all twelve lines of
 * them, fifteen lines of keys with AES-128. When every packet has an SA of
 * its own (thousands of tunnels, traffic spread over them) those lines come
 * from L3 for every packet; at 1420 bytes with 10,000 SAs that was a quarter
 * of a worker's time (docs/performance.md). Computing H^5..H^48 from
 * H^4..H^1 (two lines) is eleven 4-lane carry-less multiplications, ~80
 * cycles, and the result stays in L1.
 *
 * Contract:
 * - gcm_kc_usable(powers) is true when the key data of the precompute
 *   (IMB_AESx_GCM_PRE) has powers = 48 of H, the VAES AVX-512 layout, and
 *   the CPU has AVX-512F and VPCLMULQDQ (which that layout implies; checked
 *   anyway). Only then may gcm_kc_keys() be called.
 * - gcm_kc_keys(c, kd, key_bytes) returns key data that gives the same
 *   results as kd in every ipsec-mb GCM call of the manager that wrote kd:
 *   the same round keys and powers, byte for byte. It lives in c, valid
 *   until the next call with c. A slot is reused only for the same AES
 *   key: its first key_bytes bytes of round keys are the key itself
 *   (FIPS 197 §5.2), and every other byte of the key data follows from
 *   it (H = E_K(0)); so an SA's keys replaced in place are never mistaken
 *   for the old ones. Two ways per set, the older replaced.
 * - gcm_kc_forget(c, kd, key_bytes) wipes the slot holding kd's keys, if
 *   one does: an SA going away leaves no copy of its keys behind.
 *   gcm_kc_wipe(c) wipes them all (before c is freed).
 * - c is one worker's (no locking); zero it before the first call.
 *
 * Measured (docs/performance.md): ~80 cycles (78) a call that builds (port 5
 * bound: VPCLMULQDQ and shuffles), ~6 a hit; one worker, AES-128-GCM,
 * 1420-byte packets spread over 1,000 or 10,000 SAs: 4-11 % more packets
 * a second.
 */
#ifndef ESPRIT_GCM_KC_H
#define ESPRIT_GCM_KC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <intel-ipsec-mb.h>

/* Eight slots, four sets of two: a few tunnels taking turns keep theirs
 * (8 KB, in L1). */
#define GCM_KC_SETS 4
#define GCM_KC_SLOTS (2 * GCM_KC_SETS)

struct gcm_kc_slot {
	struct gcm_key_data kd;
} __attribute__((aligned(64)));

struct gcm_kc {
	struct gcm_kc_slot slot[GCM_KC_SLOTS];	/* set s: 2s and 2s + 1 */
	uint8_t key_bytes[GCM_KC_SLOTS];	/* 0: empty */
	uint8_t mru[GCM_KC_SETS];		/* way of the set's last call */
	uint64_t builds;			/* misses, for the tests */
};

bool gcm_kc_usable(unsigned powers);
static inline const struct gcm_key_data *
gcm_kc_keys(struct gcm_kc *c, const struct gcm_key_data *kd,
	    unsigned key_bytes);
void gcm_kc_forget(struct gcm_kc *c, const struct gcm_key_data *kd,
		   unsigned key_bytes);
void gcm_kc_wipe(struct gcm_kc *c);

/* Where the 48-power layout keeps H^i: byte 16 * (63 - i) (xform.h). */
#define GCM_KC_HPOW(i) (16u * (63u - (i)))

/* Internals of gcm_kc_keys(), whose hits are inline: ~6 cycles. */

/* The set for keys at kd: an SA's keys stay at one address for its life,
 * and SAs' keys are more than a line apart. */
static inline unsigned gcm_kc_set(const struct gcm_key_data *kd)
{
	uint64_t p = (uintptr_t)kd >> 6;

	return (unsigned)((p * 0x9E3779B97F4A7C15ull) >> 62);
}

/* Slot i holds the keys of the AES key that kd's round keys start with. */
static inline bool gcm_kc_holds(const struct gcm_kc *c, unsigned i,
				const struct gcm_key_data *kd,
				unsigned key_bytes)
{
	const uint8_t *a = c->slot[i].kd.expanded_keys, *b = kd->expanded_keys;
	uint64_t d = c->key_bytes[i] ^ key_bytes;

	for (unsigned o = 0; o < key_bytes; o += 8) {
		uint64_t x, y;

		memcpy(&x, a + o, 8);
		memcpy(&y, b + o, 8);
		d |= x ^ y;
	}
	return d == 0;
}

/* The slot of set holding kd's keys, the likelier way first; or -1. */
static inline int gcm_kc_find(const struct gcm_kc *c, unsigned set,
			      const struct gcm_key_data *kd, unsigned key_bytes)
{
	unsigned w = c->mru[set];

	if (gcm_kc_holds(c, 2 * set + w, kd, key_bytes))
		return (int)(2 * set + w);
	if (gcm_kc_holds(c, 2 * set + (w ^ 1), kd, key_bytes))
		return (int)(2 * set + (w ^ 1));
	return -1;
}

/* A miss: kd's keys into the set's older way. */
const struct gcm_key_data *gcm_kc_build(struct gcm_kc *c, unsigned set,
					const struct gcm_key_data *kd,
					unsigned key_bytes);

static inline const struct gcm_key_data *
gcm_kc_keys(struct gcm_kc *c, const struct gcm_key_data *kd,
	    unsigned key_bytes)
{
	unsigned set = gcm_kc_set(kd);
	int i = gcm_kc_find(c, set, kd, key_bytes);

	if (i < 0)
		return gcm_kc_build(c, set, kd, key_bytes);
	c->mru[set] = (uint8_t)(i & 1);
	return &c->slot[i].kd;
}

#endif
