/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/alg.h"

#include <string.h>
#include <strings.h>

/* IKEv2 transform IDs: ENCR (type 1) and INTEG (type 3), RFC 7296 §3.3.2
 * and the IANA registry. */
enum {
	ENCR_AES_CBC = 12,
	ENCR_AES_CTR = 13,
	ENCR_NULL = 11,
	ENCR_AES_GCM_16 = 20,
	ENCR_CHACHA20_POLY1305 = 28,
	AUTH_HMAC_SHA1_96 = 2,
	AUTH_HMAC_SHA2_256_128 = 12,
	AUTH_HMAC_SHA2_384_192 = 13,
	AUTH_HMAC_SHA2_512_256 = 14,
};

#define CBC(n, k, i, il, ak, id)                                               \
	{ n, ALG_CIPHER_AES_CBC, i, k, 0, 16, 16, il, ak, false, ENCR_AES_CBC, id }
#define CTR(n, k, i, il, ak, id)                                               \
	{ n, ALG_CIPHER_AES_CTR, i, k, 4, 8, 4, il, ak, false, ENCR_AES_CTR, id }
#define NUL(n, i, il, ak, id)                                                  \
	{ n, ALG_CIPHER_NULL, i, 0, 0, 0, 4, il, ak, false, ENCR_NULL, id }

static const struct alg algs[] = {
	{ "aes128gcm16", ALG_CIPHER_AES_GCM, ALG_INTEG_NONE, 16, 4, 8, 4, 16, 0,
	  true, ENCR_AES_GCM_16, 0 },
	{ "aes256gcm16", ALG_CIPHER_AES_GCM, ALG_INTEG_NONE, 32, 4, 8, 4, 16, 0,
	  true, ENCR_AES_GCM_16, 0 },
	{ "chacha20poly1305", ALG_CIPHER_CHACHA20_POLY1305, ALG_INTEG_NONE, 32,
	  4, 8, 4, 16, 0, true, ENCR_CHACHA20_POLY1305, 0 },
	CBC("aes128-sha1", 16, ALG_INTEG_HMAC_SHA1_96, 12, 20, AUTH_HMAC_SHA1_96),
	CBC("aes256-sha1", 32, ALG_INTEG_HMAC_SHA1_96, 12, 20, AUTH_HMAC_SHA1_96),
	CBC("aes128-sha256", 16, ALG_INTEG_HMAC_SHA256_128, 16, 32,
	    AUTH_HMAC_SHA2_256_128),
	CBC("aes256-sha256", 32, ALG_INTEG_HMAC_SHA256_128, 16, 32,
	    AUTH_HMAC_SHA2_256_128),
	CBC("aes128-sha384", 16, ALG_INTEG_HMAC_SHA384_192, 24, 48,
	    AUTH_HMAC_SHA2_384_192),
	CBC("aes256-sha384", 32, ALG_INTEG_HMAC_SHA384_192, 24, 48,
	    AUTH_HMAC_SHA2_384_192),
	CBC("aes128-sha512", 16, ALG_INTEG_HMAC_SHA512_256, 32, 64,
	    AUTH_HMAC_SHA2_512_256),
	CBC("aes256-sha512", 32, ALG_INTEG_HMAC_SHA512_256, 32, 64,
	    AUTH_HMAC_SHA2_512_256),
	CTR("aes128ctr-sha1", 16, ALG_INTEG_HMAC_SHA1_96, 12, 20,
	    AUTH_HMAC_SHA1_96),
	CTR("aes128ctr-sha256", 16, ALG_INTEG_HMAC_SHA256_128, 16, 32,
	    AUTH_HMAC_SHA2_256_128),
	CTR("aes256ctr-sha256", 32, ALG_INTEG_HMAC_SHA256_128, 16, 32,
	    AUTH_HMAC_SHA2_256_128),
	CTR("aes256ctr-sha512", 32, ALG_INTEG_HMAC_SHA512_256, 32, 64,
	    AUTH_HMAC_SHA2_512_256),
	NUL("null-sha1", ALG_INTEG_HMAC_SHA1_96, 12, 20, AUTH_HMAC_SHA1_96),
	NUL("null-sha256", ALG_INTEG_HMAC_SHA256_128, 16, 32,
	    AUTH_HMAC_SHA2_256_128),
	NUL("null-sha384", ALG_INTEG_HMAC_SHA384_192, 24, 48,
	    AUTH_HMAC_SHA2_384_192),
	NUL("null-sha512", ALG_INTEG_HMAC_SHA512_256, 32, 64,
	    AUTH_HMAC_SHA2_512_256),
};

/* strongSwan accepts a few spellings for the same suite. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "aes128gcm128", "aes128gcm16" },
	{ "aes256gcm128", "aes256gcm16" },
	{ "aes128-sha256_128", "aes128-sha256" },
	{ "aes256-sha256_128", "aes256-sha256" },
	{ "aes128-sha2_256", "aes128-sha256" },
	{ "aes256-sha2_256", "aes256-sha256" },
};

const struct alg *alg_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (unsigned i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (unsigned i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(name, algs[i].name) == 0)
			return &algs[i];
	return NULL;
}

const struct alg *alg_at(unsigned i)
{
	return i < sizeof(algs) / sizeof(algs[0]) ? &algs[i] : NULL;
}

const char *alg_integ_name(enum alg_integ i)
{
	switch (i) {
	case ALG_INTEG_HMAC_SHA1_96: return "hmac-sha1-96";
	case ALG_INTEG_HMAC_SHA256_128: return "hmac-sha256-128";
	case ALG_INTEG_HMAC_SHA384_192: return "hmac-sha384-192";
	case ALG_INTEG_HMAC_SHA512_256: return "hmac-sha512-256";
	case ALG_INTEG_NONE: break;
	}
	return "none";
}
