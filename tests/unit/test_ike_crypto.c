/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IKEv2 crypto against independent references: RFC 4231 / RFC 2202 HMAC
 * vectors, RFC 5903 §8 and RFC 7748 §6.1 DH vectors, and prf+, key
 * derivation and Encrypted payloads computed by gen_ike_vectors.py (Python
 * hmac/hashlib and python3-cryptography) into ike_vectors.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ike/ike_crypto.h"
#include "ike_vectors.h"

/* Hex (spaces ignored) to bytes; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : -1;
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* --- PRF --------------------------------------------------------------------- */

struct hmac_kat {
	uint16_t prf;
	uint8_t key_byte;
	size_t key_len;	  /* key = key_len x key_byte, or "Jefe" if 0 */
	const char *data; /* text, or NULL for 50 x 0xdd */
	const char *mac;
};

static const char tc6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
static const char tc7[] = "Test Using Larger Than Block-Size Key and Larger "
			  "Than One Block-Size Data";

static const struct hmac_kat hmac_kats[] = {
	/* RFC 4231 §4.2, 4.3, 4.4, 4.7: test cases 1, 2, 3, 6 */
	{ IKE_PRF_HMAC_SHA2_256, 0x0b, 20, "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKE_PRF_HMAC_SHA2_384, 0x0b, 20, "Hi There",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKE_PRF_HMAC_SHA2_512, 0x0b, 20, "Hi There",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ IKE_PRF_HMAC_SHA2_256, 0, 0, "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ IKE_PRF_HMAC_SHA2_384, 0, 0, "what do ya want for nothing?",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ IKE_PRF_HMAC_SHA2_512, 0, 0, "what do ya want for nothing?",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ IKE_PRF_HMAC_SHA2_256, 0xaa, 20, NULL,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ IKE_PRF_HMAC_SHA2_384, 0xaa, 20, NULL,
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27" },
	{ IKE_PRF_HMAC_SHA2_512, 0xaa, 20, NULL,
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ IKE_PRF_HMAC_SHA2_256, 0xaa, 131, tc6,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ IKE_PRF_HMAC_SHA2_384, 0xaa, 131, tc6,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ IKE_PRF_HMAC_SHA2_512, 0xaa, 131, tc6,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	/* RFC 2202 §3: test cases 1, 2, 3, 6, 7 */
	{ IKE_PRF_HMAC_SHA1, 0x0b, 20, "Hi There",
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IKE_PRF_HMAC_SHA1, 0, 0, "what do ya want for nothing?",
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ IKE_PRF_HMAC_SHA1, 0xaa, 20, NULL,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ IKE_PRF_HMAC_SHA1, 0xaa, 80, tc6,
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ IKE_PRF_HMAC_SHA1, 0xaa, 80, tc7,
	  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

static void test_prf_kats(void)
{
	for (size_t i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); i++) {
		const struct hmac_kat *t = &hmac_kats[i];
		uint8_t key[131], data[64], want[64], out[64];
		const uint8_t *k = key, *d = data;
		size_t klen = t->key_len, dlen = 50, wlen = unhex(t->mac, want);

		memset(key, t->key_byte, sizeof(key));
		memset(data, 0xdd, sizeof(data));
		if (klen == 0) {
			k = (const uint8_t *)"Jefe";
			klen = 4;
		}
		if (t->data) {
			d = (const uint8_t *)t->data;
			dlen = strlen(t->data);
		}
		CHECK(ike_prf_len(t->prf) == wlen);
		CHECK(ike_prf(t->prf, k, klen, d, dlen, out) == 0);
		CHECK_MSG(memcmp(out, want, wlen) == 0, "HMAC KAT %zu", i);
	}
	CHECK(ike_prf_len(99) == 0);
	CHECK(ike_prf(99, (const uint8_t *)"k", 1, NULL, 0, NULL) == -ENOTSUP);
}

static void test_prf_plus(void)
{
	uint8_t out[150];
	static const struct {
		uint16_t prf;
		const uint8_t *want;
		size_t len;
	} v[] = {
		{ IKE_PRF_HMAC_SHA1, prfplus_sha1, sizeof(prfplus_sha1) },
		{ IKE_PRF_HMAC_SHA2_256, prfplus_sha256, sizeof(prfplus_sha256) },
		{ IKE_PRF_HMAC_SHA2_512, prfplus_sha512, sizeof(prfplus_sha512) },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(ike_prf_plus(v[i].prf, prfplus_key, sizeof(prfplus_key),
				   prfplus_seed, sizeof(prfplus_seed), out,
				   v[i].len) == 0);
		CHECK_MSG(memcmp(out, v[i].want, v[i].len) == 0, "prf+ %zu", i);
	}
	/* A shorter request is a prefix (the 20-byte SHA-1 blocks cut mid-way). */
	CHECK(ike_prf_plus(IKE_PRF_HMAC_SHA1, prfplus_key, sizeof(prfplus_key),
			   prfplus_seed, sizeof(prfplus_seed), out, 33) == 0);
	CHECK_MEM(out, prfplus_sha1, 33);
	/* The counter is one octet: 255 blocks at most (§2.13). */
	{
		uint8_t *big = malloc(256 * 20);

		CHECK(ike_prf_plus(IKE_PRF_HMAC_SHA1, prfplus_key, 8, NULL, 0,
				   big, 255 * 20) == 0);
		CHECK(ike_prf_plus(IKE_PRF_HMAC_SHA1, prfplus_key, 8, NULL, 0,
				   big, 255 * 20 + 1) == -EINVAL);
		free(big);
	}
}

static void test_sizes(void)
{
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_CBC, 128) == 16);
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_CBC, 256) == 32);
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_CBC, 100) == 0);
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_GCM_16, 128) == 20);
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_GCM_16, 256) == 36);
	CHECK(ike_encr_key_bytes(IKE_ENCR_AES_CTR, 192) == 28);
	CHECK(ike_encr_key_bytes(IKE_ENCR_CHACHA20_POLY1305, 0) == 36);
	CHECK(ike_encr_key_bytes(IKE_ENCR_CHACHA20_POLY1305, 128) == 0);
	CHECK(ike_encr_key_bytes(3 /* 3DES */, 0) == 0);
	CHECK(ike_integ_key_bytes(IKE_INTEG_HMAC_SHA1_96) == 20);
	CHECK(ike_integ_icv_bytes(IKE_INTEG_HMAC_SHA1_96) == 12);
	CHECK(ike_integ_key_bytes(IKE_INTEG_HMAC_SHA2_384_192) == 48);
	CHECK(ike_integ_icv_bytes(IKE_INTEG_HMAC_SHA2_384_192) == 24);
	CHECK(ike_integ_icv_bytes(IKE_INTEG_HMAC_SHA2_512_256) == 32);
	CHECK(ike_dh_public_len(IKE_DH_MODP_3072) == 384);
	CHECK(ike_dh_public_len(IKE_DH_ECP_521) == 132);
	CHECK(ike_dh_public_len(IKE_DH_CURVE448) == 56);
	CHECK(ike_dh_public_len(2) == 0);
}

/* --- key derivation ---------------------------------------------------------- */

#define CHECK_KEY(got, glen, want) \
	CHECK_MSG((glen) == sizeof(want) && memcmp(got, want, glen) == 0, "%s", #want)

static void check_sa(const struct ike_sa_keys *k, const uint8_t *d, size_t dl,
		     const uint8_t *ai, const uint8_t *ar, size_t al,
		     const uint8_t *ei, const uint8_t *er, size_t el,
		     const uint8_t *pi, const uint8_t *pr, size_t pl)
{
	CHECK(k->d_len == dl && k->a_len == al && k->e_len == el &&
	      k->p_len == pl);
	CHECK_MEM(k->sk_d, d, dl);
	if (al) {
		CHECK_MEM(k->sk_ai, ai, al);
		CHECK_MEM(k->sk_ar, ar, al);
	}
	CHECK_MEM(k->sk_ei, ei, el);
	CHECK_MEM(k->sk_er, er, el);
	CHECK_MEM(k->sk_pi, pi, pl);
	CHECK_MEM(k->sk_pr, pr, pl);
}

static void test_sa_keys(void)
{
	struct ike_sa_keys a = { .prf = IKE_PRF_HMAC_SHA2_256,
				 .integ = IKE_INTEG_HMAC_SHA2_256_128,
				 .encr = IKE_ENCR_AES_CBC, .encr_keylen = 256 };
	struct ike_sa_keys b = { .prf = IKE_PRF_HMAC_SHA2_384,
				 .encr = IKE_ENCR_AES_GCM_16, .encr_keylen = 256 };
	struct ike_sa_keys c = { .prf = IKE_PRF_HMAC_SHA2_512,
				 .integ = IKE_INTEG_HMAC_SHA2_512_256,
				 .encr = IKE_ENCR_AES_CBC, .encr_keylen = 128 };
	struct ike_sa_keys bad = b;
	uint8_t km[128];

	CHECK(ike_derive_sa_keys(&a, sa_a_ni, sizeof(sa_a_ni), sa_a_nr,
				 sizeof(sa_a_nr), sa_a_gir, sizeof(sa_a_gir),
				 sa_a_spii, sa_a_spir, NULL) == 0);
	check_sa(&a, sa_a_sk_d, sizeof(sa_a_sk_d), sa_a_sk_ai, sa_a_sk_ar,
		 sizeof(sa_a_sk_ai), sa_a_sk_ei, sa_a_sk_er, sizeof(sa_a_sk_ei),
		 sa_a_sk_pi, sa_a_sk_pr, sizeof(sa_a_sk_pi));

	CHECK(ike_derive_sa_keys(&b, sa_b_ni, sizeof(sa_b_ni), sa_b_nr,
				 sizeof(sa_b_nr), sa_b_gir, sizeof(sa_b_gir),
				 sa_b_spii, sa_b_spir, NULL) == 0);
	check_sa(&b, sa_b_sk_d, sizeof(sa_b_sk_d), NULL, NULL, 0, sa_b_sk_ei,
		 sa_b_sk_er, sizeof(sa_b_sk_ei), sa_b_sk_pi, sa_b_sk_pr,
		 sizeof(sa_b_sk_pi));

	/* Rekey of A (§2.18): SKEYSEED with A's PRF and SK_d. */
	CHECK(ike_derive_sa_keys(&c, sa_c_ni, sizeof(sa_c_ni), sa_c_nr,
				 sizeof(sa_c_nr), sa_c_gir, sizeof(sa_c_gir),
				 sa_c_spii, sa_c_spir, &a) == 0);
	check_sa(&c, sa_c_sk_d, sizeof(sa_c_sk_d), sa_c_sk_ai, sa_c_sk_ar,
		 sizeof(sa_c_sk_ai), sa_c_sk_ei, sa_c_sk_er, sizeof(sa_c_sk_ei),
		 sa_c_sk_pi, sa_c_sk_pr, sizeof(sa_c_sk_pi));

	/* Child KEYMAT (§2.17) from A's SK_d, without and with PFS. */
	CHECK(ike_derive_child_keymat(&a, NULL, 0, child_ni, sizeof(child_ni),
				      child_nr, sizeof(child_nr), km,
				      sizeof(keymat_nodh)) == 0);
	CHECK_KEY(km, sizeof(keymat_nodh), keymat_nodh);
	CHECK(ike_derive_child_keymat(&a, child_gir, sizeof(child_gir),
				      child_ni, sizeof(child_ni), child_nr,
				      sizeof(child_nr), km,
				      sizeof(keymat_dh)) == 0);
	CHECK_KEY(km, sizeof(keymat_dh), keymat_dh);

	/* AEAD with an integrity transform, CBC without one: refused. */
	bad.integ = IKE_INTEG_HMAC_SHA2_256_128;
	CHECK(ike_derive_sa_keys(&bad, sa_b_ni, 16, sa_b_nr, 16, sa_b_gir, 32,
				 sa_b_spii, sa_b_spir, NULL) == -EINVAL);
	bad = a;
	bad.integ = IKE_INTEG_NONE;
	CHECK(ike_derive_sa_keys(&bad, sa_b_ni, 16, sa_b_nr, 16, sa_b_gir, 32,
				 sa_b_spii, sa_b_spir, NULL) == -EINVAL);
	bad = a;
	bad.encr = IKE_ENCR_AES_CTR;
	CHECK(ike_derive_sa_keys(&bad, sa_b_ni, 16, sa_b_nr, 16, sa_b_gir, 32,
				 sa_b_spii, sa_b_spir, NULL) == -ENOTSUP);
	ike_sa_keys_clear(&a);
	CHECK(a.d_len == 0 && a.sk_d[0] == 0 && a.sk_pr[31] == 0);
}

/* --- Diffie-Hellman ------------------------------------------------------------ */

struct ecp_kat {
	uint16_t group;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

/* RFC 5903 §8.1, §8.2, §8.3 */
static const struct ecp_kat ecp_kats[] = {
	{ IKE_DH_ECP_256,
	  "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
	  "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
	  "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
	  "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
	  "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
	  "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
	  "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE" },
	{ IKE_DH_ECP_384,
	  "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
	  "E35B538041E649EE3FAEF896783AB194",
	  "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	  "DE3AC808ACB4BDB4C88732AEE95F41AA",
	  "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
	  "EB9FCFF3C2C947DAE69B4C634573A81C",
	  "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
	  "E0308312916B8ED2960E4BD55A7448FC",
	  "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
	  "0D1AC43A0336DEF96FDA41D0774A3571",
	  "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
	  "F83FA40142209DFF5EAAD96DB9E6386C",
	  "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
	  "D603135569B9E9D09CF5D4A270F59746" },
	{ IKE_DH_ECP_521,
	  "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A0"
	  "95AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
	  "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBE"
	  "E1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E",
	  "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10A"
	  "D8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582",
	  "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E"
	  "9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
	  "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A21"
	  "9B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F",
	  "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87"
	  "220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A",
	  "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04"
	  "D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA" },
};

/* One side of a KAT: our public value and the shared secret with the peer. */
static void dh_side(uint16_t group, const char *priv, const char *px,
		    const char *py, const char *qx, const char *qy,
		    const char *shared)
{
	uint8_t k[66], pub[132], want[132], peer[132], z[66], wz[66];
	size_t klen = unhex(priv, k), n = unhex(px, want);
	size_t m = unhex(qx, peer);
	struct ike_dh *dh = ike_dh_from_private(group, k, klen);

	n += unhex(py, want + n);
	m += unhex(qy, peer + m);
	CHECK(dh != NULL);
	if (dh == NULL)
		return;
	CHECK(ike_dh_public(dh, pub, sizeof(pub)) == (int)n);
	CHECK_MSG(memcmp(pub, want, n) == 0, "group %u public", group);
	CHECK(ike_dh_shared(dh, peer, m, z, sizeof(z)) == (int)unhex(shared, wz));
	CHECK_MSG(memcmp(z, wz, unhex(shared, wz)) == 0, "group %u g^ir", group);
	/* Point not on the curve: last byte of y changed. */
	peer[m - 1] ^= 1;
	CHECK(ike_dh_shared(dh, peer, m, z, sizeof(z)) == -EINVAL);
	peer[m - 1] ^= 1;
	/* Wrong lengths, and (0, 0), which no curve here contains. */
	CHECK(ike_dh_shared(dh, peer, m - 1, z, sizeof(z)) == -EINVAL);
	CHECK(ike_dh_shared(dh, peer, m + 1, z, sizeof(z)) == -EINVAL);
	memset(peer, 0, m);
	CHECK(ike_dh_shared(dh, peer, m, z, sizeof(z)) == -EINVAL);
	ike_dh_free(dh);
}

static void test_dh_ecp(void)
{
	for (size_t i = 0; i < sizeof(ecp_kats) / sizeof(ecp_kats[0]); i++) {
		const struct ecp_kat *t = &ecp_kats[i];

		dh_side(t->group, t->i, t->gix, t->giy, t->grx, t->gry, t->girx);
		dh_side(t->group, t->r, t->grx, t->gry, t->gix, t->giy, t->girx);
	}
}

/* RFC 7748 §6.1, and RFC 8031 §2.3's all-zero check. */
static void test_dh_x25519(void)
{
	uint8_t a[32], b[32], pa[32], pb[32], k[32], z[32], pub[32];
	struct ike_dh *alice, *bob;

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pa);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pb);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k);
	alice = ike_dh_from_private(IKE_DH_CURVE25519, a, 32);
	bob = ike_dh_from_private(IKE_DH_CURVE25519, b, 32);
	CHECK(alice && bob);
	if (!alice || !bob)
		goto out;
	CHECK(ike_dh_public(alice, pub, sizeof(pub)) == 32);
	CHECK_MEM(pub, pa, 32);
	CHECK(ike_dh_public(bob, pub, sizeof(pub)) == 32);
	CHECK_MEM(pub, pb, 32);
	CHECK(ike_dh_shared(alice, pb, 32, z, sizeof(z)) == 32);
	CHECK_MEM(z, k, 32);
	CHECK(ike_dh_shared(bob, pa, 32, z, sizeof(z)) == 32);
	CHECK_MEM(z, k, 32);
	CHECK(ike_dh_shared(alice, pb, 31, z, sizeof(z)) == -EINVAL);
	CHECK(ike_dh_shared(alice, pb, 32, z, 31) == -ENOSPC);
	/* u = 0 and u = 1 are low-order points: the result is all zeros. */
	memset(pub, 0, sizeof(pub));
	CHECK(ike_dh_shared(alice, pub, 32, z, sizeof(z)) == -EINVAL);
	pub[0] = 1;
	CHECK(ike_dh_shared(alice, pub, 32, z, sizeof(z)) == -EINVAL);
out:
	ike_dh_free(alice);
	ike_dh_free(bob);
}

/* Two fresh keys agree; the peer value is checked. */
static void dh_agree(uint16_t group)
{
	struct ike_dh *x = ike_dh_new(group), *y = ike_dh_new(group);
	size_t len = ike_dh_public_len(group);
	uint8_t px[512], py[512], zx[512], zy[512];
	int zl;

	CHECK_MSG(x && y, "group %u keygen", group);
	if (!x || !y)
		goto out;
	CHECK(ike_dh_public(x, px, sizeof(px)) == (int)len);
	CHECK(ike_dh_public(y, py, sizeof(py)) == (int)len);
	CHECK(ike_dh_public(x, px, len - 1) == -ENOSPC);
	zl = ike_dh_shared(x, py, len, zx, sizeof(zx));
	CHECK_MSG(zl > 0 && ike_dh_shared(y, px, len, zy, sizeof(zy)) == zl &&
		  memcmp(zx, zy, (size_t)zl) == 0, "group %u agreement", group);
	memset(py, 0, len);
	CHECK(ike_dh_shared(x, py, len, zx, sizeof(zx)) == -EINVAL);
out:
	ike_dh_free(x);
	ike_dh_free(y);
}

/* RFC 3526 §3, the 2048-bit MODP prime. */
static const char modp2048_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

static void test_dh_modp(void)
{
	struct ike_dh *dh = ike_dh_new(IKE_DH_MODP_2048), *two;
	uint8_t v[256], z[256], pub[256], x = 2;

	dh_agree(IKE_DH_MODP_2048);
	dh_agree(IKE_DH_MODP_3072);
	dh_agree(IKE_DH_MODP_4096);
	CHECK(dh != NULL);
	if (dh == NULL)
		return;
	/* 0, 1, p-1 and p are outside [2, p-2] (RFC 6989 §2). */
	memset(v, 0, sizeof(v));
	CHECK(ike_dh_shared(dh, v, 256, z, sizeof(z)) == -EINVAL);
	v[255] = 1;
	CHECK(ike_dh_shared(dh, v, 256, z, sizeof(z)) == -EINVAL);
	unhex(modp2048_p, v);
	CHECK(ike_dh_shared(dh, v, 256, z, sizeof(z)) == -EINVAL);
	v[255] -= 1;
	CHECK(ike_dh_shared(dh, v, 256, z, sizeof(z)) == -EINVAL);
	CHECK(ike_dh_shared(dh, v, 255, z, sizeof(z)) == -EINVAL);
	/* A known key: x = 2 gives g^x = 4, padded to 256 bytes. */
	two = ike_dh_from_private(IKE_DH_MODP_2048, &x, 1);
	CHECK(two != NULL);
	if (two) {
		memset(v, 0, sizeof(v));
		v[255] = 4;
		CHECK(ike_dh_public(two, pub, sizeof(pub)) == 256);
		CHECK_MEM(pub, v, 256);
		/* Peer 4 = 2^2 with our x = 2: g^ir = 16. */
		CHECK(ike_dh_shared(two, v, 256, z, sizeof(z)) == 256);
		v[255] = 16;
		CHECK_MEM(z, v, 256);
		ike_dh_free(two);
	}
	ike_dh_free(dh);
	CHECK(ike_dh_new(2 /* MODP-1024, unsupported */) == NULL);
}

static void test_dh_misc(void)
{
	dh_agree(IKE_DH_ECP_256);
	dh_agree(IKE_DH_ECP_521);
	dh_agree(IKE_DH_CURVE25519);
	dh_agree(IKE_DH_CURVE448);
}

/* --- Encrypted payload --------------------------------------------------------- */

#define SK_OFF 28 /* the SK payload follows the IKE header directly */

/* Open the Python-made message, then rebuild it with our seal and the same
 * IV: both directions must reproduce the reference bytes. */
static void sk_kat(const char *name, const struct ike_sa_keys *k,
		   bool initiator, const uint8_t *ref, size_t len,
		   const uint8_t *iv)
{
	uint8_t *msg = malloc(len), *pt = NULL;
	size_t pt_len = 0, ivl = ike_sk_iv_len(k);

	memcpy(msg, ref, len);
	CHECK_MSG(ike_sk_open(k, initiator, msg, len, SK_OFF, &pt, &pt_len) == 0,
		  "%s open", name);
	CHECK_MSG(pt_len == sizeof(sk_pt) && pt == msg + SK_OFF + 4 + ivl &&
			  memcmp(pt, sk_pt, sizeof(sk_pt)) == 0,
		  "%s plaintext", name);
	CHECK(ike_sk_payload_len(k, sizeof(sk_pt)) == len - SK_OFF);

	memset(msg, 0xee, len);
	memcpy(msg, ref, SK_OFF + 4); /* headers as the builder wrote them */
	memcpy(msg + SK_OFF + 4 + ivl, sk_pt, sizeof(sk_pt));
	CHECK(ike_sk_seal_iv(k, initiator, msg, len, SK_OFF, sizeof(sk_pt),
			     iv) == 0);
	CHECK_MSG(memcmp(msg, ref, len) == 0, "%s seal", name);

	/* The other direction's keys do not open it. */
	CHECK(ike_sk_open(k, !initiator, msg, len, SK_OFF, &pt, &pt_len) ==
	      -EBADMSG);
	/* Any flipped bit (ICV, ciphertext, IV, the AAD header) is caught,
	 * and a rejected message is left as it was. */
	for (size_t off = 0; off < len; off += 7) {
		msg[off] ^= 0x10;
		if (off >= SK_OFF + 2 && off < SK_OFF + 4)
			CHECK(ike_sk_open(k, initiator, msg, len, SK_OFF, &pt,
					  &pt_len) == -EINVAL);
		else
			CHECK_MSG(ike_sk_open(k, initiator, msg, len, SK_OFF,
					      &pt, &pt_len) == -EBADMSG &&
					  msg[off] == (ref[off] ^ 0x10) &&
					  memcmp(msg + off + 1, ref + off + 1,
						 len - off - 1) == 0,
				  "%s tamper at %zu", name, off);
		msg[off] ^= 0x10;
	}
	msg[len - 1] ^= 1; /* the last ICV byte */
	CHECK(ike_sk_open(k, initiator, msg, len, SK_OFF, &pt, &pt_len) ==
	      -EBADMSG);
	/* The SK payload must run to the end of the message. */
	CHECK(ike_sk_open(k, initiator, msg, len - 1, SK_OFF, &pt, &pt_len) ==
	      -EINVAL);
	free(msg);
}

static void test_sk_cbc(void)
{
	struct ike_sa_keys k = { .prf = IKE_PRF_HMAC_SHA2_256,
				 .integ = IKE_INTEG_HMAC_SHA2_256_128,
				 .encr = IKE_ENCR_AES_CBC, .encr_keylen = 256,
				 .a_len = 32, .e_len = 32 };
	uint8_t msg[sizeof(sk_badpad_msg)], *pt;
	size_t pt_len;

	memcpy(k.sk_ei, sk_cbc_key_e, 32);
	memcpy(k.sk_ai, sk_cbc_key_a, 32);
	memset(k.sk_er, 0x11, 32);
	memset(k.sk_ar, 0x22, 32);
	CHECK(ike_sk_iv_len(&k) == 16 && ike_sk_icv_len(&k) == 16 &&
	      ike_sk_block_len(&k) == 16);
	sk_kat("cbc256-sha256", &k, true, sk_cbc_msg, sizeof(sk_cbc_msg),
	       sk_cbc_iv);

	/* Authentic, but the pad length byte claims more than there is. */
	memcpy(msg, sk_badpad_msg, sizeof(msg));
	CHECK(ike_sk_open(&k, true, msg, sizeof(msg), SK_OFF, &pt, &pt_len) ==
	      -EPROTO);
	/* Ciphertext that is not whole blocks. */
	memcpy(msg, sk_cbc_msg, sizeof(msg));
	msg[SK_OFF + 3] -= 1;
	CHECK(ike_sk_open(&k, true, msg, sizeof(msg) - 1, SK_OFF, &pt,
			  &pt_len) == -EINVAL);
	/* Seal: plaintext that does not fit the payload. */
	memcpy(msg, sk_cbc_msg, sizeof(msg));
	CHECK(ike_sk_seal(&k, true, msg, sizeof(msg), SK_OFF, 48) == -EINVAL);
}

static void test_sk_cbc128(void)
{
	struct ike_sa_keys k = { .prf = IKE_PRF_HMAC_SHA1,
				 .integ = IKE_INTEG_HMAC_SHA1_96,
				 .encr = IKE_ENCR_AES_CBC, .encr_keylen = 128,
				 .a_len = 20, .e_len = 16 };

	memcpy(k.sk_ei, sk_cbc128_key_e, 16);
	memcpy(k.sk_ai, sk_cbc128_key_a, 20);
	CHECK(ike_sk_icv_len(&k) == 12);
	sk_kat("cbc128-sha1", &k, true, sk_cbc128_msg, sizeof(sk_cbc128_msg),
	       sk_cbc128_iv);
}

static void test_sk_aead(void)
{
	struct ike_sa_keys g = { .prf = IKE_PRF_HMAC_SHA2_384,
				 .encr = IKE_ENCR_AES_GCM_16, .encr_keylen = 256,
				 .e_len = 36 };
	struct ike_sa_keys c = { .prf = IKE_PRF_HMAC_SHA2_256,
				 .encr = IKE_ENCR_CHACHA20_POLY1305,
				 .e_len = 36 };

	/* GCM: the responder's message, so SK_er (with its salt). */
	memcpy(g.sk_er, sk_gcm_key, 36);
	memset(g.sk_ei, 0x33, 36);
	CHECK(ike_sk_iv_len(&g) == 8 && ike_sk_icv_len(&g) == 16 &&
	      ike_sk_block_len(&g) == 1);
	sk_kat("aes256gcm16", &g, false, sk_gcm_msg, sizeof(sk_gcm_msg),
	       sk_gcm_iv);

	memcpy(c.sk_ei, sk_chacha_key, 36);
	memset(c.sk_er, 0x44, 36);
	sk_kat("chacha20poly1305", &c, true, sk_chacha_msg,
	       sizeof(sk_chacha_msg), sk_chacha_iv);
}

/* With random IVs: what we seal we open, and two seals differ. */
static void test_sk_random_iv(void)
{
	struct ike_sa_keys k = { .prf = IKE_PRF_HMAC_SHA2_256,
				 .integ = IKE_INTEG_HMAC_SHA2_512_256,
				 .encr = IKE_ENCR_AES_CBC, .encr_keylen = 192,
				 .a_len = 64, .e_len = 24 };
	uint8_t a[200], b[200], *pt;
	size_t len = SK_OFF + ike_sk_payload_len(&k, 50), pt_len;

	CHECK(len == SK_OFF + 4 + 16 + 64 + 32);
	memset(a, 0, sizeof(a));
	a[SK_OFF + 2] = (uint8_t)((len - SK_OFF) >> 8);
	a[SK_OFF + 3] = (uint8_t)(len - SK_OFF);
	memset(a + SK_OFF + 4 + 16, 0x5a, 50);
	memcpy(b, a, sizeof(a));
	CHECK(ike_sk_seal(&k, false, a, len, SK_OFF, 50) == 0);
	CHECK(ike_sk_seal(&k, false, b, len, SK_OFF, 50) == 0);
	CHECK(memcmp(a + SK_OFF + 4, b + SK_OFF + 4, 16) != 0);
	CHECK(ike_sk_open(&k, false, a, len, SK_OFF, &pt, &pt_len) == 0);
	CHECK(pt_len == 50 && pt[0] == 0x5a && pt[49] == 0x5a);
	k.encr = IKE_ENCR_AES_CTR;
	CHECK(ike_sk_seal(&k, false, b, len, SK_OFF, 50) == -ENOTSUP);
}

int main(void)
{
	test_prf_kats();
	test_prf_plus();
	test_sizes();
	test_sa_keys();
	test_dh_ecp();
	test_dh_x25519();
	test_dh_modp();
	test_dh_misc();
	test_sk_cbc();
	test_sk_cbc128();
	test_sk_aead();
	test_sk_random_iv();
	return check_summary();
}
