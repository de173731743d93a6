/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_HMAC_X16_H
#define ESPRIT_ESP_HMAC_X16_H
/*
 * HMAC-SHA-1 and HMAC-SHA-256 (RFC 2104 over FIPS 180-4 §6.1, §6.2) of
 * sixteen messages side by side in AVX-512 registers: the ICVs of the
 * encrypt-then-MAC suites with HMAC-SHA-1-96 (RFC 2404) and
 * HMAC-SHA-256-128 (RFC 4868), a burst at a time.
 *
 * Why. ipsec-mb's own 16-lane SHA-1 compresses a block in ~21 cycles a
 * lane (Xeon, Sapphire/Emerald Rapids class), but around it its job
 * manager spends ~60 cycles a job: each job is copied into a lane with
 * its last block padded in the lane's buffer, the inner digest goes back
 * to memory to be hashed again as the outer message, completed jobs come
 * out one per call and the flush clears the idle lanes. An 88-byte ICV
 * (64-byte ESP packet) cost 126 cycles in bursts of 128, of which three
 * compressions are 63. Here each lane's block is read straight from its
 * message (a masked load, padding inserted in the register), sixteen
 * blocks are transposed into words in registers, and the outer hash's
 * block is the inner digest where it already is, in registers. SHA-256
 * is the same shape with a compression about twice as long.
 *
 * Contract:
 *  - hmac_x16_usable(hash): hash is IMB_AUTH_HMAC_SHA_1 or _SHA_256 and
 *    the CPU has AVX512F and AVX512BW. Only then may hmac_x16_jobs() be
 *    called with that hash.
 *  - hmac_x16_jobs(jobs, n, hash) does to each of the n jobs what
 *    IMB_SUBMIT_HASH_BURST_NOCHECK(mb, jobs, n, hash) does: the HMAC of
 *    msg_len_to_hash_in_bytes bytes at src +
 *    hash_start_src_offset_in_bytes, starting from the inner and outer
 *    states at u.HMAC._hashed_auth_key_xor_ipad and _opad (the key blocks
 *    hashed once, as IMB_SHAx_ONE_BLOCK writes them: xform.c), its first
 *    auth_tag_output_len_in_bytes bytes (at most the digest's 20 or 32) to
 *    auth_tag_output, and status IMB_STATUS_COMPLETED. No other field is
 *    read or written.
 *    Messages may have any length, and jobs of one call any mix of
 *    lengths and keys. Not one byte outside a message is read (masked
 *    loads), so a message may end at the end of mapped memory.
 *    Synchronous, no state between calls: any thread may call it.
 *  - Checked by test_hmac_x16 against RFC 2202's and RFC 4231's vectors
 *    and against ipsec-mb on random lengths, keys and tag lengths.
 */
#include <stdbool.h>

#include <intel-ipsec-mb.h>

bool hmac_x16_usable(IMB_HASH_ALG hash);
void hmac_x16_jobs(IMB_JOB *jobs, unsigned n, IMB_HASH_ALG hash);

/* A hash burst on mb (the _NOCHECK variant: the caller has set every
 * field), or on the 16-lane code when mb is NULL: the one place where a
 * NULL manager means this code, for the data path (xform.c) and the
 * tuner that chooses it (xform_tune.c). */
static inline void hmac_x16_or_mb(IMB_MGR *mb, IMB_JOB *jobs, unsigned n,
				  IMB_HASH_ALG hash)
{
	if (mb == NULL)
		hmac_x16_jobs(jobs, n, hash);
	else
		IMB_SUBMIT_HASH_BURST_NOCHECK(mb, jobs, n, hash);
}

#endif
