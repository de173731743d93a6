/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_REPLAY_H
#define ESPRIT_ESP_REPLAY_H
/*
 * Anti-replay window (RFC 4303 §3.4.3) with extended sequence numbers
 * (RFC 4303 §2.2.1 and appendix A), as a bitmap of 64-bit words in the style
 * of RFC 6479: advancing the window never shifts bits, a word is simply
 * reused for a newer block of 64 sequence numbers.
 *
 * Contract:
 *  - replay_check() runs before decryption and only reads; it returns the
 *    full 64-bit sequence number (the ESN high half inferred per appendix
 *    A2.1) or a negative verdict. replay_commit() runs after the ICV has
 *    been verified (a forged packet must not move the window) and is the
 *    only writer.
 *  - Several lcores may check and commit on the same SA concurrently: each
 *    word holds {block number, bits} and is updated with one 128-bit
 *    compare-and-swap, so a sequence number is accepted at most once even
 *    when two workers race on it, and nobody ever blocks.
 *  - window 0 disables the check (sequence numbers are still inferred).
 *  - replay_one_writer(): when only one lcore ever commits (an SA with one
 *    worker), plain stores take the place of the compare-and-swaps, with
 *    the same verdicts. A locked instruction drains the store buffer; with
 *    traffic spread over many SAs it ran for every packet.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum replay_verdict {
	REPLAY_OK = 0,
	REPLAY_DUP = -1,  /* already seen */
	REPLAY_OLD = -2,  /* left of the window, or sequence number 0 */
};

struct replay_word {
	uint64_t blk;  /* which block of 64 sequence numbers this word holds */
	uint64_t bits;
} __attribute__((aligned(16)));

/* The state every packet reads, 32 bytes (the SA keeps it in a line it
 * reads anyway); the bitmap words apart, touched only with a window. */
struct replay {
	uint64_t top;	   /* highest authenticated sequence number */
	uint32_t win;	   /* window size in packets, 0 = off */
	uint32_t mask;	   /* number of words - 1 (power of two) */
	bool esn;
	bool one_writer;   /* replay_one_writer() */
	struct replay_word *w;
};

/* Bytes of bitmap words a window of `win` packets needs (0 for none). */
size_t replay_words_size(uint32_t win);
/* w: replay_words_size(win) bytes, 16-byte aligned (NULL when win is 0). */
void replay_init(struct replay *r, uint32_t win, bool esn, struct replay_word *w);
/* Only one lcore will ever commit (see the contract); call before the
 * state is shared. */
void replay_one_writer(struct replay *r);
/* Check seq_lo (host order, as carried in the ESP header). On success
 * *seq gets the full sequence number. */
int replay_check(const struct replay *r, uint32_t seq_lo, uint64_t *seq);
int replay_commit(struct replay *r, uint64_t seq);
/*
 * n commits at once, for the authenticated packets of one SA in a burst:
 * rc[i] = replay_commit(r, seq[i]) as if called in order (identical results
 * on one lcore), but with one compare-and-swap per group of consecutive
 * numbers in the same block of 64 and one update of top, instead of up to
 * two atomics per packet. Entries with rc[i] != REPLAY_OK on entry are
 * skipped (not authentic). Concurrent commits on other lcores stay safe: a
 * number is still accepted at most once.
 */
void replay_commit_n(struct replay *r, const uint64_t *seq, int *rc, unsigned n);

#endif
