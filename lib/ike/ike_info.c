/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INFORMATIONAL (RFC 7296 §1.4): DELETE of the IKE SA and of child SAs
 * (§1.4.1), and liveness checks (§2.4, "DPD": an empty request).
 */
#include <string.h>

#include <errno.h>

#include "ike/ike_sa.h"

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

/* An encrypted INFORMATIONAL request with an optional Delete payload. */
static void info_send(struct ike_sa *sa, enum ike_req_kind kind, uint8_t proto,
		      const uint32_t *spis, unsigned n)
{
	uint8_t buf[1024], spi[4];
	struct ike_wr w;

	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_INFORMATIONAL, false,
		  sa->next_msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	if (proto) {
		size_t off = ike_wr_begin(&w, IKE_PL_DELETE);

		ike_wr_u8(&w, proto);
		ike_wr_u8(&w, proto == IKE_PROTO_IKE ? 0 : 4);
		ike_wr_u16(&w, (uint16_t)n);
		for (unsigned i = 0; i < n; i++) {
			be32(spi, spis[i]);
			ike_wr_put(&w, spi, 4);
		}
		ike_wr_end(&w, off);
	}
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) == 0)
		ike_sa_request(sa, kind, buf, w.len);
}

/* §1.4.1: deleting the IKE SA deletes its children; they leave the data
 * plane now, the SA itself when the peer answers (or gives up). */
void ike_info_delete_ike(struct ike_sa *sa)
{
	while (sa->children)
		ike_child_remove(sa, sa->children);
	if (sa->req.kind != IKE_REQ_NONE || !sa->have_keys) {
		ike_sa_kill(sa, "deleted");
		return;
	}
	sa->state = IKE_ST_DELETING;
	sa->req.deadline_ms = ike_now(sa->ike) + 15000;
	info_send(sa, IKE_REQ_DELETE_IKE, IKE_PROTO_IKE, NULL, 0);
}

void ike_info_delete_child(struct ike_sa *sa, struct ike_child *c)
{
	info_send(sa, IKE_REQ_DELETE_CHILD, IKE_PROTO_ESP, &c->spi_in, 1);
	sa->req.old_child = c->id;
	c->rekeyed = true; /* no more rekeys for it */
}

void ike_info_dpd(struct ike_sa *sa)
{
	/* Give up within twice the DPD delay (at least 10 s). */
	uint64_t wait = sa->conn->dpd_delay * 2000ull;

	sa->req.deadline_ms = ike_now(sa->ike) + (wait < 10000 ? 10000 : wait);
	info_send(sa, IKE_REQ_DPD, 0, NULL, 0);
}

/* §1.4.1: answer a child DELETE with the SPIs of our halves. */
static unsigned delete_children(struct ike_sa *sa, const struct ike_msg *m,
				uint32_t *ours, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->n_delete; i++) {
		const struct ike_del *d = &m->del[i];

		if (d->proto != IKE_PROTO_ESP)
			continue;
		for (unsigned k = 0; k < d->n; k++) {
			struct ike_child *c =
				ike_child_by_spi_out(sa, rd32(d->spis + 4 * k));

			if (c == NULL)
				continue;
			if (n < max)
				ours[n++] = c->spi_in;
			ike_child_remove(sa, c);
		}
	}
	return n;
}

void ike_info_request(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t buf[1024], spi[4];
	uint32_t ours[64];
	struct ike_wr w;
	unsigned n = 0;
	bool ike_del = false;

	for (unsigned i = 0; i < m->n_delete; i++)
		ike_del |= m->del[i].proto == IKE_PROTO_IKE;
	if (!ike_del)
		n = delete_children(sa, m, ours, 64);
	ike_sa_wr(sa, &w, buf, sizeof(buf), IKE_INFORMATIONAL, true, m->msgid);
	ike_wr_sk_begin(&w, &sa->keys);
	if (n) {
		size_t off = ike_wr_begin(&w, IKE_PL_DELETE);

		ike_wr_u8(&w, IKE_PROTO_ESP);
		ike_wr_u8(&w, 4);
		ike_wr_u16(&w, (uint16_t)n);
		for (unsigned i = 0; i < n; i++) {
			be32(spi, ours[i]);
			ike_wr_put(&w, spi, 4);
		}
		ike_wr_end(&w, off);
	}
	if (ike_wr_sk_end(&w, &sa->keys, sa->initiator) == 0)
		ike_sa_respond(sa, buf, w.len);
	if (ike_del)
		ike_sa_kill(sa, "deleted by peer");
}

void ike_info_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_child *c;

	switch (sa->done.kind) {
	case IKE_REQ_DELETE_IKE:
		ike_sa_kill(sa, "deleted");
		break;
	case IKE_REQ_DELETE_CHILD:
		c = ike_child_find(sa, sa->done.old_child);
		if (c)
			ike_child_remove(sa, c);
		break;
	default: /* DPD: the peer is alive; last_rx_ms was updated */
		break;
	}
	(void)m;
}
