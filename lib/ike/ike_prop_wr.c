/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing SA payloads (RFC 7296 §3.3) and naming negotiated suites.
 */
#include <stdio.h>
#include <string.h>

#include "ike/ike_msg.h"
#include "ike/ike_proposal.h"

/* Transform substructure (§3.3.2) with KEY_LENGTH as a TV attribute. */
static void write_xf(struct ike_wr *w, const struct ike_xf *x, bool last)
{
	ike_wr_u8(w, last ? 0 : 3);
	ike_wr_u8(w, 0);
	ike_wr_u16(w, x->keylen ? 12 : 8);
	ike_wr_u8(w, x->type);
	ike_wr_u8(w, 0);
	ike_wr_u16(w, x->id);
	if (x->keylen) {
		ike_wr_u16(w, 0x8000 | IKE_ATTR_KEY_LENGTH);
		ike_wr_u16(w, x->keylen);
	}
}

static bool keep(const struct ike_xf *x, bool strip_dh)
{
	return x->type != 0 && !(strip_dh && x->type == IKE_XF_DH);
}

/* Proposal substructure (§3.3.1); its length is patched at the end. */
static void write_prop(struct ike_wr *w, const struct ike_prop *p, uint8_t num,
		       const uint8_t *spi, uint8_t spi_size, bool last,
		       bool strip_dh)
{
	size_t off = w->len;
	unsigned n = 0, k = 0;

	for (unsigned i = 0; i < p->n_xf; i++)
		n += keep(&p->xf[i], strip_dh);
	ike_wr_u8(w, last ? 0 : 2);
	ike_wr_u8(w, 0);
	ike_wr_u16(w, 0);
	ike_wr_u8(w, num);
	ike_wr_u8(w, p->proto);
	ike_wr_u8(w, spi_size);
	ike_wr_u8(w, (uint8_t)n);
	ike_wr_put(w, spi, spi_size);
	for (unsigned i = 0; i < p->n_xf; i++)
		if (keep(&p->xf[i], strip_dh))
			write_xf(w, &p->xf[i], ++k == n);
	if (!w->err) {
		w->buf[off + 2] = (uint8_t)((w->len - off) >> 8);
		w->buf[off + 3] = (uint8_t)(w->len - off);
	}
}

void ike_offer_write(struct ike_wr *w, const struct ike_offer *o,
		     const uint8_t *spi, uint8_t spi_size, bool strip_dh)
{
	size_t off = ike_wr_begin(w, IKE_PL_SA);

	for (unsigned i = 0; i < o->n; i++)
		write_prop(w, &o->p[i], o->p[i].num, spi, spi_size,
			   i + 1 == o->n, strip_dh);
	ike_wr_end(w, off);
}

void ike_suite_write(struct ike_wr *w, const struct ike_suite *s,
		     const uint8_t *spi, uint8_t spi_size)
{
	struct ike_prop p = { .proto = s->proto };
	size_t off;

	p.xf[p.n_xf++] = (struct ike_xf){ IKE_XF_ENCR, s->encr, s->keylen };
	if (s->prf)
		p.xf[p.n_xf++] = (struct ike_xf){ IKE_XF_PRF, s->prf, 0 };
	if (s->integ)
		p.xf[p.n_xf++] = (struct ike_xf){ IKE_XF_INTEG, s->integ, 0 };
	if (s->dh)
		p.xf[p.n_xf++] = (struct ike_xf){ IKE_XF_DH, s->dh, 0 };
	if (s->has_esn)
		p.xf[p.n_xf++] = (struct ike_xf){ IKE_XF_ESN, s->esn, 0 };
	off = ike_wr_begin(w, IKE_PL_SA);
	write_prop(w, &p, s->num, spi, spi_size, true, false);
	ike_wr_end(w, off);
}

static const char *encr_name(uint16_t id)
{
	switch (id) {
	case IKE_ENCR_AES_CBC: return "AES_CBC";
	case IKE_ENCR_AES_CTR: return "AES_CTR";
	case IKE_ENCR_AES_GCM_8: return "AES_GCM_8";
	case IKE_ENCR_AES_GCM_12: return "AES_GCM_12";
	case IKE_ENCR_AES_GCM_16: return "AES_GCM_16";
	case IKE_ENCR_CHACHA20_POLY1305: return "CHACHA20_POLY1305";
	case IKE_ENCR_NULL: return "NULL";
	}
	return "ENCR_?";
}

static const char *integ_name(uint16_t id)
{
	switch (id) {
	case IKE_INTEG_HMAC_SHA1_96: return "HMAC_SHA1_96";
	case IKE_INTEG_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128";
	case IKE_INTEG_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192";
	case IKE_INTEG_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256";
	}
	return "INTEG_?";
}

static const char *prf_name(uint16_t id)
{
	switch (id) {
	case IKE_PRF_HMAC_SHA1: return "PRF_HMAC_SHA1";
	case IKE_PRF_HMAC_SHA2_256: return "PRF_HMAC_SHA2_256";
	case IKE_PRF_HMAC_SHA2_384: return "PRF_HMAC_SHA2_384";
	case IKE_PRF_HMAC_SHA2_512: return "PRF_HMAC_SHA2_512";
	}
	return "PRF_?";
}

static const char *dh_name(uint16_t id)
{
	switch (id) {
	case IKE_DH_MODP_2048: return "MODP_2048";
	case IKE_DH_MODP_3072: return "MODP_3072";
	case IKE_DH_MODP_4096: return "MODP_4096";
	case IKE_DH_ECP_256: return "ECP_256";
	case IKE_DH_ECP_384: return "ECP_384";
	case IKE_DH_ECP_521: return "ECP_521";
	case IKE_DH_CURVE25519: return "CURVE_25519";
	case IKE_DH_CURVE448: return "CURVE_448";
	}
	return "DH_?";
}

const char *ike_suite_name(const struct ike_suite *s, char *buf, size_t n)
{
	int k = snprintf(buf, n, "%s", encr_name(s->encr));

	if (s->keylen && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - k, "-%u", s->keylen);
	if (s->integ && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - k, "/%s", integ_name(s->integ));
	if (s->prf && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - k, "/%s", prf_name(s->prf));
	if (s->dh && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - k, "/%s", dh_name(s->dh));
	if (s->has_esn && s->esn && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - k, "/ESN");
	return buf;
}
