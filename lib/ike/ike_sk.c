/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Encrypted payload (RFC 7296 §3.14) with AES-CBC + HMAC integrity, and
 * the AEAD transforms AES-GCM (RFC 5282) and ChaCha20-Poly1305 (RFC 7634),
 * over OpenSSL 3 EVP_CIPHER / EVP_MAC.
 *
 * The payload sits at sk_off and must be the last one of the message (§3.14),
 * so it runs to msg_len:
 *
 *   generic header (4) | IV | inner payloads | padding | pad length (1) | ICV
 *                          \___________ encrypted, E bytes ___________/
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ike/ike_crypto.h"

#define SK_HDR 4
#define AEAD_SALT 4 /* last 4 octets of SK_e: RFC 4106 §8.1 via RFC 5282 */

/* What the keys' transforms mean for the payload. */
struct sk_alg {
	const char *cipher; /* OpenSSL cipher name */
	bool aead;
	size_t iv, block, icv, key;
	uint16_t mac_prf;   /* HMAC digest for the ICV, as a PRF id */
};

static const char *aes_name(uint16_t bits, bool gcm)
{
	switch (bits) {
	case 128: return gcm ? "AES-128-GCM" : "AES-128-CBC";
	case 192: return gcm ? "AES-192-GCM" : "AES-192-CBC";
	case 256: return gcm ? "AES-256-GCM" : "AES-256-CBC";
	default: return NULL;
	}
}

/* The integrity transforms are HMACs whose digests are those of the PRFs. */
static uint16_t integ_prf(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96: return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128: return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192: return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256: return IKE_PRF_HMAC_SHA2_512;
	default: return 0;
	}
}

/*
 * IV sizes: AES-CBC carries a full block (§3.14), the AEAD transforms an
 * 8-octet explicit IV (RFC 5282, RFC 7634). AEAD ciphers need no block
 * alignment (block 1, as strongSwan does); their ICV is the tag (RFC 5282:
 * 8, 12 or 16 octets per transform ID; Poly1305 16).
 */
static int sk_alg(const struct ike_sa_keys *k, struct sk_alg *a)
{
	memset(a, 0, sizeof(*a));
	a->key = ike_encr_key_bytes(k->encr, k->encr_keylen);
	switch (k->encr) {
	case IKE_ENCR_AES_CBC:
		a->cipher = aes_name(k->encr_keylen, false);
		a->iv = a->block = 16;
		a->mac_prf = integ_prf(k->integ);
		a->icv = ike_integ_icv_bytes(k->integ);
		if (a->mac_prf == 0 || k->a_len != ike_integ_key_bytes(k->integ))
			return -ENOTSUP;
		break;
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16:
		a->cipher = aes_name(k->encr_keylen, true);
		a->icv = k->encr == IKE_ENCR_AES_GCM_8 ? 8 :
			 k->encr == IKE_ENCR_AES_GCM_12 ? 12 : 16;
		a->aead = true;
		break;
	case IKE_ENCR_CHACHA20_POLY1305:
		a->cipher = "ChaCha20-Poly1305";
		a->icv = 16;
		a->aead = true;
		break;
	default:
		return -ENOTSUP;
	}
	if (a->aead)
		a->iv = 8, a->block = 1;
	if (a->cipher == NULL || a->key == 0 || k->e_len != a->key)
		return -ENOTSUP;
	return 0;
}

size_t ike_sk_iv_len(const struct ike_sa_keys *k)
{
	struct sk_alg a;

	return sk_alg(k, &a) ? 0 : a.iv;
}

size_t ike_sk_icv_len(const struct ike_sa_keys *k)
{
	struct sk_alg a;

	return sk_alg(k, &a) ? 0 : a.icv;
}

size_t ike_sk_block_len(const struct ike_sa_keys *k)
{
	struct sk_alg a;

	return sk_alg(k, &a) ? 0 : a.block;
}

/* Generic header + IV + inner payloads with the least padding that aligns
 * them and the pad length byte (the sender SHOULD use the minimum, §3.14)
 * + ICV. */
size_t ike_sk_payload_len(const struct ike_sa_keys *k, size_t pt_len)
{
	struct sk_alg a;
	size_t e;

	if (sk_alg(k, &a))
		return 0;
	e = (pt_len + 1 + a.block - 1) / a.block * a.block;
	return SK_HDR + a.iv + e + a.icv;
}

/* The parts of the payload in msg; checks it runs exactly to msg_len. */
struct sk_view {
	uint8_t *aad_end; /* end of the generic header: AAD is msg..aad_end */
	uint8_t *iv, *ct, *icv;
	size_t ct_len;
};

static int sk_view(const struct sk_alg *a, uint8_t *msg, size_t msg_len,
		   size_t sk_off, struct sk_view *v)
{
	size_t plen;

	if (sk_off > msg_len || msg_len - sk_off < SK_HDR + a->iv + a->icv + 1)
		return -EINVAL;
	plen = (size_t)msg[sk_off + 2] << 8 | msg[sk_off + 3];
	if (plen != msg_len - sk_off)
		return -EINVAL;
	v->aad_end = msg + sk_off + SK_HDR;
	v->iv = v->aad_end;
	v->ct = v->iv + a->iv;
	v->ct_len = plen - SK_HDR - a->iv - a->icv;
	v->icv = v->ct + v->ct_len;
	if (v->ct_len % a->block)
		return -EINVAL;
	return 0;
}

static const uint8_t *enc_key(const struct ike_sa_keys *k, bool initiator)
{
	return initiator ? k->sk_ei : k->sk_er;
}

/* ICV = HMAC(SK_a, IKE header .. pad length) truncated (§3.14). */
static int sk_hmac(const struct ike_sa_keys *k, const struct sk_alg *a,
		   bool initiator, const uint8_t *msg, const uint8_t *end,
		   uint8_t *icv)
{
	uint8_t full[IKE_MAX_PRF];
	int rc = ike_prf(a->mac_prf, initiator ? k->sk_ai : k->sk_ar, k->a_len,
			 msg, (size_t)(end - msg), full);

	if (rc == 0)
		memcpy(icv, full, a->icv);
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

static int set_tag(EVP_CIPHER_CTX *ctx, uint8_t *tag, size_t len, bool get)
{
	/* An initialised array, not OSSL_PARAM_construct_*() copies: those
	 * carry the struct's uninitialised padding, which valgrind then
	 * reports from OpenSSL's AVX GHASH code (a false positive). */
	OSSL_PARAM p[] = {
		OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, len),
		OSSL_PARAM_END,
	};
	return get ? EVP_CIPHER_CTX_get_params(ctx, p)
		   : EVP_CIPHER_CTX_set_params(ctx, p);
}

/*
 * One cipher pass over len bytes, in -> out (may be the same buffer). AEAD:
 * the nonce is salt | IV (RFC 4106 §4 as RFC 5282 applies it; RFC 7634), the
 * AAD is the IKE header through the SK generic header (RFC 5282), and
 * `tag` receives (seal) or supplies (open) the ICV. A tag mismatch is
 * -EBADMSG; OpenSSL compares it in constant time.
 */
static int cipher_run(const struct sk_alg *a, bool enc, const uint8_t *key,
		      const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		      const uint8_t *in, uint8_t *out, size_t len, uint8_t *tag)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[AEAD_SALT + 8];
	int n = 0, fin = 0, rc = -EIO;

	if (c == NULL || ctx == NULL || len > 0xffff)
		goto out;
	if (a->aead) {
		memcpy(nonce, key + a->key - AEAD_SALT, AEAD_SALT);
		memcpy(nonce + AEAD_SALT, iv, 8);
		iv = nonce;
	}
	if (!EVP_CipherInit_ex2(ctx, c, key, iv, enc, NULL))
		goto out;
	if (!a->aead)
		EVP_CIPHER_CTX_set_padding(ctx, 0); /* IKE pads by itself */
	else if (!EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) ||
		 (!enc && !set_tag(ctx, tag, a->icv, false)))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + n, &fin)) {
		rc = a->aead && !enc ? -EBADMSG : -EIO;
		goto out;
	}
	if ((size_t)(n + fin) != len ||
	    (a->aead && enc && !set_tag(ctx, tag, a->icv, true)))
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	if (rc)
		ERR_clear_error();
	return rc;
}

int ike_sk_seal_iv(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		   size_t msg_len, size_t sk_off, size_t pt_len,
		   const uint8_t *iv)
{
	struct sk_alg a;
	struct sk_view v;
	size_t pad;
	int rc = sk_alg(k, &a);

	if (rc || (rc = sk_view(&a, msg, msg_len, sk_off, &v)))
		return rc;
	if (pt_len >= v.ct_len || v.ct_len - pt_len - 1 > 255)
		return -EINVAL;
	/* Padding MAY contain any value (§3.14); zeros. */
	pad = v.ct_len - pt_len - 1;
	memset(v.ct + pt_len, 0, pad);
	v.ct[v.ct_len - 1] = (uint8_t)pad;
	/* CBC: the IV MUST be unpredictable (§3.14). AEAD: it MUST NOT repeat
	 * under one key (RFC 5282); 64 random bits stay far from a
	 * collision at the few messages an IKE SA carries. */
	if (iv)
		memcpy(v.iv, iv, a.iv);
	else if ((rc = ike_random(v.iv, a.iv)))
		return rc;
	rc = cipher_run(&a, true, enc_key(k, initiator), v.iv, msg,
			(size_t)(v.aad_end - msg), v.ct, v.ct, v.ct_len, v.icv);
	if (rc == 0 && !a.aead) /* encrypt-then-MAC over the whole message */
		rc = sk_hmac(k, &a, initiator, msg, v.icv, v.icv);
	return rc;
}

int ike_sk_seal(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		size_t msg_len, size_t sk_off, size_t pt_len)
{
	return ike_sk_seal_iv(k, initiator, msg, msg_len, sk_off, pt_len, NULL);
}

/* Integrity first (§3.14: the ICV covers the encrypted message), compared
 * in constant time, then CBC decryption in place. */
static int open_cbc(const struct ike_sa_keys *k, const struct sk_alg *a,
		    bool initiator, uint8_t *msg, const struct sk_view *v)
{
	uint8_t icv[IKE_MAX_PRF];
	int rc = sk_hmac(k, a, initiator, msg, v->icv, icv);

	if (rc == 0 && CRYPTO_memcmp(icv, v->icv, a->icv) != 0)
		rc = -EBADMSG;
	OPENSSL_cleanse(icv, sizeof(icv));
	if (rc)
		return rc;
	return cipher_run(a, false, enc_key(k, initiator), v->iv, NULL, 0,
			  v->ct, v->ct, v->ct_len, NULL);
}

/* AEAD decryption writes plaintext before the tag is known good: do it in
 * a scratch buffer so that a forged message leaves msg untouched. */
static int open_aead(const struct ike_sa_keys *k, const struct sk_alg *a,
		     bool initiator, uint8_t *msg, const struct sk_view *v)
{
	uint8_t *tmp = malloc(v->ct_len);
	int rc;

	if (tmp == NULL)
		return -ENOMEM;
	rc = cipher_run(a, false, enc_key(k, initiator), v->iv, msg,
			(size_t)(v->aad_end - msg), v->ct, tmp, v->ct_len,
			v->icv);
	if (rc == 0)
		memcpy(v->ct, tmp, v->ct_len);
	OPENSSL_cleanse(tmp, v->ct_len);
	free(tmp);
	return rc;
}

int ike_sk_open(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		size_t msg_len, size_t sk_off, uint8_t **pt, size_t *pt_len)
{
	struct sk_alg a;
	struct sk_view v;
	size_t pad;
	int rc = sk_alg(k, &a);

	if (rc || (rc = sk_view(&a, msg, msg_len, sk_off, &v)))
		return rc;
	rc = a.aead ? open_aead(k, &a, initiator, msg, &v)
		    : open_cbc(k, &a, initiator, msg, &v);
	if (rc)
		return rc;
	/* The receiver MUST accept any padding contents and length that keep
	 * the alignment (§3.14); it only has to fit in what was decrypted. */
	pad = v.ct[v.ct_len - 1];
	if (pad + 1 > v.ct_len)
		return -EPROTO;
	*pt = v.ct;
	*pt_len = v.ct_len - pad - 1;
	return 0;
}
