/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SPD on rte_acl (lib/spd/spd.c): RFC 4301 §4.4.1 semantics (highest
 * priority wins, no match = 0 = discard, directions separate), selector
 * fields at their boundaries (prefix lengths 0..32 and 0..128, port ranges,
 * protocol any vs one), a random SPD cross-checked against ts_match(), and
 * a 100,000-rule SPD.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_eal.h>

#include "check.h"
#include "sa/sa_params.h"
#include "spd/spd.h"

static char err[256];

static int eal_up(const char *prefix)
{
	char *argv[] = { "test", "--no-huge", "-m", "64", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf", "--file-prefix",
			 (char *)prefix, NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	if (ip_prefix_parse(s, &p, true, NULL) != 0) {
		fprintf(stderr, "bad prefix %s\n", s);
		exit(1);
	}
	return p;
}

/* A rule: any ports unless set afterwards. */
static struct spd_rule rule(enum sa_dir dir, const char *src, const char *dst,
			    uint8_t proto, uint32_t prio, enum spd_action act,
			    uint32_t sa)
{
	struct spd_rule r = { .dir = dir, .priority = prio, .action = act,
			      .sa_id = sa };

	r.sel.src = pfx(src);
	r.sel.dst = pfx(dst);
	r.sel.proto = proto;
	r.sel.sport_hi = r.sel.dport_hi = 65535;
	return r;
}

static uint32_t cls4(const struct spd *s, enum sa_dir dir, const char *src,
		     const char *dst, uint8_t proto, uint16_t sport,
		     uint16_t dport)
{
	struct spd_key4 k = { .proto = proto };
	const struct spd_key4 *kp = &k;
	uint32_t res = 0xdeadbeef;

	inet_pton(AF_INET, src, &k.src);
	inet_pton(AF_INET, dst, &k.dst);
	k.sport = rte_cpu_to_be_16(sport);
	k.dport = rte_cpu_to_be_16(dport);
	spd_classify4(s, dir, &kp, &res, 1);
	return res;
}

static uint32_t cls6(const struct spd *s, enum sa_dir dir, const char *src,
		     const char *dst, uint8_t proto, uint16_t sport,
		     uint16_t dport)
{
	struct spd_key6 k = { .proto = proto };
	const struct spd_key6 *kp = &k;
	uint32_t res = 0xdeadbeef;

	inet_pton(AF_INET6, src, k.src);
	inet_pton(AF_INET6, dst, k.dst);
	k.sport = rte_cpu_to_be_16(sport);
	k.dport = rte_cpu_to_be_16(dport);
	spd_classify6(s, dir, &kp, &res, 1);
	return res;
}

#define PROTECT(sa) SPD_RES(SPD_PROTECT, sa)
#define BYPASS SPD_RES(SPD_BYPASS, 0)
#define DISCARD SPD_RES(SPD_DISCARD, 0)

static void basics4(void)
{
	struct spd_rule r[4];
	struct spd *s;

	r[0] = rule(SA_DIR_OUT, "10.0.0.0/8", "0.0.0.0/0", 0, 10, SPD_PROTECT, 5);
	r[1] = rule(SA_DIR_OUT, "10.1.0.0/16", "192.168.0.0/16", 6, 20,
		    SPD_BYPASS, 0);
	r[1].sel.dport_lo = 80;
	r[1].sel.dport_hi = 443;
	r[2] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 0, SPD_DISCARD, 0);
	/* An inbound rule that would match the outbound keys below. */
	r[3] = rule(SA_DIR_IN, "0.0.0.0/0", "0.0.0.0/0", 0, 99, SPD_PROTECT, 7);
	s = spd_build(r, 4, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	if (s == NULL)
		return;
	CHECK(spd_rule_count(s) == 4);
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 6, 1000, 80) == BYPASS);
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 6, 1000, 443) == BYPASS);
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 6, 1000, 79) == PROTECT(5));
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 6, 1000, 444) == PROTECT(5));
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 17, 1000, 80) == PROTECT(5));
	CHECK(cls4(s, SA_DIR_OUT, "10.2.2.3", "192.168.1.1", 6, 1000, 80) == PROTECT(5));
	CHECK(cls4(s, SA_DIR_OUT, "11.0.0.1", "192.168.1.1", 6, 1000, 80) == DISCARD);
	/* Directions are separate SPDs (RFC 4301 §4.4.1). */
	CHECK(cls4(s, SA_DIR_IN, "10.1.2.3", "192.168.1.1", 6, 1000, 80) == PROTECT(7));
	CHECK(cls4(s, SA_DIR_IN, "11.0.0.1", "1.1.1.1", 1, 8, 0) == PROTECT(7));
	/* No IPv6 rules at all: nothing matches, result 0. */
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8::1", "2001:db8::2", 6, 1, 80) == 0);
	spd_free(s);

	/* Only the specific rules: a miss is 0. */
	s = spd_build(r, 2, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	CHECK(cls4(s, SA_DIR_OUT, "11.0.0.1", "192.168.1.1", 6, 1000, 80) == 0);
	CHECK(cls4(s, SA_DIR_IN, "10.1.2.3", "192.168.1.1", 6, 1000, 80) == 0);
	spd_free(s);

	/* Empty SPD. */
	s = spd_build(NULL, 0, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	CHECK(spd_rule_count(s) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "10.1.2.3", "192.168.1.1", 6, 1000, 80) == 0);
	CHECK(cls6(s, SA_DIR_IN, "::1", "::2", 6, 1000, 80) == 0);
	spd_free(s);
	CHECK(spd_rule_count(NULL) == 0);
	spd_free(NULL);
}

/* Highest priority wins whatever the insertion order and however specific
 * the other rules are; the extremes of the configurable range work. */
static void priorities(void)
{
	struct spd_rule r[3];
	struct spd *s;

	for (int order = 0; order < 2; order++) {
		struct spd_rule a = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0,
					 500, SPD_PROTECT, 1);
		struct spd_rule b = rule(SA_DIR_OUT, "10.0.0.1/32", "10.0.0.2/32",
					 17, 499, SPD_PROTECT, 2);
		struct spd_rule c = rule(SA_DIR_OUT, "10.0.0.0/24", "10.0.0.0/24",
					 0, 501, SPD_PROTECT, 3);

		r[0] = order ? c : a;
		r[1] = b;
		r[2] = order ? a : c;
		s = spd_build(r, 3, 0, err, sizeof(err));
		CHECK_MSG(s != NULL, "%s", err);
		CHECK(cls4(s, SA_DIR_OUT, "10.0.0.1", "10.0.0.2", 17, 1, 1) == PROTECT(3));
		CHECK(cls4(s, SA_DIR_OUT, "10.0.1.1", "10.0.0.2", 17, 1, 1) == PROTECT(1));
		spd_free(s);
	}

	/* Priority 0 (the lowest) and the largest one rte_acl can hold after
	 * spd.c's +1 (RTE_ACL_MAX_PRIORITY - 1); one more is refused with a
	 * message instead of a bare EINVAL from rte_acl. */
	r[0] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 0, SPD_DISCARD, 0);
	r[1] = rule(SA_DIR_OUT, "10.0.0.0/8", "0.0.0.0/0", 0, 0x1FFFFFFD,
		    SPD_PROTECT, 8);
	r[2] = rule(SA_DIR_OUT, "10.0.0.0/8", "10.0.0.0/8", 0, 0x1FFFFFFE,
		    SPD_BYPASS, 0);
	s = spd_build(r, 3, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "priority 0x1FFFFFFE: %s", err);
	if (s != NULL) {
		CHECK(cls4(s, SA_DIR_OUT, "10.0.0.1", "10.0.0.2", 6, 1, 1) == BYPASS);
		CHECK(cls4(s, SA_DIR_OUT, "10.0.0.1", "11.0.0.2", 6, 1, 1) == PROTECT(8));
		CHECK(cls4(s, SA_DIR_OUT, "11.0.0.1", "10.0.0.2", 6, 1, 1) == DISCARD);
		spd_free(s);
	}
	r[2].priority = 0x1FFFFFFF;
	err[0] = '\0';
	CHECK(spd_build(r, 3, 0, err, sizeof(err)) == NULL);
	CHECK_MSG(strstr(err, "priority 536870911 too large") != NULL, "%s", err);
	r[2].dir = SA_DIR_IN;	/* checked in either direction */
	CHECK(spd_build(r, 3, 0, err, sizeof(err)) == NULL);

	/* SA ids: the largest that fits in a result, and one more. */
	r[0] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 1, SPD_PROTECT,
		    SPD_MAX_SA_ID);
	s = spd_build(r, 1, 0, err, sizeof(err));
	CHECK(s != NULL);
	CHECK(cls4(s, SA_DIR_OUT, "1.2.3.4", "5.6.7.8", 6, 1, 1) ==
	      PROTECT(SPD_MAX_SA_ID));
	CHECK(SPD_RES_SA(PROTECT(SPD_MAX_SA_ID)) == SPD_MAX_SA_ID);
	CHECK(SPD_RES_ACTION(PROTECT(SPD_MAX_SA_ID)) == SPD_PROTECT);
	spd_free(s);
	r[0].sa_id = SPD_MAX_SA_ID + 1;
	err[0] = '\0';
	CHECK(spd_build(r, 1, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "too large") != NULL);
	/* A non-protect rule carries no SA id whatever the field says. */
	r[0].action = SPD_BYPASS;
	r[0].sa_id = 77;
	s = spd_build(r, 1, 0, err, sizeof(err));
	CHECK(s != NULL && cls4(s, SA_DIR_OUT, "1.2.3.4", "5.6.7.8", 6, 1, 1) == BYPASS);
	spd_free(s);
}

static void ports_and_protocols(void)
{
	struct spd_rule r[3];
	struct spd *s;

	r[0] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 17, 10, SPD_PROTECT, 1);
	r[0].sel.sport_lo = 1000;
	r[0].sel.sport_hi = 2000;
	r[0].sel.dport_lo = 53;
	r[0].sel.dport_hi = 53;
	r[1] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 5, SPD_PROTECT, 2);
	r[1].sel.dport_lo = 65535;
	r[1].sel.dport_hi = 65535;
	r[2] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 1, SPD_PROTECT, 3);
	r[2].sel.sport_lo = r[2].sel.sport_hi = 0;
	s = spd_build(r, 3, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	if (s == NULL)
		return;
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 1000, 53) == PROTECT(1));
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 2000, 53) == PROTECT(1));
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 999, 53) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 2001, 53) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 1500, 52) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 1500, 54) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 6, 1500, 53) == 0);
	/* Byte order: 53 is 0x0035; 0x3500 must not match. */
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 1500, 0x3500) == 0);
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 17, 0xe803, 53) == 0);
	/* Protocol any: every protocol, also 0 and 255. */
	for (unsigned p = 0; p < 256; p += 51)
		CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", (uint8_t)p, 5,
			   65535) == PROTECT(2));
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 6, 5, 65534) == 0);
	/* Port 0 (protocols without ports). */
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 50, 0, 0) == PROTECT(3));
	CHECK(cls4(s, SA_DIR_OUT, "1.1.1.1", "2.2.2.2", 50, 1, 0) == 0);
	spd_free(s);
}

/* Flip bit `bit` (0 = most significant) of a wire-order address. */
static void flip(uint8_t *a, unsigned bit)
{
	a[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
}

/* Every prefix length: the rule's dst prefix is `base`/len; addresses that
 * differ from base only after the prefix match, one that differs in the
 * prefix's last bit does not. Source the same way on a second rule. */
static void prefix_lengths(int af)
{
	unsigned bits = af == AF_INET ? 32 : 128, alen = bits / 8;
	static const uint8_t base[16] = { 0xc6, 0x33, 0x64, 0xa5, 0x5a, 0xf0,
					  0x0f, 0x81, 0x18, 0x24, 0x42, 0x7e,
					  0xe7, 0x99, 0x66, 0xc3 };

	for (unsigned len = 0; len <= bits; len++) {
		struct spd_rule r[2];
		struct spd *s;
		uint8_t in[16], out[16], last[16];
		char b[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 8];
		struct ip_addr masked = { .family = (uint8_t)af };
		const char *any = af == AF_INET ? "0.0.0.0/0" : "::/0";
		const char *other = af == AF_INET ? "203.0.113.1" : "2001:db8::99";
		char ins[INET6_ADDRSTRLEN], outs[INET6_ADDRSTRLEN],
			lasts[INET6_ADDRSTRLEN];
		uint32_t (*cls)(const struct spd *, enum sa_dir, const char *,
				const char *, uint8_t, uint16_t, uint16_t) =
			af == AF_INET ? cls4 : cls6;

		memcpy(masked.b, base, alen);
		ip_addr_mask(&masked, len);
		inet_ntop(af, masked.b, b, sizeof(b));
		snprintf(p, sizeof(p), "%s/%u", b, len);
		r[0] = rule(SA_DIR_OUT, any, p, 0, 10, SPD_PROTECT, 1 + len);
		r[1] = rule(SA_DIR_IN, p, any, 0, 10, SPD_PROTECT, 1000 + len);
		s = spd_build(r, 2, 0, err, sizeof(err));
		CHECK_MSG(s != NULL, "/%u: %s", len, err);
		if (s == NULL)
			continue;
		memcpy(in, base, alen);	  /* host bits as in base */
		memcpy(last, masked.b, alen);
		if (len < bits)
			flip(last, bits - 1);	  /* last bit of the address */
		memcpy(out, masked.b, alen);
		if (len > 0)
			flip(out, len - 1);	  /* last bit of the prefix */
		inet_ntop(af, in, ins, sizeof(ins));
		inet_ntop(af, out, outs, sizeof(outs));
		inet_ntop(af, last, lasts, sizeof(lasts));
		CHECK_MSG(cls(s, SA_DIR_OUT, other, ins, 6, 1, 1) == PROTECT(1 + len),
			  "dst %s in %s", ins, p);
		CHECK_MSG(cls(s, SA_DIR_OUT, other, b, 6, 1, 1) == PROTECT(1 + len),
			  "dst %s in %s", b, p);
		CHECK_MSG(cls(s, SA_DIR_OUT, other, lasts, 6, 1, 1) == PROTECT(1 + len),
			  "dst %s in %s", lasts, p);
		CHECK_MSG(cls(s, SA_DIR_IN, ins, other, 6, 1, 1) == PROTECT(1000 + len),
			  "src %s in %s", ins, p);
		if (len > 0) {
			CHECK_MSG(cls(s, SA_DIR_OUT, other, outs, 6, 1, 1) == 0,
				  "dst %s not in %s", outs, p);
			CHECK_MSG(cls(s, SA_DIR_IN, outs, other, 6, 1, 1) == 0,
				  "src %s not in %s", outs, p);
		}
		spd_free(s);
	}
}

static void basics6(void)
{
	struct spd_rule r[4];
	struct spd *s;

	r[0] = rule(SA_DIR_OUT, "2001:db8:1::/48", "2001:db8:2::/48", 0, 10,
		    SPD_PROTECT, 61);
	r[1] = rule(SA_DIR_OUT, "2001:db8:1::/48", "2001:db8:2:0:ffff::/80", 58,
		    20, SPD_BYPASS, 0);
	r[1].sel.sport_lo = r[1].sel.sport_hi = 135;	/* ICMPv6 type in sport */
	r[2] = rule(SA_DIR_OUT, "::/0", "::/0", 0, 0, SPD_DISCARD, 0);
	r[3] = rule(SA_DIR_IN, "2001:db8:2::/48", "2001:db8:1::/48", 0, 10,
		    SPD_PROTECT, 62);
	s = spd_build(r, 4, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	if (s == NULL)
		return;
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8:1::5", "2001:db8:2::7", 6, 1, 2) == PROTECT(61));
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8:1::5", "2001:db8:2:0:ffff::1", 58, 135, 0) == BYPASS);
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8:1::5", "2001:db8:2:0:ffff::1", 58, 136, 0) == PROTECT(61));
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8:1::5", "2001:db8:2:0:fffe::1", 58, 135, 0) == PROTECT(61));
	CHECK(cls6(s, SA_DIR_OUT, "2001:db8:3::5", "2001:db8:2::7", 6, 1, 2) == DISCARD);
	CHECK(cls6(s, SA_DIR_IN, "2001:db8:2::7", "2001:db8:1::5", 6, 1, 2) == PROTECT(62));
	CHECK(cls6(s, SA_DIR_IN, "2001:db8:1::5", "2001:db8:2::7", 6, 1, 2) == 0);
	/* v4 keys do not see v6 rules. */
	CHECK(cls4(s, SA_DIR_OUT, "1.2.3.4", "5.6.7.8", 6, 1, 2) == 0);
	spd_free(s);
}

/* Random rules with distinct priorities against a brute-force reference
 * (ts_match, highest priority), keys classified in bursts of odd sizes. */
static uint32_t rnd(uint64_t *st)
{
	*st = *st * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*st >> 33);
}

/* The decision cache in front of rte_acl (spd_classify4_cached) must give
 * exactly the results of spd_classify4: over repeated passes in random
 * bursts (so there are hits, misses, and keys twice in one burst, with more
 * keys than the cache holds), and after a reset for another SPD built from
 * the same selectors with other actions. */
static void cache_vs_direct(const struct spd *s, struct spd_rule *r, unsigned nr,
			    const struct spd_key4 *k, const struct spd_key4 **kp,
			    const uint32_t *want, unsigned nk, uint64_t *st)
{
	static struct spd_cache c;
	const struct spd_key4 *bk[128];
	uint32_t got[128], want2[128];
	unsigned bad = 0, bad2 = 0;
	struct spd *s2;

	for (unsigned pass = 0; pass < 4; pass++)
		for (unsigned i = 0; i < nk;) {
			unsigned n = 1 + rnd(st) % 128, idx[128];

			for (unsigned j = 0; j < n; j++) {
				/* mostly a small working set, some from all keys */
				idx[j] = rnd(st) % 4 ? rnd(st) % 200 : rnd(st) % nk;
				bk[j] = &k[idx[j]];
			}
			spd_classify4_cached(s, &c, SA_DIR_OUT, bk, got, n);
			for (unsigned j = 0; j < n; j++)
				bad += got[j] != want[idx[j]];
			i += n;
		}
	CHECK_MSG(bad == 0, "cache: %u results differ", bad);
	CHECK_MSG(c.hits > c.misses, "cache: %lu hits, %lu misses",
		  (unsigned long)c.hits, (unsigned long)c.misses);
	for (unsigned i = 0; i < nr; i++)
		r[i].action = i % 2 ? SPD_BYPASS : SPD_DISCARD;
	s2 = spd_build(r, nr, 0, err, sizeof(err));
	CHECK_MSG(s2 != NULL, "%s", err);
	if (s2 == NULL)
		return;
	/* The reset clears the table over the next calls: enough calls that
	 * the cache is in use again, and none of the first SPD's entries
	 * may answer for the second. */
	spd_cache_reset(&c);
	for (unsigned call = 0; call < 4 * SPD_CACHE_BUCKETS / SPD_CACHE_CLEAR; call++) {
		unsigned i = (call * 128) % (nk - 128);

		spd_classify4_cached(s2, &c, SA_DIR_OUT, kp + i, got, 128);
		spd_classify4(s2, SA_DIR_OUT, kp + i, want2, 128);
		for (unsigned j = 0; j < 128; j++)
			bad2 += got[j] != want2[j];
	}
	CHECK_MSG(bad2 == 0, "cache after reset: %u results differ", bad2);
	CHECK_MSG(c.cleared == SPD_CACHE_BUCKETS, "cache not cleared after %u calls",
		  4 * SPD_CACHE_BUCKETS / SPD_CACHE_CLEAR);
	spd_free(s2);
}

/* What the cache must not keep: results too wide for an entry (SA ids of
 * 2^22 and more) and the all-zero key, which looks like an empty entry.
 * Both must come out right from every call, before and after the table is
 * in use (the first calls after a reset bypass it). */
static void cache_edges(void)
{
	static struct spd_cache c;
	struct spd_rule r[3];
	struct spd_key4 k[3];
	const struct spd_key4 *kp[6];
	uint32_t want[3] = { PROTECT((1u << 22) + 5), BYPASS, PROTECT(7) };
	unsigned bad = 0;
	struct spd *s;

	r[0] = rule(SA_DIR_OUT, "10.0.0.0/8", "0.0.0.0/0", 0, 20, SPD_PROTECT, (1u << 22) + 5);
	r[1] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 1, SPD_BYPASS, 0);
	r[2] = rule(SA_DIR_OUT, "192.0.2.0/24", "0.0.0.0/0", 0, 20, SPD_PROTECT, 7);
	s = spd_build(r, 3, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	if (s == NULL)
		return;
	memset(k, 0, sizeof(k));
	inet_pton(AF_INET, "10.1.2.3", &k[0].src);	/* wide result */
	/* k[1]: all zero, matches the bypass rule */
	inet_pton(AF_INET, "192.0.2.9", &k[2].src);	/* cached normally */
	k[2].proto = 17;
	for (unsigned i = 0; i < 6; i++)
		kp[i] = &k[i % 3];
	for (unsigned call = 0; call < 2 * SPD_CACHE_BUCKETS / SPD_CACHE_CLEAR; call++) {
		uint32_t got[6];

		spd_classify4_cached(s, &c, SA_DIR_OUT, kp, got, 6);
		for (unsigned i = 0; i < 6; i++)
			bad += got[i] != want[i % 3];
	}
	CHECK_MSG(bad == 0, "cache edges: %u results wrong", bad);
	CHECK_MSG(c.hits > 0, "cache edges: the ordinary key was never a hit");
	spd_free(s);
}

static void random_vs_reference(void)
{
	enum { NR = 600, NK = 3000 };
	struct spd_rule *r = calloc(NR, sizeof(*r));
	struct spd_key4 *k = calloc(NK, sizeof(*k));
	const struct spd_key4 **kp = calloc(NK, sizeof(*kp));
	uint32_t *res = calloc(NK, sizeof(*res));
	uint64_t st = 42;
	unsigned bad = 0, hits = 0;
	struct spd *s;

	for (unsigned i = 0; i < NR; i++) {
		struct ts *t = &r[i].sel;
		uint32_t a = rnd(&st) & 0x0a0f0f0f, b = rnd(&st) & 0x0a0f0f0f;

		r[i].dir = SA_DIR_OUT;
		r[i].priority = i * 7 % NR;	/* distinct */
		r[i].action = SPD_PROTECT;
		r[i].sa_id = i + 1;
		t->src.addr.family = t->dst.addr.family = AF_INET;
		t->src.addr.v4 = rte_cpu_to_be_32(a);
		t->dst.addr.v4 = rte_cpu_to_be_32(b);
		t->src.len = (uint8_t)(rnd(&st) % 33);
		t->dst.len = (uint8_t)(rnd(&st) % 33);
		ip_addr_mask(&t->src.addr, t->src.len);
		ip_addr_mask(&t->dst.addr, t->dst.len);
		t->proto = rnd(&st) % 3 == 0 ? 0 : (uint8_t)(6 + 11 * (rnd(&st) & 1));
		t->sport_lo = (uint16_t)(rnd(&st) % 4);
		t->sport_hi = (uint16_t)(t->sport_lo + rnd(&st) % 4);
		t->dport_lo = (uint16_t)(rnd(&st) % 4);
		t->dport_hi = rnd(&st) % 5 == 0 ? 65535 : (uint16_t)(t->dport_lo + rnd(&st) % 3);
	}
	s = spd_build(r, NR, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "%s", err);
	if (s == NULL)
		goto out;
	for (unsigned i = 0; i < NK; i++) {
		k[i].proto = (uint8_t)(rnd(&st) % 2 ? 6 : 17);
		k[i].src = rte_cpu_to_be_32(rnd(&st) & 0x0a0f0f0f);
		k[i].dst = rte_cpu_to_be_32(rnd(&st) & 0x0a0f0f0f);
		k[i].sport = rte_cpu_to_be_16((uint16_t)(rnd(&st) % 8));
		k[i].dport = rte_cpu_to_be_16((uint16_t)(rnd(&st) % 8));
		kp[i] = &k[i];
	}
	for (unsigned i = 0; i < NK;) {
		unsigned n = 1 + rnd(&st) % 37;

		if (n > NK - i)
			n = NK - i;
		spd_classify4(s, SA_DIR_OUT, kp + i, res + i, n);
		i += n;
	}
	for (unsigned i = 0; i < NK; i++) {
		struct ip_addr src, dst;
		uint32_t best = 0, bp = 0;

		ip_addr_from_v4(&src, k[i].src);
		ip_addr_from_v4(&dst, k[i].dst);
		for (unsigned j = 0; j < NR; j++) {
			if (ts_match(&r[j].sel, &src, &dst, k[i].proto,
				     rte_be_to_cpu_16(k[i].sport),
				     rte_be_to_cpu_16(k[i].dport)) &&
			    (best == 0 || r[j].priority > bp)) {
				best = SPD_RES(r[j].action, r[j].sa_id);
				bp = r[j].priority;
			}
		}
		hits += best != 0;
		bad += res[i] != best;
	}
	CHECK_MSG(bad == 0, "%u of %u keys classified differently", bad, NK);
	CHECK_MSG(hits > NK / 10, "only %u of %u keys matched a rule", hits, NK);
	cache_vs_direct(s, r, NR, k, kp, res, NK, &st);
	spd_free(s);
out:
	free(r);
	free(k);
	free(kp);
	free(res);
}

/* 100,000 host policies (per-peer SPD of a large concentrator) plus a few
 * covering rules. Rule i: 10.0.0.0/8 -> 172.16.0.0 + i, TCP for even i
 * (any protocol for odd), dport 80 only when i % 7 == 0, priority
 * 10 + i % 1000, protect with SA i + 1. 172.16.0.0/24 bypasses at priority
 * 5000, everything else is discarded at priority 0. */
static void large_spd(void)
{
	enum { N = 100000, EXTRA = 3, BURST = 64 };
	struct spd_rule *r = calloc(N + EXTRA, sizeof(*r));
	struct spd_key4 *k = calloc(BURST, sizeof(*k));
	const struct spd_key4 *kp[BURST];
	uint32_t res[BURST];
	unsigned bad = 0, checked = 0;
	struct spd *s;

	for (unsigned i = 0; i < N; i++) {
		struct ts *t = &r[i].sel;

		r[i].dir = SA_DIR_OUT;
		r[i].priority = 10 + i % 1000;
		r[i].action = SPD_PROTECT;
		r[i].sa_id = i + 1;
		t->src = pfx("10.0.0.0/8");
		t->dst.addr.family = AF_INET;
		t->dst.addr.v4 = rte_cpu_to_be_32(0xac100000u + i);
		t->dst.len = 32;
		t->proto = i % 2 == 0 ? 6 : 0;
		t->sport_hi = 65535;
		t->dport_lo = i % 7 == 0 ? 80 : 0;
		t->dport_hi = i % 7 == 0 ? 80 : 65535;
	}
	r[N] = rule(SA_DIR_OUT, "0.0.0.0/0", "0.0.0.0/0", 0, 0, SPD_DISCARD, 0);
	r[N + 1] = rule(SA_DIR_OUT, "10.0.0.0/8", "172.16.0.0/24", 0, 5000,
			SPD_BYPASS, 0);
	r[N + 2] = rule(SA_DIR_IN, "172.16.0.0/12", "10.0.0.0/8", 0, 1,
			SPD_PROTECT, 4242);
	s = spd_build(r, N + EXTRA, 0, err, sizeof(err));
	CHECK_MSG(s != NULL, "100k rules: %s", err);
	if (s == NULL)
		goto out;
	CHECK(spd_rule_count(s) == N + EXTRA);
	/* Every rule with a key that matches it, one with the other protocol
	 * and one with another port, in bursts. */
	for (unsigned variant = 0; variant < 3; variant++) {
		for (unsigned base = 0; base < N + 100; base += BURST) {
			for (unsigned b = 0; b < BURST; b++) {
				unsigned i = base + b;

				k[b].proto = variant == 1 ? 17 : 6;
				k[b].src = rte_cpu_to_be_32(0x0a000001u + i);
				k[b].dst = rte_cpu_to_be_32(0xac100000u + i);
				k[b].sport = rte_cpu_to_be_16(40000);
				k[b].dport = rte_cpu_to_be_16(variant == 2 ? 81 : 80);
				kp[b] = &k[b];
			}
			spd_classify4(s, SA_DIR_OUT, kp, res, BURST);
			for (unsigned b = 0; b < BURST; b++) {
				unsigned i = base + b;
				uint32_t want;

				if (i < 256)
					want = BYPASS;
				else if (i >= N)
					want = DISCARD;
				else if ((variant == 1 && i % 2 == 0) ||
					 (variant == 2 && i % 7 == 0))
					want = DISCARD;
				else
					want = PROTECT(i + 1);
				bad += res[b] != want;
				if (res[b] != want && bad < 5)
					fprintf(stderr, "rule %u variant %u: %#x, want %#x\n",
						i, variant, res[b], want);
				checked++;
			}
		}
	}
	CHECK_MSG(bad == 0, "100k rules: %u of %u keys wrong", bad, checked);
	CHECK(cls4(s, SA_DIR_IN, "172.16.5.5", "10.9.9.9", 50, 0, 0) == PROTECT(4242));
	CHECK(cls4(s, SA_DIR_IN, "172.32.5.5", "10.9.9.9", 50, 0, 0) == 0);
	spd_free(s);
out:
	free(r);
	free(k);
}

int main(void)
{
	if (eal_up("unit_spd") < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	basics4();
	priorities();
	ports_and_protocols();
	prefix_lengths(AF_INET);
	prefix_lengths(AF_INET6);
	basics6();
	random_vs_reference();
	cache_edges();
	large_spd();
	rte_eal_cleanup();
	return check_summary();
}
