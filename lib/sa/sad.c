/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/sad.h"

#include <stdbool.h>

#include <rte_common.h>
#include <rte_malloc.h>

/* Fill below which an add needs no growth: 5/8 of the slots. */
static uint32_t sad_comfort(uint32_t slots)
{
	return slots / 8 * 5;
}

static struct sad_ent *sad_slots(uint32_t slots, int socket)
{
	return rte_zmalloc_socket("sad", (size_t)slots * sizeof(struct sad_ent),
				  RTE_CACHE_LINE_SIZE, socket);
}

struct sad *sad_create(uint32_t max, int socket)
{
	struct sad *t = rte_zmalloc_socket("sad", sizeof(*t), RTE_CACHE_LINE_SIZE,
					   socket);

	if (t == NULL)
		return NULL;
	t->e = sad_slots(SAD_MIN_SLOTS, socket);
	if (t->e == NULL) {
		rte_free(t);
		return NULL;
	}
	t->mask = SAD_MIN_SLOTS - 1;
	t->max = max;
	t->socket = socket;
	return t;
}

void sad_free(struct sad *t)
{
	if (t == NULL)
		return;
	rte_free(t->e);
	rte_free(t);
}

/* Where spi_be's probe sequence ends: its slot, or the empty one it
 * would take. */
static uint32_t sad_probe(const struct sad *t, uint32_t spi_be)
{
	uint32_t i = sad_home(t, spi_be);

	while (t->e[i].spi_be != 0 && t->e[i].spi_be != spi_be)
		i = (i + 1) & t->mask;
	return i;
}

/* Twice the slots, every entry rehashed into them; false (table as it
 * was) when out of memory or at 2^31 slots. */
static bool sad_grow(struct sad *t)
{
	uint32_t slots = t->mask + 1;
	struct sad_ent *old = t->e, *e;

	if (slots > UINT32_MAX / 2 || (e = sad_slots(2 * slots, t->socket)) == NULL)
		return false;
	t->e = e;
	t->mask = 2 * slots - 1;
	for (uint32_t i = 0; i < slots; i++)
		if (old[i].spi_be != 0)
			t->e[sad_probe(t, old[i].spi_be)] = old[i];
	rte_free(old);
	return true;
}

int sad_add(struct sad *t, uint32_t spi_be, uint32_t id, void *sa)
{
	uint32_t slots = t->mask + 1, i;
	struct sad_ent *e;

	if (spi_be == 0)
		return -EINVAL;
	i = sad_probe(t, spi_be);
	if (t->e[i].spi_be == spi_be) {	/* a newer SA takes the SPI over */
		t->e[i].id = id;
		t->e[i].sa = sa;
		return 0;
	}
	if (t->n >= t->max)
		return -ENOSPC;
	/* grown when it can be (the slot is then found again); else still
	 * taken below 7/8 full, so that probe sequences stay short and
	 * always end at an empty slot */
	if (t->n + 1 > sad_comfort(slots)) {
		if (sad_grow(t))
			i = sad_probe(t, spi_be);
		else if (t->n + 1 > slots - slots / 8)
			return -ENOMEM;
	}
	e = &t->e[i];
	e->spi_be = spi_be;
	e->id = id;
	e->sa = sa;
	t->n++;
	return 0;
}

/* Is slot `home` cyclically within (hole, i]? Then the entry at i may not
 * move to the hole: its probe sequence does not pass through it. */
static int between(uint32_t hole, uint32_t home, uint32_t i)
{
	return hole <= i ? hole < home && home <= i : hole < home || home <= i;
}

void sad_del(struct sad *t, uint32_t spi_be, const void *sa)
{
	uint32_t hole, i;

	if (spi_be == 0)
		return;
	hole = sad_probe(t, spi_be);
	if (t->e[hole].spi_be != spi_be || t->e[hole].sa != sa)
		return;
	/* Backward shift: pull later entries of the cluster into the hole
	 * unless that would put them before their home slot. */
	for (i = (hole + 1) & t->mask; t->e[i].spi_be != 0; i = (i + 1) & t->mask) {
		if (between(hole, sad_home(t, t->e[i].spi_be), i))
			continue;
		t->e[hole] = t->e[i];
		hole = i;
	}
	t->e[hole].spi_be = 0;
	t->e[hole].id = 0;
	t->e[hole].sa = NULL;
	t->n--;
}
