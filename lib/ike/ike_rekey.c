/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rekeying the IKE SA with CREATE_CHILD_SA (RFC 7296 §1.3.2, §2.18): a new
 * IKE SA with fresh SPIs, nonces and D-H, keyed from the old SK_d; the
 * children move over and the rekey initiator deletes the old SA.
 */
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

#define NONCE_LEN 32

/* The new SA inherits addresses, peer, children and queued work. */
static struct ike_sa *successor(struct ike_sa *old, bool initiator)
{
	struct ike_sa *n = ike_sa_new(old->ike, old->conn, initiator);

	if (n == NULL)
		return NULL;
	n->local = old->local;
	n->remote = old->remote;
	n->lport = old->lport;
	n->rport = old->rport;
	n->natt = old->natt;
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->peer_hashes = old->peer_hashes;
	n->peer_certreq = old->peer_certreq;
	n->peer_id = old->peer_id;
	return n;
}

static void hand_over(struct ike_sa *old, struct ike_sa *n)
{
	n->children = old->children;
	old->children = NULL;
	memcpy(n->jobs, old->jobs, sizeof(n->jobs));
	n->n_jobs = old->n_jobs;
	old->n_jobs = 0;
	ike_sa_established(n);
	IKE_COUNT(old->ike, ike_rekeyed);
}

static int new_keys(struct ike_sa *old, struct ike_sa *n, struct ike_dh *dh,
		    const struct ike_pl *ke)
{
	uint8_t gir[IKE_MAX_DH_PUB];
	int glen = ike_ke_shared(dh, n->suite.dh, ke, gir, sizeof(gir));
	int rc = glen < 0 ? glen : ike_sa_derive(n, gir, (size_t)glen, &old->keys);

	secure_zero(gir, sizeof(gir));
	return rc;
}

void ike_ike_rekey_start(struct ike_sa *sa)
{
	uint8_t buf[IKE_MAX_MSG];
	struct ike_offer offer = sa->conn->ike;
	struct ike_req r = { 0 };
	struct ike_wr w;

	r.dh_group = sa->suite.dh;
	if (ike_random(r.new_spi, 8) < 0 || ike_random(r.nonce, NONCE_LEN) < 0 ||
	    (r.dh = ike_dh_new(r.dh_group)) == NULL)
		goto fail;
	ike_offer_prefer_dh(&offer, r.dh_group);
	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_CREATE_CHILD_SA, false,
		  sa->next_msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	ike_offer_write(&w, &offer, r.new_spi, 8, false);
	ike_wr_pl(&w, IKE_PL_NONCE, r.nonce, NONCE_LEN);
	if (ike_write_ke(&w, r.dh, r.dh_group) < 0 ||
	    ike_wr_sk_end(&w, &sa->keys, sa->initiator) < 0)
		goto fail;
	r.kind = IKE_REQ_IKE_REKEY;
	sa->req = r;
	ike_sa_request(sa, r.kind, buf, w.len);
	return;
fail:
	ike_req_clear(&r);
}

void ike_rekey_request(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_offer *offer)
{
	struct ike_suite s;
	struct ike_sa *n;
	struct ike_dh *dh = NULL;
	uint8_t buf[IKE_MAX_MSG];
	struct ike_wr w;

	if (ike_prop_select(offer, &sa->conn->ike, false, &s) < 0 ||
	    s.spi_size != 8) {
		IKE_COUNT(sa->ike, no_proposal);
		ike_sa_respond_notify(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (!m->ke || (uint16_t)(m->ke->body[0] << 8 | m->ke->body[1]) != s.dh) {
		uint8_t g[2] = { (uint8_t)(s.dh >> 8), (uint8_t)s.dh };

		IKE_COUNT(sa->ike, invalid_ke);
		ike_sa_respond_notify(sa, m, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	n = successor(sa, false);
	if (n == NULL)
		return;
	n->suite = s;
	memcpy(n->spi_i, s.spi, 8);
	n->ni_len = m->nonce->len;
	memcpy(n->ni, m->nonce->body, n->ni_len);
	n->nr_len = NONCE_LEN;
	if (ike_random(n->spi_r, 8) < 0 || ike_random(n->nr, NONCE_LEN) < 0 ||
	    (dh = ike_dh_new(s.dh)) == NULL || new_keys(sa, n, dh, m->ke) < 0) {
		ike_dh_free(dh);
		ike_sa_destroy(n);
		ike_sa_respond_notify(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_CREATE_CHILD_SA, true, m->msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	ike_suite_write(&w, &s, n->spi_r, 8);
	ike_wr_pl(&w, IKE_PL_NONCE, n->nr, n->nr_len);
	ike_write_ke(&w, dh, s.dh);
	ike_dh_free(dh);
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) < 0) {
		ike_sa_destroy(n);
		return;
	}
	ike_sa_respond(sa, buf, w.len);
	hand_over(sa, n);
	sa->state = IKE_ST_REKEYED; /* the peer deletes it */
	sa->rekeyed_ms = ike_now(sa->ike);
}

void ike_rekey_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_req *r = &sa->done;
	struct ike_offer reply;
	struct ike_suite s;
	struct ike_sa *n;

	if (ike_msg_error(m) || !m->sa || !m->nonce || !m->ke ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &reply) < 0 ||
	    ike_prop_check_reply(&reply, &sa->conn->ike, false, &s) < 0 ||
	    s.spi_size != 8 || s.dh != r->dh_group) {
		/* try again later (a collision or a refusal) */
		sa->rekey_ms = ike_now(sa->ike) + 30000;
		return;
	}
	n = successor(sa, true);
	if (n == NULL)
		return;
	n->suite = s;
	memcpy(n->spi_i, r->new_spi, 8);
	memcpy(n->spi_r, s.spi, 8);
	memcpy(n->ni, r->nonce, NONCE_LEN);
	n->ni_len = NONCE_LEN;
	n->nr_len = m->nonce->len;
	memcpy(n->nr, m->nonce->body, n->nr_len);
	if (new_keys(sa, n, r->dh, m->ke) < 0) {
		ike_sa_destroy(n);
		sa->rekey_ms = ike_now(sa->ike) + 30000;
		return;
	}
	hand_over(sa, n);
	ike_info_delete_ike(sa); /* §1.3.2: the old SA goes */
}
