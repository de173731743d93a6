/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 PRF and prf+ (RFC 7296 §2.13) over OpenSSL 3 EVP_MAC, and the sizes
 * of the transforms this module supports (RFC 7296 §3.3.2 registry; key
 * sizes from RFC 2404, RFC 3602, RFC 4868, RFC 4106 §8.1 / RFC 5282,
 * RFC 5930, RFC 7634).
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ike/ike_crypto.h"

/* Only HMAC PRFs (RFC 2104 via RFC 7296 §3.3.2 / RFC 4868): their key may be
 * any length, so §2.14's "first 64 bits of Ni and Nr" rule for fixed-key
 * PRFs (AES-XCBC, AES-CMAC) never applies here. */
static const char *prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1: return "SHA1";
	case IKE_PRF_HMAC_SHA2_256: return "SHA256";
	case IKE_PRF_HMAC_SHA2_384: return "SHA384";
	case IKE_PRF_HMAC_SHA2_512: return "SHA512";
	default: return NULL;
	}
}

size_t ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1: return 20;
	case IKE_PRF_HMAC_SHA2_256: return 32;
	case IKE_PRF_HMAC_SHA2_384: return 48;
	case IKE_PRF_HMAC_SHA2_512: return 64;
	default: return 0;
	}
}

/* A keyed HMAC context; EVP_MAC_init(ctx, NULL, 0, NULL) later restarts it
 * with the same key, which prf+ uses for every block. */
static EVP_MAC_CTX *hmac_new(const char *digest, const uint8_t *key,
			     size_t klen)
{
	static const uint8_t empty;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_END,
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

	EVP_MAC_free(mac); /* the context holds its own reference */
	if (ctx == NULL)
		return NULL;
	/* A NULL key would mean "keep the previous key": pass a real (empty)
	 * buffer so that a zero-length key is still a key. */
	if (!EVP_MAC_init(ctx, key ? key : &empty, klen, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* HMAC output to `out` (exactly the digest size). */
static int hmac_final(EVP_MAC_CTX *ctx, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	if (!EVP_MAC_final(ctx, out, &n, outlen) || n != outlen)
		return -EIO;
	return 0;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data,
	    size_t dlen, uint8_t *out)
{
	const char *md = prf_digest(prf);
	EVP_MAC_CTX *ctx;
	int rc = -EIO;

	if (md == NULL)
		return -ENOTSUP;
	ctx = hmac_new(md, key, klen);
	if (ctx == NULL)
		goto out;
	if (dlen && !EVP_MAC_update(ctx, data, dlen))
		goto out;
	rc = hmac_final(ctx, out, ike_prf_len(prf));
out:
	EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
	if (rc)
		ERR_clear_error();
	return rc;
}

/*
 * prf+ (§2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), output
 * T1 | T2 | ... cut to outlen. The counter is one octet, hence at most 255
 * blocks.
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		 const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen)
{
	const char *md = prf_digest(prf);
	size_t hlen = ike_prf_len(prf), done = 0;
	uint8_t t[IKE_MAX_PRF];
	EVP_MAC_CTX *ctx;
	int rc = -EIO;

	if (md == NULL)
		return -ENOTSUP;
	if (outlen > 255 * hlen)
		return -EINVAL;
	ctx = hmac_new(md, key, klen);
	if (ctx == NULL)
		goto out;
	for (unsigned n = 1; done < outlen; n++) {
		uint8_t cnt = (uint8_t)n;
		size_t take = outlen - done < hlen ? outlen - done : hlen;

		if ((n > 1 && (!EVP_MAC_init(ctx, NULL, 0, NULL) ||
			       !EVP_MAC_update(ctx, t, hlen))) ||
		    (slen && !EVP_MAC_update(ctx, seed, slen)) ||
		    !EVP_MAC_update(ctx, &cnt, 1) || hmac_final(ctx, t, hlen))
			goto out;
		memcpy(out + done, t, take);
		done += take;
	}
	rc = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	EVP_MAC_CTX_free(ctx);
	if (rc) {
		OPENSSL_cleanse(out, outlen);
		ERR_clear_error();
	}
	return rc;
}

/* --- transform sizes ------------------------------------------------------ */

static bool aes_bits_ok(uint16_t bits)
{
	return bits == 128 || bits == 192 || bits == 256;
}

/*
 * Key material taken from prf+ for one encryption key: AES key plus the
 * 4-byte salt/nonce that GCM (RFC 5282, as RFC 4106 §8.1), CTR (RFC 5930,
 * as RFC 3686 §5.1) and ChaCha20-Poly1305 (RFC 7634; fixed 256-bit key:
 * KEY_LENGTH absent, i.e. 0, or 256) append. ENCR_NULL has no key and so
 * also yields 0.
 */
size_t ike_encr_key_bytes(uint16_t encr, uint16_t keylen_bits)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return aes_bits_ok(keylen_bits) ? keylen_bits / 8u : 0;
	case IKE_ENCR_AES_CTR:
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16:
		return aes_bits_ok(keylen_bits) ? keylen_bits / 8u + 4 : 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		return keylen_bits == 0 || keylen_bits == 256 ? 32 + 4 : 0;
	default:
		return 0;
	}
}

/* HMAC integrity keys are the full digest size (RFC 2404, RFC 4868). */
size_t ike_integ_key_bytes(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96: return 20;
	case IKE_INTEG_HMAC_SHA2_256_128: return 32;
	case IKE_INTEG_HMAC_SHA2_384_192: return 48;
	case IKE_INTEG_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

/* Truncated outputs (RFC 2404: 96 bits; RFC 4868: half the digest). */
size_t ike_integ_icv_bytes(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96: return 12;
	case IKE_INTEG_HMAC_SHA2_256_128: return 16;
	case IKE_INTEG_HMAC_SHA2_384_192: return 24;
	case IKE_INTEG_HMAC_SHA2_512_256: return 32;
	default: return 0;
	}
}
