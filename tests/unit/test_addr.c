/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/util: address and prefix parsing/formatting (addr.c) and hex key
 * material (hex.c), at their edges: every malformed form must be refused
 * with -EINVAL, never half-parsed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "util/addr.h"
#include "util/hex.h"

static bool v4_is(const struct ip_addr *a, const char *s)
{
	struct in_addr x;

	return a->family == AF_INET && inet_pton(AF_INET, s, &x) == 1 &&
	       memcmp(a->b, &x, 4) == 0;
}

static bool v6_is(const struct ip_addr *a, const char *s)
{
	uint8_t x[16];

	return a->family == AF_INET6 && inet_pton(AF_INET6, s, x) == 1 &&
	       memcmp(a->b, x, 16) == 0;
}

static void addr_parse(void)
{
	static const char *const bad[] = {
		"", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.1.1.1",
		"1.2.3.-1", "01.2.3.4", "1.2.3.4/32", "0x01020304", "16909060",
		"1::2::3", "2001:db8::1%eth0", "2001:db8:::1", "12345::1",
		"1:2:3:4:5:6:7:8:9", "::ffff:1.2.3", "[::1]", "g::1", "localhost",
	};
	struct ip_addr a;

	CHECK(ip_addr_parse("1.2.3.4", &a) == 0 && v4_is(&a, "1.2.3.4"));
	CHECK(a.v4 == htonl(0x01020304));
	CHECK(ip_addr_parse("0.0.0.0", &a) == 0 && v4_is(&a, "0.0.0.0"));
	CHECK(ip_addr_parse("255.255.255.255", &a) == 0 && a.v4 == 0xffffffffu);
	CHECK(ip_addr_parse("::", &a) == 0 && v6_is(&a, "::"));
	CHECK(ip_addr_parse("2001:DB8::A", &a) == 0 && v6_is(&a, "2001:db8::a"));
	CHECK(ip_addr_parse("::ffff:1.2.3.4", &a) == 0 && a.family == AF_INET6);
	CHECK(a.b[10] == 0xff && a.b[12] == 1 && a.b[15] == 4);
	CHECK(ip_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a) == 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x77, sizeof(a));
		CHECK_MSG(ip_addr_parse(bad[i], &a) == -EINVAL, "\"%s\"", bad[i]);
		CHECK_MSG(a.family == 0, "\"%s\" left family %u", bad[i], a.family);
	}
	CHECK(ip_addr_parse(NULL, &a) == -EINVAL && a.family == 0);
	CHECK(ip_addr_len(&a) == 4 && ip_addr_bits(&a) == 32);
}

static void prefix_parse(void)
{
	static const char *const bad[] = {
		"", "/8", "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/-1",
		"1.2.3.4/+8", "1.2.3.4/8x", "1.2.3.4/ 8", "1.2.3.4/8 ",
		"1.2.3.4//8", "1.2.3.4/8/8", "1.2.3/8", "1.2.3.4/0x8",
		"1.2.3.4/99999999999999999999", "1.2.3.4/4294967328",
		"1.2.3.4/18446744073709551648", "x/8", "1.2.3.4 /8",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"0000000000000000000000000000000000000000000001.2.3.4/8",
	};
	struct ip_prefix p;
	struct ip_addr host;
	char buf[IP_PREFIX_STRLEN];

	CHECK(ip_prefix_parse("10.0.0.0/8", &p, false, NULL) == 0);
	CHECK(v4_is(&p.addr, "10.0.0.0") && p.len == 8);
	CHECK(ip_prefix_parse("0.0.0.0/0", &p, false, &host) == 0 && p.len == 0);
	CHECK(v4_is(&host, "0.0.0.0"));
	CHECK(ip_prefix_parse("1.2.3.4/32", &p, false, NULL) == 0 && p.len == 32);
	CHECK(ip_prefix_parse("::/0", &p, false, NULL) == 0 && p.len == 0 &&
	      p.addr.family == AF_INET6);
	CHECK(ip_prefix_parse("2001:db8::1/128", &p, false, NULL) == 0 &&
	      p.len == 128);
	CHECK(ip_prefix_parse("2001:db8::/32", &p, false, NULL) == 0 &&
	      p.len == 32 && v6_is(&p.addr, "2001:db8::"));
	/* A bare address is a host prefix. */
	CHECK(ip_prefix_parse("192.0.2.7", &p, false, &host) == 0 && p.len == 32);
	CHECK(v4_is(&host, "192.0.2.7") && v4_is(&p.addr, "192.0.2.7"));
	CHECK(ip_prefix_parse("2001:db8::7", &p, false, NULL) == 0 && p.len == 128);
	/* Leading zeros in the length are decimal, not octal. */
	CHECK(ip_prefix_parse("10.0.0.0/08", &p, false, NULL) == 0 && p.len == 8);

	/* Host bits: an error unless allowed; then kept in *host only. */
	CHECK(ip_prefix_parse("10.1.2.3/8", &p, false, NULL) == -EINVAL);
	CHECK(ip_prefix_parse("10.1.2.3/8", &p, true, &host) == 0);
	CHECK(v4_is(&p.addr, "10.0.0.0") && p.len == 8 && v4_is(&host, "10.1.2.3"));
	CHECK(ip_prefix_parse("10.1.2.3/0", &p, true, NULL) == 0 &&
	      v4_is(&p.addr, "0.0.0.0"));
	CHECK(ip_prefix_parse("10.1.2.3/31", &p, false, NULL) == -EINVAL);
	CHECK(ip_prefix_parse("10.1.2.2/31", &p, false, NULL) == 0);
	CHECK(ip_prefix_parse("2001:db8::1/64", &p, false, NULL) == -EINVAL);
	CHECK(ip_prefix_parse("2001:db8::1/64", &p, true, &host) == 0);
	CHECK(v6_is(&p.addr, "2001:db8::") && v6_is(&host, "2001:db8::1"));
	CHECK(ip_prefix_parse("2001:db8:0:0:8000::/65", &p, false, NULL) == 0);
	CHECK(ip_prefix_parse("2001:db8:0:0:8000::/64", &p, false, NULL) == -EINVAL);
	CHECK(ip_prefix_parse("::1/127", &p, false, NULL) == -EINVAL);

	/* The longest text accepted, and one character more. */
	CHECK(ip_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128",
			      &p, false, NULL) == 0 && p.len == 128);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0x77, sizeof(p));
		CHECK_MSG(ip_prefix_parse(bad[i], &p, true, NULL) == -EINVAL,
			  "\"%s\"", bad[i]);
	}
	CHECK(ip_prefix_parse(NULL, &p, true, NULL) == -EINVAL);

	/* Formatting. */
	ip_prefix_parse("10.0.0.0/8", &p, false, NULL);
	CHECK(strcmp(ip_prefix_fmt(&p, buf, sizeof(buf)), "10.0.0.0/8") == 0);
	ip_prefix_parse("2001:DB8:0::/48", &p, false, NULL);
	CHECK(strcmp(ip_prefix_fmt(&p, buf, sizeof(buf)), "2001:db8::/48") == 0);
	ip_prefix_parse("::/0", &p, false, NULL);
	CHECK(strcmp(ip_prefix_fmt(&p, buf, sizeof(buf)), "::/0") == 0);
}

static void fmt_and_compare(void)
{
	struct ip_addr a, b, unset = { 0 };
	struct ip_prefix p;
	char buf[IP_ADDR_STRLEN], small[4];
	uint8_t raw[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	CHECK(strcmp(ip_addr_fmt(&unset, buf, sizeof(buf)), "-") == 0);
	ip_addr_parse("192.0.2.1", &a);
	CHECK(strcmp(ip_addr_fmt(&a, buf, sizeof(buf)), "192.0.2.1") == 0);
	/* Too small a buffer: still a terminated string, never an overflow. */
	memset(small, 'x', sizeof(small));
	ip_addr_fmt(&a, small, sizeof(small));
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	ip_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a);
	CHECK(strlen(ip_addr_fmt(&a, buf, sizeof(buf))) < IP_ADDR_STRLEN);

	/* Equality: family first; for IPv4 only the 4 address bytes. */
	ip_addr_from_v4(&a, htonl(0x0a000001));
	b = a;
	b.b[8] = 0x55;
	CHECK(ip_addr_eq(&a, &b));
	ip_addr_from_v6(&b, raw);
	CHECK(!ip_addr_eq(&a, &b));
	memcpy(b.b, a.b, 16);
	CHECK(!ip_addr_eq(&a, &b));		/* same bytes, other family */
	ip_addr_from_v6(&a, raw);
	ip_addr_parse("2001:db8::1", &b);
	CHECK(ip_addr_eq(&a, &b));

	/* Masking at every length, both families. */
	for (unsigned len = 0; len <= 128; len++) {
		unsigned ones = 0;

		memset(a.b, 0xff, 16);
		a.family = AF_INET6;
		ip_addr_mask(&a, len);
		for (unsigned i = 0; i < 128; i++)
			ones += (a.b[i / 8] >> (7 - i % 8)) & 1;
		CHECK_MSG(ones == len && (len == 0 || (a.b[(len - 1) / 8] >>
						       (7 - (len - 1) % 8)) & 1),
			  "mask /%u", len);
	}
	ip_addr_from_v4(&a, 0xffffffffu);
	memset(a.b + 4, 0xee, 12);
	ip_addr_mask(&a, 20);
	CHECK(a.b[0] == 0xff && a.b[1] == 0xff && a.b[2] == 0xf0 && a.b[3] == 0);
	CHECK(a.b[4] == 0xee);	/* bytes beyond an IPv4 address untouched */
	ip_addr_from_v4(&a, 0xffffffffu);
	ip_addr_mask(&a, 40);	/* beyond the family: nothing cleared */
	CHECK(a.v4 == 0xffffffffu);

	/* Containment. */
	ip_prefix_parse("10.0.0.0/8", &p, false, NULL);
	ip_addr_parse("10.255.0.1", &a);
	CHECK(ip_prefix_contains(&p, &a));
	ip_addr_parse("11.0.0.0", &a);
	CHECK(!ip_prefix_contains(&p, &a));
	ip_addr_parse("::a00:1", &a);
	CHECK(!ip_prefix_contains(&p, &a));	/* other family */
	ip_prefix_parse("0.0.0.0/0", &p, false, NULL);
	ip_addr_parse("255.1.2.3", &a);
	CHECK(ip_prefix_contains(&p, &a));
	ip_addr_parse("::1", &a);
	CHECK(!ip_prefix_contains(&p, &a));
	ip_prefix_parse("::/0", &p, false, NULL);
	CHECK(ip_prefix_contains(&p, &a));
	ip_prefix_parse("2001:db8::1/128", &p, false, NULL);
	ip_addr_parse("2001:db8::1", &a);
	CHECK(ip_prefix_contains(&p, &a));
	ip_addr_parse("2001:db8::", &a);
	CHECK(!ip_prefix_contains(&p, &a));
}

static void hex(void)
{
	static const char *const bad[] = {
		"", "0x", "0X", "abc", "0xabc", "zz", "12 34", " 1234", "1234 ",
		":dead", "dead:", "d:ead", "de:a:d", "de::ad", "0x:de", "0x0x12",
		"de-ad", "x12", "0xg0", "de:ad:", "::",
	};
	uint8_t out[8];

	CHECK(hex_decode("deadbeef", out, sizeof(out)) == 4);
	CHECK(memcmp(out, "\xde\xad\xbe\xef", 4) == 0);
	CHECK(hex_decode("0xDEADbeef", out, sizeof(out)) == 4);
	CHECK(memcmp(out, "\xde\xad\xbe\xef", 4) == 0);
	CHECK(hex_decode("0X00ff", out, sizeof(out)) == 2 && out[0] == 0 &&
	      out[1] == 0xff);
	CHECK(hex_decode("de:ad:be:ef", out, sizeof(out)) == 4);
	CHECK(memcmp(out, "\xde\xad\xbe\xef", 4) == 0);
	CHECK(hex_decode("dead:beef", out, sizeof(out)) == 4);
	CHECK(hex_decode("0xde:ad", out, sizeof(out)) == 2);
	CHECK(hex_decode("00", out, sizeof(out)) == 1 && out[0] == 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(hex_decode(bad[i], out, sizeof(out)) == -EINVAL,
			  "\"%s\"", bad[i]);
	CHECK(hex_decode(NULL, out, sizeof(out)) == -EINVAL);

	/* Capacity: exactly full is fine, one more byte is -ENOSPC, and
	 * nothing is written past cap. */
	memset(out, 0x5a, sizeof(out));
	CHECK(hex_decode("01020304", out, 4) == 4 && out[4] == 0x5a);
	CHECK(hex_decode("0102030405", out, 4) == -ENOSPC);
	CHECK(out[4] == 0x5a);
	CHECK(hex_decode("01", out, 0) == -ENOSPC);

	/* A 64-byte HMAC-SHA-512 key, and back. */
	{
		char text[129], again[129];
		uint8_t key[64], back[64];

		for (int i = 0; i < 64; i++)
			key[i] = (uint8_t)(i * 37 + 11);
		hex_encode(key, 64, text);
		CHECK(strlen(text) == 128);
		CHECK(hex_decode(text, back, sizeof(back)) == 64);
		CHECK(memcmp(key, back, 64) == 0);
		hex_encode(back, 64, again);
		CHECK(strcmp(text, again) == 0);
		hex_encode(key, 0, text);
		CHECK(text[0] == '\0');
		hex_encode((const uint8_t *)"\x00\x0f\xf0\xff", 4, text);
		CHECK(strcmp(text, "000ff0ff") == 0);
	}

	/* Secret hygiene helpers. */
	{
		uint8_t k[32], z[32] = { 0 };

		memset(k, 0xa5, sizeof(k));
		secure_zero(k, sizeof(k));
		CHECK(memcmp(k, z, sizeof(k)) == 0);
		CHECK(ct_memcmp(k, z, sizeof(k)) == 0);
		k[31] = 1;
		CHECK(ct_memcmp(k, z, sizeof(k)) != 0);
		k[31] = 0;
		k[0] = 0x80;
		CHECK(ct_memcmp(k, z, sizeof(k)) != 0);
		CHECK(ct_memcmp(k, z, 0) == 0);
	}
}

int main(void)
{
	addr_parse();
	prefix_parse();
	fmt_and_compare();
	hex();
	return check_summary();
}
