/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_SA_SLAB_H
#define ESPRIT_SA_SLAB_H
/*
 * Where struct sa lives: slots packed in slabs of their own, one set of
 * slabs per direction, instead of one heap allocation each.
 *
 * Why: with traffic spread over thousands of SAs every packet's SA is a
 * miss. Allocated one by one with their parameters, selectors and keys
 * (3.5 KB), 10,000 outbound SAs' per-packet lines were spread over ~35 MB,
 * a page or two each; this guest is mapped in 4 KiB pages and its
 * second-level TLB reaches ~8 MB. Packed, one direction's 10,000 slots
 * take ~9 MB. Paired on the same frames in random SA order (the order
 * real traffic has), 10,000 SAs ran 4 % faster outbound and 9 % inbound
 * (docs/performance.md, tenth session). Per direction, because a worker
 * reads one direction's SAs per packet: interleaved with the other's,
 * inbound was slower than apart.
 *
 * Contract:
 *  - sa_slab_get() returns a zeroed slot of sizeof(struct sa) bytes,
 *    aligned as struct sa is, from the slabs of direction dir on socket
 *    (SOCKET_ID_ANY: any), or NULL when out of memory. sa_slab_put()
 *    takes it back, with the same dir and socket, for a later get. Any
 *    thread: a lock serialises them (the control plane creates and frees
 *    SAs; workers never do).
 *  - Slabs go back to the heap only by sa_slab_release(), once every slot
 *    is back; until then the memory of the most SAs held at once stays.
 */
#include <stdbool.h>

#include "sa/sa_params.h"

struct sa;

struct sa *sa_slab_get(enum sa_dir dir, int socket);
void sa_slab_put(struct sa *sa, enum sa_dir dir, int socket);
/* Every slab back to the heap; false (and nothing done) while a slot is
 * out. */
bool sa_slab_release(void);

#endif
