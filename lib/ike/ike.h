/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_H
#define ESPRIT_IKE_H
/*
 * The IKEv2 daemon (RFC 7296) as a library: no sockets, no threads, no DPDK.
 *
 * Contract:
 *  - The host feeds it UDP datagrams (ike_input), calls ike_tick() often
 *    (every few milliseconds is plenty), and gives it a table of operations
 *    (struct ike_host_ops) to send datagrams and to install / remove child
 *    SAs in the data plane. Everything runs on the caller's thread; nothing
 *    blocks. On the gateway this is the main lcore; in tests it may be a
 *    plain UDP socket program.
 *  - Every received message is fully validated (lengths, counts, critical
 *    bits, RFC 7296 §3.2) before any handler reads a payload; malformed
 *    input gets the RFC's notify or is dropped and counted, never a crash.
 *  - Keys are zeroed when an IKE or child SA goes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sa/sa_params.h"
#include "util/addr.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500

struct ike;

/* A negotiated child SA pair handed to the data plane. */
struct ike_child_sas {
	uint64_t id;		/* unique per child SA pair, never reused */
	char conn[32], child[32];
	/* Outbound SA: its ts[] are the outbound selectors (src = local_ts,
	 * dst = remote_ts); the host installs one outbound protect SPD rule
	 * per selector. Inbound SA: its ts[] are the inbound selectors (src =
	 * remote_ts, dst = local_ts): SPD inbound rules and the policy check. */
	struct sa_params out, in;
	uint32_t priority;	/* SPD priority for the rules */
};

struct ike_child_stats {
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	uint64_t last_in_ms;	/* host clock when inbound packets were last seen
				 * coming in (by their count); 0 = none yet */
};

struct ike_host_ops {
	/* Send one UDP datagram. For port 4500 the buffer already starts with
	 * the 4-byte non-ESP marker (RFC 3948 §2.2). */
	int (*send)(void *host, const struct ip_addr *src, uint16_t sport,
		    const struct ip_addr *dst, uint16_t dport, const void *buf,
		    size_t len);
	/* Install both SAs and their policies; 0 or -errno. When replacing a
	 * child (rekey, §2.8) the new pair is installed before the old one is
	 * removed. */
	int (*child_install)(void *host, const struct ike_child_sas *c);
	int (*child_remove)(void *host, uint64_t id);
	int (*child_stats)(void *host, uint64_t id, struct ike_child_stats *st);
	/* Monotonic milliseconds. */
	uint64_t (*now_ms)(void *host);
	/* Optional (NULL = silent): one line about an event, `level` as in
	 * syslog (3 error, 4 warning, 6 info, 7 debug). Never key material. */
	void (*log)(void *host, int level, const char *msg);
};

struct ike *ike_new(const struct ike_host_ops *ops, void *host);
void ike_free(struct ike *ike); /* deletes nothing on the wire; see ike_shutdown */

/*
 * Load `connections` and `secrets` from a libconfig tree (a `config_t *`,
 * passed as void * so this header does not need libconfig.h). `path` names
 * the file in messages. 0, or -EINVAL with "FILE:LINE: what" in err.
 */
int ike_load_config(struct ike *ike, const void *libconfig_cfg,
		    const char *path, char *err, size_t errlen);
/* Same checks without an ike instance, for `esprit --check`. */
int ike_check_config(const void *libconfig_cfg, const char *path, char *err,
		     size_t errlen);

/* A datagram for us on UDP 500 or 4500 (marker included on 4500). */
void ike_input(struct ike *ike, const struct ip_addr *src, uint16_t sport,
	       const struct ip_addr *dst, uint16_t dport, const uint8_t *buf,
	       size_t len);
/* Timers: retransmission, DPD, lifetimes/rekey, start actions. */
void ike_tick(struct ike *ike);

/* Data plane events for a child SA (from the host's SA lifetime checks). */
enum ike_sa_event { IKE_SA_SOFT_EXPIRED, IKE_SA_HARD_EXPIRED };
void ike_child_event(struct ike *ike, uint64_t id, bool inbound,
		     enum ike_sa_event ev);

/* Control (the espritctl commands). */
int ike_initiate(struct ike *ike, const char *conn, const char *child);
int ike_terminate(struct ike *ike, const char *conn);
/* Send DELETE for everything and wait for nothing; for shutdown. */
void ike_shutdown(struct ike *ike);

/* Listings for the control socket, written as JSON objects into a buffer
 * (the host prints text or JSON from them). Return the length written or
 * -ENOSPC. */
int ike_list_conns_json(struct ike *ike, char *buf, size_t cap);
int ike_list_sas_json(struct ike *ike, char *buf, size_t cap);
int ike_stats_json(struct ike *ike, char *buf, size_t cap);

#endif
