/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_XFORM_H
#define ESPRIT_ESP_XFORM_H
/*
 * The crypto half of an SA: keys expanded once when the SA is installed, and
 * the functions that fill an ipsec-mb job for one ESP packet.
 *
 * Contract:
 *  - xform_init() expands keys with the given manager (any lcore's: the
 *    results are plain data) and precomputes HMAC inner/outer states, so the
 *    per-packet path never touches raw keys. xform_clear() zeroes it all.
 *  - xform_job_encrypt / xform_job_decrypt describe one packet to a job;
 *    they only set fields and never submit. `esp` points at the ESP header
 *    inside the packet; the payload (what is encrypted) follows the IV. The
 *    ICV is written to / compared against by the caller, see esp_outb.c and
 *    esp_inb.c for the framing. Sequence-number high bits (ESN) enter the
 *    ICV per RFC 4303 §2.2.1: in the AAD for AEAD suites (RFC 4106 §5,
 *    RFC 7634 §2.1), appended to the authenticated data otherwise.
 */
#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "sa/alg.h"

/* Per-packet scratch a job points into: lives until the job completes. */
struct xform_scratch {
	uint8_t iv[16];		/* salt || IV for GCM, CTR, ChaCha20 */
	uint8_t aad[16];	/* SPI || ESN high || seq low */
	uint8_t icv[32];	/* computed ICV (inbound) */
	uint8_t saved[32];	/* received ICV, moved aside for ESN (inbound) */
} __attribute__((aligned(16)));

struct xform {
	const struct alg *alg;
	IMB_CIPHER_MODE cipher;
	IMB_HASH_ALG hash;
	uint8_t key_bytes;	/* cipher key length for ipsec-mb */
	uint8_t iv_len, icv_len, block;
	uint8_t salt[4];
	bool esn;
	/* Keys: only the ones the suite uses are set. */
	union {
		struct gcm_key_data gcm;
		struct {
			uint32_t enc[60] __attribute__((aligned(16)));
			uint32_t dec[60] __attribute__((aligned(16)));
		} aes;
		uint8_t chacha[32];
	} k __attribute__((aligned(64)));
	uint8_t ipad[64] __attribute__((aligned(16)));
	uint8_t opad[64] __attribute__((aligned(16)));
	/* CBC: IVs must be unpredictable (RFC 3602 §2.4); they are the AES
	 * encryption of the 64-bit sequence number under this separate random
	 * key, one aesenc chain per packet instead of a random source. */
	uint32_t ivkey[44] __attribute__((aligned(16)));
};

int xform_init(struct xform *x, IMB_MGR *mb, const struct alg *a,
	       const uint8_t *ekey, unsigned ekey_len, const uint8_t *akey,
	       unsigned akey_len, bool esn);
void xform_clear(struct xform *x);

/* The explicit IV for a packet with this 64-bit sequence number. */
void xform_make_iv(const struct xform *x, uint64_t seq, uint8_t *iv);

/*
 * Encrypt: esp = ESP header (SPI, seq) followed by IV (already written) and
 * plaintext payload of pay_len bytes (padded, trailer included); the ICV is
 * written at esp + 8 + iv_len + pay_len. seq_hi is the ESN high half in host
 * order (ignored without ESN). For non-AEAD suites with ESN, the 4 bytes at
 * the ICV position are overwritten with seq_hi first (they are the ICV's
 * room anyway).
 */
void xform_job_encrypt(const struct xform *x, IMB_JOB *j, uint8_t *esp,
		       uint32_t pay_len, uint32_t seq_hi,
		       struct xform_scratch *s);
/*
 * Decrypt: the same framing as received; the computed ICV lands in s->icv
 * and the caller compares it with xform_received_icv() in constant time.
 */
void xform_job_decrypt(const struct xform *x, IMB_JOB *j, uint8_t *esp,
		       uint32_t pay_len, uint32_t seq_hi,
		       struct xform_scratch *s);
const uint8_t *xform_received_icv(const struct xform *x, const uint8_t *esp,
				  uint32_t pay_len,
				  const struct xform_scratch *s);

/*
 * AES-GCM is single-buffer in ipsec-mb: going through the job manager only
 * adds its bookkeeping (about half the cost of a 64-byte packet), so GCM SAs
 * call the cipher directly and complete at once. Same framing and result as
 * the job functions above; open writes the computed ICV to s->icv.
 */
static inline bool xform_is_direct(const struct xform *x)
{
	return x->cipher == IMB_CIPHER_GCM;
}
void xform_gcm_seal(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s);
void xform_gcm_open(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s);

#endif
