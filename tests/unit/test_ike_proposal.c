/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proposals: strongSwan strings to transforms, the alg.h mapping of ESP
 * suites, responder selection (RFC 7296 §3.3.6), the initiator's check of
 * the reply, KEY_LENGTH, D-H groups for INVALID_KE_PAYLOAD.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "ike/ike_crypto.h"
#include "ike/ike_msg.h"
#include "ike/ike_proposal.h"

static char err[128];

static int parse(const char *s, uint8_t proto, struct ike_offer *o)
{
	return ike_prop_parse(s, proto, o, err, sizeof(err));
}

static bool has(const struct ike_prop *p, uint8_t type, uint16_t id,
		uint16_t keylen)
{
	for (unsigned i = 0; i < p->n_xf; i++)
		if (p->xf[i].type == type && p->xf[i].id == id &&
		    p->xf[i].keylen == keylen)
			return true;
	return false;
}

static void test_parse(void)
{
	struct ike_offer o;

	CHECK(parse("aes128-sha256-ecp256", IKE_PROTO_IKE, &o) == 0 && o.n == 1);
	CHECK(o.p[0].n_xf == 4 && has(&o.p[0], IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128) &&
	      has(&o.p[0], IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0) &&
	      has(&o.p[0], IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0) && /* from integ */
	      has(&o.p[0], IKE_XF_DH, IKE_DH_ECP_256, 0));
	CHECK(parse("aes256gcm16-prfsha384-ecp384", IKE_PROTO_IKE, &o) == 0);
	CHECK(o.p[0].n_xf == 3 && has(&o.p[0], IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256) &&
	      has(&o.p[0], IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0));
	CHECK(parse("aes128gcm16-prfsha256-curve25519", IKE_PROTO_IKE, &o) == 0 &&
	      has(&o.p[0], IKE_XF_DH, IKE_DH_CURVE25519, 0));
	CHECK(parse("aes256-sha512-modp2048", IKE_PROTO_IKE, &o) == 0 &&
	      has(&o.p[0], IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0) &&
	      has(&o.p[0], IKE_XF_DH, IKE_DH_MODP_2048, 0));
	CHECK(parse("aes128-aes256-sha256-sha1-ecp256-modp2048, aes128gcm16-prfsha256-ecp256",
		    IKE_PROTO_IKE, &o) == 0 && o.n == 2 && o.p[0].n_xf == 8 &&
	      o.p[1].num == 2);
	/* errors */
	CHECK(parse("aes128gcm16-ecp256", IKE_PROTO_IKE, &o) < 0); /* AEAD, no prf */
	CHECK(parse("aes128-sha256", IKE_PROTO_IKE, &o) < 0);	 /* no D-H */
	CHECK(parse("aes128-ecp256", IKE_PROTO_IKE, &o) < 0);	 /* no integ */
	CHECK(parse("aes128-sha256-ecp999", IKE_PROTO_IKE, &o) < 0 &&
	      strstr(err, "ecp999"));
	CHECK(parse("aes128gcm16-sha256-prfsha256-ecp256", IKE_PROTO_IKE, &o) < 0);
	CHECK(parse("aes128-sha256-ecp256-", IKE_PROTO_IKE, &o) < 0);
	CHECK(parse("aes128-sha256-ecp256,,aes128-sha1-ecp256", IKE_PROTO_IKE, &o) < 0);
	CHECK(parse("", IKE_PROTO_IKE, &o) < 0);
	CHECK(parse("aes128-sha256-esn", IKE_PROTO_IKE, &o) < 0);
	/* ESP */
	CHECK(parse("aes128gcm16", IKE_PROTO_ESP, &o) == 0 && o.p[0].n_xf == 2 &&
	      has(&o.p[0], IKE_XF_ESN, IKE_ESN_NO, 0));	/* noesn default */
	CHECK(parse("aes256-sha256", IKE_PROTO_ESP, &o) == 0 && o.p[0].n_xf == 3);
	CHECK(parse("aes128-sha256-curve25519", IKE_PROTO_ESP, &o) == 0 &&
	      has(&o.p[0], IKE_XF_DH, IKE_DH_CURVE25519, 0) &&
	      ike_offer_first_dh(&o) == IKE_DH_CURVE25519);
	CHECK(parse("aes128-sha256-esn", IKE_PROTO_ESP, &o) == 0 &&
	      has(&o.p[0], IKE_XF_ESN, IKE_ESN_YES, 0) &&
	      !has(&o.p[0], IKE_XF_ESN, IKE_ESN_NO, 0));
	CHECK(parse("aes128-sha256-esn-noesn", IKE_PROTO_ESP, &o) == 0 &&
	      o.p[0].n_xf == 4);
	CHECK(parse("aes128-sha256-prfsha256", IKE_PROTO_ESP, &o) < 0);
}

static void test_alg_map(void)
{
	static const struct {
		const char *prop, *alg;
	} map[] = {
		{ "aes128gcm16", "aes128gcm16" },
		{ "aes256gcm16", "aes256gcm16" },
		{ "aes256-sha256", "aes256-sha256" },
		{ "aes128-sha1", "aes128-sha1" },
		{ "aes128ctr-sha256", "aes128ctr-sha256" },
		{ "chacha20poly1305", "chacha20poly1305" },
		{ "null-sha256", "null-sha256" },
		{ "aes128-sha256-curve25519-esn", "aes128-sha256" },
	};
	struct ike_offer o, peer;
	struct ike_suite s;

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct alg *a;

		CHECK(parse(map[i].prop, IKE_PROTO_ESP, &o) == 0);
		peer = o;
		peer.p[0].spi_size = 4;
		CHECK(ike_prop_select(&peer, &o, true, &s) == 0);
		a = ike_suite_alg(&s);
		CHECK_MSG(a && strcmp(a->name, map[i].alg) == 0, "%s", map[i].prop);
	}
	/* AES-GCM-12 negotiates but has no data plane descriptor */
	CHECK(parse("aes128gcm12", IKE_PROTO_ESP, &o) == 0);
	CHECK(ike_prop_select(&o, &o, true, &s) == 0 && ike_suite_alg(&s) == NULL);
}

static void test_select(void)
{
	struct ike_offer peer, mine, reply;
	struct ike_suite s, s2;
	char name[128];

	/* the responder takes the initiator's first acceptable proposal, and
	 * within it the initiator's first acceptable transform of each type */
	CHECK(parse("aes256-sha512-modp2048,aes128gcm16-prfsha256-ecp256",
		    IKE_PROTO_IKE, &peer) == 0);
	CHECK(parse("aes128gcm16-prfsha256-ecp256,aes256-sha512-modp2048",
		    IKE_PROTO_IKE, &mine) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == 0 && s.num == 1 &&
	      s.encr == IKE_ENCR_AES_CBC && s.keylen == 256);
	CHECK(strcmp(ike_suite_name(&s, name, sizeof(name)),
		     "AES_CBC-256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/MODP_2048") == 0);
	CHECK(parse("aes128-aes256-sha256-ecp384-ecp256", IKE_PROTO_IKE, &peer) == 0);
	CHECK(parse("aes256-sha256-ecp256-ecp384", IKE_PROTO_IKE, &mine) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == 0 && s.keylen == 256 &&
	      s.dh == IKE_DH_ECP_384);
	/* KEY_LENGTH must match: aes128 is not aes256 */
	CHECK(parse("aes128-sha256-ecp256", IKE_PROTO_IKE, &peer) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == -ENOENT);
	/* a transform type on one side only: no match (NO_PROPOSAL_CHOSEN) */
	CHECK(parse("aes128-sha256-curve25519", IKE_PROTO_ESP, &peer) == 0);
	CHECK(parse("aes128-sha256", IKE_PROTO_ESP, &mine) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == -ENOENT);
	/* ... unless D-H is left out as in IKE_AUTH (§1.2) */
	CHECK(ike_prop_select(&peer, &mine, true, &s) == 0 && s.dh == 0);
	/* ESN: both offered by the initiator, the responder only wants yes */
	CHECK(parse("aes128gcm16-esn-noesn", IKE_PROTO_ESP, &peer) == 0);
	CHECK(parse("aes128gcm16-esn", IKE_PROTO_ESP, &mine) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == 0 && s.has_esn &&
	      s.esn == IKE_ESN_YES);
	/* wrong protocol */
	CHECK(parse("aes128gcm16-prfsha256-ecp256", IKE_PROTO_IKE, &peer) == 0);
	CHECK(parse("aes128gcm16", IKE_PROTO_ESP, &mine) == 0);
	CHECK(ike_prop_select(&peer, &mine, false, &s) == -ENOENT);

	/* initiator's check of the reply */
	CHECK(parse("aes128gcm16-prfsha256-ecp256,aes256-sha512-modp2048",
		    IKE_PROTO_IKE, &mine) == 0);
	CHECK(parse("aes256-sha512-modp2048", IKE_PROTO_IKE, &reply) == 0);
	reply.p[0].num = 2;
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) == 0 && s2.num == 2);
	reply.p[0].num = 1; /* proposal 1 had no such transforms */
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) < 0);
	reply.p[0].num = 3;
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) < 0);
	CHECK(parse("aes256-sha512-modp2048-ecp256", IKE_PROTO_IKE, &reply) == 0);
	reply.p[0].num = 2; /* two D-H groups: not a choice */
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) < 0);
	CHECK(parse("aes256-sha512-modp2048,aes128gcm16-prfsha256-ecp256",
		    IKE_PROTO_IKE, &reply) == 0);
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) < 0);
	CHECK(parse("aes128gcm16-prfsha256-modp3072", IKE_PROTO_IKE, &reply) == 0);
	CHECK(ike_prop_check_reply(&reply, &mine, false, &s2) < 0);
}

static void test_dh(void)
{
	struct ike_offer o;

	CHECK(parse("aes128gcm16-prfsha256-ecp256-curve25519,aes256-sha256-modp2048",
		    IKE_PROTO_IKE, &o) == 0);
	CHECK(ike_offer_first_dh(&o) == IKE_DH_ECP_256);
	CHECK(ike_offer_has_dh(&o, IKE_DH_MODP_2048) &&
	      ike_offer_has_dh(&o, IKE_DH_CURVE25519) &&
	      !ike_offer_has_dh(&o, IKE_DH_ECP_384));
	/* INVALID_KE_PAYLOAD asked for curve25519: it goes first */
	ike_offer_prefer_dh(&o, IKE_DH_CURVE25519);
	CHECK(ike_offer_first_dh(&o) == IKE_DH_CURVE25519);
	CHECK(o.p[1].n_xf == 4 && has(&o.p[1], IKE_XF_DH, IKE_DH_MODP_2048, 0));
}

int main(void)
{
	test_parse();
	test_alg_map();
	test_select();
	test_dh();
	return check_summary();
}
