/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 message codec: messages made by scapy's IKEv2 layer
 * (gen_ike_msgs.py -> ike_msgs.h) parse as scapy meant them; hand-made
 * malformed messages are rejected with the right verdict; the writer's
 * output parses back.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "ike/ike_msg.h"
#include "ike/ike_ts.h"
#include "ike_msgs.h"

static uint8_t buf[IKE_MAX_MSG];
static struct ike_msg m;

/* Parse a copy of msg_init_req after `fix` changed it. */
static enum ike_perr mutated(void (*fix)(uint8_t *b, size_t *len))
{
	size_t len = sizeof(msg_init_req);

	memcpy(buf, msg_init_req, len);
	fix(buf, &len);
	return ike_msg_parse(&m, buf, len);
}

static void set_len(uint8_t *b, size_t len)
{
	b[24] = (uint8_t)(len >> 24);
	b[25] = (uint8_t)(len >> 16);
	b[26] = (uint8_t)(len >> 8);
	b[27] = (uint8_t)len;
}

static void test_scapy_init(void)
{
	struct ike_offer o, mine;
	struct ike_suite s;
	char err[128];

	CHECK(ike_msg_parse(&m, msg_init_req, sizeof(msg_init_req)) == IKE_PERR_OK);
	CHECK(m.exch == IKE_SA_INIT && m.msgid == 0 && m.version == 0x20);
	CHECK(ike_msg_from_initiator(&m) && !ike_msg_is_response(&m));
	CHECK(m.sa && m.ke && m.nonce && !m.sk && !m.auth);
	CHECK(m.n_notify == 3 && m.n_pl == 7);
	CHECK(m.nonce && m.nonce->len == 32);
	CHECK(m.ke && m.ke->len == 4 + 64 && m.ke->body[1] == 19);
	CHECK(ike_msg_notify(&m, IKE_N_NAT_DETECTION_DESTINATION_IP) &&
	      ike_msg_notify(&m, IKE_N_NAT_DETECTION_DESTINATION_IP)->data_len == 20);
	CHECK(ike_msg_error(&m) == NULL);
	CHECK(ike_sa_pl_parse(m.sa->body, m.sa->len, &o) == 0);
	CHECK(o.n == 2 && o.p[0].num == 1 && o.p[1].num == 2);
	CHECK(o.p[0].n_xf == 3 && o.p[0].xf[0].keylen == 128 &&
	      o.p[0].xf[0].id == IKE_ENCR_AES_GCM_16);
	CHECK(o.p[1].n_xf == 5 && o.p[1].xf[0].keylen == 256);
	/* negotiation against strongSwan-style strings */
	CHECK(ike_prop_parse("aes256-sha256-modp2048", IKE_PROTO_IKE, &mine, err,
			     sizeof(err)) == 0);
	CHECK(ike_prop_select(&o, &mine, false, &s) == 0 && s.num == 2 &&
	      s.keylen == 256 && s.dh == IKE_DH_MODP_2048 &&
	      s.prf == IKE_PRF_HMAC_SHA2_256 && s.integ == IKE_INTEG_HMAC_SHA2_256_128);
	CHECK(ike_prop_parse("aes128gcm16-prfsha256-ecp256,aes256-sha256-modp2048",
			     IKE_PROTO_IKE, &mine, err, sizeof(err)) == 0);
	CHECK(ike_prop_select(&o, &mine, false, &s) == 0 && s.num == 1 &&
	      s.encr == IKE_ENCR_AES_GCM_16 && s.dh == IKE_DH_ECP_256 &&
	      s.integ == 0);

	CHECK(ike_msg_parse(&m, msg_init_resp, sizeof(msg_init_resp)) == IKE_PERR_OK);
	CHECK(ike_msg_is_response(&m) && !ike_msg_from_initiator(&m));
	CHECK(m.certreq && m.certreq->len == 41 && m.certreq->body[0] == 4);
	CHECK(ike_sa_pl_parse(m.sa->body, m.sa->len, &o) == 0 && o.n == 1);
	CHECK(ike_prop_check_reply(&o, &mine, false, &s) == 0 && s.num == 1);
}

static void test_scapy_inner(void)
{
	struct ike_offer o;
	struct ike_ts_list tsi, tsr;
	char t[128];

	memset(&m, 0, sizeof(m));
	CHECK(ike_msg_parse_inner(&m, inner_auth, sizeof(inner_auth),
				  IKE_PL_IDI) == IKE_PERR_OK);
	CHECK(m.idi && m.idr && m.auth && m.sa && m.tsi && m.tsr);
	CHECK(m.idi && m.idi->len == 8 && m.idi->body[0] == IKE_ID_FQDN &&
	      memcmp(m.idi->body + 4, "left", 4) == 0);
	CHECK(m.auth && m.auth->body[0] == 2 && m.auth->len == 36);
	CHECK(ike_msg_notify(&m, IKE_N_INITIAL_CONTACT) != NULL);
	CHECK(ike_sa_pl_parse(m.sa->body, m.sa->len, &o) == 0);
	CHECK(o.n == 1 && o.p[0].proto == IKE_PROTO_ESP && o.p[0].spi_size == 4 &&
	      o.p[0].spi[0] == 0xc0 && o.p[0].spi[3] == 0x01 && o.p[0].n_xf == 3);
	CHECK(ike_ts_parse(m.tsi->body, m.tsi->len, &tsi) == 0 && tsi.n == 1);
	CHECK(strcmp(ike_tsel_fmt(&tsi.ts[0], t, sizeof(t)), "192.168.10.0/24") == 0);
	CHECK(ike_ts_parse(m.tsr->body, m.tsr->len, &tsr) == 0 && tsr.n == 2);
	CHECK(tsr.ts[0].proto == 6 && tsr.ts[0].sport == 80 && tsr.ts[0].eport == 80);
	CHECK(strcmp(ike_tsel_fmt(&tsr.ts[1], t, sizeof(t)), "2001:db8::/112") == 0);

	memset(&m, 0, sizeof(m));
	CHECK(ike_msg_parse_inner(&m, inner_delete, sizeof(inner_delete),
				  IKE_PL_DELETE) == IKE_PERR_OK);
	CHECK(m.n_delete == 2 && m.del[0].proto == IKE_PROTO_ESP &&
	      m.del[0].n == 2 && m.del[0].spis[4] == 0x55 &&
	      m.del[1].proto == IKE_PROTO_IKE);
	/* a nested SK in the plaintext is malformed */
	memset(&m, 0, sizeof(m));
	CHECK(ike_msg_parse_inner(&m, (const uint8_t *)"\0\0\0\x08" "abcd", 8,
				  IKE_PL_SK) == IKE_PERR_SYNTAX);
}

static void fx_short(uint8_t *b, size_t *len) { (void)b; *len = 20; }
static void fx_len_plus(uint8_t *b, size_t *len) { set_len(b, *len + 1); }
static void fx_cut(uint8_t *b, size_t *len) { (void)b; (*len)--; }
static void fx_v3(uint8_t *b, size_t *len) { (void)len; b[17] = 0x30; }
static void fx_v21(uint8_t *b, size_t *len) { (void)len; b[17] = 0x21; }
static void fx_exch(uint8_t *b, size_t *len) { (void)len; b[18] = 99; }
static void fx_zero_spi(uint8_t *b, size_t *len) { (void)len; memset(b, 0, 8); }
/* first payload (SA at 28): length past the end, zero, 3 */
static void fx_pl_past(uint8_t *b, size_t *len) { b[30] = (uint8_t)(*len >> 8); b[31] = (uint8_t)*len; }
static void fx_pl_zero(uint8_t *b, size_t *len) { (void)len; b[30] = b[31] = 0; }
static void fx_pl_three(uint8_t *b, size_t *len) { (void)len; b[30] = 0; b[31] = 3; }
/* first proposal at 32: transform count, number, last-substructure mark */
static void fx_xf_count(uint8_t *b, size_t *len) { (void)len; b[32 + 7] = 5; }
static void fx_xf_count0(uint8_t *b, size_t *len) { (void)len; b[32 + 7] = 0; }
static void fx_prop_num(uint8_t *b, size_t *len) { (void)len; b[32 + 4] = 2; }
static void fx_prop_last(uint8_t *b, size_t *len) { (void)len; b[32] = 0; }
static void fx_prop_proto(uint8_t *b, size_t *len) { (void)len; b[32 + 5] = 9; }
static void fx_spi_size(uint8_t *b, size_t *len) { (void)len; b[32 + 6] = 4; }
/* an unknown payload type (200) with / without the critical bit, first */
static void unknown_first(uint8_t *b, size_t *len, uint8_t flags)
{
	uint8_t tmp[IKE_MAX_MSG];
	size_t body = *len - 28;

	memcpy(tmp, b + 28, body);
	b[28] = b[16];	/* next: the original first payload */
	b[29] = flags;
	b[30] = 0;
	b[31] = 8;
	memset(b + 32, 0xee, 4);
	memcpy(b + 36, tmp, body);
	b[16] = 200;
	*len += 8;
	set_len(b, *len);
}
static void fx_crit(uint8_t *b, size_t *len) { unknown_first(b, len, 0x80); }
static void fx_noncrit(uint8_t *b, size_t *len) { unknown_first(b, len, 0x00); }
/* trailing garbage after the last payload (header length covers it) */
static void fx_trailing(uint8_t *b, size_t *len) { memset(b + *len, 0, 4); *len += 4; set_len(b, *len); }

static void test_malformed(void)
{
	CHECK(mutated(fx_short) == IKE_PERR_SHORT);
	CHECK(mutated(fx_len_plus) == IKE_PERR_LENGTH);
	CHECK(mutated(fx_cut) == IKE_PERR_LENGTH);
	CHECK(mutated(fx_v3) == IKE_PERR_VERSION);
	CHECK(mutated(fx_v21) == IKE_PERR_OK); /* minor versions are ignored */
	CHECK(mutated(fx_exch) == IKE_PERR_EXCH);
	CHECK(mutated(fx_zero_spi) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_pl_past) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_pl_zero) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_pl_three) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_xf_count) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_xf_count0) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_prop_num) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_prop_last) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_prop_proto) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_spi_size) == IKE_PERR_SYNTAX);
	CHECK(mutated(fx_crit) == IKE_PERR_CRITICAL && m.crit_type == 200);
	CHECK(mutated(fx_noncrit) == IKE_PERR_OK && m.n_pl == 7 && m.sa);
	CHECK(mutated(fx_trailing) == IKE_PERR_SYNTAX);
}

/* Messages made with the writer: good and bad payload bodies. */
static enum ike_perr one_payload(uint8_t type, const void *body, size_t n)
{
	static const uint8_t spi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ike_wr w;

	ike_wr_init(&w, buf, sizeof(buf), spi, NULL, IKE_INFORMATIONAL,
		    IKE_FLAG_I, 7);
	ike_wr_pl(&w, type, body, n);
	CHECK(ike_wr_finish(&w) > 0);
	return ike_msg_parse(&m, buf, w.len);
}

static void test_payload_bodies(void)
{
	uint8_t b[300] = { 0 };

	CHECK(one_payload(IKE_PL_NONCE, b, 15) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_NONCE, b, 16) == IKE_PERR_OK);
	CHECK(one_payload(IKE_PL_NONCE, b, 256) == IKE_PERR_OK);
	CHECK(one_payload(IKE_PL_NONCE, b, 257) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_KE, b, 4) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_IDI, b, 4) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_AUTH, b, 3) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_SA, b, 0) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_VENDOR, b, 0) == IKE_PERR_OK);
	CHECK(one_payload(IKE_PL_CP, b, 0) == IKE_PERR_OK);
	/* notify: SPI size past the end */
	b[0] = 3; b[1] = 8; b[2] = 0x40; b[3] = 0x09;
	CHECK(one_payload(IKE_PL_NOTIFY, b, 8) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_NOTIFY, b, 12) == IKE_PERR_OK &&
	      m.notify[0].type == IKE_N_REKEY_SA && m.notify[0].data_len == 0);
	/* delete: 2 SPIs announced, 1 present; IKE delete with SPIs */
	b[0] = 3; b[1] = 4; b[2] = 0; b[3] = 2;
	CHECK(one_payload(IKE_PL_DELETE, b, 8) == IKE_PERR_SYNTAX);
	CHECK(one_payload(IKE_PL_DELETE, b, 12) == IKE_PERR_OK);
	b[0] = 1; b[1] = 0; b[2] = 0; b[3] = 1;
	CHECK(one_payload(IKE_PL_DELETE, b, 4) == IKE_PERR_SYNTAX);
	/* TS: count 2, one selector; bad selector length; IPv6 */
	memset(b, 0, sizeof(b));
	b[0] = 2; b[4] = 7; b[7] = 16;
	CHECK(one_payload(IKE_PL_TSI, b, 20) == IKE_PERR_SYNTAX);
	b[0] = 1;
	CHECK(one_payload(IKE_PL_TSI, b, 20) == IKE_PERR_OK);
	b[7] = 15;
	CHECK(one_payload(IKE_PL_TSI, b, 20) == IKE_PERR_SYNTAX);
	b[4] = 8; b[7] = 40;
	CHECK(one_payload(IKE_PL_TSR, b, 44) == IKE_PERR_OK);
	b[0] = 0;
	CHECK(one_payload(IKE_PL_TSR, b, 44) == IKE_PERR_SYNTAX);
	/* CERTREQ hash list not a multiple of 20 */
	b[0] = 4;
	CHECK(one_payload(IKE_PL_CERTREQ, b, 21) == IKE_PERR_OK);
	CHECK(one_payload(IKE_PL_CERTREQ, b, 22) == IKE_PERR_SYNTAX);
}

static void test_writer(void)
{
	static const uint8_t spi_i[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	struct ike_offer o, back;
	struct ike_wr w;
	char err[128];
	uint8_t espi[4] = { 0xde, 0xad, 0xbe, 0xef };
	size_t off;

	CHECK(ike_prop_parse("aes128gcm16,aes256-sha256-esn", IKE_PROTO_ESP, &o,
			     err, sizeof(err)) == 0);
	ike_wr_init(&w, buf, sizeof(buf), spi_i, spi_i, IKE_CREATE_CHILD_SA,
		    IKE_FLAG_R, 5);
	ike_wr_notify(&w, IKE_PROTO_ESP, espi, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_offer_write(&w, &o, espi, 4, false);
	ike_wr_pl(&w, IKE_PL_NONCE, buf + 200, 32); /* any bytes */
	CHECK(ike_wr_finish(&w) > 0);
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_OK);
	CHECK(m.exch == IKE_CREATE_CHILD_SA && m.msgid == 5 &&
	      ike_msg_is_response(&m) && m.n_pl == 3);
	CHECK(m.notify[0].spi_size == 4 && memcmp(m.notify[0].spi, espi, 4) == 0);
	CHECK(ike_sa_pl_parse(m.sa->body, m.sa->len, &back) == 0);
	CHECK(back.n == 2 && back.p[1].spi[0] == 0xde);
	CHECK(back.p[0].n_xf == o.p[0].n_xf && back.p[1].n_xf == o.p[1].n_xf);
	for (unsigned i = 0; i < o.p[1].n_xf; i++)
		CHECK(back.p[1].xf[i].type == o.p[1].xf[i].type &&
		      back.p[1].xf[i].id == o.p[1].xf[i].id &&
		      back.p[1].xf[i].keylen == o.p[1].xf[i].keylen);
	/* too small a buffer fails cleanly */
	ike_wr_init(&w, buf, 40, spi_i, NULL, IKE_SA_INIT, IKE_FLAG_I, 0);
	off = ike_wr_begin(&w, IKE_PL_NONCE);
	ike_wr_zero(&w, 32);
	ike_wr_end(&w, off);
	CHECK(w.err && ike_wr_finish(&w) == -ENOSPC);
	/* 48 vendor IDs: more payloads than we keep */
	ike_wr_init(&w, buf, sizeof(buf), spi_i, NULL, IKE_INFORMATIONAL, 0, 1);
	for (int i = 0; i < IKE_MSG_MAX_PL + 1; i++)
		ike_wr_pl(&w, IKE_PL_VENDOR, "x", 1);
	CHECK(ike_wr_finish(&w) > 0);
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_TOO_MANY);
	/* SK followed by another payload: SK must be last */
	ike_wr_init(&w, buf, sizeof(buf), spi_i, spi_i, IKE_INFORMATIONAL, 0, 1);
	ike_wr_pl(&w, IKE_PL_SK, "0123456789abcdef", 16);
	CHECK(ike_wr_finish(&w) > 0);
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_OK && m.sk &&
	      m.sk_off == 28 && m.sk->len == 16);
	buf[28] = IKE_PL_VENDOR; /* SK's "next" is the first inner payload */
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_OK && m.sk_np == IKE_PL_VENDOR);
	memcpy(buf + w.len, "\0\0\0\x04", 4);
	set_len(buf, w.len + 4);
	CHECK(ike_msg_parse(&m, buf, w.len + 4) == IKE_PERR_SYNTAX);
	/* two SA payloads */
	ike_wr_init(&w, buf, sizeof(buf), spi_i, NULL, IKE_SA_INIT, IKE_FLAG_I, 0);
	ike_offer_write(&w, &o, espi, 4, false);
	ike_offer_write(&w, &o, espi, 4, false);
	CHECK(ike_wr_finish(&w) > 0);
	CHECK(ike_msg_parse(&m, buf, w.len) == IKE_PERR_SYNTAX);
}

int main(void)
{
	test_scapy_init();
	test_scapy_inner();
	test_malformed();
	test_payload_bodies();
	test_writer();
	return check_summary();
}
