/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host-facing API of ike.h: instances, configuration (re)loading,
 * ticks, control commands and data plane events. Input is ike_input.c,
 * listings ike_json.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike_sa.h"
#include "util/hex.h"

struct ike *ike_new(const struct ike_host_ops *ops, void *host)
{
	struct ike *ike;

	if (ops == NULL || ops->send == NULL || ops->child_install == NULL ||
	    ops->child_remove == NULL || ops->now_ms == NULL)
		return NULL;
	ike = calloc(1, sizeof(*ike));
	if (ike == NULL)
		return NULL;
	ike->ops = *ops;
	ike->host = host;
	ike->cookie_threshold = 64;
	if (ike_random(ike->cookie_secret, sizeof(ike->cookie_secret)) < 0) {
		free(ike);
		return NULL;
	}
	return ike;
}

void ike_free(struct ike *ike)
{
	if (ike == NULL)
		return;
	while (ike->sas)
		ike_sa_destroy(ike->sas);
	ike_conf_free(ike->conf);
	secure_zero(ike, sizeof(*ike));
	free(ike);
}

static const struct ike_child_cfg *
reresolve(const struct ike_conn *old, const struct ike_conn *n,
	  const struct ike_child_cfg *cfg)
{
	if (cfg == NULL)
		return NULL;
	(void)old;
	return ike_conf_child(n, cfg->name);
}

/* After a reload: point SAs at the new connection of the same name, or
 * delete those whose connection is gone. */
static void rebind(struct ike *ike, struct ike_conf *nc)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		struct ike_conn *c = ike_conf_conn(nc, sa->conn->name);

		if (sa->state == IKE_ST_DEAD)
			continue;
		if (c == NULL) {
			if (sa->state == IKE_ST_ESTABLISHED)
				ike_info_delete_ike(sa);
			else
				ike_sa_kill(sa, "connection removed");
			if (sa->state != IKE_ST_DEAD)
				sa->conn = NULL; /* see below */
			continue;
		}
		sa->auth_cfg = reresolve(sa->conn, c, sa->auth_cfg);
		sa->req.cfg = reresolve(sa->conn, c, sa->req.cfg);
		for (unsigned i = 0; i < sa->n_jobs; i++)
			sa->jobs[i].cfg = reresolve(sa->conn, c, sa->jobs[i].cfg);
		for (struct ike_child *ch = sa->children, *nx; ch; ch = nx) {
			nx = ch->next;
			ch->cfg = ike_conf_child(c, ch->name);
			if (ch->cfg == NULL)
				ike_child_remove(sa, ch);
		}
		sa->conn = c;
	}
}

int ike_load_config(struct ike *ike, const void *libconfig_cfg,
		    const char *path, char *err, size_t errlen)
{
	struct ike_conf *nc = ike_conf_load(libconfig_cfg, path, err, errlen);

	if (nc == NULL)
		return -EINVAL;
	if (ike->conf) {
		rebind(ike, nc);
		/* SAs of removed connections cannot finish their DELETE
		 * without their configuration: drop them now. */
		for (struct ike_sa *sa = ike->sas, *nx; sa; sa = nx) {
			nx = sa->next;
			if (sa->conn == NULL || sa->state == IKE_ST_DEAD)
				ike_sa_destroy(sa);
		}
	}
	ike_conf_free(ike->conf);
	ike->conf = nc;
	ike->start_done = false;
	return 0;
}

int ike_check_config(const void *libconfig_cfg, const char *path, char *err,
		     size_t errlen)
{
	struct ike_conf *c = ike_conf_load(libconfig_cfg, path, err, errlen);

	if (c == NULL)
		return -EINVAL;
	ike_conf_free(c);
	return 0;
}

static struct ike_sa *conn_sa(struct ike *ike, const struct ike_conn *c)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->conn == c && sa->state <= IKE_ST_ESTABLISHED)
			return sa;
	return NULL;
}

static bool child_up(const struct ike_sa *sa, const struct ike_child_cfg *cc)
{
	for (const struct ike_child *c = sa->children; c; c = c->next)
		if (c->cfg == cc && !c->rekeyed)
			return true;
	return sa->auth_cfg == cc && sa->state < IKE_ST_ESTABLISHED;
}

/* Bring up these children of the connection: in its IKE SA if there is
 * one (CREATE_CHILD_SA), else with a new IKE SA (the first in IKE_AUTH). */
static int bring_up(struct ike *ike, struct ike_conn *c,
		    const struct ike_child_cfg **cfgs, unsigned n)
{
	struct ike_sa *sa = conn_sa(ike, c);
	unsigned i = 0;

	if (sa == NULL) {
		sa = ike_init_start(ike, c, cfgs[0]);
		if (sa == NULL)
			return -EINVAL;
		i = 1;
	}
	for (; i < n; i++)
		if (!child_up(sa, cfgs[i]))
			ike_sa_job(sa, IKE_JOB_CHILD, cfgs[i], 0);
	ike_sa_run_jobs(sa);
	return 0;
}

int ike_initiate(struct ike *ike, const char *conn, const char *child)
{
	struct ike_conn *c = ike_conf_conn(ike->conf, conn);
	const struct ike_child_cfg *cfgs[IKE_JOBS];
	unsigned n = 0;

	if (c == NULL)
		return -ENOENT;
	if (c->remote_any)
		return -EINVAL;
	if (child) {
		if ((cfgs[0] = ike_conf_child(c, child)) == NULL)
			return -ENOENT;
		n = 1;
	} else {
		for (unsigned i = 0; i < c->n_children && n < IKE_JOBS; i++)
			cfgs[n++] = &c->children[i];
	}
	return bring_up(ike, c, cfgs, n);
}

/* start_action = start (and trap, which needs acquires from the data
 * plane that ike.h does not have yet: started like start). */
static void start_actions(struct ike *ike)
{
	for (unsigned i = 0; ike->conf && i < ike->conf->n_conns; i++) {
		struct ike_conn *c = &ike->conf->conns[i];
		const struct ike_child_cfg *cfgs[IKE_JOBS];
		unsigned n = 0;

		for (unsigned k = 0; k < c->n_children && n < IKE_JOBS; k++)
			if (c->children[k].start_action != IKE_START_NONE)
				cfgs[n++] = &c->children[k];
		if (n && !c->remote_any && conn_sa(ike, c) == NULL)
			bring_up(ike, c, cfgs, n);
	}
}

void ike_tick(struct ike *ike)
{
	uint64_t now = ike_now(ike);

	if (!ike->start_done) {
		ike->start_done = true;
		start_actions(ike);
	}
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		ike_timer_sa(sa, now);
	for (struct ike_sa *sa = ike->sas, *nx; sa; sa = nx) {
		nx = sa->next;
		if (sa->state == IKE_ST_DEAD)
			ike_sa_destroy(sa);
	}
}

int ike_terminate(struct ike *ike, const char *conn)
{
	struct ike_conn *c = ike_conf_conn(ike->conf, conn);

	if (c == NULL)
		return -ENOENT;
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->conn != c || sa->state == IKE_ST_DEAD ||
		    sa->state == IKE_ST_DELETING)
			continue;
		if (sa->state == IKE_ST_ESTABLISHED && sa->req.kind != IKE_REQ_NONE) {
			while (sa->children)
				ike_child_remove(sa, sa->children);
			sa->n_jobs = 0;
			ike_sa_job(sa, IKE_JOB_DELETE_IKE, NULL, 0);
		} else if (sa->state == IKE_ST_ESTABLISHED) {
			ike_info_delete_ike(sa);
		} else {
			ike_sa_kill(sa, "terminated");
		}
	}
	return 0;
}

void ike_shutdown(struct ike *ike)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_ESTABLISHED ||
		    sa->state == IKE_ST_REKEYED) {
			ike_req_clear(&sa->req); /* window or not: say goodbye */
			sa->state = IKE_ST_ESTABLISHED;
			ike_info_delete_ike(sa);
		}
		ike_sa_kill(sa, "shutdown");
	}
}

void ike_child_event(struct ike *ike, uint64_t id, bool inbound,
		     enum ike_sa_event ev)
{
	(void)inbound;
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		struct ike_child *c = ike_child_find(sa, id);

		if (c == NULL || sa->state != IKE_ST_ESTABLISHED)
			continue;
		if (ev == IKE_SA_SOFT_EXPIRED && !c->rekeying && !c->rekeyed)
			ike_sa_job(sa, IKE_JOB_REKEY_CHILD, NULL, id);
		else if (ev == IKE_SA_HARD_EXPIRED) {
			c->rekeyed = true;
			ike_sa_job(sa, IKE_JOB_DELETE_CHILD, NULL, id);
		}
		ike_sa_run_jobs(sa);
		return;
	}
}
