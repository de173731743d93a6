/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_ESP_AES_H
#define ESPRIT_ESP_AES_H
/*
 * What every AES user here needs of FIPS 197 and nothing else: the round
 * count of a key size, for the key schedules gcm16.h and xform.h keep
 * (Nr + 1 round keys of 16 bytes).
 */

/* Nr of an AES key of key_bytes (16, 24 or 32): 10, 12 or 14 (§5, Fig. 4). */
static inline unsigned aes_rounds(unsigned key_bytes)
{
	return key_bytes == 16 ? 10 : key_bytes == 24 ? 12 : 14;
}

#endif
