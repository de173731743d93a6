/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anti-replay window (lib/esp/replay.c): RFC 4303 §3.4.3 semantics on an
 * RFC 6479 style bitmap, ESN inference per RFC 4303 appendix A2.1, and the
 * concurrency contract of replay.h (check reads, commit is the only writer,
 * a number is accepted at most once even when workers race).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "esp/replay.h"

/* The state and its bitmap in one allocation (free() takes both). */
static struct replay *new_window(uint32_t win, bool esn)
{
	size_t sz = (64 + replay_words_size(win) + 63) & ~(size_t)63;
	struct replay *r = aligned_alloc(64, sz);

	if (r == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	replay_init(r, win, esn, win ? (struct replay_word *)((char *)r + 64) : NULL);
	return r;
}

/* The receive path: check, then (ICV verified) commit. */
static int receive(struct replay *r, uint32_t lo, uint64_t *seq)
{
	uint64_t s;
	int rc = replay_check(r, lo, &s);

	if (seq)
		*seq = s;
	if (rc != REPLAY_OK)
		return rc;
	return replay_commit(r, s);
}

static void basic_window(void)
{
	struct replay *r = new_window(64, false);
	uint64_t s;

	/* RFC 4303 §3.3.3: the first packet has number 1; 0 is never valid. */
	CHECK(replay_check(r, 0, &s) == REPLAY_OLD);
	CHECK(replay_commit(r, 0) == REPLAY_OLD);
	CHECK(receive(r, 1, &s) == REPLAY_OK && s == 1);
	CHECK(receive(r, 1, NULL) == REPLAY_DUP);
	CHECK(receive(r, 3, NULL) == REPLAY_OK);
	CHECK(receive(r, 2, NULL) == REPLAY_OK);	/* late but new */
	CHECK(receive(r, 2, NULL) == REPLAY_DUP);
	CHECK(r->top == 3);

	/* Right edge advances; the window is [top - 63, top]. */
	CHECK(receive(r, 100, NULL) == REPLAY_OK);
	CHECK(r->top == 100);
	CHECK(replay_check(r, 37, &s) == REPLAY_OK && s == 37);	/* left edge */
	CHECK(replay_check(r, 36, &s) == REPLAY_OLD);		/* just outside */
	CHECK(receive(r, 37, NULL) == REPLAY_OK);
	CHECK(receive(r, 37, NULL) == REPLAY_DUP);
	CHECK(receive(r, 3, NULL) == REPLAY_OLD);
	CHECK(receive(r, 99, NULL) == REPLAY_OK);
	CHECK(receive(r, 98, NULL) == REPLAY_OK);
	CHECK(receive(r, 99, NULL) == REPLAY_DUP);

	/* Far ahead: more than the window at once; everything before the new
	 * window is old, numbers in it are new even if their bit positions
	 * were used by an earlier block. */
	CHECK(receive(r, 100 + 64 * 1000 + 5, NULL) == REPLAY_OK);
	CHECK(receive(r, 100, NULL) == REPLAY_OLD);
	CHECK(receive(r, 99, NULL) == REPLAY_OLD);
	CHECK(receive(r, 100 + 64 * 1000 - 50, NULL) == REPLAY_OK);
	CHECK(receive(r, 100 + 64 * 1000 - 50, NULL) == REPLAY_DUP);
	CHECK(receive(r, 100 + 64 * 1000 + 5 - 64, NULL) == REPLAY_OLD);

	/* Without ESN the sequence number is the 32-bit value as is. */
	CHECK(receive(r, 0xffffffffu, &s) == REPLAY_OK && s == 0xffffffffu);
	CHECK(replay_check(r, 0, &s) == REPLAY_OLD);
	CHECK(replay_check(r, 1, &s) == REPLAY_OLD);
	free(r);
}

/* Commit is the authority: a duplicate that slipped past check (two
 * workers with the same packet) or a number the window left behind
 * meanwhile is refused there. A check alone never moves the window (a
 * forged packet fails its ICV and is never committed). */
static void commit_races(void)
{
	struct replay *r = new_window(128, false);
	uint64_t a, b;

	CHECK(replay_check(r, 10, &a) == REPLAY_OK);
	CHECK(replay_check(r, 10, &b) == REPLAY_OK);	/* second worker */
	CHECK(replay_commit(r, a) == REPLAY_OK);
	CHECK(replay_commit(r, b) == REPLAY_DUP);

	CHECK(replay_check(r, 5, &a) == REPLAY_OK);
	CHECK(receive(r, 5000, NULL) == REPLAY_OK);	/* window moves on */
	CHECK(replay_commit(r, a) == REPLAY_OLD);

	CHECK(replay_check(r, 9000, &a) == REPLAY_OK && a == 9000);
	CHECK(r->top == 5000);			/* check does not write */
	CHECK(replay_check(r, 4900, &a) == REPLAY_OK);
	CHECK(r->top == 5000);
	free(r);
}

/* An odd window size is honoured exactly: [top - win + 1, top]. */
static void odd_sizes(void)
{
	static const uint32_t sizes[] = { 1, 32, 63, 64, 65, 100, 1000, 4096,
					  65536 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t w = sizes[i];
		struct replay *r = new_window(w, false);
		uint64_t top = 3ull * w + 1000, s;

		CHECK(receive(r, (uint32_t)top, NULL) == REPLAY_OK);
		CHECK_MSG(w == 1 ||
			  replay_check(r, (uint32_t)(top - w + 1), &s) == REPLAY_OK,
			  "window %u: left edge", w);
		CHECK_MSG(replay_check(r, (uint32_t)(top - w), &s) == REPLAY_OLD,
			  "window %u: just left of it", w);
		CHECK(replay_check(r, (uint32_t)top, &s) == REPLAY_DUP);
		free(r);
	}
}

/* Fill a whole large window out of order: every number once, then all
 * duplicates, then one step right pushes exactly the oldest out. */
static void full_window(uint32_t w)
{
	struct replay *r = new_window(w, false);
	uint32_t *perm = malloc(w * sizeof(*perm));
	unsigned ok = 0, dup = 0, bad = 0;
	uint64_t s;

	/* The largest first (so nothing falls out), the rest shuffled. */
	perm[0] = w;
	for (uint32_t i = 1; i < w; i++)
		perm[i] = i;
	srand(w);
	for (uint32_t i = w - 1; i > 1; i--) {
		uint32_t j = 1 + (uint32_t)rand() % i, t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < w; i++)
		ok += receive(r, perm[i], NULL) == REPLAY_OK;
	CHECK_MSG(ok == w, "window %u: %u of %u accepted", w, ok, w);
	for (uint32_t i = 1; i <= w; i++) {
		int rc = replay_check(r, i, &s);

		dup += rc == REPLAY_DUP;
		bad += rc != REPLAY_DUP;
	}
	CHECK_MSG(dup == w && bad == 0, "window %u: %u duplicates, %u other",
		  w, dup, bad);
	CHECK(receive(r, w + 1, NULL) == REPLAY_OK);
	CHECK(replay_check(r, 1, &s) == REPLAY_OLD);
	CHECK(replay_check(r, 2, &s) == REPLAY_DUP);
	/* Far jump: by more than the window. */
	CHECK(receive(r, 3 * w + 7, NULL) == REPLAY_OK);
	CHECK(replay_check(r, w + 1, &s) == REPLAY_OLD);
	CHECK(replay_check(r, 2 * w + 8, &s) == REPLAY_OK);
	CHECK(replay_check(r, 2 * w + 7, &s) == REPLAY_OLD);
	free(perm);
	free(r);
}

/* Window 0: anti-replay off (RFC 4303 §3.4.3 "if the receiver has enabled
 * anti-replay"); everything passes, ESN is still inferred. */
static void window_off(void)
{
	struct replay *r = new_window(0, false);
	struct replay *e = new_window(0, true);
	uint64_t s;

	CHECK(receive(r, 5, NULL) == REPLAY_OK);
	CHECK(receive(r, 5, NULL) == REPLAY_OK);
	CHECK(receive(r, 1, NULL) == REPLAY_OK);
	CHECK(r->top == 5);

	CHECK(receive(e, 0xfffffff0u, &s) == REPLAY_OK && s == 0xfffffff0u);
	CHECK(receive(e, 3, &s) == REPLAY_OK && s == 0x100000003ull);
	CHECK(receive(e, 0xfffffff8u, &s) == REPLAY_OK && s == 0xfffffff8ull);
	free(r);
	free(e);
}

/* RFC 4303 appendix A2.1, with Tl/Th the low and high halves of the top. */
static void esn_inference(void)
{
	const uint32_t W = 64;
	struct replay *r = new_window(W, true);
	uint64_t s;

	/* Start: nothing below subspace 0. */
	CHECK(replay_check(r, 0, &s) == REPLAY_OLD);
	CHECK(replay_check(r, 0xffffffffu, &s) == REPLAY_OK && s == 0xffffffffu);
	CHECK(receive(r, 1, &s) == REPLAY_OK && s == 1);

	/* Case A: Tl >= W - 1, the window lies in one subspace. */
	r->top = 5ull << 32 | 1000;
	CHECK(replay_check(r, 990, &s) == REPLAY_OK && s == (5ull << 32 | 990));
	CHECK(replay_check(r, 937, &s) == REPLAY_OK && s == (5ull << 32 | 937));
	/* below Tl - W + 1: taken as the next subspace, i.e. ahead */
	CHECK(replay_check(r, 936, &s) == REPLAY_OK && s == (6ull << 32 | 936));
	CHECK(replay_check(r, 5000, &s) == REPLAY_OK && s == (5ull << 32 | 5000));
	CHECK(replay_check(r, 0, &s) == REPLAY_OK && s == 6ull << 32);

	/* Case B: Tl < W - 1, the window spans two subspaces. */
	r->top = 5ull << 32 | 10;
	CHECK(replay_check(r, 0xffffffecu, &s) == REPLAY_OK &&
	      s == (4ull << 32 | 0xffffffecu));
	/* Tl - W + 1 = 2^32 - 53 is the left edge */
	CHECK(replay_check(r, 0xffffffcbu, &s) == REPLAY_OK &&
	      s == (4ull << 32 | 0xffffffcbu));
	CHECK(replay_check(r, 0xffffffcau, &s) == REPLAY_OK &&
	      s == (5ull << 32 | 0xffffffcau));	/* far ahead in Th */
	CHECK(replay_check(r, 5, &s) == REPLAY_OK && s == (5ull << 32 | 5));
	CHECK(replay_check(r, 11, &s) == REPLAY_OK && s == (5ull << 32 | 11));

	/* Across 2^32 with real commits. */
	free(r);
	r = new_window(W, true);
	CHECK(receive(r, 0xfffffff0u, &s) == REPLAY_OK && s == 0xfffffff0ull);
	CHECK(receive(r, 0xfffffffeu, &s) == REPLAY_OK);
	CHECK(receive(r, 0, &s) == REPLAY_OK && s == 1ull << 32);  /* 2^32 */
	CHECK(receive(r, 5, &s) == REPLAY_OK && s == (1ull << 32 | 5));
	CHECK(r->top == (1ull << 32 | 5));
	/* case B now: the tail of subspace 0 is still in the window */
	CHECK(receive(r, 0xffffffffu, &s) == REPLAY_OK && s == 0xffffffffull);
	CHECK(receive(r, 0xffffffffu, &s) == REPLAY_DUP);
	CHECK(receive(r, 0xfffffffeu, &s) == REPLAY_DUP);
	CHECK(receive(r, 0xfffffff0u, &s) == REPLAY_DUP);
	CHECK(receive(r, 0, &s) == REPLAY_DUP && s == 1ull << 32);
	CHECK(receive(r, 3, &s) == REPLAY_OK && s == (1ull << 32 | 3));
	CHECK(receive(r, 5, &s) == REPLAY_DUP);
	/* left of the window, case B: Tl - W + 1 = 2^32 - 58 */
	CHECK(replay_check(r, 0xffffffc6u, &s) == REPLAY_OK &&
	      s == 0xffffffc6ull);
	CHECK(replay_check(r, 0xffffffc5u, &s) == REPLAY_OK &&
	      s == (1ull << 32 | 0xffffffc5u));	/* ahead, not old */
	free(r);

	/* A large window (case B for a long time after the wrap). */
	r = new_window(4096, true);
	CHECK(receive(r, 0xfffff000u, &s) == REPLAY_OK);
	CHECK(receive(r, 100, &s) == REPLAY_OK && s == (1ull << 32 | 100));
	CHECK(receive(r, 0xfffff800u, &s) == REPLAY_OK && s == 0xfffff800ull);
	/* 0xfffff000 is now 4196 behind: left of the window, so appendix A
	 * reads it as the next subspace (the ICV would then fail). */
	CHECK(replay_check(r, 0xfffff000u, &s) == REPLAY_OK &&
	      s == (1ull << 32 | 0xfffff000u));
	/* Tl - W + 1 = 100 - 4095 = 0xfffff065: the left edge */
	CHECK(replay_check(r, 0xfffff065u, &s) == REPLAY_OK && s == 0xfffff065ull);
	CHECK(replay_check(r, 0xfffff800u, &s) == REPLAY_DUP);
	CHECK(replay_check(r, 0xfffff064u, &s) == REPLAY_OK &&
	      s == (1ull << 32 | 0xfffff064u));
	free(r);
}

/* Two threads commit overlapping ranges in random order; with a window
 * wider than the whole range nothing can fall out, so every number must be
 * accepted exactly once. With a narrow window some are old, but none may
 * ever be accepted twice. */
#define RACE_N 60000u

struct racer {
	struct replay *r;
	uint32_t lo, n;
	unsigned seed;
	uint8_t *accepted;	/* shared counters, one per number */
	pthread_barrier_t *go;
	bool batched;		/* replay_commit_n() over bursts of 32 */
};

static void *race(void *arg)
{
	struct racer *x = arg;
	uint32_t *order = malloc(x->n * sizeof(*order));

	for (uint32_t i = 0; i < x->n; i++)
		order[i] = x->lo + i;
	for (uint32_t i = x->n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)rand_r(&x->seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	pthread_barrier_wait(x->go);	/* start together */
	for (uint32_t i = 0; i < x->n && !x->batched; i++) {
		uint64_t s;

		if (replay_check(x->r, order[i], &s) == REPLAY_OK &&
		    replay_commit(x->r, s) == REPLAY_OK)
			__atomic_fetch_add(&x->accepted[s], 1, __ATOMIC_RELAXED);
	}
	for (uint32_t i = 0; i < x->n && x->batched; i += 32) {
		uint64_t seq[32];
		int rc[32];
		unsigned k = x->n - i < 32 ? x->n - i : 32;

		for (unsigned j = 0; j < k; j++)
			rc[j] = replay_check(x->r, order[i + j], &seq[j]);
		replay_commit_n(x->r, seq, rc, k);
		for (unsigned j = 0; j < k; j++)
			if (rc[j] == REPLAY_OK)
				__atomic_fetch_add(&x->accepted[seq[j]], 1, __ATOMIC_RELAXED);
	}
	free(order);
	return NULL;
}

static void concurrency(uint32_t win, bool all, bool batched)
{
	for (int round = 0; round < 10; round++) {
		struct replay *r = new_window(win, false);
		uint8_t *acc = calloc(RACE_N + 1, 1);
		pthread_barrier_t go;
		struct racer a = { r, 1, RACE_N * 2 / 3, 1234u + round, acc, &go,
				   batched };
		struct racer b = { r, RACE_N / 3 + 1, RACE_N * 2 / 3, 99u + round,
				   acc, &go, !batched || round % 2 };
		pthread_t ta, tb;
		unsigned once = 0, twice = 0;

		pthread_barrier_init(&go, NULL, 2);
		pthread_create(&ta, NULL, race, &a);
		pthread_create(&tb, NULL, race, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		for (uint32_t s = 1; s <= RACE_N; s++) {
			once += acc[s] == 1;
			twice += acc[s] > 1;
		}
		CHECK_MSG(twice == 0, "window %u: %u numbers accepted twice",
			  win, twice);
		if (all)
			CHECK_MSG(once == RACE_N,
				  "window %u: %u of %u accepted", win, once,
				  RACE_N);
		CHECK(r->top == RACE_N);
		free(acc);
		free(r);
	}
}

/* replay_commit_n() on one lcore must give exactly what replay_commit()
 * one by one gives: verdicts, top and window contents, for in-order runs,
 * reordering, duplicates inside a burst, jumps that reuse words, number 0,
 * entries skipped as not authentic, and every window size class. */
/* replay_commit_n() against replay_commit() one by one; one_writer: both
 * with plain stores instead of compare-and-swaps (replay_one_writer),
 * against the reference with them. */
static void batch_equivalence(bool one_writer)
{
	static const uint32_t wins[] = { 0, 1, 64, 100, 1024 };
	unsigned seed = 42, bad = 0;

	for (unsigned wi = 0; wi < sizeof(wins) / sizeof(wins[0]); wi++) {
		struct replay *a = new_window(wins[wi], false);
		struct replay *b = new_window(wins[wi], false);
		struct replay *c = new_window(wins[wi], false);
		uint64_t next = 1;

		if (one_writer) {
			replay_one_writer(b);
			replay_one_writer(c);
		}

		for (unsigned burst = 0; burst < 20000; burst++) {
			uint64_t seq[32];
			int ra[32], rb[32], rc[32];
			unsigned k = 1 + (unsigned)rand_r(&seed) % 32;

			for (unsigned j = 0; j < k; j++) {
				unsigned c = (unsigned)rand_r(&seed) % 100;

				if (c < 70)
					seq[j] = next++;		/* in order */
				else if (c < 80)
					seq[j] = next > 40 ? next - 1 - (unsigned)rand_r(&seed) % 40 : 0;
				else if (c < 88 && j)
					seq[j] = seq[j - 1];		/* duplicate */
				else if (c < 95)
					seq[j] = (next += (unsigned)rand_r(&seed) % 3000);
				else
					seq[j] = next > 5000 ? next - 5000 : 0; /* far left */
				rb[j] = (unsigned)rand_r(&seed) % 50 ? REPLAY_OK : REPLAY_DUP;
			}
			for (unsigned j = 0; j < k; j++) {
				ra[j] = rb[j] == REPLAY_OK ? replay_commit(a, seq[j]) : rb[j];
				rc[j] = rb[j] == REPLAY_OK ? replay_commit(c, seq[j]) : rb[j];
			}
			replay_commit_n(b, seq, rb, k);
			for (unsigned j = 0; j < k; j++)
				bad += (ra[j] != rb[j]) + (ra[j] != rc[j]);
			bad += (a->top != b->top) + (a->top != c->top);
		}
		if (a->w != NULL)	/* no bitmap without a window */
			bad += (memcmp(a->w, b->w, (a->mask + 1) * sizeof(a->w[0])) != 0) +
			       (memcmp(a->w, c->w, (a->mask + 1) * sizeof(a->w[0])) != 0);
		CHECK_MSG(bad == 0, "window %u%s: %u differences", wins[wi],
			  one_writer ? ", one writer" : "", bad);
		free(a);
		free(b);
		free(c);
	}
}

int main(void)
{
	basic_window();
	commit_races();
	odd_sizes();
	full_window(64);
	full_window(4096);
	full_window(65536);
	window_off();
	esn_inference();
	concurrency(65536, true, false);
	concurrency(1024, false, false);
	batch_equivalence(false);
	batch_equivalence(true);
	concurrency(65536, true, true);
	concurrency(1024, false, true);
	return check_summary();
}
