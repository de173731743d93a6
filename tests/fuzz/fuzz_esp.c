/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the receive path that sees wire bytes: packet
 * parsing, and ESP decapsulation behind a valid ICV.
 *
 * The input is first parsed as an Ethernet frame (pkt_parse). Then it is
 * used as the plaintext of an ESP packet of a tunnel SA (AES-GCM): sealed
 * with the SA's key so that the ICV verifies, then checked, committed and
 * decapsulated, so that arbitrary padding, pad lengths, next headers and
 * inner packets reach the code that only authenticated data reaches.
 *
 *   tests/fuzz/build.sh esp
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "esp/esp.h"
#include "net/pkt.h"
#include "sa/sa.h"
#include "util/hex.h"

static struct rte_mempool *pool;
static struct sa *sa_in;
static IMB_MGR *mb;

static void setup(void)
{
	char *argv[] = { "fuzz", "--no-huge", "-m", "64", "--no-pci", "-l", "0",
			 "--no-shconf", "--log-level=*:error", NULL };
	struct sa_params p = { .name = "fuzz", .spi = 0x1234, .dir = SA_DIR_IN,
			       .proto = SA_PROTO_ESP, .mode = SA_MODE_TUNNEL,
			       .enc_key_len = 20 };
	char err[128];

	if (rte_eal_init(9, argv) < 0)
		abort();
	pool = rte_pktmbuf_pool_create("fuzz", 64, 0, 0, 4096, 0);
	mb = alloc_mb_mgr(0);
	if (pool == NULL || mb == NULL)
		abort();
	init_mb_mgr_auto(mb, NULL);
	p.alg = alg_find("aes128gcm16");
	ip_addr_parse("10.0.0.1", &p.src);
	ip_addr_parse("10.0.0.2", &p.dst);
	p.replay_window = 0;
	sa_in = sa_create(&p, 0, 1, mb, 0, err, sizeof(err));
	if (sa_in == NULL)
		abort();
}

/* An mbuf holding [Ethernet][bytes]; NULL if it does not fit. */
static struct rte_mbuf *frame(const uint8_t *data, size_t size, size_t pre)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	if (m == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)RTE_MIN(size + pre, 3000u));
	if (d == NULL || size + pre > 3000) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(d, 0, pre);
	memcpy(d + pre, data, size);
	return m;
}

static void parse_only(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m = frame(data, size, 0);
	struct pkt_info pi;

	if (m) {
		pkt_parse(m, &pi);
		rte_pktmbuf_free(m);
	}
}

/* [eth 14][IPv4 20][ESP 8][IV 8][plaintext = input, padded to 4][ICV 16] */
static void decap(const uint8_t *data, size_t size)
{
	size_t pay = RTE_ALIGN_CEIL(size, 4);
	struct rte_mbuf *m;
	struct pkt_info pi;
	struct xform_scratch s;
	uint8_t *esp, *l3;
	uint32_t pay_len;
	uint64_t seq;

	if (pay < 4 || pay + 14 + 20 + 16 + 16 > 3000)
		return;
	m = frame(data, size, 14 + 20 + 16);
	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)(pay - size + 16)) == NULL)
		goto out;
	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
	l3[-2] = 0x08;			/* IPv4 */
	l3[0] = 0x45;
	l3[2] = (uint8_t)((m->data_len - 14) >> 8);
	l3[3] = (uint8_t)(m->data_len - 14);
	l3[8] = 64;
	l3[9] = 50;
	memcpy(l3 + 12, &sa_in->p->src.v4, 4);
	memcpy(l3 + 16, &sa_in->p->dst.v4, 4);
	*(uint16_t *)(l3 + 10) = rte_ipv4_cksum((struct rte_ipv4_hdr *)l3);
	esp = l3 + 20;
	memcpy(esp, &sa_in->spi_be, 4);
	esp[7] = 1;			/* sequence number 1 */
	xform_gcm_seal(&sa_in->xf, mb, esp, (uint32_t)pay, 0, &s);
	if (pkt_parse(m, &pi) != 0 ||
	    esp_inb_locate(sa_in, m, &pi, 14 + 20, &pay_len, &seq) != 0)
		goto out;
	xform_gcm_open(&sa_in->xf, mb, esp, pay_len, 0, &s);
	if (ct_memcmp(s.icv, esp + 16 + pay_len, 16) != 0)
		abort(); /* our own seal must verify */
	if (esp_inb_decap(sa_in, m, &pi, 14 + 20, pay_len, seq) == 0)
		pkt_parse(m, &pi);
out:
	rte_pktmbuf_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (pool == NULL)
		setup();
	parse_only(data, size);
	decap(data, size);
	return 0;
}
