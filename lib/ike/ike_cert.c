/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys and X.509 certificates for IKEv2 authentication: loading (PEM or DER),
 * chain verification against configured CAs (RFC 5280 path validation by
 * OpenSSL's X509_STORE), and matching a peer's ID payload against its
 * certificate (RFC 7296 §3.5, RFC 4945 §3.1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike/ike_cred.h"

/* OSSL_STACK_OF_X509_free() only came with OpenSSL 3.2; Debian 12 has 3.0. */
static void certs_free(STACK_OF(X509) *sk)
{
	sk_X509_pop_free(sk, X509_free);
}

/* ID types (RFC 7296 §3.5) that a certificate can carry. */
#define ID_IPV4_ADDR 1
#define ID_FQDN 2
#define ID_RFC822_ADDR 3
#define ID_IPV6_ADDR 5
#define ID_DER_ASN1_DN 9

static struct ike_cred *cred_new(void)
{
	return OPENSSL_zalloc(sizeof(struct ike_cred));
}

void ike_cred_free(struct ike_cred *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->pkey); /* OpenSSL clears private key material */
	X509_free(c->cert);
	certs_free(c->extra);
	OPENSSL_free(c);
}

/* Any private key format OpenSSL knows (PKCS#8, traditional RSA/EC), PEM or
 * DER: the decoder tries each. Encrypted keys are refused (no passphrase). */
struct ike_cred *ike_cred_load_key(const char *path)
{
	BIO *bio = BIO_new_file(path, "rb");
	EVP_PKEY *pkey = NULL;
	OSSL_DECODER_CTX *dctx = NULL;
	struct ike_cred *c = NULL;

	if (bio == NULL)
		goto out;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL,
					     EVP_PKEY_KEYPAIR, NULL, NULL);
	if (dctx == NULL || !OSSL_DECODER_from_bio(dctx, bio) || pkey == NULL)
		goto out;
	c = cred_new();
	if (c) {
		c->pkey = pkey;
		pkey = NULL;
	}
out:
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	BIO_free(bio);
	ERR_clear_error();
	return c;
}

/* All certificates of a file: a PEM bundle, or one DER certificate. */
static STACK_OF(X509) *read_certs(const char *path)
{
	BIO *bio = BIO_new_file(path, "rb");
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;

	if (bio == NULL || sk == NULL)
		goto fail;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			goto fail;
		}
	if (sk_X509_num(sk) == 0 && BIO_reset(bio) == 0 &&
	    (x = d2i_X509_bio(bio, NULL)) != NULL && !sk_X509_push(sk, x))
		X509_free(x);
	if (sk_X509_num(sk) == 0)
		goto fail;
	BIO_free(bio);
	ERR_clear_error(); /* the PEM loop ends on a "no start line" error */
	return sk;
fail:
	certs_free(sk);
	BIO_free(bio);
	ERR_clear_error();
	return NULL;
}

/* The first certificate is the credential; the rest of a PEM bundle is
 * kept as intermediates for ike_cert_verify. */
struct ike_cred *ike_cred_load_cert(const char *path)
{
	STACK_OF(X509) *sk = read_certs(path);
	struct ike_cred *c = sk ? cred_new() : NULL;

	if (c == NULL) {
		certs_free(sk);
		return NULL;
	}
	c->cert = sk_X509_shift(sk);
	if (sk_X509_num(sk) > 0)
		c->extra = sk;
	else
		sk_X509_free(sk);
	return c;
}

/* A certificate from a CERT payload (encoding 4, X.509 Certificate -
 * Signature, RFC 7296 §3.6): exactly one DER certificate, no trailing bytes. */
struct ike_cred *ike_cred_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	struct ike_cred *c = NULL;

	if (x != NULL && p == der + len)
		c = cred_new();
	if (c)
		c->cert = x;
	else
		X509_free(x);
	ERR_clear_error();
	return c;
}

/* Hand an OpenSSL-allocated DER encoding (n bytes, or n <= 0 for a failed
 * i2d) over as a malloc'ed buffer, which is what callers free(). */
static int der_out(unsigned char *ossl, int n, uint8_t **der, size_t *len)
{
	int rc = -EIO;

	*der = NULL;
	if (n > 0 && ossl != NULL) {
		*der = malloc((size_t)n);
		rc = *der ? 0 : -ENOMEM;
		if (*der) {
			memcpy(*der, ossl, (size_t)n);
			*len = (size_t)n;
		}
	}
	OPENSSL_free(ossl);
	ERR_clear_error();
	return rc;
}

int ike_cred_cert_der(const struct ike_cred *cert, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n;

	if (cert->cert == NULL)
		return -EINVAL;
	n = i2d_X509(cert->cert, &p);
	return der_out(p, n, der, len);
}

int ike_cert_subject_der(const struct ike_cred *cert, uint8_t **der,
			 size_t *len)
{
	unsigned char *p = NULL;
	int n;

	if (cert->cert == NULL)
		return -EINVAL;
	n = i2d_X509_NAME(X509_get_subject_name(cert->cert), &p);
	return der_out(p, n, der, len);
}

/* --- trust and chain verification ------------------------------------------ */

struct ike_trust {
	X509_STORE *store;
};

struct ike_trust *ike_trust_new(void)
{
	struct ike_trust *t = OPENSSL_zalloc(sizeof(*t));

	if (t && (t->store = X509_STORE_new()) == NULL) {
		OPENSSL_free(t);
		t = NULL;
	}
	return t;
}

void ike_trust_free(struct ike_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	OPENSSL_free(t);
}

/* Every certificate of the file (PEM bundle or one DER) becomes an anchor. */
int ike_trust_add_ca(struct ike_trust *t, const char *path)
{
	STACK_OF(X509) *sk = read_certs(path);
	int rc = 0;

	if (sk == NULL)
		return -EINVAL;
	for (int i = 0; i < sk_X509_num(sk) && rc == 0; i++)
		if (!X509_STORE_add_cert(t->store, sk_X509_value(sk, i)))
			rc = -EIO; /* the store takes its own reference */
	certs_free(sk);
	ERR_clear_error();
	return rc;
}

/* Why a chain was refused, in errno terms the state machine can log:
 * -EKEYEXPIRED (outside its validity), -EKEYREVOKED, else -EACCES. */
static int verify_errno(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return -EKEYEXPIRED;
	case X509_V_ERR_CERT_REVOKED:
		return -EKEYREVOKED;
	default:
		return -EACCES;
	}
}

/* RFC 5280 §6 path validation at the current time. No purpose/EKU is
 * required: RFC 4945 advises IKE not to insist on one. */
int ike_cert_verify(const struct ike_trust *t, const struct ike_cred *cert,
		    struct ike_cred *const *chain, unsigned n_chain)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -ENOMEM;

	if (cert->cert == NULL)
		rc = -EINVAL;
	if (untrusted == NULL || ctx == NULL || cert->cert == NULL)
		goto out;
	for (unsigned i = 0; i < n_chain; i++)
		if (chain[i]->cert && !sk_X509_push(untrusted, chain[i]->cert))
			goto out;
	for (int i = 0; i < sk_X509_num(cert->extra); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(cert->extra, i)))
			goto out;
	rc = -EIO;
	if (!X509_STORE_CTX_init(ctx, t->store, cert->cert, untrusted))
		goto out;
	rc = X509_verify_cert(ctx) == 1
		     ? 0 : verify_errno(X509_STORE_CTX_get_error(ctx));
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* borrowed certificates */
	ERR_clear_error();
	return rc;
}

/* --- identities -------------------------------------------------------------- */

/* ID_DER_ASN1_DN: the same DER bytes, or (for a peer that re-encoded it,
 * e.g. PrintableString vs UTF8String or case) the same name once both are
 * in OpenSSL's canonical form (RFC 5280 §7.1 style comparison). */
static bool dn_matches(X509 *x, const uint8_t *id, size_t len)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	const unsigned char *der = NULL, *p = id;
	size_t dlen = 0;
	X509_NAME *name;
	bool ok;

	if (X509_NAME_get0_der(subj, &der, &dlen) && dlen == len &&
	    memcmp(der, id, len) == 0)
		return true;
	name = d2i_X509_NAME(NULL, &p, (long)len);
	ok = name != NULL && p == id + len && X509_NAME_cmp(subj, name) == 0;
	X509_NAME_free(name);
	ERR_clear_error();
	return ok;
}

/* Only subjectAltNames count for FQDN and email (RFC 4945 §3.1),
 * compared exactly, DNS names case-insensitively and without wildcards. */
bool ike_cert_matches_id(const struct ike_cred *cert, uint8_t id_type,
			 const uint8_t *id, size_t id_len)
{
	const unsigned int san_only = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	int r = 0;

	if (cert->cert == NULL || id == NULL || id_len == 0)
		return false;
	switch (id_type) {
	case ID_DER_ASN1_DN:
		return dn_matches(cert->cert, id, id_len);
	case ID_FQDN:
		r = X509_check_host(cert->cert, (const char *)id, id_len,
				    san_only | X509_CHECK_FLAG_NO_WILDCARDS,
				    NULL);
		break;
	case ID_RFC822_ADDR:
		r = X509_check_email(cert->cert, (const char *)id, id_len,
				     san_only);
		break;
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		if (id_len == (id_type == ID_IPV4_ADDR ? 4u : 16u))
			r = X509_check_ip(cert->cert, id, id_len, 0);
		break;
	default: /* ID_KEY_ID, ID_DER_ASN1_GN: not something a cert proves */
		break;
	}
	ERR_clear_error();
	return r == 1;
}
