/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15): identities, AUTH with a PSK or a
 * certificate (RFC 7427 digital signatures), and the first child SA.
 * (Named ike_authx.c: ike_auth.c is the AUTH computation in the crypto
 * module.)
 */
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

int ike_sa_derive(struct ike_sa *sa, const uint8_t *gir, size_t gir_len,
		  const struct ike_sa_keys *old)
{
	int rc;

	memset(&sa->keys, 0, sizeof(sa->keys));
	sa->keys.prf = sa->suite.prf;
	sa->keys.integ = sa->suite.integ;
	sa->keys.encr = sa->suite.encr;
	sa->keys.encr_keylen = sa->suite.keylen;
	rc = ike_derive_sa_keys(&sa->keys, sa->ni, sa->ni_len, sa->nr,
				sa->nr_len, gir, gir_len, sa->spi_i, sa->spi_r,
				old);
	sa->have_keys = rc == 0;
	return rc;
}

/* ID payload body (§3.5): type, three reserved bytes, data. */
static size_t id_body(const struct ike_id *id, uint8_t *out)
{
	out[0] = id->type;
	memset(out + 1, 0, 3);
	memcpy(out + 4, id->data, id->len);
	return 4u + id->len;
}

static const struct ike_secret *psk(struct ike_sa *sa)
{
	return ike_conf_psk(sa->ike->conf, &sa->conn->local_auth.id,
			    sa->peer_id.type ? &sa->peer_id
					     : &sa->conn->remote_auth.id);
}

/* RFC 7427 §4: the strongest hash the peer announced that we have. */
static uint16_t sig_hash(const struct ike_sa *sa)
{
	if (sa->peer_hashes & (1u << IKE_HASH_SHA256))
		return IKE_HASH_SHA256;
	if (sa->peer_hashes & (1u << IKE_HASH_SHA384))
		return IKE_HASH_SHA384;
	if (sa->peer_hashes & (1u << IKE_HASH_SHA512))
		return IKE_HASH_SHA512;
	return IKE_HASH_SHA256;
}

/* Our AUTH payload (§2.15): over our IKE_SA_INIT message, the peer's
 * nonce and prf(SK_px, our ID). */
static int write_auth(struct ike_sa *sa, struct ike_wr *w,
		      const uint8_t *idb, size_t idlen)
{
	const struct ike_auth_cfg *la = &sa->conn->local_auth;
	uint8_t *oct = NULL, *sig = NULL, mac[IKE_MAX_PRF];
	size_t olen = 0, slen = 0, off;
	uint8_t method;
	int rc;

	rc = ike_auth_octets(&sa->keys, sa->initiator, sa->my_init,
			     sa->my_init_len, sa->initiator ? sa->nr : sa->ni,
			     sa->initiator ? sa->nr_len : sa->ni_len, idb, idlen,
			     &oct, &olen);
	if (rc < 0)
		return rc;
	if (la->auth == IKE_AUTHK_PSK) {
		const struct ike_secret *s = psk(sa);

		method = IKE_AUTH_PSK;
		rc = s ? ike_auth_psk(sa->suite.prf, s->secret, s->len, oct,
				      olen, mac, &slen) : -ENOENT;
		sig = mac;
	} else {
		method = IKE_AUTH_DIGITAL_SIG;
		rc = ike_auth_sign(la->key, method, sig_hash(sa), oct, olen,
				   &sig, &slen);
	}
	if (rc == 0) {
		off = ike_wr_begin(w, IKE_PL_AUTH);
		ike_wr_u8(w, method);
		ike_wr_zero(w, 3);
		ike_wr_put(w, sig, slen);
		ike_wr_end(w, off);
	}
	if (sig != mac)
		free(sig);
	secure_zero(mac, sizeof(mac));
	free(oct);
	return rc;
}

static void write_cert(struct ike_sa *sa, struct ike_wr *w)
{
	const struct ike_auth_cfg *la = &sa->conn->local_auth;
	uint8_t *der = NULL;
	size_t len = 0, off;

	if (la->auth != IKE_AUTHK_PUBKEY ||
	    ike_cred_cert_der(la->cert, &der, &len) < 0)
		return;
	off = ike_wr_begin(w, IKE_PL_CERT);
	ike_wr_u8(w, IKE_CERT_X509_SIG);
	ike_wr_put(w, der, len);
	ike_wr_end(w, off);
	free(der);
}

static void write_certreq(struct ike_sa *sa, struct ike_wr *w)
{
	const struct ike_auth_cfg *ra = &sa->conn->remote_auth;
	size_t off;

	if (ra->auth != IKE_AUTHK_PUBKEY)
		return;
	off = ike_wr_begin(w, IKE_PL_CERTREQ);
	ike_wr_u8(w, IKE_CERT_X509_SIG);
	ike_wr_put(w, ra->ca_keyid, 20 * ra->n_ca);
	ike_wr_end(w, off);
}

/* Certificate path: end-entity CERT trusted, carrying the ID, and the
 * signature verifies (§2.15, §3.6). */
static bool check_sig(struct ike_sa *sa, const struct ike_msg *m,
		      const uint8_t *idb, size_t idlen, uint8_t method,
		      const uint8_t *oct, size_t olen)
{
	struct ike_cred *chain[IKE_MSG_MAX_CERT] = { NULL }, *ee = NULL;
	unsigned n = 0;
	bool ok = false;

	if (method == IKE_AUTH_PSK || m->n_cert == 0 ||
	    m->cert[0]->body[0] != IKE_CERT_X509_SIG)
		return false;
	ee = ike_cred_from_der(m->cert[0]->body + 1, m->cert[0]->len - 1);
	for (unsigned i = 1; i < m->n_cert; i++)
		if (m->cert[i]->body[0] == IKE_CERT_X509_SIG &&
		    (chain[n] = ike_cred_from_der(m->cert[i]->body + 1,
						  m->cert[i]->len - 1)) != NULL)
			n++;
	ok = ee && ike_cert_verify(sa->conn->remote_auth.trust, ee, chain, n) == 0 &&
	     ike_cert_matches_id(ee, idb[0], idb + 4, idlen - 4) &&
	     ike_auth_verify(ee, method, oct, olen, m->auth->body + 4,
			     m->auth->len - 4) == 0;
	ike_cred_free(ee);
	for (unsigned i = 0; i < n; i++)
		ike_cred_free(chain[i]);
	return ok;
}

/* The peer's AUTH, over its IKE_SA_INIT message and our nonce. */
static bool check_auth(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_pl *idp)
{
	uint8_t method = m->auth->body[0], mac[IKE_MAX_PRF];
	uint8_t *oct = NULL;
	size_t olen = 0, mlen = 0;
	bool ok = false;

	if (ike_auth_octets(&sa->keys, !sa->initiator, sa->peer_init,
			    sa->peer_init_len, sa->initiator ? sa->ni : sa->nr,
			    sa->initiator ? sa->ni_len : sa->nr_len, idp->body,
			    idp->len, &oct, &olen) < 0)
		return false;
	if (sa->conn->remote_auth.auth == IKE_AUTHK_PSK) {
		const struct ike_secret *s = psk(sa);

		ok = method == IKE_AUTH_PSK && s &&
		     ike_auth_psk(sa->suite.prf, s->secret, s->len, oct, olen,
				  mac, &mlen) == 0 &&
		     mlen == m->auth->len - 4 &&
		     ct_memcmp(mac, m->auth->body + 4, mlen) == 0;
	} else {
		ok = check_sig(sa, m, idp->body, idp->len, method, oct, olen);
	}
	secure_zero(mac, sizeof(mac));
	free(oct);
	return ok;
}

static bool peer_id(struct ike_sa *sa, const struct ike_pl *idp)
{
	if (idp->len - 4 > IKE_ID_MAX ||
	    !ike_id_match(&sa->conn->remote_auth.id, idp->body[0],
			  idp->body + 4, idp->len - 4))
		return false;
	sa->peer_id.type = idp->body[0];
	sa->peer_id.len = (uint16_t)(idp->len - 4);
	memcpy(sa->peer_id.data, idp->body + 4, sa->peer_id.len);
	return true;
}

/* Other connections on the same addresses may be meant for this ID. */
static bool switch_conn(struct ike_sa *sa, const struct ike_pl *idp)
{
	struct ike_conf *cf = sa->ike->conf;
	struct ike_offer one = { 1, { { 0 } } };
	struct ike_suite s;

	if (peer_id(sa, idp))
		return true;
	one.p[0].num = 1;
	one.p[0].proto = IKE_PROTO_IKE;
	for (unsigned i = 0; cf && i < cf->n_conns; i++) {
		struct ike_conn *c = &cf->conns[i];
		struct ike_conn *old = sa->conn;

		if (c == old || !ip_addr_eq(&c->local, &sa->local) ||
		    (!c->remote_any && !ip_addr_eq(&c->remote, &sa->remote)))
			continue;
		one.p[0].n_xf = 0;
		one.p[0].xf[one.p[0].n_xf++] = (struct ike_xf){ IKE_XF_ENCR, sa->suite.encr, sa->suite.keylen };
		one.p[0].xf[one.p[0].n_xf++] = (struct ike_xf){ IKE_XF_PRF, sa->suite.prf, 0 };
		if (sa->suite.integ)
			one.p[0].xf[one.p[0].n_xf++] = (struct ike_xf){ IKE_XF_INTEG, sa->suite.integ, 0 };
		one.p[0].xf[one.p[0].n_xf++] = (struct ike_xf){ IKE_XF_DH, sa->suite.dh, 0 };
		if (ike_prop_select(&one, &c->ike, false, &s) < 0)
			continue;
		sa->conn = c;
		if (peer_id(sa, idp))
			return true;
		sa->conn = old;
	}
	return false;
}

/* §3.10.1 INITIAL_CONTACT: older IKE SAs with this peer are stale. */
static void initial_contact(struct ike_sa *sa)
{
	for (struct ike_sa *o = sa->ike->sas; o; o = o->next)
		if (o != sa && o->conn == sa->conn && o->state != IKE_ST_DEAD &&
		    ip_addr_eq(&o->remote, &sa->remote))
			ike_sa_kill(o, "INITIAL_CONTACT");
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool other_established(struct ike_sa *sa)
{
	for (struct ike_sa *o = sa->ike->sas; o; o = o->next)
		if (o != sa && o->conn == sa->conn &&
		    o->state == IKE_ST_ESTABLISHED)
			return true;
	return false;
}

void ike_authx_start(struct ike_sa *sa)
{
	const struct ike_child_cfg *cc = sa->auth_cfg;
	uint8_t buf[IKE_MAX_MSG], idb[4 + IKE_ID_MAX], spi[4];
	size_t idlen = id_body(&sa->conn->local_auth.id, idb);
	struct ike_wr w;
	uint32_t spi_in = cc ? ike_new_spi(sa->ike) : 0;

	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_AUTH, false, sa->next_msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	ike_wr_pl(&w, IKE_PL_IDI, idb, idlen);
	write_cert(sa, &w);
	write_certreq(sa, &w);
	if (sa->conn->remote_auth.id.type) {
		uint8_t rb[4 + IKE_ID_MAX];

		ike_wr_pl(&w, IKE_PL_IDR, rb, id_body(&sa->conn->remote_auth.id, rb));
	}
	if (write_auth(sa, &w, idb, idlen) < 0) {
		ike_sa_kill(sa, "cannot compute AUTH");
		return;
	}
	if (!other_established(sa))
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (cc) {
		if (cc->mode == SA_MODE_TRANSPORT)
			ike_wr_notify(&w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE,
				      NULL, 0);
		be32(spi, spi_in);
		ike_offer_write(&w, &cc->esp, spi, 4, true); /* §1.2: no KE */
		ike_ts_write(&w, IKE_PL_TSI, &cc->local_ts);
		ike_ts_write(&w, IKE_PL_TSR, &cc->remote_ts);
	}
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) < 0) {
		ike_sa_kill(sa, "cannot build IKE_AUTH");
		return;
	}
	sa->state = IKE_ST_AUTH_SENT;
	ike_sa_request(sa, IKE_REQ_AUTH, buf, w.len);
	sa->req.cfg = cc;
	sa->req.spi_in = spi_in;
	sa->req.transport = cc && cc->mode == SA_MODE_TRANSPORT;
	if (cc) {
		sa->req.tsi = cc->local_ts;
		sa->req.tsr = cc->remote_ts;
	}
}

/* Responder's first child (§1.2); 0 or the notify to send instead. */
static uint16_t auth_child(struct ike_sa *sa, const struct ike_msg *m,
			   struct ike_wr *w)
{
	const struct ike_child_cfg *cfg = NULL;
	struct ike_suite s;
	struct ike_ts_list tsi, tsr;
	uint32_t spi_in;
	uint8_t spi[4];
	enum sa_mode mode = SA_MODE_TUNNEL;
	uint16_t err = ike_child_pick(sa, m, true, NULL, &cfg, &s, &tsi, &tsr);

	if (err)
		return err;
	if (ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) &&
	    cfg->mode == SA_MODE_TRANSPORT)
		mode = SA_MODE_TRANSPORT;
	spi_in = ike_new_spi(sa->ike);
	if (!ike_child_create(sa, cfg, &s, spi_in,
			      (uint32_t)s.spi[0] << 24 | (uint32_t)s.spi[1] << 16 |
			      (uint32_t)s.spi[2] << 8 | s.spi[3],
			      &tsr, &tsi, mode, false, sa->ni, sa->ni_len, sa->nr,
			      sa->nr_len, NULL, 0))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (mode == SA_MODE_TRANSPORT)
		ike_wr_notify(w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	be32(spi, spi_in);
	ike_suite_write(w, &s, spi, 4);
	ike_ts_write(w, IKE_PL_TSI, &tsi);
	ike_ts_write(w, IKE_PL_TSR, &tsr);
	return 0;
}

void ike_authx_request(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t buf[IKE_MAX_MSG], idb[4 + IKE_ID_MAX];
	size_t idlen;
	struct ike_wr w;
	uint16_t err;

	if (!m->idi || !m->auth) {
		IKE_COUNT(sa->ike, drop_inner_syntax);
		ike_sa_respond_notify(sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		ike_sa_kill(sa, "IKE_AUTH without IDi/AUTH");
		return;
	}
	if (m->certreq)
		sa->peer_certreq = true;
	if (!switch_conn(sa, m->idi) || !check_auth(sa, m, m->idi)) {
		char id[128];
		struct ike_id got = { m->idi->body[0], 0, { 0 } };

		got.len = (uint16_t)(m->idi->len - 4 > IKE_ID_MAX ? IKE_ID_MAX
								  : m->idi->len - 4);
		memcpy(got.data, m->idi->body + 4, got.len);
		SA_LOG(sa, 4, "authentication of '%s' failed (%s)",
		       ike_id_fmt(&got, id, sizeof(id)),
		       sa->peer_id.type ? "AUTH payload" : "identity not configured");
		IKE_COUNT(sa->ike, auth_failed);
		ike_sa_respond_notify(sa, m, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ike_sa_kill(sa, "peer authentication failed");
		return;
	}
	if (ike_msg_notify(m, IKE_N_INITIAL_CONTACT))
		initial_contact(sa);
	idlen = id_body(&sa->conn->local_auth.id, idb);
	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_AUTH, true, m->msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	ike_wr_pl(&w, IKE_PL_IDR, idb, idlen);
	write_cert(sa, &w);
	if (write_auth(sa, &w, idb, idlen) < 0) {
		ike_sa_respond_notify(sa, m, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ike_sa_kill(sa, "cannot compute our AUTH");
		return;
	}
	ike_sa_established(sa);
	if (m->sa && (err = auth_child(sa, m, &w)) != 0)
		ike_wr_notify(&w, 0, NULL, 0, err, NULL, 0);
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) == 0)
		ike_sa_respond(sa, buf, w.len);
}

/* Initiator: the child of IKE_AUTH from the response (§1.2, §2.9). */
static void auth_child_done(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_req *r = &sa->done;
	struct ike_offer reply;
	struct ike_suite s;
	struct ike_ts_list tsi, tsr;

	if (r->cfg == NULL)
		return;
	if (!m->sa || !m->tsi || !m->tsr ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &reply) < 0 ||
	    ike_prop_check_reply(&reply, &r->cfg->esp, true, &s) < 0 ||
	    s.spi_size != 4 ||
	    ike_ts_parse(m->tsi->body, m->tsi->len, &tsi) < 0 ||
	    ike_ts_parse(m->tsr->body, m->tsr->len, &tsr) < 0 ||
	    !ike_ts_within(&tsi, &r->tsi) || !ike_ts_within(&tsr, &r->tsr)) {
		const struct ike_n *n = ike_msg_error(m);

		if (ike_msg_notify(m, IKE_N_TS_UNACCEPTABLE))
			IKE_COUNT(sa->ike, ts_unacceptable);
		else
			IKE_COUNT(sa->ike, no_proposal);
		SA_LOG(sa, 4, "child %s refused: %s", r->cfg->name,
		       n ? ike_notify_name(n->type) : "unacceptable reply");
		return;
	}
	ike_child_create(sa, r->cfg, &s, r->spi_in,
			 (uint32_t)s.spi[0] << 24 | (uint32_t)s.spi[1] << 16 |
			 (uint32_t)s.spi[2] << 8 | s.spi[3], &tsi, &tsr,
			 r->transport && ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE)
				 ? SA_MODE_TRANSPORT : SA_MODE_TUNNEL,
			 true, sa->ni, sa->ni_len, sa->nr, sa->nr_len, NULL, 0);
}

void ike_authx_response(struct ike_sa *sa, const struct ike_msg *m)
{
	if (!m->idr || !m->auth || !peer_id(sa, m->idr) ||
	    !check_auth(sa, m, m->idr)) {
		const struct ike_n *n = ike_msg_error(m);

		SA_LOG(sa, 4, "IKE_AUTH failed: %s", n ? ike_notify_name(n->type)
			: !m->idr || !m->auth ? "no IDr/AUTH"
			: !sa->peer_id.type ? "unexpected responder identity"
					    : "responder's AUTH does not verify");
		IKE_COUNT(sa->ike, auth_failed);
		ike_sa_kill(sa, "IKE_AUTH failed");
		return;
	}
	if (m->certreq)
		sa->peer_certreq = true;
	ike_sa_established(sa);
	auth_child_done(sa, m);
}
