/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_CRED_H
#define ESPRIT_IKE_CRED_H
/*
 * Private to the IKE crypto module (ike_cert.c, ike_auth.c): what a
 * struct ike_cred holds. Users of ike_crypto.h never see OpenSSL types.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ike/ike_crypto.h"

struct ike_cred {
	EVP_PKEY *pkey;		/* private key (ike_cred_load_key), else NULL */
	X509 *cert;		/* certificate, else NULL */
	STACK_OF(X509) *extra;	/* further certificates of the same PEM file */
};

/* The key to sign with, or to verify with (the certificate's public key). */
static inline EVP_PKEY *ike_cred_pkey(const struct ike_cred *c)
{
	return c->pkey ? c->pkey : c->cert ? X509_get0_pubkey(c->cert) : NULL;
}

#endif
