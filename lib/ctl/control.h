/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CTL_CONTROL_H
#define ESPRIT_CTL_CONTROL_H
/*
 * The control plane on the main lcore: ARP and neighbour discovery, ICMP
 * (echo and the errors the workers asked for), neighbour resolution with a
 * small hold queue, SA lifetime events and time-based lifetimes, deferred
 * reclamation, and (later) IKE.
 *
 * Contract: ctl_poll() never blocks and does a bounded amount of work, so
 * it can be interleaved with a worker loop on a single lcore. It owns every
 * mbuf it dequeues from the punt ring. Packets it sends go through the
 * per-port control TX rings (dp.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp/dp.h"

struct ctl_stats {
	uint64_t arp_in, arp_replies, arp_requests;
	uint64_t nd_in, na_sent, ns_sent;
	uint64_t echo_replies, icmp_errors, icmp_rate_limited;
	uint64_t resolved, held, hold_dropped;
	uint64_t ike_in, sa_soft, sa_hard;
	uint64_t ctl_tx, ctl_tx_full, bad;
};

extern struct ctl_stats g_ctl_stats;

/* Hook for UDP 500/4500 datagrams (IKE); NULL = drop them. */
typedef void (*ctl_ike_input_fn)(void *arg, struct rte_mbuf *m, uint16_t port);
/* Hook for SA lifetime events; the default logs them. */
typedef void (*ctl_sa_event_fn)(void *arg, uint32_t sa_id, int ev);

int ctl_init(struct dp *dp, char *err, size_t errlen);
void ctl_set_ike(ctl_ike_input_fn in, ctl_sa_event_fn ev, void *arg);
void ctl_poll(struct dp *dp);
void ctl_fini(struct dp *dp);

/* Route and send an IP packet the control plane built: m = [14 bytes room]
 * [IP packet]. Holds it while the next hop is being resolved. Consumes m. */
void ctl_send_ip(struct dp *dp, struct rte_mbuf *m, uint8_t af);
/* Send a complete frame out of a port. Consumes m. */
void ctl_send_frame(struct dp *dp, uint16_t port, struct rte_mbuf *m);
/* Our first address of a family on a port (network order), false if none. */
bool ctl_port_addr(const struct dp *dp, uint16_t port, uint8_t af, uint8_t out[16]);
uint64_t ctl_now_ms(void);

#endif
