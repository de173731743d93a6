/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' inbound SPI index (lib/sa/sad.c): lookups after adds (the
 * SA and its id), replacement, deletion only of the SA named, SPI 0 never
 * found, a full
 * table refusing more, growth from the smallest table to one sized by
 * what it holds, and a long random sequence of adds and deletes (through
 * several doublings) cross-checked against a plain array (backward-shift
 * deletion must keep every remaining SPI reachable).
 */
#include <stdbool.h>
#include <stdlib.h>

#include <rte_eal.h>

#include "check.h"
#include "sa/sad.h"

static int eal_up(void)
{
	char *argv[] = { "test", "--no-huge", "-m", "64", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf",
			 "--file-prefix", "test_sad", NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static void *tag(uintptr_t i)
{
	return (void *)(i * 16 + 8);
}

/* The SA and id stored for spi, or NULL. */
static const struct sad_ent *found(const struct sad *t, uint32_t spi, uintptr_t i)
{
	const struct sad_ent *e = sad_find(t, spi);

	return e && e->sa == tag(i) && e->id == i + 100 ? e : NULL;
}

static void basics(void)
{
	struct sad *t = sad_create(4, 0);

	CHECK(t != NULL);
	CHECK(sad_lookup(t, 0) == NULL);
	CHECK(sad_find(t, 0) == NULL);
	CHECK(sad_add(t, 0, 101, tag(1)) == -EINVAL);
	CHECK(sad_add(t, 0x05000000, 101, tag(1)) == 0);
	CHECK(sad_lookup(t, 0x05000000) == tag(1));
	CHECK(found(t, 0x05000000, 1) != NULL);
	CHECK(sad_lookup(t, 0x06000000) == NULL && sad_find(t, 0x06000000) == NULL);
	CHECK(sad_lookup(t, 0) == NULL);
	/* same SPI again: the newer SA wins, id included; the count does
	 * not grow */
	CHECK(sad_add(t, 0x05000000, 102, tag(2)) == 0);
	CHECK(sad_lookup(t, 0x05000000) == tag(2) && t->n == 1);
	CHECK(found(t, 0x05000000, 2) != NULL);
	/* deleting on behalf of the old SA leaves the new one */
	sad_del(t, 0x05000000, tag(1));
	CHECK(sad_lookup(t, 0x05000000) == tag(2));
	sad_del(t, 0x05000000, tag(2));
	CHECK(sad_lookup(t, 0x05000000) == NULL && t->n == 0);
	sad_del(t, 0x07000000, tag(3)); /* absent: nothing happens */
	for (uint32_t i = 1; i <= 4; i++)
		CHECK(sad_add(t, i << 8, i + 100, tag(i)) == 0);
	CHECK(sad_add(t, 5 << 8, 105, tag(5)) == -ENOSPC);
	CHECK(sad_add(t, 4 << 8, 109, tag(9)) == 0); /* replacing still works */
	CHECK(found(t, 4 << 8, 9) != NULL);
	for (uint32_t i = 1; i <= 3; i++)
		CHECK(found(t, i << 8, i) != NULL);
	sad_free(t);
}

/* SPIs as IKE picks them: random-looking; here a bijection of i. */
static uint32_t spi_of(uint32_t i)
{
	return i * 2654435761u;
}

/* 20,000 SAs into a table for 100,000: it grows from SAD_MIN_SLOTS to
 * the 32,768 slots 20,000 entries need at 5/8 (not the 262,144 that 2 x
 * 100,000 would be), every SPI still found, also after half are gone. */
static void growth(void)
{
	enum { N = 20000 };
	struct sad *t = sad_create(100000, 0);
	unsigned bad = 0;

	CHECK(t != NULL && t->mask + 1 == SAD_MIN_SLOTS);
	for (uint32_t i = 1; i <= N; i++) {
		bad += sad_add(t, spi_of(i), i + 100, tag(i)) != 0;
		if (i == 40)	/* 5/8 of 64: still the first table */
			bad += t->mask + 1 != SAD_MIN_SLOTS;
	}
	CHECK_MSG(bad == 0, "%u failed adds", bad);
	CHECK_MSG(t->mask + 1 == 32768, "%u slots", t->mask + 1);
	CHECK(t->n == N);
	for (uint32_t i = 1; i <= N; i++)
		bad += found(t, spi_of(i), i) == NULL;
	for (uint32_t i = 1; i <= N; i += 2)
		sad_del(t, spi_of(i), tag(i));
	for (uint32_t i = 1; i <= N; i++)
		bad += i % 2 ? sad_find(t, spi_of(i)) != NULL
			     : found(t, spi_of(i), i) == NULL;
	CHECK_MSG(bad == 0, "%u lookups wrong", bad);
	CHECK(t->n == N / 2 && t->mask + 1 == 32768);	/* never shrinks */
	sad_free(t);
}

/* The table has what the model has for spi: nothing, or tag(i) with id
 * i + 100 (after moves by backward-shift deletion too). */
static bool agrees(const struct sad *t, uint32_t spi, void *model)
{
	uintptr_t i = ((uintptr_t)model - 8) / 16;

	return model == NULL ? sad_find(t, spi) == NULL && sad_lookup(t, spi) == NULL
			     : found(t, spi, i) != NULL;
}

/* Many entries in a table whose slots collide a lot. */
static void random_ops(void)
{
	enum { CAP = 1000, UNIVERSE = 3000, OPS = 200000 };
	struct sad *t = sad_create(CAP, 0);
	static void *model[UNIVERSE];
	unsigned n = 0, bad = 0;

	srand(7);
	for (unsigned op = 0; op < OPS; op++) {
		uint32_t k = 1 + (uint32_t)rand() % (UNIVERSE - 1);

		if (rand() % 3) {
			int rc = sad_add(t, k, op + 101, tag(op + 1));

			if (model[k] == NULL && n == CAP) {
				bad += rc != -ENOSPC;
				continue;
			}
			bad += rc != 0;
			n += model[k] == NULL;
			model[k] = tag(op + 1);
		} else if (model[k] != NULL) {
			sad_del(t, k, model[k]);
			model[k] = NULL;
			n--;
		}
		if (op % 1000 == 0)
			for (uint32_t j = 1; j < UNIVERSE; j++)
				bad += !agrees(t, j, model[j]);
	}
	for (uint32_t j = 1; j < UNIVERSE; j++)
		bad += !agrees(t, j, model[j]);
	CHECK_MSG(bad == 0, "%u mismatches", bad);
	CHECK(t->n == n);
	sad_free(t);
}

int main(void)
{
	if (eal_up() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	basics();
	growth();
	random_ops();
	rte_eal_cleanup();
	return check_summary();
}
