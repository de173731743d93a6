/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Structural validation of payload bodies (RFC 7296 §3.3-3.15). Every
 * sub-structure header (proposal, transform, attribute, selector) is copied
 * and its length checked against what is left before it is used.
 */
#include "ike/ike_msg.h"

#include <errno.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool bad(struct ike_msg *m, const char *why)
{
	if (m)
		m->why = why;
	return false;
}

/* Transform attributes (§3.3.5): only KEY_LENGTH (TV) is defined. An
 * unknown attribute makes the transform unusable (§3.3.6), not the message
 * malformed: we mark it with type 0 so negotiation skips it. */
static int parse_attrs(const uint8_t *p, size_t left, struct ike_xf *xf)
{
	while (left > 0) {
		uint16_t t, v;

		if (left < 4)
			return -EINVAL;
		t = rd16(p);
		v = rd16(p + 2);
		if (t & 0x8000) {
			if ((t & 0x7fff) == IKE_ATTR_KEY_LENGTH && v != 0)
				xf->keylen = v;
			else
				xf->type = 0;
			p += 4;
			left -= 4;
			continue;
		}
		/* TLV: KEY_LENGTH must be TV, so any TLV is unknown. */
		if ((size_t)v > left - 4)
			return -EINVAL;
		xf->type = 0;
		p += 4 + v;
		left -= 4 + (size_t)v;
	}
	return 0;
}

/* Transforms of one proposal (§3.3.2); `count` from the proposal header
 * must match what is there. */
static int parse_xfs(const uint8_t *p, size_t left, unsigned count,
		     struct ike_prop *pr)
{
	for (unsigned i = 0; i < count; i++) {
		struct ike_xf xf = { 0 };
		uint8_t last;
		uint16_t len;

		if (left < 8)
			return -EINVAL;
		last = p[0];
		len = rd16(p + 2);
		if (len < 8 || len > left)
			return -EINVAL;
		if (last != (i + 1 == count ? 0 : 3))
			return -EINVAL;
		xf.type = p[4];
		xf.id = rd16(p + 6);
		if (xf.type < IKE_XF_ENCR || xf.type > IKE_XF_ESN)
			xf.type = 0; /* unknown type: ignore the transform */
		if (parse_attrs(p + 8, len - 8u, &xf) < 0)
			return -EINVAL;
		if (pr->n_xf < IKE_MAX_XF)
			pr->xf[pr->n_xf++] = xf;
		p += len;
		left -= len;
	}
	return left == 0 ? 0 : -EINVAL;
}

/* One proposal substructure (§3.3.1); returns its length or -EINVAL. */
static int parse_prop(const uint8_t *p, size_t left, struct ike_prop *pr)
{
	uint16_t len;
	uint8_t spi_size, count;

	if (left < 8)
		return -EINVAL;
	len = rd16(p + 2);
	if (len < 8 || len > left)
		return -EINVAL;
	memset(pr, 0, sizeof(*pr));
	pr->num = p[4];
	pr->proto = p[5];
	spi_size = p[6];
	count = p[7];
	if (pr->proto < IKE_PROTO_IKE || pr->proto > IKE_PROTO_ESP)
		return -EINVAL;
	if (pr->proto == IKE_PROTO_IKE ? (spi_size != 0 && spi_size != 8)
				       : spi_size != 4)
		return -EINVAL;
	if (count == 0 || 8u + spi_size > len)
		return -EINVAL;
	pr->spi_size = spi_size;
	memcpy(pr->spi, p + 8, spi_size);
	if (parse_xfs(p + 8 + spi_size, len - 8u - spi_size, count, pr) < 0)
		return -EINVAL;
	return len;
}

/* SA payload (§3.3): proposals numbered 1, 2, ... (§3.3.1), the last one
 * marked 0 and the others 2. Proposals beyond IKE_MAX_PROPS are checked
 * but not kept. */
int ike_sa_pl_parse(const uint8_t *b, size_t len, struct ike_offer *out)
{
	struct ike_prop tmp;
	unsigned expect = 1;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -EINVAL;
	while (len > 0) {
		struct ike_prop *pr;
		int n;

		pr = out->n < IKE_MAX_PROPS ? &out->p[out->n] : &tmp;
		n = parse_prop(b, len, pr);
		if (n < 0)
			return -EINVAL;
		/* "Last Substruc": 0 on the last proposal, 2 before it. */
		if (b[0] != ((size_t)n == len ? 0 : 2))
			return -EINVAL;
		if (pr->num != expect)
			return -EINVAL;
		expect++;
		if (pr != &tmp)
			out->n++;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Traffic selectors (§3.13.1): type 7 (IPv4, 16 bytes) or 8 (IPv6, 40). */
static bool valid_ts(struct ike_msg *m, const uint8_t *b, size_t len)
{
	unsigned n;

	if (len < 4)
		return bad(m, "TS payload short");
	n = b[0];
	if (n == 0)
		return bad(m, "TS payload without selectors");
	b += 4;
	len -= 4;
	for (unsigned i = 0; i < n; i++) {
		uint8_t type;
		uint16_t slen;

		if (len < 8)
			return bad(m, "TS truncated");
		type = b[0];
		slen = rd16(b + 2);
		if (slen > len || !((type == 7 && slen == 16) ||
				    (type == 8 && slen == 40)))
			return bad(m, "TS bad type or length");
		b += slen;
		len -= slen;
	}
	return len == 0 ? true : bad(m, "TS count != selectors");
}

static bool valid_notify(struct ike_msg *m, const uint8_t *b, size_t len)
{
	struct ike_n n;

	if (len < 4)
		return bad(m, "notify short");
	n.proto = b[0];
	n.spi_size = b[1];
	n.type = rd16(b + 2);
	if ((size_t)n.spi_size > len - 4)
		return bad(m, "notify SPI past end");
	n.spi = b + 4;
	n.data = b + 4 + n.spi_size;
	n.data_len = len - 4 - n.spi_size;
	if (m) {
		if (m->n_notify >= IKE_MSG_MAX_N)
			return bad(m, "too many notifies");
		m->notify[m->n_notify++] = n;
	}
	return true;
}

/* Delete (§3.11): IKE SA (proto 1) has no SPIs; ESP/AH carry 4-byte SPIs. */
static bool valid_delete(struct ike_msg *m, const uint8_t *b, size_t len)
{
	struct ike_del d;

	if (len < 4)
		return bad(m, "delete short");
	d.proto = b[0];
	d.spi_size = b[1];
	d.n = rd16(b + 2);
	d.spis = b + 4;
	if (d.proto == IKE_PROTO_IKE) {
		if (d.spi_size != 0 || d.n != 0 || len != 4)
			return bad(m, "delete IKE with SPIs");
	} else if (d.proto == IKE_PROTO_ESP || d.proto == IKE_PROTO_AH) {
		if (d.spi_size != 4 || len - 4 != (size_t)d.n * 4)
			return bad(m, "delete SPI count");
	} else {
		return bad(m, "delete protocol");
	}
	if (m) {
		if (m->n_delete >= IKE_MSG_MAX_N)
			return bad(m, "too many deletes");
		m->del[m->n_delete++] = d;
	}
	return true;
}

bool ike_pl_valid(struct ike_msg *m, uint8_t type, const uint8_t *b,
		  size_t len)
{
	struct ike_offer offer;

	switch (type) {
	case IKE_PL_SA:
		return ike_sa_pl_parse(b, len, &offer) == 0 ? true
			: bad(m, "SA payload malformed");
	case IKE_PL_KE: /* group, reserved, at least one byte of data */
		return len > 4 ? true : bad(m, "KE short");
	case IKE_PL_IDI:
	case IKE_PL_IDR: /* type, 3 reserved, data */
	case IKE_PL_AUTH: /* method, 3 reserved, data */
		return len > 4 ? true : bad(m, "ID/AUTH short");
	case IKE_PL_CERT:
		return len > 1 ? true : bad(m, "CERT short");
	case IKE_PL_CERTREQ: /* X.509: a list of 20-byte SHA-1 key hashes */
		if (len < 1)
			return bad(m, "CERTREQ short");
		return b[0] != IKE_CERT_X509_SIG || (len - 1) % 20 == 0
			? true : bad(m, "CERTREQ hash list");
	case IKE_PL_NONCE: /* §3.9: 16 to 256 bytes */
		return len >= 16 && len <= 256 ? true : bad(m, "nonce size");
	case IKE_PL_NOTIFY:
		return valid_notify(m, b, len);
	case IKE_PL_DELETE:
		return valid_delete(m, b, len);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return valid_ts(m, b, len);
	case IKE_PL_VENDOR:
	case IKE_PL_CP: /* §3.15: not supported, ignored */
	case IKE_PL_EAP:
		return true;
	}
	return bad(m, "unexpected payload type");
}
