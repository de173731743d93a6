/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/sad.h"

#include <rte_common.h>
#include <rte_malloc.h>

struct sad *sad_create(uint32_t cap, int socket)
{
	uint32_t slots = rte_align32pow2(2 * (cap ? cap : 1));
	struct sad *t = rte_zmalloc_socket("sad", sizeof(*t) + slots * sizeof(t->e[0]),
					   RTE_CACHE_LINE_SIZE, socket);

	if (t == NULL)
		return NULL;
	t->mask = slots - 1;
	t->cap = cap;
	return t;
}

void sad_free(struct sad *t)
{
	rte_free(t);
}

int sad_add(struct sad *t, uint32_t spi_be, uint32_t id, void *sa)
{
	uint32_t i;

	if (spi_be == 0)
		return -EINVAL;
	for (i = sad_home(t, spi_be); t->e[i].spi_be != 0; i = (i + 1) & t->mask)
		if (t->e[i].spi_be == spi_be) {
			t->e[i].id = id;
			t->e[i].sa = sa;
			return 0;
		}
	if (t->n >= t->cap)
		return -ENOSPC;
	t->e[i].spi_be = spi_be;
	t->e[i].id = id;
	t->e[i].sa = sa;
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
	for (hole = sad_home(t, spi_be); t->e[hole].spi_be != spi_be;
	     hole = (hole + 1) & t->mask)
		if (t->e[hole].spi_be == 0)
			return;
	if (t->e[hole].sa != sa)
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
