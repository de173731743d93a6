/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LAN side: classify a burst against the outbound SPD in one rte_acl call
 * per family, forward bypass traffic, and run protected traffic through ESP
 * encapsulation and one batch of crypto jobs (RFC 4301 §5.1).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

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

/* Encrypted: finish the headers and send. */
static void ob_send(struct worker *w, struct esp_item *it)
{
	struct rte_mbuf *m = it->m;

	esp_outb_finish(it->sa, m);
	w->ctr.port[g_dp->idx_of_port_id[m->port]].esp_out++;
	wk_fwd(w, m, it->sa->mode == SA_MODE_TUNNEL ? it->sa->outer_af : it->pi.af,
	       true);
}

static void ob_done(struct worker *w, IMB_JOB *j)
{
	struct esp_item *it = j->user_data2;

	if (unlikely(j->status != IMB_STATUS_COMPLETED)) {
		wk_sa_drop(w, it->sa, it->m, DROP_crypto_error);
		return;
	}
	ob_send(w, it);
}

/* Start the encryption of one encapsulated packet. */
static void ob_encrypt(struct worker *w, struct esp_item *x, uint32_t seq_hi)
{
	const struct xform *xf = &x->sa->xf;
	IMB_JOB *j;

	if (xform_is_direct(xf)) {
		xform_gcm_seal(xf, w->mb, x->esp, x->pay_len, seq_hi, &x->scratch);
		ob_send(w, x);
		return;
	}
	j = cq_job(w);
	xform_job_encrypt(xf, j, x->esp, x->pay_len, seq_hi, &x->scratch);
	j->user_data = x->m;
	j->user_data2 = x;
	cq_submit(w, ob_done);
}

/* MTU of the port the SA's packets leave by, 0 when unroutable. */
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

/* Too big after encapsulation and not allowed to fragment (DF, or IPv6
 * inner): the sender learns the inner MTU from ICMP (RFC 4301 §8.2). */
static bool mtu_ok(struct worker *w, struct esp_item *it, uint16_t mtu)
{
	uint32_t max;

	if (mtu == 0) {
		wk_sa_drop(w, it->sa, it->m, DROP_no_route);
		return false;
	}
	max = esp_outb_max_len(it->sa, &it->pi, mtu);
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
 * §4.4.2.1). Returns the first sequence number and in *k how many of the
 * packets may go: those the sequence space (or hard packet limit) still
 * has room for; 0 with *k = 0 when the run must be dropped. */
static uint64_t run_admit(struct worker *w, struct sa *sa, struct esp_item *it,
			  unsigned *kp)
{
	uint64_t first, bytes = 0, total;
	uint64_t used = __atomic_load_n(&sa->seq, __ATOMIC_RELAXED);
	unsigned k = *kp;

	*kp = 0;
	if (unlikely(__atomic_load_n(&sa->state, __ATOMIC_RELAXED) & SA_ST_DEAD))
		return 0;
	if (unlikely(used + k > sa->seq_limit)) { /* this run exhausts the SA */
		wk_sa_event(w, sa, SA_EV_HARD);
		k = used >= sa->seq_limit ? 0 : (unsigned)(sa->seq_limit - used);
	}
	first = k ? sa_seq_reserve(sa, k) : 0;
	if (unlikely(first == 0)) {
		wk_sa_event(w, sa, SA_EV_HARD);
		return 0;
	}
	for (unsigned i = 0; i < k; i++)
		bytes += it[i].pi.l3_tot;
	total = __atomic_add_fetch(&sa->bytes, bytes, __ATOMIC_RELAXED);
	if (unlikely(total > sa->hard_bytes)) {
		wk_sa_event(w, sa, SA_EV_HARD);
		return 0;
	}
	if (unlikely(total >= sa->soft_bytes || first + k - 1 >= sa->soft_packets))
		wk_sa_event(w, sa, SA_EV_SOFT);
	*kp = k;
	return first;
}

static void run_drop(struct worker *w, struct sa *sa, struct esp_item *it,
		     unsigned k)
{
	enum drop_reason r = sa->seq_limit < sa->hard_packets &&
				     __atomic_load_n(&sa->seq, __ATOMIC_RELAXED) >= sa->seq_limit
			     ? DROP_seq_overflow : DROP_lifetime_expired;

	for (unsigned i = 0; i < k; i++)
		wk_sa_drop(w, sa, it[i].m, r);
}

/* Encapsulate one run of packets that share an SA and queue their jobs. */
static void run_encap(struct worker *w, struct esp_item *it, unsigned k)
{
	struct sa *sa = it[0].sa;
	uint16_t mtu = sa->mode == SA_MODE_TUNNEL ? egress_mtu(&sa->dst) : 0;
	uint64_t seq, pkts = 0, bytes = 0;
	unsigned n = 0;

	/* Packets that cannot go leave before sequence numbers are reserved,
	 * so that the SA's numbers stay contiguous. */
	for (unsigned i = 0; i < k; i++) {
		if (sa->mode == SA_MODE_TRANSPORT)
			mtu = packet_dst_mtu(it[i].m, &it[i].pi);
		if (!mtu_ok(w, &it[i], mtu))
			continue;
		if (n != i)
			it[n] = it[i];
		n++;
	}
	k = n;
	seq = k ? run_admit(w, sa, it, &k) : 0;
	if (k < n)
		run_drop(w, sa, it + k, n - k);
	for (unsigned i = 0; i < k; i++, seq++) {
		struct esp_item *x = &it[i];
		int rc;

		bytes += x->pi.l3_tot;
		rc = esp_outb_encap(sa, x->m, &x->pi, seq, w->ip_id++, &x->esp,
				    &x->pay_len);
		if (unlikely(rc != 0)) {
			wk_sa_drop(w, sa, x->m, rc);
			continue;
		}
		pkts++;
		ob_encrypt(w, x, (uint32_t)(seq >> 32));
	}
	sa->ctr[w->id].packets += pkts;
	sa->ctr[w->id].bytes += bytes;
}

static void ob_crypto(struct worker *w, struct esp_item *it, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		unsigned k = 1;

		while (i + k < n && it[i + k].sa == it[i].sa)
			k++;
		run_encap(w, &it[i], k);
		i += k;
	}
	cq_flush(w, ob_done);
}

/* Act on one SPD verdict; protected packets are appended to items. */
static void dispatch(struct worker *w, struct rte_mbuf *m,
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
		it->pi = *pi;
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
		int rc = pkt_parse(m, &pi[i]);

		pc->rx_bytes += m->pkt_len;
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
		rc = wk_local(w, port, &pkts[i], &pi[i], &esp_off);
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
	spd_classify4(w->spd, SA_DIR_OUT, b.p4, b.r4, b.n4);
	spd_classify6(w->spd, SA_DIR_OUT, b.p6, b.r6, b.n6);
	for (unsigned i = 0; i < b.n4; i++)
		dispatch(w, pkts[b.i4[i]], &pi[b.i4[i]], b.r4[i], &ni);
	for (unsigned i = 0; i < b.n6; i++)
		dispatch(w, pkts[b.i6[i]], &pi[b.i6[i]], b.r6[i], &ni);
	if (ni)
		ob_crypto(w, w->items, ni);
}
