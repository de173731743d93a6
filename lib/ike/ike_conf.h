/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_CONF_H
#define ESPRIT_IKE_CONF_H
/*
 * IKE configuration: the `connections` and `secrets` sections of the
 * gateway's libconfig file, modelled on strongSwan's swanctl.conf.
 *
 * Contract: ike_conf_load() validates everything (unknown keys are errors,
 * like the rest of the gateway's configuration) and returns NULL with one
 * "FILE:LINE: what" message on the first error. Secrets never appear in
 * messages, and ike_conf_free() zeroes them. Credentials named by `certs`,
 * `key` and `cacerts` are loaded here (paths relative to the file's folder).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike_crypto.h"
#include "ike/ike_proposal.h"
#include "ike/ike_ts.h"
#include "sa/sa_params.h"
#include "util/addr.h"

#define IKE_NAME_MAX 32
#define IKE_ID_MAX 255
#define IKE_MAX_CA 4

/* An identity as carried in an ID payload (§3.5); type 0 = %any. */
struct ike_id {
	uint8_t type;
	uint16_t len;
	uint8_t data[IKE_ID_MAX];
};

enum ike_auth_kind { IKE_AUTHK_PSK, IKE_AUTHK_PUBKEY };
enum ike_start { IKE_START_NONE, IKE_START_START, IKE_START_TRAP };
enum ike_dpd_action { IKE_DPD_CLEAR, IKE_DPD_RESTART };

struct ike_auth_cfg {
	enum ike_auth_kind auth;
	struct ike_id id;
	bool id_from_cert;	/* no id: the certificate's subject DN */
	struct ike_cred *cert;	/* local: our end-entity certificate */
	struct ike_cred *key;	/* local: its private key */
	struct ike_trust *trust; /* remote: trust anchors (cacerts) */
	unsigned n_ca;
	uint8_t ca_keyid[IKE_MAX_CA][20]; /* SHA-1 of CA SPKI for CERTREQ §3.7 */
};

struct ike_child_cfg {
	char name[IKE_NAME_MAX];
	struct ike_ts_list local_ts, remote_ts;
	struct ike_offer esp;
	enum sa_mode mode;
	enum ike_start start_action;
	uint32_t rekey_time, life_time; /* seconds, 0 = none */
	uint64_t rekey_bytes, rekey_packets;
	uint32_t replay_window;
	int line;
};

struct ike_conn {
	char name[IKE_NAME_MAX];
	struct ip_addr local, remote;
	bool remote_any;
	uint16_t local_port, remote_port;
	struct ike_offer ike;
	uint32_t dpd_delay, rekey_time, reauth_time;
	enum ike_dpd_action dpd_action;
	struct ike_auth_cfg local_auth, remote_auth;
	unsigned n_children;
	struct ike_child_cfg *children;
	int line;
};

struct ike_secret {
	unsigned n_ids;
	struct ike_id ids[4];
	uint8_t *secret;
	size_t len;
};

struct ike_conf {
	unsigned n_conns;
	struct ike_conn *conns;
	unsigned n_secrets;
	struct ike_secret *secrets;
};

struct ike_conf *ike_conf_load(const void *libconfig_cfg, const char *path,
			       char *err, size_t errlen);
void ike_conf_free(struct ike_conf *c);

struct ike_conn *ike_conf_conn(const struct ike_conf *c, const char *name);
struct ike_child_cfg *ike_conf_child(const struct ike_conn *c,
				     const char *name);
/* The PSK for these two identities (strongSwan's best match: both ids,
 * then one, then a secret without ids). NULL if none. */
const struct ike_secret *ike_conf_psk(const struct ike_conf *c,
				      const struct ike_id *a,
				      const struct ike_id *b);

/* Identities: strongSwan's automatic typing of "10.0.0.1", "a@b", "@fqdn",
 * "C=XX, O=x, CN=y", "host.example". */
int ike_id_parse(const char *s, struct ike_id *id);
/* Does a received ID payload (type, data) match the configured id?
 * Type 0 (%any) matches anything. DNs are compared as X.509 names. */
bool ike_id_match(const struct ike_id *conf, uint8_t type, const uint8_t *data,
		  size_t len);
const char *ike_id_fmt(const struct ike_id *id, char *buf, size_t n);

#endif
