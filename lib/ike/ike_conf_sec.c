/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Authentication settings (local/remote), credentials and the `secrets`
 * section; PSK lookup; freeing (secrets zeroed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ike/ike_conf.h"
#include "ike/ike_conf_int.h"
#include "ike/ike_msg.h"
#include "util/hex.h"

static void full_path(const struct ike_cctx *c, const char *p, char *out,
		      size_t n)
{
	if (p[0] == '/' || c->dir[0] == '\0')
		snprintf(out, n, "%s", p);
	else
		snprintf(out, n, "%s/%s", c->dir, p);
}

/* §3.7: a CERTREQ names a trusted CA by the SHA-1 hash of its
 * SubjectPublicKeyInfo. */
static int ca_keyid(const char *path, uint8_t out[20])
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int len, rc = -EINVAL;

	if (f)
		fclose(f);
	if (x == NULL)
		return -EINVAL;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len > 0 && EVP_Digest(der, (size_t)len, out, &mdlen, EVP_sha1(),
				  NULL) && mdlen == 20)
		rc = 0;
	OPENSSL_free(der);
	X509_free(x);
	return rc;
}

static int load_cas(struct ike_cctx *c, const config_setting_t *g,
		    const char *list, struct ike_auth_cfg *a)
{
	char buf[1024], *save = NULL, *tok, path[512];

	if (strlen(list) >= sizeof(buf))
		return ike_cerr(c, g, "cacerts too long");
	strcpy(buf, list);
	a->trust = ike_trust_new();
	if (a->trust == NULL)
		return ike_cerr(c, g, "out of memory");
	for (tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		full_path(c, tok, path, sizeof(path));
		if (ike_trust_add_ca(a->trust, path) < 0)
			return ike_cerr(c, g, "cannot load CA certificate %s", path);
		if (a->n_ca < IKE_MAX_CA && ca_keyid(path, a->ca_keyid[a->n_ca]) == 0)
			a->n_ca++;
	}
	return a->n_ca ? 0 : ike_cerr(c, g, "cacerts: no CA certificate");
}

static int local_creds(struct ike_cctx *c, const config_setting_t *g,
		       struct ike_auth_cfg *a)
{
	const char *certs, *key;
	char path[512];

	if (ike_cstr(c, g, "certs", &certs) < 0 || ike_cstr(c, g, "key", &key) < 0)
		return -EINVAL;
	if (certs == NULL || key == NULL)
		return ike_cerr(c, g, "auth = \"pubkey\" needs certs and key");
	full_path(c, certs, path, sizeof(path));
	if ((a->cert = ike_cred_load_cert(path)) == NULL)
		return ike_cerr(c, g, "cannot load certificate %s", path);
	full_path(c, key, path, sizeof(path));
	if ((a->key = ike_cred_load_key(path)) == NULL)
		return ike_cerr(c, g, "cannot load private key %s", path);
	if (a->id.type == 0) { /* strongSwan: the subject DN by default */
		uint8_t *der = NULL;
		size_t len = 0;

		if (ike_cert_subject_der(a->cert, &der, &len) < 0 ||
		    len > IKE_ID_MAX) {
			free(der);
			return ike_cerr(c, g, "certificate subject unusable");
		}
		a->id.type = IKE_ID_DER_ASN1_DN;
		a->id.len = (uint16_t)len;
		memcpy(a->id.data, der, len);
		free(der);
	} else if (!ike_cert_matches_id(a->cert, a->id.type, a->id.data,
					a->id.len)) {
		return ike_cerr(c, g, "certificate does not carry the id");
	}
	return 0;
}

int ike_conf_auth(struct ike_cctx *c, const config_setting_t *g, bool local,
		  struct ike_auth_cfg *a, const config_setting_t *conn)
{
	static const char *const lkeys[] = { "auth", "id", "certs", "key", NULL };
	static const char *const rkeys[] = { "auth", "id", "cacerts", NULL };
	const char *auth, *id, *cas;

	if (g == NULL)
		return ike_cerr(c, conn, "connection needs a %s { } section",
				local ? "local" : "remote");
	if (ike_ckeys(c, g, local ? lkeys : rkeys) < 0 ||
	    ike_cstr(c, g, "auth", &auth) < 0 || ike_cstr(c, g, "id", &id) < 0)
		return -EINVAL;
	if (auth == NULL || strcmp(auth, "pubkey") == 0)
		a->auth = IKE_AUTHK_PUBKEY;
	else if (strcmp(auth, "psk") == 0)
		a->auth = IKE_AUTHK_PSK;
	else
		return ike_cerr(c, config_setting_get_member(g, "auth"),
				"auth must be \"psk\" or \"pubkey\"");
	if (id && ike_id_parse(id, &a->id) < 0)
		return ike_cerr(c, config_setting_get_member(g, "id"),
				"bad identity '%s'", id);
	if (a->auth == IKE_AUTHK_PSK)
		return 0;
	if (local)
		return local_creds(c, g, a);
	if (ike_cstr(c, g, "cacerts", &cas) < 0)
		return -EINVAL;
	if (cas == NULL)
		return ike_cerr(c, g, "auth = \"pubkey\" needs cacerts");
	return load_cas(c, g, cas, a);
}

/* "0x..." hex, "0s..." base64, otherwise the string itself. */
static int parse_secret(const char *s, struct ike_secret *sec)
{
	size_t n = strlen(s);
	int len;

	sec->secret = malloc(n + 1);
	if (sec->secret == NULL)
		return -ENOMEM;
	if (strncmp(s, "0x", 2) == 0) {
		len = hex_decode(s, sec->secret, n);
	} else if (strncmp(s, "0s", 2) == 0) {
		len = EVP_DecodeBlock(sec->secret, (const unsigned char *)s + 2,
				      (int)n - 2);
		while (len > 0 && n > 2 && s[n - 1] == '=') {
			len--;
			n--;
		}
	} else {
		memcpy(sec->secret, s, n);
		len = (int)n;
	}
	if (len <= 0)
		return -EINVAL;
	sec->len = (size_t)len;
	return 0;
}

static int load_secret(struct ike_cctx *c, const config_setting_t *g,
		       struct ike_secret *sec)
{
	const char *secret = NULL;

	if (strncmp(config_setting_name(g), "ike", 3) != 0)
		return ike_cerr(c, g, "only ike secrets (ike-NAME) are supported");
	if (!config_setting_is_group(g))
		return ike_cerr(c, g, "a secret must be a group { ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *k = config_setting_name(m), *v;

		if (config_setting_type(m) != CONFIG_TYPE_STRING)
			return ike_cerr(c, m, "'%s' must be a string", k);
		v = config_setting_get_string(m);
		if (strcmp(k, "secret") == 0) {
			secret = v;
		} else if (strncmp(k, "id", 2) == 0) {
			if (sec->n_ids >= 4)
				return ike_cerr(c, m, "at most 4 ids per secret");
			if (ike_id_parse(v, &sec->ids[sec->n_ids]) < 0)
				return ike_cerr(c, m, "bad identity '%s'", v);
			sec->n_ids++;
		} else {
			return ike_cerr(c, m, "unknown key '%s'", k);
		}
	}
	if (secret == NULL)
		return ike_cerr(c, g, "secret missing");
	if (parse_secret(secret, sec) < 0) /* never echo the secret */
		return ike_cerr(c, config_setting_get_member(g, "secret"),
				"secret: bad encoding");
	return 0;
}

int ike_conf_secrets(struct ike_cctx *c, const config_setting_t *g,
		     struct ike_conf *cf)
{
	int n;

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		return ike_cerr(c, g, "'secrets' must be a group { ... }");
	n = config_setting_length(g);
	cf->secrets = calloc(n ? (size_t)n : 1, sizeof(*cf->secrets));
	if (cf->secrets == NULL)
		return ike_cerr(c, g, "out of memory");
	for (int i = 0; i < n; i++) {
		cf->n_secrets++;
		if (load_secret(c, config_setting_get_elem(g, i),
				&cf->secrets[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

static bool id_eq(const struct ike_id *a, const struct ike_id *b)
{
	return a->type && ike_id_match(a, b->type, b->data, b->len);
}

/* strongSwan's scoring: each of the two identities found among the
 * secret's ids counts; a secret without ids matches anything, weakly. */
const struct ike_secret *ike_conf_psk(const struct ike_conf *c,
				      const struct ike_id *a,
				      const struct ike_id *b)
{
	const struct ike_secret *best = NULL;
	int best_score = -1;

	for (unsigned i = 0; c && i < c->n_secrets; i++) {
		const struct ike_secret *s = &c->secrets[i];
		int score = 0;
		bool ma = false, mb = false;

		for (unsigned k = 0; k < s->n_ids; k++) {
			ma |= id_eq(&s->ids[k], a);
			mb |= id_eq(&s->ids[k], b);
		}
		if (s->n_ids && !ma && !mb)
			continue;
		score = s->n_ids ? ma + mb : 0;
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

static void free_auth(struct ike_auth_cfg *a)
{
	ike_cred_free(a->cert);
	ike_cred_free(a->key);
	ike_trust_free(a->trust);
}

void ike_conf_free(struct ike_conf *c)
{
	if (c == NULL)
		return;
	for (unsigned i = 0; i < c->n_conns; i++) {
		free_auth(&c->conns[i].local_auth);
		free_auth(&c->conns[i].remote_auth);
		free(c->conns[i].children);
	}
	free(c->conns);
	for (unsigned i = 0; i < c->n_secrets; i++) {
		if (c->secrets[i].secret)
			secure_zero(c->secrets[i].secret, c->secrets[i].len);
		free(c->secrets[i].secret);
	}
	free(c->secrets);
	free(c);
}
