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
 *  - Where the caller gives a slot (union xform_slot), the keys a packet
 *    reads go there (XF_SLOT) and the xform_keys given keep the rest:
 *    AES-GCM's when the CPU runs gcm16.h (xf.g16; such an xform is sealed
 *    and opened by xform_gcm_*() only, not by the job functions), and an
 *    encrypt-then-MAC suite's for one direction (xf.etm; such an xform
 *    then only encrypts, or only decrypts), and ChaCha20-Poly1305's key
 *    (xf.chacha, 32 bytes, both directions). What the xform still reads of
 *    the xform_keys given (~1.3 KB) is then at most AES-CBC's IV key,
 *    which xform_keys_move() takes elsewhere, so that an SA keeps only
 *    what it uses (xform_keys_kept()).
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
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>

#include "esp/gcm16.h"
#include "sa/alg.h"
#include "util/prefetch.h"

/* Per-packet scratch a job points into: lives until the job completes. */
struct xform_scratch {
	uint8_t iv[16];		/* salt || IV for GCM, CTR, ChaCha20 */
	uint8_t aad[16];	/* SPI || ESN high || seq low */
	uint8_t icv[32];	/* computed ICV (inbound) */
	uint8_t saved[32];	/* received ICV, moved aside for ESN (inbound) */
} __attribute__((aligned(16)));

/* How a worker runs an SA's crypto, chosen once in xform_init() (as DPDK
 * lib/ipsec picks its handlers when a session is set up). */
enum xform_path {
	XF_PATH_JOB,	/* ipsec-mb job manager, one job per packet */
	XF_PATH_GCM,	/* AES-GCM single-buffer API per packet, xform_gcm_*() */
	XF_PATH_ETM,	/* AES-CBC/CTR + HMAC: cipher and hash bursts, xform_etm_*() */
};

/* The keys, expanded once when the SA is installed, each table from a line
 * of its own: ipsec-mb's AVX-512 code reads them in whole lines. */
struct xform_keys {
	union {
		struct gcm_key_data gcm;
		struct {
			uint32_t enc[60] __attribute__((aligned(64)));
			uint32_t dec[60] __attribute__((aligned(64)));
		} aes;
		uint8_t chacha[32];
	} __attribute__((aligned(64)));
	uint8_t ipad[64] __attribute__((aligned(64)));
	uint8_t opad[64];
	/* CBC: IVs must be unpredictable (RFC 3602 §2.4); xform_make_iv()'s
	 * are the AES encryption of the 64-bit sequence number under this
	 * separate random key. The workers give their own (ivgen.h) and never
	 * read it: it serves esp_outb_encap() without a given IV. */
	uint32_t ivkey[44] __attribute__((aligned(64)));
};

/*
 * An encrypt-then-MAC SA's keys for the one direction it runs, compact, in
 * the caller's slot (union xform_slot: an SA's lines 3-10, sa.h): the AES
 * round keys of the schedule that direction uses (AES-CBC's decryption
 * schedule inbound, else the encryption one), 16 (Nr + 1) bytes from b[0];
 * then the hashed inner and outer pads (hmac_pads in xform.c), pad_len
 * bytes each (xform_etm_pad_len: 32, or 64 for HMAC-SHA-384/512) from
 * x->pad, which is the round keys' end rounded up to pad_len.
 *
 * Why: kept in struct xform_keys (~1.3 KB an SA, sized for ipsec-mb's
 * GCM key data, allocated apart with the SA's parameters), a packet of an
 * AES-128-CBC + HMAC-SHA1 SA read five key lines from a region of ~35 MB
 * for 10,000 SAs, beyond this guest's TLB reach; here it reads four (176
 * bytes of round keys and two 32-byte pads), next to the SA's lines 0-1
 * in its slab (docs/performance.md, thirteenth session).
 */
#define XF_ETM_BYTES (16 * 16 + 2 * 64)	/* AES-256 and HMAC-SHA-512 */
struct xform_etm_keys {
	uint8_t b[XF_ETM_BYTES];
	/* AES-CBC's IV key (XF_IVKEY_BYTES), which only xform_make_iv()
	 * reads (no worker): in the xform_keys given to xform_init(), or
	 * where xform_keys_move() put it; NULL for the other ciphers */
	uint32_t *ivkey;
} __attribute__((aligned(64)));
#define XF_IVKEY_BYTES sizeof(((struct xform_keys *)0)->ivkey)

/* Where xform_init() puts the keys a packet reads when the caller gives
 * a place for them (XF_SLOT): gcm16's for AES-GCM, run by gcm16.h, an
 * encrypt-then-MAC suite's for one direction, or ChaCha20-Poly1305's key,
 * which ipsec-mb's jobs read from there. */
union xform_slot {
	struct gcm16_key g16;
	struct xform_etm_keys etm;
	uint8_t chacha[32];
};

/*
 * What a packet's crypto needs besides the keys: 24 bytes, so that it
 * shares a cache line with the SA's other per-packet fields (sa.h) while
 * the keys live in the SA's slot (XF_SLOT: AES-GCM by gcm16.h and the
 * encrypt-then-MAC suites) or, ~1.3 KB of them, apart (struct xform_keys).
 */
struct xform {
	uint8_t cipher;		/* IMB_CIPHER_MODE */
	uint8_t hash;		/* IMB_HASH_ALG */
	uint8_t key_bytes;	/* cipher key length for ipsec-mb */
	uint8_t iv_len, icv_len, block;
	bool esn, aead;
	uint8_t path;		/* enum xform_path */
	uint8_t salt[4];
	uint8_t layout;		/* where the keys are: XF_SLOT or not; for
				 * AES-GCM the XF_GHASH_* layout of k->gcm */
	union {
		uint16_t h1;	/* GCM: where H^1 is from k (XF_GHASH_*) */
		uint16_t pad;	/* ETM in the slot: where the inner pad is */
	};
	union {
		struct xform_keys *k;	/* given to xform_init() */
		/* instead, with XF_SLOT, in the slot given: */
		struct gcm16_key *g16;		/* AES-GCM */
		struct xform_etm_keys *etm;	/* encrypt-then-MAC suites */
		uint8_t *chacha;		/* ChaCha20-Poly1305 */
	};
};

/* An encrypt-then-MAC suite's hashed pad, as struct xform_etm_keys keeps
 * it: the hash's state (SHA-1's 20 bytes, SHA-256's 32) in 32 bytes, or
 * SHA-384/512's in 64. */
static inline unsigned xform_etm_pad_len(const struct xform *x)
{
	return x->hash == IMB_AUTH_HMAC_SHA_384 || x->hash == IMB_AUTH_HMAC_SHA_512
		       ? 64 : 32;
}

/*
 * Where ipsec-mb's GCM precompute put the GHASH keys: it depends on the code
 * the manager runs, not on anything in the header. After the 240 bytes of
 * round keys come N powers of H, highest first (H^i at byte 16 * (15 + N - i),
 * H^1 last): N = 8 for SSE, AVX, AVX2 and AVX-512, 48 for VAES AVX-512. SSE
 * and AVX follow them with the Karatsuba halves of H^1..H^8. xform.c
 * finds out which (ghash_layout()), xform_prefetch_keys() uses it.
 */
#define XF_GHASH_POWERS 0x3fu	/* N */
/* The keys are in the caller's union xform_slot: AES-GCM's gcm16.h's own,
 * which then seals and opens it (g16, GCM16_HPOW); an encrypt-then-MAC
 * suite's for one direction (etm, struct xform_etm_keys); ChaCha20-
 * Poly1305's (chacha). */
#define XF_SLOT 0x40u
#define XF_GHASH_KARATSUBA 0x80u

/* keys: where the expanded keys go (the caller's, 64-byte aligned); x
 * points to them from now on. slot: where the keys a packet reads go
 * instead (XF_SLOT), or NULL: AES-GCM's when gcm16.h runs it (x->g16),
 * else left to ipsec-mb; an encrypt-then-MAC suite's for the direction
 * `inbound` says (x->etm), which is then the only one x may run;
 * ChaCha20-Poly1305's key (x->chacha). */
int xform_init(struct xform *x, struct xform_keys *keys,
	       union xform_slot *slot, bool inbound, IMB_MGR *mb,
	       const struct alg *a, const uint8_t *ekey, unsigned ekey_len,
	       const uint8_t *akey, unsigned akey_len, bool esn);
/* Zero the parameters and the keys. */
void xform_clear(struct xform *x);

/*
 * How many bytes of the xform_keys given to xform_init() x still reads:
 * all of them without a slot; with one, AES-CBC's IV key
 * (XF_IVKEY_BYTES) or nothing. xform_keys_move() copies those bytes to
 * dst (64-byte aligned, that long), points x there and wipes them where
 * they were, so that the caller may free the xform_keys; xform_clear()
 * then wipes dst.
 */
size_t xform_keys_kept(const struct xform *x);
void xform_keys_move(struct xform *x, void *dst);

/*
 * Copy an IV (8 or 16 bytes, or none: alg.c) or an ICV (12, 16, 24 or 32)
 * by constant-size copies. GCC inlines a memcpy of variable length as
 * rep movsq when tuning for Intel cores, which takes ~40 cycles to start:
 * on a Xeon (Emerald Rapids) that was a tenth of a 64-byte CBC packet.
 */
static inline void xform_copy_small(uint8_t *d, const uint8_t *s, unsigned n)
{
	switch (n) {
	case 0:
		break;
	case 8:
		memcpy(d, s, 8);
		break;
	case 12:
		memcpy(d, s, 12);
		break;
	case 16:
		memcpy(d, s, 16);
		break;
	case 24:
		memcpy(d, s, 24);
		break;
	case 32:
		memcpy(d, s, 32);
		break;
	default:
		memcpy(d, s, n);
	}
}

/* The explicit IV for a packet with this 64-bit sequence number. For CBC
 * the encryption of the number under the SA's IV key: esp_outb_encap()'s
 * way when no IV is given; the workers give their own (ivgen.h). */
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
 * The keys a packet of this xform reads (sa_prefetch_keys): the AES round
 * keys (encryption or decryption schedule), and per suite the HMAC pads or
 * the GHASH keys a message of pay_len bytes uses: one of n blocks
 * multiplies by H^1..H^min(n, N) (XF_GHASH_*), and only those lines are
 * fetched, as a flush+reload of ipsec-mb 1.3's code showed it reads them
 * (VAES AVX-512, AVX2: the lines of H^n..H^1; SSE and AVX: below 128 bytes
 * only H^1's, above it every power and the Karatsuba halves). Our own
 * AES-GCM (XF_SLOT, gcm16.h) multiplies by H^min(n + 2, 17)..H^1:
 * a 64-byte frame's 52-byte payload by H^6..H^1, two lines; a payload of
 * 225 bytes or more by H^17..H^1, five lines, where ipsec-mb's 48-block
 * code read twelve. Reads x's line, so call it once that is cached.
 */
static inline void xform_prefetch_keys(const struct xform *x, bool decrypt,
				       uint32_t pay_len)
{
	/* x->k, x->g16, x->etm and x->chacha are one pointer: the round
	 * keys are at its start in all but the inbound AES-CBC schedule of
	 * xform_keys */
	const char *k = (const char *)x->k;
	bool slot = x->layout & XF_SLOT;

	if (x->path == XF_PATH_JOB) {
		/* what ipsec-mb's job reads: ChaCha20-Poly1305's key, at the
		 * start of the slot or of xform_keys; ENCR_NULL's HMAC pads */
		if (x->cipher == IMB_CIPHER_CHACHA20_POLY1305) {
			prefetch_cold(k);
		} else {
			prefetch_cold(x->k->ipad);
			prefetch_cold(x->k->opad);
		}
		return;
	}
	if (x->path == XF_PATH_ETM && decrypt && x->cipher == IMB_CIPHER_CBC &&
	    !slot)
		k = (const char *)x->k->aes.dec;
	/* round keys: 176 bytes (AES-128), 240 (AES-256); no loop, this
	 * runs once per packet when every packet has an SA of its own */
	prefetch_cold(k);
	prefetch_cold(k + 64);
	prefetch_cold(k + 128);
	if (x->key_bytes > 16)
		prefetch_cold(k + 192);
	if (x->path == XF_PATH_ETM) {
		if (!slot) {
			prefetch_cold(x->k->ipad);
			prefetch_cold(x->k->opad);
			return;
		}
		/* both pads in one line, but HMAC-SHA-384/512's */
		prefetch_cold(k + x->pad);
		if (xform_etm_pad_len(x) > 32)
			prefetch_cold(k + x->pad + 64);
	} else if (slot) {	/* AES-GCM by gcm16.h, the usual */
		/* H^i is at H^1 - 16 (i - 1); every line from H^top's to
		 * H^1's, each step less than a line */
		const char *h = (const char *)x->g16 + x->h1;
		const char *p = h - 16 * (RTE_MIN((pay_len + 15) / 16 + 2, 17u) - 1);

		for (; p < h; p += 64)
			prefetch_cold(p);
		prefetch_cold(h);
	} else if (x->path == XF_PATH_GCM) {
		uint32_t h1 = x->h1, n = x->layout & XF_GHASH_POWERS;
		uint32_t nb = (pay_len + 15) / 16;
		/* the highest power the message is multiplied by */
		uint32_t top = RTE_MIN(nb, n);

		/* H^1's line, which has H^3..H^1 in every layout; the lines
		 * below it only for longer payloads, whose crypto takes far
		 * longer than the loop */
		k = (const char *)&x->k->gcm;
		prefetch_cold(k + h1);
		if (top > ((h1 & 63) >> 4) + 1)
			for (uint32_t off = 16 * (15 + n - top) & ~63u; /* H^top's */
			     off < (h1 & ~63u); off += 64)
				prefetch_cold(k + off);
		if ((x->layout & XF_GHASH_KARATSUBA) && pay_len >= 128) {
			prefetch_cold(k + h1 + 64);	/* H^1_k .. H^8_k */
			prefetch_cold(k + h1 + 128);
		}
	}
}

/* Computed against received ICV in constant time: words XORed and ORed with
 * no early exit (every ICV length is a multiple of 4); the empty asm keeps
 * the compiler from reasoning about the running value. A byte loop through
 * volatile pointers cost ~11 cycles per packet. */
static inline bool xform_icv_equal(const uint8_t *a, const uint8_t *b,
				   unsigned len)
{
	uint32_t d = 0;

	for (unsigned i = 0; i < len; i += 4) {
		uint32_t x, y;

		memcpy(&x, a + i, 4);
		memcpy(&y, b + i, 4);
		d |= x ^ y;
		__asm__("" : "+r"(d));
	}
	return d == 0;
}

/*
 * AES-GCM is single-buffer: going through the job manager only adds its
 * bookkeeping (about half the cost of a 64-byte packet), so GCM SAs call
 * the cipher directly and complete at once: our own (gcm16.h) where the
 * SA's keys have the VAES AVX-512 layout (XF_SLOT), else ipsec-mb's.
 * Same framing and result as the job functions above; open writes the
 * computed ICV to s->icv.
 */
static inline bool xform_is_direct(const struct xform *x)
{
	return x->path == XF_PATH_GCM;
}
void xform_gcm_seal(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s);
void xform_gcm_open(const struct xform *x, IMB_MGR *mb, uint8_t *esp,
		    uint32_t pay_len, uint32_t seq_hi, struct xform_scratch *s);

/*
 * Encrypt-then-MAC suites in bursts (ipsec-mb's cipher-only and hash-only
 * burst API): about 40 cycles per 64-byte packet cheaper than the job
 * manager, which has to schedule and flush its multi-buffer lanes. The jobs
 * are the caller's array, filled by xform_job_encrypt/decrypt(); one burst
 * holds jobs of SAs of one class only (xform_etm_same_class). Synchronous:
 * every job is complete when the call returns.
 *  - seal: encrypt (on cipher_mb: mb, or for bursts of short AES-CBC
 *    payloads a manager that encrypts those faster, xform_tune.h; the
 *    ciphertext is the same either way), then the ICV over ESP header, IV
 *    and ciphertext (on mb: likewise any manager, e.g. for short HMAC-SHA
 *    messages the SSE one where it runs on SHA-NI; or NULL, for HMAC-SHA-1
 *    and HMAC-SHA-256 where hmac_x16_usable(): esprit's 16-lane code).
 *  - verify: the ICV only (into each job's scratch, as decrypt jobs say;
 *    on mb, chosen as seal's); the caller compares, then decrypts the
 *    authentic ones with open.
 */
static inline bool xform_etm_same_class(const struct xform *a,
					const struct xform *b)
{
	return a->cipher == b->cipher && a->key_bytes == b->key_bytes &&
	       a->hash == b->hash;
}
void xform_etm_seal(const struct xform *x, IMB_MGR *mb, IMB_MGR *cipher_mb,
		    IMB_JOB *jobs, unsigned n);
void xform_etm_verify(const struct xform *x, IMB_MGR *mb, IMB_JOB *jobs,
		      unsigned n);
void xform_etm_open(const struct xform *x, IMB_MGR *mb, IMB_JOB *jobs,
		    unsigned n);

#endif
