/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two IKE instances in one process wired back to back through the host
 * operations: IKE_SA_INIT + IKE_AUTH with a PSK, child installed on both
 * with matching keys and crossed SPIs, CREATE_CHILD_SA rekey (with PFS),
 * IKE SA rekey, DELETE, retransmission after a lost message, a duplicate
 * request answered from the cache, INVALID_KE_PAYLOAD retry. Consistency
 * only: interop with strongSwan is tests/interop/ike-only.sh.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ike/ike.h"
#include "ike/ike_sa.h" /* cookie_threshold, to force cookies */
#include "util/hex.h"

#define MAXQ 64
#define MAXC 16

struct dgram {
	struct ip_addr src, dst;
	uint16_t sport, dport;
	size_t len;
	uint8_t buf[9000];
};

static struct dgram q[MAXQ];
static unsigned nq;
static uint64_t now_ms = 1000000;
static int drop_next;	/* drop this many datagrams */
static struct dgram last_a; /* the last datagram host a sent */
static unsigned sent_a;	    /* datagrams host a sent */
static unsigned stats_calls; /* child_stats calls (the data plane's counters) */
static uint64_t esp_in_ms;   /* what child_stats reports as the last ESP in */

struct host {
	const char *name;
	struct ip_addr addr;
	struct ike *ike;
	unsigned n;
	struct ike_child_sas c[MAXC];
	unsigned installs, removes;
};

static struct host ha = { "a" }, hb = { "b" };

static int h_send(void *h, const struct ip_addr *src, uint16_t sport,
		  const struct ip_addr *dst, uint16_t dport, const void *buf,
		  size_t len)
{
	struct dgram d = { *src, *dst, sport, dport, len, { 0 } };

	if (len > sizeof(q[0].buf))
		return -1;
	memcpy(d.buf, buf, len);
	if (h == &ha) {
		last_a = d;
		sent_a++;
	}
	if (drop_next > 0) {
		drop_next--;
		return (int)len;
	}
	if (nq < MAXQ)
		q[nq++] = d;
	return (int)len;
}

static int h_install(void *hp, const struct ike_child_sas *c)
{
	struct host *h = hp;

	if (h->n >= MAXC)
		return -1;
	h->c[h->n++] = *c;
	h->installs++;
	return 0;
}

static int h_remove(void *hp, uint64_t id)
{
	struct host *h = hp;

	for (unsigned i = 0; i < h->n; i++)
		if (h->c[i].id == id) {
			sa_params_clear(&h->c[i].out);
			sa_params_clear(&h->c[i].in);
			h->c[i] = h->c[--h->n];
			h->removes++;
			return 0;
		}
	return -1;
}

static int h_stats(void *h, uint64_t id, struct ike_child_stats *st)
{
	(void)h;
	(void)id;
	memset(st, 0, sizeof(*st));
	st->last_in_ms = esp_in_ms;
	stats_calls++;
	return 0;
}

static uint64_t h_now(void *h)
{
	(void)h;
	return now_ms;
}

static const struct ike_host_ops ops = { h_send, h_install, h_remove, h_stats,
					 h_now };

/* Deliver queued datagrams until none are left. */
static unsigned pump(void)
{
	unsigned n = 0;

	while (nq > 0 && n < 200) {
		struct dgram d = q[0];

		memmove(q, q + 1, --nq * sizeof(q[0]));
		if (ip_addr_eq(&d.dst, &ha.addr))
			ike_input(ha.ike, &d.src, d.sport, &d.dst, d.dport, d.buf, d.len);
		else if (ip_addr_eq(&d.dst, &hb.addr))
			ike_input(hb.ike, &d.src, d.sport, &d.dst, d.dport, d.buf, d.len);
		n++;
	}
	return n;
}

static void advance(uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += 500) {
		now_ms += 500;
		ike_tick(ha.ike);
		ike_tick(hb.ike);
		pump();
	}
}

static const char *conf_a =
	"connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
	"  proposals = \"%s\"; dpd_delay = 0; rekey_time = 0;\n"
	"  local = { auth = \"psk\"; id = \"left\"; };\n"
	"  remote = { auth = \"psk\"; id = \"right\"; };\n"
	"  children = { net = { local_ts = \"192.168.10.0/24\"; remote_ts = \"192.168.20.0/24\";\n"
	"    esp_proposals = \"%s\"; rekey_time = 3600; }; }; }; };\n"
	"secrets = { ike-gw = { id-1 = \"left\"; id-2 = \"right\"; secret = \"interop-test-psk-0123456789\"; }; };\n";

static const char *conf_b =
	"connections = { gw = { local_addrs = \"10.0.0.2\"; remote_addrs = \"%%any\";\n"
	"  proposals = \"%s\"; rekey_time = 0;\n"
	"  local = { auth = \"psk\"; id = \"right\"; };\n"
	"  remote = { auth = \"psk\"; id = \"left\"; };\n"
	"  children = { net = { local_ts = \"192.168.0.0/16\"; remote_ts = \"192.168.10.0/24\";\n"
	"    esp_proposals = \"%s\"; rekey_time = 0; replay_window = 128; }; }; }; };\n"
	"secrets = { ike-gw = { id-1 = \"left\"; id-2 = \"right\"; secret = \"interop-test-psk-0123456789\"; }; };\n";

/* conf_a with liveness checks every 5 s (test_dpd) */
static const char *conf_a_dpd =
	"connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
	"  proposals = \"%s\"; dpd_delay = 5; rekey_time = 0;\n"
	"  local = { auth = \"psk\"; id = \"left\"; };\n"
	"  remote = { auth = \"psk\"; id = \"right\"; };\n"
	"  children = { net = { local_ts = \"192.168.10.0/24\"; remote_ts = \"192.168.20.0/24\";\n"
	"    esp_proposals = \"%s\"; rekey_time = 3600; }; }; }; };\n"
	"secrets = { ike-gw = { id-1 = \"left\"; id-2 = \"right\"; secret = \"interop-test-psk-0123456789\"; }; };\n";
static const char *conf_a_now;	/* conf_a unless a test says otherwise */

static int load(struct host *h, const char *fmt, const char *ikep,
		const char *espp)
{
	char text[4096], err[256];
	config_t cfg;
	int rc;

	snprintf(text, sizeof(text), fmt, ikep, espp);
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		fprintf(stderr, "libconfig: %s line %d\n", config_error_text(&cfg),
			config_error_line(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	rc = ike_load_config(h->ike, &cfg, "test.conf", err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: %s\n", h->name, err);
	config_destroy(&cfg);
	return rc;
}

static void setup(const char *ike_a, const char *esp_a, const char *ike_b,
		  const char *esp_b)
{
	nq = 0;
	drop_next = 0;
	esp_in_ms = 0;
	ha.n = hb.n = 0;
	ha.installs = hb.installs = ha.removes = hb.removes = 0;
	ip_addr_parse("10.0.0.1", &ha.addr);
	ip_addr_parse("10.0.0.2", &hb.addr);
	ha.ike = ike_new(&ops, &ha);
	hb.ike = ike_new(&ops, &hb);
	CHECK(ha.ike && hb.ike);
	CHECK(load(&ha, conf_a_now ? conf_a_now : conf_a, ike_a, esp_a) == 0);
	CHECK(load(&hb, conf_b, ike_b, esp_b) == 0);
}

static void teardown(void)
{
	ike_free(ha.ike);
	ike_free(hb.ike);
	for (unsigned i = 0; i < ha.n; i++) {
		sa_params_clear(&ha.c[i].out);
		sa_params_clear(&ha.c[i].in);
	}
	for (unsigned i = 0; i < hb.n; i++) {
		sa_params_clear(&hb.c[i].out);
		sa_params_clear(&hb.c[i].in);
	}
	ha.n = hb.n = 0;
}

/* a's outbound SA is b's inbound and the other way round. */
static bool crossed(const struct ike_child_sas *x, const struct ike_child_sas *y)
{
	return x->out.spi == y->in.spi && x->in.spi == y->out.spi &&
	       x->out.alg == y->in.alg && x->out.enc_key_len == y->in.enc_key_len &&
	       memcmp(x->out.enc_key, y->in.enc_key, x->out.enc_key_len) == 0 &&
	       memcmp(x->in.enc_key, y->out.enc_key, x->in.enc_key_len) == 0 &&
	       x->out.auth_key_len == y->in.auth_key_len &&
	       memcmp(x->out.auth_key, y->in.auth_key, x->out.auth_key_len) == 0 &&
	       memcmp(x->in.auth_key, y->out.auth_key, x->in.auth_key_len) == 0 &&
	       memcmp(x->out.enc_key, x->in.enc_key, x->out.enc_key_len) != 0;
}

static bool stat_has(struct ike *ike, const char *needle)
{
	static char buf[8192];

	return ike_stats_json(ike, buf, sizeof(buf)) > 0 && strstr(buf, needle);
}

static void test_psk_gcm(void)
{
	char buf[8192];
	struct ip_prefix p;

	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1) {
		CHECK(crossed(&ha.c[0], &hb.c[0]));
		CHECK(strcmp(ha.c[0].out.alg->name, "aes128gcm16") == 0);
		CHECK(ha.c[0].out.enc_key_len == 20);
		CHECK(!ha.c[0].out.encap);
		/* b narrowed its 192.168.0.0/16 to a's /24 */
		ip_prefix_parse("192.168.20.0/24", &p, false, NULL);
		CHECK(hb.c[0].out.n_ts == 1 &&
		      hb.c[0].out.ts[0].src.len == 24 &&
		      ip_addr_eq(&hb.c[0].out.ts[0].src.addr, &p.addr));
		CHECK(hb.c[0].in.replay_window == 128);
		CHECK(ha.c[0].out.life.hard_seconds == 3960);
	}
	CHECK(ike_list_sas_json(ha.ike, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "ESTABLISHED") && strstr(buf, "AES_GCM_16-128"));
	CHECK(ike_list_conns_json(hb.ike, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\"remote_addrs\":\"%any\""));
	CHECK(ike_list_sas_json(ha.ike, buf, 10) == -ENOSPC);

	/* duplicate request: the last request a sent is answered from the
	 * cache, nothing new is installed */
	nq = 0;
	ike_input(hb.ike, &last_a.src, last_a.sport, &last_a.dst,
		  last_a.dport, last_a.buf, last_a.len);
	CHECK(nq == 1);
	nq = 0;
	CHECK(stat_has(hb.ike, "\"rx_retransmit\":1"));
	CHECK(hb.installs == 1);

	/* child rekey initiated by a (no PFS here) */
	ike_child_event(ha.ike, ha.c[0].id, false, IKE_SA_SOFT_EXPIRED);
	pump();
	CHECK(ha.installs == 2 && hb.installs == 2);
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));

	teardown();
}

/*
 * Dead peer detection (RFC 7296 §2.4) on a, every 5 s:
 * - with ESP arriving all the time (the children's counters say so) no
 *   check is sent, and the counters are read about once a delay, not
 *   every tick;
 * - with nothing arriving but a peer that answers, a check goes out
 *   about every 5 s and the SA stays;
 * - with the peer gone, a gives up within twice the delay (at least 10 s)
 *   and removes the child.
 */
static void test_dpd(void)
{
	unsigned sent0;

	conf_a_now = conf_a_dpd;
	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	conf_a_now = NULL;
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(ha.n == 1 && hb.n == 1);

	sent0 = sent_a;
	stats_calls = 0;
	for (int i = 0; i < 60; i++) {	/* 30 s, ticks of 500 ms */
		now_ms += 500;
		esp_in_ms = now_ms;
		ike_tick(ha.ike);
		ike_tick(hb.ike);
		pump();
	}
	CHECK_MSG(sent_a == sent0, "%u liveness checks despite ESP arriving", sent_a - sent0);
	CHECK_MSG(stats_calls >= 5 && stats_calls <= 7,
		  "counters read %u times in 30 s (a delay of 5 s: about 6)", stats_calls);

	sent0 = sent_a;
	advance(30000);			/* silence; b answers */
	CHECK_MSG(sent_a - sent0 >= 4 && sent_a - sent0 <= 7,
		  "%u liveness checks in 30 s of silence (about 6)", sent_a - sent0);
	CHECK(ha.n == 1);

	drop_next = 1 << 30;		/* b is gone */
	advance(25000);
	CHECK_MSG(ha.n == 0, "a still has its child 25 s after the peer went");
	drop_next = 0;
	teardown();
}

static void test_rekey_pfs_delete(void)
{
	char buf[8192];

	setup("aes128-sha256-curve25519", "aes128-sha256-curve25519",
	      "aes128-sha256-curve25519", "aes128-sha256-curve25519");
	CHECK(ike_initiate(ha.ike, "gw", NULL) == 0);
	pump();
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1) {
		CHECK(crossed(&ha.c[0], &hb.c[0]));
		CHECK(strcmp(ha.c[0].out.alg->name, "aes128-sha256") == 0);
		CHECK(ha.c[0].out.auth_key_len == 32);
	}
	/* rekey by b (PFS curve25519) */
	if (hb.n == 1)
		ike_child_event(hb.ike, hb.c[0].id, true, IKE_SA_SOFT_EXPIRED);
	pump();
	CHECK(ha.installs == 2 && hb.installs == 2);
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));
	CHECK(ike_list_sas_json(ha.ike, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "CURVE_25519"));

	/* the rekey request a sends is lost: retransmitted after 4 s */
	drop_next = 1;
	if (ha.n == 1)
		ike_child_event(ha.ike, ha.c[0].id, false, IKE_SA_SOFT_EXPIRED);
	CHECK(nq == 0);
	advance(5000);
	CHECK(stat_has(ha.ike, "\"tx_retransmit\":1"));
	CHECK(ha.installs == 3 && hb.installs == 3);
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));
	teardown();

	/* IKE SA rekey, then DELETE from the responder side */
	setup("aes256gcm16-prfsha384-ecp384", "aes256gcm16",
	      "aes256gcm16-prfsha384-ecp384", "aes256gcm16");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(ha.n == 1 && hb.n == 1);
	CHECK(ike_terminate(hb.ike, "gw") == 0);
	pump();
	CHECK(ha.n == 0 && hb.n == 0);
	CHECK(ike_list_sas_json(ha.ike, buf, sizeof(buf)) > 0);
	advance(1000);
	CHECK(ike_list_sas_json(ha.ike, buf, sizeof(buf)) > 0 &&
	      strcmp(buf, "{\"sas\":[]}") == 0);
	CHECK(ike_list_sas_json(hb.ike, buf, sizeof(buf)) > 0 &&
	      strcmp(buf, "{\"sas\":[]}") == 0);
	teardown();
}

static void test_lost_response(void)
{
	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	/* deliver IKE_SA_INIT request, lose the response */
	CHECK(nq == 1);
	drop_next = 1;
	pump();
	CHECK(nq == 0);
	advance(4500); /* a retransmits, b answers from its cache */
	CHECK(stat_has(hb.ike, "\"rx_retransmit\":1"));
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));
	/* DELETE of the child from a */
	if (ha.n == 1)
		ike_child_event(ha.ike, ha.c[0].id, false, IKE_SA_HARD_EXPIRED);
	pump();
	CHECK(ha.n == 0 && hb.n == 0);
	/* peer gone: DPD-less SA still answers; a terminate with no answer
	 * gives up and frees the SA */
	drop_next = 100;
	CHECK(ike_terminate(ha.ike, "gw") == 0);
	advance(20000);
	CHECK(stat_has(ha.ike, "\"ike_sas\":0"));
	drop_next = 0;
	teardown();
}

static void test_invalid_ke(void)
{
	/* a proposes ecp256 first, b only accepts curve25519 */
	setup("aes128gcm16-prfsha256-ecp256-curve25519", "aes128gcm16",
	      "aes128gcm16-prfsha256-curve25519", "aes128gcm16");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(stat_has(hb.ike, "\"invalid_ke\":1"));
	CHECK(ha.n == 1 && hb.n == 1);
	teardown();

	/* no common proposal */
	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes256-sha512-modp2048", "aes128gcm16");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(stat_has(hb.ike, "\"no_proposal\":1"));
	CHECK(stat_has(ha.ike, "\"ike_sas\":0"));
	teardown();

	/* ESP mismatch: the IKE SA comes up, the child does not */
	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes256-sha256");
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(ha.n == 0 && hb.n == 0);
	CHECK(stat_has(ha.ike, "\"ike_sas\":1"));
	teardown();
}

static void test_wrong_psk(void)
{
	char text[4096], err[256];
	config_t cfg;

	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	snprintf(text, sizeof(text), conf_b, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16");
	strcpy(strstr(text, "interop-test-psk"), "wrong\"; }; };\n");
	config_init(&cfg);
	CHECK(config_read_string(&cfg, text));
	CHECK(ike_load_config(hb.ike, &cfg, "b.conf", err, sizeof(err)) == 0);
	config_destroy(&cfg);
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(stat_has(hb.ike, "\"auth_failed\":1"));
	CHECK(ha.n == 0 && hb.n == 0);
	CHECK(stat_has(ha.ike, "\"ike_sas\":0"));
	teardown();
}

/* IKE SA rekey (§1.3.2) by the initiator's rekey_time; children move to
 * the new IKE SA and can be rekeyed there. */
static void test_ike_rekey(void)
{
	char text[4096], err[256], before[8192], after[8192];
	config_t cfg;

	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	snprintf(text, sizeof(text), conf_a, "aes128gcm16-prfsha256-ecp256",
		 "aes128gcm16");
	memcpy(strstr(text, "rekey_time = 0;"), "rekey_time = 9;", 15);
	config_init(&cfg);
	CHECK(config_read_string(&cfg, text));
	CHECK(ike_load_config(ha.ike, &cfg, "a.conf", err, sizeof(err)) == 0);
	config_destroy(&cfg);
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(ha.n == 1 && hb.n == 1);
	CHECK(ike_list_sas_json(ha.ike, before, sizeof(before)) > 0);
	advance(10000);
	CHECK(stat_has(ha.ike, "\"ike_rekeyed\":1"));
	CHECK(stat_has(hb.ike, "\"ike_rekeyed\":1"));
	CHECK(stat_has(ha.ike, "\"ike_sas\":1"));
	CHECK(stat_has(hb.ike, "\"ike_sas\":1"));
	CHECK(ha.n == 1 && hb.n == 1 && ha.installs == 1);
	CHECK(ike_list_sas_json(ha.ike, after, sizeof(after)) > 0);
	CHECK(strcmp(before, after) != 0 && strstr(after, "ESTABLISHED"));
	if (ha.n == 1)
		ike_child_event(ha.ike, ha.c[0].id, false, IKE_SA_SOFT_EXPIRED);
	pump();
	CHECK(ha.n == 1 && hb.n == 1 && ha.installs == 2 && hb.installs == 2);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));
	teardown();
}

/* Configuration errors name the file and line, never the secret. */
static void test_config_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
		  "  porposals = \"aes128gcm16\"; }; };", "test.conf:2: unknown key 'porposals'" },
		{ "connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
		  "  proposals = \"aes128gcm16-ecp256\";\n local = { auth = \"psk\"; }; }; };",
		  "test.conf:2: proposals: proposal: AEAD needs a prf" },
		{ "connections = { gw = { local_addrs = \"10.0.0.x\"; remote_addrs = \"10.0.0.2\"; }; };",
		  "test.conf:1: local_addrs: not an IP address" },
		{ "connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
		  "  local = { auth = \"psk\"; }; remote = { auth = \"psk\"; };\n"
		  "  children = { net = { local_ts = \"10.0.0.0/8\"; remote_ts = \"10.1.0.0/16\";\n"
		  "    esp_proposals = \"aes128gcm12\"; }; }; }; };",
		  "not supported by the data plane" },
		{ "connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
		  "  local = { auth = \"psk\"; }; remote = { auth = \"psk\"; };\n"
		  "  children = { net = { local_ts = \"10.0.0.1/8\"; remote_ts = \"10.1.0.0/16\"; }; }; }; };",
		  "test.conf:3: bad traffic selector list" },
		{ "connections = { gw = { local_addrs = \"10.0.0.1\"; remote_addrs = \"10.0.0.2\";\n"
		  "  local = { auth = \"pubkey\"; certs = \"/nonexistent.pem\"; key = \"/x.pem\"; }; }; };",
		  "test.conf:2: cannot load certificate /nonexistent.pem" },
		{ "secrets = { ike-x = { id = \"a\"; secret = \"0xzz-topsecret\"; }; };",
		  "test.conf:1: secret: bad encoding" },
		{ "secrets = {\n eap-x = { secret = \"s\"; }; };", "test.conf:2: only ike secrets" },
	};
	char err[256];
	config_t cfg;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&cfg);
		CHECK_MSG(config_read_string(&cfg, bad[i].text), "case %u", i);
		CHECK(ike_check_config(&cfg, "test.conf", err, sizeof(err)) == -EINVAL);
		CHECK_MSG(strstr(err, bad[i].want) != NULL, "got '%s'", err);
		CHECK(strstr(err, "topsecret") == NULL);
		config_destroy(&cfg);
	}
}

/* §2.6: a responder under load demands a cookie; the initiator returns
 * it and the exchange completes. */
static void test_cookie(void)
{
	setup("aes128gcm16-prfsha256-ecp256", "aes128gcm16",
	      "aes128gcm16-prfsha256-ecp256", "aes128gcm16");
	hb.ike->cookie_threshold = 0;
	CHECK(ike_initiate(ha.ike, "gw", "net") == 0);
	pump();
	CHECK(stat_has(hb.ike, "\"cookie_sent\":1"));
	CHECK(ha.n == 1 && hb.n == 1);
	if (ha.n == 1 && hb.n == 1)
		CHECK(crossed(&ha.c[0], &hb.c[0]));
	teardown();
}

int main(void)
{
	test_cookie();
	test_config_errors();
	test_ike_rekey();
	test_psk_gcm();
	test_dpd();
	test_rekey_pfs_delete();
	test_lost_response();
	test_invalid_ke();
	test_wrong_psk();
	return check_summary();
}
