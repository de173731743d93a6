/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_IVGEN_H
#define ESPRIT_ESP_IVGEN_H
/*
 * A worker's source of AES-CBC IVs.
 *
 * RFC 3602 §2.4 asks for IVs that are random and unpredictable. These are
 * an AES-128 counter-mode stream (the encryption of the blocks 0, 1, 2, ...,
 * each the 64-bit number little-endian then eight zero bytes) under a key
 * drawn from getrandom() when the
 * worker starts and known to nothing else: unpredictable without the key,
 * and never the encryption of the same block twice. NIST SP 800-90A's
 * CTR_DRBG is built the same way.
 *
 * Why per worker and not per SA (xform_make_iv's IV key): with traffic
 * over thousands of SAs every packet is a run of its own, and the SA's IV
 * key was three more lines of the SA to miss and one eleven-round AES
 * chain per packet (~50 cycles at out 64 with 10,000 SAs, perf). Here the
 * key stays in this worker's cache and IVs are made 64 at a time, eight
 * chains interleaved.
 *
 * Contract: ivgen_init() once, on the worker's behalf; afterwards only the
 * owning worker calls ivgen_next() (no locking). Nothing is
 * allocated. ivgen_clear() wipes the key.
 */
#include <stdint.h>

#include <intel-ipsec-mb.h>

#define IVGEN_N 64	/* IVs made per refill */

struct ivgen {
	uint8_t iv[IVGEN_N][16];
	unsigned next;		/* the first unused of iv; IVGEN_N: none left */
	uint64_t ctr;		/* the next block to encrypt */
	uint32_t rk[44] __attribute__((aligned(16)));	/* AES-128 round keys */
};

/* A fresh random key; -EIO when getrandom() gives none. mb: any
 * initialised manager, for the key expansion. */
int ivgen_init(struct ivgen *g, IMB_MGR *mb);
/* The encryption round keys of a fresh random AES-128 key, the key itself
 * wiped; -EIO when getrandom() gives none. For IV keys: ivgen_init()'s,
 * and the SA's of xform_make_iv(). */
int ivgen_random_key(IMB_MGR *mb, uint32_t rk[44]);
/* One block of the stream: AES-128 under rk of the counter block n, alone
 * (ivgen_refill() makes eight at once). Also the SA's IV of
 * xform_make_iv(), under its IV key, for the sequence number n. */
void ivgen_block(const uint32_t rk[44], uint64_t n, uint8_t out[16]);
/* With this key instead (tests: known answers). */
void ivgen_init_key(struct ivgen *g, IMB_MGR *mb, const uint8_t key[16]);
void ivgen_clear(struct ivgen *g);
void ivgen_refill(struct ivgen *g);

/* The next IV (16 bytes), valid until the next call. */
static inline const uint8_t *ivgen_next(struct ivgen *g)
{
	if (__builtin_expect(g->next == IVGEN_N, 0))
		ivgen_refill(g);
	return g->iv[g->next++];
}

#endif
