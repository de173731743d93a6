/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp/xform.h"

#include <errno.h>
#include <string.h>
#include <emmintrin.h>

#include <rte_byteorder.h>

#include "esp/gcm16.h"
#include "esp/ivgen.h"
#include "esp/hmac_x16.h"
#include "util/hex.h"

/* HMAC (RFC 2104) with the inner and outer key blocks hashed once here, as
 * ipsec-mb expects: per packet only the message is hashed. */
static void hmac_pads(struct xform *x, IMB_MGR *mb, const uint8_t *key,
		      unsigned len)
{
	uint8_t blk[128];
	unsigned bs = x->hash == IMB_AUTH_HMAC_SHA_384 ||
			      x->hash == IMB_AUTH_HMAC_SHA_512 ? 128 : 64;

	for (int pass = 0; pass < 2; pass++) {
		uint8_t pad = pass == 0 ? 0x36 : 0x5c;
		uint8_t *out = pass == 0 ? x->k->ipad : x->k->opad;

		memset(blk, pad, bs);
		for (unsigned i = 0; i < len; i++)
			blk[i] ^= key[i];
		switch (x->hash) {
		case IMB_AUTH_HMAC_SHA_1: IMB_SHA1_ONE_BLOCK(mb, blk, out); break;
		case IMB_AUTH_HMAC_SHA_256: IMB_SHA256_ONE_BLOCK(mb, blk, out); break;
		case IMB_AUTH_HMAC_SHA_384: IMB_SHA384_ONE_BLOCK(mb, blk, out); break;
		case IMB_AUTH_HMAC_SHA_512: IMB_SHA512_ONE_BLOCK(mb, blk, out); break;
		default: break;
		}
	}
	secure_zero(blk, sizeof(blk));
}

static IMB_HASH_ALG integ_to_imb(enum alg_integ i)
{
	switch (i) {
	case ALG_INTEG_HMAC_SHA1_96: return IMB_AUTH_HMAC_SHA_1;
	case ALG_INTEG_HMAC_SHA256_128: return IMB_AUTH_HMAC_SHA_256;
	case ALG_INTEG_HMAC_SHA384_192: return IMB_AUTH_HMAC_SHA_384;
	case ALG_INTEG_HMAC_SHA512_256: return IMB_AUTH_HMAC_SHA_512;
	case ALG_INTEG_NONE: break;
	}
	return IMB_AUTH_NULL;
}

static void aes_expand(struct xform *x, IMB_MGR *mb, const uint8_t *key)
{
	if (x->key_bytes == 16)
		IMB_AES_KEYEXP_128(mb, key, x->k->aes.enc, x->k->aes.dec);
	else
		IMB_AES_KEYEXP_256(mb, key, x->k->aes.enc, x->k->aes.dec);
}

/* Which XF_GHASH_* layout the precompute wrote into the zeroed keys: the
 * bytes of H^1 in the 48-power layout, or of H^1_k in the Karatsuba one,
 * are zero in the others (and H^1 = 0 has probability 2^-128). */
static uint8_t ghash_layout(const struct gcm_key_data *g)
{
	static const uint8_t zero[16];
	const uint8_t *p = (const uint8_t *)g;

	if (memcmp(p + 16 * (14 + 48), zero, 16) != 0)
		return 48;
	if (memcmp(p + 16 * (15 + 8), zero, 16) != 0)
		return 8 | XF_GHASH_KARATSUBA;
	return 8;
}

/* AES-GCM's keys into the caller's g16 where gcm16.h runs it: a copy of
 * what it reads, half the size, the original wiped (gcm16.h). */
static void gcm_keys(struct xform *x, struct gcm16_key *g16, unsigned key_len)
{
	x->layout = ghash_layout(&x->k->gcm);
	x->h1 = (uint16_t)(16 * (14 + (x->layout & XF_GHASH_POWERS)));
	if ((x->layout & XF_GHASH_POWERS) != 48 || g16 == NULL || !gcm16_usable())
		return;
	gcm16_key_init(g16, &x->k->gcm, key_len);
	secure_zero(&x->k->gcm, sizeof(x->k->gcm));
	x->g16 = g16;
	x->layout |= XF_SLOT;
	x->h1 = (uint16_t)GCM16_HPOW(aes_rounds(key_len), 1);
}

/* ChaCha20-Poly1305's key, which ipsec-mb reads as it is (RFC 7634 §2:
 * no schedule), into the slot when there is one: a packet then reads one
 * line next to its SA's others, and the SA keeps no xform_keys. */
static void chacha_key(struct xform *x, union xform_slot *slot,
		       const uint8_t *key)
{
	if (slot == NULL) {
		memcpy(x->k->chacha, key, 32);
		return;
	}
	memset(slot, 0, sizeof(*slot));
	memcpy(slot->chacha, key, 32);
	x->chacha = slot->chacha;
	x->layout |= XF_SLOT;
}

static int cipher_init(struct xform *x, union xform_slot *slot, IMB_MGR *mb,
		       const struct alg *a, const uint8_t *key)
{
	switch (a->cipher) {
	case ALG_CIPHER_AES_GCM:
		x->cipher = IMB_CIPHER_GCM;
		x->hash = IMB_AUTH_AES_GMAC;
		if (a->key_len == 16)
			IMB_AES128_GCM_PRE(mb, key, &x->k->gcm);
		else
			IMB_AES256_GCM_PRE(mb, key, &x->k->gcm);
		gcm_keys(x, slot ? &slot->g16 : NULL, a->key_len);
		return 0;
	case ALG_CIPHER_CHACHA20_POLY1305:
		x->cipher = IMB_CIPHER_CHACHA20_POLY1305;
		x->hash = IMB_AUTH_CHACHA20_POLY1305;
		chacha_key(x, slot, key);
		return 0;
	case ALG_CIPHER_AES_CBC:
		x->cipher = IMB_CIPHER_CBC;
		aes_expand(x, mb, key);
		return 0;
	case ALG_CIPHER_AES_CTR:
		x->cipher = IMB_CIPHER_CNTR;
		aes_expand(x, mb, key);
		return 0;
	case ALG_CIPHER_NULL:
		x->cipher = IMB_CIPHER_NULL;
		return 0;
	}
	return -EINVAL;
}

/* An encrypt-then-MAC suite's keys for one direction into the slot
 * (struct xform_etm_keys), wiped where they were; AES-CBC's IV key stays,
 * for xform_make_iv() (the workers never read it). */
static void etm_keys(struct xform *x, struct xform_etm_keys *e, bool inbound)
{
	struct xform_keys *k = x->k;
	unsigned rk = 16 * (aes_rounds(x->key_bytes) + 1);	/* Nr + 1 keys */
	unsigned pl = xform_etm_pad_len(x), pad = RTE_ALIGN_CEIL(rk, pl);

	RTE_BUILD_BUG_ON(sizeof(union xform_slot) != sizeof(struct gcm16_key));
	memset(e, 0, sizeof(*e));
	memcpy(e->b, inbound && x->cipher == IMB_CIPHER_CBC ? k->aes.dec : k->aes.enc,
	       rk);
	memcpy(e->b + pad, k->ipad, pl);
	memcpy(e->b + pad + pl, k->opad, pl);
	e->ivkey = x->cipher == IMB_CIPHER_CBC ? k->ivkey : NULL;
	secure_zero(&k->aes, sizeof(k->aes));
	secure_zero(k->ipad, sizeof(k->ipad));
	secure_zero(k->opad, sizeof(k->opad));
	x->pad = (uint16_t)pad;
	x->layout |= XF_SLOT;
	x->etm = e;
}

int xform_init(struct xform *x, struct xform_keys *keys,
	       union xform_slot *slot, bool inbound, IMB_MGR *mb,
	       const struct alg *a, const uint8_t *ekey, unsigned ekey_len,
	       const uint8_t *akey, unsigned akey_len, bool esn)
{
	int rc;

	memset(x, 0, sizeof(*x));
	memset(keys, 0, sizeof(*keys));
	x->k = keys;
	if (ekey_len != (unsigned)a->key_len + a->salt_len ||
	    akey_len != a->auth_key_len)
		return -EINVAL;
	x->key_bytes = a->key_len;
	x->iv_len = a->iv_len;
	x->icv_len = a->icv_len;
	x->block = a->block;
	x->esn = esn;
	x->aead = a->aead;
	if (a->salt_len)	/* ekey may be NULL (ENCR_NULL) */
		memcpy(x->salt, ekey + a->key_len, a->salt_len);
	rc = cipher_init(x, slot, mb, a, ekey);
	if (rc == 0 && !a->aead) {
		x->hash = integ_to_imb(a->integ);
		hmac_pads(x, mb, akey, akey_len);
	}
	if (rc == 0 && a->cipher == ALG_CIPHER_AES_CBC)
		rc = ivgen_random_key(mb, x->k->ivkey);
	x->path = x->cipher == IMB_CIPHER_GCM ? XF_PATH_GCM
		  : (x->cipher == IMB_CIPHER_CBC || x->cipher == IMB_CIPHER_CNTR) &&
				    x->hash != IMB_AUTH_NULL
			  ? XF_PATH_ETM : XF_PATH_JOB;
	if (rc == 0 && x->path == XF_PATH_ETM && slot != NULL)
		etm_keys(x, &slot->etm, inbound);
	if (rc < 0)
		xform_clear(x);
	return rc;
}

void xform_clear(struct xform *x)
{
	if ((x->layout & XF_SLOT) && x->path == XF_PATH_ETM) {
		if (x->etm->ivkey != NULL)
			secure_zero(x->etm->ivkey, XF_IVKEY_BYTES);
		secure_zero(x->etm, sizeof(*x->etm));
	} else if ((x->layout & XF_SLOT) && x->cipher == IMB_CIPHER_CHACHA20_POLY1305)
		secure_zero(x->chacha, 32);
	else if (x->layout & XF_SLOT)
		secure_zero(x->g16, sizeof(*x->g16));
	else if (x->k != NULL)
		secure_zero(x->k, sizeof(*x->k));
	secure_zero(x, sizeof(*x));
}

size_t xform_keys_kept(const struct xform *x)
{
	if (!(x->layout & XF_SLOT))
		return sizeof(struct xform_keys);
	return x->path == XF_PATH_ETM && x->etm->ivkey != NULL ? XF_IVKEY_BYTES : 0;
}

void xform_keys_move(struct xform *x, void *dst)
{
	size_t n = xform_keys_kept(x);

	if (n == 0)
		return;
	if (!(x->layout & XF_SLOT)) {
		memcpy(dst, x->k, n);
		secure_zero(x->k, n);
		x->k = dst;
		return;
	}
	memcpy(dst, x->etm->ivkey, n);
	secure_zero(x->etm->ivkey, n);
	x->etm->ivkey = dst;
}

void xform_make_iv(const struct xform *x, uint64_t seq, uint8_t *iv)
{
	uint64_t be;

	if (x->cipher == IMB_CIPHER_CBC) {	/* under the SA's IV key */
		ivgen_block(x->layout & XF_SLOT ? x->etm->ivkey : x->k->ivkey,
			    seq, iv);
		return;
	}
	/* Counter-based suites need uniqueness only (RFC 4106 §3.1,
	 * RFC 3686 §3, RFC 7634 §2): the sequence number is unique per SA. */
	if (x->iv_len == 8) {
		be = rte_cpu_to_be_64(seq);
		memcpy(iv, &be, 8);
	}
}

/*
 * The nonce and the AAD are written as one 16-byte store each: ipsec-mb
 * reads them with 16-byte loads, which the core can only forward from a
 * store that covers them whole. Built from 4- and 8-byte pieces (memcpy),
 * every packet waited for those stores to reach the cache first: AES-GCM on
 * a 64-byte frame took ~90 cycles instead of ~45.
 */
static inline void store16(uint8_t *dst, uint64_t lo, uint64_t hi)
{
	_mm_store_si128((__m128i *)dst, _mm_set_epi64x((long long)hi, (long long)lo));
}

/* salt || explicit IV: the 12-byte nonce of GCM, CTR and ChaCha20. */
static inline void nonce12(const struct xform *x, const uint8_t *esp,
			   struct xform_scratch *s)
{
	uint32_t salt;
	uint64_t iv;

	memcpy(&salt, x->salt, 4);
	memcpy(&iv, esp + 8, 8);
	store16(s->iv, salt | iv << 32, iv >> 32);
}

static inline const uint8_t *aead_aad(const struct xform *x, const uint8_t *esp,
				      uint32_t seq_hi, struct xform_scratch *s)
{
	uint32_t spi, lo;

	if (!x->esn)
		return esp; /* SPI || seq, in place */
	memcpy(&spi, esp, 4);
	memcpy(&lo, esp + 4, 4);
	store16(s->aad, spi | (uint64_t)rte_cpu_to_be_32(seq_hi) << 32, lo);
	return s->aad;
}

/* Fields common to every suite. */
static inline void job_base(const struct xform *x, IMB_JOB *j, uint8_t *esp,
			    uint32_t pay_len, bool enc)
{
	uint32_t off = 8 + x->iv_len;

	j->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->chain_order = enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->cipher_mode = x->cipher;
	j->hash_alg = x->hash;
	j->key_len_in_bytes = x->key_bytes;
	j->src = esp;
	j->dst = esp + off;
	j->cipher_start_src_offset_in_bytes = off;
	j->msg_len_to_cipher_in_bytes = pay_len;
	j->auth_tag_output_len_in_bytes = x->icv_len;
}

static inline void job_aead(const struct xform *x, IMB_JOB *j, uint8_t *esp,
			    uint32_t pay_len, uint32_t seq_hi,
			    struct xform_scratch *s)
{
	const uint8_t *aad = aead_aad(x, esp, seq_hi, s);
	uint64_t aad_len = x->esn ? 12 : 8;

	nonce12(x, esp, s);
	j->iv = s->iv;
	j->iv_len_in_bytes = 12;
	j->hash_start_src_offset_in_bytes = 8 + x->iv_len;
	j->msg_len_to_hash_in_bytes = pay_len;
	if (x->cipher == IMB_CIPHER_GCM) {
		j->enc_keys = &x->k->gcm;
		j->dec_keys = &x->k->gcm;
		j->u.GCM.aad = aad;
		j->u.GCM.aad_len_in_bytes = aad_len;
	} else {
		const uint8_t *key = x->layout & XF_SLOT ? x->chacha : x->k->chacha;

		j->enc_keys = key;
		j->dec_keys = key;
		j->u.CHACHA20_POLY1305.aad = aad;
		j->u.CHACHA20_POLY1305.aad_len_in_bytes = aad_len;
	}
}

/* Encrypt-then-MAC suites: the ICV covers ESP header, IV and ciphertext,
 * plus the ESN high half appended (RFC 4303 §2.2.1, §3.3.2.1). */
static inline void job_etm(const struct xform *x, IMB_JOB *j, uint8_t *esp,
			   uint32_t pay_len, struct xform_scratch *s)
{
	const uint8_t *ipad, *opad;

	if (x->layout & XF_SLOT) {	/* the one direction's schedule */
		j->enc_keys = x->etm->b;
		j->dec_keys = x->etm->b;
		ipad = x->etm->b + x->pad;
		opad = ipad + xform_etm_pad_len(x);
	} else {
		j->enc_keys = x->k->aes.enc;
		/* CTR only encrypts */
		j->dec_keys = x->cipher == IMB_CIPHER_CNTR ? x->k->aes.enc : x->k->aes.dec;
		ipad = x->k->ipad;
		opad = x->k->opad;
	}
	if (x->cipher == IMB_CIPHER_CBC) {
		j->iv = esp + 8;
		j->iv_len_in_bytes = 16;
	} else if (x->cipher == IMB_CIPHER_CNTR) {
		nonce12(x, esp, s);
		j->iv = s->iv;		/* nonce || IV; counter 1 appended */
		j->iv_len_in_bytes = 12;
	} else {
		j->iv = NULL;
		j->iv_len_in_bytes = 0;
	}
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = 8 + x->iv_len + pay_len + (x->esn ? 4 : 0);
	j->u.HMAC._hashed_auth_key_xor_ipad = ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = opad;
}

static inline void put_seq_hi(uint8_t *p, uint32_t seq_hi)
{
	uint32_t be = rte_cpu_to_be_32(seq_hi);

	memcpy(p, &be, 4);
}

void xform_job_encrypt(const struct xform *x, IMB_JOB *j, uint8_t *esp,
		       uint32_t pay_len, uint32_t seq_hi,
		       struct xform_scratch *s)
{
	uint8_t *icv = esp + 8 + x->iv_len + pay_len;

	job_base(x, j, esp, pay_len, true);
	j->auth_tag_output = icv;
	if (x->aead) {
		job_aead(x, j, esp, pay_len, seq_hi, s);
		return;
	}
	job_etm(x, j, esp, pay_len, s);
	if (x->esn)
		put_seq_hi(icv, seq_hi);
}

void xform_job_decrypt(const struct xform *x, IMB_JOB *j, uint8_t *esp,
		       uint32_t pay_len, uint32_t seq_hi,
		       struct xform_scratch *s)
{
	uint8_t *icv = esp + 8 + x->iv_len + pay_len;

	job_base(x, j, esp, pay_len, false);
	j->auth_tag_output = s->icv;
	if (x->aead) {
		job_aead(x, j, esp, pay_len, seq_hi, s);
		return;
	}
	job_etm(x, j, esp, pay_len, s);
	if (x->esn) {
		xform_copy_small(s->saved, icv, x->icv_len);
		put_seq_hi(icv, seq_hi);
	}
}

const uint8_t *xform_received_icv(const struct xform *x, const uint8_t *esp,
				  uint32_t pay_len,
				  const struct xform_scratch *s)
{
	if (!x->aead && x->esn)
		return s->saved;
	return esp + 8 + x->iv_len + pay_len;
}

void xform_gcm_seal(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s)
{
	struct gcm_context_data ctx;
	uint8_t *pt = esp + 8 + x->iv_len;
	const uint8_t *aad = aead_aad(x, esp, seq_hi, s);
	const struct gcm_key_data *kd = &x->k->gcm;

	nonce12(x, esp, s);
	if (x->layout & XF_SLOT)
		gcm16_seal(x->g16, x->key_bytes, s->iv, aad, x->esn ? 12 : 8,
			   pt, pt, pay_len, pt + pay_len, x->icv_len);
	else if (x->key_bytes == 16)
		IMB_AES128_GCM_ENC(mb, kd, &ctx, pt, pt, pay_len, s->iv, aad,
				   x->esn ? 12 : 8, pt + pay_len, x->icv_len);
	else
		IMB_AES256_GCM_ENC(mb, kd, &ctx, pt, pt, pay_len, s->iv, aad,
				   x->esn ? 12 : 8, pt + pay_len, x->icv_len);
}

void xform_gcm_open(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s)
{
	struct gcm_context_data ctx;
	uint8_t *ct = esp + 8 + x->iv_len;
	const uint8_t *aad = aead_aad(x, esp, seq_hi, s);
	const struct gcm_key_data *kd = &x->k->gcm;

	nonce12(x, esp, s);
	if (x->layout & XF_SLOT)
		gcm16_open(x->g16, x->key_bytes, s->iv, aad, x->esn ? 12 : 8,
			   ct, ct, pay_len, s->icv, x->icv_len);
	else if (x->key_bytes == 16)
		IMB_AES128_GCM_DEC(mb, kd, &ctx, ct, ct, pay_len, s->iv, aad,
				   x->esn ? 12 : 8, s->icv, x->icv_len);
	else
		IMB_AES256_GCM_DEC(mb, kd, &ctx, ct, ct, pay_len, s->iv, aad,
				   x->esn ? 12 : 8, s->icv, x->icv_len);
}

static IMB_KEY_SIZE_BYTES key_size(const struct xform *x)
{
	return x->key_bytes == 16 ? IMB_KEY_128_BYTES
	       : x->key_bytes == 24 ? IMB_KEY_192_BYTES : IMB_KEY_256_BYTES;
}

/* The _NOCHECK variants: every field was set by xform_job_*() from an SA
 * that xform_init() validated, and lengths were checked by the ESP layer
 * (whole cipher blocks). The ICVs on mb, or for NULL on the 16-lane code
 * (xform.h, xform_etm_seal; hmac_x16_or_mb). */

void xform_etm_seal(const struct xform *x, IMB_MGR *mb, IMB_MGR *cipher_mb,
		    IMB_JOB *jobs, unsigned n)
{
	IMB_SUBMIT_CIPHER_BURST_NOCHECK(cipher_mb, jobs, n, x->cipher, IMB_DIR_ENCRYPT,
					key_size(x));
	hmac_x16_or_mb(mb, jobs, n, x->hash);
}

void xform_etm_verify(const struct xform *x, IMB_MGR *mb, IMB_JOB *jobs,
		      unsigned n)
{
	hmac_x16_or_mb(mb, jobs, n, x->hash);
}

void xform_etm_open(const struct xform *x, IMB_MGR *mb, IMB_JOB *jobs,
		    unsigned n)
{
	IMB_SUBMIT_CIPHER_BURST_NOCHECK(mb, jobs, n, x->cipher, IMB_DIR_DECRYPT,
					key_size(x));
}
