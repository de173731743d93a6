/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_SA_INIT (RFC 7296 §1.2): proposals, Diffie-Hellman, nonces, NAT
 * detection (§2.23), cookies (§2.6, initiator side), INVALID_KE_PAYLOAD
 * (§1.2), and the IKE SA keys (§2.14).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <errno.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

#define NONCE_LEN 32
#define HALF_OPEN_MAX 256

/* §2.23: SHA-1(SPIi | SPIr | IP address | port). */
void ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		  const struct ip_addr *a, uint16_t port, uint8_t out[20])
{
	uint8_t buf[16 + 16 + 2];
	size_t n = ip_addr_len(a);
	unsigned int mdlen;

	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, a->b, n);
	buf[16 + n] = (uint8_t)(port >> 8);
	buf[17 + n] = (uint8_t)port;
	EVP_Digest(buf, 18 + n, out, &mdlen, EVP_sha1(), NULL);
}

static void write_nat_d(struct ike_sa *sa, struct ike_wr *w)
{
	uint8_t h[20];

	ike_nat_hash(sa->spi_i, sa->spi_r, &sa->local, sa->lport, h);
	ike_wr_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, 20);
	ike_nat_hash(sa->spi_i, sa->spi_r, &sa->remote, sa->rport, h);
	ike_wr_notify(w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, 20);
}

/* RFC 7427 §4: the hashes we can verify and sign with. */
static void write_sig_hashes(struct ike_wr *w)
{
	static const uint8_t h[] = { 0, IKE_HASH_SHA256, 0, IKE_HASH_SHA384,
				     0, IKE_HASH_SHA512 };

	ike_wr_notify(w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, h,
		      sizeof(h));
}

/* §2.23: a NAT is between us when a hash does not match what we see. */
static void nat_detect(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t h[20];
	bool src_seen = false, src_ok = false;

	for (unsigned i = 0; i < m->n_notify; i++) {
		const struct ike_n *n = &m->notify[i];

		if (n->type == IKE_N_NAT_DETECTION_SOURCE_IP && n->data_len == 20) {
			ike_nat_hash(sa->spi_i, sa->spi_r, &sa->remote,
				     sa->rport, h);
			src_seen = true;
			src_ok |= memcmp(h, n->data, 20) == 0;
		}
		if (n->type == IKE_N_NAT_DETECTION_DESTINATION_IP &&
		    n->data_len == 20) {
			ike_nat_hash(sa->spi_i, sa->spi_r, &sa->local,
				     sa->lport, h);
			sa->nat_local = memcmp(h, n->data, 20) != 0;
		}
	}
	sa->nat_remote = src_seen && !src_ok;
}

static void peer_extras(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_n *n = ike_msg_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);

	for (size_t i = 0; n && i + 1 < n->data_len; i += 2) {
		unsigned h = (unsigned)(n->data[i] << 8 | n->data[i + 1]);

		if (h < 8)
			sa->peer_hashes |= (uint8_t)(1u << h);
	}
	if (m->certreq)
		sa->peer_certreq = true;
}

static int write_ke(struct ike_sa *sa, struct ike_wr *w)
{
	uint8_t pub[IKE_MAX_DH_PUB];
	int n = ike_dh_public(sa->dh, pub, sizeof(pub));
	size_t off;

	if (n < 0)
		return n;
	off = ike_wr_begin(w, IKE_PL_KE);
	ike_wr_u16(w, sa->dh_group);
	ike_wr_u16(w, 0);
	ike_wr_put(w, pub, (size_t)n);
	ike_wr_end(w, off);
	return 0;
}

static bool keep_copy(uint8_t **dst, size_t *dlen, const uint8_t *p, size_t n)
{
	free(*dst);
	*dst = malloc(n);
	if (*dst == NULL)
		return false;
	memcpy(*dst, p, n);
	*dlen = n;
	return true;
}

/* Build and send our IKE_SA_INIT request (again after COOKIE or
 * INVALID_KE_PAYLOAD, with message ID 0, §2.6 / §1.2). */
static int send_init(struct ike_sa *sa)
{
	uint8_t buf[2048];
	struct ike_wr w;

	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_SA_INIT, false, 0);
	if (sa->cookie_len) /* §2.6: the cookie comes first */
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_COOKIE, sa->cookie,
			      sa->cookie_len);
	ike_offer_write(&w, &sa->init_offer, NULL, 0, false);
	if (write_ke(sa, &w) < 0)
		return -EINVAL;
	ike_wr_pl(&w, IKE_PL_NONCE, sa->ni, sa->ni_len);
	write_nat_d(sa, &w);
	write_sig_hashes(&w);
	if (ike_wr_finish(&w) < 0 || !keep_copy(&sa->my_init, &sa->my_init_len,
						buf, w.len))
		return -ENOSPC;
	sa->next_msgid = 0;
	sa->state = IKE_ST_INIT_SENT;
	return ike_sa_request(sa, IKE_REQ_INIT, buf, w.len);
}

struct ike_sa *ike_init_start(struct ike *ike, struct ike_conn *conn,
			      const struct ike_child_cfg *child)
{
	struct ike_sa *sa;

	if (conn->remote_any)
		return NULL; /* nobody to initiate to */
	sa = ike_sa_new(ike, conn, true);
	if (sa == NULL)
		return NULL;
	sa->local = conn->local;
	sa->remote = conn->remote;
	sa->lport = conn->local_port;
	sa->rport = conn->remote_port;
	sa->natt = sa->rport == IKE_NATT_PORT;
	sa->init_offer = conn->ike;
	sa->dh_group = ike_offer_first_dh(&conn->ike);
	sa->dh = ike_dh_new(sa->dh_group);
	sa->ni_len = NONCE_LEN;
	sa->auth_cfg = child;
	if (sa->dh == NULL || ike_random(sa->spi_i, 8) < 0 ||
	    ike_random(sa->ni, NONCE_LEN) < 0 || send_init(sa) < 0) {
		ike_sa_kill(sa, "cannot start IKE_SA_INIT");
		return NULL;
	}
	return sa;
}

/* Responder: the connection for these addresses whose IKE proposals
 * accept one of the initiator's. */
static struct ike_conn *pick_conn(struct ike *ike, const struct ike_offer *o,
				  const struct ip_addr *src,
				  const struct ip_addr *dst, struct ike_suite *s,
				  bool *addr_match)
{
	*addr_match = false;
	for (unsigned i = 0; ike->conf && i < ike->conf->n_conns; i++) {
		struct ike_conn *c = &ike->conf->conns[i];

		if (!ip_addr_eq(&c->local, dst) ||
		    (!c->remote_any && !ip_addr_eq(&c->remote, src)))
			continue;
		*addr_match = true;
		if (ike_prop_select(o, &c->ike, false, s) == 0 && s->spi_size == 0)
			return c;
	}
	return NULL;
}

/* Unprotected error response to an IKE_SA_INIT request (§2.21.1). */
static void init_error(struct ike *ike, const struct ike_msg *m,
		       const struct ip_addr *src, uint16_t sport,
		       const struct ip_addr *dst, uint16_t dport,
		       uint16_t type, const void *data, size_t n)
{
	uint8_t buf[256];
	struct ike_wr w;

	ike_wr_init(&w, buf, sizeof(buf), m->spi_i, NULL, IKE_SA_INIT,
		    IKE_FLAG_R, 0);
	ike_wr_notify(&w, 0, NULL, 0, type, data, n);
	if (ike_wr_finish(&w) > 0)
		ike_send_to(ike, dst, dport, src, sport, buf, w.len);
}

/* A retransmitted IKE_SA_INIT request gets the same response (§2.1). */
static bool init_retransmit(struct ike *ike, const struct ike_msg *m,
			    const struct ip_addr *src)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->initiator || sa->state == IKE_ST_DEAD ||
		    memcmp(sa->spi_i, m->spi_i, 8) != 0 ||
		    !ip_addr_eq(&sa->remote, src))
			continue;
		if (sa->state == IKE_ST_INIT_DONE && sa->peer_init &&
		    sa->peer_init_len == m->len &&
		    memcmp(sa->peer_init, m->buf, m->len) == 0) {
			IKE_COUNT(ike, rx_retransmit);
			ike_sa_send(sa, sa->my_init, sa->my_init_len);
		} else {
			IKE_COUNT(ike, drop_msgid);
		}
		return true;
	}
	return false;
}

/* §2.6: COOKIE = SHA-256(secret | Ni | IPi | SPIi), stateless. */
static void make_cookie(struct ike *ike, const struct ike_msg *m,
			const struct ip_addr *src, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ctx, ike->cookie_secret, sizeof(ike->cookie_secret)) &&
	    EVP_DigestUpdate(ctx, m->nonce->body, m->nonce->len) &&
	    EVP_DigestUpdate(ctx, src->b, ip_addr_len(src)) &&
	    EVP_DigestUpdate(ctx, m->spi_i, 8) && EVP_DigestFinal_ex(ctx, out, &n))
		;
	else
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

/* Under load, only an initiator that returns our cookie (as the first
 * payload) gets state; others get the cookie. */
static bool cookie_ok(struct ike *ike, const struct ike_msg *m,
		      const struct ip_addr *src, uint16_t sport,
		      const struct ip_addr *dst, uint16_t dport, unsigned load)
{
	const struct ike_n *n = m->n_notify ? &m->notify[0] : NULL;
	uint8_t c[32];

	if (load < ike->cookie_threshold)
		return true;
	make_cookie(ike, m, src, c);
	if (n && n->type == IKE_N_COOKIE && m->pl[0].type == IKE_PL_NOTIFY &&
	    n->data_len == sizeof(c) && ct_memcmp(n->data, c, sizeof(c)) == 0)
		return true;
	IKE_COUNT(ike, cookie_sent);
	init_error(ike, m, src, sport, dst, dport, IKE_N_COOKIE, c, sizeof(c));
	return false;
}

static unsigned half_open(struct ike *ike)
{
	unsigned n = 0;

	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		n += sa->state == IKE_ST_INIT_DONE;
	return n;
}

/* Responder keys: g^ir from the initiator's KE, then §2.14. */
static int responder_keys(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t gir[IKE_MAX_DH_PUB];
	int n = ike_dh_shared(sa->dh, m->ke->body + 4, m->ke->len - 4, gir,
			      sizeof(gir));
	int rc;

	if (n < 0)
		return n;
	rc = ike_sa_derive(sa, gir, (size_t)n, NULL);
	secure_zero(gir, sizeof(gir));
	return rc;
}

static int send_init_response(struct ike_sa *sa)
{
	uint8_t buf[2048];
	struct ike_wr w;
	const struct ike_auth_cfg *ra = &sa->conn->remote_auth;

	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_SA_INIT, true, 0);
	ike_suite_write(&w, &sa->suite, NULL, 0);
	if (write_ke(sa, &w) < 0)
		return -EINVAL;
	ike_wr_pl(&w, IKE_PL_NONCE, sa->nr, sa->nr_len);
	write_nat_d(sa, &w);
	if (ra->auth == IKE_AUTHK_PUBKEY) { /* §3.7: ask for a certificate */
		size_t off = ike_wr_begin(&w, IKE_PL_CERTREQ);

		ike_wr_u8(&w, IKE_CERT_X509_SIG);
		ike_wr_put(&w, ra->ca_keyid, 20 * ra->n_ca);
		ike_wr_end(&w, off);
	}
	write_sig_hashes(&w);
	if (ike_wr_finish(&w) < 0 ||
	    !keep_copy(&sa->my_init, &sa->my_init_len, buf, w.len))
		return -ENOSPC;
	return ike_sa_respond(sa, buf, w.len);
}

static struct ike_sa *responder_sa(struct ike *ike, struct ike_conn *conn,
				   const struct ike_suite *s,
				   const struct ike_msg *m,
				   const struct ip_addr *src, uint16_t sport,
				   const struct ip_addr *dst, uint16_t dport)
{
	struct ike_sa *sa = ike_sa_new(ike, conn, false);

	if (sa == NULL)
		return NULL;
	memcpy(sa->spi_i, m->spi_i, 8);
	sa->remote = *src;
	sa->rport = sport;
	sa->local = *dst;
	sa->lport = dport;
	sa->natt = dport == IKE_NATT_PORT; /* peer started on 4500 */
	sa->ni_len = m->nonce->len;
	memcpy(sa->ni, m->nonce->body, sa->ni_len);
	sa->nr_len = NONCE_LEN;
	sa->suite = *s;
	sa->dh_group = s->dh;
	sa->dh = ike_dh_new(s->dh);
	sa->state = IKE_ST_INIT_DONE;
	return sa;
}

/* Where the request came from and went to. */
struct init_from {
	const struct ip_addr *src, *dst;
	uint16_t sport, dport;
};

static void init_err(struct ike *ike, const struct ike_msg *m,
		     const struct init_from *f, uint16_t type, const void *d,
		     size_t n)
{
	init_error(ike, m, f->src, f->sport, f->dst, f->dport, type, d, n);
}

/* Everything that can refuse an IKE_SA_INIT request before any state is
 * made (§1.2, §2.6, §2.7); on success the connection and suite. */
static struct ike_conn *init_accept(struct ike *ike, const struct ike_msg *m,
				    const struct init_from *f,
				    struct ike_suite *s)
{
	struct ike_offer offer;
	struct ike_conn *conn;
	bool addr_ok;
	unsigned load;

	if (!m->sa || !m->ke || !m->nonce ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &offer) < 0) {
		IKE_COUNT(ike, drop_syntax);
		init_err(ike, m, f, IKE_N_INVALID_SYNTAX, NULL, 0);
		return NULL;
	}
	load = half_open(ike);
	if (load >= HALF_OPEN_MAX) {
		IKE_COUNT(ike, drop_half_open);
		return NULL;
	}
	if (!cookie_ok(ike, m, f->src, f->sport, f->dst, f->dport, load))
		return NULL;
	conn = pick_conn(ike, &offer, f->src, f->dst, s, &addr_ok);
	if (conn == NULL && !addr_ok) {
		IKE_COUNT(ike, drop_no_conn);
	} else if (conn == NULL) {
		IKE_COUNT(ike, no_proposal);
		ike_log(ike, 4, "IKE_SA_INIT from %s: no acceptable proposal",
			ip_addr_fmt(f->src, (char[IP_ADDR_STRLEN]){ 0 },
				    IP_ADDR_STRLEN));
		init_err(ike, m, f, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	} else if ((uint16_t)(m->ke->body[0] << 8 | m->ke->body[1]) != s->dh) {
		/* §1.2: tell the initiator which group we want */
		uint8_t g[2] = { (uint8_t)(s->dh >> 8), (uint8_t)s->dh };

		IKE_COUNT(ike, invalid_ke);
		init_err(ike, m, f, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		conn = NULL;
	}
	return conn;
}

void ike_init_request(struct ike *ike, const struct ike_msg *m,
		      const struct ip_addr *src, uint16_t sport,
		      const struct ip_addr *dst, uint16_t dport)
{
	static const uint8_t zero[8];
	const struct init_from f = { src, dst, sport, dport };
	struct ike_suite s;
	struct ike_conn *conn;
	struct ike_sa *sa;

	if (init_retransmit(ike, m, src))
		return;
	if (m->msgid != 0 || memcmp(m->spi_r, zero, 8) != 0 ||
	    !ike_msg_from_initiator(m)) {
		IKE_COUNT(ike, drop_msgid);
		return;
	}
	conn = init_accept(ike, m, &f, &s);
	if (conn == NULL)
		return;
	sa = responder_sa(ike, conn, &s, m, src, sport, dst, dport);
	if (sa == NULL)
		return;
	nat_detect(sa, m);
	peer_extras(sa, m);
	if (sa->dh == NULL || ike_random(sa->spi_r, 8) < 0 ||
	    ike_random(sa->nr, sa->nr_len) < 0 ||
	    !keep_copy(&sa->peer_init, &sa->peer_init_len, m->buf, m->len) ||
	    responder_keys(sa, m) < 0 || send_init_response(sa) < 0) {
		IKE_COUNT(ike, drop_syntax); /* e.g. an invalid KE value */
		ike_sa_kill(sa, "IKE_SA_INIT failed");
	}
}

/* Initiator: COOKIE and INVALID_KE_PAYLOAD restart the exchange. */
static bool init_retry(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_n *n = ike_msg_notify(m, IKE_N_COOKIE);

	if (n && n->data_len >= 1 && n->data_len <= sizeof(sa->cookie)) {
		memcpy(sa->cookie, n->data, n->data_len);
		sa->cookie_len = n->data_len;
		if (send_init(sa) < 0)
			ike_sa_kill(sa, "cannot resend IKE_SA_INIT");
		return true;
	}
	n = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	if (n == NULL)
		return false;
	IKE_COUNT(sa->ike, invalid_ke);
	if (n->data_len == 2) {
		uint16_t g = (uint16_t)(n->data[0] << 8 | n->data[1]);

		if (g != sa->dh_group && ike_offer_has_dh(&sa->conn->ike, g)) {
			ike_dh_free(sa->dh);
			sa->dh_group = g;
			sa->dh = ike_dh_new(g);
			ike_offer_prefer_dh(&sa->init_offer, g);
			if (sa->dh && send_init(sa) == 0)
				return true;
		}
	}
	ike_sa_kill(sa, "INVALID_KE_PAYLOAD with a group we do not offer");
	return true;
}

static int initiator_keys(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t gir[IKE_MAX_DH_PUB];
	int n, rc;

	if ((uint16_t)(m->ke->body[0] << 8 | m->ke->body[1]) != sa->dh_group)
		return -EINVAL;
	n = ike_dh_shared(sa->dh, m->ke->body + 4, m->ke->len - 4, gir,
			  sizeof(gir));
	if (n < 0)
		return n;
	rc = ike_sa_derive(sa, gir, (size_t)n, NULL);
	secure_zero(gir, sizeof(gir));
	return rc;
}

void ike_init_response(struct ike_sa *sa, const struct ike_msg *m)
{
	static const uint8_t zero[8];
	struct ike_offer reply;

	if (init_retry(sa, m))
		return;
	if (ike_msg_error(m) || !m->sa || !m->ke || !m->nonce ||
	    memcmp(m->spi_r, zero, 8) == 0 ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &reply) < 0 ||
	    ike_prop_check_reply(&reply, &sa->init_offer, false, &sa->suite) < 0 ||
	    sa->suite.dh != sa->dh_group) {
		const struct ike_n *n = ike_msg_error(m);

		if (ike_msg_notify(m, IKE_N_NO_PROPOSAL_CHOSEN))
			IKE_COUNT(sa->ike, no_proposal);
		ike_sa_kill(sa, n ? ike_notify_name(n->type)
				  : "IKE_SA_INIT response unacceptable");
		return;
	}
	memcpy(sa->spi_r, m->spi_r, 8);
	sa->nr_len = m->nonce->len;
	memcpy(sa->nr, m->nonce->body, sa->nr_len);
	if (!keep_copy(&sa->peer_init, &sa->peer_init_len, m->buf, m->len) ||
	    initiator_keys(sa, m) < 0) {
		ike_sa_kill(sa, "IKE_SA_INIT key exchange failed");
		return;
	}
	nat_detect(sa, m);
	peer_extras(sa, m);
	/* §2.23: behind or facing a NAT, move to 4500 for what follows. */
	if ((sa->nat_local || sa->nat_remote) && !sa->natt) {
		sa->natt = true;
		sa->lport = IKE_NATT_PORT;
		sa->rport = IKE_NATT_PORT;
	}
	ike_authx_start(sa);
}
