/* SPDX-License-Identifier: BSD-3-Clause */
#include "util/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ip_addr_parse(const char *s, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

void ip_addr_mask(struct ip_addr *a, unsigned len)
{
	unsigned nbytes = ip_addr_len(a);

	for (unsigned i = 0; i < nbytes; i++) {
		if (len >= 8 * (i + 1))
			continue;
		if (len <= 8 * i)
			a->b[i] = 0;
		else
			a->b[i] &= (uint8_t)(0xff << (8 - (len - 8 * i)));
	}
}

int ip_prefix_parse(const char *s, struct ip_prefix *p, bool allow_host_bits,
		    struct ip_addr *host)
{
	char buf[IP_PREFIX_STRLEN + 1];
	const char *slash;
	unsigned long len;
	char *end;

	memset(p, 0, sizeof(*p));
	if (s == NULL || strlen(s) > IP_PREFIX_STRLEN)
		return -EINVAL;
	slash = strchr(s, '/');
	if (slash == NULL) {
		if (ip_addr_parse(s, &p->addr) < 0)
			return -EINVAL;
		p->len = ip_addr_bits(&p->addr);
		if (host)
			*host = p->addr;
		return 0;
	}
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (ip_addr_parse(buf, &p->addr) < 0)
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end != '\0' || len > ip_addr_bits(&p->addr))
		return -EINVAL;
	p->len = (uint8_t)len;
	if (host)
		*host = p->addr;
	{
		struct ip_addr masked = p->addr;

		ip_addr_mask(&masked, p->len);
		if (!allow_host_bits && !ip_addr_eq(&masked, &p->addr))
			return -EINVAL;
		p->addr = masked;
	}
	return 0;
}

const char *ip_addr_fmt(const struct ip_addr *a, char *buf, size_t len)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (inet_ntop(a->family, a->b, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

const char *ip_prefix_fmt(const struct ip_prefix *p, char *buf, size_t len)
{
	char a[IP_ADDR_STRLEN];

	snprintf(buf, len, "%s/%u", ip_addr_fmt(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

bool ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, ip_addr_len(a)) == 0;
}

bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a)
{
	struct ip_addr m;

	if (a->family != p->addr.family)
		return false;
	m = *a;
	ip_addr_mask(&m, p->len);
	return ip_addr_eq(&m, &p->addr);
}

void ip_addr_from_v4(struct ip_addr *a, uint32_t v4_be)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->v4 = v4_be;
}

void ip_addr_from_v6(struct ip_addr *a, const uint8_t v6[16])
{
	a->family = AF_INET6;
	memcpy(a->b, v6, 16);
}
