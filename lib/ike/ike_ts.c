/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic selectors: payload codec, configuration, narrowing (RFC 7296
 * §2.9, §3.13) and conversion into the data plane's prefix selectors.
 */
#include "ike/ike_ts.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_msg.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Compare two addresses of the same family as big-endian numbers. */
static int addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	return memcmp(a->b, b->b, ip_addr_len(a));
}

int ike_ts_parse(const uint8_t *b, size_t len, struct ike_ts_list *out)
{
	unsigned n;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return -EINVAL;
	n = b[0];
	b += 4;
	len -= 4;
	for (unsigned i = 0; i < n; i++) {
		struct ike_tsel t = { 0 };
		uint16_t slen;
		unsigned alen;

		if (len < 8)
			return -EINVAL;
		t.type = b[0];
		t.proto = b[1];
		slen = rd16(b + 2);
		alen = t.type == IKE_TS_IPV4 ? 4 : 16;
		if (slen != 8 + 2 * alen || slen > len)
			return -EINVAL;
		t.sport = rd16(b + 4);
		t.eport = rd16(b + 6);
		t.start.family = t.end.family =
			t.type == IKE_TS_IPV4 ? AF_INET : AF_INET6;
		memcpy(t.start.b, b + 8, alen);
		memcpy(t.end.b, b + 8 + alen, alen);
		if (out->n < IKE_TS_MAX)
			out->ts[out->n++] = t;
		b += slen;
		len -= slen;
	}
	return len == 0 ? 0 : -EINVAL;
}

void ike_ts_write(struct ike_wr *w, uint8_t pl_type,
		  const struct ike_ts_list *l)
{
	size_t off = ike_wr_begin(w, pl_type);

	ike_wr_u8(w, (uint8_t)l->n);
	ike_wr_zero(w, 3);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ike_tsel *t = &l->ts[i];
		unsigned alen = t->type == IKE_TS_IPV4 ? 4 : 16;

		ike_wr_u8(w, t->type);
		ike_wr_u8(w, t->proto);
		ike_wr_u16(w, (uint16_t)(8 + 2 * alen));
		ike_wr_u16(w, t->sport);
		ike_wr_u16(w, t->eport);
		ike_wr_put(w, t->start.b, alen);
		ike_wr_put(w, t->end.b, alen);
	}
	ike_wr_end(w, off);
}

void ike_ts_from_prefix(const struct ip_prefix *p, struct ike_tsel *out)
{
	unsigned n = ip_addr_len(&p->addr);

	memset(out, 0, sizeof(*out));
	out->type = p->addr.family == AF_INET ? IKE_TS_IPV4 : IKE_TS_IPV6;
	out->eport = 0xffff;
	out->start = p->addr;
	out->end = p->addr;
	for (unsigned i = 0; i < n; i++) {
		unsigned bits = p->len > 8 * i ? p->len - 8 * i : 0;

		if (bits < 8)
			out->end.b[i] |= (uint8_t)(0xff >> bits);
	}
}

static int parse_proto(const char *s, uint8_t *proto)
{
	struct protoent *pe;
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s && *end == '\0' && v <= 255) {
		*proto = (uint8_t)v;
		return 0;
	}
	if (strcmp(s, "tcp") == 0) { *proto = 6; return 0; }
	if (strcmp(s, "udp") == 0) { *proto = 17; return 0; }
	if (strcmp(s, "icmp") == 0) { *proto = 1; return 0; }
	if (strcmp(s, "ipv6-icmp") == 0) { *proto = 58; return 0; }
	if (strcmp(s, "sctp") == 0) { *proto = 132; return 0; }
	(void)pe;
	return -EINVAL;
}

/* "[proto]" or "[proto/port]" after a prefix. */
static int parse_extra(char *s, struct ike_tsel *t)
{
	char *slash, *end;
	unsigned long port;

	if (s[strlen(s) - 1] != ']')
		return -EINVAL;
	s[strlen(s) - 1] = '\0';
	slash = strchr(s, '/');
	if (slash)
		*slash = '\0';
	if (*s && strcmp(s, "any") != 0 && parse_proto(s, &t->proto) < 0)
		return -EINVAL;
	if (slash && strcmp(slash + 1, "any") != 0) {
		port = strtoul(slash + 1, &end, 10);
		if (*end || port > 65535 || slash[1] == '\0')
			return -EINVAL;
		t->sport = t->eport = (uint16_t)port;
	}
	return 0;
}

static int parse_one(char *s, struct ike_tsel *t)
{
	char *br = strchr(s, '[');
	struct ip_prefix p;

	if (br)
		*br = '\0';
	if (ip_prefix_parse(s, &p, false, NULL) < 0)
		return -EINVAL;
	ike_ts_from_prefix(&p, t);
	return br ? parse_extra(br + 1, t) : 0;
}

int ike_ts_conf_parse(const char *s, struct ike_ts_list *out)
{
	char buf[512], *save = NULL, *tok;

	memset(out, 0, sizeof(*out));
	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (out->n >= IKE_TS_MAX ||
		    parse_one(tok, &out->ts[out->n]) < 0)
			return -EINVAL;
		out->n++;
	}
	return out->n ? 0 : -EINVAL;
}

/* Intersection of two selectors (§2.9); false when empty. */
static bool intersect(const struct ike_tsel *a, const struct ike_tsel *b,
		      struct ike_tsel *o)
{
	if (a->type != b->type)
		return false;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	*o = *a;
	o->proto = a->proto ? a->proto : b->proto;
	o->sport = a->sport > b->sport ? a->sport : b->sport;
	o->eport = a->eport < b->eport ? a->eport : b->eport;
	if (o->sport > o->eport)
		return false;
	o->start = addr_cmp(&a->start, &b->start) > 0 ? a->start : b->start;
	o->end = addr_cmp(&a->end, &b->end) < 0 ? a->end : b->end;
	return addr_cmp(&o->start, &o->end) <= 0;
}

unsigned ike_ts_narrow(const struct ike_ts_list *proposed,
		       const struct ike_ts_list *conf, struct ike_ts_list *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < proposed->n; i++)
		for (unsigned j = 0; j < conf->n; j++) {
			struct ike_tsel t;
			bool dup = false;

			if (out->n >= IKE_TS_MAX ||
			    !intersect(&proposed->ts[i], &conf->ts[j], &t))
				continue;
			for (unsigned k = 0; k < out->n; k++)
				dup |= memcmp(&out->ts[k], &t, sizeof(t)) == 0;
			if (!dup)
				out->ts[out->n++] = t;
		}
	return out->n;
}

static bool tsel_within(const struct ike_tsel *in, const struct ike_tsel *out)
{
	struct ike_tsel x;

	return intersect(in, out, &x) && memcmp(&x, in, sizeof(x)) == 0;
}

bool ike_ts_within(const struct ike_ts_list *got,
		   const struct ike_ts_list *asked)
{
	if (got->n == 0)
		return false;
	for (unsigned i = 0; i < got->n; i++) {
		bool ok = false;

		for (unsigned j = 0; j < asked->n && !ok; j++)
			ok = tsel_within(&got->ts[i], &asked->ts[j]);
		if (!ok)
			return false;
	}
	return true;
}

/* Last address of the prefix (a, len). */
static void bcast(const struct ip_addr *a, unsigned len, struct ip_addr *o)
{
	*o = *a;
	for (unsigned i = 0; i < ip_addr_len(a); i++) {
		unsigned bits = len > 8 * i ? len - 8 * i : 0;

		if (bits < 8)
			o->b[i] |= (uint8_t)(0xff >> bits);
	}
}

/* a += 1; false on wrap-around. */
static bool inc(struct ip_addr *a)
{
	for (int i = (int)ip_addr_len(a) - 1; i >= 0; i--)
		if (++a->b[i] != 0)
			return true;
	return false;
}

/* Split the range into the fewest prefixes (at most max). */
static unsigned range_prefixes(const struct ip_addr *start,
			       const struct ip_addr *end,
			       struct ip_prefix *out, unsigned max)
{
	struct ip_addr s = *start;
	unsigned n = 0;

	while (n < max && addr_cmp(&s, end) <= 0) {
		unsigned len, bits = ip_addr_bits(&s);
		struct ip_addr m, last;

		for (len = 0; len <= bits; len++) {
			m = s;
			ip_addr_mask(&m, len);
			bcast(&s, len, &last);
			if (ip_addr_eq(&m, &s) && addr_cmp(&last, end) <= 0)
				break;
		}
		out[n].addr = s;
		out[n++].len = (uint8_t)len;
		bcast(&s, len, &s);
		if (!inc(&s))
			break;
	}
	return n;
}

unsigned ike_ts_to_sa(const struct ike_ts_list *src,
		      const struct ike_ts_list *dst, struct ts *out,
		      unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < src->n; i++)
		for (unsigned j = 0; j < dst->n; j++) {
			const struct ike_tsel *a = &src->ts[i], *b = &dst->ts[j];
			struct ip_prefix ps[SA_TS_MAX], pd[SA_TS_MAX];
			unsigned ns, nd;

			if (a->type != b->type ||
			    (a->proto && b->proto && a->proto != b->proto))
				continue;
			ns = range_prefixes(&a->start, &a->end, ps, SA_TS_MAX);
			nd = range_prefixes(&b->start, &b->end, pd, SA_TS_MAX);
			for (unsigned x = 0; x < ns; x++)
				for (unsigned y = 0; y < nd && n < max; y++)
					out[n++] = (struct ts){
						.src = ps[x], .dst = pd[y],
						.proto = a->proto ? a->proto : b->proto,
						.sport_lo = a->sport, .sport_hi = a->eport,
						.dport_lo = b->sport, .dport_hi = b->eport,
					};
		}
	return n;
}

const char *ike_tsel_fmt(const struct ike_tsel *t, char *buf, size_t n)
{
	struct ip_prefix p[1];
	char a[IP_PREFIX_STRLEN], b[IP_ADDR_STRLEN];
	int k;

	if (range_prefixes(&t->start, &t->end, p, 1) == 1) {
		struct ip_addr last;

		bcast(&p[0].addr, p[0].len, &last);
		if (ip_addr_eq(&last, &t->end)) {
			k = snprintf(buf, n, "%s", ip_prefix_fmt(p, a, sizeof(a)));
			goto extra;
		}
	}
	k = snprintf(buf, n, "%s-%s", ip_addr_fmt(&t->start, a, sizeof(a)),
		     ip_addr_fmt(&t->end, b, sizeof(b)));
extra:
	if (k >= 0 && (size_t)k < n && (t->proto || t->sport || t->eport != 0xffff))
		snprintf(buf + k, n - k, "[%u/%u-%u]", t->proto, t->sport, t->eport);
	return buf;
}
