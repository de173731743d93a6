/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AUTH payload (RFC 7296 §2.15, §3.8): the signed octets, the shared-key
 * MIC, and signatures: RSA PKCS#1 v1.5 with SHA-1 (method 1), ECDSA per
 * RFC 4754 (methods 9-11) and RFC 7427 Digital Signature (method 14) with
 * ECDSA or RSA PKCS#1 v1.5, verification also of RSASSA-PSS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike/ike_cred.h"

/* --- signed octets and the shared-key MIC ----------------------------------- */

/*
 * InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI, with
 * MACedIDForI = prf(SK_pi, IDi'), and the mirror image for the responder
 * (§2.15). IDx' is the ID payload without its generic header.
 */
int ike_auth_octets(const struct ike_sa_keys *k, bool initiator,
		    const uint8_t *msg, size_t msg_len, const uint8_t *nonce,
		    size_t nonce_len, const uint8_t *id_body, size_t id_len,
		    uint8_t **out, size_t *out_len)
{
	size_t plen = ike_prf_len(k->prf), total = msg_len + nonce_len + plen;
	uint8_t *p;
	int rc;

	*out = NULL;
	if (plen == 0 || k->p_len != plen)
		return -EINVAL;
	p = malloc(total);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p, msg, msg_len);
	memcpy(p + msg_len, nonce, nonce_len);
	rc = ike_prf(k->prf, initiator ? k->sk_pi : k->sk_pr, k->p_len,
		     id_body, id_len, p + msg_len + nonce_len);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	*out_len = total;
	return 0;
}

/* AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 * (§2.15); the pad string is the 17 ASCII octets, no terminating NUL. */
int ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const uint8_t *octets, size_t olen, uint8_t *out,
		 size_t *olen_out)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t key[IKE_MAX_PRF];
	int rc = ike_prf(prf, psk, psk_len, (const uint8_t *)pad,
			 sizeof(pad) - 1, key);

	if (rc == 0)
		rc = ike_prf(prf, key, ike_prf_len(prf), octets, olen, out);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == 0)
		*olen_out = ike_prf_len(prf);
	return rc;
}

/* --- algorithm tables -------------------------------------------------------- */

/* RFC 4754 §7: each ECDSA method fixes curve, hash and the size of r and s. */
struct ecdsa_method {
	uint8_t method;
	int curve;
	int md;
	size_t n;
};

static const struct ecdsa_method ecdsa_methods[] = {
	{ IKE_AUTH_ECDSA_256, NID_X9_62_prime256v1, NID_sha256, 32 },
	{ IKE_AUTH_ECDSA_384, NID_secp384r1, NID_sha384, 48 },
	{ IKE_AUTH_ECDSA_521, NID_secp521r1, NID_sha512, 66 },
};

static const struct ecdsa_method *ecdsa_method(uint8_t method)
{
	for (size_t i = 0; i < sizeof(ecdsa_methods) / sizeof(ecdsa_methods[0]);
	     i++)
		if (ecdsa_methods[i].method == method)
			return &ecdsa_methods[i];
	return NULL;
}

/* RFC 7427 §4 hash numbers we sign and accept with method 14. SHA-1 is out:
 * RFC 8247 says MUST NOT for RFC 7427 signatures. */
static int hash_nid(uint16_t hash_alg)
{
	switch (hash_alg) {
	case IKE_HASH_SHA256: return NID_sha256;
	case IKE_HASH_SHA384: return NID_sha384;
	case IKE_HASH_SHA512: return NID_sha512;
	default: return NID_undef;
	}
}

static bool md_allowed(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

/* The key's curve as a NID (NID_undef for non-EC keys). */
static int key_curve(EVP_PKEY *pk)
{
	char name[64];

	if (!EVP_PKEY_is_a(pk, "EC") ||
	    !EVP_PKEY_get_group_name(pk, name, sizeof(name), NULL))
		return NID_undef;
	return OBJ_txt2nid(name) != NID_undef ? OBJ_txt2nid(name)
					      : EC_curve_nist2nid(name);
}

/* --- EVP signature operations ------------------------------------------------ */

/* RSASSA-PSS parameters (RFC 8017 §A.2.3); md == NID_undef: not PSS. */
struct pss {
	int md, mgf1_md, salt;
};

static int digest_init(EVP_MD_CTX *mctx, bool sign, EVP_PKEY *pk, int md,
		       const struct pss *pss)
{
	EVP_PKEY_CTX *pctx = NULL;
	const char *name = OBJ_nid2sn(md);
	int ok = sign ? EVP_DigestSignInit_ex(mctx, &pctx, name, NULL, NULL,
					      pk, NULL)
		      : EVP_DigestVerifyInit_ex(mctx, &pctx, name, NULL, NULL,
						pk, NULL);

	if (ok <= 0)
		return -EINVAL;
	if (pss && pss->md != NID_undef &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, OBJ_nid2sn(pss->mgf1_md),
					       NULL) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt) <= 0))
		return -EINVAL;
	return 0;
}

/* Sign m with hash md (RSA keys: PKCS#1 v1.5; EC keys: DER ECDSA-Sig-Value)
 * into a malloc'ed buffer. */
static int evp_sign(EVP_PKEY *pk, int md, const uint8_t *m, size_t mlen,
		    uint8_t **sig, size_t *slen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int rc = mctx ? digest_init(mctx, true, pk, md, NULL) : -ENOMEM;

	*sig = NULL;
	if (rc == 0 && EVP_DigestSign(mctx, NULL, slen, m, mlen) <= 0)
		rc = -EINVAL;
	if (rc == 0 && (*sig = malloc(*slen)) == NULL)
		rc = -ENOMEM;
	if (rc == 0 && EVP_DigestSign(mctx, *sig, slen, m, mlen) <= 0)
		rc = -EIO;
	if (rc) {
		free(*sig);
		*sig = NULL;
	}
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* 0 if sig is a valid signature of m; -EBADMSG if not. */
static int evp_verify(EVP_PKEY *pk, int md, const struct pss *pss,
		      const uint8_t *m, size_t mlen, const uint8_t *sig,
		      size_t slen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int rc = mctx ? digest_init(mctx, false, pk, md, pss) : -ENOMEM;

	if (rc == 0 && EVP_DigestVerify(mctx, sig, slen, m, mlen) != 1)
		rc = -EBADMSG;
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* --- RFC 4754 r || s <-> DER ECDSA-Sig-Value --------------------------------- */

/* RFC 4754 §7: r and s as big-endian integers, each left-padded to n bytes. */
static int ecdsa_der_to_rs(const uint8_t *der, size_t len, size_t n,
			   uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int rc = -EIO;

	if (es != NULL) {
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, out, (int)n) == (int)n &&
		    BN_bn2binpad(s, out + n, (int)n) == (int)n)
			rc = 0;
	}
	ECDSA_SIG_free(es);
	return rc;
}

/* The reverse, for OpenSSL's verifier; NULL if the halves are malformed. */
static uint8_t *ecdsa_rs_to_der(const uint8_t *rs, size_t n, int *len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)n, NULL), *s = BN_bin2bn(rs + n, (int)n, NULL);
	unsigned char *der = NULL;

	*len = 0;
	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL; /* owned by es now */
		*len = i2d_ECDSA_SIG(es, &der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return *len > 0 ? der : NULL;
}

/* --- RFC 7427 AlgorithmIdentifier -------------------------------------------- */

/* sha*WithRSAEncryption carries NULL parameters, ecdsa-with-SHA* none
 * (RFC 7427 Appendix A.1 and A.3 show the exact encodings). */
static int sig_algid(EVP_PKEY *pk, int md, uint8_t *der, size_t cap)
{
	bool rsa = EVP_PKEY_is_a(pk, "RSA");
	int pk_nid = rsa ? NID_rsaEncryption : NID_X9_62_id_ecPublicKey;
	int sig_nid = NID_undef, n = -1;
	X509_ALGOR *alg = X509_ALGOR_new();
	unsigned char *p = NULL;

	if (alg && OBJ_find_sigid_by_algs(&sig_nid, md, pk_nid) &&
	    X509_ALGOR_set0(alg, OBJ_nid2obj(sig_nid),
			    rsa ? V_ASN1_NULL : V_ASN1_UNDEF, NULL))
		n = i2d_X509_ALGOR(alg, &p);
	if (n > 0 && (size_t)n <= cap && n < 256)
		memcpy(der, p, (size_t)n);
	else
		n = -EINVAL;
	OPENSSL_free(p);
	X509_ALGOR_free(alg);
	return n;
}

/* --- signing ----------------------------------------------------------------- */

/* Classic methods: the bare signature (§3.8, RFC 4754 §7). */
static int sign_classic(EVP_PKEY *pk, uint8_t method, const uint8_t *m,
			size_t mlen, uint8_t **sig, size_t *slen)
{
	const struct ecdsa_method *em = ecdsa_method(method);
	uint8_t *der;
	size_t dlen;
	int rc;

	if (method == IKE_AUTH_RSA_SIG) /* RFC 7427 §1: implicitly SHA-1 */
		return EVP_PKEY_is_a(pk, "RSA")
			       ? evp_sign(pk, NID_sha1, m, mlen, sig, slen)
			       : -EINVAL;
	if (em == NULL)
		return -ENOTSUP;
	if (key_curve(pk) != em->curve)
		return -EINVAL;
	rc = evp_sign(pk, em->md, m, mlen, &der, &dlen);
	if (rc)
		return rc;
	*sig = malloc(2 * em->n);
	rc = *sig ? ecdsa_der_to_rs(der, dlen, em->n, *sig) : -ENOMEM;
	free(der);
	if (rc) {
		free(*sig);
		*sig = NULL;
	} else {
		*slen = 2 * em->n;
	}
	return rc;
}

/* RFC 7427 §3: AUTH data = ASN.1 length (1 octet) | AlgorithmIdentifier |
 * signature, the signature being what the algorithm defines (PKCS#1 v1.5
 * block, or for ECDSA the DER ECDSA-Sig-Value). */
static int sign_7427(EVP_PKEY *pk, uint16_t hash_alg, const uint8_t *m,
		     size_t mlen, uint8_t **out, size_t *olen)
{
	int md = hash_nid(hash_alg), alen;
	uint8_t algid[255], *sig;
	size_t slen;
	int rc;

	if (md == NID_undef)
		return -ENOTSUP;
	if (!EVP_PKEY_is_a(pk, "RSA") && !EVP_PKEY_is_a(pk, "EC"))
		return -ENOTSUP;
	alen = sig_algid(pk, md, algid, sizeof(algid));
	if (alen < 0)
		return alen;
	rc = evp_sign(pk, md, m, mlen, &sig, &slen);
	if (rc)
		return rc;
	*out = malloc(1 + (size_t)alen + slen);
	if (*out == NULL) {
		free(sig);
		return -ENOMEM;
	}
	(*out)[0] = (uint8_t)alen;
	memcpy(*out + 1, algid, (size_t)alen);
	memcpy(*out + 1 + alen, sig, slen);
	*olen = 1 + (size_t)alen + slen;
	free(sig);
	return 0;
}

int ike_auth_sign(const struct ike_cred *key, uint8_t method, uint16_t hash_alg,
		  const uint8_t *octets, size_t olen, uint8_t **sig,
		  size_t *sig_len)
{
	int rc;

	*sig = NULL;
	if (key->pkey == NULL) /* a certificate alone cannot sign */
		return -EINVAL;
	rc = method == IKE_AUTH_DIGITAL_SIG
		     ? sign_7427(key->pkey, hash_alg, octets, olen, sig, sig_len)
		     : sign_classic(key->pkey, method, octets, olen, sig,
				    sig_len);
	ERR_clear_error();
	return rc;
}

/* --- verifying ----------------------------------------------------------------- */

static int verify_classic(EVP_PKEY *pk, uint8_t method, const uint8_t *m,
			  size_t mlen, const uint8_t *auth, size_t alen)
{
	const struct ecdsa_method *em = ecdsa_method(method);
	uint8_t *der;
	int dlen, rc;

	if (method == IKE_AUTH_RSA_SIG)
		return EVP_PKEY_is_a(pk, "RSA")
			       ? evp_verify(pk, NID_sha1, NULL, m, mlen, auth,
					    alen)
			       : -EINVAL;
	if (em == NULL)
		return -ENOTSUP;
	if (key_curve(pk) != em->curve || alen != 2 * em->n)
		return -EINVAL;
	der = ecdsa_rs_to_der(auth, em->n, &dlen);
	if (der == NULL)
		return -EINVAL;
	rc = evp_verify(pk, em->md, NULL, m, mlen, der, (size_t)dlen);
	OPENSSL_free(der);
	return rc;
}

/* A SHA-2 hash AlgorithmIdentifier (as found inside RSASSA-PSS-params). */
static int hash_of(const X509_ALGOR *a)
{
	const ASN1_OBJECT *obj;
	int nid;

	X509_ALGOR_get0(&obj, NULL, NULL, a);
	nid = OBJ_obj2nid(obj);
	return md_allowed(nid) ? nid : NID_undef;
}

/* RSASSA-PSS-params (RFC 8017 §A.2.3, RFC 7427 Appendix A.4): SHA-2 hash,
 * MGF1 with a SHA-2 hash, explicit salt length, trailer 1. The DEFAULTs
 * are SHA-1 and so refused. */
static int pss_parse(const X509_ALGOR *alg, struct pss *pss)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	const ASN1_STRING *str;
	const unsigned char *p;
	int ptype, rc = -EINVAL;
	RSA_PSS_PARAMS *pp;
	X509_ALGOR *mgf_hash = NULL;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return -EINVAL;
	str = pval;
	p = ASN1_STRING_get0_data(str);
	pp = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(str));
	if (pp == NULL || pp->hashAlgorithm == NULL ||
	    pp->maskGenAlgorithm == NULL || pp->saltLength == NULL ||
	    (pp->trailerField && ASN1_INTEGER_get(pp->trailerField) != 1))
		goto out;
	X509_ALGOR_get0(&obj, &ptype, &pval, pp->maskGenAlgorithm);
	if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
		goto out;
	str = pval;
	p = ASN1_STRING_get0_data(str);
	mgf_hash = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(str));
	pss->md = hash_of(pp->hashAlgorithm);
	pss->mgf1_md = mgf_hash ? hash_of(mgf_hash) : NID_undef;
	pss->salt = (int)ASN1_INTEGER_get(pp->saltLength);
	if (pss->md != NID_undef && pss->mgf1_md != NID_undef && pss->salt >= 0)
		rc = 0;
out:
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(pp);
	return rc;
}

/* Which scheme an RFC 7427 AlgorithmIdentifier names, checked against the
 * key: RSA PKCS#1 v1.5, RSASSA-PSS (RSA key) or ECDSA (EC key), SHA-2 only. */
static int algid_scheme(EVP_PKEY *pk, const X509_ALGOR *alg, int *md,
			struct pss *pss)
{
	const ASN1_OBJECT *obj;
	int nid, pk_nid = NID_undef;

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	pss->md = NID_undef;
	if (nid == NID_rsassaPss) {
		if (!EVP_PKEY_is_a(pk, "RSA") || pss_parse(alg, pss))
			return -EINVAL;
		*md = pss->md;
		return 0;
	}
	if (!OBJ_find_sigid_algs(nid, md, &pk_nid) || !md_allowed(*md))
		return -ENOTSUP;
	if (pk_nid == NID_rsaEncryption && EVP_PKEY_is_a(pk, "RSA"))
		return 0;
	if (pk_nid == NID_X9_62_id_ecPublicKey && EVP_PKEY_is_a(pk, "EC"))
		return 0;
	return -EINVAL;
}

static int verify_7427(EVP_PKEY *pk, const uint8_t *m, size_t mlen,
		       const uint8_t *auth, size_t alen)
{
	const unsigned char *p = auth + 1;
	X509_ALGOR *alg;
	struct pss pss;
	int md = NID_undef, rc;

	if (alen < 2 || (size_t)auth[0] + 1 >= alen)
		return -EINVAL;
	alg = d2i_X509_ALGOR(NULL, &p, auth[0]);
	if (alg == NULL || p != auth + 1 + auth[0]) {
		X509_ALGOR_free(alg);
		return -EINVAL;
	}
	rc = algid_scheme(pk, alg, &md, &pss);
	X509_ALGOR_free(alg);
	if (rc == 0)
		rc = evp_verify(pk, md, &pss, m, mlen, p,
				alen - 1 - auth[0]);
	return rc;
}

int ike_auth_verify(const struct ike_cred *cert, uint8_t method,
		    const uint8_t *octets, size_t olen, const uint8_t *auth,
		    size_t auth_len)
{
	EVP_PKEY *pk = ike_cred_pkey(cert);
	int rc;

	if (pk == NULL)
		return -EINVAL;
	rc = method == IKE_AUTH_DIGITAL_SIG
		     ? verify_7427(pk, octets, olen, auth, auth_len)
		     : verify_classic(pk, method, octets, olen, auth, auth_len);
	ERR_clear_error();
	return rc;
}
