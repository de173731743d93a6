/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsec-mb instances (lib/esp/imb_inst.c): a manager of a private copy of
 * the library must
 * - run that copy's code, not the process's (dladdr: another load base);
 * - encrypt and decrypt with keys the process's copy expanded, giving the
 *   published bytes: the GCM specification's test case 4 (AES-128, 60-byte
 *   plaintext, 20-byte AAD), through the single-buffer API that the data
 *   path uses (xform_gcm_seal/open) and through a job;
 * - keep its own imb_errno: an AES-GCM call with a NULL key through it
 *   leaves the process's imb_errno at 0, where the same call through a
 *   process manager sets it (the control that shows the check can fail).
 * An SSE manager of the private copy gets the same vectors with keys that
 * an SSE manager of the process expanded: AES-GCM's precomputed GHASH
 * powers are laid out per code family, so keys go with the family, not
 * with the copy (the data path keeps GCM on the auto-picked code).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include <intel-ipsec-mb.h>

#include "check.h"
#include "esp/imb_inst.h"
#include "util/hex.h"

/* The Galois/Counter Mode specification (McGrew, Viega), test case 4. */
static const char *K = "feffe9928665731c6d6a8f9467308308";
static const char *IV = "cafebabefacedbaddecaf888";
static const char *A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const char *P =
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char *C =
	"42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	"21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
static const char *T = "5bc94fbc3221a5db94fae95ae7121a47";

static uint8_t key[16], iv[12], aad[20], pt[60], ct[60], tag[16];
static struct gcm_key_data kd __rte_aligned(64);	  /* process, auto */
static struct gcm_key_data kd_sse __rte_aligned(64); /* process, SSE */

static int eal_up(void)
{
	char *argv[] = { "test", "--no-huge", "-m", "64", "--no-pci",
			 "--log-level=lib.*:error", "-l", "0", "--no-shconf",
			 "--file-prefix", "unit_imb_inst", NULL };

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

static bool vectors(void)
{
	return hex_decode(K, key, sizeof(key)) == 16 &&
	       hex_decode(IV, iv, sizeof(iv)) == 12 &&
	       hex_decode(A, aad, sizeof(aad)) == 20 &&
	       hex_decode(P, pt, sizeof(pt)) == 60 &&
	       hex_decode(C, ct, sizeof(ct)) == 60 &&
	       hex_decode(T, tag, sizeof(tag)) == 16;
}

static void *load_base(const void *fn)
{
	Dl_info info;

	return dladdr(fn, &info) != 0 ? info.dli_fbase : NULL;
}

/* Test case 4 through mb's single-buffer API, both ways, keys k. */
static void direct_k(IMB_MGR *mb, const struct gcm_key_data *k, const char *who)
{
	struct gcm_context_data ctx;
	uint8_t out[60], back[60], t[16];

	IMB_AES128_GCM_ENC(mb, k, &ctx, out, pt, sizeof(pt), iv, aad,
			   sizeof(aad), t, sizeof(t));
	CHECK_MSG(memcmp(out, ct, sizeof(ct)) == 0, "%s: ciphertext", who);
	CHECK_MSG(memcmp(t, tag, sizeof(tag)) == 0, "%s: tag", who);
	IMB_AES128_GCM_DEC(mb, k, &ctx, back, ct, sizeof(ct), iv, aad,
			   sizeof(aad), t, sizeof(t));
	CHECK_MSG(memcmp(back, pt, sizeof(pt)) == 0, "%s: plaintext", who);
	CHECK_MSG(memcmp(t, tag, sizeof(tag)) == 0, "%s: decryption's tag", who);
}

static void direct(IMB_MGR *mb, const char *who)
{
	direct_k(mb, &kd, who);
}

/* Test case 4 as one AES-GCM encryption job on mb, keys k. */
static void job(IMB_MGR *mb, const struct gcm_key_data *k, const char *who)
{
	uint8_t out[60], t[16];
	IMB_JOB *j = IMB_GET_NEXT_JOB(mb), *r;
	int done = 0;

	memset(j, 0, sizeof(*j));
	j->cipher_mode = IMB_CIPHER_GCM;
	j->hash_alg = IMB_AUTH_AES_GMAC;
	j->chain_order = IMB_ORDER_CIPHER_HASH;
	j->cipher_direction = IMB_DIR_ENCRYPT;
	j->enc_keys = k;
	j->dec_keys = k;
	j->key_len_in_bytes = IMB_KEY_128_BYTES;
	j->src = pt;
	j->dst = out;
	j->msg_len_to_cipher_in_bytes = sizeof(pt);
	j->msg_len_to_hash_in_bytes = sizeof(pt);
	j->iv = iv;
	j->iv_len_in_bytes = sizeof(iv);
	j->u.GCM.aad = aad;
	j->u.GCM.aad_len_in_bytes = sizeof(aad);
	j->auth_tag_output = t;
	j->auth_tag_output_len_in_bytes = sizeof(t);
	for (r = IMB_SUBMIT_JOB(mb); r != NULL; r = IMB_GET_COMPLETED_JOB(mb))
		done += r->status == IMB_STATUS_COMPLETED;
	while ((r = IMB_FLUSH_JOB(mb)) != NULL)
		done += r->status == IMB_STATUS_COMPLETED;
	CHECK_MSG(done == 1, "%s: job completed %d times", who, done);
	CHECK_MSG(memcmp(out, ct, sizeof(ct)) == 0, "%s: job's ciphertext", who);
	CHECK_MSG(memcmp(t, tag, sizeof(tag)) == 0, "%s: job's tag", who);
}

/* The process's imb_errno after a NULL-key AES-GCM call through mb. */
static int errno_after_bad_call(IMB_MGR *mb, IMB_MGR *process)
{
	struct gcm_context_data ctx;
	uint8_t out[60], t[16];

	direct(process, "reset");	/* a good call: the process's is 0 */
	CHECK(imb_get_errno(NULL) == 0);
	IMB_AES128_GCM_ENC(mb, NULL, &ctx, out, pt, sizeof(pt), iv, aad,
			   sizeof(aad), t, sizeof(t));
	return imb_get_errno(NULL);
}

static void instance(struct imb_inst *inst, IMB_MGR *process)
{
	IMB_MGR *mb = imb_inst_mgr(inst, false, SOCKET_ID_ANY);
	IMB_MGR *sse = imb_inst_mgr(inst, true, SOCKET_ID_ANY);

	CHECK(mb != NULL && sse != NULL);
	if (mb == NULL || sse == NULL)
		goto out;
	CHECK(sse->used_arch == IMB_ARCH_SSE);
	CHECK(mb->used_arch == process->used_arch);
	CHECK_MSG(load_base((void *)mb->gcm128_enc) != load_base((void *)process->gcm128_enc),
		  "the private manager runs the process's code");
	CHECK(load_base((void *)sse->gcm128_enc) == load_base((void *)mb->gcm128_enc));
	direct(mb, "private");
	direct_k(sse, &kd_sse, "private SSE");
	job(mb, &kd, "private");
	job(sse, &kd_sse, "private SSE");
	CHECK_MSG(errno_after_bad_call(mb, process) == 0,
		  "a private copy's call wrote the process's imb_errno");
	CHECK_MSG(errno_after_bad_call(process, process) != 0,
		  "a NULL key through the process's manager set no imb_errno");
out:
	imb_inst_mgr_free(mb);
	imb_inst_mgr_free(sse);
}

int main(void)
{
	char err[256];
	struct imb_inst *inst;
	IMB_MGR *process, *process_sse;

	if (eal_up() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	CHECK(vectors());
	process = imb_inst_mgr(NULL, false, SOCKET_ID_ANY);
	CHECK(process != NULL);
	if (process == NULL)
		return check_summary();
	process_sse = imb_inst_mgr(NULL, true, SOCKET_ID_ANY);
	CHECK(process_sse != NULL && process_sse->used_arch == IMB_ARCH_SSE);
	if (process_sse == NULL)
		return check_summary();
	/* keys from the process's copy */
	IMB_AES128_GCM_PRE(process, key, &kd);
	IMB_AES128_GCM_PRE(process_sse, key, &kd_sse);
	direct(process, "process");
	job(process, &kd, "process");
	direct_k(process_sse, &kd_sse, "process SSE");

	inst = imb_inst_open(err, sizeof(err));
	CHECK_MSG(inst != NULL, "%s", err);
	if (inst != NULL)
		instance(inst, process);
	imb_inst_close(inst);
	/* A second private copy after the first was closed, and two at once. */
	{
		struct imb_inst *a = imb_inst_open(err, sizeof(err));
		struct imb_inst *b = imb_inst_open(err, sizeof(err));
		IMB_MGR *ma = imb_inst_mgr(a, false, SOCKET_ID_ANY);
		IMB_MGR *mb = imb_inst_mgr(b, false, SOCKET_ID_ANY);

		CHECK(a != NULL && b != NULL && ma != NULL && mb != NULL);
		if (ma != NULL && mb != NULL) {
			CHECK(load_base((void *)ma->gcm128_enc) !=
			      load_base((void *)mb->gcm128_enc));
			direct(ma, "copy a");
			direct(mb, "copy b");
		}
		imb_inst_mgr_free(ma);
		imb_inst_mgr_free(mb);
		imb_inst_close(a);
		imb_inst_close(b);
	}
	imb_inst_close(NULL);
	imb_inst_mgr_free(NULL);
	imb_inst_mgr_free(process);
	imb_inst_mgr_free(process_sse);
	rte_eal_cleanup();
	return check_summary();
}
