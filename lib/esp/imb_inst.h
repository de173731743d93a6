/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsec-mb instances: which loaded copy of libIPSec_MB a manager runs.
 *
 * Why there can be more than one. ipsec-mb 1.3 built with SAFE_PARAM, as
 * Debian's is, stores 0 to one process-wide global, imb_errno, at the start
 * of every AES-GCM call: the single-buffer API (xform_gcm_seal/open) and the
 * GCM jobs of the job and burst APIs alike. Two workers doing that for every
 * packet pass that cache line back and forth between their cores: on the
 * machine of docs/performance.md a 64-byte AES-128-GCM encryption took 43
 * cycles on one thread and 129 on each of two. The store cannot be avoided
 * through the API, but its target can be: a copy of the library loaded with
 * dlmopen() into a link-map namespace of its own has its own globals, and a
 * manager initialised by that copy's init function points at that copy's
 * code. Keys and other data ipsec-mb precomputes have the same layout in
 * every copy (it is the same file), so a key expanded by the control
 * plane's manager serves every worker.
 *
 * Contract:
 * - imb_inst_open() loads a private copy; NULL (and why, in err) when the
 *   loader cannot: glibc reserves static TLS for about ten namespaces that
 *   carry their own libc. Callers then use the process's copy (inst NULL),
 *   which is correct, only slower with several workers.
 * - imb_inst_mgr(inst, sse, socket) allocates a manager on `socket` and
 *   initialises it with the code init_mb_mgr_auto() picks (or the SSE code)
 *   of that instance; inst NULL is the process's own copy. Free it with
 *   imb_inst_mgr_free(), never free_mb_mgr().
 * - imb_inst_close() after every manager of the instance is freed.
 */
#ifndef ESPRIT_IMB_INST_H
#define ESPRIT_IMB_INST_H

#include <stdbool.h>
#include <stddef.h>

#include <intel-ipsec-mb.h>

struct imb_inst;

struct imb_inst *imb_inst_open(char *err, size_t errlen);
IMB_MGR *imb_inst_mgr(const struct imb_inst *inst, bool sse, int socket);
void imb_inst_mgr_free(IMB_MGR *mb);
void imb_inst_close(struct imb_inst *inst);

#endif
