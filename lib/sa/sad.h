/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SA_SAD_H
#define ESPRIT_SA_SAD_H
/*
 * A worker's inbound SAD index (RFC 4301 §4.4.2): SPI -> SA.
 *
 * Open addressing with linear probing in a power-of-two table kept at most
 * 5/8 full, keyed by the SPI as received (network order) and hashed with
 * one CRC32 instruction: a lookup is a hash, usually one 16-byte slot, and
 * no call, where rte_hash spent ~25 cycles per packet (jhash, bucket
 * signatures, memcmp through a pointer). A slot also holds the SA's id, the
 * index of the worker's per-SA tables (dp.h), so that a packet finds both
 * without reading the SA.
 *
 * Sized by what is installed, not by the gateway's limit: the table starts
 * at SAD_MIN_SLOTS and doubles when an add would fill it beyond 5/8, so
 * that it holds n SAs in at most 16n/5 slots (16 bytes each). Sized for
 * the most SAs the gateway may hold (twice its configured SAs and more,
 * gateway.c), it took 2 MiB per worker for 10,000 inbound SAs, whose
 * lookups then touched 10,000 lines of it; now 256 KiB, 4,096 lines.
 *
 * Contract:
 *  - One table per worker, which is its only reader and writer (SA messages
 *    are applied between bursts, dp.h): no synchronisation. A lookup reads
 *    the table's header, then the slots; the header stays where it is when
 *    the slots are reallocated (sad_add), so callers keep their pointer.
 *  - sad_add() may allocate (rte_malloc, on the table's socket) and rehash:
 *    once per doubling, O(n), between bursts. If that allocation fails the
 *    entry still goes in while the table is at most 7/8 full, else the add
 *    fails with -ENOMEM and the table is unchanged. Tables never shrink.
 *  - SPI 0 is reserved (RFC 4303 §2.1) and marks an empty slot; it is never
 *    stored, and looking it up finds nothing.
 *  - Deletion moves the following entries back (no tombstones), so probe
 *    sequences stay as short as the load allows.
 */
#include <errno.h>
#include <stdint.h>

#include <rte_hash_crc.h>

#include "util/prefetch.h"

struct sad_ent {
	uint32_t spi_be;	/* 0: empty */
	uint32_t id;		/* the SA's */
	void *sa;
};

#define SAD_MIN_SLOTS 64u

struct sad {
	struct sad_ent *e;	/* the slots */
	uint32_t mask;		/* slots - 1 */
	uint32_t n, max;	/* entries, most entries allowed */
	int socket;		/* where the slots are allocated */
};

/* An empty table for at most max SAs; NULL when out of memory. */
struct sad *sad_create(uint32_t max, int socket);
void sad_free(struct sad *t);
/* Map spi_be to sa (whose id is id), replacing an existing mapping;
 * -EINVAL for SPI 0, -ENOSPC with max entries already, -ENOMEM when the
 * table had to grow and could not (see the contract). */
int sad_add(struct sad *t, uint32_t spi_be, uint32_t id, void *sa);
/* Remove spi_be if it maps to sa (a newer SA may own the SPI by now). */
void sad_del(struct sad *t, uint32_t spi_be, const void *sa);

static inline uint32_t sad_home(const struct sad *t, uint32_t spi_be)
{
	return rte_hash_crc_4byte(spi_be, 0) & t->mask;
}

/* For a burst: fetch the slots before they are looked up. */
static inline void sad_prefetch(const struct sad *t, uint32_t spi_be)
{
	prefetch_cold(&t->e[sad_home(t, spi_be)]);
}

/* The slot of spi_be, NULL when it has none. */
static inline const struct sad_ent *sad_find(const struct sad *t, uint32_t spi_be)
{
	for (uint32_t i = sad_home(t, spi_be);; i = (i + 1) & t->mask) {
		const struct sad_ent *e = &t->e[i];

		if (e->spi_be == spi_be)
			return spi_be ? e : NULL;	/* SPI 0: an empty slot */
		if (e->spi_be == 0)
			return NULL;
	}
}

static inline void *sad_lookup(const struct sad *t, uint32_t spi_be)
{
	const struct sad_ent *e = sad_find(t, spi_be);

	return e ? e->sa : NULL;
}

#endif
