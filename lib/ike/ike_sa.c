/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKE SA life cycle, sending (with the RFC 3948 non-ESP marker on 4500),
 * our request in flight and the cached response (§2.1, §2.3), jobs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

void ike_log(struct ike *ike, int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ike->ops.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ike->ops.log(ike->host, level, msg);
}

uint64_t ike_now(struct ike *ike)
{
	return ike->ops.now_ms(ike->host);
}

struct ike_sa *ike_sa_new(struct ike *ike, struct ike_conn *conn,
			  bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	sa->ike = ike;
	sa->serial = ++ike->next_serial;
	sa->conn = conn;
	sa->initiator = initiator;
	sa->created_ms = sa->last_rx_ms = ike_now(ike);
	sa->next = ike->sas;
	ike->sas = sa;
	return sa;
}

void ike_req_clear(struct ike_req *r)
{
	free(r->buf);
	ike_dh_free(r->dh);
	secure_zero(r, sizeof(*r));
}

void ike_sa_kill(struct ike_sa *sa, const char *why)
{
	while (sa->children)
		ike_child_remove(sa, sa->children);
	if (sa->state != IKE_ST_DEAD && sa->state >= IKE_ST_ESTABLISHED)
		IKE_COUNT(sa->ike, ike_deleted);
	if (sa->state != IKE_ST_DEAD && why)
		SA_LOG(sa, sa->state >= IKE_ST_ESTABLISHED ? 6 : 4,
		       "IKE SA gone: %s", why);
	sa->state = IKE_ST_DEAD;
	ike_sa_keys_clear(&sa->keys);
	sa->have_keys = false;
	ike_req_clear(&sa->req);
}

/* Unlink and free (children removed from the data plane, keys zeroed). */
void ike_sa_destroy(struct ike_sa *sa)
{
	struct ike_sa **pp;

	ike_sa_kill(sa, NULL);
	for (pp = &sa->ike->sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	ike_dh_free(sa->dh);
	free(sa->my_init);
	free(sa->peer_init);
	free(sa->resp);
	secure_zero(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_established(struct ike_sa *sa)
{
	uint64_t now = ike_now(sa->ike);

	sa->state = IKE_ST_ESTABLISHED;
	sa->established_ms = sa->last_rx_ms = now;
	/* Rekey a little early, at a random point in the last tenth, so that
	 * both ends do not start at once (strongSwan's rand_time). */
	if (sa->conn->rekey_time) {
		uint32_t r = 0;

		ike_random(&r, sizeof(r));
		sa->rekey_ms = now + sa->conn->rekey_time * 1000ull -
			       (sa->conn->rekey_time * 100ull) * (r % 1000) / 1000;
	}
	if (sa->conn->reauth_time)
		sa->reauth_ms = now + sa->conn->reauth_time * 1000ull;
	IKE_COUNT(sa->ike, ike_established);
	{
		char a[IP_ADDR_STRLEN], id[128], alg[96];

		SA_LOG(sa, 6, "IKE SA established with %s[%u] '%s', %s%s",
		       ip_addr_fmt(&sa->remote, a, sizeof(a)), sa->rport,
		       ike_id_fmt(&sa->peer_id, id, sizeof(id)),
		       ike_suite_name(&sa->suite, alg, sizeof(alg)),
		       sa->natt ? ", NAT-T" : "");
	}
}

int ike_send_to(struct ike *ike, const struct ip_addr *src, uint16_t sport,
		const struct ip_addr *dst, uint16_t dport, const uint8_t *buf,
		size_t len)
{
	uint8_t tmp[IKE_MAX_MSG + 4];
	int rc;

	/* RFC 3948 §2.2: on 4500 IKE carries four zero bytes first. */
	if (sport == IKE_NATT_PORT || dport == IKE_NATT_PORT) {
		if (len > IKE_MAX_MSG)
			return -EMSGSIZE;
		memset(tmp, 0, 4);
		memcpy(tmp + 4, buf, len);
		buf = tmp;
		len += 4;
	}
	rc = ike->ops.send(ike->host, src, sport, dst, dport, buf, len);
	if (rc < 0)
		IKE_COUNT(ike, tx_fail);
	else
		IKE_COUNT(ike, tx);
	return rc;
}

int ike_sa_send(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	return ike_send_to(sa->ike, &sa->local, sa->lport, &sa->remote,
			   sa->rport, buf, len);
}

void ike_sa_wr(struct ike_sa *sa, struct ike_wr *w, uint8_t *buf, size_t cap,
	       uint8_t exch, bool response, uint32_t msgid)
{
	uint8_t flags = (sa->initiator ? IKE_FLAG_I : 0) |
			(response ? IKE_FLAG_R : 0);

	ike_wr_init(w, buf, cap, sa->spi_i, sa->spi_r, exch, flags, msgid);
}

/* §2.1: retransmit after 4 s, then x1.8 each time. */
#define RETRANSMIT_MS 4000

int ike_sa_request(struct ike_sa *sa, enum ike_req_kind kind,
		   const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len);
	uint64_t now = ike_now(sa->ike);

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, buf, len);
	free(sa->req.buf);
	sa->req.buf = copy;
	sa->req.len = len;
	sa->req.kind = kind;
	sa->req.msgid = sa->next_msgid;
	sa->req.tries = 0;
	sa->req.next_ms = now + RETRANSMIT_MS;
	if (sa->req.deadline_ms == 0)
		sa->req.deadline_ms = UINT64_MAX;
	ike_sa_send(sa, buf, len);
	return 0;
}

int ike_sa_respond(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len);

	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, buf, len);
	free(sa->resp);
	sa->resp = copy;
	sa->resp_len = len;
	sa->have_resp = true;
	sa->peer_msgid++;
	ike_sa_send(sa, buf, len);
	return 0;
}

void ike_sa_respond_notify(struct ike_sa *sa, const struct ike_msg *m,
			   uint16_t type, const void *data, size_t n)
{
	uint8_t buf[512];
	struct ike_wr w;

	ike_sa_wr(sa, &w, buf, sizeof(buf), m->exch, true, m->msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	ike_wr_notify(&w, 0, NULL, 0, type, data, n);
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) == 0)
		ike_sa_respond(sa, buf, w.len);
}

void ike_sa_job(struct ike_sa *sa, enum ike_job_kind kind,
		const struct ike_child_cfg *cfg, uint64_t child)
{
	for (unsigned i = 0; i < sa->n_jobs; i++)
		if (sa->jobs[i].kind == kind && sa->jobs[i].cfg == cfg &&
		    sa->jobs[i].child == child)
			return; /* already queued */
	if (sa->n_jobs < IKE_JOBS)
		sa->jobs[sa->n_jobs++] = (struct ike_job){ kind, cfg, child };
}

/* Start the next queued exchange if our window is free. */
void ike_sa_run_jobs(struct ike_sa *sa)
{
	struct ike_job j;
	struct ike_child *c;

	if (sa->state != IKE_ST_ESTABLISHED || sa->req.kind != IKE_REQ_NONE ||
	    sa->n_jobs == 0)
		return;
	j = sa->jobs[0];
	memmove(sa->jobs, sa->jobs + 1, --sa->n_jobs * sizeof(j));
	c = j.child ? ike_child_find(sa, j.child) : NULL;
	switch (j.kind) {
	case IKE_JOB_CHILD:
		if (j.cfg) /* NULL: its configuration went in a reload */
			ike_child_start(sa, j.cfg, NULL);
		break;
	case IKE_JOB_REKEY_CHILD:
		if (c && !c->rekeyed && c->cfg)
			ike_child_start(sa, c->cfg, c);
		break;
	case IKE_JOB_REKEY_IKE: ike_ike_rekey_start(sa); break;
	case IKE_JOB_DELETE_CHILD:
		if (c)
			ike_info_delete_child(sa, c);
		break;
	case IKE_JOB_DELETE_IKE: ike_info_delete_ike(sa); break;
	case IKE_JOB_DPD: ike_info_dpd(sa); break;
	}
	if (sa->req.kind == IKE_REQ_NONE)
		ike_sa_run_jobs(sa); /* that job had nothing to do */
}

/* §2.23: after NAT detection the peer may move (port float); follow an
 * authenticated message's addresses. */
void ike_sa_float(struct ike_sa *sa, const struct ip_addr *src, uint16_t sport,
		  const struct ip_addr *dst, uint16_t dport)
{
	if (dport == IKE_NATT_PORT || sa->natt) {
		sa->remote = *src;
		sa->rport = sport;
		sa->local = *dst;
		sa->lport = dport;
		sa->natt = sa->natt || dport == IKE_NATT_PORT;
	}
}

/* Random, non-reserved (> 255, RFC 4303 §2.1) and unique among ours. */
uint32_t ike_new_spi(struct ike *ike)
{
	for (;;) {
		uint32_t spi = 0;
		bool used = false;

		if (ike_random(&spi, sizeof(spi)) < 0)
			continue;
		if (spi < 256)
			continue;
		for (struct ike_sa *sa = ike->sas; sa && !used; sa = sa->next)
			used = ike_child_by_spi_in(sa, spi) != NULL ||
			       sa->req.spi_in == spi;
		if (!used)
			return spi;
	}
}
