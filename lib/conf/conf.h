/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_CONF_H
#define ESPRIT_CONF_H
/*
 * The gateway's configuration: libconfig text in, typed and validated
 * structures out.
 *
 * Contract:
 *  - conf_load() parses and validates the whole file. On any error it returns
 *    NULL and writes exactly one message "FILE:LINE: what is wrong" into err
 *    (the first error found). It never prints and never puts key material in
 *    the message.
 *  - Every key it does not know is an error (a misspelt option must not be
 *    silently ignored on a security gateway).
 *  - Cross references are resolved here: an SPD rule's SA name becomes an
 *    index into sas[], a route's port name an index into ports[]; inbound
 *    SAs get their selectors (sa_params.ts) from the inbound protect rules
 *    that name them.
 *  - conf_free() zeroes key material before freeing.
 * Nothing here touches DPDK; the data plane reads the result.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sa/sa_params.h"
#include "util/addr.h"

#define CONF_NAME_MAX 32
#define CONF_DEV_MAX 256
#define CONF_ADDRS_MAX 8
#define CONF_ERR_MAX 512
#define CONF_WORKER_QUEUES_MAX 16
#define CONF_PATH_MAX 256

enum port_role { PORT_ROLE_LAN = 0, PORT_ROLE_WAN = 1 };

struct conf_port {
	char name[CONF_NAME_MAX];
	/* DPDK device: an existing port name ("net_pcap0", "0000:03:00.0"),
	 * or, with the "vdev:" prefix, a virtual device to create
	 * ("vdev:net_tap0,iface=esp0"). */
	char device[CONF_DEV_MAX];
	enum port_role role;
	uint8_t n_addrs;
	struct ip_prefix addrs[CONF_ADDRS_MAX]; /* prefix len = on-link subnet */
	struct ip_addr addr_hosts[CONF_ADDRS_MAX]; /* our address itself */
	uint16_t mtu;		/* IP MTU; default 1500 */
	bool promiscuous;
	bool has_mac;
	uint8_t mac[6];		/* override the port's MAC */
	int line;
};

struct conf_route {
	struct ip_prefix prefix;
	unsigned port;		/* index into conf.ports */
	bool has_via;
	struct ip_addr via;	/* next hop; unset = on-link */
	int line;
};

struct conf_neigh {
	struct ip_addr ip;
	unsigned port;
	uint8_t mac[6];
	int line;
};

struct conf_queue {
	unsigned port;
	uint16_t queue;
};

struct conf_worker {
	unsigned lcore;
	unsigned n_queues;
	struct conf_queue queues[CONF_WORKER_QUEUES_MAX];
	int line;
};

enum spd_action { SPD_BYPASS = 1, SPD_DISCARD = 2, SPD_PROTECT = 3 };

struct conf_spd_rule {
	enum sa_dir dir;
	struct ts sel;		/* src/dst of the same family */
	uint32_t priority;	/* larger wins, as in rte_acl */
	enum spd_action action;
	int sa;			/* index into conf.sas for protect; else -1 */
	int line;
};

/* The longest payload (AES-CBC, bytes) or ICV message (HMAC) for which
 * bursts of encrypt-then-MAC packets run on the SSE code, and on the
 * 16-lane HMAC code (dp.h, xform_tune.h); 0: never. */
#define CONF_TUNE_MEASURE UINT32_MAX
struct conf_tune {
	uint32_t cbc_sse, sha1_sse, sha256_sse, sha1_x16, sha256_x16;
};

struct conf_sa {
	struct sa_params p;
	int line;
};

struct conf {
	char path[CONF_PATH_MAX];
	/* EAL arguments from the file; the command line's come after them and
	 * therefore win. */
	unsigned n_eal;
	char **eal;
	unsigned n_ports;
	struct conf_port *ports;
	unsigned n_routes;
	struct conf_route *routes;
	unsigned n_neighs;
	struct conf_neigh *neighs;
	/* Empty: every lcore except the main one is a worker and worker i
	 * polls queue i of every port. */
	unsigned n_workers;
	struct conf_worker *workers;
	unsigned n_spd;
	struct conf_spd_rule *spd;
	unsigned n_sas;
	struct conf_sa *sas;
	/* options */
	unsigned mbufs;		/* mbuf pool size per socket; 0 = automatic */
	unsigned mbuf_size;	/* data room per mbuf; 0 = from the largest MTU */
	unsigned burst;		/* rx burst 1..128; 0 (default): adaptive */
	unsigned rx_desc, tx_desc;
	/* options.tune: what the start-up tuner would measure (xform_tune.h),
	 * fixed; CONF_TUNE_MEASURE where not given */
	struct conf_tune tune;
	char ctl_socket[CONF_PATH_MAX];
	/* Opaque sections handled by other modules (IKE): the parsed libconfig
	 * tree is kept until conf_free so they can read it. */
	void *cfg;
	/* Private to lib/conf (the SA name index behind conf_sa_by_name);
	 * NULL in a struct conf built by hand, which still works. */
	void *priv;
};

struct conf *conf_load(const char *path, char *err, size_t errlen);
/* Same, from a string; `name` is used in messages in place of the path. */
struct conf *conf_load_string(const char *text, const char *name, char *err,
			      size_t errlen);
void conf_free(struct conf *c);

int conf_port_by_name(const struct conf *c, const char *name);
int conf_sa_by_name(const struct conf *c, const char *name);

#endif
