/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ivgen.h, a worker's AES-CBC IVs: against OpenSSL's AES-128 (an
 * independent implementation) on the counter blocks the contract names,
 * across several refills; fresh keys give other streams; clear wipes.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/ivgen.h"

#define N_IVS 300

/* What the i-th IV must be under key: AES-128 of i (little-endian) || 0^64. */
static void expected(const uint8_t key[16], uint8_t (*want)[16], unsigned n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t block[16] = { 0 };
		uint64_t v = i;

		for (unsigned b = 0; b < 8; b++)
			block[b] = (uint8_t)(v >> (8 * b));
		CHECK(EVP_EncryptUpdate(c, want[i], &len, block, 16) == 1 && len == 16);
	}
	EVP_CIPHER_CTX_free(c);
}

/* The stream, IV by IV across several refills, must be want, in order. */
static void stream_is(IMB_MGR *mb, const uint8_t key[16], uint8_t (*want)[16])
{
	static struct ivgen g;
	unsigned bad = 0;

	ivgen_init_key(&g, mb, key);
	for (unsigned i = 0; i < N_IVS; i++)
		bad += memcmp(ivgen_next(&g), want[i], 16) != 0;
	CHECK_MSG(bad == 0, "%u of %u IVs differ from AES-128(counter)", bad, N_IVS);
	/* one block alone (xform_make_iv's way) is the same function */
	bad = 0;
	ivgen_init_key(&g, mb, key);
	for (unsigned i = 0; i < N_IVS; i += 7) {
		uint8_t one[16];

		ivgen_block(g.rk, i, one);
		bad += memcmp(one, want[i], 16) != 0;
	}
	CHECK_MSG(bad == 0, "%u blocks alone differ from AES-128(counter)", bad);
	ivgen_clear(&g);
}

int main(void)
{
	static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
					 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static uint8_t want[N_IVS][16];
	static struct ivgen a, b, zero;
	IMB_MGR *mb = alloc_mb_mgr(0);

	if (mb == NULL) {
		fprintf(stderr, "alloc_mb_mgr failed\n");
		return 1;
	}
	init_mb_mgr_auto(mb, NULL);
	expected(key, want, N_IVS);
	stream_is(mb, key, want);

	/* Random keys: two workers' streams differ, and no IV repeats within
	 * one (300 IVs: a repeat would mean a broken counter, not chance). */
	CHECK(ivgen_init(&a, mb) == 0);
	CHECK(ivgen_init(&b, mb) == 0);
	CHECK(memcmp(a.rk, b.rk, sizeof(a.rk)) != 0);
	{
		uint8_t s[N_IVS][16];
		unsigned dup = 0;

		for (unsigned i = 0; i < N_IVS; i++)
			memcpy(s[i], ivgen_next(&a), 16);
		CHECK(memcmp(s[0], ivgen_next(&b), 16) != 0);
		for (unsigned i = 0; i < N_IVS; i++)
			for (unsigned j = i + 1; j < N_IVS; j++)
				dup += memcmp(s[i], s[j], 16) == 0;
		CHECK_MSG(dup == 0, "%u IVs repeat", dup);
	}
	ivgen_clear(&a);
	CHECK(memcmp(&a, &zero, sizeof(a)) == 0);
	ivgen_clear(&b);

	free_mb_mgr(mb);
	return check_summary();
}
