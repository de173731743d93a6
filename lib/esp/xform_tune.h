/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_XFORM_TUNE_H
#define ESPRIT_ESP_XFORM_TUNE_H
/*
 * Which ipsec-mb manager encrypts a burst of short AES-CBC payloads, and
 * which computes a burst of short HMAC-SHA-1 or HMAC-SHA-256 ICVs.
 *
 * CBC encryption is one chain of AES rounds per packet, so ipsec-mb runs
 * packets side by side in lanes: 16 in its AVX-512 code, 4 or 8 in its SSE
 * code. For a burst of short payloads the wide code's set-up and lane
 * juggling cost more than they save. Measured per packet, 48-byte payloads
 * in bursts of 64: Xeon (Emerald Rapids) AVX-512 52 cycles, SSE 38; AMD
 * Zen 4 (AVX-512 in two halves) 60-72 against 44-53. Around 200 bytes the
 * wide code wins, and by far above that. Decryption has no chain (the
 * blocks are independent) and the AVX-512 code is the faster at every
 * length, so only encryption is tuned. The crossover differs by CPU, so it
 * is measured, not assumed.
 *
 * Contract: xform_tune_cbc_narrow() times AES-128-CBC encryption bursts of
 * `burst` jobs on both managers, alternating, at payloads of 48 to 1440
 * bytes, 201 bursts each, and returns the payload length up to which
 * the caller is to use the narrow manager: of the steps "narrow up to
 * this length, wide above", the one with the most gain summed over the
 * lengths tried, gain being the relative difference of median bursts; 0
 * when no step gains (then the caller keeps to the wide manager). A step,
 * not each length's own winner, because one length can come out on the
 * wrong side on a shared host. It takes some tens of
 * milliseconds and allocates nothing it keeps; call it once at start-up on
 * a core of the kind the workers run on. Returns 0 too if it cannot get
 * memory.
 *
 * HMAC has the same shape: each message is one chain of compression
 * rounds, which the wide code runs 8 or 16 messages side by side. The SSE
 * manager runs SHA-1 and SHA-256 one message at a time on the SHA
 * extensions (SHA-NI) where the CPU has them, with no lanes to fill and
 * flush. Measured per ICV, bursts of 32, on AMD Zen 3 (AVX2 wide code),
 * median burst: 88-byte messages 452 cycles wide, 292 narrow; 536 bytes
 * 884 against 609; 1448 bytes 1843 against 1330. The wide code's best
 * bursts are close to the narrow code's (270 against 223 at 88 bytes),
 * its typical ones are not. Without SHA-NI the SSE code is slower at
 * every length and the tuner finds so.
 *
 * Contract: xform_tune_hmac_narrow() times hash bursts of `burst` jobs of
 * `hash` the same way, at messages of 72 to 1464 bytes (ESP header, 16-byte
 * IV and payload), and returns the message length up to which the caller
 * is to use the narrow manager, chosen the same way; 0 when no step
 * gains, or for any hash but HMAC-SHA-1 and HMAC-SHA-256 (no SHA
 * instructions exist for the others: the wide code keeps them).
 *
 * For HMAC-SHA-1 and HMAC-SHA-256 either manager may be NULL, which stands
 * for esprit's own 16-lane code (hmac_x16.h; 0 where it cannot run): it
 * leaves out ipsec-mb's job handling around the compressions, so it wins
 * on short messages (Xeon, bursts of 128, HMAC-SHA-1: 94 cycles an 88-byte
 * ICV against 127) and can lose on long ones (471 against 438 at 1016
 * bytes), where the wide code's compression, in assembly, is the faster
 * and its job handling counts for little.
 */
#include <stdint.h>

#include <intel-ipsec-mb.h>

uint32_t xform_tune_cbc_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst);
uint32_t xform_tune_hmac_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst,
				IMB_HASH_ALG hash);

#endif
