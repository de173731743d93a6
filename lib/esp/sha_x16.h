/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_SHA_X16_H
#define ESPRIT_ESP_SHA_X16_H
/*
 * The SHA-1 and SHA-256 compression functions (FIPS 180-4 §6.1.2 and
 * §6.2.2) of sixteen lanes at once: element m of each 512-bit register
 * is lane m's 32-bit word. For hmac_x16.c, which feeds the lanes.
 *
 * Contract: s holds the state words (5 for SHA-1, 8 for SHA-256) and w the
 * message block's words W0..W15, already in the big-endian reading of
 * §3.1; w is overwritten (the message schedule runs in it). Only the
 * lanes set in act take the result into s; the others keep their state.
 * Callers must have checked that the CPU has AVX512F and AVX512BW.
 */
#include <immintrin.h>

#define SHA_X16_TARGET __attribute__((target("avx512f,avx512bw")))

SHA_X16_TARGET void sha1_x16(__m512i *s, __m512i *w, __mmask16 act);
SHA_X16_TARGET void sha256_x16(__m512i *s, __m512i *w, __mmask16 act);

#endif
