/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposals: strongSwan proposal strings to transform lists (parsing), and
 * the SA payload's negotiation (RFC 7296 §2.7, §3.3.6). Writing SA payloads
 * is in ike_prop_wr.c.
 */
#include "ike/ike_proposal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ike/ike_crypto.h"
#include "ike/ike_msg.h"

struct token {
	const char *name;
	uint8_t type;
	uint16_t id, keylen;
};

/* strongSwan's proposal keywords (a subset: what ike_crypto and alg.h
 * implement). */
static const struct token tokens[] = {
	{ "aes128", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "aes128ctr", IKE_XF_ENCR, IKE_ENCR_AES_CTR, 128 },
	{ "aes192ctr", IKE_XF_ENCR, IKE_ENCR_AES_CTR, 192 },
	{ "aes256ctr", IKE_XF_ENCR, IKE_ENCR_AES_CTR, 256 },
	{ "aes128gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes128gcm128", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm128", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm12", IKE_XF_ENCR, IKE_ENCR_AES_GCM_12, 128 },
	{ "aes256gcm12", IKE_XF_ENCR, IKE_ENCR_AES_GCM_12, 256 },
	{ "aes128gcm8", IKE_XF_ENCR, IKE_ENCR_AES_GCM_8, 128 },
	{ "aes256gcm8", IKE_XF_ENCR, IKE_ENCR_AES_GCM_8, 256 },
	{ "chacha20poly1305", IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "null", IKE_XF_ENCR, IKE_ENCR_NULL, 0 },
	{ "sha1", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha256", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_256", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_384", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_512", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha1", IKE_XF_PRF, IKE_PRF_HMAC_SHA1, 0 },
	{ "prfsha256", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	{ "modp2048", IKE_XF_DH, IKE_DH_MODP_2048, 0 },
	{ "modp3072", IKE_XF_DH, IKE_DH_MODP_3072, 0 },
	{ "modp4096", IKE_XF_DH, IKE_DH_MODP_4096, 0 },
	{ "ecp256", IKE_XF_DH, IKE_DH_ECP_256, 0 },
	{ "ecp384", IKE_XF_DH, IKE_DH_ECP_384, 0 },
	{ "ecp521", IKE_XF_DH, IKE_DH_ECP_521, 0 },
	{ "curve25519", IKE_XF_DH, IKE_DH_CURVE25519, 0 },
	{ "x25519", IKE_XF_DH, IKE_DH_CURVE25519, 0 },
	{ "curve448", IKE_XF_DH, IKE_DH_CURVE448, 0 },
	{ "x448", IKE_XF_DH, IKE_DH_CURVE448, 0 },
	{ "esn", IKE_XF_ESN, IKE_ESN_YES, 0 },
	{ "noesn", IKE_XF_ESN, IKE_ESN_NO, 0 },
};

static bool is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	       encr == IKE_ENCR_AES_GCM_16 ||
	       encr == IKE_ENCR_CHACHA20_POLY1305;
}

static unsigned count_type(const struct ike_prop *p, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n_xf; i++)
		n += p->xf[i].type == type;
	return n;
}

static bool has_xf(const struct ike_prop *p, const struct ike_xf *x)
{
	for (unsigned i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == x->type && p->xf[i].id == x->id &&
		    p->xf[i].keylen == x->keylen)
			return true;
	return false;
}

static int add_xf(struct ike_prop *p, uint8_t type, uint16_t id,
		  uint16_t keylen)
{
	struct ike_xf x = { type, id, keylen };

	if (has_xf(p, &x))
		return 0;
	if (p->n_xf >= IKE_MAX_XF)
		return -ENOSPC;
	p->xf[p->n_xf++] = x;
	return 0;
}

/* §2.13: without an explicit PRF strongSwan uses the integrity hash's. */
static uint16_t prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96: return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_256_128: return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192: return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256: return IKE_PRF_HMAC_SHA2_512;
	}
	return 0;
}

/* Completes and checks one proposal once all its tokens are in. */
static const char *finish_prop(struct ike_prop *p)
{
	unsigned aead = 0, n_encr = 0;

	for (unsigned i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == IKE_XF_ENCR) {
			n_encr++;
			aead += is_aead(p->xf[i].id);
		}
	if (n_encr == 0)
		return "no encryption algorithm";
	if (aead && aead != n_encr)
		return "mixes AEAD and non-AEAD algorithms";
	if (aead && count_type(p, IKE_XF_INTEG))
		return "AEAD with an integrity algorithm";
	if (!aead && !count_type(p, IKE_XF_INTEG))
		return "no integrity algorithm";
	if (p->proto == IKE_PROTO_IKE) {
		if (count_type(p, IKE_XF_ESN))
			return "esn in an IKE proposal";
		if (!count_type(p, IKE_XF_PRF)) {
			if (aead)
				return "AEAD needs a prf (e.g. prfsha256)";
			for (unsigned i = 0, n = p->n_xf; i < n; i++)
				if (p->xf[i].type == IKE_XF_INTEG &&
				    add_xf(p, IKE_XF_PRF,
					   prf_of_integ(p->xf[i].id), 0) < 0)
					return "too many algorithms";
		}
		if (!count_type(p, IKE_XF_DH))
			return "no key exchange group";
	} else {
		if (count_type(p, IKE_XF_PRF))
			return "prf in an ESP proposal";
		if (!count_type(p, IKE_XF_ESN) &&
		    add_xf(p, IKE_XF_ESN, IKE_ESN_NO, 0) < 0)
			return "too many algorithms";
	}
	return NULL;
}

static const struct token *find_token(const char *s, size_t n)
{
	for (unsigned i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (strlen(tokens[i].name) == n &&
		    strncasecmp(tokens[i].name, s, n) == 0)
			return &tokens[i];
	return NULL;
}

/* One proposal: dash-separated keywords. */
static int parse_one(const char *s, size_t n, uint8_t proto,
		     struct ike_prop *p, char *err, size_t errlen)
{
	const char *why;

	memset(p, 0, sizeof(*p));
	p->proto = proto;
	while (n > 0) {
		size_t k = 0;
		const struct token *t;

		while (k < n && s[k] != '-')
			k++;
		t = find_token(s, k);
		if (t == NULL || (proto != IKE_PROTO_IKE && t->type == IKE_XF_PRF)) {
			snprintf(err, errlen, "unknown algorithm '%.*s'", (int)k, s);
			return -EINVAL;
		}
		if (add_xf(p, t->type, t->id, t->keylen) < 0) {
			snprintf(err, errlen, "too many algorithms");
			return -EINVAL;
		}
		s += k;
		n -= k;
		if (n > 0) { /* skip the dash */
			s++;
			n--;
			if (n == 0) {
				snprintf(err, errlen, "trailing '-'");
				return -EINVAL;
			}
		}
	}
	why = finish_prop(p);
	if (why) {
		snprintf(err, errlen, "proposal: %s", why);
		return -EINVAL;
	}
	return 0;
}

int ike_prop_parse(const char *s, uint8_t proto, struct ike_offer *out,
		   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty proposal list");
		return -EINVAL;
	}
	while (*s) {
		size_t n = strcspn(s, ",");

		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == 0 || out->n >= IKE_MAX_PROPS) {
			snprintf(err, errlen, n ? "too many proposals"
						: "empty proposal");
			return -EINVAL;
		}
		if (parse_one(s, n, proto, &out->p[out->n], err, errlen) < 0)
			return -EINVAL;
		out->p[out->n].num = (uint8_t)(out->n + 1);
		out->n++;
		s += strcspn(s, ",");
		if (*s == ',')
			s++;
	}
	return 0;
}

/* --- Negotiation ---------------------------------------------------------- */

/* A transform "counts" for negotiation: known type, and not the explicit
 * "none" values (INTEG NONE with AEAD, D-H NONE) which mean absence. */
static bool counts(const struct ike_xf *x, uint8_t type, bool ignore_dh)
{
	if (x->type != type)
		return false;
	if (type == IKE_XF_DH && (ignore_dh || x->id == IKE_DH_NONE))
		return false;
	if (type == IKE_XF_INTEG && x->id == IKE_INTEG_NONE)
		return false;
	return true;
}

static bool any_of(const struct ike_prop *p, uint8_t type, bool ignore_dh)
{
	for (unsigned i = 0; i < p->n_xf; i++)
		if (counts(&p->xf[i], type, ignore_dh))
			return true;
	return false;
}

static void set_suite(struct ike_suite *s, const struct ike_xf *x)
{
	switch (x->type) {
	case IKE_XF_ENCR: s->encr = x->id; s->keylen = x->keylen; break;
	case IKE_XF_PRF: s->prf = x->id; break;
	case IKE_XF_INTEG: s->integ = x->id; break;
	case IKE_XF_DH: s->dh = x->id; break;
	case IKE_XF_ESN: s->esn = x->id; s->has_esn = true; break;
	}
}

/* §3.3.6: for each transform type, the peer's first transform we also
 * have; types on one side only make the proposals incompatible. */
static bool match(const struct ike_prop *pp, const struct ike_prop *mp,
		  bool ignore_dh, struct ike_suite *out)
{
	memset(out, 0, sizeof(*out));
	if (pp->proto != mp->proto)
		return false;
	for (uint8_t t = IKE_XF_ENCR; t <= IKE_XF_ESN; t++) {
		bool found = false;

		if (any_of(pp, t, ignore_dh) != any_of(mp, t, ignore_dh))
			return false;
		if (!any_of(pp, t, ignore_dh))
			continue;
		for (unsigned i = 0; i < pp->n_xf && !found; i++) {
			if (!counts(&pp->xf[i], t, ignore_dh) ||
			    !has_xf(mp, &pp->xf[i]))
				continue;
			set_suite(out, &pp->xf[i]);
			found = true;
		}
		if (!found)
			return false;
	}
	out->num = pp->num;
	out->proto = pp->proto;
	out->spi_size = pp->spi_size;
	memcpy(out->spi, pp->spi, sizeof(out->spi));
	return true;
}

int ike_prop_select(const struct ike_offer *peer, const struct ike_offer *mine,
		    bool ignore_dh, struct ike_suite *out)
{
	for (unsigned i = 0; i < peer->n; i++)
		for (unsigned j = 0; j < mine->n; j++)
			if (match(&peer->p[i], &mine->p[j], ignore_dh, out))
				return 0;
	return -ENOENT;
}

int ike_prop_check_reply(const struct ike_offer *reply,
			 const struct ike_offer *sent, bool ignore_dh,
			 struct ike_suite *out)
{
	const struct ike_prop *rp, *sp = NULL;

	if (reply->n != 1)
		return -EINVAL;
	rp = &reply->p[0];
	for (unsigned i = 0; i < sent->n; i++)
		if (sent->p[i].num == rp->num)
			sp = &sent->p[i];
	if (sp == NULL)
		return -EINVAL;
	/* exactly one of each type it has, nothing we did not offer */
	for (uint8_t t = IKE_XF_ENCR; t <= IKE_XF_ESN; t++)
		if (count_type(rp, t) > 1)
			return -EINVAL;
	for (unsigned i = 0; i < rp->n_xf; i++)
		if (rp->xf[i].type == 0 ||
		    (counts(&rp->xf[i], rp->xf[i].type, ignore_dh) &&
		     !has_xf(sp, &rp->xf[i])))
			return -EINVAL;
	if (!match(rp, sp, ignore_dh, out))
		return -EINVAL;
	return 0;
}

bool ike_offer_has_dh(const struct ike_offer *o, uint16_t group)
{
	for (unsigned i = 0; i < o->n; i++)
		for (unsigned j = 0; j < o->p[i].n_xf; j++)
			if (o->p[i].xf[j].type == IKE_XF_DH &&
			    o->p[i].xf[j].id == group)
				return true;
	return false;
}

uint16_t ike_offer_first_dh(const struct ike_offer *o)
{
	for (unsigned i = 0; i < o->n; i++)
		for (unsigned j = 0; j < o->p[i].n_xf; j++)
			if (o->p[i].xf[j].type == IKE_XF_DH &&
			    o->p[i].xf[j].id != IKE_DH_NONE)
				return o->p[i].xf[j].id;
	return IKE_DH_NONE;
}

/* §1.2: after INVALID_KE_PAYLOAD the initiator sends a KE of the group the
 * responder asked for; putting that group first keeps the offer consistent
 * with the KE payload. */
void ike_offer_prefer_dh(struct ike_offer *o, uint16_t group)
{
	for (unsigned i = 0; i < o->n; i++) {
		struct ike_prop *p = &o->p[i];
		unsigned first = p->n_xf, at = p->n_xf;

		for (unsigned j = 0; j < p->n_xf; j++) {
			if (p->xf[j].type != IKE_XF_DH)
				continue;
			if (first == p->n_xf)
				first = j;
			if (p->xf[j].id == group)
				at = j;
		}
		if (at < p->n_xf && first < at) {
			struct ike_xf t = p->xf[first];

			p->xf[first] = p->xf[at];
			p->xf[at] = t;
		}
	}
}

const struct alg *ike_suite_alg(const struct ike_suite *s)
{
	const struct alg *a;
	uint16_t integ = s->integ == IKE_INTEG_NONE ? 0 : s->integ;

	for (unsigned i = 0; (a = alg_at(i)) != NULL; i++) {
		if (a->ikev2_encr != s->encr || a->ikev2_integ != integ)
			continue;
		if (s->keylen ? a->key_len * 8u == s->keylen
			      : (s->encr == IKE_ENCR_CHACHA20_POLY1305 ||
				 s->encr == IKE_ENCR_NULL))
			return a;
	}
	return NULL;
}
