/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_UTIL_ADDR_H
#define ESPRIT_UTIL_ADDR_H
/*
 * IP addresses and prefixes, one type for both families.
 *
 * Contract: addresses are stored in network byte order exactly as they appear
 * on the wire (v4 in the first 4 bytes of `b`), so they can be compared with
 * memcmp and copied into headers without conversion. Parsing functions accept
 * the usual text forms and return 0 or -EINVAL; they never log.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define IP_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define IP_PREFIX_STRLEN (IP_ADDR_STRLEN + 4)

struct ip_addr {
	uint8_t family; /* AF_INET or AF_INET6; 0 means unset */
	union {
		uint8_t b[16];
		uint32_t v4; /* network order */
		uint32_t w[4];
	};
};

struct ip_prefix {
	struct ip_addr addr; /* host bits are zero */
	uint8_t len;
};

int ip_addr_parse(const char *s, struct ip_addr *a);
/* "a.b.c.d/n", "x::y/n"; a bare address is a host prefix. Host bits set in
 * the text are an error (-EINVAL) unless allow_host_bits, in which case they
 * are kept in *host (if non-NULL) and cleared in the prefix. */
int ip_prefix_parse(const char *s, struct ip_prefix *p, bool allow_host_bits,
		    struct ip_addr *host);
const char *ip_addr_fmt(const struct ip_addr *a, char *buf, size_t len);
const char *ip_prefix_fmt(const struct ip_prefix *p, char *buf, size_t len);

static inline unsigned ip_addr_bits(const struct ip_addr *a)
{
	return a->family == AF_INET6 ? 128 : 32;
}
static inline unsigned ip_addr_len(const struct ip_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}
bool ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b);
bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a);
/* Clear the bits beyond len. */
void ip_addr_mask(struct ip_addr *a, unsigned len);
void ip_addr_from_v4(struct ip_addr *a, uint32_t v4_be);
void ip_addr_from_v6(struct ip_addr *a, const uint8_t v6[16]);

#endif
