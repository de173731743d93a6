/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_DP_H
#define ESPRIT_DP_H
/*
 * The data plane: ports, worker lcores and the tables they read.
 *
 * Contract:
 *  - The control lcore (main) owns `struct dp` and is the only writer of
 *    shared tables. It talks to each worker through a single-producer,
 *    single-consumer ring of typed messages (install SA, remove SA, new
 *    SPD); a worker applies them to its own tables between bursts, so
 *    workers never lock and never wait.
 *  - Memory a worker may still reference (a removed SA, a replaced SPD) is
 *    freed only after the worker acknowledged the message and then passed an
 *    RCU quiescent state (rte_rcu_qsbr), see dp_tables.c.
 *  - Workers hand packets for the control plane (ARP, ND, ping, IKE,
 *    neighbour resolution, ICMP errors) to one multi-producer ring. The
 *    control plane transmits on a TX queue of its own where the device has
 *    one to spare, otherwise through a per-port ring that worker 0 drains:
 *    no TX queue is ever shared between lcores.
 *  - With a single lcore the main lcore runs the worker loop itself and the
 *    control work in between.
 */
#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_ether.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include "conf/conf.h"
#include "dp/counters.h"
#include "esp/ivgen.h"
#include "net/neigh.h"
#include "net/pkt.h"
#include "net/route.h"
#include "sa/sa.h"
#include "sa/sad.h"
#include "spd/spd.h"

#define DP_MAX_PORTS 8
#define DP_MAX_WORKERS 64
#define DP_MAX_RXQ 16
#define DP_TXBUF 512
#define DP_BURST_MAX 128
#define DP_BURST_BASE 64	/* rx burst by default, when runs are short */
/* Adaptive rx bursts (wk_burst_adapt): runs of at least this many packets
 * on average make the next burst DP_BURST_MAX. */
#define DP_RUN_LONG 8

/* Why a packet went to the control plane (mbuf hash.fdir.lo). */
enum punt_reason {
	PUNT_ARP = 1,
	PUNT_ND,	/* ICMPv6 neighbour discovery */
	PUNT_LOCAL,	/* other IP traffic for one of our addresses */
	PUNT_IKE,	/* UDP 500, or 4500 with a zero non-ESP marker */
	PUNT_RESOLVE,	/* next hop MAC unknown: hold and resolve */
	PUNT_TOO_BIG,	/* send ICMP frag needed / packet too big; hi = MTU */
	PUNT_TTL,	/* send ICMP time exceeded */
};
#define PUNT_REASON(m) ((m)->hash.fdir.lo)
#define PUNT_ARG(m) ((m)->hash.fdir.hi)

struct dp_port {
	char name[CONF_NAME_MAX];
	uint16_t port_id;	/* DPDK port */
	uint8_t role;		/* PORT_ROLE_LAN / WAN */
	uint8_t promisc;
	uint16_t mtu;
	uint16_t nb_rxq, nb_txq;
	struct rte_ether_addr mac;
	/* The Ethernet header from this port as two overlapping words
	 * (wk_l2_words): bytes 6-13, our MAC and the type, per family; and
	 * bytes 6-7 (our MAC's first two) at the top of bytes 0-7. */
	uint64_t l2_tail[2];	/* [0] IPv4, [1] IPv6 */
	uint64_t l2_src_hi;
	unsigned n_v4, n_v6;
	uint32_t v4[CONF_ADDRS_MAX];	   /* our addresses, network order */
	uint8_t v6[CONF_ADDRS_MAX + 1][16]; /* + the link-local one */
	struct rte_ring *ctl_tx;	   /* control plane -> wire via worker 0 */
	int32_t ctl_txq;		   /* or the control plane's own TX queue; -1 */
};

struct dp_port_ctr {
	uint64_t rx, tx, rx_bytes, tx_bytes;
	uint64_t esp_in, esp_out, bypass, punted;
};

struct worker_ctr {
	struct dp_port_ctr port[DP_MAX_PORTS];
	uint64_t drops[DROP_MAX];
	uint64_t loops, busy_loops;
	uint64_t busy_cycles;	/* TSC cycles of iterations that had packets */
	uint64_t frags_in, reassembled; /* fragments for us, datagrams rebuilt */
} __rte_cache_aligned;

/* Messages control -> worker. */
enum dp_msg_op { MSG_SA_ADD = 1, MSG_SA_DEL, MSG_SPD_SET };
struct dp_msg {
	uint32_t op;
	uint32_t id;
	void *ptr;
};

/* One packet between the stages of a burst (outbound or inbound ESP). */
struct esp_item {
	struct rte_mbuf *m;
	struct sa *sa;
	struct pkt_info pi;
	uint8_t *esp;
	uint32_t esp_off;
	uint32_t pay_len;
	uint64_t seq;
	int verdict;		/* 0 or a drop reason, set when crypto completes */
	int16_t tx;		/* outbound: port index to send by, -1: wk_fwd() */
	uint32_t sa_id;		/* sa's id: from the SPD result or the SAD slot */
	struct xform_scratch scratch;
};

/* Encrypt-then-MAC jobs collected over a burst for xform_etm_*(): one
 * class of SAs (xform_etm_same_class) at a time, the items alongside. */
struct etm_batch {
	unsigned n;
	uint32_t longest;	/* payload length, for the choice of manager */
	const struct xform *xf;	/* the class */
	struct esp_item *item[DP_BURST_MAX];
	IMB_JOB job[DP_BURST_MAX];
};

/* Per-worker cache of IPv4 next hops: destination -> port and neighbour
 * slot. Routes never change while running and neighbour slots are never
 * reused, so an entry stays right; the MAC itself is read from the slot
 * (its published word, kept here by address: one load, not three). */
#define NHC_SIZE 256
struct nh_cache_ent {
	uint32_t dst;
	uint16_t port;
	uint16_t valid;
	const uint64_t *mac_state;	/* &neigh_at(nt, slot)->mac_state */
};

struct txbuf {
	uint16_t n;
	struct rte_mbuf *m[DP_TXBUF];
};

struct worker {
	unsigned id, lcore;
	int socket;
	/* The copy of ipsec-mb this worker's managers run (imb_inst.h):
	 * worker 0 and the control plane share the process's (NULL), every
	 * other worker has its own where the loader allows. */
	struct imb_inst *imb;
	IMB_MGR *mb;		  /* job API and direct AES-GCM */
	/* The cipher and hash burst API (XF_PATH_ETM) works on the same
	 * multi-buffer lanes as the job API: with jobs of XF_PATH_JOB suites
	 * in flight it would complete them behind the job queue's back. So
	 * it gets its own manager. */
	IMB_MGR *mb_etm;
	/* Encrypts bursts of AES-CBC payloads up to g_dp->cbc_narrow_max
	 * bytes, and hashes bursts of HMAC-SHA-1 (-256) messages up to
	 * g_dp->sha1_narrow_max (sha256_narrow_max), where it measured faster
	 * than mb_etm (xform_tune.h): the SSE code; NULL when it never did.
	 * Burst API only, so no job is ever left in its lanes. */
	IMB_MGR *mb_narrow;
	struct rte_ring *msg;	  /* control -> this worker */
	uint64_t msg_done;	  /* messages applied (acquire/release) */
	unsigned n_rxq;
	struct { uint16_t port; uint16_t queue; } rxq[DP_MAX_RXQ];
	uint16_t rx_burst;	  /* what the next rx asks for (wk_burst_adapt) */
	uint16_t ip_id;
	uint64_t now;		  /* TSC at the start of this iteration */
	/* tables owned by this worker */
	struct spd *spd;
	struct sa **sa_by_id;
	/* By SA id: the packets and bytes of this worker's runs of the SA
	 * installed at that id (from when this worker installed it), but
	 * for SAs that count in sa->solo (sa.h). Read by dp_sa_stats(). */
	struct sa_count *run_cnt;
	struct sad *sad;	  /* inbound SPI -> SA */
	struct worker_ctr ctr;
	struct txbuf tx[DP_MAX_PORTS];
	struct esp_item items[DP_BURST_MAX + 1];	/* + 1: dp_outb.c's fetch-ahead end */
	struct etm_batch etm;
	struct spd_cache spdc_out;	/* outbound IPv4 decisions of w->spd */
	struct nh_cache_ent nhc[NHC_SIZE];
	struct rte_ip_frag_tbl *frag_tbl;	/* fragments for us */
	struct rte_ip_frag_death_row death_row;
	struct ivgen ivg;	/* AES-CBC IVs of this worker's packets */
};

struct dp {
	const struct conf *conf;
	unsigned n_ports, n_ports_up;	/* configured, started */
	struct dp_port port[DP_MAX_PORTS];
	uint16_t idx_of_port_id[RTE_MAX_ETHPORTS]; /* DPDK port id -> index */
	struct rte_mempool *pool;
	struct rte_mempool *indirect_pool;	/* fragmentation */
	struct route_table *rt;
	struct neigh_table *nt;
	unsigned n_workers;
	struct worker *wk[DP_MAX_WORKERS];
	bool main_is_worker;
	struct rte_ring *punt;		/* workers -> control (mbufs) */
	struct rte_ring *events;	/* workers -> control (SA events) */
	struct rte_rcu_qsbr *qsv;
	unsigned burst;			/* rx burst; the first one when adaptive */
	bool burst_auto;		/* options.burst unset: wk_burst_adapt() */
	uint32_t sa_cap;
	volatile bool stop;
	bool running;			/* workers launched: talk through rings */
	uint64_t tsc_hz;
	IMB_MGR *ctl_mb;		/* control lcore's, for key expansion */
	uint32_t cbc_narrow_max;	/* see worker.mb_narrow; 0: never */
	uint32_t sha1_narrow_max, sha256_narrow_max;	/* the same, for HMAC */
	/* HMAC-SHA-1 (-256) of messages up to this length (and above the
	 * narrow one's) on esprit's 16-lane code, where it measured faster
	 * than mb_etm (hmac_x16.h, xform_tune.h); 0: never */
	uint32_t sha1_x16_max, sha256_x16_max;
};

static inline bool dp_narrow_used(const struct dp *dp)
{
	return dp->cbc_narrow_max || dp->sha1_narrow_max || dp->sha256_narrow_max;
}

/* SA lifetime events, worker -> control. */
enum sa_event { SA_EV_SOFT = 1, SA_EV_HARD = 2 };
#define SA_EVENT(id, ev) ((uint64_t)(id) << 8 | (ev))

extern struct dp *g_dp;

/* dp_port.c */
int dp_ports_init(struct dp *dp, char *err, size_t errlen);
void dp_ports_stop(struct dp *dp);
bool dp_port_has_v4(const struct dp_port *p, uint32_t a);
bool dp_port_has_v6(const struct dp_port *p, const uint8_t a[16]);

/* dp_worker.c */
int dp_workers_init(struct dp *dp, char *err, size_t errlen);
int dp_worker_loop(void *arg);	/* lcore entry */
void dp_worker_poll(struct worker *w); /* one iteration */
void dp_worker_apply_msg(struct worker *w, const struct dp_msg *msg);
void dp_workers_free(struct dp *dp);

#endif
