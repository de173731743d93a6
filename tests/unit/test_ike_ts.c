/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors: configuration syntax, narrowing (RFC 7296 §2.9), the
 * initiator's subset check, conversion to the data plane's prefix
 * selectors, payload round trip.
 */
#include <string.h>

#include "check.h"
#include "ike/ike_msg.h"
#include "ike/ike_ts.h"

static struct ike_ts_list L(const char *s)
{
	struct ike_ts_list l;

	CHECK_MSG(ike_ts_conf_parse(s, &l) == 0, "%s", s);
	return l;
}

static const char *fmt(const struct ike_tsel *t)
{
	static char buf[4][128];
	static unsigned k;

	return ike_tsel_fmt(t, buf[k++ % 4], sizeof(buf[0]));
}

static void test_conf(void)
{
	struct ike_ts_list l;

	l = L("192.168.20.0/24, 10.1.0.0/16");
	CHECK(l.n == 2 && strcmp(fmt(&l.ts[1]), "10.1.0.0/16") == 0);
	CHECK(l.ts[0].sport == 0 && l.ts[0].eport == 0xffff && l.ts[0].proto == 0);
	l = L("10.0.0.0/8[tcp/80]");
	CHECK(l.n == 1 && l.ts[0].proto == 6 && l.ts[0].sport == 80 &&
	      l.ts[0].eport == 80);
	l = L("2001:db8::/32[udp]");
	CHECK(l.ts[0].type == IKE_TS_IPV6 && l.ts[0].proto == 17 &&
	      strcmp(fmt(&l.ts[0]), "2001:db8::/32[17/0-65535]") == 0);
	l = L("0.0.0.0/0");
	CHECK(strcmp(fmt(&l.ts[0]), "0.0.0.0/0") == 0);
	CHECK(ike_ts_conf_parse("10.0.0.1/8", &l) < 0); /* host bits */
	CHECK(ike_ts_conf_parse("dynamic", &l) < 0);
	CHECK(ike_ts_conf_parse("10.0.0.0/8[tcp/99999]", &l) < 0);
	CHECK(ike_ts_conf_parse("", &l) < 0);
}

static void test_narrow(void)
{
	struct ike_ts_list out, p, c;

	/* the initiator asks for everything, we allow a /24 */
	p = L("0.0.0.0/0");
	c = L("192.168.10.0/24");
	CHECK(ike_ts_narrow(&p, &c, &out) == 1 &&
	      strcmp(fmt(&out.ts[0]), "192.168.10.0/24") == 0);
	/* it asks for one host inside: it gets that host */
	p = L("192.168.10.5/32");
	CHECK(ike_ts_narrow(&p, &c, &out) == 1 &&
	      strcmp(fmt(&out.ts[0]), "192.168.10.5/32") == 0);
	/* disjoint: TS_UNACCEPTABLE */
	p = L("192.168.11.0/24");
	CHECK(ike_ts_narrow(&p, &c, &out) == 0);
	/* protocol and ports narrow too */
	p = L("192.168.0.0/16[tcp/80]");
	CHECK(ike_ts_narrow(&p, &c, &out) == 1 && out.ts[0].proto == 6 &&
	      out.ts[0].sport == 80 &&
	      strcmp(fmt(&out.ts[0]), "192.168.10.0/24[6/80-80]") == 0);
	c = L("192.168.10.0/24[udp]");
	CHECK(ike_ts_narrow(&p, &c, &out) == 0);
	/* families never mix */
	p = L("::/0");
	c = L("0.0.0.0/0");
	CHECK(ike_ts_narrow(&p, &c, &out) == 0);
	/* a range that is not a prefix */
	p.n = 1;
	p.ts[0] = c.ts[0];
	ip_addr_parse("10.0.0.5", &p.ts[0].start);
	ip_addr_parse("10.0.0.20", &p.ts[0].end);
	c = L("10.0.0.0/28");
	CHECK(ike_ts_narrow(&p, &c, &out) == 1 &&
	      strcmp(fmt(&out.ts[0]), "10.0.0.5-10.0.0.15") == 0);
	/* several each side: every overlap, in the proposal's order */
	p = L("10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16");
	c = L("10.2.3.0/24, 10.0.0.0/8");
	CHECK(ike_ts_narrow(&p, &c, &out) == 4);
	CHECK(strcmp(fmt(&out.ts[0]), "10.1.0.0/16") == 0 &&
	      strcmp(fmt(&out.ts[1]), "10.2.3.0/24") == 0 &&
	      strcmp(fmt(&out.ts[2]), "10.2.0.0/16") == 0);
}

static void test_within(void)
{
	struct ike_ts_list asked = L("10.0.0.0/8, 192.168.0.0/16"), got;

	got = L("10.1.0.0/16, 192.168.3.0/24");
	CHECK(ike_ts_within(&got, &asked));
	got = L("11.0.0.0/8");
	CHECK(!ike_ts_within(&got, &asked));
	got = L("0.0.0.0/0"); /* wider than asked */
	CHECK(!ike_ts_within(&got, &asked));
	got = L("10.0.0.0/8[tcp/22]");
	CHECK(ike_ts_within(&got, &asked));
	asked = L("10.0.0.0/8[tcp]");
	got = L("10.0.0.0/8");
	CHECK(!ike_ts_within(&got, &asked));
	got.n = 0;
	CHECK(!ike_ts_within(&got, &asked));
}

static void test_to_sa(void)
{
	struct ike_ts_list src = L("192.168.20.0/24"), dst = L("192.168.10.0/24, 10.9.0.0/16[tcp/443]");
	struct ts ts[SA_TS_MAX];
	struct ip_addr a, b;
	char x[IP_PREFIX_STRLEN];
	unsigned n = ike_ts_to_sa(&src, &dst, ts, SA_TS_MAX);

	CHECK(n == 2);
	CHECK(strcmp(ip_prefix_fmt(&ts[0].src, x, sizeof(x)), "192.168.20.0/24") == 0);
	CHECK(strcmp(ip_prefix_fmt(&ts[1].dst, x, sizeof(x)), "10.9.0.0/16") == 0);
	CHECK(ts[1].proto == 6 && ts[1].dport_lo == 443 && ts[1].dport_hi == 443 &&
	      ts[1].sport_lo == 0 && ts[1].sport_hi == 65535);
	ip_addr_parse("192.168.20.7", &a);
	ip_addr_parse("10.9.1.1", &b);
	CHECK(ts_match(&ts[1], &a, &b, 6, 1234, 443));
	CHECK(!ts_match(&ts[1], &a, &b, 17, 1234, 443));
	/* 10.0.0.5-10.0.0.15 = .5/32 .6/31 .8/29 */
	src.ts[0].start.b[0] = 10; src.ts[0].start.b[1] = 0;
	src.ts[0].start.b[2] = 0; src.ts[0].start.b[3] = 5;
	ip_addr_parse("10.0.0.15", &src.ts[0].end);
	dst = L("0.0.0.0/0");
	n = ike_ts_to_sa(&src, &dst, ts, SA_TS_MAX);
	CHECK(n == 3);
	CHECK(strcmp(ip_prefix_fmt(&ts[0].src, x, sizeof(x)), "10.0.0.5/32") == 0);
	CHECK(strcmp(ip_prefix_fmt(&ts[1].src, x, sizeof(x)), "10.0.0.6/31") == 0);
	CHECK(strcmp(ip_prefix_fmt(&ts[2].src, x, sizeof(x)), "10.0.0.8/29") == 0);
	/* capped at max */
	CHECK(ike_ts_to_sa(&src, &dst, ts, 2) == 2);
	/* everything: one /0 */
	src = L("::/0");
	dst = L("::/0");
	CHECK(ike_ts_to_sa(&src, &dst, ts, SA_TS_MAX) == 1 && ts[0].src.len == 0);
}

static void test_payload(void)
{
	static const uint8_t spi[8] = { 1 };
	uint8_t buf[512];
	struct ike_ts_list l = L("192.168.0.0/16[tcp/80], 2001:db8::/48"), back;
	struct ike_wr w;
	struct ike_msg m;

	ike_wr_init(&w, buf, sizeof(buf), spi, NULL, IKE_INFORMATIONAL, 0, 0);
	ike_ts_write(&w, IKE_PL_TSI, &l);
	CHECK(ike_wr_finish(&w) > 0);
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_OK && m.tsi);
	CHECK(ike_ts_parse(m.tsi->body, m.tsi->len, &back) == 0);
	CHECK(back.n == 2 && memcmp(&back, &l, sizeof(l)) == 0);
}

int main(void)
{
	test_conf();
	test_narrow();
	test_within();
	test_to_sa();
	test_payload();
	return check_summary();
}
