/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Child SAs: KEYMAT (RFC 7296 §2.17) into the data plane's sa_params, the
 * responder's choice of child configuration (§2.9 narrowing, §3.3
 * proposals), install and removal (keys zeroed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

struct ike_child *ike_child_find(struct ike_sa *sa, uint64_t id)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

struct ike_child *ike_child_by_spi_out(struct ike_sa *sa, uint32_t spi)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_out == spi)
			return c;
	return NULL;
}

struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->spi_in == spi)
			return c;
	return NULL;
}

/* The parts of one direction's sa_params that do not depend on keys. */
static void sa_side(struct ike_sa *sa, const struct ike_child *c,
		    struct sa_params *p, bool out)
{
	const struct ike_child_cfg *cfg = c->cfg;

	/* "conn/child/out", cut to fit */
	snprintf(p->name, sizeof(p->name), "%.20s/%.20s/%s", sa->conn->name,
		 c->name, out ? "out" : "in");
	p->spi = out ? c->spi_out : c->spi_in;
	p->dir = out ? SA_DIR_OUT : SA_DIR_IN;
	p->proto = SA_PROTO_ESP;
	p->mode = c->mode;
	p->src = out ? sa->local : sa->remote;
	p->dst = out ? sa->remote : sa->local;
	p->alg = ike_suite_alg(&c->suite);
	p->esn = c->suite.has_esn && c->suite.esn == IKE_ESN_YES;
	p->replay_window = cfg->replay_window;
	/* Time limits are IKE's own timers (rekey_ms / expire_ms); the data
	 * plane gets the hard time as a safety net and the volume limits. */
	p->life.hard_seconds = cfg->life_time;
	p->life.soft_bytes = cfg->rekey_bytes;
	p->life.hard_bytes = cfg->rekey_bytes + cfg->rekey_bytes / 10;
	p->life.soft_packets = cfg->rekey_packets;
	p->life.hard_packets = cfg->rekey_packets + cfg->rekey_packets / 10;
	/* RFC 3948: ESP in UDP on the IKE SA's NAT-T ports. */
	if (sa->natt) {
		p->encap = true;
		p->encap_sport = out ? sa->lport : sa->rport;
		p->encap_dport = out ? sa->rport : sa->lport;
	}
	p->dscp = -1;
	p->n_ts = (uint8_t)(out
		? ike_ts_to_sa(&c->ts_local, &c->ts_remote, p->ts, SA_TS_MAX)
		: ike_ts_to_sa(&c->ts_remote, &c->ts_local, p->ts, SA_TS_MAX));
	p->ike_ref = c->id;
}

/* The pair for the data plane, keys aside. */
static void child_sas(struct ike_sa *sa, const struct ike_child *c,
		      struct ike_child_sas *cs)
{
	cs->id = c->id;
	snprintf(cs->conn, sizeof(cs->conn), "%s", sa->conn->name);
	snprintf(cs->child, sizeof(cs->child), "%s", c->name);
	cs->priority = 1000;
	sa_side(sa, c, &cs->out, true);
	sa_side(sa, c, &cs->in, false);
}

/* §2.17: KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr); initiator-to-responder
 * keys first, each as encryption key (with salt) then integrity key. */
static int child_keys(struct ike_sa *sa, struct ike_child_sas *cs,
		      bool we_init, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t *gir,
		      size_t gir_len)
{
	const struct alg *a = cs->out.alg;
	size_t e = a->key_len + a->salt_len, i = a->auth_key_len;
	uint8_t km[2 * (SA_KEY_MAX + SA_AUTH_KEY_MAX)];
	struct sa_params *first = we_init ? &cs->out : &cs->in;
	struct sa_params *second = we_init ? &cs->in : &cs->out;
	int rc;

	if (e > SA_KEY_MAX || i > SA_AUTH_KEY_MAX)
		return -EINVAL;
	rc = ike_derive_child_keymat(&sa->keys, gir, gir_len, ni, ni_len, nr,
				     nr_len, km, 2 * (e + i));
	if (rc == 0) {
		memcpy(first->enc_key, km, e);
		memcpy(first->auth_key, km + e, i);
		memcpy(second->enc_key, km + e + i, e);
		memcpy(second->auth_key, km + 2 * e + i, i);
		first->enc_key_len = second->enc_key_len = (uint8_t)e;
		first->auth_key_len = second->auth_key_len = (uint8_t)i;
	}
	secure_zero(km, sizeof(km));
	return rc;
}

static void child_timers(struct ike_sa *sa, struct ike_child *c)
{
	uint64_t now = ike_now(sa->ike);
	uint32_t r = 0;

	c->created_ms = now;
	if (c->cfg->rekey_time) {
		ike_random(&r, sizeof(r));
		c->rekey_ms = now + c->cfg->rekey_time * 1000ull -
			      c->cfg->rekey_time * 100ull * (r % 1000) / 1000;
	}
	if (c->cfg->life_time)
		c->expire_ms = now + c->cfg->life_time * 1000ull;
}

struct ike_child *ike_child_create(struct ike_sa *sa,
				   const struct ike_child_cfg *cfg,
				   const struct ike_suite *suite,
				   uint32_t spi_in, uint32_t spi_out,
				   const struct ike_ts_list *ts_local,
				   const struct ike_ts_list *ts_remote,
				   enum sa_mode mode, bool we_init,
				   const uint8_t *ni, size_t ni_len,
				   const uint8_t *nr, size_t nr_len,
				   const uint8_t *gir, size_t gir_len)
{
	struct ike_child *c = calloc(1, sizeof(*c));
	struct ike_child_sas *cs = calloc(1, sizeof(*cs));
	int rc = -ENOMEM;

	if (c == NULL || cs == NULL)
		goto fail;
	c->id = ++sa->ike->next_child_id;
	snprintf(c->name, sizeof(c->name), "%s", cfg->name);
	c->cfg = cfg;
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->suite = *suite;
	c->ts_local = *ts_local;
	c->ts_remote = *ts_remote;
	c->mode = mode;
	child_sas(sa, c, cs);
	rc = -ENOTSUP;
	if (cs->out.alg == NULL)
		goto fail;
	rc = child_keys(sa, cs, we_init, ni, ni_len, nr, nr_len, gir, gir_len);
	if (rc == 0)
		rc = sa->ike->ops.child_install(sa->ike->host, cs);
	if (rc < 0)
		goto fail;
	c->installed = true;
	child_timers(sa, c);
	{
		char alg[96];

		SA_LOG(sa, 6, "child %s installed, SPIs in %08x out %08x, %s%s",
		       c->name, c->spi_in, c->spi_out,
		       ike_suite_name(&c->suite, alg, sizeof(alg)),
		       gir ? " (PFS)" : "");
	}
	c->next = sa->children;
	sa->children = c;
	IKE_COUNT(sa->ike, child_installed);
	sa_params_clear(&cs->out);
	sa_params_clear(&cs->in);
	free(cs);
	return c;
fail:
	SA_LOG(sa, 3, "child %s not installed (%d)", cfg->name, rc);
	IKE_COUNT(sa->ike, child_install_fail);
	if (cs) {
		sa_params_clear(&cs->out);
		sa_params_clear(&cs->in);
	}
	free(cs);
	free(c);
	return NULL;
}

void ike_child_remove(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->installed) {
		SA_LOG(sa, 6, "child %s removed, SPIs in %08x out %08x", c->name,
		       c->spi_in, c->spi_out);
		sa->ike->ops.child_remove(sa->ike->host, c->id);
		IKE_COUNT(sa->ike, child_deleted);
	}
	secure_zero(c, sizeof(*c));
	free(c);
}

/* Try one configured child against the initiator's SA/TSi/TSr. */
static uint16_t try_cfg(const struct ike_child_cfg *cc,
			const struct ike_offer *offer,
			const struct ike_ts_list *ptsi,
			const struct ike_ts_list *ptsr, bool ignore_dh,
			struct ike_suite *suite, struct ike_ts_list *tsi,
			struct ike_ts_list *tsr)
{
	/* §2.9: the initiator's TSi is our remote side, its TSr ours. */
	if (!ike_ts_narrow(ptsi, &cc->remote_ts, tsi) ||
	    !ike_ts_narrow(ptsr, &cc->local_ts, tsr))
		return IKE_N_TS_UNACCEPTABLE;
	if (ike_prop_select(offer, &cc->esp, ignore_dh, suite) < 0 ||
	    suite->spi_size != 4 || !ike_suite_alg(suite))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	return 0;
}

uint16_t ike_child_pick(struct ike_sa *sa, const struct ike_msg *m,
			bool ignore_dh, const struct ike_child_cfg *only,
			const struct ike_child_cfg **cfg,
			struct ike_suite *suite, struct ike_ts_list *tsi,
			struct ike_ts_list *tsr)
{
	struct ike_offer offer;
	struct ike_ts_list ptsi, ptsr;
	uint16_t err = IKE_N_TS_UNACCEPTABLE;

	if (!m->sa || !m->tsi || !m->tsr ||
	    ike_sa_pl_parse(m->sa->body, m->sa->len, &offer) < 0 ||
	    ike_ts_parse(m->tsi->body, m->tsi->len, &ptsi) < 0 ||
	    ike_ts_parse(m->tsr->body, m->tsr->len, &ptsr) < 0)
		return IKE_N_INVALID_SYNTAX;
	for (unsigned i = 0; i < sa->conn->n_children; i++) {
		const struct ike_child_cfg *cc = &sa->conn->children[i];
		uint16_t e;

		if (only && cc != only)
			continue;
		e = try_cfg(cc, &offer, &ptsi, &ptsr, ignore_dh, suite, tsi, tsr);
		if (e == 0) {
			*cfg = cc;
			return 0;
		}
		if (e == IKE_N_NO_PROPOSAL_CHOSEN)
			err = e; /* the TS fitted: report the proposal */
	}
	if (err == IKE_N_TS_UNACCEPTABLE)
		IKE_COUNT(sa->ike, ts_unacceptable);
	else
		IKE_COUNT(sa->ike, no_proposal);
	SA_LOG(sa, 4, "no child for the peer's request: %s",
	       ike_notify_name(err));
	return err;
}
