/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ESPRIT_TEST_SA_FIXTURE_H
#define ESPRIT_TEST_SA_FIXTURE_H
/*
 * What the unit tests that build runtime SAs (sa_create) share: an EAL
 * without hugepages or PCI, and the parameters of a plain test SA.
 */
#include <stdio.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <rte_eal.h>

#include "sa/sa_params.h"

/* EAL for one test program; prefix keeps programs run in parallel apart. */
static inline int fixture_eal_up(const char *prefix)
{
	char *argv[] = { "test", "--no-huge", "-m", "64", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf", "--file-prefix",
			 (char *)prefix, NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* The EAL and an ipsec-mb manager for sa_create(); NULL (said why) when
 * either fails. */
static inline IMB_MGR *fixture_up(const char *prefix)
{
	IMB_MGR *mb;

	if (fixture_eal_up(prefix) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return NULL;
	}
	mb = alloc_mb_mgr(0);
	if (mb == NULL) {
		fprintf(stderr, "no ipsec-mb manager\n");
		return NULL;
	}
	init_mb_mgr_auto(mb, NULL);
	return mb;
}

/* An ESP tunnel-mode SA 192.0.2.1 -> 192.0.2.2, SPI 0x1234, AES-128-GCM
 * with a zero key, no selectors, lifetimes or replay window: callers set
 * what they test. */
static inline void fixture_sa_params(struct sa_params *p, enum sa_dir dir,
				     const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->spi = 0x1234;
	p->dir = dir;
	p->proto = SA_PROTO_ESP;
	p->mode = SA_MODE_TUNNEL;
	ip_addr_parse("192.0.2.1", &p->src);
	ip_addr_parse("192.0.2.2", &p->dst);
	p->alg = alg_find("aes128gcm16");
	p->enc_key_len = 20;
}

#endif
