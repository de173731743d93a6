/* SPDX-License-Identifier: BSD-3-Clause */
#include "sa/sa.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "sa/sa_slab.h"
#include "util/hex.h"

/* What struct sa keeps apart from its slot (sa.h), in one allocation. */
struct sa_cold {
	struct sa_params p;
	struct sa_sel sel[SA_TS_MAX];
	struct sa_ctr ctr[];
};

static size_t cold_size(unsigned n_workers)
{
	return sizeof(struct sa_cold) + n_workers * sizeof(struct sa_ctr);
}

/* The outer header every packet of the SA starts from: IPv4 or IPv6 (tunnel
 * mode) and the UDP header of RFC 3948 encapsulation. Lengths, TOS, ID and
 * checksum are per packet. */
static void make_template(struct sa *sa)
{
	uint8_t *t = sa->tmpl;
	uint8_t proto = sa->encap ? IPPROTO_UDP : IPPROTO_ESP;

	if (sa->mode == SA_MODE_TUNNEL && sa->outer_af == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)t;

		ip->version_ihl = 0x45;
		ip->time_to_live = sa->ttl;
		ip->next_proto_id = proto;
		ip->src_addr = sa->p->src.v4;
		ip->dst_addr = sa->p->dst.v4;
		/* host-order sum of the big-endian words; TOS, length, ID,
		 * flags and checksum are zero here and added per packet */
		sa->tmpl_sum = 0;
		for (unsigned i = 0; i < sizeof(*ip); i += 2)
			sa->tmpl_sum += (uint32_t)(t[i] << 8 | t[i + 1]);
		t += sizeof(*ip);
	} else if (sa->mode == SA_MODE_TUNNEL) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)t;

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->proto = proto;
		ip->hop_limits = sa->ttl;
		memcpy(ip->src_addr, sa->p->src.b, 16);
		memcpy(ip->dst_addr, sa->p->dst.b, 16);
		t += sizeof(*ip);
	}
	if (sa->encap) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)t;

		u->src_port = rte_cpu_to_be_16(sa->p->encap_sport);
		u->dst_port = rte_cpu_to_be_16(sa->p->encap_dport);
	}
}

static void set_limits(struct sa *sa)
{
	const struct sa_lifetime *l = &sa->p->life;

	/* RFC 4303 §3.3.3: without ESN the counter must not cycle, so the
	 * last usable number is 2^32 - 1. */
	sa->seq_limit = sa->p->esn ? UINT64_MAX : UINT32_MAX;
	if (l->hard_packets && l->hard_packets < sa->seq_limit)
		sa->seq_limit = l->hard_packets;
	sa->soft_packets = l->soft_packets ? l->soft_packets : UINT64_MAX;
	sa->hard_packets = l->hard_packets ? l->hard_packets : UINT64_MAX;
	sa->soft_bytes = l->soft_bytes ? l->soft_bytes : UINT64_MAX;
	sa->hard_bytes = l->hard_bytes ? l->hard_bytes : UINT64_MAX;
	sa->life_limits = l->soft_bytes || l->hard_bytes || l->soft_packets ||
			  l->hard_packets;
	/* a run ending at soft_packets reaches it; 0: every run is checked
	 * (sa.h, seq_check) */
	if (sa->dir == SA_DIR_OUT && sa->one_worker && !sa->life_limits)
		sa->seq_check = RTE_MIN(sa->seq_limit, sa->soft_packets - 1);
}

static void set_layout(struct sa *sa)
{
	const struct xform *x = &sa->xf;

	sa->outer_l3_len = sa->mode == SA_MODE_TUNNEL
				   ? (sa->outer_af == AF_INET ? 20 : 40) : 0;
	sa->hdr_len = (uint16_t)(sa->outer_l3_len + (sa->encap ? 8 : 0) + 8 +
				 x->iv_len);
}

/* Prefix -> value and mask as two words each in wire order (a prefix is
 * all leading bits). */
static void prefix_words(const struct ip_prefix *p, uint64_t v[2], uint64_t m[2])
{
	uint8_t mb[16] = { 0 };
	unsigned n = ip_addr_len(&p->addr);

	for (unsigned i = 0; i < n; i++)
		mb[i] = p->len >= 8 * (i + 1) ? 0xff : p->len <= 8 * i ? 0 :
			(uint8_t)(0xff << (8 - (p->len - 8 * i)));
	v[0] = v[1] = m[0] = m[1] = 0;
	if (p->addr.family == AF_INET) {
		uint32_t a, b;

		memcpy(&a, p->addr.b, 4);
		memcpy(&b, mb, 4);
		v[0] = a & b;
		m[0] = b;
	} else {
		memcpy(v, p->addr.b, 16);
		memcpy(m, mb, 16);
		v[0] &= m[0];
		v[1] &= m[1];
	}
}

static void init_selectors(struct sa *sa)
{
	for (unsigned i = 0; i < sa->p->n_ts && i < SA_TS_MAX; i++) {
		const struct ts *t = &sa->p->ts[i];
		struct sa_sel *s = &sa->sel[i];

		s->af = t->src.addr.family;
		s->proto = t->proto;
		s->sp_lo = t->sport_lo;
		s->sp_hi = t->sport_hi;
		s->dp_lo = t->dport_lo;
		s->dp_hi = t->dport_hi;
		uint64_t v[2], m[2];

		prefix_words(&t->src, v, m);
		s->lo[0] = v[0], s->hi[0] = v[1], s->lo[1] = m[0], s->hi[1] = m[1];
		prefix_words(&t->dst, v, m);
		s->lo[2] = v[0], s->hi[2] = v[1], s->lo[3] = m[0], s->hi[3] = m[1];
	}
	sa->n_sel = sa->p->n_ts < SA_TS_MAX ? sa->p->n_ts : SA_TS_MAX;
	if (sa->dir == SA_DIR_IN && sa->n_sel && sa->sel[0].af == AF_INET) {
		const struct sa_sel *t = &sa->sel[0];	/* words' low halves */

		sa->sel4 = (struct sa_sel4){
			.proto = t->proto, .on = true,
			.sp_lo = t->sp_lo, .sp_hi = t->sp_hi,
			.dp_lo = t->dp_lo, .dp_hi = t->dp_hi,
			.src = (uint32_t)t->lo[0], .smask = (uint32_t)t->lo[1],
			.dst = (uint32_t)t->lo[2], .dmask = (uint32_t)t->lo[3],
		};
	}
}

/*
 * The keys: what a packet reads into the slot, and of the rest (struct
 * xform_keys, 1,344 bytes, where xform_init() expands them) only what the
 * xform still reads, in an allocation of its own: nothing for AES-GCM by
 * gcm16.h and for AES-CTR with HMAC, AES-CBC's IV key (176 bytes) with
 * HMAC, all of it for the suites ipsec-mb's jobs run. With 10,000 SAs of
 * the usual suites that is ~13 MB less.
 */
static int init_crypto(struct sa *sa, const struct sa_params *p, void *mb,
		       char *err, size_t errlen)
{
	struct xform_keys *tmp = rte_zmalloc_socket("sa keys", sizeof(*tmp),
						    RTE_CACHE_LINE_SIZE, sa->socket);
	size_t kept;
	int rc = tmp == NULL ? -ENOMEM
			     : xform_init(&sa->xf, tmp, &sa->slot, p->dir == SA_DIR_IN,
					  mb, p->alg, p->enc_key, p->enc_key_len,
					  p->auth_key, p->auth_key_len, p->esn);

	if (rc == 0 && (kept = xform_keys_kept(&sa->xf)) > 0) {
		sa->keys = rte_malloc_socket("sa keys", kept, RTE_CACHE_LINE_SIZE,
					     sa->socket);
		if (sa->keys == NULL)
			rc = -ENOMEM;
		else
			xform_keys_move(&sa->xf, sa->keys);
	}
	if (rc < 0) {
		snprintf(err, errlen, "SA %s: key setup for %s failed%s", p->name,
			 p->alg->name, rc == -ENOMEM ? ": out of memory" : "");
		/* for the allocation failed after a good xform_init(); a
		 * failed xform_init() has cleared already, which this repeats
		 * harmlessly */
		xform_clear(&sa->xf);
	}
	if (tmp != NULL) {
		secure_zero(tmp, sizeof(*tmp));
		rte_free(tmp);
	}
	return rc;
}

/* Inbound: the window's state in line 1, its bitmap apart (none without
 * a window), and the outer destination the ESP must be addressed to. */
static int init_inbound(struct sa *sa, int socket, char *err, size_t errlen)
{
	size_t wsz = replay_words_size(sa->p->replay_window);

	if (sa->dir != SA_DIR_IN)
		return 0;
	memcpy(sa->outer_dst, sa->p->dst.b, sizeof(sa->outer_dst));
	if (wsz) {
		sa->rw_words = rte_zmalloc_socket("replay", wsz, RTE_CACHE_LINE_SIZE,
						  socket);
		if (sa->rw_words == NULL) {
			snprintf(err, errlen, "SA %s: no memory for the replay window",
				 sa->p->name);
			return -ENOMEM;
		}
	}
	replay_init(&sa->rw, sa->p->replay_window, sa->p->esn, sa->rw_words);
	if (sa->one_worker)	/* its worker is the only one to commit */
		replay_one_writer(&sa->rw);
	return 0;
}

/* The slot (dir set: sa_free() needs it) and what it keeps apart;
 * sa_free() undoes it at any point. */
static struct sa *sa_alloc(unsigned n_workers, enum sa_dir dir, int socket)
{
	struct sa *sa = sa_slab_get(dir, socket);
	struct sa_cold *c;

	if (sa == NULL)
		return NULL;
	sa->dir = (uint8_t)dir;
	sa->socket = socket;
	c = rte_zmalloc_socket("sa", cold_size(n_workers), RTE_CACHE_LINE_SIZE, socket);
	if (c == NULL) {
		sa_slab_put(sa, dir, socket);
		return NULL;
	}
	sa->n_ctr = n_workers;
	sa->p = &c->p;
	sa->sel = c->sel;
	sa->ctr = c->ctr;
	return sa;
}

struct sa *sa_create(const struct sa_params *p, uint32_t id, unsigned n_workers,
		     void *imb_mgr, int socket, char *err, size_t errlen)
{
	struct sa *sa;

	/* the per-packet lines of sa.h's layout stay what sa_prefetch fetches */
	RTE_BUILD_BUG_ON(offsetof(struct sa, outer_dst) + 16 > RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct sa, seq) != RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct sa, tmpl) + 28 > 2 * RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct sa, sel4) + sizeof(struct sa_sel4) >
			 2 * RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct sa, slot) != 3 * RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(sizeof(struct sa) != 14 * RTE_CACHE_LINE_SIZE);

	if (p->alg == NULL || p->proto != SA_PROTO_ESP) {
		snprintf(err, errlen, "SA %s: only ESP with a known suite", p->name);
		return NULL;
	}
	sa = sa_alloc(n_workers, p->dir, socket);
	if (sa == NULL) {
		snprintf(err, errlen, "SA %s: out of memory", p->name);
		return NULL;
	}
	*sa->p = *p;
	secure_zero(sa->p->enc_key, sizeof(sa->p->enc_key));
	secure_zero(sa->p->auth_key, sizeof(sa->p->auth_key));
	sa->id = id;
	sa->one_worker = n_workers == 1;
	sa->spi_be = rte_cpu_to_be_32(p->spi);
	sa->mode = (uint8_t)p->mode;
	sa->outer_af = p->dst.family;
	sa->encap = p->encap;
	sa->ttl = p->ttl ? p->ttl : 64;
	sa->df = p->df;
	sa->dscp = p->dscp;
	sa->created_tsc = rte_get_tsc_cycles();
	if (init_crypto(sa, p, imb_mgr, err, errlen) < 0 ||
	    init_inbound(sa, socket, err, errlen) < 0) {
		sa_free(sa);
		return NULL;
	}
	set_layout(sa);
	set_limits(sa);
	init_selectors(sa);
	if (sa->dir == SA_DIR_OUT) /* line 1 is the other direction's otherwise */
		make_template(sa);
	return sa;
}

void sa_free(struct sa *sa)
{
	enum sa_dir dir;
	int socket;

	if (sa == NULL)
		return;
	xform_clear(&sa->xf);	/* wipes sa->keys */
	rte_free(sa->keys);
	rte_free(sa->rw_words);
	if (sa->p != NULL) {
		struct sa_cold *c = container_of(sa->p, struct sa_cold, p);

		secure_zero(c, cold_size(sa->n_ctr));
		rte_free(c);
	}
	dir = (enum sa_dir)sa->dir;
	socket = sa->socket;
	secure_zero(sa, sizeof(*sa));
	sa_slab_put(sa, dir, socket);
}

/* Grant at least need from *total: up to a chunk more, but short of the
 * next limit (the first total that triggers an event) unless need itself
 * reaches it. Returns the new total; *granted what was taken. */
static uint64_t life_grant(uint64_t *total, uint64_t need, uint64_t soft_at,
			   uint64_t hard_at, uint64_t chunk, uint64_t *granted)
{
	uint64_t t = __atomic_load_n(total, __ATOMIC_RELAXED), g;

	do {
		uint64_t lim = UINT64_MAX;	/* the nearest limit above t */

		if (t < soft_at)
			lim = soft_at;
		if (t < hard_at && hard_at < lim)
			lim = hard_at;

		g = need >= lim - t ? need : RTE_MAX(need, RTE_MIN(chunk, lim - t - 1));
	} while (!__atomic_compare_exchange_n(total, &t, t + g, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	*granted = g;
	return t + g;
}

/* The event for a total: limits are reached at soft_at / hard_at. */
static unsigned life_event(uint64_t total, uint64_t soft_at, uint64_t hard_at)
{
	return total >= hard_at ? SA_LIFE_HARD : total >= soft_at ? SA_LIFE_SOFT : 0;
}

unsigned sa_life_take(struct sa *sa, struct sa_ctr *c, uint64_t packets,
		      uint64_t bytes, bool inbound)
{
	/* inbound: the hard limit is reached at hard; outbound it must not be
	 * exceeded, so the packets that would go past it are refused */
	uint64_t hb = inbound || sa->hard_bytes == UINT64_MAX ? sa->hard_bytes
							       : sa->hard_bytes + 1;
	unsigned ev = 0;
	uint64_t g, t;

	if (bytes > c->credit_bytes) {
		t = life_grant(&sa->bytes, bytes - c->credit_bytes, sa->soft_bytes,
			       hb, SA_LIFE_CHUNK_BYTES, &g);
		c->credit_bytes += g;
		ev |= life_event(t, sa->soft_bytes, hb);
	}
	if (packets > c->credit_packets) {
		t = life_grant(&sa->packets, packets - c->credit_packets,
			       sa->soft_packets, sa->hard_packets,
			       SA_LIFE_CHUNK_PACKETS, &g);
		c->credit_packets += g;
		ev |= life_event(t, sa->soft_packets, sa->hard_packets);
	}
	c->credit_bytes -= bytes;
	c->credit_packets -= packets;
	return ev & SA_LIFE_HARD ? SA_LIFE_HARD : ev;
}

void sa_stats_sum(const struct sa *sa, struct sa_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned w = 0; w < sa->n_ctr; w++)
		for (unsigned d = 0; d < DROP_MAX; d++)
			out->drops[d] += sa->ctr[w].drops[d];
	if (sa_counts_solo(sa)) {
		out->run.packets = __atomic_load_n(&sa->solo.packets, __ATOMIC_RELAXED);
		out->run.bytes = __atomic_load_n(&sa->solo.bytes, __ATOMIC_RELAXED);
	}
}
