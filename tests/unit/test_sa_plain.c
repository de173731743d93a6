/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The outbound plain path's gate (lib/sa/sa.h, seq_check): a run whose last
 * number stays at or below seq_check is sent with a plain store of the
 * sequence number and no other check, so seq_check must be 0 whenever
 * anything else has to be checked.
 *  - sa_create() gives a one-worker outbound SA without byte or packet
 *    lifetimes the least of its packet limits; with several workers, or any
 *    byte or packet lifetime, 0.
 *  - sa_kill() marks the SA dead and zeroes seq_check (outbound), and leaves
 *    an inbound SA's replay state, which shares that line, alone.
 *  - sa_seq_reserve() still stops at the sequence space with seq_check 0.
 *  - sa_create() keeps of the keys apart from the SA's slot only what its
 *    xform reads (xform_keys_kept): nothing for AES-GCM run by gcm16 or
 *    AES-CTR with HMAC, the 176-byte IV key for AES-CBC with HMAC; and
 *    sa_free() gives back every allocation.
 */
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include <rte_malloc.h>

#include "check.h"
#include "esp/gcm16.h"
#include "sa_fixture.h"
#include "sa/sa.h"

static char err[256];
static IMB_MGR *mb;

static struct sa *new_sa(enum sa_dir dir, unsigned workers,
			 const struct sa_lifetime *life, bool esn)
{
	struct sa_params p;
	struct sa *sa;

	fixture_sa_params(&p, dir, dir == SA_DIR_OUT ? "out" : "in");
	p.esn = esn;
	p.replay_window = dir == SA_DIR_IN ? 64 : 0;
	if (life)
		p.life = *life;
	sa = sa_create(&p, 1, workers, mb, SOCKET_ID_ANY, err, sizeof(err));
	CHECK_MSG(sa != NULL, "%s", err);
	return sa;
}

static void gate_at_create(void)
{
	static const struct {
		const char *what;
		unsigned workers;
		struct sa_lifetime life;
		bool esn;
		uint64_t check;
	} cases[] = {
		{ "one worker, no lifetime", 1, { 0 }, false, UINT32_MAX },
		{ "one worker, ESN", 1, { 0 }, true, UINT64_MAX - 1 },
		{ "one worker, time lifetimes only", 1,
		  { .soft_seconds = 10, .hard_seconds = 20 }, false, UINT32_MAX },
		{ "two workers", 2, { 0 }, false, 0 },
		{ "one worker, hard packets", 1, { .hard_packets = 1000 }, false, 0 },
		{ "one worker, soft packets", 1, { .soft_packets = 500 }, false, 0 },
		{ "one worker, hard bytes", 1, { .hard_bytes = 1u << 20 }, false, 0 },
		{ "one worker, soft bytes", 1, { .soft_bytes = 1u << 20 }, false, 0 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sa *sa = new_sa(SA_DIR_OUT, cases[i].workers, &cases[i].life,
				       cases[i].esn);

		if (sa == NULL)
			continue;
		CHECK_MSG(sa->seq_check == cases[i].check, "%s: seq_check %llu, want %llu",
			  cases[i].what, (unsigned long long)sa->seq_check,
			  (unsigned long long)cases[i].check);
		sa_free(sa);
	}
}

static void kill(void)
{
	struct sa *out = new_sa(SA_DIR_OUT, 1, NULL, false);
	struct sa *in = new_sa(SA_DIR_IN, 1, NULL, false);
	struct replay before;

	if (out == NULL || in == NULL)
		return;
	CHECK(!(out->state & SA_ST_DEAD) && out->seq_check == UINT32_MAX);
	sa_kill(out);
	CHECK(out->state & SA_ST_DEAD);
	CHECK_MSG(out->seq_check == 0, "outbound seq_check %llu after sa_kill",
		  (unsigned long long)out->seq_check);

	/* an inbound SA's line 1 is its replay state */
	in->rw.top = 77;
	before = in->rw;
	sa_kill(in);
	CHECK(in->state & SA_ST_DEAD);
	CHECK_MSG(memcmp(&before, &in->rw, sizeof(before)) == 0,
		  "sa_kill changed an inbound SA's replay state");
	sa_free(out);
	sa_free(in);
}

/* With the gate closed the reservation itself still checks the space. */
static void reserve_at_limit(void)
{
	struct sa *sa = new_sa(SA_DIR_OUT, 2, NULL, false);

	if (sa == NULL)
		return;
	sa->seq = UINT32_MAX - 3;
	CHECK(sa_seq_reserve(sa, 3) == UINT32_MAX - 2);
	CHECK(sa_seq_reserve(sa, 1) == 0);	/* 2^32 would cycle (RFC 4303 §3.3.3) */
	sa_free(sa);
}

/* An SA of suite with keys of these lengths (zero bytes), or NULL. */
static struct sa *suite_sa(const char *suite, unsigned ekey, unsigned akey)
{
	struct sa_params p;
	struct sa *sa;

	fixture_sa_params(&p, SA_DIR_OUT, suite);
	p.alg = alg_find(suite);
	p.enc_key_len = ekey;
	p.auth_key_len = akey;
	sa = sa_create(&p, 1, 1, mb, SOCKET_ID_ANY, err, sizeof(err));
	CHECK_MSG(sa != NULL, "%s: %s", suite, err);
	return sa;
}

static void keys_kept(void)
{
	static const struct { const char *suite; unsigned ekey, akey; size_t kept; } t[] = {
		{ "aes128gcm16", 20, 0, 0 },
		{ "aes128-sha1", 16, 20, 176 },
		{ "aes128ctr-sha1", 20, 20, 0 },
		{ "chacha20poly1305", 36, 0, 0 },
	};
	struct rte_malloc_socket_stats s0, s1;
	int sock = rte_socket_id() == (unsigned)SOCKET_ID_ANY ? 0 : (int)rte_socket_id();

	/* the outbound slab first: slabs stay until teardown (sa_slab.h) */
	sa_free(suite_sa("aes128gcm16", 20, 0));
	CHECK(rte_malloc_get_socket_stats(sock, &s0) == 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sa *sa = suite_sa(t[i].suite, t[i].ekey, t[i].akey);
		size_t want = i == 0 && !gcm16_usable() ? sizeof(struct xform_keys) : t[i].kept;

		if (sa == NULL)
			continue;
		CHECK_MSG(xform_keys_kept(&sa->xf) == want && (sa->keys != NULL) == (want > 0),
			  "%s: kept %zu bytes, not %zu", t[i].suite,
			  xform_keys_kept(&sa->xf), want);
		sa_free(sa);
	}
	CHECK(rte_malloc_get_socket_stats(sock, &s1) == 0);
	CHECK_MSG(s1.alloc_count == s0.alloc_count &&
			  s1.heap_allocsz_bytes == s0.heap_allocsz_bytes,
		  "allocations left: %u (%zu bytes), were %u (%zu)", s1.alloc_count,
		  s1.heap_allocsz_bytes, s0.alloc_count, s0.heap_allocsz_bytes);
}

int main(void)
{
	mb = fixture_up("unit_sa_plain");
	if (mb == NULL)
		return 1;
	gate_at_create();
	kill();
	reserve_at_limit();
	keys_kept();
	free_mb_mgr(mb);
	rte_eal_cleanup();
	return check_summary();
}
