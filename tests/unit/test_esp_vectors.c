/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP framing end to end on real mbufs (lib/esp/esp_outb.c, esp_inb.c with
 * the crypto of xform.c): packets encapsulated by esprit must be byte for
 * byte the packets scapy's SecurityAssociation builds from the same inner
 * packet, keys, SPI, sequence number and IV (gen_esp_vectors.py), and
 * packets encrypted by scapy must decapsulate to the original inner packet.
 * Tunnel v4/v6 (both inner families), transport v4/v6 (with a hop-by-hop
 * header), NAT-T, ESN, every cipher family.
 *
 * Besides the byte comparison, what RFC 4303 prescribes is checked directly
 * on the plaintext before encryption: §2.4 padding 1, 2, 3, ..., minimal,
 * pad length, payload + trailer a multiple of the block size (and of 4);
 * §2.6 next header 4 / 41 in tunnel mode, the upper-layer protocol in
 * transport mode; §2.1/§2.2 SPI and sequence number in network order.
 * Inbound, packets whose ICV verifies but whose content RFC 4303 says to
 * drop (bad padding, next header, dummy), truncated packets, replays and
 * forgeries get the documented drop reasons.
 *
 * The crypto runs by the SA's path as the workers run it: AES-GCM by the
 * direct calls (xform_gcm_*: gcm16 on VAES CPUs), the others by one
 * ipsec-mb job each.
 *
 * Encrypt-then-MAC suites are sealed a second and third time through the
 * data path's burst call (xform_etm_seal), with the cipher on the same
 * manager and on an SSE manager (the data path's choice for short AES-CBC
 * bursts where that measures faster, xform_tune.h): the same scapy bytes.
 * HMAC-SHA-1 and -256 suites are also sealed with the ICV on esprit's
 * 16-lane code (hmac_x16.h, where the CPU runs it), and scapy's packets verified
 * (xform_etm_verify) and decrypted (xform_etm_open) with it.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/esp.h"
#include "esp/hmac_x16.h"
#include "esp/replay.h"
#include "esp/xform.h"
#include "esp/xform_tune.h"
#include "esp_vectors.h"
#include "net/pkt.h"
#include "sa/sa.h"
#include "util/hex.h"

static struct rte_mempool *pool;
static IMB_MGR *mb;
static IMB_MGR *mb_sse;	/* init_mb_mgr_sse(): xform_etm_seal's narrow choice */
static struct xform_scratch scr;
static char err[256];

static int eal_up(void)
{
	char *argv[] = { "test", "--no-huge", "-m", "64", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf", "--file-prefix",
			 "unit_esp", NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static int run_job(IMB_JOB *j)
{
	IMB_JOB *r;
	int st = -1;

	j->user_data = j;
	for (r = IMB_SUBMIT_JOB(mb); r != NULL; r = IMB_GET_COMPLETED_JOB(mb))
		if (r->user_data == j)
			st = r->status;
	while ((r = IMB_FLUSH_JOB(mb)) != NULL)
		if (r->user_data == j)
			st = r->status;
	return st;
}

/* Encrypt (open: decrypt) one ESP packet by the SA's path as the workers
 * do: AES-GCM directly (xform_gcm_*, on gcm16's own keys where this CPU
 * runs it), the other suites by one ipsec-mb job. The computed ICV lands
 * in scr.icv when decrypting. Returns the job's status. */
static int crypt(const struct sa *sa, uint8_t *esp, uint32_t pay_len,
		 uint32_t seq_hi, bool open)
{
	IMB_JOB *j;

	if (xform_is_direct(&sa->xf)) {
		if (open)
			xform_gcm_open(&sa->xf, mb, esp, pay_len, seq_hi, &scr);
		else
			xform_gcm_seal(&sa->xf, mb, esp, pay_len, seq_hi, &scr);
		return IMB_STATUS_COMPLETED;
	}
	j = IMB_GET_NEXT_JOB(mb);
	if (open)
		xform_job_decrypt(&sa->xf, j, esp, pay_len, seq_hi, &scr);
	else
		xform_job_encrypt(&sa->xf, j, esp, pay_len, seq_hi, &scr);
	return run_job(j);
}

/* Does the data path compute this SA's ICVs on the 16-lane code, where the
 * tuner finds it faster? */
static bool x16_for(const struct sa *sa)
{
	return sa->xf.path == XF_PATH_ETM && hmac_x16_usable(sa->xf.hash);
}

static struct sa *make_sa(const struct esp_frame *f, enum sa_dir dir);

/* Scapy's ESP bytes at off, verified with the ICV on the 16-lane code and
 * decrypted as the data path does (dp_inb.c etm_open_flush): the
 * plaintext must be esp's (header, IV and plaintext before encryption). */
static void etm_open_x16(const struct esp_frame *f, const struct sa *sa,
			 size_t off, const uint8_t *esp, uint32_t pay_len)
{
	size_t len = 8 + sa->xf.iv_len + pay_len + sa->xf.icv_len;
	static uint8_t buf[2048];
	struct xform_scratch s;
	IMB_JOB j;

	memset(&j, 0, sizeof(j));
	memcpy(buf, f->outer + off, len);
	xform_job_decrypt(&sa->xf, &j, buf, pay_len, (uint32_t)(f->seq >> 32), &s);
	xform_etm_verify(&sa->xf, NULL, &j, 1);
	CHECK_MSG(xform_icv_equal(s.icv, xform_received_icv(&sa->xf, buf, pay_len, &s),
				  sa->xf.icv_len),
		  "%s: the 16-lane code's ICV differs from scapy's", f->name);
	/* the received ICV (in the packet, or saved from it with ESN), one
	 * bit off */
	((uint8_t *)xform_received_icv(&sa->xf, buf, pay_len, &s))[0] ^= 1;
	CHECK_MSG(!xform_icv_equal(s.icv, xform_received_icv(&sa->xf, buf, pay_len, &s),
				   sa->xf.icv_len),
		  "%s: a forged ICV verified", f->name);
	xform_etm_open(&sa->xf, mb, &j, 1);
	CHECK_MSG(memcmp(buf + 8 + sa->xf.iv_len, esp + 8 + sa->xf.iv_len, pay_len) == 0,
		  "%s: decrypted after the 16-lane verify, differs", f->name);
}

/*
 * The ESP part of an outbound frame (esp: header, IV and plaintext as they
 * are before encryption) sealed by xform_etm_seal on a copy, the cipher on
 * mb and then on mb_sse, against scapy's bytes at the same place.
 */
static void etm_seal_paths(const struct esp_frame *f, const struct sa *sa,
			   const uint8_t *l3, const uint8_t *esp, uint32_t pay_len)
{
	IMB_MGR *cipher[2] = { mb, mb_sse };
	size_t off = (size_t)(esp - l3);
	size_t len = 8 + sa->xf.iv_len + pay_len + sa->xf.icv_len;
	static uint8_t buf[2048];
	struct xform_scratch s;

	if (sa->xf.path != XF_PATH_ETM || off + len > f->outer_len || len > sizeof(buf))
		return;
	for (int k = 0; k < 3; k++) {
		/* k == 2: the ICV on the 16-lane code */
		IMB_MGR *hash = k < 2 ? mb : NULL;
		IMB_JOB j;

		if (hash == NULL && !x16_for(sa))
			continue;
		memset(&j, 0, sizeof(j));
		memcpy(buf, esp, len - sa->xf.icv_len);
		xform_job_encrypt(&sa->xf, &j, buf, pay_len, (uint32_t)(f->seq >> 32), &s);
		xform_etm_seal(&sa->xf, hash, cipher[k & 1], &j, 1);
		CHECK_MSG(j.status == IMB_STATUS_COMPLETED, "%s: etm seal %d", f->name, k);
		CHECK_MSG(memcmp(buf, f->outer + off, len) == 0,
			  "%s: etm seal, cipher on %s manager, ICV on %s, differs from scapy's",
			  f->name, k == 1 ? "the SSE" : "the same",
			  hash ? "ipsec-mb" : "the 16-lane code");
	}
	if (x16_for(sa)) {	/* sa only encrypts (its keys: xform.h) */
		struct sa *in = make_sa(f, SA_DIR_IN);

		if (in != NULL)
			etm_open_x16(f, in, off, esp, pay_len);
		sa_free(in);
	}
}

/* Inner packet addresses (transport SAs protect the packet's own). */
static void inner_addrs(const uint8_t *ip, struct ip_addr *src,
			struct ip_addr *dst)
{
	if (ip[0] >> 4 == 4) {
		uint32_t s, d;

		memcpy(&s, ip + 12, 4);
		memcpy(&d, ip + 16, 4);
		ip_addr_from_v4(src, s);
		ip_addr_from_v4(dst, d);
	} else {
		ip_addr_from_v6(src, ip + 8);
		ip_addr_from_v6(dst, ip + 24);
	}
}

static struct sa *make_sa_ex(const struct esp_frame *f, enum sa_dir dir,
			     uint8_t df, int8_t dscp)
{
	struct sa_params p;
	struct sa *sa;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", dir == SA_DIR_OUT ? "out" : "in");
	p.spi = f->spi;
	p.dir = dir;
	p.proto = SA_PROTO_ESP;
	p.mode = f->tunnel ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT;
	if (f->tunnel) {
		ip_addr_parse(f->src, &p.src);
		ip_addr_parse(f->dst, &p.dst);
	} else {
		inner_addrs(f->inner, &p.src, &p.dst);
	}
	p.alg = alg_find(f->suite);
	memcpy(p.enc_key, f->ekey, f->ekey_len);
	p.enc_key_len = (uint8_t)f->ekey_len;
	memcpy(p.auth_key, f->akey, f->akey_len);
	p.auth_key_len = (uint8_t)f->akey_len;
	p.esn = f->esn;
	p.replay_window = 64;
	p.encap = f->natt;
	p.encap_sport = p.encap_dport = 4500;
	p.dscp = dscp;
	p.df = df;
	sa = sa_create(&p, 1, 1, mb, SOCKET_ID_ANY, err, sizeof(err));
	CHECK_MSG(sa != NULL, "%s: %s", f->name, err);
	sa_params_clear(&p);
	return sa;
}

/* DSCP and DF copied from the inner header (RFC 4301 §5.1.2.1). */
static struct sa *make_sa(const struct esp_frame *f, enum sa_dir dir)
{
	return make_sa_ex(f, dir, 0, -1);
}

/* An Ethernet frame around an IP packet, as received. */
static struct rte_mbuf *frame_mbuf(const uint8_t *ip, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	if (m == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ETH_HLEN + len));
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	d[12] = ip[0] >> 4 == 4 ? 0x08 : 0x86;
	d[13] = ip[0] >> 4 == 4 ? 0x00 : 0xdd;
	memcpy(d + ETH_HLEN, ip, len);
	return m;
}

/* RFC 4303 §2.4-§2.6 on the plaintext in place, before encryption. */
static void check_trailer(const struct esp_frame *f, const struct sa *sa,
			  const uint8_t *pt, uint32_t pay_len, uint32_t data_len,
			  uint8_t want_nh)
{
	uint8_t padlen = pt[pay_len - 2];

	CHECK_MSG(pay_len % sa->xf.block == 0 && pay_len % 4 == 0,
		  "%s: payload %u not aligned", f->name, pay_len);
	CHECK_MSG(pay_len == data_len + 2u + padlen, "%s: lengths", f->name);
	CHECK_MSG(padlen < sa->xf.block, "%s: padding %u not minimal", f->name,
		  padlen);
	for (unsigned i = 0; i < padlen; i++)
		CHECK_MSG(pt[data_len + i] == i + 1, "%s: pad byte %u", f->name, i);
	CHECK_MSG(pt[pay_len - 1] == want_nh, "%s: next header %u", f->name,
		  pt[pay_len - 1]);
}

static void outbound(const struct esp_frame *f)
{
	struct sa *sa = make_sa(f, SA_DIR_OUT);
	struct rte_mbuf *m = frame_mbuf(f->inner, f->inner_len);
	const uint8_t *in = f->inner;
	unsigned hl4 = (unsigned)(in[0] & 15) * 4;
	struct pkt_info pi;
	uint32_t pay_len = 0, be;
	uint8_t *esp = NULL, nh, *d;
	int rc;

	if (sa == NULL || m == NULL)
		goto out;
	CHECK(pkt_parse(m, &pi) == 0);
	rc = esp_outb_encap(sa, m, &pi, f->seq, f->ip_id, &esp, &pay_len);
	CHECK_MSG(rc == 0, "%s: encap %d", f->name, rc);
	if (rc != 0)
		goto out;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	CHECK_MSG(m->data_len == ETH_HLEN + f->outer_len, "%s: %u bytes, want %u",
		  f->name, m->data_len - ETH_HLEN, f->outer_len);
	/* exactly what the packet grew by, in both modes */
	CHECK_MSG(esp_outb_overhead(sa, &pi) == f->outer_len - f->inner_len,
		  "%s: esp_outb_overhead() = %u, the packet grew by %u", f->name,
		  esp_outb_overhead(sa, &pi), f->outer_len - f->inner_len);
	CHECK(m->l2_len == ETH_HLEN);
	/* RFC 4303 §2.1, §2.2: SPI and the low 32 bits of the sequence
	 * number, network order. */
	be = rte_cpu_to_be_32(f->spi);
	CHECK(memcmp(esp, &be, 4) == 0);
	be = rte_cpu_to_be_32((uint32_t)f->seq);
	CHECK(memcmp(esp + 4, &be, 4) == 0);
	/* The plaintext: the inner packet (tunnel) or its upper layer
	 * (transport), then the trailer. */
	if (f->tunnel) {
		nh = in[0] >> 4 == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		CHECK(memcmp(esp + 8 + sa->xf.iv_len, in, f->inner_len) == 0);
		check_trailer(f, sa, esp + 8 + sa->xf.iv_len, pay_len,
			      f->inner_len, nh);
	} else {
		unsigned l3 = in[0] >> 4 == 4 ? hl4 : pi.l3_len;

		nh = in[0] >> 4 == 4 ? in[9] : in[pi.nh_off];
		CHECK(memcmp(esp + 8 + sa->xf.iv_len, in + l3, f->inner_len - l3) == 0);
		check_trailer(f, sa, esp + 8 + sa->xf.iv_len, pay_len,
			      f->inner_len - l3, nh);
	}
	/* Counter suites: the IV is the 64-bit sequence number. CBC's is
	 * random by design (RFC 3602 §2.4); scapy's is written over it. */
	if (f->cbc_iv != NULL) {
		memcpy(esp + 8, f->cbc_iv, 16);
	} else if (sa->xf.iv_len == 8) {
		uint64_t s = rte_cpu_to_be_64(f->seq);

		CHECK(memcmp(esp + 8, &s, 8) == 0);
	}
	etm_seal_paths(f, sa, d + ETH_HLEN, esp, pay_len);
	CHECK(crypt(sa, esp, pay_len, (uint32_t)(f->seq >> 32), false) ==
	      IMB_STATUS_COMPLETED);
	esp_outb_finish(sa, m);
	if (m->data_len == ETH_HLEN + f->outer_len) {
		CHECK_MSG(memcmp(d + ETH_HLEN, f->outer, f->outer_len) == 0,
			  "%s: packet differs from scapy's", f->name);
		for (unsigned i = 0; i < f->outer_len; i++)
			if (d[ETH_HLEN + i] != f->outer[i]) {
				fprintf(stderr, "  first difference at byte %u: "
					"%02x, scapy %02x\n", i, d[ETH_HLEN + i],
					f->outer[i]);
				break;
			}
	}
out:
	rte_pktmbuf_free(m);
	sa_free(sa);
}

/* Locate, decrypt, verify; 0 or the drop reason (DROP_auth_failed). */
static int inbound_crypto(struct sa *sa, struct rte_mbuf *m, struct pkt_info *pi,
			  bool natt, uint32_t *esp_off, uint32_t *pay_len,
			  uint64_t *seq)
{
	uint8_t *esp;
	int rc;

	rc = pkt_parse(m, pi);
	if (rc != 0)
		return rc;
	*esp_off = pi->l2_len + pi->l3_len + (natt ? 8 : 0);
	rc = esp_inb_locate(sa, m, pi, *esp_off, pay_len, seq);
	if (rc != 0)
		return rc;
	esp = rte_pktmbuf_mtod_offset(m, uint8_t *, *esp_off);
	if (crypt(sa, esp, *pay_len, (uint32_t)(*seq >> 32), true) != IMB_STATUS_COMPLETED)
		return DROP_crypto_error;
	if (ct_memcmp(scr.icv, xform_received_icv(&sa->xf, esp, *pay_len, &scr),
		      sa->xf.icv_len) != 0)
		return DROP_auth_failed;
	return 0;
}

static void inbound(const struct esp_frame *f)
{
	struct sa *sa = make_sa(f, SA_DIR_IN);
	struct rte_mbuf *m = frame_mbuf(f->outer, f->outer_len);
	struct pkt_info pi;
	uint32_t esp_off, pay_len;
	uint64_t seq = 0;
	int rc;

	if (sa == NULL || m == NULL)
		goto out;
	if (f->replay_top)	/* an earlier packet moved the window there */
		CHECK(replay_commit(&sa->rw, f->replay_top) == REPLAY_OK);

	/* A forgery first (one bit of ciphertext): it fails its ICV and,
	 * never committed, does not use up the genuine packet's number. */
	{
		struct rte_mbuf *x = frame_mbuf(f->outer, f->outer_len);

		rte_pktmbuf_mtod(x, uint8_t *)[ETH_HLEN + f->outer_len -
					       sa->xf.icv_len - 3] ^= 4;
		rc = inbound_crypto(sa, x, &pi, f->natt, &esp_off, &pay_len, &seq);
		CHECK_MSG(rc == DROP_auth_failed, "%s: forgery: %d", f->name, rc);
		rte_pktmbuf_free(x);
	}

	rc = inbound_crypto(sa, m, &pi, f->natt, &esp_off, &pay_len, &seq);
	CHECK_MSG(rc == 0, "%s: inbound crypto %d", f->name, rc);
	if (rc != 0)
		goto out;
	CHECK_MSG(seq == f->seq, "%s: sequence %#llx", f->name,
		  (unsigned long long)seq);
	rc = esp_inb_decap(sa, m, &pi, esp_off, pay_len, seq);
	CHECK_MSG(rc == 0, "%s: decap %d", f->name, rc);
	if (rc == 0) {
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		CHECK_MSG(m->data_len == ETH_HLEN + f->inner_len,
			  "%s: %u bytes after decap, want %u", f->name,
			  m->data_len - ETH_HLEN, f->inner_len);
		CHECK_MSG(m->data_len == ETH_HLEN + f->inner_len &&
			  memcmp(d + ETH_HLEN, f->inner, f->inner_len) == 0,
			  "%s: inner packet differs", f->name);
		CHECK_MSG(d[12] == (f->inner[0] >> 4 == 4 ? 0x08 : 0x86),
			  "%s: ethertype", f->name);
		if (!f->tunnel)	/* the Ethernet header moved with it */
			CHECK(memcmp(d, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12) == 0);
		/* and it parses as what it is */
		CHECK(pkt_parse(m, &pi) == 0 && pi.l3_tot == f->inner_len);
	}
	/* The same packet again is a replay (RFC 4303 §3.4.3). */
	rte_pktmbuf_free(m);
	m = frame_mbuf(f->outer, f->outer_len);
	rc = inbound_crypto(sa, m, &pi, f->natt, &esp_off, &pay_len, &seq);
	CHECK_MSG(rc == DROP_replay, "%s: replay: %d", f->name, rc);
out:
	rte_pktmbuf_free(m);
	sa_free(sa);
}

static void bad_packet(const struct esp_bad *b)
{
	const struct esp_frame *f = &esp_frames[b->frame];
	struct sa *sa = make_sa(f, SA_DIR_IN);
	struct rte_mbuf *m = frame_mbuf(b->pkt, b->len);
	struct pkt_info pi;
	uint32_t esp_off, pay_len;
	uint64_t seq;
	int rc;

	if (sa == NULL || m == NULL)
		goto out;
	rc = inbound_crypto(sa, m, &pi, f->natt, &esp_off, &pay_len, &seq);
	/* Truncated packets never reach the crypto; the others verify (the
	 * content is wrong, not the ICV) and decap refuses them. */
	if (b->drop == DROP_malformed && rc != 0) {
		CHECK_MSG(rc == DROP_malformed, "%s: %d", b->name, rc);
		goto out;
	}
	CHECK_MSG(rc == 0, "%s: ICV should verify: %d", b->name, rc);
	if (rc != 0)
		goto out;
	rc = esp_inb_decap(sa, m, &pi, esp_off, pay_len, seq);
	CHECK_MSG(rc == b->drop, "%s: got %d %s, want %s", b->name, rc,
		  rc > 0 && rc < DROP_MAX ? drop_names[rc] : "",
		  b->drop ? drop_names[b->drop] : "0");
	if (rc == 0 && b->drop == 0) {
		CHECK_MSG(m->data_len == ETH_HLEN + b->inner_len &&
			  memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN),
				 b->inner, b->inner_len) == 0,
			  "%s: inner packet differs", b->name);
		CHECK(pkt_parse(m, &pi) == 0);	/* IPv4 checksum still right */
	}
out:
	rte_pktmbuf_free(m);
	sa_free(sa);
}

/* No room in front (tunnel v6 needs 14 + 56 bytes) or behind (the
 * trailer): the packet comes back untouched, with no_headroom. */
static void no_room(void)
{
	const struct esp_frame *f = &esp_frames[1];	/* tunnel, v6 outer */
	const struct esp_frame *t = &esp_frames[5];	/* transport v4 */
	struct sa *sa = make_sa(f, SA_DIR_OUT), *st = make_sa(t, SA_DIR_OUT);
	uint8_t big[2100], *esp;
	struct rte_mbuf *m;
	struct pkt_info pi;
	uint32_t pay_len;
	unsigned len;

	if (sa == NULL || st == NULL)
		goto out;
	/* Front: move the data to 20 bytes from the buffer start. */
	m = rte_pktmbuf_alloc(pool);
	m->data_off = 20;
	memcpy(rte_pktmbuf_append(m, (uint16_t)(ETH_HLEN + f->inner_len)),
	       "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x86\xdd", ETH_HLEN);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN), f->inner,
	       f->inner_len);
	CHECK(pkt_parse(m, &pi) == 0);
	CHECK(esp_outb_encap(sa, m, &pi, 7, 1, &esp, &pay_len) == DROP_no_headroom);
	CHECK(m->data_off == 20 && m->data_len == ETH_HLEN + f->inner_len);
	CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN), f->inner,
		     f->inner_len) == 0);
	rte_pktmbuf_free(m);

	/* Back: a UDP/IPv4 packet that ends 3 bytes before the buffer does. */
	len = (unsigned)(RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM) -
	      ETH_HLEN - 3;
	memset(big, 0x3c, sizeof(big));
	memcpy(big, t->inner, 28);	/* IPv4 + UDP headers of frame 5 */
	big[2] = (uint8_t)(len >> 8);
	big[3] = (uint8_t)len;
	big[10] = big[11] = 0;
	{
		uint16_t c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)big);

		memcpy(big + 10, &c, 2);
	}
	for (int which = 0; which < 2; which++) {
		struct sa *s = which ? st : sa;

		m = frame_mbuf(big, len);
		CHECK(m != NULL && rte_pktmbuf_tailroom(m) == 3);
		if (m == NULL)
			continue;
		CHECK(pkt_parse(m, &pi) == 0);
		CHECK(esp_outb_encap(s, m, &pi, 7, 1, &esp, &pay_len) ==
		      DROP_no_headroom);
		CHECK(m->data_len == ETH_HLEN + len);
		CHECK(m->data_off == RTE_PKTMBUF_HEADROOM);
		CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN), big,
			     len) == 0);
		rte_pktmbuf_free(m);
	}
out:
	sa_free(sa);
	sa_free(st);
}

/* Outer IPv4 header options of the SA: DF set or cleared whatever the
 * inner packet says, a fixed DSCP (ECN still copied, RFC 6040 §4.1), TTL;
 * and fragments refused in transport mode. */
static void header_options(void)
{
	const struct esp_frame *f = &esp_frames[0];	/* inner DF, tos 0xba */
	static const struct { uint8_t df; int8_t dscp; uint8_t tos, flags; } v[] = {
		{ 0, -1, 0xba, 0x40 }, { 1, 10, 0x2a, 0x40 }, { 2, 0, 0x02, 0x00 },
	};

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sa *sa = make_sa_ex(f, SA_DIR_OUT, v[i].df, v[i].dscp);
		struct rte_mbuf *m = frame_mbuf(f->inner, f->inner_len);
		struct pkt_info pi;
		uint32_t pay_len;
		uint8_t *esp, *ip;

		if (sa == NULL || m == NULL)
			goto next;
		CHECK(pkt_parse(m, &pi) == 0);
		CHECK(esp_outb_encap(sa, m, &pi, 1, 0x1234, &esp, &pay_len) == 0);
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN);
		CHECK_MSG(ip[1] == v[i].tos, "df %u dscp %d: tos %#x", v[i].df,
			  v[i].dscp, ip[1]);
		CHECK_MSG(ip[6] == v[i].flags && ip[7] == 0, "df %u: flags %#x",
			  v[i].df, ip[6]);
		CHECK(ip[8] == 64 && ip[9] == IPPROTO_ESP && ip[0] == 0x45);
		CHECK(ip[4] == 0x12 && ip[5] == 0x34);
		CHECK(rte_raw_cksum(ip, 20) == 0xffff);	/* checksum valid */
next:
		rte_pktmbuf_free(m);
		sa_free(sa);
	}

	/* Transport mode cannot carry a fragment (RFC 4303 §3.1.1). */
	{
		const struct esp_frame *t = &esp_frames[5];	/* transport v4 */
		struct sa *sa = make_sa(t, SA_DIR_OUT);
		uint8_t frag[256];
		struct rte_mbuf *m;
		struct pkt_info pi;
		uint32_t pay_len;
		uint8_t *esp;
		uint16_t c;

		memcpy(frag, t->inner, t->inner_len);
		frag[6] = 0x20;		/* MF */
		frag[10] = frag[11] = 0;
		c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)frag);
		memcpy(frag + 10, &c, 2);
		m = frame_mbuf(frag, t->inner_len);
		CHECK(sa != NULL && m != NULL);
		if (sa != NULL && m != NULL) {
			CHECK(pkt_parse(m, &pi) == 0 && pi.frag);
			CHECK(esp_outb_encap(sa, m, &pi, 1, 1, &esp, &pay_len) ==
			      DROP_sa_mismatch);
			CHECK(m->data_len == ETH_HLEN + t->inner_len &&
			      memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, ETH_HLEN),
				     frag, t->inner_len) == 0);
		}
		rte_pktmbuf_free(m);
		sa_free(sa);
	}
}

/* Both directions through esprit alone, for every suite and both modes
 * and families (what the scapy vectors do not cover), with ESN around 2^32. */
static void self_round_trips(void)
{
	for (unsigned i = 0; alg_at(i) != NULL; i++) {
		for (unsigned v = 0; v < 4; v++) {
			struct esp_frame f = esp_frames[v == 0 ? 0 : v == 1 ? 1
						     : v == 2 ? 5 : 7];
			struct sa *o, *in;
			struct rte_mbuf *m;
			struct pkt_info pi;
			uint8_t ek[64], ak[64], *esp;
			uint32_t pay_len, esp_off;
			uint64_t seq;
			int rc;

			f.suite = alg_at(i)->name;
			f.ekey_len = alg_at(i)->key_len + alg_at(i)->salt_len;
			f.akey_len = alg_at(i)->auth_key_len;
			for (unsigned b = 0; b < 64; b++) {
				ek[b] = (uint8_t)(b + 3 * i);
				ak[b] = (uint8_t)(b * 5 + i);
			}
			f.ekey = ek;
			f.akey = ak;
			f.esn = true;
			f.seq = (1ull << 32) + i;
			f.natt = v == 0 && i % 2;
			o = make_sa(&f, SA_DIR_OUT);
			in = make_sa(&f, SA_DIR_IN);
			m = frame_mbuf(f.inner, f.inner_len);
			if (!o || !in || !m)
				goto next;
			replay_commit(&in->rw, 0xfffffff0u);
			CHECK(pkt_parse(m, &pi) == 0);
			CHECK(esp_outb_encap(o, m, &pi, f.seq, 9, &esp, &pay_len) == 0);
			CHECK(crypt(o, esp, pay_len, 1, false) == IMB_STATUS_COMPLETED);
			esp_outb_finish(o, m);
			{	/* what the tx path does: the Ethernet header */
				uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
				bool v4 = f.tunnel ? o->outer_af == AF_INET
						   : f.inner[0] >> 4 == 4;

				memcpy(d, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
				d[12] = v4 ? 0x08 : 0x86;
				d[13] = v4 ? 0x00 : 0xdd;
			}
			rc = inbound_crypto(in, m, &pi, f.natt, &esp_off, &pay_len, &seq);
			CHECK_MSG(rc == 0, "%s %u: %d", f.suite, v, rc);
			if (rc == 0) {
				CHECK(seq == f.seq);
				CHECK(esp_inb_decap(in, m, &pi, esp_off, pay_len, seq) == 0);
				CHECK_MSG(m->data_len == ETH_HLEN + f.inner_len &&
					  memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *,
									 ETH_HLEN),
						 f.inner, f.inner_len) == 0,
					  "%s %u: round trip", f.suite, v);
			}
next:
			rte_pktmbuf_free(m);
			sa_free(o);
			sa_free(in);
		}
	}
}

/* The tuners answer one of the lengths they try, or 0 (xform_tune.h:
 * payloads 48 to 1440 bytes; HMAC messages 24 bytes longer, for the ESP
 * header and IV); with no manager or no burst, 0; and for a hash without
 * SHA instructions, 0. Which length depends on the CPU and on the host's
 * load at that moment, so any of them passes. */
static bool tune_len_ok(uint32_t v, uint32_t hdr)
{
	static const uint32_t lens[] = { 48, 96, 176, 336, 496, 976, 1440 };

	if (v == 0)
		return true;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		if (v == hdr + lens[i])
			return true;
	return false;
}

static void tune_bounds(void)
{
	uint32_t v = xform_tune_cbc_narrow(mb, mb_sse, 64);
	uint32_t h1 = xform_tune_hmac_narrow(mb, mb_sse, 32, IMB_AUTH_HMAC_SHA_1);
	uint32_t h256 = xform_tune_hmac_narrow(mb, mb_sse, 32, IMB_AUTH_HMAC_SHA_256);
	uint32_t x16 = 0, x16_256 = 0;

	CHECK_MSG(tune_len_ok(v, 0), "xform_tune_cbc_narrow() = %u", v);
	CHECK_MSG(tune_len_ok(h1, 24), "xform_tune_hmac_narrow(SHA-1) = %u", h1);
	CHECK_MSG(tune_len_ok(h256, 24), "xform_tune_hmac_narrow(SHA-256) = %u", h256);
	CHECK(xform_tune_cbc_narrow(NULL, mb_sse, 64) == 0);
	CHECK(xform_tune_cbc_narrow(mb, mb_sse, 0) == 0);
	/* NULL: the 16-lane code, for HMAC-SHA-1 and -256 only, where it runs */
	CHECK(xform_tune_hmac_narrow(mb, NULL, 32, IMB_AUTH_HMAC_SHA_512) == 0);
	CHECK(xform_tune_hmac_narrow(NULL, NULL, 32, IMB_AUTH_HMAC_SHA_1) == 0);
	CHECK(xform_tune_hmac_narrow(mb, mb_sse, 32, IMB_AUTH_HMAC_SHA_384) == 0);
	if (hmac_x16_usable(IMB_AUTH_HMAC_SHA_1)) {
		x16 = xform_tune_hmac_narrow(mb, NULL, 32, IMB_AUTH_HMAC_SHA_1);
		CHECK_MSG(tune_len_ok(x16, 24), "xform_tune_hmac_narrow(SHA-1, 16-lane) = %u",
			  x16);
		x16_256 = xform_tune_hmac_narrow(NULL, mb_sse, 32, IMB_AUTH_HMAC_SHA_256);
		CHECK_MSG(tune_len_ok(x16_256, 24),
			  "xform_tune_hmac_narrow(16-lane, SSE, SHA-256) = %u", x16_256);
	} else {
		CHECK(xform_tune_hmac_narrow(mb, NULL, 32, IMB_AUTH_HMAC_SHA_1) == 0);
	}
	printf("AES-CBC encryption: SSE faster up to %u-byte payloads here\n", v);
	printf("HMAC-SHA-1 / SHA-256: SSE faster up to %u / %u-byte messages here\n",
	       h1, h256);
	printf("HMAC-SHA-1: the 16-lane code faster than the wide one up to %u-byte "
	       "messages here\n", x16);
	printf("HMAC-SHA-256: the SSE code faster than the 16-lane one up to %u-byte "
	       "messages here\n", x16_256);
}

int main(void)
{
	if (eal_up() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("unit_esp", 255, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	mb = alloc_mb_mgr(0);
	mb_sse = alloc_mb_mgr(0);
	if (pool == NULL || mb == NULL || mb_sse == NULL) {
		fprintf(stderr, "no mbuf pool or ipsec-mb manager\n");
		return 1;
	}
	init_mb_mgr_auto(mb, NULL);
	init_mb_mgr_sse(mb_sse);
	tune_bounds();

	for (size_t i = 0; i < sizeof(esp_frames) / sizeof(esp_frames[0]); i++) {
		int f0 = check_fail;

		outbound(&esp_frames[i]);
		inbound(&esp_frames[i]);
		if (check_fail != f0)
			fprintf(stderr, "  ^ in frame \"%s\"\n", esp_frames[i].name);
	}
	for (size_t i = 0; i < sizeof(esp_bads) / sizeof(esp_bads[0]); i++)
		bad_packet(&esp_bads[i]);
	no_room();
	header_options();
	self_round_trips();

	free_mb_mgr(mb);
	free_mb_mgr(mb_sse);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return check_summary();
}
