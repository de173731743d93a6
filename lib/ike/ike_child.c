/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CREATE_CHILD_SA (RFC 7296 §1.3): new child SAs, child rekeying with an
 * optional PFS key exchange (§1.3.3), INVALID_KE_PAYLOAD retries (§1.3).
 * IKE SA rekeying (§1.3.2) is in ike_rekey.c.
 */
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

#define NONCE_LEN 32

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int ike_write_ke(struct ike_wr *w, const struct ike_dh *dh, uint16_t group)
{
	uint8_t pub[IKE_MAX_DH_PUB];
	int n = ike_dh_public(dh, pub, sizeof(pub));
	size_t off;

	if (n < 0)
		return n;
	off = ike_wr_begin(w, IKE_PL_KE);
	ike_wr_u16(w, group);
	ike_wr_u16(w, 0);
	ike_wr_put(w, pub, (size_t)n);
	ike_wr_end(w, off);
	return 0;
}

/* g^ir from the peer's KE payload, which must be of `group`. */
int ike_ke_shared(struct ike_dh *dh, uint16_t group, const struct ike_pl *ke,
		  uint8_t *out, size_t cap)
{
	if (ke == NULL || dh == NULL ||
	    (uint16_t)(ke->body[0] << 8 | ke->body[1]) != group)
		return -EINVAL;
	return ike_dh_shared(dh, ke->body + 4, ke->len - 4, out, cap);
}

static void child_send(struct ike_sa *sa, const struct ike_child_cfg *cfg,
		       struct ike_child *old, uint16_t group)
{
	uint8_t buf[IKE_MAX_MSG], spi[4];
	struct ike_wr w;
	struct ike_req r = { 0 };
	struct ike_offer offer = cfg->esp;

	r.cfg = cfg;
	r.old_child = old ? old->id : 0;
	r.spi_in = ike_new_spi(sa->ike);
	r.dh_group = group ? group : ike_offer_first_dh(&cfg->esp);
	r.transport = cfg->mode == SA_MODE_TRANSPORT;
	r.tsi = old ? old->ts_local : cfg->local_ts;
	r.tsr = old ? old->ts_remote : cfg->remote_ts;
	if (ike_random(r.nonce, NONCE_LEN) < 0 ||
	    (r.dh_group && (r.dh = ike_dh_new(r.dh_group)) == NULL))
		goto fail;
	ike_offer_prefer_dh(&offer, r.dh_group);
	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_CREATE_CHILD_SA, false,
		  sa->next_msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	if (old) { /* §1.3.3: the SPI the peer sends to us on the old SA */
		be32(spi, old->spi_in);
		ike_wr_notify(&w, IKE_PROTO_ESP, spi, 4, IKE_N_REKEY_SA, NULL, 0);
	}
	if (r.transport)
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	be32(spi, r.spi_in);
	ike_offer_write(&w, &offer, spi, 4, false);
	ike_wr_pl(&w, IKE_PL_NONCE, r.nonce, NONCE_LEN);
	if (r.dh && ike_write_ke(&w, r.dh, r.dh_group) < 0)
		goto fail;
	ike_ts_write(&w, IKE_PL_TSI, &r.tsi);
	ike_ts_write(&w, IKE_PL_TSR, &r.tsr);
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) < 0)
		goto fail;
	r.kind = old ? IKE_REQ_CHILD_REKEY : IKE_REQ_CHILD_NEW;
	ike_req_clear(&sa->req);
	sa->req = r;
	ike_sa_request(sa, r.kind, buf, w.len);
	if (old)
		old->rekeying = true;
	return;
fail:
	ike_req_clear(&r);
}

void ike_child_start(struct ike_sa *sa, const struct ike_child_cfg *cfg,
		     struct ike_child *old)
{
	child_send(sa, cfg, old, 0);
}

static void respond_ke(struct ike_sa *sa, const struct ike_msg *m,
		       uint16_t group)
{
	uint8_t g[2] = { (uint8_t)(group >> 8), (uint8_t)group };

	IKE_COUNT(sa->ike, invalid_ke);
	ike_sa_respond_notify(sa, m, IKE_N_INVALID_KE_PAYLOAD, g, 2);
}

/* The responder's D-H for a child with PFS: the initiator's KE must be of
 * the chosen group (else INVALID_KE_PAYLOAD, §1.3). Returns the length of
 * g^ir (0 without PFS) or -1 when a notify was sent instead. */
static int child_dh(struct ike_sa *sa, const struct ike_msg *m,
		    const struct ike_suite *s, struct ike_dh **dh, uint8_t *gir,
		    size_t cap)
{
	int glen;

	*dh = NULL;
	if (s->dh == 0)
		return 0;
	if (!m->ke || (uint16_t)(m->ke->body[0] << 8 | m->ke->body[1]) != s->dh) {
		respond_ke(sa, m, s->dh);
		return -1;
	}
	if ((*dh = ike_dh_new(s->dh)) == NULL ||
	    (glen = ike_ke_shared(*dh, s->dh, m->ke, gir, cap)) < 0) {
		ike_dh_free(*dh);
		*dh = NULL;
		ike_sa_respond_notify(sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		return -1;
	}
	return glen;
}

static void child_reply(struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_suite *s, uint32_t spi_in,
			const uint8_t *nr, const struct ike_dh *dh,
			const struct ike_ts_list *tsi,
			const struct ike_ts_list *tsr, enum sa_mode mode)
{
	uint8_t buf[IKE_MAX_MSG], spi[4];
	struct ike_wr w;

	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_CREATE_CHILD_SA, true, m->msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	if (mode == SA_MODE_TRANSPORT)
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	be32(spi, spi_in);
	ike_suite_write(&w, s, spi, 4);
	ike_wr_pl(&w, IKE_PL_NONCE, nr, NONCE_LEN);
	if (dh)
		ike_write_ke(&w, dh, s->dh);
	ike_ts_write(&w, IKE_PL_TSI, tsi);
	ike_ts_write(&w, IKE_PL_TSR, tsr);
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) == 0)
		ike_sa_respond(sa, buf, w.len);
}

/* The responder's half of a new or rekeyed child (§1.3.1, §1.3.3). */
static void child_respond(struct ike_sa *sa, const struct ike_msg *m,
			  struct ike_child *old)
{
	const struct ike_child_cfg *cfg = NULL;
	struct ike_suite s;
	struct ike_ts_list tsi, tsr;
	uint8_t nr[NONCE_LEN], gir[IKE_MAX_DH_PUB];
	struct ike_dh *dh;
	int glen;
	uint32_t spi_in;
	enum sa_mode mode = SA_MODE_TUNNEL;
	uint16_t err = ike_child_pick(sa, m, false, old ? old->cfg : NULL, &cfg,
				      &s, &tsi, &tsr);

	if (err) {
		ike_sa_respond_notify(sa, m, err, NULL, 0);
		return;
	}
	if ((glen = child_dh(sa, m, &s, &dh, gir, sizeof(gir))) < 0)
		return;
	if (ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) &&
	    cfg->mode == SA_MODE_TRANSPORT)
		mode = SA_MODE_TRANSPORT;
	spi_in = ike_new_spi(sa->ike);
	ike_random(nr, sizeof(nr));
	if (!ike_child_create(sa, cfg, &s, spi_in, rd32(s.spi), &tsr, &tsi, mode,
			      false, m->nonce->body, m->nonce->len, nr,
			      sizeof(nr), glen > 0 ? gir : NULL, (size_t)glen)) {
		ike_sa_respond_notify(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	} else {
		if (old) {
			old->rekeyed = true; /* the initiator deletes it (§2.8) */
			IKE_COUNT(sa->ike, child_rekeyed);
		}
		child_reply(sa, m, &s, spi_in, nr, dh, &tsi, &tsr, mode);
	}
	secure_zero(gir, sizeof(gir));
	ike_dh_free(dh);
}

void ike_child_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_offer offer;
	const struct ike_n *n;
	struct ike_child *old = NULL;

	if (!m->sa || !m->nonce ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &offer) < 0) {
		ike_sa_respond_notify(sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (offer.p[0].proto == IKE_PROTO_IKE) {
		ike_rekey_request(sa, m, &offer);
		return;
	}
	n = ike_msg_notify(m, IKE_N_REKEY_SA);
	if (n) {
		if (n->proto != IKE_PROTO_ESP || n->spi_size != 4 ||
		    (old = ike_child_by_spi_out(sa, rd32(n->spi))) == NULL ||
		    old->rekeyed) {
			ike_sa_respond_notify(sa, m, IKE_N_CHILD_SA_NOT_FOUND,
					      NULL, 0);
			return;
		}
	}
	child_respond(sa, m, old);
}

/* Initiator: the responder's answer to our CREATE_CHILD_SA. */
static bool child_done(struct ike_sa *sa, const struct ike_msg *m,
		       struct ike_child *old)
{
	struct ike_req *r = &sa->done;
	struct ike_offer reply;
	struct ike_suite s;
	struct ike_ts_list tsi, tsr;
	uint8_t gir[IKE_MAX_DH_PUB];
	int glen = 0;
	bool ok;

	if (!m->sa || !m->nonce || !m->tsi || !m->tsr ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &reply) < 0 ||
	    ike_prop_check_reply(&reply, &r->cfg->esp, false, &s) < 0 ||
	    s.spi_size != 4 || s.dh != r->dh_group ||
	    ike_ts_parse(m->tsi->body, m->tsi->len, &tsi) < 0 ||
	    ike_ts_parse(m->tsr->body, m->tsr->len, &tsr) < 0 ||
	    !ike_ts_within(&tsi, &r->tsi) || !ike_ts_within(&tsr, &r->tsr))
		return false;
	if (s.dh && (glen = ike_ke_shared(r->dh, s.dh, m->ke, gir,
					  sizeof(gir))) < 0)
		return false;
	ok = ike_child_create(sa, r->cfg, &s, r->spi_in, rd32(s.spi), &tsi,
			      &tsr, r->transport &&
			      ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE)
				      ? SA_MODE_TRANSPORT : SA_MODE_TUNNEL,
			      true, r->nonce, NONCE_LEN, m->nonce->body,
			      m->nonce->len, glen > 0 ? gir : NULL,
			      glen > 0 ? (size_t)glen : 0) != NULL;
	secure_zero(gir, sizeof(gir));
	if (ok && old) { /* §2.8: new pair installed; now the old one goes */
		old->rekeyed = true;
		IKE_COUNT(sa->ike, child_rekeyed);
		ike_sa_job(sa, IKE_JOB_DELETE_CHILD, NULL, old->id);
	}
	return ok;
}

void ike_child_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_req *r = &sa->done;
	struct ike_child *old = r->old_child ? ike_child_find(sa, r->old_child)
					     : NULL;
	const struct ike_n *n;

	if (r->kind == IKE_REQ_IKE_REKEY) {
		ike_rekey_response(sa, m);
		return;
	}
	n = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	if (n && n->data_len == 2) {
		uint16_t g = (uint16_t)(n->data[0] << 8 | n->data[1]);

		IKE_COUNT(sa->ike, invalid_ke);
		if (g != r->dh_group && ike_offer_has_dh(&r->cfg->esp, g) &&
		    (r->old_child == 0 || old)) {
			child_send(sa, r->cfg, old, g);
			return;
		}
	}
	if (child_done(sa, m, old))
		return;
	/* Refused: a rekey is tried again later, before the hard limit. */
	n = ike_msg_error(m);
	SA_LOG(sa, 4, "CREATE_CHILD_SA for %s refused: %s", r->cfg->name,
	       n ? ike_notify_name(n->type) : "unacceptable reply");
	if (ike_msg_notify(m, IKE_N_NO_PROPOSAL_CHOSEN))
		IKE_COUNT(sa->ike, no_proposal);
	if (ike_msg_notify(m, IKE_N_TS_UNACCEPTABLE))
		IKE_COUNT(sa->ike, ts_unacceptable);
	if (old) {
		old->rekeying = false;
		old->rekey_ms = ike_now(sa->ike) + 30000;
	}
}
