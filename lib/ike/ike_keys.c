/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE SA key derivation (RFC 7296 §2.14, rekeyed IKE SA §2.18), child SA
 * KEYMAT (§2.17), and the random bytes for nonces and SPIs.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "ike/ike_crypto.h"

static bool encr_is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	       encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

/* Fill the SK_* lengths from the transforms the caller set. An AEAD cipher
 * carries its own integrity, so RFC 5282 §8 wants no integrity transform
 * with it; anything else needs one. Only what ike_sk can protect messages
 * with makes an IKE SA (AES-CTR, RFC 5930, is for child SAs here). */
static int sa_key_lengths(struct ike_sa_keys *k)
{
	k->d_len = k->p_len = ike_prf_len(k->prf);
	k->e_len = ike_encr_key_bytes(k->encr, k->encr_keylen);
	k->a_len = ike_integ_key_bytes(k->integ);
	if (k->d_len == 0 || k->e_len == 0)
		return -ENOTSUP;
	if (encr_is_aead(k->encr) != (k->integ == IKE_INTEG_NONE))
		return -EINVAL;
	if (!encr_is_aead(k->encr) && k->a_len == 0)
		return -ENOTSUP;
	return ike_sk_iv_len(k) ? 0 : -ENOTSUP;
}

/* a | b | c in a fresh buffer (any part may be empty). */
static uint8_t *concat3(const uint8_t *a, size_t al, const uint8_t *b,
			size_t bl, const uint8_t *c, size_t cl, size_t *len)
{
	uint8_t *p = malloc(al + bl + cl + 1);

	if (p == NULL)
		return NULL;
	if (al)
		memcpy(p, a, al);
	if (bl)
		memcpy(p + al, b, bl);
	if (cl)
		memcpy(p + al + bl, c, cl);
	*len = al + bl + cl;
	return p;
}

static void free_secret(uint8_t *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

/*
 * SKEYSEED: prf(Ni | Nr, g^ir) for a new IKE SA (§2.14), or, when rekeying
 * (§2.18), prf(SK_d (old), g^ir (new) | Ni | Nr) computed with the OLD SA's
 * PRF: "Because the rekeying exchange belongs to the old IKE SA, it is the
 * old IKE SA's PRF that is used to generate SKEYSEED." *len gets its size.
 */
static int skeyseed(uint16_t prf, const struct ike_sa_keys *old,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		    size_t nr_len, const uint8_t *gir, size_t gir_len,
		    uint8_t *out, size_t *len)
{
	size_t blen;
	uint8_t *buf;
	int rc;

	if (old == NULL) {
		buf = concat3(ni, ni_len, nr, nr_len, NULL, 0, &blen);
		if (buf == NULL)
			return -ENOMEM;
		*len = ike_prf_len(prf);
		rc = ike_prf(prf, buf, blen, gir, gir_len, out);
	} else {
		if (old->d_len == 0 || old->d_len > sizeof(old->sk_d))
			return -EINVAL;
		buf = concat3(gir, gir_len, ni, ni_len, nr, nr_len, &blen);
		if (buf == NULL)
			return -ENOMEM;
		*len = ike_prf_len(old->prf);
		rc = ike_prf(old->prf, old->sk_d, old->d_len, buf, blen, out);
	}
	free_secret(buf, blen);
	return rc;
}

/* Next n bytes of the prf+ stream into dst. */
static const uint8_t *take(uint8_t *dst, const uint8_t *p, size_t n)
{
	memcpy(dst, p, n);
	return p + n;
}

/* Split prf+ output in the order of §2.14:
 * SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr. */
static void split_keys(struct ike_sa_keys *k, const uint8_t *p)
{
	p = take(k->sk_d, p, k->d_len);
	p = take(k->sk_ai, p, k->a_len);
	p = take(k->sk_ar, p, k->a_len);
	p = take(k->sk_ei, p, k->e_len);
	p = take(k->sk_er, p, k->e_len);
	p = take(k->sk_pi, p, k->p_len);
	take(k->sk_pr, p, k->p_len);
}

int ike_derive_sa_keys(struct ike_sa_keys *k, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		       size_t gir_len, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], const struct ike_sa_keys *old)
{
	uint8_t seed[IKE_MAX_PRF], spis[16];
	size_t seed_len = 0, slen = 0, total;
	uint8_t *s = NULL, *km = NULL;
	int rc = sa_key_lengths(k);

	if (rc)
		return rc;
	total = k->d_len + 2 * k->a_len + 2 * k->e_len + 2 * k->p_len;
	rc = skeyseed(k->prf, old, ni, ni_len, nr, nr_len, gir, gir_len, seed,
		      &seed_len);
	if (rc)
		goto out;
	memcpy(spis, spi_i, 8);
	memcpy(spis + 8, spi_r, 8);
	/* {SK_d | ...} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), with the new
	 * SA's PRF. */
	s = concat3(ni, ni_len, nr, nr_len, spis, sizeof(spis), &slen);
	km = malloc(total);
	rc = -ENOMEM;
	if (s == NULL || km == NULL)
		goto out;
	rc = ike_prf_plus(k->prf, seed, seed_len, s, slen, km, total);
	if (rc == 0)
		split_keys(k, km);
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	free_secret(s, slen);
	free_secret(km, total);
	return rc;
}

/*
 * KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) when the
 * CREATE_CHILD_SA carried a KE payload (§2.17). The caller knows the child
 * transforms and so the split: SA from initiator first, then the responder's
 * one, each as encryption key (+ salt) followed by integrity key.
 */
int ike_derive_child_keymat(const struct ike_sa_keys *k, const uint8_t *gir,
			    size_t gir_len, const uint8_t *ni, size_t ni_len,
			    const uint8_t *nr, size_t nr_len, uint8_t *out,
			    size_t outlen)
{
	size_t slen = 0;
	uint8_t *s;
	int rc;

	if (k->d_len == 0 || k->d_len > sizeof(k->sk_d))
		return -EINVAL;
	s = concat3(gir, gir ? gir_len : 0, ni, ni_len, nr, nr_len, &slen);
	if (s == NULL)
		return -ENOMEM;
	rc = ike_prf_plus(k->prf, k->sk_d, k->d_len, s, slen, out, outlen);
	free_secret(s, slen);
	return rc;
}

void ike_sa_keys_clear(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* RAND_bytes takes an int length: feed it in chunks. */
int ike_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1) {
			ERR_clear_error();
			return -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
