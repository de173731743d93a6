/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LAN side (RFC 4301 §5.1): parse a burst, classify it against the outbound
 * SPD in one rte_acl call per family, forward bypass traffic, and protect
 * the rest in runs of packets that share an SA:
 *   1. admission, once per run: MTU, lifetime, one atomic reservation of
 *      the run's sequence numbers;
 *   2. encapsulation per packet, Ethernet header included when the run's
 *      next hop is known (tunnel mode: every packet of the run goes to the
 *      SA's peer, so it is resolved once per run);
 *   3. crypto by the SA's path (xform.h): AES-GCM at once per packet,
 *      encrypt-then-MAC suites in one cipher and one hash burst for the
 *      whole burst, anything else through the job manager;
 *   4. transmission, each SA's packets in arrival order (AES-GCM ones as
 *      they are sealed, the others once their bursts are done), counters
 *      added once per run or burst.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_prefetch.h>

#include "dp/dp_crypto.h"
#include "dp/dp_int.h"
#include "esp/esp.h"

struct classify_batch {
	unsigned n4, n6;
	uint16_t i4[DP_BURST_MAX], i6[DP_BURST_MAX];
	struct spd_key4 k4[DP_BURST_MAX];
	struct spd_key6 k6[DP_BURST_MAX];
	const struct spd_key4 *p4[DP_BURST_MAX];
	const struct spd_key6 *p6[DP_BURST_MAX];
	uint32_t r4[DP_BURST_MAX], r6[DP_BURST_MAX];
};

/* Where the packets of a run go. */
struct ob_egress {
	bool direct;	/* L2 header written at encapsulation: no wk_fwd */
	uint16_t port;	/* port index, when direct */
	uint16_t mtu;	/* of the egress port; 0 = unroutable */
	uint64_t l2a, l2b;	/* the Ethernet header (wk_l2_words) */
};

static void ob_done(struct worker *w, IMB_JOB *j)
{
	struct esp_item *it = j->user_data2;

	it->verdict = unlikely(j->status != IMB_STATUS_COMPLETED) ? DROP_crypto_error : 0;
}

/* MTU of the port packets to dst leave by, 0 when unroutable. */
static uint16_t egress_mtu(const struct ip_addr *dst)
{
	const struct nexthop *nh = route_lookup(g_dp->rt, dst);

	return nh ? g_dp->port[nh->port].mtu : 0;
}

static uint16_t packet_dst_mtu(struct rte_mbuf *m, const struct pkt_info *pi)
{
	const uint8_t *l3 = pkt_l3(m, pi);
	struct ip_addr d;

	if (pi->af == AF_INET)
		ip_addr_from_v4(&d, ((const struct rte_ipv4_hdr *)l3)->dst_addr);
	else
		ip_addr_from_v6(&d, ((const struct rte_ipv6_hdr *)l3)->dst_addr);
	return egress_mtu(&d);
}

/* Tunnel mode: all packets of the run go to the SA's peer, whose route and
 * neighbour slot the SA was bound to when it was installed (sa.h): only
 * the MAC is read here, once per run. Transport mode: per packet. */
static void run_egress(const struct sa *sa, struct ob_egress *eg)
{
	uint64_t mac;

	eg->direct = false;
	eg->mtu = 0;
	if (sa->mode != SA_MODE_TUNNEL)
		return;
	eg->mtu = sa->eg_mtu;
	mac = wk_neigh_word(sa->eg_mac);
	if (mac == 0)		/* unresolved (or no slot): wk_fwd() per packet */
		return;
	eg->port = sa->eg_port;
	eg->direct = true;
	wk_l2_words(&g_dp->port[eg->port], mac, sa->outer_af, &eg->l2a, &eg->l2b);
}

/* Too big after encapsulation and not allowed to fragment (DF, or IPv6
 * inner): the sender learns the inner MTU from ICMP (RFC 4301 §8.2).
 * max: esp_outb_max_len() for this packet and mtu. */
static bool mtu_ok(struct worker *w, struct esp_item *it, uint16_t mtu,
		   uint32_t max)
{
	if (mtu == 0) {
		wk_sa_drop(w, it->sa, it->m, DROP_no_route);
		return false;
	}
	if (it->pi.l3_tot <= max)
		return true;
	if (!it->pi.df && !(it->sa->outer_af == AF_INET && it->sa->df == 1))
		return true; /* the outer packet will be fragmented */
	it->sa->ctr[w->id].drops[DROP_too_big]++;
	w->ctr.drops[DROP_too_big]++;
	wk_punt(w, it->m, PUNT_TOO_BIG, max);
	return false;
}

/* Lifetime accounting for a run of *k packets of one SA (RFC 4301
 * §4.4.2.1), *bytesp long. Returns the first sequence number and in *k how
 * many of the packets may go: those the sequence space (or hard packet
 * limit) still has room for, *bytesp then theirs; 0 with *k = 0 when the
 * run must be dropped. */
static uint64_t run_admit(struct worker *w, struct sa *sa, struct esp_item *it,
			  unsigned *kp, uint64_t *bytesp)
{
	uint64_t first, last, bytes = *bytesp;
	unsigned ev;
	uint64_t used = __atomic_load_n(&sa->seq, __ATOMIC_RELAXED);
	uint64_t check = __atomic_load_n(&sa->seq_check, __ATOMIC_RELAXED);
	unsigned k = *kp;

	*kp = 0;
	*bytesp = 0;
	if (unlikely(__atomic_load_n(&sa->state, __ATOMIC_RELAXED) & SA_ST_DEAD))
		return 0;
	/* seq_check is at most the least packet limit: below it nothing to
	 * check */
	if (unlikely(used + k > check) && used + k > sa->seq_limit) {
		wk_sa_event(w, sa, SA_EV_HARD); /* this run exhausts the SA */
		k = used >= sa->seq_limit ? 0 : (unsigned)(sa->seq_limit - used);
		bytes = 0;
		for (unsigned i = 0; i < k; i++)
			bytes += it[i].pi.l3_tot;
	}
	first = k ? sa_seq_reserve(sa, k) : 0;
	if (unlikely(first == 0)) {
		wk_sa_event(w, sa, SA_EV_HARD);
		return 0;
	}
	ev = sa_life_charge(sa, w->id, 0, bytes, false);
	if (unlikely(ev & SA_LIFE_HARD)) {
		wk_sa_event(w, sa, SA_EV_HARD);
		return 0;
	}
	last = first + k - 1;
	if (unlikely(ev) || unlikely(last > check && last >= sa->soft_packets))
		wk_sa_event(w, sa, SA_EV_SOFT);
	*kp = k;
	*bytesp = bytes;
	return first;
}

static void run_drop(struct worker *w, struct sa *sa, struct esp_item *it,
		     unsigned k)
{
	enum drop_reason r = sa->seq_limit < sa->hard_packets &&
				     __atomic_load_n(&sa->seq, __ATOMIC_RELAXED) >= sa->seq_limit
			     ? DROP_seq_overflow : DROP_lifetime_expired;

	for (unsigned i = 0; i < k; i++) {
		wk_sa_drop(w, sa, it[i].m, r);
		it[i].m = NULL;
	}
}

/* The packets of a run that may be sent (MTU) at the front, in order; the
 * others are consumed and their slots cleared. Returns how many remain,
 * and in *bytes their length. For runs that do not all fit as they are
 * (run_encap checks that first). */
static unsigned run_filter(struct worker *w, struct esp_item *it, unsigned k,
			   const struct ob_egress *eg, uint64_t *bytes)
{
	const struct sa *sa = it[0].sa;
	bool tunnel = sa->mode == SA_MODE_TUNNEL;
	/* in tunnel mode the largest inner packet depends on the SA only */
	uint32_t tmax = tunnel ? sa->eg_max_inner : 0;
	unsigned n = 0;

	*bytes = 0;
	for (unsigned i = 0; i < k; i++) {
		uint16_t mtu = tunnel ? eg->mtu : packet_dst_mtu(it[i].m, &it[i].pi);
		uint32_t max = tunnel ? tmax : mtu ? esp_outb_max_len(sa, &it[i].pi, mtu) : 0;

		if (!mtu_ok(w, &it[i], mtu, max))
			continue;
		*bytes += it[i].pi.l3_tot;
		if (n != i)
			it[n] = it[i];
		n++;
	}
	for (unsigned i = n; i < k; i++)
		it[i].m = NULL;
	return n;
}

/* Run the queued encrypt-then-MAC jobs and give their items a verdict. */
static void etm_seal_flush(struct worker *w)
{
	struct etm_batch *b = &w->etm;

	if (b->n == 0)
		return;
	xform_etm_seal(b->xf, wk_etm_hash_mgr(w, b->xf, b->longest),
		       wk_etm_cipher_mgr(w, b->xf, b->longest), b->job, b->n);
	for (unsigned i = 0; i < b->n; i++)
		b->item[i]->verdict = b->job[i].status == IMB_STATUS_COMPLETED
					      ? 0 : DROP_crypto_error;
	b->n = 0;
	b->longest = 0;
}

/* Queue an encrypt-then-MAC job; a burst holds one class of SAs only. */
static void etm_add(struct worker *w, struct esp_item *x, uint32_t seq_hi)
{
	struct etm_batch *b = &w->etm;
	const struct xform *xf = &x->sa->xf;

	if (b->n && (b->n == DP_BURST_MAX || !xform_etm_same_class(b->xf, xf)))
		etm_seal_flush(w);
	b->xf = xf;
	b->item[b->n] = x;
	b->longest = RTE_MAX(b->longest, x->pay_len);
	xform_job_encrypt(xf, &b->job[b->n++], x->esp, x->pay_len, seq_hi,
			  &x->scratch);
}

/* Start the encryption of one encapsulated packet by the SA's path
 * (AES-GCM is done by run_encap itself). */
static void ob_encrypt(struct worker *w, struct esp_item *x, uint32_t seq_hi)
{
	const struct xform *xf = &x->sa->xf;
	IMB_JOB *j;

	switch (xf->path) {
	case XF_PATH_ETM:
		etm_add(w, x, seq_hi);
		return;
	default:
		x->verdict = DROP_crypto_error; /* until the job says otherwise */
		j = cq_job(w);
		xform_job_encrypt(xf, j, x->esp, x->pay_len, seq_hi, &x->scratch);
		j->user_data = x->m;
		j->user_data2 = x;
		cq_submit(w, ob_done);
	}
}

/* Encrypted: finish the headers and send. */
static void ob_send(struct worker *w, struct esp_item *it)
{
	struct rte_mbuf *m = it->m;
	const struct sa *sa = it->sa;

	if (unlikely(it->verdict != 0)) {
		wk_sa_drop(w, it->sa, m, it->verdict);
		return;
	}
	esp_outb_finish(sa, m);
	if (likely(it->tx >= 0)) {
		m->port = g_dp->port[it->tx].port_id;
		wk_tx(w, (uint16_t)it->tx, m);
		return;
	}
	wk_fwd(w, m, sa->mode == SA_MODE_TUNNEL ? sa->outer_af : it->pi.af, true);
}

/* The explicit IV of a packet of sa: AES-CBC's from the worker's stream
 * (ivgen.h, which makes them in batches of its own), none (NULL) for the
 * counter-based suites, whose IV esp_outb_encap_iv() writes from the
 * sequence number. */
static inline const uint8_t *ob_iv(struct worker *w, const struct sa *sa)
{
	return sa->xf.cipher == IMB_CIPHER_CBC ? ivgen_next(&w->ivg) : NULL;
}

/* May a run of k packets of sa (the last number used: `used`) take its
 * sequence numbers with a plain store and no other decision? One worker,
 * no lifetime limits, alive and below its packet limits: all in seq_check
 * (sa.h). Its packets must also fit the link as they are, which the
 * callers check. */
static inline bool run_plain(const struct sa *sa, uint64_t used, unsigned k)
{
	return used + k <= __atomic_load_n(&sa->seq_check, __ATOMIC_RELAXED);
}

/* Encapsulate one run of packets that share an SA and start their crypto,
 * except AES-GCM's, which ob_crypto() seals as it sends. */
static inline __attribute__((always_inline)) void
run_encap(struct worker *w, struct esp_item *it, unsigned k)
{
	struct sa *sa = it[0].sa;
	struct ob_egress eg;
	struct sa_count *ctr;
	uint64_t seq, pkts, bytes = 0;
	uint64_t used = __atomic_load_n(&sa->seq, __ATOMIC_RELAXED);
	unsigned n, fit = 0;

	run_egress(sa, &eg);
	/* The usual run takes no decision beyond these: every packet fits the
	 * link as it is (eg_max_inner is 0 but in tunnel mode), the run stays
	 * below the SA's packet limits, the SA is alive, has no byte lifetime
	 * and one worker: its numbers are taken by a plain store. Any other
	 * goes through run_filter() (unless all fit) and run_admit(): packets
	 * that cannot go leave before sequence numbers are reserved, so that
	 * the SA's numbers stay contiguous. */
	while (fit < k && it[fit].pi.l3_tot <= sa->eg_max_inner)
		bytes += it[fit++].pi.l3_tot;
	if (likely(fit == k && run_plain(sa, used, k))) {
		seq = used + 1;
		__atomic_store_n(&sa->seq, used + k, __ATOMIC_RELAXED);
	} else {
		n = k = fit == k ? k : run_filter(w, it, k, &eg, &bytes);
		seq = k ? run_admit(w, sa, it, &k, &bytes) : 0;
		if (k < n)
			run_drop(w, sa, it + k, n - k);
	}
	pkts = k;
	for (unsigned i = 0; i < k; i++, seq++) {
		struct esp_item *x = &it[i];
		int rc;

		rc = esp_outb_encap_iv(sa, x->m, &x->pi, seq, w->ip_id++,
				       ob_iv(w, sa), &x->esp, &x->pay_len);
		if (unlikely(rc != 0)) {
			pkts--;
			bytes -= x->pi.l3_tot;
			wk_sa_drop(w, sa, x->m, rc);
			x->m = NULL;
			continue;
		}
		/* Sent as is when the next hop is known and it fits the link;
		 * otherwise wk_fwd() resolves, fragments or punts it. */
		x->tx = -1;
		if (eg.direct && x->m->data_len - ETH_HLEN <= eg.mtu) {
			wk_l2_put(rte_pktmbuf_mtod(x->m, void *), eg.l2a, eg.l2b);
			x->tx = (int16_t)eg.port;
		}
		x->seq = seq;
		if (sa->xf.path != XF_PATH_GCM)
			ob_encrypt(w, x, (uint32_t)(seq >> 32));
	}
	ctr = wk_run_count(w, sa, it[0].sa_id);
	ctr->packets += pkts;
	ctr->bytes += bytes;
}

/*
 * A run of one packet, the usual run when traffic is spread over many SAs
 * (every packet an SA of its own): run_encap()'s common case without its
 * loops over the run, which cost ~60 instructions a packet there. Takes
 * the packet when it needs no decision (tunnel mode, fits the link, next
 * hop known, run_plain()); otherwise returns false before changing
 * anything, and run_encap() does the rest.
 */
static inline __attribute__((always_inline)) bool
run_one(struct worker *w, struct esp_item *x)
{
	struct sa *sa = x->sa;
	uint64_t used = __atomic_load_n(&sa->seq, __ATOMIC_RELAXED);
	uint64_t mac, l2a, l2b;

	/* eg_max_inner is 0 but in tunnel mode */
	if (unlikely(x->pi.l3_tot > sa->eg_max_inner || !run_plain(sa, used, 1)))
		return false;
	mac = wk_neigh_word(sa->eg_mac);
	if (unlikely(mac == 0))
		return false;
	if (unlikely(esp_outb_encap_iv(sa, x->m, &x->pi, used + 1, w->ip_id,
				       ob_iv(w, sa), &x->esp, &x->pay_len) != 0))
		return false;	/* the packet is untouched: run_encap drops it */
	w->ip_id++;
	__atomic_store_n(&sa->seq, used + 1, __ATOMIC_RELAXED);
	wk_l2_words(&g_dp->port[sa->eg_port], mac, sa->outer_af, &l2a, &l2b);
	wk_l2_put(rte_pktmbuf_mtod(x->m, void *), l2a, l2b);
	x->tx = (int16_t)sa->eg_port;
	x->seq = used + 1;
	if (sa->xf.path != XF_PATH_GCM)
		ob_encrypt(w, x, (uint32_t)((used + 1) >> 32));
	sa->solo.packets++;	/* wk_run_count(): one worker */
	sa->solo.bytes += x->pi.l3_tot;
	return true;
}

/*
 * Fetch-ahead. With traffic spread over thousands of SAs every packet is a
 * run of its own, and its SA's lines and keys are misses, to L3 or memory;
 * the keys are located by the SA's line 0. The SA's lines are requested
 * OB_AHEAD_SA runs before the run is encapsulated (the first runs' as they
 * are dispatched); what the encapsulation reads next, OB_AHEAD_KEYS runs
 * before, once line 0 has arrived (runs take ~50-400 cycles each). A
 * burst then waits for one miss at its start, not for two in a row.
 * Requested for every packet as it was dispatched (~10 cycles apart), the
 * lines of a 10k-SA burst were more misses than the core keeps in flight,
 * and a third of wk_lan_input's time sat on those prefetches (perf, out
 * 64 bytes); spread over the encapsulation (now over all of a packet's
 * work, ob_crypto), out 64 at 10k SAs gained
 * 3-10 % (alternating runs). AES-GCM's keys (4 to 16 lines a packet) are
 * fetched OB_AHEAD_SEAL runs before the run's seal: fetched with the
 * encapsulation, a burst's worth (up to 64 KB of them with 1420-byte
 * packets) was requested within a few thousand cycles, more than the
 * core keeps in flight, and had left L1 again by the time of the seals.
 */
#define OB_AHEAD_SA 8
#define OB_AHEAD_KEYS 3
#define OB_AHEAD_SEAL 2

static inline void ob_fetch_keys(const struct esp_item *x)
{
	sa_prefetch_encap(x->sa, x->pi.l3_tot);
}

/* The AES-GCM keys of the run starting at x, for its seals. */
static inline void ob_fetch_seal(const struct esp_item *x)
{
	if (x->sa->xf.path == XF_PATH_GCM)
		sa_prefetch_crypto(x->sa, false, x->pi.l3_tot);
}

/*
 * One pass over the runs, software-pipelined: iteration r admits and
 * encapsulates run r, and seals and sends run r - OB_LAG. Every packet's
 * crypto but AES-GCM's is queued by the encapsulation (cipher and hash
 * bursts, job manager) and its packets are sent at the end, once the
 * queues are done; AES-GCM packets are sealed just before they are sent.
 * Each SA's packets go out in arrival order (an SA has one path).
 * Why a lag and not two passes over the burst: with traffic spread over
 * 10k SAs, a 64-byte packet's SA lines come from beyond L2, and asked for
 * during an encapsulation pass of ~60 cycles a packet they were more
 * misses than the core keeps in flight: a third of that pass sat on their
 * prefetch instructions (perf, out 64). Spread over the whole of a
 * packet's work, encapsulation and seal, they are one SA's lines every
 * ~250 cycles. The lag keeps what the two passes gave: AES-GCM's 16- to
 * 64-byte loads of the headers and trailer come OB_LAG runs after the
 * narrower stores that wrote them, which they would otherwise wait for
 * (store forwarding). The runs are found first, so that the fetching
 * ahead goes by run: one step per packet when every packet has an SA of
 * its own, nothing per packet when the burst is one SA's. Flattened: with
 * two calls of the encapsulation (run_one, run_encap) it is otherwise
 * left out of line, ~20 instructions a packet.
 * Returns how many packets were encrypted and handed on.
 */
#define OB_LAG 4

static inline __attribute__((always_inline)) void
ob_encap_step(struct worker *w, struct esp_item **rs, unsigned r)
{
	/* eight runs early, non-temporal (util/prefetch.h): with
	 * prefetcht1 (into L2) every SA's lines took L2 space from the mbufs
	 * in use; the SA is read within ~2,000 cycles, before L1 evicts it */
	sa_prefetch(rs[r + OB_AHEAD_SA]->sa);
	ob_fetch_keys(rs[r + OB_AHEAD_KEYS]);
	if (rs[r + 1] != rs[r] + 1 || !run_one(w, rs[r]))
		run_encap(w, rs[r], (unsigned)(rs[r + 1] - rs[r]));
}

/* Seal and send run r's AES-GCM packets; true when it has others, which
 * wait for their queued crypto. */
static inline __attribute__((always_inline)) bool
ob_seal_step(struct worker *w, struct esp_item *x, struct esp_item *end,
	     unsigned *sent)
{
	for (; x < end; x++) {
		if (x->m == NULL)
			continue;
		if (x->sa->xf.path != XF_PATH_GCM)
			return true;	/* the run's others are not either */
		xform_gcm_seal(&x->sa->xf, w->mb, x->esp, x->pay_len,
			       (uint32_t)(x->seq >> 32), &x->scratch);
		x->verdict = 0;
		(*sent)++;
		ob_send(w, x);
	}
	return false;
}

/* Iteration r's crypto half: the seal keys of run r - (OB_LAG -
 * OB_AHEAD_SEAL), from SA lines its encapsulation has read, and the seals
 * of run r - OB_LAG. Past the last run the padding of rs makes the fetch
 * the last SA's again. True as ob_seal_step(). */
static inline __attribute__((always_inline)) bool
ob_seal_stage(struct worker *w, struct esp_item **rs, unsigned r, unsigned *sent)
{
	if (r >= OB_LAG - OB_AHEAD_SEAL)
		ob_fetch_seal(rs[r - (OB_LAG - OB_AHEAD_SEAL)]);
	return r >= OB_LAG && ob_seal_step(w, rs[r - OB_LAG], rs[r - OB_LAG + 1], sent);
}

static __attribute__((flatten)) unsigned ob_crypto(struct worker *w, struct esp_item *it, unsigned n)
{
	/* where each run starts, then the end, repeated: the steps fetch
	 * ahead past the last run without a bound, for the last SA again */
	struct esp_item *rs[DP_BURST_MAX + 1 + OB_AHEAD_SA];
	unsigned i, r, nr = 0, sent = 0;
	bool queued = false;

	rs[nr++] = &it[0];	/* n > 0 */
	for (i = 1; i < n; i++) {	/* no branch: the runs are irregular */
		rs[nr] = &it[i];
		nr += it[i].sa != it[i - 1].sa;
	}
	for (r = nr; r <= nr + OB_AHEAD_SA; r++)
		rs[r] = &it[n];
	/* the item past the end (dp.h), as far as the fetching reads it */
	it[n].sa = it[n - 1].sa;
	it[n].pi.l3_tot = it[n - 1].pi.l3_tot;
	for (r = 0; r < RTE_MIN(nr, (unsigned)OB_AHEAD_SA); r++)
		/* the first runs': hits where dispatch() asked already, not
		 * where long runs put them past its first packets */
		sa_prefetch(rs[r]->sa);
	for (r = 0; r < RTE_MIN(nr, (unsigned)OB_AHEAD_KEYS); r++)
		ob_fetch_keys(rs[r]);
	for (r = 0; r < nr; r++) {
		ob_encap_step(w, rs, r);
		queued |= ob_seal_stage(w, rs, r, &sent);
	}
	for (; r < nr + OB_LAG; r++)	/* the last runs' seals */
		queued |= ob_seal_stage(w, rs, r, &sent);
	if (!queued)
		return sent;
	etm_seal_flush(w);
	cq_flush(w, ob_done);
	for (struct esp_item *x = it; x < it + n; x++) {
		if (x->m == NULL || x->sa->xf.path == XF_PATH_GCM)
			continue;
		sent += x->verdict == 0;
		ob_send(w, x);
	}
	return sent;
}

/* Act on one SPD verdict; protected packets are appended to items. */
static inline void dispatch(struct worker *w, struct rte_mbuf *m,
			    const struct pkt_info *pi, uint32_t res, unsigned *ni)
{
	struct esp_item *it;
	struct sa *sa;

	switch (SPD_RES_ACTION(res)) {
	case SPD_BYPASS:
		w->ctr.port[g_dp->idx_of_port_id[m->port]].bypass++;
		wk_fwd(w, m, pi->af, false);
		return;
	case SPD_DISCARD:
		wk_drop(w, m, DROP_policy_discard);
		return;
	case SPD_PROTECT:
		sa = SPD_RES_SA(res) < g_dp->sa_cap ? w->sa_by_id[SPD_RES_SA(res)] : NULL;
		if (unlikely(sa == NULL)) {
			wk_drop(w, m, DROP_no_sa);
			return;
		}
		it = &w->items[(*ni)++];
		it->m = m;
		it->sa = sa;
		it->sa_id = SPD_RES_SA(res);
		it->pi = *pi;
		/* the first packets' SA lines, while the rest of the burst is
		 * dispatched; ob_crypto() asks for the others' (OB_AHEAD_SA) */
		if (*ni <= OB_AHEAD_SA && (*ni == 1 || sa != it[-1].sa))
			sa_prefetch(sa);
		return;
	default:
		wk_drop(w, m, DROP_no_policy);
	}
}

/* Parse, take out what is for us, and collect SPD keys. */
static void lan_sort(struct worker *w, uint16_t port, struct rte_mbuf **pkts,
		     uint16_t n, struct pkt_info *pi, struct classify_batch *b)
{
	struct dp_port_ctr *pc = &w->ctr.port[port];
	uint32_t esp_off;

	b->n4 = b->n6 = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int rc;

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		pc->rx_bytes += m->pkt_len;
		rc = pkt_parse(m, &pi[i]);
		if (unlikely(rc != 0)) {
			wk_drop(w, m, rc);
			continue;
		}
		if (unlikely(pi[i].kind == PKT_ARP)) {
			wk_punt(w, m, PUNT_ARP, 0);
			continue;
		}
		/* Longer than the link it came from: a datagram the sender
		 * fragmented and the capture layer reassembled (net_af_packet
		 * defragments). Its sender allowed fragmentation. */
		if (unlikely(pi[i].l3_tot > g_dp->port[port].mtu))
			pi[i].df = 0;
		rc = wk_local4_transit(&g_dp->port[port], &pi[i], pkt_l3(m, &pi[i]))
			     ? LOCAL_NOT_OURS
			     : wk_local(w, port, &pkts[i], &pi[i], &esp_off);
		m = pkts[i];
		if (rc == LOCAL_ESP) /* ESP is terminated on the WAN side only */
			wk_drop(w, m, DROP_not_for_us);
		if (rc != LOCAL_NOT_OURS || !wk_ttl_dec(w, m, &pi[i]))
			continue;
		if (pi[i].af == AF_INET) {
			wk_key4(m, &pi[i], &b->k4[b->n4]);
			b->p4[b->n4] = &b->k4[b->n4];
			b->i4[b->n4++] = i;
		} else {
			wk_key6(m, &pi[i], &b->k6[b->n6]);
			b->p6[b->n6] = &b->k6[b->n6];
			b->i6[b->n6++] = i;
		}
	}
}

void wk_lan_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts,
		  uint16_t n)
{
	struct pkt_info pi[DP_BURST_MAX];
	struct classify_batch b;
	unsigned ni = 0;

	w->ctr.port[port].rx += n;
	lan_sort(w, port, pkts, n, pi, &b);
	spd_classify4_cached(w->spd, &w->spdc_out, SA_DIR_OUT, b.p4, b.r4, b.n4);
	spd_classify6(w->spd, SA_DIR_OUT, b.p6, b.r6, b.n6);
	for (unsigned i = 0; i < b.n4; i++)
		dispatch(w, pkts[b.i4[i]], &pi[b.i4[i]], b.r4[i], &ni);
	for (unsigned i = 0; i < b.n6; i++)
		dispatch(w, pkts[b.i6[i]], &pi[b.i6[i]], b.r6[i], &ni);
	if (ni) {
		wk_burst_adapt(w, n, w->items, ni);
		w->ctr.port[port].esp_out += ob_crypto(w, w->items, ni);
	}
}
