/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message codec: header checks, payload chain walk and the writer.
 * The per-payload structural checks are in ike_pld.c.
 */
#include "ike/ike_msg.h"

#include <errno.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The generic payload header (§3.2), copied out before use. */
struct gen_hdr {
	uint8_t np;
	uint8_t flags; /* bit 7: critical */
	uint16_t len;
};

/* Payload types we understand (and so never reject for the critical bit,
 * §2.5). CP and EAP are understood only to be ignored. */
static bool pl_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP);
}

static enum ike_perr fail(struct ike_msg *m, enum ike_perr e, const char *why)
{
	m->why = why;
	return e;
}

static enum ike_perr add_pl(struct ike_msg *m, uint8_t type, const uint8_t *b,
			    size_t len)
{
	const struct ike_pl **slot;
	struct ike_pl *pl;

	if (m->n_pl >= IKE_MSG_MAX_PL)
		return fail(m, IKE_PERR_TOO_MANY, "too many payloads");
	if (!ike_pl_valid(m, type, b, len))
		return IKE_PERR_SYNTAX; /* ike_pl_valid set m->why */
	pl = &m->pl[m->n_pl++];
	*pl = (struct ike_pl){ type, b, len };
	slot = NULL;
	switch (type) {
	case IKE_PL_SA: slot = &m->sa; break;
	case IKE_PL_KE: slot = &m->ke; break;
	case IKE_PL_IDI: slot = &m->idi; break;
	case IKE_PL_IDR: slot = &m->idr; break;
	case IKE_PL_AUTH: slot = &m->auth; break;
	case IKE_PL_NONCE: slot = &m->nonce; break;
	case IKE_PL_TSI: slot = &m->tsi; break;
	case IKE_PL_TSR: slot = &m->tsr; break;
	case IKE_PL_CERTREQ: slot = &m->certreq; break;
	case IKE_PL_CERT:
		if (m->n_cert < IKE_MSG_MAX_CERT)
			m->cert[m->n_cert++] = pl;
		break;
	}
	/* §3.3-3.13: one of each of these per message; a second is a syntax
	 * error rather than something to guess about. */
	if (slot && *slot && type != IKE_PL_CERTREQ)
		return fail(m, IKE_PERR_SYNTAX, "duplicate payload");
	if (slot && !*slot)
		*slot = pl;
	return IKE_PERR_OK;
}

/*
 * Walk a payload chain (§3.2). Every generic header is copied and checked
 * (left >= 4, len >= 4, len <= left) before anything reads the body. The
 * Encrypted payload must be the last one (§3.14) and may not nest.
 */
static enum ike_perr walk(struct ike_msg *m, const uint8_t *p, size_t left,
			  uint8_t np, size_t base, bool inner)
{
	while (np != IKE_PL_NONE) {
		struct gen_hdr h;
		enum ike_perr e;

		if (left < IKE_GEN_LEN)
			return fail(m, IKE_PERR_SYNTAX, "payload header truncated");
		h.np = p[0];
		h.flags = p[1];
		h.len = rd16(p + 2);
		if (h.len < IKE_GEN_LEN)
			return fail(m, IKE_PERR_SYNTAX, "payload length < 4");
		if (h.len > left)
			return fail(m, IKE_PERR_SYNTAX, "payload length past end");
		if (np == IKE_PL_SK) {
			if (inner || m->sk)
				return fail(m, IKE_PERR_SYNTAX, "nested SK");
			if (h.len != left)
				return fail(m, IKE_PERR_SYNTAX, "SK not last");
			if (m->n_pl >= IKE_MSG_MAX_PL)
				return fail(m, IKE_PERR_TOO_MANY, "too many");
			m->pl[m->n_pl] = (struct ike_pl){ np, p + IKE_GEN_LEN,
							  h.len - IKE_GEN_LEN };
			m->sk = &m->pl[m->n_pl++];
			m->sk_np = h.np;
			m->sk_off = base;
			return IKE_PERR_OK;
		}
		if (pl_known(np)) {
			e = add_pl(m, np, p + IKE_GEN_LEN, h.len - IKE_GEN_LEN);
			if (e != IKE_PERR_OK)
				return e;
		} else if (h.flags & 0x80) {
			m->crit_type = np;
			return fail(m, IKE_PERR_CRITICAL, "unknown critical payload");
		}
		np = h.np;
		p += h.len;
		left -= h.len;
		base += h.len;
	}
	if (left != 0)
		return fail(m, IKE_PERR_SYNTAX, "bytes after last payload");
	return IKE_PERR_OK;
}

/* The IKE header (§3.1). */
enum ike_perr ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	static const uint8_t zero[8];

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->len = len;
	if (len < IKE_HDR_LEN)
		return fail(m, IKE_PERR_SHORT, "shorter than the IKE header");
	memcpy(m->spi_i, buf, 8);
	memcpy(m->spi_r, buf + 8, 8);
	m->first_np = buf[16];
	m->version = buf[17];
	m->exch = buf[18];
	m->flags = buf[19];
	m->msgid = rd32(buf + 20);
	/* The length first: without it this is not an IKE message at all,
	 * and nothing should be answered (junk must not be reflected). */
	if (rd32(buf + 24) != len || len > IKE_MAX_MSG)
		return fail(m, IKE_PERR_LENGTH, "length field != datagram");
	/* §2.5: a different major version is rejected before the payloads. */
	if ((m->version >> 4) != 2)
		return fail(m, IKE_PERR_VERSION, "major version not 2");
	if (m->exch < IKE_SA_INIT || m->exch > IKE_INFORMATIONAL)
		return fail(m, IKE_PERR_EXCH, "unknown exchange type");
	/* §3.1: the initiator's SPI is never zero. */
	if (memcmp(m->spi_i, zero, 8) == 0)
		return fail(m, IKE_PERR_SYNTAX, "zero initiator SPI");
	return walk(m, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, m->first_np,
		    IKE_HDR_LEN, false);
}

enum ike_perr ike_msg_parse_inner(struct ike_msg *m, const uint8_t *pt,
				  size_t len, uint8_t np)
{
	return walk(m, pt, len, np, 0, true);
}

const struct ike_n *ike_msg_notify(const struct ike_msg *m, uint16_t type)
{
	for (unsigned i = 0; i < m->n_notify; i++)
		if (m->notify[i].type == type)
			return &m->notify[i];
	return NULL;
}

const struct ike_n *ike_msg_error(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n_notify; i++)
		if (m->notify[i].type <= IKE_N_ERROR_MAX)
			return &m->notify[i];
	return NULL;
}

/* --- Writer -------------------------------------------------------------- */

static bool room(struct ike_wr *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return false;
	}
	return true;
}

void ike_wr_put(struct ike_wr *w, const void *p, size_t n)
{
	if (n == 0 || !room(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void ike_wr_zero(struct ike_wr *w, size_t n)
{
	if (n == 0 || !room(w, n))
		return;
	memset(w->buf + w->len, 0, n);
	w->len += n;
}

void ike_wr_u8(struct ike_wr *w, uint8_t v)
{
	ike_wr_put(w, &v, 1);
}

void ike_wr_u16(struct ike_wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	ike_wr_put(w, b, 2);
}

void ike_wr_u32(struct ike_wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	ike_wr_put(w, b, 4);
}

void ike_wr_init(struct ike_wr *w, uint8_t *buf, size_t cap,
		 const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t exch,
		 uint8_t flags, uint32_t msgid)
{
	static const uint8_t zero[8];

	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	ike_wr_put(w, spi_i, 8);
	ike_wr_put(w, spi_r ? spi_r : zero, 8);
	w->np_off = w->len;
	ike_wr_u8(w, IKE_PL_NONE);
	ike_wr_u8(w, 0x20); /* version 2.0 */
	ike_wr_u8(w, exch);
	ike_wr_u8(w, flags);
	ike_wr_u32(w, msgid);
	ike_wr_u32(w, 0); /* patched by ike_wr_finish */
}

size_t ike_wr_begin(struct ike_wr *w, uint8_t type)
{
	size_t off = w->len;

	if (!room(w, IKE_GEN_LEN))
		return off;
	w->buf[w->np_off] = type;
	w->np_off = off;
	ike_wr_u8(w, IKE_PL_NONE);
	ike_wr_u8(w, 0);
	ike_wr_u16(w, 0);
	return off;
}

void ike_wr_end(struct ike_wr *w, size_t off)
{
	size_t n = w->len - off;

	if (w->err)
		return;
	w->buf[off + 2] = (uint8_t)(n >> 8);
	w->buf[off + 3] = (uint8_t)n;
}

void ike_wr_pl(struct ike_wr *w, uint8_t type, const void *body, size_t n)
{
	size_t off = ike_wr_begin(w, type);

	ike_wr_put(w, body, n);
	ike_wr_end(w, off);
}

void ike_wr_notify(struct ike_wr *w, uint8_t proto, const void *spi,
		   uint8_t spi_size, uint16_t type, const void *data, size_t n)
{
	size_t off = ike_wr_begin(w, IKE_PL_NOTIFY);

	ike_wr_u8(w, proto);
	ike_wr_u8(w, spi_size);
	ike_wr_u16(w, type);
	ike_wr_put(w, spi, spi_size);
	ike_wr_put(w, data, n);
	ike_wr_end(w, off);
}

/* §3.14: SK header, then the IV; inner payloads link from SK's own Next
 * Payload field, which names the first inner payload. */
void ike_wr_sk_begin(struct ike_wr *w, const struct ike_sa_keys *k)
{
	w->sk_off = ike_wr_begin(w, IKE_PL_SK);
	ike_wr_zero(w, ike_sk_iv_len(k));
	w->sk_pt = w->len;
}

int ike_wr_sk_end(struct ike_wr *w, const struct ike_sa_keys *k,
		  bool initiator)
{
	size_t block = ike_sk_block_len(k), pt = w->len - w->sk_pt, pad;
	uint8_t zero[256] = { 0 };

	if (block == 0)
		block = 1;
	pad = (block - (pt + 1) % block) % block;
	ike_wr_put(w, zero, pad);
	ike_wr_u8(w, (uint8_t)pad);
	ike_wr_zero(w, ike_sk_icv_len(k));
	ike_wr_end(w, w->sk_off);
	if (ike_wr_finish(w) < 0)
		return -ENOSPC;
	return ike_sk_seal(k, initiator, w->buf, w->len, w->sk_off, pt);
}

int ike_wr_finish(struct ike_wr *w)
{
	if (w->err || w->len < IKE_HDR_LEN)
		return -ENOSPC;
	w->buf[24] = (uint8_t)(w->len >> 24);
	w->buf[25] = (uint8_t)(w->len >> 16);
	w->buf[26] = (uint8_t)(w->len >> 8);
	w->buf[27] = (uint8_t)w->len;
	return (int)w->len;
}

const char *ike_exch_name(uint8_t exch)
{
	switch (exch) {
	case IKE_SA_INIT: return "IKE_SA_INIT";
	case IKE_AUTH: return "IKE_AUTH";
	case IKE_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case IKE_INFORMATIONAL: return "INFORMATIONAL";
	}
	return "UNKNOWN";
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKE_N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case IKE_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case IKE_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IKE_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IKE_N_INVALID_SPI: return "INVALID_SPI";
	case IKE_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IKE_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IKE_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IKE_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case IKE_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case IKE_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	}
	return "notify";
}
