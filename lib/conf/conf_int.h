/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CONF_INT_H
#define ESPRIT_CONF_INT_H
/*
 * Private to lib/conf: the parsing context, typed accessors that report
 * "FILE:LINE: ..." errors, and a small open-addressing index.
 *
 * Accessor convention: they return 1 when the key is present and valid, 0
 * when it is absent and not required, -1 after writing the (first) error.
 */
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

#define WHERE_MAX 96

struct cctx {
	struct conf *c;
	const char *name; /* file name for messages */
	char *err;
	size_t errlen;
	bool failed;
};

/* An index of small integers (array positions) by a 64-bit hash; equality
 * is decided by the caller's callback. */
struct ctab {
	uint32_t mask;
	uint32_t used;
	struct ctab_slot {
		uint32_t h;
		int32_t idx; /* -1: empty */
	} *slot;
};
typedef bool (*ctab_eq)(const void *ctx, int idx, const void *key);

int ctab_init(struct ctab *t, unsigned n);
void ctab_free(struct ctab *t);
/* Index of the entry equal to key, or -1. */
int ctab_find(const struct ctab *t, uint64_t h, ctab_eq eq, const void *ctx,
	      const void *key);
/* Insert idx unless an equal entry exists: returns -1 when inserted, else
 * the index already there. */
int ctab_add(struct ctab *t, uint64_t h, ctab_eq eq, const void *ctx,
	     const void *key, int idx);
uint64_t conf_hash(const void *p, size_t n, uint64_t seed);

/* The private part of struct conf (conf->priv). */
struct conf_priv {
	struct ctab sa_names;
};

/* Errors: the first one wins; they return -1. */
int cerr(struct cctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cerr_at(struct cctx *x, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
unsigned conf_line(const config_setting_t *s);

int conf_check_keys(struct cctx *x, const config_setting_t *g,
		    const char *where, const char *const allowed[]);
/* A top-level section that must be a list of groups: 0 with *list = NULL
 * and *n = 0 when absent. */
int conf_section(struct cctx *x, const config_setting_t *root,
		 const char *key, const config_setting_t **list, unsigned *n);
/* Element i of a section list; it must be a group. */
const config_setting_t *conf_group_at(struct cctx *x,
				      const config_setting_t *list, unsigned i,
				      const char *where);

int conf_int_value(struct cctx *x, const config_setting_t *s,
		   const char *where, const char *key, int64_t lo, int64_t hi,
		   int64_t *out);
int conf_get_int(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, int64_t lo, int64_t hi, bool required,
		 int64_t *out);
int conf_get_str(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, bool required, const char **out);
int conf_get_bool(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, bool *out);
/* One of names[] (NULL-terminated); *out is its position. */
int conf_get_enum(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, const char *const names[], bool required,
		  int *out);
/* A name for cross references: 1..cap-1 printable characters, no blanks,
 * quotes or backslashes. */
bool conf_name_ok(const char *s, size_t cap);
int conf_get_name(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, char *out, size_t cap);
int conf_get_addr(struct cctx *x, const config_setting_t *g, const char *key,
		  const char *where, bool required, struct ip_addr *out);
/* A prefix without host bits. */
int conf_get_prefix(struct cctx *x, const config_setting_t *g,
		    const char *key, const char *where, bool required,
		    struct ip_prefix *out);
int conf_get_mac(struct cctx *x, const config_setting_t *g, const char *key,
		 const char *where, bool required, uint8_t mac[6]);
/* A port name given in key, as an index into c->ports. */
int conf_get_port_ref(struct cctx *x, const config_setting_t *g,
		      const char *key, const char *where, unsigned *out);
int conf_parse_mac(const char *s, uint8_t mac[6]);

/* The whole file, NUL-terminated (free it after secure_zero); returns its
 * length or -errno. */
int conf_read_text(const char *path, char **out);
/* Integer literals that libconfig 1.5 would silently truncate. */
int conf_prescan(struct cctx *x, const char *text, const char *file,
		 const char *include_dir, int depth);

int conf_parse_ports(struct cctx *x, const config_setting_t *root);
int conf_parse_routes(struct cctx *x, const config_setting_t *root);
int conf_parse_neighbours(struct cctx *x, const config_setting_t *root);
int conf_parse_workers(struct cctx *x, const config_setting_t *root);
int conf_parse_sas(struct cctx *x, const config_setting_t *root);
int conf_parse_spd(struct cctx *x, const config_setting_t *root);

#endif
