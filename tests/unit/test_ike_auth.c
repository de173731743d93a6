/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 AUTH: signed octets and the PSK MIC against gen_ike_vectors.py,
 * signatures against python3-cryptography (PKCS#1 v1.5 byte-exact, ECDSA
 * and RSA-PSS verified), RFC 7427 encodings against its Appendix A, and
 * certificate chains and identities with the PKI of data/make-certs.sh.
 * Run from tests/unit (data/ paths).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/x509.h>

#include "check.h"
#include "ike/ike_crypto.h"
#include "ike_vectors.h"

#define D "data/"

/* ID types (RFC 7296 §3.5) */
#define ID_IPV4_ADDR 1
#define ID_FQDN 2
#define ID_RFC822_ADDR 3
#define ID_IPV6_ADDR 5
#define ID_DER_ASN1_DN 9
#define ID_KEY_ID 11

static struct ike_cred *key(const char *name)
{
	struct ike_cred *c = ike_cred_load_key(name);

	CHECK_MSG(c != NULL, "load key %s", name);
	return c;
}

static struct ike_cred *cert(const char *name)
{
	struct ike_cred *c = ike_cred_load_cert(name);

	CHECK_MSG(c != NULL, "load cert %s", name);
	return c;
}

/* --- PSK ------------------------------------------------------------------------ */

static void test_psk(void)
{
	struct ike_sa_keys k = { .prf = IKE_PRF_HMAC_SHA2_256, .p_len = 32 };
	uint8_t *oct = NULL, *oct_r = NULL, mic[IKE_MAX_PRF];
	size_t olen = 0, olen_r = 0, miclen = 0;

	memcpy(k.sk_pi, sa_a_sk_pi, 32);
	memcpy(k.sk_pr, sa_a_sk_pr, 32);
	CHECK(ike_auth_octets(&k, true, auth_msg, sizeof(auth_msg), auth_nonce,
			      sizeof(auth_nonce), auth_id, sizeof(auth_id), &oct,
			      &olen) == 0);
	CHECK(olen == sizeof(auth_octets) &&
	      memcmp(oct, auth_octets, olen) == 0);
	CHECK(ike_auth_psk(IKE_PRF_HMAC_SHA2_256, auth_psk, sizeof(auth_psk),
			   oct, olen, mic, &miclen) == 0);
	CHECK(miclen == sizeof(auth_psk_mic) &&
	      memcmp(mic, auth_psk_mic, miclen) == 0);
	/* The responder's octets MAC the ID with SK_pr instead. */
	CHECK(ike_auth_octets(&k, false, auth_msg, sizeof(auth_msg), auth_nonce,
			      sizeof(auth_nonce), auth_id, sizeof(auth_id),
			      &oct_r, &olen_r) == 0);
	CHECK(olen_r == olen && memcmp(oct, oct_r, olen - 32) == 0 &&
	      memcmp(oct + olen - 32, oct_r + olen - 32, 32) != 0);
	free(oct);
	free(oct_r);
}

/* --- signatures ---------------------------------------------------------------- */

/* Verifies, and no longer does with one bit of the signature flipped. */
static void check_verify(const struct ike_cred *c, uint8_t method,
			 const uint8_t *sig, size_t len, size_t flip_at,
			 const char *what)
{
	uint8_t *s = malloc(len);

	memcpy(s, sig, len);
	CHECK_MSG(ike_auth_verify(c, method, auth_octets, sizeof(auth_octets),
				  s, len) == 0, "%s verifies", what);
	s[flip_at] ^= 0x01;
	CHECK_MSG(ike_auth_verify(c, method, auth_octets, sizeof(auth_octets),
				  s, len) == -EBADMSG, "%s flipped bit", what);
	s[flip_at] ^= 0x01;
	/* Other signed octets. */
	CHECK_MSG(ike_auth_verify(c, method, auth_octets,
				  sizeof(auth_octets) - 1, s, len) == -EBADMSG,
		  "%s other octets", what);
	free(s);
}

static void test_ecdsa(void)
{
	struct ike_cred *k = key(D "test-ec.key"), *kd = key(D "test-ec.key.der");
	struct ike_cred *c = cert(D "test-ec.crt"), *k384 = key(D "test-p384.key");
	struct ike_cred *c384 = cert(D "test-p384.crt");
	uint8_t *sig = NULL;
	size_t len = 0;

	/* Method 9 (RFC 4754): r || s, 32 bytes each. */
	CHECK(ike_auth_sign(k, IKE_AUTH_ECDSA_256, 0, auth_octets,
			    sizeof(auth_octets), &sig, &len) == 0);
	CHECK(len == 64);
	check_verify(c, IKE_AUTH_ECDSA_256, sig, len, 40, "ecdsa-256 ours");
	CHECK(ike_auth_verify(c, IKE_AUTH_ECDSA_384, auth_octets,
			      sizeof(auth_octets), sig, len) == -EINVAL);
	free(sig);
	check_verify(c, IKE_AUTH_ECDSA_256, sig_ecdsa_256, sizeof(sig_ecdsa_256),
		     5, "ecdsa-256 python");
	/* The DER form of the key signs the same way. */
	CHECK(ike_auth_sign(kd, IKE_AUTH_ECDSA_256, 0, auth_octets,
			    sizeof(auth_octets), &sig, &len) == 0);
	check_verify(c, IKE_AUTH_ECDSA_256, sig, len, 0, "ecdsa-256 DER key");
	free(sig);
	/* Method 10 with P-384: r || s, 48 bytes each. */
	CHECK(ike_auth_sign(k384, IKE_AUTH_ECDSA_384, 0, auth_octets,
			    sizeof(auth_octets), &sig, &len) == 0);
	CHECK(len == 96);
	check_verify(c384, IKE_AUTH_ECDSA_384, sig, len, 95, "ecdsa-384 ours");
	free(sig);
	check_verify(c384, IKE_AUTH_ECDSA_384, sig_ecdsa_384,
		     sizeof(sig_ecdsa_384), 60, "ecdsa-384 python");
	/* The method fixes the curve; a certificate cannot sign. */
	CHECK(ike_auth_sign(k, IKE_AUTH_ECDSA_521, 0, auth_octets, 8, &sig,
			    &len) == -EINVAL && sig == NULL);
	CHECK(ike_auth_sign(k, IKE_AUTH_RSA_SIG, 0, auth_octets, 8, &sig,
			    &len) == -EINVAL);
	CHECK(ike_auth_sign(c, IKE_AUTH_ECDSA_256, 0, auth_octets, 8, &sig,
			    &len) == -EINVAL);
	ike_cred_free(k);
	ike_cred_free(kd);
	ike_cred_free(c);
	ike_cred_free(k384);
	ike_cred_free(c384);
}

static void test_rsa(void)
{
	struct ike_cred *k = key(D "test-rsa.key"), *c = cert(D "test-rsa.crt");
	struct ike_cred *ec = cert(D "test-ec.crt");
	uint8_t *sig = NULL;
	size_t len = 0;

	/* Method 1: PKCS#1 v1.5 with SHA-1 is deterministic, so our bytes
	 * must be Python's. */
	CHECK(ike_auth_sign(k, IKE_AUTH_RSA_SIG, 0, auth_octets,
			    sizeof(auth_octets), &sig, &len) == 0);
	CHECK(len == sizeof(sig_rsa_sha1) && memcmp(sig, sig_rsa_sha1, len) == 0);
	free(sig);
	check_verify(c, IKE_AUTH_RSA_SIG, sig_rsa_sha1, sizeof(sig_rsa_sha1),
		     100, "rsa method 1");
	/* An EC certificate cannot verify method 1. */
	CHECK(ike_auth_verify(ec, IKE_AUTH_RSA_SIG, auth_octets,
			      sizeof(auth_octets), sig_rsa_sha1,
			      sizeof(sig_rsa_sha1)) == -EINVAL);
	ike_cred_free(k);
	ike_cred_free(c);
	ike_cred_free(ec);
}

/* --- RFC 7427 digital signatures ------------------------------------------------- */

/* AUTH data = length | AlgorithmIdentifier | signature, the identifier being
 * exactly RFC 7427 Appendix A's bytes. */
static bool has_algid(const uint8_t *auth, size_t len, const uint8_t *alg,
		      size_t alen)
{
	return len > 1 + alen && auth[0] == alen &&
	       memcmp(auth + 1, alg, alen) == 0;
}

/* ECDSA in RFC 7427 is the DER ECDSA-Sig-Value (RFC 7427 §3, RFC 5480),
 * not r || s: it must parse and fill the rest exactly. */
static bool is_der_ecdsa_sig(const uint8_t *p, size_t len)
{
	const unsigned char *q = p;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &q, (long)len);
	bool ok = s != NULL && q == p + len;

	ECDSA_SIG_free(s);
	return ok;
}

static void test_7427(void)
{
	struct ike_cred *rk = key(D "test-rsa.key"), *rc = cert(D "test-rsa.crt");
	struct ike_cred *ek = key(D "test-ec.key"), *ec = cert(D "test-ec.crt");
	uint8_t *a = NULL, bad[600];
	size_t len = 0;

	/* RSA, SHA-256: deterministic, equal to Python's AUTH data. */
	CHECK(ike_auth_sign(rk, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA256,
			    auth_octets, sizeof(auth_octets), &a, &len) == 0);
	CHECK(len == sizeof(auth_rsa_sha256) &&
	      memcmp(a, auth_rsa_sha256, len) == 0);
	CHECK(has_algid(a, len, alg_rsa_sha256, sizeof(alg_rsa_sha256)));
	check_verify(rc, IKE_AUTH_DIGITAL_SIG, a, len, len - 3, "7427 rsa-sha256");
	/* A changed AlgorithmIdentifier (sha256 -> sha384 OID) fails too. */
	memcpy(bad, a, len);
	bad[1 + 12] = 0x0c;
	CHECK(ike_auth_verify(rc, IKE_AUTH_DIGITAL_SIG, auth_octets,
			      sizeof(auth_octets), bad, len) == -EBADMSG);
	/* A length byte that overruns the data, and truncations. */
	bad[0] = 0xff;
	CHECK(ike_auth_verify(rc, IKE_AUTH_DIGITAL_SIG, auth_octets,
			      sizeof(auth_octets), bad, len) == -EINVAL);
	CHECK(ike_auth_verify(rc, IKE_AUTH_DIGITAL_SIG, auth_octets,
			      sizeof(auth_octets), a, 1 + 15) == -EINVAL);
	CHECK(ike_auth_verify(rc, IKE_AUTH_DIGITAL_SIG, auth_octets,
			      sizeof(auth_octets), a, 1) == -EINVAL);
	/* The RSA signature under an EC certificate. */
	CHECK(ike_auth_verify(ec, IKE_AUTH_DIGITAL_SIG, auth_octets,
			      sizeof(auth_octets), a, len) == -EINVAL);
	free(a);

	/* RSA, SHA-512 round trip. */
	CHECK(ike_auth_sign(rk, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA512,
			    auth_octets, sizeof(auth_octets), &a, &len) == 0);
	check_verify(rc, IKE_AUTH_DIGITAL_SIG, a, len, len - 1, "7427 rsa-sha512");
	free(a);
	/* RSASSA-PSS from Python (verify only). */
	check_verify(rc, IKE_AUTH_DIGITAL_SIG, auth_rsa_pss,
		     sizeof(auth_rsa_pss), sizeof(auth_rsa_pss) - 9,
		     "7427 rsa-pss python");

	/* ECDSA, SHA-256 and SHA-384 (any hash with P-256 in RFC 7427). */
	CHECK(ike_auth_sign(ek, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA256,
			    auth_octets, sizeof(auth_octets), &a, &len) == 0);
	CHECK(has_algid(a, len, alg_ecdsa_sha256, sizeof(alg_ecdsa_sha256)));
	CHECK(is_der_ecdsa_sig(a + 1 + a[0], len - 1 - a[0]));
	check_verify(ec, IKE_AUTH_DIGITAL_SIG, a, len, len - 2,
		     "7427 ecdsa-sha256");
	free(a);
	CHECK(ike_auth_sign(ek, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA384,
			    auth_octets, sizeof(auth_octets), &a, &len) == 0);
	CHECK(has_algid(a, len, alg_ecdsa_sha384, sizeof(alg_ecdsa_sha384)));
	CHECK(is_der_ecdsa_sig(a + 1 + a[0], len - 1 - a[0]));
	check_verify(ec, IKE_AUTH_DIGITAL_SIG, a, len, len - 2,
		     "7427 ecdsa-sha384");
	free(a);
	check_verify(ec, IKE_AUTH_DIGITAL_SIG, auth_ecdsa_sha256,
		     sizeof(auth_ecdsa_sha256), sizeof(auth_ecdsa_sha256) - 2,
		     "7427 ecdsa python");

	/* SHA-1 is not for RFC 7427 (RFC 8247). */
	CHECK(ike_auth_sign(ek, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA1, auth_octets,
			    8, &a, &len) == -ENOTSUP);
	ike_cred_free(rk);
	ike_cred_free(rc);
	ike_cred_free(ek);
	ike_cred_free(ec);
}

/* --- certificates ---------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);

	*len = f && buf ? fread(buf, 1, 65536, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void test_chain(void)
{
	struct ike_trust *t = ike_trust_new(), *other = ike_trust_new();
	struct ike_cred *ec = cert(D "test-ec.crt"), *rsa = cert(D "test-rsa.crt");
	struct ike_cred *p384 = cert(D "test-p384.crt");
	struct ike_cred *bundle = cert(D "test-p384-chain.pem");
	struct ike_cred *ica = cert(D "test-ica.crt");
	struct ike_cred *expired = cert(D "test-expired.crt");
	struct ike_cred *key = ike_cred_load_key(D "test-ec.key");

	CHECK(ike_trust_add_ca(t, D "test-ca.crt") == 0);
	CHECK(ike_trust_add_ca(other, D "test-other-ca.crt") == 0);
	CHECK(ike_trust_add_ca(t, D "no-such-file.crt") == -EINVAL);
	CHECK(ike_trust_add_ca(t, D "test-ec.key") == -EINVAL);

	CHECK(ike_cert_verify(t, ec, NULL, 0) == 0);
	CHECK(ike_cert_verify(t, rsa, NULL, 0) == 0);
	/* Through the intermediate: given explicitly, or from the bundle. */
	CHECK(ike_cert_verify(t, p384, NULL, 0) == -EACCES);
	CHECK(ike_cert_verify(t, p384, &ica, 1) == 0);
	CHECK(ike_cert_verify(t, bundle, NULL, 0) == 0);
	/* Against another CA. */
	CHECK(ike_cert_verify(other, ec, NULL, 0) == -EACCES);
	CHECK(ike_cert_verify(other, p384, &ica, 1) == -EACCES);
	/* Expired. */
	CHECK(ike_cert_verify(t, expired, NULL, 0) == -EKEYEXPIRED);
	/* A key is not a certificate. */
	CHECK(ike_cert_verify(t, key, NULL, 0) == -EINVAL);
	CHECK(ike_cred_load_cert(D "test-ec.key") == NULL);
	CHECK(ike_cred_load_key(D "test-ec.crt") == NULL);

	ike_trust_free(t);
	ike_trust_free(other);
	ike_cred_free(ec);
	ike_cred_free(rsa);
	ike_cred_free(p384);
	ike_cred_free(bundle);
	ike_cred_free(ica);
	ike_cred_free(expired);
	ike_cred_free(key);
}

/* CERT payload round trip: DER in, the same DER out; PEM and DER files give
 * the same certificate. */
static void test_der(void)
{
	size_t flen = 0, dlen = 0;
	uint8_t *file = read_file(D "test-ec.crt.der", &flen), *der = NULL;
	struct ike_cred *c = ike_cred_from_der(file, flen);
	struct ike_cred *pem = cert(D "test-ec.crt");
	struct ike_cred *fder = cert(D "test-ec.crt.der");

	CHECK(flen > 300 && c != NULL);
	CHECK(ike_cred_cert_der(c, &der, &dlen) == 0);
	CHECK(dlen == flen && memcmp(der, file, flen) == 0);
	free(der);
	CHECK(ike_cred_cert_der(pem, &der, &dlen) == 0);
	CHECK(dlen == flen && memcmp(der, file, flen) == 0);
	free(der);
	CHECK(ike_cred_cert_der(fder, &der, &dlen) == 0);
	CHECK(dlen == flen && memcmp(der, file, flen) == 0);
	free(der);
	/* Trailing garbage, truncation. */
	CHECK(ike_cred_from_der(file, flen - 1) == NULL);
	file[flen] = 0;
	CHECK(ike_cred_from_der(file, flen + 1) == NULL);
	ike_cred_free(c);
	ike_cred_free(pem);
	ike_cred_free(fder);
	free(file);
}

static bool match(const struct ike_cred *c, uint8_t type, const char *s)
{
	return ike_cert_matches_id(c, type, (const uint8_t *)s, strlen(s));
}

/* The subject with CN as PrintableString and in other case: different DER,
 * same name (RFC 5280 §7.1 comparison). */
static int alt_dn(const char *cn, uint8_t **der)
{
	X509_NAME *n = X509_NAME_new();
	unsigned char *p = NULL;
	int len;

	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
				   (const unsigned char *)"XX", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", V_ASN1_PRINTABLESTRING,
				   (const unsigned char *)"esprit  test", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_PRINTABLESTRING,
				   (const unsigned char *)cn, -1, -1, 0);
	len = i2d_X509_NAME(n, &p);
	*der = malloc((size_t)len);
	memcpy(*der, p, (size_t)len);
	OPENSSL_free(p);
	X509_NAME_free(n);
	return len;
}

static void test_ids(void)
{
	struct ike_cred *c = cert(D "test-ec.crt"), *r = cert(D "test-rsa.crt");
	static const uint8_t v4[] = { 192, 0, 2, 1 }, v4b[] = { 192, 0, 2, 2 };
	static const uint8_t v6[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				      0,    0,    0,    0,    0, 0, 0, 1 };
	uint8_t *dn = NULL, *alt = NULL;
	size_t dlen = 0;
	int alen;

	CHECK(match(c, ID_FQDN, "gw-ec.test.example"));
	CHECK(match(c, ID_FQDN, "GW-EC.Test.Example"));
	CHECK(!match(c, ID_FQDN, "gw-ec.test.exampl"));
	CHECK(!match(c, ID_FQDN, "test.example"));
	CHECK(!match(r, ID_FQDN, "gw-ec.test.example"));
	CHECK(match(r, ID_FQDN, "gw-rsa.test.example"));
	CHECK(!match(c, ID_RFC822_ADDR, "gw-ec.test.example"));
	CHECK(match(c, ID_RFC822_ADDR, "ec@test.example"));
	CHECK(match(c, ID_RFC822_ADDR, "ec@TEST.example"));
	CHECK(!match(c, ID_RFC822_ADDR, "Ec@test.example"));
	CHECK(!match(c, ID_RFC822_ADDR, "rsa@test.example"));
	CHECK(!match(c, ID_FQDN, "ec@test.example"));
	CHECK(ike_cert_matches_id(c, ID_IPV4_ADDR, v4, 4));
	CHECK(!ike_cert_matches_id(c, ID_IPV4_ADDR, v4b, 4));
	CHECK(!ike_cert_matches_id(c, ID_IPV4_ADDR, v6, 16));
	CHECK(ike_cert_matches_id(c, ID_IPV6_ADDR, v6, 16));
	CHECK(!ike_cert_matches_id(c, ID_IPV6_ADDR, v4, 4));
	CHECK(!ike_cert_matches_id(r, ID_IPV4_ADDR, v4, 4));
	/* The subject CN is not a SAN: no fallback to it. */
	CHECK(!match(r, ID_RFC822_ADDR, "gw-rsa.test.example"));
	CHECK(!ike_cert_matches_id(c, ID_KEY_ID, v4, 4));

	CHECK(ike_cert_subject_der(c, &dn, &dlen) == 0);
	CHECK(dlen > 10 && dn[0] == 0x30);
	CHECK(ike_cert_matches_id(c, ID_DER_ASN1_DN, dn, dlen));
	CHECK(!ike_cert_matches_id(r, ID_DER_ASN1_DN, dn, dlen));
	CHECK(!ike_cert_matches_id(c, ID_DER_ASN1_DN, dn, dlen - 1));
	alen = alt_dn("GW-EC.test.example", &alt);
	CHECK((size_t)alen != dlen || memcmp(alt, dn, dlen) != 0);
	CHECK(ike_cert_matches_id(c, ID_DER_ASN1_DN, alt, (size_t)alen));
	free(alt);
	alen = alt_dn("gw-ec2.test.example", &alt);
	CHECK(!ike_cert_matches_id(c, ID_DER_ASN1_DN, alt, (size_t)alen));
	free(alt);
	free(dn);
	ike_cred_free(c);
	ike_cred_free(r);
}

int main(void)
{
	test_psk();
	test_ecdsa();
	test_rsa();
	test_7427();
	test_chain();
	test_der();
	test_ids();
	return check_summary();
}
