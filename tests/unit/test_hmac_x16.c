/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 16-lane HMAC-SHA-1 and HMAC-SHA-256 (lib/esp/hmac_x16.c,
 * lib/esp/sha_x16.c), each hash:
 * - the seven test cases of RFC 2202 §3 (HMAC-SHA-1) and RFC 4231 §4
 *   (HMAC-SHA-256), full and truncated as ESP truncates (96 bits, RFC
 *   2404; 128 bits, RFC 4868), each alone and all seven in one call
 *   (lanes of different keys and lengths side by side);
 * - the empty message, against Python's hmac module;
 * - against ipsec-mb's burst API (IMB_SUBMIT_HASH_BURST_NOCHECK, the code
 *   it stands in for) on random bursts: 1 to 300 jobs, messages of 1 to
 *   700 bytes at random offsets, one or several keys, truncated or full
 *   tags, one length or mixed lengths; every tag byte compared, and no
 *   byte around a tag written;
 * - messages that end at the last byte before an inaccessible page (each
 *   length 1 to 200): the masked loads read nothing past a message;
 * - tags of every length from 1 byte to the digest's.
 * Skipped (exit 77) where the CPU lacks AVX512F or AVX512BW.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/hmac_x16.h"

static IMB_MGR *mb;

/* What differs between the two hashes here. */
struct hash {
	const char *name;
	IMB_HASH_ALG alg;
	unsigned digest, trunc;	/* bytes: full, and as ESP truncates */
	const char *const *rfc;	/* the RFC's seven digests */
	unsigned long_key;	/* bytes of the long key of cases 6 and 7 */
	const char *data7;	/* case 7's message */
	const char *empty;	/* the MAC of "" under key 0x01..0x14 */
};

static const char *const rfc2202[7] = {
	"b617318655057264e28bc0b6fb378c8ef146be00",
	"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	"125d7342b9ac11cd91a39af48aa17b4f63f175d3",
	"4c9007f4026250c6bc8414f9bf50c86c2d7235da",
	"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
	"aa4ae5e15272d00e95705637ce8a3b55ed402112",
	"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
};

static const char *const rfc4231[7] = {
	"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	"a3b6167473100ee06e0c796c2955552bfa6f7c0a6a8aef8b93f860aab0cd20c5",
	"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
};

static const struct hash hashes[2] = {
	{ "HMAC-SHA-1", IMB_AUTH_HMAC_SHA_1, 20, 12, rfc2202, 80,
	  "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
	  "8fa52a5547edc2eccec12c4c53bc807d8282084a" },
	{ "HMAC-SHA-256", IMB_AUTH_HMAC_SHA_256, 32, 16, rfc4231, 131,
	  "This is a test using a larger than block-size key and a larger than "
	  "block-size data. The key needs to be hashed before being used by the "
	  "HMAC algorithm.",
	  "3179aeb316fd243cbc7e6fa601a764ed3ca7994cdb98c5c0551bffed181245be" },
};

struct key {
	uint8_t ipad[64] __attribute__((aligned(64)));
	uint8_t opad[64] __attribute__((aligned(64)));
};

/* RFC 2104 §2: keys longer than a block are hashed first. */
static void key_init(const struct hash *h, struct key *k, const uint8_t *key, size_t len)
{
	uint8_t blk[64], hk[32];

	if (len > 64) {
		if (h->alg == IMB_AUTH_HMAC_SHA_1)
			IMB_SHA1(mb, key, len, hk);
		else
			IMB_SHA256(mb, key, len, hk);
		key = hk;
		len = h->digest;
	}
	for (int pass = 0; pass < 2; pass++) {
		uint8_t *out = pass ? k->opad : k->ipad;

		memset(blk, pass ? 0x5c : 0x36, sizeof(blk));
		for (size_t i = 0; i < len; i++)
			blk[i] ^= key[i];
		if (h->alg == IMB_AUTH_HMAC_SHA_1)
			IMB_SHA1_ONE_BLOCK(mb, blk, out);
		else
			IMB_SHA256_ONE_BLOCK(mb, blk, out);
	}
}

static void job_init(const struct hash *h, IMB_JOB *j, const struct key *k,
		     const uint8_t *buf, uint64_t off, uint64_t len, uint8_t *tag,
		     uint64_t tag_len)
{
	memset(j, 0, sizeof(*j));
	j->hash_alg = h->alg;
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

/* The RFC's cases 1 to 7 (identical keys and messages in both RFCs but
 * for the long key's length and case 7's message). */
static void rfc_cases(const struct hash *h)
{
	uint8_t key[7][131], data[7][160], want[7][32], tag[7][32], tr[7][32];
	size_t klen[7] = { 20, 4, 20, 25, 20, h->long_key, h->long_key }, dlen[7];
	struct key k[7];
	IMB_JOB j[7];

	memset(key[0], 0x0b, 20);
	memcpy(key[1], "Jefe", 4);
	memset(key[2], 0xaa, 20);
	for (int i = 0; i < 25; i++)
		key[3][i] = (uint8_t)(i + 1);
	memset(key[4], 0x0c, 20);
	memset(key[5], 0xaa, h->long_key);
	memset(key[6], 0xaa, h->long_key);
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
	dlen[6] = strlen(h->data7);
	memcpy(data[6], h->data7, dlen[6]);
	for (int i = 0; i < 7; i++) {
		key_init(h, &k[i], key[i], klen[i]);
		unhex(h->rfc[i], want[i]);
		job_init(h, &j[0], &k[i], data[i], 0, dlen[i], tag[i], h->digest);
		hmac_x16_jobs(j, 1, h->alg);
		CHECK_MSG(memcmp(tag[i], want[i], h->digest) == 0, "%s: RFC case %d alone",
			  h->name, i + 1);
		CHECK(j[0].status == IMB_STATUS_COMPLETED);
	}
	for (int i = 0; i < 7; i++)
		job_init(h, &j[i], &k[i], data[i], 0, dlen[i], tr[i], h->trunc);
	hmac_x16_jobs(j, 7, h->alg);
	for (int i = 0; i < 7; i++)
		CHECK_MSG(memcmp(tr[i], want[i], h->trunc) == 0,
			  "%s: RFC case %d truncated, in a burst of 7", h->name, i + 1);
}

/* The empty message under the key 0x01..0x14, from Python's hmac module
 * (hmac.new(bytes(range(1, 21)), b'', ...)). Not against ipsec-mb: its
 * 1.3 burst API computes a wrong HMAC-SHA-1 of an empty message and leaves
 * its lanes corrupt, so that every later MAC of the manager is wrong too
 * (its job API refuses the job). ESP never hashes an empty message. */
static void empty_message(const struct hash *h)
{
	uint8_t key[20], want[32], tag[32];
	struct key k;
	IMB_JOB j;

	for (int i = 0; i < 20; i++)
		key[i] = (uint8_t)(i + 1);
	key_init(h, &k, key, sizeof(key));
	unhex(h->empty, want);
	job_init(h, &j, &k, key, 0, 0, tag, h->digest);
	hmac_x16_jobs(&j, 1, h->alg);
	CHECK_MSG(memcmp(tag, want, h->digest) == 0, "%s: the empty message", h->name);
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
#define TAGROOM 48

/* One random burst, ours against ipsec-mb's. */
static void random_burst(const struct hash *h, struct key *keys, unsigned nkeys,
			 uint8_t *buf)
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
		unsigned tl = rnd(2) ? h->trunc : h->digest;
		struct key *k = &keys[nkeys > 1 ? rnd(nkeys) : 0];

		job_init(h, &a[i], k, buf + (size_t)i * STRIDE, off, len, ta[i] + 4, tl);
		job_init(h, &b[i], k, buf + (size_t)i * STRIDE, off, len, tb[i] + 4, tl);
	}
	hmac_x16_jobs(a, n, h->alg);
	CHECK(IMB_SUBMIT_HASH_BURST_NOCHECK(mb, b, n, h->alg) == n);
	for (unsigned i = 0; i < n; i++)
		bad += memcmp(ta[i], tb[i], TAGROOM) != 0 || a[i].status != IMB_STATUS_COMPLETED;
	CHECK_MSG(bad == 0, "%s: %u of %u jobs differ from ipsec-mb (%s lengths, %u keys)",
		  h->name, bad, n, same ? "one" : "mixed", nkeys);
}

/* Tags of every length up to the digest's, in one burst (ipsec-mb writes
 * only the full or the ESP length, so against our full MAC): each the
 * MAC's first bytes, and not one byte more written. */
static void tag_lengths(const struct hash *h, const struct key *k)
{
	uint8_t msg[100], full[32], t[32][40];
	IMB_JOB j[33];
	unsigned bad = 0;

	memset(msg, 0x5a, sizeof(msg));
	memset(t, 0xa5, sizeof(t));
	job_init(h, &j[0], k, msg, 0, sizeof(msg), full, h->digest);
	for (unsigned l = 1; l <= h->digest; l++)
		job_init(h, &j[l], k, msg, 0, sizeof(msg), t[l - 1] + 4, l);
	hmac_x16_jobs(j, 1 + h->digest, h->alg);
	for (unsigned l = 1; l <= h->digest; l++) {
		bad += memcmp(t[l - 1] + 4, full, l) != 0;
		for (unsigned i = 0; i < sizeof(t[0]); i++)
			bad += (i < 4 || i >= 4 + l) && t[l - 1][i] != 0xa5;
	}
	CHECK_MSG(bad == 0, "%s: %u wrong bytes over tags of 1 to %u bytes", h->name, bad,
		  h->digest);
}

/* Each message ends where the mapping does: a read past it faults. */
static void guard_page(const struct hash *h, const struct key *k)
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
		uint8_t *msg = m + pg - len, ta[32], tb[32];
		IMB_JOB a, b;

		for (unsigned i = 0; i < len; i++)
			msg[i] = ref[i] = (uint8_t)rnd(256);
		job_init(h, &a, k, msg, 0, len, ta, h->digest);
		job_init(h, &b, k, ref, 0, len, tb, h->digest);
		hmac_x16_jobs(&a, 1, h->alg);
		IMB_SUBMIT_HASH_BURST_NOCHECK(mb, &b, 1, h->alg);
		bad += memcmp(ta, tb, h->digest) != 0;
	}
	CHECK_MSG(bad == 0, "%s: %u lengths differ at a page's end", h->name, bad);
	munmap(m, 2 * (size_t)pg);
}

int main(void)
{
	uint8_t *buf;

	if (!hmac_x16_usable(IMB_AUTH_HMAC_SHA_1)) {
		printf("no AVX512F and AVX512BW: skipped\n");
		return 77;
	}
	CHECK(hmac_x16_usable(IMB_AUTH_HMAC_SHA_256));
	CHECK(!hmac_x16_usable(IMB_AUTH_HMAC_SHA_384));
	mb = alloc_mb_mgr(0);
	buf = malloc((size_t)MAXJ * STRIDE);
	if (mb == NULL || buf == NULL)
		return 1;
	init_mb_mgr_auto(mb, NULL);
	for (int hi = 0; hi < 2; hi++) {
		const struct hash *h = &hashes[hi];
		struct key keys[5];

		rfc_cases(h);
		empty_message(h);
		for (int i = 0; i < 5; i++) {
			uint8_t key[32];

			if (getrandom(key, sizeof(key), 0) != sizeof(key))
				abort();
			key_init(h, &keys[i], key, h->digest);
		}
		for (int r = 0; r < 200; r++)
			random_burst(h, keys, r % 2 ? 5 : 1, buf);
		guard_page(h, &keys[0]);
		tag_lengths(h, &keys[1]);
	}
	free(buf);
	free_mb_mgr(mb);
	return check_summary();
}
