/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inbound policy check of a runtime SA (sa_sel_match, RFC 4301 §5.2):
 * a decapsulated packet must fall within one of the SA's traffic
 * selectors. The SA keeps its first selector, when it is IPv4, in a
 * compact copy on its hot line and the others aside; whatever the mix,
 * the answer must be ts_match() over the selectors as configured. Random
 * packets near the selectors' edges (addresses in and out of the
 * prefixes, ports at and beyond the range ends, protocols any and one)
 * are checked against that reference.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "check.h"
#include "sa_fixture.h"
#include "sa/sa.h"

static char err[256];
static IMB_MGR *mb;
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static struct ts sel(const char *src, const char *dst, uint8_t proto,
		     uint16_t slo, uint16_t shi, uint16_t dlo, uint16_t dhi)
{
	struct ts t = { .proto = proto, .sport_lo = slo, .sport_hi = shi,
			.dport_lo = dlo, .dport_hi = dhi };

	if (ip_prefix_parse(src, &t.src, true, NULL) != 0 ||
	    ip_prefix_parse(dst, &t.dst, true, NULL) != 0) {
		fprintf(stderr, "bad prefix %s or %s\n", src, dst);
		exit(1);
	}
	return t;
}

static struct sa *inbound_sa(const struct ts *t, unsigned n)
{
	struct sa_params p;
	struct sa *sa;

	fixture_sa_params(&p, SA_DIR_IN, "in");
	p.n_ts = (uint8_t)n;
	memcpy(p.ts, t, n * sizeof(*t));
	sa = sa_create(&p, 1, 1, mb, SOCKET_ID_ANY, err, sizeof(err));
	CHECK_MSG(sa != NULL, "%s", err);
	return sa;
}

/* An address near a selector's prefix: inside it, or one bit off. */
static void near(const struct ip_prefix *p, uint8_t out[16])
{
	unsigned n = p->addr.family == AF_INET ? 4 : 16, bit;

	memcpy(out, p->addr.b, n);
	for (unsigned i = 0; i < n; i++)	/* random host part */
		if (8 * (i + 1) > p->len)
			out[i] = (uint8_t)(out[i] | (rnd() & (0xff >> (p->len > 8 * i ? p->len - 8 * i : 0))));
	if (p->len && rnd() % 3 == 0) {	/* outside: flip a prefix bit */
		bit = rnd() % p->len;
		out[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
}

static uint16_t near_port(uint16_t lo, uint16_t hi)
{
	switch (rnd() % 5) {
	case 0: return lo;
	case 1: return hi;
	case 2: return lo ? lo - 1 : 0;
	case 3: return hi < 65535 ? hi + 1 : hi;
	default: return (uint16_t)(lo + rnd() % ((uint32_t)hi - lo + 1));
	}
}

/* A packet built from one of the selectors (or a random family), checked
 * against the reference. Returns 1 when it matched. */
static int probe(const struct sa *sa, const struct ts *t, unsigned n, unsigned *bad)
{
	const struct ts *b = &t[rnd() % n];
	uint8_t l3[40] = { 0 }, s[16], d[16];
	uint8_t af = rnd() % 8 ? b->src.addr.family : (rnd() % 2 ? AF_INET : AF_INET6);
	uint8_t protos[4] = { b->proto, 6, 17, 1 };
	uint8_t proto = protos[rnd() % 4];
	uint16_t sp = near_port(b->sport_lo, b->sport_hi);
	uint16_t dp = near_port(b->dport_lo, b->dport_hi);
	struct ip_addr as, ad;
	bool want = false, got;

	near(&b->src, s);
	near(&b->dst, d);
	if (af == AF_INET) {
		uint32_t a4, b4;

		memcpy(l3 + 12, s, 4);
		memcpy(l3 + 16, d, 4);
		memcpy(&a4, s, 4);
		memcpy(&b4, d, 4);
		ip_addr_from_v4(&as, a4);
		ip_addr_from_v4(&ad, b4);
	} else {
		memcpy(l3 + 8, s, 16);
		memcpy(l3 + 24, d, 16);
		ip_addr_from_v6(&as, l3 + 8);
		ip_addr_from_v6(&ad, l3 + 24);
	}
	for (unsigned i = 0; i < n; i++)
		want |= ts_match(&t[i], &as, &ad, proto, sp, dp);
	got = sa_sel_match(sa, af, l3, proto, sp, dp);
	*bad += got != want;
	return want;
}

static void mix(const char *what, const struct ts *t, unsigned n)
{
	struct sa *sa = inbound_sa(t, n);
	unsigned bad = 0, hits = 0, tries = 20000;

	if (sa == NULL)
		return;
	for (unsigned i = 0; i < tries; i++)
		hits += probe(sa, t, n, &bad);
	CHECK_MSG(bad == 0, "%s: %u of %u packets judged otherwise than ts_match", what,
		  bad, tries);
	CHECK_MSG(hits > tries / 20 && hits < tries - tries / 20,
		  "%s: %u of %u matched: the probes miss the edges", what, hits, tries);
	sa_free(sa);
}

int main(void)
{
	struct ts t[4];

	mb = fixture_up("unit_sa_sel");
	if (mb == NULL)
		return 1;

	t[0] = sel("10.1.0.0/16", "192.168.1.0/24", 0, 0, 65535, 0, 65535);
	mix("one IPv4 selector, any", t, 1);
	t[0] = sel("10.1.2.3/32", "192.168.0.0/16", 17, 1000, 2000, 53, 53);
	mix("one IPv4 selector, UDP ports", t, 1);
	/* the first IPv4 (kept on the hot line), the rest aside */
	t[0] = sel("10.1.0.0/16", "192.168.1.0/24", 6, 0, 65535, 80, 80);
	t[1] = sel("10.2.0.0/15", "192.168.1.0/25", 17, 10, 20, 0, 65535);
	t[2] = sel("2001:db8::/32", "fd00::/8", 0, 0, 65535, 0, 65535);
	t[3] = sel("0.0.0.0/0", "192.168.7.7/32", 1, 8, 8, 0, 0); /* ICMP echo */
	mix("IPv4, IPv4, IPv6, IPv4", t, 4);
	/* IPv6 first: no compact copy */
	t[0] = sel("2001:db8:1::/48", "fd00:1::/64", 17, 500, 500, 4500, 4500);
	t[1] = sel("10.9.0.0/16", "172.16.0.0/12", 0, 0, 65535, 0, 65535);
	mix("IPv6 first, then IPv4", t, 2);

	free_mb_mgr(mb);
	rte_eal_cleanup();
	return check_summary();
}
