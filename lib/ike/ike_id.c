/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Identities (RFC 7296 §3.5) typed as strongSwan does from their text, and
 * matched against received ID payloads.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "ike/ike_conf.h"
#include "ike/ike_msg.h"

/* PrintableString's alphabet (X.680 §41.4), as strongSwan picks it. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" '()+,-./:=?", *s))
			return false;
	return true;
}

static void trim(char **s, char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* "C=XX, O=interop, CN=left" into DER via OpenSSL's X509_NAME. */
static int parse_dn(const char *s, struct ike_id *id)
{
	X509_NAME *n = X509_NAME_new();
	char buf[512];
	char *p = buf, *tok;
	unsigned char *der = NULL;
	int len, rc = -EINVAL;

	if (n == NULL || strlen(s) >= sizeof(buf))
		goto out;
	strcpy(buf, s);
	while ((tok = strsep(&p, ",/")) != NULL) {
		char *eq = strchr(tok, '='), *ke, *v, *ve;

		if (eq == NULL)
			goto out;
		ke = eq;
		trim(&tok, &ke);
		*ke = '\0';
		v = eq + 1;
		ve = v + strlen(v);
		trim(&v, &ve);
		*ve = '\0';
		if (*tok == '\0' || *v == '\0')
			goto out;
		if (!X509_NAME_add_entry_by_txt(n, tok, printable(v)
				? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING,
				(unsigned char *)v, -1, -1, 0))
			goto out;
	}
	len = i2d_X509_NAME(n, &der);
	if (len <= 0 || len > IKE_ID_MAX)
		goto out;
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)len;
	memcpy(id->data, der, len);
	rc = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(n);
	return rc;
}

int ike_id_parse(const char *s, struct ike_id *id)
{
	struct ip_addr a;
	size_t n = s ? strlen(s) : 0;

	memset(id, 0, sizeof(*id));
	if (n == 0 || n > IKE_ID_MAX)
		return -EINVAL;
	if (strcmp(s, "%any") == 0)
		return 0;
	if (ip_addr_parse(s, &a) == 0) {
		id->type = a.family == AF_INET ? IKE_ID_IPV4 : IKE_ID_IPV6;
		id->len = (uint16_t)ip_addr_len(&a);
		memcpy(id->data, a.b, id->len);
		return 0;
	}
	if (strchr(s, '='))
		return parse_dn(s, id);
	if (s[0] == '@') { /* strongSwan: "@fqdn" forces FQDN */
		s++;
		n--;
		if (n == 0)
			return -EINVAL;
		id->type = IKE_ID_FQDN;
	} else {
		id->type = strchr(s, '@') ? IKE_ID_RFC822 : IKE_ID_FQDN;
	}
	id->len = (uint16_t)n;
	memcpy(id->data, s, n);
	return 0;
}

static bool dn_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	X509_NAME *na = d2i_X509_NAME(NULL, &pa, (long)alen);
	X509_NAME *nb = d2i_X509_NAME(NULL, &pb, (long)blen);
	bool eq = na && nb && X509_NAME_cmp(na, nb) == 0;

	X509_NAME_free(na);
	X509_NAME_free(nb);
	return eq;
}

bool ike_id_match(const struct ike_id *conf, uint8_t type, const uint8_t *data,
		  size_t len)
{
	if (conf->type == 0)
		return true;
	if (conf->type != type)
		return false;
	if (type == IKE_ID_DER_ASN1_DN)
		return dn_eq(conf->data, conf->len, data, len);
	if (type == IKE_ID_FQDN || type == IKE_ID_RFC822)
		return conf->len == len &&
		       strncasecmp((const char *)conf->data,
				   (const char *)data, len) == 0;
	return conf->len == len && memcmp(conf->data, data, len) == 0;
}

const char *ike_id_fmt(const struct ike_id *id, char *buf, size_t n)
{
	struct ip_addr a = { 0 };
	char tmp[IP_ADDR_STRLEN];

	switch (id->type) {
	case 0:
		snprintf(buf, n, "%%any");
		break;
	case IKE_ID_IPV4:
	case IKE_ID_IPV6:
		a.family = id->type == IKE_ID_IPV4 ? AF_INET : AF_INET6;
		memcpy(a.b, id->data, id->len <= 16 ? id->len : 16);
		snprintf(buf, n, "%s", ip_addr_fmt(&a, tmp, sizeof(tmp)));
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822: {
		size_t k = 0;

		for (size_t i = 0; i < id->len && k + 1 < n; i++)
			buf[k++] = isprint(id->data[i]) ? (char)id->data[i] : '?';
		if (n)
			buf[k < n ? k : n - 1] = '\0';
		break;
	}
	case IKE_ID_DER_ASN1_DN: {
		const unsigned char *p = id->data;
		X509_NAME *nm = d2i_X509_NAME(NULL, &p, id->len);

		if (nm == NULL || X509_NAME_oneline(nm, buf, (int)n) == NULL)
			snprintf(buf, n, "(bad DN)");
		X509_NAME_free(nm);
		break;
	}
	default:
		snprintf(buf, n, "(id type %u)", id->type);
	}
	return buf;
}
