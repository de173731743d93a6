/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane's crypto (lib/esp/xform.c on ipsec-mb) against published
 * known-answer vectors, driven exactly as the workers drive it: keys through
 * xform_init(), one job per ESP packet filled by xform_job_encrypt/decrypt()
 * on an ESP-framed buffer, IMB_SUBMIT_JOB / IMB_FLUSH_JOB on one manager.
 *
 * Vectors (tests/unit/esp_vectors.h, made by gen_esp_vectors.py, which
 * re-checks every published one against Python's own implementations):
 *  - RFC 3602 §4 cases #5-#8 (AES-CBC ESP packets): ciphertext bytes; the
 *    HMAC ICV is recomputed here with OpenSSL (HMAC()), with ESN over
 *    ESP header | IV | ciphertext | seq_hi (RFC 4303 §2.2.1).
 *  - RFC 2202 / RFC 4231 HMAC vectors through the null-* suites: the RFC's
 *    message is the whole ESP packet, the ICV is the RFC digest truncated.
 *  - draft-mcgrew-gcm-test-01 (GCM ESP packets, 8- and 12-byte AAD).
 *  - RFC 7634 appendix A and RFC 8439 §2.8.2 (ChaCha20-Poly1305).
 *  - RFC 3686 §6 (AES-CTR), ICV by OpenSSL.
 *  - Generated ESN vectors for every AEAD (python3-cryptography).
 * AES-GCM vectors also through the workers' direct calls (xform_gcm_*,
 * gcm16 on VAES CPUs).
 * Each vector is run both ways: encryption gives the ciphertext and ICV,
 * decryption restores the plaintext and computes the same ICV, and a flipped
 * bit anywhere in what the ICV covers (or a wrong ESN high half) changes it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <intel-ipsec-mb.h>
#include <rte_byteorder.h>

#include "check.h"
#include "esp/xform.h"
#include "esp_vectors.h"
#include "sa/alg.h"
#include "util/hex.h"

static IMB_MGR *mb;
static struct xform xf;
static struct xform_keys xk; /* 64-byte aligned by its type */
static struct xform_scratch scr;

/* Submit the job just filled and wait for it: returns its status. */
static int run_job(IMB_JOB *j)
{
	IMB_JOB *r;
	int st = -1, seen = 0;

	j->user_data = j;
	r = IMB_SUBMIT_JOB(mb);
	while (r != NULL) {
		if (r->user_data == j) {
			st = r->status;
			seen++;
		}
		r = IMB_GET_COMPLETED_JOB(mb);
	}
	while ((r = IMB_FLUSH_JOB(mb)) != NULL) {
		if (r->user_data == j) {
			st = r->status;
			seen++;
		}
	}
	CHECK_MSG(seen == 1, "job completed %d times", seen);
	if (st != IMB_STATUS_COMPLETED)
		fprintf(stderr, "ipsec-mb: status %d, %s\n", st,
			imb_get_strerror(imb_get_errno(mb)));
	return st;
}

static const EVP_MD *md_of(enum alg_integ i)
{
	switch (i) {
	case ALG_INTEG_HMAC_SHA1_96: return EVP_sha1();
	case ALG_INTEG_HMAC_SHA256_128: return EVP_sha256();
	case ALG_INTEG_HMAC_SHA384_192: return EVP_sha384();
	case ALG_INTEG_HMAC_SHA512_256: return EVP_sha512();
	case ALG_INTEG_NONE: break;
	}
	return NULL;
}

/* The ICV of RFC 4303 §3.3.2.1 computed by OpenSSL: HMAC over ESP header,
 * IV and ciphertext, plus the ESN high half (§2.2.1), truncated. */
static void openssl_icv(const struct alg *a, const uint8_t *akey, unsigned akey_len,
			const uint8_t *esp, unsigned len, bool esn,
			uint32_t seq_hi, uint8_t *out)
{
	uint8_t msg[1024], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	memcpy(msg, esp, len);
	if (esn) {
		msg[len] = (uint8_t)(seq_hi >> 24);
		msg[len + 1] = (uint8_t)(seq_hi >> 16);
		msg[len + 2] = (uint8_t)(seq_hi >> 8);
		msg[len + 3] = (uint8_t)seq_hi;
		len += 4;
	}
	HMAC(md_of(a->integ), akey, (int)akey_len, msg, len, md, &mdlen);
	memcpy(out, md, a->icv_len);
}

static void expected_icv(const struct esp_kat *k, const struct alg *a,
			 uint8_t *icv)
{
	uint8_t esp[1024];

	if (k->icv != NULL) {
		memcpy(icv, k->icv, a->icv_len);
		return;
	}
	memcpy(esp, k->hdr, k->hdr_len);
	memcpy(esp + k->hdr_len, k->ct, k->len);
	openssl_icv(a, k->akey, k->akey_len, esp, k->hdr_len + k->len, k->esn,
		    k->seq_hi, icv);
}

/* Decrypt buf (header, ciphertext, received ICV) and return whether the
 * computed ICV equals the received one. */
static bool decrypt_verifies(const struct esp_kat *k, uint8_t *buf)
{
	IMB_JOB *j = IMB_GET_NEXT_JOB(mb);
	const uint8_t *rx;

	xform_job_decrypt(&xf, j, buf, k->len, k->seq_hi, &scr);
	if (run_job(j) != IMB_STATUS_COMPLETED)
		return false;
	rx = xform_received_icv(&xf, buf, k->len, &scr);
	return ct_memcmp(scr.icv, rx, xf.icv_len) == 0;
}

/* What an SA keeps of xk (sa.c): xform_keys_kept() bytes, moved by
 * xform_keys_move(): AES-CBC's IV key with a slot, nothing for the other
 * slot suites, all of xk without one. xk is left wiped, the IVs the same,
 * and xform_clear() wipes the new place. */
static struct xform_keys moved;	/* where move_keys() put them */
static size_t moved_len;

static void move_keys(const struct esp_kat *k)
{
	static const struct xform_keys zero;
	bool slot = xf.layout & XF_SLOT;
	size_t want = !slot ? sizeof(xk)
		      : xf.path == XF_PATH_ETM && xf.cipher == IMB_CIPHER_CBC ? 176 : 0;
	uint8_t iv1[16], iv2[16];

	CHECK_MSG(xform_keys_kept(&xf) == want, "%s: kept %zu, not %zu", k->name,
		  xform_keys_kept(&xf), want);
	xform_make_iv(&xf, 7, iv1);
	memset(&moved, 0xcc, sizeof(moved));
	xform_keys_move(&xf, &moved);
	moved_len = want;
	xform_make_iv(&xf, 7, iv2);
	CHECK_MSG(memcmp(&xk, &zero, sizeof(xk)) == 0, "%s: left in xk", k->name);
	CHECK_MSG(memcmp(iv1, iv2, xf.iv_len) == 0, "%s: IV after the move", k->name);
	CHECK_MSG(want == 0 || memcmp(&moved, &zero, want) != 0, "%s: moved", k->name);
	CHECK_MSG(want == sizeof(moved) || ((uint8_t *)&moved)[want] == 0xcc,
		  "%s: past %zu", k->name, want);
}

/* After xform_clear(): what move_keys() moved is wiped too. */
static void check_moved_wiped(const struct esp_kat *k)
{
	static const struct xform_keys zero;

	CHECK_MSG(memcmp(&moved, &zero, moved_len) == 0, "%s: moved keys not wiped",
		  k->name);
}

/* An encrypt-then-MAC xform with its keys in a slot (as every SA's,
 * sa.h): there, for its direction only, and nowhere else. */
static void check_slot(const struct esp_kat *k, const union xform_slot *sl)
{
	static const struct xform_keys zero;

	/* which schedule is there the vector's bytes tell: the other one
	 * gives another ciphertext, or plaintext */
	CHECK_MSG((xf.layout & XF_SLOT) && xf.etm == &sl->etm, "%s: slot", k->name);
	CHECK_MSG(xf.etm->ivkey == (xf.cipher == IMB_CIPHER_CBC ? xk.ivkey : NULL),
		  "%s: IV key", k->name);
	/* round keys and pads moved: what stays in xk is the IV key only */
	CHECK_MSG(memcmp(&xk, &zero, offsetof(struct xform_keys, ivkey)) == 0,
		  "%s: keys left behind", k->name);
	move_keys(k);
	CHECK_MSG(xf.pad % xform_etm_pad_len(&xf) == 0 &&
			  xf.pad >= 16u * (aes_rounds(xf.key_bytes) + 1) &&
			  xf.pad + 2 * xform_etm_pad_len(&xf) <= XF_ETM_BYTES,
		  "%s: pad at %u", k->name, xf.pad);
}

/* ChaCha20-Poly1305 with a slot: its key there as given (RFC 7634 §2),
 * nothing left in xk, nothing kept. */
static void check_chacha_slot(const struct esp_kat *k, const union xform_slot *sl)
{
	static const struct xform_keys zero;

	CHECK_MSG((xf.layout & XF_SLOT) && xf.chacha == sl->chacha &&
			  memcmp(sl->chacha, k->ekey, 32) == 0,
		  "%s: key in the slot", k->name);
	CHECK_MSG(memcmp(&xk, &zero, sizeof(xk)) == 0, "%s: left in xk", k->name);
	move_keys(k);
}

/* The vector k through the job functions; slots: with the keys in slots
 * of one direction each (an outbound xform encrypts, an inbound one
 * decrypts), for the encrypt-then-MAC suites and ChaCha20-Poly1305 (whose
 * one key serves both) only. */
static void one_kat(const struct esp_kat *k, bool slots)
{
	static union xform_slot s_out, s_in;
	const struct alg *a = alg_find(k->suite);
	uint8_t buf[1024] __attribute__((aligned(16)));
	uint8_t icv[64];
	unsigned icv_off = k->hdr_len + k->len;
	IMB_JOB *j;
	int f0 = check_fail;

	CHECK_MSG(a != NULL, "%s: suite %s", k->name, k->suite);
	if (a == NULL)
		return;
	CHECK(k->hdr_len == 8u + a->iv_len);
	CHECK_MSG(xform_init(&xf, &xk, slots ? &s_out : NULL, false, mb, a, k->ekey,
			     k->ekey_len, k->akey, k->akey_len, k->esn) == 0,
		  "%s: xform_init", k->name);
	bool chacha = a->cipher == ALG_CIPHER_CHACHA20_POLY1305;

	if (slots && xf.path != XF_PATH_ETM && !chacha) {
		xform_clear(&xf);
		return;
	}
	if (slots && chacha)
		check_chacha_slot(k, &s_out);
	else if (slots)
		check_slot(k, &s_out);
	else	/* the whole vector then runs on the moved keys */
		move_keys(k);
	expected_icv(k, a, icv);
	if (k->icv != NULL && !a->aead) {	/* OpenSSL agrees with the RFC */
		uint8_t esp[1024], ref[64];

		memcpy(esp, k->hdr, k->hdr_len);
		memcpy(esp + k->hdr_len, k->ct, k->len);
		openssl_icv(a, k->akey, k->akey_len, esp, k->hdr_len + k->len,
			    k->esn, k->seq_hi, ref);
		CHECK_MSG(memcmp(ref, icv, a->icv_len) == 0,
			  "%s: OpenSSL vs published", k->name);
	}

	/* Encrypt: ciphertext and ICV in place, header and IV untouched. */
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, k->hdr, k->hdr_len);
	memcpy(buf + k->hdr_len, k->pt, k->len);
	j = IMB_GET_NEXT_JOB(mb);
	xform_job_encrypt(&xf, j, buf, k->len, k->seq_hi, &scr);
	CHECK(run_job(j) == IMB_STATUS_COMPLETED);
	CHECK_MSG(memcmp(buf, k->hdr, k->hdr_len) == 0, "%s: header", k->name);
	CHECK_MSG(memcmp(buf + k->hdr_len, k->ct, k->len) == 0,
		  "%s: ciphertext", k->name);
	CHECK_MSG(memcmp(buf + icv_off, icv, a->icv_len) == 0, "%s: ICV", k->name);
	CHECK_MSG(buf[icv_off + a->icv_len] == 0xee, "%s: wrote past the ICV",
		  k->name);
	if (slots) {	/* the other direction's xform decrypts */
		xform_clear(&xf);
		CHECK_MSG(memcmp(&s_out, &(union xform_slot){ 0 }, sizeof(s_out)) == 0,
			  "%s: slot not wiped", k->name);
		check_moved_wiped(k);
		CHECK(xform_init(&xf, &xk, &s_in, true, mb, a, k->ekey, k->ekey_len,
				 k->akey, k->akey_len, k->esn) == 0);
		if (chacha)
			check_chacha_slot(k, &s_in);
		else
			check_slot(k, &s_in);
	}

	/* Decrypt the published ciphertext: plaintext back, same ICV. */
	memcpy(buf, k->hdr, k->hdr_len);
	memcpy(buf + k->hdr_len, k->ct, k->len);
	memcpy(buf + icv_off, icv, a->icv_len);
	CHECK_MSG(decrypt_verifies(k, buf), "%s: decrypt ICV", k->name);
	CHECK_MSG(memcmp(scr.icv, icv, a->icv_len) == 0, "%s: computed ICV",
		  k->name);
	CHECK_MSG(memcmp(buf + k->hdr_len, k->pt, k->len) == 0,
		  "%s: plaintext", k->name);

	/* One flipped bit in the ciphertext, the SPI, the sequence number, or
	 * (ESN) a wrong high half: the ICV no longer verifies. */
	for (int what = 0; what < 4; what++) {
		uint32_t hi = k->seq_hi;

		memcpy(buf, k->hdr, k->hdr_len);
		memcpy(buf + k->hdr_len, k->ct, k->len);
		memcpy(buf + icv_off, icv, a->icv_len);
		if (what == 0 && k->len == 0)
			continue;
		if (what == 0)
			buf[k->hdr_len + k->len / 2] ^= 0x10;
		else if (what == 1)
			buf[2] ^= 0x01;
		else if (what == 2)
			buf[7] ^= 0x80;
		else if (!k->esn)
			continue;
		else
			hi ^= 0x00000100;
		{
			struct esp_kat kk = *k;

			kk.seq_hi = hi;
			CHECK_MSG(!decrypt_verifies(&kk, buf),
				  "%s: tamper %d still verifies", k->name, what);
		}
	}
	xform_clear(&xf);
	check_moved_wiped(k);
	if (check_fail != f0)
		fprintf(stderr, "  ^ in vector \"%s\"\n", k->name);
}

/*
 * AES-GCM vectors again through the calls the workers make (xform_gcm_seal,
 * xform_gcm_open: gcm16 on its own copy of the keys where this CPU runs
 * it, XF_SLOT, else ipsec-mb's direct API), not through jobs: the same ciphertext and ICV,
 * nothing written past the ICV, the plaintext back with the same computed
 * ICV. Returns 1 when gcm16 ran it.
 */
static unsigned one_kat_direct(const struct esp_kat *k)
{
	static union xform_slot gk;
	const struct alg *a = alg_find(k->suite);
	uint8_t buf[1024] __attribute__((aligned(16)));
	uint8_t icv[64];
	unsigned icv_off = k->hdr_len + k->len, g16;

	if (a == NULL || a->cipher != ALG_CIPHER_AES_GCM)
		return 0;
	expected_icv(k, a, icv);
	CHECK(xform_init(&xf, &xk, &gk, false, mb, a, k->ekey, k->ekey_len, k->akey,
			 k->akey_len, k->esn) == 0);
	CHECK(xform_is_direct(&xf));
	g16 = (xf.layout & XF_SLOT) != 0;
	CHECK_MSG(!g16 || (xf.g16 == &gk.g16 &&
			   xf.h1 == GCM16_HPOW(aes_rounds(a->key_len), 1)),
		  "%s: gcm16's keys", k->name);
	move_keys(k);	/* with gcm16, nothing */
	memcpy(buf, k->hdr, k->hdr_len);
	memcpy(buf + k->hdr_len, k->pt, k->len);
	memset(buf + icv_off, 0xee, 32);
	xform_gcm_seal(&xf, mb, buf, k->len, k->seq_hi, &scr);
	CHECK_MSG(memcmp(buf + k->hdr_len, k->ct, k->len) == 0,
		  "%s: direct ciphertext", k->name);
	CHECK_MSG(memcmp(buf + icv_off, icv, a->icv_len) == 0, "%s: direct ICV",
		  k->name);
	CHECK_MSG(buf[icv_off + a->icv_len] == 0xee, "%s: wrote past the ICV",
		  k->name);
	xform_gcm_open(&xf, mb, buf, k->len, k->seq_hi, &scr);
	CHECK_MSG(memcmp(buf + k->hdr_len, k->pt, k->len) == 0,
		  "%s: direct plaintext", k->name);
	CHECK_MSG(memcmp(scr.icv, icv, a->icv_len) == 0, "%s: direct computed ICV",
		  k->name);
	xform_clear(&xf);
	CHECK(gk.g16.b[0] == 0 && gk.g16.b[sizeof(gk.g16.b) - 1] == 0);	/* wiped */
	check_moved_wiped(k);
	return g16;
}

/* Every suite, both ESN settings: encrypt then decrypt random payloads of
 * several lengths; the receiver's ICV equals the sender's, the plaintext
 * comes back, and for HMAC suites OpenSSL agrees on the ICV. */
static void round_trips(void)
{
	uint8_t ekey[64], akey[64], pt[600], buf[1024] __attribute__((aligned(16)));
	uint8_t icv[64], ref[64];

	for (unsigned i = 0; alg_at(i) != NULL; i++) {
		const struct alg *a = alg_at(i);

		for (int esn = 0; esn < 2; esn++) {
			for (unsigned n = a->block; n <= 512; n += 7 * a->block) {
				struct esp_kat k = { .name = a->name, .esn = esn,
						     .seq_hi = 0x01020304u * (n & 7),
						     .len = n };
				uint64_t seq = (uint64_t)k.seq_hi << 32 | (n * 977u);
				uint32_t lo = rte_cpu_to_be_32((uint32_t)seq);
				unsigned hl = 8 + a->iv_len;
				IMB_JOB *j;

				for (unsigned b = 0; b < sizeof(ekey); b++)
					ekey[b] = (uint8_t)(b * 31 + i + n);
				for (unsigned b = 0; b < sizeof(akey); b++)
					akey[b] = (uint8_t)(b * 17 + i);
				for (unsigned b = 0; b < n; b++)
					pt[b] = (uint8_t)(b ^ n ^ i);
				CHECK(xform_init(&xf, &xk, NULL, false, mb, a, ekey,
						 a->key_len + a->salt_len, akey,
						 a->auth_key_len, esn) == 0);
				memcpy(buf, "\x12\x34\x56\x78", 4);
				memcpy(buf + 4, &lo, 4);
				xform_make_iv(&xf, seq, buf + 8);
				memcpy(buf + hl, pt, n);
				j = IMB_GET_NEXT_JOB(mb);
				xform_job_encrypt(&xf, j, buf, n, k.seq_hi, &scr);
				CHECK(run_job(j) == IMB_STATUS_COMPLETED);
				CHECK_MSG(a->cipher == ALG_CIPHER_NULL ||
					  memcmp(buf + hl, pt, n) != 0,
					  "%s: nothing encrypted", a->name);
				memcpy(icv, buf + hl + n, a->icv_len);
				if (!a->aead) {
					openssl_icv(a, akey, a->auth_key_len, buf,
						    hl + n, esn, k.seq_hi, ref);
					CHECK_MSG(memcmp(icv, ref, a->icv_len) == 0,
						  "%s esn %d len %u: ICV vs OpenSSL",
						  a->name, esn, n);
				}
				CHECK_MSG(decrypt_verifies(&k, buf),
					  "%s esn %d len %u: round trip", a->name,
					  esn, n);
				CHECK(memcmp(buf + hl, pt, n) == 0);
				xform_clear(&xf);
			}
		}
	}
}

/* Key setup contract and explicit IVs. */
static void key_setup_and_ivs(void)
{
	static struct xform x2;
	static struct xform_keys xk2;
	uint8_t key[64] = { 1, 2, 3 }, iv1[16], iv2[16], iv3[16], iv4[16];
	const struct alg *gcm = alg_find("aes128gcm16");
	const struct alg *cbc = alg_find("aes128-sha256");
	const struct alg *ctr = alg_find("aes256ctr-sha256");
	const struct alg *nul = alg_find("null-sha1");
	static const uint8_t zero[sizeof(struct xform)];
	static const uint8_t zero_keys[sizeof(struct xform_keys)];

	/* Lengths must be exactly key || salt and the HMAC key size. */
	CHECK(xform_init(&xf, &xk, NULL, false, mb, gcm, key, 16, NULL, 0, false) == -EINVAL);
	CHECK(xform_init(&xf, &xk, NULL, false, mb, gcm, key, 20, key, 20, false) == -EINVAL);
	CHECK(xform_init(&xf, &xk, NULL, false, mb, cbc, key, 16, key, 20, false) == -EINVAL);
	CHECK(xform_init(&xf, &xk, NULL, false, mb, cbc, key, 20, key, 32, false) == -EINVAL);
	CHECK(xform_init(&xf, &xk, NULL, false, mb, ctr, key, 32, key, 32, false) == -EINVAL);
	CHECK(xform_init(&xf, &xk, NULL, false, mb, gcm, key, 20, NULL, 0, true) == 0);
	CHECK(memcmp(xf.salt, key + 16, 4) == 0);
	CHECK(xf.esn && xf.icv_len == 16 && xf.iv_len == 8 && xf.block == 4);

	/* Counter modes: the IV is the sequence number, big endian
	 * (unique per SA, RFC 4106 §3.1, RFC 3686 §3). */
	xform_make_iv(&xf, 0x0102030405060708ull, iv1);
	CHECK(memcmp(iv1, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
	xform_clear(&xf);
	CHECK(memcmp(&xf, zero, sizeof(xf)) == 0);
	CHECK(memcmp(&xk, zero_keys, sizeof(xk)) == 0);	/* keys wiped too */

	/* CBC: unpredictable (RFC 3602 §2.4): not the counter, different for
	 * every sequence number, and different between two SAs with the same
	 * keys; but stable for one SA and one number. */
	CHECK(xform_init(&xf, &xk, NULL, false, mb, cbc, key, 16, key, 32, false) == 0);
	CHECK(xform_init(&x2, &xk2, NULL, false, mb, cbc, key, 16, key, 32, false) == 0);
	xform_make_iv(&xf, 1, iv1);
	xform_make_iv(&xf, 2, iv2);
	xform_make_iv(&xf, 1, iv3);
	xform_make_iv(&x2, 1, iv4);
	CHECK(memcmp(iv1, iv2, 16) != 0);
	CHECK(memcmp(iv1, iv3, 16) == 0);
	CHECK(memcmp(iv1, iv4, 16) != 0);
	CHECK(memcmp(iv1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) != 0);
	xform_clear(&xf);
	xform_clear(&x2);

	/* NULL: no IV at all, nothing written. */
	CHECK(xform_init(&xf, &xk, NULL, false, mb, nul, NULL, 0, key, 20, false) == 0);
	memset(iv1, 0x5a, sizeof(iv1));
	xform_make_iv(&xf, 77, iv1);
	CHECK(iv1[0] == 0x5a && iv1[15] == 0x5a);
	CHECK(xf.iv_len == 0 && xf.icv_len == 12);
	xform_clear(&xf);
}

/*
 * The GHASH key layout xform_init() reports (XF_GHASH_*), which the data
 * path's prefetch relies on, against what ipsec-mb's code really reads: a
 * 16-byte slot of the keys clobbered after the precompute changes some tag
 * only if it is one the layout says holds a power of H (or its Karatsuba
 * half); H^1's slot changes the tag of a one-block message. For every
 * manager this CPU can run.
 */
static unsigned ghash_slots_used(IMB_MGR *m, const struct xform_keys *good,
				 unsigned slot)
{
	static const unsigned blocks[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 48, 49 };
	static struct xform_keys bad;
	static uint8_t in[49 * 16], out[49 * 16];
	uint8_t iv[12] = { 9 }, aad[12] = { 7 }, t1[16], t2[16];
	struct gcm_context_data ctx;
	unsigned changed = 0;

	bad = *good;
	memset((uint8_t *)&bad.gcm + 16 * slot, 0xa5, 16);
	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		uint64_t len = blocks[b] * 16ull;

		IMB_AES128_GCM_ENC(m, &good->gcm, &ctx, out, in, len, iv, aad, 12, t1, 16);
		IMB_AES128_GCM_ENC(m, &bad.gcm, &ctx, out, in, len, iv, aad, 12, t2, 16);
		if (memcmp(t1, t2, 16) != 0)
			changed |= 1u << b;
	}
	return changed;
}

static void ghash_layout_one(void (*init)(IMB_MGR *), const char *name)
{
	static struct xform_keys k;
	const struct alg *gcm = alg_find("aes128gcm16");
	uint8_t key[20] = { 0x42, 1, 2, 3 };
	IMB_MGR *m = alloc_mb_mgr(0);
	unsigned n, last, stray = 0;

	if (m == NULL)
		return;
	init(m);
	CHECK(xform_init(&xf, &k, NULL, false, m, gcm, key, 20, NULL, 0, false) == 0);
	n = xf.layout & XF_GHASH_POWERS;
	CHECK_MSG(n == 8 || n == 48, "%s: %u powers", name, n);
	CHECK_MSG(!(xf.layout & XF_GHASH_KARATSUBA) || n == 8, "%s", name);
	last = 14 + n * (xf.layout & XF_GHASH_KARATSUBA ? 2 : 1);
	/* 15: the first slot after the round keys; 63: the last of the struct */
	for (unsigned slot = 15; slot < sizeof(struct gcm_key_data) / 16; slot++)
		if (ghash_slots_used(m, &k, slot) != 0 && slot > last)
			stray++;
	CHECK_MSG(stray == 0, "%s: %u slots read outside the layout (0x%x)", name,
		  stray, xf.layout);
	CHECK_MSG(ghash_slots_used(m, &k, 14 + n) & 1, "%s: H^1 not at slot %u",
		  name, 14 + n);
	printf("GHASH keys (%s): %u powers%s\n", name, n,
	       xf.layout & XF_GHASH_KARATSUBA ? " and their Karatsuba halves" : "");
	xform_clear(&xf);
	free_mb_mgr(m);
}

static void init_auto(IMB_MGR *m)
{
	init_mb_mgr_auto(m, NULL);
}

static void ghash_layouts(void)
{
	uint64_t f = mb->features;

	ghash_layout_one(init_mb_mgr_sse, "SSE");
	if (f & IMB_FEATURE_AVX)
		ghash_layout_one(init_mb_mgr_avx, "AVX");
	if (f & IMB_FEATURE_AVX2)
		ghash_layout_one(init_mb_mgr_avx2, "AVX2");
	ghash_layout_one(init_auto, "auto");
}

int main(void)
{
	unsigned g16 = 0;

	mb = alloc_mb_mgr(0);
	if (mb == NULL) {
		fprintf(stderr, "alloc_mb_mgr failed\n");
		return 1;
	}
	init_mb_mgr_auto(mb, NULL);

	for (size_t i = 0; i < sizeof(esp_kats) / sizeof(esp_kats[0]); i++) {
		one_kat(&esp_kats[i], false);
		one_kat(&esp_kats[i], true);
		g16 += one_kat_direct(&esp_kats[i]);
	}
	printf("AES-GCM vectors through xform_gcm_*: %u of them by gcm16\n", g16);
	round_trips();
	key_setup_and_ivs();
	ghash_layouts();

	free_mb_mgr(mb);
	return check_summary();
}
