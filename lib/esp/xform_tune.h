/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_XFORM_TUNE_H
#define ESPRIT_ESP_XFORM_TUNE_H
/*
 * Which ipsec-mb manager encrypts a burst of short AES-CBC payloads.
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
 * `burst` jobs on both managers, alternating, at payloads of 48 to 496
 * bytes, and returns the longest payload length up to which the narrow
 * manager was at least 10% faster at every length tried; 0 when it never
 * was (then the caller keeps to the wide manager). It takes a few
 * milliseconds and allocates nothing it keeps; call it once at start-up on
 * a core of the kind the workers run on. Returns 0 too if it cannot get
 * memory.
 */
#include <stdint.h>

#include <intel-ipsec-mb.h>

uint32_t xform_tune_cbc_narrow(IMB_MGR *wide, IMB_MGR *narrow, unsigned burst);

#endif
