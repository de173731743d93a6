/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_CRYPTO_H
#define ESPRIT_IKE_CRYPTO_H
/*
 * IKEv2 cryptography over OpenSSL 3 EVP: transform IDs, PRF and prf+,
 * Diffie-Hellman, key derivation (RFC 7296 §2.13-2.18), the Encrypted payload
 * (§3.14, RFC 5282 for AEAD), and AUTH (§2.15, RFC 7427) with pre-shared keys
 * and X.509 certificates.
 *
 * Contract: functions return 0 (or a length) on success and a negative errno
 * on failure; they never log secrets. Every buffer holding key material that
 * this module allocates is zeroed before it is freed. Nothing here knows the
 * wire format beyond what the RFC computations need.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transform IDs from the IANA IKEv2 registry (RFC 7296 §3.3.2). */
enum ike_encr_id {
	IKE_ENCR_NULL = 11,
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};
enum ike_prf_id {
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};
enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};
enum ike_dh_id {
	IKE_DH_NONE = 0,
	IKE_DH_MODP_2048 = 14,
	IKE_DH_MODP_3072 = 15,
	IKE_DH_MODP_4096 = 16,
	IKE_DH_ECP_256 = 19,
	IKE_DH_ECP_384 = 20,
	IKE_DH_ECP_521 = 21,
	IKE_DH_CURVE25519 = 31,
	IKE_DH_CURVE448 = 32,
};
enum ike_esn_id { IKE_ESN_NO = 0, IKE_ESN_YES = 1 };

#define IKE_MAX_KEY 64	 /* largest SK_* key */
#define IKE_MAX_PRF 64	 /* largest PRF output */
#define IKE_MAX_DH_PUB 1024 /* MODP-8192 public value */

/* --- PRF (RFC 7296 §2.13) ------------------------------------------------ */
size_t ike_prf_len(uint16_t prf);		/* 0 if unknown */
int ike_prf(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data,
	    size_t dlen, uint8_t *out);	/* out: ike_prf_len bytes */
/* prf+ (§2.13): T1 | T2 | ... truncated to outlen (max 255 blocks). */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen,
		 const uint8_t *seed, size_t slen, uint8_t *out, size_t outlen);

/* --- Diffie-Hellman ------------------------------------------------------ */
struct ike_dh;
struct ike_dh *ike_dh_new(uint16_t group);	/* fresh ephemeral key */
/* Public value in IKE KE payload encoding (§3.4; RFC 5903 §7 x||y for ECP,
 * RFC 8031 for Curve25519). Returns its length (ike_dh_public_len), or
 * -ENOSPC if cap is smaller. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap);
size_t ike_dh_public_len(uint16_t group);	/* 0 if unsupported */
/* Shared secret g^ir (fixed length per group, §2.14 / RFC 5903 §7: x only).
 * Returns its length. Rejects invalid peer values with -EINVAL (wrong
 * length, point not on curve, 0/1/p-1, all-zero X25519 result). */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
		  uint8_t *out, size_t cap);
void ike_dh_free(struct ike_dh *dh);
/* FOR TESTS ONLY (known-answer vectors, RFC 5903 §8, RFC 7748 §6.1): a key
 * pair from a given private value (big-endian scalar / exponent; RFC 7748
 * byte string for X25519/X448). Never use it for real exchanges. */
struct ike_dh *ike_dh_from_private(uint16_t group, const uint8_t *priv,
				   size_t len);

/* --- IKE SA keys (§2.14) -------------------------------------------------- */
struct ike_sa_keys {
	uint16_t prf, integ, encr, encr_keylen; /* encr_keylen in bits */
	size_t d_len, a_len, e_len, p_len;	/* e_len includes AEAD salt */
	uint8_t sk_d[IKE_MAX_PRF];
	uint8_t sk_ai[IKE_MAX_KEY], sk_ar[IKE_MAX_KEY];
	uint8_t sk_ei[IKE_MAX_KEY], sk_er[IKE_MAX_KEY];
	uint8_t sk_pi[IKE_MAX_PRF], sk_pr[IKE_MAX_PRF];
};
/* SKEYSEED = prf(Ni | Nr, g^ir); {SK_d..SK_pr} = prf+(SKEYSEED, Ni|Nr|SPIi|SPIr).
 * The caller sets k->prf, integ, encr and encr_keylen (integ must be
 * IKE_INTEG_NONE exactly for AEAD encr); this fills the *_len fields and
 * keys. For a rekeyed IKE SA (§2.18) pass the old SA's keys as `old`:
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) computed with the OLD
 * SA's PRF (old->prf), prf+ with the new one; else NULL. spi_i/spi_r are
 * the 8-byte SPIs as on the wire (for a rekey: those of the new SA). */
int ike_derive_sa_keys(struct ike_sa_keys *k, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		       size_t gir_len, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], const struct ike_sa_keys *old);
/* Child SA KEYMAT (§2.17) = prf+(SK_d, [g^ir (new) |] Ni | Nr) (gir NULL:
 * no KE in the exchange); first the initiator-to-responder keys then the
 * other direction, each as encryption key (with salt) followed by integrity
 * key. outlen is at most 255 * prf length. */
int ike_derive_child_keymat(const struct ike_sa_keys *k, const uint8_t *gir,
			    size_t gir_len, const uint8_t *ni, size_t ni_len,
			    const uint8_t *nr, size_t nr_len, uint8_t *out,
			    size_t outlen);
void ike_sa_keys_clear(struct ike_sa_keys *k);
/* Key length in bytes for an encryption transform (with KEY_LENGTH in bits)
 * including the salt of AEAD and CTR transforms; 0 if unsupported (and for
 * ENCR_NULL, which has no key). ChaCha20-Poly1305 takes keylen 0 or 256. */
size_t ike_encr_key_bytes(uint16_t encr, uint16_t keylen_bits);
size_t ike_integ_key_bytes(uint16_t integ);
size_t ike_integ_icv_bytes(uint16_t integ);

/* --- Encrypted payload (§3.14, RFC 5282) ---------------------------------- */
/* Sizes of the fields around the inner payloads for these keys. */
size_t ike_sk_iv_len(const struct ike_sa_keys *k);
size_t ike_sk_icv_len(const struct ike_sa_keys *k);
size_t ike_sk_block_len(const struct ike_sa_keys *k); /* 1 for AEAD */
/* Whole Encrypted payload length (generic header 4 + IV + pt_len + least
 * padding + pad length byte + ICV) for pt_len bytes of inner payloads; what
 * the builder writes into the generic header and adds to the IKE header
 * length before sealing. 0 if the keys' transforms are unsupported. */
size_t ike_sk_payload_len(const struct ike_sa_keys *k, size_t pt_len);
/*
 * Seal: msg[0..msg_len) is the whole IKE message being built, in which the
 * Encrypted payload starts at sk_off and is the last payload (§3.14), i.e.
 * runs to msg_len (its generic header already written, with its length
 * covering header | IV | ciphertext | padding | pad length | ICV, e.g.
 * ike_sk_payload_len), followed by the IV space, the plaintext inner
 * payloads (pt_len bytes), the padding and pad length byte (filled here)
 * and the ICV space. The IKE header and generic header are the AAD of AEAD
 * transforms and are covered by the ICV otherwise, so both must be final.
 * `initiator` selects SK_ei/SK_ai or SK_er/SK_ar: true for a message sent
 * by the original initiator of the IKE SA (request or response).
 * -EINVAL if the lengths do not fit, -ENOTSUP for other transforms.
 */
int ike_sk_seal(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		size_t msg_len, size_t sk_off, size_t pt_len);
/* FOR TESTS ONLY: ike_sk_seal with the IV given (ike_sk_iv_len bytes)
 * instead of random, to compare against known-answer messages. */
int ike_sk_seal_iv(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		   size_t msg_len, size_t sk_off, size_t pt_len,
		   const uint8_t *iv);
/* Open: verifies the ICV in constant time, then decrypts in place; on
 * success *pt and *pt_len give the inner payloads (padding removed).
 * `initiator`: the message was sent by the original initiator. Errors:
 * -EINVAL lengths inconsistent (payload length field != msg_len - sk_off,
 * CBC data not whole blocks), -EBADMSG ICV/tag mismatch (msg unchanged),
 * -EPROTO authentic but the pad length exceeds the decrypted data. */
int ike_sk_open(const struct ike_sa_keys *k, bool initiator, uint8_t *msg,
		size_t msg_len, size_t sk_off, uint8_t **pt, size_t *pt_len);

/* --- Authentication (§2.15, RFC 7427) ------------------------------------- */
enum ike_auth_method {
	IKE_AUTH_RSA_SIG = 1,	 /* RSASSA-PKCS1-v1_5 with SHA-1 (classic) */
	IKE_AUTH_PSK = 2,	 /* shared key MIC */
	IKE_AUTH_ECDSA_256 = 9,	 /* RFC 4754 */
	IKE_AUTH_ECDSA_384 = 10,
	IKE_AUTH_ECDSA_521 = 11,
	IKE_AUTH_DIGITAL_SIG = 14, /* RFC 7427 */
};
/* The octets signed (§2.15): RealMessage | Nonce(peer) | prf(SK_p, IDx').
 * `initiator`: these are the initiator's octets (SK_pi; msg = IKE_SA_INIT
 * request, nonce = Nr) whether we sign them or verify them; false: the
 * responder's (SK_pr; IKE_SA_INIT response, Ni). `id_body` is the ID
 * payload body (type byte, 3 reserved, data). The result is malloc'ed into
 * *out (free()). */
int ike_auth_octets(const struct ike_sa_keys *k, bool initiator,
		    const uint8_t *msg, size_t msg_len, const uint8_t *nonce,
		    size_t nonce_len, const uint8_t *id_body, size_t id_len,
		    uint8_t **out, size_t *out_len);
/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), octets); out holds
 * IKE_MAX_PRF bytes, *olen_out gets ike_prf_len(prf). */
int ike_auth_psk(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const uint8_t *octets, size_t olen, uint8_t *out, size_t *olen_out);

struct ike_cred; /* a private key or a certificate (with chain), OpenSSL-backed */
struct ike_cred *ike_cred_load_key(const char *path);	  /* PEM or DER */
/* PEM or DER. Further certificates of a PEM bundle are kept as
 * intermediates that ike_cert_verify uses. */
struct ike_cred *ike_cred_load_cert(const char *path);
struct ike_cred *ike_cred_from_der(const uint8_t *der, size_t len); /* cert */
void ike_cred_free(struct ike_cred *c);
/* DER of the certificate (for a CERT payload); *der is malloc'ed (free()). */
int ike_cred_cert_der(const struct ike_cred *cert, uint8_t **der, size_t *len);
/* Sign the octets with a key from ike_cred_load_key. method
 * IKE_AUTH_DIGITAL_SIG produces the RFC 7427 AUTH data (ASN.1
 * AlgorithmIdentifier length + DER + signature) for a hash the peer
 * announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4): SHA-256/384/512
 * (SHA-1 is -ENOTSUP, RFC 8247), RSA keys sign PKCS#1 v1.5, EC keys ECDSA.
 * The classic methods produce the bare signature (method 1 needs an RSA
 * key; 9/10/11 a P-256/384/521 key, else -EINVAL). hash_alg is ignored for
 * them. *sig is malloc'ed (free()). */
int ike_auth_sign(const struct ike_cred *key, uint8_t method, uint16_t hash_alg,
		  const uint8_t *octets, size_t olen, uint8_t **sig,
		  size_t *sig_len);
/* 0 if `auth` (AUTH payload data after the method and reserved bytes) is a
 * valid signature by cert's key. Method 14 accepts sha{256,384,512}With-
 * RSAEncryption, RSASSA-PSS (SHA-2, MGF1 SHA-2) and ecdsa-with-SHA{256,
 * 384,512}. -EBADMSG bad signature, -EINVAL malformed or key/method
 * mismatch, -ENOTSUP unknown algorithm. */
int ike_auth_verify(const struct ike_cred *cert, uint8_t method,
		    const uint8_t *octets, size_t olen, const uint8_t *auth,
		    size_t auth_len);
/* Chain check of `cert` (with optional intermediates) against trust anchors,
 * with time validity; 0 if trusted, -EKEYEXPIRED outside a validity period,
 * -EKEYREVOKED, -EACCES any other failure. ike_trust_add_ca takes a PEM
 * bundle or one DER certificate; every certificate in it is an anchor. */
struct ike_trust;
struct ike_trust *ike_trust_new(void);
int ike_trust_add_ca(struct ike_trust *t, const char *path);
void ike_trust_free(struct ike_trust *t);
int ike_cert_verify(const struct ike_trust *t, const struct ike_cred *cert,
		    struct ike_cred *const *chain, unsigned n_chain);
/* Does the certificate carry this identity (ID payload type and data): the
 * subject DN (ID_DER_ASN1_DN, compared as DER), or a subjectAltName of the
 * same kind (FQDN, RFC822 email, IPv4/IPv6 address)? Names are compared
 * exactly (DNS case-insensitively, no wildcards, no subject CN fallback); a
 * DN also matches if it differs from the subject only in encoding (OpenSSL
 * canonical form: case, whitespace, string types). */
bool ike_cert_matches_id(const struct ike_cred *cert, uint8_t id_type,
			 const uint8_t *id, size_t id_len);
/* The certificate's subject DN as DER (for ID_DER_ASN1_DN); malloc'ed. */
int ike_cert_subject_der(const struct ike_cred *cert, uint8_t **der, size_t *len);
/* RFC 7427 hash algorithm numbers (SIGNATURE_HASH_ALGORITHMS). Method 14
 * signs and verifies SHA-256/384/512; SHA-1 is refused (RFC 8247). */
enum ike_hash_alg { IKE_HASH_SHA1 = 1, IKE_HASH_SHA256 = 2, IKE_HASH_SHA384 = 3,
		    IKE_HASH_SHA512 = 4 };

/* Cryptographic random bytes (nonces, SPIs, IVs). */
int ike_random(void *buf, size_t len);

#endif
