/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received datagrams: marker, parse (validate before handle), find the IKE
 * SA, message ID window (§2.3) and retransmission cache (§2.1), decryption,
 * and dispatch to the exchange handlers.
 */
#include <string.h>

#include <errno.h>

#include "ike/ike_sa.h"

static void count_perr(struct ike *ike, enum ike_perr e)
{
	switch (e) {
	case IKE_PERR_SHORT: IKE_COUNT(ike, drop_short); break;
	case IKE_PERR_VERSION: IKE_COUNT(ike, drop_version); break;
	case IKE_PERR_LENGTH: IKE_COUNT(ike, drop_length); break;
	case IKE_PERR_EXCH: IKE_COUNT(ike, drop_exch); break;
	case IKE_PERR_CRITICAL: IKE_COUNT(ike, drop_critical); break;
	case IKE_PERR_SYNTAX:
	case IKE_PERR_TOO_MANY: IKE_COUNT(ike, drop_syntax); break;
	case IKE_PERR_OK: break;
	}
}

/* An unprotected response outside any IKE SA (§2.21.1, §2.21.4, §2.5):
 * SPIs and message ID copied from the request, R set. */
static void reply_plain(struct ike *ike, const struct ike_msg *m,
			const struct ip_addr *src, uint16_t sport,
			const struct ip_addr *dst, uint16_t dport,
			uint16_t type, const void *data, size_t n)
{
	uint8_t buf[256];
	struct ike_wr w;

	ike_wr_init(&w, buf, sizeof(buf), m->spi_i, m->spi_r, m->exch,
		    IKE_FLAG_R | (m->flags & IKE_FLAG_I ? 0 : IKE_FLAG_I),
		    m->msgid);
	ike_wr_notify(&w, 0, NULL, 0, type, data, n);
	if (ike_wr_finish(&w) > 0)
		ike_send_to(ike, dst, dport, src, sport, buf, w.len);
}

/* What a malformed message gets (§2.21.1): for an IKE_SA_INIT request an
 * unprotected INVALID_SYNTAX / UNSUPPORTED_CRITICAL_PAYLOAD; for a higher
 * major version INVALID_MAJOR_VERSION (§2.5); otherwise nothing, since it
 * cannot be authenticated. */
static void parse_failed(struct ike *ike, const struct ike_msg *m,
			 enum ike_perr e, const struct ip_addr *src,
			 uint16_t sport, const struct ip_addr *dst,
			 uint16_t dport)
{
	bool request = m->len >= IKE_HDR_LEN && !ike_msg_is_response(m);
	char a[IP_ADDR_STRLEN];

	count_perr(ike, e);
	ike_log(ike, 7, "dropped from %s[%u]: %s",
		ip_addr_fmt(src, a, sizeof(a)), sport, m->why ? m->why : "?");
	if (!request)
		return;
	if (e == IKE_PERR_VERSION && (m->version >> 4) > 2) {
		reply_plain(ike, m, src, sport, dst, dport,
			    IKE_N_INVALID_MAJOR_VERSION, NULL, 0);
		return;
	}
	if (m->exch != IKE_SA_INIT || m->msgid != 0)
		return;
	if (e == IKE_PERR_CRITICAL)
		reply_plain(ike, m, src, sport, dst, dport,
			    IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &m->crit_type, 1);
	else if (e == IKE_PERR_SYNTAX || e == IKE_PERR_TOO_MANY)
		reply_plain(ike, m, src, sport, dst, dport,
			    IKE_N_INVALID_SYNTAX, NULL, 0);
}

/* Our SPI is SPIr if the sender is the original initiator, else SPIi. */
static struct ike_sa *find_sa(struct ike *ike, const struct ike_msg *m)
{
	static const uint8_t zero[8];
	bool from_init = ike_msg_from_initiator(m);

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD || sa->initiator == from_init)
			continue;
		if (memcmp(sa->spi_i, m->spi_i, 8) != 0)
			continue;
		if (memcmp(sa->spi_r, m->spi_r, 8) == 0)
			return sa;
		if (sa->state == IKE_ST_INIT_SENT &&
		    memcmp(sa->spi_r, zero, 8) == 0 && m->exch == IKE_SA_INIT)
			return sa;
	}
	return NULL;
}

/* Open the Encrypted payload and validate what it holds. */
static enum ike_perr open_sk(struct ike_sa *sa, struct ike_msg *m,
			     uint8_t *buf)
{
	uint8_t *pt;
	size_t pt_len;

	if (!sa->have_keys || m->sk == NULL) {
		IKE_COUNT(sa->ike, drop_syntax);
		return IKE_PERR_SHORT; /* nothing to answer */
	}
	if (ike_sk_open(&sa->keys, ike_msg_from_initiator(m), buf, m->len,
			m->sk_off, &pt, &pt_len) < 0) {
		IKE_COUNT(sa->ike, drop_decrypt);
		SA_LOG(sa, 7, "%s message %u failed its integrity check",
		       ike_exch_name(m->exch), m->msgid);
		return IKE_PERR_SHORT;
	}
	return ike_msg_parse_inner(m, pt, pt_len, m->sk_np);
}

static void request(struct ike_sa *sa, struct ike_msg *m, uint8_t *buf,
		    const struct ip_addr *src, uint16_t sport,
		    const struct ip_addr *dst, uint16_t dport)
{
	enum ike_perr e;

	if (sa->have_resp && m->msgid + 1 == sa->peer_msgid) {
		IKE_COUNT(sa->ike, rx_retransmit);
		ike_sa_send(sa, sa->resp, sa->resp_len);
		return;
	}
	if (m->msgid != sa->peer_msgid || m->exch == IKE_SA_INIT) {
		IKE_COUNT(sa->ike, drop_msgid);
		return;
	}
	e = open_sk(sa, m, buf);
	if (e == IKE_PERR_SHORT)
		return;
	if (e != IKE_PERR_OK) {
		IKE_COUNT(sa->ike, drop_inner_syntax);
		SA_LOG(sa, 4, "malformed %s request: %s", ike_exch_name(m->exch),
		       m->why ? m->why : "?");
		if (e == IKE_PERR_CRITICAL)
			ike_sa_respond_notify(sa, m, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,
					      &m->crit_type, 1);
		else
			ike_sa_respond_notify(sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		if (m->exch == IKE_AUTH) /* §2.21.2: no IKE SA then */
			ike_sa_kill(sa, "malformed IKE_AUTH");
		return;
	}
	sa->last_rx_ms = ike_now(sa->ike);
	ike_sa_float(sa, src, sport, dst, dport);
	switch (m->exch) {
	case IKE_AUTH:
		if (sa->state != IKE_ST_INIT_DONE)
			IKE_COUNT(sa->ike, drop_state);
		else
			ike_authx_request(sa, m);
		break;
	case IKE_CREATE_CHILD_SA:
		if (sa->state != IKE_ST_ESTABLISHED) {
			IKE_COUNT(sa->ike, drop_state);
			ike_sa_respond_notify(sa, m, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		} else {
			ike_child_request(sa, m);
		}
		break;
	case IKE_INFORMATIONAL:
		ike_info_request(sa, m);
		break;
	}
}

static uint8_t req_exch(enum ike_req_kind k)
{
	switch (k) {
	case IKE_REQ_INIT: return IKE_SA_INIT;
	case IKE_REQ_AUTH: return IKE_AUTH;
	case IKE_REQ_CHILD_NEW:
	case IKE_REQ_CHILD_REKEY:
	case IKE_REQ_IKE_REKEY: return IKE_CREATE_CHILD_SA;
	case IKE_REQ_DELETE_IKE:
	case IKE_REQ_DELETE_CHILD:
	case IKE_REQ_DPD: return IKE_INFORMATIONAL;
	case IKE_REQ_NONE: break;
	}
	return 0;
}

static void response(struct ike_sa *sa, struct ike_msg *m, uint8_t *buf,
		     const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport)
{
	enum ike_perr e;

	if (sa->req.kind == IKE_REQ_NONE || m->msgid != sa->req.msgid ||
	    m->exch != req_exch(sa->req.kind)) {
		IKE_COUNT(sa->ike, drop_unexpected);
		return;
	}
	if (m->exch != IKE_SA_INIT) {
		e = open_sk(sa, m, buf);
		if (e == IKE_PERR_SHORT)
			return;
		if (e != IKE_PERR_OK) { /* §2.21.2: give up on this SA */
			IKE_COUNT(sa->ike, drop_inner_syntax);
			if (m->exch == IKE_AUTH)
				ike_sa_kill(sa, "malformed IKE_AUTH response");
			return;
		}
		ike_sa_float(sa, src, sport, dst, dport);
	}
	sa->last_rx_ms = ike_now(sa->ike);
	ike_req_clear(&sa->done);
	sa->done = sa->req;
	memset(&sa->req, 0, sizeof(sa->req));
	sa->next_msgid++;
	switch (sa->done.kind) {
	case IKE_REQ_INIT: ike_init_response(sa, m); break;
	case IKE_REQ_AUTH: ike_authx_response(sa, m); break;
	case IKE_REQ_CHILD_NEW:
	case IKE_REQ_CHILD_REKEY:
	case IKE_REQ_IKE_REKEY: ike_child_response(sa, m); break;
	default: ike_info_response(sa, m); break;
	}
	ike_req_clear(&sa->done);
	ike_sa_run_jobs(sa);
}

static void unknown_spi(struct ike *ike, const struct ike_msg *m,
			const struct ip_addr *src, uint16_t sport,
			const struct ip_addr *dst, uint16_t dport)
{
	uint64_t now = ike_now(ike);

	IKE_COUNT(ike, drop_unknown_spi);
	/* §2.21.4: MAY answer a request, rate-limited; never a response. */
	if (ike_msg_is_response(m) || now - ike->last_spi_notify_ms < 1000)
		return;
	ike->last_spi_notify_ms = now;
	reply_plain(ike, m, src, sport, dst, dport, IKE_N_INVALID_IKE_SPI,
		    NULL, 0);
}

void ike_input(struct ike *ike, const struct ip_addr *src, uint16_t sport,
	       const struct ip_addr *dst, uint16_t dport, const uint8_t *buf,
	       size_t len)
{
	static const uint8_t zero[4];
	uint8_t copy[IKE_MAX_MSG];
	struct ike_msg m;
	struct ike_sa *sa;
	enum ike_perr e;

	IKE_COUNT(ike, rx);
	if (dport == IKE_NATT_PORT) {
		if (len == 1 && buf[0] == 0xff) { /* RFC 3948 §2.3 */
			IKE_COUNT(ike, rx_keepalive);
			return;
		}
		if (len < 4 || memcmp(buf, zero, 4) != 0) {
			IKE_COUNT(ike, drop_no_marker);
			return;
		}
		buf += 4;
		len -= 4;
	}
	if (len > sizeof(copy)) {
		IKE_COUNT(ike, drop_too_big);
		return;
	}
	memcpy(copy, buf, len);
	e = ike_msg_parse(&m, copy, len);
	if (e != IKE_PERR_OK) {
		parse_failed(ike, &m, e, src, sport, dst, dport);
		return;
	}
	if (!ike_msg_is_response(&m) && m.exch == IKE_SA_INIT) {
		ike_init_request(ike, &m, src, sport, dst, dport);
		return;
	}
	sa = find_sa(ike, &m);
	if (sa == NULL) {
		unknown_spi(ike, &m, src, sport, dst, dport);
		return;
	}
	if (ike_msg_is_response(&m))
		response(sa, &m, copy, src, sport, dst, dport);
	else
		request(sa, &m, copy, src, sport, dst, dport);
}
