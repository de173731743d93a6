/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp/replay.h"

#include <string.h>

#include <rte_atomic.h>
#include <rte_common.h>

/* Words kept: the window plus two blocks of slack, so that the word a new
 * block reuses never holds a block still inside the window. */
static uint32_t nwords(uint32_t win)
{
	return rte_align32pow2(win / 64 + 3);
}

size_t replay_words_size(uint32_t win)
{
	return win ? nwords(win) * sizeof(struct replay_word) : 0;
}

void replay_init(struct replay *r, uint32_t win, bool esn, struct replay_word *w)
{
	memset(r, 0, sizeof(*r));
	r->win = win;
	r->mask = nwords(win) - 1;
	r->esn = esn;
	r->w = w;
	if (w != NULL)
		memset(w, 0, replay_words_size(win));
}

void replay_one_writer(struct replay *r)
{
	r->one_writer = true;
}

/*
 * RFC 4303 appendix A2.1: infer the high-order 32 bits from the low half and
 * the window's top (Tl, Th). The window used for inference is at least 64
 * so that a receiver without anti-replay still follows the sender.
 */
static uint64_t esn_infer(uint64_t top, uint32_t win, uint32_t seql)
{
	uint32_t tl = (uint32_t)top, th = (uint32_t)(top >> 32);
	uint32_t w = win < 64 ? 64 : win;
	uint32_t bottom = tl - w + 1; /* modulo 2^32 by design */
	uint32_t seqh;

	if (tl >= w - 1)		/* case A: window within one subspace */
		seqh = seql >= bottom ? th : th + 1;
	else				/* case B: window spans two subspaces */
		seqh = seql >= bottom ? th - 1 : th;
	if (th == 0 && seqh == UINT32_MAX)  /* nothing below subspace 0 */
		seqh = 0;
	return (uint64_t)seqh << 32 | seql;
}

int replay_check(const struct replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t top = __atomic_load_n(&r->top, __ATOMIC_ACQUIRE);
	uint64_t s = r->esn ? esn_infer(top, r->win, seq_lo) : seq_lo;
	const struct replay_word *w;

	*seq = s;
	if (r->win == 0)
		return REPLAY_OK;
	if (s == 0 || s + r->win <= top)
		return REPLAY_OLD;
	if (s > top)
		return REPLAY_OK;
	w = &r->w[(s >> 6) & r->mask];
	if (__atomic_load_n(&w->blk, __ATOMIC_RELAXED) == (s >> 6) &&
	    (__atomic_load_n(&w->bits, __ATOMIC_RELAXED) & (1ull << (s & 63))))
		return REPLAY_DUP;
	return REPLAY_OK;
}

/* Replace a bitmap word that still holds *old by *nw: a 128-bit
 * compare-and-swap (false, with *old updated, when another lcore changed it
 * first), or with one writer two plain stores that cannot fail. */
static inline bool word_replace(const struct replay *r, struct replay_word *w,
				rte_int128_t *old, const rte_int128_t *nw)
{
	if (r->one_writer) {
		__atomic_store_n(&w->bits, nw->val[1], __ATOMIC_RELAXED);
		__atomic_store_n(&w->blk, nw->val[0], __ATOMIC_RELAXED);
		return true;
	}
	return rte_atomic128_cmp_exchange((rte_int128_t *)w, old, nw, 0,
					  __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static int set_bit(struct replay *r, uint64_t s)
{
	struct replay_word *w = &r->w[(s >> 6) & r->mask];
	uint64_t blk = s >> 6, bit = 1ull << (s & 63);
	rte_int128_t old, nw;

	old.val[0] = __atomic_load_n(&w->blk, __ATOMIC_RELAXED);
	old.val[1] = __atomic_load_n(&w->bits, __ATOMIC_RELAXED);
	for (;;) {
		if (old.val[0] > blk)		/* reused for a newer block */
			return REPLAY_OLD;
		if (old.val[0] == blk && (old.val[1] & bit))
			return REPLAY_DUP;
		nw.val[0] = blk;
		nw.val[1] = (old.val[0] == blk ? old.val[1] : 0) | bit;
		if (word_replace(r, w, &old, &nw))
			return REPLAY_OK;
	}
}

/* Raise top to s unless someone already went further. */
static void raise_top(struct replay *r, uint64_t s)
{
	uint64_t top = __atomic_load_n(&r->top, __ATOMIC_RELAXED);

	if (r->one_writer) {	/* nobody else moves it: no CAS */
		if (s > top)
			__atomic_store_n(&r->top, s, __ATOMIC_RELEASE);
		return;
	}
	while (s > top &&
	       !__atomic_compare_exchange_n(&r->top, &top, s, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* Set the bits of one block at once; returns the bits that were set
 * already (duplicates), or ~0 when the word holds a newer block. */
static uint64_t set_bits(struct replay *r, uint64_t blk, uint64_t bits)
{
	struct replay_word *w = &r->w[blk & r->mask];
	rte_int128_t old, nw;

	old.val[0] = __atomic_load_n(&w->blk, __ATOMIC_RELAXED);
	old.val[1] = __atomic_load_n(&w->bits, __ATOMIC_RELAXED);
	for (;;) {
		uint64_t have = old.val[0] == blk ? old.val[1] : 0;

		if (old.val[0] > blk)
			return ~0ull;
		if ((have | bits) == have)
			return bits;	/* nothing new: all duplicates */
		nw.val[0] = blk;
		nw.val[1] = have | bits;
		if (word_replace(r, w, &old, &nw))
			return have & bits;
	}
}

void replay_commit_n(struct replay *r, const uint64_t *seq, int *rc, unsigned n)
{
	uint64_t top = __atomic_load_n(&r->top, __ATOMIC_ACQUIRE), hi = 0;
	unsigned i = 0;

	while (i < n) {
		uint64_t blk = seq[i] >> 6, bits = 0, dup;
		unsigned j, end;

		if (rc[i] != REPLAY_OK) {
			i++;
			continue;
		}
		if (r->win == 0) {	/* no window: only top moves */
			hi = RTE_MAX(hi, seq[i++]);
			continue;
		}
		/* The group: consecutive numbers of this block. Each is judged
		 * against top as the ones before it left it, as one by one. */
		for (end = i; end < n && (rc[end] != REPLAY_OK || seq[end] >> 6 == blk); end++) {
			uint64_t s = seq[end], bit = 1ull << (s & 63);

			if (rc[end] != REPLAY_OK)
				continue;
			if (s == 0 || s + r->win <= top) {
				rc[end] = REPLAY_OLD;
			} else if (bits & bit) {
				rc[end] = REPLAY_DUP;
			} else {
				bits |= bit;
				top = RTE_MAX(top, s);
				hi = RTE_MAX(hi, s);
			}
		}
		/* One CAS for the group; whoever else set one of its bits
		 * meanwhile was first with that number. */
		dup = bits ? set_bits(r, blk, bits) : 0;
		for (j = i; dup && j < end; j++)
			if (rc[j] == REPLAY_OK && (dup >> (seq[j] & 63) & 1))
				rc[j] = dup == ~0ull ? REPLAY_OLD : REPLAY_DUP;
		i = end;
	}
	raise_top(r, hi);
}

int replay_commit(struct replay *r, uint64_t s)
{
	uint64_t top;
	int rc;

	if (r->win != 0) {
		top = __atomic_load_n(&r->top, __ATOMIC_ACQUIRE);
		if (s == 0 || s + r->win <= top)
			return REPLAY_OLD;
		rc = set_bit(r, s);
		if (rc != REPLAY_OK)
			return rc;
	}
	raise_top(r, s);
	return REPLAY_OK;
}
