/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the IKEv2 codec and the responder's input path.
 *
 * Plain mode (first byte < 0xf0): the input is parsed as a whole message,
 * as the plaintext of an Encrypted payload, as SA and TS payload bodies,
 * and fed to an IKE instance (PSK responder for any peer) as a datagram on
 * port 500 or 4500.
 *
 * Encrypted mode (first byte >= 0xf0): two instances are wired back to
 * back and establish an IKE SA; the input after three bytes (exchange,
 * first inner payload type, flags) becomes the plaintext of an Encrypted
 * payload sealed with the initiator's real keys and sent to the responder
 * with the next message ID, reaching the CREATE_CHILD_SA / INFORMATIONAL /
 * IKE_AUTH handlers behind the integrity check.
 *
 * Every input starts from new instances and clock, freed at its end: what
 * an input does cannot depend on the inputs before it, so an input that
 * fails fails again alone (libFuzzer's reproducer), and LeakSanitizer
 * sees what an input left behind that ike_free() did not reach.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     tests/fuzz/fuzz_ike_msg.c lib/ike/[!_]*.c lib/sa/alg.c \
 *     lib/sa/sa_params.c lib/util/addr.c lib/util/hex.c -lcrypto -lconfig
 */
#include <libconfig.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/ike_msg.h"
#include "ike/ike_sa.h"
#include "ike/ike_ts.h"

static uint64_t clock_ms = 1;

static int f_send(void *h, const struct ip_addr *s, uint16_t sp,
		  const struct ip_addr *d, uint16_t dp, const void *b, size_t n)
{
	(void)h; (void)s; (void)sp; (void)d; (void)dp; (void)b;
	return (int)n;
}
static int f_install(void *h, const struct ike_child_sas *c) { (void)h; (void)c; return 0; }
static int f_remove(void *h, uint64_t id) { (void)h; (void)id; return 0; }
static uint64_t f_now(void *h) { (void)h; return clock_ms; }

static const struct ike_host_ops ops = { f_send, f_install, f_remove, NULL, f_now };

static const char conf[] =
	"connections = { gw = { local_addrs = \"10.0.0.2\"; remote_addrs = \"%any\";\n"
	"  proposals = \"aes128gcm16-prfsha256-ecp256-curve25519,aes256-sha256-modp2048\";\n"
	"  local = { auth = \"psk\"; id = \"right\"; };\n"
	"  remote = { auth = \"psk\"; id = \"left\"; };\n"
	"  children = { net = { local_ts = \"192.168.20.0/24\"; remote_ts = \"0.0.0.0/0\";\n"
	"    esp_proposals = \"aes128gcm16,aes128-sha256-curve25519\"; }; }; }; };\n"
	"secrets = { ike-gw = { id-1 = \"left\"; id-2 = \"right\"; secret = \"fuzz-secret-0123456789\"; }; };\n";

/* --- encrypted mode: a pair of instances -------------------------------- */
struct pkt {
	struct ip_addr s, d;
	uint16_t sp, dp;
	size_t n;
	uint8_t b[4096];
};
static struct pkt pq[16];
static unsigned npq;

static int q_send(void *h, const struct ip_addr *s, uint16_t sp,
		  const struct ip_addr *d, uint16_t dp, const void *b, size_t n)
{
	(void)h;
	if (npq < 16 && n <= sizeof(pq[0].b)) {
		pq[npq] = (struct pkt){ *s, *d, sp, dp, n, { 0 } };
		memcpy(pq[npq++].b, b, n);
	}
	return (int)n;
}

static const struct ike_host_ops qops = { q_send, f_install, f_remove, NULL, f_now };
static struct ike *pa, *pb;

static const char conf_a[] =
	"connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
	"  proposals = \"aes128gcm16-prfsha256-curve25519\";\n"
	"  local = { auth = \"psk\"; id = \"left\"; };\n"
	"  remote = { auth = \"psk\"; id = \"right\"; };\n"
	"  children = { net = { local_ts = \"0.0.0.0/0\"; remote_ts = \"192.168.20.0/24\";\n"
	"    esp_proposals = \"aes128gcm16\"; }; }; }; };\n"
	"secrets = { ike-gw = { id-1 = \"left\"; id-2 = \"right\"; secret = \"fuzz-secret-0123456789\"; }; };\n";

static struct ike *instance(const struct ike_host_ops *o, const char *text)
{
	struct ike *ike = ike_new(o, NULL);
	config_t cfg;
	char err[256];

	config_init(&cfg);
	if (!ike || !config_read_string(&cfg, text) ||
	    ike_load_config(ike, &cfg, "fuzz.conf", err, sizeof(err)) < 0)
		__builtin_trap();
	config_destroy(&cfg);
	return ike;
}

static void pump(void)
{
	for (unsigned k = 0; k < 50 && npq; k++) {
		struct pkt p = pq[0];
		struct ike *to = p.d.b[3] == 1 ? pa : pb;

		memmove(pq, pq + 1, --npq * sizeof(pq[0]));
		ike_input(to, &p.s, p.sp, &p.d, p.dp, p.b, p.n);
	}
	npq = 0;
}

static struct ike_sa *established(struct ike *ike)
{
	for (struct ike_sa *sa = ike->sas; sa; sa = sa->next)
		if (sa->state == IKE_ST_ESTABLISHED)
			return sa;
	return NULL;
}

/* A new established pair. */
static bool pair_up(struct ike_sa **ia, struct ike_sa **rb)
{
	pa = instance(&qops, conf_a);
	pb = instance(&qops, conf);
	npq = 0;
	ike_initiate(pa, "gw", "net");
	pump();
	*ia = established(pa);
	*rb = established(pb);
	return *ia && *rb;
}

static void pair_down(void)
{
	ike_free(pa);
	ike_free(pb);
	pa = pb = NULL;
	npq = 0;
}

static void encrypted(const uint8_t *data, size_t size)
{
	static uint8_t msg[IKE_MAX_MSG];
	struct ike_sa *a, *b;
	struct ike_wr w;

	if (size < 3 || size > 3000)
		return;
	if (!pair_up(&a, &b)) {
		pair_down();
		return;
	}
	ike_wr_init(&w, msg, sizeof(msg), a->spi_i, a->spi_r,
		    IKE_AUTH + data[0] % 3, IKE_FLAG_I, b->peer_msgid);
	ike_wr_sk_begin(&w, &a->keys);
	msg[w.sk_off] = data[1];	/* first inner payload type */
	ike_wr_put(&w, data + 3, size - 3);
	if (ike_wr_sk_end(&w, &a->keys, true) == 0) {
		ike_input(pb, &a->local, a->lport, &a->remote, a->rport, msg, w.len);
		if (data[2] & 1) /* let the initiator see the answer too */
			pump();
		npq = 0;
		clock_ms += 1000;
		ike_tick(pb);
	}
	pair_down();
}

static struct ike *responder(void)
{
	struct ike *ike = ike_new(&ops, NULL);
	config_t cfg;
	char err[256];

	if (ike == NULL)
		__builtin_trap();
	config_init(&cfg);
	if (!config_read_string(&cfg, conf) ||
	    ike_load_config(ike, &cfg, "fuzz.conf", err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz config: %s\n", err);
		__builtin_trap();
	}
	config_destroy(&cfg);
	return ike;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[IKE_MAX_MSG];
	struct ike_msg m;
	struct ike_offer o;
	struct ike_ts_list ts;
	struct ip_addr src, dst;
	struct ike *ike;

	if (size > sizeof(buf))
		return 0;
	clock_ms = 1;
	if (size > 0 && data[0] >= 0xf0) {
		encrypted(data + 1, size - 1);
		return 0;
	}
	memcpy(buf, data, size);
	ike_msg_parse(&m, buf, size);
	if (size > 0) {
		memset(&m, 0, sizeof(m));
		ike_msg_parse_inner(&m, buf + 1, size - 1, buf[0]);
	}
	ike_sa_pl_parse(buf, size, &o);
	ike_ts_parse(buf, size, &ts);
	ip_addr_parse("10.0.0.1", &src);
	ip_addr_parse("10.0.0.2", &dst);
	ike = responder();
	ike_input(ike, &src, 500, &dst, size & 1 ? 4500 : 500, data, size);
	clock_ms += 1000;
	ike_tick(ike);
	ike_free(ike);
	return 0;
}
