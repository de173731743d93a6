/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/sa_slab.h"

#include <stdalign.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_spinlock.h>

#include "sa/sa.h"

/* 256 slots, 224 KB: one slab for a handful of SAs, 40 for 10,000. */
#define SLAB_SLOTS 256u

/* A slab's header: an allocation of its own, so that slots are packed. */
struct slab {
	struct slab *next;
	struct sa *slots;
};

/* A free slot: its first bytes link it to the next. */
struct free_slot {
	struct free_slot *next;
};

static struct {
	rte_spinlock_t lock;
	struct slab *slabs;
	unsigned out;	/* slots handed out */
	/* free slots per direction and socket asked for; the last of each
	 * direction's: SOCKET_ID_ANY */
	struct free_slot *free[2][RTE_MAX_NUMA_NODES + 1];
} S = { .lock = RTE_SPINLOCK_INITIALIZER };

static struct free_slot **list_of(enum sa_dir dir, int socket)
{
	unsigned s = socket >= 0 && socket < RTE_MAX_NUMA_NODES ? (unsigned)socket
								 : RTE_MAX_NUMA_NODES;

	return &S.free[dir == SA_DIR_IN][s];
}

/* A new slab's slots onto the free list l; false when out of memory. */
static bool grow(struct free_slot **l, int socket)
{
	struct slab *s = rte_malloc_socket("sa_slab_hdr", sizeof(*s), 0, socket);

	if (s == NULL)
		return false;
	s->slots = rte_malloc_socket("sa_slab", SLAB_SLOTS * sizeof(struct sa),
				     alignof(struct sa), socket);
	if (s->slots == NULL) {
		rte_free(s);
		return false;
	}
	/* pushed last to first, so that gets go up through the slab */
	for (unsigned i = SLAB_SLOTS; i-- > 0;) {
		struct free_slot *f = (struct free_slot *)&s->slots[i];

		f->next = *l;
		*l = f;
	}
	s->next = S.slabs;
	S.slabs = s;
	return true;
}

struct sa *sa_slab_get(enum sa_dir dir, int socket)
{
	struct free_slot **l = list_of(dir, socket), *f = NULL;

	rte_spinlock_lock(&S.lock);
	if (*l != NULL || grow(l, socket)) {
		f = *l;
		*l = f->next;
		S.out++;
	}
	rte_spinlock_unlock(&S.lock);
	if (f != NULL)
		memset(f, 0, sizeof(struct sa));
	return (struct sa *)f;
}

void sa_slab_put(struct sa *sa, enum sa_dir dir, int socket)
{
	struct free_slot *f = (struct free_slot *)sa, **l = list_of(dir, socket);

	if (sa == NULL)
		return;
	rte_spinlock_lock(&S.lock);
	f->next = *l;
	*l = f;
	S.out--;
	rte_spinlock_unlock(&S.lock);
}

bool sa_slab_release(void)
{
	bool done = false;

	rte_spinlock_lock(&S.lock);
	if (S.out == 0) {
		while (S.slabs != NULL) {
			struct slab *s = S.slabs;

			S.slabs = s->next;
			rte_free(s->slots);
			rte_free(s);
		}
		memset(S.free, 0, sizeof(S.free));
		done = true;
	}
	rte_spinlock_unlock(&S.lock);
	return done;
}
