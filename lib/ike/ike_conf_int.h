/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_IKE_CONF_INT_H
#define ESPRIT_IKE_CONF_INT_H
/* Private to ike_conf.c and ike_conf_sec.c: the loader's context and the
 * helpers that make "FILE:LINE: what" messages. */
#include <libconfig.h>
#include <stdint.h>

#include "ike/ike_conf.h"

struct ike_cctx {
	const char *path;
	char *err;
	size_t errlen;
	char dir[256];	/* folder of the file, for relative credential paths */
};

int ike_cerr(struct ike_cctx *c, const config_setting_t *s, const char *fmt,
	     ...) __attribute__((format(printf, 3, 4)));
int ike_ckeys(struct ike_cctx *c, const config_setting_t *g,
	      const char *const *keys);
int ike_cstr(struct ike_cctx *c, const config_setting_t *g, const char *key,
	     const char **out);
int ike_cu64(struct ike_cctx *c, const config_setting_t *g, const char *key,
	     uint64_t max, uint64_t *out);
int ike_conf_auth(struct ike_cctx *c, const config_setting_t *g, bool local,
		  struct ike_auth_cfg *a, const config_setting_t *conn);
int ike_conf_secrets(struct ike_cctx *c, const config_setting_t *g,
		     struct ike_conf *cf);

#endif
