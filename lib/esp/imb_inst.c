/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsec-mb instances (imb_inst.h): private copies of the library loaded
 * with dlmopen(), and managers in DPDK memory initialised by one copy.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "esp/imb_inst.h"

/* What a manager needs from its copy: the entry points that set its
 * function pointers. Everything after goes through those. */
struct imb_ops {
	size_t (*size)(void);
	IMB_MGR *(*set_pointers)(void *ptr, const uint64_t flags,
				 const unsigned reset_mgr);
	void (*init_auto)(IMB_MGR *mb, IMB_ARCH *arch);
	void (*init_sse)(IMB_MGR *mb);
};

struct imb_inst {
	void *handle;		/* dlmopen()'s */
	struct imb_ops ops;
};

static const struct imb_ops process_ops = {
	.size = imb_get_mb_mgr_size,
	.set_pointers = imb_set_pointers_mb_mgr,
	.init_auto = init_mb_mgr_auto,
	.init_sse = init_mb_mgr_sse,
};

/* The file the process's own copy was loaded from, so that the private
 * copy is the very same code (and key layout), not whatever a search
 * for the soname would find. */
static const char *process_lib_path(void)
{
	Dl_info info;

	if (dladdr((void *)init_mb_mgr_auto, &info) == 0 || info.dli_fname == NULL)
		return NULL;
	return info.dli_fname;
}

static bool resolve(void *h, struct imb_ops *ops)
{
	ops->size = (size_t (*)(void))dlsym(h, "imb_get_mb_mgr_size");
	ops->set_pointers = (IMB_MGR *(*)(void *, const uint64_t, const unsigned))
		dlsym(h, "imb_set_pointers_mb_mgr");
	ops->init_auto = (void (*)(IMB_MGR *, IMB_ARCH *))dlsym(h, "init_mb_mgr_auto");
	ops->init_sse = (void (*)(IMB_MGR *))dlsym(h, "init_mb_mgr_sse");
	return ops->size && ops->set_pointers && ops->init_auto && ops->init_sse;
}

struct imb_inst *imb_inst_open(char *err, size_t errlen)
{
	const char *path = process_lib_path();
	struct imb_inst *inst;

	if (path == NULL) {
		snprintf(err, errlen, "cannot find the file libIPSec_MB was loaded from");
		return NULL;
	}
	inst = calloc(1, sizeof(*inst));
	if (inst == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	inst->handle = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
	if (inst->handle == NULL) {
		snprintf(err, errlen, "dlmopen %s: %s", path, dlerror());
		free(inst);
		return NULL;
	}
	if (!resolve(inst->handle, &inst->ops)) {
		snprintf(err, errlen, "%s: an ipsec-mb entry point is missing", path);
		imb_inst_close(inst);
		return NULL;
	}
	return inst;
}

IMB_MGR *imb_inst_mgr(const struct imb_inst *inst, bool sse, int socket)
{
	const struct imb_ops *ops = inst != NULL ? &inst->ops : &process_ops;
	void *mem = rte_zmalloc_socket("imb_mgr", ops->size(), RTE_CACHE_LINE_SIZE,
				       socket);
	IMB_MGR *mb;

	if (mem == NULL)
		return NULL;
	mb = ops->set_pointers(mem, 0, 1);
	if (mb != mem) {	/* it works in place; anything else is not ours to free */
		rte_free(mem);
		return NULL;
	}
	if (sse)
		ops->init_sse(mb);
	else
		ops->init_auto(mb, NULL);
	return mb;
}

void imb_inst_mgr_free(IMB_MGR *mb)
{
	rte_free(mb);
}

void imb_inst_close(struct imb_inst *inst)
{
	if (inst == NULL)
		return;
	dlclose(inst->handle);
	free(inst);
}
