/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_UTIL_HEX_H
#define ESPRIT_UTIL_HEX_H
/*
 * Hex key material and secret hygiene.
 *
 * hex_decode accepts "0x" prefixes and ':' separators ("de:ad:be:ef",
 * "0xdeadbeef", "deadbeef"); it returns the number of bytes written or
 * -EINVAL / -ENOSPC, and never echoes the input (it may be a key).
 */
#include <stddef.h>
#include <stdint.h>

int hex_decode(const char *s, uint8_t *out, size_t cap);
/* The value of one hex digit, or -1. */
int hex_digit(char c);
void hex_encode(const uint8_t *in, size_t n, char *out); /* out: 2n+1 bytes */
/* Zero memory in a way the compiler may not elide (keys going away). */
void secure_zero(void *p, size_t n);
/* Constant-time comparison: 0 when equal. */
int ct_memcmp(const void *a, const void *b, size_t n);

#endif
