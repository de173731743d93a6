/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 16-lane HMAC-SHA-1 (lib/esp/hmac_sha1x16.c):
 * - RFC 2202 §3's seven HMAC-SHA-1 test cases, full and truncated to 96
 *   bits (RFC 2404), each alone and all seven in one call (lanes of
 *   different keys and lengths side by side);
 * - against ipsec-mb's burst API (IMB_SUBMIT_HASH_BURST_NOCHECK, the code
 *   it replaces) on random bursts: 1 to 300 jobs, messages of 1 to 700
 *   bytes at random offsets, one or several keys, tags of 12 or 20 bytes,
 *   a burst of one length or of mixed lengths; every tag byte compared,
 *   and no byte around a tag written; and the empty message;
 * - messages that end at the last byte before an inaccessible page (each
 *   length 1 to 200): the masked loads read nothing past a message.
 * Skipped (exit 77) where the CPU lacks AVX512F or AVX512BW.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/hmac_sha1x16.h"

static IMB_MGR *mb;

struct key {
	uint8_t ipad[64] __attribute__((aligned(64)));
	uint8_t opad[64] __attribute__((aligned(64)));
};

/* RFC 2104 §2: keys longer than a block are hashed first. */
static void key_init(struct key *k, const uint8_t *key, size_t len)
{
	uint8_t blk[64], hk[20];

	if (len > 64) {
		IMB_SHA1(mb, key, len, hk);
		key = hk;
		len = sizeof(hk);
	}
	for (int pass = 0; pass < 2; pass++) {
		memset(blk, pass ? 0x5c : 0x36, sizeof(blk));
		for (size_t i = 0; i < len; i++)
			blk[i] ^= key[i];
		IMB_SHA1_ONE_BLOCK(mb, blk, pass ? k->opad : k->ipad);
	}
}

static void job_init(IMB_JOB *j, const struct key *k, const uint8_t *buf,
		     uint64_t off, uint64_t len, uint8_t *tag, uint64_t tag_len)
{
	memset(j, 0, sizeof(*j));
	j->hash_alg = IMB_AUTH_HMAC_SHA_1;
	j->cipher_mode = IMB_CIPHER_NULL;
	j->chain_order = IMB_ORDER_HASH_CIPHER;
	j->src = buf;
	j->hash_start_src_offset_in_bytes = off;
	j->msg_len_to_hash_in_bytes = len;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = tag_len;
	j->u.HMAC._hashed_auth_key_xor_ipad = k->ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = k->opad;
}

static void unhex(const char *h, uint8_t *out)
{
	for (size_t i = 0; h[2 * i]; i++) {
		unsigned x;

		sscanf(h + 2 * i, "%2x", &x);
		out[i] = (uint8_t)x;
	}
}

/* RFC 2202 §3, test cases 1 to 7 */
static void rfc2202(void)
{
	static const char *const digest[7] = {
		"b617318655057264e28bc0b6fb378c8ef146be00",
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3",
		"4c9007f4026250c6bc8414f9bf50c86c2d7235da",
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
		"aa4ae5e15272d00e95705637ce8a3b55ed402112",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	};
	uint8_t key[7][80], data[7][80], want[7][20], tag[7][20], tag96[7][12];
	size_t klen[7] = { 20, 4, 20, 25, 20, 80, 80 }, dlen[7];
	struct key k[7];
	IMB_JOB j[7];

	memset(key[0], 0x0b, 20);
	memcpy(key[1], "Jefe", 4);
	memset(key[2], 0xaa, 20);
	for (int i = 0; i < 25; i++)
		key[3][i] = (uint8_t)(i + 1);
	memset(key[4], 0x0c, 20);
	memset(key[5], 0xaa, 80);
	memset(key[6], 0xaa, 80);
	dlen[0] = 8;
	memcpy(data[0], "Hi There", 8);
	dlen[1] = 28;
	memcpy(data[1], "what do ya want for nothing?", 28);
	dlen[2] = 50;
	memset(data[2], 0xdd, 50);
	dlen[3] = 50;
	memset(data[3], 0xcd, 50);
	dlen[4] = 20;
	memcpy(data[4], "Test With Truncation", 20);
	dlen[5] = 54;
	memcpy(data[5], "Test Using Larger Than Block-Size Key - Hash Key First", 54);
	dlen[6] = 73;
	memcpy(data[6], "Test Using Larger Than Block-Size Key and Larger Than One "
			"Block-Size Data", 73);
	for (int i = 0; i < 7; i++) {
		key_init(&k[i], key[i], klen[i]);
		unhex(digest[i], want[i]);
		job_init(&j[0], &k[i], data[i], 0, dlen[i], tag[i], 20);
		hmac_sha1x16_jobs(j, 1);
		CHECK_MSG(memcmp(tag[i], want[i], 20) == 0, "RFC 2202 case %d alone", i + 1);
		CHECK(j[0].status == IMB_STATUS_COMPLETED);
	}
	memset(tag, 0, sizeof(tag));
	for (int i = 0; i < 7; i++)
		job_init(&j[i], &k[i], data[i], 0, dlen[i], tag96[i], 12);
	hmac_sha1x16_jobs(j, 7);
	for (int i = 0; i < 7; i++)
		CHECK_MSG(memcmp(tag96[i], want[i], 12) == 0, "RFC 2202 case %d, 96 bits, in a burst of 7",
			  i + 1);
}

static uint32_t rnd(uint32_t n)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), 0) != sizeof(x))
		abort();
	return n ? x % n : x;
}

#define MAXJ 300
#define MAXLEN 700
#define STRIDE (MAXLEN + 64)
#define TAGROOM 32

/* One random burst, ours against ipsec-mb's. Not with empty messages:
 * ipsec-mb 1.3's burst API computes a wrong MAC for one and leaves its
 * lanes corrupt, so that every later MAC of the manager is wrong too (its
 * job API refuses the job instead). ESP never hashes an empty message;
 * empty_message() checks ours against a value from another implementation. */
static void random_burst(struct key *keys, unsigned nkeys, uint8_t *buf)
{
	static IMB_JOB a[MAXJ], b[MAXJ];
	static uint8_t ta[MAXJ][TAGROOM], tb[MAXJ][TAGROOM];
	unsigned n = 1 + rnd(MAXJ), same = rnd(2), len0 = 1 + rnd(MAXLEN);
	unsigned bad = 0;

	if (getrandom(buf, (size_t)MAXJ * STRIDE, 0) != (ssize_t)MAXJ * STRIDE)
		abort();
	memset(ta, 0xa5, sizeof(ta));
	memset(tb, 0xa5, sizeof(tb));
	for (unsigned i = 0; i < n; i++) {
		unsigned len = same ? len0 : 1 + rnd(MAXLEN);
		unsigned off = rnd(STRIDE - len + 1);
		unsigned tl = rnd(2) ? 12 : 20;
		struct key *k = &keys[nkeys > 1 ? rnd(nkeys) : 0];

		job_init(&a[i], k, buf + (size_t)i * STRIDE, off, len, ta[i] + 4, tl);
		job_init(&b[i], k, buf + (size_t)i * STRIDE, off, len, tb[i] + 4, tl);
	}
	hmac_sha1x16_jobs(a, n);
	CHECK(IMB_SUBMIT_HASH_BURST_NOCHECK(mb, b, n, IMB_AUTH_HMAC_SHA_1) == n);
	for (unsigned i = 0; i < n; i++)
		bad += memcmp(ta[i], tb[i], TAGROOM) != 0 || a[i].status != IMB_STATUS_COMPLETED;
	CHECK_MSG(bad == 0, "%u of %u jobs differ from ipsec-mb (%s lengths, %u keys)", bad, n,
		  same ? "one" : "mixed", nkeys);
}

/* HMAC-SHA-1 of the empty message under the key 0x01..0x14, from Python's
 * hmac module (hmac.new(bytes(range(1, 21)), b'', 'sha1')). */
static void empty_message(void)
{
	uint8_t key[20], want[20], tag[20];
	struct key k;
	IMB_JOB j;

	for (int i = 0; i < 20; i++)
		key[i] = (uint8_t)(i + 1);
	key_init(&k, key, sizeof(key));
	unhex("8fa52a5547edc2eccec12c4c53bc807d8282084a", want);
	job_init(&j, &k, key, 0, 0, tag, 20);
	hmac_sha1x16_jobs(&j, 1);
	CHECK_MEM(tag, want, 20);
}

/* Each message ends where the mapping does: a read past it faults. */
static void guard_page(const struct key *k)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ref[256];
	unsigned bad = 0;

	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	CHECK(mprotect(m + pg, (size_t)pg, PROT_NONE) == 0);
	for (unsigned len = 1; len <= 200; len++) {
		uint8_t *msg = m + pg - len, ta[20], tb[20];
		IMB_JOB a, b;

		for (unsigned i = 0; i < len; i++)
			msg[i] = ref[i] = (uint8_t)rnd(256);
		job_init(&a, k, msg, 0, len, ta, 20);
		job_init(&b, k, ref, 0, len, tb, 20);
		hmac_sha1x16_jobs(&a, 1);
		IMB_SUBMIT_HASH_BURST_NOCHECK(mb, &b, 1, IMB_AUTH_HMAC_SHA_1);
		bad += memcmp(ta, tb, 20) != 0;
	}
	CHECK_MSG(bad == 0, "%u lengths differ at a page's end", bad);
	munmap(m, 2 * (size_t)pg);
}

int main(void)
{
	struct key keys[5];
	uint8_t *buf;

	if (!hmac_sha1x16_usable()) {
		printf("no AVX512F and AVX512BW: skipped\n");
		return 77;
	}
	mb = alloc_mb_mgr(0);
	if (mb == NULL)
		return 1;
	init_mb_mgr_auto(mb, NULL);
	rfc2202();
	empty_message();
	for (int i = 0; i < 5; i++) {
		uint8_t key[20];

		if (getrandom(key, sizeof(key), 0) != sizeof(key))
			abort();
		key_init(&keys[i], key, sizeof(key));
	}
	buf = malloc((size_t)MAXJ * STRIDE);
	if (buf == NULL)
		return 1;
	for (int r = 0; r < 200; r++)
		random_burst(keys, r % 2 ? 5 : 1, buf);
	guard_page(&keys[0]);
	free(buf);
	free_mb_mgr(mb);
	return check_summary();
}
