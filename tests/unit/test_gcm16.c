/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our own AES-GCM (lib/esp/gcm16.c) against known answers and two other
 * implementations:
 * - the test cases of McGrew and Viega's GCM specification (the vectors
 *   NIST's GCM validation started from): 3, 4 (AES-128, with and without
 *   AAD, 64 and 60 bytes), 15 and 16 (AES-256), seal and open;
 * - OpenSSL's EVP AES-GCM, for every payload length 0..600 and then in
 *   steps of 13 to 9216 (a jumbo frame; the counters change form past
 *   GCM16_FAST_LEN), and at both sides of GCM16_FAST_LEN, AES-128, -192 and
 *   -256, AAD of 0, 8, 12 and 20 bytes, tags of 8, 12 and 16 bytes,
 *   random keys, nonces and data: ciphertext and tag equal, and opening
 *   gives back the plaintext and the same tag;
 * - ipsec-mb's VAES AVX-512 code with the key data gcm16's own copy is
 *   made from (gcm16_key_init), in place, as xform.c calls both;
 * - bytes past the payload and the tag are left alone (masked stores).
 * Skipped (exit 77) where ipsec-mb does not run its VAES AVX-512 code or
 * the CPU lacks what gcm16 needs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <intel-ipsec-mb.h>
#include <openssl/evp.h>

#include "check.h"
#include "esp/gcm16.h"
#include "util/hex.h"

#define MAX_LEN 9216u

static IMB_MGR *mb;
static struct gcm_key_data kd __attribute__((aligned(64)));
static struct gcm16_key gk;	/* gcm16's copy of kd */

static void rnd(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		abort();
}

static void pre(const uint8_t *key, unsigned key_bytes)
{
	memset(&kd, 0, sizeof(kd));
	if (key_bytes == 16)
		IMB_AES128_GCM_PRE(mb, key, &kd);
	else if (key_bytes == 24)
		IMB_AES192_GCM_PRE(mb, key, &kd);
	else
		IMB_AES256_GCM_PRE(mb, key, &kd);
	gcm16_key_init(&gk, &kd, key_bytes);
}

/* OpenSSL's seal: ciphertext into ct, the full 16-byte tag into tag. */
static void ossl_seal(const uint8_t *key, unsigned key_bytes,
		      const uint8_t *iv, const uint8_t *aad, unsigned aad_len,
		      const uint8_t *pt, uint32_t len, uint8_t *ct, uint8_t *tag)
{
	const EVP_CIPHER *c = key_bytes == 16 ? EVP_aes_128_gcm()
			      : key_bytes == 24 ? EVP_aes_192_gcm()
						: EVP_aes_256_gcm();
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n = 0;

	if (x == NULL || EVP_EncryptInit_ex(x, c, NULL, key, iv) != 1 ||
	    (aad_len && EVP_EncryptUpdate(x, NULL, &n, aad, (int)aad_len) != 1) ||
	    (len && EVP_EncryptUpdate(x, ct, &n, pt, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(x, ct + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		abort();
	EVP_CIPHER_CTX_free(x);
}

struct kat {
	const char *key, *iv, *aad, *pt, *ct, *tag;
};

/* McGrew and Viega, "The Galois/Counter Mode of Operation", appendix B */
static const struct kat kats[] = {
	{ /* test case 3 */
	  "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ /* test case 4 */
	  "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ /* test case 15 */
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ /* test case 16 */
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	int n = *h ? hex_decode(h, out, cap) : 0;

	if (n < 0)
		abort();
	return (size_t)n;
}

static void known_answers(void)
{
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		const struct kat *t = &kats[i];
		uint8_t key[32], iv[12], aad[32], pt[64], ct[64], tag[16];
		uint8_t out[64], back[64], got[16];
		size_t kl = unhex(t->key, key, sizeof(key));
		size_t al = unhex(t->aad, aad, sizeof(aad));
		size_t pl = unhex(t->pt, pt, sizeof(pt));

		unhex(t->iv, iv, sizeof(iv));
		CHECK(unhex(t->ct, ct, sizeof(ct)) == pl);
		unhex(t->tag, tag, sizeof(tag));
		pre(key, (unsigned)kl);
		gcm16_seal(&gk, (unsigned)kl, iv, aad, (unsigned)al, pt, out,
			   (uint32_t)pl, got, 16);
		CHECK_MSG(memcmp(out, ct, pl) == 0, "case %zu ciphertext", i);
		CHECK_MSG(memcmp(got, tag, 16) == 0, "case %zu tag", i);
		memset(got, 0, sizeof(got));
		gcm16_open(&gk, (unsigned)kl, iv, aad, (unsigned)al, ct, back,
			   (uint32_t)pl, got, 16);
		CHECK_MSG(memcmp(back, pt, pl) == 0, "case %zu plaintext", i);
		CHECK_MSG(memcmp(got, tag, 16) == 0, "case %zu open tag", i);
	}
}

typedef void gcm16_fn(const struct gcm16_key *, unsigned, const uint8_t *,
		      const uint8_t *, unsigned, const uint8_t *, uint8_t *,
		      uint32_t, uint8_t *, unsigned);

/* One direction (gcm16_seal or gcm16_open) from in into buffers filled
 * with guard, against the expected output and tag; returns the number of
 * mismatches, guard bytes after the output and after the tag included. */
static unsigned one_way(gcm16_fn *fn, unsigned key_bytes, const uint8_t *iv,
			const uint8_t *aad, unsigned aad_len, const uint8_t *in,
			uint32_t len, const uint8_t *want, const uint8_t *want_tag,
			unsigned tag_len, uint8_t guard)
{
	static uint8_t out[MAX_LEN + 64];
	uint8_t got[32];
	unsigned bad = 0;

	memset(out, guard, len + 64);
	memset(got, guard, sizeof(got));
	fn(&gk, key_bytes, iv, aad, aad_len, in, out, len, got, tag_len);
	bad += memcmp(out, want, len) != 0;
	bad += memcmp(got, want_tag, tag_len) != 0;
	for (unsigned i = 0; i < 64; i++)
		bad += out[len + i] != guard;
	for (unsigned i = tag_len; i < sizeof(got); i++)
		bad += got[i] != guard;
	return bad;
}

/* One length, key size, AAD and tag length against OpenSSL, sealed and
 * opened; returns the number of mismatches. */
static unsigned against_openssl(unsigned key_bytes, uint32_t len,
				unsigned aad_len, unsigned tag_len)
{
	static uint8_t pt[MAX_LEN + 64], ct[MAX_LEN + 64];
	uint8_t key[32], iv[12], aad[20], tag[16];

	rnd(key, sizeof(key));
	rnd(iv, sizeof(iv));
	rnd(aad, sizeof(aad));
	rnd(pt, len);
	ossl_seal(key, key_bytes, iv, aad, aad_len, pt, len, ct, tag);
	pre(key, key_bytes);
	return one_way(gcm16_seal, key_bytes, iv, aad, aad_len, pt, len, ct,
		       tag, tag_len, 0xa5) +
	       one_way(gcm16_open, key_bytes, iv, aad, aad_len, ct, len, pt,
		       tag, tag_len, 0x5a);
}

static void lengths(void)
{
	static const unsigned keys[] = { 16, 24, 32 }, aads[] = { 0, 8, 12, 20 },
			      tags[] = { 8, 12, 16 };
	unsigned n = 0, bad = 0;

	for (uint32_t len = 0; len <= MAX_LEN; len += len < 600 ? 1 : 13) {
		unsigned kb = keys[len % 3], al = aads[(len / 3) % 4];

		bad += against_openssl(kb, len, al, tags[(len / 7) % 3]);
		n++;
	}
	/* the ends, every combination */
	for (unsigned k = 0; k < 3; k++)
		for (unsigned a = 0; a < 4; a++)
			for (unsigned t = 0; t < 3; t++) {
				bad += against_openssl(keys[k], GCM16_FAST_LEN, aads[a], tags[t]);
				bad += against_openssl(keys[k], GCM16_FAST_LEN + 1, aads[a], tags[t]);
				bad += against_openssl(keys[k], 1420, aads[a], tags[t]);
				bad += against_openssl(keys[k], MAX_LEN, aads[a], tags[t]);
				n += 4;
			}
	CHECK_MSG(bad == 0, "%u mismatches in %u cases", bad, n);
}

/* In place, as the data path calls it, against ipsec-mb in place. */
static void against_ipsec_mb(void)
{
	static uint8_t a[2048], b[2048];
	struct gcm_context_data ctx;
	unsigned bad = 0;

	for (int t = 0; t < 400; t++) {
		uint8_t key[32], iv[12], aad[12], ta[16], tb[16];
		uint32_t len = 768 + (uint32_t)rand() % 1280;
		unsigned kb = t & 1 ? 32 : 16, al = t & 2 ? 12 : 8;

		rnd(key, sizeof(key));
		rnd(iv, sizeof(iv));
		rnd(aad, sizeof(aad));
		rnd(a, len);
		memcpy(b, a, len);
		pre(key, kb);
		if (kb == 16)
			IMB_AES128_GCM_ENC(mb, &kd, &ctx, a, a, len, iv, aad, al, ta, 16);
		else
			IMB_AES256_GCM_ENC(mb, &kd, &ctx, a, a, len, iv, aad, al, ta, 16);
		gcm16_seal(&gk, kb, iv, aad, al, b, b, len, tb, 16);
		bad += memcmp(a, b, len) != 0 || memcmp(ta, tb, 16) != 0;
		/* open ipsec-mb's ciphertext in place */
		if (kb == 16)
			IMB_AES128_GCM_DEC(mb, &kd, &ctx, a, a, len, iv, aad, al, ta, 16);
		else
			IMB_AES256_GCM_DEC(mb, &kd, &ctx, a, a, len, iv, aad, al, ta, 16);
		gcm16_open(&gk, kb, iv, aad, al, b, b, len, tb, 16);
		bad += memcmp(a, b, len) != 0 || memcmp(ta, tb, 16) != 0;
	}
	CHECK_MSG(bad == 0, "%u mismatches with ipsec-mb", bad);
}

int main(void)
{
	static const uint8_t zero[16], key[16] = { 1 };

	mb = alloc_mb_mgr(0);
	if (mb == NULL)
		return 1;
	init_mb_mgr_auto(mb, NULL);
	pre(key, 16);
	if (memcmp((uint8_t *)&kd + GCM16_IMB_HPOW(1), zero, 16) == 0 ||
	    !gcm16_usable()) {
		printf("skipped: no VAES AVX-512 GCM layout or CPU support here\n");
		free_mb_mgr(mb);
		return 77;
	}
	known_answers();
	lengths();
	against_ipsec_mb();
	secure_zero(&kd, sizeof(kd));
	secure_zero(&gk, sizeof(gk));
	free_mb_mgr(mb);
	return check_summary();
}
