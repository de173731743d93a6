/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WAN side (RFC 4301 §5.2): ESP for us is looked up by SPI, checked against
 * the replay window, decrypted and verified in one batch of crypto jobs,
 * committed to the window, decapsulated, and the inner packet must match
 * the SA's selectors before it is forwarded. Cleartext that the
 * inbound SPD says must be protected is dropped.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_prefetch.h>

#include "dp/dp_crypto.h"
#include "dp/dp_int.h"
#include "esp/esp.h"

/* The computed ICV against the received one, in constant time. */
static int icv_verdict(const struct esp_item *it)
{
	const struct xform *x = &it->sa->xf;

	return xform_icv_equal(it->scratch.icv,
			       xform_received_icv(x, it->esp, it->pay_len, &it->scratch),
			       x->icv_len) ? 0 : DROP_auth_failed;
}

static void ib_done(struct worker *w, IMB_JOB *j)
{
	struct esp_item *it = j->user_data2;

	it->verdict = unlikely(j->status != IMB_STATUS_COMPLETED) ? DROP_crypto_error
								 : icv_verdict(it);
}

/* Does the outer header fit the SA (RFC 4301 §4.4.2: SA destination;
 * RFC 3948: encapsulation as negotiated)? */
static bool outer_fits(const struct sa *sa, struct rte_mbuf *m,
		       const struct pkt_info *pi, uint32_t esp_off)
{
	const uint8_t *l3 = pkt_l3(m, pi);
	bool encap = esp_off != (uint32_t)pi->l2_len + pi->l3_len;
	uint32_t d4;

	if (sa->outer_af != pi->af || encap != !!sa->encap)
		return false;
	if (pi->af == AF_INET) {
		memcpy(&d4, sa->outer_dst, 4);
		return ((const struct rte_ipv4_hdr *)l3)->dst_addr == d4;
	}
	return memcmp(((const struct rte_ipv6_hdr *)l3)->dst_addr, sa->outer_dst, 16) == 0;
}

static inline uint32_t esp_spi(const struct esp_item *it)
{
	uint32_t spi;

	memcpy(&spi, rte_pktmbuf_mtod_offset(it->m, uint8_t *, it->esp_off), 4);
	return spi;
}

/*
 * Fetch-ahead. With traffic spread over thousands of SAs, a packet's SAD
 * slot, its SA's lines and its keys are each a miss, and each needs the one
 * before it to have arrived (the slot gives the SA, the SA's line 0 locates
 * its keys). Each is therefore requested a stage before it is used: the
 * slot while the burst is parsed (ib_hint_slot), the SA's lines
 * IB_AHEAD_SA packets ahead of decryption (ib_fetch_sa; the first ones
 * while the burst is sorted, wan_sort1), the keys IB_AHEAD_KEYS packets
 * ahead (ib_fetch_keys). A burst then starts with one wait for a miss, not
 * three in a row, and the requests are spread over the crypto in between.
 * Spread, not bunched: requested while the burst was sorted (~30 cycles a
 * packet), the SA's lines of a burst of 10k-SA traffic were more misses
 * than the core keeps in flight, and a third of the time in wk_wan_input
 * was the sort waiting to issue them (perf, in 64 bytes, Xeon).
 */
#define IB_AHEAD_KEYS 3
#define IB_AHEAD_SA (2 * IB_AHEAD_KEYS)

/* Packet j's SA lines, once per run. */
static inline void ib_fetch_sa(const struct esp_item *it, unsigned j)
{
	const struct sa *sa = it[j].sa;

	if (sa != NULL && (j == 0 || sa != it[j - 1].sa))
		sa_prefetch(sa);
}

/* The SAD slot of what may be ESP for us (ESP, or UDP to port 4500: RFC
 * 3948 §2.2); wan_sort1 decides whether it is. Reads within l3_tot only. */
static inline void ib_hint_slot(struct worker *w, struct rte_mbuf *m,
				const struct pkt_info *pi)
{
	const uint8_t *l4 = pkt_l3(m, pi) + pi->l3_len;
	uint32_t avail = (uint32_t)pi->l3_tot - pi->l3_len, spi;

	if (pi->proto == IPPROTO_ESP && avail >= 4)
		memcpy(&spi, l4, 4);
	else if (pi->proto == IPPROTO_UDP && pi->dport == 4500 && avail >= 12)
		memcpy(&spi, l4 + 8, 4);
	else
		return;
	sad_prefetch(w->sad, spi);
}

/* Packet j's keys, once per run: not when packet j - 1 has the same SA. */
static inline void ib_fetch_keys(struct worker *w, const struct esp_item *it, unsigned j)
{
	const struct sa *sa = it[j].sa;

	if (sa != NULL && (j == 0 || sa != it[j - 1].sa))
		sa_prefetch_keys(sa, it[j].pi.l3_tot);
}

/* The queued encrypt-then-MAC packets: every ICV in one hash burst, then
 * the authentic ones decrypted in one cipher burst (RFC 4303 §3.4.4: the
 * ICV is checked first). */
static void etm_open_flush(struct worker *w)
{
	struct etm_batch *b = &w->etm;
	unsigned k = 0;

	if (b->n == 0)
		return;
	xform_etm_verify(b->xf, wk_etm_hash_mgr(w, b->xf, b->longest), b->job, b->n);
	for (unsigned i = 0; i < b->n; i++) {
		struct esp_item *it = b->item[i];

		it->verdict = icv_verdict(it);
		if (it->verdict != 0)
			continue;
		if (k != i)
			b->job[k] = b->job[i];
		k++;
	}
	if (k)
		xform_etm_open(b->xf, w->mb_etm, b->job, k);
	b->n = 0;
	b->longest = 0;
}

/* Queue a decrypt job; a burst holds one class of SAs only. */
static void etm_add(struct worker *w, struct esp_item *it)
{
	struct etm_batch *b = &w->etm;
	const struct xform *xf = &it->sa->xf;

	if (b->n && (b->n == DP_BURST_MAX || !xform_etm_same_class(b->xf, xf)))
		etm_open_flush(w);
	b->xf = xf;
	b->item[b->n] = it;
	b->longest = RTE_MAX(b->longest, it->pay_len);
	xform_job_decrypt(xf, &b->job[b->n++], it->esp, it->pay_len,
			  (uint32_t)(it->seq >> 32), &it->scratch);
}

/* Pre-crypto checks and job submission for one packet; false = consumed. */
static bool ib_start(struct worker *w, struct esp_item *it)
{
	struct sa *sa = it->sa;
	IMB_JOB *j;
	int rc;

	if (unlikely(sa == NULL)) {
		wk_drop(w, it->m, DROP_no_sa);
		return false;
	}
	if (unlikely(__atomic_load_n(&sa->state, __ATOMIC_RELAXED) & SA_ST_DEAD)) {
		wk_sa_drop(w, sa, it->m, DROP_lifetime_expired);
		return false;
	}
	if (unlikely(!outer_fits(sa, it->m, &it->pi, it->esp_off))) {
		wk_sa_drop(w, sa, it->m, DROP_sa_mismatch);
		return false;
	}
	rc = esp_inb_locate(sa, it->m, &it->pi, it->esp_off, &it->pay_len, &it->seq);
	if (unlikely(rc != 0)) {
		wk_sa_drop(w, sa, it->m, rc);
		return false;
	}
	it->esp = rte_pktmbuf_mtod_offset(it->m, uint8_t *, it->esp_off);
	/* The received ICV: read only by the compare after the crypto, and
	 * found cold there (15-20 % of wk_wan_input's samples on one
	 * instruction with two workers, in-gcm-64); fetched now, it arrives
	 * while the packet is decrypted. */
	rte_prefetch0(it->esp + 8 + sa->xf.iv_len + it->pay_len);
	switch (sa->xf.path) {
	case XF_PATH_GCM:
		xform_gcm_open(&sa->xf, w->mb, it->esp, it->pay_len,
			       (uint32_t)(it->seq >> 32), &it->scratch);
		it->verdict = icv_verdict(it);
		return true;
	case XF_PATH_ETM:
		etm_add(w, it);
		return true;
	default:
		break;
	}
	it->verdict = DROP_crypto_error; /* until the job says otherwise */
	j = cq_job(w);
	xform_job_decrypt(&sa->xf, j, it->esp, it->pay_len,
			  (uint32_t)(it->seq >> 32), &it->scratch);
	j->user_data = it->m;
	j->user_data2 = it;
	cq_submit(w, ib_done);
	return true;
}

/* Counters and lifetime accounting once per run (RFC 4301 §4.4.2.1).
 * The counters are the worker's (wk_run_count): they also tell dead peer
 * detection that the peer is alive (ike_host.c). */
static void run_account(struct worker *w, struct sa *sa, uint32_t id,
			uint64_t pkts, uint64_t bytes)
{
	struct sa_count *c = wk_run_count(w, sa, id);
	unsigned ev;

	if (pkts == 0)
		return;
	c->packets += pkts;
	c->bytes += bytes;
	ev = sa_life_charge(sa, w->id, pkts, bytes, true);
	if (unlikely(ev & SA_LIFE_HARD))
		wk_sa_event(w, sa, SA_EV_HARD);
	else if (unlikely(ev & SA_LIFE_SOFT))
		wk_sa_event(w, sa, SA_EV_SOFT);
}

/*
 * RFC 4301 §5.2 step 4: the decapsulated packet must be one the SA may
 * carry, i.e. match the SA's own selectors; then it is forwarded.
 */
static void inner_forward(struct worker *w, struct esp_item *x)
{
	const uint8_t *l3 = pkt_l3(x->m, &x->pi);

	if (!sa_sel_match(x->sa, x->pi.af, l3, x->pi.proto, x->pi.sport,
			  x->pi.dport)) {
		wk_sa_drop(w, x->sa, x->m, DROP_policy_mismatch);
		return;
	}
	if (!wk_ttl_dec(w, x->m, &x->pi))
		return;
	if (x->pi.af == AF_INET)
		wk_fwd4(w, x->m, false);
	else
		wk_fwd(w, x->m, x->pi.af, false);
}

/* One run of packets of one SA after crypto: the window commit for all of
 * them at once, then decapsulation, inner parse, policy and forwarding per
 * packet, lifetime accounting once. Returns the packets decapsulated. */
static unsigned ib_finish_run(struct worker *w, struct esp_item *it, unsigned k)
{
	struct sa *sa = it[0].sa;
	uint64_t bytes = 0;
	unsigned pkts = 0;

	if (k == 1) {	/* every run, with traffic over many SAs: the item's
			 * own fields are the arrays, nothing to copy */
		esp_inb_commit(sa, &it[0].seq, &it[0].verdict, 1);
	} else {
		uint64_t seq[DP_BURST_MAX];
		int verdict[DP_BURST_MAX];

		for (unsigned i = 0; i < k; i++) {
			seq[i] = it[i].seq;
			verdict[i] = it[i].verdict;
		}
		esp_inb_commit(sa, seq, verdict, k);
		for (unsigned i = 0; i < k; i++)
			it[i].verdict = verdict[i];
	}
	for (unsigned i = 0; i < k; i++) {
		struct esp_item *x = &it[i];
		int rc = esp_inb_verdict(x->verdict);

		if (rc == 0)
			rc = esp_inb_strip(sa, x->m, &x->pi, x->esp_off, x->pay_len);
		if (rc == 0)
			rc = pkt_parse(x->m, &x->pi);
		if (rc != 0) {
			wk_sa_drop(w, sa, x->m, rc);
			continue;
		}
		pkts++;
		bytes += x->pi.l3_tot;
		inner_forward(w, x);
	}
	run_account(w, sa, it[0].sa_id, pkts, bytes);
	return pkts;
}

/* After crypto, run by run; returns the packets decapsulated. */
static unsigned ib_finish(struct worker *w, struct esp_item *it, unsigned n)
{
	struct esp_item *x = it, *end = it + n;
	unsigned done = 0;

	while (x < end) {
		struct esp_item *r = x + 1;

		if (x->m == NULL) {	/* consumed before crypto */
			x++;
			continue;
		}
		while (r < end && r->sa == x->sa && r->m != NULL)
			r++;
		done += ib_finish_run(w, x, (unsigned)(r - x));
		x = r;
	}
	return done;
}

static unsigned ib_esp(struct worker *w, struct esp_item *it, unsigned n)
{
	unsigned i;

	/* slots were requested by the parse, the first IB_AHEAD_SA packets'
	 * SA lines by the sort */
	for (i = 0; i < RTE_MIN(n, (unsigned)IB_AHEAD_KEYS); i++)
		ib_fetch_keys(w, it, i);
	for (i = 0; i < n; i++) {
		if (i + IB_AHEAD_SA < n)
			ib_fetch_sa(it, i + IB_AHEAD_SA);
		if (i + IB_AHEAD_KEYS < n)
			ib_fetch_keys(w, it, i + IB_AHEAD_KEYS);
		if (!ib_start(w, &it[i]))
			it[i].m = NULL; /* consumed; jobs point into items, so no compaction */
	}
	etm_open_flush(w);
	cq_flush(w, ib_done);
	return ib_finish(w, it, n);
}

/* Cleartext not for us arriving from the WAN: the inbound SPD decides. */
static void transit(struct worker *w, struct rte_mbuf *m,
		    const struct pkt_info *pi, uint32_t res)
{
	switch (SPD_RES_ACTION(res)) {
	case SPD_BYPASS:
		w->ctr.port[g_dp->idx_of_port_id[m->port]].bypass++;
		if (wk_ttl_dec(w, m, pi))
			wk_fwd(w, m, pi->af, false);
		return;
	case SPD_PROTECT:
		wk_drop(w, m, DROP_unprotected);
		return;
	case SPD_DISCARD:
		wk_drop(w, m, DROP_policy_discard);
		return;
	default:
		wk_drop(w, m, DROP_no_policy);
	}
}

struct transit_batch {
	unsigned n4, n6;
	uint16_t i4[DP_BURST_MAX], i6[DP_BURST_MAX];
	struct spd_key4 k4[DP_BURST_MAX];
	struct spd_key6 k6[DP_BURST_MAX];
	const struct spd_key4 *p4[DP_BURST_MAX];
	const struct spd_key6 *p6[DP_BURST_MAX];
	uint32_t r4[DP_BURST_MAX], r6[DP_BURST_MAX];
};

/* Sort one packet: ESP (ours, or any ESP for transport-mode SAs) to the
 * items, cleartext transit to the batch. */
static void wan_sort1(struct worker *w, uint16_t port, struct rte_mbuf *m,
		      struct pkt_info *pi, uint16_t idx, unsigned *ne,
		      struct transit_batch *b)
{
	uint32_t esp_off = pi->l2_len + pi->l3_len;
	int rc = wk_local4_esp(&g_dp->port[port], pi, pkt_l3(m, pi))
			 ? LOCAL_ESP : wk_local(w, port, &m, pi, &esp_off);
	const struct sad_ent *e = NULL;

	if (rc == LOCAL_CONSUMED)
		return;
	/* ESP passing through: ours only if the SPI is one of our
	 * transport-mode SAs, otherwise it is transit like any cleartext.
	 * The slot found is the packet's: no second lookup below. */
	if (rc == LOCAL_NOT_OURS && pi->proto == IPPROTO_ESP && !pi->frag &&
	    pi->l3_tot - pi->l3_len >= 8) {
		uint32_t off = pi->l2_len + pi->l3_len, spi;

		memcpy(&spi, rte_pktmbuf_mtod_offset(m, uint8_t *, off), 4);
		e = sad_find(w->sad, spi);
		if (e != NULL) {
			esp_off = off;
			rc = LOCAL_ESP;
		}
	}
	if (rc == LOCAL_ESP) {
		struct esp_item *it = &w->items[(*ne)++];

		it->m = m;
		it->pi = *pi;
		it->esp_off = esp_off;
		/* its slot was requested by the parse loop (ib_hint_slot); the
		 * SA's lines now for the first packets, the others' by ib_esp
		 * (see IB_AHEAD_SA) */
		if (e == NULL)
			e = sad_find(w->sad, esp_spi(it));
		it->sa = e ? e->sa : NULL;
		it->sa_id = e ? e->id : 0;
		if (*ne <= IB_AHEAD_SA)
			ib_fetch_sa(w->items, *ne - 1);
		return;
	}
	if (pi->af == AF_INET) {
		wk_key4(m, pi, &b->k4[b->n4]);
		b->p4[b->n4] = &b->k4[b->n4];
		b->i4[b->n4++] = idx;
	} else {
		wk_key6(m, pi, &b->k6[b->n6]);
		b->p6[b->n6] = &b->k6[b->n6];
		b->i6[b->n6++] = idx;
	}
}

void wk_wan_input(struct worker *w, uint16_t port, struct rte_mbuf **pkts,
		  uint16_t n)
{
	struct dp_port_ctr *pc = &w->ctr.port[port];
	struct pkt_info pi[DP_BURST_MAX];
	struct transit_batch b;
	unsigned ne = 0;
	uint16_t k = 0;

	pc->rx += n;
	b.n4 = b.n6 = 0;
	/* Parse the whole burst before sorting it: the sort copies each
	 * pkt_info, which right after its narrow stores would stall on
	 * store forwarding. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int rc;

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		pc->rx_bytes += m->pkt_len;
		rc = pkt_parse(m, &pi[k]);
		if (unlikely(rc != 0))
			wk_drop(w, m, rc);
		else if (unlikely(pi[k].kind == PKT_ARP))
			wk_punt(w, m, PUNT_ARP, 0);
		else {
			ib_hint_slot(w, m, &pi[k]);
			pkts[k++] = m;
		}
	}
	for (uint16_t i = 0; i < k; i++)
		wan_sort1(w, port, pkts[i], &pi[i], i, &ne, &b);
	if (ne) {
		wk_burst_adapt(w, n, w->items, ne);
		pc->esp_in += ib_esp(w, w->items, ne);
	}
	spd_classify4(w->spd, SA_DIR_IN, b.p4, b.r4, b.n4);
	spd_classify6(w->spd, SA_DIR_IN, b.p6, b.r6, b.n6);
	for (unsigned i = 0; i < b.n4; i++)
		transit(w, pkts[b.i4[i]], &pi[b.i4[i]], b.r4[i]);
	for (unsigned i = 0; i < b.n6; i++)
		transit(w, pkts[b.i6[i]], &pi[b.i6[i]], b.r6[i]);
}
