/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diffie-Hellman for the KE payload (RFC 7296 §3.4) over OpenSSL 3 EVP_PKEY:
 * MODP groups 14/15/16 (RFC 3526, OpenSSL's built-in "modp_*" named groups),
 * ECP groups 19/20/21 (RFC 5903) and Curve25519/Curve448 (RFC 8031).
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ike/ike_crypto.h"

enum dh_kind { DH_MODP, DH_ECP, DH_ECX };

struct dh_group {
	uint16_t id;
	enum dh_kind kind;
	const char *name;   /* OpenSSL group (MODP, ECP) or key type (ECX) */
	size_t pub_len;	    /* KE payload data length */
	size_t shared_len;  /* g^ir length */
};

/* Lengths: MODP values are padded to the prime size (§3.4); ECP public values
 * are x || y and the secret x alone, each the field size (RFC 5903 §7);
 * RFC 8031 §2 uses the RFC 7748 u-coordinate encodings. */
static const struct dh_group groups[] = {
	{ IKE_DH_MODP_2048, DH_MODP, "modp_2048", 256, 256 },
	{ IKE_DH_MODP_3072, DH_MODP, "modp_3072", 384, 384 },
	{ IKE_DH_MODP_4096, DH_MODP, "modp_4096", 512, 512 },
	{ IKE_DH_ECP_256, DH_ECP, "P-256", 64, 32 },
	{ IKE_DH_ECP_384, DH_ECP, "P-384", 96, 48 },
	{ IKE_DH_ECP_521, DH_ECP, "P-521", 132, 66 },
	{ IKE_DH_CURVE25519, DH_ECX, "X25519", 32, 32 },
	{ IKE_DH_CURVE448, DH_ECX, "X448", 56, 56 },
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *key;
};

static const struct dh_group *group_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

static const char *key_type(const struct dh_group *g)
{
	return g->kind == DH_MODP ? "DH" : g->kind == DH_ECP ? "EC" : g->name;
}

size_t ike_dh_public_len(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g ? g->pub_len : 0;
}

static struct ike_dh *dh_wrap(const struct dh_group *g, EVP_PKEY *key)
{
	struct ike_dh *dh;

	if (key == NULL)
		return NULL;
	dh = OPENSSL_zalloc(sizeof(*dh));
	if (dh == NULL) {
		EVP_PKEY_free(key);
		return NULL;
	}
	dh->g = g;
	dh->key = key;
	return dh;
}

/* A fresh key pair in the group: OpenSSL's named groups throughout. */
static EVP_PKEY *keygen(const struct dh_group *g)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
				       (char *)g->name, 0),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, key_type(g), NULL);
	EVP_PKEY *key = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    (g->kind != DH_ECX && !EVP_PKEY_CTX_set_params(ctx, params)) ||
	    EVP_PKEY_generate(ctx, &key) <= 0) {
		EVP_PKEY_free(key);
		key = NULL;
		ERR_clear_error();
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

struct ike_dh *ike_dh_new(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g ? dh_wrap(g, keygen(g)) : NULL;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key); /* OpenSSL clears private key material */
	OPENSSL_free(dh);
}

/* --- building keys from values -------------------------------------------- */

/* An EVP_PKEY from OSSL_PARAMs: public only, or a key pair. */
static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld,
			       int selection)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *key = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, selection, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return key;
}

/* MODP key from its values: either the peer's y alone or (tests) x and y. */
static EVP_PKEY *modp_key(const struct dh_group *g, const BIGNUM *pub,
			  const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *key = NULL;

	if (bld != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->name, 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) &&
	    (priv == NULL ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		key = pkey_fromdata("DH", bld,
				    priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* ECP key from an uncompressed point 04 || x || y, and (tests) a scalar.
 * OpenSSL's import rejects a point that is not on the curve (the check
 * RFC 6989 §2 requires of ECP public values). */
static EVP_PKEY *ecp_key(const struct dh_group *g, const uint8_t *pt,
			 size_t ptlen, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *key = NULL;

	if (bld != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->name, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
					     ptlen) &&
	    (priv == NULL ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		key = pkey_fromdata("EC", bld,
				    priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* --- public value ---------------------------------------------------------- */

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap)
{
	const struct dh_group *g = dh->g;
	uint8_t pt[1 + 2 * 66];
	size_t n = 0;
	BIGNUM *y = NULL;
	int rc = -EIO;

	if (cap < g->pub_len)
		return -ENOSPC;
	switch (g->kind) {
	case DH_MODP: /* big-endian, left-padded to the prime size (§3.4) */
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, out, (int)g->pub_len) == (int)g->pub_len)
			rc = 0;
		BN_free(y);
		break;
	case DH_ECP: /* drop the 0x04 of the SEC1 point: x || y (RFC 5903 §7) */
		if (EVP_PKEY_get_octet_string_param(dh->key,
						    OSSL_PKEY_PARAM_PUB_KEY, pt,
						    sizeof(pt), &n) &&
		    n == 1 + g->pub_len && pt[0] == 0x04) {
			memcpy(out, pt + 1, g->pub_len);
			rc = 0;
		}
		break;
	case DH_ECX:
		n = g->pub_len;
		if (EVP_PKEY_get_raw_public_key(dh->key, out, &n) &&
		    n == g->pub_len)
			rc = 0;
		break;
	}
	if (rc)
		ERR_clear_error();
	return rc < 0 ? rc : (int)g->pub_len;
}

/* --- shared secret --------------------------------------------------------- */

/* The RFC 3526 primes (OpenSSL carries them as constants); g is 2. */
static BIGNUM *modp_prime(const struct dh_group *g)
{
	switch (g->id) {
	case IKE_DH_MODP_2048: return BN_get_rfc3526_prime_2048(NULL);
	case IKE_DH_MODP_3072: return BN_get_rfc3526_prime_3072(NULL);
	case IKE_DH_MODP_4096: return BN_get_rfc3526_prime_4096(NULL);
	default: return NULL;
	}
}

/* The peer's MODP value must lie in [2, p-2] (RFC 6989 §2): 0, 1 and p-1
 * would force the shared secret into {0, 1, p-1}. The derive step below also
 * has OpenSSL check y^q = 1 mod p for the safe-prime group. */
static EVP_PKEY *modp_peer(const struct dh_group *g, const uint8_t *v,
			   size_t len)
{
	BIGNUM *y = BN_bin2bn(v, (int)len, NULL), *p = modp_prime(g);
	EVP_PKEY *key = NULL;

	if (y && p && BN_sub_word(p, 1) && BN_cmp(y, BN_value_one()) > 0 &&
	    BN_cmp(y, p) < 0)
		key = modp_key(g, y, NULL);
	BN_free(y);
	BN_free(p);
	return key;
}

/* The peer's value as an EVP_PKEY, or NULL if it is not a valid element. */
static EVP_PKEY *peer_key(const struct dh_group *g, const uint8_t *v,
			  size_t len)
{
	uint8_t pt[1 + 2 * 66];

	if (len != g->pub_len) /* exact length: §3.4, RFC 5903 §7, RFC 8031 §2 */
		return NULL;
	switch (g->kind) {
	case DH_MODP:
		return modp_peer(g, v, len);
	case DH_ECP:
		pt[0] = 0x04; /* uncompressed SEC1 point */
		memcpy(pt + 1, v, len);
		return ecp_key(g, pt, len + 1, NULL);
	case DH_ECX:
		return EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL, v, len);
	}
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
		  uint8_t *out, size_t cap)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = g->shared_len;
	int pad = 1, rc = -EINVAL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_PAD, &pad),
		OSSL_PARAM_END,
	};

	if (cap < g->shared_len)
		return -ENOSPC;
	pk = peer_key(g, peer, plen);
	if (pk == NULL)
		goto out;
	/* MODP g^ir is padded to the prime size like the public values (§2.14
	 * "fixed length"), which OpenSSL does only when asked to (params). */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    (g->kind == DH_MODP && !EVP_PKEY_CTX_set_params(ctx, params)) ||
	    EVP_PKEY_derive_set_peer_ex(ctx, pk, 1) <= 0 ||
	    EVP_PKEY_derive(ctx, out, &n) <= 0 || n != g->shared_len)
		goto out;
	/* RFC 8031 §2.3: a low-order peer point gives all zeros; refuse it. */
	if (g->kind == DH_ECX && all_zero(out, n))
		goto out;
	rc = (int)n;
out:
	if (rc < 0) {
		OPENSSL_cleanse(out, cap < g->shared_len ? cap : g->shared_len);
		ERR_clear_error();
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

/* --- known keys (tests only) ----------------------------------------------- */

/* g^x mod p for a MODP test key. */
static EVP_PKEY *modp_from_private(const struct dh_group *g, const uint8_t *x,
				   size_t len)
{
	BIGNUM *priv = BN_bin2bn(x, (int)len, NULL), *p = modp_prime(g);
	BIGNUM *pub = BN_new(), *two = BN_new();
	BN_CTX *bn = BN_CTX_new();
	EVP_PKEY *key = NULL;

	if (priv && p && pub && two && bn && BN_set_word(two, 2) &&
	    BN_mod_exp(pub, two, priv, p, bn))
		key = modp_key(g, pub, priv);
	BN_clear_free(priv);
	BN_free(p);
	BN_free(pub);
	BN_free(two);
	BN_CTX_free(bn);
	return key;
}

/* d * G as 04 || x || y for an ECP test key. */
static EVP_PKEY *ecp_from_private(const struct dh_group *g, const uint8_t *d,
				  size_t len)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->name));
	EC_POINT *q = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *priv = BN_bin2bn(d, (int)len, NULL);
	uint8_t pt[1 + 2 * 66];
	EVP_PKEY *key = NULL;
	size_t n;

	if (q && priv && EC_POINT_mul(grp, q, priv, NULL, NULL, NULL)) {
		n = EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED,
				       pt, sizeof(pt), NULL);
		if (n == 1 + g->pub_len)
			key = ecp_key(g, pt, n, priv);
	}
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	BN_clear_free(priv);
	return key;
}

struct ike_dh *ike_dh_from_private(uint16_t group, const uint8_t *priv,
				   size_t len)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *key = NULL;

	if (g == NULL || len == 0)
		return NULL;
	switch (g->kind) {
	case DH_MODP:
		if (len <= g->pub_len)
			key = modp_from_private(g, priv, len);
		break;
	case DH_ECP:
		if (len == g->shared_len)
			key = ecp_from_private(g, priv, len);
		break;
	case DH_ECX:
		key = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL, priv,
						      len);
		break;
	}
	if (key == NULL)
		ERR_clear_error();
	return dh_wrap(g, key);
}
